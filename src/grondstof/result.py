"""The one shape every analysis returns: rows plus the metadata needed to trace them.

A :class:`Result` is what the library hands to the CLI, the HTTP API, the dashboard and the reports.
``rows`` are plain dicts (JSON-ready scalars); ``meta`` says where each figure comes from (sources with
their vintage), in which units, for which codes, and what the data does not cover. Shares are fractions
0–1 and HHI is on the 0–1 scale everywhere in rows; renderers may show percentages.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

# Column kinds steer presentation only: "share" and "hhi" print as percentages / 0–1, "money" with
# thousands separators, "tonnes" likewise; the stored value is never changed.
KINDS = ("text", "int", "year", "share", "hhi", "money", "tonnes", "number", "date", "bool")


@dataclass(frozen=True)
class Field:
    """One column of a result: machine name, human label, kind and unit."""

    name: str
    label: str
    kind: str = "text"
    unit: str = ""
    description: str = ""
    show: bool = True  # False: kept in JSON/CSV, left out of printed tables (e.g. a code beside its name)

    def as_meta(self) -> dict[str, str]:
        """Describe the field for ``meta["fields"]``."""
        out = {"label": self.label, "kind": self.kind}
        if self.unit:
            out["unit"] = self.unit
        if self.description:
            out["description"] = self.description
        return out


@dataclass
class Result:
    """Rows of an analysis with their provenance.

    Parameters
    ----------
    title:
        A one-line human title ("Imports of cobalt by the Netherlands").
    fields:
        The columns, in display order.
    rows:
        One dict per row, keyed by field name.
    meta:
        Sources (with vintage), units, codes, coverage notes and the query parameters.
    """

    title: str
    fields: list[Field]
    rows: list[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"meta": ..., "rows": [...]}`` with JSON-safe values (NaN becomes null)."""
        meta = {"title": self.title, **self.meta, "fields": {f.name: f.as_meta() for f in self.fields}}
        return {"meta": _jsonable(meta), "rows": [_jsonable(r) for r in self.rows]}

    def to_json(self, indent: int | None = 2) -> str:
        """Serialise :meth:`to_dict` as JSON (NaN and ±inf as null, dates as ISO text).

        With ``indent`` the meta object is indented and each row is one line; ``indent=None`` gives the
        compact JSON of ``json.dumps(to_dict())``. Rows go through the standard library's C encoder: its
        indented encoder is pure Python, about 4× slower (0.09 s for the 2 MB of ``watch``).
        """
        meta = {"title": self.title, **self.meta, "fields": {f.name: f.as_meta() for f in self.fields}}
        encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, default=_json_default).encode

        def row_text(row: dict[str, Any]) -> str:
            try:
                return encode(row)
            except ValueError:  # a NaN or infinity somewhere in the row: null, as to_dict gives
                return encode(_jsonable(row))

        rows = list(map(row_text, self.rows))
        meta_text = json.dumps(_jsonable(meta), indent=indent, ensure_ascii=False)
        if indent is None:
            return f'{{"meta": {meta_text}, "rows": [{", ".join(rows)}]}}'
        pad = " " * indent
        meta_text = meta_text.replace("\n", "\n" + pad)
        body = f"[\n{pad}{pad}" + f",\n{pad}{pad}".join(rows) + f"\n{pad}]" if rows else "[]"
        return f'{{\n{pad}"meta": {meta_text},\n{pad}"rows": {body}\n}}'

    def to_csv(self) -> str:
        """Return the rows as CSV text with a header of field names, safe to open in a spreadsheet.

        A text cell that a spreadsheet would read as a formula (``=HYPERLINK(…)``) gets a leading apostrophe
        (:func:`safe_cell`); a missing value (None, NaN, ±inf) is an empty cell; a list is joined with
        ``"; "``. The CLI's ``--csv`` and the web's CSV downloads both print this.
        """
        names = [f.name for f in self.fields]
        lines = [_csv_line(names)]
        for row in self.rows:
            lines.append(
                _csv_line(["" if (v := export_cell(row.get(n))) is None else safe_cell(v) for n in names])
            )
        return "".join(lines)

    def column(self, name: str) -> list[Any]:
        """Return one column of the rows as a list."""
        return [row.get(name) for row in self.rows]

    def to_pandas(self) -> Any:
        """Return the rows as a pandas DataFrame (pandas is imported only when this is called)."""
        import pandas as pd

        return pd.DataFrame(self.rows, columns=[f.name for f in self.fields])


# OWASP "CSV injection": a spreadsheet reads a cell starting with one of these as a formula. The full-width
# forms (U+FF1D, U+FF0B, U+FF0D, U+FF20) are read as formulas by Excel in East Asian input modes.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: Any) -> Any:
    """Neutralise a text cell that a spreadsheet would read as a formula (a leading apostrophe, which
    spreadsheets show as text and do not display); pass other values, numbers included, through.

    The one formula guard of every export: CSV (:meth:`Result.to_csv`, the CLI ``--csv``, the web downloads)
    and Excel (:func:`grondstof.exports.to_xlsx`). Method: OWASP, "CSV Injection".
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_line(cells: Sequence[Any]) -> str:
    """One CSV record ending in ``\\n`` (RFC 4180 quoting). A field holding a comma, a quote, a line feed or a
    carriage return is quoted; the csv module would leave a lone carriage return unquoted when lines end in
    ``\\n``, and a spreadsheet would then start a new row there (the next cell could be a formula)."""
    fields = []
    for cell in cells:
        text = repr(cell) if isinstance(cell, float) else str(cell)
        if any(c in text for c in ',"\r\n') or (text == "" and len(cells) == 1):
            text = '"' + text.replace('"', '""') + '"'
        fields.append(text)
    return ",".join(fields) + "\n"


def export_cell(value: Any) -> Any:
    """A row value as a file cell: None when missing (None, NaN, ±inf), lists joined with ``"; "``, dicts as
    text, anything else unchanged."""
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return None
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return str(value)
    return value


def _json_default(value: Any) -> Any:
    """What the JSON encoder cannot take itself, as :func:`_jsonable` gives it."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, set):
        return list(value)
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()  # numpy scalars
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()  # numpy scalars
    return value


def fields_by_name(fields: Sequence[Field], names: Iterable[str]) -> list[Field]:
    """Pick fields by name, keeping the order of ``names``."""
    index = {f.name: f for f in fields}
    return [index[n] for n in names]
