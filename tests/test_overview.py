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
