"""Technology comparison (Q24): kg per MW and per MWh over the lifetime, supply-risk weights, defaults."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from grondstof.cli import app
from grondstof.errors import InputError
from grondstof.scenarios.technologies import (
    HOURS_PER_YEAR,
    defaults,
    kg_per_mwh,
    resolve_technology,
    technologies,
)


def test_kg_per_mwh_formula_on_round_numbers() -> None:
    # 8,760 kg/MW at a 50 % capacity factor for 20 years: 0.5 × 8,760 h × 20 = 87,600 MWh per MW.
    assert kg_per_mwh(8760.0, 0.5, 20) == pytest.approx(0.1)
    assert kg_per_mwh(1000.0, 1.0, 1) == pytest.approx(1000 / HOURS_PER_YEAR)


def test_every_default_names_its_source() -> None:
    spec = defaults()
    for tech in spec.technologies.values():
        assert spec.cite(tech.lifetime_source)["url"].startswith("http"), tech.id
        assert 10 <= tech.lifetime_years <= 60, tech.id
        if tech.kind == "power":
            assert 0 < tech.capacity_factor < 1, tech.id
            assert spec.cite(tech.capacity_factor_source)["url"].startswith("http"), tech.id
    # Dutch CBS-derived values, recomputed here from the cited CBS figures.
    assert spec.technologies["offshore_wind"].capacity_factor == pytest.approx(8504 / (2460 * 8.76), abs=5e-4)
    assert spec.technologies["solar_pv"].capacity_factor == pytest.approx(
        19960 / ((19599.808 + 23943.429) / 2 * 8.76), abs=5e-4
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("wind op zee", "offshore_wind"), ("Gas", "natural_gas"), ("BEV", "ev"), ("zon-PV", "solar_pv")],
)
def test_technology_names_resolve(text: str, expected: str) -> None:
    assert resolve_technology(text).id == expected


def test_unknown_technology_suggests() -> None:
    with pytest.raises(InputError) as info:
        resolve_technology("ofshore wind", parameter="technology")
    assert info.value.parameter == "technology"
    assert "offshore_wind" in info.value.suggestions


@pytest.mark.realdata
def test_offshore_wind_against_nuclear_per_mw_and_per_mwh(real_store) -> None:
    # IEA 2021 (store, iea_2021): offshore wind Cu 8,000 + Zn 5,500 + Mn 790 + Cr 525 + Ni 240 + REE 239
    # = 15,294 kg/MW (the figure behind "three times nuclear"), + Mo 109 = 15,403; nuclear Cr 2,190 +
    # Cu 1,473 + Ni 1,297.4 + Mn 147.69 + Mo 70.8 + REE 0.5 = 5,179.39 kg/MW.
    result = technologies(by="technology", store=real_store)
    comp = result.meta["comparison"]
    assert comp["main_components_kg_per_mw"] == pytest.approx(15294)
    assert comp["reference_main_components_kg_per_mw"] == pytest.approx(5108.59)
    assert comp["main_components_ratio_per_mw"] == pytest.approx(2.9938, abs=1e-4)  # "about three times"
    totals = {r["technology"]: r for r in result.rows}
    assert totals["offshore_wind"]["kg_per_mw"] == pytest.approx(15403)
    assert totals["nuclear"]["kg_per_mw"] == pytest.approx(5179.39)
    assert totals["offshore_wind"]["ratio_per_mw"] == pytest.approx(15403 / 5179.39)
    # Per MWh: offshore 39.5 % × 30 years vs nuclear 90 % × 60 years widens the gap to about 13.6×.
    per_mwh = (15403 / (0.395 * 8760 * 30)) / (5179.39 / (0.90 * 8760 * 60))
    assert totals["offshore_wind"]["ratio_per_mwh"] == pytest.approx(per_mwh)
    assert 13 < per_mwh < 14
    assert totals["nuclear"]["ratio_per_mw"] == 1.0
    assert totals["nuclear"]["others_kg_per_mw"] == pytest.approx(94.28)  # IEA 'others', not in totals


@pytest.mark.realdata
def test_overrides_change_kg_per_mwh_only(real_store) -> None:
    result = technologies(
        materials="copper",
        capacity_factors="offshore_wind=0.5",
        lifetimes={"offshore_wind": 20},
        store=real_store,
    )
    row = next(r for r in result.rows if r["technology"] == "offshore_wind")
    assert row["kg_per_mw"] == 8000
    assert row["kg_per_mwh"] == pytest.approx(8000 / (0.5 * 8760 * 20))
    assert result.meta["defaults"]["offshore_wind"]["capacity_factor_source"] == "given"


@pytest.mark.realdata
def test_supply_risk_weights_and_fallback(real_store) -> None:
    rows = technologies(store=real_store).rows
    copper = next(r for r in rows if r["material"] == "copper")
    assert copper["supply_risk_weight"] == 0.1  # EU 2023 SR of copper
    assert copper["weighted_kg_per_mw"] == pytest.approx(copper["kg_per_mw"] * 0.1)
    ree = next(r for r in rows if r["material"] == "rare_earths")
    assert ree["supply_risk_source"].startswith("WMD production HHI")
    assert 0.3 < ree["supply_risk_weight"] < 0.7
    unweighted = technologies(weight="none", store=real_store)
    assert all(r["supply_risk_weight"] is None for r in unweighted.rows)
    assert unweighted.meta["weights"] is None


@pytest.mark.realdata
def test_material_filter_keeps_zero_rows(real_store) -> None:
    rows = technologies(materials="kobalt", store=real_store).rows
    by_tech = {r["technology"]: r["kg_per_mw"] for r in rows}
    assert by_tech["offshore_wind"] == 0
    assert by_tech["coal"] == pytest.approx(201.46)


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"per": "kW"}, "per"),
        ({"weight": "risk"}, "weight"),
        ({"by": "year"}, "by"),
        ({"capacity_factors": "offshore_wind=1.5"}, "capacity_factors.offshore_wind"),
        ({"capacity_factors": "windmill=0.3"}, "capacity_factors"),
        ({"lifetimes": "nuclear"}, "lifetimes"),
        ({"capacity_factors": "ev=0.3"}, "capacity_factors"),
    ],
)
def test_bad_input_names_the_parameter(kwargs: dict, parameter: str, real_store) -> None:
    with pytest.raises(InputError) as info:
        technologies(store=real_store, **kwargs)
    assert info.value.parameter == parameter


@pytest.mark.realdata
def test_cli_technologies_json(real_store_dir) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["technologies", "--by", "technology", "--per", "MWh", "--json", "--store", str(real_store_dir)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    names = [r["technology"] for r in data["rows"]]
    assert names[0] == "solar_pv"  # most kg per MWh at a 10.5 % Dutch capacity factor
    assert data["meta"]["query"]["per"] == "MWh"
    bad = runner.invoke(app, ["technologies", "--weight", "heavy", "--store", str(real_store_dir)])
    assert bad.exit_code == 2
    assert "weight" in bad.output
