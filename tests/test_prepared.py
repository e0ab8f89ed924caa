"""Declared queries (grondstof.prepared): the web server answers repeated query shapes from SQL templates
without building Ibis expressions, and only when the template is exactly what Ibis would compile."""

from __future__ import annotations

import random

import pytest

from grondstof import prepared
from grondstof.errors import InputError


def _same_rows(mine: list[dict], theirs: list[dict], params: dict) -> None:
    """The same rows; floats may differ in their last binary digit (the server adds in another order)."""
    assert len(mine) == len(theirs), params
    for a, b in zip(mine, theirs, strict=True):
        assert a.keys() == b.keys()
        for key, value in a.items():
            if isinstance(value, float):
                assert value == pytest.approx(b[key], rel=1e-12), (params, key)
            else:
                assert value == b[key], (params, key)


@pytest.fixture
def served(real_store):
    from grondstof.web.served import ServedStore

    store = ServedStore(real_store.build_dir)
    store.prepared.check = True  # every template answer is compared with Ibis's own SQL
    yield store
    store.close()


@pytest.mark.realdata
def test_template_sql_is_what_ibis_compiles_and_answers_match_the_command_line(served, real_store) -> None:
    from grondstof.analyses import run

    rng = random.Random(15)
    materials = ["cobalt", "nickel", "lithium", "graphite", "gallium", "copper", "tin", "pgm", "germanium"]
    importers = ["NL", "DE", "FR", "EU27", "US", "JP", "NL,DE", "EU27,US"]
    asks = []
    for _ in range(40):
        params = {"material": rng.choice(materials), "country": rng.choice(importers)}
        kind = rng.choice(["partner", "year", "from", "years"])
        if kind == "year":
            params["by"] = "year"
        elif kind == "from":
            params.update(by="year", share_from=rng.choice(["CN", "CN,RU", "ZA"]))
        elif kind == "years":
            params["years"] = f"{rng.randint(2012, 2022)}-2024"
        asks.append(params)
    compared = 0
    for params in asks:
        try:
            mine = run("imports", served, **params).rows
        except InputError:
            continue  # no trade data for that pair: the queries still ran through the templates
        _same_rows(mine, run("imports", real_store, **params).rows, params)
        compared += 1
    assert compared > 25
    templates = served.prepared
    assert templates.uncacheable == 0
    assert templates.hits > templates.misses  # most queries were answered from a template


@pytest.mark.realdata
def test_compare_and_overview_run_through_templates_with_the_same_answers(served, real_store) -> None:
    from grondstof.analyses import run

    for name, params in [
        ("compare", {"material": "cobalt", "countries": "NL,DE,EU27", "year": 2022}),
        ("compare", {"material": "cobalt", "countries": "FR,BE,EU27", "year": 2022}),
        ("overview", {"country": "NL"}),
        ("overview", {"country": "DE"}),
    ]:
        _same_rows(run(name, served, **params).rows, run(name, real_store, **params).rows, params)
    assert served.prepared.hits > 0


@pytest.mark.realdata
def test_tables_read_from_parquet_are_never_templated(real_store) -> None:
    """Parquet tables are views each cursor makes for itself: a shared template could name a view
    another cursor has not made, so such shapes are built every time."""
    from grondstof.analyses import run
    from grondstof.web.served import ServedStore

    cold = ServedStore(real_store.build_dir, hot_mb=0)
    try:
        for country in ("NL", "DE", "FR"):
            assert run("imports", cold, material="cobalt", country=country).rows
        assert cold.hot_tables == []
        assert cold.prepared.hits == 0
        assert cold.prepared.uncacheable > 0
    finally:
        cold.close()


def _branching(store, shape, tables, values):
    """A build that breaks the rule (it branches on a value in Python): its template cannot be exact."""
    import ibis

    n = values["n"].op().value
    label = "small" if n < 100 else "large"
    return store.table("trade").limit(1).select(label=ibis.literal(label), n=values["n"])


@pytest.mark.realdata
def test_a_shape_whose_template_would_differ_is_built_every_time(served) -> None:
    served.warm()
    assert prepared.rows(served, _branching, shape="t", values={"n": ("int64", 5)}) == [
        {"label": "small", "n": 5}
    ]
    assert prepared.rows(served, _branching, shape="t", values={"n": ("int64", 500)}) == [
        {"label": "large", "n": 500}
    ]
    assert served.prepared.hits == 0
    assert served.prepared.uncacheable == 1


@pytest.mark.realdata
def test_a_value_of_an_unsupported_type_is_refused_naming_it(served) -> None:
    with pytest.raises(ValueError, match=r"value 'share': type 'float64'.*int64.*string"):
        prepared.rows(served, _branching, shape="t", values={"share": ("float64", 0.5)})


def _trade_question(store, material: str, country: str):
    """(code choices per available source, [importer]) of ``material`` imported by ``country``."""
    from grondstof.indicators import trade as tr
    from grondstof.registry.countries import countries
    from grondstof.registry.materials import materials

    mat = materials().resolve(material)
    choices = {
        src: [choice]
        for src in tr.available_sources(store)
        if (choice := tr.code_choice(mat, tr.TRADE_SOURCES[src], None)).codes
    }
    return choices, [countries().resolve_importer(country)]


@pytest.mark.realdata
def test_the_server_holds_the_import_year_index_in_memory_with_the_same_years(served, real_store) -> None:
    from grondstof.indicators import trade as tr

    for material, country in [("cobalt", "NL"), ("copper", "EU27"), ("gallium", "DE"), ("nickel", "US")]:
        choices, importer = _trade_question(real_store, material, country)
        years = tr.import_years(served, choices, importer)
        assert years == tr.import_years(real_store, choices, importer)
        assert any(len(found) > 10 for found in years.values())
    rows = served.con.con.sql("SELECT count(*) FROM gs_hot_derived_import_years_with_refined").fetchall()
    assert rows[0][0] > 100_000


@pytest.mark.realdata
def test_year_bounds_from_the_index_are_those_of_the_trade_rows(served, real_store) -> None:
    from grondstof.indicators import trade as tr
    from grondstof.indicators._common import fetch

    for material, country in [("cobalt", "NL"), ("copper", "EU27"), ("gallium", "DE"), ("germanium", "BE")]:
        choices, importer = _trade_question(real_store, material, country)
        # The bounds straight from the trade rows, re-imports included, as computed before the index.
        pairs = tr.code_pairs(choices, real_store)
        trade = tr.trade_rows(real_store, choices)
        sel = trade.filter(trade.source.isin(list(choices)) & trade.importer.isin(list(importer[0].members)))
        sel = sel.join(pairs, (sel.source == pairs.p_source) & (sel.code == pairs.p_code))
        agg = sel.group_by(["source", "material"]).aggregate(lo=sel.year.min(), hi=sel.year.max())
        direct = {(r["source"], r["material"]): (r["lo"], r["hi"]) for r in fetch(agg)}
        assert direct
        assert tr.year_bounds(real_store, choices, importer) == direct
        assert tr.year_bounds(served, choices, importer) == direct


@pytest.mark.realdata
def test_watch_panels_from_templates_match_the_command_line(served, real_store) -> None:
    """watch reads its trade and refined-stage panels as declared queries; the served store's answers come
    from templates after the first (checked against Ibis's SQL) and give the command line's alerts."""
    from grondstof.analyses import run

    for country in ("NL", "EU27", "NL"):
        mine, theirs = run("watch", served, country=country), run("watch", real_store, country=country)
        assert [r["alert_id"] for r in mine.rows] == [r["alert_id"] for r in theirs.rows]
        _same_rows(
            [{k: v for k, v in r.items() if k != "evidence"} for r in mine.rows],
            [{k: v for k, v in r.items() if k != "evidence"} for r in theirs.rows],
            {"country": country},
        )
    panels = [t for key, t in served.prepared._templates.items() if key[1] == "_panel_query"]
    assert len(panels) >= 3 and all(isinstance(t, list) for t in panels)  # NL and EU27's shapes, cut


@pytest.mark.realdata
def test_templates_made_in_another_process_answer_after_one_build(served, real_store) -> None:
    """A new server (the next warm worker) given another one's templates builds each shape's expression once
    before its first answer, so the lookup and derived tables the SQL reads exist, and compiles nothing."""
    from grondstof.analyses import run
    from grondstof.web.served import ServedStore

    asks = [
        ("imports", {"material": "cobalt", "country": "EU27", "by": "year"}),
        ("overview", {"country": "NL"}),
        ("watch", {"country": "NL", "limit": 5}),
    ]
    for name, params in asks:
        run(name, served, **params)
    kept = served.prepared.kept()
    assert kept

    fresh = ServedStore(real_store.build_dir)
    try:
        assert fresh.prepared.add(kept) == len(kept)
        for name, params in asks:  # not in check mode: that would build every expression anyway
            _same_rows(run(name, fresh, **params).rows, run(name, served, **params).rows, params)
        assert fresh.prepared.misses == 0 and fresh.prepared.hits > 0
    finally:
        fresh.close()
