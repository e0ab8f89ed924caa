"""How figures are labelled: reference periods, currencies, baskets, display precision (no data needed)."""

from __future__ import annotations

import pytest

from grondstof.errors import InputError
from grondstof.indicators._common import check_years
from grondstof.indicators.labels import (
    EU_CRM_2023_PERIOD,
    reference_period,
    share_by_currency,
    significant,
    sum_by_currency,
    trade_coverage,
    usable_by_default,
)
from grondstof.indicators.trade import CodeChoice


def test_reference_period_of_annual_data_and_of_the_eu_study() -> None:
    assert reference_period("wmd", 2022) == "2022"
    assert reference_period("eu_crm_2023", 2023) == EU_CRM_2023_PERIOD == "≈2016–2020"
    assert reference_period("eu_crm_2023", None) == EU_CRM_2023_PERIOD
    assert reference_period("wmd", None) is None


def test_currencies_are_never_added() -> None:
    rows = [
        {"value": 10.0, "currency": "USD"},
        {"value": 5.0, "currency": "EUR"},
        {"value": 2.0, "currency": "USD"},
        {"value": None, "currency": "EUR"},
    ]
    assert sum_by_currency(rows) == {"USD": 12.0, "EUR": 5.0}
    assert share_by_currency({"USD": 3.0}, {"USD": 12.0, "EUR": 5.0}) == {"USD": 0.25, "EUR": 0.0}
    with pytest.raises(ValueError, match="no currency"):
        sum_by_currency([{"value": 1.0, "currency": None}])


def test_basket_in_a_partial_extract_is_not_used_by_default() -> None:
    assert usable_by_default("baci_hs92", True)  # a basket in a complete source: shown, flagged
    assert usable_by_default("baci_hs07_asean", False)  # own code in a partial extract: shown, flagged
    assert not usable_by_default("baci_hs07_asean", True)


def test_coverage_names_the_other_materials_of_a_basket() -> None:
    gases = CodeChoice("krypton", "HS17", ("280429",), True, ("processing",))
    assert trade_coverage("baci_hs17", gases) == "basket code 280429, also helium, neon, xenon"
    magnets = CodeChoice("rare_earths_magnets", "HS17", ("850511",), True, ("manufacturing",))
    assert "a finished product, not the material itself" in trade_coverage("baci_hs17", magnets)
    own = CodeChoice("cobalt", "HS92", ("282200",), False, ("processing",))
    assert trade_coverage("baci_hs92", own) == "complete"
    assert "ASEAN" in trade_coverage("baci_hs07_asean", own)
    assert trade_coverage("baci_hs92", own, lang="nl") == "volledig"


def test_significant_figures_for_display() -> None:
    assert significant(354.502) == 355
    assert significant(0.0604158) == pytest.approx(0.0604)
    assert significant(13_853_607) == 13_900_000


# Issue 9, item 13: a year error says which end of the range is outside the data.
def test_year_outside_the_data_says_which_end() -> None:
    with pytest.raises(InputError) as caught:
        check_years((2020, 2030), (2018, 2024), "wmd production of gallium")
    assert "2030 is after the last year, 2024" in str(caught.value)
    assert "2020-2024" in caught.value.suggestions
    with pytest.raises(InputError, match="1990 is before the first year, 1995"):
        check_years((1990, 2000), (1995, 2024), "baci_hs92")
