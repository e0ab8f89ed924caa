"""The same analyses on Spark: every registered analysis runs on DuckDB and on a local Spark session over
the same store and gives the same rows, in the same order, with values equal to 1e-9 relative.

Run with ``make test-spark`` (installs the spark extra; Java 17 is needed). One SparkSession (``local[2]``)
serves the whole module; the store is the real shared data (``real_store``). The cases below name every
analysis in :data:`grondstof.analyses.ANALYSES`: ``test_every_analysis_has_a_parity_case`` (not marked
``spark``, so it runs in the ordinary suite) fails when an analysis is added without one.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from grondstof.analyses import ANALYSES, run

# Every analysis with the parameters it runs with on both engines. Foundation, risk and scenario inputs
# are the ones the issue names; every other registered analysis is here too.
CASES: dict[str, list[dict[str, Any]]] = {
    # foundation
    "supply": [{"material": "gallium", "years": "2018-2024"}, {"material": "cobalt", "by": "year"}],
    "imports": [
        {"material": "gallium", "country": "NL", "years": "2022-2024"},
        {"material": "cobalt", "country": "EU27", "years": "2015-2024", "by": "year", "share_from": "CD"},
    ],
    "partner": [
        {"country": "NL", "partner": "Rusland", "years": "2015-2024"},
        {"country": "NL", "partner": "Rusland", "source": "comext_cn8", "by": "year"},
    ],
    "compare": [{"material": "cobalt", "countries": "EU27", "year": "2022"}],
    "overview": [{"country": "NL"}],
    "changes": [{"country": "NL"}, {"country": "EU27", "year": "2022"}],
    "materials": [{}],
    "countries": [{"eu_only": True}],
    # risk
    "risk": [{"material": "all", "country": "NL", "method": "all"}],
    "geopolrisk": [{"material": "cobalt,lithium", "country": "NL,DE,EU27", "years": "2018-2024"}],
    "eu_sr": [{"material": "all", "country": "NL"}],
    "dera": [{"years": "2018-2022"}],
    # refined stage over time, prices and reserves (issue 12)
    "refined": [
        {"material": "nickel", "country": "NL", "years": "2002-2024"},
        {"material": "nickel", "country": "NL", "partner": "RU", "by": "partner"},
    ],
    "trade_indicators": [{"material": "nickel", "years": "2020-2024"}],
    "prices": [
        {"material": "nickel", "start": "2015", "end": "2024"},
        {"material": "nickel", "monthly": True, "currency": "EUR", "start": "2021-01", "end": "2023-12"},
    ],
    "price_indicators": [{"material": "nickel", "window": 10}],
    "reserves": [{"material": "lithium"}, {"material": "cobalt", "by": "summary"}],
    "reliance": [{"country": "US", "materials": "cobalt,nickel", "years": "2020-2024"}],
    # policy and monitoring
    "crma": [{}],
    "controls": [{"importer": "NL", "material": "gallium"}],
    "exposure": [{"country": "EU27"}],
    "watch": [{"country": "NL"}],
    # scenario inputs
    "cutoff": [
        {"preset": "CN-2023-GaGe", "country": "NL", "stock_days": 60},
        {"materials": "cobalt", "suppliers": "CD", "country": "EU27", "months": 8},
    ],
    "montecarlo": [{"country": "NL", "materials": "strategic", "draws": 2000, "seed": 42}],
    "presets": [{}],
    "stockpile": [
        {"country": "NL", "days": "60,90", "compare": "EU27"},
        {"country": "NL", "budget": 50_000_000, "draws": 2000, "seed": 1},
    ],
    "transition": [{}],
    "technologies": [{"by": "technology", "per": "MWh"}],
    "balance": [{"material": "graphite", "country": "EU27", "year": "2022"}],
    "net_trade": [{"country": "NL", "year": "2022"}],
    # the company scanner (national figures per material from the analyses above)
    "scan": [{"template": "ev_nmc", "country": "NL", "quantity": 10, "date": "2025-06-01"}],
    "scan_templates": [{}],
}

PARAMS = [
    pytest.param(name, values, id=f"{name}-{i}")
    for name, cases in CASES.items()
    for i, values in enumerate(cases)
]

RELATIVE = 1e-9


def difference(a: Any, b: Any, where: str = "") -> str | None:
    """Where ``a`` and ``b`` first differ (None if they agree): same keys in the same order, same list
    lengths and order, numbers equal to 1e-9 relative (1e-12 absolute near zero), everything else equal."""
    if isinstance(a, bool) or isinstance(b, bool):
        return None if a is b else f"{where}: {a!r} != {b!r}"
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if isinstance(a, int) and isinstance(b, int):
            return None if a == b else f"{where}: {a} != {b}"
        if math.isnan(a) and math.isnan(b):
            return None
        ok = math.isclose(a, b, rel_tol=RELATIVE, abs_tol=1e-12)
        return None if ok else f"{where}: {a!r} != {b!r}"
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return f"{where}: keys {list(a)} != {list(b)}"
        for key in a:
            found = difference(a[key], b[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = difference(x, y, f"{where}[{i}]")
            if found:
                return found
        return None
    return None if (type(a), a) == (type(b), b) else f"{where}: {a!r} != {b!r}"


def test_every_analysis_has_a_parity_case() -> None:
    assert set(CASES) == set(ANALYSES), "add the new analysis to CASES (or remove the old one)"


def test_difference_sees_order_values_and_types() -> None:
    assert difference([{"a": 1.0, "b": "x"}], [{"a": 1.0 + 1e-12, "b": "x"}]) is None
    assert difference([{"a": 1.0}], [{"a": 1.0 + 1e-6}]) == "[0].a: 1.0 != 1.000001"
    assert difference([{"a": 1}, {"a": 2}], [{"a": 2}, {"a": 1}]) == "[0].a: 1 != 2"
    assert difference({"a": 1, "b": 2}, {"b": 2, "a": 1}) == ": keys ['a', 'b'] != ['b', 'a']"
    assert difference([None], [0.0]) == "[0]: None != 0.0"
    assert difference([True], [1]) == "[0]: True != 1"
    assert difference([1, 2], [1]) == ": 2 items != 1"


# ---------------------------------------------------------------------------------------------- on Spark


@pytest.fixture(scope="module")
def stores(real_store, spark):
    """The real-data build opened twice: on DuckDB and on the Spark session."""
    from grondstof.engine import connect
    from grondstof.store import Store

    on_spark = Store(real_store.build_dir, backend=connect("pyspark", spark=spark))
    yield real_store, on_spark
    on_spark.close()


def _forget_national_figures() -> None:
    """Empty the scanner's process cache of national figures, which is keyed by store build, not engine."""
    from grondstof.scanner.query import NATIONAL

    NATIONAL.clear()


def _as_json(result: Any) -> dict[str, Any]:
    return json.loads(result.to_json())


@pytest.mark.spark
@pytest.mark.realdata
@pytest.mark.parametrize(("name", "values"), PARAMS)
def test_analysis_gives_the_same_result_on_spark(stores, name: str, values: dict[str, Any]) -> None:
    duck, on_spark = stores
    _forget_national_figures()
    expected = _as_json(run(name, duck, **values))
    _forget_national_figures()  # else the scanner would reuse DuckDB's figures (cached per store build)
    got = _as_json(run(name, on_spark, **values))
    assert on_spark.con.name == "pyspark"
    assert expected["rows"], f"{name} {values}: no rows on DuckDB, nothing to compare"
    assert difference(expected["rows"], got["rows"], "rows") is None, difference(
        expected["rows"], got["rows"], "rows"
    )
    assert difference(expected["meta"], got["meta"], "meta") is None, difference(
        expected["meta"], got["meta"], "meta"
    )


@pytest.mark.spark
@pytest.mark.realdata
def test_whole_tables_are_the_same_on_spark(stores) -> None:
    """The two one-query tables over every importer × material × year (BACI HS92)."""
    from grondstof.indicators.dependency import dependency_table
    from grondstof.indicators.geopolrisk import geopolrisk_table

    duck, on_spark = stores
    for make, years in ((dependency_table, "2020-2024"), (geopolrisk_table, "2022-2024")):
        expected = make(years=years, store=duck).to_pylist()
        got = make(years=years, store=on_spark).to_pylist()
        assert len(expected) > 10_000, make.__name__
        assert difference(expected, got, make.__name__) is None, difference(expected, got, make.__name__)


@pytest.mark.spark
@pytest.mark.realdata
def test_command_line_and_environment_choose_spark(real_store_dir: Path, spark, monkeypatch) -> None:
    """``grondstof --backend pyspark`` and ``GRONDSTOF_BACKEND=pyspark`` run on Spark (the session the
    process already has) and print what DuckDB prints."""
    from grondstof.cli import app
    from grondstof.store import open_store

    runner = CliRunner()
    args = [
        "imports",
        "cobalt",
        "--country",
        "NL",
        "--years",
        "2020-2024",
        "--json",
        "--store",
        str(real_store_dir),
    ]
    on_duck = runner.invoke(app, args)
    on_spark = runner.invoke(app, ["--backend", "pyspark", *args])
    assert on_duck.exit_code == 0 and on_spark.exit_code == 0, on_spark.output
    assert difference(json.loads(on_duck.stdout), json.loads(on_spark.stdout)) is None
    runner.invoke(app, ["countries", "--eu"])  # without --backend the next command is back on the default

    monkeypatch.setenv("GRONDSTOF_BACKEND", "pyspark")
    store = open_store(real_store_dir, build_if_missing=False)
    assert store.backend == "pyspark" and store.con.name == "pyspark"
    assert store.con._session is spark  # the active session, not a second one
    rows = run("supply", store, material="gallium", years="2022").rows
    assert rows[0]["country"] == "CHN" and round(rows[0]["share"], 3) == 0.984
    store.close()
    assert spark.range(3).count() == 3  # closing a store leaves the caller's session running
    monkeypatch.delenv("GRONDSTOF_BACKEND")
    given = open_store(real_store_dir, build_if_missing=False, spark=spark)  # a session implies Spark
    assert given.backend == "pyspark" and given.con._session is spark
    given.close()


@pytest.mark.spark
@pytest.mark.realdata
def test_hive_layout_reads_the_same_on_spark(data_dir: Path, real_store, spark, tmp_path: Path) -> None:
    """A Hive-partitioned store (``build --layout hive``) read by Spark gives what the flat store gives."""
    from grondstof.engine import connect
    from grondstof.store import build, open_store

    report = build(data_dir, tmp_path / "hive", layout="hive")
    hive = open_store(report.store_dir, build_if_missing=False, backend=connect("pyspark", spark=spark))
    assert hive.layout == "hive"
    values = {"material": "cobalt", "country": "EU27", "years": "2015-2024", "by": "year"}
    expected = _as_json(run("imports", real_store, **values))
    got = _as_json(run("imports", hive, **values))
    assert difference(expected["rows"], got["rows"]) is None
    assert hive.table("trade").schema() == real_store.table("trade").schema()
    hive.close()
