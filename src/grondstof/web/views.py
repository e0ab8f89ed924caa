"""The compare and partner pages: one analysis each, laid out as tables and charts.

The overview and material pages are documents (:mod:`grondstof.documents`), shared with their reports.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from grondstof import charts
from grondstof.i18n import translate
from grondstof.registry.countries import countries
from grondstof.registry.materials import materials
from grondstof.web.templating import Table, run


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
