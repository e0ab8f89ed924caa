"""Reserves: reserve life and concentration kernels; real MCS 2025 and MCS 2026 figures with their edition."""

from __future__ import annotations

import pytest

from grondstof.errors import InputError
from grondstof.indicators.reserves import reserve_life, reserves, shares_hhi


def test_reserve_life_scales_units() -> None:
    # MCS 2025 iron ore, Fe content: 88,000 million t of reserves over 1,600,000 thousand t mined = 55 years.
    assert reserve_life(88000, "million metric tons (iron content)", 1_600_000, "thousand metric tons") == (
        pytest.approx(55.0),
        "",
    )
    assert reserve_life(15000, "thousand metric tons", 260000, "metric tons")[0] == pytest.approx(
        57.69, abs=0.01
    )
    assert reserve_life(5, "kg", 0, "kg") == (None, "no production")
    assert reserve_life(None, "t", 1, "t") == (None, "no reserves figure")
    life, why = reserve_life(10, "million carats", 5, "metric tons")
    assert life is None and "do not convert" in why


def test_shares_hhi() -> None:
    shares, hhi = shares_hhi({"A": 3.0, "B": 1.0, "C": 0.0})
    assert shares == {"A": 0.75, "B": 0.25} and hhi == pytest.approx(0.625)
    assert shares_hhi({}) == ({}, None)


@pytest.mark.realdata
def test_cobalt_both_editions(real_store) -> None:
    result = reserves("kobalt", by="summary", store=real_store)
    rows = {r["edition"]: r for r in result.rows}
    assert set(rows) == {"MCS 2025", "MCS 2026"}
    mcs25 = rows["MCS 2025"]
    # MCS 2025: world reserves 11,000,000 t, mine production 2024e 290,000 t.
    assert (mcs25["world_reserves"], mcs25["world_production"]) == (11_000_000.0, 290_000.0)
    assert mcs25["world_reserve_life"] == pytest.approx(11_000_000 / 290_000)
    assert mcs25["top_reserves_country"] == "COD"
    # Output is more concentrated than reserves (DRC: 78 % of mine output, 61 % of reserves).
    assert mcs25["production_hhi"] > mcs25["reserve_hhi"]
    assert rows["MCS 2026"]["world_reserves"] == 12_000_000.0
    per_country = reserves("cobalt", store=real_store)
    assert {r["edition"] for r in per_country.rows} == {"MCS 2025", "MCS 2026"}
    drc = next(r for r in per_country.rows if r["country"] == "COD" and r["edition"] == "MCS 2025")
    assert drc["reserve_life"] == pytest.approx(6_000_000 / 220_000)
    assert drc["production_flag"] == "e"


@pytest.mark.realdata
def test_bases_that_differ_get_no_reserve_life(real_store) -> None:
    rows = {r["commodity"]: r for r in reserves("iron ore", by="summary", store=real_store).rows}
    usable = rows["Iron ore: mine production, usable ore"]
    assert usable["world_reserve_life"] is None and "different bases" in usable["note"]
    assert rows["Iron ore: mine production, Fe content"]["world_reserve_life"] == pytest.approx(55.0)


@pytest.mark.realdata
def test_group_reserves_answer_for_a_member(real_store) -> None:
    result = reserves("platinum", store=real_store)
    assert {r["material"] for r in result.rows} == {"pgm"}
    assert any("group" in n for n in result.meta["notes"])
    zaf = next(r for r in result.rows if r["country"] == "ZAF")
    assert zaf["reserves"] == 63_000_000.0 and zaf["reserves_unit"] == "kilograms (platinum-group metals)"


@pytest.mark.realdata
def test_capacity_without_reserves(real_store) -> None:
    rows = reserves("gallium", edition="MCS 2025", store=real_store).rows
    china = next(r for r in rows if r["country"] == "CHN")
    assert (china["reserves"], china["capacity"], china["capacity_unit"]) == (None, 1_000_000.0, "kilograms")


@pytest.mark.realdata
def test_bounds_and_words_are_not_numbers(real_store) -> None:
    summary = {r["edition"]: r for r in reserves("rare earths", by="summary", store=real_store).rows}
    assert summary["MCS 2025"]["world_reserves"] is None
    assert summary["MCS 2025"]["world_reserves_text"] == ">90000000"
    assert summary["MCS 2025"]["reserves_coverage"] is None


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("kwargs", "parameter"), [({"by": "year"}, "by"), ({"edition": "MCS 2024"}, "edition")]
)
def test_bad_input(real_store, kwargs, parameter) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as info:
        reserves("cobalt", store=real_store, **kwargs)
    assert info.value.parameter == parameter
