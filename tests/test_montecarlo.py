"""Monte Carlo disruptions: analytic cases, reproducibility, agreement with the cut-off, real data, CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from grondstof.cli import app
from grondstof.errors import InputError
from grondstof.scenarios.cutoff import cutoff
from grondstof.scenarios.montecarlo import (
    CHUNK,
    MonteCarloParams,
    instability,
    montecarlo,
    montecarlo_scenario,
    simulate_matrix,
    simulate_shortfalls,
)
from grondstof.store import Store
from miniatures import assert_rows_close, store_of_tables

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "grondstof" / "scenarios" / "examples"


def mini_store(tmp_path: Path) -> Store:
    """Graphite (HS92 250410) 2022, as in test_cutoff: CHN→NLD 80 t, MOZ→NLD 20, MOZ→DEU 300, CHN→DEU 100."""
    flows = [("CHN", "NLD", 80.0), ("MOZ", "NLD", 20.0), ("MOZ", "DEU", 300.0), ("CHN", "DEU", 100.0)]
    trade = {
        "source": ["baci_hs92"] * 4,
        "classification": ["HS92"] * 4,
        "code": ["250410"] * 4,
        "year": [2022] * 4,
        "exporter": [f[0] for f in flows],
        "importer": [f[1] for f in flows],
        "value": [2 * f[2] for f in flows],
        "currency": ["USD"] * 4,
        "tonnes": [f[2] for f in flows],
    }
    return store_of_tables(
        tmp_path, {"trade": {"baci_hs92": trade}}, years={"baci_hs92": [2022, 2022], "wmd": None, "wgi": None}
    )


def fixed(**extra: object) -> MonteCarloParams:
    """Only China is ever disrupted (p = 1), fully (size 1), for 6 months."""
    data = {
        "probability_model": {"p_min": 0.0, "p_max": 0.0, "overrides": {"CN": 1.0}},
        "size": {"distribution": "fixed", "value": 1.0},
        "duration": {"distribution": "fixed", "value": 6.0},
        "ramp_up": 0.1,
    }
    return MonteCarloParams.model_validate(data | extra)


# ---- the core on cases worked by hand ----------------------------------------------------------------------


def test_one_supplier_bernoulli_case() -> None:
    """One supplier of 100 t, p = 0.2, always all of it for 12 months, no alternatives: the shortfall is
    100 t with probability 0.2 and 0 otherwise, so mean 20, P50 0, P95 100 and P(any) 0.2.
    With 100,000 draws the standard error of P(any) is √(0.2 × 0.8 / 100,000) = 0.00126."""
    params = MonteCarloParams.model_validate(
        {"size": {"distribution": "fixed"}, "duration": {"distribution": "fixed", "value": 12}, "ramp_up": 0}
    )
    samples = simulate_matrix(
        np.array([100.0]), np.array([100.0]), np.array([0.2]), params, draws=100_000, seed=7, key=1
    )
    assert set(np.unique(samples)) == {0.0, 100.0}
    assert (samples > 0).mean() == pytest.approx(0.2, abs=4 * math.sqrt(0.2 * 0.8 / 100_000))
    assert samples.mean() == pytest.approx(20.0, abs=0.6)
    assert np.percentile(samples, 50) == 0.0 and np.percentile(samples, 95) == 100.0


def test_horizon_sums_independent_years() -> None:
    """Two years of the Bernoulli case: 0, 100 or 200 t with probabilities 0.64, 0.32 and 0.04."""
    params = MonteCarloParams.model_validate(
        {
            "size": {"distribution": "fixed"},
            "duration": {"distribution": "fixed", "value": 12},
            "ramp_up": 0,
            "horizon_years": 2,
        }
    )
    samples = simulate_matrix(
        np.array([100.0]), np.array([100.0]), np.array([0.2]), params, draws=100_000, seed=7, key=1
    )
    assert (samples == 200.0).mean() == pytest.approx(0.04, abs=0.003)
    assert samples.mean() == pytest.approx(40.0, abs=1.0)


def test_reproducible_for_a_seed_and_different_for_another() -> None:
    imports = np.array([50.0, 30.0, 20.0, 0.0])
    exports = np.array([500.0, 100.0, 40.0, 900.0])
    probs = np.array([0.12, 0.05, 0.3, 0.1])
    params = MonteCarloParams()
    draws = 2 * CHUNK + 123  # a partial last chunk
    first = simulate_matrix(imports, exports, probs, params, draws=draws, seed=42, key=9)
    again = simulate_matrix(imports, exports, probs, params, draws=draws, seed=42, key=9)
    other = simulate_matrix(imports, exports, probs, params, draws=draws, seed=43, key=9)
    assert first.shape == (draws,)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    assert (first > 0).any() and (first >= 0).all()
    # No draw can lose more than the importer's supply over the year.
    assert first.max() <= imports.sum() + 1e-9


def test_monte_carlo_agrees_with_the_cutoff_when_it_is_certain(tmp_path) -> None:
    """With China disrupted for sure (fully, 6 months) and nobody else, every draw is the cut-off:
    all destinations (default): 40 − 16 × 40/90 = 32.889 t; the Netherlands alone: 40 − 15 = 25 t."""
    store = mini_store(tmp_path)
    world = simulate_shortfalls(store, "NL", "graphite", draws=1000, seed=1, params=fixed())
    assert world["graphite"] == pytest.approx(np.full(1000, 40 - 16 * 40 / 90))
    cut = cutoff("graphite", "CN", "NL", destination="all", months=6, store=store)
    assert world["graphite"][0] == pytest.approx(cut.rows[0]["shortfall"])
    alone = simulate_shortfalls(
        store, "NL", "graphite", draws=1000, seed=1, params=fixed(destination="importer")
    )
    assert alone["graphite"] == pytest.approx(np.full(1000, 25.0))
    assert alone["graphite"][0] == pytest.approx(
        cutoff("graphite", "CN", "NL", months=6, store=store).meta["shortfall"]
    )
    assert world.units == {"graphite": "t"}
    assert world.daily_use["graphite"] == pytest.approx(100 / 365)


def test_supplier_level_events_are_shared_and_reproducible(tmp_path) -> None:
    store = mini_store(tmp_path)
    params = MonteCarloParams.model_validate({"correlation": "supplier"})
    one = simulate_shortfalls(store, "NL", "graphite", draws=5000, seed=3, params=params)
    two = simulate_shortfalls(store, "NL", "graphite", draws=5000, seed=3, params=params)
    assert np.array_equal(one["graphite"], two["graphite"])
    assert (one["graphite"] > 0).any()


# ---- real data ---------------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_percentiles_are_ordered_and_reproducible(real_store) -> None:
    result = montecarlo("NL", "gallium,cobalt,graphite", draws=20_000, seed=5, store=real_store)
    assert [r["material"] for r in result.rows] == ["gallium", "cobalt", "graphite"]
    for row in result.rows:
        assert 0 <= row["p50"] <= row["p95"] <= row["p99"]
        assert row["stock_cover"] == row["p95"]  # default cover percentile 95
        assert 0 < row["p_any"] < 1 and row["mean"] > 0
        assert row["stock_cover_days"] == pytest.approx(row["stock_cover"] / row["daily_use"])
    again = montecarlo("NL", "gallium,cobalt,graphite", draws=20_000, seed=5, store=real_store)
    other = montecarlo("NL", "gallium,cobalt,graphite", draws=20_000, seed=6, store=real_store)
    assert_rows_close(again.rows, result.rows)
    assert other.rows != result.rows


@pytest.mark.realdata
def test_a_material_draws_the_same_alone_or_with_others(real_store) -> None:
    alone = simulate_shortfalls(real_store, "NL", "cobalt", draws=15_000, seed=11)
    together = simulate_shortfalls(real_store, "NL", "gallium,cobalt", draws=15_000, seed=11)
    assert np.array_equal(alone["cobalt"], together["cobalt"])
    assert together.units == {"gallium": "EUR", "cobalt": "t"}


@pytest.mark.realdata
def test_governance_mapping_on_real_wgi(real_store) -> None:
    unstable = instability(real_store)
    # Mean of the six WGI 2023 estimates: China −0.29, the Netherlands 1.525 (wgidataset 2024 update).
    assert unstable["CHN"] == pytest.approx((2.5 + 0.29) / 5, abs=1e-6)
    assert unstable["NLD"] == pytest.approx((2.5 - 1.525) / 5, abs=1e-6)
    result = montecarlo("NL", "cobalt", draws=1000, store=real_store)
    assert result.meta["probabilities"]["CHN"] == pytest.approx(0.01 + 0.19 * (2.5 + 0.29) / 5, abs=1e-6)


@pytest.mark.realdata
def test_larger_probability_raises_the_risk(real_store) -> None:
    base = montecarlo("NL", "graphite", draws=20_000, store=real_store).rows[0]
    risky = montecarlo(
        "NL", "graphite", draws=20_000, probability_model={"p_min": 0.05, "p_max": 0.4}, store=real_store
    ).rows[0]
    assert risky["p_any"] > base["p_any"] and risky["mean"] > base["mean"]


@pytest.mark.realdata
def test_thirty_materials_stay_fast_enough(real_store) -> None:
    # Speed is measured by benchmarks/bench_montecarlo.py; here only that a large run completes and is sane.
    result = montecarlo("NL", "crm", draws=1000, store=real_store)
    assert len(result.rows) >= 30
    assert any("Not covered" in note for note in result.meta["notes"])


# ---- bad input ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"draws": 0}, "draws"),
        ({"probability_model": {"p_min": 0.3, "p_max": 0.1}}, "probability_model"),
        ({"probability_model": {"p_mni": 0.3}}, "probability_model.p_mni"),
        ({"size": {"distribution": "normal"}}, "size.distribution"),
        ({"duration": {"months": [1, 3], "weights": [1.0]}}, "duration"),
        ({"cover_percentile": 100}, "cover_percentile"),
        ({"country": "Narnia"}, "country"),
        ({"materials": "galium"}, "materials"),
    ],
)
def test_bad_input_names_the_parameter(tmp_path, kwargs, named) -> None:
    store = mini_store(tmp_path)
    args = {"country": "NL", "materials": "graphite", "draws": 1000} | kwargs
    with pytest.raises(InputError) as info:
        montecarlo(args.pop("country"), args.pop("materials"), store=store, **args)
    assert named in info.value.parameter


def test_unknown_override_country_is_named(tmp_path) -> None:
    store = mini_store(tmp_path)
    with pytest.raises(InputError) as info:
        montecarlo("NL", "graphite", draws=100, probability_model={"overrides": {"Chnia": 0.2}}, store=store)
    assert info.value.parameter == "probability_model.overrides.Chnia"
    assert "China" in info.value.suggestions


def test_bad_key_in_a_scenario_file_is_named(tmp_path) -> None:
    store = mini_store(tmp_path)
    path = tmp_path / "mc.yaml"
    path.write_text("country: NL\nmaterials: graphite\nsize:\n  alpah: 2\n")
    with pytest.raises(InputError) as info:
        montecarlo_scenario(file=str(path), store=store)
    assert "size.alpah" in str(info.value) and "mc.yaml" in str(info.value)


# ---- the command line --------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_cli_montecarlo_json_and_file(real_store_dir) -> None:
    args = ["scenario", "montecarlo", "--country", "NL", "--materials", "cobalt,graphite", "--draws", "5000"]
    result = runner.invoke(app, [*args, "--cover-percentile", "99", "--json", "--store", str(real_store_dir)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [r["material"] for r in data["rows"]] == ["cobalt", "graphite"]
    assert all(r["stock_cover"] == r["p99"] for r in data["rows"])
    assert data["meta"]["query"]["seed"] == 42
    example = EXAMPLES / "montecarlo_nl_strategic.yaml"
    ran = runner.invoke(
        app,
        [
            "scenario",
            "montecarlo",
            "--file",
            str(example),
            "--draws",
            "2000",
            "--csv",
            "--store",
            str(real_store_dir),
        ],
    )
    assert ran.exit_code == 0, ran.output
    assert len(ran.stdout.splitlines()) > 10
    bad = runner.invoke(
        app, ["scenario", "montecarlo", "--country", "NL", "--draws", "0", "--store", str(real_store_dir)]
    )
    assert bad.exit_code == 2 and "draws" in bad.stderr
