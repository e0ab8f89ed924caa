"""API routes for risk, CRMA benchmarks, export controls and the early-warning monitor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from grondstof.web.api import Country, Lang, Material, Page, PageSize, Text, Years, respond, run
from grondstof.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", responses=PROBLEM_RESPONSES)
Date = Annotated[str | None, Query(description="A date, YYYY-MM-DD (default today).", max_length=10)]


@router.get("/risk", summary="Supply risk: GeoPolRisk, EU method, DERA, or all side by side (grondstof risk)")
async def risk(
    request: Request,
    material: Material,
    country: Annotated[str, Query(min_length=1, max_length=200)] = "NL",
    years: Years = None,
    method: Annotated[str, Query(pattern="^(geopolrisk|eu-sr|dera|all)$")] = "geopolrisk",
    lang: Lang = "en",
    page: Page = 1,
    page_size: PageSize = 500,
) -> Response:
    from grondstof.indicators.risk import risk as fn

    result = await run(
        request, "risk", fn, material=material, country=country, years=years, method=method, lang=lang
    )
    return respond(result, page, page_size)


@router.get("/crma", summary="CRMA 2030 benchmarks per strategic raw material (grondstof crma)")
async def crma(
    request: Request,
    year: Years = None,
    material: Text = None,
    lang: Lang = "en",
    page: Page = 1,
    page_size: PageSize = 500,
) -> Response:
    from grondstof.indicators.crma import crma as fn

    result = await run(request, "crma", fn, year=year, material=material, lang=lang)
    return respond(result, page, page_size)


@router.get("/controls", summary="Export-control timeline with status on a date (grondstof controls)")
async def controls(
    request: Request,
    country: Text = None,
    material: Text = None,
    date: Date = None,
    lang: Lang = "en",
    page: Page = 1,
    page_size: PageSize = 500,
) -> Response:
    from grondstof.indicators.exposure import controls as fn

    result = await run(request, "controls", fn, country=country, material=material, date=date, lang=lang)
    return respond(result, page, page_size)


@router.get("/exposure", summary="An importer's exposure to export controls (grondstof controls --importer)")
async def exposure(
    request: Request,
    country: Country,
    material: Text = None,
    date: Date = None,
    controller: Text = None,
    lang: Lang = "en",
    page: Page = 1,
    page_size: PageSize = 500,
) -> Response:
    from grondstof.indicators.exposure import exposure as fn

    result = await run(
        request,
        "exposure",
        fn,
        country=country,
        material=material,
        date=date,
        controller=controller,
        lang=lang,
    )
    return respond(result, page, page_size)


@router.get("/watch", summary="Early-warning alerts ranked by severity (grondstof watch)")
async def watch(
    request: Request,
    country: Annotated[str, Query(min_length=1, max_length=100)] = "NL",
    since: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    limit: Annotated[int | None, Query(ge=1, le=5000)] = None,
    lang: Lang = "en",
    page: Page = 1,
    page_size: PageSize = 500,
) -> Response:
    from grondstof.monitor.signals import watch as fn

    result = await run(request, "watch", fn, country=country, since=since, limit=limit, lang=lang)
    return respond(result, page, page_size)


@router.get(
    "/watch.atom",
    summary="The alerts as an Atom feed",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}}},
)
async def watch_feed(
    request: Request,
    country: Annotated[str, Query(min_length=1, max_length=100)] = "NL",
    since: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    lang: Lang = "en",
) -> Response:
    from grondstof.monitor.feed import atom_feed
    from grondstof.monitor.signals import watch as fn

    result = await run(request, "watch", fn, country=country, since=since, limit=None, lang=lang)
    feed = atom_feed(result, feed_url=str(request.url))
    return Response(feed, media_type="application/atom+xml")
