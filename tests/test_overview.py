"""The country overview: one row per material (real data)."""

from __future__ import annotations

import pytest

from grondstof.indicators.overview import overview

pytestmark = pytest.mark.realdata


def test_netherlands_overview_covers_strategic_materials(real_store) -> None:
    result = overview("NL", year=2024, store=real_store)
    rows = {r["material"]: r for r in result.rows}
    assert rows["gallium"]["trade_source"] == "comext_cn8"
    assert rows["gallium"]["world_top_producer"] == "CHN" and rows["gallium"]["world_top_share"] > 0.95
    assert rows["cobalt"]["trade_source"] == "baci_hs92" and rows["cobalt"]["currency"] == "USD"
    assert 0 < rows["cobalt"]["import_hhi"] <= 1
    assert "HS92" in rows["gallium"]["coverage"]
    strategic = [r for r in result.rows if r["strategic"]]
    assert result.rows[: len(strategic)] == strategic  # strategic materials first


def test_overview_in_dutch(real_store) -> None:
    rows = overview("Nederland", year=2023, lang="nl", store=real_store).rows
    names = {r["material"]: r["material_name"] for r in rows}
    assert names["cobalt"] == "kobalt"
    assert any(r["top_partner_name"] == "Duitsland" for r in rows)


# Issue 9, item 3: strontium showed an ASEAN-only basket ($15,207, Indonesia 68 %) as the NL imports.
def test_a_partial_basket_never_stands_as_a_materials_imports(real_store) -> None:
    from grondstof.errors import InputError
    from grondstof.indicators.dependency import imports

    rows = {r["material"]: r for r in overview("NL", year=2023, store=real_store).rows}
    # Magnets in 2023: BACI HS17 has 2022 and 2024; the only 2023 data is the basket 850511 (all permanent
    # magnets) in the refined top-6 extract, a partial extract.
    magnets = rows["rare_earths_magnets"]
    assert magnets["import_value"] is None and magnets["top_partner"] is None
    assert "No complete trade data" in magnets["import_note"] and "850511" in magnets["import_note"]
    with pytest.raises(InputError):  # the imports command agrees: no figure for 2023 either
        imports("rare_earths_magnets", "NL", years=2023, store=real_store)
    # Strontium's 2023 figure is its own code in the top-6 extract (issue 12), labelled so; the ASEAN
    # basket 253090 (issue 9: $15,207, Indonesia 68 %) is not used.
    strontium = rows["strontium"]
    assert strontium["trade_source"] == "baci_refined_top6" and not strontium["basket"]
    assert "top-6 extract" in strontium["trade_coverage"] and "lower bound" in strontium["trade_coverage"]


def test_overview_rows_agree_with_the_imports_command(real_store) -> None:
    from grondstof.indicators.dependency import imports

    rows = [r for r in overview("DE", year=2024, store=real_store).rows if r["import_value"] is not None]
    for row in rows[:12]:
        summary = imports(row["material"], "DE", years=2024, by="year", store=real_store).rows[0]
        assert summary["source"] == row["trade_source"]
        assert summary["total_value"] == pytest.approx(row["import_value"])
        assert summary["hhi"] == pytest.approx(row["import_hhi"])


# Issue 9, item 4: the EU 2023 study's shares (≈2016–2020 averages) were labelled 2023, even for 2019.
def test_eu_study_shares_carry_their_reference_period(real_store) -> None:
    from grondstof.indicators.crma import EU2023_PERIOD

    rows = {r["material"]: r for r in overview("NL", year=2019, store=real_store).rows}
    magnesium = rows["magnesium"]
    assert magnesium["supply_source"] == "eu_crm_2023"
    assert magnesium["world_period"] == EU2023_PERIOD == "≈2016–2020"
    assert magnesium["world_year"] is None
    assert rows["cobalt"]["world_period"] == "2019" and rows["cobalt"]["world_year"] == 2019


# Issue 9, item 8: the ranking measure and thresholds lived in the web views only.
def test_ranking_measure_and_thresholds_are_in_the_result(real_store) -> None:
    from grondstof.indicators.overview import (
        PARTNER_SHARE_THRESHOLD,
        PRODUCER_SHARE_THRESHOLD,
        concentration_risk,
    )

    result = overview("NL", year=2024, store=real_store)
    gallium = next(r for r in result.rows if r["material"] == "gallium")
    assert gallium["concentration_risk"] == pytest.approx(gallium["import_hhi"] * gallium["world_hhi"])
    assert concentration_risk(None, 0.5) is None
    ranked = sorted((r for r in result.rows if r["risk_rank"]), key=lambda r: r["risk_rank"])
    assert [r["risk_rank"] for r in ranked] == list(range(1, len(ranked) + 1))
    risks = [r["concentration_risk"] for r in ranked]
    assert risks == sorted(risks, reverse=True)
    assert all(r["basket"] is False for r in ranked)  # basket figures are not ranked
    headline = result.meta["headline"]
    assert headline["partner_over_threshold"] == sum(
        1 for r in result.rows if r["import_value"] is not None and r["top_partner_share"] > 0.5
    )
    assert (PARTNER_SHARE_THRESHOLD, PRODUCER_SHARE_THRESHOLD) == (0.5, 0.65)


# Issue 9, item 6: headline totals mixed sources and counted HS17 280429 three times.
def test_headline_totals_count_each_flow_once_per_source(real_store) -> None:
    result = overview("NL", year=2024, store=real_store)
    totals = {t["source"]: t for t in result.meta["headline"]["totals"]}
    assert {t["currency"] for t in totals.values()} == {"USD", "EUR"}
    hs17 = totals["baci_hs17"]
    assert {"krypton", "neon", "xenon"} <= set(hs17["basket_materials"])
    rare_gases = next(r for r in result.rows if r["material"] == "krypton")["import_value"]
    assert rare_gases == pytest.approx(35.6e6, rel=0.01)
    # 280429 and 850511 once each: the basket total is one rare-gas flow plus the magnets.
    magnets = next(r for r in result.rows if r["material"] == "rare_earths_magnets")["import_value"]
    assert hs17["basket_value"] == pytest.approx(rare_gases + magnets)
    own = [r for r in result.rows if r["trade_source"] == "baci_hs17" and r["basket"] is False]
    assert hs17["value"] == pytest.approx(sum(r["import_value"] for r in own))
    assert sorted(hs17["materials"]) == sorted(r["material_name"] for r in own)
