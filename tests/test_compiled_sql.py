"""SQL templates per expression shape (grondstof.compiled_sql): the same query built twice is one shape,
whatever Ibis numbers its self-joins and however it spells NaN; the SQL from the template is Ibis's own."""

from __future__ import annotations

import ibis

from grondstof.compiled_sql import SqlTemplates, read_private, write_private


def _trade():
    con = ibis.duckdb.connect()
    con.raw_sql(
        "CREATE TABLE trade AS SELECT * FROM (VALUES ('NLD', 'CHN', 2022, 5.0), ('NLD', 'RUS', 2022, 3.0),"
        " ('DEU', 'CHN', 2022, 7.0), ('NLD', 'CHN', 2021, 4.0)) t(importer, exporter, year, value)"
    )
    return con, con.table("trade")


def _self_join(trade, country: str):
    mine = trade.filter(trade.importer == country)
    other = mine.view()  # a self-reference: Ibis numbers these from a process-wide counter
    joined = mine.join(other, (mine.exporter == other.exporter) & (mine.year == other.year + 1))
    return joined.select(mine.exporter, mine.year, change=mine.value - other.value)


def _with_nan(trade, year: int):
    picked = trade.filter(trade.year == year)
    return picked.mutate(missing=ibis.literal(float("nan")), share=picked.value / picked.value.sum())


def test_a_self_join_built_twice_is_one_shape() -> None:
    con, trade = _trade()
    templates = SqlTemplates()
    for country in ("NLD", "NLD", "DEU"):
        expr = _self_join(trade, country)
        assert templates.sql(con, expr) == str(con.compile(expr))
    assert (templates.misses, templates.hits) == (1, 2)


def test_a_nan_literal_does_not_make_every_shape_new() -> None:
    con, trade = _trade()
    templates = SqlTemplates()
    for year in (2022, 2021, 2022):
        expr = _with_nan(trade, year)
        assert templates.sql(con, expr) == str(con.compile(expr))
    assert (templates.misses, templates.hits) == (1, 2)
    rows = con.con.execute(templates.sql(con, _with_nan(trade, 2021))).fetchall()
    assert [(r[0], r[3]) for r in rows] == [("NLD", 4.0)]


def test_kept_templates_serve_a_new_cache_without_compiling(tmp_path, monkeypatch) -> None:
    con, trade = _trade()
    first = SqlTemplates()
    first.sql(con, _self_join(trade, "NLD"))
    path = tmp_path / "t.sql"
    write_private(path, first.kept())
    assert path.stat().st_mode & 0o777 == 0o600

    second = SqlTemplates()
    assert second.add(read_private(path)) == 1
    monkeypatch.setattr(type(con), "compile", lambda *a, **k: (_ for _ in ()).throw(AssertionError))
    expr = _self_join(trade, "DEU")  # another value, the same shape: filled in, not compiled
    sql = second.sql(con, expr)
    assert (second.hits, second.misses) == (1, 0)
    assert con.con.execute(sql).fetchall() == [] and "'DEU'" in sql


def test_kept_templates_of_others_or_other_versions_are_not_read(tmp_path, monkeypatch) -> None:
    import os
    import pickle

    from grondstof import compiled_sql

    path = tmp_path / "t.sql"
    write_private(path, {"a": ["SELECT 1"]})
    assert read_private(path) == {"a": ["SELECT 1"]}
    os.chmod(path, 0o666)  # others could have written it
    assert read_private(path) is None
    os.chmod(path, 0o600)
    monkeypatch.setattr(compiled_sql, "_compiler_versions", lambda: ("other",))
    assert read_private(path) is None
    monkeypatch.undo()
    path.write_bytes(b"not a pickle")
    assert read_private(path) is None
    assert read_private(tmp_path / "missing.sql") is None
    path.write_bytes(pickle.dumps(["wrong", "shape"]))
    assert read_private(path) is None
    assert SqlTemplates().add(None) == 0 and SqlTemplates().add({"k": "not pieces"}) == 0
