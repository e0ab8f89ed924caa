"""The document: what a page, a report (HTML, PDF, Excel) and the API's document route all show.

A :class:`Document` is a title, summary sentences, headline figures and sections; a :class:`Section` holds
paragraphs, figures (Vega-Lite specs) and tables. Every table is a :class:`Table`: the result of one
registered analysis with the parameters it was run with, so each skin can link the exact download behind
it and every number traces back to a library function the command line and the API also give. Builders
(:mod:`grondstof.documents.material`, ``country``, ``scenario``) fill documents; the web
(:mod:`grondstof.web.pages`), the report renderers (:mod:`grondstof.report.render`) and the API
(``/api/v1/documents/…``) only lay them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from grondstof.result import Result


@dataclass
class Figure:
    """A chart (Vega-Lite spec) with its caption; ``raster`` draws it as PNG (gradient legends in PDF)."""

    spec: dict[str, Any]
    caption: str
    raster: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The figure as JSON: spec, caption."""
        return {"spec": self.spec, "caption": self.caption}


@dataclass
class Table:
    """The result of one analysis, as a table: which analysis and parameters (for its download), which
    fields to show and how many rows (the full result stays in downloads and JSON)."""

    title: str
    result: Result
    analysis: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    fields: list[str] | None = None
    rows: int = 15

    def to_dict(self) -> dict[str, Any]:
        """The table as JSON: the analysis, its parameters and the result's ``{meta, rows}``."""
        return {
            "title": self.title,
            "analysis": self.analysis,
            "params": self.params,
            "fields": self.fields,
            **self.result.to_dict(),
        }


@dataclass
class Headline:
    """One headline figure: the value as shown, what it is, and what it covers (shown on demand)."""

    value: str
    label: str
    detail: list[str] = field(default_factory=list)


@dataclass
class Section:
    """A heading, paragraphs, figures and tables.

    ``tables`` takes :class:`Table` objects; ``(name, result)`` pairs are accepted too (with
    ``table_rows`` and ``table_fields`` by name) and become tables.
    """

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tables: list[Any] = field(default_factory=list)
    table_rows: int = 15
    table_fields: dict[str, list[str]] = field(default_factory=dict)
    key: str = ""

    def __post_init__(self) -> None:
        self.tables = [self._table(t) for t in self.tables]

    def _table(self, item: Any) -> Table:
        if isinstance(item, Table):
            return item
        name, result = item
        return Table(name, result, fields=self.table_fields.get(name), rows=self.table_rows)

    def add(self, table: Table | tuple[str, Result]) -> None:
        """Append a table."""
        self.tables.append(self._table(table))

    def to_dict(self) -> dict[str, Any]:
        """The section as JSON."""
        return {
            "key": self.key,
            "heading": self.heading,
            "paragraphs": self.paragraphs,
            "figures": [f.to_dict() for f in self.figures],
            "tables": [t.to_dict() for t in self.tables],
        }


@dataclass
class Document:
    """A whole document: title, summary, headline figures, sections, method notes and sources."""

    title: str
    subtitle: str
    lang: str
    kind: str = ""
    summary: list[str] = field(default_factory=list)
    headline: list[Headline] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    method_notes: list[str] = field(default_factory=list)
    created: date = field(default_factory=date.today)
    store_built_at: str = ""
    sources: list[dict[str, Any]] = field(default_factory=list)
    query: dict[str, Any] = field(default_factory=dict)

    def all_tables(self) -> list[tuple[str, Result]]:
        """Every table as ``(name, result)``, in order (for the Excel workbook: a sheet per table, named by
        its analysis so a sheet matches the download of the same table)."""
        return [(t.analysis or t.title, t.result) for s in self.sections for t in s.tables]

    def section(self, key: str) -> Section | None:
        """The section with this key, or None."""
        return next((s for s in self.sections if s.key == key), None)

    def collect_sources(self) -> None:
        """Gather the distinct sources cited by all tables into :attr:`sources`."""
        seen: dict[str, dict[str, Any]] = {s.get("id", s.get("title", "")): s for s in self.sources}
        for _, result in self.all_tables():
            for source in result.meta.get("sources", []):
                seen.setdefault(source.get("id", source.get("title", "")), source)
        self.sources = list(seen.values())

    def to_dict(self) -> dict[str, Any]:
        """The document as JSON (what ``/api/v1/documents/…`` returns)."""
        from grondstof.result import _jsonable

        return _jsonable(
            {
                "kind": self.kind,
                "title": self.title,
                "subtitle": self.subtitle,
                "lang": self.lang,
                "query": self.query,
                "summary": self.summary,
                "headline": [vars(h) for h in self.headline],
                "sections": [s.to_dict() for s in self.sections],
                "method_notes": self.method_notes,
                "created": self.created,
                "store_built_at": self.store_built_at,
                "sources": self.sources,
            }
        )


# The name reports have always used.
Report = Document
