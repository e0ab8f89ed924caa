"""API routes for the scenarios: cut-off, Monte Carlo, stockpile, transition, technologies, mass balance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from grondstof.web.api import Country, Lang, Material, Page, PageSize, Text, Years, respond, run
from grondstof.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1/scenario", responses=PROBLEM_RESPONSES)
balance_router = APIRouter(prefix="/api/v1", responses=PROBLEM_RESPONSES)
Materials = Annotated[
    str, Query(min_length=1, max_length=500, description="Materials: names, comma list, all, crm, strategic.")
]


@router.get("/cutoff", summary="A supplier stops exporting (grondstof scenario cutoff)")
async def cutoff(
    request: Request,
    preset: Text = None,
    materials: Annotated[str | None, Query(max_length=500)] = None,
    suppliers: Annotated[str | None, Query(max_length=200)] = None,
    country: Annotated[str | None, Query(max_length=200)] = None,
    share: Annotated[float | None, Query(ge=0, le=1)] = None,
    months: Annotated[float | None, Query(gt=0, le=60)] = None,
    destination: Text = None,
    stock_days: Annotated[float | None, Query(ge=0, le=3650)] = None,
    ramp_up: Annotated[float | None, Query(ge=0, le=10)] = None,
    year: Annotated[int | None, Query(ge=1988, le=2100)] = None,
    lang: Lang = "en",
    page: Page = 1,
    page_size: PageSize = 500,
) -> Response:
    from grondstof.scenarios.cutoff import cutoff_scenario as fn

    options = {
        k: v
        for k, v in {
            "materials": materials,
            "suppliers": suppliers,
            "country": country,
            "share": share,
            "months": months,
            "destination": destination,
            "stock_days": stock_days,
            "ramp_up": ramp_up,
            "year": year,
        }.items()
        if v is not None
    }
    result = await run(request, "cutoff", fn, preset=preset, lang=lang, **options)
    return respond(result, page, page_size)


@router.get("/montecarlo", summary="Monte Carlo disruptions (grondstof scenario montecarlo)")
async def montecarlo(
    request: Request,
    country: Annotated[str, Query(min_length=1, max_length=100)] = "NL",
    materials: Annotated[str, Query(min_length=1, max_length=500)] = "strategic",
    draws: Annotated[int, Query(ge=100, le=200_000)] = 20_000,
    seed: Annotated[int, Query(ge=0, le=2**31)] = 42,
    cover_percentile: Annotated[float, Query(gt=0, lt=100)] = 95.0,
    lang: Lang = "en",
    page: Page = 1,
    page_size: PageSize = 500,
) -> Response:
    from grondstof.scenarios.montecarlo import montecarlo as fn

    result = await run(
        request,
        "montecarlo",
        fn,
        country=country,
        materials=materials,
        draws=draws,
        seed=seed,
        cover_percentile=cover_percentile,
        lang=lang,
    )
    return respond(result, page, page_size)


@router.get("/presets", summary="Cut-off presets from the export-control timeline")
async def presets(request: Request, lang: Lang = "en") -> Response:
    from grondstof.scenarios.presets import list_presets as fn

    return respond(await run(request, "presets", fn, lang=lang), 1, 500)


@router.get("/stockpile", summary="Stockpile planner: days of cover or a budget (grondstof stockpile)")
async def stockpile(
    request: Request,
    country: Annotated[str, Query(min_length=1, max_length=200)] = "NL",
    materials: Annotated[str, Query(min_length=1, max_length=500)] = "strategic",
    days: Annotated[
        str | None, Query(max_length=40, description="Days of cover, e.g. 90 or 60,90,180.")
    ] = None,
    budget: Annotated[float | None, Query(gt=0, le=1e12)] = None,
    confidence: Annotated[float, Query(gt=0, lt=1)] = 0.95,
    holding_cost: Annotated[float, Query(ge=0, le=1)] = 0.05,
    basis: Annotated[str, Query(pattern="^(imports|net-imports|consumption)$")] = "imports",
    compare: Annotated[str | None, Query(max_length=100)] = None,
    lang: Lang = "en",
    page: Page = 1,
    page_size: PageSize = 500,
) -> Response:
    from grondstof.scenarios.stockpile import stockpile as fn

    result = await run(
        request,
        "stockpile",
        fn,
        country=country,
        materials=materials,
        days=days,
        budget=budget,
        confidence=confidence,
        holding_cost=holding_cost,
        basis=basis,
        compare=compare,
        lang=lang,
    )
    return respond(result, page, page_size)


@router.get("/transition", summary="Energy-transition material demand (grondstof transition)")
async def transition(
    request: Request,
    scenario: Annotated[
        str, Query(pattern="^nl-2035$", description="A shipped scenario (files only via the CLI).")
    ] = "nl-2035",
    by: Annotated[str, Query(pattern="^(year|technology|material|lever)$")] = "year",
    lang: Lang = "en",
    page: Page = 1,
    page_size: PageSize = 500,
) -> Response:
    from grondstof.scenarios.transition import transition as fn

    return respond(await run(request, "transition", fn, scenario=scenario, by=by, lang=lang), page, page_size)


@router.get("/technologies", summary="Materials per MW and per MWh by technology (grondstof technologies)")
async def technologies(
    request: Request,
    per: Annotated[str, Query(pattern="^(MW|MWh)$")] = "MW",
    materials: Annotated[str | None, Query(max_length=500)] = None,
    weight: Annotated[str, Query(pattern="^(none|supply-risk)$")] = "supply-risk",
    by: Annotated[str, Query(pattern="^(material|technology)$")] = "material",
    lang: Lang = "en",
    page: Page = 1,
    page_size: PageSize = 500,
) -> Response:
    from grondstof.scenarios.technologies import technologies as fn

    result = await run(
        request, "technologies", fn, per=per, materials=materials, weight=weight, by=by, lang=lang
    )
    return respond(result, page, page_size)


@balance_router.get("/balance", summary="Mass balance of a material (grondstof balance)")
async def balance(
    request: Request,
    material: Material,
    country: Country,
    year: Years = None,
    basis: Annotated[str, Query(pattern="^(gross|content)$")] = "gross",
    stage: Text = None,
    source: Text = None,
    lang: Lang = "en",
    page: Page = 1,
    page_size: PageSize = 500,
) -> Response:
    from grondstof.scenarios.massbalance import balance as fn

    result = await run(
        request,
        "balance",
        fn,
        material=material,
        country=country,
        year=year,
        basis=basis,
        stage=stage,
        source=source,
        lang=lang,
    )
    return respond(result, page, page_size)


@balance_router.get(
    "/net-trade", summary="Exports, imports and net exports incl. scrap (grondstof net-trade)"
)
async def net_trade(
    request: Request,
    country: Country,
    materials: Annotated[str, Query(min_length=1, max_length=500)] = "all",
    year: Years = None,
    lang: Lang = "en",
    page: Page = 1,
    page_size: PageSize = 500,
) -> Response:
    from grondstof.scenarios.massbalance import net_trade as fn

    result = await run(request, "net_trade", fn, country=country, materials=materials, year=year, lang=lang)
    return respond(result, page, page_size)
