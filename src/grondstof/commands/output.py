"""What every command shares: the consoles, error handling, output formats and the common options.

Kept apart from :mod:`grondstof.cli` so command modules never import the application module that imports
them (no import cycle).
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from grondstof.errors import GrondstofError, InputError
from grondstof.result import Result


class _LazyConsole:
    """A Rich console made on first use: ``--json`` and ``--csv`` never import Rich (a few hundredths of
    a second of every command)."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Any = None

    @property
    def rich(self) -> Any:
        """The Rich console itself (for Rich objects that take one, such as a progress bar)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def reset(self) -> None:
        """Forget the console, so the next use sees the streams and environment as they are then (the warm
        worker changes both between commands)."""
        self._console = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.rich, name)


console: Any = _LazyConsole()
err_console: Any = _LazyConsole(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])

DataOpt = Annotated[
    Path | None, typer.Option("--data", help="Data directory (default $GRONDSTOF_DATA or ../shared/data).")
]
StoreOpt = Annotated[
    Path | None,
    typer.Option("--store", help="Store directory (default $GRONDSTOF_STORE or ~/.cache/grondstof/store)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object {meta, rows}.")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print the rows as CSV.")]
LangOpt = Annotated[str, typer.Option("--lang", help="Names in 'en' or 'nl'.")]


def handle_errors(func: F) -> F:
    """Turn grondstof errors into one line on stderr and a non-zero exit status (2 bad input, 1 other)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            value = func(*args, **kwargs)
            # Output still in the buffer meets a closed pipe here, inside the command, not at exit (where
            # the warm worker, which keeps running, would not see it).
            sys.stdout.flush()
            return value
        except BrokenPipeError:
            # The reader of our output left (`grondstof … | head`): stop quietly, as SIGPIPE would.
            _silence_stdout()
            raise typer.Exit(BROKEN_PIPE) from None
        except InputError as exc:
            _print_error(exc)
            raise typer.Exit(2) from None
        except GrondstofError as exc:
            _print_error(exc)
            raise typer.Exit(1) from None
        except OSError as exc:
            # A file or directory the command could not read or write: one line naming it, no traceback.
            from rich.markup import escape

            where = exc.filename if exc.filename is not None else "file system"
            err_console.print(
                f"[red]error:[/red] {escape(str(where))}: {escape(str(exc.strerror or exc))}",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


BROKEN_PIPE = 141  # the exit status of a process ended by SIGPIPE in a shell (128 + 13)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the flush at exit does not fail on the closed pipe again."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is no real file (a test's capture)
        pass
    finally:
        os.close(devnull)


def _print_error(exc: Exception) -> None:
    from rich.markup import escape

    err_console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)


def emit(result: Result, as_json: bool, as_csv: bool) -> None:
    """Print a result as a table, as JSON ``{meta, rows}`` or as CSV."""
    if as_json and as_csv:
        raise InputError("--json/--csv", "both", "at most one of --json and --csv")
    if as_json:
        sys.stdout.write(result.to_json() + "\n")
    elif as_csv:
        sys.stdout.write(result.to_csv())
    else:
        from grondstof.render import print_result

        print_result(result, console)


# Set by the warm worker (grondstof.warm): it serves every command from the store it holds open.
open_store_hook: Callable[[Path | None, Path | None], Any] | None = None


def store_for(data: Path | None, store: Path | None) -> Any:
    """Open the store for a command (building it first, with progress on a terminal, if needed)."""
    if open_store_hook is not None:
        return open_store_hook(data, store)
    return open_plain_store(data, store)


def open_plain_store(data: Path | None, store: Path | None) -> Any:
    """The store of :func:`store_for` as this process opens it, without the warm worker's hook."""
    from grondstof.store import open_store

    progress = _progress_printer() if sys.stderr.isatty() else None
    with store_dir_errors(store):
        return open_store(store, data_dir=data, progress=progress)


@contextlib.contextmanager
def store_dir_errors(store: Path | None) -> Iterator[None]:
    """Report a store directory that cannot be created or written as bad ``--store`` input (exit 2)."""
    from grondstof.config import resolve_store_dir

    root = resolve_store_dir(store)
    try:
        yield
    except OSError as exc:
        failed = Path(exc.filename).resolve() if exc.filename else None
        if failed is None or not (failed == root or root in failed.parents or failed in root.parents):
            raise
        raise InputError(
            "--store" if store is not None else "GRONDSTOF_STORE / --store",
            str(root),
            f"a directory grondstof can create and write ({exc.strerror})",
        ) from None


def _progress_printer() -> Callable[[str, str, str], None]:
    def show(source: str, event: str, detail: str) -> None:
        if event in ("done", "missing", "failed"):
            err_console.print(f"[dim]{source}: {event} {detail}[/dim]")

    return show
