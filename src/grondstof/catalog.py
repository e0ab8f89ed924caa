"""What the data directory holds, source by source: ``grondstof data``."""

from __future__ import annotations

import os
from typing import Any

from grondstof.errors import GrondstofError
from grondstof.result import Field, Result
from grondstof.sources import get_source

FIELDS = [
    Field("id", "Source"),
    Field("title", "Title"),
    Field("publisher", "Publisher"),
    Field("licence", "Licence"),
    Field("version", "Version / vintage"),
    Field("status", "Status", description="loaded, changed, not built, missing or unreadable"),
    Field("files", "Files"),
    Field("sha256", "SHA-256 (first 12)"),
    Field("rows", "Rows", "int"),
    Field("years", "Years"),
    Field("problem", "Missing / unreadable"),
]


def data_sources(
    data_dir: str | os.PathLike[str] | None = None,
    store_dir: str | os.PathLike[str] | None = None,
    *,
    validate: bool = True,
) -> Result:
    """Describe every known source in the data directory; parse the ones not in the store to check them.

    A source whose files match the current store reports rows and years from the catalog. With
    ``validate`` (default) the others are parsed now, so a malformed file shows as ``unreadable`` with the
    parser's message (file, line, column, value, expectation) instead of failing a later build.
    """
    from grondstof.config import resolve_data_dir
    from grondstof.store import inspect_sources

    data = resolve_data_dir(data_dir)
    rows: list[dict[str, Any]] = []
    for entry in inspect_sources(data, store_dir):
        problem = ", ".join(entry["missing"]) if entry["missing"] else ""
        rows_count, years = entry["rows"], entry["years"]
        status = entry["status"]
        if validate and status in ("not built", "changed"):
            try:
                tables = get_source(entry["id"]).parse(data)
                rows_count = sum(t.num_rows for t in tables.values())
                from grondstof.store import years_of

                years = years_of(tables)
            except GrondstofError as exc:
                status, problem = "unreadable", str(exc)
        rows.append(
            {
                "id": entry["id"],
                "title": entry["title"],
                "publisher": entry["publisher"],
                "licence": entry["licence"],
                "version": entry["version"],
                "status": status,
                "files": [f["path"] for f in entry["files"]],
                "sha256": [f["sha256"][:12] for f in entry["files"]],
                "rows": rows_count,
                "years": f"{years[0]}–{years[1]}" if years else None,
                "problem": problem or None,
            }
        )
    meta = {
        "data_dir": str(data),
        "display": "records",
        "notes": ["'Missing / unreadable' lists file patterns not found, or the parser's complaint."],
    }
    return Result(f"Sources in {data}", FIELDS, rows, meta)
