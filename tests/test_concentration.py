"""HHI, shares and top-k share: golden values and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grondstof.indicators.concentration import hhi, shares, top_share


def test_monopoly_has_hhi_one() -> None:
    assert hhi([42.0]) == 1.0


def test_equal_suppliers_give_one_over_n() -> None:
    assert hhi([5, 5, 5, 5]) == pytest.approx(0.25)


def test_worked_example() -> None:
    # Shares 0.5, 0.3, 0.2 -> 0.25 + 0.09 + 0.04 = 0.38 (DERA scale: 3,800).
    assert hhi([50, 30, 20]) == pytest.approx(0.38)
    assert top_share([50, 30, 20, 0], k=2) == pytest.approx(0.8)


def test_missing_values_are_ignored_and_negative_refused() -> None:
    assert shares([1, None, 3]) == [0.25, None, 0.75]
    assert hhi([]) is None
    with pytest.raises(ValueError):
        shares([1, -1])


@given(st.lists(st.floats(min_value=0.001, max_value=1e9), min_size=1, max_size=40))
def test_hhi_bounds(values: list[float]) -> None:
    result = hhi(values)
    assert 1 / len(values) - 1e-9 <= result <= 1 + 1e-9
    assert sum(s for s in shares(values) if s is not None) == pytest.approx(1.0)
