"""The ``grondstof`` script: hand an analysis command to a warm worker, or run it here.

Importing what an analysis needs (Ibis, sqlglot, DuckDB, Typer, pydantic) takes about half a second, longer
than most analyses themselves. So the script first looks for a *warm worker* (:mod:`grondstof.warm`): a
background process of the same user, code and ``GRONDSTOF_*`` settings that has imported all of it and holds
the store's hot tables in memory. The script passes it the command line, the working directory, the
environment and its own stdin, stdout and stderr (the descriptors themselves, over a Unix socket), and exits
with the worker's exit status: the command prints exactly where it would have printed.

Without a worker the command runs in this process as before (cold), and a worker is started in the
background for the next command. It stops after ``GRONDSTOF_WARM_MINUTES`` idle minutes (default 15).
``GRONDSTOF_WARM=0`` turns this off; ``grondstof warm`` shows or stops the worker.

This module imports only the standard library: it is all a warm command loads.
"""

from __future__ import annotations

import os
import sys

from grondstof.warm.protocol import (
    IDLE_MINUTES,
    MINUTES_ENV,
    answers,
    run_warm,
    start_worker,
    warm_enabled,
    worker_socket,
)

__all__ = ["main"]

# Commands never handed over: the server and the worker's own controls run where they are typed.
_ALWAYS_HERE = frozenset({"serve", "warm"})


def _wants_worker(argv: list[str]) -> bool:
    # Global options (--backend) and help come before a command: those run here.
    other_engine = os.environ.get("GRONDSTOF_BACKEND", "").strip().lower() not in ("", "duckdb")
    return (
        bool(argv)
        and not argv[0].startswith("-")
        and argv[0] not in _ALWAYS_HERE
        and not other_engine
        and warm_enabled()
    )


def main() -> None:
    """Entry point of the ``grondstof`` script (see the module docstring)."""
    argv = sys.argv[1:]
    path = worker_socket() if _wants_worker(argv) else None
    if path is not None:
        status = run_warm(path, argv)
        if status is not None:
            sys.exit(status)
    from grondstof.cli import main as run_here

    try:
        run_here()
    finally:
        if path is not None and not answers(path) and _settings_valid():
            start_worker(path)


def _settings_valid() -> bool:
    """Whether the worker's own setting is valid; if not, say so (on every cold command) instead of
    starting a worker that would stop at once."""
    from grondstof.config import env_float
    from grondstof.errors import InputError

    try:
        env_float(MINUTES_ENV, IDLE_MINUTES)
    except InputError as exc:
        sys.stderr.write(f"warning: no warm worker started: {exc}\n")
        return False
    return True
