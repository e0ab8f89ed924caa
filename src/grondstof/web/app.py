"""The FastAPI application: dashboard pages, the JSON API, downloads, offline API docs and /health."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from grondstof import __version__
from grondstof.store import Store
from grondstof.web import problems
from grondstof.web.runner import Runner

STATIC = Path(__file__).parent / "static"
VEGA_BUNDLE_NAME = "vega-bundle.js"


def create_app(store: Store) -> FastAPI:
    """Build the app around an opened store (read-only)."""
    app = FastAPI(
        title="grondstof API",
        version=__version__,
        description="Critical raw materials: supply, dependency, risk and scenarios, with sources and "
        "vintage. Every route mirrors a `grondstof` command: same parameters, same field names.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.store = store
    app.state.runner = Runner(store)
    app.state.store_root = store.build_dir.parent.parent
    problems.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/static-gen/" + VEGA_BUNDLE_NAME, include_in_schema=False)
    def vega_bundle(request: Request) -> Response:
        from grondstof.charts.bundle import ensure_bundle

        path = ensure_bundle(request.app.state.store_root)
        return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    @app.get("/health", summary="Liveness and store status")
    async def health(request: Request) -> JSONResponse:
        catalog = request.app.state.store.catalog
        return JSONResponse(
            {
                "status": "ok",
                "version": __version__,
                "store_built_at": catalog.get("built_at"),
                "sources": len(catalog.get("sources", [])),
            }
        )

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/v1/openapi.json",
            title="grondstof API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    from grondstof.web import api, downloads, pages, pages_more, reports, scan_pages

    app.include_router(api.build_router())
    app.include_router(downloads.router)
    app.include_router(reports.router)
    app.include_router(pages.router)
    app.include_router(pages_more.router)
    app.include_router(scan_pages.router)
    return app


def serve(store: Store, host: str = "127.0.0.1", port: int = 8000, **uvicorn_options: Any) -> None:
    """Serve the app with uvicorn (loopback by default)."""
    import uvicorn

    uvicorn.run(create_app(store), host=host, port=port, log_level="warning", **uvicorn_options)
