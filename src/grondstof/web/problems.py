"""Errors as RFC 9457 problem details (``application/problem+json``), naming the offending parameter."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from grondstof.cancel import Cancelled
from grondstof.errors import DataNotAvailableError, GrondstofError, InputError, LimitError, StoreError

PROBLEM = "application/problem+json"

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "parameter": {"type": "string"},
        "value": {},
        "expected": {"type": "string"},
        "suggestions": {"type": "array", "items": {"type": "string"}},
        "limit": {"description": "The server limit that was exceeded (413, 429)"},
    },
    "required": ["type", "title", "status", "detail"],
}
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {
        "description": "Invalid parameter (named in `parameter`)",
        "content": {PROBLEM: {"schema": PROBLEM_SCHEMA}},
    },
    413: {
        "description": "Over a server limit (named in `parameter`, the limit in `limit`); see the README",
        "content": {PROBLEM: {"schema": PROBLEM_SCHEMA}},
    },
    429: {
        "description": "Too many heavy requests at once (the limit in `limit`); retry after `Retry-After` s",
        "content": {PROBLEM: {"schema": PROBLEM_SCHEMA}},
    },
    503: {
        "description": "Stopped: over the time limit, or the server is stopping",
        "content": {PROBLEM: {"schema": PROBLEM_SCHEMA}},
    },
}


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    """A problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def install(app: FastAPI) -> None:
    """Register handlers so every error leaves as problem+json (never a bare 500 for bad input)."""

    @app.exception_handler(InputError)
    async def _input(_: Request, exc: InputError) -> JSONResponse:
        return problem(
            400,
            "Invalid parameter",
            str(exc),
            parameter=exc.parameter,
            value=_plain(exc.value),
            expected=exc.expected,
            suggestions=list(exc.suggestions),
        )

    @app.exception_handler(LimitError)
    async def _limit(request: Request, exc: LimitError) -> Response:
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
        title = "Too many requests" if exc.status == 429 else "Over a server limit"
        return _problem_or_page(
            request,
            exc.status,
            title,
            str(exc),
            headers,
            parameter=exc.parameter,
            value=_plain(exc.value),
            limit=_plain(exc.limit),
        )

    @app.exception_handler(Cancelled)
    async def _cancelled(request: Request, exc: Cancelled) -> Response:
        return _problem_or_page(request, 503, "Stopped", str(exc), None)

    from grondstof.web.heavy import WorkerCrashed

    @app.exception_handler(WorkerCrashed)
    async def _crashed(request: Request, exc: WorkerCrashed) -> Response:
        return _problem_or_page(request, 503, "Worker stopped", str(exc), {"Retry-After": "1"})

    @app.exception_handler(DataNotAvailableError)
    async def _nodata(_: Request, exc: DataNotAvailableError) -> JSONResponse:
        return problem(404, "No data", str(exc))

    @app.exception_handler(StoreError)
    async def _store(_: Request, exc: StoreError) -> JSONResponse:
        return problem(503, "Store not available", str(exc))

    @app.exception_handler(GrondstofError)
    async def _other(_: Request, exc: GrondstofError) -> JSONResponse:
        return problem(400, "Cannot answer", str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        # The same words as the command line: the parameter, its bounds or choices, the closest known name.
        from grondstof.parameters import input_error

        endpoint = request.scope.get("endpoint")
        model = getattr(endpoint, "grondstof_model", None)
        if model is not None:
            error = input_error(list(exc.errors()), model)
        else:
            first = exc.errors()[0] if exc.errors() else {}
            location = [str(p) for p in first.get("loc", ()) if p not in ("query", "path", "body")]
            error = InputError(".".join(location) or "request", first.get("input"), first.get("msg", ""))
        return problem(
            400,
            "Invalid parameter",
            str(error),
            parameter=error.parameter,
            value=_plain(error.value),
            expected=error.expected,
            suggestions=list(error.suggestions),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Any:
        # Keep the exception's headers (e.g. Allow on 405, as RFC 9110 requires).
        response: Response
        if request.url.path.startswith(("/api/", "/health")):
            title = "Not found" if exc.status_code == 404 else "Error"
            response = problem(exc.status_code, title, str(exc.detail))
        else:
            from grondstof.web.templating import error_page

            response = error_page(request, exc.status_code, str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response


def _problem_or_page(
    request: Request, status: int, title: str, detail: str, headers: dict[str, str] | None, **extra: Any
) -> Response:
    """problem+json for the API and downloads, an HTML error page for dashboard pages."""
    response: Response
    if request.url.path.startswith(("/api/", "/health", "/download/", "/report/")):
        response = problem(status, title, detail, **extra)
    else:
        from grondstof.web.templating import error_page

        response = error_page(request, status, detail)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
