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
}


def _send(report: object, fmt: str, filename: str) -> Response:
    from grondstof.report.render import write

    data = write(report, fmt)  # type: ignore[arg-type]
    disposition = "inline" if fmt == "html" else "attachment"
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


@router.get("/report/material/{material}.{fmt}")
def material_report(request: Request, material: str, fmt: str, country: str = "NL") -> Response:
    """A material report for an importer."""
    from grondstof.report.builders import material_report as build

    if fmt not in MEDIA:
        raise InputError("format", fmt, "html, pdf or xlsx")
    with _LOCK, request.app.state.runner._lock:
        report = build(material, country, store=request.app.state.store, lang=_lang(request))
        return _send(report, fmt, f"grondstof-{material}-{country}")


@router.get("/report/country/{country}.{fmt}")
def country_report(request: Request, country: str, fmt: str, year: str | None = None) -> Response:
    """A country report."""
    from grondstof.report.builders import country_report as build

    if fmt not in MEDIA:
        raise InputError("format", fmt, "html, pdf or xlsx")
    with _LOCK, request.app.state.runner._lock:
        report = build(country, year=year, store=request.app.state.store, lang=_lang(request))
        return _send(report, fmt, f"grondstof-{country}")


@router.get("/report/scenario/{name}.{fmt}")
def scenario_report(request: Request, name: str, fmt: str) -> Response:
    """A report on one of the shipped example scenarios (a request never names a file path)."""
    from grondstof.report.builders import scenario_report as build
    from grondstof.scenarios.files import EXAMPLES

    if fmt not in MEDIA:
        raise InputError("format", fmt, "html, pdf or xlsx")
    shipped = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
    if name not in shipped:
        raise InputError("scenario", name, "one of the shipped scenarios: " + ", ".join(shipped))
    with _LOCK, request.app.state.runner._lock:
        report = build(name, store=request.app.state.store, lang=_lang(request))
        return _send(report, fmt, f"grondstof-scenario-{name}")
