"""The refined stage over time from the top-6 extract: NL nickel from Russia, magnets from China, bounds."""

from __future__ import annotations

import pytest

from grondstof.errors import InputError
from grondstof.indicators.refined import refined_imports, refined_trade_indicators
from grondstof.registry.countries import countries

pytestmark = pytest.mark.realdata


def test_nl_nickel_from_russia_2002_2024(real_store) -> None:
    result = refined_imports("nikkel", "Nederland", partner="Rusland", store=real_store)
    rows = {r["year"]: r for r in result.rows}
    assert sorted(rows) == list(range(2002, 2025))
    # PROVENANCE §14: $520 m (2012) and $591 m (2018) of unwrought nickel (750210).
    assert round(rows[2012]["partner_value"] / 1e6) == 520
    assert round(rows[2018]["partner_value"] / 1e6) == 591
    assert rows[2012]["classification"] == "HS02" and rows[2018]["classification"] == "HS17"
    # Russia was the top supplier until 2018 and fell to 34 m in 2024.
    assert rows[2010]["top_partner"] == "RUS" and round(rows[2024]["partner_value"] / 1e6) == 34
    # Every figure says what it is.
    for row in result.rows:
        assert row["coverage"] == "top-6 extract"
        assert row["total_bound"] == "lower bound" and row["hhi_bound"] == "upper bound"
        assert row["share_basis"] == "share of the retained (top-6) flows"
        assert row["partner_share_of_retained"] <= 1
    assert result.meta["coverage"] == {
        "kind": "top-6 extract",
        "total": "lower bound",
        "hhi": "upper bound",
        "shares": "share of the retained (top-6) flows",
    }
    assert [f.label for f in result.fields if f.name == "retained_total"] == [
        "Imports, retained flows (lower bound)"
    ]


def test_magnets_from_china(real_store) -> None:
    result = refined_imports("permanent magnets", "NL", partner="CN", years="2020-2024", store=real_store)
    share = {r["year"]: r["partner_share_of_retained"] for r in result.rows}
    assert share[2022] == pytest.approx(0.814, abs=0.001)
    assert all(r["top_partner"] == "CHN" for r in result.rows)
    assert result.meta["codes"]["codes"] == ["850511"] and result.meta["codes"]["basket"] is True


def test_by_partner_shares_add_up_and_eu_is_extra_eu(real_store) -> None:
    result = refined_imports("magnets", "EU27", years=2024, by="partner", store=real_store)
    assert sum(r["share_of_retained"] for r in result.rows) == pytest.approx(1.0)
    members = set(countries().eu27().members)
    assert not {r["partner"] for r in result.rows} & members
    assert result.rows[0]["partner"] == "CHN" and result.rows[0]["rank"] == 1


def test_partner_missing_in_a_year_is_null_not_zero(real_store) -> None:
    rows = refined_imports("nickel", "NL", partner="Namibia", years="2020-2024", store=real_store).rows
    assert all(r["partner_value"] is None for r in rows)
    assert all(r["retained_total"] > 0 for r in rows)


def test_world_trade_indicators_beside_production(real_store) -> None:
    rows = {r["year"]: r for r in refined_trade_indicators("nickel", store=real_store).rows}
    assert sorted(rows) == list(range(2002, 2025))
    assert rows[2024]["hhi_value"] == 0.091 and rows[2024]["china_share_value"] == pytest.approx(0.089)
    assert rows[2024]["hhi_value_top6"] == pytest.approx(0.0918, abs=0.0005)
    assert rows[2024]["production_stage"] == "extraction" and rows[2024]["production_hhi"] > 0.3
    assert rows[2010]["production_hhi"] is None  # World Mining Data starts in 2018


@pytest.mark.parametrize(
    ("args", "kwargs", "parameter"),
    [
        (("indium", "NL"), {}, "material"),  # no label of its own in the extract
        (("nickel", "NL"), {"years": "1995-2000"}, "years"),
        (("nickel", "NL"), {"by": "material"}, "by"),
        (("nickel", "Atlantis"), {}, "country"),
    ],
)
def test_bad_input(real_store, args, kwargs, parameter) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as info:
        refined_imports(*args, store=real_store, **kwargs)
    assert info.value.parameter == parameter
