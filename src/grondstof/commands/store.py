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
    with store_dir_errors(store):
        resolve_store_dir(store).mkdir(parents=True, exist_ok=True)  # fail before the progress display
        report = build_with_progress(data, store, force, err_console, **options, lakes=lakes)
    console.print(f"Store {report.status}: {report.build_dir} ({report.seconds:.1f} s)")


@handle_errors
def data_cmd(
    data: DataOpt = None, store: StoreOpt = None, as_json: JsonOpt = False, as_csv: CsvOpt = False
) -> None:
    """List every source: title, publisher, licence, version, file hash, rows, years, what is missing."""
    from grondstof.catalog import data_sources

    emit(data_sources(data, store), as_json, as_csv)
