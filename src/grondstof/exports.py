"""Results as files for people who live in Excel: CSV and XLSX, safe to open.

Text cells that start with ``=``, ``+``, ``-`` or ``@`` (their full-width forms, and tab/carriage return)
are neutralised with a leading apostrophe, so a crafted country or material label cannot become a spreadsheet
formula (CSV injection, OWASP). Numbers stay numbers. :func:`grondstof.result.safe_cell` is the one place
this happens: the web downloads, the Excel workbooks and ``grondstof … --csv`` all use it.

The XLSX has one sheet per table plus a ``sources`` sheet with the query, sources (title, publisher, version,
licence), units and notes of every table.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime

from grondstof.result import FORMULA_STARTS, Result, export_cell, safe_cell

DANGEROUS = FORMULA_STARTS  # the name this module used to define
__all__ = ["DANGEROUS", "safe_cell", "to_csv", "to_xlsx", "today"]


def to_csv(result: Result) -> str:
    """The rows as CSV text, header of field names, text cells neutralised (:meth:`Result.to_csv`)."""
    return result.to_csv()


def to_xlsx(tables: Sequence[tuple[str, Result]], *, title: str = "grondstof") -> bytes:
    """An Excel workbook: one sheet per (sheet name, result) plus a ``sources`` sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for sheet_name, result in tables:
        name = _sheet_name(sheet_name, used)
        sheet = book.create_sheet(name)
        sheet.append([f.label + (f" ({f.unit})" if f.unit else "") for f in result.fields])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in result.rows:
            sheet.append([safe_cell(export_cell(row.get(f.name))) for f in result.fields])
        for index, field in enumerate(result.fields, start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = max(10, min(40, len(field.label) + 4))
            fmt = {"share": "0.0%", "hhi": "0.000", "money": "#,##0", "tonnes": "#,##0.0"}.get(field.kind)
            if fmt:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = fmt
        sheet.freeze_panes = "A2"
    sources = book.create_sheet("sources")
    sources.append([safe_cell(title)])
    sources["A1"].font = Font(bold=True, size=13)
    sources.append([f"Generated {datetime.now().isoformat(timespec='seconds')} by grondstof"])
    for sheet_name, result in tables:
        sources.append([])
        sources.append([f"{sheet_name}: {result.title}"])
        sources.cell(row=sources.max_row, column=1).font = Font(bold=True)
        query = result.meta.get("query")
        if query:
            sources.append(["query", safe_cell(str(query))])
        for source in result.meta.get("sources", []):
            sources.append(
                [
                    "source",
                    safe_cell(source.get("title", "")),
                    safe_cell(source.get("publisher", "")),
                    safe_cell(source.get("version", "")),
                    safe_cell(source.get("licence", "")),
                ]
            )
        units = result.meta.get("units")
        if units:
            sources.append(["units", safe_cell(str(units))])
        for note in result.meta.get("notes", []):
            sources.append(["note", safe_cell(str(note))])
        for field in result.fields:
            text = " ".join(x for x in (field.unit, field.description) if x)
            sources.append(["field", field.name, field.label, field.kind, safe_cell(text)])
    sources.column_dimensions["A"].width = 12
    sources.column_dimensions["B"].width = 60
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_name(name: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique within the workbook.
    clean = "".join("_" if c in "[]:*?/\\" else c for c in name)[:31] or "data"
    candidate, n = clean, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def today() -> str:
    """Today's date as ISO text (for file names)."""
    return date.today().isoformat()
