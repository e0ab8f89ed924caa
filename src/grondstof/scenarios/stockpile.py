"""The stockpile planner: how much of each material a country (or the EU-27) would hold, at what cost.

Three ways to size a strategic stock, one per mode of :func:`stockpile`:

**Days of cover** (``days=``). Stock_m = F_m / 365 × D, with F_m the reference flow of material m in
tonnes per year and D the norm in days. Japan's JOGMEC aims at about 60 days of domestic consumption, up
to 180 days for metals at high geopolitical risk [1]; the IEA oil system requires 90 days of the previous
year's net imports [2] (anchors-and-methods.md §2.10). The reference flow is chosen with ``basis``:

* ``net-imports`` (the default) — imports − exports of the same trade codes (BACI; exports of an importer
  are its shipments to countries outside it, so the EU-27's exports are extra-EU exports), floored at 0:
  the basis closest to own use the data support for a transit hub, whose gross imports include goods
  re-exported (the Netherlands); where a source has no exports (the Comext extract) the row falls back to
  gross imports and says so in ``basis``;
* ``imports`` — gross imports in the reference year (tonnes), shown beside every basis
  (``gross_imports_t``);
* ``consumption`` — apparent consumption = domestic production (World Mining Data, the importer's
  members summed) + imports − exports, floored at 0.

**Scenario coverage** (``scenario=``). The stock that covers the annual shortfall of a disruption scenario
at confidence c: Stock_m = Q_c(S_m), the smallest sample value s with P̂(S_m ≤ s) ≥ c (the inverted
empirical CDF, so at most a fraction 1 − c of the draws stays uncovered). Shortfall samples come from
:func:`grondstof.scenarios.montecarlo.simulate_shortfalls`; a deterministic cut-off
(:func:`grondstof.scenarios.cutoff.cutoff`) gives one value per material, covered in full.

**Budget allocation** (``budget=``). With shortfall samples S_{m,k} (K draws), unit cost c_m (EUR/t) and
weights w_m, choose stocks x_m ≥ 0 to

    minimise Σ_m w_m · (1/K) Σ_k max(0, S_{m,k} − x_m)   subject to   Σ_m c_m x_m ≤ B.

E_m(x) = (1/K) Σ_k max(0, S_{m,k} − x) is convex and piecewise linear with breakpoints at the sample
values and slope −P̂(S_m > x), so the problem is the linear programme over segment variables y_{m,l} ∈
[0, x_l − x_{l−1}] with costs w_m·slope_{m,l} (solved with SciPy's HiGHS). The marginal value of a euro
spent on m at stock x is w_m·P̂(S_m > x)/c_m; with the default value weights (w_m = c_m, so the objective
is the expected uncovered shortfall in EUR) the optimum buys every material up to the same exceedance
probability. ``weights="risk"`` multiplies the value weights by the EU 2023 supply-risk score (SR);
``weights="tonnes"`` counts every tonne alike. :func:`allocate_greedy` fills the same segments in order of
marginal benefit per euro — the exact optimum of this separable convex problem (a fractional knapsack) —
and is used as a check.

**Cost.** Cost = stock × unit value, unit value = import value / tonnes of the same importer, year and
codes (over flows with a quantity). BACI values (USD, FOB) are converted to EUR with the ECB's annual
average euro reference rate of the trade year (:data:`USD_PER_EUR`); Comext values are EUR (CIF). The
yearly holding cost = cost × rate (capital plus storage; default 5 %/yr, our assumption, §2.10 "cost of
holding"). Materials whose source has no tonnes (the Comext extract) are sized in value terms: the stock is
D/365 of a year's import value, or the scenario's shortfall in EUR, with no tonnage.

**Data.** One trade source and code set per material, the same for every importer, chosen by the rule
shared with the Monte Carlo simulation (:mod:`grondstof.scenarios.sourcing`: complete matrices, own codes,
tonnes and refined forms preferred; PGMs as their members' unwrought metals, not the ore and scrap
baskets); scenario draws are computed on that same source, codes and year, so tonnes and unit values
match. ``quantity_basis`` says on every row what the quantity is (basis, source, codes, stage); a
material traded only as a finished product (rare earths for magnets: HS17 850511 permanent magnets) is
named as that product. The EU-27 counts extra-EU
trade; its domestic production is the members' World Mining Data output at the stage of the trade codes.

[1] https://origin.iea.org/policies/16639-international-resource-strategy-national-stockpiling-system
[2] https://vipo.iea.org/netimports/explanations/netimportstable/
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field as PydField
from pydantic import field_validator, model_validator

from grondstof.errors import DataNotAvailableError, InputError
from grondstof.indicators import trade as tr
from grondstof.indicators._common import fetch
from grondstof.indicators.exchange_rates import RATE_SOURCE, USD_PER_EUR
from grondstof.indicators.prices import PERIOD_PATTERN, MarketPrice, market_price, market_priceable
from grondstof.parameters import (
    Cli,
    CountriesText,
    Lang,
    MaterialsText,
    Params,
    Stage,
    TradeSource,
    bounds_of,
    described,
)
from grondstof.parsing import parse_number, parse_year
from grondstof.registry._text import split_list
from grondstof.registry.countries import Country, Group, countries
from grondstof.registry.materials import STAGES, Material
from grondstof.registry.materials import materials as material_registry
from grondstof.result import Field, Result
from grondstof.scenarios._inputs import ScenarioModel, load_scenario
from grondstof.scenarios.cutoff import CutoffSpec, run_cutoff
from grondstof.scenarios.montecarlo import MonteCarloParams, MonteCarloSpec
from grondstof.scenarios.sourcing import (  # noqa: F401 (COMPLETE_SOURCES, RECENT_YEARS: re-exported)
    COMPLETE_SOURCES,
    RECENT_YEARS,
    choose_sources,
    product_name,
    quantity_label,
)
from grondstof.store import Store, open_store

DEFAULT_HOLDING_COST = 0.05  # capital ~3 %/yr + storage and insurance ~2 %/yr: our round assumption
DEFAULT_DAYS = 90  # the IEA oil norm, used when no mode is chosen
DEFAULT_DRAWS = 100_000  # as grondstof.scenarios.montecarlo
DEFAULT_SEED = 42
DEFAULT_RESOLUTION = 1_000
BASES = ("imports", "net-imports", "consumption")
WEIGHTS = ("value", "risk", "tonnes")
MAX_DAYS = 3650

EXPORT_SOURCES = ("baci_hs92", "baci_hs17")
WMD_TONNES = {"metr. t": 1.0, "kg": 0.001}


def _fields() -> dict[str, Field]:
    fields = [
        Field("importer", "Importer (code)", show=False),
        Field("importer_name", "Importer"),
        Field("material", "Material (id)", show=False),
        Field("material_name", "Material"),
        Field("basis", "Basis", description="reference flow: imports, net-imports or consumption"),
        Field("year", "Year", "year", description="year of the reference flow and unit value"),
        Field(
            "quantity_basis",
            "Quantity is",
            description="what the reference flow counts: basis · source and codes · stage (and caveats)",
        ),
        Field("reference_flow_t", "Reference flow", "tonnes", "t/yr", "the flow under `basis`"),
        Field(
            "gross_imports_t",
            "Gross imports",
            "tonnes",
            "t/yr",
            "imports as recorded, re-exports included (shown beside the basis used)",
        ),
        Field(
            "reference_value_eur",
            "Reference flow value",
            "money",
            "EUR/yr",
            "the reference flow at the unit value; for value-only sources the import value",
        ),
        Field("days", "Days of cover", "number", "days", "the norm asked for (--days)"),
        Field(
            "days_of_cover",
            "Days of cover",
            "number",
            "days",
            "stock ÷ (reference flow / 365)",
        ),
        Field("confidence", "Confidence", "share", description="share of draws the stock covers in full"),
        Field("stock_tonnes", "Stock", "tonnes", "t", "null when the source has no tonnes (value terms)"),
        Field(
            "unit_value_eur_per_t",
            "Unit value",
            "money",
            "EUR/t",
            "import value / tonnes, same year; or the market price at --price-date (see `valuation`)",
        ),
        Field(
            "valuation",
            "Valued at",
            description="trade unit value (source, year) or market price (series, source, date, rate)",
        ),
        Field("cost_eur", "Cost", "money", "EUR", "stock × unit value (or D/365 of the import value)"),
        Field(
            "holding_cost_eur_per_year",
            "Holding cost",
            "money",
            "EUR/yr",
            "cost × holding rate (capital and storage)",
        ),
        Field(
            "expected_shortfall_before",
            "Expected shortfall, no stock",
            "tonnes",
            "t",
            "mean shortfall over the draws, in `shortfall_unit`",
        ),
        Field(
            "expected_shortfall_after",
            "Expected shortfall left",
            "tonnes",
            "t",
            "mean of max(0, shortfall − stock) over the draws, in `shortfall_unit`",
        ),
        Field(
            "uncovered_share",
            "Draws not covered",
            "share",
            description="share of draws whose shortfall exceeds the stock",
        ),
        Field("shortfall_unit", "Shortfall unit", description="t, or EUR where the source has no tonnes"),
        Field("weight", "Weight", "number", description="w_m in the objective (EUR/t for value weights)"),
        Field(
            "stock_measure",
            "Stock in",
            show=False,
            description="tonnes, or value where the source has no tonnes (then cost_eur is the stock)",
        ),
        Field("source", "Trade source"),
        Field("stage", "Stage", show=False, description="value-chain stage(s) of the codes used"),
    ]
    return {f.name: f for f in fields}


_ALL = _fields()


def _pick(*names: str, hide_days: bool = False) -> list[Field]:
    out = []
    for name in names:
        item = _ALL[name]
        if name == "days" and hide_days:
            item = Field("days", "Days of cover", "number", "days", "= days_of_cover", show=False)
        out.append(item)
    return out


_COMMON_HEAD = ("importer", "importer_name", "material", "material_name", "basis", "year", "quantity_basis")
_COMMON_TAIL = ("valuation", "stock_measure", "source", "stage")
DAYS_FIELDS = _pick(
    *_COMMON_HEAD,
    "reference_flow_t",
    "gross_imports_t",
    "reference_value_eur",
    "days",
    "stock_tonnes",
    "unit_value_eur_per_t",
    "cost_eur",
    "holding_cost_eur_per_year",
    *_COMMON_TAIL,
)
SCENARIO_FIELDS = _pick(
    *_COMMON_HEAD,
    "reference_flow_t",
    "gross_imports_t",
    "confidence",
    "stock_tonnes",
    "days",
    "days_of_cover",
    "unit_value_eur_per_t",
    "cost_eur",
    "holding_cost_eur_per_year",
    "expected_shortfall_before",
    "expected_shortfall_after",
    "shortfall_unit",
    "uncovered_share",
    *_COMMON_TAIL,
    hide_days=True,
)
BUDGET_FIELDS = _pick(
    *_COMMON_HEAD,
    "reference_flow_t",
    "stock_tonnes",
    "days",
    "days_of_cover",
    "unit_value_eur_per_t",
    "cost_eur",
    "holding_cost_eur_per_year",
    "expected_shortfall_before",
    "expected_shortfall_after",
    "shortfall_unit",
    "uncovered_share",
    "weight",
    *_COMMON_TAIL,
    hide_days=True,
)


# ---- the arithmetic ------------------------------------------------------------------------------------


def usd_to_eur(value: float | None, year: int) -> float | None:
    """Convert a USD amount of ``year`` to EUR: value / (USD per EUR, ECB annual average of that year).

    Returns None for None or for a year without a rate (before 1999, or not yet in :data:`USD_PER_EUR`).
    """
    rate = USD_PER_EUR.get(int(year))
    if value is None or rate is None:
        return None
    return value / rate


def stock_for_days(reference_flow: float, days: float) -> float:
    """Stock that covers ``days`` of a yearly reference flow: reference_flow / 365 × days.

    Days-of-cover sizing as in the IEA oil stock obligation (90 days of net imports) and JOGMEC's rare
    metal stockpile (~60 days of consumption); anchors-and-methods.md §2.10.
    """
    return reference_flow / 365.0 * days


def days_of_cover(stock: float | None, reference_flow: float | None) -> float | None:
    """Days of reference flow a stock equals: stock ÷ (reference_flow / 365); None without a flow."""
    if stock is None or not reference_flow:
        return None
    return stock / (reference_flow / 365.0)


def _clean(samples: Any) -> np.ndarray:
    values = np.asarray(samples, dtype=float).ravel()
    if values.size == 0 or not np.all(np.isfinite(values)):
        raise InputError("samples", "empty or non-finite", "at least one finite shortfall sample")
    return np.clip(values, 0.0, None)  # a negative shortfall (surplus) needs no stock


def stock_at_confidence(samples: Any, confidence: float) -> float:
    """Stock covering the shortfall in a share ``confidence`` of the draws: the empirical c-quantile.

    Q_c = min{s : P̂(S ≤ s) ≥ c} (NumPy's ``inverted_cdf`` method), so the share of draws with
    S > Q_c is at most 1 − c.
    """
    _check_confidence(confidence)
    return float(np.quantile(_clean(samples), confidence, method="inverted_cdf"))


def expected_uncovered(samples: Any, stock: float) -> float:
    """Expected uncovered shortfall E[max(0, S − stock)] over the draws."""
    values = _clean(samples)
    return float(np.maximum(values - max(stock, 0.0), 0.0).mean())


def _expected_at(sorted_samples: np.ndarray, csum: np.ndarray, points: np.ndarray) -> np.ndarray:
    """E(x) = (1/K) Σ_{s > x} (s − x) at every x in ``points``, from sorted samples and their cumsum."""
    k = sorted_samples.size
    below = np.searchsorted(sorted_samples, points, side="right")
    before = np.where(below > 0, csum[np.maximum(below - 1, 0)], 0.0)
    return ((csum[-1] - before) - points * (k - below)) / k


def _segments(samples: Any, resolution: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Breakpoints 0 = x_0 < … < x_L of E(x) and the slope of each segment (≤ 0, increasing).

    With ``resolution`` None the breakpoints are every distinct positive sample (E is exact everywhere);
    otherwise at most ``resolution`` empirical quantiles (E is exact at the breakpoints, interpolated
    linearly between them — a chord of a convex function, so never below the true value).
    """
    values = np.sort(_clean(samples))
    points = np.unique(values[values > 0])
    if resolution is not None and points.size > resolution:
        levels = np.linspace(0.0, 1.0, resolution + 1)[1:]
        points = np.unique(np.quantile(values, levels, method="inverted_cdf"))
        points = points[points > 0]
    xs = np.concatenate([[0.0], points])
    ex = _expected_at(values, np.cumsum(values), xs)
    return np.diff(xs), np.diff(ex) / np.diff(xs)


@dataclass
class Allocation:
    """The stock per material that a budget buys, and what it leaves uncovered."""

    stock: dict[str, float]
    spent: float
    objective_before: float
    objective_after: float
    method: str
    segments: int = 0
    status: str = ""


def _check_allocation_inputs(
    samples: Mapping[str, Any], unit_cost: Mapping[str, float], budget: float
) -> None:
    if not (isinstance(budget, (int, float)) and math.isfinite(budget) and budget >= 0):
        raise InputError("budget", budget, "a non-negative amount in EUR")
    for name in samples:
        cost = unit_cost.get(name)
        if cost is None or not (math.isfinite(cost) and cost > 0):
            raise InputError(
                "unit_cost", f"{name}: {cost}", "a positive unit cost (EUR/t) for every material"
            )


def _objective(samples: Mapping[str, Any], weights: Mapping[str, float], stock: Mapping[str, float]) -> float:
    return sum(weights[m] * expected_uncovered(samples[m], stock.get(m, 0.0)) for m in samples)


def allocate_budget(
    samples: Mapping[str, Any],
    unit_cost: Mapping[str, float],
    budget: float,
    *,
    weights: Mapping[str, float] | None = None,
    resolution: int | None = DEFAULT_RESOLUTION,
) -> Allocation:
    """Spread ``budget`` (EUR) over materials to minimise the weighted expected uncovered shortfall (LP).

    minimise Σ_m w_m E_m(x_m), E_m(x) = (1/K) Σ_k max(0, S_{m,k} − x), subject to Σ_m c_m x_m ≤ B,
    x_m ≥ 0. E_m is convex piecewise linear, so with x_m = Σ_l y_{m,l}, 0 ≤ y_{m,l} ≤ x_l − x_{l−1} this
    is the LP  min Σ w_m slope_{m,l} y_{m,l}  s.t.  Σ c_m y_{m,l} ≤ B, solved by HiGHS
    (``scipy.optimize.linprog``). Default weights w_m = c_m (expected uncovered value in EUR).
    ``resolution`` caps the breakpoints per material (empirical quantiles; ``None`` = every sample).
    The objective reported is evaluated exactly on all samples.
    """
    from scipy import sparse
    from scipy.optimize import linprog

    _check_allocation_inputs(samples, unit_cost, budget)
    names = list(samples)
    w = dict(weights) if weights is not None else {m: unit_cost[m] for m in names}
    before = _objective(samples, w, {})
    widths, coefs, owners = [], [], []
    for index, name in enumerate(names):
        width, slope = _segments(samples[name], resolution)
        widths.append(width)
        coefs.append(w[name] * slope)
        owners.append(np.full(width.size, index))
    width_all = np.concatenate(widths) if widths else np.zeros(0)
    if budget == 0 or width_all.size == 0:
        return Allocation(dict.fromkeys(names, 0.0), 0.0, before, before, "linprog (HiGHS)", width_all.size)
    owner = np.concatenate(owners)
    cost = np.array([unit_cost[m] for m in names])[owner]
    # Scale the budget row to O(1): the solver's tolerances are absolute. A floor of 1 EUR keeps the row
    # finite for absurdly small budgets (5e-324 would overflow cost / budget).
    scale = max(float(budget), 1.0)
    solved = linprog(
        np.concatenate(coefs),
        A_ub=sparse.csr_matrix(cost[None, :] / scale),
        b_ub=[float(budget) / scale],
        bounds=np.column_stack([np.zeros_like(width_all), width_all]),
        method="highs",
    )
    if solved.status != 0:
        raise DataNotAvailableError(f"the budget allocation LP failed: {solved.message}")
    x = np.clip(np.bincount(owner, weights=solved.x, minlength=len(names)), 0.0, None)
    stock = {m: float(x[i]) for i, m in enumerate(names)}
    spent = float(sum(unit_cost[m] * stock[m] for m in names))
    after = _objective(samples, w, stock)
    return Allocation(stock, spent, before, after, "linprog (HiGHS)", int(width_all.size), solved.message)


def allocate_greedy(
    samples: Mapping[str, Any],
    unit_cost: Mapping[str, float],
    budget: float,
    *,
    weights: Mapping[str, float] | None = None,
) -> Allocation:
    """The same allocation by marginal benefit per euro, on every sample (the exact optimum).

    Segments of all materials are sorted by w_m·P̂(S_m > x)/c_m, largest first, and bought in that order
    until the budget runs out (the last one in part). Because every E_m is convex, a material's segments
    come out in their own order, so this fractional-knapsack fill solves the separable problem exactly.
    """
    _check_allocation_inputs(samples, unit_cost, budget)
    names = list(samples)
    w = dict(weights) if weights is not None else {m: unit_cost[m] for m in names}
    before = _objective(samples, w, {})
    ratios, spend, owners, widths = [], [], [], []
    for index, name in enumerate(names):
        width, slope = _segments(samples[name], None)
        ratios.append(-w[name] * slope / unit_cost[name])
        spend.append(width * unit_cost[name])
        widths.append(width)
        owners.append(np.full(width.size, index))
    if not widths or budget == 0:
        return Allocation(dict.fromkeys(names, 0.0), 0.0, before, before, "greedy")
    ratio = np.concatenate(ratios)
    order = np.argsort(-ratio, kind="stable")
    cost = np.concatenate(spend)[order]
    width_all = np.concatenate(widths)[order]
    owner = np.concatenate(owners)[order]
    cumulative = np.cumsum(cost)
    full = int(np.searchsorted(cumulative, budget, side="right"))
    bought = np.zeros_like(width_all)
    bought[:full] = width_all[:full]
    if full < bought.size:
        left = budget - (cumulative[full - 1] if full else 0.0)
        bought[full] = left / cost[full] * width_all[full]
    x = np.bincount(owner, weights=bought, minlength=len(names))
    stock = {m: float(x[i]) for i, m in enumerate(names)}
    spent = float(sum(unit_cost[m] * stock[m] for m in names))
    return Allocation(stock, spent, before, _objective(samples, w, stock), "greedy", int(ratio.size))


# ---- validation ----------------------------------------------------------------------------------------


def _check_confidence(confidence: float) -> None:
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not (0 < confidence <= 1):
        raise InputError("confidence", confidence, "a share of draws between 0 and 1, e.g. 0.95")


def _parse_days(days: Any) -> list[float]:
    items = (
        split_list(days) if isinstance(days, str) else (list(days) if isinstance(days, Sequence) else [days])
    )
    out: list[float] = []
    for item in items:
        value = parse_number(
            item, "days", expected="a positive number of days, or a comma list like 60,90,180"
        )
        if not 0 < value <= MAX_DAYS:
            raise InputError("days", item, f"a positive number of days up to {MAX_DAYS}")
        if value not in out:
            out.append(value)
    if not out:
        raise InputError("days", days, "a positive number of days, or a comma list like 60,90,180")
    return out


def _check_number(name: str, value: Any, lo: float, hi: float, expected: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(name, value, expected)
    if not lo <= value <= hi:
        raise InputError(name, value, expected)
    return float(value)


# ---- scenario files ------------------------------------------------------------------------------------


class CutoffDisruption(ScenarioModel):
    """A deterministic cut-off (run by :func:`grondstof.scenarios.cutoff.cutoff` for each importer)."""

    kind: Literal["cutoff"]
    suppliers: list[str] = PydField(min_length=1, description="countries that stop exporting")
    # Bounds from the cut-off's own model: a stockpile scenario accepts exactly what a cut-off accepts.
    share: float = PydField(
        1.0, description="fraction of their exports that stops", **bounds_of(CutoffSpec, "share")
    )
    months: float = PydField(12.0, description="duration of the cut", **bounds_of(CutoffSpec, "months"))
    ramp_up: float | None = PydField(
        None, description="alternatives' extra supply, fraction", **bounds_of(CutoffSpec, "ramp_up")
    )
    capacity: Literal["exports", "production"] | None = None
    destination: str | None = PydField(None, description="whom the cut applies to (default the importer)")

    @field_validator("suppliers", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return split_list(value) if isinstance(value, str) else value


class MonteCarloDisruption(MonteCarloParams):
    """Random disruptions: the keys of :class:`~grondstof.scenarios.montecarlo.MonteCarloParams`
    (probability_model, size, duration, ramp_up, horizon_years, correlation) plus draws and seed.

    ``year``, ``source`` and ``stage`` are set by the stockpile (the reference flow's source and year).
    """

    kind: Literal["monte_carlo"]
    draws: int = PydField(DEFAULT_DRAWS, ge=100, le=5_000_000)
    seed: int = PydField(DEFAULT_SEED, ge=0)

    @model_validator(mode="after")
    def _not_here(self) -> MonteCarloDisruption:
        # These come from the stockpile itself; accepting them here would be silently overridden.
        given = sorted(self.model_fields_set & {"source", "year", "stage", "cover_percentile"})
        if given:
            raise ValueError(
                f"no {', '.join(given)} here: the stockpile sets source, year and stage (--source, --year, "
                "--stage) and the cover level (confidence)"
            )
        return self

    def params(self) -> MonteCarloParams:
        """The :class:`MonteCarloParams` part."""
        keys = set(MonteCarloParams.model_fields)
        return MonteCarloParams.model_validate({k: v for k, v in self.model_dump().items() if k in keys})


class StockpileScenario(ScenarioModel):
    """A stockpile scenario file: the disruption to bridge, and optionally materials and confidence.

    ``materials`` and ``confidence`` apply when the call leaves them at their defaults.
    """

    name: str
    description: str = ""
    materials: str | list[str] | None = None
    confidence: float | None = PydField(None, gt=0, le=1)
    disruption: Annotated[CutoffDisruption | MonteCarloDisruption, PydField(discriminator="kind")]


def load_stockpile_scenario(path: str | Path) -> StockpileScenario:
    """Read and validate a stockpile scenario file (YAML or JSON); errors name the file and key."""
    return load_scenario(StockpileScenario, path)


# ---- reference flows from the store --------------------------------------------------------------------


@dataclass
class Flows:
    """Trade and production of one material for one importer in the reference year."""

    importer: Country | Group
    material: Material
    source: str
    year: int
    codes: tuple[str, ...]
    stages: tuple[str, ...]
    basket: bool
    import_value: float = 0.0
    import_tonnes: float = 0.0  # over flows with a quantity
    import_value_with_tonnes: float = 0.0
    export_value: float | None = None  # None: the source cannot say
    export_tonnes: float | None = None
    export_value_with_tonnes: float | None = None
    production_t: float | None = None  # None: no World Mining Data output at the codes' stage and year
    production_note: str = ""
    notes: list[str] = field(default_factory=list)
    market: MarketPrice | None = None  # set when stocks are valued at a market price (price_date)

    @property
    def currency(self) -> str:
        return tr.currency(self.source)

    @property
    def choice(self) -> tr.CodeChoice:
        """The code set used, as a :class:`~grondstof.indicators.trade.CodeChoice`."""
        classification = tr.TRADE_SOURCES[self.source]
        return tr.CodeChoice(self.material.id, classification, self.codes, self.basket, self.stages)

    @property
    def tonnes_coverage(self) -> float | None:
        """Share of the import value whose quantity is known."""
        return self.import_value_with_tonnes / self.import_value if self.import_value else None

    @property
    def has_tonnes(self) -> bool:
        return self.import_tonnes > 0 and self.import_value_with_tonnes > 0

    @property
    def unit_value(self) -> float | None:
        """Import value per tonne in the source currency, over flows with a quantity."""
        return self.import_value_with_tonnes / self.import_tonnes if self.has_tonnes else None

    @property
    def trade_unit_value_eur(self) -> float | None:
        """Import value per tonne in EUR (Comext EUR as is; BACI USD at the ECB rate of the trade year)."""
        if self.unit_value is None:
            return None
        return self.unit_value if self.currency == "EUR" else usd_to_eur(self.unit_value, self.year)

    @property
    def unit_value_eur(self) -> float | None:
        """EUR per tonne the stock is valued at: the market price where one was set, else the trade value."""
        if self.market is not None:
            return self.market.eur_per_t
        return self.trade_unit_value_eur

    @property
    def valuation(self) -> str:
        """What ``unit_value_eur`` is, in words: the market price (series, date, rate) or the trade value."""
        if self.market is not None:
            return self.market.label
        if not self.has_tonnes:
            return f"trade value: {self.source} {self.year} import value (no tonnes)"
        return f"trade unit value: {self.source} {self.year} import value / tonnes"

    @property
    def imports_t(self) -> float | None:
        """Import tonnes, with flows lacking a quantity counted at the average unit value."""
        return self.import_value / self.unit_value if self.unit_value else None

    @property
    def exports_t(self) -> float | None:
        if self.export_value is None:
            return None
        if not self.export_value:
            return 0.0
        if self.export_tonnes and self.export_value_with_tonnes:
            return self.export_value / (self.export_value_with_tonnes / self.export_tonnes)
        return None

    def value_eur(self, amount: float | None) -> float | None:
        if amount is None:
            return None
        return amount if self.currency == "EUR" else usd_to_eur(amount, self.year)


def _export_aggregates(
    store: Store,
    by_source: dict[str, list[tr.CodeChoice]],
    importer: Country | Group,
    years: tuple[int, int],
) -> dict[tuple[str, str, int], tuple[float, float, float]]:
    """(source, material, year) -> exports of ``importer`` to countries outside it."""
    members = list(importer.members)
    flow = tr.flows(store, choices=by_source, importers=None, years=years, partners=members)
    flow = flow.filter(~flow.importer.isin(members))
    agg = flow.group_by(["source", "material", "year"]).aggregate(
        value=flow.value.sum(),
        tonnes=flow.tonnes.sum(),
        value_t=flow.value.sum(where=flow.tonnes.notnull()),
    )
    return {
        (r["source"], r["material"], int(r["year"])): (
            r["value"] or 0.0,
            r["tonnes"] or 0.0,
            r["value_t"] or 0.0,
        )
        for r in fetch(agg)
    }


def _production(store: Store, plans: Sequence[Flows]) -> dict[tuple[str, str, int], tuple[float | None, str]]:
    """(importer, material, year) -> (domestic production in tonnes from World Mining Data, why not).

    Only WMD output of the stage of the trade codes counts (mine output is not added to refined-metal
    trade). A material with a WMD series at that stage and year but no row for the importer's members
    produced 0; without such a series the figure is None and the text says why. Group materials (PGMs)
    sum their members' series.
    """
    registry = material_registry()
    ids_of = {p.material.id: [p.material.id] + [m.id for m in registry.members(p.material.id)] for p in plans}
    wanted = sorted({i for ids in ids_of.values() for i in ids})
    years = sorted({p.year for p in plans})
    if not wanted:
        return {}
    prod = store.table("production")
    sel = prod.filter(
        (prod.source == "wmd") & prod.material.isin(wanted) & prod.year.isin(years) & prod.quantity.notnull()
    )
    rows = fetch(sel.select("material", "stage", "country", "year", "quantity", "unit"))
    out: dict[tuple[str, str, int], tuple[float | None, str]] = {}
    for plan in plans:
        key = (plan.importer.code, plan.material.id, plan.year)
        ids = set(ids_of[plan.material.id])
        members = set(plan.importer.members)
        series = [r for r in rows if r["material"] in ids and r["year"] == plan.year]
        at_stage = [r for r in series if r["stage"] in plan.stages]
        if not series:
            out[key] = (None, f"no World Mining Data series for {plan.year}")
        elif not at_stage:
            other = "/".join(sorted({r["stage"] for r in series}))
            out[key] = (
                None,
                f"World Mining Data has {other} output only, the trade codes are {'/'.join(plan.stages)}",
            )
        elif any(r["unit"] not in WMD_TONNES for r in at_stage):
            out[key] = (None, "World Mining Data unit is not a mass")
        else:
            total = sum(r["quantity"] * WMD_TONNES[r["unit"]] for r in at_stage if r["country"] in members)
            out[key] = (total, "")
    return out


def reference_flows(
    store: Store,
    mats: Sequence[Material],
    importers: Sequence[Country | Group],
    *,
    year: int | None = None,
    source: str | None = None,
    stage: str | None = None,
) -> tuple[list[Flows], list[str]]:
    """Imports, exports and production per importer and material in the reference year (two queries+).

    The trade source, codes and year per material — the same for every importer — come from the shared
    rule of :func:`grondstof.scenarios.sourcing.choose_sources` (also used by the Monte Carlo simulation):
    complete matrices, own codes, tonnes and refined forms preferred; PGMs as their members' unwrought
    metals. Returns the flows and notes on materials left out.
    """
    chosen, imports, skipped = choose_sources(store, mats, importers, year=year, source=source, stage=stage)
    plans: list[Flows] = []
    for pick in chosen:
        choice = pick.choice
        plans.extend(
            Flows(imp, pick.material, pick.source, pick.year, choice.codes, choice.stages, choice.basket,
                  *imports[(pick.source, imp.code, pick.material.id, pick.year)])
            for imp in importers
        )  # fmt: skip
    _add_exports(store, plans, importers)
    production = _production(store, plans)
    for plan in plans:
        plan.production_t, plan.production_note = production.get(
            (plan.importer.code, plan.material.id, plan.year), (None, "no World Mining Data series")
        )
    return plans, skipped


def _add_exports(store: Store, plans: Sequence[Flows], importers: Sequence[Country | Group]) -> None:
    """Fill the exports of every plan whose source has a complete bilateral matrix."""
    wanted = [p for p in plans if p.source in EXPORT_SOURCES]
    if not wanted:
        return
    for imp in importers:
        mine = [p for p in wanted if p.importer.code == imp.code]
        if not mine:
            continue
        by_source: dict[str, list[tr.CodeChoice]] = {}
        for plan in mine:
            choice = tr.CodeChoice(plan.material.id, "", plan.codes, plan.basket, plan.stages)
            by_source.setdefault(plan.source, []).append(choice)
        years = (min(p.year for p in mine), max(p.year for p in mine))
        exports = _export_aggregates(store, by_source, imp, years)
        for plan in mine:
            key = (plan.source, plan.material.id, plan.year)
            value, tonnes, value_t = exports.get(key, (0.0, 0.0, 0.0))
            plan.export_value, plan.export_tonnes, plan.export_value_with_tonnes = value, tonnes, value_t


@dataclass
class Reference:
    """The reference flow of one plan under a basis, in tonnes (or in value terms), with what was used."""

    basis: str
    tonnes: float | None
    value_eur: float | None
    notes: list[str]


def reference_of(plan: Flows, basis: str, lang: str = "en") -> Reference:
    """Reference flow per year of one importer and material under ``basis`` (see the module docstring).

    Falls back to gross imports, with a note, where exports are not known (value-only sources, partial
    extracts); negative net imports or consumption are floored at 0 (a net exporter needs no stock).
    """
    name = f"{plan.material.name(lang)} ({plan.importer.code})"
    notes: list[str] = []
    used = basis
    if not plan.has_tonnes:
        if basis != "imports":
            notes.append(f"{name}: {plan.source} has no tonnes or exports; gross import value used.")
        return Reference("imports", None, plan.value_eur(plan.import_value), notes)
    imports_t = plan.imports_t or 0.0
    exports_t = plan.exports_t
    if basis != "imports" and exports_t is None:
        notes.append(f"{name}: exports are not known in {plan.source}; gross imports used.")
        used = "imports"
    if used == "imports":
        tonnes = imports_t
    elif used == "net-imports":
        tonnes = imports_t - (exports_t or 0.0)
    else:
        production = plan.production_t
        if production is None:
            notes.append(
                f"{name}: {plan.production_note}; production taken as 0 (consumption = net imports)."
            )
            production = 0.0
        tonnes = production + imports_t - (exports_t or 0.0)
    if tonnes < 0:
        notes.append(f"{name}: net exporter in {plan.year} ({tonnes:,.0f} t); reference flow set to 0.")
        tonnes = 0.0
    unit = plan.unit_value_eur
    return Reference(used, tonnes, tonnes * unit if unit is not None else None, notes)


# ---- the analysis --------------------------------------------------------------------------------------


def _resolve_importers(country: Any, compare: Any) -> list[Country | Group]:
    registry = countries()
    out: list[Country | Group] = []
    for text, parameter in ((country, "country"), (compare, "compare")):
        if text is None or text == "":
            continue
        if isinstance(text, (Country, Group)):
            found = [text]
        elif isinstance(text, str):
            found = registry.resolve_many(text, parameter=parameter)
        else:
            found = [registry.resolve_importer(str(t), parameter=parameter) for t in text]
        out.extend(f for f in found if f.code not in {o.code for o in out})
    if not out:
        raise InputError("country", country, "a country (code or name) or EU27")
    return out


def _resolve_materials(text: Any) -> list[Material]:
    registry = material_registry()
    if isinstance(text, str):
        return registry.resolve_many(text, parameter="materials")
    if not text:
        raise InputError("materials", text, "one or more materials, or strategic / crm / all")
    return [registry.resolve(str(t), parameter="materials") for t in text]


def _supply_risk(store: Store, ids: Sequence[str]) -> dict[str, tuple[float, int]]:
    """Latest EU supply-risk score per material: id -> (SR, assessment year)."""
    scores = store.table("eu_crm_scores")
    rows = fetch(scores.filter(scores.material.isin(list(ids)) & scores.sr.notnull()))
    out: dict[str, tuple[float, int]] = {}
    for row in rows:
        if row["material"] not in out or row["year"] > out[row["material"]][1]:
            out[row["material"]] = (float(row["sr"]), int(row["year"]))
    return out


def _base_row(plan: Flows, ref: Reference, lang: str) -> dict[str, Any]:
    return {
        "importer": plan.importer.code,
        "importer_name": plan.importer.name(lang),
        "material": plan.material.id,
        "material_name": product_name(plan.material, plan.choice, lang),
        "basis": ref.basis,
        "year": plan.year,
        "quantity_basis": quantity_label(plan.source, plan.choice, ref.basis, lang),
        "reference_flow_t": ref.tonnes,
        "gross_imports_t": plan.imports_t,
        "reference_value_eur": ref.value_eur,
        "unit_value_eur_per_t": plan.unit_value_eur,
        "valuation": plan.valuation,
        "stock_measure": "tonnes" if ref.tonnes is not None else "value",
        "source": plan.source,
        "stage": "+".join(plan.stages),
    }


def _costs(row: dict[str, Any], stock: float | None, holding_cost: float) -> None:
    unit = row["unit_value_eur_per_t"]
    cost = stock * unit if stock is not None and unit is not None else None
    row["cost_eur"] = cost
    row["holding_cost_eur_per_year"] = cost * holding_cost if cost is not None else None


def _days_rows(
    plans: Sequence[Flows], refs: Mapping[int, Reference], days: Sequence[float], holding: float, lang: str
) -> list[dict[str, Any]]:
    rows = []
    for plan in plans:
        ref = refs[id(plan)]
        for norm in days:
            row = _base_row(plan, ref, lang)
            row["days"] = norm
            if ref.tonnes is not None:
                row["stock_tonnes"] = stock_for_days(ref.tonnes, norm)
                _costs(row, row["stock_tonnes"], holding)
            else:
                # Value-only source: the stock is D/365 of a year's imports, in EUR.
                row["stock_tonnes"] = None
                value = stock_for_days(ref.value_eur, norm) if ref.value_eur is not None else None
                row["cost_eur"] = value
                row["holding_cost_eur_per_year"] = value * holding if value is not None else None
            rows.append(row)
    return rows


@dataclass
class Shortfall:
    """Annual shortfall draws of one material (≥ 0), in tonnes or, where the source has none, in EUR."""

    samples: np.ndarray
    unit: str  # "t" or "EUR"


def _given_samples(samples: Mapping[str, Any], importer: Country | Group, mats: Sequence[Material]) -> dict:
    nested = samples.get(importer.code)
    given = nested if isinstance(nested, Mapping) else samples
    known = {m.id for m in mats}
    out = {}
    for key, value in given.items():
        mat = material_registry().resolve(str(key), parameter="samples")
        if mat.id in known:
            out[mat.id] = Shortfall(_clean(value), "t")
    return out


def _shortfalls(
    store: Store,
    importer: Country | Group,
    mats: Sequence[Material],
    plans: Sequence[Flows],
    disruption: CutoffDisruption | MonteCarloDisruption | None,
    samples: Mapping[str, Any] | None,
    draws: int | None,
    seed: int | None,
    stage: str | None,
    lang: str,
) -> tuple[dict[str, Shortfall], dict[str, Any]]:
    """Shortfall draws per material for one importer, and a record of how they were made."""
    if samples is not None:
        out = _given_samples(samples, importer, mats)
        return out, {"kind": "samples", "draws": max((v.samples.size for v in out.values()), default=0)}
    if isinstance(disruption, CutoffDisruption):
        return _cutoff_shortfalls(store, importer, plans, disruption, stage)
    spec = disruption or MonteCarloDisruption(kind="monte_carlo")
    return _montecarlo_shortfalls(store, importer, plans, spec, draws, seed, stage)


def _montecarlo_shortfalls(
    store: Store,
    importer: Country | Group,
    plans: Sequence[Flows],
    spec: MonteCarloDisruption,
    draws: int | None,
    seed: int | None,
    stage: str | None,
) -> tuple[dict[str, Shortfall], dict[str, Any]]:
    """Annual shortfall draws from :func:`grondstof.scenarios.montecarlo.simulate_shortfalls`.

    One run per trade source and year of the reference flows, so the draws and the unit values refer to
    the same codes; draws of a material do not depend on the other materials in a run (the simulation
    seeds each material, and each supplier country, on its own).
    """
    from grondstof.scenarios.montecarlo import simulate_shortfalls

    n = draws if draws is not None else spec.draws
    s = seed if seed is not None else spec.seed
    base = spec.params()
    groups: dict[tuple[str, int], list[str]] = {}
    for plan in plans:
        groups.setdefault((plan.source, plan.year), []).append(plan.material.id)
    out: dict[str, Shortfall] = {}
    sim_notes: list[str] = []
    for (src, yr), ids in groups.items():
        params = base.model_copy(update={"source": src, "year": yr, "stage": stage})
        raw = simulate_shortfalls(store, importer.code, ids, draws=n, seed=s, params=params)
        units = getattr(raw, "units", {})
        sim_notes.extend(getattr(raw, "meta", {}).get("notes", []))
        for mat_id, values in raw.items():
            unit = units.get(mat_id, "t")
            draw = _clean(values)
            if unit == "t":
                out[mat_id] = Shortfall(draw, "t")
            elif unit == "EUR":
                out[mat_id] = Shortfall(draw, "EUR")
            elif unit == "USD" and USD_PER_EUR.get(yr):
                out[mat_id] = Shortfall(draw / USD_PER_EUR[yr], "EUR")
    how = {
        "kind": "monte_carlo",
        "draws": n,
        "seed": s,
        "params": base.model_dump(exclude={"source", "year", "stage"}),
        "notes": list(dict.fromkeys(sim_notes)),
    }
    return out, how


def _cutoff_shortfalls(
    store: Store,
    importer: Country | Group,
    plans: Sequence[Flows],
    spec: CutoffDisruption,
    stage: str | None,
) -> tuple[dict[str, Shortfall], dict[str, Any]]:
    """Deterministic shortfall per material from the cut-off scenario, run on a typed
    :class:`~grondstof.scenarios.cutoff.CutoffSpec` (:func:`~grondstof.scenarios.cutoff.run_cutoff`).

    The cut-off runs on the same trade source and year as the reference flow of each material (one run per
    source and year), so shortfall tonnes and unit values refer to the same codes.
    """
    groups: dict[tuple[str, int], list[str]] = {}
    for plan in plans:
        groups.setdefault((plan.source, plan.year), []).append(plan.material.id)
    out: dict[str, Shortfall] = {}
    options = {k: v for k, v in (("ramp_up", spec.ramp_up), ("capacity", spec.capacity)) if v is not None}
    for (src, yr), ids in groups.items():
        cut = CutoffSpec(
            materials=ids,
            suppliers=spec.suppliers,
            country=importer.code,
            destination=spec.destination,
            share=spec.share,
            months=spec.months,
            year=yr,
            source=src,
            stage=stage,
            **options,
        )
        result = run_cutoff(cut, store=store)
        for row in result.rows:
            if row.get("scope") != "importer" or row.get("shortfall") is None:
                continue
            if row.get("basis") == "tonnes":
                out[row["material"]] = Shortfall(np.array([float(row["shortfall"])]), "t")
            else:
                value = row["shortfall"] if row.get("unit") == "EUR" else usd_to_eur(row["shortfall"], yr)
                if value is not None:
                    out[row["material"]] = Shortfall(np.array([float(value)]), "EUR")
    how = {"kind": "cutoff", "suppliers": spec.suppliers, "share": spec.share, "months": spec.months}
    return out, how | options


def _weight(plan: Flows, unit: str, weights: str, risk: Mapping[str, tuple[float, int]]) -> float | None:
    """w_m of the budget objective, per unit of stock (tonne, or euro for value-only stocks)."""
    price = plan.unit_value_eur if unit == "t" else 1.0
    if price is None or (weights == "tonnes" and unit != "t"):
        return None
    sr = risk.get(plan.material.id, (1.0, 0))[0]
    return {"value": price, "tonnes": 1.0, "risk": price * sr}[weights]


def _scenario_rows(
    store: Store,
    importers: Sequence[Country | Group],
    mats: Sequence[Material],
    plans: Sequence[Flows],
    refs: Mapping[int, Reference],
    disruption: Any,
    samples: Mapping[str, Any] | None,
    opts: dict[str, Any],
    notes: list[str],
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows of the scenario-coverage and budget modes (``opts["budget"]`` None = coverage)."""
    lang, budget, weights = opts["lang"], opts["budget"], opts["weights"]
    if samples is not None and len(importers) > 1 and not all(i.code in samples for i in importers):
        raise InputError(
            "samples", sorted(samples)[:3], "one mapping per importer code when several importers are given"
        )
    risk = _supply_risk(store, [m.id for m in mats]) if weights == "risk" and budget is not None else {}
    if weights == "risk" and budget is not None:
        missing = [m.name(lang) for m in mats if m.id not in risk]
        if missing:
            notes.append("No EU supply-risk score for " + ", ".join(missing) + "; SR = 1.0 used.")
    rows: list[dict[str, Any]] = []
    extra: dict[str, Any] = {"simulation": {}, "allocation": {}}
    for importer in importers:
        mine = {p.material.id: p for p in plans if p.importer.code == importer.code}
        found, how = _shortfalls(
            store, importer, mats, list(mine.values()), disruption, samples, opts["draws"], opts["seed"],
            opts["stage"], lang,
        )  # fmt: skip
        extra["simulation"][importer.code] = how
        for mat_id, plan in mine.items():
            if mat_id not in found:
                notes.append(
                    f"{plan.material.name(lang)} ({importer.code}): no shortfall in the scenario; left out."
                )
        stock: dict[str, float] = {}
        w: dict[str, float] = {}
        if budget is not None:
            usable: dict[str, Any] = {}
            unit_cost: dict[str, float] = {}
            for mat_id, shortfall in found.items():
                budgeted = mine.get(mat_id)
                weight = _weight(budgeted, shortfall.unit, weights, risk) if budgeted is not None else None
                cost = budgeted.unit_value_eur if shortfall.unit == "t" and budgeted is not None else 1.0
                if budgeted is None or weight is None or cost is None:  # no weight without a unit value
                    notes.append(
                        f"{mat_id} ({importer.code}): no unit value for {weights} weights; left out of the "
                        "budget."
                    )
                    continue
                usable[mat_id] = shortfall.samples
                unit_cost[mat_id] = cost
                w[mat_id] = weight
            allocation = allocate_budget(usable, unit_cost, budget, weights=w, resolution=opts["resolution"])
            stock = allocation.stock
            extra["allocation"][importer.code] = {
                "budget_eur": budget,
                "spent_eur": allocation.spent,
                "objective_before": allocation.objective_before,
                "objective_after": allocation.objective_after,
                "objective_unit": {"value": "EUR", "risk": "EUR × SR", "tonnes": "t"}[weights],
                "method": allocation.method,
                "segments": allocation.segments,
            }
        for mat_id, plan in mine.items():
            short = found.get(mat_id)
            if short is None or (budget is not None and mat_id not in stock):
                continue
            ref = refs[id(plan)]
            row = _base_row(plan, ref, lang)
            if budget is not None:
                amount = stock[mat_id]
                row["weight"] = w[mat_id]
            else:
                amount = stock_at_confidence(short.samples, opts["confidence"])
                row["confidence"] = opts["confidence"]
            if short.unit == "t":
                row["stock_tonnes"] = amount
                row["stock_measure"] = "tonnes"
                row["days_of_cover"] = days_of_cover(amount, ref.tonnes)
                _costs(row, amount, opts["holding"])
            else:
                # Value-only source: the stock is an amount of money's worth of the material.
                row["stock_tonnes"] = None
                row["stock_measure"] = "value"
                row["days_of_cover"] = days_of_cover(amount, ref.value_eur)
                row["cost_eur"] = amount
                row["holding_cost_eur_per_year"] = amount * opts["holding"]
            row["days"] = row["days_of_cover"]
            row["shortfall_unit"] = short.unit
            row["expected_shortfall_before"] = expected_uncovered(short.samples, 0.0)
            row["expected_shortfall_after"] = expected_uncovered(short.samples, amount)
            row["uncovered_share"] = float((short.samples > amount).mean())
            rows.append(row)
    if budget is None:
        del extra["allocation"]
    return rows, extra


class StockpileParams(Params):
    """Parameters of :func:`stockpile` (``grondstof stockpile``, ``/api/v1/scenario/stockpile``)."""

    country: Annotated[
        CountriesText,
        described(
            "Importer(s): code, name or EU27; a comma list shows them side by side.",
            "Importeur(s): code, naam of EU27; een kommalijst toont ze naast elkaar.",
            min_length=1,
            max_length=200,
        ),
    ]
    materials: Annotated[
        MaterialsText,
        described(
            "Materials: strategic, crm, all or a comma list.",
            "Grondstoffen: strategic, crm, all of een kommalijst.",
            min_length=1,
            max_length=500,
        ),
    ] = "strategic"
    days: Annotated[
        str | None,
        described(
            f"Days-of-cover norm(s), e.g. 90 or 60,90,180 (each at most {MAX_DAYS}).",
            f"Norm(en) in dagen dekking, bijv. 90 of 60,90,180 (elk hoogstens {MAX_DAYS}).",
            max_length=40,
        ),
    ] = None
    budget: Annotated[
        float | None,
        described(
            "EUR to allocate across the materials (linear programme).",
            "Budget in EUR om over de grondstoffen te verdelen (lineair programma).",
            gt=0,
            le=1e12,
        ),
    ] = None
    scenario: Annotated[
        str | None,
        described(
            "Scenario file (YAML/JSON): cut-off or Monte Carlo.",
            "Scenariobestand (YAML/JSON): wegvallende leverancier of Monte Carlo.",
        ),
        Cli(path=True),
    ] = None
    confidence: Annotated[
        float,
        described(
            "Share of draws the stock covers in full.",
            "Deel van de trekkingen dat de voorraad volledig dekt.",
            gt=0,
            lt=1,
        ),
    ] = 0.95
    holding_cost: Annotated[
        float,
        described(
            "Yearly holding cost as a share of the stock's value.",
            "Jaarlijkse aanhoudkosten als deel van de waarde van de voorraad.",
            ge=0,
            le=1,
        ),
    ] = DEFAULT_HOLDING_COST
    basis: Annotated[
        Literal["imports", "net-imports", "consumption"],
        described(
            "Reference flow: net-imports (default, closest to own use), imports (gross) or consumption.",
            "Referentiestroom: imports (import), net-imports (netto-import) of consumption (verbruik).",
        ),
    ] = "net-imports"
    weights: Annotated[
        Literal["value", "risk", "tonnes"],
        described(
            "Budget weights: value, risk (× EU supply risk) or tonnes.",
            "Gewichten bij een budget: value (waarde), risk (× EU-leveringsrisico) of tonnes.",
        ),
    ] = "value"
    compare: Annotated[
        str | None,
        described(
            "Importers side by side, e.g. EU27.", "Importeurs naast elkaar, bijv. EU27.", max_length=200
        ),
    ] = None
    year: Annotated[
        int | None,
        described(
            "Reference year (default the latest).",
            "Referentiejaar (standaard het laatste).",
            ge=1988,
            le=2100,
        ),
    ] = None
    source: TradeSource = None
    stage: Stage = None
    price_date: Annotated[
        str | None,
        described(
            "Value stocks at the market price of this year (2024) or month (2022-03) where a price series "
            "exists (refined-stage codes; EUR at the ECB annual rate); trade unit values otherwise.",
            "Waardeer voorraden tegen de marktprijs van dit jaar (2024) of deze maand (2022-03) waar een "
            "prijsreeks bestaat (geraffineerde codes; EUR tegen de ECB-jaarkoers); anders handelswaarde.",
            max_length=20,
            pattern=PERIOD_PATTERN,
        ),
    ] = None
    draws: Annotated[
        int | None,
        described(
            "Monte Carlo draws (overrides the scenario).",
            "Aantal Monte-Carlotrekkingen (overschrijft het scenario).",
            **bounds_of(MonteCarloSpec, "draws"),
        ),
    ] = None
    seed: Annotated[
        int | None,
        described(
            "Monte Carlo seed (overrides the scenario).",
            "Startwaarde Monte Carlo (overschrijft het scenario).",
            **bounds_of(MonteCarloSpec, "seed"),
        ),
    ] = None
    lang: Lang = "en"


def stockpile(
    country: str | Sequence[str] | Country | Group,
    materials: str | Sequence[str] = "strategic",
    *,
    days: float | str | Sequence[float] | None = None,
    budget: float | None = None,
    scenario: str | Path | StockpileScenario | None = None,
    confidence: float = 0.95,
    holding_cost: float = DEFAULT_HOLDING_COST,
    basis: str = "net-imports",
    weights: str = "value",
    year: int | None = None,
    source: str | None = None,
    stage: str | None = None,
    price_date: str | int | None = None,
    compare: str | Sequence[str] | None = None,
    draws: int | None = None,
    seed: int | None = None,
    samples: Mapping[str, Any] | None = None,
    resolution: int | None = DEFAULT_RESOLUTION,
    store: Store | None = None,
    lang: str = "en",
) -> Result:
    """Size a strategic stock per material: days of cover, scenario coverage or a budget allocation.

    Parameters
    ----------
    country:
        Importer(s): a country code or name, ``EU27``, or a comma list (``"NL,EU27"``: side by side).
    materials:
        Names, a comma list, or ``strategic`` (CRMA Annex I, default), ``crm`` or ``all``.
    days:
        Days-of-cover norm(s), e.g. 90 or ``"60,90,180"`` (default 90 when no other mode is chosen).
    budget:
        EUR to spread over the materials minimising the expected uncovered shortfall (LP; needs shortfall
        samples: from ``scenario``, ``samples`` or the default Monte Carlo run).
    scenario:
        A scenario file (YAML/JSON, see ``examples/stockpile_nl.yaml``) or a :class:`StockpileScenario`.
    confidence:
        Share of draws the scenario stock must cover in full (0–1, default 0.95).
    holding_cost:
        Yearly holding cost as a share of the stock's value (capital + storage), default 0.05.
    basis:
        Reference flow: ``net-imports`` (default: the basis closest to own use that every source with
        exports supports; gross imports where exports are unknown, said per row), ``imports`` (gross,
        re-exports included) or ``consumption`` (see the module docstring). Gross imports are shown
        beside the basis in every case (``gross_imports_t``).
    weights:
        Budget objective weights: ``value`` (EUR of shortfall, default), ``risk`` (× EU supply risk) or
        ``tonnes``.
    year, source, stage:
        Reference year (default the latest with imports), trade source and value-chain stage of codes.
    price_date:
        A year (``2024``) or month (``"2022-03"``): value stocks at the market price of that date
        (:func:`grondstof.indicators.prices.market_price`, EUR at the ECB annual average rate) where the
        material has a price per tonne and its codes are all at the processing (refined) stage — the form
        exchange prices quote; every other row keeps the trade unit value. ``valuation`` says which.
    compare:
        More importers to show side by side (``"EU27"``).
    draws, seed:
        Override the Monte Carlo draws and seed.
    samples:
        Shortfall samples given directly: {material: array} (one importer) or {importer: {material:
        array}}; replaces the scenario's simulation.
    resolution:
        Breakpoints per material in the budget LP (empirical quantiles; None = every sample).
    """
    importers = _resolve_importers(country, compare)
    mats = _resolve_materials(materials)
    if basis not in BASES:
        raise InputError("basis", basis, "one of " + ", ".join(BASES))
    if weights not in WEIGHTS:
        raise InputError("weights", weights, "one of " + ", ".join(WEIGHTS))
    holding = _check_number(
        "holding_cost", holding_cost, 0.0, 1.0, "a yearly rate between 0 and 1, e.g. 0.05"
    )
    _check_confidence(confidence)
    if days is not None and budget is not None:
        raise InputError(
            "--days/--budget", f"{days} and {budget}", "either days of cover or a budget, not both"
        )
    if days is not None and scenario is not None:
        raise InputError(
            "--days/--scenario", f"{days} and {scenario}", "either days of cover or a scenario, not both"
        )
    if days is not None and samples is not None:
        raise InputError("days/samples", days, "either days of cover or shortfall samples, not both")
    if budget is not None:
        _check_number("budget", budget, 0.0, math.inf, "a non-negative amount in EUR")
    if year is not None:
        year = parse_year(year, "year")
    spec: StockpileScenario | None = None
    if scenario is not None:
        spec = scenario if isinstance(scenario, StockpileScenario) else load_stockpile_scenario(scenario)
        if spec.materials is not None and materials == "strategic":
            mats = _resolve_materials(spec.materials)
        if spec.confidence is not None and confidence == 0.95:
            confidence = spec.confidence
    mode = (
        "budget"
        if budget is not None
        else "scenario"
        if (spec is not None or samples is not None)
        else "days"
    )
    norms = _parse_days(days if days is not None else DEFAULT_DAYS) if mode == "days" else []

    if stage is not None and stage not in STAGES:
        raise InputError("stage", stage, "one of " + ", ".join(STAGES))
    if resolution is not None and (
        isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2
    ):
        raise InputError("resolution", resolution, "an integer of at least 2, or None for every sample")
    store = store or open_store()
    plans, skipped = reference_flows(store, mats, importers, year=year, source=source, stage=stage)
    if not plans:
        raise InputError(
            "year" if year is not None else "materials",
            year if year is not None else materials,
            "materials with trade data for these importers: " + "; ".join(skipped),
        )
    notes: list[str] = []
    if price_date is not None and price_date != "":
        notes.extend(_set_market_prices(store, plans, price_date, lang))
    refs: dict[int, Reference] = {}
    for plan in plans:
        refs[id(plan)] = reference_of(plan, basis, lang)
        notes.extend(refs[id(plan)].notes)
    query: dict[str, Any] = {
        "importers": [i.code for i in importers],
        "materials": [m.id for m in mats],
        "mode": mode,
        "basis": basis,
        "holding_cost": holding,
        "year": year,
        "source": source,
        "stage": stage,
        "price_date": None if price_date in (None, "") else str(price_date),
    }
    if mode == "days":
        query["days"] = norms
        rows = _days_rows(plans, refs, norms, holding, lang)
        fields = DAYS_FIELDS
        title_mode = f"{'/'.join(f'{d:g}' for d in norms)} days of {basis}"
    else:
        query["confidence"] = confidence
        if mode == "budget":
            query.update({"budget": budget, "weights": weights, "resolution": resolution})
        disruption = spec.disruption if spec is not None else None
        opts = {
            "lang": lang, "budget": budget, "weights": weights, "confidence": confidence, "holding": holding,
            "draws": draws, "seed": seed, "stage": stage, "resolution": resolution,
        }  # fmt: skip
        rows, extra = _scenario_rows(store, importers, mats, plans, refs, disruption, samples, opts, notes)
        query.update(extra)
        if spec is not None:
            query["scenario"] = {"name": spec.name, "description": spec.description}
        fields = BUDGET_FIELDS if mode == "budget" else SCENARIO_FIELDS
        title_mode = f"budget €{budget:,.0f}" if mode == "budget" else f"scenario cover at {confidence:.0%}"
    meta = _meta(store, plans, importers, rows, query, notes, skipped, mode, holding, lang)
    who = " and ".join(i.name(lang) for i in importers)
    return Result(f"Stockpile for {who}: {title_mode}", fields, rows, meta)


def _set_market_prices(store: Store, plans: Sequence[Flows], price_date: str | int, lang: str) -> list[str]:
    """Give each plan its market price at ``price_date`` where the rule allows; notes say where not and why.

    A market price quotes a refined product (LME nickel, cobalt metal, …), so it values only stocks of
    processing-stage codes with tonnes; ores, products and value-only sources keep the trade unit value.
    """
    notes = []
    cache: dict[str, tuple[MarketPrice | None, str]] = {}
    for plan in plans:
        name = f"{plan.material.name(lang)} ({plan.importer.code})"
        if not plan.has_tonnes:
            notes.append(
                f"{name}: no tonnes in {plan.source}; valued at the trade value, not a market price."
            )
            continue
        if not market_priceable(plan.stages):
            notes.append(
                f"{name}: codes at stage {'+'.join(plan.stages)}, not the refined form prices quote; "
                "trade unit value used."
            )
            continue
        if plan.material.id not in cache:
            cache[plan.material.id] = market_price(store, plan.material.id, price_date)
        price, why = cache[plan.material.id]
        if price is None:
            notes.append(f"{name}: {why}; trade unit value used.")
            continue
        plan.market = price
    priced = [p for p in plans if p.market is not None]
    if priced:
        notes.append(
            "Market prices value the gross tonnes of the traded codes at the price of the priced product "
            "(series named in valuation); a compound or alloy is counted as if it were the metal."
        )
    return notes


def _meta(
    store: Store,
    plans: Sequence[Flows],
    importers: Sequence[Country | Group],
    rows: Sequence[dict[str, Any]],
    query: dict[str, Any],
    notes: list[str],
    skipped: Sequence[str],
    mode: str,
    holding: float,
    lang: str,
) -> dict[str, Any]:
    used = sorted({p.source for p in plans}, key=list(tr.TRADE_SOURCES).index)
    cited = list(used)
    kinds = {h.get("kind") for h in query.get("simulation", {}).values()}
    if query.get("basis") == "consumption" or kinds & {"cutoff", "monte_carlo"}:
        cited.append("wmd")  # domestic production (consumption basis; supply in the scenarios)
    if "monte_carlo" in kinds:
        cited.append("wgi")  # governance -> disruption probabilities
    if query.get("weights") == "risk":
        cited.append("eu_crm_2023")
    cited = [c for c in cited if any(e["id"] == c for e in store.catalog["sources"])]
    years = sorted({p.year for p in plans if p.currency == "USD"})
    rates = {y: USD_PER_EUR.get(y) for y in years}
    value_only = sorted({p.material.name(lang) for p in plans if not p.has_tonnes})
    general = [
        "Stock sizes are what the figures imply, not observed stocks (national stockpiles are not "
        "published).",
    ]
    if years:
        general.append(
            "BACI values are USD (FOB); converted to EUR at the ECB annual average rate of the trade year: "
            + ", ".join(f"{y}: {r} USD/EUR" for y, r in rates.items())
            + "."
        )
    if any(r is None for r in rates.values()):
        general.append("Years before 1999 have no euro rate: their costs are null.")
    if "comext_cn8" in used:
        general.append("Comext: EU customs import values in EUR (CIF).")
    if value_only:
        how = {
            "days": "cost_eur = D/365 of a year's import value",
            "scenario": "a value shortfall is covered in EUR; tonnes shortfalls cannot be costed",
            "budget": "a value shortfall is bought in EUR; tonnes shortfalls cannot be costed",
        }[mode]
        general.append(
            "No tonnes in the source for "
            + ", ".join(value_only)
            + f": the stock is in value terms ({how}); stock_tonnes is null."
        )
    if "cutoff" in kinds:
        general.append(
            "Cut-off scenario: one deterministic shortfall per material (lost − replaced over the months of "
            "the cut, grondstof.scenarios.cutoff on the same source and year), covered in full whatever "
            "the confidence."
        )
    if "samples" in kinds or "monte_carlo" in kinds:
        general.append(
            "Stock at confidence c = the c-quantile of the shortfall draws (inverted empirical CDF): at most "
            "a share 1 − c of the draws exceeds it."
            if mode == "scenario"
            else "Budget: the LP minimises Σ w·E(max(0, S − x)) subject to Σ unit value·x ≤ budget (HiGHS); "
            "the expected shortfalls are over all draws."
        )
    partial = [
        f"{p.material.name(lang)} ({p.importer.code}) {p.tonnes_coverage:.0%}"
        for p in plans
        if p.has_tonnes and p.tonnes_coverage is not None and p.tonnes_coverage < 0.95
    ]
    if partial:
        general.append(
            "Tonnes known for only part of the import value (flows without a quantity counted at the average "
            "unit value): " + "; ".join(partial) + "."
        )
    if query.get("basis") == "consumption":
        general.append(
            "Apparent consumption = World Mining Data production + imports − exports; WMD counts metal or "
            "oxide content while trade tonnes are gross weights of the traded forms."
        )
    if any(isinstance(i, Group) for i in importers):
        general.append("EU-27: extra-EU imports and exports only; production of the 27 members summed.")
    if mode == "budget" and len(importers) > 1:
        general.append("The budget is allocated for each importer separately.")
    general.extend(_stage_notes(plans, lang))
    totals = {}
    for imp in importers:
        mine = [r for r in rows if r["importer"] == imp.code]
        for norm in sorted({r.get("days") for r in mine if mode == "days"}) or [None]:  # type: ignore[type-var]
            sel = [r for r in mine if mode != "days" or r.get("days") == norm]
            key = imp.code if norm is None else f"{imp.code} {norm:g} days"
            totals[key] = {
                "cost_eur": sum(r["cost_eur"] or 0 for r in sel),
                "holding_cost_eur_per_year": sum(r["holding_cost_eur_per_year"] or 0 for r in sel),
                "materials": len(sel),
                "materials_without_cost": sum(1 for r in sel if r["cost_eur"] is None),
            }
    per_material = [
        {
            "importer": p.importer.code,
            "id": p.material.id,
            "source": p.source,
            "year": p.year,
            "codes": list(p.codes),
            "stages": list(p.stages),
            "basket": p.basket,
            "imports_value": p.import_value,
            "currency": p.currency,
            "imports_t": p.imports_t,
            "exports_t": p.exports_t,
            "production_t": p.production_t,
            "tonnes_coverage": p.tonnes_coverage,
        }
        for p in plans
    ]
    return {
        "query": query,
        "sources": store.cite(*cited),
        "assumptions": {
            "basis": query.get("basis"),
            "holding_cost_per_year": holding,
            "confidence": query.get("confidence"),
            "usd_per_eur": rates,
            "exchange_rate_source": RATE_SOURCE,
            "norms": "IEA oil: 90 days of prior-year net imports; JOGMEC: ~60 days of consumption, up to 180 "
            "for high-risk metals (anchors-and-methods.md §2.10)",
        },
        "units": {
            "stock_tonnes": "metric tonnes of the traded form (gross weight)",
            "money": "EUR",
            "days": "days of the reference flow",
        },
        "totals": totals,
        "materials": per_material,
        "notes": general + _merge_notes(notes) + [f"Not covered — {s}" for s in skipped],
    }


def _merge_notes(notes: Sequence[str]) -> list[str]:
    """Join notes that differ only in the importer code: "cobalt (NLD): x" + "cobalt (EU27): x"."""
    merged: dict[tuple[str, str], list[str]] = {}
    plain: list[str] = []
    order: list[tuple[str, str] | str] = []
    for note in notes:
        match = re.match(r"^(.+?) \(([A-Z0-9]+)\): (.*)$", note)
        if match is None:
            if note not in plain:
                plain.append(note)
                order.append(note)
            continue
        key = (match.group(1), match.group(3))
        if key not in merged:
            merged[key] = []
            order.append(key)
        if match.group(2) not in merged[key]:
            merged[key].append(match.group(2))
    return [
        item if isinstance(item, str) else f"{item[0]} ({', '.join(merged[item])}): {item[1]}"
        for item in order
    ]


def _stage_notes(plans: Sequence[Flows], lang: str) -> list[str]:
    out = []
    seen = set()
    for plan in plans:
        if plan.material.id in seen:
            continue
        seen.add(plan.material.id)
        name = plan.material.name(lang)
        if plan.basket:
            out.append(f"{name}: {plan.source} code(s) {', '.join(plan.codes)} cover several materials.")
        if len(plan.stages) > 1:
            out.append(f"{name}: codes of several stages ({', '.join(plan.stages)}) summed as gross tonnes.")
    return out
