"""Supplier cut-off: the arithmetic by hand, its properties, presets, real figures, bad input and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from grondstof.cli import app
from grondstof.errors import InputError
from grondstof.indicators.dependency import imports
from grondstof.scenarios.cutoff import bridge, cut_arithmetic, cutoff, cutoff_scenario
from grondstof.scenarios.presets import get_preset, presets
from grondstof.store import Store
from miniatures import store_of_tables

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "grondstof" / "scenarios" / "examples"


# ---- a miniature store: two suppliers, two importers, one material ----------------------------------------


def mini_store(tmp_path: Path) -> Store:
    """Graphite (HS92 250410) in 2022: CHN→NLD 80 t, MOZ→NLD 20 t, MOZ→DEU 300 t, CHN→DEU 100 t.

    Values (USD): 160, 30, 450, 200. WMD graphite 2022: CHN 1000 t, MOZ 500 t (NLD and DEU none).
    """
    flows = [("CHN", "NLD", 80.0, 160.0), ("MOZ", "NLD", 20.0, 30.0), ("MOZ", "DEU", 300.0, 450.0)]
    flows.append(("CHN", "DEU", 100.0, 200.0))
    trade = {
        "source": ["baci_hs92"] * 4,
        "classification": ["HS92"] * 4,
        "code": ["250410"] * 4,
        "year": [2022] * 4,
        "exporter": [f[0] for f in flows],
        "importer": [f[1] for f in flows],
        "value": [f[3] for f in flows],
        "currency": ["USD"] * 4,
        "tonnes": [f[2] for f in flows],
    }
    production = {
        "source": ["wmd", "wmd"],
        "commodity": ["Graphite", "Graphite"],
        "material": ["graphite", "graphite"],
        "stage": ["extraction", "extraction"],
        "country": ["CHN", "MOZ"],
        "year": [2022, 2022],
        "quantity": [1000.0, 500.0],
        "unit": ["metr. t", "metr. t"],
        "flag": ["r", "r"],
    }
    return store_of_tables(
        tmp_path,
        {"trade": {"baci_hs92": trade}, "production": {"wmd": production}},
        years={"baci_hs92": [2022, 2022], "wmd": [2022, 2022]},
    )


@pytest.fixture
def mini(tmp_path: Path) -> Store:
    return mini_store(tmp_path)


def test_golden_one_importer_by_hand(mini) -> None:
    """China stops all graphite exports to the Netherlands for 6 months; ramp-up 0.1.

    lost      = 1.0 × 80 t × 6/12                         = 40 t
    capacity  = 0.1 × (Mozambique's exports to others: 300 t) × 6/12 = 15 t
    replaced  = min(40, 15)                               = 15 t
    shortfall = 40 − 15                                   = 25 t
    supply    = 80 + 20 (no Dutch production)             = 100 t/yr → daily use 100/365 t
    days      = 25 / (100/365)                            = 91.25 days
    lost share = 40 / (100 × 6/12)                        = 0.8
    60 days of stock = 60 × 100/365 = 16.438 t → gap 25 − 16.438 = 8.562 t, not covered.
    World view: China 1000 of 1500 t produced (2/3); 360 of 840 USD exported (3/7).
    """
    result = cutoff("graphite", "CN", "NL", share=1.0, months=6, ramp_up=0.1, stock_days=60, store=mini)
    (row,) = result.rows
    assert row["lost"] == pytest.approx(40.0)
    assert row["capacity"] == pytest.approx(15.0)
    assert row["replaced"] == pytest.approx(15.0)
    assert row["shortfall"] == pytest.approx(25.0)
    assert row["supply"] == pytest.approx(100.0)
    assert row["stock_days_to_bridge"] == pytest.approx(91.25)
    assert row["lost_share"] == pytest.approx(0.8)
    assert row["stock_covers"] is False
    assert row["stock_gap"] == pytest.approx(25.0 - 60 * 100 / 365)
    assert row["world_production_share"] == pytest.approx(2 / 3)
    assert row["world_export_share"] == pytest.approx(3 / 7)
    assert row["lost_value"] == pytest.approx(80.0)  # 160 USD × 6/12
    assert result.meta["lost_tonnes"] == pytest.approx(40.0)
    assert result.meta["replaced_tonnes"] == pytest.approx(15.0)
    assert result.meta["shortfall_tonnes"] == pytest.approx(25.0)
    assert result.meta["stock_days_to_bridge"] == pytest.approx(91.25)
    assert row["alternatives"] == ["MOZ"]


def test_golden_all_destinations_by_hand(mini) -> None:
    """China stops all graphite exports to everyone for 6 months; ramp-up 0.1.

    world lost = 1.0 × (80 + 100) × 6/12 = 90 t; capacity = 0.1 × (20 + 300) × 6/12 = 16 t; replaced 16,
    shortfall 74. Shared pro rata: NLD lost 40, replaced 16 × 40/90 = 7.111, shortfall 32.889;
    DEU lost 50, replaced 8.889, shortfall 41.111 (DEU is the most affected importer, listed first).
    """
    result = cutoff("graphite", "China", "all", months=6, ramp_up=0.1, store=mini)
    by_scope = {(r["scope"], r["importer"]): r for r in result.rows}
    world = by_scope[("world", "WORLD")]
    assert (world["lost"], world["replaced"], world["shortfall"]) == pytest.approx((90.0, 16.0, 74.0))
    assert world["supply"] == pytest.approx(500.0)
    affected = [r for r in result.rows if r["scope"] == "affected"]
    assert [r["importer"] for r in affected] == ["DEU", "NLD"]
    assert affected[1]["replaced"] == pytest.approx(16 * 40 / 90)
    assert affected[1]["shortfall"] == pytest.approx(40 - 16 * 40 / 90)
    assert affected[0]["shortfall"] == pytest.approx(50 - 16 * 50 / 90)
    # The Netherlands' view of the same cut: its own row first, then the world.
    view = cutoff("graphite", "CN", "NL", destination="all", months=6, store=mini)
    assert [r["scope"] for r in view.rows] == ["importer", "world"]
    assert view.rows[0]["shortfall"] == pytest.approx(40 - 16 * 40 / 90)
    assert view.meta["shortfall_tonnes"] == pytest.approx(40 - 16 * 40 / 90)


def test_capacity_from_production(mini) -> None:
    # Mozambique's production (500 t) instead of its exports to others (300 t): 0.1 × 500 × 6/12 = 25 t.
    result = cutoff("graphite", "CN", "NL", months=6, capacity="production", store=mini)
    assert result.rows[0]["replaced"] == pytest.approx(25.0)
    assert result.meta["materials"][0]["alternatives_basis"] == "production"


# ---- properties --------------------------------------------------------------------------------------------

amount = st.floats(min_value=0, max_value=1e6, allow_nan=False)
fraction = st.floats(min_value=0, max_value=1, allow_nan=False)
months_ = st.floats(min_value=0.1, max_value=60, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(amount, amount, amount, amount, fraction, months_, fraction)
def test_cutting_one_more_supplier_never_lowers_the_shortfall(
    f_cut, base, f_new, e_new, share, months, r
) -> None:
    # The new supplier adds its imports to what is lost and leaves the alternatives (e_new ≤ base).
    e_new = min(e_new, base)
    before = cut_arithmetic(f_cut, base, share, months, r)
    after = cut_arithmetic(f_cut + f_new, base - e_new, share, months, r)
    assert after.shortfall >= before.shortfall - 1e-9 * max(1.0, before.shortfall)


@settings(max_examples=300, deadline=None)
@given(amount, amount, fraction, fraction, months_, months_, fraction)
def test_more_share_or_months_never_lowers_the_shortfall(f, base, s1, s2, m1, m2, r) -> None:
    lo, hi = sorted((s1, s2))
    assert cut_arithmetic(f, base, hi, m1, r).shortfall >= cut_arithmetic(f, base, lo, m1, r).shortfall - 1e-6
    lo_m, hi_m = sorted((m1, m2))
    assert (
        cut_arithmetic(f, base, s1, hi_m, r).shortfall
        >= cut_arithmetic(f, base, s1, lo_m, r).shortfall - 1e-6
    )


@settings(max_examples=200, deadline=None)
@given(amount, st.floats(min_value=1, max_value=1e6))
def test_stock_of_the_days_to_bridge_closes_the_gap(shortfall, supply) -> None:
    days = bridge(shortfall, supply, None)["stock_days_to_bridge"]
    enough = bridge(shortfall, supply, days * (1 + 1e-9) + 1e-9)
    assert enough["stock_covers"] is True and enough["stock_gap"] == 0.0
    if days > 1:
        short = bridge(shortfall, supply, days - 1)
        assert short["stock_covers"] is False and short["stock_gap"] == pytest.approx(supply / 365)


@pytest.mark.realdata
@pytest.mark.parametrize("country", ["EU27", "all"])
def test_adding_suppliers_never_lowers_the_shortfall_real(real_store, country) -> None:
    shortfalls = []
    for suppliers in (["CN"], ["CN", "MZ"], ["CN", "MZ", "BR"], ["CN", "MZ", "BR", "MG"]):
        result = cutoff("graphite", suppliers, country, year=2022, store=real_store)
        head = next(r for r in result.rows if r["scope"] in ("importer", "world"))
        shortfalls.append(head["shortfall"])
    assert shortfalls == sorted(shortfalls)
    assert shortfalls[-1] > shortfalls[0] > 0


@pytest.mark.realdata
def test_zero_share_changes_nothing(real_store) -> None:
    result = cutoff("cobalt,graphite", "CN", "NL", share=0.0, stock_days=10, year=2022, store=real_store)
    assert len(result.rows) == 2
    for row in result.rows:
        for key in ("lost", "lost_share", "replaced", "shortfall", "stock_days_to_bridge", "stock_gap"):
            assert row[key] == 0.0, key
        assert row["supply"] > 0 and row["stock_covers"] is True


@pytest.mark.realdata
def test_larger_share_or_longer_cut_never_lowers_the_shortfall_real(real_store) -> None:
    by_share = [
        cutoff("graphite", "CN", "all", share=s, year=2022, store=real_store).meta["shortfall"]
        for s in (0.25, 0.5, 1.0)
    ]
    by_months = [
        cutoff("graphite", "CN", "all", months=m, year=2022, store=real_store).meta["shortfall"]
        for m in (1, 6, 12, 24)
    ]
    assert by_share == sorted(by_share) and by_share[0] > 0
    assert by_months == sorted(by_months) and by_months[0] > 0


@pytest.mark.realdata
def test_stock_of_days_to_bridge_covers_the_real_shortfall(real_store) -> None:
    def run(stock_days: float | None = None) -> dict:
        return cutoff("graphite", "CN", "EU27", year=2022, stock_days=stock_days, store=real_store).rows[0]

    days = run()["stock_days_to_bridge"]
    assert days > 0
    covered = run(days + 1e-6)
    assert covered["stock_covers"] is True and covered["stock_gap"] == 0.0
    half = run(days / 2)
    assert half["stock_covers"] is False
    assert half["stock_gap"] == pytest.approx(half["shortfall"] / 2)


# ---- real figures ------------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_gage_preset_for_the_netherlands_matches_chinas_2022_comext_share(real_store) -> None:
    result = cutoff_scenario(preset="CN-2023-GaGe", country="NL", store=real_store)
    nl = {r["material"]: r for r in result.rows if r["scope"] == "importer"}
    summary = imports("gallium", "NL", years=2022, share_from="CN", by="year", store=real_store).rows[0]
    assert summary["share_from"] == pytest.approx(0.99975, abs=1e-4)
    gallium = nl["gallium"]
    assert (gallium["year"], gallium["source"], gallium["unit"]) == (2022, "comext_cn8", "EUR")
    assert gallium["lost_share"] == pytest.approx(summary["share_from"], rel=1e-9)
    assert gallium["lost"] == pytest.approx(8.683e6, rel=1e-3)  # €8.68 m from China in 2022
    assert gallium["world_production_share"] == pytest.approx(0.984, abs=0.001)  # WMD 2022, China
    assert result.meta["query"]["preset"] == "CN-2023-GaGe"
    assert result.meta["query"]["destination"] == "all"
    assert any("no tonnes" in note for note in result.meta["notes"])
    assert {s["id"] for s in result.meta["sources"]} >= {"comext_cn8", "wmd", "export_controls"}


@pytest.mark.realdata
def test_graphite_world_cut_lists_the_most_affected_importers(real_store) -> None:
    result = cutoff_scenario(preset="CN-2023-GRAPH", store=real_store)
    world = next(r for r in result.rows if r["scope"] == "world")
    affected = [r for r in result.rows if r["scope"] == "affected"]
    assert world["source"] == "baci_hs92" and world["year"] == 2022 and world["unit"] == "t"
    assert len(affected) == 10
    shortfalls = [r["shortfall"] for r in affected]
    assert shortfalls == sorted(shortfalls, reverse=True)
    assert sum(r["lost"] for r in affected) <= world["lost"] + 1e-6
    # Replacement is shared pro rata: every importer keeps the world's replaced/lost ratio.
    ratio = world["replaced"] / world["lost"]
    assert all(r["replaced"] / r["lost"] == pytest.approx(ratio) for r in affected)
    assert world["world_production_share"] == pytest.approx(0.669, abs=0.002)  # WMD 2022 natural graphite


@pytest.mark.realdata
def test_eu27_cobalt_counts_extra_eu_imports_and_eu_production(real_store) -> None:
    result = cutoff_scenario(file=str(EXAMPLES / "cutoff_drc_cobalt_eu27.yaml"), store=real_store)
    eu = next(r for r in result.rows if r["scope"] == "importer")
    assert eu["importer"] == "EU27" and eu["basis"] == "tonnes"
    assert eu["domestic_production"] > 0  # Finland's cobalt mine output (WMD)
    assert eu["supply"] == pytest.approx(eu["imports"] + eu["domestic_production"])
    assert result.meta["query"]["months"] == 8 and result.meta["query"]["stock_days"] == 90


def test_presets_come_from_the_timeline(real_store) -> None:
    found = {p.id: p for p in presets(real_store)}
    assert {"CN-2023-GaGe", "CN-2023-GRAPH", "CN-2025-MHREE", "CD-2025-CO"} <= set(found)
    assert "CN-2023-RETECH" not in found  # a technology ban stops no flow of material
    gage = found["CN-2023-GaGe"]
    assert (gage.supplier, gage.materials, gage.destination) == ("CHN", ("gallium", "germanium"), "all")
    assert (gage.share, gage.months, gage.baseline_year) == (1.0, 12.0, 2022)
    assert found["CD-2025-CO"].months == 8.0  # 22 Feb – 16 Oct 2025
    assert found["CN-2024-US"].destination == "USA"
    assert found["ID-2020-NI"].stage == "extraction"


def test_preset_values_can_be_overridden(real_store) -> None:
    result = cutoff_scenario(preset="cn-2023-gage", country="NL", share=0.5, months=3, store=real_store)
    assert result.meta["query"]["share"] == 0.5 and result.meta["query"]["months"] == 3
    gallium = next(r for r in result.rows if r["material"] == "gallium" and r["scope"] == "importer")
    assert gallium["lost"] == pytest.approx(0.5 * gallium["from_suppliers"] * 3 / 12)


# ---- bad input ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"suppliers": "Chinaa"}, "supplier"),
        ({"share": 1.5}, "share"),
        ({"months": 0}, "months"),
        ({"ramp_up": -0.1}, "ramp_up"),
        ({"materials": "galium"}, "material"),
        ({"country": "Narnia"}, "country"),
        ({"suppliers": "NL"}, "supplier"),  # the importer cannot cut itself off
    ],
)
def test_bad_input_names_the_parameter(mini, kwargs, named) -> None:
    args = {"materials": "graphite", "suppliers": "CN", "country": "NL"} | kwargs
    with pytest.raises(InputError) as info:
        cutoff(args.pop("materials"), args.pop("suppliers"), store=mini, **args)
    assert named in info.value.parameter


def test_unknown_preset_is_named_with_a_suggestion(real_store) -> None:
    with pytest.raises(InputError) as info:
        get_preset("CN-2023-GaG", real_store)
    assert info.value.parameter == "preset"
    assert "CN-2023-GaGe" in info.value.suggestions


def test_bad_key_in_a_scenario_file_is_named(tmp_path, mini) -> None:
    path = tmp_path / "cut.yaml"
    path.write_text("materials: [graphite]\nsuppliers: CN\ncountry: NL\nmonts: 6\n")
    with pytest.raises(InputError) as info:
        cutoff_scenario(file=str(path), store=mini)
    assert "monts" in str(info.value) and "cut.yaml" in str(info.value)


def test_scenario_file_and_options_build_the_same_result(tmp_path, mini) -> None:
    path = tmp_path / "cut.json"
    path.write_text('{"materials": "graphite", "suppliers": ["CN"], "country": "NL", "months": 6}')
    from_file = cutoff_scenario(file=str(path), store=mini)
    from_options = cutoff("graphite", "CN", "NL", months=6, store=mini)
    assert from_file.rows == from_options.rows
    assert cutoff_scenario(file=str(path), months=12, store=mini).rows[0]["lost"] == pytest.approx(80.0)


# ---- the command line --------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_cli_cutoff_preset_json(real_store_dir) -> None:
    args = ["scenario", "cutoff", "--preset", "CN-2023-GaGe", "--country", "NL", "--stock-days", "60"]
    result = runner.invoke(app, [*args, "--json", "--store", str(real_store_dir)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    gallium = next(r for r in data["rows"] if r["material"] == "gallium" and r["scope"] == "importer")
    assert gallium["lost_share"] == pytest.approx(0.99975, abs=1e-4)
    assert gallium["stock_covers"] is False
    assert data["meta"]["assumptions"]


@pytest.mark.realdata
def test_cli_cutoff_options_and_errors(real_store_dir) -> None:
    base = ["scenario", "cutoff", "--material", "cobalt", "--supplier", "CN", "--country", "NL"]
    ok = runner.invoke(app, [*base, "--months", "6", "--csv", "--store", str(real_store_dir)])
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.splitlines()[0].startswith("scope,importer")
    bad = runner.invoke(app, [*base, "--share", "1.5", "--store", str(real_store_dir)])
    assert bad.exit_code == 2 and "share" in bad.stderr
    unknown = runner.invoke(app, ["scenario", "cutoff", "--preset", "XX-1", "--store", str(real_store_dir)])
    assert unknown.exit_code == 2 and "preset" in unknown.stderr


@pytest.mark.realdata
def test_cli_presets_and_example_files(real_store_dir) -> None:
    listed = runner.invoke(app, ["scenario", "presets", "--json", "--store", str(real_store_dir)])
    assert listed.exit_code == 0, listed.output
    assert "CD-2025-CO" in {r["id"] for r in json.loads(listed.stdout)["rows"]}
    for path in sorted(EXAMPLES.glob("cutoff_*.yaml")):
        ran = runner.invoke(
            app, ["scenario", "cutoff", "--file", str(path), "--json", "--store", str(real_store_dir)]
        )
        assert ran.exit_code == 0, (path.name, ran.output)
