"""The price of a material per tonne, for the value at risk.

INTEGRATION POINT. Market price series (World Bank monthly, USGS annual) are being added to grondstof by
another helper. Until they land, :func:`price_of` returns the trade unit value of the importing country's
imports of the material: import value ÷ import tonnes over the partners with a known quantity, in the trade
source's currency and year (BACI: current USD, FOB). It is a price per tonne of the traded goods (gross
weight): for metals close to a metal price, for compounds (carbonates, oxides) a price per tonne of the
compound, which the scan applies to tonnes of content — stated on every row. The lead will switch this one
function to market prices; callers only see :class:`Price`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Price:
    """A price per tonne with its unit, currency, source and date (a year for annual figures)."""

    value: float
    unit: str
    currency: str
    source: str
    date: str
    basis: str


def price_of(
    material: str, partner_rows: Iterable[Mapping[str, Any]], *, importer: str, source: str
) -> Price | None:
    """The price of ``material`` per tonne, or None when it cannot be given (no tonnes in the data).

    ``partner_rows`` are the importing country's import rows of the material by partner (as
    :func:`grondstof.indicators.dependency.imports` returns them, one year); unit value = Σ value ÷ Σ tonnes
    over the rows with tonnes > 0.
    """
    value = tonnes = 0.0
    currency = year = None
    for row in partner_rows:
        if row.get("material") != material:
            continue
        currency, year = row.get("currency"), row.get("year")
        if row.get("tonnes") and row["tonnes"] > 0 and row.get("value") is not None:
            value += float(row["value"])
            tonnes += float(row["tonnes"])
    if tonnes <= 0 or value <= 0 or currency is None:
        return None
    return Price(
        value / tonnes,
        f"{currency}/t",
        currency,
        f"trade unit value of {importer}'s imports ({source})",
        str(year),
        "per tonne of traded goods (gross weight)",
    )
