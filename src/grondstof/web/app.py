"""The FastAPI application: dashboard pages, the JSON API, downloads, offline API docs and /health."""

from __future__ import annotations

import os
import threading
import time
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import State
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from grondstof import __version__
from grondstof.store import Store, lease_current
from grondstof.web import problems
from grondstof.web.runner import Runner

STATIC = Path(__file__).parent / "static"
VEGA_BUNDLE_NAME = "vega-bundle.js"


def create_app(store: Store, *, follow_builds: bool = True, check_every: float = 0.5) -> FastAPI:
    """Build the app around an opened store (read-only).

    With ``follow_builds`` the app moves to a newer build of the same store when one is swapped in
    (checked at most every ``check_every`` seconds, between requests): each request is pinned to one
    build from start to end, and builds still being read are leased so a rebuild never prunes them.
    """
    app = FastAPI(
        title="grondstof API",
        version=__version__,
        description="Critical raw materials: supply, dependency, risk and scenarios, with sources and "
        "vintage. Every route mirrors a `grondstof` command: same parameters, same field names.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    tracker = BuildTracker(store, follow=follow_builds, check_every=check_every)
    app.state = PinnedState(tracker)
    app.state.store_root = store.build_dir.parent.parent
    app.add_middleware(PinBuild, tracker=tracker)
    problems.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/static-gen/" + VEGA_BUNDLE_NAME, include_in_schema=False)
    def vega_bundle(request: Request) -> Response:
        from grondstof.charts.bundle import ensure_bundle

        path = ensure_bundle(request.app.state.store_root)
        return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    @app.get("/health", summary="Liveness and store status")
    async def health(request: Request) -> JSONResponse:
        served = request.app.state.store
        catalog = served.catalog
        return JSONResponse(
            {
                "status": "ok",
                "version": __version__,
                "store_build": served.build_id,
                "store_built_at": catalog.get("built_at"),
                "store_layout": served.layout,
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

    from grondstof.web import api, downloads, pages, policy_pages, reports, scan_pages, scenario_pages

    app.include_router(api.build_router())
    app.include_router(downloads.router)
    app.include_router(reports.router)
    app.include_router(pages.router)
    app.include_router(policy_pages.router)
    app.include_router(scenario_pages.router)
    app.include_router(scan_pages.router)
    return app


# -- one build per request -------------------------------------------------------------------------------
#
# Routes read ``request.app.state.store`` and ``.runner``. Those two attributes are properties of
# PinnedState that return the build the current request was pinned to (a context variable set by the
# PinBuild middleware, which the threadpool copies into worker threads), so a response can never mix two
# builds even when a new build is swapped in halfway.

_PIN: ContextVar[Pin | None] = ContextVar("grondstof_build_pin", default=None)


class Pin:
    """One build as the server serves it: the opened (leased) store, its result cache, requests in flight."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.runner = Runner(store)
        self.active = 0
        self.retired = False


class BuildTracker:
    """Follows the store's ``current`` link and hands each request the newest build, pinned.

    A superseded build is closed (engine connection dropped, lease released) once its last request is
    done; until then its lease keeps a rebuild's prune away from it.
    """

    def __init__(self, store: Store, *, follow: bool = True, check_every: float = 0.5) -> None:
        self.root = store.build_dir.parent.parent
        self.follow = follow
        self.check_every = check_every
        self._pin = Pin(store)
        self._lock = threading.Lock()
        self._switching = threading.Lock()
        self._checked = time.monotonic()

    @property
    def current(self) -> Pin:
        """The build new requests get."""
        return self._pin

    def acquire(self) -> Pin:
        """Pin the newest build for one request (call :meth:`release` when the response is sent)."""
        if self.follow:
            self._maybe_switch()
        with self._lock:
            pin = self._pin
            pin.active += 1
            return pin

    def release(self, pin: Pin) -> None:
        """End one request on ``pin``; close a superseded build when its last request ends."""
        with self._lock:
            pin.active -= 1
            close = pin.retired and pin.active == 0
        if close:
            pin.store.close()

    def _maybe_switch(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.check_every or not self._switching.acquire(blocking=False):
            return
        try:
            self._checked = now
            try:
                name = os.readlink(self.root / "current").rsplit("/", 1)[-1]
            except OSError:
                return
            if name == self._pin.store.build_id:
                return
            leased = lease_current(self.root)
            if leased is None:
                return
            build_dir, lease = leased
            try:
                fresh = Store(build_dir, backend=self._pin.store.backend, lease=lease)
            except (OSError, ValueError):
                if lease is not None:
                    lease.release()
                return  # keep serving the build we have
            with self._lock:
                old, self._pin = self._pin, Pin(fresh)
                old.retired = True
                close = old.active == 0
            if close:
                old.store.close()
        finally:
            self._switching.release()


class PinnedState(State):
    """``app.state`` whose ``store`` and ``runner`` are those of the build the request is pinned to."""

    def __init__(self, tracker: BuildTracker) -> None:
        super().__init__()
        self._state["tracker"] = tracker

    def _pin(self) -> Pin:
        pin = _PIN.get()
        return pin if pin is not None else self._state["tracker"].current

    @property
    def store(self) -> Store:
        """The store (build) of the current request."""
        return self._pin().store

    @property
    def runner(self) -> Runner:
        """The cached runner of the current request's build."""
        return self._pin().runner


class PinBuild:
    """ASGI middleware: pin each HTTP request to one build for its whole life, response body included,
    and name that build in the ``X-Grondstof-Build`` response header."""

    def __init__(self, app: ASGIApp, tracker: BuildTracker) -> None:
        self.app = app
        self.tracker = tracker

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        pin = self.tracker.acquire()
        token = _PIN.set(pin)
        build_header = (b"x-grondstof-build", pin.store.build_id.encode())

        async def send_with_build(message: Message) -> None:
            # Every response names the build it was computed from (traceable to the store's catalog).
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), build_header]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_build)
        finally:
            _PIN.reset(token)
            self.tracker.release(pin)


def serve(store: Store, host: str = "127.0.0.1", port: int = 8000, **uvicorn_options: Any) -> None:
    """Serve the app with uvicorn (loopback by default)."""
    import uvicorn

    uvicorn.run(create_app(store), host=host, port=port, log_level="warning", **uvicorn_options)
