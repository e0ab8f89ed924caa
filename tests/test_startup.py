"""Command start-up stays light: only DuckDB's SQL compiler is loaded, rows come back without pyarrow, and
a command run imports neither pyarrow, numpy nor pandas. Speed itself is measured in
``benchmarks/bench_foundation.py``; these tests check that the behaviour behind it is unchanged."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Expressions covering what the indicators use: filters with lists and ranges, joins, group-by,
# window functions, CASE, argmax, ordering. Compiled for DuckDB and for other engines' dialects.
EXPRESSIONS = r"""
import ibis
t = ibis.table({"source": "string", "importer": "string", "exporter": "string", "code": "string",
                "year": "int16", "value": "float64", "tonnes": "float64"}, name="trade")
p = ibis.table({"p_source": "string", "p_code": "string", "material": "string", "basket": "boolean"},
               name="pairs")
sel = t.filter(t.source.isin(["baci_hs92", "comext_cn8"]) & t.year.between(2015, 2024))
sel = sel.join(p, (sel.source == p.p_source) & (sel.code == p.p_code))
sel = sel.filter(sel.exporter.isnull() | (sel.exporter != sel.importer))
agg = sel.group_by(["source", "importer", "material", "year", "exporter"]).aggregate(
    value=sel.value.sum(), tonnes=sel.tonnes.sum(),
    no_tonnes=ibis.cases((sel.tonnes.isnull(), sel.value), else_=0.0).sum(), basket=sel.basket.max())
group = ["source", "importer", "material", "year"]
shares = agg.mutate(share=agg.value / agg.value.sum().over(group_by=group),
                    rank=ibis.rank().over(group_by=group, order_by=ibis.desc(agg.value)) + 1)
summary = shares.group_by(group).aggregate(hhi=(shares.share ** 2).sum(),
                                           top=shares.exporter.argmax(shares.value))
EXPRS = [sel, agg, shares, summary.order_by(["importer", ibis.desc("year")]),
         sel.select("source", "year").distinct()]
"""


def _python(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_duckdb_sql_is_the_same_with_only_its_compiler_loaded() -> None:
    compile_all = EXPRESSIONS + (
        "con = connect()\n"
        "import json, sys\n"
        "print(json.dumps({'sql': [str(con.compile(e)) for e in EXPRS],\n"
        "  'loaded': sorted(m for m in sys.modules if m.startswith('ibis.backends.sql.compilers.'))}))\n"
    )
    lazy = json.loads(_python("from grondstof.engine import connect\n" + compile_all))
    # The same compilation with Ibis's own package module, which imports every dialect's compiler.
    eager = json.loads(
        _python("import ibis.backends.sql.compilers\nfrom grondstof.engine import connect\n" + compile_all)
    )
    assert lazy["sql"] == eager["sql"]
    assert "SELECT" in lazy["sql"][0] and "OVER" in lazy["sql"][2]
    assert "ibis.backends.sql.compilers.duckdb" in lazy["loaded"]
    assert "ibis.backends.sql.compilers.trino" not in lazy["loaded"]
    assert "ibis.backends.sql.compilers.trino" in eager["loaded"]


def test_other_dialects_still_compile_when_asked_for() -> None:
    code = EXPRESSIONS + (
        "from grondstof.engine import connect, lazy_sql_compilers\n"
        "connect()\n"
        "assert lazy_sql_compilers()\n"
        "import ibis.backends.sql.compilers as sc\n"
        "from ibis.backends.sql.compilers import PostgresCompiler\n"
        "assert PostgresCompiler is sc.postgres.PostgresCompiler\n"
        "assert 'TrinoCompiler' in sc.__all__\n"
        "out = {d: ibis.to_sql(EXPRS[3], dialect=d) for d in ('trino', 'postgres', 'bigquery')}\n"
        "try:\n"
        "    ibis.to_sql(EXPRS[0], dialect='no_such_engine')\n"
        "except ValueError as exc:\n"
        "    out['unknown'] = str(exc)\n"
        "import json; print(json.dumps(out))\n"
    )
    out = json.loads(_python(code))
    for dialect in ("trino", "postgres", "bigquery"):
        assert "GROUP BY" in out[dialect].upper(), dialect
    assert out["unknown"] == "Unknown dialect no_such_engine"


def test_rows_come_back_as_the_types_arrow_gives() -> None:
    from grondstof.engine import connect, duckdb_table, to_arrow, to_rows

    con = connect()
    con.con.execute(
        "CREATE TEMP TABLE sample AS SELECT * FROM (VALUES "
        "(1::BIGINT, 2.5::DOUBLE, 'a', DATE '2022-01-01', true, 1.25::DECIMAL(10, 2)), "
        "(3, NULL, NULL, NULL, NULL, NULL)) v(i, f, s, d, b, dec)"
    )
    table = duckdb_table(con, "sample")
    assert dict(table.schema()) == dict(con.table("sample").schema())
    assert to_rows(table) == to_arrow(table).to_pylist()
    empty = {"f": None, "s": None, "d": None, "b": None, "dec": None}
    assert to_rows(table.order_by("i"))[1] == {"i": 3, **empty}
    # An integer sum is a Python int (Ibis says int64), not the Decimal Arrow makes of DuckDB's HUGEINT.
    assert to_rows(table.aggregate(total=table.i.sum())) == [{"total": 4}]


@pytest.mark.realdata
def test_an_analysis_command_imports_no_arrow_numpy_or_pandas(real_store_dir: Path) -> None:
    code = (
        "import json, sys\n"
        "from grondstof.cli import main\n"
        f"sys.argv = ['grondstof', 'imports', 'cobalt', '--country', 'NL', '--json', '--store', "
        f"{str(real_store_dir)!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'pyarrow', 'numpy', 'pandas'})\n"
        "compilers = [m for m in sys.modules if m.startswith('ibis.backends.sql.compilers.')]\n"
        "print('\\n' + json.dumps([heavy, sorted(compilers)]))\n"
    )
    out = _python(code)
    result = json.loads(out.rsplit("\n", 2)[0])
    assert result["rows"][0]["material"] == "cobalt"
    heavy, compilers = json.loads(out.strip().rsplit("\n", 1)[1])
    assert heavy == []
    dialects = [m for m in compilers if m.rsplit(".", 1)[1] not in ("base", "_compat")]
    assert dialects == ["ibis.backends.sql.compilers.duckdb"]
