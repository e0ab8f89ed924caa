"""The JSON API under ``/api/v1``: one route per analysis, with the CLI's parameters and field names.

Every route returns ``{"meta": {...}, "rows": [...]}`` exactly as ``grondstof <command> --json`` does, plus
``meta.page`` for pagination (``page``, ``page_size``). Parameters are passed to the library as given;
the library validates them, so an unknown material or country is a 400 problem+json naming the parameter
with suggestions, never a 500. The API is read-only: no route changes the store.
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from grondstof.result import Result
from grondstof.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", responses=PROBLEM_RESPONSES)

MAX_PAGE_SIZE = 5000

Page = Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1.")]
PageSize = Annotated[
    int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"Rows per page (at most {MAX_PAGE_SIZE}).")
]
Material = Annotated[
    str,
    Query(
        description="Material: English/Dutch name, symbol or alias; comma list; all.",
        min_length=1,
        max_length=500,
    ),
]
Country = Annotated[
    str,
    Query(
        description="Importer(s): ISO2/ISO3, English/Dutch name, EU27; comma list.",
        min_length=1,
        max_length=500,
    ),
]
Years = Annotated[str | None, Query(description="A year (2022) or a range (2015-2024).", max_length=20)]
Lang = Annotated[str, Query(description="Names in 'en' or 'nl'.", pattern="^(en|nl)$")]
Text = Annotated[str | None, Query(max_length=200)]


def respond(result: Result, page: int, page_size: int) -> Response:
    """Serialise a result with one page of its rows (the JSON text is cached per result and page)."""
    # Results are immutable once computed, so their serialised pages are kept on the object itself.
    pages: dict[tuple[int, int], bytes] = result.__dict__.setdefault("_json_pages", {})
    body = pages.get((page, page_size))
    if body is None:
        body = json.dumps(_page(result, page, page_size), ensure_ascii=False).encode("utf-8")
        if len(pages) < 64:
            pages[(page, page_size)] = body
    return Response(body, media_type="application/json")


def _page(result: Result, page: int, page_size: int) -> dict[str, Any]:
    body = result.to_dict()
    total = len(body["rows"])
    start = (page - 1) * page_size
    body["rows"] = body["rows"][start : start + page_size]
    body["meta"]["page"] = {
        "page": page,
        "page_size": page_size,
        "total_rows": total,
        "total_pages": max(1, math.ceil(total / page_size)),
    }
    return body


async def run(request: Request, name: str, fn: Any, **params: Any) -> Result:
    """Run an analysis through the app's cached runner: answered on the event loop when cached, in a worker
    thread otherwise (the engine work must not block other requests)."""
    runner = request.app.state.runner
    cached = runner.cached(name, **params)
    if cached is not None:
        return cached
    return await run_in_threadpool(runner.run, name, fn, **params)


@router.get("/supply", summary="World production by country: shares, HHI, top-3 (grondstof supply)")
async def supply(
    request: Request,
    material: Material,
    years: Years = None,
    stage: Text = None,
    source: Text = None,
    by: Annotated[str, Query(pattern="^(country|year)$")] = "country",
    lang: Lang = "en",
    page: Page = 1,
    page_size: PageSize = 500,
) -> Response:
    from grondstof.indicators.supply import supply as fn

    result = await run(
        request, "supply", fn, material=material, years=years, stage=stage, source=source, by=by, lang=lang
    )
    return respond(result, page, page_size)


@router.get("/imports", summary="Imports by partner: value, tonnes, shares, import HHI (grondstof imports)")
async def imports(
    request: Request,
    material: Material,
    country: Country,
    years: Years = None,
    source: Text = None,
    stage: Text = None,
    share_from: Annotated[
        str | None, Query(alias="from", max_length=200, description="Report the share from these partners.")
    ] = None,
    by: Annotated[str, Query(pattern="^(partner|year)$")] = "partner",
    lang: Lang = "en",
    page: Page = 1,
    page_size: PageSize = 500,
) -> Response:
    from grondstof.indicators.dependency import imports as fn

    result = await run(
        request,
        "imports",
        fn,
        material=material,
        country=country,
        years=years,
        source=source,
        stage=stage,
        share_from=share_from,
        by=by,
        lang=lang,
    )
    return respond(result, page, page_size)


@router.get("/partner", summary="Everything a country imports from one partner (grondstof partner)")
async def partner(
    request: Request,
    country: Country,
    partner: Annotated[str, Query(min_length=1, max_length=100, description="The supplying country.")],
    years: Years = None,
    source: Annotated[str, Query(max_length=40)] = "baci_hs92",
    by: Annotated[str, Query(pattern="^(material|year)$")] = "material",
    include_fuels: bool = False,
    lang: Lang = "en",
    page: Page = 1,
    page_size: PageSize = 500,
) -> Response:
    from grondstof.indicators.partner import partner_imports as fn

    result = await run(
        request,
        "partner",
        fn,
        country=country,
        partner=partner,
        years=years,
        source=source,
        by=by,
        include_fuels=include_fuels,
        lang=lang,
    )
    return respond(result, page, page_size)


@router.get("/compare", summary="Several importers side by side (grondstof compare)")
async def compare(
    request: Request,
    material: Material,
    countries: Country,
    year: Years = None,
    source: Text = None,
    stage: Text = None,
    share_from: Annotated[str | None, Query(alias="from", max_length=200)] = None,
    lang: Lang = "en",
    page: Page = 1,
    page_size: PageSize = 500,
) -> Response:
    from grondstof.indicators.dependency import compare as fn

    result = await run(
        request,
        "compare",
        fn,
        material=material,
        countries_=countries,
        year=year,
        source=source,
        stage=stage,
        share_from=share_from,
        lang=lang,
    )
    return respond(result, page, page_size)


@router.get("/overview", summary="One row per material for a country (grondstof overview)")
async def overview(
    request: Request,
    country: Annotated[str, Query(min_length=1, max_length=100)] = "NL",
    year: Years = None,
    lang: Lang = "en",
    page: Page = 1,
    page_size: PageSize = 500,
) -> Response:
    from grondstof.indicators.overview import overview as fn

    result = await run(request, "overview", fn, country=country, year=year, lang=lang)
    return respond(result, page, page_size)


@router.get("/materials", summary="The material registry (grondstof materials)")
def materials(
    request: Request,
    list_: Annotated[str, Query(alias="list", pattern="^(all|crm|strategic)$")] = "all",
    lang: Lang = "en",
    page: Page = 1,
    page_size: PageSize = 500,
) -> Response:
    from grondstof.indicators.registry_views import list_materials

    return respond(list_materials(list_, lang), page, page_size)


@router.get("/countries", summary="The country concordance (grondstof countries)")
def countries(request: Request, eu: bool = False, page: Page = 1, page_size: PageSize = 500) -> Response:
    from grondstof.indicators.registry_views import list_countries

    return respond(list_countries(eu), page, page_size)


@router.get("/sources", summary="The sources in the store, with provenance (grondstof data)")
def sources(request: Request) -> JSONResponse:
    store = request.app.state.store
    rows = [
        {
            k: s.get(k)
            for k in (
                "id",
                "title",
                "publisher",
                "licence",
                "version",
                "status",
                "rows",
                "years",
                "citation",
                "url",
                "notes",
            )
        }
        | {
            "sha256": [f["sha256"] for f in s.get("files", [])],
            "files": [f["path"] for f in s.get("files", [])],
        }
        for s in store.catalog["sources"]
    ]
    meta = {
        "built_at": store.catalog.get("built_at"),
        "grondstof_version": store.catalog.get("grondstof_version"),
    }
    return JSONResponse({"meta": meta, "rows": rows})
