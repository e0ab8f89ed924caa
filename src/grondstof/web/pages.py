"""Dashboard pages: server-rendered HTML (Jinja2), charts as Vega-Lite specs drawn by the local bundle.

Every page calls the same library functions as the CLI and API (through the app's cached runner). Every
chart and table shows its source line (dataset, vintage) and links to CSV and Excel downloads of exactly
the data behind it. Pages work without JavaScript except for drawing charts; each chart has a text
description for screen readers and a data table beside it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from grondstof.errors import GrondstofError, InputError
from grondstof.render import format_value
from grondstof.result import Result
from grondstof.web.analyses import ANALYSES
from grondstof.web.i18n import phrase, pick_lang, translate

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)
TABLE_ROWS = 25


class Table:
    """A result prepared for a template: visible fields, formatted cells, source and download links."""

    def __init__(
        self,
        name: str,
        result: Result,
        query: dict[str, Any],
        limit: int = TABLE_ROWS,
        fields: list[str] | None = None,
    ) -> None:
        from grondstof.render import _visible

        self.lang = str(query.get("lang", "en"))
        self.name = name
        self.result = result
        chosen = [f for f in result.fields if f.name in fields] if fields else result.fields
        self.fields, self.caption = _visible(chosen, result.rows) if not fields else (chosen, [])
        if fields:
            self.fields = sorted(self.fields, key=lambda f: fields.index(f.name))
        self.rows = [
            [
                (format_value(_shown(row.get(f.name), f.kind, self.lang), f.kind, self.lang), f.kind)
                for f in self.fields
            ]
            for row in result.rows[:limit]
        ]
        self.more = max(0, len(result.rows) - limit)
        clean = {k: v for k, v in query.items() if v not in (None, "")}
        self.csv_url = f"/download/{name}.csv?{urlencode(clean)}" if name in ANALYSES else None
        self.xlsx_url = f"/download/{name}.xlsx?{urlencode(clean)}" if name in ANALYSES else None

    def heading(self, field: Any) -> str:
        """The column heading in the table's language."""
        from grondstof.web.i18n import label

        return label(field.label, self.lang)

    @property
    def sources(self) -> list[str]:
        """One line per source: title — version (licence)."""
        out = []
        for s in self.result.meta.get("sources", []):
            line = s.get("title", "")
            if s.get("version"):
                line += f" — {s['version']}"
            if s.get("licence"):
                line += f" ({s['licence']})"
            out.append(line)
        return out

    @property
    def notes(self) -> list[str]:
        """The result's notes."""
        return [str(n) for n in self.result.meta.get("notes", [])]


def _shown(value: Any, kind: str, lang: str) -> Any:
    """A text cell in the page language: codes (signal kinds, statuses, material ids) become words."""
    from grondstof.web.i18n import value_label

    return value_label(value, lang) if kind == "text" else value


def chart(spec: dict[str, Any]) -> Markup:
    """A figure holding a Vega-Lite spec; ``app.js`` draws it, the description is its text alternative."""
    description = spec.get("description", "")
    payload = json.dumps(spec, ensure_ascii=False).replace("</", "<\\/")
    return Markup(
        '<figure class="chart" role="img" aria-label="{label}">'
        '<div class="vega" data-spec="{spec}"></div>'
        '<figcaption class="visually-hidden">{label}</figcaption></figure>'
    ).format(label=description, spec=payload)


def context(request: Request, **values: Any) -> dict[str, Any]:
    """What every template gets: language, translation function, selected country, navigation."""
    lang = pick_lang(request.query_params.get("lang"), request.cookies.get("lang"))
    country = request.query_params.get("country") or request.cookies.get("country") or "NL"

    def t(key: str, **kw: Any) -> str:
        return translate(key, lang, **kw)

    def number(value: Any) -> str:
        """A figure rounded to what the data support, in the page language (354.502 → 355)."""
        kind = "int" if isinstance(value, int) and not isinstance(value, bool) else "number"
        return format_value(value, kind, lang)

    def readable(value: Any) -> Any:
        from grondstof.web.i18n import value_label

        return value_label(value, lang)

    def with_lang(target: str) -> str:
        params = dict(request.query_params)
        params["lang"] = target
        return f"{request.url.path}?{urlencode(params)}"

    return {
        "request": request,
        "lang": lang,
        "t": t,
        "country_code": country,
        "with_lang": with_lang,
        "number": number,
        "value_label": readable,
        "phrase": lambda text: phrase(text, lang),
        "chart": chart,
        "chart_markup": chart,  # for templates whose own variable is called chart
        "path": request.url.path,
        **values,
    }


def page(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """Render a page; remember an explicit ``?lang=`` / ``?country=`` in cookies."""
    ctx = context(request, **values)
    response = TEMPLATES.TemplateResponse(request, template, ctx, status_code=status)
    if request.query_params.get("lang") in ("en", "nl"):
        response.set_cookie("lang", request.query_params["lang"], max_age=31_536_000, samesite="lax")
    return response


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """An HTML error page (for page routes; the API answers problem+json)."""
    return page(request, "error.html", status=status, message=message)


def run(request: Request, name: str, **params: Any) -> Result:
    """Run a named analysis through the cached runner."""
    analysis = ANALYSES[name]
    arguments = {analysis.rename.get(k, k): v for k, v in params.items()}
    return request.app.state.runner.run(name, analysis.load(), **arguments)


def optional(request: Request, name: str, **params: Any) -> Result | None:
    """Run an analysis that may be missing from this build or may not apply; None instead of an error."""
    if name not in ANALYSES:
        return None
    try:
        return run(request, name, **params)
    except GrondstofError:
        return None


@router.get("/", response_class=HTMLResponse)
def overview_page(request: Request, country: str = "NL", year: str | None = None) -> Response:
    """The overview for one country: materials ranked by risk, alerts, headline figures, changes."""
    from grondstof.web import views

    ctx = context(request)
    try:
        data = views.overview_view(request, country, year, ctx["lang"])
    except InputError as exc:
        return error_page(request, 400, str(exc))
    response = page(request, "overview.html", **data)
    response.set_cookie("country", country, max_age=31_536_000, samesite="lax")
    return response


@router.get("/country/{code}")
def country_page(request: Request, code: str) -> Response:
    """A country's page is its overview."""
    return RedirectResponse(
        f"/?{urlencode({'country': code, **dict(request.query_params)})}", status_code=302
    )


@router.get("/material/{material}", response_class=HTMLResponse)
def material_page(request: Request, material: str, country: str | None = None) -> Response:
    """One material: world production map and trend, the importer's partners over time, risk, controls."""
    from grondstof.web import views

    ctx = context(request)
    try:
        data = views.material_view(request, material, country or ctx["country_code"], ctx["lang"])
    except InputError as exc:
        return error_page(request, 400, str(exc))
    return page(request, "material.html", **data)


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
