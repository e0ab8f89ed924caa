"""The CRMA benchmark tracker: status logic, real figures from the EU 2023 tables and extra-EU trade."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from grondstof.errors import InputError, UnknownMaterialError
from grondstof.indicators.crma import CRMA_FIELDS, Item, _eu_share, _third_country_share, crma, evaluate
from grondstof.indicators.dependency import imports
from grondstof.registry.countries import countries
from grondstof.registry.materials import materials

EU = set(countries().eu27().members)


def _row(result, benchmark: str, stage: str, period_is_trade: bool) -> dict:
    rows = [
        r
        for r in result.rows
        if r["benchmark"] == benchmark and r["stage"] == stage and r["period"].isdigit() == period_is_trade
    ]
    assert len(rows) == 1, rows
    return rows[0]


# ---- status logic (no data needed) ---------------------------------------------------------------


def test_minimum_benchmarks_are_met_at_or_above_the_target() -> None:
    assert evaluate("extraction", 0.12, 0.10) == ("met", pytest.approx(0.02))
    assert evaluate("processing", 0.39, 0.40) == ("not met", pytest.approx(-0.01))
    # 0.1 + 0.2 + 0.1 is 0.4000000000000001 in floating point: exactly on target is met.
    assert evaluate("processing", 0.1 + 0.2 + 0.1, 0.40)[0] == "met"
    assert evaluate("recycling", None, 0.25) == ("no data", None)


def test_diversification_is_a_maximum() -> None:
    assert evaluate("diversification", 0.69, 0.65) == ("not met", pytest.approx(-0.04))
    assert evaluate("diversification", 0.65, 0.65) == ("met", 0.0)
    assert evaluate("diversification", 0.02, 0.65) == ("met", pytest.approx(0.63))
    with pytest.raises(InputError) as info:
        evaluate("diversity", 0.5, 0.65)
    assert info.value.parameter == "benchmark"


def test_miniature_sourcing_table_gives_eu_and_third_country_shares() -> None:
    gallium = materials().get("gallium")
    item = Item("(f)", "Gallium", gallium, (gallium,))
    rows = [
        {"country": "CHN", "share": 0.70},
        {"country": "DEU", "share": 0.05},
        {"country": "FRA", "share": 0.03},
        {"country": "GBR", "share": 0.10},
        {"country": None, "share": 0.02},  # "Other": counts towards the listed total, not a country
    ]
    sourcing = {("gallium", "processing"): rows}
    share = _eu_share(item, "processing", sourcing, EU, 0.40, "en")
    assert share.value == pytest.approx(0.08)
    assert "lower bound" in share.derivation and "10% of sourcing unlisted" in share.derivation
    third = _third_country_share(item, "processing", sourcing, EU, 0.65, "en")
    assert (third.value, third.largest) == (pytest.approx(0.70), "CHN")
    assert evaluate("diversification", third.value, 0.65)[0] == "not met"
    # A stage without rows is "no data", not zero.
    assert _eu_share(item, "extraction", sourcing, EU, 0.10, "en").value is None
    # 36 % listed for the EU with 8 % unlisted: 'not met' is flagged as uncertain.
    close = {
        ("gallium", "processing"): [{"country": "DEU", "share": 0.36}, {"country": "CHN", "share": 0.56}]
    }
    assert "uncertain" in _eu_share(item, "processing", close, EU, 0.40, "en").derivation


# ---- real figures --------------------------------------------------------------------------------


@pytest.mark.realdata
def test_every_strategic_material_has_the_full_grid(real_store) -> None:
    result = crma(store=real_store)
    assert [f.name for f in result.fields] == [f.name for f in CRMA_FIELDS]
    per_material: dict[str, int] = {}
    for row in result.rows:
        per_material[row["material"]] = per_material.get(row["material"], 0) + 1
        assert row["status"] == evaluate(row["benchmark"], row["value"], row["target"])[0]
        assert row["derivation"], row
        if row["value"] is not None:
            assert 0.0 <= row["value"] <= 1.0
    # 17 Annex I items (bauxite/alumina/aluminium is one), 7 rows each.
    assert len(per_material) == 17 and set(per_material.values()) == {7}
    assert {"pgm", "rare_earths_magnets", "aluminium", "gallium"} <= set(per_material)
    targets = {r["benchmark"]: r["target"] for r in result.rows}
    assert targets == {"extraction": 0.10, "processing": 0.40, "recycling": 0.25, "diversification": 0.65}
    assert result.meta["query"]["year"] == 2024
    assert {s["id"] for s in result.meta["sources"]} >= {"crma", "eu_crm_2023", "comext_cn8", "baci_hs92"}


@pytest.mark.realdata
def test_gallium_diversification_is_not_met(real_store) -> None:
    result = crma(material="Ga", store=real_store)
    # EU 2023 study, Appendix 7: China supplied 69 % of EU gallium sourcing (processing).
    study = _row(result, "diversification", "processing", False)
    assert (study["value"], study["largest_country"], study["status"]) == (0.69, "CHN", "not met")
    assert study["distance"] == pytest.approx(-0.04)
    # Comext 2024: China's share of EU-27 extra-EU gallium imports, still above 65 %.
    trade = _row(result, "diversification", "processing", True)
    assert trade["source"] == "comext_cn8" and trade["largest_country"] == "CHN"
    assert trade["value"] > 0.65 and trade["status"] == "not met"
    # The same figures as `grondstof imports gallium --country EU27 --by year`.
    summary = {
        r["year"]: r for r in imports("gallium", "EU27", years="2022-2024", by="year", store=real_store).rows
    }
    assert trade["value"] == pytest.approx(summary[2024]["top_share"], abs=1e-6)
    assert trade["change"] == pytest.approx(summary[2024]["top_share"] - summary[2022]["top_share"])
    assert summary[2022]["top_share"] > 0.95 and trade["trend"] == "improving"
    assert trade["trend_period"] == "2022→2024"
    # The EU produced 2 % of its gallium sourcing (Germany) and recycles none: both not met.
    assert _row(result, "processing", "processing", False)["value"] == pytest.approx(0.02)
    assert _row(result, "recycling", "recycling", False)["status"] == "not met"
    # Gallium is a by-product: no extraction-stage figures at all.
    assert _row(result, "extraction", "extraction", False)["status"] == "no data"


@pytest.mark.realdata
def test_materials_that_meet_benchmarks(real_store) -> None:
    rows = crma(store=real_store).rows
    found = {(r["material"], r["benchmark"], r["stage"], r["period"]): r for r in rows}
    # Tungsten: Austria 34 % + Portugal 22 % + Spain 21 % of EU sourcing at extraction = 77 %.
    tungsten = found[("tungsten", "extraction", "extraction", "≈2016–2020")]
    assert tungsten["value"] == pytest.approx(0.77) and tungsten["status"] == "met"
    assert tungsten["distance"] == pytest.approx(0.67)
    # Cobalt refining: Finland 62 % + Belgium 29 %.
    assert found[("cobalt", "processing", "processing", "≈2016–2020")]["value"] == pytest.approx(0.91)
    # Copper: EoL-RIR 55 % against the 25 % recycling benchmark.
    copper = found[("copper", "recycling", "recycling", "≈2016–2020")]
    assert (copper["value"], copper["status"]) == (0.55, "met")
    # Magnesium: China 97 % of EU sourcing.
    magnesium = found[("magnesium", "diversification", "processing", "≈2016–2020")]
    assert (magnesium["value"], magnesium["largest_country"], magnesium["status"]) == (0.97, "CHN", "not met")


@pytest.mark.realdata
def test_groups_take_their_least_favourable_member(real_store) -> None:
    ree = crma(material="rare_earths_magnets", store=real_store)
    processing = _row(ree, "diversification", "processing", False)
    # Nd/Pr/Ce/Sm processing: China 85 % of EU sourcing.
    assert (processing["value"], processing["largest_country"]) == (0.85, "CHN")
    assert "neodymium 85%" in processing["derivation"]
    # Dy/Tb/Gd have no EU sourcing figures of their own: the heavy-REE group stands in (Japan 55 %).
    extraction = _row(ree, "diversification", "extraction", False)
    assert (extraction["value"], extraction["largest_country"]) == (0.55, "JPN")
    assert "heavy rare earth elements (for dysprosium, terbium, gadolinium)" in extraction["derivation"]
    trade = next(t for t in ree.meta["trade"] if t["stage"] == "processing")
    # Union of the members' CN8 codes; 28053021 (cerium with lanthanum) is dropped as a basket.
    assert trade["source"] == "comext_cn8" and "28053021" not in trade["codes"]
    assert {"28461000", "28053029", "28053031"} <= set(trade["codes"]) and trade["basket"] is False

    pgm = crma(material="platinum", store=real_store)
    assert _row(pgm, "processing", "processing", False)["status"] == "no data"
    codes = next(t for t in pgm.meta["trade"] if t["stage"] == "processing")
    assert codes["source"] == "baci_hs92" and codes["codes"] == ["711011", "711021", "711031"]


@pytest.mark.realdata
def test_bauxite_alumina_aluminium_uses_the_stage_of_each(real_store) -> None:
    result = crma(material="bauxite", store=real_store)
    assert {r["material"] for r in result.rows} == {"aluminium"}
    codes = {t["stage"]: t["codes"] for t in result.meta["trade"]}
    assert codes == {"extraction": ["260600"], "processing": ["760110"]}
    # Guinea supplied 62 % of the EU's bauxite sourcing: under the 65 % ceiling.
    study = _row(result, "diversification", "extraction", False)
    assert (study["value"], study["largest_country"], study["status"]) == (0.62, "GIN", "met")


@pytest.mark.realdata
def test_an_earlier_trade_year(real_store) -> None:
    result = crma(2023, material="cobalt", store=real_store)
    trade = _row(result, "diversification", "processing", True)
    assert trade["period"] == "2023" and trade["trend_period"] == "2022→2023"
    # BACI HS92 goes back further: copper ore 2021→2023.
    copper = _row(crma("2023", material="copper", store=real_store), "diversification", "extraction", True)
    assert copper["source"] == "baci_hs92" and copper["trend_period"] == "2021→2023"


@pytest.mark.realdata
def test_bad_input_names_the_parameter(real_store) -> None:
    with pytest.raises(InputError) as info:
        crma(1980, store=real_store)
    assert info.value.parameter == "year" and "1995" in info.value.expected
    with pytest.raises(InputError) as info:
        crma("2022-2024", store=real_store)
    assert info.value.parameter == "year"
    with pytest.raises(UnknownMaterialError) as info:
        crma(material="galium", store=real_store)
    assert info.value.parameter == "material" and "gallium" in info.value.suggestions
    with pytest.raises(InputError) as info:
        crma(material="zinc", store=real_store)
    assert info.value.parameter == "material" and "Annex I" in info.value.expected


@pytest.mark.realdata
def test_cli_crma_json(real_store_dir) -> None:
    from grondstof.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["crma", "--material", "gallium", "--json", "--store", str(real_store_dir)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {r["benchmark"] for r in data["rows"]} == {
        "extraction",
        "processing",
        "recycling",
        "diversification",
    }
    assert data["meta"]["fields"]["distance"]["kind"] == "share"
    bad = runner.invoke(app, ["crma", "--year", "1900", "--store", str(real_store_dir)])
    assert bad.exit_code == 2 and "year" in bad.stderr
