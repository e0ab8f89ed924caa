"""A build with one Rich progress bar per source (used by ``grondstof build`` and ``grondstof serve``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from grondstof.sources import SOURCES
from grondstof.store import BuildReport, build


def build_with_progress(
    data: Path | None, store: Path | None, force: bool, console: Console, **options: Any
) -> BuildReport:
    """Build the store, showing a bar per source that fills as the source is read, parsed or reused.

    Streaming sources (BACI and Comext bulk files) report DuckDB's progress through their files, so a
    long build of the full official files shows how far each statement has come. ``options`` go to
    :func:`grondstof.store.build` (``layout``, ``all_products``, ``allow_missing``, ``lakes``).
    """
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<24}"),
        BarColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=getattr(console, "rich", console),  # the Rich console behind a lazy one
        transient=False,
    ) as progress:
        tasks: dict[str, Any] = {
            s.info.id: progress.add_task(s.info.id, total=100, detail="waiting") for s in SOURCES
        }

        def on_event(source: str, event: str, detail: str) -> None:
            task = tasks.get(source)
            if task is None:
                return
            if event == "start":
                progress.update(task, detail=f"reading {detail}")
            elif event == "progress":
                percent = _percent(detail)
                progress.update(task, completed=percent if percent is not None else None, detail=detail)
            else:
                progress.update(task, completed=100, detail=f"{event} {detail}".strip())

        return build(data, store, force=force, progress=on_event, **options)


def _percent(detail: str) -> float | None:
    """The percentage at the end of a progress text such as ``HS92 41 %``."""
    parts = detail.rsplit(" ", 2)
    try:
        return float(parts[-2]) if len(parts) >= 2 and parts[-1] == "%" else None
    except ValueError:
        return None


def ensure_bundle_in_background(store_dir: Path) -> None:
    """Write the dashboard's chart bundle in a daemon thread (about a second of vl-convert work).

    It used to be written at the end of every first build, on the critical path; now ``serve`` starts it
    at start-up and the bundle route waits for it only if a page asks before it is done.
    """
    import threading

    from grondstof.charts.bundle import ensure_bundle

    def write() -> None:
        try:
            ensure_bundle(store_dir)
        except Exception:
            return

    threading.Thread(target=write, name="vega-bundle", daemon=True).start()
