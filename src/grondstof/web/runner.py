"""Run library analyses for the web: the one place every skin (API, downloads, pages, reports) goes through.

For each call the runner

1. checks the analysis' web limits (:func:`grondstof.web.limits.check`: 413 over a limit);
2. answers from the result cache when it can — results depend only on the analysis, its parameters and
   the store build (read-only while served), and the cache is bounded in bytes (:data:`CACHE_MB`);
3. computes identical concurrent calls once (the others wait for the first);
4. runs the work: in the calling worker thread on its own DuckDB cursor (:mod:`grondstof.web.served`), or
   for heavy analyses in the heavy-request pool (:mod:`grondstof.web.heavy`); both stop when the request's
   cancel token is cancelled (:mod:`grondstof.cancel`).

Errors are not cached. Serialised API pages are cached in the same byte budget (:meth:`Runner.page`).
"""

from __future__ import annotations

import json
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from grondstof import cancel
from grondstof.config import env_float
from grondstof.result import Result
from grondstof.store import Store
from grondstof.web import limits

CACHE_MB = env_float("GRONDSTOF_CACHE_MB", 256.0)
"""Bytes (estimated, in MB) the server's result cache may hold, over all builds: results and serialised
pages. ``GRONDSTOF_CACHE_MB`` overrides it. One entry may take at most a quarter of it (larger results
are computed and answered but not kept)."""

CLIENT: ContextVar[str | None] = ContextVar("grondstof_client", default=None)
"""The address of the client of the current request (set by the app; counted by the heavy pool)."""


class ResultCache:
    """A least-recently-used cache bounded by the estimated bytes of its entries (thread-safe)."""

    def __init__(self, max_bytes: float = CACHE_MB * 1e6) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[Any, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Any) -> Any:
        """The cached value, or None."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: Any, value: Any, size: int) -> bool:
        """Keep ``value`` (``size`` bytes), evicting the least recently used; False if it is too large."""
        if size > self.max_bytes / 4:
            return False
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._entries[key] = (value, size)
            self.bytes += size
            while self.bytes > self.max_bytes and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.bytes -= dropped
        return True

    def drop_build(self, build_id: str) -> None:
        """Forget every entry of a build that is no longer served."""
        with self._lock:
            for key in [k for k in self._entries if k[1] == build_id]:
                self.bytes -= self._entries.pop(key)[1]


class _Flight:
    """One computation that several identical requests wait for."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: Result | None = None
        self.error: BaseException | None = None


class Runner:
    """Runs ``fn(**params, store=store)`` for the web (see the module docstring) on one store build.

    ``cache`` is shared by the runners of all builds (keys carry the build); ``heavy`` is the
    heavy-request pool (None runs heavy analyses in the calling thread, as the library does).
    ``serialise`` makes engine work wait for one lock: for stores whose engine connection cannot be shared
    between threads (backends other than the served DuckDB).
    """

    def __init__(
        self,
        store: Store,
        cache: ResultCache | None = None,
        heavy: Any = None,
        *,
        serialise: bool = False,
    ) -> None:
        self.store = store
        self.cache = cache if cache is not None else ResultCache()
        self.heavy = heavy
        self._serial = threading.Lock() if serialise else None
        self._flights: dict[tuple[Any, ...], _Flight] = {}
        self._lock = threading.Lock()

    def key(self, name: str, params: dict[str, Any]) -> tuple[Any, ...]:
        """The cache key of an analysis call."""
        return (name, self.store.build_id, tuple(sorted((k, _freeze(v)) for k, v in params.items())))

    def cached(self, name: str, **params: Any) -> Result | None:
        """The cached result of a call, or None (never computes; safe on the event loop)."""
        found = self.cache.get(self.key(name, params))
        return found if isinstance(found, Result) else None

    def run(self, name: str, fn: Callable[..., Result], **params: Any) -> Result:
        """Return the (possibly cached) result of an analysis, checking its web limits first."""
        from grondstof.analyses import ANALYSES

        entry = ANALYSES.get(name)
        if entry is not None:
            limits.check(entry, params)
        key = self.key(name, params)
        while True:
            found = self.cache.get(key)
            if isinstance(found, Result):
                return found
            with self._lock:
                flight = self._flights.get(key)
                leader = flight is None
                if leader:
                    flight = self._flights[key] = _Flight()
            assert flight is not None
            if leader:
                return self._lead(key, flight, name, fn, params)
            _wait(flight.done)
            if flight.result is not None:
                return flight.result
            if isinstance(flight.error, cancel.Cancelled) and flight.error.reason == "disconnect":
                continue  # the first requester left; this one still wants the answer: compute it
            assert flight.error is not None
            raise flight.error

    def _lead(
        self,
        key: tuple[Any, ...],
        flight: _Flight,
        name: str,
        fn: Callable[..., Result],
        params: dict[str, Any],
    ) -> Result:
        try:
            result = self._compute(name, fn, params)
            flight.result = result
            self.cache.put(key, result, approximate_bytes(result))
            return result
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self._lock:
                self._flights.pop(key, None)
            flight.done.set()

    def _compute(self, name: str, fn: Callable[..., Result], params: dict[str, Any]) -> Result:
        from grondstof.analyses import ANALYSES

        entry = ANALYSES.get(name)
        if self.heavy is not None and entry is not None and entry.heavy:
            result: Result = self.heavy.call("analysis", (name, params), self.store.build_dir, CLIENT.get())
            return result
        cancel.check()
        if self._serial is not None:
            with self._serial:
                return fn(**params, store=self.store)
        lend = getattr(self.store, "cursor", None)  # a served store lends one of its pooled cursors
        if lend is None:
            return fn(**params, store=self.store)
        with lend():
            return fn(**params, store=self.store)

    def page(self, name: str, params: dict[str, Any], page: int, page_size: int, result: Result) -> bytes:
        """The JSON body of one page of a result (serialised once per page, kept in the byte budget)."""
        key = ("page", self.store.build_id, self.key(name, params), page, page_size)
        body = self.cache.get(key)
        if body is None:
            body = json.dumps(_page(result, page, page_size), ensure_ascii=False).encode("utf-8")
            self.cache.put(key, body, len(body) + 200)
        return body

    def report(self, kind: str, arguments: dict[str, Any], fmt: str) -> tuple[bytes, list[str]]:
        """A rendered report (HTML, PDF or Excel) and its file name parts, made in the heavy pool and cached
        like results."""
        from grondstof.web.reports import render_report

        key = ("report", self.store.build_id, kind, tuple(sorted(arguments.items())), fmt)
        data = self.cache.get(key)
        if data is not None:
            return data
        if self.heavy is not None:
            data = self.heavy.call("report", (kind, arguments, fmt), self.store.build_dir, CLIENT.get())
        elif self._serial is not None:
            with self._serial:
                data = render_report(kind, arguments, fmt, self.store)
        else:
            data = render_report(kind, arguments, fmt, self.store)
        self.cache.put(key, data, len(data[0]))
        return data

    def close(self) -> None:
        """Forget this build's cached results (the build is no longer served)."""
        self.cache.drop_build(self.store.build_id)


def _wait(event: threading.Event) -> None:
    """Wait for another request's computation, giving up when this request is cancelled."""
    while not event.wait(0.05):
        cancel.check()


def _page(result: Result, page: int, page_size: int) -> dict[str, Any]:
    import math

    body = result.to_dict()
    total = len(body["rows"])
    start = (page - 1) * page_size
    body["rows"] = body["rows"][start : start + page_size]
    body["meta"]["page"] = {
        "page": page,
        "page_size": page_size,
        "total_rows": total,
        "total_pages": max(1, math.ceil(total / page_size)),
    }
    return body


def approximate_bytes(result: Result) -> int:
    """Estimated memory of a result: a sample of its rows measured, times the number of rows, plus meta.

    Strings and numbers are counted at their own size (shared field-name keys are not), so the estimate
    is of the right order, not exact.
    """
    rows = result.rows
    sample = rows[:: max(1, len(rows) // 50)][:50]
    per_row = (
        sum(sys.getsizeof(r) + sum(sys.getsizeof(v) for v in r.values()) for r in sample) / len(sample)
        if sample
        else 0
    )
    meta = len(json.dumps(result.meta, default=str)) * 3
    return int(per_row * len(rows) + meta + 1000)


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(value)
    return value
