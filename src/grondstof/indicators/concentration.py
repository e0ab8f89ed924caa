"""Concentration of supply: shares, the Herfindahl–Hirschman index and top-k shares.

HHI = Σᵢ sᵢ², with sᵢ the share of country (or partner) i in the group total, on the 0–1 scale
(multiply by 10 000 for the scale used by DERA and competition authorities). A monopoly gives 1; n equal
suppliers give 1/n. Sources: Herfindahl (1950); GeoPolRisk uses P²-sum/(ΣP)² (Koyamparambath et al.;
geopolrisk-py ``docs/background.rst``); DERA reports 0–10 000.

The ``*_expr`` functions take and return Ibis tables, so they run on DuckDB or Spark alike; ``hhi`` and
``shares`` are plain-Python versions of the same formulas for small inputs and tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def shares(values: Iterable[float | None]) -> list[float | None]:
    """Return each value's share of the total of the non-null values (None stays None).

    Raises ValueError on a negative value; an all-zero or empty input gives None shares.
    """
    items = list(values)
    if any(v is not None and v < 0 for v in items):
        raise ValueError("shares: values must be non-negative")
    total = sum(v for v in items if v is not None)
    if total <= 0:
        return [None for _ in items]
    return [None if v is None else v / total for v in items]


def hhi(values: Iterable[float | None]) -> float | None:
    """Herfindahl–Hirschman index on the 0–1 scale: Σ (vᵢ / Σv)². None when there is nothing to share."""
    return hhi_of_shares(s for s in shares(values) if s is not None)


def hhi_of_shares(parts: Iterable[float]) -> float | None:
    """Σ sᵢ² of shares that are already computed (0–1); None for no shares."""
    items = list(parts)
    return sum(s * s for s in items) if items else None


def hhi_of(share: Any) -> Any:
    """The HHI of a share column as an Ibis aggregate: Σ share² over each group's rows (0–1).

    The one definition of the index in the engine: every concentration in the code base (import HHI by value
    and by tonnes, world production HHI, the monitor's production HHI) aggregates with it, e.g.
    ``t.group_by(keys).aggregate(hhi=hhi_of(t.share))``.
    """
    return (share * share).sum()


def top_of(label: Any, amount: Any) -> Any:
    """The ``label`` with the largest ``amount`` in each group, as an Ibis aggregate (the top supplier).

    Among equal amounts the first label in sort order wins, and rows without an amount are ignored (null
    when no row has one). Plain ``argmax`` picks any of the tied rows, and which one differs between DuckDB
    and Spark (and between runs on several threads); Spark's ``max_by`` also lets a null amount win. The
    minimum of (−amount, label) is the largest amount, then the first label: e.g.
    ``t.group_by(keys).aggregate(top=top_of(t.exporter, t.value))``.
    """
    import ibis

    return label.argmin(ibis.struct({"minus_amount": -amount, "label": label}), where=amount.notnull())


def top_share(values: Iterable[float | None], k: int = 3) -> float | None:
    """Combined share of the ``k`` largest values (top-3 share by default)."""
    parts = sorted((s for s in shares(values) if s is not None), reverse=True)
    return sum(parts[:k]) if parts else None


def with_shares_expr(table: Any, by: Sequence[str], value: str, name: str = "share") -> Any:
    """Add column ``name`` = value / Σ value within each ``by`` group (Ibis; nulls are not counted)."""
    total = table[value].sum().over(group_by=list(by))
    return table.mutate(**{name: table[value] / total})


def hhi_expr(table: Any, by: Sequence[str], value: str) -> Any:
    """Per ``by`` group: ``total``, ``n`` (suppliers with a value), ``hhi`` (0–1) and ``top_share``.

    ``table`` holds one row per supplier within each group (aggregate first if not).
    """
    shared = with_shares_expr(table.filter(table[value].notnull() & (table[value] > 0)), by, value)
    return shared.group_by(list(by)).aggregate(
        total=shared[value].sum(),
        n=shared[value].count(),
        hhi=hhi_of(shared["share"]),
        top_share=shared["share"].max(),
    )
