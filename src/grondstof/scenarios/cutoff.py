"""Supplier cut-off: what an importer (or the world) loses when supplier countries stop their exports.

One or more supplier countries S stop a share σ of their exports of one or more materials, to one importer
C or to every importer, for T months. For each material, from one trade source and one baseline year
(annual flows in tonnes where the source has them, else in value):

* **Lost**: L = σ × Σ_{s∈S} f_{s→C} × T/12, where f_{s→C} is C's annual import from s.
* **Supply** of C = imports + domestic production (World Mining Data, added only in tonnes, see below).
  Share lost = L / (supply × T/12) = σ × f_{S→C} / supply.
* **Alternative suppliers** (every other exporter j of the material in the source, j ∉ S, j ≠ C) can add at
  most a ramp-up fraction r of their current exports to everyone else over the same months:
  capacity K = r × Σ_j E_j × T/12, with E_j = j's exports to importers other than C (``capacity=exports``,
  the default) or j's production in World Mining Data (``capacity=production``, tonnes basis only).
  **Replaced** R = min(L, K). In a cut to all destinations, K uses the alternatives' exports to all
  importers and is shared among importers in proportion to what each lost: R_C = R × L_C / L.
* **Shortfall** G = L − R; shortfall share = G / (supply × T/12).
* **Stock**: daily use u = supply / 365; days of stock that bridge the shortfall = G / u. With a stock of D
  days: it covers the shortfall when D × u ≥ G; the remaining gap is max(0, G − D × u).
* **World view**: the suppliers' share of world production (World Mining Data, the stage WMD publishes)
  and of world exports (a BACI source, by value).

Default r = 0.1: new mines and refineries take years, so within a year replacement comes from spare capacity,
inventories and diverted exports; a tenth of the alternatives' current exports is an assumption to vary
(``--ramp-up``), not a measured figure. The method is the scenario-based requirement of the US National
Defense Stockpile (supply after a cut of exporters J = supply − Σ_{i∈J} imports_i + ramp-up of alternatives;
CRS R47833) and the one-year foreign trade-disruption scenarios of the USGS 2025 critical-minerals method
(OFR 2025-1047), without their price and GDP effects: quantities only, no demand response, substitution or
recycling.

Units: a trade source without tonnes (the Comext extract) gives lost, replaced and shortfall in value (EUR)
and ``meta`` says so. BACI rows without a quantity get one from the value at the material's world unit value
that year (their share is stated). Domestic production is added to supply only on a tonnes basis, in the
content basis WMD publishes (e.g. metal content), which may differ from the gross weight of traded goods.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import Field as PField
from pydantic import field_validator

from grondstof.errors import InputError
from grondstof.indicators import trade as tr
from grondstof.indicators._common import country_name, fetch
from grondstof.indicators.dependency import Plan, plan_imports
from grondstof.indicators.prices import PERIOD_PATTERN, market_price, market_priceable
from grondstof.parameters import Cli, DataFile, Lang, Params, Stage, TradeSource, bounds_of, described
from grondstof.registry._text import split_list
from grondstof.registry.countries import Country, Group, countries
from grondstof.registry.materials import Material, materials
from grondstof.result import Field, Result
from grondstof.scenarios._inputs import TradeSelection, load_scenario, validate
from grondstof.store import Store, open_store

DEFAULT_RAMP_UP = 0.1
DEFAULT_TOP = 10
# Bilateral matrices with (nearly) every importer of the world; baci_hs22_hs4 keeps the top 200 pairs.
WORLD_SOURCES = ("baci_hs92", "baci_hs17", "baci_hs22_hs4")
WORLD_WORDS = frozenset({"all", "world", "everyone", "wereld", "iedereen", "alle"})

CUTOFF_FIELDS = [
    Field("scope", "Scope", description="importer (asked for), world, or affected (a top affected importer)"),
    Field("importer", "Importer (code)", show=False),
    Field("importer_name", "Importer"),
    Field("material", "Material (id)", show=False),
    Field("material_name", "Material"),
    Field("year", "Year", "year", description="baseline year of the trade flows"),
    Field("source", "Source", show=False),
    Field("basis", "Basis", show=False, description="tonnes, or value where the source has no tonnes"),
    Field("unit", "Unit", description="t, or the currency of the source (EUR for Comext, USD for BACI)"),
    Field("supply", "Supply", "number", description="annual imports + domestic production, in `unit`"),
    Field("imports", "Imports", "number", show=False, description="annual, in `unit`"),
    Field(
        "domestic_production",
        "Domestic production",
        "number",
        show=False,
        description="annual, tonnes (WMD); null on a value basis or where unknown",
    ),
    Field("from_suppliers", "From cut suppliers", "number", show=False, description="annual, in `unit`"),
    Field("lost", "Lost", "number", description="over the months of the cut, in `unit`"),
    Field("lost_share", "Share of supply lost", "share"),
    Field("lost_value", "Lost (value)", "money", show=False, description="in `currency`"),
    Field("currency", "Currency", show=False),
    Field(
        "lost_value_market_eur",
        "Lost at market price",
        "money",
        "EUR",
        "lost tonnes × the market price at --price-date (beside the trade value, lost_value)",
    ),
    Field(
        "shortfall_value_market_eur",
        "Shortfall at market price",
        "money",
        "EUR",
        "shortfall tonnes × the market price at --price-date",
    ),
    Field(
        "market_price",
        "Market price used",
        show=False,
        description="series, source, date, unit and ECB rate; or why no market value is given",
    ),
    Field("capacity", "Alternative capacity", "number", show=False, description="over the months, in `unit`"),
    Field("replaced", "Replaced", "number", description="by alternative suppliers, in `unit`"),
    Field("shortfall", "Shortfall", "number", description="lost − replaced, in `unit`"),
    Field("shortfall_share", "Shortfall share", "share", show=False),
    Field("daily_use", "Daily use", "number", show=False, description="supply / 365, in `unit` per day"),
    Field("stock_days_to_bridge", "Stock days to bridge", "number", description="shortfall / daily use"),
    Field("stock_days", "Stock days held", "number", show=False, description="as given with --stock-days"),
    Field("stock_covers", "Stock covers", "bool", description="null without --stock-days"),
    Field("stock_gap", "Gap after stock", "number", description="max(0, shortfall − stock), in `unit`"),
    Field(
        "world_production_share",
        "Suppliers' world production share",
        "share",
        description="World Mining Data; year and stage in meta",
    ),
    Field(
        "world_export_share",
        "Suppliers' world export share",
        "share",
        description="BACI, by value; source, codes and year in meta",
    ),
    Field("alternatives", "Largest alternatives", show=False, description="ISO3 codes by capacity"),
]


class CutoffSpec(TradeSelection):
    """A supplier cut-off scenario, from a YAML/JSON file, the command line or the Python API.

    ``materials`` and ``suppliers`` accept lists or comma-separated text. ``country`` is the importer whose
    situation is reported (``all`` for the world view with the most affected importers); ``destination``
    whom the cut applies to (default: the same as ``country``; ``all`` = every importer). ``preset`` fills
    suppliers, materials, destination and stage from a measure of the export-control timeline.
    """

    preset: str | None = None
    description: str | None = None
    materials: list[str] = PField(default_factory=list)
    suppliers: list[str] = PField(default_factory=list)
    country: str = "all"
    destination: str | None = None
    share: float = PField(1.0, ge=0.0, le=1.0, description="fraction of the suppliers' exports that stops")
    months: float = PField(12.0, gt=0.0, le=120.0, description="duration of the cut in months")
    stock_days: float | None = PField(None, ge=0.0, description="days of use held in stock")
    ramp_up: float = PField(DEFAULT_RAMP_UP, ge=0.0, le=1.0, description="fraction of alternatives' base")
    capacity: Literal["exports", "production"] = "exports"
    year: int | None = PField(None, ge=1990, le=2100)
    baseline_year: int | None = PField(None, ge=1990, le=2100, description="preferred year (presets)")
    top: int = PField(DEFAULT_TOP, ge=1, le=250)
    price_date: str | None = PField(
        None, max_length=20, pattern=PERIOD_PATTERN, description="year or month of the market price"
    )

    @field_validator("materials", "suppliers", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return split_list(value)
        return value


# ---- arithmetic (pure) ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cut:
    """The arithmetic of one cut, in one unit: see the module docstring for the formulas."""

    lost: float
    capacity: float
    replaced: float
    shortfall: float


def cut_arithmetic(
    from_suppliers: float, alternatives_base: float, share: float, months: float, ramp_up: float
) -> Cut:
    """L = σ × f_S × T/12; K = r × base × T/12; R = min(L, K); G = L − R."""
    years = months / 12.0
    lost = share * from_suppliers * years
    capacity = ramp_up * alternatives_base * years
    replaced = min(lost, capacity)
    return Cut(lost, capacity, replaced, lost - replaced)


def bridge(shortfall: float, supply: float, stock_days: float | None) -> dict[str, Any]:
    """Daily use = supply/365; days to bridge = shortfall/daily use; stock covers when D × use ≥ shortfall."""
    daily = supply / 365.0 if supply > 0 else None
    days = (shortfall / daily) if daily else None
    out: dict[str, Any] = {"daily_use": daily, "stock_days_to_bridge": days, "stock_days": stock_days}
    if stock_days is None or daily is None:
        out.update(stock_covers=None, stock_gap=None)
    else:
        stock = stock_days * daily
        out.update(stock_covers=stock >= shortfall, stock_gap=max(0.0, shortfall - stock))
    return out


# ---- trade and production baselines --------------------------------------------------------------------


@dataclass
class Matrix:
    """Annual bilateral flows of one material in one trade source and year, in its basis unit.

    ``flows`` maps (exporter, importer) to (quantity in ``unit``, value in ``currency``); exporter None is
    trade without a known partner. ``estimated`` is the share of the quantity derived from value at the
    world unit value (BACI rows without tonnes).
    """

    plan: Plan
    basis: str
    unit: str
    currency: str
    flows: dict[tuple[str | None, str], tuple[float, float]]
    estimated: float = 0.0
    world_source: bool = True

    @property
    def material(self) -> Material:
        return self.plan.material

    @property
    def year(self) -> int:
        return self.plan.years[1]

    def imports(self, members: Sequence[str]) -> dict[str | None, tuple[float, float]]:
        """Imports of an importer (its members; partners inside it left out) by partner: (quantity, value)."""
        inside = set(members)
        out: dict[str | None, tuple[float, float]] = {}
        for (exp, imp), (q, v) in self.flows.items():
            if imp in inside and exp not in inside:
                old = out.get(exp, (0.0, 0.0))
                out[exp] = (old[0] + q, old[1] + v)
        return out

    def exports(self, excluding: Sequence[str] = ()) -> dict[str, float]:
        """Quantity exported by each exporter to every importer outside ``excluding``."""
        skip = set(excluding)
        out: dict[str, float] = {}
        for (exp, imp), (q, _) in self.flows.items():
            if exp is not None and imp not in skip:
                out[exp] = out.get(exp, 0.0) + q
        return out

    def importers(self) -> set[str]:
        return {imp for (_, imp) in self.flows}


@dataclass
class Production:
    """World Mining Data production of one material in one year, tonnes per country where the unit allows.

    ``of`` is the material whose rows these are: the material itself, or (``proxy``) a group it belongs to
    when WMD has no sheet of its own (samarium -> rare earths); a proxy serves the world share only.
    """

    year: int | None
    stage: str | None
    unit: str | None
    by_country: dict[str, float] = field(default_factory=dict)
    tonnes: bool = False
    of: str | None = None
    proxy: bool = False

    def amount(self, members: Sequence[str]) -> float:
        return sum(self.by_country.get(m, 0.0) for m in members)

    def share(self, members: Sequence[str]) -> float | None:
        total = sum(self.by_country.values())
        return self.amount(members) / total if total > 0 else None


def _tonnes_factor(unit: str | None) -> float | None:
    text = (unit or "").strip().lower()
    if text in ("metr. t", "t") or text.startswith("t "):
        return 1.0
    if text == "kg" or text.startswith("kg "):
        return 0.001
    return None


def _nearest_year(by_year: Any, base: int | None) -> int:
    """The baseline year if present, else the latest earlier year, else the first later one."""
    years = sorted(by_year)
    if base is None:
        return years[-1]
    earlier = [y for y in years if y <= base]
    return earlier[-1] if earlier else years[0]


def _candidates(mat: Material) -> list[Material]:
    """The material, then the groups it belongs to (for world shares when it has no data of its own)."""
    registry = materials()
    return [mat, *[registry.get(g) for g in mat.groups]]


def world_group() -> Group:
    """Every country of the registry as one pseudo-importer (used to plan a cut to all destinations)."""
    iso3 = tuple(sorted(c.iso3 for c in countries().all()))
    return Group("WORLD", "World", "Wereld", iso3)


def _imports_present(
    store: Store, plans: Sequence[Plan], importers: Sequence[Country | Group] | None
) -> set[tuple[str, str, int]]:
    """The (source, material, year) of ``plans`` for which the importers have any import row."""
    if not plans:
        return set()
    by_source: dict[str, list[tr.CodeChoice]] = {}
    for plan in plans:
        by_source.setdefault(plan.source, []).append(plan.choice)
    lo = min(p.years[0] for p in plans)
    hi = max(p.years[1] for p in plans)
    flow = tr.flows(store, choices=by_source, importers=importers, years=(lo, hi))
    agg = flow.group_by(["source", "material", "year"]).aggregate(n=flow.value.count())
    return {(r["source"], r["material"], r["year"]) for r in fetch(agg) if r["n"]}


def _attempt(
    store: Store,
    mats: Sequence[Material],
    importers: Sequence[Country | Group],
    wanted: tuple[int, int] | None,
    source: str | None,
    stage: str | None,
) -> tuple[list[Plan], InputError | None]:
    try:
        plans, _ = plan_imports(store, mats, importers, wanted, source, stage)
    except InputError as exc:
        return [], exc
    return plans, None


# A default plan this many years older than the newest trade data is stale (HS92 germanium ends in 2006):
# a more recent source, even a basket code, is used instead.
STALE_YEARS = 3


def plan_baselines(
    store: Store,
    mats: Sequence[Material],
    importer: Country | Group | None,
    *,
    year: int | None = None,
    preferred_year: int | None = None,
    source: str | None = None,
    stage: str | None = None,
) -> tuple[list[Plan], list[str]]:
    """Per material, the trade source, codes and one baseline year with imports by ``importer``.

    ``importer=None`` plans a cut to all destinations and prefers sources with a world matrix
    (:data:`WORLD_SOURCES`). ``year`` is strict (an InputError when a material has no data that year);
    ``preferred_year`` (a preset's baseline) falls back to the latest year. Each plan is checked to have
    import rows (the default choice of :func:`plan_imports` can pick a source whose codes exist but hold no
    trade that year, e.g. HS92 germanium after 2006); other sources are tried then. Without a year, a plan
    more than :data:`STALE_YEARS` older than the newest trade data gives way to the most recent source.
    """
    importers: list[Country | Group] = [importer] if importer is not None else [world_group()]
    flow_importers = [importer] if importer is not None else None
    present_sources = tr.available_sources(store)
    if source is not None:
        order: list[str | None] = [source]
    elif importer is None:
        order = [*WORLD_SOURCES, *[s for s in tr.TRADE_SOURCES if s not in WORLD_SOURCES]]
    else:
        order = [None, *tr.TRADE_SOURCES]
    order = [s for s in order if s is None or s in present_sources]
    years: list[tuple[int, int] | None] = (
        [(year, year)] if year else ([(preferred_year, preferred_year), None] if preferred_year else [None])
    )
    chosen: dict[str, Plan] = {}
    first_error: dict[str, InputError] = {}
    notes: list[str] = []
    for wanted in years:
        for src in order:
            todo = [m for m in mats if m.id not in chosen]
            if not todo:
                break
            plans, error = _attempt(store, todo, importers, wanted, src, stage)
            if error is not None:
                for m in todo:
                    first_error.setdefault(m.id, error)
                continue
            found = _imports_present(store, plans, flow_importers)
            for plan in plans:
                if (plan.source, plan.material.id, plan.years[1]) in found:
                    chosen[plan.material.id] = plan
    if year is None and source is None:
        _replace_stale(store, chosen, importers, flow_importers, stage, present_sources, notes)
    for mat in mats:
        picked = chosen.get(mat.id)
        if picked is not None and preferred_year and not year and picked.years[1] != preferred_year:
            notes.append(
                f"{mat.name()}: no {preferred_year} imports in the trade data; baseline {picked.years[1]} "
                f"({picked.source})."
            )
    missing = [m for m in mats if m.id not in chosen]
    if missing and len(mats) == 1:
        raise first_error.get(missing[0].id) or _no_imports(missing[0], importer, year)
    if len(missing) == len(mats):
        raise _no_imports(missing[0], importer, year)
    for mat in missing:
        notes.append(f"Not covered — {mat.name()}: no imports in the trade data for this importer/year.")
    return [chosen[m.id] for m in mats if m.id in chosen], notes


def _replace_stale(
    store: Store,
    chosen: dict[str, Plan],
    importers: Sequence[Country | Group],
    flow_importers: Sequence[Country | Group] | None,
    stage: str | None,
    present_sources: Sequence[str],
    notes: list[str],
) -> None:
    spans = [tr.year_span(store, s) for s in present_sources]
    newest = max((span[1] for span in spans if span), default=None)
    if newest is None:
        return
    for mat_id, plan in list(chosen.items()):
        if plan.years[1] >= newest - STALE_YEARS:
            continue
        best = plan
        for src in present_sources:
            if src == plan.source:
                continue
            plans, error = _attempt(store, [plan.material], importers, None, src, stage)
            if error is None and plans and plans[0].years[1] > best.years[1]:
                if (src, mat_id, plans[0].years[1]) in _imports_present(store, plans, flow_importers):
                    best = plans[0]
        if best is not plan and best.years[1] - plan.years[1] > STALE_YEARS:
            chosen[mat_id] = best
            notes.append(
                f"{plan.material.name()}: the latest {plan.source} imports are from {plan.years[1]}; "
                f"using {best.source} {best.years[1]} instead"
                + (" (a basket code)." if best.choice.basket else ".")
            )


def _no_imports(mat: Material, importer: Country | Group | None, year: int | None) -> InputError:
    who = importer.name() if importer is not None else "any importer"
    when = f" in {year}" if year else ""
    coverage = mat.coverage_note() or "No trade codes are mapped for it."
    return InputError("material", mat.name(), f"a material with imports by {who}{when}. {coverage}")


def load_matrices(store: Store, plans: Sequence[Plan]) -> list[Matrix]:
    """The bilateral flows of every plan (all importers), one engine query per trade source."""
    from grondstof.engine import to_rows

    by_source: dict[str, list[Plan]] = {}
    for plan in plans:
        by_source.setdefault(plan.source, []).append(plan)
    raw: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    for source, group in by_source.items():
        lo = min(p.years[1] for p in group)
        hi = max(p.years[1] for p in group)
        flow = tr.flows(store, choices={source: [p.choice for p in group]}, importers=None, years=(lo, hi))
        rows = to_rows(tr.partner_totals(flow))
        # The engine returns groups in no fixed order; sorting makes every float sum (and so every
        # simulation drawing on these flows) the same from run to run.
        rows.sort(key=lambda r: (r["material"], r["year"], r["exporter"] or "", r["importer"] or ""))
        for row in rows:
            raw.setdefault((row["source"], row["material"], row["year"]), []).append(row)
    out = []
    for plan in plans:
        rows = raw.get((plan.source, plan.material.id, plan.years[1]), [])
        out.append(_matrix(plan, rows))
    return out


def _matrix(plan: Plan, rows: list[dict[str, Any]]) -> Matrix:
    currency = tr.currency(plan.source)
    with_t = sum((r["value"] or 0.0) - (r["value_no_tonnes"] or 0.0) for r in rows if r["tonnes"])
    tonnes = sum(r["tonnes"] or 0.0 for r in rows)
    world = plan.source in WORLD_SOURCES
    flows: dict[tuple[str | None, str], tuple[float, float]] = {}
    if plan.source == "comext_cn8" or tonnes <= 0:
        for r in rows:
            flows[(r["exporter"], r["importer"])] = (r["value"] or 0.0, r["value"] or 0.0)
        return Matrix(plan, "value", currency, currency, flows, 0.0, world)
    unit_value = with_t / tonnes  # value per tonne over the flows that have a quantity
    estimated = 0.0
    for r in rows:
        missing = r["value_no_tonnes"] or 0.0
        extra = missing / unit_value if unit_value > 0 else 0.0
        estimated += extra
        flows[(r["exporter"], r["importer"])] = ((r["tonnes"] or 0.0) + extra, r["value"] or 0.0)
    total = sum(q for q, _ in flows.values())
    return Matrix(plan, "tonnes", "t", currency, flows, estimated / total if total else 0.0, world)


def load_production(store: Store, mats: Sequence[Material], years: dict[str, int]) -> dict[str, Production]:
    """World Mining Data production per country for each material, in the year nearest the baseline.

    The year is the baseline year if WMD has it, else the latest earlier year, else WMD's first year. A
    group material without rows of its own (e.g. ``hree``) uses its members' rows when they share one unit;
    a material without rows uses its group's (a proxy: world share only, never domestic supply).
    """
    registry = materials()
    options: dict[str, list[tuple[str, list[str]]]] = {}
    for mat in mats:
        options[mat.id] = [(mat.id, [mat.id] + [m.id for m in registry.members(mat.id)])]
        options[mat.id] += [(g.id, [g.id]) for g in _candidates(mat)[1:]]
    wanted = sorted({i for opts in options.values() for _, ids in opts for i in ids})
    prod = store.table("production")
    sel = prod.filter((prod.source == "wmd") & prod.material.isin(wanted) & prod.quantity.notnull())
    rows = fetch(sel.select("material", "stage", "country", "year", "quantity", "unit"))
    out: dict[str, Production] = {}
    for mat in mats:
        out[mat.id] = Production(None, None, None)
        for number, (of, ids) in enumerate(options[mat.id]):
            mine = [r for r in rows if r["material"] == of] or [r for r in rows if r["material"] in ids]
            if not mine:
                continue
            year = _nearest_year({r["year"] for r in mine}, years.get(mat.id))
            chosen = [r for r in mine if r["year"] == year]
            units = {r["unit"] for r in chosen}
            if len(units) > 1:
                continue
            factor = _tonnes_factor(next(iter(units)))
            by_country: dict[str, float] = {}
            for r in chosen:
                by_country[r["country"]] = by_country.get(r["country"], 0.0) + r["quantity"] * (factor or 1.0)
            stages = "/".join(sorted({r["stage"] for r in chosen}))
            unit = "t" if factor else next(iter(units))
            out[mat.id] = Production(year, stages, unit, by_country, factor is not None, of, number > 0)
            break
    return out


@dataclass
class WorldExports:
    """Exports of one material (or, as a ``proxy``, of its group) by exporter, by value, in a BACI matrix."""

    source: str | None = None
    year: int | None = None
    codes: tuple[str, ...] = ()
    basket: bool = False
    by_exporter: dict[str, float] = field(default_factory=dict)
    of: str | None = None
    proxy: bool = False

    def share(self, members: Sequence[str]) -> float | None:
        total = sum(self.by_exporter.values())
        return sum(self.by_exporter.get(m, 0.0) for m in members) / total if total > 0 else None


def load_world_exports(
    store: Store, mats: Sequence[Material], years: dict[str, int]
) -> dict[str, WorldExports]:
    """Per material, exports by exporter in the best BACI world matrix, nearest the baseline year.

    Data within two years of the baseline first (HS92 germanium stops in 2006), then own codes before basket
    codes, then :data:`WORLD_SOURCES` order. A material with no codes of its own in these sources uses its
    group's (rare earths for samarium), as a proxy.
    """
    present = [s for s in WORLD_SOURCES if s in tr.available_sources(store)]
    seen: set[tuple[str, str]] = set()
    choices: dict[str, list[tr.CodeChoice]] = {}
    for mat in mats:
        for candidate in _candidates(mat):
            for src in present:
                choice = tr.code_choice(candidate, tr.TRADE_SOURCES[src])
                if choice.codes and (src, candidate.id) not in seen:
                    seen.add((src, candidate.id))
                    choices.setdefault(src, []).append(choice)
    out = {m.id: WorldExports() for m in mats}
    if not choices:
        return out
    flow = tr.flows(store, choices=choices, importers=None, years=None)
    agg = flow.filter(flow.exporter.notnull()).group_by(["source", "material", "year", "exporter"])
    rows = fetch(agg.aggregate(value=flow.value.sum(), basket=flow.basket.max()))
    index: dict[tuple[str, str], dict[int, dict[str, float]]] = {}
    baskets: dict[tuple[str, str], bool] = {}
    for r in rows:
        per_year = index.setdefault((r["source"], r["material"]), {})
        per_year.setdefault(r["year"], {})[r["exporter"]] = r["value"]
        baskets[(r["source"], r["material"])] = bool(r["basket"])
    for mat in mats:
        base = years.get(mat.id)
        for number, candidate in enumerate(_candidates(mat)):
            cid = candidate.id
            options = [src for src in present if (src, cid) in index]
            if not options:
                continue
            picks = {src: _nearest_year(index[(src, cid)], base) for src in options}

            def rank(
                src: str, cid: str = cid, picks: dict[str, int] = picks, base: int | None = base
            ) -> tuple[bool, bool, int, int]:
                gap = abs((base or picks[src]) - picks[src])
                return (gap > 2, baskets[(src, cid)], gap, present.index(src))

            src = min(options, key=rank)
            year = picks[src]
            choice = tr.code_choice(candidate, tr.TRADE_SOURCES[src])
            out[mat.id] = WorldExports(
                src, year, choice.codes, baskets[(src, cid)], index[(src, cid)][year], cid, number > 0
            )
            break
    return out


# ---- the scenario --------------------------------------------------------------------------------------


@dataclass
class _Context:
    spec: CutoffSpec
    suppliers: list[Country | Group]
    supplier_codes: tuple[str, ...]
    view: Country | Group | None
    destination: Country | Group | None  # None: all destinations
    lang: str


def _resolve_place(text: str, parameter: str) -> Country | Group | None:
    if text.strip().casefold() in WORLD_WORDS:
        return None
    return countries().resolve_importer(text, parameter=parameter)


def _context(spec: CutoffSpec, lang: str) -> _Context:
    if not spec.materials:
        raise InputError("materials", "", "one or more materials (or a preset)")
    if not spec.suppliers:
        raise InputError("suppliers", "", "one or more supplier countries (or a preset)")
    suppliers = countries().resolve_many(",".join(spec.suppliers), parameter="supplier")
    codes = tuple(sorted({m for s in suppliers for m in s.members}))
    view = _resolve_place(spec.country, "country")
    destination = _resolve_place(spec.destination, "destination") if spec.destination else view
    for place, name in ((view, "country"), (destination, "destination")):
        if place is not None and set(place.members) & set(codes):
            raise InputError(
                "supplier",
                ", ".join(spec.suppliers),
                f"supplier countries other than the importer ({name} {place.name()})",
            )
    return _Context(spec, suppliers, codes, view, destination, lang)


def _row(
    ctx: _Context,
    matrix: Matrix,
    scope: str,
    importer: Country | Group | None,
    importer_code: str,
    imports: dict[str | None, tuple[float, float]],
    production: Production,
    cut: Cut,
    lost_value: float,
    world_production_share: float | None,
    world_export_share: float | None,
    alternatives: list[str],
) -> dict[str, Any]:
    total_imports = sum(q for q, _ in imports.values())
    members = importer.members if importer is not None else ()
    domestic: float | None = None
    if matrix.basis == "tonnes" and production.tonnes and not production.proxy and importer is not None:
        domestic = production.amount(members)
    supply = total_imports + (domestic or 0.0)
    from_suppliers = sum(imports.get(s, (0.0, 0.0))[0] for s in ctx.supplier_codes)
    period = supply * ctx.spec.months / 12.0
    name = importer.name(ctx.lang) if importer is not None else _world_label(matrix, ctx.lang)
    if importer is not None and isinstance(importer, Country):
        name = country_name(importer.iso3, ctx.lang) or name
    return {
        "scope": scope,
        "importer": importer_code,
        "importer_name": name,
        "material": matrix.material.id,
        "material_name": matrix.material.name(ctx.lang),
        "year": matrix.year,
        "source": matrix.plan.source,
        "basis": matrix.basis,
        "unit": matrix.unit,
        "supply": supply,
        "imports": total_imports,
        "domestic_production": domestic,
        "from_suppliers": from_suppliers,
        "lost": cut.lost,
        "lost_share": cut.lost / period if period > 0 else None,
        "lost_value": lost_value,
        "currency": matrix.currency,
        "capacity": cut.capacity,
        "replaced": cut.replaced,
        "shortfall": cut.shortfall,
        "shortfall_share": cut.shortfall / period if period > 0 else None,
        **bridge(cut.shortfall, supply, ctx.spec.stock_days),
        "world_production_share": world_production_share,
        "world_export_share": world_export_share,
        "alternatives": alternatives,
    }


def _world_label(matrix: Matrix, lang: str) -> str:
    if matrix.plan.source == "comext_cn8":
        return "All EU importers (Comext)" if lang == "en" else "Alle EU-importeurs (Comext)"
    if not matrix.world_source:
        return (
            f"All importers in {matrix.plan.source}"
            if lang == "en"
            else f"Alle importeurs in {matrix.plan.source}"
        )
    return "World" if lang == "en" else "Wereld"


def _capacity_base(
    ctx: _Context, matrix: Matrix, production: Production, target: Country | Group | None
) -> tuple[dict[str, float], str]:
    """Each alternative supplier's base for the ramp-up: exports to others, or production (tonnes only).

    Alternatives are every exporter except the cut suppliers and the importer itself. Members of an importer
    group (EU-27) may redirect their exports outside the group to it; their production is already the
    group's domestic supply, so on the production basis they are left out.
    """
    members = tuple(target.members) if target is not None else ()
    skip = set(ctx.supplier_codes)
    if (
        ctx.spec.capacity == "production"
        and matrix.basis == "tonnes"
        and production.tonnes
        and not production.proxy
    ):
        skip |= set(members)
        base = {c: q for c, q in production.by_country.items() if c not in skip and q > 0}
        return base, "production"
    if isinstance(target, Country):
        skip.add(target.iso3)
    base = {c: q for c, q in matrix.exports(members).items() if c not in skip and q > 0}
    return base, "exports"


def _top(base: dict[str, float], n: int = 5) -> list[str]:
    return [c for c, _ in sorted(base.items(), key=lambda kv: -kv[1])[:n]]


def _material_rows(
    ctx: _Context, matrix: Matrix, production: Production, world: WorldExports
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    spec = ctx.spec
    wps = production.share(ctx.supplier_codes) if production.by_country else None
    wes = world.share(ctx.supplier_codes) if world.by_exporter else None
    rows: list[dict[str, Any]] = []
    if ctx.destination is not None:
        target = ctx.destination
        imports = matrix.imports(target.members)
        base, used = _capacity_base(ctx, matrix, production, target)
        from_s = sum(imports.get(s, (0.0, 0.0))[0] for s in ctx.supplier_codes)
        value_s = sum(imports.get(s, (0.0, 0.0))[1] for s in ctx.supplier_codes)
        cut = cut_arithmetic(from_s, sum(base.values()), spec.share, spec.months, spec.ramp_up)
        lost_value = spec.share * value_s * spec.months / 12.0
        scope = "importer" if ctx.view is None or ctx.view.code == target.code else "destination"
        rows.append(
            _row(
                ctx,
                matrix,
                scope,
                target,
                target.code,
                imports,
                production,
                cut,
                lost_value,
                wps,
                wes,
                _top(base),
            )
        )
        if ctx.view is not None and ctx.view.code != target.code:
            imports_v = matrix.imports(ctx.view.members)
            zero = Cut(0.0, 0.0, 0.0, 0.0)
            rows.insert(
                0,
                _row(
                    ctx,
                    matrix,
                    "importer",
                    ctx.view,
                    ctx.view.code,
                    imports_v,
                    production,
                    zero,
                    0.0,
                    wps,
                    wes,
                    [],
                ),
            )
        extra = {"alternatives_basis": used, "capacity_by_supplier": _capacity_meta(base, spec)}
        return rows, extra
    # All destinations: everyone loses the suppliers' exports; alternatives serve everyone pro rata.
    base, used = _capacity_base(ctx, matrix, production, None)
    exports = matrix.exports()
    from_s_world = sum(exports.get(s, 0.0) for s in ctx.supplier_codes)
    value_world = sum(v for (e, _), (_, v) in matrix.flows.items() if e in ctx.supplier_codes)
    world_cut = cut_arithmetic(from_s_world, sum(base.values()), spec.share, spec.months, spec.ramp_up)
    ratio = world_cut.replaced / world_cut.lost if world_cut.lost > 0 else 0.0
    world_imports: dict[str | None, tuple[float, float]] = {}
    for (exp, _), (q, v) in matrix.flows.items():
        old = world_imports.get(exp, (0.0, 0.0))
        world_imports[exp] = (old[0] + q, old[1] + v)
    world_row = _row(
        ctx,
        matrix,
        "world",
        None,
        "WORLD",
        world_imports,
        production,
        world_cut,
        spec.share * value_world * spec.months / 12.0,
        wps,
        wes,
        _top(base),
    )
    # World supply: all recorded trade plus world production would double count; use trade only.
    world_row["domestic_production"] = None

    def importer_row(place: Country | Group, scope: str) -> dict[str, Any]:
        imports = matrix.imports(place.members)
        from_s = sum(imports.get(s, (0.0, 0.0))[0] for s in ctx.supplier_codes)
        value_s = sum(imports.get(s, (0.0, 0.0))[1] for s in ctx.supplier_codes)
        lost = spec.share * from_s * spec.months / 12.0
        replaced = lost * ratio
        cut = Cut(
            lost,
            world_cut.capacity * (lost / world_cut.lost if world_cut.lost else 0.0),
            replaced,
            lost - replaced,
        )
        lost_value = spec.share * value_s * spec.months / 12.0
        top = _top(base) if scope == "importer" else []
        return _row(
            ctx, matrix, scope, place, place.code, imports, production, cut, lost_value, wps, wes, top
        )

    if ctx.view is not None:
        rows.append(importer_row(ctx.view, "importer"))
    rows.append(world_row)
    if ctx.view is None:
        affected = []
        registry = countries()
        for imp in matrix.importers():
            country = registry.from_iso3(imp)
            if country is None:
                continue
            row = importer_row(country, "affected")
            if row["lost"] > 0:
                affected.append(row)
        affected.sort(key=lambda r: (-r["shortfall"], -r["lost"]))
        rows.extend(affected[: spec.top])
    extra = {"alternatives_basis": used, "capacity_by_supplier": _capacity_meta(base, spec)}
    return rows, extra


def _capacity_meta(base: dict[str, float], spec: CutoffSpec) -> list[dict[str, Any]]:
    years = spec.months / 12.0
    return [
        {"supplier": c, "base": q, "capacity": spec.ramp_up * q * years}
        for c, q in sorted(base.items(), key=lambda kv: -kv[1])[:10]
    ]


def _assumptions(ctx: _Context) -> list[str]:
    spec = ctx.spec
    base = (
        "their World Mining Data production"
        if spec.capacity == "production"
        else "their current exports of the material to every other importer"
    )
    out = [
        f"Lost = share ({spec.share:g}) × annual imports from {', '.join(ctx.supplier_codes)} × "
        f"months ({spec.months:g})/12.",
        f"Alternative suppliers (every other exporter of the material in the trade source) can add at most "
        f"ramp_up ({spec.ramp_up:g}) × {base} over the same months; replaced = min(lost, that capacity).",
        "Shortfall = lost − replaced. Daily use = (imports + domestic production)/365; stock days to bridge "
        "= shortfall / daily use.",
        "The baseline year's annual flows stand for a normal year; prices, demand response, substitution, "
        "recycling and stock draw-down elsewhere are not modelled.",
    ]
    if ctx.destination is None:
        out.insert(
            2,
            "Cut to all destinations: every importer loses its imports from the suppliers; the alternatives' "
            "capacity (× their exports to all importers) is shared in proportion to what each importer lost.",
        )
    if spec.capacity == "production":
        out.append("capacity=production applies on a tonnes basis only; on a value basis exports are used.")
    return out


def run_cutoff(spec: CutoffSpec, *, store: Store | None = None, lang: str = "en") -> Result:
    """Run a validated :class:`CutoffSpec` (a preset, if named, must already be applied)."""
    store = store or open_store()
    ctx = _context(spec, lang)
    registry = materials()
    mats: list[Material] = []
    for text in spec.materials:
        mats.extend(m for m in registry.resolve_many(text, parameter="material") if m not in mats)
    # Plan with the destination's data, or the asked importer's when the cut goes to everyone (so NL gets
    # its Comext CN8 codes rather than a world basket); with neither, a world matrix.
    plan_for = ctx.destination if ctx.destination is not None else ctx.view
    plans, notes = plan_baselines(
        store,
        mats,
        plan_for,
        year=spec.year,
        preferred_year=spec.baseline_year,
        source=spec.source,
        stage=spec.stage,
    )
    matrices = load_matrices(store, plans)
    years = {m.material.id: m.year for m in matrices}
    planned = [p.material for p in plans]
    production = load_production(store, planned, years)
    world = load_world_exports(store, planned, years)
    rows: list[dict[str, Any]] = []
    per_material = []
    for matrix in matrices:
        mid = matrix.material.id
        mat_rows, extra = _material_rows(ctx, matrix, production[mid], world[mid])
        rows.extend(mat_rows)
        per_material.append(_material_meta(matrix, production[mid], world[mid], extra, lang))
        notes.extend(_material_notes(ctx, matrix, production[mid], world[mid], extra))
    if spec.price_date is not None:
        notes.extend(_market_values(store, matrices, rows, spec.price_date, lang))
    meta = _meta(store, ctx, matrices, rows, per_material, notes)
    what = ", ".join(m.name(lang) for m in planned) if len(planned) <= 3 else f"{len(planned)} materials"
    who = ", ".join(s.name(lang) for s in ctx.suppliers)
    to = "all destinations" if ctx.destination is None else ctx.destination.name(lang)
    title = f"Cut-off: {who} stops {spec.share:.0%} of {what} exports to {to} for {spec.months:g} months"
    return Result(title, CUTOFF_FIELDS, rows, meta)


def _market_values(
    store: Store, matrices: Sequence[Matrix], rows: list[dict[str, Any]], price_date: str, lang: str
) -> list[str]:
    """Value lost and shortfall tonnes at the market price of ``price_date`` (EUR, ECB annual rate).

    Only on a tonnes basis and for refined-stage codes (the form exchange prices quote); every row of the
    material says which price was used or why none was (``market_price``). The trade value stays beside it.
    """
    notes = []
    for matrix in matrices:
        mine = [r for r in rows if r["material"] == matrix.material.id]
        name = matrix.material.name(lang)
        price, why = None, ""
        if matrix.basis != "tonnes":
            why = f"{matrix.plan.source} has no tonnes: no market value"
        elif not market_priceable(matrix.plan.choice.stages):
            why = f"codes at stage {'+'.join(matrix.plan.choice.stages)}, not the refined form prices quote"
        else:
            price, why = market_price(store, matrix.material.id, price_date)
        for row in mine:
            if price is None:
                row.update(lost_value_market_eur=None, shortfall_value_market_eur=None, market_price=why)
                continue
            row.update(
                lost_value_market_eur=row["lost"] * price.eur_per_t,
                shortfall_value_market_eur=row["shortfall"] * price.eur_per_t,
                market_price=price.label,
            )
        notes.append(f"{name}: {price.label}." if price is not None else f"{name}: {why}.")
    notes.append(
        "Market values count the gross tonnes of the traded codes at the price of the priced product; "
        "lost_value is the same loss at trade values (the source's currency and year)."
    )
    return notes


def _material_meta(
    matrix: Matrix, production: Production, world: WorldExports, extra: dict[str, Any], lang: str
) -> dict[str, Any]:
    plan = matrix.plan
    return {
        "id": plan.material.id,
        "name": plan.material.name(lang),
        "source": plan.source,
        "classification": plan.choice.classification,
        "codes": list(plan.choice.codes),
        "basket": plan.choice.basket,
        "stages": list(plan.choice.stages),
        "year": matrix.year,
        "basis": matrix.basis,
        "unit": matrix.unit,
        "currency": matrix.currency,
        "tonnes_estimated_share": matrix.estimated if matrix.basis == "tonnes" else None,
        "world_production": {
            "source": "wmd" if production.year else None,
            "year": production.year,
            "stage": production.stage,
            "unit": production.unit,
        },
        "world_exports": {
            "source": world.source,
            "year": world.year,
            "codes": list(world.codes),
            "basket": world.basket,
            "basis": "value",
        },
        **extra,
    }


def _material_notes(
    ctx: _Context, matrix: Matrix, production: Production, world: WorldExports, extra: dict[str, Any]
) -> list[str]:
    name = matrix.material.name(ctx.lang)
    notes = []
    plan = matrix.plan
    if plan.choice.basket:
        notes.append(
            f"{name}: the {plan.choice.classification} code(s) {', '.join(plan.choice.codes)} cover several "
            "materials; flows are for the whole basket."
        )
    if matrix.basis == "value":
        notes.append(
            f"{name}: {plan.source} has no tonnes, so lost, replaced and shortfall are in {matrix.currency} "
            "(value) and supply is imports only (domestic production cannot be added in value)."
        )
    elif matrix.estimated > 0.001:
        notes.append(
            f"{name}: {matrix.estimated:.1%} of the tonnes were derived from value at the world unit value "
            "(BACI rows without a quantity)."
        )
    if not matrix.world_source:
        where = "EU importers" if plan.source == "comext_cn8" else "ASEAN-related flows"
        notes.append(
            f"{name}: {plan.source} covers {where} only, so alternative suppliers' exports 'to everyone "
            "else' are those to the importers it covers: replacement is a lower bound."
        )
    if plan.source == "baci_hs22_hs4":
        notes.append(
            f"{name}: baci_hs22_hs4 keeps the top 200 exporter-importer pairs per HS4 group (84–100 % of "
            "world value): small flows, and so some alternatives, are missing."
        )
    if extra["alternatives_basis"] != ctx.spec.capacity:
        notes.append(f"{name}: alternatives' capacity from exports (production needs a tonnes basis).")
    if extra["alternatives_basis"] == "production":
        notes.append(
            f"{name}: alternatives' production (WMD, {production.stage}, content basis) is compared with "
            "traded gross weight."
        )
    if production.year is None:
        notes.append(f"{name}: no World Mining Data production; world production share unknown.")
    elif production.proxy:
        group = materials().get(production.of or "").name(ctx.lang)
        notes.append(f"{name}: no WMD sheet of its own; world production share is that of {group}.")
    elif matrix.basis == "tonnes" and not production.tonnes:
        notes.append(f"{name}: WMD unit {production.unit!r} is not tonnes; domestic production not added.")
    if world.proxy:
        group = materials().get(world.of or "").name(ctx.lang)
        notes.append(f"{name}: no BACI codes of its own; world export share is that of {group}.")
    if world.source is None:
        notes.append(f"{name}: no BACI world matrix with its codes; world export share unknown.")
    elif world.basket:
        notes.append(
            f"{name}: world export share from the basket code(s) {', '.join(world.codes)} ({world.source})."
        )
    return notes


def _meta(
    store: Store,
    ctx: _Context,
    matrices: Sequence[Matrix],
    rows: list[dict[str, Any]],
    per_material: list[dict[str, Any]],
    notes: list[str],
) -> dict[str, Any]:
    spec = ctx.spec
    trade_sources = sorted({m.plan.source for m in matrices}, key=list(tr.TRADE_SOURCES).index)
    world_sources = sorted(
        {pm["world_exports"]["source"] for pm in per_material if pm["world_exports"]["source"]}
    )
    cited = [*trade_sources, *[s for s in world_sources if s not in trade_sources], "wmd"]
    if spec.preset:
        cited.append("export_controls")
    units = {
        "lost, replaced, shortfall, supply": "per material in `unit`: t (tonnes) or the source's currency",
        "lost_value": "; ".join(f"{s}: {tr.currency(s)}" for s in trade_sources),
        "shares": "fraction 0–1",
        "stock_days_to_bridge": "days of average use",
    }
    if ctx.destination is None:
        notes.insert(
            0,
            "World row: supply is all recorded trade of the material in the source (no production added).",
        )
    meta: dict[str, Any] = {
        "query": {
            "materials": [m.material.id for m in matrices],
            "suppliers": list(ctx.supplier_codes),
            "country": ctx.view.code if ctx.view is not None else "all",
            "destination": ctx.destination.code if ctx.destination is not None else "all",
            "share": spec.share,
            "months": spec.months,
            "ramp_up": spec.ramp_up,
            "capacity": spec.capacity,
            "stock_days": spec.stock_days,
            "year": spec.year,
            "baseline_year": spec.baseline_year,
            "source": spec.source,
            "stage": spec.stage,
            "preset": spec.preset,
        },
        "assumptions": _assumptions(ctx),
        "sources": store.cite(*cited),
        "units": units,
        "materials": per_material,
        "notes": notes,
    }
    # Totals for one material: the asked importer's row, or the world row without one.
    head = [r for r in rows if r["scope"] == "importer"] or [r for r in rows if r["scope"] == "world"]
    single = len(matrices) == 1 and head
    row = head[0] if single else None
    tonnes = row is not None and row["basis"] == "tonnes"
    meta.update(
        {
            "basis": row["basis"] if row else None,
            "unit": row["unit"] if row else None,
            "lost": row["lost"] if row else None,
            "replaced": row["replaced"] if row else None,
            "shortfall": row["shortfall"] if row else None,
            "lost_tonnes": row["lost"] if tonnes and row else None,
            "replaced_tonnes": row["replaced"] if tonnes and row else None,
            "shortfall_tonnes": row["shortfall"] if tonnes and row else None,
            "lost_share": row["lost_share"] if row else None,
            "stock_days_to_bridge": row["stock_days_to_bridge"] if row else None,
        }
    )
    if row is not None and not tonnes:
        notes.append(
            f"Totals are in {row['unit']} (value): the trade source has no tonnes, so lost_tonnes, "
            "replaced_tonnes and shortfall_tonnes are null."
        )
    if len(matrices) > 1:
        notes.append(
            "Several materials: totals are per material in the rows (units differ between materials)."
        )
    return meta


# ---- entry points --------------------------------------------------------------------------------------


def cutoff(
    materials: str | Sequence[str],
    suppliers: str | Sequence[str],
    country: str = "all",
    share: float = 1.0,
    months: float = 12,
    *,
    destination: str | None = None,
    stock_days: float | None = None,
    ramp_up: float = DEFAULT_RAMP_UP,
    capacity: str = "exports",
    year: int | None = None,
    source: str | None = None,
    stage: str | None = None,
    top: int = DEFAULT_TOP,
    price_date: str | None = None,
    store: Store | None = None,
    lang: str = "en",
) -> Result:
    """Supplier cut-off: lost supply, what alternatives can replace, the shortfall and the stock to bridge it.

    Parameters
    ----------
    materials:
        One or more materials (names, symbols, aliases; a comma list, ``crm`` or ``strategic``).
    suppliers:
        The supplier countries that stop exporting (codes or names, comma list).
    country:
        The importer (code, name, ``EU27``) or ``all`` for the world view with the most affected importers.
    share, months:
        Fraction of the suppliers' exports that stops (0–1) and the duration in months (> 0).
    destination:
        Whom the cut applies to; default the same as ``country``. ``all`` with a ``country`` reports that
        importer's share of a cut to everyone.
    stock_days:
        Days of average use held in stock: the result says whether it bridges the shortfall.
    ramp_up, capacity:
        Alternative suppliers can add ``ramp_up`` × their current exports to everyone else (``exports``) or
        × their production (``production``) per year.
    year, source, stage:
        Baseline year (default the latest with imports), trade source and value-chain stage.
    price_date:
        A year or month: lost and shortfall tonnes also valued at the market price of that date (EUR at the
        ECB annual rate; refined-stage codes with tonnes only), beside the trade value.

    The formulas are in the module docstring. Raises :class:`InputError` naming the bad parameter.
    """
    data = {
        "materials": materials,
        "suppliers": suppliers,
        "country": country,
        "share": share,
        "months": months,
        "destination": destination,
        "stock_days": stock_days,
        "ramp_up": ramp_up,
        "capacity": capacity,
        "year": year,
        "source": source,
        "stage": stage,
        "top": top,
        "price_date": None if price_date is None else str(price_date),
    }
    spec = validate(CutoffSpec, {k: v for k, v in data.items() if v is not None}, source="cutoff")
    return run_cutoff(spec, store=store, lang=lang)


def build_spec(
    *,
    preset: str | None = None,
    file: str | None = None,
    store: Store | None = None,
    **options: Any,
) -> CutoffSpec:
    """Merge a preset, a scenario file and explicit options (in that order of precedence, last wins).

    Options that are None are not given. A preset fills materials, suppliers, destination, stage, share,
    months and the baseline year; the file and the options override any of them.
    """
    data: dict[str, Any] = {}
    if file is not None:
        data = load_scenario(CutoffSpec, file).model_dump(exclude_unset=True)
    given = {k: v for k, v in options.items() if v is not None}
    preset_id = given.pop("preset", None) or preset or data.get("preset")
    merged: dict[str, Any] = {}
    if preset_id:
        from grondstof.scenarios.presets import get_preset

        found = get_preset(preset_id, store)
        merged.update(found.scenario())
        merged["preset"] = found.id
        if found.baseline_year:
            merged["baseline_year"] = found.baseline_year
        # A preset aimed at one country: report that country unless another is asked for.
        if found.destination != "all":
            merged["country"] = found.destination
    merged.update({k: v for k, v in data.items() if k != "preset"})
    merged.update(given)
    return validate(CutoffSpec, merged, source="cutoff")


def _spec(field: str) -> dict[str, Any]:
    """The bounds of a :class:`CutoffSpec` field: the parameter model repeats no number."""
    return bounds_of(CutoffSpec, field)


class CutoffParams(Params):
    """Parameters of :func:`cutoff_scenario` (``grondstof scenario cutoff``, ``/api/v1/scenario/cutoff``).

    Bounds come from :class:`CutoffSpec`, the model of scenario files, so a file, the command line and the
    API accept the same values. ``None`` means "not given": the preset, then the file, then the defaults.
    """

    preset: Annotated[
        str | None,
        described(
            "A preset id (grondstof scenario presets), e.g. CN-2023-GaGe.",
            "Een voorinstelling (grondstof scenario presets), bijv. CN-2023-GaGe.",
            max_length=60,
        ),
    ] = None
    materials: Annotated[
        str | None,
        described(
            "Material(s) hit: a comma list.", "Getroffen grondstof(fen): een kommalijst.", max_length=500
        ),
        Cli(flags=("--material", "--materials", "-m")),
    ] = None
    suppliers: Annotated[
        str | None,
        described(
            "Supplier country(ies) that stop exporting: a comma list.",
            "Leverende land(en) die stoppen met exporteren: een kommalijst.",
            max_length=200,
        ),
        Cli(flags=("--supplier", "--suppliers")),
    ] = None
    country: Annotated[
        str | None,
        described(
            "The importer reported: a country, EU27, or all (the world with the most affected importers).",
            "De importeur waarover gerapporteerd wordt: een land, EU27 of all (de wereld).",
            max_length=200,
        ),
        Cli(flags=("--country", "-c")),
    ] = None
    destination: Annotated[
        str | None,
        described(
            "Whom the cut applies to (default: the importer; all = everyone).",
            "Voor wie de stop geldt (standaard: de importeur; all = iedereen).",
            max_length=200,
        ),
    ] = None
    share: Annotated[
        float | None,
        described(
            "Share of the suppliers' exports that stops, 0–1 (default 1).",
            "Deel van de export van de leveranciers dat stopt, 0–1 (standaard 1).",
            **_spec("share"),
        ),
    ] = None
    months: Annotated[
        float | None,
        described(
            "Months the cut lasts (default 12).",
            "Maanden dat de stop duurt (standaard 12).",
            **_spec("months"),
        ),
    ] = None
    stock_days: Annotated[
        float | None,
        described("Days of use held in stock.", "Dagen verbruik op voorraad.", **_spec("stock_days")),
    ] = None
    ramp_up: Annotated[
        float | None,
        described(
            "Alternatives' extra supply per year, as a share of their base (default 0.1).",
            "Extra aanbod van alternatieven per jaar, als deel van hun basis (standaard 0,1).",
            **_spec("ramp_up"),
        ),
    ] = None
    capacity: Annotated[
        Literal["exports", "production"] | None,
        described(
            "Alternatives' base: their exports (default) or their production.",
            "Basis van de alternatieven: hun export (standaard) of hun productie.",
        ),
    ] = None
    year: Annotated[
        int | None,
        described("Baseline year of the trade flows.", "Basisjaar van de handelsstromen.", **_spec("year")),
    ] = None
    source: TradeSource = None
    stage: Stage = None
    price_date: Annotated[
        str | None,
        described(
            "Also value the loss at the market price of this year (2024) or month (2022-03), in EUR.",
            "Waardeer het verlies ook tegen de marktprijs van dit jaar (2024) of deze maand (2022-03), "
            "in EUR.",
            max_length=20,
            pattern=PERIOD_PATTERN,
        ),
    ] = None
    file: DataFile = None
    lang: Lang = "en"


def cutoff_scenario(
    *,
    preset: str | None = None,
    file: str | None = None,
    store: Store | None = None,
    lang: str = "en",
    **options: Any,
) -> Result:
    """Run a cut-off from a preset id, a YAML/JSON scenario file and/or options (see :func:`build_spec`)."""
    store = store or open_store()
    spec = build_spec(preset=preset, file=file, store=store, **options)
    return run_cutoff(spec, store=store, lang=lang)
