"""Small pieces every document builder uses: subtitles, method notes, sources, percentages."""

from __future__ import annotations

from datetime import date
from typing import Any

from grondstof.i18n import translate
from grondstof.result import Result


def subtitle(store: Any, lang: str, extra: str = "") -> str:
    """'grondstof, <today>; data as built <build time>' in the document's language."""
    text = translate("doc_subtitle", lang, date=date.today().isoformat(), built=built_at(store))
    return text + (f" · {extra}" if extra else "")


def built_at(store: Any) -> str:
    """When the store the document reads was built."""
    return str(store.catalog.get("built_at", "")) if store is not None else ""


def method_notes(lang: str) -> list[str]:
    """The notes every document carries on shares, currencies and the EU-27."""
    return [translate(k, lang) for k in ("doc_method_shares", "doc_method_currency", "doc_method_eu")]


def source_title(result: Result) -> str:
    """The sources of a result as one line: title (version); …"""
    sources = result.meta.get("sources", [])
    return "; ".join(f"{s.get('title', '')} ({s.get('version', '')})" for s in sources) or "—"


def pct(value: float | None) -> str:
    """A share as a percentage with one decimal ('—' when unknown)."""
    return "—" if value is None else f"{value * 100:.1f} %"


def iso_numeric() -> dict[str, str]:
    """ISO3 → ISO numeric code (the world map's feature ids)."""
    from grondstof.registry.countries import countries

    return {c.iso3: c.iso_numeric for c in countries().all() if c.iso_numeric}
