"""Heavy requests (Monte Carlo, the stockpile LP, reports) run in a small pool of worker processes.

Why processes: a simulation or a solver cannot be stopped from another thread, and its Python work would
hold the interpreter lock that cheap requests need. A worker process can be killed the moment its request
is cancelled (time limit, client gone, server stopping), and it runs at a lower CPU priority, so cheap
requests and ``/health`` keep answering while every worker is busy.

The pool admits at most :data:`WORKERS` running and :data:`QUEUE` waiting requests, and at most
:data:`PER_CLIENT` from one client address; beyond that a request is refused at once with 429 (and
``Retry-After``), never queued without bound. Each request gets :data:`SECONDS` to finish.

Workers are started on first use (``python -m grondstof.web.heavy``), read tasks from stdin and write
results to stdout as length-prefixed pickles; they open each build's store read-only (the server's lease
on the build keeps it from being pruned) and keep the two most recent open.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
import subprocess
import sys
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from grondstof import cancel
from grondstof.config import env_float, env_int
from grondstof.errors import GrondstofError, LimitError

__all__ = ["PER_CLIENT", "QUEUE", "SECONDS", "WORKERS", "HeavyPool"]

WORKERS = env_int("GRONDSTOF_HEAVY_WORKERS", 2)
"""Heavy requests running at once (worker processes). ``GRONDSTOF_HEAVY_WORKERS`` overrides it."""
QUEUE = env_int("GRONDSTOF_HEAVY_QUEUE", 8)
"""Heavy requests waiting for a worker; more are refused with 429."""
PER_CLIENT = env_int("GRONDSTOF_HEAVY_PER_CLIENT", 4)
"""Heavy requests one client address may have running or waiting; more are refused with 429."""
SECONDS = env_float("GRONDSTOF_HEAVY_SECONDS", 60.0)
"""Time limit of one heavy request, waiting included (then 503 and the worker is stopped)."""
NICE = 10  # workers run at a lower priority than the server's cheap requests
POLL = 0.05  # seconds between checks for cancellation while a worker runs


class WorkerCrashed(GrondstofError):
    """A worker process died while running a request (it is replaced for the next one)."""


class HeavyPool:
    """Runs heavy tasks in worker processes with admission limits, a time limit and cancellation."""

    def __init__(
        self,
        workers: int = WORKERS,
        queue: int = QUEUE,
        per_client: int = PER_CLIENT,
        seconds: float = SECONDS,
    ) -> None:
        self.workers = max(1, workers)
        self.queue = max(0, queue)
        self.per_client = max(1, per_client)
        self.seconds = seconds
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._running = 0
        self._waiting = 0
        self._clients: Counter[str] = Counter()
        self._free = threading.Condition()
        self._stopping = False

    @property
    def busy(self) -> tuple[int, int]:
        """(running, waiting) heavy requests."""
        return self._running, self._waiting

    def call(self, kind: str, payload: Any, build_dir: Path, client: str | None = None) -> Any:
        """Run a task in a worker and return its result (raising what the task raised).

        ``kind`` is ``analysis`` (payload ``(name, arguments)``), ``report`` (payload
        ``(report kind, arguments, format)``) or ``sleep`` (payload seconds; returns the worker's process
        id: holds a worker, for tests of the pool). Raises :class:`LimitError` (429) when the pool is full
        or the client has too many heavy requests, :class:`grondstof.cancel.Cancelled` on the time limit, a
        cancelled request token or shutdown.
        """
        token = cancel.current()
        if token is not None:
            token.allow(self.seconds)  # this request's limit is the heavy one, waiting included
        deadline = time.monotonic() + self.seconds
        who = client or "unknown"
        with self._free:
            if self._stopping:
                raise cancel.Cancelled("shutdown")
            if self._clients[who] >= self.per_client:
                raise LimitError(
                    "heavy requests per client",
                    self._clients[who] + 1,
                    self.per_client,
                    429,
                    "at most this many heavy requests (simulations, stockpile plans, reports) from one "
                    "client at a time",
                    retry_after=5,
                )
            if self._running + self._waiting >= self.workers + self.queue:
                raise LimitError(
                    "heavy requests",
                    self._running + self._waiting + 1,
                    self.workers + self.queue,
                    429,
                    f"at most {self.workers} heavy requests running and {self.queue} waiting on this server",
                    retry_after=5,
                )
            self._clients[who] += 1
            self._waiting += 1
        try:
            worker = self._take(token, deadline)
            try:
                return worker.run((kind, payload, str(build_dir)), lambda: self._stop_reason(token, deadline))
            finally:
                self._give_back(worker)
        except cancel.Cancelled as exc:
            if exc.reason == "deadline":
                raise cancel.Cancelled("deadline", self.seconds) from None
            raise
        finally:
            with self._free:
                self._clients[who] -= 1
                if not self._clients[who]:
                    del self._clients[who]

    def _stop_reason(self, token: cancel.CancelToken | None, deadline: float) -> str | None:
        if self._stopping:
            return "shutdown"
        if token is not None and token.cancelled:
            return token.reason
        if time.monotonic() > deadline:
            return "deadline"
        return None

    def _take(self, token: cancel.CancelToken | None, deadline: float) -> _Worker:
        with self._free:
            try:
                while self._running >= self.workers:
                    reason = self._stop_reason(token, deadline)
                    if reason is not None:
                        raise cancel.Cancelled(reason)
                    self._free.wait(POLL)
                self._running += 1
            finally:
                self._waiting -= 1
            worker = self._idle.pop() if self._idle else None
        if worker is None or not worker.alive:
            try:
                worker = _Worker()
            except BaseException:
                with self._free:
                    self._running -= 1
                    self._free.notify()
                raise
            with self._free:
                self._all.add(worker)
        return worker

    def _give_back(self, worker: _Worker) -> None:
        with self._free:
            self._running -= 1
            if worker.alive and not self._stopping:
                self._idle.append(worker)
            else:
                self._all.discard(worker)
            self._free.notify()

    def resume(self) -> None:
        """Accept heavy requests again after :meth:`shutdown` (the app started again)."""
        with self._free:
            self._stopping = False

    def shutdown(self) -> None:
        """Stop every worker now; running and waiting requests end with ``Cancelled("shutdown")``."""
        with self._free:
            self._stopping = True
            workers = list(self._all)
            self._all.clear()
            self._idle.clear()
            self._free.notify_all()
        for worker in workers:
            worker.kill()


class _Worker:
    """One worker process and its pipes."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "grondstof.web.heavy"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        self._lock = threading.Lock()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def run(self, task: tuple[str, Any, str], stop: Callable[[], str | None]) -> Any:
        """Send a task, wait for its answer; kill the process when ``stop()`` names a reason."""
        import selectors

        assert self.process.stdin is not None and self.process.stdout is not None
        with self._lock:
            try:
                _send(self.process.stdin, task)
            except (BrokenPipeError, OSError) as exc:
                self.kill()
                raise WorkerCrashed("a heavy-request worker stopped unexpectedly; try again") from exc
            try:
                with selectors.DefaultSelector() as selector:
                    selector.register(self.process.stdout, selectors.EVENT_READ)
                    while not selector.select(POLL):
                        reason = stop()
                        if reason is not None:
                            self.kill()
                            raise cancel.Cancelled(reason)
                        if not self.alive:
                            break
                status, value = _receive(self.process.stdout)
            # ValueError: the pipe was closed under us (shutdown() kills the worker from another thread).
            except (EOFError, OSError, ValueError, pickle.UnpicklingError) as exc:
                self.kill()
                reason = stop()  # killed by shutdown or a cancel between two polls: say so, not "crashed"
                if reason is not None:
                    raise cancel.Cancelled(reason) from exc
                raise WorkerCrashed("a heavy-request worker stopped unexpectedly; try again") from exc
        if status == "ok":
            return value
        if status == "error":
            raise _rebuild(value)
        raise RuntimeError(f"heavy-request worker failed:\n{value}")

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.process.wait(timeout=5)
        for pipe in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(Exception):
                pipe.close()  # type: ignore[union-attr]


# -- the wire: length-prefixed pickles ---------------------------------------------------------------------


def _send(pipe: IO[bytes], value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.write(struct.pack("!Q", len(data)) + data)
    pipe.flush()


def _receive(pipe: IO[bytes]) -> Any:
    head = _read(pipe, 8)
    (size,) = struct.unpack("!Q", head)
    return pickle.loads(_read(pipe, size))


def _read(pipe: IO[bytes], size: int) -> bytes:
    chunks = []
    while size:
        chunk = pipe.read(size)
        if not chunk:
            raise EOFError("worker pipe closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _error_spec(exc: GrondstofError) -> tuple[str, str, dict[str, Any] | None, str]:
    import dataclasses

    fields = (
        {f.name: getattr(exc, f.name) for f in dataclasses.fields(exc) if f.init}
        if dataclasses.is_dataclass(exc)
        else None
    )
    return type(exc).__module__, type(exc).__qualname__, fields, str(exc)


def _rebuild(spec: tuple[str, str, dict[str, Any] | None, str]) -> Exception:
    """The worker's error as the same class in this process (the message if it cannot be rebuilt)."""
    import importlib

    module, name, fields, text = spec
    try:
        kind = getattr(importlib.import_module(module), name)
        return kind(**fields) if fields is not None else kind(text)
    except Exception:  # a class that cannot be made again here: keep its words
        return GrondstofError(text)


# -- the worker process ------------------------------------------------------------------------------------


def _task(task: tuple[str, Any, str], stores: OrderedDict[str, Any]) -> Any:
    from grondstof.store import Store

    kind, payload, build_dir = task
    if kind == "sleep":
        time.sleep(float(payload))
        return os.getpid()
    store = stores.get(build_dir)
    if store is None:
        store = stores[build_dir] = Store(Path(build_dir))
        while len(stores) > 2:
            _, old = stores.popitem(last=False)
            old.close()
    stores.move_to_end(build_dir)
    if kind == "analysis":
        from grondstof.analyses import analysis

        name, arguments = payload
        return analysis(name).call(arguments, store)
    if kind == "report":
        from grondstof.web.reports import render_report

        report_kind, arguments, fmt = payload
        return render_report(report_kind, arguments, fmt, store)
    raise ValueError(f"unknown task kind {kind!r}")


def worker_main() -> None:
    """Serve tasks from stdin until it closes (the server stopped or killed this worker)."""
    import signal
    import traceback

    protocol_in = sys.stdin.buffer
    protocol_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # nothing a task prints may reach the protocol pipe
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the server's terminal: the server stops us
    with contextlib.suppress(OSError):
        os.nice(NICE)
    _die_with_parent()
    stores: OrderedDict[str, Any] = OrderedDict()
    while True:
        try:
            task = _receive(protocol_in)
        except EOFError:
            return
        try:
            answer: tuple[str, Any] = ("ok", _task(task, stores))
        except GrondstofError as exc:
            answer = ("error", _error_spec(exc))
        except Exception:
            answer = ("crash", traceback.format_exc())
        _send(protocol_out, answer)


def _die_with_parent() -> None:
    """Exit when the server process is gone (even killed), so no orphan keeps computing.

    (Linux's PR_SET_PDEATHSIG would fire when the *thread* that started the worker ends, which in a
    thread pool is any time; watching the parent process id does not.)
    """
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, daemon=True, name="grondstof-parent-watch").start()


if __name__ == "__main__":
    worker_main()
