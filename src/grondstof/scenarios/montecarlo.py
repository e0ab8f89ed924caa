"""Monte Carlo supply disruptions: the distribution of an importer's annual shortfall per material.

Every supplier country i of the importer C (and every other exporter of the material, as an alternative)
may be disrupted in a year. For each draw and year:

* **Occurrence**: supplier i is disrupted with yearly probability p_i, derived from governance:
  p_i = p_min + (p_max − p_min) × instability_i, instability_i = (2.5 − mean WGI_i) / 5 clipped to [0, 1],
  where mean WGI_i is the mean of the six Worldwide Governance Indicators estimates (−2.5 … +2.5) in the
  latest year the country has them (``indicator: pv`` uses political stability only, as GeoPolRisk does).
  The (2.5 − x)/5 rescaling is the one geopolrisk-py applies to WGI-PV. A country without WGI gets
  instability 0.5 (as in geopolrisk-py); ``overrides`` set p_i directly per country.
* **Size** s ~ Beta(α, β): the fraction of i's exports to C that is lost (``fixed`` for a constant).
* **Duration** d (months, at most 12 within the year) ~ lognormal with a median and σ, a discrete
  distribution, or fixed.
* **Lost** by the importer L_C = Σ_i [i disrupted] × s_i × f_i × d_i/12, with f_i C's annual import from i.
* **Replacement** (``destination: all``, the default): a disruption cuts the supplier's exports to every
  importer (an export restriction, a plant outage), so the world loses L_W = Σ_i [i disrupted] s_i X_i d_i/12
  (X_i = i's exports to all importers); exporters not disrupted add at most K = r × Σ_j X_j × D/12 over the
  longest disruption window D, shared among importers in proportion to their loss — the all-destinations
  rule of :mod:`grondstof.scenarios.cutoff`, so with one disrupted supplier both give the same shortfall.
  With ``destination: importer`` only the exports to C are cut and the alternatives' capacity is theirs
  alone: K = r × Σ_{j not disrupted} E_j × D/12 with E_j = exports to everyone but C (the cut-off's
  one-importer rule; a small importer is then nearly always made whole).
* **Shortfall** G = L_C × (1 − min(1, K/L_W)) (``all``) or max(0, L_C − K) (``importer``). Over
  ``horizon_years`` the yearly shortfalls are summed (each year drawn independently, at most one disruption
  per supplier per year).

Defaults and why: p_min = 0.01 and p_max = 0.20 give China (mean WGI 2023 ≈ −0.29, instability 0.56)
p ≈ 0.12 a year; the export-control timeline has China putting export licensing on 22 materials in
2023–2025 (six of them suspended), of the 71 registry materials it exported in 2022 in the trade data:
about a tenth a year. OECD (Inventory of Export
Restrictions on Industrial Raw Materials 2025) finds 14 % of world trade in industrial raw materials under
some export restriction in 2021–2023. Stable suppliers (the Netherlands, instability 0.2) get about 0.05: a
plant outage, strike or accident rather than a policy. Size Beta(2, 2) (mean 0.5, from 0.1 to 0.9 for
most draws): licensing regimes let part of the flow through; China's graphite exports to the partners in the
UN Comtrade extract fell by about 60–80 % in the three months after the December 2023 licensing. Duration
lognormal with median 4 months and σ = 0.7 (90 % of draws 1.3–12 months): the graphite dip lasted about
three months, DR Congo's cobalt ban eight (22 Feb – 16 Oct 2025). All of these are assumptions to vary.

Draws are seeded and reproducible: chunk c of ``CHUNK`` draws of material m uses
``Generator(PCG64(SeedSequence([seed, c, key(m)])))`` with key(m) the CRC-32 of the material id, so a
material's draws do not depend on which other materials are in the run. With ``correlation: supplier`` a
disruption is an event of the supplier country that hits every material it supplies (same size and
duration), drawn from ``SeedSequence([seed, c, key(country)])``. Work is vectorised over draws × suppliers
in chunks, so memory stays bounded whatever the number of draws.

Reference for the approach: USGS 2025 critical-minerals method (OFR 2025-1047), probability-weighted
one-year trade-disruption scenarios; here in quantities only (no prices or GDP).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import numpy as np
from numpy.random import PCG64, Generator, SeedSequence
from pydantic import Field as PField
from pydantic import field_validator, model_validator

from grondstof.errors import InputError
from grondstof.indicators import trade as tr
from grondstof.indicators._common import country_name, fetch
from grondstof.indicators.dependency import Plan
from grondstof.parameters import Cli, DataFile, Lang, Params, bounds_of, described
from grondstof.registry._text import split_list
from grondstof.registry.countries import Country, Group, countries
from grondstof.registry.materials import Material, materials
from grondstof.result import Field, Result
from grondstof.scenarios._inputs import ScenarioModel, TradeSelection, load_scenario, validate
from grondstof.scenarios.cutoff import DEFAULT_RAMP_UP, Matrix, load_matrices, load_production
from grondstof.scenarios.sourcing import choose_sources, product_name, quantity_label
from grondstof.store import Store, open_store

CHUNK = 10_000  # draws per chunk: part of the seeding, so fixed
UNKNOWN = "unknown"  # imports without a partner country
_REPLACEMENT = {
    "all": "A disruption cuts the supplier's exports to every importer; suppliers not disrupted add at most "
    "ramp_up ({r:g}) × their exports over the longest disruption window of the year, shared among importers "
    "in proportion to their loss: shortfall = lost × (1 − min(1, capacity / world loss)).",
    "importer": "A disruption cuts the supplier's exports to this importer only; suppliers not disrupted add "
    "at most ramp_up ({r:g}) × their exports to everyone else over the longest disruption window of the "
    "year: shortfall = max(0, lost − capacity).",
}
_CORRELATION = {
    "independent": "independent per supplier and material",
    "supplier": "events of the supplier country, shared by every material it supplies",
}

MONTECARLO_FIELDS = [
    Field("importer", "Importer (code)", show=False),
    Field("material", "Material (id)", show=False),
    Field("material_name", "Material"),
    Field("year", "Year", "year", description="baseline year of the trade flows"),
    Field("source", "Source", show=False),
    Field(
        "quantity_basis",
        "Quantity is",
        description="what supply counts: basis · source and codes · stage (chosen as the stockpile does)",
    ),
    Field("unit", "Unit", description="t, or the source's currency where it has no tonnes"),
    Field("supply", "Supply", "number", description="annual imports + domestic production, in `unit`"),
    Field("daily_use", "Daily use", "number", show=False, description="supply / 365"),
    Field("suppliers", "Suppliers", "int"),
    Field(
        "expected_disruptions",
        "Expected disruptions",
        "number",
        show=False,
        description="Σ p_i over the importer's suppliers, per year",
    ),
    Field("top_risk_supplier", "Top risk supplier", description="largest p_i × f_i"),
    Field("p_any", "P(shortfall > 0)", "share", description="over the horizon"),
    Field("mean", "Mean shortfall", "number", description="over the horizon, in `unit`"),
    Field("p50", "P50", "number"),
    Field("p95", "P95", "number"),
    Field("p99", "P99", "number"),
    Field("mean_share", "Mean / supply", "share", show=False, description="mean / (supply × years)"),
    Field("cover_percentile", "Cover percentile", "number", show=False),
    Field("stock_cover", "Stock to cover", "number", description="shortfall at the cover percentile"),
    Field("stock_cover_days", "Stock days to cover", "number", description="stock_cover / daily use"),
]


class ProbabilityModel(ScenarioModel):
    """Yearly disruption probability per supplier: p = p_min + (p_max − p_min) × instability."""

    p_min: float = PField(0.01, ge=0.0, le=1.0)
    p_max: float = PField(0.20, ge=0.0, le=1.0)
    indicator: Literal["wgi_mean", "pv"] = "wgi_mean"
    missing_instability: float = PField(0.5, ge=0.0, le=1.0)
    overrides: dict[str, float] = PField(default_factory=dict)

    @field_validator("overrides")
    @classmethod
    def _probabilities(cls, value: dict[str, float]) -> dict[str, float]:
        for key, p in value.items():
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"probabilities between 0 and 1 (got {p} for {key})")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> ProbabilityModel:
        if self.p_min > self.p_max:
            raise ValueError(f"p_min ({self.p_min}) not above p_max ({self.p_max})")
        return self


class SizeModel(ScenarioModel):
    """Fraction of a supplier's exports to the importer lost in a disruption."""

    distribution: Literal["beta", "fixed"] = "beta"
    alpha: float = PField(2.0, gt=0.0)
    beta: float = PField(2.0, gt=0.0)
    value: float = PField(1.0, ge=0.0, le=1.0)


class DurationModel(ScenarioModel):
    """Months a disruption lasts within its year (clipped to ``max_months`` ≤ 12)."""

    distribution: Literal["lognormal", "discrete", "fixed"] = "lognormal"
    median_months: float = PField(4.0, gt=0.0)
    sigma: float = PField(0.7, ge=0.0)
    months: list[float] = PField(default_factory=lambda: [1.0, 3.0, 6.0, 12.0])
    weights: list[float] = PField(default_factory=lambda: [0.3, 0.3, 0.25, 0.15])
    value: float = PField(6.0, gt=0.0, le=12.0)
    max_months: float = PField(12.0, gt=0.0, le=12.0)

    @model_validator(mode="after")
    def _discrete(self) -> DurationModel:
        if len(self.months) != len(self.weights) or not self.months:
            raise ValueError("months and weights of the same, non-zero length")
        if any(m <= 0 or m > 12 for m in self.months):
            raise ValueError("months between 0 (exclusive) and 12")
        if any(w < 0 for w in self.weights) or sum(self.weights) <= 0:
            raise ValueError("non-negative weights with a positive sum")
        return self


class MonteCarloParams(TradeSelection):
    """Everything but the importer, materials, draws and seed (what :func:`simulate_shortfalls` takes)."""

    probability_model: ProbabilityModel = PField(default_factory=ProbabilityModel)
    size: SizeModel = PField(default_factory=SizeModel)
    duration: DurationModel = PField(default_factory=DurationModel)
    ramp_up: float = PField(DEFAULT_RAMP_UP, ge=0.0, le=1.0)
    horizon_years: int = PField(1, ge=1, le=10)
    correlation: Literal["independent", "supplier"] = "independent"
    destination: Literal["all", "importer"] = "all"
    cover_percentile: float = PField(95.0, gt=0.0, lt=100.0)
    year: int | None = PField(None, ge=1990, le=2100)


class MonteCarloSpec(MonteCarloParams):
    """A Monte Carlo scenario file: the importer, materials, draws and seed plus :class:`MonteCarloParams`."""

    description: str | None = None
    country: str | None = None
    materials: list[str] = PField(default_factory=lambda: ["strategic"])
    draws: int = PField(100_000, ge=100, le=10_000_000)
    seed: int = PField(42, ge=0)

    @field_validator("materials", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return split_list(value) if isinstance(value, str) else value

    def params(self) -> MonteCarloParams:
        """The :class:`MonteCarloParams` part of this scenario."""
        keys = set(MonteCarloParams.model_fields)
        return MonteCarloParams.model_validate({k: v for k, v in self.model_dump().items() if k in keys})


# ---- governance -> probability --------------------------------------------------------------------------


def instability(store: Store, indicator: str = "wgi_mean") -> dict[str, float]:
    """Instability per country (ISO3): (2.5 − mean WGI estimate)/5 clipped to [0, 1], latest year each.

    ``wgi_mean`` averages the six WGI dimensions of the country's latest year; ``pv`` uses political
    stability and absence of violence only.
    """
    gov = store.table("governance")
    sel = gov.filter((gov.source == "wgi") & gov.estimate.notnull())
    if indicator == "pv":
        sel = sel.filter(sel.indicator == "pv")
    per_year = sel.group_by(["country", "year"]).aggregate(mean=sel.estimate.mean())
    latest = per_year.mutate(last=per_year.year.max().over(group_by="country"))
    rows = fetch(latest.filter(latest.year == latest.last).select("country", "mean"))
    return {r["country"]: min(1.0, max(0.0, (2.5 - r["mean"]) / 5.0)) for r in rows}


def probabilities(
    codes: Sequence[str], model: ProbabilityModel, unstable: dict[str, float]
) -> tuple[np.ndarray, dict[str, float]]:
    """Yearly disruption probability per country code (``unknown`` partner: the missing-WGI value)."""
    overrides: dict[str, float] = {}
    registry = countries()
    for key, p in model.overrides.items():
        try:
            found = registry.resolve(key, parameter="probability_model.overrides")
        except InputError as exc:
            raise InputError(
                f"probability_model.overrides.{key}", key, exc.expected, exc.suggestions
            ) from None
        overrides[found.iso3] = p
    out = np.empty(len(codes))
    for k, code in enumerate(codes):
        if code in overrides:
            out[k] = overrides[code]
        else:
            inst = unstable.get(code, model.missing_instability)
            out[k] = model.p_min + (model.p_max - model.p_min) * inst
    return out, overrides


# ---- the simulation core (pure numpy) ------------------------------------------------------------------


def _key(text: str) -> int:
    return zlib.crc32(text.encode())


def _sizes(rng: Generator, model: SizeModel, n: int) -> np.ndarray:
    if model.distribution == "fixed":
        return np.full(n, model.value)
    return rng.beta(model.alpha, model.beta, n)


def _durations(rng: Generator, model: DurationModel, n: int) -> np.ndarray:
    if model.distribution == "fixed":
        out = np.full(n, model.value)
    elif model.distribution == "discrete":
        weights = np.asarray(model.weights, dtype=float)
        out = rng.choice(np.asarray(model.months, dtype=float), size=n, p=weights / weights.sum())
    else:
        out = rng.lognormal(np.log(model.median_months), model.sigma, n)
    return np.minimum(out, model.max_months)


@dataclass
class _Events:
    """Disruptions of one year in one chunk: draw index, supplier column, size, duration (months)."""

    rows: np.ndarray
    cols: np.ndarray
    sizes: np.ndarray
    durations: np.ndarray


class _SupplierEvents:
    """Country-level events shared by every material (``correlation: supplier``), cached per chunk."""

    def __init__(self, seed: int, params: MonteCarloParams, probs: dict[str, float]) -> None:
        self.seed = seed
        self.params = params
        self.probs = probs
        self.chunk = -1
        self.cache: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}

    def years(self, chunk: int, size: int, code: str) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        if chunk != self.chunk:
            self.chunk, self.cache = chunk, {}
        if code not in self.cache:
            rng = Generator(PCG64(SeedSequence([self.seed, chunk, _key(code)])))
            out = []
            for _ in range(self.params.horizon_years):
                hit = np.flatnonzero(rng.random(size) < self.probs[code])
                sizes = _sizes(rng, self.params.size, hit.size)
                out.append((hit, sizes, _durations(rng, self.params.duration, hit.size)))
            self.cache[code] = out
        return self.cache[code]


def _cat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype)


def simulate_matrix(
    imports: np.ndarray,
    exports: np.ndarray,
    probs: np.ndarray,
    params: MonteCarloParams,
    *,
    draws: int,
    seed: int,
    key: int,
    codes: Sequence[str] | None = None,
    shared: _SupplierEvents | None = None,
) -> np.ndarray:
    """Shortfall samples (one per draw, summed over the horizon) for one material.

    Column i is a supplier country: ``imports[i]`` the importer's annual import from it (0 for an exporter
    that only counts as an alternative), ``exports[i]`` its annual exports — to every importer with
    ``params.destination == "all"``, to everyone but the importer with ``"importer"`` — and ``probs[i]`` its
    yearly disruption probability. Per draw and year, with events (i, size s_i, months d_i):

    * ``importer``: L = Σ s_i f_i d_i/12; K = r × (Σ_j E_j − Σ_disrupted E_i) × D/12 with D the longest
      disruption of a supplier of the importer; G = max(0, L − K).
    * ``all``: the importer loses L_C = Σ s_i f_i d_i/12 and the world L_W = Σ s_i X_i d_i/12; alternatives
      add K = r × (Σ_j X_j − Σ_disrupted X_i) × D/12 (D the longest disruption), shared pro rata:
      G = L_C × (1 − min(1, K / L_W)).

    Independent mode draws from ``SeedSequence([seed, chunk, key])``; with ``shared`` (supplier-level
    events) the column ``codes`` pick the country events.
    """
    imports = np.asarray(imports, dtype=float)
    exports = np.asarray(exports, dtype=float)
    probs32 = np.asarray(probs, dtype=np.float32)
    n = imports.size
    supplies = imports > 0
    total = float(exports.sum())
    ramp = params.ramp_up
    world = params.destination == "all"
    out = np.zeros(draws)
    for chunk, start in enumerate(range(0, draws, CHUNK)):
        size = min(CHUNK, draws - start)
        rng = Generator(PCG64(SeedSequence([seed, chunk, key]))) if shared is None else None
        for year in range(params.horizon_years):
            if rng is not None:
                # flatnonzero + divmod is about twice as fast as a 2-D nonzero (same order of events).
                rows, cols = np.divmod(np.flatnonzero(rng.random((size, n), dtype=np.float32) < probs32), n)
                sizes = _sizes(rng, params.size, rows.size)
                durations = _durations(rng, params.duration, rows.size)
            else:
                assert codes is not None and shared is not None
                parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
                for col, code in enumerate(codes):
                    hit, s_, d_ = shared.years(chunk, size, code)[year]
                    if hit.size:
                        parts.append((hit, np.full(hit.size, col), s_, d_))
                rows, cols, sizes, durations = (
                    _cat([part[k] for part in parts], np.int64 if k < 2 else float) for k in range(4)
                )
            months = durations / 12.0
            lost = np.bincount(rows, weights=sizes * imports[cols] * months, minlength=size)
            down = np.bincount(rows, weights=exports[cols], minlength=size)
            window = np.zeros(size)
            if world:
                np.maximum.at(window, rows, months)
                capacity = ramp * (total - down) * window
                lost_world = np.bincount(rows, weights=sizes * exports[cols] * months, minlength=size)
                ratio = np.ones(size)
                np.divide(capacity, lost_world, out=ratio, where=lost_world > 0)
                out[start : start + size] += lost * (1.0 - np.minimum(1.0, ratio))
            else:
                mine = supplies[cols]
                np.maximum.at(window, rows[mine], months[mine])
                capacity = ramp * (total - down) * window
                out[start : start + size] += np.maximum(0.0, lost - capacity)
    return out


# ---- baselines and the public functions -----------------------------------------------------------------


@dataclass
class Baseline:
    """What the simulation needs for one material: per supplier column imports, exports and p."""

    matrix: Matrix
    codes: list[str]
    imports: np.ndarray
    exports: np.ndarray
    probs: np.ndarray
    supply: float
    domestic: float | None

    @property
    def material(self) -> Material:
        return self.matrix.material

    @property
    def daily_use(self) -> float | None:
        return self.supply / 365.0 if self.supply > 0 else None


class Shortfalls(dict[str, np.ndarray]):
    """Shortfall samples per material id (a ``dict[str, numpy.ndarray]``), with what is needed to read them.

    ``units[m]`` is ``t`` or a currency (where the trade source has no tonnes), ``daily_use[m]`` the
    average use per day in the same unit (supply / 365), ``supply[m]`` the annual supply, ``years[m]`` the
    baseline year, ``meta`` the sources, probabilities and notes.
    """

    def __init__(self) -> None:
        super().__init__()
        self.units: dict[str, str] = {}
        self.daily_use: dict[str, float | None] = {}
        self.supply: dict[str, float] = {}
        self.years: dict[str, int] = {}
        self.meta: dict[str, Any] = {}


@dataclass
class _Prepared:
    importer: Country | Group
    baselines: list[Baseline]
    notes: list[str] = field(default_factory=list)
    probabilities: dict[str, float] = field(default_factory=dict)
    overrides: dict[str, float] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)


def _prepare(
    store: Store, country: str | Country | Group, materials_: str | Sequence[str], params: MonteCarloParams
) -> _Prepared:
    importer = (
        country if isinstance(country, (Country, Group)) else countries().resolve_importer(country, "country")
    )
    registry = materials()
    items = split_list(materials_) if isinstance(materials_, str) else list(materials_)
    if not items:
        raise InputError("materials", materials_, "one or more materials (or crm, strategic)")
    mats: list[Material] = []
    for text in items:
        mats.extend(m for m in registry.resolve_many(text, parameter="materials") if m not in mats)
    # The same source, codes and year per material as the stockpile planner (one shared rule).
    chosen, _, notes = choose_sources(
        store, mats, [importer], year=params.year, source=params.source, stage=params.stage
    )
    if not chosen:
        raise InputError(
            "materials", materials_, "materials with imports by this importer: " + "; ".join(notes)
        )
    plans = [Plan(c.material, c.source, c.choice, (c.year, c.year)) for c in chosen]
    notes = [f"Not covered — {note}" for note in notes]
    matrices = load_matrices(store, plans)
    production = load_production(
        store, [p.material for p in plans], {m.material.id: m.year for m in matrices}
    )
    unstable = instability(store, params.probability_model.indicator)
    baselines: list[Baseline] = []
    all_probs: dict[str, float] = {}
    overrides: dict[str, float] = {}
    for matrix in matrices:
        imports = matrix.imports(importer.members)
        if params.destination == "all":
            # Every exporter's exports to every importer (the importer itself may keep its own exports).
            exports = matrix.exports()
        else:
            # Exports to everyone but the importer; the importer itself is no alternative to itself.
            exports = matrix.exports(importer.members)
            if isinstance(importer, Country):
                exports.pop(importer.iso3, None)
        by_code: dict[str, float] = {}
        for exporter, (q, _) in imports.items():
            by_code[exporter or UNKNOWN] = by_code.get(exporter or UNKNOWN, 0.0) + q
        codes = sorted(set(by_code) | set(exports))
        imp = np.array([by_code.get(c, 0.0) for c in codes])
        exp = np.array([exports.get(c, 0.0) for c in codes])
        probs, found = probabilities(codes, params.probability_model, unstable)
        overrides.update(found)
        all_probs.update({c: float(p) for c, p, q in zip(codes, probs, imp, strict=True) if q > 0})
        prod = production[matrix.material.id]
        domestic = None
        if matrix.basis == "tonnes" and prod.tonnes and not prod.proxy:
            domestic = prod.amount(importer.members)
        supply = float(imp.sum()) + (domestic or 0.0)
        baselines.append(Baseline(matrix, codes, imp, exp, probs, supply, domestic))
        if matrix.basis == "value":
            notes.append(
                f"{matrix.material.name()}: {matrix.plan.source} has no tonnes; shortfalls in "
                f"{matrix.currency} (value)."
            )
        if matrix.plan.choice.basket:
            notes.append(
                f"{matrix.material.name()}: basket code(s) {', '.join(matrix.plan.choice.codes)} "
                f"({matrix.plan.source}); flows are for the whole basket."
            )
    sources = sorted({b.matrix.plan.source for b in baselines}, key=list(tr.TRADE_SOURCES).index)
    return _Prepared(importer, baselines, notes, all_probs, overrides, [*sources, "wgi", "wmd"])


def _run(prepared: _Prepared, params: MonteCarloParams, draws: int, seed: int) -> dict[str, np.ndarray]:
    shared = None
    if params.correlation == "supplier":
        probs: dict[str, float] = {}
        for b in prepared.baselines:
            probs.update({c: float(p) for c, p in zip(b.codes, b.probs, strict=True)})
        shared = _SupplierEvents(seed, params, probs)
    out = {}
    for b in prepared.baselines:
        out[b.material.id] = simulate_matrix(
            b.imports,
            b.exports,
            b.probs,
            params,
            draws=draws,
            seed=seed,
            key=_key(b.material.id),
            codes=b.codes,
            shared=shared,
        )
    return out


def _params(params: MonteCarloParams | dict[str, Any] | None) -> MonteCarloParams:
    if params is None:
        return MonteCarloParams()
    if isinstance(params, MonteCarloParams):
        return params
    return validate(MonteCarloParams, params, source="params")


def simulate_shortfalls(
    store: Store | None,
    country: str | Country | Group,
    materials: str | Sequence[str],
    *,
    draws: int = 100_000,
    seed: int = 42,
    params: MonteCarloParams | dict[str, Any] | None = None,
) -> Shortfalls:
    """Samples of the importer's shortfall per material over the horizon (default one year).

    Stable interface (the stockpile planner calls it):

    * ``country``: importer (code, name, ``EU27``); ``materials``: comma list or names, ``crm``,
      ``strategic``; ``draws``, ``seed``: as in :func:`montecarlo`; ``params``: a
      :class:`MonteCarloParams` or a dict of its keys (probability_model, size, duration, ramp_up,
      horizon_years, correlation, year, source, stage).
    * Returns a :class:`Shortfalls` — a ``dict[str, numpy.ndarray]`` from material id to ``draws`` samples,
      in tonnes where the trade source has tonnes (else in its currency: see ``.units``), plus
      ``.units``, ``.daily_use``, ``.supply``, ``.years`` and ``.meta`` (sources, notes, probabilities).

    Materials without trade data for the importer are left out and named in ``meta["notes"]``.
    """
    store = store or open_store()
    chosen = _params(params)
    if not 1 <= draws <= 10_000_000:
        raise InputError("draws", draws, "between 1 and 10,000,000")
    prepared = _prepare(store, country, materials, chosen)
    samples = _run(prepared, chosen, draws, seed)
    out = Shortfalls()
    for b in prepared.baselines:
        mid = b.material.id
        out[mid] = samples[mid]
        out.units[mid] = b.matrix.unit
        out.daily_use[mid] = b.daily_use
        out.supply[mid] = b.supply
        out.years[mid] = b.matrix.year
    out.meta = {
        "importer": prepared.importer.code,
        "draws": draws,
        "seed": seed,
        "params": chosen.model_dump(),
        "sources": store.cite(*prepared.sources),
        "notes": prepared.notes,
        "probabilities": prepared.probabilities,
    }
    return out


def run_montecarlo(spec: MonteCarloSpec, *, store: Store | None = None, lang: str = "en") -> Result:
    """Run a validated :class:`MonteCarloSpec`."""
    store = store or open_store()
    if not spec.country:
        raise InputError("country", spec.country, "an importer (code, name or EU27)")
    params = spec.params()
    prepared = _prepare(store, spec.country, spec.materials, params)
    samples = _run(prepared, params, spec.draws, spec.seed)
    q = params.cover_percentile
    rows = []
    for b in prepared.baselines:
        data = samples[b.material.id]
        p50, p95, p99, cover = np.percentile(data, [50.0, 95.0, 99.0, q])
        weights = b.probs * b.imports
        top = b.codes[int(np.argmax(weights))] if weights.size and weights.max() > 0 else None
        mean = float(data.mean())
        years = params.horizon_years
        rows.append(
            {
                "importer": prepared.importer.code,
                "material": b.material.id,
                "material_name": product_name(b.material, b.matrix.plan.choice, lang),
                "year": b.matrix.year,
                "quantity_basis": quantity_label(
                    b.matrix.plan.source,
                    b.matrix.plan.choice,
                    "gross imports + production" if b.domestic else "imports",
                    lang,
                ),
                "source": b.matrix.plan.source,
                "unit": b.matrix.unit,
                "supply": b.supply,
                "daily_use": b.daily_use,
                "suppliers": int((b.imports > 0).sum()),
                "expected_disruptions": float(b.probs[b.imports > 0].sum()),
                "top_risk_supplier": (country_name(top, lang) if top and top != UNKNOWN else top),
                "p_any": float((data > 1e-12).mean()),
                "mean": mean,
                "p50": float(p50),
                "p95": float(p95),
                "p99": float(p99),
                "mean_share": mean / (b.supply * years) if b.supply > 0 else None,
                "cover_percentile": q,
                "stock_cover": float(cover),
                "stock_cover_days": float(cover) / b.daily_use if b.daily_use else None,
            }
        )
    meta = _meta(store, spec, params, prepared, lang)
    who = prepared.importer.name(lang)
    title = f"Monte Carlo supply disruptions for {who}: {len(rows)} materials, {spec.draws:,} draws"
    return Result(title, MONTECARLO_FIELDS, rows, meta)


def _meta(
    store: Store, spec: MonteCarloSpec, params: MonteCarloParams, prepared: _Prepared, lang: str
) -> dict[str, Any]:
    pm = params.probability_model
    size = params.size
    dur = params.duration
    size_text = (
        f"Beta({size.alpha:g}, {size.beta:g})" if size.distribution == "beta" else f"fixed {size.value:g}"
    )
    if dur.distribution == "lognormal":
        dur_text = f"lognormal, median {dur.median_months:g} months, σ {dur.sigma:g}"
    elif dur.distribution == "discrete":
        dur_text = "discrete " + ", ".join(
            f"{m:g} mo: {w:g}" for m, w in zip(dur.months, dur.weights, strict=True)
        )
    else:
        dur_text = f"fixed {dur.value:g} months"
    what = "mean of the six WGI estimates" if pm.indicator == "wgi_mean" else "WGI political stability"
    assumptions = [
        f"Yearly disruption probability p = {pm.p_min:g} + ({pm.p_max:g} − {pm.p_min:g}) × instability, "
        f"instability = (2.5 − {what})/5 in [0, 1], latest year per country; no WGI: instability "
        f"{pm.missing_instability:g}."
        + (
            f" Overrides: {', '.join(f'{k} {v:g}' for k, v in prepared.overrides.items())}."
            if prepared.overrides
            else ""
        ),
        f"Size (fraction of the supplier's exports to the importer lost): {size_text}. Duration: {dur_text}, "
        f"at most {dur.max_months:g} months within the year.",
        _REPLACEMENT[params.destination].format(r=params.ramp_up),
        f"Disruptions are {_CORRELATION[params.correlation]}; {params.horizon_years} year(s), summed.",
        f"Stock to cover = the {params.cover_percentile:g}th percentile of the shortfall; days = stock / "
        "(supply/365).",
    ]
    return {
        "query": {
            "country": prepared.importer.code,
            "materials": [b.material.id for b in prepared.baselines],
            "draws": spec.draws,
            "seed": spec.seed,
            **params.model_dump(),
        },
        "assumptions": assumptions,
        "seeding": "numpy Generator(PCG64(SeedSequence([seed, chunk, crc32(material id)]))), chunks of "
        f"{CHUNK:,} draws",
        "sources": store.cite(*prepared.sources),
        "units": {
            "shortfall, supply, stock_cover": "per material in `unit`: t (tonnes) or the source's currency",
            "p_any": "fraction 0–1",
            "stock_cover_days": "days of average use",
        },
        "probabilities": dict(sorted(prepared.probabilities.items(), key=lambda kv: -kv[1])),
        "notes": prepared.notes,
    }


def montecarlo(
    country: str,
    materials: str | Sequence[str] = "strategic",
    *,
    draws: int = 100_000,
    seed: int = 42,
    horizon_years: int = 1,
    probability_model: ProbabilityModel | dict[str, Any] | None = None,
    size: SizeModel | dict[str, Any] | None = None,
    duration: DurationModel | dict[str, Any] | None = None,
    ramp_up: float = DEFAULT_RAMP_UP,
    correlation: str = "independent",
    cover_percentile: float = 95.0,
    year: int | None = None,
    source: str | None = None,
    stage: str | None = None,
    store: Store | None = None,
    lang: str = "en",
) -> Result:
    """Distribution of the annual shortfall per material from random supplier disruptions.

    One row per material: mean, P50, P95, P99 of the shortfall, the probability of any shortfall, and the
    stock (in the material's unit and in days of use) that covers the ``cover_percentile``. The model, its
    defaults and their justification are in the module docstring; ``meta["assumptions"]`` states the values
    used. Raises :class:`InputError` naming the bad parameter.
    """
    data: dict[str, Any] = {
        "country": country,
        "materials": materials,
        "draws": draws,
        "seed": seed,
        "horizon_years": horizon_years,
        "ramp_up": ramp_up,
        "correlation": correlation,
        "cover_percentile": cover_percentile,
        "year": year,
        "source": source,
        "stage": stage,
    }
    for key, value in (("probability_model", probability_model), ("size", size), ("duration", duration)):
        if value is not None:
            data[key] = value.model_dump() if isinstance(value, ScenarioModel) else value
    spec = validate(MonteCarloSpec, {k: v for k, v in data.items() if v is not None}, source="montecarlo")
    return run_montecarlo(spec, store=store, lang=lang)


def _mc(field: str) -> dict[str, Any]:
    """The bounds of a :class:`MonteCarloSpec` field: the parameter model repeats no number."""
    return bounds_of(MonteCarloSpec, field)


class MonteCarloRunParams(Params):
    """Parameters of :func:`montecarlo_scenario` (``grondstof scenario montecarlo``,
    ``/api/v1/scenario/montecarlo``). Bounds come from :class:`MonteCarloSpec`; ``None`` means "the file's
    value, else the default"."""

    country: Annotated[
        str | None,
        described(
            "Importer: ISO2/ISO3 code, English or Dutch name, or EU27.",
            "Importeur: ISO2/ISO3-code, Engelse of Nederlandse naam, of EU27.",
            max_length=100,
        ),
        Cli(flags=("--country", "-c")),
    ] = None
    materials: Annotated[
        str | None,
        described(
            "Materials: comma list, crm or strategic (default strategic).",
            "Grondstoffen: kommalijst, crm of strategic (standaard strategic).",
            max_length=500,
        ),
        Cli(flags=("--materials", "-m")),
    ] = None
    draws: Annotated[
        int | None,
        described(
            "Number of draws (default 100,000).", "Aantal trekkingen (standaard 100.000).", **_mc("draws")
        ),
    ] = None
    seed: Annotated[
        int | None,
        described(
            "Random seed (default 42).", "Startwaarde van de toevalsgenerator (standaard 42).", **_mc("seed")
        ),
    ] = None
    cover_percentile: Annotated[
        float | None,
        described(
            "Percentile of the shortfall the stock covers (default 95).",
            "Percentiel van het tekort dat de voorraad dekt (standaard 95).",
            **_mc("cover_percentile"),
        ),
    ] = None
    horizon_years: Annotated[
        int | None,
        described(
            "Years simulated (default 1).", "Gesimuleerde jaren (standaard 1).", **_mc("horizon_years")
        ),
    ] = None
    correlation: Annotated[
        Literal["independent", "supplier"] | None,
        described(
            "independent (default) or supplier (one draw per supplier country for all materials).",
            "independent (standaard) of supplier (één trekking per leverancier voor alle grondstoffen).",
        ),
    ] = None
    year: Annotated[
        int | None,
        described("Baseline year of the trade flows.", "Basisjaar van de handelsstromen.", **_mc("year")),
    ] = None
    file: DataFile = None
    lang: Lang = "en"


def montecarlo_scenario(
    *, file: str | None = None, store: Store | None = None, lang: str = "en", **options: Any
) -> Result:
    """Run a Monte Carlo scenario from a YAML/JSON file and/or options (options override the file)."""
    data: dict[str, Any] = {}
    if file is not None:
        data = load_scenario(MonteCarloSpec, file).model_dump(exclude_unset=True)
    data.update({k: v for k, v in options.items() if v is not None})
    spec = validate(MonteCarloSpec, data, source="montecarlo")
    return run_montecarlo(spec, store=store, lang=lang)
