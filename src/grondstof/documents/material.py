"""The material document: one material seen from one importer.

Sections: world production (map of country shares, concentration trend, the production table), the
importer's imports over time (partners by value and in tonnes, a summary per year), supply-risk scores
(GeoPolRisk, the EU 2023 method, DERA screening), export controls and CRMA benchmark status. Each table is
the result of a registered analysis; summary sentences quote those results.
"""

from __future__ import annotations

from typing import Any

from grondstof import charts
from grondstof.documents import Call, optional
from grondstof.documents.common import iso_numeric, method_notes, pct, source_title, subtitle
from grondstof.documents.model import Document, Figure, Section, Table
from grondstof.i18n import translate
from grondstof.registry.countries import countries
from grondstof.registry.materials import materials

TREND_YEARS = "2018-2024"


def material(material: str, country: str = "NL", *, call: Call, store: Any, lang: str = "en") -> Document:
    """Build the document of ``material`` for the importer ``country`` (a country or EU27)."""
    mat = materials().resolve(material)
    importer = countries().resolve_importer(country)
    name, who = mat.name(lang), importer.name(lang)
    doc = Document(
        title=translate("doc_material_title", lang, material=name[:1].upper() + name[1:], country=who),
        subtitle=subtitle(store, lang),
        lang=lang,
        kind="material",
        query={"material": mat.id, "country": importer.code, "lang": lang},
    )
    _world(doc, call, mat.id, name, lang)
    _imports(doc, call, store, mat.id, importer.code, name, who, lang)
    _risk_controls_crma(doc, call, mat.id, importer.code, lang)
    coverage = mat.coverage_note(lang)
    doc.method_notes = [*method_notes(lang), *([coverage] if coverage else [])]
    doc.collect_sources()
    return doc


def _world(doc: Document, call: Call, mat: str, name: str, lang: str) -> None:
    latest = optional(call, "supply", material=mat, lang=lang)
    if latest is None or not latest.rows:
        return
    section = Section(translate("doc_world", lang), key="world")
    top = latest.rows[0]
    period = top.get("period") or top["year"]
    query = {"material": mat, "lang": lang}
    summary = (
        optional(call, "supply", material=mat, years=str(top["year"]), by="year", lang=lang)
        if top["year"]
        else None
    )
    hhi = summary.rows[0]["hhi"] if summary is not None and summary.rows else None
    doc.summary.append(
        translate(
            "doc_top_producer",
            lang,
            year=period,
            country=top["country_name"],
            share=pct(top["share"]),
            material=name,
            stage=top["stage"],
            hhi="—" if hhi is None else f"{hhi:.3f}",
        )
    )
    section.figures.append(
        Figure(
            charts.world_map(
                latest.rows,
                iso_numeric=iso_numeric(),
                country="country",
                value="share",
                title=f"{translate('world_map', lang)}, {period} ({top['stage']})",
                legend_title=translate("share", lang),
            ),
            translate("doc_fig_map", lang, year=period, source=source_title(latest)),
            raster=True,
        )
    )
    section.add(
        Table(
            latest.title, latest, "supply", query, ["country_name", "quantity", "unit", "share", "flag"], 10
        )
    )
    trend = optional(call, "supply", material=mat, years=TREND_YEARS, by="year", lang=lang)
    if trend is not None and len(trend.rows) > 1:
        section.figures.append(
            Figure(
                charts.line_chart(
                    sorted(trend.rows, key=lambda r: r["year"]),
                    x="year",
                    y="hhi",
                    title=translate("hhi_trend", lang),
                    y_title="HHI",
                    rules=[(0.25, "HHI 0.25")],
                ),
                translate("doc_fig_trend", lang),
            )
        )
        fields = ["year", "hhi", "top3_share", "top_country_name", "top_share", "countries"]
        params = {"material": mat, "years": TREND_YEARS, "by": "year", "lang": lang}
        section.add(Table(trend.title, trend, "supply", params, fields, 10))
    doc.sections.append(section)


def _imports(
    doc: Document, call: Call, store: Any, mat: str, code: str, name: str, who: str, lang: str
) -> None:
    current = optional(call, "imports", material=mat, country=code, by="year", lang=lang)
    if current is None or not current.rows:
        doc.summary.append(translate("doc_no_imports", lang, material=name, importer=who))
        return
    source = current.meta["query"]["source"]
    last = current.rows[0]["year"]
    span = store.source_info(source).get("years") or [last, last]
    years = f"{max(span[0], last - 14)}-{last}"
    base = {"material": mat, "country": code, "years": years, "source": source, "lang": lang}
    history = optional(call, "imports", **base)
    summary = optional(call, "imports", **base, by="year")
    if history is None or not history.rows:
        return
    latest = next((r for r in (summary.rows if summary else []) if r["year"] == last), None)
    if latest is not None and latest.get("total_value"):
        doc.summary.append(
            translate(
                "doc_imports_sentence",
                lang,
                year=last,
                importer=who,
                value=f"{latest['total_value']:,.0f}",
                currency=latest["currency"],
                material=name,
                partners=latest["partners"],
                partner=latest["top_partner_name"],
                share=pct(latest["top_share"]),
                hhi="—" if latest["hhi"] is None else f"{latest['hhi']:.3f}",
            )
        )
    section = Section(translate("doc_imports", lang, country=who), key="imports")
    currency = history.rows[0]["currency"]
    section.figures.append(
        Figure(
            charts.stacked_area(
                history.rows,
                x="year",
                value="value",
                color="partner_name",
                title=translate("partners_over_time", lang, country=who),
                value_title=f"{translate('value', lang)} ({currency})",
            ),
            translate("doc_fig_imports", lang, currency=currency, source=source_title(history)),
        )
    )
    if any(r["tonnes"] for r in history.rows):
        section.figures.append(
            Figure(
                charts.stacked_area(
                    history.rows,
                    x="year",
                    value="tonnes",
                    color="partner_name",
                    title=translate("partners_tonnes", lang),
                    value_title="t",
                ),
                translate("partners_tonnes", lang),
            )
        )
    if summary is not None:
        fields = ["year", "total_value", "currency", "total_tonnes", "partners", "hhi", "top_partner_name"]
        section.add(Table(summary.title, summary, "imports", {**base, "by": "year"}, [*fields, "top_share"]))
    fields = ["year", "partner_name", "value", "currency", "tonnes", "value_share", "tonnes_share"]
    section.add(Table(history.title, history, "imports", base, fields))
    doc.sections.append(section)


def _risk_controls_crma(doc: Document, call: Call, mat: str, code: str, lang: str) -> None:
    risk = Section(translate("risk_title", lang), key="risk")
    for name, params in (
        ("geopolrisk", {"material": mat, "country": code}),
        ("eu_sr", {"material": mat}),  # the EU view (2023 method) beside the published SR
        ("dera", {"material": mat}),  # world production screening
    ):
        result = optional(call, name, lang=lang, **params)
        if result is not None and result.rows:
            risk.add(Table(result.title, result, name, {**params, "lang": lang}, rows=6))
    if risk.tables:
        doc.sections.append(risk)
    controls = optional(call, "controls", material=mat, lang=lang)
    if controls is not None and controls.rows:
        section = Section(translate("controls_title", lang), key="controls")
        section.add(Table(controls.title, controls, "controls", {"material": mat, "lang": lang}, rows=10))
        doc.sections.append(section)
    crma = optional(call, "crma", material=mat, lang=lang)
    if crma is not None and crma.rows:
        section = Section(translate("crma_title", lang), key="crma")
        section.add(Table(crma.title, crma, "crma", {"material": mat, "lang": lang}, rows=10))
        doc.sections.append(section)
