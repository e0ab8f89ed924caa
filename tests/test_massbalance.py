"""Mass balance (issue 4, part 4) and net trade including scrap (Q26)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from grondstof.cli import app
from grondstof.errors import InputError
from grondstof.registry.countries import countries
from grondstof.registry.materials import materials
from grondstof.scenarios.massbalance import (
    CONTENT_FACTORS,
    Term,
    balance,
    close_balance,
    conservation,
    net_trade,
    sankey,
    to_tonnes,
)

runner = CliRunner()


def _rows(result, stage: str) -> dict[str, dict]:
    return {r["flow"]: r for r in result.rows if r["stage"] == stage}


# ---- the identity on a miniature ---------------------------------------------------------------------------


def test_golden_miniature_closes_by_hand() -> None:
    # Imports 100 t, exports 30 t, production 50 t: AC = 50 + 100 − 30 = 120 t; exports / imports = 0.3.
    b = close_balance(100, 30, 50)
    assert b.apparent_consumption == 120
    assert b.re_export_share == pytest.approx(0.3)
    assert b.residual == 0 and not b.consumption_given and b.consumption == 120
    assert b.inputs == b.outputs == 150


def test_stock_change_enters_apparent_consumption() -> None:
    b = close_balance(100, 30, 50, stock_change=20)
    assert b.apparent_consumption == 100  # 50 + 100 − 30 − 20
    assert b.inputs == b.exports + b.stock_change + b.consumption + b.residual


def test_residual_is_the_discrepancy_when_consumption_is_given() -> None:
    b = close_balance(100, 30, 50, consumption=110)
    assert b.consumption_given and b.consumption == 110
    assert b.apparent_consumption == 120
    assert b.residual == 10  # the 10 t the data cannot place
    assert b.inputs == b.outputs
    drawdown = close_balance(100, 30, 50, stock_change=-5, consumption=130)
    assert drawdown.residual == -5  # 50 + 100 − 30 + 5 − 130


@given(
    st.floats(0, 1e9),
    st.floats(0, 1e9),
    st.floats(0, 1e9),
    st.none() | st.floats(-1e9, 1e9),
    st.none() | st.floats(0, 1e9),
)
def test_every_balance_closes(imports, exports, production, stock, consumption) -> None:
    b = close_balance(imports, exports, production, stock_change=stock, consumption=consumption)
    assert b.inputs == pytest.approx(b.outputs, rel=1e-9, abs=1e-3)
    if consumption is None:
        assert b.residual == 0
    if b.re_export_share is not None:
        assert 0 <= b.re_export_share <= 1


def test_re_export_share_is_capped_and_flagged() -> None:
    b = close_balance(10, 30, 50)
    assert b.re_export_share == 1.0 and b.re_export_capped
    assert close_balance(0, 30, 50).re_export_share is None  # no imports: no share, not 0
    assert close_balance(None, 30, 50).apparent_consumption is None  # unknown term: no silent 0


def test_kg_and_tonnes_are_refused_when_mixed() -> None:
    with pytest.raises(InputError) as err:
        close_balance(Term(100, "t"), Term(30, "t"), Term(50_000, "kg"))
    assert err.value.parameter == "production"
    assert "kg" in str(err.value) and "to_tonnes" in err.value.expected
    converted = close_balance(Term(100, "t"), Term(30, "t"), Term(to_tonnes(50_000, "kg"), "t"))
    assert converted.apparent_consumption == pytest.approx(120)


def test_units_that_are_not_masses_are_refused() -> None:
    assert to_tonnes(2500, "kg") == 2.5 and to_tonnes(3, "metr. t") == 3
    with pytest.raises(InputError) as err:
        to_tonnes(120, "ct")
    assert err.value.parameter == "unit" and "tonnes" in err.value.expected
    with pytest.raises(InputError) as err:
        close_balance(1, 1, 1, consumption=-1)
    assert err.value.parameter == "consumption"


def test_sankey_conserves_flow_at_the_economy_node() -> None:
    b = close_balance(100, 30, 50)
    diagram = sankey({"A": 60, "B": 25, "C": 10, "D": 5}, {"X": 20, "Y": 10}, b, top=2)
    names = [n["name"] for n in diagram["nodes"]]
    assert "other (2)" in names  # C and D grouped
    into, out = conservation(diagram)
    assert into == pytest.approx(150) and out == pytest.approx(150)
    # Exports above supply: the negative apparent consumption becomes an inflow, still conserving.
    short = close_balance(10, 80, 50)
    into, out = conservation(sankey({"A": 10}, {"X": 80}, short))
    assert into == pytest.approx(out) == pytest.approx(80)


def test_content_factors_are_stoichiometric_and_match_the_wmd_basis() -> None:
    li = next(f for f in CONTENT_FACTORS if f.code == "283691" and f.classification == "HS92")
    # Li2O / Li2CO3 = (2 × 6.94 + 15.999) / (2 × 6.94 + 12.011 + 3 × 15.999) = 29.879 / 73.888
    assert li.factor == pytest.approx(0.40438, abs=1e-5)
    registry = materials()
    for factor in CONTENT_FACTORS:
        assert 0 < factor.factor <= 1.5 and factor.source
        bases = {w.content_basis for w in registry.wmd(factor.material)}
        assert factor.basis in bases, (factor.code, factor.basis, bases)


# ---- real data ---------------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_netherlands_cobalt_2022_closes_exactly(real_store) -> None:
    from grondstof.indicators.dependency import imports

    result = balance("cobalt", "NL", 2022, store=real_store)
    assert result.meta["query"]["source"] == "baci_hs92"
    total = _rows(result, "all")
    i, e, p = total["imports"]["tonnes"], total["exports"]["tonnes"], total["production"]["tonnes"]
    assert i > 0 and e > 0
    assert i == pytest.approx(6878.636) and e == pytest.approx(3409.327)
    assert p == 0  # the Netherlands is not among WMD's cobalt mine producers
    assert total["apparent_consumption"]["tonnes"] == p + i - e
    assert total["residual"]["tonnes"] == 0 and "derived" in total["residual"]["status"]
    assert total["exports"]["re_export_share"] == pytest.approx(3409.327 / 6878.636)
    assert total["stock_change"]["tonnes"] is None and "no stock data" in total["stock_change"]["status"]
    # The same imports as the dependency analysis (an independent code path).
    summary = imports("cobalt", "NL", years=2022, by="year", store=real_store).rows[0]
    assert i == pytest.approx(summary["total_tonnes"])
    # Refined cobalt has no production series: the processing balance stays open, and says why.
    processing = _rows(result, "processing")
    assert processing["apparent_consumption"]["tonnes"] is None
    assert "production" in processing["apparent_consumption"]["status"]
    assert result.meta["balance"]["all"]["consumption_derived"] is True


@pytest.mark.realdata
def test_sankey_of_netherlands_cobalt_conserves_flow(real_store) -> None:
    result = balance("cobalt", "NL", 2022, top=3, store=real_store)
    diagram = result.meta["sankey"]
    assert diagram["stage"] == "all" and diagram["unit"] == "t"
    into, out = conservation(diagram)
    assert into == pytest.approx(out, rel=1e-12)
    assert into == pytest.approx(6878.636)  # imports + production (0)
    kinds = [n["kind"] for n in diagram["nodes"]]
    assert kinds.count("import_partner") == 4  # top 3 + other
    assert "production" in kinds and "consumption" in kinds


@pytest.mark.realdata
def test_given_consumption_and_stock_change_on_real_data(real_store) -> None:
    result = balance("cobalt", "NL", 2022, consumption=3000, store=real_store)
    total = _rows(result, "all")
    assert total["consumption"]["tonnes"] == 3000 and total["consumption"]["status"] == "given"
    assert total["residual"]["tonnes"] == pytest.approx(6878.636 - 3409.327 - 3000)
    assert conservation(result.meta["sankey"])[0] == pytest.approx(conservation(result.meta["sankey"])[1])
    stocked = _rows(balance("cobalt", "NL", 2022, stock_change=500, store=real_store), "all")
    assert stocked["apparent_consumption"]["tonnes"] == pytest.approx(6878.636 - 3409.327 - 500)


@pytest.mark.realdata
def test_eu27_uses_extra_eu_flows_only(real_store) -> None:
    members = set(countries().eu27().members)
    result = balance("graphite", "EU27", 2022, store=real_store)
    rows = _rows(result, "extraction")
    assert rows["production"]["tonnes"] == 285  # Austria 100 t + Germany 185 t (WMD, gross weight)
    i, e = rows["imports"]["tonnes"], rows["exports"]["tonnes"]
    assert rows["apparent_consumption"]["tonnes"] == 285 + i - e
    # Exports recomputed independently: members as exporter, partners outside the EU-27.
    trade = real_store.table("trade")
    sel = trade.filter(
        (trade.source == "baci_hs92")
        & (trade.year == 2022)
        & trade.code.isin(["250410", "250490"])
        & trade.exporter.isin(list(members))
        & ~trade.importer.isin(list(members))
    )
    assert e == pytest.approx(sel.tonnes.sum().to_pyarrow().as_py())
    diagram = result.meta["sankey"]
    partners = {n["name"] for n in diagram["nodes"] if n["kind"] in ("import_partner", "export_partner")}
    names = {countries().get(m).name() for m in members}
    assert not partners & names
    into, out = conservation(diagram)
    assert into == pytest.approx(out)


@pytest.mark.realdata
def test_content_basis_production_is_not_mixed_with_gross_tonnes(real_store) -> None:
    result = balance("aluminium", "NL", 2021, basis="content", store=real_store)
    rows = _rows(result, "processing")
    assert rows["production"]["tonnes"] is None and rows["production"]["content_t"] == 46700
    assert rows["apparent_consumption"]["tonnes"] is None  # gross refuses to add metal content
    assert rows["imports"]["content_t"] == pytest.approx(0.99 * rows["imports"]["tonnes"])
    content = rows["apparent_consumption"]["content_t"]
    assert content == pytest.approx(46700 + rows["imports"]["content_t"] - rows["exports"]["content_t"])
    assert result.meta["sankey"]["unit"] == "t metal content"
    # A code without a cited factor leaves content null and says which code.
    lithium = _rows(balance("lithium", "NL", 2022, store=real_store), "processing")
    assert lithium["imports"]["content_t"] is None and "282520" in lithium["imports"]["status"]


@pytest.mark.realdata
def test_comext_has_no_exports(real_store) -> None:
    rows = _rows(balance("gallium", "NL", 2023, store=real_store), "processing")
    assert rows["imports"]["value"] > 0 and rows["imports"]["currency"] == "EUR"
    assert rows["exports"]["tonnes"] is None and "imports only" in rows["exports"]["status"]
    assert rows["apparent_consumption"]["tonnes"] is None


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"material": "galium"}, "material"),
        ({"material": "all"}, "material"),
        ({"country": "Atlantis"}, "country"),
        ({"year": "2020-2022"}, "year"),
        ({"basis": "mass"}, "basis"),
        ({"stage": "mining"}, "stage"),
        ({"top": 0}, "top"),
        ({"consumption": -5}, "consumption"),
        ({"stock_change": "lots"}, "stock_change"),
        ({"source": "baci_hs99"}, "source"),
    ],
)
def test_bad_input_names_the_parameter(real_store, kwargs, parameter) -> None:
    args = {"material": "cobalt", "country": "NL", "year": 2022, **kwargs}
    with pytest.raises(InputError) as err:
        balance(args.pop("material"), args.pop("country"), args.pop("year"), store=real_store, **args)
    assert err.value.parameter == parameter


@pytest.mark.realdata
def test_net_trade_reports_scrap_where_the_data_has_it(real_store) -> None:
    result = net_trade("NL", "silver,cobalt,gallium", 2022, store=real_store)
    rows = {r["material"]: r for r in result.rows}
    silver, cobalt, gallium = rows["silver"], rows["cobalt"], rows["gallium"]
    assert silver["scrap_codes"] == "711290" and "basket" in silver["scrap"]
    recycled = _rows(balance("silver", "NL", 2022, stage="recycling", store=real_store), "recycling")
    assert silver["scrap_exports_t"] == pytest.approx(recycled["exports"]["tonnes"])
    assert silver["exports_t"] > silver["scrap_exports_t"] > 0  # ores plus scrap
    assert silver["net_exports_t"] == pytest.approx(silver["exports_t"] - silver["imports_t"])
    assert cobalt["scrap_exports_t"] is None and "810510" in cobalt["scrap"]
    assert cobalt["imports_t"] == pytest.approx(6878.636)
    assert gallium["exports_t"] is None and gallium["currency"] == "EUR"
    assert result.meta["scrap"]["materials_with_scrap_codes"] == ["silver"]


@pytest.mark.realdata
def test_net_trade_all_materials_says_most_have_no_scrap_code(real_store) -> None:
    result = net_trade("EU27", year=2022, store=real_store)
    assert len(result.rows) > 40
    assert result.meta["scrap"]["materials_with_scrap_codes"] == ["silver"]
    assert any("no scrap code here" in note for note in result.meta["notes"])
    with pytest.raises(InputError) as err:
        net_trade("NL", "cobalt", "2021-2022", store=real_store)
    assert err.value.parameter == "year"


@pytest.mark.realdata
def test_cli_balance_json_sankey_and_net_trade(real_store_dir) -> None:
    base = ["--country", "NL", "--year", "2022", "--store", str(real_store_dir)]
    result = runner.invoke(app, ["balance", "cobalt", *base, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {r["flow"] for r in data["rows"]} >= {"imports", "exports", "apparent_consumption", "residual"}
    assert data["meta"]["fields"]["tonnes"]["kind"] == "tonnes"
    result = runner.invoke(app, ["balance", "cobalt", *base, "--sankey"])
    assert result.exit_code == 0, result.output
    diagram = json.loads(result.stdout)
    assert conservation(diagram)[0] == pytest.approx(conservation(diagram)[1])
    result = runner.invoke(app, ["net-trade", *base, "--materials", "silver,cobalt", "--csv"])
    assert result.exit_code == 0 and result.stdout.startswith("material,material_name,year")
    result = runner.invoke(app, ["balance", "cobalt", *base, "--basis", "mass"])
    assert result.exit_code == 2 and "basis" in result.stderr
    result = runner.invoke(
        app, ["balance", "gallium", "--country", "NL", "--store", str(real_store_dir), "--sankey"]
    )
    assert result.exit_code == 1 and "no Sankey" in result.stderr
