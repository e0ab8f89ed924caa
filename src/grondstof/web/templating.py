"""What every dashboard page shares: templates, tables prepared for templates, charts, the page context,
error pages, and running an analysis of the registry through the app's cached runner.

Pages never compute a figure: they run registered analyses (:func:`run`, :func:`optional`) and lay out the
results; every table links to CSV and Excel downloads of exactly the data behind it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from grondstof.analyses import ANALYSES, analysis
from grondstof.errors import DataNotAvailableError, InputError
from grondstof.i18n import phrase, pick_lang, translate
from grondstof.render import format_value
from grondstof.result import Result

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
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
        self.title = result.title
        clean = {k: v for k, v in query.items() if v not in (None, "")}
        self.csv_url = f"/download/{name}.csv?{urlencode(clean)}" if name in ANALYSES else None
        self.xlsx_url = f"/download/{name}.xlsx?{urlencode(clean)}" if name in ANALYSES else None

    def heading(self, field: Any) -> str:
        """The column heading in the table's language."""
        from grondstof.i18n import label

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
    from grondstof.i18n import value_label

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
        from grondstof.i18n import value_label

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
        "chart": chart,
        "number": number,
        "value_label": readable,
        "phrase": lambda text: phrase(text, lang),
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
    """Run a registered analysis through the cached runner, its parameters validated as the API's are."""
    entry = analysis(name)
    arguments = entry.validate(params, web=True)
    return request.app.state.runner.run(entry.name, entry.load(), **arguments)


def optional(request: Request, name: str, **params: Any) -> Result | None:
    """Run an analysis that may not apply to this material or country: None when the data cannot answer
    (an :class:`InputError` or :class:`DataNotAvailableError`); a store problem or a bug still raises."""
    try:
        return run(request, name, **params)
    except (InputError, DataNotAvailableError):
        return None


def caller(request: Request) -> Any:
    """A document builder's ``call``: registered analyses through the app's cached runner, validated as the
    API validates them (:mod:`grondstof.documents`)."""

    def call(name: str, **params: Any) -> Result:
        return run(request, name, **params)

    return call


def document_sections(document: Any) -> list[dict[str, Any]]:
    """A document's sections for ``document.html``: figures as specs, tables prepared with their downloads."""
    out = []
    for section in document.sections:
        tables = []
        for doc_table in section.tables:
            prepared = Table(
                doc_table.analysis or "", doc_table.result, doc_table.params, doc_table.rows, doc_table.fields
            )
            prepared.title = doc_table.title
            tables.append(prepared)
        out.append(
            {
                "key": section.key,
                "heading": section.heading,
                "paragraphs": section.paragraphs,
                "figures": section.figures,
                "tables": tables,
            }
        )
    return out
