"""The FastAPI application: dashboard pages, the JSON API, downloads, offline API docs and /health."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
from collections.abc import AsyncIterator, Iterable
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import State
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from grondstof import __version__, cancel
from grondstof.store import Store, lease_current
from grondstof.web import problems, security
from grondstof.web.heavy import HeavyPool
from grondstof.web.limits import REQUEST_SECONDS
from grondstof.web.runner import CACHE_MB, CLIENT, ResultCache, Runner
from grondstof.web.served import ServedStore

STATIC = Path(__file__).parent / "static"
VEGA_BUNDLE_NAME = "vega-bundle.js"
# Swagger UI, started by a script file rather than an inline script (the Content-Security-Policy allows none).
SWAGGER_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>grondstof API</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>
"""


def calm_garbage_collector() -> None:
    """Keep Python's full garbage collections off a server's request path (called by :func:`serve`).

    A full collection walks every tracked object: after start-up a few hundred thousand (Ibis, sqlglot,
    FastAPI, the registries), about 50 ms in which no request is answered. Under load that was the p99 of
    cached answers (64 ms at 32 clients; 13 ms with collection off). Objects alive at start-up are frozen
    (left out of collections; they live as long as the process anyway) and the young generation is
    collected less often. A rebuild's old store is closed explicitly, so the memory that matters (DuckDB's)
    is released whatever the collector does. ``GRONDSTOF_GC_DEFAULT=1`` keeps Python's defaults (to measure
    the difference).
    """
    import gc

    if os.environ.get("GRONDSTOF_GC_DEFAULT"):
        return
    gc.collect()
    gc.freeze()
    gen0, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(max(gen0, 10_000), gen1, gen2)


def create_app(
    store: Store,
    *,
    follow_builds: bool = True,
    check_every: float = 0.5,
    allowed_hosts: Iterable[str] | None = None,
    heavy: HeavyPool | None = None,
    request_seconds: float = REQUEST_SECONDS,
    cache_mb: float = CACHE_MB,
) -> FastAPI:
    """Build the app around an opened store (read-only).

    ``allowed_hosts``: the ``Host`` names the app answers (others get 400; ``"*"`` allows any); default the
    loopback names (:mod:`grondstof.web.security`).

    With ``follow_builds`` the app moves to a newer build of the same store when one is swapped in
    (checked at most every ``check_every`` seconds, between requests): each request is pinned to one
    build from start to end, and builds still being read are leased so a rebuild never prunes them.

    Engine work runs on a cursor per worker thread (:class:`~grondstof.web.served.ServedStore`), results
    are cached within a byte budget, heavy requests go to ``heavy`` (a
    :class:`~grondstof.web.heavy.HeavyPool`, made here when not given), and every request stops after
    ``request_seconds`` (heavy ones after the pool's limit) or when its client leaves. SIGTERM or
    Ctrl-C stops the work in flight at once (heavy workers killed, engine queries interrupted; those
    requests get 503) before the server's own shutdown.
    """
    pool = heavy if heavy is not None else HeavyPool()
    in_flight = InFlight()

    def stop_work() -> None:
        """Stop all work in flight now (SIGTERM): heavy workers killed, engine queries interrupted."""
        in_flight.stop()
        pool.shutdown()

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        in_flight.resume()
        pool.resume()
        restore = _stop_work_on_signals(stop_work)
        try:
            yield
        finally:
            restore()
            stop_work()

    app = FastAPI(
        lifespan=lifespan,
        title="grondstof API",
        version=__version__,
        description="Critical raw materials: supply, dependency, risk and scenarios, with sources and "
        "vintage. Every route mirrors a `grondstof` command: same parameters, same field names.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    tracker = BuildTracker(
        store, follow=follow_builds, check_every=check_every, cache=ResultCache(cache_mb * 1e6), heavy=pool
    )
    app.state = PinnedState(tracker)
    app.state.store_root = store.build_dir.parent.parent
    app.state.heavy = pool
    app.add_middleware(PinBuild, tracker=tracker)
    app.add_middleware(Guard, in_flight=in_flight, seconds=request_seconds)
    security.install(app, allowed_hosts)  # outermost: Host check, security headers, Connection: close on 500
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
        return HTMLResponse(SWAGGER_PAGE)

    from grondstof.web import api, downloads, pages, policy_pages, reports, scan_pages, scenario_pages

    app.include_router(api.build_router())
    app.include_router(downloads.router)
    app.include_router(reports.router)
    app.include_router(pages.router)
    app.include_router(policy_pages.router)
    app.include_router(scenario_pages.router)
    app.include_router(scan_pages.router)
    app.state.stop_work = stop_work
    return app


# -- one build per request -------------------------------------------------------------------------------
#
# Routes read ``request.app.state.store`` and ``.runner``. Those two attributes are properties of
# PinnedState that return the build the current request was pinned to (a context variable set by the
# PinBuild middleware, which the threadpool copies into worker threads), so a response can never mix two
# builds even when a new build is swapped in halfway.

_PIN: ContextVar[Pin | None] = ContextVar("grondstof_build_pin", default=None)


class Pin:
    """One build as the server serves it: the opened (leased) store, its runner, requests in flight.

    A DuckDB store is served through a :class:`~grondstof.web.served.ServedStore` (a cursor per thread,
    hot tables in memory, loaded in the background now); other engines keep one connection, so their
    engine work is serialised.
    """

    def __init__(self, store: Store, cache: ResultCache, heavy: HeavyPool | None) -> None:
        if store.backend == "duckdb":
            store = ServedStore.serving(store)
            threading.Thread(target=_warm, args=(store,), daemon=True, name="grondstof-warm").start()
        self.store = store
        self.runner = Runner(store, cache, heavy, serialise=not isinstance(store, ServedStore))
        self.active = 0
        self.retired = False

    def close(self) -> None:
        """Drop the build's cached results, engine and lease."""
        self.runner.close()
        self.store.close()


def _warm(store: ServedStore) -> None:
    with contextlib.suppress(Exception):  # a build pruned or closed meanwhile: requests will say so
        store.warm()


class BuildTracker:
    """Follows the store's ``current`` link and hands each request the newest build, pinned.

    A superseded build is closed (engine connection dropped, lease released) once its last request is
    done; until then its lease keeps a rebuild's prune away from it.
    """

    def __init__(
        self,
        store: Store,
        *,
        follow: bool = True,
        check_every: float = 0.5,
        cache: ResultCache | None = None,
        heavy: HeavyPool | None = None,
    ) -> None:
        self.root = store.build_dir.parent.parent
        self.follow = follow
        self.check_every = check_every
        self.cache = cache if cache is not None else ResultCache()
        self.heavy = heavy
        self._pin = Pin(store, self.cache, heavy)
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
            pin.close()

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
            pin = Pin(fresh, self.cache, self.heavy)
            with self._lock:
                old, self._pin = self._pin, pin
                old.retired = True
                close = old.active == 0
            if close:
                old.close()
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


# -- time limits, cancellation and unexpected errors -----------------------------------------------------

_LOG = logging.getLogger("grondstof.web")
_UNWATCHED = ("/health", "/static/", "/static-gen/")


class InFlight:
    """The cancel tokens of the requests in flight, so a stopping server can cancel them all."""

    def __init__(self) -> None:
        self.tokens: set[cancel.CancelToken] = set()
        self.stopping = False

    def stop(self) -> None:
        """Cancel every request in flight and every later one (the server is stopping)."""
        self.stopping = True
        for token in list(self.tokens):
            token.cancel("shutdown")

    def resume(self) -> None:
        """Accept work again (the app started, or started again)."""
        self.stopping = False


class Guard:
    """ASGI middleware: give each request a cancel token, and answer every error properly.

    The token (:mod:`grondstof.cancel`, current for the request's work in any thread) is cancelled when
    the request passes its time limit (``seconds``; heavy work extends it), when the client closes the
    connection (watched on ``receive``), or when the server stops (:meth:`InFlight.stop`); the engine and
    the heavy pool then stop its work. The request's client address is made current for the heavy
    pool's per-client limit.

    An exception no handler turned into a response becomes a problem+json 500 here, so the keep-alive
    connection stays usable (uvicorn would close it after a re-raised exception, without saying
    ``Connection: close``). After the response has started an exception is re-raised as before.
    """

    def __init__(self, app: ASGIApp, in_flight: InFlight, seconds: float = REQUEST_SECONDS) -> None:
        self.app = app
        self.seconds = seconds
        self.in_flight = in_flight

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = cancel.CancelToken(self.seconds)
        if self.in_flight.stopping:
            token.cancel("shutdown")
        self.in_flight.tokens.add(token)
        loop = asyncio.get_running_loop()
        timer: asyncio.TimerHandle | None = None

        def expire() -> None:  # on the time limit, or later if heavy work extended it
            nonlocal timer
            left = token.expire()
            timer = loop.call_later(left + 0.01, expire) if left is not None else None

        timer = loop.call_later(self.seconds, expire)
        watcher = None
        app_receive = receive
        if not scope["path"].startswith(_UNWATCHED):
            inbox: asyncio.Queue[Message] = asyncio.Queue()

            async def watch() -> None:
                while True:
                    message = await receive()
                    await inbox.put(message)
                    if message["type"] == "http.disconnect":
                        token.cancel("disconnect")
                        return

            async def from_inbox() -> Message:
                return await inbox.get()

            watcher = asyncio.ensure_future(watch())
            app_receive = from_inbox
        started = False

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        client = scope.get("client")
        client_reset = CLIENT.set(client[0] if client else None)
        token_reset = cancel._CURRENT.set(token)
        try:
            await self.app(scope, app_receive, tracked_send)
        except Exception:
            if started:
                raise
            _LOG.exception("unexpected error in %s %s", scope.get("method"), scope.get("path"))
            # problem+json for the API, the error page for pages; the connection stays usable.
            detail = "The server could not answer this request (the error is in the server's log)."
            await security.answer_without_app(scope, send, 500, "Server error", detail)
        finally:
            cancel._CURRENT.reset(token_reset)
            CLIENT.reset(client_reset)
            if timer is not None:
                timer.cancel()
            if watcher is not None:
                watcher.cancel()
            self.in_flight.tokens.discard(token)


def _stop_work_on_signals(stop_work: Any) -> Any:
    """Run ``stop_work`` first when SIGTERM or SIGINT arrives, then the server's own handler (uvicorn's
    graceful shutdown would otherwise wait for every request in flight). Returns a function that puts the
    previous handlers back. Only the main thread can set handlers; elsewhere (tests) this does nothing."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous: dict[int, Any] = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def handler(sig: int, frame: Any) -> None:
        stop_work()
        earlier = previous[sig]
        if callable(earlier):
            earlier(sig, frame)
        elif earlier == signal.SIG_DFL and sig == signal.SIGINT:
            raise KeyboardInterrupt

    for sig in previous:
        signal.signal(sig, handler)

    def restore() -> None:
        for sig, earlier in previous.items():
            with contextlib.suppress(Exception):
                signal.signal(sig, earlier)

    return restore


WORKERS_ENV = "GRONDSTOF_SERVE_STORE"
HOSTS_ENV = "GRONDSTOF_SERVE_HOSTS"


def serve(
    store: Store,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    allowed_hosts: Iterable[str] = (),
    **uvicorn_options: Any,
) -> None:
    """Serve the app with uvicorn (loopback by default) in ``workers`` processes.

    It answers requests whose ``Host`` is a loopback name, the bound address or one of ``allowed_hosts``
    (``"*"``: any).

    One process runs Python on one core at a time; with ``workers`` > 1 each process serves the same store
    with its own engine, result cache (the byte budget shared out between them) and heavy pool (its
    workers shared out likewise). The server exits within ``timeout_graceful_shutdown`` seconds (default
    10) of SIGTERM or Ctrl-C.
    """
    import json

    import uvicorn

    hosts = security.allowed_hosts_for(host, allowed_hosts)
    options = {"log_level": "warning", "timeout_graceful_shutdown": 10, **uvicorn_options}
    if workers <= 1:
        app = create_app(store, allowed_hosts=hosts)
        calm_garbage_collector()
        uvicorn.run(app, host=host, port=port, **options)
        return
    os.environ[WORKERS_ENV] = f"{workers}:{store.build_dir.parent.parent}"
    os.environ[HOSTS_ENV] = json.dumps(list(hosts))
    store.close()  # each worker process opens (and leases) the store itself
    factory = "grondstof.web.app:worker_app"
    uvicorn.run(factory, factory=True, host=host, port=port, workers=workers, **options)


def worker_app() -> FastAPI:
    """The app of one of ``serve``'s worker processes (its share of the heavy pool and the cache)."""
    import json

    from grondstof.store import open_store

    count, _, root = os.environ[WORKERS_ENV].partition(":")
    share = max(1, int(count))
    from grondstof.web import heavy

    pool = HeavyPool(
        workers=max(1, heavy.WORKERS // share),
        queue=max(1, heavy.QUEUE // share),
        per_client=max(1, heavy.PER_CLIENT // share),
    )
    hosts = json.loads(os.environ.get(HOSTS_ENV, "null"))
    app = create_app(
        open_store(root, build_if_missing=False),
        heavy=pool,
        cache_mb=CACHE_MB / share,
        allowed_hosts=hosts,
    )
    calm_garbage_collector()
    return app
