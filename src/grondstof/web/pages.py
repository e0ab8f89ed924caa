"""Dashboard pages: server-rendered HTML (Jinja2), charts as Vega-Lite specs drawn by the local bundle.

Every page calls the same library functions as the CLI and API (through the app's cached runner). Every
chart and table shows its source line (dataset, vintage) and links to CSV and Excel downloads of exactly
the data behind it. Pages work without JavaScript except for drawing charts; each chart has a text
description for screen readers and a data table beside it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from grondstof.errors import InputError
from grondstof.registry.countries import countries
from grondstof.registry.materials import materials
from grondstof.web.templating import caller, context, document_sections, error_page, page

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def overview_page(request: Request, country: str = "NL", year: str | None = None) -> Response:
    """The overview for one country: the country document (headline, ranked materials, changes, alerts)."""
    ctx = context(request)
    try:
        doc = _document(request, "country", country=country, year=year, lang=ctx["lang"])
    except InputError as exc:
        return error_page(request, 400, str(exc))
    importer = countries().resolve_importer(country)
    response = page(
        request,
        "overview.html",
        document=doc,
        sections=document_sections(doc),
        importer=importer,
        importer_name=importer.name(ctx["lang"]),
        year=doc.query["year"],
    )
    response.set_cookie("country", country, max_age=31_536_000, samesite="lax")
    return response


def _document(request: Request, kind: str, **params: Any) -> Any:
    from grondstof.documents import DOCUMENTS

    return DOCUMENTS[kind].build(caller(request), request.app.state.store, **params)


@router.get("/country/{code}")
def country_page(request: Request, code: str) -> Response:
    """A country's page is its overview."""
    return RedirectResponse(
        f"/?{urlencode({'country': code, **dict(request.query_params)})}", status_code=302
    )


@router.get("/material/{material}", response_class=HTMLResponse)
def material_page(request: Request, material: str, country: str | None = None) -> Response:
    """One material for an importer: the material document (world production, partners over time, risk,
    controls, CRMA), as in its report."""
    ctx = context(request)
    lang = ctx["lang"]
    try:
        mat = materials().resolve(material)
        importer = countries().resolve_importer(country or ctx["country_code"])
        doc = _document(request, "material", material=mat.id, country=importer.code, lang=lang)
    except InputError as exc:
        return error_page(request, 400, str(exc))
    return page(
        request,
        "material.html",
        document=doc,
        sections=document_sections(doc),
        material=mat,
        material_name=mat.name(lang),
        importer=importer,
        coverage=mat.coverage_note(lang),
    )


@router.get("/materials", response_class=HTMLResponse)
def materials_page(request: Request) -> Response:
    """The material list with links to each material page."""
    from grondstof.indicators.registry_views import list_materials

    lang = context(request)["lang"]
    result = list_materials("all", lang)
    return page(request, "materials.html", materials=result.rows)


@router.get("/compare", response_class=HTMLResponse)
def compare_page(
    request: Request, material: str = "cobalt", countries: str = "EU27", year: str | None = None
) -> Response:
    """Importers side by side for one material (default: the Netherlands among the EU members)."""
    from grondstof.web import views

    ctx = context(request)
    try:
        data = views.compare_view(request, material, countries, year, ctx["lang"], ctx["country_code"])
    except InputError as exc:
        return error_page(request, 400, str(exc))
    return page(request, "compare.html", **data)


@router.get("/partner", response_class=HTMLResponse)
def partner_page(
    request: Request,
    partner: str = "RU",
    country: str | None = None,
    years: str | None = None,
    source: str = "baci_hs92",
) -> Response:
    """Everything a country imports from one partner over time (the Russia question)."""
    from grondstof.web import views

    ctx = context(request)
    try:
        data = views.partner_view(
            request, country or ctx["country_code"], partner, years, source, ctx["lang"]
        )
    except InputError as exc:
        return error_page(request, 400, str(exc))
    return page(request, "partner.html", **data)


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request) -> Response:
    """Every source in the store with publisher, licence, version, hashes, rows and years."""
    catalog = request.app.state.store.catalog
    return page(request, "sources.html", catalog=catalog)


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """Point browsers at the SVG icon."""
    return RedirectResponse("/static/favicon.svg", status_code=301)
