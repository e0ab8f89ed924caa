"""The warm worker: a background process that runs analysis commands handed over by the ``grondstof`` script.

Started by :mod:`grondstof.launch` (``python -m grondstof.warm.worker SOCKET``) after a command ran cold. It
imports the command line and every analysis, opens the store as the web server does (a
:class:`~grondstof.web.served.ServedStore`: hot tables in memory, SQL templates cached), and then listens on a
Unix socket in a directory only its user can enter. Each command arrives with its arguments, working
directory, environment and the caller's stdin, stdout and stderr, and runs here exactly as the command line
runs it, one command at a time: the same Typer application, the same output, the same exit status.

Only analysis commands (the registry's, :mod:`grondstof.analyses`) run here; anything else is declined and
runs in the caller. A rebuilt store is noticed at the next command (the current build is checked each time).
The worker stops after ``GRONDSTOF_WARM_MINUTES`` idle minutes, when its socket is removed or replaced, or on
``grondstof warm --stop``. Closing the connection (Ctrl-C in the caller) cancels the running command and
silences its output.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import struct
import sys
import threading
import time
from pathlib import Path
from typing import Any

from grondstof.compiled_sql import read_private, write_private
from grondstof.warm.protocol import (
    ACCEPTED,
    BUSY_SECONDS,
    DECLINED,
    GO,
    IDLE_MINUTES,
    MINUTES_ENV,
    STATUS,
    code_fingerprint,
    receive_go,
    receive_message,
    send_message,
)

__all__ = ["Worker", "main"]

_TICK = 30.0  # seconds between checks that the socket is still this worker's


class Worker:
    """One warm worker listening at ``path``; stops after ``idle`` seconds without a command."""

    def __init__(self, path: Path, idle: float) -> None:
        self.path = path
        self.idle = idle
        self.commands = 0
        self.started = time.time()
        # One store in memory at a time: (its directory, the ServedStore of its current build).
        self._held: tuple[Path, Any] | None = None
        # This process's own descriptors 0-2, streams, environment and directory, put back after each command.
        self._own = [os.dup(0), os.dup(1), os.dup(2)]
        self._streams = (sys.stdin, sys.stdout, sys.stderr)
        self._environment = dict(os.environ)
        self._folder = os.getcwd()
        self._inode: int | None = None
        self._code = code_fingerprint()  # edited code gets a new worker; this one then stops
        # A cancelled command's output is silenced before the command ends or not at all.
        self._silencing = threading.Lock()
        self._command: Any = None  # set by prepare()
        # Beside the socket (same name, same private directory): the SQL templates of this worker key.
        self.templates = path.with_suffix(".sql")
        self._saved = 0  # the template cache's misses when last saved

    # -- preparing ---------------------------------------------------------------------------------------

    def prepare(self) -> None:
        """Import everything a command needs, open the default store and run one analysis to warm caches."""
        import importlib
        import pkgutil

        import grondstof
        from grondstof import analyses, cli  # noqa: F401  (the registry, and the application)
        from grondstof.commands import output
        from grondstof.indicators.trade import make_year_indexes

        for package in ("indicators", "scenarios", "scanner", "monitor"):
            module = importlib.import_module(f"grondstof.{package}")
            for info in pkgutil.walk_packages(module.__path__, f"{module.__name__}."):
                importlib.import_module(info.name)
        for name in ("ibis.backends.duckdb", "grondstof.render", "rich.console", "rich.table"):
            importlib.import_module(name)
        output.open_store_hook = self.store_for
        # The Click command behind the Typer application, made once (Typer makes it on every call).
        import typer

        self._command = typer.main.get_command(cli.app)
        with contextlib.suppress(Exception):  # no store yet, or one that fails: the first command says why
            store = self.store_for(None, None, build=False)
            # While starting (in the background), not in a command: a rebuilt store makes them on use.
            make_year_indexes(store)
            grondstof.run("imports", store, material="copper", country="NL")

    def store_for(self, data: Path | None, store: Path | None, build: bool = True) -> Any:
        """The served store of ``store`` (the command's ``--store``), reopened when a new build is current."""
        from grondstof.commands.output import open_plain_store
        from grondstof.config import resolve_store_dir
        from grondstof.errors import StoreError
        from grondstof.store import current_build
        from grondstof.web.served import ServedStore

        root = resolve_store_dir(store)
        current = current_build(root)
        if self._held is not None and self._held[0] == root and self._held[1].build_dir == current:
            return self._held[1]
        if current is None and not build:
            raise StoreError(f"no store at {root}")
        self._release()
        served = ServedStore.serving(open_plain_store(data, store))
        served.warm()
        # SQL compiled by an earlier worker of the same key: a heavy command's first run here skips Ibis.
        kept = read_private(self.templates)
        if isinstance(kept, dict):
            served.sql.add(kept.get("sql"))
            served.prepared.add(kept.get("prepared"))
        self._saved = _made(served)
        self._held = (root, served)
        return served

    def save_templates(self) -> None:
        """Keep the SQL templates made since the last save for the next worker of this key."""
        held = self._held
        if held is None or _made(held[1]) == self._saved:
            return
        self._saved = _made(held[1])
        kept = {"sql": held[1].sql.kept(), "prepared": held[1].prepared.kept()}
        try:
            write_private(self.templates, kept)
        except OSError as exc:  # a full disk: the next worker compiles again
            sys.stderr.write(f"warning: SQL templates not saved: {exc}\n")

    def _release(self) -> None:
        """Close the store held in memory, if any (its lease goes with it)."""
        held, self._held = self._held, None
        if held is not None:
            with contextlib.suppress(Exception):  # a build pruned meanwhile
                held[1].close()
            import gc

            gc.unfreeze()  # the old store was frozen with the rest (_settle): let the next collection see it

    # -- serving -----------------------------------------------------------------------------------------

    def serve(self) -> None:
        """Listen until idle, stopped, or the socket is no longer this worker's."""
        listener = self._listen()
        last = time.monotonic()
        try:
            while True:
                listener.settimeout(min(_TICK, self.idle))
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    if time.monotonic() - last >= self.idle or not self._still_ours():
                        return
                    continue
                with conn:
                    try:
                        if not self._handle(conn):
                            return
                    except (OSError, ValueError, KeyboardInterrupt):
                        # A caller that went away, or an interrupt that came as its command ended (and may
                        # have cut the clean-up short).
                        self._restore()
                    except Exception:  # a bug of the worker itself: logged, and the next caller is served
                        import traceback

                        traceback.print_exc()
                last = time.monotonic()
        finally:
            listener.close()
            if self._still_ours():
                with contextlib.suppress(OSError):
                    self.path.unlink()
            self._release()

    def _listen(self) -> socket.socket:
        # Bound under a temporary name and renamed into place: callers never see a half-made socket.
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(temporary))
        os.chmod(temporary, 0o600)
        listener.listen(16)
        os.replace(temporary, self.path)
        self._inode = os.stat(self.path).st_ino
        return listener

    def _still_ours(self) -> bool:
        """Whether callers still reach this worker: its socket is in place and its code unchanged."""
        try:
            return os.stat(self.path).st_ino == self._inode and code_fingerprint() == self._code
        except OSError:
            return False

    def _handle(self, conn: socket.socket) -> bool:
        """Answer one connection; False when asked to stop."""
        _, uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
        if uid != os.getuid():
            return True
        try:
            message = receive_message(conn)
        except (OSError, ValueError):
            return True  # a caller checking that the worker answers
        op = message.get("op")
        if op == "status":
            send_message(conn, self.status())
        elif op == "stop":
            send_message(conn, {"stopping": True, "pid": os.getpid()})
            return False
        elif op == "run" and self.handles(message.get("argv", [])):
            conn.sendall(ACCEPTED)
            conn.settimeout(BUSY_SECONDS)
            go, fds = receive_go(conn)
            conn.settimeout(None)
            try:
                if go == GO and len(fds) == 3:  # else the caller gave up waiting and runs it itself
                    status = self._run(conn, message, fds)
                    conn.sendall(STATUS.pack(status))
                    self.save_templates()  # after the caller has its answer
                    _settle()
            finally:
                for fd in fds:
                    with contextlib.suppress(OSError):
                        os.close(fd)
        else:
            conn.sendall(DECLINED)
        return True

    def status(self) -> dict[str, Any]:
        """What ``grondstof warm`` shows: process, age, commands run, stores served."""
        return {
            "pid": os.getpid(),
            "socket": str(self.path),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(self.started)),
            "commands": self.commands,
            "idle_minutes": self.idle / 60,
            "builds": [str(self._held[1].build_dir)] if self._held is not None else [],
            # SQL templates held (compiled here, or kept by an earlier worker of this key)
            "sql_templates": len(self._held[1].sql) + len(self._held[1].prepared)
            if self._held is not None
            else 0,
        }

    @staticmethod
    def handles(argv: list[str]) -> bool:
        """Whether ``argv`` is an analysis command (the registry's), which this worker runs."""
        from grondstof.analyses import by_command

        words = list(argv[:2])
        if not words or words[0].startswith("-"):
            return False
        if by_command((words[0],)) is not None:
            return True
        return len(words) == 2 and by_command((words[0], words[1])) is not None

    def _run(self, conn: socket.socket, message: dict[str, Any], fds: list[int]) -> int:
        """Run one command with the caller's descriptors, environment and directory; its exit status."""
        from grondstof import cancel
        from grondstof.commands import output

        self.commands += 1
        token = cancel.CancelToken()
        finished = threading.Event()
        status = 1
        try:
            for number, fd in enumerate(fds):
                os.dup2(fd, number)
            os.environ.clear()
            os.environ.update(message["env"])
            sys.stdin = open(0, closefd=False)  # the caller's stdin; closed below
            sys.stdout = _text_stream(1, message.get("stdout"))
            sys.stderr = _text_stream(2, message.get("stderr"))
            output.console.reset()
            output.err_console.reset()
            threading.Thread(target=self._watch, args=(conn, token, finished), daemon=True).start()
            os.chdir(message["cwd"])
            with cancel.use(token):
                self._command(message["argv"], prog_name=message.get("prog") or "grondstof")
            status = 0
        except SystemExit as exc:
            status = _exit_status(exc.code)
        except KeyboardInterrupt:
            status = 130
        except OSError as exc:  # the caller's directory is gone
            sys.stderr.write(f"error: {exc}\n")
        except BaseException:  # a bug: its traceback goes to the caller, the worker goes on
            import traceback

            traceback.print_exc()
        finally:
            with self._silencing:
                finished.set()
            self._restore()
        return 130 if token.cancelled else status

    def _restore(self) -> None:
        """Put back this process's own streams, descriptors, environment and directory (idempotent)."""
        from grondstof.commands import output

        for stream in (sys.stdout, sys.stderr, sys.stdin):
            if stream not in self._streams:  # the caller's streams, not this process's own
                with contextlib.suppress(Exception):
                    stream.flush()
                with contextlib.suppress(Exception):
                    stream.close()
        sys.stdin, sys.stdout, sys.stderr = self._streams
        for number, fd in enumerate(self._own):
            os.dup2(fd, number)
        if os.environ != self._environment:
            os.environ.clear()
            os.environ.update(self._environment)
        os.chdir(self._folder)
        output.console.reset()
        output.err_console.reset()

    def _watch(self, conn: socket.socket, token: Any, finished: threading.Event) -> None:
        """Cancel the command when the caller closes the connection (Ctrl-C) before it finished."""
        import _thread

        with contextlib.suppress(OSError):
            conn.recv(1)
        with self._silencing:
            if finished.is_set():
                return
            devnull = os.open(os.devnull, os.O_WRONLY)
            for number in (1, 2):  # nothing more reaches a terminal whose command has ended
                os.dup2(devnull, number)
            os.close(devnull)
        token.cancel("disconnect")
        _thread.interrupt_main()


def _text_stream(fd: int, encoding: list[str] | None) -> Any:
    """A text stream on ``fd`` with the caller's encoding and error handling ([encoding, errors])."""
    name, errors = [*(encoding or []), "", ""][:2]
    buffering = 1 if os.isatty(fd) else -1  # line by line on a terminal, as Python does
    return open(  # closed after the command
        fd, "w", buffering=buffering, encoding=name or "utf-8", errors=errors or "strict", closefd=False
    )


def _exit_status(code: Any) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1


def main() -> None:
    """``python -m grondstof.warm.worker SOCKET``: a worker at SOCKET unless one is already starting."""
    from grondstof.config import env_float
    from grondstof.errors import InputError

    path = Path(sys.argv[1])
    lock = open(path.with_suffix(".lock"), "w")  # held for the life of the process
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return  # another worker for the same socket is starting or running
    try:
        idle = env_float(MINUTES_ENV, IDLE_MINUTES) * 60
    except InputError as exc:  # the script checks this before starting a worker; one line in the log
        sys.stderr.write(f"error: {exc}\n")
        raise SystemExit(2) from None
    sweep(path.parent, keep=path.stem)
    worker = Worker(path, idle=idle)
    worker.prepare()
    _settle()
    worker.serve()


def _made(served: Any) -> int:
    """How many templates ``served`` compiled itself (both caches' misses)."""
    return int(served.sql.misses + served.prepared.misses)


STALE_DAYS = 7.0
_KEY_FILES = (".sock", ".lock", ".log", ".sql")


def sweep(folder: Path, keep: str, days: float = STALE_DAYS) -> list[str]:
    """Remove the files of other worker keys in ``folder`` that nobody used for ``days`` days; their keys.

    Each edit of the code, new environment or other settings makes a new key, and a key's files (socket,
    lock, log, kept SQL) stay after its worker stops. A key whose lock a worker holds is never touched.
    """
    cutoff = time.time() - days * 86400
    stems: dict[str, list[Path]] = {}
    for entry in folder.iterdir():
        if entry.suffix in _KEY_FILES and not entry.name.startswith("."):
            stems.setdefault(entry.stem, []).append(entry)
    removed = []
    for stem, files in stems.items():
        if stem == keep:
            continue
        try:
            if any(f.lstat().st_mtime > cutoff for f in files):
                continue
            with open(folder / f"{stem}.lock", "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while its worker runs
                for f in {*files, folder / f"{stem}.lock"}:
                    f.unlink(missing_ok=True)
        except OSError:  # a worker holds it, or another sweep got there first
            continue
        removed.append(stem)
    return removed


def _settle() -> None:
    """Collect garbage, then exempt what is left (modules, caches, the store) from later collections.

    A full collection walks every object the process holds: about 55 ms here once Ibis, DuckDB and the
    store are loaded, and a command that makes many objects (watch) set one off about every other run.
    Frozen objects are skipped (the standard library's advice for long-lived servers, ``gc.freeze``).
    """
    import gc

    gc.collect()
    gc.freeze()


if __name__ == "__main__":
    main()
