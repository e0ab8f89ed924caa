"""``grondstof serve``: the dashboard and the JSON API in one local process."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from grondstof.commands.output import DataOpt, StoreOpt, console, err_console, handle_errors


def register(app: typer.Typer) -> None:
    """Add ``grondstof serve`` to the application."""
    app.command()(serve)


@handle_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to bind; loopback unless told otherwise.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.", min=1, max=65535)] = 8000,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            metavar="HOST",
            help="A further Host name clients use to reach the server (repeatable; '*' for any). Loopback "
            "names and the bound address are always allowed; other Host headers get 400 (DNS rebinding).",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Server processes (default 1; more use more cores, each with its own engine and memory).",
            min=1,
            max=64,
        ),
    ] = None,
    data: DataOpt = None,
    store: StoreOpt = None,
) -> None:
    """Serve the dashboard and the JSON API (builds the store first if needed)."""
    from grondstof.config import resolve_store_dir
    from grondstof.store import current_build, open_store
    from grondstof.web.app import serve as run

    root = resolve_store_dir(store)
    if current_build(root) is None:
        from grondstof.build_progress import build_with_progress

        report = build_with_progress(data, store, False, err_console)
        err_console.print(f"Store built in {report.seconds:.1f} s")
    else:
        # Start at once on a built store; whether the data directory changed is checked in the background.
        _warn_if_stale(data, root)
    from grondstof.build_progress import ensure_bundle_in_background

    ensure_bundle_in_background(root)  # off the critical path: pages ask for it only when drawing charts
    console.print(f"grondstof dashboard on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    for line in exposure_warning(host, allowed_host or []):
        err_console.print(line, highlight=False, soft_wrap=True)
    run(
        open_store(root, data_dir=data, build_if_missing=False),
        host=host,
        port=port,
        workers=workers or 1,
        allowed_hosts=allowed_host or (),
    )


def exposure_warning(host: str, allowed_hosts: list[str]) -> list[str]:
    """What ``serve`` says when it is reachable beyond this machine (nothing on a loopback address)."""
    from rich.markup import escape

    from grondstof.web.security import allowed_hosts_for, is_loopback

    if is_loopback(host):
        return []
    hosts = ", ".join(allowed_hosts_for(host, allowed_hosts))
    lines = [
        f"[yellow]warning:[/yellow] bound to {escape(host)}, not loopback: the dashboard and the API are "
        "reachable from the network, with no authentication and no encryption (plain HTTP). Anyone who can "
        "reach this port can read every page and make the server compute.",
        f"Requests must name an allowed host ({escape(hosts)}); add the names clients use with "
        "--allowed-host. Use --host 127.0.0.1 (the default) to keep it on this machine.",
    ]
    return lines


def _warn_if_stale(data: Path | None, root: Path) -> None:
    import threading

    def check() -> None:
        import time

        time.sleep(3)  # after start-up: the check imports every parser and hashes the data files
        from grondstof.errors import GrondstofError
        from grondstof.store import inspect_sources

        try:
            changed = [
                s["id"] for s in inspect_sources(data, root) if s["status"] in ("changed", "not built")
            ]
        except GrondstofError:
            return
        if changed:
            err_console.print(
                "[yellow]note:[/yellow] the data directory changed since the store was built "
                f"({', '.join(changed)}); "
                "run `grondstof build` to refresh."
            )

    threading.Thread(target=check, daemon=True).start()
