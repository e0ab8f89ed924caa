"""``grondstof build`` (the store) and ``grondstof data`` (its sources and provenance)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from grondstof.commands.output import (
    CsvOpt,
    DataOpt,
    JsonOpt,
    StoreOpt,
    console,
    emit,
    err_console,
    handle_errors,
)

_WHOLE_PROCESS = False  # set by grondstof.cli.main: the command is the whole process, which then exits


def whole_process() -> None:
    """Say that the command about to run is the whole process (the ``grondstof`` script)."""
    global _WHOLE_PROCESS
    _WHOLE_PROCESS = True


def register(app: typer.Typer) -> None:
    """Add ``grondstof build`` and ``grondstof data`` to the application."""
    app.command()(build)
    app.command("data")(data_cmd)


@handle_errors
def build(
    data: DataOpt = None,
    store: StoreOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Parse every source again.")] = False,
    layout: Annotated[
        str, typer.Option(help="files, or hive: trade as classification=…/year=… Parquet partitions.")
    ] = "files",
    all_products: Annotated[
        bool, typer.Option("--all-products", help="Keep every product of official BACI/Comext bulk files.")
    ] = False,
    allow_missing: Annotated[
        bool, typer.Option("--allow-missing", help="Build even if files of a required source are missing.")
    ] = False,
    lake: Annotated[
        Path | None, typer.Option(help="An existing Parquet lake of trade rows to read with the store.")
    ] = None,
) -> None:
    """Build the store from the data directory (atomic; unchanged sources are reused)."""
    from grondstof.build_progress import build_with_progress
    from grondstof.commands.output import store_dir_errors
    from grondstof.config import resolve_store_dir

    options = {"layout": layout, "all_products": all_products, "allow_missing": allow_missing}
    lakes = {"trade": lake} if lake else None
    if _WHOLE_PROCESS:
        _leave_out_pandas()
    with store_dir_errors(store):
        resolve_store_dir(store).mkdir(parents=True, exist_ok=True)  # fail before the progress display
        report = build_with_progress(data, store, force, err_console, **options, lakes=lakes)
    console.print(f"Store {report.status}: {report.build_dir} ({report.seconds:.1f} s)")


class _NoPandas:
    """An import hook that says pandas is not installed (see :func:`_leave_out_pandas`)."""

    def find_spec(self, name: str, path: object, target: object = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError("grondstof build runs without pandas", name=name)
        return None


def _leave_out_pandas() -> None:
    """Tell pyarrow that pandas is absent, for the rest of the process.

    No parser needs pandas, but pyarrow imports it (when installed) the first time a parser builds an array
    from Python objects: 0.4 s of import holding the GIL while the other build thread parses, about 0.2–0.3 s
    of the build's wall time on two cores; the tables come out identical. pyarrow remembers the answer for
    the whole process, so this is done only when the build command is the whole process (the ``grondstof``
    script exits after it), never in the library's :func:`grondstof.store.build` or a test's in-process
    command (a notebook may want pandas afterwards).
    """
    import sys

    if "pandas" not in sys.modules and not any(isinstance(f, _NoPandas) for f in sys.meta_path):
        sys.meta_path.insert(0, _NoPandas())


@handle_errors
def data_cmd(
    data: DataOpt = None, store: StoreOpt = None, as_json: JsonOpt = False, as_csv: CsvOpt = False
) -> None:
    """List every source: title, publisher, licence, version, file hash, rows, years, what is missing."""
    from grondstof.catalog import data_sources

    emit(data_sources(data, store), as_json, as_csv)
