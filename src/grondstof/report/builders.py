"""Build reports from library results: a material for an importer, a country, a scenario."""

from __future__ import annotations

import importlib
from typing import Any

from grondstof import charts
from grondstof.errors import GrondstofError
from grondstof.registry.countries import countries
from grondstof.registry.materials import materials
from grondstof.report.document import Figure, Report, Section
from grondstof.result import Result
from grondstof.store import Store, open_store

WORDS = {
    "en": {
        "material_title": "{material}: supply and dependency of {country}",
        "country_title": "Critical raw materials: dependency of {country}",
        "subtitle": "grondstof report, {date}; data as built {built}",
        "world": "World production",
        "trend": "Concentration of world production",
        "imports": "Imports of {country}",
        "risk": "Supply risk",
        "controls": "Export controls",
        "crma": "CRMA benchmarks",
        "overview": "Materials at a glance",
        "changes": "Largest changes since the year before",
        "alerts": "Alerts",
        "top_producer": "In {year}, {country} produced {share} of the world's {material} ({stage}); the "
        "production HHI was {hhi}.",
        "imports_sentence": "In {year}, {importer} imported {value} {currency} of {material} from {partners} "
        "partners; the largest, {partner}, supplied {share} (import HHI {hhi}).",
        "change_sentence": "That is {change} compared with {before}.",
        "no_imports": "No imports of {material} by {importer} are recorded in the trade data.",
        "fig_map": "World production share by country, {year}. Source: {source}.",
        "fig_trend": "Herfindahl–Hirschman index of world production by year (1 = one producer).",
        "fig_imports": "Import value by partner, {currency}. Source: {source}.",
        "fig_ranked": "Share of the largest partner in imports, by material.",
        "method": [
            "Shares are fractions of the total of the countries listed; HHI = Σ share² on a 0–1 scale "
            "(multiply by 10 000 for the DERA/competition scale).",
            "Trade values are in the source's currency: BACI in current USD (FOB), Comext in EUR (customs "
            "value, CIF); they are never mixed or converted in tables.",
            "The EU-27 as an importer counts extra-EU imports only, with the post-2020 membership.",
        ],
    },
    "nl": {
        "material_title": "{material}: aanbod en afhankelijkheid van {country}",
        "country_title": "Kritieke grondstoffen: afhankelijkheid van {country}",
        "subtitle": "grondstof-rapport, {date}; gegevens opgebouwd {built}",
        "world": "Wereldproductie",
        "trend": "Concentratie van de wereldproductie",
        "imports": "Import van {country}",
        "risk": "Leveringsrisico",
        "controls": "Exportbeperkingen",
        "crma": "CRMA-doelen",
        "overview": "Grondstoffen in één oogopslag",
        "changes": "Grootste veranderingen ten opzichte van het jaar ervoor",
        "alerts": "Signalen",
        "top_producer": "In {year} produceerde {country} {share} van de wereldproductie van {material} "
        "({stage}); de HHI van de productie was {hhi}.",
        "imports_sentence": "In {year} importeerde {importer} voor {value} {currency} aan {material} uit "
        "{partners} landen; de grootste, {partner}, leverde {share} (import-HHI {hhi}).",
        "change_sentence": "Dat is {change} ten opzichte van {before}.",
        "no_imports": "De handelsgegevens bevatten geen import van {material} door {importer}.",
        "fig_map": "Aandeel in de wereldproductie per land, {year}. Bron: {source}.",
        "fig_trend": "Herfindahl-Hirschman-index van de wereldproductie per jaar (1 = één producent).",
        "fig_imports": "Importwaarde per handelspartner, {currency}. Bron: {source}.",
        "fig_ranked": "Aandeel van de grootste handelspartner in de import, per grondstof.",
        "method": [
            "Aandelen zijn fracties van het totaal van de genoemde landen; HHI = Σ aandeel² op een schaal "
            "0–1 (× 10 000 voor de DERA-schaal).",
            "Handelswaarden staan in de valuta van de bron: BACI in lopende USD (FOB), Comext in EUR "
            "(douanewaarde, CIF); ze worden in tabellen nooit gemengd of omgerekend.",
            "De EU-27 als importeur telt alleen import van buiten de EU, met de samenstelling na 2020.",
        ],
    },
}


def _w(lang: str, key: str, **values: Any) -> Any:
    text = WORDS.get(lang, WORDS["en"])[key]
    return text.format(**values) if values else text


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def _optional(module: str, function: str, **kwargs: Any) -> Result | None:
    """Call a library function that may not exist in this build or may not apply; None if not."""
    try:
        fn = getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError):
        return None
    try:
        return fn(**kwargs)
    except GrondstofError:
        return None


def _topojson() -> dict[str, Any]:
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "web" / "static" / "vendor" / "countries-110m.json"
    return json.loads(path.read_text())


def _source_title(result: Result) -> str:
    sources = result.meta.get("sources", [])
    return "; ".join(f"{s.get('title', '')} ({s.get('version', '')})" for s in sources) or "—"


def material_report(
    material: str, country: str = "NL", *, store: Store | None = None, lang: str = "en"
) -> Report:
    """Report on one material for one importer: world supply, imports over time, risk, controls, CRMA."""
    from grondstof.indicators.dependency import imports
    from grondstof.indicators.supply import supply

    store = store or open_store()
    mat = materials().resolve(material)
    importer = countries().resolve_importer(country)
    name, who = mat.name(lang), importer.name(lang)
    report = Report(
        title=_w(lang, "material_title", material=name[:1].upper() + name[1:], country=who),
        subtitle=_w(lang, "subtitle", date=_today(), built=store.catalog.get("built_at", "")),
        lang=lang,
        store_built_at=store.catalog.get("built_at", ""),
    )
    world = _optional("grondstof.indicators.supply", "supply", material=mat.id, store=store, lang=lang)
    if world is not None and world.rows:
        top = world.rows[0]
        source = world.meta["query"]["source"]
        summary = supply(mat.id, years=top["year"], source=source, by="year", store=store, lang=lang).rows[0]
        report.summary.append(
            _w(
                lang,
                "top_producer",
                year=top["period"],
                country=top["country_name"],
                share=_pct(top["share"]),
                material=name,
                stage=top["stage"],
                hhi=f"{summary['hhi']:.3f}",
            )
        )
        iso = {c.iso3: c.iso_numeric for c in countries().all() if c.iso_numeric}
        spec = charts.world_map(
            world.rows,
            iso_numeric=iso,
            country="country",
            value="share",
            title=f"{_w(lang, 'world')} {top['period']}",
            legend_title="share",
            topojson=_topojson(),
        )
        section = Section(
            _w(lang, "world"),
            figures=[
                Figure(
                    spec, _w(lang, "fig_map", year=top["period"], source=_source_title(world)), raster=True
                )
            ],
            tables=[("world production", world)],
            table_rows=10,
            table_fields={"world production": ["country_name", "quantity", "unit", "share", "flag"]},
        )
        trend = _optional(
            "grondstof.indicators.supply",
            "supply",
            material=mat.id,
            years="2018-2024",
            by="year",
            store=store,
            lang=lang,
        )
        if trend is not None and len(trend.rows) > 1:
            section.figures.append(
                Figure(
                    charts.line_chart(
                        sorted(trend.rows, key=lambda r: r["year"]),
                        x="year",
                        y="hhi",
                        title=_w(lang, "trend"),
                        y_title="HHI",
                    ),
                    _w(lang, "fig_trend"),
                )
            )
        report.sections.append(section)
    latest = _optional(
        "grondstof.indicators.dependency",
        "imports",
        material=mat.id,
        country=importer.code,
        by="year",
        store=store,
        lang=lang,
    )
    if latest is not None and latest.rows:
        row = latest.rows[0]
        report.summary.append(
            _w(
                lang,
                "imports_sentence",
                year=row["year"],
                importer=who,
                value=f"{row['total_value']:,.0f}",
                currency=row["currency"],
                material=name,
                partners=row["partners"],
                partner=row["top_partner_name"],
                share=_pct(row["top_share"]),
                hhi=f"{row['hhi']:.3f}",
            )
        )
        source = latest.meta["query"]["source"]
        span = store.source_info(source).get("years") or [row["year"], row["year"]]
        years = f"{max(span[0], row['year'] - 14)}-{row['year']}"
        history = imports(mat.id, importer.code, years=years, source=source, store=store, lang=lang)
        per_year = imports(
            mat.id, importer.code, years=years, source=source, by="year", store=store, lang=lang
        )
        if len(per_year.rows) > 1:
            before = per_year.rows[1]
            change = (
                (row["total_value"] - before["total_value"]) / before["total_value"]
                if before["total_value"]
                else None
            )
            if change is not None:
                report.summary.append(
                    _w(lang, "change_sentence", change=f"{change * 100:+.0f} %", before=before["year"])
                )
        section = Section(
            _w(lang, "imports", country=who),
            tables=[("imports per year", per_year), ("imports by partner", history)],
            table_fields={
                "imports per year": [
                    "year",
                    "total_value",
                    "currency",
                    "total_tonnes",
                    "partners",
                    "hhi",
                    "top_partner_name",
                    "top_share",
                ],
                "imports by partner": ["year", "partner_name", "value", "currency", "tonnes", "value_share"],
            },
        )
        section.figures.append(
            Figure(
                charts.stacked_area(
                    history.rows,
                    x="year",
                    value="value",
                    color="partner_name",
                    title=_w(lang, "imports", country=who),
                    value_title=row["currency"],
                ),
                _w(lang, "fig_imports", currency=row["currency"], source=_source_title(history)),
            )
        )
        report.sections.append(section)
    else:
        report.summary.append(_w(lang, "no_imports", material=name, importer=who))
    _add_optional_sections(report, mat.id, importer.code, store, lang)
    report.method_notes = [
        *_w(lang, "method"),
        *([mat.coverage_note(lang)] if mat.coverage_note(lang) else []),
    ]
    report.collect_sources()
    return report


def _add_optional_sections(report: Report, material: str, importer: str, store: Store, lang: str) -> None:
    """Risk, controls and CRMA sections, when this build has those analyses."""
    risk_tables = []
    for module, function, label in (
        ("grondstof.indicators.geopolrisk", "geopolrisk", "GeoPolRisk"),
        ("grondstof.indicators.eu_supply_risk", "eu_supply_risk", "EU supply risk"),
        ("grondstof.indicators.dera", "dera", "DERA screening"),
    ):
        kwargs: dict[str, Any] = {"material": material, "store": store, "lang": lang}
        if function == "geopolrisk":
            kwargs["country"] = importer
        result = _optional(module, function, **kwargs)
        if result is not None and result.rows:
            risk_tables.append((label, result))
    if risk_tables:
        report.sections.append(Section(_w(lang, "risk"), tables=risk_tables, table_rows=6))
    controls = _optional(
        "grondstof.indicators.exposure", "controls", material=material, store=store, lang=lang
    )
    if controls is not None and controls.rows:
        report.sections.append(Section(_w(lang, "controls"), tables=[("export controls", controls)]))
    crma = _optional("grondstof.indicators.crma", "crma", store=store, lang=lang)
    if crma is not None:
        rows = [r for r in crma.rows if r.get("material") == material]
        if rows:
            report.sections.append(
                Section(_w(lang, "crma"), tables=[("crma", Result(crma.title, crma.fields, rows, crma.meta))])
            )


def country_report(
    country: str, *, year: int | str | None = None, store: Store | None = None, lang: str = "en"
) -> Report:
    """Report on one country (or the EU-27): the material overview, largest changes and alerts."""
    from grondstof.indicators.overview import HEADLINE_FIELDS, overview

    store = store or open_store()
    importer = countries().resolve_importer(country)
    result = overview(importer.code, year=year, store=store, lang=lang)
    the_year = result.meta["query"]["year"]
    report = Report(
        title=_w(lang, "country_title", country=importer.name(lang)) + f" ({the_year})",
        subtitle=_w(lang, "subtitle", date=_today(), built=store.catalog.get("built_at", "")),
        lang=lang,
        store_built_at=store.catalog.get("built_at", ""),
    )
    imported = sorted(
        (r for r in result.rows if r["import_value"]), key=lambda r: -(r["top_partner_share"] or 0)
    )
    # The counts, thresholds and totals are the overview result's own (grondstof overview --json gives
    # them in meta.headline): nothing is recomputed here.
    headline = result.meta["headline"]
    partner = f"{headline['thresholds']['partner_share'] * 100:.0f} %"
    producer = f"{headline['thresholds']['producer_share'] * 100:.0f} %"
    concentrated, world = headline["partner_over_threshold"], headline["producer_over_threshold"]
    count = headline["materials_imported"]
    if lang == "nl":
        report.summary.append(
            f"{count} grondstoffen geïmporteerd; {concentrated} met één handelspartner boven {partner}; "
            f"{world} waarvan één land meer dan {producer} van de wereldproductie levert."
        )
    else:
        report.summary.append(
            f"{count} materials imported; {concentrated} with one partner above {partner}; "
            f"{world} where one country produces over {producer} of world supply."
        )
    for total in headline["totals"]:
        report.summary.append(_total_sentence(total, lang))
    spec = charts.bar_chart(
        [{"material": r["material_name"], "share": r["top_partner_share"]} for r in imported],
        category="material",
        value="share",
        percent=True,
        limit=20,
        title=_w(lang, "overview"),
        value_title="share",
    )
    ranked = Result(result.title, result.fields, imported, result.meta)
    report.sections.append(
        Section(
            _w(lang, "overview"),
            figures=[Figure(spec, _w(lang, "fig_ranked"))],
            tables=[("overview", ranked)],
            table_rows=40,
            table_fields={"overview": HEADLINE_FIELDS},
        )
    )
    alerts = _optional("grondstof.monitor.signals", "watch", country=importer.code, store=store, lang=lang)
    if alerts is not None and alerts.rows:
        report.sections.append(Section(_w(lang, "alerts"), tables=[("alerts", alerts)], table_rows=15))
    report.method_notes = list(_w(lang, "method"))
    report.collect_sources()
    return report


def _total_sentence(total: dict[str, Any], lang: str) -> str:
    """One headline total in words: source, currency, the materials it covers, baskets beside it."""
    from grondstof.render import format_value

    def millions(value: float) -> str:
        return format_value(value / 1e6, "number", lang) + f" m {total['currency']}"

    names = ", ".join(total["materials"])
    basket = ", ".join(total["basket_materials"])
    if lang == "nl":
        text = f"Importwaarde {total['year']} volgens {total['source']}: " + (
            f"{millions(total['value'])} over {len(total['materials'])} grondstoffen ({names})"
            if total["value"] is not None
            else "geen eigen codes"
        )
        if total["basket_value"] is not None:
            text += (
                f"; daarnaast {millions(total['basket_value'])} in verzamelcodes ({basket}), niet opgeteld"
            )
        return text + "."
    text = f"Import value {total['year']} in {total['source']}: " + (
        f"{millions(total['value'])} over {len(total['materials'])} materials ({names})"
        if total["value"] is not None
        else "no own codes"
    )
    if total["basket_value"] is not None:
        text += f"; besides, {millions(total['basket_value'])} in basket codes ({basket}), not added in"
    return text + "."


def _today() -> str:
    from datetime import date

    return date.today().isoformat()


SCENARIO_TITLES = {
    "en": {
        "transition": "Energy-transition material demand",
        "stockpile": "Stockpile plan",
        "cutoff": "Supplier cut-off",
        "montecarlo": "Monte Carlo supply disruptions",
        "assumptions": "Assumptions",
    },
    "nl": {
        "transition": "Grondstofvraag van de energietransitie",
        "stockpile": "Voorraadplan",
        "cutoff": "Uitval van een leverancier",
        "montecarlo": "Monte Carlo-verstoringen",
        "assumptions": "Aannames",
    },
}


def scenario_report(scenario: str, *, store: Store | None = None, lang: str = "en") -> Report:
    """Report on a scenario file (any kind): its results, charts, assumptions and sources."""
    from grondstof.scenarios.files import resolve_file, run_file

    store = store or open_store()
    words = SCENARIO_TITLES.get(lang, SCENARIO_TITLES["en"])
    kind, results = run_file(scenario, store=store, lang=lang)
    path = resolve_file(scenario)
    first = results[0][1]
    report = Report(
        title=first.title,
        subtitle=_w(lang, "subtitle", date=_today(), built=store.catalog.get("built_at", ""))
        + f" · {path.name}",
        lang=lang,
        store_built_at=store.catalog.get("built_at", ""),
    )
    for name, result in results:
        section = Section(name[:1].upper() + name[1:], tables=[(name, result)], table_rows=25)
        figure = _scenario_figure(kind, name, result)
        if figure is not None:
            section.figures.append(figure)
        report.sections.append(section)
    assumptions: list[str] = []
    for _, result in results:
        for key in ("assumptions",):
            value = result.meta.get(key)
            if isinstance(value, dict):
                assumptions.extend(f"{k}: {v}" for k, v in value.items())
            elif isinstance(value, list):
                assumptions.extend(str(v) for v in value)
        assumptions.extend(str(n) for n in result.meta.get("notes", []))
    if assumptions:
        report.sections.append(Section(words["assumptions"], paragraphs=list(dict.fromkeys(assumptions))))
    for key in ("lost_tonnes", "replaced_tonnes", "shortfall_tonnes", "stock_days_to_bridge"):
        if first.meta.get(key) is not None:
            report.summary.append(f"{key.replace('_', ' ')}: {first.meta[key]:,.1f}")
    report.method_notes = list(_w(lang, "method"))
    report.collect_sources()
    return report


def _scenario_figure(kind: str, name: str, result: Result) -> Figure | None:
    """One chart per scenario result where a chart says more than the table."""
    rows = result.rows
    if not rows:
        return None
    if kind == "transition" and name == "demand by year" and "demand_t" in rows[0]:
        totals: dict[tuple[Any, Any], float] = {}
        for r in rows:
            key = (r.get("year"), r.get("material"))
            totals[key] = totals.get(key, 0.0) + (r.get("demand_t") or 0.0)
        data = [{"year": y, "material": m, "demand_t": v} for (y, m), v in totals.items()]
        return Figure(
            charts.stacked_area(
                data,
                x="year",
                value="demand_t",
                color="material",
                title="Material demand per year (t)",
                value_title="t",
            ),
            "Demand of the deployments per year, by material, in tonnes.",
        )
    numeric = [f.name for f in result.fields if f.kind in ("tonnes", "money", "number")]
    label = next(
        (f.name for f in result.fields if f.name in ("material_name", "material", "importer_name")), None
    )
    if label is None or not numeric:
        return None
    value = next(
        (
            n
            for n in ("shortfall_tonnes", "p95", "cost_eur", "stock_tonnes", "shortfall_value")
            if n in numeric
        ),
        numeric[0],
    )
    field = next(f for f in result.fields if f.name == value)
    return Figure(
        charts.bar_chart(rows, category=label, value=value, title=field.label, value_title=field.label),
        f"{field.label} by {label.replace('_', ' ')}.",
    )
