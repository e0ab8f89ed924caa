"""Cancelling work nobody waits for any more: a time limit passed, the client left, the server stops.

A :class:`CancelToken` is made per piece of work (the web server makes one per request) and set as the
current token with :func:`use`; context variables follow the work into worker threads. The engine checks
it before every query (:func:`check`) and registers the DuckDB connection a query runs on
(:meth:`CancelToken.running`), so :meth:`CancelToken.cancel` interrupts a query that is running, not just
the next one. Work outside the engine (a simulation, a solver) is stopped by running it in a process that
can be killed (:mod:`grondstof.web.heavy`).

This module imports only the standard library.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from grondstof.errors import GrondstofError

__all__ = ["CancelToken", "Cancelled", "check", "current", "use"]

REASONS = {
    "deadline": "the request took longer than its time limit",
    "disconnect": "the client closed the connection",
    "shutdown": "the server is stopping",
}


class Cancelled(GrondstofError):
    """Work was stopped before it finished; ``reason`` is ``deadline``, ``disconnect`` or ``shutdown``."""

    def __init__(self, reason: str, seconds: float | None = None) -> None:
        self.reason = reason
        self.seconds = seconds
        text = REASONS.get(reason, reason)
        if reason == "deadline" and seconds is not None:
            text += f" of {seconds:g} s"
        super().__init__(text)


class CancelToken:
    """Says whether a piece of work should stop, and stops the engine queries it is running.

    ``seconds`` is the work's time limit: :meth:`expire` (called by the owner's timer) cancels it with
    reason ``deadline`` once that much time has passed since the token was made; :meth:`allow` extends it
    for work that has a longer limit (heavy requests).
    """

    def __init__(self, seconds: float | None = None) -> None:
        import time

        self.seconds = seconds
        self.started = time.monotonic()
        self.reason: str | None = None
        self._running: list[Any] = []
        self._lock = threading.Lock()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self.reason is not None

    def cancel(self, reason: str = "deadline") -> None:
        """Stop the work: later checks raise :class:`Cancelled`; running DuckDB queries are interrupted."""
        with self._lock:
            if self.reason is None:
                self.reason = reason
            running = list(self._running)
        for connection in running:
            with contextlib.suppress(Exception):  # the query may have finished in between
                connection.interrupt()

    def remaining(self) -> float | None:
        """Seconds left before the time limit (negative when past it), or None without a limit."""
        import time

        if self.seconds is None:
            return None
        return self.started + self.seconds - time.monotonic()

    def allow(self, seconds: float) -> None:
        """Give the work at least ``seconds`` from its start (a longer limit for heavy work)."""
        if self.seconds is not None and seconds > self.seconds:
            self.seconds = seconds

    def expire(self) -> float | None:
        """Cancel with reason ``deadline`` if the time limit has passed; else return the seconds left."""
        left = self.remaining()
        if left is not None and left <= 0:
            self.cancel("deadline")
            return None
        return left

    def check(self) -> None:
        """Raise :class:`Cancelled` if the work was cancelled."""
        if self.reason is not None:
            raise Cancelled(self.reason, self.seconds)

    @contextlib.contextmanager
    def running(self, connection: Any) -> Iterator[None]:
        """Register a DuckDB connection while a query runs on it, so :meth:`cancel` can interrupt it."""
        with self._lock:
            self._running.append(connection)
        try:
            yield
        finally:
            with self._lock:
                self._running.remove(connection)


_CURRENT: ContextVar[CancelToken | None] = ContextVar("grondstof_cancel", default=None)


def current() -> CancelToken | None:
    """The token of the work running in this context, or None."""
    return _CURRENT.get()


@contextlib.contextmanager
def use(token: CancelToken) -> Iterator[CancelToken]:
    """Make ``token`` the current token for the duration of the block (and threads started from it)."""
    reset = _CURRENT.set(token)
    try:
        yield token
    finally:
        _CURRENT.reset(reset)


def check() -> None:
    """Raise :class:`Cancelled` if the current work was cancelled (nothing when there is no token)."""
    token = _CURRENT.get()
    if token is not None:
        token.check()
