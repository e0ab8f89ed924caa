"""Prices and price indicators: kernels with worked examples, real series from the Pink Sheet and USGS."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grondstof.errors import InputError
from grondstof.indicators.prices import (
    coefficient_of_variation,
    convert_to_eur,
    largest_rise,
    level_vs_median,
    price_indicators,
    prices,
)


def test_coefficient_of_variation() -> None:
    # [1, 2, 3]: sample standard deviation 1, mean 2.
    assert coefficient_of_variation([1, 2, 3]) == pytest.approx(0.5)
    assert coefficient_of_variation([5]) is None
    assert coefficient_of_variation([0, 0]) is None
    with pytest.raises(ValueError):
        coefficient_of_variation([1, -1])


@settings(max_examples=60, derandomize=True, deadline=None)
@given(
    st.lists(st.floats(min_value=0.01, max_value=1e6), min_size=2, max_size=30),
    st.floats(min_value=0.001, max_value=1000),
)
def test_cv_is_unit_free(values: list[float], scale: float) -> None:
    # A price in $/lb or in $/t has the same volatility.
    assert coefficient_of_variation([v * scale for v in values]) == pytest.approx(
        coefficient_of_variation(values), rel=1e-6, abs=1e-9
    )


def test_largest_rise_and_level() -> None:
    assert largest_rise([100, 110, 90, 180], 1) == (pytest.approx(1.0), 3)
    # A missing observation or a zero base skips the pair.
    assert largest_rise([100, None, 0, 50, 200], 1) == (pytest.approx(3.0), 4)
    assert largest_rise([None, 5], 1) == (None, None)
    with pytest.raises(ValueError):
        largest_rise([1, 2], 0)
    assert level_vs_median(120, [90, 100, 110]) == pytest.approx(0.2)
    assert level_vs_median(1, []) is None


def test_convert_to_eur_names_a_year_rate() -> None:
    # ECB annual average 2024: 1.0824 USD per EUR.
    value, rate = convert_to_eur(1082.4, 2024)
    assert (round(value, 6), rate) == (1000.0, 1.0824)
    assert convert_to_eur(100.0, 1998) == (None, None)  # before the euro: no conversion


@pytest.mark.realdata
def test_nickel_prices(real_store) -> None:
    result = prices("nikkel", start=2024, end=2024, store=real_store)
    rows = {r["series"]: r for r in result.rows}
    wb = rows["Nickel"]
    # World Bank LME nickel 2024: mean of 12 monthly averages, $/mt, nominal USD.
    assert (wb["unit"], wb["currency"], wb["frequency"], wb["months"]) == ("$/mt", "USD", "annual", 12)
    assert wb["value"] == pytest.approx(16814.0, abs=0.5)
    usgs = rows["Nickel: Price_dt"]
    assert (usgs["value"], usgs["unit"], usgs["source"]) == (17000.0, "$/t", "usgs_mcs2025_salient")
    assert {r["currency"] for r in result.rows} == {"USD"}


@pytest.mark.realdata
def test_monthly_in_euro_names_the_rate(real_store) -> None:
    result = prices(
        "nickel",
        start="2024-12",
        end="2025-01",
        monthly=True,
        currency="EUR",
        series="Nickel",
        store=real_store,
    )
    by_month = {r["period"]: r for r in result.rows}
    dec = by_month[date(2024, 12, 1)]
    assert dec["currency"] == "EUR" and dec["unit"] == "EUR/mt"
    assert dec["exchange_rate"] == 1.0824 and "ECB" in dec["exchange_rate_source"]
    assert dec["value"] == pytest.approx(dec["source_value"] / 1.0824)
    # No ECB annual rate for 2025 in the table: null, not the dollar figure.
    jan = by_month[date(2025, 1, 1)]
    assert jan["value"] is None and jan["source_value"] > 0 and "not converted" in jan["note"]


@pytest.mark.realdata
def test_indicators_nickel_squeeze(real_store) -> None:
    result = price_indicators("nickel", window=10, series="Nickel", store=real_store)
    (row,) = result.rows
    assert row["window"] == "2016-06 to 2026-05 (10 years)" and row["observations"] == 120
    # The LME nickel squeeze: March 2022 averaged about twice March 2021.
    assert row["max_rise_end"] == date(2022, 3, 1)
    assert row["max_rise_12m"] == pytest.approx(1.068, abs=0.001)
    assert 0 < row["cv"] < 1
    assert row["level_vs_median"] == pytest.approx(row["latest"] / row["median_10y"] - 1)


@pytest.mark.realdata
def test_usgs_annual_indicators_say_why_no_median(real_store) -> None:
    rows = {r["series"]: r for r in price_indicators("gallium", window=5, store=real_store).rows}
    low = rows["Gallium: Price_Low-purity_dkg"]
    assert (low["unit"], low["observations"], low["window"]) == ("$/kg", 5, "2020 to 2024 (5 years)")
    # 163 → 254 → 394 $/kg: the largest rise is 2020→2021 (+55.8 %).
    assert low["max_rise_12m"] == pytest.approx(254 / 163 - 1) and low["max_rise_end"] == date(2021, 1, 1)
    assert low["median_10y"] is None and "no 10-year median" in low["note"]


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"currency": "GBP"}, "currency"),
        ({"start": "2020-13"}, "start"),
        ({"start": 2024, "end": 2020}, "end"),
        ({"series": "Nickel futures"}, "series"),
    ],
)
def test_bad_input(real_store, kwargs, parameter) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as info:
        prices("nickel", store=real_store, **kwargs)
    assert info.value.parameter == parameter


@pytest.mark.realdata
def test_bad_window(real_store) -> None:
    with pytest.raises(InputError) as info:
        price_indicators("nickel", window=0, store=real_store)
    assert info.value.parameter == "window"
