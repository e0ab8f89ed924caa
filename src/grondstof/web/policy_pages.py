"""Dashboard pages for policy monitoring: the CRMA benchmark tracker and the early-warning alerts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from grondstof.errors import InputError
from grondstof.web.templating import Table, context, error_page, page, run

router = APIRouter(include_in_schema=False)


@router.get("/benchmarks", response_class=HTMLResponse)
def benchmarks_page(request: Request, year: str | None = None) -> Response:
    """The CRMA 2030 benchmark tracker: one row per strategic material, one column per benchmark."""
    lang = context(request)["lang"]
    try:
        result = run(request, "crma", year=year, lang=lang)
    except InputError as exc:
        return error_page(request, 400, str(exc))
    columns: list[str] = []
    matrix: dict[str, dict[str, Any]] = {}
    for row in result.rows:
        column = row["benchmark"] + (f" ({row['stage']})" if row["benchmark"] == "diversification" else "")
        column += " · trade" if str(row.get("source", "")).startswith(("baci", "comext")) else ""
        if column not in columns:
            columns.append(column)
        entry = matrix.setdefault(row["material"], {"name": row.get("material_name") or row["material"]})
        entry[column] = row
    table = Table("crma", result, {"year": year or "", "lang": lang}, limit=200)
    return page(request, "benchmarks.html", columns=columns, matrix=matrix, main_table=table, result=result)


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, country: str | None = None, since: str | None = None) -> Response:
    """Early-warning alerts for a country, ranked, with the Atom feed link."""
    ctx = context(request)
    country = country or ctx["country_code"]
    try:
        result = run(
            request,
            "watch",
            country=country,
            since=since or None,
            limit=100,
            lang=ctx["lang"],
        )
    except InputError as exc:
        return error_page(request, 400, str(exc))
    table = Table(
        "watch",
        result,
        {"country": country, "lang": ctx["lang"]},
        limit=100,
        fields=["rank", "severity", "title", "signal", "material_name", "partner_name", "year", "source"],
    )
    feed = f"/api/v1/watch.atom?country={country}&lang={ctx['lang']}"
    return page(request, "alerts.html", main_table=table, feed=feed, country=country, since=since or "")
