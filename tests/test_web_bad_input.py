"""Unicode digits and other bad text in every country-type and year-type parameter of every URL.

Issue 10 red team: ``¹`` (a superscript digit: ``isdigit()`` True, ``int()`` fails) answered 500 on 21
country parameters in 13 of 23 API routes, on 7 pages, downloads and reports; ``٢٠٢٢`` (Arabic-Indic) and
``２０２２`` (full-width) were silently read as the year 2022. Here every such parameter, reached through
its URL on the in-process app, must answer 4xx: problem+json naming the parameter (API, downloads,
reports) or an HTML error page naming it (pages). Never 500, never a silent 200.

Written against URLs and the OpenAPI document only (not the route modules), so the tests survive the
routes being regenerated. The tables below say which parameters are country-type or year-type;
``test_tables_cover_every_api_parameter`` fails when a route gains one that is not listed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzzing import examples, server_error, tried

pytestmark = pytest.mark.realdata

# The red team's values and their relatives: superscript, Arabic-Indic, full-width and Devanagari digits.
BAD = ["¹", "٣", "３", "٢٠٢٢", "２０２２", "²⁰²²", "१९९५", "1¹"]
BAD_FEW = ["¹", "٢٠٢٢", "３"]  # for the slower pages and reports

COUNTRY_PARAMS = {"country", "countries", "partner", "from", "suppliers", "destination", "controller"}
YEAR_PARAMS = {"year", "years", "since", "date"}
# Numbers parsed from the same kind of text (checked too; FastAPI or grondstof.parsing refuses them).
NUMBER_PARAMS = {
    "limit",
    "share",
    "months",
    "stock_days",
    "ramp_up",
    "draws",
    "seed",
    "cover_percentile",
    "days",
    "budget",
    "confidence",
    "holding_cost",
}

# API route -> (valid parameters that make the request succeed, the parameters under test).
API: list[tuple[str, dict[str, str], list[str]]] = [
    ("/api/v1/supply", {"material": "cobalt"}, ["years"]),
    ("/api/v1/imports", {"material": "cobalt", "country": "NL"}, ["country", "from", "years"]),
    ("/api/v1/partner", {"country": "NL", "partner": "RU"}, ["country", "partner", "years"]),
    ("/api/v1/compare", {"material": "cobalt", "countries": "NL,DE"}, ["countries", "from", "year"]),
    ("/api/v1/overview", {"country": "NL"}, ["country", "year"]),
    ("/api/v1/changes", {"country": "NL"}, ["country", "year"]),
    ("/api/v1/documents/material", {"material": "cobalt", "country": "NL"}, ["country"]),
    ("/api/v1/documents/country", {"country": "NL"}, ["country", "year"]),
    ("/api/v1/risk", {"material": "cobalt", "country": "NL"}, ["country", "years"]),
    ("/api/v1/risk", {"material": "cobalt", "country": "NL", "method": "all"}, ["country", "years"]),
    ("/api/v1/risk", {"material": "cobalt", "country": "NL", "method": "eu-sr"}, ["country", "years"]),
    ("/api/v1/risk", {"material": "cobalt", "country": "EU27", "method": "eu-sr"}, ["years"]),
    ("/api/v1/risk", {"material": "cobalt", "country": "NL", "method": "dera"}, ["country", "years"]),
    ("/api/v1/crma", {}, ["year"]),
    ("/api/v1/scan", {"template": "smartphone"}, ["country", "date"]),
    ("/api/v1/controls", {}, ["country", "date"]),
    ("/api/v1/exposure", {"country": "NL"}, ["country", "controller", "date"]),
    ("/api/v1/watch", {"country": "NL"}, ["country", "since", "limit"]),
    ("/api/v1/watch.atom", {"country": "NL"}, ["country", "since", "limit"]),
    (
        "/api/v1/scenario/cutoff",
        {"materials": "cobalt", "suppliers": "CD", "country": "NL"},
        ["suppliers", "country", "destination", "year", "share", "months", "stock_days", "ramp_up"],
    ),
    (
        "/api/v1/scenario/montecarlo",
        {"country": "NL", "materials": "cobalt", "draws": "1000"},
        ["country", "draws", "seed", "cover_percentile", "year"],
    ),
    (
        "/api/v1/scenario/stockpile",
        {"country": "NL", "materials": "cobalt"},
        ["country", "days", "budget", "confidence", "holding_cost", "year", "draws", "seed"],
    ),
    ("/api/v1/balance", {"material": "cobalt", "country": "NL"}, ["country", "year"]),
    ("/api/v1/net-trade", {"country": "NL", "materials": "cobalt"}, ["country", "year"]),
]

# Downloads: /download/<analysis>.csv with the API's parameters.
DOWNLOADS: list[tuple[str, dict[str, str], list[str]]] = [
    ("supply", {"material": "cobalt"}, ["years"]),
    ("imports", {"material": "cobalt", "country": "NL"}, ["country", "from", "years"]),
    ("partner", {"country": "NL", "partner": "RU"}, ["country", "partner", "years"]),
    ("compare", {"material": "cobalt", "countries": "NL,DE"}, ["countries", "from", "year"]),
    ("overview", {"country": "NL"}, ["country", "year"]),
    ("risk", {"material": "cobalt", "country": "NL", "method": "all"}, ["country", "years"]),
    ("geopolrisk", {"material": "cobalt", "country": "NL"}, ["country", "years"]),
    ("eu_sr", {"material": "cobalt", "country": "NL"}, ["country", "year"]),
    ("dera", {"material": "cobalt"}, ["country", "years"]),
    ("crma", {}, ["year"]),
    ("controls", {}, ["country", "date"]),
    ("exposure", {"country": "NL"}, ["country", "controller", "date"]),
    ("watch", {"country": "NL"}, ["country", "since", "limit"]),
    (
        "cutoff",
        {"materials": "cobalt", "suppliers": "CD", "country": "NL"},
        ["suppliers", "country", "destination", "year", "share", "months"],
    ),
    ("montecarlo", {"country": "NL", "materials": "cobalt", "draws": "1000"}, ["country", "draws", "seed"]),
    ("stockpile", {"country": "NL", "materials": "cobalt"}, ["country", "days", "budget"]),
    ("balance", {"material": "cobalt", "country": "NL"}, ["country", "year"]),
    ("net_trade", {"country": "NL", "materials": "cobalt"}, ["country", "year"]),
]

# Dashboard pages (HTML): the form fields under test.
PAGES: list[tuple[str, dict[str, str], list[str]]] = [
    ("/", {}, ["country", "year"]),
    ("/material/cobalt", {}, ["country"]),
    ("/compare", {}, ["countries", "country", "year"]),
    ("/partner", {}, ["country", "partner", "years"]),
    ("/benchmarks", {}, ["year"]),
    ("/alerts", {}, ["country", "since"]),
    (
        "/scenarios/cutoff",
        {"materials": "cobalt", "suppliers": "CD", "country": "NL"},
        ["country", "suppliers", "share", "months", "stock_days"],
    ),
    ("/scenarios/stockpile", {"materials": "cobalt"}, ["country", "days", "budget"]),
    (
        "/scenarios/transition",
        {},
        ["vehicles_avoided_pct", "lfp_share_pct", "wind_extension_years", "recycled_pct"],
    ),
    ("/balance", {"material": "cobalt"}, ["country", "year"]),
]

# Reports: query parameters, and country codes in the path.
REPORTS: list[tuple[str, dict[str, str], list[str]]] = [
    ("/report/material/cobalt.html", {}, ["country"]),
    ("/report/country/NL.html", {}, ["year"]),
]
PATHS_WITH_A_COUNTRY = ["/country/{}", "/report/country/{}.html", "/report/country/{}.xlsx"]


def _cases(table: list[tuple[str, dict[str, str], list[str]]]) -> list[Any]:
    return [
        pytest.param(path, base, name, id=f"{path}?{'&'.join(f'{k}={v}' for k, v in base.items())}:{name}")
        for path, base, names in table
        for name in names
    ]


def _names(parameter: str) -> set[str]:
    """The names an error may give a URL parameter: itself or the library's singular/plural of it.

    ``suppliers`` is checked one by one as ``supplier``; ``compare``'s ``year`` is ``imports``' ``years``.
    """
    return {parameter, parameter.removesuffix("s"), parameter + "s"}


def _named(reported: str, parameter: str) -> bool:
    """True when an error's ``parameter`` names the URL parameter (a scenario check: "cutoff: year")."""
    return reported.rsplit(": ", 1)[-1] in _names(parameter)


@pytest.fixture(scope="module")
def client(web):
    """The app of the ``web`` fixture, answering 500 as a response (not an exception) so it is counted."""
    from fastapi.testclient import TestClient

    return TestClient(web.app, raise_server_exceptions=False)


def get(client, path: str, params: dict[str, str] | None = None, **kwargs: Any):
    """GET a URL; count it for the fuzz report and record a server error."""
    response = client.get(path, params=params, follow_redirects=True, **kwargs)
    tried()
    if response.status_code >= 500:
        server_error(path, urlencode(params or {}), response.status_code, response.text)
    return response


def assert_problem(response, parameter: str) -> None:
    """A 4xx problem+json answer whose ``parameter`` names the offending parameter."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert _named(body["parameter"], parameter), body
    assert body["status"] == response.status_code


def assert_error_page(response, parameter: str) -> None:
    """A 4xx HTML error page whose message names the offending parameter."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    assert 'class="error"' in response.text
    message = response.text.split('class="error"', 1)[1].split("</p>", 1)[0]
    assert any(name in message for name in _names(parameter)), message


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize(("path", "base", "parameter"), _cases(API))
def test_api_parameters_refuse_unicode_digits(client, path, base, parameter, bad) -> None:
    assert_problem(get(client, path, {**base, parameter: bad}), parameter)


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize(("name", "base", "parameter"), _cases(DOWNLOADS))
def test_downloads_refuse_unicode_digits(client, name, base, parameter, bad) -> None:
    assert_problem(get(client, f"/download/{name}.csv", {**base, parameter: bad}), parameter)


@pytest.mark.parametrize("bad", BAD_FEW)
@pytest.mark.parametrize(("path", "base", "parameter"), _cases(PAGES))
def test_pages_refuse_unicode_digits(client, path, base, parameter, bad) -> None:
    assert_error_page(get(client, path, {**base, parameter: bad}), parameter)


@pytest.mark.parametrize("bad", BAD_FEW)
@pytest.mark.parametrize(("path", "base", "parameter"), _cases(REPORTS))
def test_reports_refuse_unicode_digits(client, path, base, parameter, bad) -> None:
    assert_problem(get(client, path, {**base, parameter: bad}), parameter)


@pytest.mark.parametrize("bad", BAD_FEW)
@pytest.mark.parametrize("template", PATHS_WITH_A_COUNTRY)
def test_country_in_the_path_refuses_unicode_digits(client, template, bad) -> None:
    response = get(client, template.format(bad))
    if template.startswith("/report/"):
        assert_problem(response, "country")
    else:  # /country/<code> redirects to the overview page
        assert_error_page(response, "country")


@pytest.mark.parametrize("bad", BAD_FEW)
def test_country_cookie_refuses_unicode_digits(client, bad) -> None:
    """Pages default to the country remembered in a cookie: a forged cookie is bad input too."""
    cookie = {"cookie": b"country=" + bad.encode("utf-8")}  # raw UTF-8, as a client may send it
    for path in ("/material/cobalt", "/compare", "/partner", "/alerts", "/balance", "/scenarios/stockpile"):
        params = {"materials": "cobalt"} if path == "/scenarios/stockpile" else None
        assert_error_page(get(client, path, params, headers=cookie), "country")


def test_unicode_years_are_not_read_as_years(client) -> None:
    """The silent case: ٢٠٢٢ used to give a 200 table labelled 2022; ASCII 2022 still does."""
    assert get(client, "/api/v1/overview", {"country": "NL", "year": "2022"}).status_code == 200
    refused = get(client, "/api/v1/overview", {"country": "NL", "year": "٢٠٢٢"})
    assert_problem(refused, "year")
    assert refused.json()["value"] == "٢٠٢٢"
    assert "digits 0-9" in refused.json()["expected"]


def test_risk_all_validates_years(client) -> None:
    """Red team: ``risk?method=all`` skipped the years check and echoed "banana" in meta.query."""
    response = get(
        client, "/api/v1/risk", {"material": "cobalt", "country": "NL", "method": "all", "years": "banana"}
    )
    assert_problem(response, "years")
    assert response.json()["value"] == "banana"


def test_every_api_parameter_refuses_unicode_digits(client) -> None:
    """Every query parameter of every operation in the OpenAPI document, with ``¹``: 4xx, never 500."""
    schema = get(client, "/api/v1/openapi.json").json()
    bases = {path: base for path, base, _ in API}
    tried_any = 0
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                name = parameter["name"]
                response = get(client, path, {**bases.get(path, {}), name: "¹"})
                assert 400 <= response.status_code < 500, (path, name, response.status_code)
                assert response.headers["content-type"].startswith("application/problem+json")
                tried_any += 1
    assert tried_any >= 100  # 23 routes; a collapse of the schema would make this test vacuous


def test_tables_cover_every_api_parameter(client) -> None:
    """Every country-, year- and number-type parameter the OpenAPI document declares is in API above."""
    schema = get(client, "/api/v1/openapi.json").json()
    covered = {(path, name) for path, _, names in API for name in names}
    missing = [
        (path, parameter["name"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method == "get"  # the POST upload routes are covered by the test below
        for parameter in operation.get("parameters", [])
        if parameter["name"] in COUNTRY_PARAMS | YEAR_PARAMS | NUMBER_PARAMS
        and (path, parameter["name"]) not in covered
    ]
    assert not missing, f"add these to API in {__name__}: {missing}"
    assert len({path for path, _, _ in API}) >= 16


UPLOAD = b"product,component,material,mass,unit,units_per_year\nA,b,cobalt,1,kg,1\n"


@pytest.mark.parametrize("path", ["/api/v1/scan/upload", "/api/v1/scan/upload/report.pdf"])
@pytest.mark.parametrize(("parameter", "bad"), [("country", "\u00b9"), ("date", "\u0663")])
def test_upload_routes_refuse_unicode_digits(client, path, parameter, bad) -> None:
    """The POST upload routes read country and date from the query with the same parsers: 400 naming them."""
    response = client.post(path, params={parameter: bad}, files={"file": ("a.csv", UPLOAD, "text/csv")})
    assert response.status_code == 400, response.text[:300]
    assert response.json()["parameter"] == parameter


ALL_CASES = [(path, base, name) for path, base, names in API for name in names] + [
    (f"/download/{name}.csv", base, p) for name, base, params in DOWNLOADS for p in params
]


@settings(max_examples=examples(60))
@given(
    st.sampled_from(ALL_CASES), st.one_of(st.text(max_size=12), st.text("0123456789-–.,¹²٣３ ", max_size=10))
)
def test_arbitrary_text_in_country_and_year_parameters(client, case, text) -> None:
    """Arbitrary Unicode in any of those parameters: a valid answer or a 4xx, never a 5xx."""
    path, base, parameter = case
    response = get(client, path, {**base, parameter: text})
    assert response.status_code < 500, (path, parameter, text, response.text[:300])
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
