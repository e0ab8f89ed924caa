"""Report downloads from the dashboard: ``/report/material/<id>.<html|pdf|xlsx|json>``, ``/report/country/…``.

Reports are the documents of :mod:`grondstof.documents` rendered to a file. They are heavy requests: made in
the heavy-request pool (worker processes with admission limits and a time limit, :mod:`grondstof.web.heavy`)
through the runner, which also keeps each rendered report in its result cache.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from grondstof.errors import InputError
from grondstof.web.security import REPORT_CSP, content_disposition

router = APIRouter(include_in_schema=False)
MEDIA = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def render_report(kind: str, arguments: dict[str, Any], fmt: str, store: Any) -> tuple[bytes, list[str]]:
    """Build the document ``kind`` (``material``, ``country`` or ``scenario``) on ``store`` and render it.

    Runs in a heavy-request worker: figures come straight from the store's analyses, validated as the CLI
    validates them (:func:`grondstof.documents.on_store`). Returns the file and the parts of its name: the
    document's resolved query values (material id, country code, shipped scenario name), never the raw path.
    """
    from grondstof.documents import DOCUMENTS, on_store
    from grondstof.report.render import write

    report = DOCUMENTS[kind].build(on_store(store), store, **arguments)
    query = report.query
    parts = {
        "material": ["material", "country"],
        "country": ["country"],
        "scenario": ["scenario"],
    }[kind]
    name = (["scenario"] if kind == "scenario" else []) + [str(query[p]) for p in parts]
    return write(report, fmt), name


async def _send(request: Request, kind: str, arguments: dict[str, Any], fmt: str) -> Response:
    """The report as a file named ``grondstof-<name parts>.<fmt>``."""
    if fmt not in MEDIA:
        raise InputError("format", fmt, "html, pdf, xlsx or json")
    arguments["lang"] = _lang(request)
    data, name = await run_in_threadpool(request.app.state.runner.report, kind, arguments, fmt)
    disposition = "inline" if fmt in ("html", "json") else "attachment"
    headers = {"Content-Disposition": content_disposition(disposition, "-".join(("grondstof", *name)), fmt)}
    if fmt == "html":
        headers["Content-Security-Policy"] = REPORT_CSP  # its own <style>, inline SVG, no script
    return Response(data, media_type=MEDIA[fmt], headers=headers)


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang", "en")
    if lang not in ("en", "nl"):
        raise InputError("lang", lang, "en or nl")
    return lang


@router.get("/report/material/{material}.{fmt}")
async def material_report(request: Request, material: str, fmt: str, country: str = "NL") -> Response:
    """A material report for an importer (the material page's document)."""
    arguments = {"material": material, "country": country}
    return await _send(request, "material", arguments, fmt)


@router.get("/report/country/{country}.{fmt}")
async def country_report(request: Request, country: str, fmt: str, year: str | None = None) -> Response:
    """A country report (the overview page's document)."""
    return await _send(request, "country", {"country": country, "year": year}, fmt)


@router.get("/report/scenario/{name}.{fmt}")
async def scenario_report(request: Request, name: str, fmt: str) -> Response:
    """A report on one of the shipped example scenarios (a request never names a file path)."""
    from grondstof.scenarios.files import EXAMPLES

    if fmt not in MEDIA:
        raise InputError("format", fmt, "html, pdf, xlsx or json")
    shipped = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
    if name not in shipped:
        raise InputError("scenario", name, "one of the shipped scenarios: " + ", ".join(shipped))
    return await _send(request, "scenario", {"scenario": name}, fmt)
