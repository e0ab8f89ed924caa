"""A build with one Rich progress bar per source (used by ``grondstof build`` and ``grondstof serve``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from grondstof.sources import SOURCES
from grondstof.store import BuildReport, build


def build_with_progress(data: Path | None, store: Path | None, force: bool, console: Console) -> BuildReport:
    """Build the store, showing a bar per source that fills when the source is parsed or reused."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<24}"),
        BarColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        tasks: dict[str, Any] = {
            s.info.id: progress.add_task(s.info.id, total=1, detail="waiting") for s in SOURCES
        }

        def on_event(source: str, event: str, detail: str) -> None:
            task = tasks.get(source)
            if task is None:
                return
            if event == "start":
                progress.update(task, detail=f"parsing {detail}")
            else:
                progress.update(task, completed=1, detail=f"{event} {detail}".strip())

        report = build(data, store, force=force, progress=on_event)
    # The dashboard's chart library is part of a built store, so `serve` never waits for it.
    from grondstof.charts.bundle import bundle_path, ensure_bundle

    if not bundle_path(report.store_dir).exists():
        with console.status("Writing the chart library (vega-embed bundle)…"):
            ensure_bundle(report.store_dir)
    return report
