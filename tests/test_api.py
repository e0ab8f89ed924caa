"""The JSON API through the ASGI app: same fields as the CLI, pagination, problem+json errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from grondstof.cli import app as cli

pytestmark = pytest.mark.realdata


def test_api_returns_what_the_cli_returns(web, real_store_dir) -> None:
    api = web.get(
        "/api/v1/imports", params={"material": "gallium", "country": "NL", "years": "2022-2024"}
    ).json()
    out = CliRunner().invoke(
        cli,
        [
            "imports",
            "gallium",
            "--country",
            "NL",
            "--years",
            "2022-2024",
            "--json",
            "--store",
            str(real_store_dir),
        ],
    )
    assert out.exit_code == 0
    cli_data = json.loads(out.stdout)
    assert api["rows"] == cli_data["rows"]
    assert api["meta"]["fields"] == cli_data["meta"]["fields"]
    assert api["meta"]["sources"] == cli_data["meta"]["sources"]


def test_pagination(web) -> None:
    first = web.get("/api/v1/supply", params={"material": "copper", "years": "2022", "page_size": 10}).json()
    second = web.get(
        "/api/v1/supply", params={"material": "copper", "years": "2022", "page_size": 10, "page": 2}
    ).json()
    assert len(first["rows"]) == 10 and first["meta"]["page"]["total_rows"] > 20
    assert first["rows"][0]["rank"] == 1 and second["rows"][0]["rank"] == 11
    assert first["meta"]["page"]["total_pages"] == -(-first["meta"]["page"]["total_rows"] // 10)


@pytest.mark.parametrize(
    ("path", "params", "status", "parameter"),
    [
        ("/api/v1/imports", {"material": "galium", "country": "NL"}, 400, "material"),
        ("/api/v1/imports", {"material": "cobalt", "country": "Atlantis"}, 400, "country"),
        ("/api/v1/supply", {"material": "cobalt", "years": "2031"}, 400, "years"),
        ("/api/v1/supply", {"material": "cobalt", "page_size": "100000"}, 413, "page_size"),
        ("/api/v1/imports", {"country": "NL"}, 400, "material"),
        ("/api/v1/imports", {"material": "cobalt", "country": "NL", "year": "2022"}, 400, "year"),
        ("/api/v1/partner", {"country": "EU27", "partner": "DE"}, 400, "partner"),
    ],
)
def test_errors_are_problem_json_naming_the_parameter(web, path, params, status, parameter) -> None:
    response = web.get(path, params=params)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["parameter"] == parameter and body["status"] == status
    if parameter == "material" and body["value"] == "galium":
        assert "gallium" in body["suggestions"]
    if parameter == "year":  # an unknown parameter is named with the closest known one
        assert body["suggestions"] == ["years"]


def test_health_openapi_and_offline_docs(web) -> None:
    assert web.get("/health").json()["status"] == "ok"
    spec = web.get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/imports",
        "/api/v1/supply",
        "/api/v1/partner",
        "/api/v1/compare",
        "/api/v1/overview",
    } <= set(spec["paths"])
    docs = web.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs and "cdn" not in docs
    assert web.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_api_is_read_only(web) -> None:
    assert web.post("/api/v1/imports", params={"material": "cobalt", "country": "NL"}).status_code == 405
    assert web.delete("/api/v1/sources").status_code == 405


def test_sources_carry_hashes_and_versions(web) -> None:
    rows = web.get("/api/v1/sources").json()["rows"]
    baci = next(r for r in rows if r["id"] == "baci_hs92")
    assert baci["licence"].startswith("Etalab") and len(baci["sha256"][0]) == 64


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        (
            "/api/v1/risk",
            {"material": "cobalt,graphite", "country": "NL", "method": "all"},
            "geopolrisk_score",
        ),
        ("/api/v1/crma", {}, "status"),
        ("/api/v1/controls", {"material": "gallium"}, "status"),
        ("/api/v1/exposure", {"country": "NL", "material": "gallium"}, "share"),
        ("/api/v1/watch", {"country": "NL", "limit": 5}, "severity"),
        ("/api/v1/scenario/cutoff", {"preset": "CN-2023-GaGe", "country": "NL"}, "material"),
        ("/api/v1/scenario/montecarlo", {"country": "NL", "draws": 2000}, "material"),
        ("/api/v1/scenario/stockpile", {"country": "NL", "days": "90"}, "stock_tonnes"),
        ("/api/v1/scenario/transition", {"by": "material"}, "material"),
        ("/api/v1/scenario/technologies", {"by": "technology"}, "technology"),
        ("/api/v1/balance", {"material": "cobalt", "country": "NL", "year": "2022"}, "flow"),
        ("/api/v1/net-trade", {"country": "NL", "year": "2022"}, "material"),
    ],
)
def test_every_analysis_has_an_api_route(web, path, params, field) -> None:
    response = web.get(path, params=params)
    assert response.status_code == 200, response.text[:300]
    body = response.json()
    assert body["rows"], path
    assert field in body["meta"]["fields"] or field in body["rows"][0], (path, field)
    assert body["meta"].get("sources") is not None


def test_cutoff_api_meta_carries_the_required_figures(web) -> None:
    meta = web.get(
        "/api/v1/scenario/cutoff",
        params={"materials": "cobalt", "suppliers": "CD", "country": "EU27", "months": 8},
    ).json()["meta"]
    for key in ("lost_tonnes", "replaced_tonnes", "shortfall_tonnes", "stock_days_to_bridge"):
        assert key in meta
    assert meta["lost_tonnes"] >= meta["shortfall_tonnes"] >= 0


def test_balance_rows_carry_the_flows_and_a_residual(web) -> None:
    rows = web.get("/api/v1/balance", params={"material": "cobalt", "country": "NL", "year": "2022"}).json()[
        "rows"
    ]
    flows = {r["flow"] for r in rows if r["stage"] == "all"}
    assert {"imports", "exports", "production", "apparent_consumption", "residual"} <= flows


def test_scenario_files_are_not_reachable_from_the_web(web) -> None:
    response = web.get("/api/v1/scenario/transition", params={"scenario": "/etc/passwd"})
    assert response.status_code == 400 and response.json()["parameter"] == "scenario"
