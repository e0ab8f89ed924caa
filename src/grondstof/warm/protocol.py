"""Talking to the warm worker: where its socket is, the messages, and running a command on it.

Used by the ``grondstof`` script (:mod:`grondstof.launch`), by ``grondstof warm`` and by the worker itself
(:mod:`grondstof.warm.worker`). A message is a length-prefixed JSON object; a command's message carries the
caller's stdin, stdout and stderr as file descriptors (SCM_RIGHTS). The worker answers ``A`` (accepted) and
later the exit status, or ``D`` (declined: run it in the caller).

This module imports only the standard library: it is all a warm command loads.
"""

from __future__ import annotations

import array
import json
import os
import socket
import stat
import struct
import sys

__all__ = [
    "ACCEPTED",
    "DECLINED",
    "GO",
    "IDLE_MINUTES",
    "MINUTES_ENV",
    "STATUS",
    "answers",
    "code_fingerprint",
    "receive_go",
    "receive_message",
    "request",
    "run_warm",
    "send_go",
    "send_message",
    "start_worker",
    "warm_enabled",
    "worker_socket",
]

WARM_ENV = "GRONDSTOF_WARM"
DIR_ENV = "GRONDSTOF_WARM_DIR"
MINUTES_ENV = "GRONDSTOF_WARM_MINUTES"  # idle minutes before a worker stops
IDLE_MINUTES = 15.0
_PACKAGE = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # the grondstof package
_HEADER = struct.Struct("!I")
STATUS = struct.Struct("!i")  # a command's exit status

ACCEPTED = b"A"  # the worker will run the command once the caller says GO; its exit status follows
DECLINED = b"D"  # not a command the worker runs: run it here
GO = b"G"  # the caller still waits: run it (a caller that gave up on a busy worker closes instead)
BUSY_SECONDS = 2.0  # a worker busy with another command longer than this: the caller runs its own cold


def warm_enabled() -> bool:
    """Whether commands may use (and start) a warm worker: not when ``GRONDSTOF_WARM`` is ``0``, nor where
    Unix sockets cannot pass file descriptors (Windows)."""
    if not (hasattr(socket, "SCM_RIGHTS") and hasattr(os, "getuid")):
        return False
    return os.environ.get(WARM_ENV, "1").strip().lower() not in ("0", "no", "false", "off")


def worker_socket() -> str | None:
    """The socket path of the worker that fits this process: same user, Python, code and ``GRONDSTOF_*``
    settings (each combination has its own worker). None when no private directory for it can be had.

    (Paths are text here and pathlib is not imported: a warm command's start-up is this module's.)"""
    try:
        from _blake2 import blake2b  # hashlib's own BLAKE2, without hashlib loading OpenSSL (~4 ms)
    except ImportError:
        from hashlib import blake2b

    folder = _private_dir() if hasattr(os, "getuid") else None  # no user ids, no private directory
    if folder is None:
        return None
    digest = blake2b(digest_size=10)
    # The environment (sys.prefix) and interpreter, however its path is spelled (python, python3).
    digest.update(f"{sys.prefix}\0{os.path.realpath(sys.executable)}\0{sys.version}".encode())
    for name in sorted(os.environ):
        if name.startswith("GRONDSTOF_") and name not in (WARM_ENV, DIR_ENV):
            digest.update(f"\0{name}={os.environ[name]}".encode())
    digest.update(code_fingerprint())
    return os.path.join(folder, f"{digest.hexdigest()}.sock")


def code_fingerprint() -> bytes:
    """Every source file's path, modification time and size: changes when the code does."""
    # An edited source file (an editable install) must never be answered by a worker running the old code.
    parts: list[str] = []
    for folder, subfolders, files in os.walk(_PACKAGE):
        subfolders[:] = sorted(d for d in subfolders if d not in ("__pycache__", "static", "templates"))
        for name in sorted(files):
            if name.endswith(".py"):
                info = os.stat(os.path.join(folder, name))
                parts.append(f"{folder}/{name}:{info.st_mtime_ns}:{info.st_size}")
    return "\n".join(parts).encode()


def _private_dir() -> str | None:
    """A directory only this user can enter: ``$GRONDSTOF_WARM_DIR``, else ``$XDG_RUNTIME_DIR/grondstof``,
    else ``/tmp/grondstof-<uid>``. None if it exists but is not ours or others can enter it."""
    chosen = os.environ.get(DIR_ENV)
    if chosen:
        folder = chosen
    elif os.environ.get("XDG_RUNTIME_DIR"):
        folder = os.path.join(os.environ["XDG_RUNTIME_DIR"], "grondstof")
    else:
        folder = f"/tmp/grondstof-{os.getuid()}"
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    return folder


def send_message(sock: socket.socket, message: dict) -> None:
    """Send one length-prefixed JSON message."""
    body = json.dumps(message).encode()
    sock.sendall(_HEADER.pack(len(body)) + body)


def receive_message(sock: socket.socket) -> dict:
    """Receive one message sent by :func:`send_message`."""
    header = _receive_exactly(sock, _HEADER.size)
    (size,) = _HEADER.unpack(header)
    return json.loads(_receive_exactly(sock, size))


def _receive_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        more = sock.recv(size - len(data))
        if not more:
            raise ConnectionError("message cut short")
        data += more
    return data


def send_go(sock: socket.socket, fds: list[int]) -> None:
    """Say GO with the caller's stdin, stdout and stderr attached (SCM_RIGHTS).

    The descriptors travel only now, once the worker has accepted: descriptors sent earlier would sit in a
    busy worker's queue, holding the caller's pipes open (a reader of its output would wait for the end of
    a stream the caller has long finished)."""
    sock.sendmsg([GO], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])


def receive_go(sock: socket.socket, max_fds: int = 3) -> tuple[bytes, list[int]]:
    """The caller's GO (or b"" if it gave up) and the descriptors attached to it."""
    data, ancillary, _, _ = sock.recvmsg(1, socket.CMSG_LEN(max_fds * array.array("i").itemsize))
    fds: list[int] = []
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            received = array.array("i")
            received.frombytes(payload[: len(payload) - len(payload) % received.itemsize])
            fds.extend(received)
    return data, fds


def request(path: str | os.PathLike[str], message: dict, timeout: float = 5.0) -> dict | None:
    """Ask the worker at ``path`` something other than a command (``status``, ``stop``): its answer,
    ``{"busy": True}`` if it is running a command, None if no worker listens there."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(os.fspath(path))
        except OSError:
            return None
        try:
            send_message(sock, message)
            return receive_message(sock)
        except TimeoutError:
            return {"busy": True}
        except (OSError, ValueError):
            return None


def run_warm(path: str, argv: list[str]) -> int | None:
    """Run ``argv`` on the worker at ``path``: its exit status, or None if the command should run here
    (no worker, or one that declined it before starting)."""
    if sys.stdin is None or sys.stdout is None or sys.stderr is None:
        return None  # no descriptors to hand over (a process started without them)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(os.fspath(path))
    except OSError:
        sock.close()
        return None
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    message = {
        "op": "run",
        "argv": argv,
        "prog": _program_name(),
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "stdout": [sys.stdout.encoding, sys.stdout.errors],
        "stderr": [sys.stderr.encoding, sys.stderr.errors],
    }
    try:
        sock.settimeout(BUSY_SECONDS)
        send_message(sock, message)
        answer = sock.recv(1)
        if answer == ACCEPTED:
            send_go(sock, [0, 1, 2])
        sock.settimeout(None)
    except OSError:  # no answer in time (busy), or a worker that went away
        sock.close()
        return None
    except KeyboardInterrupt:  # Ctrl-C before the command started: the worker will not start it
        sock.close()
        return 130
    if answer != ACCEPTED:  # declined, or a worker that stopped before starting it
        sock.close()
        return None
    try:
        status = _receive_exactly(sock, STATUS.size)
    except ConnectionError:
        sys.stderr.write("error: the warm worker stopped during the command; run it again\n")
        return 1
    except KeyboardInterrupt:
        # Closing the connection tells the worker to stop the command and print nothing more.
        sock.close()
        return 130
    finally:
        sock.close()
    return STATUS.unpack(status)[0]


def _program_name() -> str:
    # As Click names the program in usage lines: `python -m grondstof` when run as a module.
    if os.path.basename(sys.argv[0]) == "__main__.py":
        return "python -m grondstof"
    return os.path.basename(sys.argv[0]) or "grondstof"


def start_worker(path: str) -> None:
    """Start a worker for ``path`` in the background (its own session; it outlives this process)."""
    import subprocess

    log = os.path.splitext(path)[0] + ".log"
    with open(log, "ab") as errors:
        subprocess.Popen(
            [sys.executable, "-m", "grondstof.warm.worker", path],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            start_new_session=True,
            close_fds=True,
        )


def answers(path: str | os.PathLike[str]) -> bool:
    """Whether a worker listens at ``path`` (a socket file left by a worker that died does not)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        try:
            sock.connect(os.fspath(path))
        except OSError:
            return False
    return True
