"""The server under load: web limits (413/429 problem+json), the heavy-request pool (admission, time
limit, cancellation, errors), cancellation of engine queries, the byte-bounded result cache, SQL compiled
once per query shape, a DuckDB cursor per thread, and errors that keep the connection usable.

Speed itself is measured by ``benchmarks/bench_web.py``; these tests check the behaviour behind it.
"""

from __future__ import annotations

import asyncio
import http.client
import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from grondstof import cancel
from grondstof.errors import InputError, LimitError
from grondstof.web.heavy import HeavyPool

# -- the heavy-request pool (no data needed) ---------------------------------------------------------------


@pytest.fixture
def pool():
    made = HeavyPool(workers=1, queue=1, per_client=2, seconds=20)
    yield made
    made.shutdown()


def _wait_until(condition, seconds: float = 20) -> None:
    """Wait for ``condition()`` (a state of the pool, not a guess of how long a thread takes to start)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        time.sleep(0.01)


def _in_thread(fn, *args):
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = fn(*args)
        except BaseException as exc:  # handed to the test
            box["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, box


def test_heavy_pool_runs_a_task_in_a_separate_worker_process(pool, tmp_path: Path) -> None:
    import os

    first = pool.call("sleep", 0, tmp_path)
    assert first != os.getpid()
    assert pool.call("sleep", 0, tmp_path) == first  # the idle worker is reused


def test_heavy_pool_refuses_beyond_running_and_waiting_with_429(pool, tmp_path: Path) -> None:
    running, _ = _in_thread(pool.call, "sleep", 1.5, tmp_path, "a")
    _wait_until(lambda: sum(pool.busy) == 1)
    waiting, waited = _in_thread(pool.call, "sleep", 0, tmp_path, "b")
    _wait_until(lambda: sum(pool.busy) == 2)
    with pytest.raises(LimitError) as refused:
        pool.call("sleep", 0, tmp_path, "c")
    assert refused.value.status == 429 and refused.value.retry_after
    assert refused.value.limit == 2 and "1 heavy requests running and 1 waiting" in str(refused.value)
    running.join()
    waiting.join()
    assert "error" not in waited


def test_heavy_pool_limits_one_client(tmp_path: Path) -> None:
    pool = HeavyPool(workers=2, queue=4, per_client=1, seconds=20)
    try:
        first, _ = _in_thread(pool.call, "sleep", 1.0, tmp_path, "10.0.0.1")
        _wait_until(lambda: sum(pool.busy) == 1)
        with pytest.raises(LimitError, match="heavy requests per client") as refused:
            pool.call("sleep", 0, tmp_path, "10.0.0.1")
        assert refused.value.status == 429
        assert pool.call("sleep", 0, tmp_path, "10.0.0.2")  # another client is served meanwhile
        first.join()
    finally:
        pool.shutdown()


def test_a_heavy_request_past_its_time_limit_is_stopped_and_its_worker_killed(tmp_path: Path) -> None:
    pool = HeavyPool(workers=1, queue=0, seconds=30)
    try:
        worker = pool.call("sleep", 0, tmp_path)  # the worker's start-up is not part of the limit tested
        pool.seconds = 0.5
        start = time.monotonic()
        with pytest.raises(cancel.Cancelled) as stopped:
            pool.call("sleep", 30, tmp_path)
        assert time.monotonic() - start < 3
        assert stopped.value.reason == "deadline" and "0.5 s" in str(stopped.value)
        assert pool.call("sleep", 0, tmp_path) != worker  # a new worker replaced the killed one
    finally:
        pool.shutdown()


def test_a_cancelled_request_stops_its_heavy_work_at_once(pool, tmp_path: Path) -> None:
    token = cancel.CancelToken(60)

    def call() -> object:
        with cancel.use(token):
            return pool.call("sleep", 30, tmp_path)

    thread, box = _in_thread(call)
    time.sleep(0.5)
    start = time.monotonic()
    token.cancel("disconnect")
    thread.join(5)
    assert time.monotonic() - start < 2
    assert isinstance(box.get("error"), cancel.Cancelled) and box["error"].reason == "disconnect"


def test_shutdown_ends_running_heavy_work_with_shutdown(tmp_path: Path) -> None:
    pool = HeavyPool(workers=1, queue=1, seconds=60)
    thread, box = _in_thread(pool.call, "sleep", 30, tmp_path)
    time.sleep(0.5)
    pool.shutdown()
    thread.join(5)
    assert isinstance(box.get("error"), cancel.Cancelled) and box["error"].reason == "shutdown"
    with pytest.raises(cancel.Cancelled, match="stopping"):
        pool.call("sleep", 0, tmp_path)


# -- the result cache ------------------------------------------------------------------------------------


def test_result_cache_is_bounded_in_bytes_and_evicts_the_least_recently_used() -> None:
    from grondstof.web.runner import ResultCache

    cache = ResultCache(max_bytes=1000)
    for n in range(10):
        assert cache.put(("page", "build-a", n), f"value {n}", 200)
        cache.get(("page", "build-a", 0))  # keep the first one in use
    assert cache.bytes <= 1000 and len(cache) == 5
    assert cache.get(("page", "build-a", 0)) == "value 0"
    assert cache.get(("page", "build-a", 1)) is None
    assert not cache.put(("page", "build-a", "big"), "x", 251)  # over a quarter of the budget: not kept
    cache.drop_build("build-a")
    assert len(cache) == 0 and cache.bytes == 0


def test_cancel_token_limits_and_extensions(monkeypatch) -> None:
    now = [1000.0]  # a clock the test moves: a busy machine cannot stretch a sleep past a limit
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    token = cancel.CancelToken(0.05)
    assert token.expire() is not None and not token.cancelled
    token.allow(0.2)
    now[0] += 0.1
    assert token.expire() is not None  # extended for heavy work
    now[0] += 0.15
    assert token.expire() is None and token.reason == "deadline"
    with pytest.raises(cancel.Cancelled, match=r"time limit of 0.2 s"):
        token.check()


def test_the_guard_cancels_a_request_whose_client_leaves() -> None:
    from grondstof.web.app import Guard, InFlight

    seen: dict[str, object] = {}

    async def app(scope, receive, send) -> None:
        token = cancel.current()
        assert token is not None
        while not token.cancelled:
            await asyncio.sleep(0.01)
        seen["reason"] = token.reason
        await send({"type": "http.response.start", "status": 503, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    messages = [{"type": "http.request", "body": b"", "more_body": False}, {"type": "http.disconnect"}]

    async def receive():
        message = messages.pop(0)
        if message["type"] == "http.disconnect":
            await asyncio.sleep(0.1)  # the client leaves while the work runs
        return message

    async def send(message) -> None:
        seen.setdefault("status", message.get("status"))

    scope = {"type": "http", "path": "/api/v1/imports", "method": "GET", "client": ("10.1.2.3", 5000)}
    asyncio.run(Guard(app, InFlight(), seconds=30)(scope, receive, send))
    assert seen == {"reason": "disconnect", "status": 503}


# -- limits, cache, cursors and SQL on the real data -----------------------------------------------------


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("path", "params", "parameter", "limit"),
    [
        ("/api/v1/scenario/montecarlo", {"country": "NL", "draws": 10_000_000}, "draws", 200_000),
        (
            "/download/montecarlo.csv",
            {"country": "NL", "draws": 10_000_000, "materials": "all"},
            "draws",
            200_000,
        ),
        ("/api/v1/scenario/stockpile", {"country": "NL,DE,FR,IT,ES,PL", "budget": 1e8}, "country", "5 items"),
        (
            "/api/v1/imports",
            {"material": "all", "country": "NL,DE,FR,IT,ES", "years": "2015-2024"},
            None,
            4000,
        ),
        ("/api/v1/supply", {"material": "cobalt", "page_size": 100_000}, "page_size", 5000),
    ],
)
def test_requests_over_a_web_limit_get_413_naming_the_limit(web, path, params, parameter, limit) -> None:
    response = web.get(path, params=params)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["limit"] == limit and "over this server's limit" in body["detail"]
    if parameter:
        assert body["parameter"] == parameter
    else:
        from grondstof.registry.materials import materials

        every = len(materials().resolve_many("all"))
        assert body["parameter"] == "material × country × years" and body["value"] == every * 5 * 10


@pytest.mark.realdata
def test_a_page_over_a_web_limit_is_an_html_413(web) -> None:
    response = web.get("/scenarios/stockpile", params={"country": "NL,DE,FR,IT,ES,PL", "budget": "1e8"})
    assert response.status_code == 413
    assert "text/html" in response.headers["content-type"] and "5 items" in response.text


@pytest.mark.realdata
def test_within_the_limits_heavy_and_cheap_requests_answer(web) -> None:
    heavy = web.get("/api/v1/scenario/montecarlo", params={"country": "NL", "draws": 1000, "seed": 3})
    assert heavy.status_code == 200 and heavy.json()["meta"]["query"]["draws"] == 1000
    bad = web.get("/api/v1/scenario/montecarlo", params={"country": "Atlantis", "draws": 1000})
    assert bad.status_code == 400 and bad.json()["parameter"] == "country"  # rebuilt from the worker
    cheap = web.get("/api/v1/imports", params={"material": "all", "country": "EU27", "years": "2015-2024"})
    assert cheap.status_code == 200 and cheap.json()["meta"]["page"]["total_rows"] > 1000


@pytest.mark.realdata
def test_cursors_per_thread_answer_concurrent_queries_as_one_cursor_does(real_store) -> None:
    from grondstof.analyses import run
    from grondstof.web.served import ServedStore

    served = ServedStore(real_store.build_dir)
    try:
        served.warm()
        assert "trade" in served.hot_tables
        asks = [(m, c) for m in ("cobalt", "nickel", "lithium", "copper") for c in ("NL", "DE", "EU27", "US")]
        alone = {ask: run("imports", served, material=ask[0], country=ask[1]).rows for ask in asks}
        with ThreadPoolExecutor(8) as threads:
            answers = threads.map(lambda a: run("imports", served, material=a[0], country=a[1]).rows, asks)
            together = dict(zip(asks, answers, strict=True))
        assert together == alone  # the same answers, bit for bit, from eight cursors at once
        plain = run("imports", real_store, material="cobalt", country="DE").rows
        for mine, theirs in zip(alone[("cobalt", "DE")], plain, strict=True):
            assert mine.keys() == theirs.keys()
            for key, value in mine.items():
                assert value == pytest.approx(theirs[key], rel=1e-12) if isinstance(value, float) else True
    finally:
        served.close()


@pytest.mark.realdata
def test_sql_of_a_cached_shape_is_what_ibis_compiles(real_store) -> None:
    """Each query's SQL from the template equals Ibis's own compilation (random requests, fixed seed)."""
    from grondstof import engine
    from grondstof.analyses import run
    from grondstof.web.served import ServedStore

    served = ServedStore(real_store.build_dir)
    compared = []
    original = engine.to_rows

    def checked(expr):
        backend = expr._find_backend(use_default=True)
        table = expr.as_table()
        compared.append((served.sql.sql(backend, table), str(backend.compile(table))))
        return original(expr)

    rng = random.Random(14)
    materials = ["cobalt", "nickel", "lithium", "graphite", "gallium", "copper", "tin", "pgm"]
    importers = ["NL", "DE", "FR", "EU27", "US", "JP", "BE", "NL,DE"]
    try:
        engine.to_rows = checked
        for _ in range(40):  # declared queries (test_prepared.py) skip this path: ask enough for 30
            kind = rng.choice(["imports", "imports-years", "compare", "partner"])
            try:
                if kind == "imports":
                    run("imports", served, material=rng.choice(materials), country=rng.choice(importers))
                elif kind == "imports-years":
                    first = rng.randint(2015, 2022)
                    run(
                        "imports", served, material=rng.choice(materials), country="NL", years=f"{first}-2024"
                    )
                elif kind == "compare":
                    run("compare", served, material=rng.choice(materials), countries=rng.choice(importers))
                else:
                    run("partner", served, country=rng.choice(["NL", "DE"]), partner=rng.choice(["CN", "RU"]))
            except InputError:
                continue  # no trade data for that pair: still compiled and compared
    finally:
        engine.to_rows = original
        served.close()
    assert len(compared) > 30
    assert all(mine == theirs for mine, theirs in compared)
    assert served.sql.hits > served.sql.misses  # most queries reused a template


@pytest.mark.realdata
def test_an_engine_query_stops_when_its_token_is_cancelled(real_store) -> None:
    from grondstof.engine import duckdb_table, to_rows

    con = real_store.con
    con.con.execute(
        "CREATE OR REPLACE TEMP VIEW slow_on_purpose AS "
        "SELECT sum(a.range * b.range) AS s FROM range(100000000) a, range(1000) b"
    )
    slow = duckdb_table(con, "slow_on_purpose")
    token = cancel.CancelToken(60)
    timer = threading.Timer(0.3, token.cancel, ["deadline"])
    start = time.monotonic()
    timer.start()
    with cancel.use(token), pytest.raises(cancel.Cancelled):
        to_rows(slow)
    assert time.monotonic() - start < 5


@pytest.mark.realdata
def test_an_unexpected_error_is_a_500_on_a_connection_that_stays_usable(real_store) -> None:
    import socket

    import uvicorn

    from grondstof.web.app import create_app

    app = create_app(real_store, follow_builds=False)

    @app.get("/api/v1/broken-on-purpose")
    def broken() -> None:
        raise RuntimeError("a bug")

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/api/v1/broken-on-purpose")
        response = connection.getresponse()
        body = response.read()
        assert response.status == 500 and b"could not answer this request" in body
        assert b"a bug" not in body  # the error stays in the server's log
        assert response.getheader("connection") != "close" and response.getheader("x-content-type-options")
        assert response.getheader("content-type") == "application/problem+json"
        connection.request("GET", "/health")  # the same keep-alive connection
        assert connection.getresponse().status == 200
        connection.close()
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.mark.realdata
def test_sigterm_stops_heavy_work_and_the_server_promptly(real_store_dir: Path) -> None:
    import os
    import signal
    import socket
    import subprocess
    import sys
    import urllib.error
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "grondstof", "serve", "--port", str(port), "--workers", "1"],
        env={**os.environ, "GRONDSTOF_STORE": str(real_store_dir), "GRONDSTOF_HEAVY_SECONDS": "300"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        statuses: list[int] = []

        def heavy() -> None:
            url = base + "/api/v1/scenario/stockpile?country=NL&materials=all&budget=1e8&draws=200000&seed=5"
            try:
                statuses.append(urllib.request.urlopen(url, timeout=120).status)
            except urllib.error.HTTPError as exc:
                statuses.append(exc.code)

        client = threading.Thread(target=heavy)
        client.start()
        time.sleep(3)  # the plan is being computed in a worker
        start = time.monotonic()
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        client.join(30)
        assert time.monotonic() - start < 12
        assert statuses in ([503], [200])  # stopped, or it had already finished
    finally:
        if server.poll() is None:
            server.kill()


def test_the_server_freezes_start_up_objects_out_of_garbage_collection() -> None:
    """Full collections of start-up's objects were the p99 of cached answers (64 ms; 15 ms without)."""
    import subprocess
    import sys

    code = (
        "import gc\nfrom grondstof.web.app import calm_garbage_collector\ncalm_garbage_collector()\n"
        "print(gc.get_freeze_count(), gc.get_threshold()[0])"
    )
    frozen, gen0 = map(
        int,
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split(),
    )
    assert frozen > 10_000 and gen0 >= 10_000
    env = {**os.environ, "GRONDSTOF_GC_DEFAULT": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.split() == ["0", "700"]


@pytest.mark.realdata
def test_the_served_store_lends_its_cursors_first_come_first_served(real_store) -> None:
    """At most ``cursors`` analyses hold a cursor; the others wait their turn in order of arrival."""
    from grondstof.web.served import ServedStore

    served = ServedStore(real_store.build_dir, cursors=1)
    release = threading.Event()
    order: list[str] = []
    lent: list[int] = []

    def hold(name: str, wait: threading.Event | None = None) -> None:
        with served.cursor():
            order.append(name)
            lent.append(id(served.con))
            if wait is not None:
                wait.wait(20)

    try:
        first, _ = _in_thread(hold, "first", release)
        _wait_until(lambda: order == ["first"])
        second, _ = _in_thread(hold, "second")
        _wait_until(lambda: len(served._waiting) == 1)
        third, _ = _in_thread(hold, "third")
        _wait_until(lambda: len(served._waiting) == 2)
        assert order == ["first"]  # the one cursor is lent: the others wait
        release.set()
        for thread in (first, second, third):
            thread.join(20)
        assert order == ["first", "second", "third"]
        assert len(set(lent)) == 1  # one cursor, passed on
    finally:
        release.set()
        served.close()


@pytest.mark.realdata
def test_a_request_waiting_for_a_cursor_stops_when_cancelled(real_store) -> None:
    from grondstof.web.served import ServedStore

    served = ServedStore(real_store.build_dir, cursors=1)
    release = threading.Event()
    outcome: list[BaseException] = []

    def holder() -> None:
        with served.cursor():
            release.wait(20)

    def waiter(token: cancel.CancelToken) -> None:
        with cancel.use(token):
            try:
                with served.cursor():
                    pass
            except cancel.Cancelled as exc:
                outcome.append(exc)

    try:
        held, _ = _in_thread(holder)
        _wait_until(lambda: served._pooled == 1 and not served._free)
        token = cancel.CancelToken()
        waiting, _ = _in_thread(waiter, token)
        _wait_until(lambda: len(served._waiting) == 1)
        token.cancel("disconnect")
        waiting.join(20)
        assert outcome and outcome[0].reason == "disconnect"
        assert not served._waiting  # it left the queue
        release.set()
        held.join(20)
        with served.cursor():  # the cursor came back and is lent again
            assert served.con is not None
    finally:
        release.set()
        served.close()


def test_server_settings_from_the_environment_are_checked(monkeypatch) -> None:
    from grondstof.config import env_float, env_int

    monkeypatch.setenv("GRONDSTOF_CURSORS", " 6 ")
    assert env_int("GRONDSTOF_CURSORS", 0) == 6
    monkeypatch.setenv("GRONDSTOF_CURSORS", "")
    assert env_int("GRONDSTOF_CURSORS", 3) == 3  # empty is unset
    monkeypatch.setenv("GRONDSTOF_HOT_MB", "0.5")
    assert env_float("GRONDSTOF_HOT_MB", 64.0) == 0.5
    for bad in ("four", "-1", "2.5", "٣"):
        monkeypatch.setenv("GRONDSTOF_CURSORS", bad)
        with pytest.raises(InputError, match=r"GRONDSTOF_CURSORS: .* expected a whole number ≥ 0"):
            env_int("GRONDSTOF_CURSORS", 0)
    for bad in ("lots", "-3", "nan", "inf"):
        monkeypatch.setenv("GRONDSTOF_HOT_MB", bad)
        with pytest.raises(InputError, match=r"GRONDSTOF_HOT_MB: .* expected a number ≥ 0"):
            env_float("GRONDSTOF_HOT_MB", 64.0)


@pytest.mark.realdata
def test_serve_with_a_mistyped_setting_stops_with_one_line_naming_it(real_store_dir: Path) -> None:
    import subprocess
    import sys

    env = {**os.environ, "GRONDSTOF_STORE": str(real_store_dir), "GRONDSTOF_CURSORS": "four"}
    done = subprocess.run(
        [sys.executable, "-m", "grondstof", "serve", "--port", "8999"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "GRONDSTOF_CURSORS: 'four' is not valid; expected a whole number ≥ 0" in done.stderr
    assert "Traceback" not in done.stderr
