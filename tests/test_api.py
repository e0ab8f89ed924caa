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
        ("/api/v1/supply", {"material": "cobalt", "page_size": "100000"}, 422, "page_size"),
        ("/api/v1/imports", {"country": "NL"}, 422, "material"),
        ("/api/v1/partner", {"country": "EU27", "partner": "DE"}, 400, "partner"),
    ],
)
def test_errors_are_problem_json_naming_the_parameter(web, path, params, status, parameter) -> None:
    response = web.get(path, params=params)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["parameter"] == parameter and body["status"] == status
    if parameter == "material" and status == 400:
        assert "gallium" in body["suggestions"]


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
