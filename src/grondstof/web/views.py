"""What each dashboard page shows: library results turned into tables, charts and headline figures."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from grondstof import charts
from grondstof.errors import GrondstofError
from grondstof.indicators.overview import HEADLINE_FIELDS
from grondstof.registry.countries import countries
from grondstof.registry.materials import materials
from grondstof.web.i18n import translate
from grondstof.web.templating import Table, optional, run

OVERVIEW_FIELDS = [
    "risk_rank",
    *HEADLINE_FIELDS,
    "concentration_risk",
    "geopolrisk_score",
    "trade_source",
]


def _iso_numeric() -> dict[str, str]:
    return {c.iso3: c.iso_numeric for c in countries().all() if c.iso_numeric}


def overview_view(request: Request, country: str, year: str | None, lang: str) -> dict[str, Any]:
    """Overview page data: ranked materials, headline figures, year-on-year changes, alerts.

    Every figure comes from the ``overview`` result (the ranking measure, its rank, the thresholds and
    the headline totals are fields and ``meta`` of that result) or from the ``geopolrisk`` result, which
    the CLI and API give too; nothing is computed here.
    """
    importer = countries().resolve_importer(country)
    result = run(request, "overview", country=country, year=year, lang=lang)
    the_year = result.meta["query"]["year"]
    risk = optional(
        request, "geopolrisk", material="all", country=importer.code, years=str(the_year), lang=lang
    )
    scores = {}
    if risk is not None:
        scores = {r["material"]: r["score"] for r in risk.rows if r.get("score") is not None}
    rows = [{**r, "geopolrisk_score": scores.get(r["material"])} for r in result.rows]
    ranked = sorted((r for r in rows if r["risk_rank"] is not None), key=lambda r: r["risk_rank"])
    # Materials with a figure but no rank (basket codes, partial extracts) follow, labelled.
    ranked += [r for r in rows if r["risk_rank"] is None and r["import_value"] is not None]
    from grondstof.result import Field

    score_fields = [
        Field(
            "geopolrisk_score",
            "GeoPolRisk score",
            "number",
            description="HHI × import risk, 0–1 (grondstof geopolrisk)",
        ),
    ]
    result_ranked = type(result)(result.title, [*result.fields, *score_fields], ranked, result.meta)
    headline = result.meta["headline"]
    changes = _changes(request, importer.code, the_year, lang)
    alerts = optional(request, "watch", country=importer.code, lang=lang)
    top = [r for r in ranked if r["risk_rank"] is not None][:15]
    dependency_chart = charts.bar_chart(
        [{"material": r["material_name"], "risk": r["concentration_risk"]} for r in top],
        category="material",
        value="risk",
        title=translate("ranked_title", lang) + f" — {importer.name(lang)}, {the_year}",
        value_title=translate("ranked_axis", lang),
        axis_format=".2f",
    )
    query = {"country": importer.code, "year": the_year, "lang": lang}
    return {
        "importer": importer,
        "importer_name": importer.name(lang),
        "year": the_year,
        "headline": headline,
        "headline_totals": [_headline_total(total, lang) for total in headline["totals"]],
        "partner_threshold": _percent(headline["thresholds"]["partner_share"]),
        "producer_threshold": _percent(headline["thresholds"]["producer_share"]),
        "ranked": Table("overview", result_ranked, query, limit=40, fields=OVERVIEW_FIELDS),
        "dependency_chart": dependency_chart,
        "changes": changes,
        "alerts": Table("watch", alerts, {"country": importer.code, "lang": lang}, limit=10)
        if alerts
        else None,
        "scored": bool(scores),
    }


def _percent(share: float) -> str:
    return f"{share * 100:.0f} %"


def _headline_total(total: dict[str, Any], lang: str) -> dict[str, Any]:
    """One headline figure: a source's total in its own currency, with the materials it covers."""
    from grondstof.render import format_value

    def millions(value: float | None) -> str | None:
        if value is None:
            return None
        return format_value(value / 1e6, "number", lang) + " m " + total["currency"]

    return {
        "source": total["source"],
        "currency": total["currency"],
        "value": millions(total["value"]),
        "materials": ", ".join(total["materials"]),
        "count": len(total["materials"]),
        "basket_value": millions(total["basket_value"]),
        "basket_materials": ", ".join(total["basket_materials"]),
    }


def _changes(request: Request, importer: str, year: int, lang: str) -> Table | None:
    """Import value per material in the year before and the year, largest changes first."""
    try:
        result = run(
            request,
            "imports",
            material="all",
            country=importer,
            years=f"{year - 1}-{year}",
            by="year",
            lang=lang,
        )
    except GrondstofError:
        return None
    by_material: dict[str, dict[int, dict[str, Any]]] = {}
    for row in result.rows:
        by_material.setdefault(row["material"], {})[row["year"]] = row
    rows = []
    registry = materials()
    for material, per_year in by_material.items():
        now, before = per_year.get(year), per_year.get(year - 1)
        if not now or not before or not before["total_value"]:
            continue
        change = now["total_value"] - before["total_value"]
        rows.append(
            {
                "material_name": registry.get(material).name(lang),
                "before": before["total_value"],
                "now": now["total_value"],
                "change": change,
                "change_pct": change / before["total_value"],
                "top_partner_name": now["top_partner_name"],
                "top_share_change": (now["top_share"] or 0) - (before["top_share"] or 0),
                "currency": now["currency"],
            }
        )
    rows.sort(key=lambda r: -abs(r["change"]))
    from grondstof.result import Field, Result

    fields = [
        Field("material_name", translate("material", lang)),
        Field("before", str(year - 1), "money"),
        Field("now", str(year), "money"),
        Field("currency", "Currency"),
        Field("change_pct", "Δ %", "share"),
        Field("top_partner_name", "Top partner"),
        Field("top_share_change", "Δ top-partner share (points)", "share"),
    ]
    changes = Result(translate("changes_title", lang), fields, rows[:12], result.meta)
    return Table(
        "imports",
        changes,
        {"material": "all", "country": importer, "years": f"{year - 1}-{year}", "by": "year", "lang": lang},
        limit=12,
        fields=[f.name for f in fields],
    )


def material_view(request: Request, material: str, country: str, lang: str) -> dict[str, Any]:
    """Material page data: world map and HHI trend, partners over time, risk scores, controls, CRMA."""
    mat = materials().resolve(material)
    importer = countries().resolve_importer(country)
    out: dict[str, Any] = {
        "material": mat,
        "material_name": mat.name(lang),
        "importer": importer,
        "importer_name": importer.name(lang),
        "coverage": mat.coverage_note(lang),
    }
    latest = optional(request, "supply", material=mat.id, lang=lang)
    if latest is not None and latest.rows:
        period = latest.rows[0]["period"]  # a year, or the EU 2023 study's ≈2016–2020
        out["map"] = charts.world_map(
            latest.rows,
            iso_numeric=_iso_numeric(),
            country="country",
            value="share",
            title=f"{translate('world_map', lang)}, {period} ({latest.rows[0]['stage']})",
            legend_title=translate("share", lang),
        )
        out["supply"] = Table(
            "supply",
            latest,
            {"material": mat.id, "lang": lang},
            limit=10,
            fields=["period", "country_name", "quantity", "unit", "share", "flag"],
        )
    trend = optional(request, "supply", material=mat.id, years="2018-2024", by="year", lang=lang)
    if trend is not None and len(trend.rows) > 1:
        out["trend"] = charts.line_chart(
            sorted(trend.rows, key=lambda r: r["year"]),
            x="year",
            y="hhi",
            title=translate("hhi_trend", lang),
            y_title="HHI",
            rules=[(0.25, "HHI 0.25")],
        )
        out["trend_table"] = Table(
            "supply",
            trend,
            {"material": mat.id, "years": "2018-2024", "by": "year", "lang": lang},
            limit=10,
            fields=["year", "hhi", "top3_share", "top_country_name", "top_share", "countries"],
        )
    current = optional(request, "imports", material=mat.id, country=importer.code, by="year", lang=lang)
    if current is not None and current.rows:
        source = current.meta["query"]["source"]
        last = current.rows[0]["year"]
        span = request.app.state.store.source_info(source).get("years") or [last, last]
        years = f"{max(span[0], last - 14)}-{last}"
        history = optional(
            request, "imports", material=mat.id, country=importer.code, years=years, source=source, lang=lang
        )
        if history is not None and history.rows:
            currency = history.rows[0]["currency"]
            out["partners_chart"] = charts.stacked_area(
                history.rows,
                x="year",
                value="value",
                color="partner_name",
                title=translate("partners_over_time", lang, country=importer.name(lang)),
                value_title=f"{translate('value', lang)} ({currency})",
            )
            if any(r["tonnes"] for r in history.rows):
                out["tonnes_chart"] = charts.stacked_area(
                    history.rows,
                    x="year",
                    value="tonnes",
                    color="partner_name",
                    title=translate("partners_tonnes", lang),
                    value_title="t",
                )
            query = {
                "material": mat.id,
                "country": importer.code,
                "years": years,
                "source": source,
                "lang": lang,
            }
            out["partners"] = Table(
                "imports",
                history,
                query,
                limit=15,
                fields=["year", "partner_name", "value", "currency", "tonnes", "value_share", "tonnes_share"],
            )
            summary_query = {
                "material": mat.id,
                "country": importer.code,
                "years": years,
                "source": source,
                "by": "year",
                "lang": lang,
            }
            summary = optional(request, "imports", **summary_query)
            if summary is not None:
                out["summary"] = Table(
                    "imports",
                    summary,
                    summary_query,
                    limit=15,
                    fields=[
                        "year",
                        "total_value",
                        "currency",
                        "total_tonnes",
                        "partners",
                        "hhi",
                        "top_partner_name",
                        "top_share",
                    ],
                )
    risks = []
    risk_calls = (
        ("geopolrisk", {"material": mat.id, "country": importer.code}),
        ("eu_sr", {"material": mat.id}),  # the EU view (2023 method) beside the published SR
        ("dera", {"material": mat.id}),  # world production screening
    )
    for name, params in risk_calls:
        result = optional(request, name, lang=lang, **params)
        if result is not None and result.rows:
            risks.append(Table(name, result, {**params, "lang": lang}, limit=6))
    out["risks"] = risks
    controls = optional(request, "controls", material=mat.id, lang=lang)
    out["controls"] = (
        Table("controls", controls, {"material": mat.id, "lang": lang}, limit=10) if controls else None
    )
    crma = optional(request, "crma", lang=lang)
    if crma is not None:
        rows = [r for r in crma.rows if r.get("material") == mat.id]
        if rows:
            crma = type(crma)(crma.title, crma.fields, rows, crma.meta)
            out["crma"] = Table("crma", crma, {"lang": lang}, limit=10)
    return out


def compare_view(
    request: Request, material: str, group: str, year: str | None, lang: str, highlight: str
) -> dict[str, Any]:
    """Compare page data: importers side by side for one material."""
    mat = materials().resolve(material)
    result = run(request, "compare", material=mat.id, countries=group, year=year, lang=lang)
    focus = countries().resolve_importer(highlight).code
    rows = [r for r in result.rows if r["importer"] != "EU27"]
    for row in rows:
        row["label"] = row["importer_name"] + (" ◀" if row["importer"] == focus else "")
    currency = rows[0]["currency"] if rows else ""
    value_chart = charts.bar_chart(
        rows,
        category="label",
        value="total_value",
        title=f"{mat.name(lang)}: {translate('value', lang)} ({currency})",
        value_title=currency,
        limit=28,
    )
    share_chart = charts.bar_chart(
        rows,
        category="label",
        value="top_share",
        percent=True,
        title=f"{mat.name(lang)}: top-partner share",
        value_title="share",
        limit=28,
    )
    query = {
        "material": mat.id,
        "countries": group,
        "year": year or result.rows[0]["year"] if result.rows else "",
        "lang": lang,
    }
    return {
        "material": mat,
        "material_name": mat.name(lang),
        "group": group,
        "year": result.rows[0]["year"] if result.rows else year,
        "main_table": Table(
            "compare",
            result,
            query,
            limit=30,
            fields=[
                "importer_name",
                "total_value",
                "currency",
                "total_tonnes",
                "partners",
                "hhi",
                "top_partner_name",
                "top_share",
            ],
        ),
        "value_chart": value_chart,
        "share_chart": share_chart,
    }


def partner_view(
    request: Request, country: str, partner: str, years: str | None, source: str, lang: str
) -> dict[str, Any]:
    """Partner page data: imports from one partner by material and year."""
    importer = countries().resolve_importer(country)
    supplier = countries().resolve(partner, parameter="partner")
    query = {
        "country": importer.code,
        "partner": supplier.iso3,
        "years": years,
        "source": source,
        "lang": lang,
    }
    per_year = run(request, "partner", by="year", **query)
    per_material = run(request, "partner", **query)
    currency = per_year.rows[0]["currency"] if per_year.rows else ""
    area = charts.stacked_area(
        per_material.rows,
        x="year",
        value="value",
        color="material_name",
        top=7,
        title=translate("partner_title", lang, country=importer.name(lang), partner=supplier.name(lang)),
        value_title=f"{translate('value', lang)} ({currency})",
    )
    return {
        "importer": importer,
        "importer_name": importer.name(lang),
        "partner": supplier,
        "partner_name": supplier.name(lang),
        "source": source,
        "years": years or "",
        "area": area,
        "per_year": Table(
            "partner",
            per_year,
            {**query, "by": "year"},
            limit=40,
            fields=[
                "year",
                "value",
                "retained_value",
                "basket_value",
                "currency",
                "materials",
                "value_change_pct",
                "top_material_name",
            ],
        ),
        "per_material": Table(
            "partner",
            per_material,
            query,
            limit=30,
            fields=[
                "year",
                "material_name",
                "value",
                "retained_value",
                "currency",
                "tonnes",
                "share_of_imports",
                "basket",
            ],
        ),
    }
