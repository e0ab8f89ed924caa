"""``grondstof serve``: the dashboard and the JSON API in one local process."""

from __future__ import annotations

from typing import Annotated

import typer

from grondstof.cli import DataOpt, StoreOpt, app, console, err_console, handle_errors


@app.command()
@handle_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to bind; loopback unless told otherwise.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.", min=1, max=65535)] = 8000,
    data: DataOpt = None,
    store: StoreOpt = None,
) -> None:
    """Serve the dashboard and the JSON API (builds the store first if needed)."""
    from grondstof.build_progress import build_with_progress
    from grondstof.store import open_store
    from grondstof.web.app import serve as run

    report = build_with_progress(data, store, False, err_console)
    if report.status == "built":
        err_console.print(f"Store built in {report.seconds:.1f} s")
    console.print(f"grondstof dashboard on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    run(open_store(store, data_dir=data, build_if_missing=False), host=host, port=port)
