"""Material demand of an energy-transition deployment scenario, with replacements, end of life and levers.

A scenario file (YAML or JSON, see ``examples/transition_nl_2035.yaml``) lists deployments per technology
— yearly additions, or stock targets that are interpolated — plus parameters (lifetimes, battery pack size,
chemistry shares, collection and recycling rates) and levers. :func:`transition` turns it into material
demand per year, technology and material and sets that against the country's current imports and world
production.

Cohort model (stock-driven where targets are given, inflow-driven where additions are given)::

    retirements(t) = Σ_c installs(c) · λ(t − c)            λ: fixed lifetime L (λ(L) = 1) or Weibull
    stock mode:      installs(t) = max(0, target(t) − (stock(t−1) − retirements(t)))
    additions mode:  installs(t) = additions(t) + retirements(t)          (like-for-like replacement)
    demand(t, m)     = Σ_tech installs(t) · intensity(tech, t, m)
    eol(t, m)        = Σ_tech Σ_c retirements(t, c) · intensity(tech, c, m) · collection · recycling(m)
    primary(t, m)    = demand(t, m) · (1 − recycled content(m))

This is the dynamic stock model of industrial ecology (outflow = Σ inflow(c) · λ(t − c); ODYM/flodym
README, Pauliuk & Heeren 2020), written out here for single technologies. The first value of a stock
series is the stock already installed; it is given an age distribution (uniform over one lifetime, or all
new) so that it retires and is replaced within the horizon.

Intensities: IEA (2021) kg/MW for power technologies; for battery-electric cars the IEA kg/vehicle minus
its 75 kWh NMC 622 reference battery, plus BatPac kg/kWh × pack size for the scenario's chemistry mix;
stationary storage BatPac kg/kWh × 1 000 per MWh.

Each lever is run on its own against the scenario without levers, and all together; ``meta["levers"]`` (or
``by="lever"``) gives the primary-demand reduction per lever and material in tonnes and as a share.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field as PField
from pydantic import ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from grondstof.errors import InputError
from grondstof.indicators._common import parse_years, year_range_text
from grondstof.parameters import Cli, Lang, Params, Web, described
from grondstof.registry._text import suggest
from grondstof.registry.materials import materials as material_registry
from grondstof.result import Field, Result
from grondstof.scenarios._inputs import ScenarioModel, load_scenario, read_document, resolve_file, validate
from grondstof.scenarios.technologies import (
    Intensities,
    Technology,
    defaults,
    load_intensities,
    resolve_technology,
)
from grondstof.store import Store

EXAMPLES_DIR = Path(__file__).with_name("examples")
# Units accepted per kind of technology and their factor to the base unit (MW, vehicle, MWh).
UNITS: dict[str, dict[str, float]] = {
    "power": {"MW": 1.0, "GW": 1000.0, "kW": 0.001},
    "vehicle": {"vehicles": 1.0, "vehicle": 1.0, "thousand vehicles": 1000.0},
    "storage": {"MWh": 1.0, "GWh": 1000.0, "kWh": 0.001},
}
# kg of element per kg of the WMD content basis (molar masses: Li 6.941, O 15.999, Cr 51.996).
CONTENT_FACTORS = {"Li2O": 2 * 6.941 / (2 * 6.941 + 15.999), "Cr2O3": 2 * 51.996 / (2 * 51.996 + 3 * 15.999)}
LEVERS = ("recycled_content", "lifetime_extension_years", "vehicles_avoided", "chemistry_shift")
Year = Annotated[int, PField(ge=1900, le=2200)]
NonNegative = Annotated[float, PField(ge=0)]
Share = Annotated[float, PField(ge=0, le=1)]


# ---- the scenario file -----------------------------------------------------------------------------------


class SourceRef(ScenarioModel):
    """A publication that a number in the scenario comes from."""

    id: str
    title: str
    publisher: str | None = None
    url: str | None = None
    date: str | None = None
    supports: str | None = None  # which figure(s) it supports

    @field_validator("date", mode="before")
    @classmethod
    def _date_text(cls, value: Any) -> Any:
        # YAML reads 2025-05-16 as a date; keep it as ISO text.
        return value.isoformat() if hasattr(value, "isoformat") else value


class Deployment(ScenarioModel):
    """Deployment of one technology: yearly ``additions`` or ``stock`` targets, interpolated linearly."""

    technology: str
    unit: str
    mode: Literal["additions", "stock"] = "additions"
    values: dict[Year, NonNegative]
    initial_age: Literal["uniform", "new"] = "uniform"
    replace_retired: bool = True
    sources: list[str] = PField(default_factory=list)
    assumption: str | None = None  # why a number is assumed rather than cited; None: all cited
    note: str | None = None

    @field_validator("technology")
    @classmethod
    def _known_technology(cls, value: str) -> str:
        try:
            return resolve_technology(value).id
        except InputError as exc:
            hint = f"; did you mean {', '.join(exc.suggestions)}?" if exc.suggestions else ""
            raise _invalid(exc.expected + hint) from None

    @field_validator("unit")
    @classmethod
    def _unit_fits(cls, value: str, info: ValidationInfo) -> str:
        tech_id = info.data.get("technology")
        if tech_id is None:
            return value
        kind = defaults().technologies[tech_id].kind
        allowed = UNITS[kind]
        if value not in allowed:
            raise _invalid(f"a unit for {tech_id}: one of {', '.join(allowed)}")
        return value

    @field_validator("values")
    @classmethod
    def _some_values(cls, value: dict[int, float]) -> dict[int, float]:
        if not value:
            raise _invalid("at least one year: value pair")
        return value


class ChemistryShift(ScenarioModel):
    """Lever: replace the chemistry mix of battery technologies from a year on."""

    shares: dict[str, Share]
    technologies: list[str] = PField(default_factory=lambda: ["ev"])
    from_year: Year | None = None

    @field_validator("shares")
    @classmethod
    def _sums_to_one(cls, value: dict[str, float]) -> dict[str, float]:
        if abs(sum(value.values()) - 1) > 1e-6:
            raise _invalid(f"shares that add up to 1 (they add up to {sum(value.values()):g})")
        return value

    @field_validator("technologies")
    @classmethod
    def _battery_techs(cls, value: list[str]) -> list[str]:
        return [_battery_tech(v) for v in value]


class Parameters(ScenarioModel):
    """Model parameters; anything left out takes the cited default."""

    lifetimes: dict[str, Annotated[float, PField(gt=0, le=200)]] = PField(default_factory=dict)
    lifetime_distribution: Literal["fixed", "weibull"] = "fixed"
    weibull_shape: Annotated[float, PField(gt=0, le=20)] = 2.5
    battery_kwh: float | dict[Year, NonNegative] = 75.0
    chemistry_shares: dict[str, dict[Year, dict[str, Share]]] = PField(default_factory=dict)
    collection_rate: Share = 1.0
    recycling_rate: float | dict[str, Share] = 0.0

    @field_validator("lifetimes")
    @classmethod
    def _lifetime_keys(cls, value: dict[str, float]) -> dict[str, float]:
        return {_technology_key(k): v for k, v in value.items()}

    @field_validator("chemistry_shares")
    @classmethod
    def _shares(cls, value: dict[str, dict[int, dict[str, float]]]) -> dict[str, dict[int, dict[str, float]]]:
        out = {}
        for tech, by_year in value.items():
            key = _battery_tech(tech)
            for year, shares in by_year.items():
                if abs(sum(shares.values()) - 1) > 1e-6:
                    raise _invalid(f"{tech}, {year}: shares that add up to 1 (not {sum(shares.values()):g})")
            out[key] = by_year
        return out

    @field_validator("recycling_rate")
    @classmethod
    def _rates(cls, value: float | dict[str, float]) -> float | dict[str, float]:
        if isinstance(value, (int, float)):
            if not 0 <= value <= 1:
                raise _invalid("a share between 0 and 1")
            return float(value)
        return _material_keys(value)

    @field_validator("battery_kwh")
    @classmethod
    def _kwh(cls, value: float | dict[int, float]) -> float | dict[int, float]:
        if isinstance(value, (int, float)) and value < 0:
            raise _invalid("a pack size in kWh of 0 or more")
        return value


class Levers(ScenarioModel):
    """Demand-reducing levers; each is evaluated alone and all together."""

    recycled_content: float | dict[str, Share] | None = None
    lifetime_extension_years: float | dict[str, NonNegative] | None = None
    vehicles_avoided: Share | None = None
    chemistry_shift: ChemistryShift | None = None

    @field_validator("recycled_content")
    @classmethod
    def _content(cls, value: float | dict[str, float] | None) -> float | dict[str, float] | None:
        if value is None or isinstance(value, dict):
            return None if value is None else _material_keys(value)
        if not 0 <= value <= 1:
            raise _invalid("a share between 0 and 1")
        return float(value)

    @field_validator("lifetime_extension_years")
    @classmethod
    def _extension(cls, value: float | dict[str, float] | None) -> float | dict[str, float] | None:
        if value is None or isinstance(value, dict):
            return None if value is None else {_technology_key(k): v for k, v in value.items()}
        if value < 0:
            raise _invalid("years of 0 or more")
        return float(value)

    def active(self) -> list[str]:
        """The levers that are set."""
        return [name for name in LEVERS if getattr(self, name) not in (None, {}, 0, 0.0)]


class TransitionScenario(ScenarioModel):
    """A transition scenario: where, when, what is deployed, with which parameters and levers."""

    name: str
    description: str | None = None
    country: str
    years: tuple[int, int]
    sources: list[SourceRef] = PField(default_factory=list)
    deployments: list[Deployment]
    parameters: Parameters = PField(default_factory=Parameters)
    levers: Levers = PField(default_factory=Levers)
    assumptions: list[str] = PField(default_factory=list)

    @field_validator("years", mode="before")
    @classmethod
    def _years(cls, value: Any) -> tuple[int, int]:
        try:
            parsed = parse_years(value if not isinstance(value, list) else tuple(value))
        except InputError as exc:
            raise _invalid(exc.expected) from None
        if parsed is None:
            raise _invalid("a range like 2025-2035")
        return parsed


def _invalid(expected: str) -> PydanticCustomError:
    """A validation error whose message is just what was expected (no "Value error," prefix)."""
    return PydanticCustomError("invalid", expected.replace("{", "(").replace("}", ")"))


def _technology_key(text: str) -> str:
    try:
        return resolve_technology(text).id
    except InputError as exc:
        raise _invalid(f"{text!r} is not {exc.expected}") from None


def _battery_tech(text: str) -> str:
    key = _technology_key(text)
    if defaults().technologies[key].kind == "power":
        raise _invalid(f"{text!r} has no battery; expected ev or storage")
    return key


def _material_keys(value: Mapping[str, float]) -> dict[str, float]:
    out = {}
    for key, rate in value.items():
        if key == "default":
            out[key] = rate
            continue
        try:
            out[material_registry().resolve(key).id] = rate
        except InputError as exc:
            raise _invalid(f"{key!r} is not a known material (or 'default'); {exc.expected}") from None
    return out


def examples() -> dict[str, Path]:
    """Shipped scenarios by name: ``transition_nl_2035.yaml`` is ``nl-2035``."""
    return {
        p.stem.removeprefix("transition_").replace("_", "-"): p
        for p in sorted(EXAMPLES_DIR.glob("transition_*.yaml"))
    }


def load_transition(
    scenario: str | Path | TransitionScenario | Mapping[str, Any],
) -> tuple[TransitionScenario, str]:
    """Read a scenario (file path, shipped name such as ``nl-2035``, dict or model) and check references.

    Returns the validated scenario and a label for error messages (the file name). Raises InputError
    naming the file and key path for any problem.
    """
    if isinstance(scenario, TransitionScenario):
        label = "scenario"
        model = scenario
    elif isinstance(scenario, Mapping):
        label = "scenario"
        model = validate(TransitionScenario, dict(scenario), source=label)
    else:
        shipped = examples()
        key = str(scenario).strip().lower()
        path = shipped.get(key, Path(scenario))
        if not Path(path).is_file():
            raise InputError(
                "scenario",
                str(scenario),
                "a YAML or JSON scenario file, or a shipped scenario: " + ", ".join(shipped),
                suggest(str(scenario), list(shipped)),
            )
        label = Path(path).name
        model = load_scenario(TransitionScenario, path)
    _check_references(model, label)
    return model, label


def _check_references(model: TransitionScenario, label: str) -> None:
    ids = {s.id for s in model.sources}
    spans: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for i, dep in enumerate(model.deployments):
        for ref in dep.sources:
            if ref not in ids:
                raise InputError(
                    f"{label}: deployments[{i}].sources", ref, "an id listed under sources", suggest(ref, ids)
                )
        lo, hi = min(dep.values), max(dep.values)
        for j, other_lo, other_hi in spans[dep.technology]:
            if lo <= other_hi and other_lo <= hi:
                raise InputError(
                    f"{label}: deployments[{i}].values",
                    f"{lo}–{hi}",
                    f"years that do not overlap deployments[{j}] of {dep.technology} ({other_lo}–{other_hi})",
                )
        spans[dep.technology].append((i, lo, hi))


# ---- the cohort model ------------------------------------------------------------------------------------


def retirement_profile(
    lifetime: float, distribution: str = "fixed", shape: float = 2.5, horizon: int = 200
) -> list[float]:
    """Share of a cohort that retires at each age 0..horizon.

    ``fixed``: all of it at age round(L) (at least 1). ``weibull``: p(a) = F(a) − F(a − 1) with
    F(a) = 1 − exp(−(a/λ)^k), scale λ = L / Γ(1 + 1/k) so that the mean lifetime is L.
    """
    profile = [0.0] * (horizon + 1)
    if distribution == "fixed":
        age = max(1, round(lifetime))
        if age <= horizon:
            profile[age] = 1.0
        return profile
    scale = lifetime / math.gamma(1 + 1 / shape)

    def cdf(a: float) -> float:
        return 1 - math.exp(-((a / scale) ** shape)) if a > 0 else 0.0

    for age in range(1, horizon + 1):
        profile[age] = cdf(age) - cdf(age - 1)
    return profile


@dataclass
class Flows:
    """Yearly flows of one technology in its deployment unit."""

    installs: dict[int, float] = field(default_factory=dict)
    new: dict[int, float] = field(default_factory=dict)
    replacement: dict[int, float] = field(default_factory=dict)
    retired: dict[int, dict[int, float]] = field(default_factory=dict)  # year -> cohort year -> units
    stock: dict[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Segment:
    """One deployment series in base units: mode, yearly values (interpolated), age rule, replacement."""

    mode: str
    values: dict[int, float]
    initial_age: str = "uniform"
    replace_retired: bool = True

    def span(self) -> tuple[int, int]:
        return min(self.values), max(self.values)

    def at(self, year: int) -> float:
        """Linear interpolation between the given years."""
        if year in self.values:
            return self.values[year]
        years = sorted(self.values)
        lo = max(y for y in years if y < year)
        hi = min(y for y in years if y > year)
        return self.values[lo] + (self.values[hi] - self.values[lo]) * (year - lo) / (hi - lo)


def run_cohorts(
    segments: list[Segment],
    last_year: int,
    profile: list[float],
    lifetime: float,
    initial_span: float | None = None,
) -> Flows:
    """Stocks and flows of one technology from its first deployment year to ``last_year``.

    Between and after segments the stock is held (retirements replaced) unless the preceding additions
    segment says ``replace_retired: false``. ``initial_span``: the years over which an initial stock's
    ages are spread (default ``lifetime``; a lifetime-extension lever keeps the ages of the existing stock
    as they are and only delays its retirement). See the module docstring for the equations.
    """
    flows = Flows()
    if not segments:
        return flows
    segments = sorted(segments, key=lambda s: s.span()[0])
    first = segments[0].span()[0]
    cohorts: dict[int, float] = {}
    survival_base: dict[int, float] = {}  # pseudo-cohorts of the initial stock: surviving share at start
    stock = 0.0
    horizon = len(profile) - 1
    current: Segment | None = None
    for year in range(first, last_year + 1):
        active = next((s for s in segments if s.span()[0] <= year <= s.span()[1]), None)
        # Retirements of every earlier cohort at this year.
        retired = {}
        for c, amount in cohorts.items():
            age = year - c
            if 0 < age <= horizon and profile[age] > 0:
                retired[c] = amount * profile[age] / survival_base.get(c, 1.0)
        retiring = sum(retired.values())
        if active is not None and active is not current and active.mode == "stock" and year == first:
            # The first value of the first (stock) series is the stock already there: give it ages.
            initial = active.at(year)
            span = initial_span if initial_span is not None else lifetime
            for c, (aged, surviving) in _initial_cohorts(
                initial, year, active.initial_age, span, profile
            ).items():
                cohorts[c] = cohorts.get(c, 0.0) + aged
                survival_base[c] = surviving
            stock = initial
            flows.installs[year] = flows.new[year] = flows.replacement[year] = 0.0
            flows.retired[year] = {}
            flows.stock[year] = stock
            current = active
            continue
        current = active or current
        available = stock - retiring
        if active is not None and active.mode == "stock":
            target = active.at(year)
            installs = max(0.0, target - available)
            new = min(installs, max(0.0, target - stock))
        else:
            new = active.at(year) if active is not None else 0.0
            replace = current.replace_retired if current is not None else True
            installs = new + (retiring if replace else 0.0)
        stock = available + installs
        cohorts[year] = cohorts.get(year, 0.0) + installs
        flows.installs[year] = installs
        flows.new[year] = new
        flows.replacement[year] = installs - new
        flows.retired[year] = retired
        flows.stock[year] = stock
    return flows


def _initial_cohorts(
    stock: float, year: int, rule: str, lifetime: float, profile: list[float]
) -> dict[int, tuple[float, float]]:
    """Pseudo-cohorts of an initial stock: {install year: (amount, surviving share at that age)}."""
    if stock <= 0:
        return {}
    if rule == "new":
        return {year: (stock, 1.0)}
    span = max(1, round(lifetime))
    out = {}
    for age in range(span):
        survival = 1.0 - sum(profile[1 : age + 1])
        if survival > 1e-9:
            out[year - age] = (stock / span, survival)
    return out


# ---- intensities per technology and year -----------------------------------------------------------------


def _by_year(values: float | Mapping[int, float], year: int) -> float:
    """A parameter that may vary by year: interpolate between given years, hold beyond the ends."""
    if isinstance(values, (int, float)):
        return float(values)
    years = sorted(values)
    if year <= years[0]:
        return float(values[years[0]])
    if year >= years[-1]:
        return float(values[years[-1]])
    lo = max(y for y in years if y <= year)
    hi = min(y for y in years if y >= year)
    if lo == hi:
        return float(values[lo])
    return values[lo] + (values[hi] - values[lo]) * (year - lo) / (hi - lo)


DEFAULT_SHARES = {"ev": {2020: {"NMC 811": 1.0}}, "storage": {2020: {"LFP": 1.0}}}


def _shares_at(table: Mapping[int, Mapping[str, float]], year: int) -> dict[str, float]:
    """Chemistry shares in a year: linear between given years per chemistry, held beyond the ends."""
    chems = sorted({c for shares in table.values() for c in shares})
    return {c: _by_year({y: table[y].get(c, 0.0) for y in table}, year) for c in chems}


class IntensityModel:
    """kg of each material per deployment unit (MW, vehicle, MWh) of a technology installed in a year."""

    def __init__(
        self, intens: Intensities, params: Parameters, shift: ChemistryShift | None, label: str, start: int
    ) -> None:
        self.intens = intens
        self.params = params
        self.shift = shift
        self.start = start
        self._cache: dict[tuple[str, int], dict[str, float]] = {}
        self._unlisted: dict[tuple[str, int], dict[str, float]] = {}
        ev = defaults().technologies["ev"]
        self.ev_body, self.ev_body_raw = intens.ev_body(ev)
        known = set(intens.chemistries())
        for tech, by_year in params.chemistry_shares.items():
            for year, shares in by_year.items():
                for chem in shares:
                    if chem not in known:
                        raise InputError(
                            f"{label}: parameters.chemistry_shares.{tech}.{year}",
                            chem,
                            "a BatPac chemistry: " + ", ".join(sorted(known)),
                            suggest(chem, known),
                        )
        if shift is not None:
            for chem in shift.shares:
                if chem not in known:
                    raise InputError(
                        f"{label}: levers.chemistry_shift.shares",
                        chem,
                        "a BatPac chemistry: " + ", ".join(sorted(known)),
                        suggest(chem, known),
                    )

    def shares(self, tech: str, year: int) -> dict[str, float]:
        """Battery chemistry shares of a technology installed in ``year`` (chemistry shift applied)."""
        shift = self.shift
        if shift is not None and tech in shift.technologies and year >= (shift.from_year or self.start):
            return dict(shift.shares)
        table = self.params.chemistry_shares.get(tech) or DEFAULT_SHARES[tech]
        return _shares_at(table, year)

    def battery_kg_per_kwh(self, tech: str, year: int) -> dict[str, float]:
        out: dict[str, float] = defaultdict(float)
        for chem, share in self.shares(tech, year).items():
            for mat, kg in self.intens.battery.get(chem, {}).items():
                out[mat] += share * kg
        return dict(out)

    def per_unit(self, tech: Technology, year: int) -> dict[str, float]:
        """kg per unit of ``tech`` installed in ``year``, by registry material."""
        key = (tech.id, year)
        if key in self._cache:
            return self._cache[key]
        if tech.kind == "power":
            out = dict(self.intens.power.get(tech.intensity or "", {}))
        elif tech.kind == "vehicle":
            kwh = _by_year(self.params.battery_kwh, year)
            out = dict(self.ev_body)
            for mat, kg in self.battery_kg_per_kwh(tech.id, year).items():
                out[mat] = out.get(mat, 0.0) + kwh * kg
        else:
            out = {m: 1000 * kg for m, kg in self.battery_kg_per_kwh(tech.id, year).items()}
        self._cache[key] = out
        return out

    def unlisted(self, tech: Technology, year: int) -> dict[str, float]:
        """kg per unit of rows without a registry material (IEA 'others', BatPac steel), by label."""
        key = (tech.id, year)
        if key not in self._unlisted:
            out: dict[str, float] = defaultdict(float)
            if tech.kind == "power":
                out.update(self.intens.unlisted.get(f"iea_2021:{tech.intensity}", {}))
            else:
                factor = _by_year(self.params.battery_kwh, year) if tech.kind == "vehicle" else 1000.0
                for chem, share in self.shares(tech.id, year).items():
                    for label, kg in self.intens.unlisted.get(f"batpac:battery:{chem}", {}).items():
                        out[label] += factor * share * kg
            self._unlisted[key] = dict(out)
        return self._unlisted[key]


# ---- running a scenario ----------------------------------------------------------------------------------


@dataclass
class Run:
    """Material flows of one scenario run, in tonnes, keyed (year, technology, material)."""

    demand: dict[tuple[int, str, str], float]
    replacement: dict[tuple[int, str, str], float]
    eol: dict[tuple[int, str, str], float]
    primary: dict[tuple[int, str, str], float]
    unlisted: dict[str, float]
    flows: dict[str, Flows]


def _lifetime(
    model: TransitionScenario, tech: Technology, extension: float | Mapping[str, float] | None
) -> float:
    base = model.parameters.lifetimes.get(tech.id, tech.lifetime_years)
    if extension is None:
        return base
    if isinstance(extension, (int, float)):
        return base + float(extension)
    return base + float(extension.get(tech.id, 0.0))


def _rate(values: float | Mapping[str, float] | None, material: str) -> float:
    if values is None:
        return 0.0
    if isinstance(values, (int, float)):
        return float(values)
    return float(values.get(material, values.get("default", 0.0)))


def run_scenario(
    model: TransitionScenario, intens: Intensities, levers: Levers, label: str = "scenario"
) -> Run:
    """Compute the material flows of ``model`` with the given ``levers`` (use ``Levers()`` for none)."""
    params = model.parameters
    start, end = model.years
    imodel = IntensityModel(intens, params, levers.chemistry_shift, label, start)
    techs = defaults().technologies
    by_tech: dict[str, list[Segment]] = defaultdict(list)
    for dep in model.deployments:
        tech = techs[dep.technology]
        factor = UNITS[tech.kind][dep.unit]
        values = {y: v * factor for y, v in dep.values.items()}
        if levers.vehicles_avoided and tech.kind == "vehicle":
            # Fewer cars: the scenario's own years only; history stays as it was.
            values = {y: v * (1 - levers.vehicles_avoided) if y >= start else v for y, v in values.items()}
        by_tech[dep.technology].append(Segment(dep.mode, values, dep.initial_age, dep.replace_retired))
    demand: dict[tuple[int, str, str], float] = defaultdict(float)
    replacement: dict[tuple[int, str, str], float] = defaultdict(float)
    eol: dict[tuple[int, str, str], float] = defaultdict(float)
    unlisted: dict[str, float] = defaultdict(float)
    all_flows = {}
    for tech_id, segments in by_tech.items():
        tech = techs[tech_id]
        life = _lifetime(model, tech, levers.lifetime_extension_years)
        profile = retirement_profile(life, params.lifetime_distribution, params.weibull_shape)
        flows = run_cohorts(segments, end, profile, life, initial_span=_lifetime(model, tech, None))
        all_flows[tech_id] = flows
        for year in range(start, end + 1):
            installs = flows.installs.get(year, 0.0)
            per_unit = imodel.per_unit(tech, year)
            for mat, kg in per_unit.items():
                demand[(year, tech_id, mat)] += installs * kg / 1000
                replacement[(year, tech_id, mat)] += flows.replacement.get(year, 0.0) * kg / 1000
            for lab, kg in imodel.unlisted(tech, year).items():
                unlisted[lab] += installs * kg / 1000
            for cohort, units in flows.retired.get(year, {}).items():
                for mat, kg in imodel.per_unit(tech, cohort).items():
                    recovered = params.collection_rate * _rate(params.recycling_rate, mat)
                    eol[(year, tech_id, mat)] += units * kg / 1000 * recovered
    primary = {k: v * (1 - _rate(levers.recycled_content, k[2])) for k, v in demand.items()}
    return Run(dict(demand), dict(replacement), dict(eol), primary, dict(unlisted), all_flows)


# ---- imports and world production ------------------------------------------------------------------------


def current_imports(
    store: Store, country: str, material_ids: list[str]
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The importer's latest imports in tonnes per material, refined/processed products first.

    Order: processing-stage codes in the default trade source; where those have no tonnes (Comext has
    values only), the BACI extracts with tonnes (HS22 headings, HS17, HS92); materials with no
    processing-stage code at all (natural graphite) fall back to their other codes. Returns per material
    ``{tonnes, year, source, codes, stage, value, currency}`` (tonnes None where only values exist) and the
    trade sources used.
    """
    from grondstof.indicators.dependency import imports

    found: dict[str, dict[str, Any]] = {}
    used: set[str] = set()

    def take(ids: list[str], **kwargs: Any) -> None:
        if not ids:
            return
        try:
            result = imports(ids, country, by="year", store=store, **kwargs)
        except InputError:
            return
        plans = {m["id"]: m for m in result.meta["materials"]}
        for row in result.rows:
            mat = row["material"]
            plan = plans.get(mat, {})
            basket = bool(plan.get("basket"))
            entry = {
                # A basket code (e.g. HS 7202, all ferro-alloys) says nothing about one material's tonnes.
                "tonnes": None if basket else row["total_tonnes"],
                "basket": basket,
                "year": row["year"],
                "source": plan.get("source"),
                "codes": plan.get("codes"),
                "stage": "/".join(plan.get("stages", [])),
                "value": row["total_value"],
                "currency": row["currency"],
            }
            if mat not in found or (found[mat]["tonnes"] is None and entry["tonnes"] is not None):
                found[mat] = entry
                used.add(entry["source"])

    from grondstof.indicators import trade as tr

    registry = material_registry()
    take(material_ids, stage="processing")
    for source in ("baci_hs22_hs4", "baci_hs17", "baci_hs92"):
        # Only ask a source that has a material's own (non-basket) processing codes: each query costs time.
        missing = [
            m
            for m in material_ids
            if found.get(m, {}).get("tonnes") is None
            and (choice := tr.code_choice(registry.get(m), tr.TRADE_SOURCES[source], "processing")).codes
            and not choice.basket
        ]
        take(missing, stage="processing", source=source)
    no_processing = [
        m
        for m in material_ids
        if m not in found and not any(c.stage == "processing" for c in registry.codes(m))
    ]
    take(no_processing)
    return found, sorted(s for s in used if s)


def world_production(store: Store, material_ids: list[str]) -> dict[str, dict[str, Any]]:
    """World Mining Data production of the latest year in tonnes of element where the basis allows.

    Units ``kg`` are divided by 1 000; Li₂O and Cr₂O₃ are converted to Li and Cr content by molar mass;
    REO and gross weights (natural graphite) are kept as published and flagged in ``basis``.
    """
    from grondstof.indicators.supply import supply

    registry = material_registry()
    with_wmd = [m for m in material_ids if registry.wmd(m)]
    if not with_wmd:
        return {}
    try:
        rows = supply(with_wmd, source="wmd", by="year", store=store).rows
    except InputError:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        mat = row["material"]
        if mat in out or row["world_total"] is None:
            continue
        basis = next((w.content_basis for w in registry.wmd(mat) if w.wmd_commodity == row["commodity"]), "")
        tonnes = row["world_total"] / (1000 if row["unit"] == "kg" else 1)
        factor = CONTENT_FACTORS.get(basis, 1.0)
        out[mat] = {
            "tonnes": tonnes * factor,
            "year": row["year"],
            "commodity": row["commodity"],
            "basis": basis if basis not in CONTENT_FACTORS else f"{basis} converted to element content",
            "stage": row["stage"],
        }
    return out


# ---- the result ------------------------------------------------------------------------------------------

FIELDS = [
    Field("year", "Year", "year", description="null when --by material (totals over the scenario years)"),
    Field("technology", "Technology (id)", show=False),
    Field("technology_name", "Technology"),
    Field("material", "Material (id)", show=False),
    Field("material_name", "Material"),
    Field("demand_t", "Demand", "tonnes", "t", "material in new and replacement installations"),
    Field("replacement_t", "of which replacement", "tonnes", "t", "installations replacing retired ones"),
    Field("primary_demand_t", "Primary demand", "tonnes", "t", "demand × (1 − recycled content)"),
    Field(
        "eol_available_t",
        "End-of-life available",
        "tonnes",
        "t",
        "retired content × collection rate × recycling rate",
    ),
    Field(
        "imports_t",
        "Current imports",
        "tonnes",
        "t",
        "importer's latest yearly imports (gross product weight); null where only values exist",
    ),
    Field(
        "share_of_imports",
        "Demand / imports",
        "share",
        description="demand_t ÷ imports_t (--by material: mean yearly demand ÷ imports_t)",
    ),
    Field(
        "world_production_t",
        "World production",
        "tonnes",
        "t",
        "World Mining Data, latest year; Li₂O and Cr₂O₃ converted to element content, REO and natural "
        "graphite as published",
    ),
    Field(
        "share_of_world_production",
        "Share of world production",
        "share",
        description="demand_t ÷ world_production_t (--by material: mean yearly demand ÷ world production)",
    ),
    Field(
        "imports_basis",
        "Imports basis",
        description="trade source, codes, stage and year behind imports_t; says when only values exist",
        show=False,
    ),
]

LEVER_FIELDS = [
    Field("lever", "Lever"),
    Field("material", "Material (id)", show=False),
    Field("material_name", "Material"),
    Field("without_t", "Primary demand without levers", "tonnes", "t", "sum over the scenario years"),
    Field("with_t", "With this lever", "tonnes", "t", "sum over the scenario years"),
    Field("reduction_t", "Reduction", "tonnes", "t", "without − with (negative: the lever raises demand)"),
    Field("reduction_share", "Reduction (share)", "share", description="reduction ÷ without"),
]


class TransitionParams(Params):
    """Parameters of :func:`transition` (``grondstof transition``, ``/api/v1/scenario/transition``)."""

    scenario: Annotated[
        str,
        described(
            "Scenario file (YAML/JSON) or a shipped name: nl-2035 (the web takes shipped names only).",
            "Scenariobestand (YAML/JSON) of een meegeleverde naam: nl-2035 (op het web alleen namen).",
            min_length=1,
            max_length=500,
        ),
        Cli(argument=True),
        Web(choices=("nl-2035",)),
    ] = "nl-2035"
    by: Annotated[
        Literal["year", "technology", "material", "lever"],
        described(
            "year, technology, material (totals) or lever.",
            "year (jaar), technology (techniek), material (totalen) of lever (hefboom).",
        ),
    ] = "year"
    apply_levers: Annotated[
        bool,
        described("Apply the scenario's levers.", "Pas de hefbomen van het scenario toe."),
        Cli(flags=("--levers",), negative="--no-levers"),
    ] = True
    vehicles_avoided_pct: Annotated[
        float | None,
        described(
            "Lever: % fewer cars (car sharing), instead of the scenario's own.",
            "Hefboom: % minder auto's (autodelen), in plaats van die van het scenario.",
            ge=0,
            le=90,
        ),
    ] = None
    lfp_share_pct: Annotated[
        float | None,
        described(
            "Lever: % of new EV batteries that are LFP from the shift year.",
            "Hefboom: % LFP in nieuwe autobatterijen vanaf het omschakeljaar.",
            ge=0,
            le=100,
        ),
    ] = None
    wind_extension_years: Annotated[
        float | None,
        described(
            "Lever: years longer life of wind turbines.",
            "Hefboom: jaren langere levensduur van windturbines.",
            ge=0,
            le=30,
        ),
    ] = None
    recycled_pct: Annotated[
        float | None,
        described(
            "Lever: recycled content as % of the scenario's shares (100 = Battery Regulation minimums).",
            "Hefboom: gerecycled aandeel als % van dat van het scenario (100 = minima Batterijverordening).",
            ge=0,
            le=300,
        ),
    ] = None
    lang: Lang = "en"


def lever_settings(scenario: str | Path = "nl-2035") -> dict[str, float | None]:
    """The scenario's own lever values in the units of :class:`TransitionParams` (the form's defaults)."""
    levers = read_document(resolve_file(scenario)).get("levers", {})
    shift = levers.get("chemistry_shift") or {}
    extension = levers.get("lifetime_extension_years") or {}
    return {
        "vehicles_avoided_pct": 100 * levers["vehicles_avoided"] if "vehicles_avoided" in levers else None,
        "lfp_share_pct": 100 * shift["shares"]["LFP"] if "LFP" in shift.get("shares", {}) else None,
        "wind_extension_years": extension.get("offshore_wind", extension.get("onshore_wind")),
        "recycled_pct": 100.0 if levers.get("recycled_content") else None,
    }


def with_lever_overrides(
    data: dict[str, Any],
    *,
    vehicles_avoided_pct: float | None = None,
    lfp_share_pct: float | None = None,
    wind_extension_years: float | None = None,
    recycled_pct: float | None = None,
) -> dict[str, Any]:
    """A scenario document with some levers set (None keeps the scenario's own value).

    ``recycled_pct`` scales the scenario's recycled-content shares (capped at 100 % of demand); the LFP share
    replaces the chemistry shift's mix of LFP and the other chemistry named there.
    """
    data = {**data, "levers": dict(data.get("levers") or {})}
    levers = data["levers"]
    if vehicles_avoided_pct is not None:
        levers["vehicles_avoided"] = vehicles_avoided_pct / 100
    if wind_extension_years is not None:
        years = wind_extension_years
        levers["lifetime_extension_years"] = {"onshore_wind": years, "offshore_wind": years}
    if lfp_share_pct is not None:
        shift = dict(levers.get("chemistry_shift") or {"technologies": ["ev"], "from_year": 2027})
        other = next((k for k in shift.get("shares", {}) if k != "LFP"), "NMC 811")
        shift["shares"] = {"LFP": lfp_share_pct / 100, other: 1 - lfp_share_pct / 100}
        levers["chemistry_shift"] = shift
    content = levers.get("recycled_content")
    if recycled_pct is not None and isinstance(content, dict):
        levers["recycled_content"] = {k: min(1.0, v * recycled_pct / 100) for k, v in content.items()}
    return data


def transition(
    scenario: str | Path | TransitionScenario | Mapping[str, Any],
    *,
    by: str = "year",
    apply_levers: bool = True,
    vehicles_avoided_pct: float | None = None,
    lfp_share_pct: float | None = None,
    wind_extension_years: float | None = None,
    recycled_pct: float | None = None,
    store: Store | None = None,
    lang: str = "en",
) -> Result:
    """Material demand of a transition scenario per year, against current imports and world production.

    Parameters
    ----------
    scenario:
        A YAML/JSON file, a shipped scenario name (``nl-2035``), a dict or a :class:`TransitionScenario`.
    by:
        ``year`` (one row per year and material, technologies summed), ``technology`` (per year,
        technology and material), ``material`` (totals over the scenario years) or ``lever`` (the
        reduction each lever gives, per material).
    apply_levers:
        Rows with the scenario's levers applied (default) or without any.
    vehicles_avoided_pct, lfp_share_pct, wind_extension_years, recycled_pct:
        Set one lever instead of the scenario's own value (:func:`with_lever_overrides`); None keeps it.

    The equations are in the module docstring; sources of every number in ``meta``: the store's sources
    (IEA 2021, BatPac, World Mining Data, the trade sources used) and the scenario's own ``sources``.
    """
    from grondstof.store import open_store

    if by not in ("year", "technology", "material", "lever"):
        raise InputError("by", by, "year, technology, material or lever")
    overrides = {
        "vehicles_avoided_pct": vehicles_avoided_pct,
        "lfp_share_pct": lfp_share_pct,
        "wind_extension_years": wind_extension_years,
        "recycled_pct": recycled_pct,
    }
    if any(v is not None for v in overrides.values()):
        if isinstance(scenario, (str, Path)):
            scenario = read_document(resolve_file(scenario))
        elif isinstance(scenario, TransitionScenario):
            scenario = scenario.model_dump()
        assert isinstance(scenario, Mapping)  # read_document gives a mapping
        scenario = with_lever_overrides(dict(scenario), **overrides)
    model, label = load_transition(scenario)
    store = store or open_store()
    importer = _resolve_country(model.country, label)
    intens = load_intensities(store)
    none = Levers()
    base = run_scenario(model, intens, none, label)
    full = run_scenario(model, intens, model.levers, label)
    chosen = full if apply_levers else base
    lever_rows = _lever_rows(model, intens, base, full, label, lang)
    start, end = model.years
    mats = sorted({k[2] for k, v in chosen.demand.items() if v > 0})
    # The lever rows need no trade or production data (each query costs time).
    imports_by, trade_sources = current_imports(store, model.country, mats) if by != "lever" else ({}, [])
    world = world_production(store, mats) if by != "lever" else {}
    registry = material_registry()
    techs = defaults().technologies

    def compare(row: dict[str, Any], yearly: float) -> dict[str, Any]:
        imp = imports_by.get(row["material"], {})
        wp = world.get(row["material"], {})
        row["imports_t"] = imp.get("tonnes")
        row["share_of_imports"] = yearly / imp["tonnes"] if imp.get("tonnes") else None
        row["world_production_t"] = wp.get("tonnes")
        row["share_of_world_production"] = yearly / wp["tonnes"] if wp.get("tonnes") else None
        row["imports_basis"] = _imports_basis(imp)
        return row

    rows: list[dict[str, Any]] = []
    keys = sorted(chosen.demand)
    if by in ("year", "material", "technology"):
        groups: dict[tuple[Any, str, str], list[tuple[int, str, str]]] = defaultdict(list)
        for key in keys:
            year, tech, mat = key
            if by == "year":
                groups[(year, "all", mat)].append(key)
            elif by == "technology":
                groups[(year, tech, mat)].append(key)
            else:
                groups[(None, "all", mat)].append(key)
        for (year, tech, mat), members in groups.items():
            demand = sum(chosen.demand[k] for k in members)
            if demand <= 0 and sum(chosen.eol.get(k, 0.0) for k in members) <= 0:
                continue
            row = {
                "year": year,
                "technology": tech,
                "technology_name": techs[tech].name(lang) if tech != "all" else "all",
                "material": mat,
                "material_name": registry.get(mat).name(lang),
                "demand_t": demand,
                "replacement_t": sum(chosen.replacement.get(k, 0.0) for k in members),
                "primary_demand_t": sum(chosen.primary.get(k, 0.0) for k in members),
                "eol_available_t": sum(chosen.eol.get(k, 0.0) for k in members),
            }
            yearly = demand / (end - start + 1) if year is None else demand
            rows.append(compare(row, yearly))
        rows.sort(key=lambda r: (r["year"] or 0, r["technology"], -r["demand_t"]))
    if by == "material":
        rows.sort(key=lambda r: -r["demand_t"])

    meta = _meta(model, label, importer, by, apply_levers, chosen, lever_rows, intens)
    meta["sources"] = store.cite("iea_2021", "batpac", *(["wmd"] if world else []), *trade_sources)
    meta["imports"] = imports_by
    meta["world_production"] = world
    if by != "lever":
        meta["notes"] += _data_notes(mats, imports_by, world)
    period = year_range_text(model.years)
    title = f"Material demand of {model.name} ({importer.name(lang)}), {period}"
    if by == "lever":
        return Result(f"Demand reduction per lever: {model.name}, {period}", LEVER_FIELDS, lever_rows, meta)
    return Result(title, FIELDS, rows, meta)


def _resolve_country(text: str, label: str) -> Any:
    from grondstof.registry.countries import countries

    return countries().resolve_importer(text, parameter=f"{label}: country")


def _meta(
    model: TransitionScenario,
    label: str,
    importer: Any,
    by: str,
    apply_levers: bool,
    run: Run,
    lever_rows: list[dict[str, Any]],
    intens: Intensities,
) -> dict[str, Any]:
    """Query, scenario provenance, parameters used, flows in deployment units, levers and notes."""
    start, end = model.years
    techs = defaults().technologies
    spec = defaults()
    params = model.parameters
    used = sorted(run.flows)
    deployments = []
    for tech_id in used:
        flows = run.flows[tech_id]
        for year in range(start, end + 1):
            deployments.append(
                {
                    "technology": tech_id,
                    "unit": techs[tech_id].unit,
                    "year": year,
                    "new": flows.new.get(year, 0.0),
                    "replacement": flows.replacement.get(year, 0.0),
                    "installs": flows.installs.get(year, 0.0),
                    "retired": sum(flows.retired.get(year, {}).values()),
                    "stock": flows.stock.get(year),
                }
            )
    lifetimes = {}
    for tech_id in used:
        tech = techs[tech_id]
        given = tech_id in params.lifetimes
        lifetimes[tech_id] = {
            "years": params.lifetimes.get(tech_id, tech.lifetime_years),
            "source": "scenario file" if given else spec.cite(tech.lifetime_source),
        }
    imodel = IntensityModel(
        intens, params, model.levers.chemistry_shift if apply_levers else None, label, start
    )
    battery = {
        tech_id: {year: imodel.shares(tech_id, year) for year in range(start, end + 1)}
        for tech_id in used
        if techs[tech_id].kind != "power"
    }
    assumptions = list(model.assumptions) + [
        f"{d.technology}: {d.assumption}" for d in model.deployments if d.assumption
    ]
    return {
        "query": {
            "scenario": label,
            "name": model.name,
            "country": importer.code,
            "years": list(model.years),
            "by": by,
            "apply_levers": apply_levers,
        },
        "scenario": {"name": model.name, "description": model.description, "file": label},
        "scenario_sources": [s.model_dump(exclude_none=True) for s in model.sources],
        "assumptions": assumptions,
        "deployments": deployments,
        "parameters": {
            "lifetimes": lifetimes,
            "lifetime_distribution": params.lifetime_distribution,
            "weibull_shape": params.weibull_shape if params.lifetime_distribution == "weibull" else None,
            "battery_kwh": params.battery_kwh,
            "chemistry_shares": battery,
            "collection_rate": params.collection_rate,
            "recycling_rate": params.recycling_rate,
            "ev_body_kg_per_vehicle": imodel.ev_body,
            "ev_body_raw_difference": imodel.ev_body_raw,
        },
        "levers": {
            "definition": model.levers.model_dump(exclude_none=True),
            "applied": apply_levers,
            "reductions": lever_rows,
        },
        "excluded": {k: v for k, v in sorted(run.unlisted.items()) if v},
        "units": {"tonnes": "metric tonnes of element", "shares": "fraction 0–1"},
        "notes": _model_notes(model, run),
    }


def _model_notes(model: TransitionScenario, run: Run) -> list[str]:
    notes = [
        "Material is counted in the year a unit is installed (commissioned); construction of large plants "
        "(nuclear: 6–8 years) spreads it over earlier years in reality.",
        "The first value of a stock series is the stock already installed (no demand); it is given a "
        "uniform age distribution over one lifetime unless initial_age is 'new', so it retires and is "
        "replaced within the horizon.",
        "Replacements are like for like, built with the intensities of their own year.",
        "IEA 2021 intensities exclude steel, aluminium and concrete; aluminium and phosphorus appear only "
        "through batteries (BatPac). Rows without a registry material (IEA 'others', BatPac steel) are "
        "left out of the rows and totalled in meta.excluded.",
        "Battery-electric car = IEA kg/vehicle minus its 75 kWh NMC 622 reference battery (lithium, nickel, "
        "cobalt, graphite set to 0 in the body), plus BatPac kg/kWh × pack size for the chemistry mix. "
        "Stationary storage uses BatPac pack intensities per kWh.",
        "Recycled content is the share of demand met by secondary material; it is not capped by the "
        "end-of-life material available domestically (compare with eol_available_t).",
    ]
    if model.levers.lifetime_extension_years:
        notes.append(
            "A longer lifetime delays replacements; it can also move replacements of stock built before the "
            "scenario years into them, so its reduction is measured over the scenario years only."
        )
    if model.levers.chemistry_shift is not None:
        notes.append(
            "A chemistry shift changes the mix, so it can raise some materials (negative reduction) while "
            "lowering others."
        )
    return notes


def _data_notes(mats: list[str], imports_by: Mapping[str, Any], world: Mapping[str, Any]) -> list[str]:
    notes = [
        "Current imports are the importer's latest yearly imports of refined/processed products (gross "
        "product weight, e.g. copper cathodes, cobalt oxide, lithium carbonate), not element content."
    ]
    value_only = [m for m in mats if m in imports_by and imports_by[m]["tonnes"] is None]
    if value_only:
        notes.append(
            "Imports without tonnes for the material itself (value-only source or a basket code; see "
            "imports_basis): " + ", ".join(value_only) + "."
        )
    no_imports = [m for m in mats if m not in imports_by]
    if no_imports:
        notes.append("No imports found for: " + ", ".join(no_imports) + ".")
    no_world = [m for m in mats if m not in world]
    if no_world:
        notes.append("No World Mining Data production for: " + ", ".join(no_world) + ".")
    flagged = sorted(
        {f"{m} ({w['basis']})" for m, w in world.items() if w["basis"] in ("REO", "gross weight")}
    )
    if flagged:
        notes.append(
            "World production kept on its published basis for: " + ", ".join(flagged) + "; natural graphite "
            "excludes synthetic graphite, which batteries also use."
        )
    return notes


def _imports_basis(imp: Mapping[str, Any]) -> str | None:
    if not imp:
        return "no imports recorded in the loaded trade sources"
    codes = ", ".join(imp.get("codes") or [])
    text = f"{imp['source']} {codes} ({imp['stage']}), {imp['year']}"
    if imp.get("basket"):
        text += f": basket code shared with other materials, {imp['value']:,.0f} {imp['currency']}"
    elif imp.get("tonnes") is None:
        text += f": value only, {imp['value']:,.0f} {imp['currency']}"
    return text


def _lever_rows(
    model: TransitionScenario, intens: Intensities, base: Run, full: Run, label: str, lang: str
) -> list[dict[str, Any]]:
    """Primary-demand reduction of each lever alone and of all together, per material, over the horizon."""
    active = model.levers.active()
    runs: dict[str, Run] = {}
    for name in active:
        only = Levers(**{name: getattr(model.levers, name)})
        runs[name] = run_scenario(model, intens, only, label)
    if len(active) > 1:
        runs["all"] = full
    without = _totals(base.primary)
    registry = material_registry()
    rows = []
    for name, run in runs.items():
        with_ = _totals(run.primary)
        for mat in sorted(set(without) | set(with_), key=lambda m: -without.get(m, 0.0)):
            w0, w1 = without.get(mat, 0.0), with_.get(mat, 0.0)
            if abs(w0 - w1) <= 1e-9 * max(1.0, w0):
                continue  # the lever does not touch this material
            rows.append(
                {
                    "lever": name,
                    "material": mat,
                    "material_name": registry.get(mat).name(lang),
                    "without_t": w0,
                    "with_t": w1,
                    "reduction_t": w0 - w1,
                    "reduction_share": (w0 - w1) / w0 if w0 else None,
                }
            )
    return rows


def _totals(values: Mapping[tuple[int, str, str], float]) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for (_, _, mat), v in values.items():
        out[mat] += v
    return dict(out)
