"""Security review of every route (issue 10 part 5), through the real ASGI app.

One class of attack per section: security headers and the Content-Security-Policy, the Host and Origin
checks, control characters and header injection (the red team's ``Content-Disposition`` rows), path
traversal in every name that becomes a path, script injection in every reflected parameter (pages, error
messages, ``lang``, cookies), formula injection in every export (CSV and Excel downloads, the Excel
report, the CLI's ``--csv``), ``Connection: close`` after a server error (also over a real socket),
``serve`` on loopback and its warning when it is not, and YAML read safely. The payloads live in
tests/security_probes.py, shared with benchmarks/security_scan.py, which runs the larger matrix.
"""

from __future__ import annotations

import csv
import io
import socket
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from grondstof.web.security import (
    DEFAULT_ALLOWED_HOSTS,
    PAGE_CSP,
    allowed_hosts_for,
    ascii_slug,
    content_disposition,
    is_loopback,
    normalise_host,
)
from security_probes import (
    FORMULAS,
    HEADER_INJECTION,
    HEADER_URLS,
    NAMES_THAT_BECOME_PATHS,
    PAGES,
    PATHS,
    SECRETS,
    TRAVERSAL,
    WRITE_ROUTES,
    XSS,
    asgi_get,
    formula_cells,
    html_findings,
    response_findings,
    routes_of,
    yaml_offenders,
)

SRC = Path(__file__).resolve().parents[1] / "src" / "grondstof"


@pytest.fixture(scope="module")
def client(web) -> TestClient:
    """The real-data app, answering a 500 as a response (so it can be inspected)."""
    return TestClient(web.app, raise_server_exceptions=False)


# -- security headers and the Content-Security-Policy ------------------------------------------------------

EVERY_KIND = [
    "/?country=NL",
    "/material/cobalt?country=NL",
    "/docs",
    "/api/v1/supply?material=cobalt",
    "/api/v1/supply?material=nonsense",
    "/download/supply.csv?material=cobalt",
    "/report/material/cobalt.html?country=NL",
    "/static/app.js",
    "/static/favicon.svg",
    "/no/such/page",
    "/api/v1/watch.atom?country=NL",
    "/health",
]


@pytest.mark.realdata
@pytest.mark.parametrize("url", EVERY_KIND)
def test_every_kind_of_response_carries_the_security_headers(client, url) -> None:
    response = client.get(url)
    assert response.status_code < 500
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("style-src")[0]  # never for scripts
    assert response_findings(response) == []


@pytest.mark.realdata
def test_pages_get_the_page_policy_and_reports_a_script_free_one(client) -> None:
    page = client.get("/?country=NL")
    assert page.headers["content-security-policy"] == PAGE_CSP
    assert "script-src 'self' 'unsafe-eval'" in PAGE_CSP and "style-src 'self';" in PAGE_CSP
    report = client.get("/report/country/NL.html")
    assert report.status_code == 200
    policy = report.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script" not in policy  # the report runs no script at all
    data = client.get("/api/v1/supply", params={"material": "cobalt"})
    assert data.headers["content-security-policy"].startswith("default-src 'none'")
    scan = client.get("/scan/report.html", params={"template": "ev_nmc"})  # the scanner's report too
    assert scan.status_code == 200, scan.text[:300]
    assert scan.headers["content-security-policy"] == policy
    assert scan.headers["content-disposition"] == 'inline; filename="grondstof-scan.html"'


@pytest.mark.realdata
def test_the_dashboard_satisfies_its_own_policy(client) -> None:
    """No inline script, no event-handler attribute, no inline style on any page (the browser journeys in
    test_browser.py also assert that no CSP violation is reported while charts draw)."""
    pages = ["/?country=NL", "/material/gallium?country=NL", "/compare", "/partner", "/alerts", "/benchmarks"]
    pages += ["/scenarios", "/scenarios/cutoff?preset=CN-2023-GaGe&country=NL", "/scenarios/transition"]
    pages += ["/balance?material=cobalt", "/technologies", "/materials", "/sources", "/docs"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert html_findings(response.text) == [], url
    app_js = client.get("/static/app.js").text
    assert (
        "defaultStyle: false" in app_js and "disableDefaultStyle: true" in app_js
    )  # vega injects no <style>


# -- the Host and Origin checks ----------------------------------------------------------------------------


@pytest.mark.realdata
@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8000", "127.0.0.1.nip.io", "10.0.0.5", "[::2]"]
)
def test_an_unknown_host_is_refused(client, host) -> None:
    """DNS rebinding: a page on an attacker's domain that resolves to 127.0.0.1 sends its own Host."""
    response = client.get("/api/v1/supply", params={"material": "cobalt"}, headers={"host": host})
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == "Host" and body["value"] == host
    assert "--allowed-host" in body["expected"]
    page = client.get("/", headers={"host": host})
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "x-grondstof-build" not in page.headers  # refused before any store work


@pytest.mark.realdata
@pytest.mark.parametrize(
    "host", ["127.0.0.1:8000", "localhost", "LOCALHOST:8000", "[::1]:8000", "localhost."]
)
def test_loopback_hosts_are_served(client, host) -> None:
    assert client.get("/health", headers={"host": host}).status_code == 200


@pytest.mark.realdata
def test_the_atom_self_link_never_reflects_an_untrusted_host(real_store) -> None:
    """Red team: the feed's rel=self echoed any Host. Now a foreign Host never reaches the feed, and when
    every host is allowed ('*') the self link names the loopback address, not the Host header."""
    from grondstof.web.app import create_app

    app = TestClient(create_app(real_store, follow_builds=False))
    feed = app.get("/api/v1/watch.atom", params={"country": "NL"}, headers={"host": "localhost:8000"})
    assert 'href="http://localhost:8000/api/v1/watch.atom?country=NL"' in feed.text
    assert app.get("/api/v1/watch.atom?country=NL", headers={"host": "evil.example"}).status_code == 400

    anyone = TestClient(create_app(real_store, follow_builds=False, allowed_hosts=["*"]))
    feed = anyone.get("/api/v1/watch.atom", params={"country": "NL"}, headers={"host": "evil.example"})
    assert feed.status_code == 200
    assert "evil.example" not in feed.text
    assert 'href="http://127.0.0.1/api/v1/watch.atom?country=NL"' in feed.text


@pytest.mark.realdata
def test_a_server_on_all_interfaces_answers_only_the_names_it_was_given(real_store) -> None:
    from grondstof.web.app import create_app

    hosts = allowed_hosts_for("0.0.0.0", ["grondstof.lan", "192.168.1.20"])
    app = TestClient(create_app(real_store, follow_builds=False, allowed_hosts=hosts))
    assert app.get("/health", headers={"host": "grondstof.lan:8000"}).status_code == 200
    assert app.get("/health", headers={"host": "192.168.1.20:8000"}).status_code == 200
    assert app.get("/health", headers={"host": "localhost:8000"}).status_code == 200
    assert app.get("/health", headers={"host": "0.0.0.0:8000"}).status_code == 400
    assert (
        app.get("/health", headers={"host": "testserver"}).status_code == 400
    )  # only the test default has it


@pytest.mark.realdata
def test_a_cross_site_form_cannot_post(client) -> None:
    """Every route is GET; a write route added later is still protected: a foreign Origin on any method but
    GET/HEAD/OPTIONS is refused with 403 before the route runs (a same-origin one reaches the route: 405)."""
    foreign = client.post("/api/v1/supply", headers={"origin": "http://evil.example"})
    assert foreign.status_code == 403 and foreign.json()["parameter"] == "Origin"
    assert client.post("/api/v1/supply", headers={"origin": "null"}).status_code == 403
    for upload in ("/scan", "/scan/delete", "/api/v1/scan/upload"):  # the scanner's real write routes
        files = {"file": ("bom.csv", b"material,quantity_t\ncobalt,1\n", "text/csv")}
        refused = client.post(upload, files=files, headers={"origin": "https://evil.example"})
        assert refused.status_code == 403, upload
    same = client.post("/api/v1/supply", headers={"origin": "http://127.0.0.1:8000"})
    assert same.status_code == 405


@pytest.mark.realdata
def test_every_route_is_read_only(client) -> None:
    routes = routes_of(client.app)
    assert len(routes) > 40
    writers = {path for path, methods in routes if methods - {"GET", "HEAD"}}
    assert writers <= WRITE_ROUTES, f"review and list these write routes: {writers - WRITE_ROUTES}"


def test_host_names_are_compared_without_port_case_or_brackets() -> None:
    assert normalise_host("LocalHost:8000") == "localhost"
    assert normalise_host("[::1]:8000") == "::1"
    assert normalise_host("example.org.") == "example.org"
    assert allowed_hosts_for("127.0.0.1") == ("127.0.0.1", "localhost", "::1")
    assert allowed_hosts_for("192.168.1.20", ["NAS.local"]) == (
        "127.0.0.1",
        "localhost",
        "::1",
        "192.168.1.20",
        "nas.local",
    )
    assert "testserver" in DEFAULT_ALLOWED_HOSTS and "testserver" not in allowed_hosts_for("::")
    assert (
        is_loopback("127.0.0.1")
        and is_loopback("127.1.2.3")
        and is_loopback("::1")
        and is_loopback("localhost")
    )
    assert not is_loopback("0.0.0.0") and not is_loopback("::") and not is_loopback("192.168.1.20")


# -- control characters and header injection (red team: Content-Disposition) ----------------------------


@pytest.mark.realdata
def test_a_country_name_beyond_latin_1_gives_a_report_not_a_500(client) -> None:
    """Red team: /report/country/Tu%CC%88rkiye.html answered 500 (the raw name in Content-Disposition)."""
    response = client.get("/report/country/Tu%CC%88rkiye.html")
    assert response.status_code == 200, response.text[:300]
    disposition = response.headers["content-disposition"]
    disposition.encode("ascii")
    assert disposition == 'inline; filename="grondstof-TUR.html"'  # the resolved code, not the raw path


@pytest.mark.realdata
@pytest.mark.parametrize("country", ["Tu\u0308rkiye", "T\u00fcrkiye"])
def test_the_remembered_country_cookie_holds_the_resolved_code(client, country) -> None:
    """Found by benchmarks/security_scan.py: ``/?country=Tu%CC%88rkiye`` answered 500 (the raw name went
    into the Set-Cookie header, which must be Latin-1). The cookie now holds the resolved code."""
    response = client.get("/", params={"country": country})
    assert response.status_code == 200, response.text[:300]
    cookie = response.headers["set-cookie"]
    cookie.encode("ascii")
    assert cookie.startswith("country=TUR;")


@pytest.mark.realdata
@pytest.mark.parametrize("bad", HEADER_INJECTION[:7])
@pytest.mark.parametrize(
    "url",
    HEADER_URLS,
)
def test_a_control_character_in_a_parameter_is_refused_naming_it(client, url, bad) -> None:
    """Red team: ``?country=NL%0d%0a`` was accepted as NL and the line break reached Content-Disposition
    (the server then dropped the connection). Any control character in any parameter is now a 400 that
    names the parameter, before a route runs."""
    response = client.get(url.format(quote(bad, safe="")))
    assert response.status_code == 400, response.text[:300]
    if url.startswith(("/report", "/download", "/api")):
        body = response.json()
        assert body["parameter"] == "country" and body["value"] == bad
        assert "control character" in body["detail"]
    else:
        assert "country" in response.text and "control character" in response.text
        assert html_findings(response.text) == []
    assert all("\r" not in v and "\n" not in v for v in response.headers.values())


@pytest.mark.realdata
@pytest.mark.parametrize(
    "path", ["/report/country/NL%0d%0a.html", "/material/cobalt%00", "/country/NL%0aX:1"]
)
def test_a_control_character_in_the_path_is_refused(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert "path" in response.text and "U+00" in response.text


@pytest.mark.realdata
def test_every_report_and_download_file_name_is_a_safe_ascii_slug(client) -> None:
    urls = [f"/report/material/cobalt.{fmt}?country=Nederland" for fmt in ("html", "xlsx", "json")]
    urls += ["/report/country/T%C3%BCrkiye.json", "/report/scenario/cutoff_china_gallium_germanium_nl.json"]
    urls += ["/download/supply.csv?material=cobalt", "/download/supply.xlsx?material=cobalt"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.text[:300])
        disposition = response.headers["content-disposition"]
        disposition.encode("ascii")
        kind, name = disposition.split("; ", 1)
        assert kind in ("inline", "attachment")
        assert name.startswith('filename="grondstof-') and name.count('"') == 2, disposition
    assert 'filename="grondstof-cobalt-NLD.html"' in client.get(urls[0]).headers["content-disposition"]


def test_content_disposition_is_ascii_with_the_utf8_name_beside_it() -> None:
    """RFC 6266 with an RFC 8187 ``filename*``: quotes, slashes, control characters never reach the header."""
    assert (
        content_disposition("attachment", "grondstof-TR", "csv") == 'attachment; filename="grondstof-TR.csv"'
    )
    header = content_disposition("inline", "grondstof-Türkiye", "html")
    assert (
        header == "inline; filename=\"grondstof-Turkiye.html\"; filename*=UTF-8''grondstof-T%C3%BCrkiye.html"
    )
    hostile = content_disposition("attachment", 'x"\r\nSet-Cookie: a=b/../..\\中国', "pdf")
    hostile.encode("ascii")
    assert "\r" not in hostile and "\n" not in hostile and "/" not in hostile.split("filename*")[0]
    assert hostile == (
        'attachment; filename="x-Set-Cookie-a-b.pdf"; '
        "filename*=UTF-8''xSet-Cookie%3A%20a%3Db....%E4%B8%AD%E5%9B%BD.pdf"
    )
    assert ascii_slug("../../etc/passwd") == "etc-passwd"
    assert ascii_slug("中国") == "download"
    with pytest.raises(ValueError, match="disposition"):
        content_disposition("attachment\r\nX: 1", "x", "csv")
    with pytest.raises(ValueError, match="extension"):
        content_disposition("inline", "x", "html\r\nX: 1")


@pytest.mark.realdata
def test_over_a_real_socket_bad_names_get_an_answer_and_a_500_keeps_the_connection(real_store) -> None:
    """Through uvicorn (what ``grondstof serve`` runs): the red team saw the connection dropped without an
    answer for ``?country=NL%0d%0a``, a 500 for a non-Latin-1 report name, and a keep-alive connection closed
    after a 500 without ``Connection: close``. Now a 500 is answered in full and the connection stays
    usable (the request guard answers the error; nothing reaches uvicorn)."""
    import uvicorn

    from grondstof.web.app import create_app

    app = create_app(real_store, follow_builds=False, allowed_hosts=allowed_hosts_for("127.0.0.1"))

    @app.get("/api/v1/boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("a bug")

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        assert server.started

        def exchange(path: str) -> tuple[bytes, bool]:
            """Send one keep-alive request; return the head of the answer and whether the server then
            closed the connection."""
            with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
                conn.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return data, True
                    data += chunk
                head, _, rest = data.partition(b"\r\n\r\n")
                length = int(
                    next(
                        line.split(b":")[1]
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    )
                )
                while len(rest) < length:
                    rest += conn.recv(65536)
                conn.settimeout(2)
                try:
                    closed = conn.recv(1) == b""
                except TimeoutError:
                    closed = False
                return head, closed

        head, closed = exchange("/report/material/cobalt.html?country=NL%0d%0a")
        assert head.startswith(b"HTTP/1.1 400"), head
        assert not closed  # a plain 400: the connection stays usable
        head, closed = exchange("/report/country/Tu%CC%88rkiye.html")
        assert head.startswith(b"HTTP/1.1 200") and b'filename="grondstof-TUR.html"' in head
        head, closed = exchange("/api/v1/boom")
        assert head.startswith(b"HTTP/1.1 500"), head
        assert b"connection: close" not in head.lower() and not closed
        assert b"x-content-type-options: nosniff" in head.lower()
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.mark.realdata
def test_a_500_is_a_problem_or_the_error_page_with_the_security_headers(real_store) -> None:
    from grondstof.web.app import create_app

    app = create_app(real_store, follow_builds=False)

    @app.get("/api/v1/boom", include_in_schema=False)
    def api_boom() -> None:
        raise RuntimeError("a bug")

    @app.get("/boom", include_in_schema=False)
    def page_boom() -> None:
        raise RuntimeError("a bug")

    client = TestClient(app, raise_server_exceptions=False)
    api = client.get("/api/v1/boom")
    assert api.status_code == 500 and api.headers.get("connection") != "close"
    assert api.headers["content-type"] == "application/problem+json"
    assert "a bug" not in api.text  # the error stays in the server's log
    page = client.get("/boom")
    assert page.status_code == 500 and "x-frame-options" in page.headers
    assert page.headers["content-type"].startswith("text/html") and "x-content-type-options" in page.headers
    assert client.get("/health").headers.get("connection") != "close"


# -- path traversal --------------------------------------------------------------------------------------


@pytest.mark.realdata
@pytest.mark.parametrize("name", TRAVERSAL)
@pytest.mark.parametrize("template", NAMES_THAT_BECOME_PATHS)
def test_no_name_leaves_the_served_folders(client, template, name) -> None:
    """Every name that becomes a file path, with ``..``, encoded ``..%2f``/``%2e%2e``/``%5c``, absolute
    paths and NUL, sent to the ASGI app unnormalised and through the HTTP client: never a file's content,
    never a 500."""
    from urllib.parse import unquote

    for path in (template.format(unquote(name)), template.format(name)):
        status, _, body = asgi_get(client.app, path)
        assert status in (400, 404), (path, status, body[:200])
        text = body.decode("utf-8", "replace")
        assert not any(secret in text for secret in SECRETS), (path, text[:200])
    response = client.get(template.format(name))  # the client resolves "..": it may land on a real page
    assert response.status_code < 500 and not any(secret in response.text for secret in SECRETS)


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("route", "parameter"),
    [
        ("/api/v1/watch?country=NL", "config"),
        ("/api/v1/scenario/cutoff?materials=cobalt&suppliers=CD&country=NL", "file"),
        ("/api/v1/scenario/montecarlo?country=NL&materials=cobalt", "file"),
        ("/api/v1/scenario/stockpile?country=NL&materials=cobalt", "scenario"),
        ("/download/watch.csv?country=NL", "config"),
        ("/download/cutoff.csv?materials=cobalt&suppliers=CD&country=NL", "file"),
    ],
)
def test_file_path_parameters_are_not_reachable_from_the_web(client, route, parameter) -> None:
    """The library's file parameters (a watch config, a scenario file) exist on the CLI only: the web refuses
    them by name, so no URL can make the server read a file of its choosing."""
    response = client.get(f"{route}&{parameter}={quote('../../../../etc/passwd', safe='')}")
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter


@pytest.mark.realdata
def test_a_scenario_report_names_only_a_shipped_example(client) -> None:
    response = client.get("/report/scenario/..%2e.html")
    assert response.status_code == 400 and response.json()["parameter"] == "scenario"
    assert "cutoff_china_gallium_germanium_nl" in response.json()["expected"]


# -- script injection in every reflected parameter -----------------------------------------------------


@pytest.mark.realdata
@pytest.mark.parametrize("payload", XSS)
@pytest.mark.parametrize(
    ("path", "base", "parameter"),
    [pytest.param(p, b, n, id=f"{p}:{n}") for p, b, names in PAGES for n in names],
)
def test_no_parameter_is_reflected_as_markup(client, path, base, parameter, payload) -> None:
    """The payload lands in the page (forms keep what was typed, error messages quote it) only escaped:
    no script, event handler or javascript: URL appears, whatever the answer."""
    response = client.get(path, params={**base, parameter: payload})
    assert response.status_code < 500, response.text[:300]
    assert response_findings(response, payload) == [], (path, parameter)


@pytest.mark.realdata
@pytest.mark.parametrize("payload", XSS)
@pytest.mark.parametrize("template", PATHS)
def test_no_path_name_is_reflected_as_markup(client, template, payload) -> None:
    response = client.get(template.format(quote(payload, safe="")))
    assert response.status_code < 500, response.text[:300]
    assert response_findings(response, payload) == []


@pytest.mark.realdata
@pytest.mark.parametrize("payload", XSS)
def test_forged_cookies_are_not_reflected_as_markup(client, payload) -> None:
    """The remembered country and language come back as cookies a page on another site cannot set, but a
    forged one must still be harmless."""
    cookie = "country=" + quote(payload, safe="") + "; lang=" + quote(payload, safe="")
    for path in ("/", "/material/cobalt", "/partner", "/alerts"):
        response = client.get(path, headers={"cookie": cookie})
        assert response.status_code < 500
        assert response_findings(response, payload) == [], path


@pytest.mark.realdata
def test_api_errors_quote_the_payload_as_json_that_a_browser_will_not_run(client) -> None:
    response = client.get("/api/v1/supply", params={"material": XSS[0]})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-content-type-options"] == "nosniff"  # never sniffed as HTML
    assert response.json()["value"] == XSS[0]


# -- formula injection in every export --------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory, fixtures: Path) -> Path:
    """A store whose export-controls source carries spreadsheet formulas in its text cells."""
    from grondstof.sources import Source
    from grondstof.sources import export_controls as ec
    from grondstof.store import build

    root = tmp_path_factory.mktemp("hostile")
    text = (fixtures / "export_controls" / "export_controls_timeline.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    china = [i for i, row in enumerate(rows) if i and row[header.index("country")] == "China"]
    for n, index in enumerate(china):
        formula = FORMULAS[n % len(FORMULAS)]
        rows[index][header.index("legal_instrument")] = formula
        rows[index][header.index("scope")] = FORMULAS[(n + 1) % len(FORMULAS)]
    data = root / "data" / "export_restrictions"
    data.mkdir(parents=True)
    with (data / "export_controls_timeline.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    build(root / "data", root / "store", sources=(Source(ec.INFO, ec.parse),))
    return root / "store"


def _assert_neutralised(rows: list[list[Any]]) -> None:
    cells = [c for row in rows for c in row if isinstance(c, str)]
    assert "'" + FORMULAS[0] in cells  # the =HYPERLINK(...) cell is there, as text
    assert formula_cells(rows) == []


def test_cli_csv_neutralises_formulas(hostile_store) -> None:
    """Red team: ``grondstof controls --country China --csv`` printed a source's ``=HYPERLINK(…)`` as is,
    while the web and Excel exports neutralised it. Now all use :func:`grondstof.result.safe_cell`."""
    from grondstof.cli import app

    result = CliRunner().invoke(
        app, ["controls", "--country", "China", "--csv", "--store", str(hostile_store)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert len(rows) > 2
    _assert_neutralised(rows[1:])


def test_web_csv_and_excel_downloads_neutralise_formulas(hostile_store) -> None:
    from grondstof.store import open_store
    from grondstof.web.app import create_app

    client = TestClient(create_app(open_store(hostile_store, build_if_missing=False), follow_builds=False))
    response = client.get("/download/controls.csv", params={"country": "China"})
    assert response.status_code == 200, response.text[:300]
    _assert_neutralised(list(csv.reader(io.StringIO(response.text)))[1:])
    response = client.get("/download/controls.xlsx", params={"country": "China"})
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)  # no formula cell at all
    _assert_neutralised([[c.value for c in row] for row in sheet.iter_rows(min_row=2)])


@pytest.mark.realdata
def test_the_excel_report_neutralises_formulas_in_every_sheet(real_store) -> None:
    """The report's workbook (``/report/…xlsx``, ``grondstof report --format xlsx``) writes the document's
    tables, sources and title through the same guard: a formula planted in the first text cell of every
    table, in a source and in the title comes out as text."""
    from grondstof.documents import document
    from grondstof.report.render import to_xlsx

    doc = document("country", real_store, country="NL")
    planted = 0
    for _, result in doc.all_tables():
        text_fields = [f.name for f in result.fields if f.kind == "text"]
        if result.rows and text_fields:
            result.rows[0][text_fields[0]] = FORMULAS[planted % len(FORMULAS)]
            planted += 1
    first = doc.all_tables()[0][1]
    first.meta["sources"] = [*first.meta.get("sources", []), {"title": FORMULAS[0], "publisher": FORMULAS[1]}]
    doc.title = FORMULAS[2]
    assert planted >= 2
    book = load_workbook(io.BytesIO(to_xlsx(doc)))
    cells = [[c.value for c in row] for sheet in book.worksheets for row in sheet.iter_rows()]
    assert all(c.data_type != "f" for sheet in book.worksheets for row in sheet.iter_rows() for c in row)
    assert formula_cells(cells) == []
    assert sum(1 for row in cells for c in row if isinstance(c, str) and c.startswith("'")) >= planted + 3


def test_library_csv_and_excel_agree_on_every_formula_start() -> None:
    from grondstof.exports import to_xlsx
    from grondstof.result import Field, Result

    result = Result(
        "t", [Field("text", "Text"), Field("n", "N", "number")], [{"text": f, "n": -1.5} for f in FORMULAS]
    )
    rows = list(csv.reader(io.StringIO(result.to_csv())))[1:]
    assert formula_cells(rows) == [] and [r[1] for r in rows] == ["-1.5"] * len(
        FORMULAS
    )  # numbers stay numbers
    sheet = load_workbook(io.BytesIO(to_xlsx([("t", result)]))).worksheets[0]
    assert formula_cells([[c.value for c in row] for row in sheet.iter_rows(min_row=2)]) == []
    assert sheet["B2"].value == -1.5


def test_a_carriage_return_in_a_cell_cannot_start_a_new_csv_row() -> None:
    """Python 3.11's csv module leaves a lone CR unquoted when lines end in LF; a spreadsheet then starts a
    row there, and the text after it (a formula) would stand in a cell of its own."""
    from grondstof.result import Field, Result

    result = Result("t", [Field("text", "Text"), Field("n", "N", "number")], [{"text": "a\r=1+1", "n": 2.5}])
    text = result.to_csv()
    assert text == 'text,n\n"a\r=1+1",2.5\n'
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["text", "n"], ["a\r=1+1", "2.5"]]


# -- serve: loopback unless told otherwise -------------------------------------------------------------


def test_serve_binds_to_loopback_by_default() -> None:
    import inspect

    from grondstof.commands import serve as command
    from grondstof.web import app

    assert inspect.signature(app.serve).parameters["host"].default == "127.0.0.1"
    assert inspect.signature(command.serve).parameters["host"].default == "127.0.0.1"


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("arguments", "warned", "hosts"),
    [
        ([], False, ()),
        (["--host", "0.0.0.0"], True, ()),
        (["--host", "192.168.1.20", "--allowed-host", "grondstof.lan"], True, ["grondstof.lan"]),
        (["--host", "::1"], False, ()),
    ],
)
def test_serve_warns_when_reachable_from_the_network(
    monkeypatch, real_store_dir, arguments, warned, hosts
) -> None:
    import grondstof.build_progress
    import grondstof.web.app
    from grondstof.cli import app

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(grondstof.web.app, "serve", lambda store, **kw: calls.append(kw))
    monkeypatch.setattr(grondstof.build_progress, "ensure_bundle_in_background", lambda root: None)
    result = CliRunner().invoke(app, ["serve", "--store", str(real_store_dir), *arguments])
    assert result.exit_code == 0, result.output
    assert calls and list(calls[0]["allowed_hosts"]) == list(hosts)
    text = " ".join(result.output.split())
    assert ("no authentication" in text) is warned
    if warned:
        assert "reachable from the network" in text and "--allowed-host" in text


# -- YAML read safely -----------------------------------------------------------------------------------


def test_yaml_is_only_ever_read_with_the_safe_loader() -> None:
    """No ``yaml.load``/``unsafe_load``/``full_load`` or a Loader argument anywhere in the package."""
    offenders = yaml_offenders(SRC)
    assert offenders == []


def test_a_scenario_file_with_a_python_tag_is_refused(tmp_path) -> None:
    from grondstof.errors import InputError
    from grondstof.scenarios._inputs import read_document

    path = tmp_path / "evil.yaml"
    marker = tmp_path / "ran"
    path.write_text(
        f"kind: cutoff\nx: !!python/object/apply:os.system ['touch {marker}']\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="line 2"):
        read_document(path)
    assert not marker.exists()


def test_the_scan_payload_lists_are_not_empty() -> None:
    """The matrix the tests and benchmarks/security_scan.py share (a collapse would make both vacuous)."""
    assert len(XSS) >= 6 and len(TRAVERSAL) >= 10 and len(HEADER_INJECTION) >= 8 and len(FORMULAS) >= 6
    assert urlencode({"q": XSS[0]}) != XSS[0]
