"""The JSON API under ``/api/v1``: one route per analysis of the registry, generated from its parameter model.

Every route returns ``{"meta": {...}, "rows": [...]}`` exactly as ``grondstof <command> --json`` does, plus
``meta.page`` for pagination (``page``, ``page_size``). The query parameters, their bounds and their OpenAPI
description come from the analysis' parameter model (:mod:`grondstof.parameters`), the same model the command
line validates against; an unknown parameter is refused with a 400 naming it and the closest known one. The
API is read-only: no route changes the store.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any, cast

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import Field, create_model

from grondstof.analyses import ANALYSES, Analysis
from grondstof.parameters import Params, web_of
from grondstof.result import Result
from grondstof.web.limits import MAX_PAGE_SIZE, check_page_size
from grondstof.web.problems import PROBLEM_RESPONSES


def respond(
    request: Request, entry: Analysis, arguments: dict[str, Any], result: Result, page: int, page_size: int
) -> Response:
    """One page of a result as JSON (each page serialised once, kept in the runner's byte-bounded cache)."""
    body = request.app.state.runner.page(entry.name, arguments, page, page_size, result)
    return Response(body, media_type="application/json")


async def run(request: Request, entry: Analysis, arguments: dict[str, Any]) -> Result:
    """Run an analysis with validated arguments through the app's runner: answered on the event loop when
    cached, otherwise in a worker thread (engine work must not block other requests; heavy analyses wait
    there for the heavy-request pool). The web limits are checked first, in the runner."""
    runner = request.app.state.runner
    cached = runner.cached(entry.name, **arguments)
    if cached is not None:
        return cached
    return await run_in_threadpool(runner.run, entry.name, entry.load(), **arguments)


class Paging(Params):
    """Pagination of every API answer."""

    page: Annotated[int, Field(ge=1, le=100_000, description="Page number, from 1.")] = 1
    page_size: Annotated[
        int,
        Field(
            ge=1,
            description=f"Rows per page (at most {MAX_PAGE_SIZE}, a server limit: 413 above it).",
        ),
    ] = 500


def web_model(entry: Analysis, paging: bool = True) -> type[Params]:
    """The query model of an analysis on the web: its parameter model without the fields the web may not set
    (file paths), plus ``page`` and ``page_size``."""
    cached = _WEB_MODELS.get((entry.name, paging))
    if cached is not None:
        return cached
    model = entry.model()
    fields: dict[str, Any] = {
        name: (field.annotation, field) for name, field in model.model_fields.items() if web_of(field).enabled
    }
    name = "".join(part.title() for part in entry.name.split("_")) + "Query"
    made = cast(
        "type[Params]",
        create_model(name, __base__=Paging if paging else Params, __doc__=model.__doc__, **fields),
    )
    _WEB_MODELS[(entry.name, paging)] = made
    return made


_WEB_MODELS: dict[tuple[str, bool], type[Params]] = {}


def _endpoint(entry: Analysis) -> Any:
    query_model = web_model(entry)

    async def endpoint(request: Request, params: Params) -> Response:
        values = params.model_dump()
        page, page_size = values.pop("page"), values.pop("page_size")
        check_page_size(page_size)
        arguments = entry.validate(values, web=True)
        return respond(request, entry, arguments, await run(request, entry, arguments), page, page_size)

    _declare_query(endpoint, query_model)
    endpoint.__name__ = entry.name
    endpoint.__doc__ = entry.summary
    endpoint.grondstof_model = query_model  # type: ignore[attr-defined]  # for the 400 "did you mean"
    return endpoint


def _declare_query(endpoint: Any, model: type[Params]) -> None:
    """Tell FastAPI that ``params`` is the query model (a real object, not a postponed annotation)."""
    endpoint.__signature__ = inspect.Signature(
        [
            inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
            inspect.Parameter(
                "params", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Annotated[model, Query()]
            ),
        ],
        return_annotation=Response,
    )


def build_router() -> APIRouter:
    """Every analysis with a route, plus the sources and the Atom feed of the alerts."""
    router = APIRouter(prefix="/api/v1", responses=PROBLEM_RESPONSES)
    for entry in ANALYSES.values():
        if entry.route is None:
            continue
        command = " ".join(entry.command)
        summary = entry.summary.rstrip(".") + (f" (grondstof {command})" if command else "")
        router.add_api_route(entry.route, _endpoint(entry), methods=["GET"], summary=summary, name=entry.name)
    from grondstof.documents import DOCUMENTS

    for kind in DOCUMENTS.values():
        if kind.name == "scenario":
            continue  # a scenario document runs a file: the web offers the shipped ones as /report/scenario/…
        router.add_api_route(
            f"/documents/{kind.name}",
            _document_endpoint(kind),
            methods=["GET"],
            summary=f"The {kind.name} document: what its page and report show, as JSON",
            name=f"document_{kind.name}",
        )
    feed_model = web_model(ANALYSES["watch"], paging=False)
    _declare_query(watch_feed, feed_model)
    watch_feed.grondstof_model = feed_model  # type: ignore[attr-defined]
    router.add_api_route("/watch.atom", watch_feed, methods=["GET"], **_ATOM)
    router.add_api_route(
        "/sources",
        sources,
        methods=["GET"],
        summary="The sources in the store, with provenance (grondstof data)",
    )
    return router


def _document_endpoint(kind: Any) -> Any:
    async def endpoint(request: Request, params: Params) -> JSONResponse:
        from grondstof.web.templating import caller

        def build() -> Any:
            return kind.build(caller(request), request.app.state.store, **params.model_dump())

        return JSONResponse((await run_in_threadpool(build)).to_dict())

    _declare_query(endpoint, kind.params)
    endpoint.__name__ = f"document_{kind.name}"
    endpoint.grondstof_model = kind.params  # type: ignore[attr-defined]
    return endpoint


_ATOM: dict[str, Any] = {
    "summary": "The alerts as an Atom feed (grondstof watch --atom)",
    "response_class": Response,
    "responses": {200: {"content": {"application/atom+xml": {}}}},
}


async def watch_feed(request: Request, params: Params) -> Response:
    """The alerts of ``/api/v1/watch`` as an Atom 1.0 feed."""
    from grondstof.monitor.feed import atom_feed
    from grondstof.web.security import trusted_url

    entry = ANALYSES["watch"]
    arguments = entry.validate(params.model_dump(), web=True)
    result = await run(request, entry, arguments)
    return Response(atom_feed(result, feed_url=trusted_url(request)), media_type="application/atom+xml")


def sources(request: Request) -> JSONResponse:
    """The sources in the store: title, publisher, licence, version, files with their SHA-256, rows, years."""
    store = request.app.state.store
    keys = (
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
    rows = [
        {k: s.get(k) for k in keys}
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
