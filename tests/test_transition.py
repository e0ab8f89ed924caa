"""Transition demand: cohort bookkeeping, golden values, levers, the shipped NL scenario, bad input, CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from grondstof.cli import app
from grondstof.errors import InputError
from grondstof.scenarios.technologies import Intensities
from grondstof.scenarios.transition import (
    CONTENT_FACTORS,
    Levers,
    Segment,
    examples,
    load_transition,
    retirement_profile,
    run_cohorts,
    run_scenario,
    transition,
)

# Round made-up intensities for the pure tests (kg per MW, per vehicle, per kWh).
FAKE = Intensities(
    power={"offshore_wind": {"copper": 8000.0, "zinc": 5500.0}, "onshore_wind": {"copper": 3000.0}},
    vehicle={"electric_car": {"copper": 50.0, "lithium": 9.0}},
    battery={
        "NMC 622": {"copper": 0.4, "lithium": 0.1, "nickel": 0.5, "cobalt": 0.2},
        "NMC 811": {"copper": 0.4, "lithium": 0.1, "nickel": 0.66, "cobalt": 0.08},
        "LFP": {"copper": 0.55, "lithium": 0.09, "phosphorus": 0.39},
    },
)


def scenario(deployments: list[dict], years: str = "2025-2040", **extra: object) -> dict:
    return {"name": "test", "country": "NL", "years": years, "deployments": deployments, **extra}


def load(data: dict):
    return load_transition(data)[0]


# ---- cohort bookkeeping ----------------------------------------------------------------------------------


def test_replacement_appears_exactly_after_the_lifetime() -> None:
    flows = run_cohorts([Segment("additions", {2025: 100.0})], 2040, retirement_profile(5), 5)
    assert flows.installs[2025] == 100
    replaced = {y: v for y, v in flows.replacement.items() if v}
    assert replaced == {2030: 100.0, 2035: 100.0, 2040: 100.0}
    assert all(flows.new[y] == 0 for y in range(2026, 2041))
    assert flows.stock[2040] == 100


def test_stock_targets_are_met_with_growth_plus_replacement() -> None:
    # 1,000 already installed in 2020 (all new), target 1,500 in 2025: 100 a year, none retired before 2030.
    flows = run_cohorts(
        [Segment("stock", {2020: 1000.0, 2025: 1500.0}, "new")], 2031, retirement_profile(10), 10
    )
    assert flows.installs[2020] == 0  # the first value is stock already there
    assert [flows.new[y] for y in range(2021, 2026)] == pytest.approx([100.0] * 5)
    assert flows.replacement[2030] == pytest.approx(1000.0)  # the 2020 stock retires after 10 years
    assert flows.replacement[2031] == pytest.approx(100.0)  # the 2021 cohort
    assert all(flows.stock[y] == pytest.approx(1500.0) for y in range(2025, 2032))


def test_initial_stock_with_uniform_ages_retires_evenly() -> None:
    flows = run_cohorts([Segment("stock", {2020: 300.0})], 2035, retirement_profile(30), 30)
    assert all(sum(flows.retired[y].values()) == pytest.approx(10.0) for y in range(2021, 2036))


def test_weibull_profile_has_the_mean_lifetime() -> None:
    profile = retirement_profile(20, "weibull", 2.5, horizon=200)
    assert sum(profile) == pytest.approx(1.0, abs=1e-9)
    mean = sum(age * p for age, p in enumerate(profile))
    assert mean == pytest.approx(20.5, abs=0.1)  # discrete ages: retire during year a counts as a


def test_golden_offshore_gigawatt_gives_8000_t_copper_and_eol_after_lifetime() -> None:
    # 1 GW × 8,000 kg/MW = 8,000 t of copper; retired after 5 years, 50 % collected, 80 % recycled.
    model = load(
        scenario(
            [{"technology": "offshore_wind", "unit": "GW", "values": {2025: 1}}],
            years="2025-2030",
            parameters={
                "lifetimes": {"offshore wind": 5},
                "collection_rate": 0.5,
                "recycling_rate": {"Cu": 0.8},
            },
        )
    )
    run = run_scenario(model, FAKE, Levers())
    assert run.demand[(2025, "offshore_wind", "copper")] == pytest.approx(8000.0)
    assert run.demand[(2025, "offshore_wind", "zinc")] == pytest.approx(5500.0)
    assert run.eol[(2030, "offshore_wind", "copper")] == pytest.approx(8000 * 0.5 * 0.8)
    assert run.eol.get((2030, "offshore_wind", "zinc"), 0.0) == 0.0  # zinc's default recycling rate is 0
    assert run.replacement[(2030, "offshore_wind", "copper")] == pytest.approx(8000.0)
    assert sum(v for (y, _, m), v in run.demand.items() if m == "copper" and 2025 < y < 2030) == 0


def test_ev_battery_from_chemistry_and_pack_size() -> None:
    # Body = 50 − 75 × 0.4 = 20 kg copper; lithium is battery-only. LFP battery 60 kWh: 33 kg Cu, 5.4 kg Li.
    model = load(
        scenario(
            [{"technology": "ev", "unit": "vehicles", "values": {2025: 1000}}],
            years="2025-2025",
            parameters={"battery_kwh": 60, "chemistry_shares": {"ev": {2025: {"LFP": 1.0}}}},
        )
    )
    run = run_scenario(model, FAKE, Levers())
    assert run.demand[(2025, "ev", "copper")] == pytest.approx(1000 * (20 + 60 * 0.55) / 1000)
    assert run.demand[(2025, "ev", "lithium")] == pytest.approx(1000 * 60 * 0.09 / 1000)
    assert run.demand.get((2025, "ev", "cobalt"), 0.0) == 0.0


def test_switching_nmc_to_lfp_lowers_cobalt_and_nickel_and_raises_neither() -> None:
    data = scenario(
        [{"technology": "ev", "unit": "vehicles", "values": {2025: 1000, 2035: 5000}}],
        parameters={"chemistry_shares": {"ev": {2025: {"NMC 811": 1.0}}}},
        levers={"chemistry_shift": {"shares": {"LFP": 0.6, "NMC 811": 0.4}}},
    )
    model = load(data)
    base = run_scenario(model, FAKE, Levers())
    shifted = run_scenario(model, FAKE, Levers(chemistry_shift=model.levers.chemistry_shift))
    for key, value in base.demand.items():
        if key[2] in ("cobalt", "nickel") and value > 0:
            assert shifted.demand[key] < value
    for mat in ("cobalt", "nickel"):
        assert sum(v for k, v in shifted.demand.items() if k[2] == mat) == pytest.approx(
            0.4 * sum(v for k, v in base.demand.items() if k[2] == mat)
        )


@settings(max_examples=40, deadline=None)
@given(
    offshore=st.dictionaries(st.integers(2015, 2040), st.floats(0, 3000), min_size=1, max_size=6),
    cars=st.dictionaries(st.integers(2015, 2040), st.floats(0, 1e5), min_size=1, max_size=6),
    content=st.floats(0, 1),
    extension=st.floats(0, 20),
    avoided=st.floats(0, 0.99),
)
def test_levers_never_increase_primary_demand(offshore, cars, content, extension, avoided) -> None:
    # Totals per material over a window that starts with the first deployment. (Per year, a longer life
    # moves replacements to later years; and a window that starts after old stock was built can receive
    # replacements pushed into it — so the property is about totals from the start.)
    model = load(
        scenario(
            [
                {"technology": "offshore_wind", "unit": "MW", "values": offshore},
                {"technology": "ev", "unit": "vehicles", "values": cars},
            ],
            years="2015-2040",
            parameters={"lifetimes": {"offshore_wind": 8, "ev": 6}},
        )
    )
    base = totals(run_scenario(model, FAKE, Levers()).primary)
    for lever in (
        Levers(recycled_content=content),
        Levers(lifetime_extension_years=extension),
        Levers(vehicles_avoided=avoided),
        Levers(recycled_content=content, lifetime_extension_years=extension, vehicles_avoided=avoided),
    ):
        with_lever = totals(run_scenario(model, FAKE, lever).primary)
        for mat, value in with_lever.items():
            assert value <= base[mat] + 1e-6 * max(1.0, base[mat]), (lever, mat)


def totals(values: dict) -> dict[str, float]:
    out: dict[str, float] = {}
    for (_, _, mat), value in values.items():
        out[mat] = out.get(mat, 0.0) + value
    return out


# ---- scenario files: bad keys and units are named ---------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return path


GOOD = """name: t
country: NL
years: 2025-2030
deployments:
  - technology: offshore_wind
    unit: MW
    values: {2025: 100}
"""


def test_minimal_file_loads(tmp_path) -> None:
    model, label = load_transition(write(tmp_path, GOOD))
    assert label == "s.yaml"
    assert model.years == (2025, 2030)


@pytest.mark.parametrize(
    ("change", "parameter"),
    [
        (("deployments:", "deploymnets:"), "deploymnets"),
        (("unit: MW", "unit: TW"), "deployments[0].unit"),
        (("unit: MW", "unit: vehicles"), "deployments[0].unit"),
        (("technology: offshore_wind", "technology: windmill"), "deployments[0].technology"),
        (("values: {2025: 100}", "values: {2025: -5}"), "deployments[0].values[2025]"),
        (("years: 2025-2030", "years: 2030-2025"), "years"),
        (("    values:", "    valeus:"), "deployments[0].valeus"),
    ],
)
def test_bad_key_or_unit_names_it(tmp_path, change: tuple[str, str], parameter: str) -> None:
    with pytest.raises(InputError) as info:
        load_transition(write(tmp_path, GOOD.replace(*change)))
    assert parameter in info.value.parameter
    assert info.value.parameter.startswith("s.yaml")


def test_unknown_source_reference_and_overlap_are_named(tmp_path) -> None:
    with pytest.raises(InputError) as info:
        load_transition(write(tmp_path, GOOD + "    sources: [cbs]\n"))
    assert info.value.parameter == "s.yaml: deployments[0].sources" and info.value.value == "cbs"
    twice = GOOD + "  - technology: offshore_wind\n    unit: MW\n    values: {2025: 5, 2027: 5}\n"
    with pytest.raises(InputError) as info:
        load_transition(write(tmp_path, twice))
    assert info.value.parameter == "s.yaml: deployments[1].values"


def test_unknown_scenario_name() -> None:
    with pytest.raises(InputError) as info:
        load_transition("nl-2036")
    assert info.value.parameter == "scenario"
    assert "nl-2035" in info.value.suggestions


@pytest.mark.realdata
def test_unknown_chemistry_is_named(tmp_path, real_store) -> None:
    path = write(
        tmp_path,
        GOOD.replace("offshore_wind", "ev").replace("unit: MW", "unit: vehicles")
        + "parameters:\n  chemistry_shares:\n    ev:\n      2025: {NMC 812: 1.0}\n",
    )
    with pytest.raises(InputError) as info:
        transition(path, store=real_store)
    assert info.value.parameter == "s.yaml: parameters.chemistry_shares.ev.2025"
    assert "NMC 811" in info.value.suggestions


# ---- real data ---------------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_golden_one_gigawatt_offshore_on_real_intensities(real_store) -> None:
    data = scenario([{"technology": "offshore_wind", "unit": "GW", "values": {2030: 1}}], years="2030-2030")
    rows = transition(data, by="technology", store=real_store).rows
    copper = next(r for r in rows if r["material"] == "copper")
    assert copper["demand_t"] == pytest.approx(8000.0)  # IEA 2021: 8,000 kg/MW
    # NL imports of copper cathodes (BACI HS17 740311), 2024: 90,171.53 t; WMD world mine output 2024.
    assert copper["imports_t"] == pytest.approx(90171.53, rel=1e-6)
    assert copper["share_of_imports"] == pytest.approx(8000 / 90171.53)
    assert copper["world_production_t"] == pytest.approx(22911145)
    assert copper["share_of_world_production"] == pytest.approx(8000 / 22911145)


@pytest.mark.realdata
def test_shipped_nl_scenario_runs_with_sources(real_store) -> None:
    assert "nl-2035" in examples()
    result = transition("nl-2035", store=real_store)
    meta = result.meta
    ids = {s["id"] for s in meta["scenario_sources"]}
    assert {"kst-33561-53", "reuters-2025-05-16", "cbs-he-2023-wind", "tennet-2023"} <= ids
    assert all(s["url"].startswith("http") for s in meta["scenario_sources"])
    model, _ = load_transition("nl-2035")
    for dep in model.deployments:
        assert dep.sources, dep.technology  # every deployment cites something
    assert meta["assumptions"]
    offshore = [d for d in meta["deployments"] if d["technology"] == "offshore_wind"]
    assert next(d["stock"] for d in offshore if d["year"] == 2032) == pytest.approx(21000)
    years = {r["year"] for r in result.rows}
    assert years == set(range(2025, 2036))
    assert {r["technology"] for r in result.rows} == {"all"}
    copper_2025 = next(r for r in result.rows if r["year"] == 2025 and r["material"] == "copper")
    # Offshore alone adds (21,000 − 4,700) / 8 MW a year × 8 t/MW = 16,300 t.
    assert copper_2025["demand_t"] > 16300
    lithium = next(r for r in result.rows if r["material"] == "lithium")
    assert lithium["world_production_t"] == pytest.approx(meta["world_production"]["lithium"]["tonnes"])
    assert meta["world_production"]["lithium"]["basis"].startswith("Li2O")
    assert CONTENT_FACTORS["Li2O"] == pytest.approx(0.4645, abs=1e-4)


@pytest.mark.realdata
def test_nl_levers_reduce_demand_and_lfp_cuts_cobalt_and_nickel(real_store) -> None:
    rows = transition("nl-2035", by="lever", store=real_store).rows
    by = {(r["lever"], r["material"]): r for r in rows}
    for lever in ("recycled_content", "lifetime_extension_years", "vehicles_avoided"):
        lever_rows = [r for r in rows if r["lever"] == lever]
        assert lever_rows, lever
        assert all(r["reduction_t"] >= 0 for r in lever_rows), lever
    assert by[("recycled_content", "cobalt")]["reduction_share"] == pytest.approx(0.16)
    assert by[("recycled_content", "lithium")]["reduction_share"] == pytest.approx(0.06)
    assert ("recycled_content", "copper") not in by  # the lever does not touch copper
    assert by[("chemistry_shift", "cobalt")]["reduction_t"] > 0
    assert by[("chemistry_shift", "nickel")]["reduction_t"] > 0
    assert by[("chemistry_shift", "phosphorus")]["reduction_t"] < 0  # LFP needs phosphorus
    assert by[("vehicles_avoided", "lithium")]["reduction_t"] > 0
    # Wind turbines of 2001–2005 would be replaced in 2031–2035; five more years push that out.
    assert by[("lifetime_extension_years", "zinc")]["reduction_t"] > 0


@pytest.mark.realdata
def test_by_material_totals_match_the_yearly_rows(real_store) -> None:
    yearly = transition("nl-2035", store=real_store).rows
    totals = transition("nl-2035", by="material", store=real_store).rows
    cobalt = next(r for r in totals if r["material"] == "cobalt")
    assert cobalt["year"] is None
    assert cobalt["demand_t"] == pytest.approx(
        sum(r["demand_t"] for r in yearly if r["material"] == "cobalt")
    )
    assert cobalt["share_of_world_production"] == pytest.approx(
        cobalt["demand_t"] / 11 / cobalt["world_production_t"]
    )


@pytest.mark.realdata
def test_cli_transition(real_store_dir, tmp_path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["transition", "nl-2035", "--json", "--store", str(real_store_dir)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["meta"]["levers"]["applied"] is True
    assert data["meta"]["levers"]["reductions"]
    assert data["meta"]["fields"]["share_of_world_production"]["kind"] == "share"
    levers = runner.invoke(
        app, ["transition", "nl-2035", "--by", "lever", "--csv", "--store", str(real_store_dir)]
    )
    assert levers.exit_code == 0
    assert {r["lever"] for r in csv.DictReader(io.StringIO(levers.stdout))} >= {"all", "chemistry_shift"}
    path = write(tmp_path, GOOD.replace("unit: MW", "unit: TW"))
    bad = runner.invoke(app, ["transition", str(path), "--store", str(real_store_dir)])
    assert bad.exit_code == 2
    assert "deployments[0].unit" in bad.output
