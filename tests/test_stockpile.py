"""The stockpile planner: days of cover, scenario cover at a confidence, budget allocation (LP vs greedy),
costs in EUR, NL next to the EU-27, bad input, and the command line."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from grondstof.cli import app
from grondstof.errors import InputError, UnknownMaterialError
from grondstof.scenarios.stockpile import (
    USD_PER_EUR,
    CutoffDisruption,
    StockpileScenario,
    allocate_budget,
    allocate_greedy,
    days_of_cover,
    expected_uncovered,
    load_stockpile_scenario,
    stock_at_confidence,
    stock_for_days,
    stockpile,
    usd_to_eur,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "src/grondstof/scenarios/examples/stockpile_nl.yaml"
runner = CliRunner()


# ---- arithmetic ----------------------------------------------------------------------------------------


def test_days_of_cover_by_hand() -> None:
    # 365 t a year is 1 t a day: 90 days of cover is 90 t (IEA-style norm, anchors-and-methods.md §2.10).
    assert stock_for_days(365.0, 90) == pytest.approx(90.0)
    assert stock_for_days(730.0, 60) == pytest.approx(120.0)
    assert days_of_cover(90.0, 365.0) == pytest.approx(90.0)
    assert days_of_cover(10.0, 0.0) is None


def test_usd_to_eur_uses_the_ecb_annual_average() -> None:
    # ECB euro reference rate, annual average 2024: 1.0824 USD per EUR; 2022: 1.0530.
    assert usd_to_eur(1082.4, 2024) == pytest.approx(1000.0)
    assert usd_to_eur(1053.0, 2022) == pytest.approx(1000.0)
    assert usd_to_eur(100.0, 1998) is None  # before the euro
    assert set(range(1999, 2025)) <= set(USD_PER_EUR)


def test_expected_uncovered_by_hand() -> None:
    # draws 0, 10, 20, 30 and a stock of 15: uncovered 0, 0, 5, 15 -> mean 5
    assert expected_uncovered([0, 10, 20, 30], 15) == pytest.approx(5.0)
    assert expected_uncovered([0, 10, 20, 30], 0) == pytest.approx(15.0)
    assert expected_uncovered([-5, 10], 0) == pytest.approx(5.0)  # a surplus is no shortfall


@pytest.mark.parametrize("confidence", [0.5, 0.8, 0.9, 0.95, 0.99, 1.0])
@pytest.mark.parametrize("kind", ["lognormal", "mostly_zero", "ties"])
def test_stock_at_confidence_leaves_at_most_one_minus_c_uncovered(confidence: float, kind: str) -> None:
    rng = np.random.default_rng(7)
    samples = {
        "lognormal": rng.lognormal(3, 1, 999),  # an odd size where quantile conventions differ
        "mostly_zero": rng.lognormal(3, 1, 4_000) * (rng.random(4_000) < 0.07),
        "ties": rng.integers(0, 5, 999).astype(float),
    }[kind]
    stock = stock_at_confidence(samples, confidence)
    uncovered = float((samples > stock).mean())
    assert uncovered <= 1 - confidence + 1e-12
    # ... and it is the smallest such stock: any sample value below it leaves more uncovered.
    below = samples[samples < stock]
    if below.size:
        assert float((samples > below.max()).mean()) > 1 - confidence


# ---- budget allocation ---------------------------------------------------------------------------------


def test_budget_allocation_golden_case() -> None:
    # a: draws 0 or 100 t (P(S > x) = 0.5), 1 EUR/t -> 0.5 of shortfall removed per EUR;
    # b: always 50 t (P = 1), 1.5 EUR/t -> 0.667 per EUR. Equal weights (1 per tonne).
    samples = {"a": np.array([0.0, 100.0]), "b": np.array([50.0, 50.0])}
    cost = {"a": 1.0, "b": 1.5}
    ones = {"a": 1.0, "b": 1.0}
    for solve in (allocate_budget, allocate_greedy):
        small = solve(samples, cost, 60.0, weights=ones)
        assert small.stock["b"] == pytest.approx(40.0)  # all 60 EUR on b: 40 t
        assert small.stock["a"] == pytest.approx(0.0, abs=1e-9)
        assert small.objective_before == pytest.approx(100.0)
        assert small.objective_after == pytest.approx(60.0)  # a 50 + b 10
        large = solve(samples, cost, 100.0, weights=ones)
        assert large.stock["b"] == pytest.approx(50.0)  # b full for 75 EUR, then 25 t of a
        assert large.stock["a"] == pytest.approx(25.0)
        assert large.objective_after == pytest.approx(37.5)


def test_lp_matches_greedy_on_a_miniature_and_respects_the_budget() -> None:
    rng = np.random.default_rng(11)
    samples = {m: rng.lognormal(2 + i, 0.8, 60) * (rng.random(60) < 0.6) for i, m in enumerate("xyz")}
    cost = {"x": 30.0, "y": 7.0, "z": 2.5}
    weights = {"x": 45.0, "y": 5.0, "z": 4.0}  # distinct ratios: a unique optimum
    budget = 0.4 * sum(cost[m] * samples[m].max() for m in samples)
    lp = allocate_budget(samples, cost, budget, weights=weights, resolution=None)
    greedy = allocate_greedy(samples, cost, budget, weights=weights)
    assert lp.spent <= budget * (1 + 1e-9)
    assert lp.spent == pytest.approx(budget)  # the budget binds: not everything can be covered
    for m in samples:
        assert lp.stock[m] == pytest.approx(greedy.stock[m], rel=1e-6, abs=1e-6)
    assert lp.objective_after == pytest.approx(greedy.objective_after, rel=1e-9)
    # With quantile breakpoints the LP is an approximation: never better than the exact optimum, and close.
    coarse = allocate_budget(samples, cost, budget, weights=weights, resolution=10)
    assert coarse.spent <= budget * (1 + 1e-9)
    assert greedy.objective_after <= coarse.objective_after + 1e-9
    assert coarse.objective_after <= greedy.objective_after * 1.1


def test_more_budget_never_increases_the_uncovered_shortfall() -> None:
    rng = np.random.default_rng(3)
    samples = {m: rng.gamma(1.5, 100.0, 2_000) * (rng.random(2_000) < 0.2) for m in ("a", "b", "c", "d")}
    cost = {"a": 20_000.0, "b": 1_500.0, "c": 300.0, "d": 90_000.0}
    after = [allocate_budget(samples, cost, b).objective_after for b in (0, 1e5, 1e6, 5e6, 2e7, 1e9)]
    assert all(later <= earlier + 1e-6 for earlier, later in itertools.pairwise(after))
    assert after[-1] == pytest.approx(0.0, abs=1e-6)  # enough money covers every draw
    assert after[0] > after[2]


def test_zero_budget_gives_zero_stock() -> None:
    samples = {"a": np.array([1.0, 5.0, 9.0]), "b": np.array([0.0, 2.0])}
    allocation = allocate_budget(samples, {"a": 10.0, "b": 3.0}, 0.0)
    assert allocation.stock == {"a": 0.0, "b": 0.0}
    assert allocation.spent == 0.0
    assert allocation.objective_after == allocation.objective_before


def test_value_weights_equalise_the_exceedance_probability() -> None:
    # With w = unit cost every euro removes P(S > x) of expected shortfall value, whatever the material:
    # the optimum covers every material up to (about) the same exceedance probability.
    rng = np.random.default_rng(5)
    samples = {m: rng.lognormal(4, 1, 20_000) for m in ("cheap", "dear")}
    cost = {"cheap": 100.0, "dear": 50_000.0}
    allocation = allocate_budget(samples, cost, 0.5 * sum(cost[m] * np.median(samples[m]) for m in samples))
    exceed = [float((samples[m] > allocation.stock[m]).mean()) for m in samples]
    assert exceed[0] == pytest.approx(exceed[1], abs=0.01)


# ---- bad input (no store needed: checked before any data is read) --------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"days": -5}, "days"),
        ({"days": "60,abc"}, "days"),
        ({"days": 90, "budget": 1e6}, "--days/--budget"),
        ({"budget": -1.0}, "budget"),
        ({"confidence": 1.5}, "confidence"),
        ({"holding_cost": 2.0}, "holding_cost"),
        ({"basis": "gross"}, "basis"),
        ({"weights": "price"}, "weights"),
        ({"stage": "mining"}, "stage"),
    ],
)
def test_bad_input_names_the_parameter(kwargs: dict, named: str) -> None:
    with pytest.raises(InputError) as info:
        stockpile("NL", "cobalt", store=object(), **kwargs)  # type: ignore[arg-type]
    assert info.value.parameter == named


def test_unknown_material_is_named_with_suggestions() -> None:
    with pytest.raises(UnknownMaterialError) as info:
        stockpile("NL", "kobalt,galium", days=90, store=object())  # type: ignore[arg-type]
    assert info.value.parameter == "materials"
    assert "gallium" in info.value.suggestions


def test_bad_scenario_key_is_named(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: x\ndisruption:\n  kind: monte_carlo\n  drawz: 1000\n")
    with pytest.raises(InputError) as info:
        stockpile("NL", scenario=path, store=object())  # type: ignore[arg-type]
    assert "s.yaml" in info.value.parameter and "drawz" in info.value.parameter
    path.write_text("name: x\ndisruption:\n  kind: cutof\n  suppliers: [CN]\n")
    with pytest.raises(InputError) as info:
        load_stockpile_scenario(path)
    assert "disruption" in info.value.parameter and "cutoff" in info.value.expected
    path.write_text("name: x\ndisruption:\n  kind: cutoff\n  suppliers: [CN]\n  share: 1.5\n")
    with pytest.raises(InputError) as info:
        load_stockpile_scenario(path)
    assert "disruption.cutoff.share" in info.value.parameter
    path.write_text("name: x\ndisruption:\n  kind: monte_carlo\n  source: baci_hs92\n")
    with pytest.raises(InputError) as info:
        load_stockpile_scenario(path)
    assert "disruption.monte_carlo" in info.value.parameter and "--source" in info.value.expected


def test_shipped_example_scenario_is_valid() -> None:
    spec = load_stockpile_scenario(EXAMPLE)
    assert spec.disruption.kind == "monte_carlo"
    assert spec.confidence == 0.95
    assert spec.disruption.params().probability_model.overrides == {"China": 0.25}


# ---- real data -----------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_netherlands_strategic_materials_90_days_of_imports(real_store) -> None:
    result = stockpile("NL", "strategic", days=90, basis="imports", store=real_store)
    rows = {r["material"]: r for r in result.rows}
    assert len(rows) == 18  # CRMA Annex I: 17 items, bauxite and aluminium as two materials
    assert all(r["cost_eur"] > 0 for r in rows.values())
    assert all(r["importer"] == "NLD" and r["days"] == 90 for r in rows.values())
    # Aluminium, BACI HS92 760110, 2024: 883,603.835 t imported for $1,633,884,337 (FOB).
    alu = rows["aluminium"]
    assert alu["source"] == "baci_hs92" and alu["year"] == 2024
    assert alu["reference_flow_t"] == pytest.approx(883_603.835, abs=0.01)
    assert alu["stock_tonnes"] == pytest.approx(883_603.835 * 90 / 365, abs=0.01)
    assert alu["unit_value_eur_per_t"] == pytest.approx(1_633_884_337 / 883_603.835 / 1.0824)
    assert alu["cost_eur"] == pytest.approx(alu["stock_tonnes"] * alu["unit_value_eur_per_t"])
    assert alu["holding_cost_eur_per_year"] == pytest.approx(0.05 * alu["cost_eur"])
    # Gallium has Comext values only (EUR, no tonnes): a stock in value terms.
    ga = rows["gallium"]
    assert ga["source"] == "comext_cn8" and ga["stock_tonnes"] is None and ga["stock_measure"] == "value"
    assert ga["cost_eur"] == pytest.approx(ga["reference_value_eur"] * 90 / 365)
    assert any("value terms" in n for n in result.meta["notes"])
    assert result.meta["assumptions"]["usd_per_eur"] == {2024: 1.0824}
    assert {s["id"] for s in result.meta["sources"]} >= {"baci_hs92", "comext_cn8"}


@pytest.mark.realdata
def test_net_imports_subtract_exports_of_the_same_codes(real_store) -> None:
    # NL aluminium 2024 (HS92 760110): imports 883,603.835 t, exports 687,440.420 t.
    gross = stockpile("NL", "aluminium,cobalt,magnesium", days="60,90", basis="imports", store=real_store)
    net = stockpile("NL", "aluminium,cobalt,magnesium", days="60,90", basis="net-imports", store=real_store)
    assert len(net.rows) == 6
    alu = next(r for r in net.rows if r["material"] == "aluminium" and r["days"] == 60)
    assert alu["reference_flow_t"] == pytest.approx(883_603.835 - 687_440.420, abs=0.01)
    for g, n in zip(gross.rows, net.rows, strict=True):
        assert n["reference_flow_t"] <= g["reference_flow_t"]
    # NL re-exports more unwrought magnesium than it imports: a net exporter needs no stock, and says so.
    mg = next(r for r in net.rows if r["material"] == "magnesium")
    assert mg["reference_flow_t"] == 0 and mg["stock_tonnes"] == 0
    assert any("magnesium" in n and "net exporter" in n for n in net.meta["notes"])


@pytest.mark.realdata
def test_netherlands_next_to_the_eu27(real_store) -> None:
    result = stockpile(
        "NL", "aluminium,cobalt,gallium", days=90, compare="EU27", basis="imports", store=real_store
    )
    by = {(r["importer"], r["material"]): r for r in result.rows}
    assert set(by) == {(i, m) for i in ("NLD", "EU27") for m in ("aluminium", "cobalt", "gallium")}
    # EU-27 extra-EU aluminium imports 2024 (HS92 760110): about 2.99 Mt, over three times NL's.
    assert by[("EU27", "aluminium")]["reference_flow_t"] == pytest.approx(2_985_978, rel=1e-4)
    assert by[("EU27", "aluminium")]["cost_eur"] > 3 * by[("NLD", "aluminium")]["cost_eur"]
    assert set(result.meta["totals"]) == {"NLD 90 days", "EU27 90 days"}
    same = stockpile("NL,EU27", "aluminium,cobalt,gallium", days=90, basis="imports", store=real_store)
    assert [r["cost_eur"] for r in same.rows] == [r["cost_eur"] for r in result.rows]


@pytest.mark.realdata
def test_consumption_adds_production_of_the_same_stage(real_store) -> None:
    # EU-27 aluminium 2024: WMD smelter output of the members (processing, as the trade code) is added.
    imp = stockpile("EU27", "aluminium,cobalt", days=90, basis="net-imports", store=real_store)
    con = stockpile("EU27", "aluminium,cobalt", days=90, basis="consumption", store=real_store)
    produced = next(m for m in con.meta["materials"] if m["id"] == "aluminium")["production_t"]
    assert produced > 500_000
    assert con.rows[0]["reference_flow_t"] == pytest.approx(imp.rows[0]["reference_flow_t"] + produced)
    # Cobalt trade codes are refined forms; WMD cobalt is mine output, so none is added and a note says so.
    assert con.rows[1]["reference_flow_t"] == pytest.approx(imp.rows[1]["reference_flow_t"])
    assert any("cobalt" in n and "extraction output only" in n for n in con.meta["notes"])


@pytest.mark.realdata
def test_cutoff_scenario_stock_equals_the_cutoff_shortfall(real_store) -> None:
    from grondstof.scenarios.cutoff import cutoff

    spec = StockpileScenario(
        name="China stops", disruption=CutoffDisruption(kind="cutoff", suppliers=["China"], months=12)
    )
    result = stockpile("NL", "magnesium,gallium", scenario=spec, store=real_store)
    rows = {r["material"]: r for r in result.rows}
    expected = cutoff("magnesium", "CN", "NLD", source="baci_hs17", year=2024, store=real_store)
    assert rows["magnesium"]["stock_tonnes"] == pytest.approx(expected.meta["shortfall_tonnes"])
    assert rows["magnesium"]["stock_tonnes"] > 0
    assert rows["magnesium"]["uncovered_share"] == 0
    assert rows["gallium"]["shortfall_unit"] == "EUR" and rows["gallium"]["stock_tonnes"] is None


@pytest.mark.realdata
def test_monte_carlo_cover_and_budget_on_real_flows(real_store) -> None:
    mats = "cobalt,lithium,graphite,magnesium,silicon metal"
    covered = stockpile("NL", mats, scenario=EXAMPLE, draws=4_000, confidence=0.9, store=real_store)
    assert {r["material"] for r in covered.rows} == {
        "cobalt", "lithium", "graphite", "magnesium", "silicon_metal",
    }  # fmt: skip
    for row in covered.rows:
        assert row["uncovered_share"] <= 0.1 + 1e-12
        assert row["expected_shortfall_after"] <= row["expected_shortfall_before"]
    budget = stockpile("NL", mats, budget=2e6, scenario=EXAMPLE, draws=4_000, store=real_store)
    spent = sum(r["cost_eur"] for r in budget.rows)
    assert spent <= 2e6 * (1 + 1e-9)
    assert (
        budget.meta["query"]["allocation"]["NLD"]["objective_after"]
        <= (budget.meta["query"]["allocation"]["NLD"]["objective_before"])
    )
    none = stockpile("NL", mats, budget=0, scenario=EXAMPLE, draws=4_000, store=real_store)
    assert all(r["stock_tonnes"] == 0 and r["cost_eur"] == 0 for r in none.rows)


@pytest.mark.realdata
def test_given_samples_for_two_importers_must_be_keyed_by_importer(real_store) -> None:
    samples = {"cobalt": np.ones(10)}
    with pytest.raises(InputError) as info:
        stockpile("NL,EU27", "cobalt", samples=samples, store=real_store)
    assert info.value.parameter == "samples"


# ---- command line --------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_cli_days_json_with_eu27(real_store_dir) -> None:
    args = ["stockpile", "--country", "NL", "--materials", "cobalt,nickel", "--days", "90"]
    result = runner.invoke(app, [*args, "--compare", "EU27", "--json", "--store", str(real_store_dir)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {(r["importer"], r["material"]) for r in data["rows"]} == {
        ("NLD", "cobalt"), ("EU27", "cobalt"), ("NLD", "nickel"), ("EU27", "nickel"),
    }  # fmt: skip
    assert all(r["cost_eur"] > 0 and r["stock_tonnes"] > 0 for r in data["rows"])
    assert data["meta"]["fields"]["cost_eur"]["unit"] == "EUR"


@pytest.mark.realdata
def test_cli_bad_input_exits_2_naming_the_option(real_store_dir) -> None:
    args = ["stockpile", "--country", "NL", "--days", "90", "--budget", "1000"]
    result = runner.invoke(app, [*args, "--store", str(real_store_dir)])
    assert result.exit_code == 2
    assert "--days/--budget" in result.output
    result = runner.invoke(
        app, ["stockpile", "-c", "NL", "--confidence", "1.5", "--store", str(real_store_dir)]
    )
    assert result.exit_code == 2 and "confidence" in result.output


@pytest.mark.realdata
def test_a_vanishing_budget_buys_nothing_and_does_not_crash(real_store) -> None:
    # Found by schemathesis: budget=5e-324 made the scaled LP row infinite.
    result = stockpile("NL", budget=5e-324, draws=2000, store=real_store)
    assert all((r["stock_tonnes"] or 0) < 1e-6 for r in result.rows)


# Issue 9, item 11: stock sizing used gross imports, which for the Netherlands include re-exports.
@pytest.mark.realdata
def test_default_basis_is_net_imports_with_gross_beside_it(real_store) -> None:
    result = stockpile("NL", "aluminium,gallium", days=90, store=real_store)
    alu, ga = (next(r for r in result.rows if r["material"] == m) for m in ("aluminium", "gallium"))
    assert alu["basis"] == "net-imports"
    assert alu["reference_flow_t"] == pytest.approx(883_603.835 - 687_440.420, abs=0.01)
    assert alu["gross_imports_t"] == pytest.approx(883_603.835, abs=0.01)
    assert alu["quantity_basis"].startswith("net imports · baci_hs92 760110 · processing")
    # Comext has no exports: that row falls back to gross imports and says so in its own basis.
    assert ga["basis"] == "imports" and ga["quantity_basis"].startswith("gross imports · comext_cn8")


# Issue 9, item 10: PGMs were sized from the gold/PGM ore and precious-metal scrap baskets (5,099 t at
# about EUR 11,000/t); a stock is held refined, so the members' unwrought metals stand for them.
@pytest.mark.realdata
def test_pgm_stock_is_priced_as_refined_metal(real_store) -> None:
    row = stockpile("NL", "pgm", days=90, basis="imports", store=real_store).rows[0]
    assert "261690" not in row["quantity_basis"] and "711290" not in row["quantity_basis"]
    assert "711011" in row["quantity_basis"] and "processing" in row["quantity_basis"]
    assert row["gross_imports_t"] < 50  # tonnes of refined PGMs, not thousands of tonnes of ore
    assert row["unit_value_eur_per_t"] > 1e6  # millions of EUR per tonne, as refined PGMs cost


# Issue 9, item 9: Dutch nickel was 1,580 t in the Monte Carlo run and 93,148 t in the stockpile planner.
@pytest.mark.realdata
def test_stockpile_and_montecarlo_pick_the_same_quantity(real_store) -> None:
    from grondstof.scenarios.montecarlo import montecarlo

    mats = "nickel,pgm,copper,rare_earths_magnets"
    stock = {r["material"]: r for r in stockpile("NL", mats, days=90, basis="imports", store=real_store).rows}
    sim = {r["material"]: r for r in montecarlo("NL", mats, draws=1000, store=real_store).rows}
    for mat in ("nickel", "pgm", "copper", "rare_earths_magnets"):
        assert sim[mat]["source"] == stock[mat]["source"]
        assert sim[mat]["supply"] == pytest.approx(stock[mat]["gross_imports_t"], rel=0.01)
        # The table itself (not only the notes) says what the quantity is.
        assert sim[mat]["quantity_basis"].split(" · ")[1] == stock[mat]["quantity_basis"].split(" · ")[1]
    assert stock["nickel"]["quantity_basis"].endswith("baci_hs17 750210 · processing")
    assert sim["nickel"]["supply"] > 50_000
    # Rare earths for magnets are traded only as finished magnets, and the row names the product.
    assert "finished product" in stock["rare_earths_magnets"]["material_name"]
    assert "850511" in sim["rare_earths_magnets"]["material_name"]
