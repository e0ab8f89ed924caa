"""The material document: one material seen from one importer.

Sections: world production (map of country shares, concentration trend, the production table), world trade
concentration of the refined form beside production concentration (the BACI refined extract), reserves
(USGS MCS: reserve HHI beside production HHI, static reserve life, the edition), the importer's imports over
time (partners by value and in tonnes, a summary per year), prices (a chart of the main series and the
volatility indicators of every series), supply-risk scores (GeoPolRisk, the EU 2023 method, DERA
screening), export controls and CRMA benchmark status. Each table is
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
PRICE_YEARS = 15  # the price chart shows the last 15 calendar years of the main series


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
    _trade_concentration(doc, call, mat.id, lang)
    _reserves(doc, call, mat.id, lang)
    _imports(doc, call, store, mat.id, importer.code, name, who, lang)
    _prices(doc, call, mat.id, name, lang)
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


def _trade_concentration(doc: Document, call: Call, mat: str, lang: str) -> None:
    """World trade HHI (value and tonnes, as published with the refined extract) beside production HHI."""
    result = optional(call, "trade_indicators", material=mat, lang=lang)
    if result is None or not result.rows:
        return
    section = Section(translate("doc_trade_hhi", lang), key="trade_concentration")
    labels = {
        "hhi_value": translate("doc_hhi_trade_value", lang),
        "hhi_tonnes": translate("doc_hhi_trade_tonnes", lang),
        "production_hhi": translate("doc_hhi_production", lang),
    }
    series = [
        {"year": r["year"], "measure": f"{labels[k]} · {r['title']}", "hhi": r[k]}
        for r in sorted(result.rows, key=lambda r: r["year"])
        for k in labels
        if r.get(k) is not None
    ]
    if series:
        section.figures.append(
            Figure(
                charts.line_chart(
                    series,
                    x="year",
                    y="hhi",
                    color="measure",
                    title=translate("doc_trade_hhi", lang),
                    y_title="HHI",
                    rules=[(0.25, "HHI 0.25")],
                ),
                translate("doc_fig_trade_hhi", lang, source=source_title(result)),
            )
        )
    fields = ["year", "title", "hhi_value", "hhi_tonnes", "hhi_value_top6", "production_hhi"]
    section.add(
        Table(result.title, result, "trade_indicators", {"material": mat, "lang": lang}, [*fields, "source"])
    )
    doc.sections.append(section)


def _reserves(doc: Document, call: Call, mat: str, lang: str) -> None:
    """Reserves by edition: reserve HHI beside production HHI, static life; the largest reserve holders."""
    summary = optional(call, "reserves", material=mat, by="summary", lang=lang)
    if summary is None or not summary.rows:
        return
    section = Section(translate("doc_reserves", lang), key="reserves")
    for row in summary.rows:
        if row.get("reserve_hhi") is None:
            continue
        life = row.get("world_reserve_life")
        doc.summary.append(
            translate(
                "doc_reserves_sentence",
                lang,
                edition=row["edition"],
                year=row["year"],
                country=row.get("top_reserves_country_name") or "—",
                share=pct(row.get("top_reserves_share")),
                reserve_hhi=f"{row['reserve_hhi']:.3f}",
                production_hhi="—" if row.get("production_hhi") is None else f"{row['production_hhi']:.3f}",
                life=translate("doc_no_life", lang)
                if life is None
                else translate("doc_years_n", lang, n=f"{life:,.0f}"),
            )
        )
        break  # one sentence, from the newest edition that has a reserve HHI
    fields = [
        "edition",
        "commodity",
        "year",
        "reserve_hhi",
        "production_hhi",
        "world_reserve_life",
        "top_reserves_country_name",
        "top_reserves_share",
        "reserves_coverage",
    ]
    section.add(
        Table(summary.title, summary, "reserves", {"material": mat, "by": "summary", "lang": lang}, fields)
    )
    by_country = optional(call, "reserves", material=mat, lang=lang)
    if by_country is not None and by_country.rows:
        fields = ["edition", "country_name", "year", "reserves", "reserves_unit", "reserves_share"]
        section.add(
            Table(
                by_country.title,
                by_country,
                "reserves",
                {"material": mat, "lang": lang},
                [*fields, "production_share", "reserve_life", "capacity"],
                10,
            )
        )
    doc.sections.append(section)


def _prices(doc: Document, call: Call, mat: str, name: str, lang: str) -> None:
    """A chart of the main price series (own unit and currency) and the indicators of every series."""
    indicators = optional(call, "price_indicators", material=mat, lang=lang)
    if indicators is None or not indicators.rows:
        return
    # The main series: the Pink Sheet's (monthly, longest) where there is one, else the first USGS series.
    main = min(indicators.rows, key=lambda r: (r["source"] != "worldbank_cmo", r["series"]))
    last = int(str(main["latest_period"])[:4])
    params = {"material": mat, "series": main["series"], "start": str(last - PRICE_YEARS + 1), "lang": lang}
    series = optional(call, "prices", **params)
    section = Section(translate("doc_prices", lang), key="prices")
    if series is not None and series.rows:
        unit = f"{main['unit']} ({main['currency']})"
        section.figures.append(
            Figure(
                charts.line_chart(
                    sorted(series.rows, key=lambda r: r["year"]),
                    x="year",
                    y="value",
                    title=f"{translate('doc_prices', lang)}: {main['series']}",
                    y_title=unit,
                ),
                translate("doc_fig_prices", lang, unit=unit, source=source_title(series)),
            )
        )
        section.add(
            Table(series.title, series, "prices", params, ["year", "value", "unit", "currency", "months"])
        )
    if main.get("max_rise_12m") is not None:
        doc.summary.append(
            translate(
                "doc_price_sentence",
                lang,
                material=name,
                series=main["series"],
                window=main["window"],
                rise=pct(main["max_rise_12m"]),
                ended=str(main["max_rise_end"])[:7],
                level="—"
                if main.get("level_vs_median") is None
                else f"{main['level_vs_median'] * 100:+.1f} %",
            )
        )
    fields = ["series", "unit", "window", "cv", "max_rise_12m", "max_rise_end", "latest", "latest_period"]
    section.add(
        Table(
            indicators.title,
            indicators,
            "price_indicators",
            {"material": mat, "lang": lang},
            [*fields, "median_10y", "level_vs_median", "source"],
        )
    )
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
