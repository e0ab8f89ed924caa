"""The engine switch, and expressions that compile for engines CI cannot run.

The analyses run on DuckDB (default) or Spark (``GRONDSTOF_BACKEND``, ``grondstof --backend``,
``open_store(backend=...)``); ``tests/test_spark.py`` runs them on a local Spark session. For Trino,
Postgres and BigQuery, which have no server here, the heavy expressions are compiled for their dialects
(stack.md §B), which shows they use nothing DuckDB-specific.
"""

from __future__ import annotations

import ibis
import pytest

from grondstof.indicators import trade as tr
from grondstof.indicators.geopolrisk import commodity_map, geopolrisk_expr
from grondstof.registry.countries import countries
from grondstof.registry.materials import materials

pytestmark = pytest.mark.realdata
DIALECTS = ("trino", "postgres", "bigquery")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_dependency_table_compiles_for_other_engines(real_store, dialect) -> None:
    choices = {"baci_hs92": [c for m in materials().all() if (c := tr.code_choice(m, "HS92")).codes]}
    flows = tr.flows(real_store, choices=choices, importers=[countries().eu27()], years=(2018, 2024))
    expr = tr.dependency_summary(tr.with_partner_shares(tr.partner_totals(flows)))
    sql = ibis.to_sql(expr, dialect=dialect)
    # Tables are referenced by name (how each engine reads the Parquet store is engine.py's business).
    assert "GROUP BY" in sql.upper()
    assert "read_parquet" not in sql.lower()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_geopolrisk_compiles_for_other_engines(real_store, dialect) -> None:
    expr = geopolrisk_expr(real_store, commodity_map(real_store), [countries().get("NLD")], (2020, 2024))
    assert "SELECT" in ibis.to_sql(expr, dialect=dialect).upper()


def test_unknown_backend_is_refused(monkeypatch) -> None:
    from grondstof.config import resolve_backend
    from grondstof.engine import connect
    from grondstof.errors import InputError

    with pytest.raises(InputError, match=r"backend: 'oracle-of-delphi'.*duckdb, polars, pyspark"):
        connect("oracle-of-delphi")
    monkeypatch.setenv("GRONDSTOF_BACKEND", "sqlite")
    with pytest.raises(InputError, match="GRONDSTOF_BACKEND: 'sqlite'"):
        resolve_backend()
    monkeypatch.setenv("GRONDSTOF_BACKEND", "PySpark")
    assert resolve_backend() == "pyspark"
    assert resolve_backend("duckdb") == "duckdb"  # an explicit choice wins over the environment
    monkeypatch.delenv("GRONDSTOF_BACKEND")
    assert resolve_backend() == "duckdb"


def test_backend_option_is_checked_and_reset_per_command(real_store_dir, monkeypatch) -> None:
    from typer.testing import CliRunner

    from grondstof import config
    from grondstof.cli import app

    monkeypatch.delenv("GRONDSTOF_BACKEND", raising=False)
    runner = CliRunner()
    bad = runner.invoke(app, ["--backend", "oracle", "countries", "--eu"])
    assert bad.exit_code == 2 and "--backend: 'oracle' is not valid" in bad.output
    assert "duckdb, polars, pyspark" in bad.output
    ok = runner.invoke(
        app, ["--backend", "duckdb", "supply", "gallium", "--json", "--store", str(real_store_dir)]
    )
    assert ok.exit_code == 0, ok.output
    runner.invoke(app, ["countries", "--eu"])
    assert config.resolve_backend() == "duckdb" and config._chosen_backend is None


def test_default_start_up_loads_no_spark(real_store_dir) -> None:
    """With no switch set nothing changes: a command runs on DuckDB without importing pyspark or Java."""
    import subprocess
    import sys

    code = (
        "import sys, grondstof; from grondstof.store import open_store; "
        f"s = open_store({str(real_store_dir)!r}, build_if_missing=False); "
        "r = grondstof.run('imports', s, material='cobalt', country='NL'); "
        "spark = [m for m in sys.modules if m.split('.')[0] in ('pyspark', 'py4j')]; "
        "print(s.con.name, len(r.rows) > 0, spark)"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "GRONDSTOF_BACKEND"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.split() == ["duckdb", "True", "[]"]


def test_a_connection_object_opens_the_store(real_store_dir) -> None:
    """``open_store(backend=grondstof.connect(...))``: the store runs on the caller's connection and leaves
    it open when closed."""
    import grondstof
    from grondstof.store import open_store

    con = grondstof.connect("duckdb")
    store = open_store(real_store_dir, backend=con, build_if_missing=False)
    assert store.con is con and store.backend == "duckdb"
    assert grondstof.run("supply", store, material="gallium", years="2022").rows[0]["country"] == "CHN"
    store.close()
    assert con.raw_sql("SELECT 42").fetchall() == [(42,)]  # still open
