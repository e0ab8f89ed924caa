"""DERA-style screening: HHI (0–10 000), weighted country risk (GLR), risk-group matrix, real figures."""

from __future__ import annotations

import itertools

import pytest

from grondstof.errors import InputError, UnknownCountryError, UnknownMaterialError
from grondstof.indicators.dera import (
    DERA_FIELDS,
    concentration_class,
    country_risk_class,
    dera,
    glr,
    hhi_10000,
    risk_group,
)

# ---- formulas and the matrix -------------------------------------------------------------------------------


def test_hhi_on_the_dera_scale() -> None:
    assert hhi_10000([1.0]) == 10_000.0  # monopoly
    assert hhi_10000([0.6, 0.4]) == pytest.approx(3600 + 1600)
    assert hhi_10000([0.25] * 4) == pytest.approx(2500)  # n equal suppliers: 10 000 / n


def test_glr_is_the_share_weighted_mean_wgi() -> None:
    # 60 % from a country with WGI −0.5, 40 % from one with 1.0: 0.6 × −0.5 + 0.4 × 1.0 = 0.1
    assert glr([(0.6, -0.5), (0.4, 1.0)]) == pytest.approx(0.1)
    # Shares are renormalised over the countries with a WGI value (here 50 % of supply is covered).
    assert glr([(0.3, -0.5), (0.2, 1.0)]) == pytest.approx(0.1)
    assert glr([]) is None


@pytest.mark.parametrize(
    ("hhi", "glr_value", "group"),
    [
        (1000, 0.8, 1),  # low concentration, low country risk
        (1000, 0.0, 1),  # low concentration, moderate risk
        (2000, 0.8, 1),  # moderate concentration, low risk
        (1000, -1.0, 2),  # low concentration, high risk
        (2000, 0.0, 2),  # moderate, moderate
        (5000, 0.9, 2),  # high concentration, low risk
        (2000, -0.8, 3),  # moderate concentration, high risk
        (3000, -0.3, 3),  # high, moderate
        (9000, -1.2, 3),  # high, high
        # DERA-Rohstoffliste 2021 (Datenstand Feb. 2021), figure of trade products in risk group 3:
        (6056, 0.48, 3),  # HS 260120 (roasted iron pyrites): HHI 6 056, GLR 0.48
        (3149, -0.51, 3),  # HS 720110 (pig iron): HHI 3 149, GLR −0.51
    ],
)
def test_risk_group_matrix(hhi, glr_value, group) -> None:
    assert risk_group(hhi, glr_value) == group


def test_band_edges() -> None:
    assert concentration_class(1499.9) == "low"
    assert concentration_class(1500) == "moderate"
    assert concentration_class(2500) == "moderate"
    assert concentration_class(2500.1) == "high"
    assert country_risk_class(0.51) == "low"
    assert country_risk_class(0.5) == "moderate"
    assert country_risk_class(-0.5) == "moderate"
    assert country_risk_class(-0.51) == "high"


def test_risk_group_never_falls_with_more_concentration_or_worse_governance() -> None:
    hhis = [500, 1500, 2000, 2500, 3000, 10_000]
    glrs = [1.5, 0.6, 0.5, 0.0, -0.5, -0.6, -2.0]
    for (h1, h2), g in itertools.product(itertools.pairwise(hhis), glrs):
        assert risk_group(h1, g) <= risk_group(h2, g)
    for h, (g1, g2) in itertools.product(hhis, itertools.pairwise(glrs)):
        assert risk_group(h, g1) <= risk_group(h, g2)


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: hhi_10000([1.2]), "share"),
        (lambda: glr([(0.5, 4.0)]), "wgi"),
        (lambda: risk_group(12_000, 0.0), "hhi"),
        (lambda: risk_group(2000, 7.0), "glr"),
    ],
)
def test_bad_formula_input_names_the_parameter(call, parameter) -> None:
    with pytest.raises(InputError) as info:
        call()
    assert info.value.parameter == parameter


# ---- real data ---------------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_gallium_2022_is_risk_group_3(real_store) -> None:
    # World Mining Data 2022 refined gallium: China 606 t of 616 t (98.4 %), HHI 0.968 × 10 000 ≈ 9 680.
    result = dera("gallium", years=2022, store=real_store)
    assert result.fields == DERA_FIELDS
    [row] = result.rows
    assert row["hhi_10000"] == pytest.approx(9679, abs=1)
    assert row["hhi"] == pytest.approx(0.968, abs=5e-4)
    assert (row["stage"], row["top_country"], row["wgi_year"]) == ("processing", "CHN", 2022)
    assert row["top_share"] == pytest.approx(606 / 616)
    # GLR by hand: China −0.3333 (2022, mean of cc 0.02, ge 0.49, pv −0.45, rl −0.04, rq −0.42, va −1.60),
    # Russia −1.0483, Japan 1.3683, Korea 0.9783 with shares 606, 5, 3, 2 of 616 t (Ukraine 0 t).
    expected = (606 * -1 / 3 + 5 * -1.048333 + 3 * 1.368333 + 2 * 0.978333) / 616
    assert row["glr"] == pytest.approx(expected, abs=1e-4)
    assert (row["concentration"], row["country_risk"], row["risk_group"]) == ("high", "moderate", 3)
    assert row["wgi_coverage"] == pytest.approx(1.0)


@pytest.mark.realdata
def test_wgi_year_is_the_latest_not_after_the_data_year(real_store) -> None:
    # WGI in the store runs to 2023; WMD to 2024.
    rows = dera("cobalt", years="2022-2024", store=real_store).rows
    assert {r["year"]: r["wgi_year"] for r in rows} == {2022: 2022, 2023: 2023, 2024: 2023}
    assert all(r["top_country"] == "COD" for r in rows)
    assert all(r["risk_group"] == 3 for r in rows)
    assert any("WGI years used" in n for n in dera("cobalt", years=2024, store=real_store).meta["notes"])


@pytest.mark.realdata
def test_all_materials_are_screened_with_consistent_fields(real_store) -> None:
    rows = dera(years=2022, store=real_store).rows
    assert len(rows) >= 50
    for row in rows:
        assert 0 < row["hhi_10000"] <= 10_000
        assert row["hhi"] == pytest.approx(row["hhi_10000"] / 10_000)
        assert row["risk_group"] in (1, 2, 3)
        assert row["risk_group"] == risk_group(row["hhi_10000"], row["glr"])
        assert -2.5 <= row["glr"] <= 2.5
    groups = {r["risk_group"] for r in rows}
    assert groups == {1, 2, 3}


@pytest.mark.realdata
def test_stage_filter(real_store) -> None:
    rows = dera("all", years=2022, stage="processing", store=real_store).rows
    assert rows and all(r["stage"] == "processing" for r in rows)
    assert "gallium" in {r["material"] for r in rows}


@pytest.mark.realdata
def test_import_shares_of_the_netherlands(real_store) -> None:
    # Trade-products screening on Dutch gallium imports (Comext CN8 81129289): Russia 67 % of €2.2 m in 2024.
    result = dera("gallium", country="NL", years=2024, store=real_store)
    [row] = result.rows
    assert row["scope"] == "imports of Netherlands (value)"
    assert row["source"] == "comext_cn8" and "81129289" in row["commodity"]
    assert row["top_country"] == "RUS" and row["top_share"] == pytest.approx(0.673, abs=0.005)
    assert row["wgi_year"] == 2023
    assert row["risk_group"] == risk_group(row["hhi_10000"], row["glr"])
    assert {s["id"] for s in result.meta["sources"]} == {"comext_cn8", "wgi"}


@pytest.mark.realdata
def test_bad_input_names_the_parameter(real_store) -> None:
    with pytest.raises(InputError) as info:
        dera("gallium", stage="mining", store=real_store)
    assert info.value.parameter == "stage"
    with pytest.raises(InputError) as info:
        dera("gallium", stage="extraction", store=real_store)
    assert info.value.parameter == "stage" and "processing" in str(info.value)
    with pytest.raises(InputError) as info:
        dera("gallium", years=2030, store=real_store)
    assert info.value.parameter == "years" and "2018" in str(info.value)
    with pytest.raises(UnknownMaterialError) as info:
        dera("galium", store=real_store)
    assert info.value.parameter == "material"
    with pytest.raises(UnknownCountryError) as info:
        dera("gallium", country="Narnia", store=real_store)
    assert info.value.parameter == "country"
