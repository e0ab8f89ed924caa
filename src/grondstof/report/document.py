"""The report document: title, summary, sections with figures and tables, method notes and sources.

Builders (:mod:`grondstof.report.builders`) fill a :class:`Report` from library results; renderers
(:mod:`grondstof.report.render`) turn the same document into HTML, PDF and XLSX, so the three formats
always carry the same figures, captions and sources.
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


@dataclass
class Section:
    """A heading, paragraphs, figures and tables (each table a named result)."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tables: list[tuple[str, Result]] = field(default_factory=list)
    table_rows: int = 15
    table_fields: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Report:
    """A whole report."""

    title: str
    subtitle: str
    lang: str
    summary: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    method_notes: list[str] = field(default_factory=list)
    created: date = field(default_factory=date.today)
    store_built_at: str = ""
    sources: list[dict[str, Any]] = field(default_factory=list)

    def all_tables(self) -> list[tuple[str, Result]]:
        """Every table in order (for the Excel workbook)."""
        return [t for s in self.sections for t in s.tables]

    def collect_sources(self) -> None:
        """Gather the distinct sources cited by all tables into :attr:`sources`."""
        seen: dict[str, dict[str, Any]] = {s.get("id", s.get("title", "")): s for s in self.sources}
        for _, result in self.all_tables():
            for source in result.meta.get("sources", []):
                seen.setdefault(source.get("id", source.get("title", "")), source)
        self.sources = list(seen.values())
