"""Report downloads from the dashboard: ``/report/material/<id>.<html|pdf|xlsx>``, ``/report/country/…``."""

from __future__ import annotations

import threading

from fastapi import APIRouter, Request
from fastapi.responses import Response

from grondstof.errors import InputError

router = APIRouter(include_in_schema=False)
# Rendering uses the engine and vl-convert; one report at a time keeps memory and CPU bounded.
_LOCK = threading.Lock()
MEDIA = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def _send(report: object, fmt: str, filename: str) -> Response:
    from grondstof.report.render import write

    data = write(report, fmt)  # type: ignore[arg-type]
    disposition = "inline" if fmt in ("html", "json") else "attachment"
    return Response(
        data,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'{disposition}; filename="{filename}.{fmt}"'},
    )


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang", "en")
    if lang not in ("en", "nl"):
        raise InputError("lang", lang, "en or nl")
    return lang


def _build(request: Request, kind: str, **params: object) -> object:
    """The document ``kind`` with figures from the app's cached runner (one report renders at a time)."""
    from grondstof.documents import DOCUMENTS
    from grondstof.web.templating import caller

    return DOCUMENTS[kind].build(caller(request), request.app.state.store, lang=_lang(request), **params)


@router.get("/report/material/{material}.{fmt}")
def material_report(request: Request, material: str, fmt: str, country: str = "NL") -> Response:
    """A material report for an importer (the material page's document)."""
    if fmt not in MEDIA:
        raise InputError("format", fmt, "html, pdf, xlsx or json")
    with _LOCK:
        report = _build(request, "material", material=material, country=country)
        return _send(report, fmt, f"grondstof-{material}-{country}")


@router.get("/report/country/{country}.{fmt}")
def country_report(request: Request, country: str, fmt: str, year: str | None = None) -> Response:
    """A country report (the overview page's document)."""
    if fmt not in MEDIA:
        raise InputError("format", fmt, "html, pdf, xlsx or json")
    with _LOCK:
        report = _build(request, "country", country=country, year=year)
        return _send(report, fmt, f"grondstof-{country}")


@router.get("/report/scenario/{name}.{fmt}")
def scenario_report(request: Request, name: str, fmt: str) -> Response:
    """A report on one of the shipped example scenarios (a request never names a file path)."""
    from grondstof.scenarios.files import EXAMPLES

    if fmt not in MEDIA:
        raise InputError("format", fmt, "html, pdf, xlsx or json")
    shipped = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
    if name not in shipped:
        raise InputError("scenario", name, "one of the shipped scenarios: " + ", ".join(shipped))
    with _LOCK:
        report = _build(request, "scenario", scenario=name)
        return _send(report, fmt, f"grondstof-scenario-{name}")
