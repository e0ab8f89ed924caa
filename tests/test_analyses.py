"""One declaration per analysis: the registry's parameter models drive the CLI, the API, downloads and docs.

For every registered analysis the API's query parameters and bounds, the command line's options and its
validation come from the same model; a value just outside a bound is refused by both, naming the parameter.
A toy analysis registered in a test (one module, one entry) gets a command, a route, OpenAPI, downloads and
a docs section without touching anything else.
"""

from __future__ import annotations

import importlib
import inspect
import json
import sys
import textwrap

import pytest
import typer
from typer.testing import CliRunner

from grondstof import analyses
from grondstof.analyses import ANALYSES, Analysis, register
from grondstof.cli import app
from grondstof.commands.generated import build_command, cli_flags
from grondstof.parameters import bounds, choices, public_name, web_of

runner = CliRunner()
ENTRIES = sorted(ANALYSES.values(), key=lambda a: a.name)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda a: a.name)
def test_entry_loads_and_its_function_takes_every_parameter(entry: Analysis) -> None:
    model = entry.model()
    function = entry.load()
    signature = inspect.signature(function)
    accepts_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values())
    for name in model.model_fields:
        assert accepts_any or name in signature.parameters, f"{entry.function} does not take {name}"
    assert "store" in signature.parameters
    assert entry.summary.endswith(".") and entry.summary_nl.endswith(".")
    for _, fields in entry.output_fields():
        assert fields and all(f.name and f.label for f in fields)
    for name, field in model.model_fields.items():
        assert field.description, f"{entry.name}.{name} has no help text"
        assert (field.json_schema_extra or {}).get("x-nl"), f"{entry.name}.{name} has no Dutch help text"


def _openapi_parameters(web, route: str) -> dict[str, dict]:
    spec = web.get("/api/v1/openapi.json").json()
    return {p["name"]: p for p in spec["paths"]["/api/v1" + route]["get"]["parameters"]}


def _schema_bounds(schema: dict) -> dict:
    options = schema.get("anyOf", [schema])
    out: dict = {}
    for option in options:
        for key, name in (
            ("minimum", "ge"),
            ("maximum", "le"),
            ("exclusiveMinimum", "gt"),
            ("exclusiveMaximum", "lt"),
            ("maxLength", "max_length"),
            ("minLength", "min_length"),
        ):
            if key in option:
                out[name] = option[key]
        if "enum" in option:
            out["enum"] = tuple(option["enum"])
    return out


@pytest.mark.realdata
@pytest.mark.parametrize("entry", [a for a in ENTRIES if a.route], ids=lambda a: a.name)
def test_api_parameters_and_bounds_are_the_models(web, entry: Analysis) -> None:
    parameters = _openapi_parameters(web, entry.route)
    model = entry.model()
    expected = {public_name(n, f): f for n, f in model.model_fields.items() if web_of(f).enabled}
    assert set(parameters) - {"page", "page_size"} == set(expected)
    for name, field in expected.items():
        declared = _schema_bounds(parameters[name]["schema"])
        wanted = {k: v for k, v in bounds(field).items() if k != "pattern"}
        if choices(field):
            wanted["enum"] = tuple(choices(field))
        assert declared == wanted, f"{entry.name}.{name}: API {declared} vs model {wanted}"
        assert parameters[name]["required"] == field.is_required()


@pytest.mark.parametrize("entry", [a for a in ENTRIES if a.command], ids=lambda a: a.name)
def test_cli_options_are_the_models(entry: Analysis) -> None:
    command = build_command(entry)
    options = {}
    for param in command.params:
        for opt in getattr(param, "opts", []):
            options[opt] = param
    model = entry.model()
    for name, field in model.model_fields.items():
        flags = cli_flags(name, field)
        param = next((p for p in command.params if p.name == name), None)
        assert param is not None, f"{entry.name}: no CLI parameter for {name}"
        if param.param_type_name == "option":
            assert set(flags) <= set(param.opts) | set(param.secondary_opts)


def _outside(field) -> object | None:
    """A value just outside the field's numeric bounds (None when it has none)."""
    limits = bounds(field)
    if "le" in limits:
        return limits["le"] * 2 + 1 if limits["le"] > 0 else limits["le"] + 1
    if "lt" in limits:
        return limits["lt"] + 1
    if "ge" in limits:
        return limits["ge"] - 1
    if "gt" in limits:
        return limits["gt"] - 1
    return None


BOUNDED = [
    (entry, name)
    for entry in ENTRIES
    for name, field in entry.model().model_fields.items()
    if _outside(field) is not None and web_of(field).enabled
]


@pytest.mark.realdata
@pytest.mark.parametrize(("entry", "name"), BOUNDED, ids=lambda x: x if isinstance(x, str) else x.name)
def test_a_value_outside_a_bound_is_refused_alike_by_cli_and_api(
    web, tmp_path, entry: Analysis, name
) -> None:
    model = entry.model()
    field = model.model_fields[name]
    value = _outside(field)
    required = {n: _example(n) for n, f in model.model_fields.items() if f.is_required() and n != name}
    if entry.route:
        params = {public_name(n, model.model_fields[n]): v for n, v in required.items()}
        response = web.get("/api/v1" + entry.route, params={**params, public_name(name, field): value})
        assert response.status_code == 400, response.text
        assert response.json()["parameter"] == public_name(name, field)
    if entry.command:
        args = list(entry.command)
        for n, v in {**required, name: value}.items():
            f = model.model_fields[n]
            args += [str(v)] if _is_argument(f) else [cli_flags(n, f)[0], str(v)]
        result = runner.invoke(app, [*args, "--store", str(tmp_path / "not-needed")])
        assert result.exit_code == 2, result.output
        assert cli_flags(name, field)[0] in result.output


def _is_argument(field) -> bool:
    from grondstof.parameters import cli_of

    return cli_of(field).argument


def _example(name: str) -> str:
    return {"material": "cobalt", "country": "NL", "countries": "NL", "partner": "RU"}.get(name, "NL")


@pytest.mark.realdata
def test_an_unknown_api_parameter_is_named_with_the_closest_known_one(web) -> None:
    response = web.get("/api/v1/supply", params={"material": "cobalt", "yeers": "2022"})
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == "yeers" and body["suggestions"][0] == "years"


@pytest.mark.realdata
def test_downloads_take_exactly_the_api_parameters(web) -> None:
    bad = web.get("/download/montecarlo.csv", params={"country": "NL", "draws": "20000000"})
    assert bad.status_code == 400 and bad.json()["parameter"] == "draws"
    off_web = web.get("/download/stockpile.csv", params={"country": "NL", "scenario": "/etc/passwd"})
    assert off_web.status_code == 400 and off_web.json()["parameter"] == "scenario"


TOY = '''
"""A toy analysis for the registry test: the sum of 1..n, in one module."""

from typing import Annotated

from grondstof.parameters import Lang, Params, described
from grondstof.result import Field, Result

FIELDS = [Field("n", "N", "int"), Field("total", "Sum of 1..n", "int")]


class ToyParams(Params):
    """Parameters of :func:`toy`."""

    n: Annotated[int, described("How far to count.", "Hoe ver te tellen.", ge=1, le=1000)] = 3
    lang: Lang = "en"


def toy(n: int = 3, *, lang: str = "en", store: object = None) -> Result:
    """The sum of 1..n."""
    return Result("Toy", FIELDS, [{"n": n, "total": n * (n + 1) // 2}], {"sources": []})
'''


@pytest.fixture
def toy_analysis(tmp_path, monkeypatch):
    (tmp_path / "toy_analysis.py").write_text(textwrap.dedent(TOY))
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    entry = register(
        Analysis(
            name="toy",
            function="toy_analysis:toy",
            params="toy_analysis:ToyParams",
            summary="The sum of 1..n (a toy).",
            summary_nl="De som van 1..n (speelgoed).",
            command=("toy",),
            route="/toy",
            outputs=(("", "toy_analysis:FIELDS"),),
        )
    )
    yield entry
    ANALYSES.pop("toy")
    analyses._by_command.cache_clear()
    sys.modules.pop("toy_analysis", None)


@pytest.mark.realdata
def test_a_toy_analysis_in_one_module_gets_every_skin(toy_analysis, real_store, real_store_dir) -> None:
    from fastapi.testclient import TestClient

    from grondstof.web.app import create_app

    # The command line: listed, runnable, bounded.
    group = typer.main.get_command(app)
    assert "toy" in group.list_commands(typer.Context(group))
    result = runner.invoke(app, ["toy", "--n", "4", "--json", "--store", str(real_store_dir)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"] == [{"n": 4, "total": 10}]
    assert runner.invoke(app, ["toy", "--n", "0"]).exit_code == 2
    # The API, its OpenAPI and the downloads.
    with TestClient(create_app(real_store)) as client:
        assert client.get("/api/v1/toy", params={"n": 5}).json()["rows"] == [{"n": 5, "total": 15}]
        assert client.get("/api/v1/toy", params={"n": 5000}).status_code == 400
        spec = client.get("/api/v1/openapi.json").json()
        declared = {p["name"]: p for p in spec["paths"]["/api/v1/toy"]["get"]["parameters"]}
        assert declared["n"]["schema"]["maximum"] == 1000 and declared["n"]["schema"]["minimum"] == 1
        assert client.get("/download/toy.csv", params={"n": 2}).text.splitlines() == ["n,total", "2,3"]
    # The generated command reference.
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1] / "tools"))
    try:
        import make_docs

        text = make_docs.render()
    finally:
        sys.path.pop(0)
    assert (
        "## `grondstof toy`" in text
        and "| `--n` | How far to count. Accepts ≥ 1 and ≤ 1,000. | `3` |" in text
    )
