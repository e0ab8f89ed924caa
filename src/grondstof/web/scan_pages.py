"""The scanner on the web: the scan page (upload a file or pick a template), the upload API, scan reports.

Company data stays private. An upload is read from the request body into memory by this module (never
through starlette's form parser, whose ``UploadFile`` spools large files to a temporary file on disk), with
the size limit checked while the body streams in. It lives in this process's memory for the request, and for
the browser's session (a random cookie) until the session ends (:data:`~grondstof.scanner.limits.
SESSION_SECONDS` after its last use), the user deletes it, or newer sessions push it out
(:data:`~grondstof.scanner.limits.MAX_SESSIONS`). It is never written to disk, cached with the shared
results, put in a URL, or logged; messages call it ``upload``, never by its file name.

Routes:

* ``GET /scan`` — the page; with ``?template=…&quantity=…`` it scans a shipped template (cached like any
  analysis). ``POST /scan`` scans an uploaded file (``multipart/form-data``: ``file`` plus the scan's
  parameters); ``POST /scan/session`` scans the session's upload again (e.g. without its bad rows);
  ``POST /scan/delete`` forgets it.
* ``GET /scan/report.{html,pdf,xlsx}`` — the report of a template scan, or with ``?upload=1`` of the
  session's upload.
* ``GET /scan/input/{bom,imports,product_groups}.{csv,xlsx}`` — blank input files with an example row.
* ``POST /api/v1/scan/upload`` and ``POST /api/v1/scan/upload/report.{html,pdf,xlsx}`` — the same for
  programs: the file as the raw body (``Content-Type: text/csv`` or the XLSX type) or as
  ``multipart/form-data`` field ``file``; parameters in the query string (or form fields). A file over a
  limit gets ``413`` naming the limit, a file with bad rows ``422`` listing every one (``errors``), other
  bad input ``400``.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from grondstof.analyses import analysis
from grondstof.errors import GrondstofError, InputError
from grondstof.result import Result
from grondstof.scanner import limits
from grondstof.web.problems import PROBLEM, problem
from grondstof.web.security import REPORT_CSP, content_disposition

router = APIRouter()
api_router = APIRouter(prefix="/api/v1")

COOKIE = "grondstof_scan"
LABEL = "upload"
# Form fields and query parameters of the scan besides the file (validated by the scan's parameter model).
PARAMETERS = ("country", "quantity", "date", "price_date", "skip_bad_rows", "lang")
# Room for the multipart envelope around the file (boundaries, headers, the other fields).
ENVELOPE_BYTES = 64_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BODY = {
    "requestBody": {
        "description": "The file: as the body (CSV or XLSX), or as the multipart field `file`",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
            },
        },
    },
    "parameters": [
        {"name": name, "in": "query", "required": False, "schema": {"type": kind}, "description": text}
        for name, kind, text in (
            ("country", "string", "Importing country (code, name or EU27); default NL."),
            ("quantity", "number", "Factor on every line; default 1."),
            ("date", "string", "YYYY-MM-DD: export controls in force on this day (default today)."),
            (
                "price_date",
                "string",
                "A year (2024) or month (2022-03): also value at market prices then, in EUR.",
            ),
            ("skip_bad_rows", "boolean", "Scan the valid rows and list the bad ones."),
            ("lang", "string", "en or nl."),
        )
    ],
}
REPORT_MEDIA = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": XLSX,
}
_REPORT_LOCK = threading.Lock()
# Bad rows listed on the page (the API lists all in `errors`; scanned without them, the report too).
BAD_ROWS_SHOWN = 200


# ---- uploads in memory -----------------------------------------------------------------------------------


@dataclass
class Upload:
    """An uploaded file held in memory: its bytes and the parameters it was last scanned with."""

    data: bytes
    params: dict[str, Any]
    used: float


class Sessions:
    """Uploads by session token, in memory only: expire after SESSION_SECONDS, at most MAX_SESSIONS."""

    def __init__(self) -> None:
        self._items: OrderedDict[str, Upload] = OrderedDict()
        self._lock = threading.Lock()

    def _expire(self, now: float) -> None:
        for token in [t for t, u in self._items.items() if now - u.used > limits.SESSION_SECONDS]:
            del self._items[token]

    def put(self, token: str | None, upload: Upload) -> str:
        """Keep ``upload`` under ``token`` (a new random token when None); drop the oldest beyond the
        limit."""
        with self._lock:
            self._expire(upload.used)
            token = token if token and token in self._items else secrets.token_urlsafe(32)
            self._items[token] = upload
            self._items.move_to_end(token)
            while len(self._items) > limits.MAX_SESSIONS:
                self._items.popitem(last=False)
            return token

    def get(self, token: str | None) -> Upload | None:
        """The session's upload (its last use renewed), or None."""
        with self._lock:
            now = time.monotonic()
            self._expire(now)
            upload = self._items.get(token or "")
            if upload is not None:
                upload.used = now
            return upload

    def delete(self, token: str | None) -> bool:
        """Forget the session's upload; True when there was one."""
        with self._lock:
            return self._items.pop(token or "", None) is not None

    def __len__(self) -> int:
        return len(self._items)


def sessions(request: Request) -> Sessions:
    """The app's upload sessions (created on first use; they live as long as the server process)."""
    found = getattr(request.app.state, "scan_sessions", None)
    if found is None:
        found = Sessions()
        request.app.state.scan_sessions = found
    return found


# ---- reading a request body in memory --------------------------------------------------------------------


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, read chunk by chunk into memory; LimitError as soon as it exceeds ``limit``."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise limits.LimitError("MAX_UPLOAD_BYTES", f"{int(declared):,} bytes", "request size in bytes")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise limits.LimitError("MAX_UPLOAD_BYTES", f"more than {limit:,} bytes", "request size in bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_multipart(body: bytes, content_type: str) -> tuple[bytes | None, dict[str, str]]:
    """The ``file`` part and the text fields of a ``multipart/form-data`` body, parsed in memory (stdlib)."""
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise InputError("body", "multipart", "a multipart/form-data body with a `file` field")
    data: bytes | None = None
    fields: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        raw = part.get_payload(decode=True)
        payload = raw if isinstance(raw, bytes) else b""
        if name == "file":
            data = payload if payload else None
        elif isinstance(name, str):
            fields[name] = payload.decode("utf-8", errors="replace")
    return data, fields


async def read_upload(request: Request) -> tuple[bytes, dict[str, str]]:
    """The uploaded file and the form fields of a request: multipart, or the raw body (CSV or XLSX)."""
    content_type = request.headers.get("content-type", "")
    body = await read_body(request, limits.MAX_UPLOAD_BYTES + ENVELOPE_BYTES)
    if content_type.startswith("multipart/form-data"):
        data, fields = parse_multipart(body, content_type)
    elif content_type.startswith("application/x-www-form-urlencoded"):
        raise InputError(
            "file", None, "a file: send multipart/form-data with a `file` field, or the file as the body"
        )
    else:
        data, fields = body, {}
    if not data:
        raise InputError("file", None, "a CSV or XLSX file (multipart field `file`, or the request body)")
    if len(data) > limits.MAX_UPLOAD_BYTES:
        raise limits.LimitError("MAX_UPLOAD_BYTES", f"{len(data):,} bytes", "file size in bytes")
    return data, fields


def scan_values(fields: dict[str, str], query: dict[str, str]) -> dict[str, Any]:
    """The scan's parameters from form fields and the query string, checked by the scan's model (web
    rules)."""
    values: dict[str, Any] = {}
    for name in PARAMETERS:
        text = fields.get(name, query.get(name))
        if text is None or text == "":
            continue
        values[name] = text.lower() in ("1", "true", "on", "yes") if name == "skip_bad_rows" else text
    unknown = [k for k in {**query, **fields} if k not in (*PARAMETERS, "page", "page_size", "file")]
    if unknown:
        raise InputError(
            unknown[0],
            query.get(unknown[0], fields.get(unknown[0])),
            "one of the parameters " + ", ".join(PARAMETERS),
        )
    return analysis("scan").validate(values, web=True)


def run_upload(request: Request, data: bytes, arguments: dict[str, Any]) -> Result:
    """Scan uploaded bytes (not cached: company data never enters the shared result cache)."""
    from grondstof.scanner.query import scan

    arguments = {k: v for k, v in arguments.items() if k not in ("source", "template")}
    with _scan_slot():
        return scan(upload=data, label=LABEL, store=request.app.state.store, **arguments)


SCANS_AT_ONCE = 2
"""Uploaded files scanned at once by one server process (each on its own engine cursor)."""
SCANS_WAITING = 8
"""Scans waiting for a slot; more are refused with 429 (the server's cheap requests keep their threads)."""
_SCAN_SLOTS = threading.BoundedSemaphore(SCANS_AT_ONCE)
_SCAN_COUNT = threading.Lock()
_scans = 0


class _scan_slot:
    """Hold one of :data:`SCANS_AT_ONCE` scan slots; 429 beyond :data:`SCANS_WAITING` waiting, and the
    request's own time limit or disconnect ends the wait (:mod:`grondstof.cancel`)."""

    def __enter__(self) -> None:
        from grondstof import cancel
        from grondstof.errors import LimitError

        global _scans
        with _SCAN_COUNT:
            if _scans >= SCANS_AT_ONCE + SCANS_WAITING:
                raise LimitError(
                    "uploads scanned at once",
                    _scans + 1,
                    SCANS_AT_ONCE + SCANS_WAITING,
                    429,
                    f"{SCANS_AT_ONCE} running and {SCANS_WAITING} waiting",
                    retry_after=5,
                )
            _scans += 1
        try:
            while not _SCAN_SLOTS.acquire(timeout=0.05):
                cancel.check()
        except BaseException:
            self._leave()
            raise

    def __exit__(self, *exc: object) -> None:
        _SCAN_SLOTS.release()
        self._leave()

    @staticmethod
    def _leave() -> None:
        global _scans
        with _SCAN_COUNT:
            _scans -= 1


def limit_problem(exc: limits.LimitError) -> JSONResponse:
    """413 problem+json naming the limit."""
    return problem(
        413,
        "File too large",
        str(exc),
        limit=exc.limit,
        value=str(exc.value),
        maximum=exc.maximum,
    )


def rows_problem(exc: Any) -> JSONResponse:
    """422 problem+json listing every bad row."""
    return problem(
        422,
        "Bad rows in the file",
        str(exc).splitlines()[0],
        parameter="file",
        errors=[p.as_dict() for p in exc.problems],
        valid_rows=exc.valid_rows,
    )


# ---- API -------------------------------------------------------------------------------------------------


@api_router.post(
    "/scan/upload",
    summary="Scan an uploaded bill of materials, import records or product groups (grondstof scan FILE)",
    responses={
        200: {"description": "The scan: {meta, rows} as grondstof scan --json"},
        400: {"description": "Invalid parameter or file", "content": {PROBLEM: {}}},
        413: {"description": "The file exceeds a limit (named in `limit`)", "content": {PROBLEM: {}}},
        422: {"description": "Bad rows, every one listed in `errors`", "content": {PROBLEM: {}}},
    },
    openapi_extra=_BODY,
)
async def scan_upload_api(request: Request) -> Response:
    """The file as the body (text/csv or XLSX) or multipart field ``file``; parameters in the query string."""
    from grondstof.scanner.readers import BadRowsError

    try:
        data, fields = await read_upload(request)
        arguments = scan_values(fields, dict(request.query_params))
        result = await run_in_threadpool(run_upload, request, data, arguments)
    except limits.LimitError as exc:
        return limit_problem(exc)
    except BadRowsError as exc:
        return rows_problem(exc)
    body = result.to_json(indent=None)
    return Response(body, media_type="application/json")


@api_router.post(
    "/scan/upload/report.{fmt}",
    summary="The scan report of an uploaded file (HTML, PDF or Excel)",
    responses={
        200: {"description": "The report file", "content": {k: {} for k in REPORT_MEDIA.values()}},
        400: {"description": "Invalid parameter or file", "content": {PROBLEM: {}}},
        413: {"description": "The file exceeds a limit (named in `limit`)", "content": {PROBLEM: {}}},
        422: {"description": "Bad rows, every one listed in `errors`", "content": {PROBLEM: {}}},
    },
    openapi_extra=_BODY,
)
async def scan_report_api(request: Request, fmt: str) -> Response:
    """Same input as ``POST /api/v1/scan/upload``; answers the report as a file."""
    from grondstof.scanner.readers import BadRowsError

    if fmt not in REPORT_MEDIA:
        raise InputError("format", fmt, "html, pdf or xlsx")
    try:
        data, fields = await read_upload(request)
        arguments = scan_values(fields, dict(request.query_params))
        result = await run_in_threadpool(run_upload, request, data, arguments)
    except limits.LimitError as exc:
        return limit_problem(exc)
    except BadRowsError as exc:
        return rows_problem(exc)
    return await run_in_threadpool(_report_response, result, fmt)


def _report_response(result: Result, fmt: str) -> Response:
    from grondstof.report.render import write
    from grondstof.scanner.report import scan_report
    from grondstof.scanner.xlsx_memory import in_memory

    with _REPORT_LOCK, in_memory():
        data = write(scan_report(result), fmt)
    disposition = "inline" if fmt == "html" else "attachment"
    headers = {"Content-Disposition": content_disposition(disposition, "grondstof-scan", fmt)}
    if fmt == "html":
        headers["Content-Security-Policy"] = REPORT_CSP  # the report's own <style>, no script
    return Response(data, media_type=REPORT_MEDIA[fmt], headers=headers)


# ---- pages -----------------------------------------------------------------------------------------------


def _page(request: Request, status: int = 200, **values: Any) -> HTMLResponse:
    from grondstof.scanner.templates import templates
    from grondstof.web.templating import context, page

    lang = context(request)["lang"]
    listed = [
        {"id": t.id, "name": t.display_name(lang), "unit": t.unit_nl if lang == "nl" else t.unit}
        for t in templates()
    ]
    if "held" not in values:
        values["held"] = sessions(request).get(request.cookies.get(COOKIE)) is not None
    values.setdefault("params", {})
    return page(request, "scan.html", status=status, templates=listed, limits=limits.LIMITS, **values)


def _view(request: Request, result: Result, query: dict[str, Any], *, upload: bool) -> dict[str, Any]:
    """What the template needs of a scan: tables, charts, headline figures, report links."""
    from grondstof import charts
    from grondstof.scanner.query import sub_result
    from grondstof.web.templating import Table

    lang = str(query.get("lang", "en"))
    shown = [
        "material_name",
        "quantity_t",
        "supplier_basis",
        "top_supplier_name",
        "top_supplier_share",
        "supplier_hhi",
        "geopolrisk_company",
        "eu_sr",
        "controls",
        "controlled_share",
        "crma",
        "value",
        "value_at_risk",
        "currency",
        "flags",
    ]
    if query.get("price_date"):
        shown[-1:-1] = ["market_price_eur_t", "value_market_eur", "value_at_risk_market_eur", "market_price"]
    name = "scan" if not upload else "scan-upload"
    materials = Table(name, result, query, limit=200, fields=shown)
    profile = sub_result(result, "profile")
    firm = Result(
        profile.title, profile.fields, [r for r in profile.rows if r["scope"] == "firm"], profile.meta
    )
    products = Result(
        profile.title, profile.fields, [r for r in profile.rows if r["scope"] != "firm"], profile.meta
    )
    # Headline totals are the library's firm profile rows (per currency, never added across currencies).
    totals = {(r["indicator"], r["unit"]): r["value"] for r in firm.rows if r["value"] is not None}
    values = {unit: v for (indicator, unit), v in totals.items() if indicator == "yearly value"}
    currency = max(values, key=lambda k: values[k]) if values else None
    figures = [
        (f"{len(result.rows)}", "materials" if lang == "en" else "grondstoffen"),
        (
            f"{next(v for (i, _), v in totals.items() if i == 'yearly need'):,.4g} t",
            "per year" if lang == "en" else "per jaar",
        ),
    ]
    labels = {
        "yearly value": ("yearly value", "jaarwaarde"),
        "value at risk": ("value at risk", "waarde onder beperkingen"),
        "yearly value at market price": ("at market price", "tegen marktprijs"),
        "value at risk at market price": ("at risk, market price", "onder beperkingen, marktprijs"),
    }
    for (indicator, unit), value in sorted(totals.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if indicator in labels:
            figures.append((f"{unit} {value:,.0f}", labels[indicator][0 if lang == "en" else 1]))
    chart_specs = []
    if currency:
        priced = [r for r in result.rows if r["currency"] == currency and r["value"]]
        chart_specs.append(
            charts.bar_chart(
                priced,
                category="material_name",
                value="value",
                title=("Yearly value by material" if lang == "en" else "Jaarwaarde per grondstof")
                + f" ({currency})",
                value_title=currency,
            )
        )
    scored = [r for r in result.rows if r["geopolrisk_company"] is not None]
    if scored:
        chart_specs.append(
            charts.bar_chart(
                scored,
                category="material_name",
                value="geopolrisk_company",
                title="GeoPolRisk (company)",
                value_title="0–1",
                axis_format=".2f",
            )
        )
    report_query = urlencode(
        {**{k: v for k, v in query.items() if v not in (None, "")}, **({"upload": "1"} if upload else {})}
    )
    return {
        "result": result,
        "materials": materials,
        "firm": Table("scan-profile", firm, query, limit=40),
        "products": Table("scan-products", products, query, limit=60) if products.rows else None,
        "presets": Table("scan-presets", sub_result(result, "presets"), query, limit=60),
        "options": Table("scan-options", sub_result(result, "options"), query, limit=120),
        "skipped": result.meta.get("skipped_rows") or [],
        "unmapped": result.meta.get("unmapped_codes") or [],
        "figures": figures,
        "charts": chart_specs,
        "report_query": report_query,
        "upload": upload,
    }


@router.get("/scan", response_class=HTMLResponse, include_in_schema=False)
def scan_page(request: Request) -> Response:
    """The scan page: an upload form and a template picker; with ``template`` the template's scan."""
    from grondstof.web.templating import context, run

    lang = context(request)["lang"]
    query = {
        k: v
        for k, v in request.query_params.items()
        if k in ("template", "quantity", "country", "date", "price_date")
    }
    if not query.get("template"):
        return _page(request)
    try:
        result = run(request, "scan", lang=lang, **query)
    except InputError as exc:
        return _page(request, 400, error=str(exc), params=query)
    return _page(request, params=query, **_view(request, result, {**query, "lang": lang}, upload=False))


async def _scan_form(request: Request, data: bytes | None, fields: dict[str, str]) -> Response:
    from grondstof.scanner.readers import BadRowsError
    from grondstof.web.templating import context

    lang = context(request)["lang"]
    fields.setdefault("lang", lang)
    sessions_ = sessions(request)
    token = request.cookies.get(COOKIE)
    if data is None:
        held = sessions_.get(token)
        if held is None:
            return _page(
                request,
                400,
                error="No upload in this session (it ended or was deleted): upload the file again.",
            )
        data = held.data
    params = {k: fields[k] for k in PARAMETERS if fields.get(k)}
    try:
        arguments = scan_values(fields, {})
    except InputError as exc:
        return _page(request, 400, error=str(exc), params=params)
    token = sessions_.put(token, Upload(data, params, time.monotonic()))
    try:
        result = await run_in_threadpool(run_upload, request, data, arguments)
        response = _page(
            request, params=params, held=True, **_view(request, result, {**params, "lang": lang}, upload=True)
        )
    except limits.LimitError as exc:
        sessions_.delete(token)
        response = _page(request, 413, error=str(exc), params=params)
    except BadRowsError as exc:
        response = _page(
            request,
            422,
            error=str(exc).splitlines()[0],
            bad_rows=[p.as_dict() for p in exc.problems[:BAD_ROWS_SHOWN]],
            more_bad=max(0, len(exc.problems) - BAD_ROWS_SHOWN),
            valid_rows=exc.valid_rows,
            params=params,
            held=True,
        )
    except GrondstofError as exc:
        response = _page(request, 400, error=str(exc), params=params, held=True)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", max_age=limits.SESSION_SECONDS)
    return response


@router.post("/scan", response_class=HTMLResponse, include_in_schema=False)
async def scan_form(request: Request) -> Response:
    """Scan an uploaded file (multipart form); the file stays in memory for this browser session."""
    try:
        data, fields = await read_upload(request)
    except limits.LimitError as exc:
        return _page(request, 413, error=str(exc))
    except InputError as exc:
        return _page(request, 400, error=str(exc))
    return await _scan_form(request, data, fields)


@router.post("/scan/session", response_class=HTMLResponse, include_in_schema=False)
async def scan_session(request: Request) -> Response:
    """Scan the session's upload again with the form's parameters (e.g. skipping its bad rows)."""
    body = await read_body(request, ENVELOPE_BYTES)
    fields = dict(parse_qsl(body.decode("utf-8", errors="replace")))
    return await _scan_form(request, None, fields)


@router.post("/scan/delete", include_in_schema=False)
async def scan_delete(request: Request) -> Response:
    """Forget the session's upload now."""
    sessions(request).delete(request.cookies.get(COOKIE))
    response = RedirectResponse("/scan?deleted=1", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/scan/report.{fmt}", include_in_schema=False)
async def scan_report_page(request: Request, fmt: str) -> Response:
    """The report of a template scan, or (``upload=1``) of the session's upload."""
    from grondstof.web.templating import error_page, run

    if fmt not in REPORT_MEDIA:
        return error_page(request, 404, f"format {fmt!r}: expected html, pdf or xlsx")
    query = {k: v for k, v in request.query_params.items() if k in ("template", *PARAMETERS)}
    try:
        if request.query_params.get("upload") == "1":
            held = sessions(request).get(request.cookies.get(COOKIE))
            if held is None:
                return error_page(request, 404, "No upload in this session (it ended or was deleted).")
            arguments = scan_values({k: v for k, v in query.items() if k in PARAMETERS}, {})
            result = await run_in_threadpool(run_upload, request, held.data, arguments)
        else:
            if not query.get("template"):
                return error_page(request, 400, "template: expected a template or upload=1")
            result = await run_in_threadpool(run, request, "scan", **query)
    except limits.LimitError as exc:
        return error_page(request, 413, str(exc))
    except GrondstofError as exc:
        return error_page(request, 400, str(exc))
    return await run_in_threadpool(_report_response, result, fmt)


@router.get("/scan/input/{kind}.{fmt}", include_in_schema=False)
def input_file(request: Request, kind: str, fmt: str) -> Response:
    """A blank input file with its header and an example row."""
    from grondstof.scanner.readers import input_template
    from grondstof.web.templating import context, error_page

    try:
        data = input_template(kind, fmt, context(request)["lang"])
    except InputError as exc:
        return error_page(request, 404, str(exc))
    media = "text/csv; charset=utf-8" if fmt == "csv" else XLSX
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": content_disposition("attachment", f"grondstof-{kind}", fmt)},
    )


router.include_router(api_router)
