"""Run library analyses for the web: one lock around the engine, results cached per store build.

The store is read-only while the server runs, so a result depends only on the analysis, its parameters
and the store build: identical requests are answered from an LRU cache. Engine work is serialised by a
lock because one DuckDB connection (through Ibis) is shared by the request threads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from grondstof.result import Result
from grondstof.store import Store

CACHE_SIZE = 512


class Runner:
    """Runs ``fn(**params, store=store)`` once per distinct call and remembers the result."""

    def __init__(self, store: Store, size: int = CACHE_SIZE) -> None:
        self.store = store
        self.size = size
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[Any, ...], Result] = OrderedDict()

    def key(self, name: str, params: dict[str, Any]) -> tuple[Any, ...]:
        """The cache key of an analysis call."""
        return (name, self.store.build_dir.name, tuple(sorted((k, _freeze(v)) for k, v in params.items())))

    def cached(self, name: str, **params: Any) -> Result | None:
        """The cached result of a call, or None (never computes; safe on the event loop)."""
        return self._cache.get(self.key(name, params))

    def run(self, name: str, fn: Callable[..., Result], **params: Any) -> Result:
        """Return the (possibly cached) result of an analysis; errors are not cached."""
        key = self.key(name, params)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                return cached
            result = fn(**params, store=self.store)
            self._cache[key] = result
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
            return result


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(value)
    return value
