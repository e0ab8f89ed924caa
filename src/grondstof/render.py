"""Printing a :class:`~grondstof.result.Result` for people: Rich tables with units and provenance."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from grondstof.result import Field, Result

MAX_ROWS = 60


def format_value(value: Any, kind: str) -> str:
    """Format one cell for display according to its field kind (the data itself is never rounded)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if kind == "share":
        return f"{value * 100:.1f}%"
    if kind == "hhi":
        return f"{value:.3f}"
    if kind == "money":
        return f"{value:,.0f}"
    if kind == "tonnes":
        return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"
    if kind == "number":
        return f"{value:,.6g}" if abs(value) < 1000 else f"{value:,.0f}"
    if kind == "int" and isinstance(value, int):
        return f"{value:,}"
    if kind == "bool":
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _visible(fields: list[Field], rows: list[dict[str, Any]]) -> tuple[list[Field], list[str]]:
    """Choose the columns worth printing; return them and a caption for the constant ones.

    Left out: fields marked ``show=False``, long prose, columns empty in every row, and columns with one
    value in every row (those go into the caption instead, e.g. "Importer: Netherlands").
    """
    keep, caption = [], []
    for f in fields:
        if not f.show or f.name in ("coverage", "description"):
            continue
        values = [r.get(f.name) for r in rows]
        if all(v in (None, "", [], ()) for v in values):
            continue
        distinct = {repr(v) for v in values}
        if (
            len(rows) > 1
            and len(distinct) == 1
            and f.kind not in ("share", "hhi", "money", "tonnes", "number")
        ):
            caption.append(f"{f.label}: {format_value(values[0], f.kind)}")
            continue
        keep.append(f)
    return (keep or [f for f in fields if f.show] or fields), caption


def print_records(result: Result, console: Console) -> None:
    """Print each row as a block of "label: value" lines (for wide, text-heavy results)."""
    console.print(f"[bold]{result.title}[/bold]\n")
    for row in result.rows:
        first, *rest = [f for f in result.fields if f.show]
        console.print(f"[bold]{escape(format_value(row.get(first.name), first.kind))}[/bold]")
        for f in rest:
            value = row.get(f.name)
            if value in (None, "", [], ()):
                continue
            console.print(
                f"  [dim]{escape(f.label)}:[/dim] {escape(format_value(value, f.kind))}", highlight=False
            )
        console.print()


def print_result(result: Result, console: Console | None = None, max_rows: int = MAX_ROWS) -> None:
    """Print a result as a Rich table (or as records, if ``meta["display"] == "records"``), then its
    sources and notes."""
    console = console or Console()
    if result.meta.get("display") == "records":
        print_records(result, console)
        for note in result.meta.get("notes", []):
            console.print(f"[dim]Note: {escape(str(note))}[/dim]")
        return
    fields, caption = _visible(result.fields, result.rows)
    table = Table(
        title=escape(result.title),
        title_justify="left",
        show_lines=False,
        header_style="bold",
        caption=escape(" · ".join(caption)) or None,
        caption_justify="left",
    )
    for f in fields:
        numeric = f.kind in ("share", "hhi", "money", "tonnes", "number", "int", "year")
        table.add_column(
            f.label + (f" ({f.unit})" if f.unit else ""),
            justify="right" if numeric else "left",
            overflow="fold",
        )
    for row in result.rows[:max_rows]:
        table.add_row(*[escape(format_value(row.get(f.name), f.kind)) for f in fields])
    console.print(table)
    if len(result.rows) > max_rows:
        console.print(f"[dim]… {len(result.rows) - max_rows} more rows (use --json or --csv for all)[/dim]")
    if not result.rows:
        console.print("[yellow]No rows.[/yellow]")
    for source in result.meta.get("sources", []):
        text = source.get("title", "")
        if source.get("version"):
            text += f" — {source['version']}"
        if source.get("licence"):
            text += f" — {source['licence']}"
        console.print(f"[dim]Source: {escape(text)}[/dim]")
    for note in result.meta.get("notes", []):
        console.print(f"[dim]Note: {escape(str(note))}[/dim]")
