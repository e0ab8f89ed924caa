"""The country document: every material's dependency for one country or the EU-27.

Headline figures and summary sentences quote the ``overview`` result's own headline (materials imported, the
concentration flags, one import total per source and currency, baskets beside); the ranked table is the
overview ranked by its ``risk_rank`` with GeoPolRisk scores beside it where the HS mapping allows; then what
changed since the year before (``changes``) and the current alerts (``watch``).
"""

from __future__ import annotations

from typing import Any

from grondstof import charts
from grondstof.documents import Call, optional
from grondstof.documents.common import method_notes, subtitle
from grondstof.documents.model import Document, Figure, Headline, Section, Table
from grondstof.i18n import translate
from grondstof.indicators.overview import HEADLINE_FIELDS
from grondstof.registry.countries import countries
from grondstof.result import Field, Result

RANKED_FIELDS = ["risk_rank", *HEADLINE_FIELDS, "concentration_risk", "geopolrisk_score", "trade_source"]


def country(country: str, year: str | None = None, *, call: Call, store: Any, lang: str = "en") -> Document:
    """Build the document of ``country`` (a country or EU27) for ``year`` (default the latest)."""
    importer = countries().resolve_importer(country)
    result = call("overview", country=importer.code, year=year, lang=lang)
    the_year = result.meta["query"]["year"]
    doc = Document(
        title=translate("doc_country_title", lang, country=importer.name(lang)) + f" ({the_year})",
        subtitle=subtitle(store, lang),
        lang=lang,
        kind="country",
        query={"country": importer.code, "year": the_year, "lang": lang},
    )
    _headline(doc, result.meta["headline"], lang)
    _ranked(doc, call, result, importer.code, the_year, lang)
    changes = optional(call, "changes", country=importer.code, year=str(the_year), lang=lang)
    if changes is not None and changes.rows:
        section = Section(translate("changes_title", lang), key="changes")
        params = {"country": importer.code, "year": str(the_year), "lang": lang}
        fields = ["material_name", "before", "now", "currency", "change_pct", "top_partner_name"]
        section.add(Table(changes.title, changes, "changes", params, [*fields, "top_share_change"], 12))
        doc.sections.append(section)
    alerts = optional(call, "watch", country=importer.code, lang=lang)
    if alerts is not None and alerts.rows:
        section = Section(translate("alerts_title", lang), key="alerts")
        section.add(Table(alerts.title, alerts, "watch", {"country": importer.code, "lang": lang}, rows=10))
        doc.sections.append(section)
    doc.method_notes = method_notes(lang)
    doc.collect_sources()
    return doc


def _millions(value: float | None, currency: str, lang: str) -> str | None:
    from grondstof.render import format_value

    return None if value is None else format_value(value / 1e6, "number", lang) + f" m {currency}"


def _headline(doc: Document, headline: dict[str, Any], lang: str) -> None:
    """Headline figures and sentences, all from ``overview``'s ``meta.headline``."""
    partner = f"{headline['thresholds']['partner_share'] * 100:.0f} %"
    producer = f"{headline['thresholds']['producer_share'] * 100:.0f} %"
    doc.summary.append(
        translate(
            "doc_counts",
            lang,
            count=headline["materials_imported"],
            concentrated=headline["partner_over_threshold"],
            partner=partner,
            world=headline["producer_over_threshold"],
            producer=producer,
        )
    )
    doc.headline.append(Headline(str(headline["materials_imported"]), translate("headline_materials", lang)))
    for total in headline["totals"]:
        value = _millions(total["value"], total["currency"], lang)
        basket = _millions(total["basket_value"], total["currency"], lang)
        materials = ", ".join(total["materials"])
        if value is None:
            sentence = translate("doc_total_none", lang, year=total["year"], source=total["source"])
        else:
            sentence = translate(
                "doc_total",
                lang,
                year=total["year"],
                source=total["source"],
                value=value,
                count=len(total["materials"]),
                materials=materials,
            )
        detail = [materials]
        if basket is not None:
            baskets = ", ".join(total["basket_materials"])
            sentence += translate("doc_total_basket", lang, value=basket, materials=baskets)
            detail.append(translate("headline_basket", lang, value=basket, materials=baskets))
        doc.summary.append(sentence + ".")
        label = translate(
            "headline_value_source", lang, source=total["source"], count=len(total["materials"])
        )
        doc.headline.append(Headline(value or "—", label, detail))
    doc.headline.append(
        Headline(
            str(headline["partner_over_threshold"]),
            translate("headline_concentrated", lang, threshold=partner),
        )
    )
    doc.headline.append(
        Headline(
            str(headline["producer_over_threshold"]), translate("headline_world", lang, threshold=producer)
        )
    )


def _ranked(doc: Document, call: Call, result: Result, code: str, year: int, lang: str) -> None:
    """The overview ranked by its own ``risk_rank`` (ranked rows first, then labelled unranked ones), with
    the GeoPolRisk score of the same importer and year beside each material."""
    risk = optional(call, "geopolrisk", material="all", country=code, years=str(year), lang=lang)
    scores = {r["material"]: r["score"] for r in (risk.rows if risk else []) if r.get("score") is not None}
    rows = [{**r, "geopolrisk_score": scores.get(r["material"])} for r in result.rows]
    ranked = sorted((r for r in rows if r["risk_rank"] is not None), key=lambda r: r["risk_rank"])
    ranked += [r for r in rows if r["risk_rank"] is None and r["import_value"] is not None]
    score = Field(
        "geopolrisk_score",
        "GeoPolRisk score",
        "number",
        description="HHI × import risk, 0–1 (grondstof risk)",
    )
    table = Result(result.title, [*result.fields, score], ranked, result.meta)
    section = Section(
        translate("ranked_title", lang), key="ranked", paragraphs=[translate("ranked_note", lang)]
    )
    top = [r for r in ranked if r["risk_rank"] is not None][:15]
    section.figures.append(
        Figure(
            charts.bar_chart(
                [{"material": r["material_name"], "risk": r["concentration_risk"]} for r in top],
                category="material",
                value="risk",
                title=translate("ranked_title", lang) + f" — {doc.query['country']}, {year}",
                value_title=translate("ranked_axis", lang),
                axis_format=".2f",
            ),
            translate("doc_fig_ranked", lang),
        )
    )
    fields = [f for f in RANKED_FIELDS if f in {x.name for x in table.fields}]
    section.add(
        Table(result.title, table, "overview", {"country": code, "year": year, "lang": lang}, fields, 40)
    )
    doc.sections.append(section)
