"""The report document is the document of :mod:`grondstof.documents.model` (kept here for old imports)."""

from grondstof.documents.model import Document, Figure, Headline, Report, Section, Table

__all__ = ["Document", "Figure", "Headline", "Report", "Section", "Table"]
