"""Printing a :class:`~grondstof.result.Result` for people: Rich tables with units and provenance."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from grondstof.result import Field, Result

MAX_ROWS = 60


def format_value(value: Any, kind: str, lang: str = "en") -> str:
    """Format one cell for display according to its field kind (the data itself is never rounded).

    Rounded to what the inputs support (:mod:`grondstof.indicators.labels`): money and counts in whole
    units, shares to 0.1 %, HHI to three decimals, tonnes below 100 to 0.1 t, other numbers to three
    significant figures (354.502 days shows as 355). Dutch (``lang="nl"``) swaps the decimal point and the
    thousands separator (1.234,5), so "354.502" can never be read as 354 thousand.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = _format_en(value, kind)
    if lang == "nl" and kind in _NUMBER_KINDS and not isinstance(value, bool):
        text = text.translate(_NL_SEPARATORS)
    if lang == "nl" and kind == "bool":
        text = "ja" if value else "nee"
    return text


_NUMBER_KINDS = ("share", "hhi", "money", "tonnes", "number", "int")
_NL_SEPARATORS = str.maketrans({",": ".", ".": ","})


def _format_en(value: Any, kind: str) -> str:
    if kind == "share":
        return f"{value * 100:.1f}%"
    if kind == "hhi":
        return f"{value:.3f}"
    if kind == "money":
        return f"{value:,.0f}"
    if kind == "tonnes":
        return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"
    if kind == "number":
        return _significant_text(value)
    if kind == "int" and isinstance(value, int):
        return f"{value:,}"
    if kind == "bool":
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _significant_text(value: float) -> str:
    """Three significant figures, whole units from 100 up (72.4229 → 72.4, 0.0604158 → 0.0604)."""
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    from grondstof.indicators.labels import DISPLAY_SIGNIFICANT, significant

    rounded = significant(float(value), DISPLAY_SIGNIFICANT)
    magnitude = math.floor(math.log10(abs(rounded))) if rounded else 0
    decimals = max(0, DISPLAY_SIGNIFICANT - 1 - magnitude)
    return f"{rounded:,.{decimals}f}"


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


# Columns given up first when a table is wider than the terminal: flags, provenance codes, then the rightmost.
_DROP_FIRST_KINDS = ("bool",)
_DROP_FIRST_SUFFIXES = ("source", "basket", "world_year")


_NUMERIC_KINDS = ("share", "hhi", "money", "tonnes", "number", "int", "year")
_TEXT_WRAP = 16  # text cells wrap onto more lines; numbers never do


def _min_width(f: Field, cells: list[str]) -> int:
    """Narrowest width a column can take: its longest header word, and its widest number unwrapped."""
    header = f.label + (f" ({f.unit})" if f.unit else "")
    words = max((len(w) for w in header.split()), default=0)
    widest = max((len(c) for c in cells), default=0)
    return max(words, widest if f.kind in _NUMERIC_KINDS else min(widest, _TEXT_WRAP))


def _full_width(f: Field, cells: list[str]) -> int:
    """Width a column takes with its header on one line and no cell wrapped."""
    header = f.label + (f" ({f.unit})" if f.unit else "")
    return max([len(header), *(len(c) for c in cells)])


def column_widths(fields: list[Field], cells: dict[str, list[str]], width: int) -> list[int]:
    """Give each column its minimum width, then share what is left of ``width`` up to each full width."""
    widths = [_min_width(f, cells[f.name]) for f in fields]
    full = [_full_width(f, cells[f.name]) for f in fields]
    spare = width - (sum(widths) + 3 * len(fields) + 1)
    while spare > 0:
        wanting = [i for i, w in enumerate(widths) if w < full[i]]
        if not wanting:
            break
        for i in wanting:
            if spare == 0:
                break
            widths[i] += 1
            spare -= 1
    return widths


def fit_columns(
    fields: list[Field], cells: dict[str, list[str]], width: int
) -> tuple[list[Field], list[Field]]:
    """Drop columns until the table fits ``width`` characters; return (kept, hidden).

    The first column (the row's name) is always kept. Flags and provenance columns go first, then
    columns from the right; the hidden ones stay in --json and --csv output.
    """
    kept = list(fields)

    def total() -> int:
        return sum(_min_width(f, cells[f.name]) + 3 for f in kept) + 1

    order = [
        f for f in reversed(kept[1:]) if f.kind in _DROP_FIRST_KINDS or f.name.endswith(_DROP_FIRST_SUFFIXES)
    ]
    order += [f for f in reversed(kept[1:]) if f not in order]
    hidden: list[Field] = []
    for f in order:
        if total() <= width or len(kept) <= 2:
            break
        kept.remove(f)
        hidden.append(f)
    return kept, hidden


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
    shown = result.rows[:max_rows]
    cells = {f.name: [format_value(r.get(f.name), f.kind) for r in shown] for f in fields}
    fields, hidden = fit_columns(fields, cells, console.width)
    table = Table(
        title=escape(result.title),
        title_justify="left",
        show_lines=False,
        header_style="bold",
        caption=escape(" · ".join(caption)) or None,
        caption_justify="left",
    )
    for f, width in zip(fields, column_widths(fields, cells, console.width), strict=True):
        table.add_column(
            f.label + (f" ({f.unit})" if f.unit else ""),
            justify="right" if f.kind in _NUMERIC_KINDS else "left",
            overflow="fold",
            width=width,
        )
    for i in range(len(shown)):
        table.add_row(*[escape(cells[f.name][i]) for f in fields])
    console.print(table)
    if hidden:
        names = ", ".join(f.label for f in reversed(hidden))
        console.print(
            f"[dim]Hidden to fit the terminal: {escape(names)} (widen it, or use --json or --csv)[/dim]"
        )
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
