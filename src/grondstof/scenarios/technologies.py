"""Energy technologies: their material intensities, capacity factors and lifetimes, and a comparison.

Two things live here:

* the technology vocabulary shared with :mod:`grondstof.scenarios.transition` — ids, names, units,
  capacity factors and lifetimes from ``technology_defaults.yaml`` (each with its source), and the
  material intensities read from the store (IEA 2021 kg/MW and kg/vehicle, BatPac kg/kWh per battery
  chemistry);
* :func:`technologies`, the comparison behind parliamentary question Q24 ("offshore wind needs about three
  times the critical minerals per MW of nuclear"): kg of each material per MW of capacity and per MWh
  generated over the lifetime, optionally weighted by supply risk.

Per MWh over the lifetime (the metric the energycentral critique of kg/MW asks for)::

    kg/MWh = (kg/MW) / (capacity factor × 8 760 h × lifetime in years)

Supply-risk weight of a material: its EU 2023 supply risk (SR, European Commission 2023 criticality
assessment, ``eu_crm_scores``); where the EU did not assess the material itself (rare earths as a whole are
split into LREE and HREE there), its World Mining Data production HHI (0–1) of the latest year instead —
a different scale, stated per row in ``supply_risk_source``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from grondstof.errors import InputError
from grondstof.parameters import Lang, Params, described
from grondstof.parsing import parse_number
from grondstof.registry._text import normalise, split_list, suggest
from grondstof.registry.materials import materials as material_registry
from grondstof.result import Field, Result
from grondstof.store import Store

HOURS_PER_YEAR = 8760
DEFAULTS_FILE = Path(__file__).with_name("technology_defaults.yaml")
KINDS = ("power", "vehicle", "storage")
# Materials of the IEA electric-car figure that sit only in its battery (cathode and anode).
BATTERY_ONLY = frozenset({"lithium", "nickel", "cobalt", "graphite"})
# The six components usually summed for the IEA offshore-wind figure (15,294 kg/MW).
MAIN_COMPONENTS = ("copper", "zinc", "manganese", "chromium", "nickel", "rare_earths")


@dataclass(frozen=True)
class Technology:
    """One technology: names, unit of deployment, and its default capacity factor and lifetime."""

    id: str
    label: str
    label_nl: str
    kind: str  # power | vehicle | storage
    unit: str  # MW | vehicle | MWh
    aliases: tuple[str, ...]
    intensity: str | None  # technology key of the IEA rows in the store's intensity table
    lifetime_years: float
    lifetime_source: str
    capacity_factor: float | None = None
    capacity_factor_source: str | None = None
    reference_battery_kwh: float | None = None
    reference_chemistry: str | None = None
    reference_source: str | None = None

    def name(self, lang: str = "en") -> str:
        """Display name in English or Dutch."""
        return self.label_nl if lang == "nl" else self.label


@dataclass(frozen=True)
class Defaults:
    """The parsed ``technology_defaults.yaml``: technologies by id and the cited sources."""

    technologies: dict[str, Technology]
    sources: dict[str, dict[str, str]]

    def cite(self, source_id: str | None) -> dict[str, str] | None:
        """The title and URL of a defaults source (None for None)."""
        if source_id is None:
            return None
        return {"id": source_id, **self.sources[source_id]}


@functools.cache
def defaults() -> Defaults:
    """Read ``technology_defaults.yaml`` (once); raise InputError naming a malformed entry."""
    import yaml

    data = yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8"))
    sources = {k: {"title": v["title"], "url": v.get("url", "")} for k, v in data["sources"].items()}
    techs: dict[str, Technology] = {}
    for tech_id, spec in data["technologies"].items():
        for key in ("lifetime_source", "capacity_factor_source", "reference_source"):
            if spec.get(key) is not None and spec[key] not in sources:
                raise InputError(
                    f"{DEFAULTS_FILE.name}: technologies.{tech_id}.{key}", spec[key], "a source id"
                )
        if spec["kind"] not in KINDS:
            raise InputError(f"{DEFAULTS_FILE.name}: technologies.{tech_id}.kind", spec["kind"], str(KINDS))
        techs[tech_id] = Technology(
            id=tech_id,
            label=spec["label"],
            label_nl=spec.get("label_nl", spec["label"]),
            kind=spec["kind"],
            unit=spec["unit"],
            aliases=tuple(spec.get("aliases", ())),
            intensity=spec.get("intensity"),
            lifetime_years=float(spec["lifetime_years"]),
            lifetime_source=spec["lifetime_source"],
            capacity_factor=spec.get("capacity_factor"),
            capacity_factor_source=spec.get("capacity_factor_source"),
            reference_battery_kwh=spec.get("reference_battery_kwh"),
            reference_chemistry=spec.get("reference_chemistry"),
            reference_source=spec.get("reference_source"),
        )
    return Defaults(techs, sources)


def technology_ids(kind: str | None = None) -> list[str]:
    """Ids of all technologies, or of one kind (``power``, ``vehicle``, ``storage``)."""
    return [t.id for t in defaults().technologies.values() if kind is None or t.kind == kind]


def resolve_technology(text: str, parameter: str = "technology", kind: str | None = None) -> Technology:
    """Return the technology named by ``text`` (id, English/Dutch name or alias; case and dashes ignored).

    Raises InputError naming ``parameter`` with close matches; with ``kind`` only that kind is accepted.
    """
    index: dict[str, str] = {}
    for tech in defaults().technologies.values():
        if kind is not None and tech.kind != kind:
            continue
        for term in (tech.id, tech.label, tech.label_nl, *tech.aliases):
            index.setdefault(normalise(term), tech.id)
    found = index.get(normalise(str(text or "")))
    if found is None:
        choices = technology_ids(kind)
        what = f"a {kind} technology" if kind else "a technology"
        raise InputError(
            parameter, text, f"{what}: one of {', '.join(choices)}", suggest(str(text or ""), choices)
        )
    return defaults().technologies[found]


# ---- intensities from the store --------------------------------------------------------------------------


@dataclass
class Intensities:
    """Material intensities from the store, keyed by registry material id.

    ``power`` and ``vehicle`` hold the IEA 2021 rows (kg/MW, kg/vehicle), ``battery`` the BatPac rows
    (kg/kWh) per chemistry name (``"NMC 811"``, ``"LFP"``, …). Rows whose material is not in the registry
    (IEA "others", BatPac steel and stainless steel) are kept apart in ``unlisted`` by label.
    """

    power: dict[str, dict[str, float]] = field(default_factory=dict)
    vehicle: dict[str, dict[str, float]] = field(default_factory=dict)
    battery: dict[str, dict[str, float]] = field(default_factory=dict)
    unlisted: dict[str, dict[str, float]] = field(default_factory=dict)

    def chemistries(self) -> list[str]:
        """The battery chemistries with BatPac intensities."""
        return sorted(self.battery)

    def ev_body(self, tech: Technology) -> tuple[dict[str, float], dict[str, float]]:
        """kg per vehicle of the electric car without its battery, and the raw differences.

        body = IEA electric car − reference battery (75 kWh NMC 622, BatPac), per material, floored at 0;
        lithium, nickel, cobalt and graphite are battery-only and set to 0 (their small differences are
        IEA-vs-BatPac rounding, not body content). The second dict gives every raw difference for ``meta``.
        """
        car = self.vehicle.get(tech.intensity or "", {})
        kwh = float(tech.reference_battery_kwh or 0)
        battery = self.battery.get(tech.reference_chemistry or "", {})
        raw = {m: car.get(m, 0.0) - kwh * battery.get(m, 0.0) for m in set(car) | set(battery)}
        body = {
            m: max(0.0, car[m] - kwh * battery.get(m, 0.0))
            for m in car
            if m not in BATTERY_ONLY and car[m] - kwh * battery.get(m, 0.0) > 0
        }
        return body, raw


def load_intensities(store: Store) -> Intensities:
    """Read the ``intensity`` table (IEA 2021 and BatPac) into :class:`Intensities`."""
    out = Intensities()
    for row in store.rows("intensity"):
        value = row["intensity"]
        if value is None:
            continue
        tech, unit, material = row["technology"], row["unit"], row["material"] or ""
        if row["source"] == "batpac" and tech.startswith("battery:"):
            key, target = tech.split(":", 1)[1], out.battery
        elif unit == "kg/MW":
            key, target = tech, out.power
        elif unit == "kg/vehicle":
            key, target = tech, out.vehicle
        else:
            continue
        if not material:
            label = f"{row['material_label']} ({row['source']})"
            bucket = out.unlisted.setdefault(f"{row['source']}:{tech}", {})
            bucket[label] = bucket.get(label, 0.0) + value
            continue
        target.setdefault(key, {})[material] = target.setdefault(key, {}).get(material, 0.0) + value
    return out


# ---- supply-risk weights ---------------------------------------------------------------------------------


def supply_risk_weights(store: Store, material_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Weight per material: EU 2023 supply risk, else the WMD production HHI of the latest year.

    Returns ``{material: {"weight": float | None, "source": text}}``; None where neither exists.
    """
    scores = store.rows("eu_crm_scores")
    sr = {r["material"]: r["sr"] for r in scores if r["year"] == 2023 and r["sr"] is not None}
    out: dict[str, dict[str, Any]] = {}
    missing = []
    for mat in material_ids:
        if mat in sr:
            out[mat] = {"weight": sr[mat], "source": "EU 2023 supply risk (SR)"}
        else:
            missing.append(mat)
    if missing:
        hhi = production_hhi(store, missing)
        for mat in missing:
            if mat in hhi:
                year, value = hhi[mat]
                out[mat] = {"weight": value, "source": f"WMD production HHI {year} (no EU 2023 SR)"}
                # The EU assesses the rare-earth subgroups, not rare earths as a whole: show them.
                parts = {g: sr[g] for g in ("lree", "hree") if mat == "rare_earths" and g in sr}
                if parts:
                    out[mat]["eu_2023_sr_of_subgroups"] = parts
            else:
                out[mat] = {"weight": None, "source": "no EU 2023 SR and no WMD production"}
    return out


def production_hhi(store: Store, material_ids: Sequence[str]) -> dict[str, tuple[int, float]]:
    """World Mining Data production HHI of the latest year per material (materials without data left out)."""
    from grondstof.indicators.supply import supply

    try:
        result = supply(list(material_ids), source="wmd", by="year", store=store)
    except InputError:
        return {}
    out: dict[str, tuple[int, float]] = {}
    for row in result.rows:
        if row["hhi"] is not None and row["material"] not in out:
            out[row["material"]] = (row["year"], row["hhi"])
    return out


# ---- the comparison --------------------------------------------------------------------------------------

MATERIAL_FIELDS = [
    Field("technology", "Technology (id)", show=False),
    Field("technology_name", "Technology"),
    Field("material", "Material (id)", show=False),
    Field("material_name", "Material"),
    Field("kg_per_mw", "kg per MW", "number", "kg/MW", "IEA 2021, per MW of capacity"),
    Field(
        "kg_per_mwh",
        "kg per MWh",
        "number",
        "kg/MWh",
        "kg/MW ÷ (capacity factor × 8 760 h × lifetime): per MWh generated over the lifetime",
    ),
    Field("capacity_factor", "Capacity factor", "share"),
    Field("lifetime_years", "Lifetime", "number", "years"),
    Field(
        "supply_risk_weight",
        "Supply-risk weight",
        "number",
        description="EU 2023 SR; WMD production HHI (0–1) where the EU has no SR (see supply_risk_source)",
    ),
    Field("supply_risk_source", "Weight source", show=False),
    Field("weighted_kg_per_mw", "Weighted kg per MW", "number", "kg/MW", "kg/MW × supply-risk weight"),
    Field("weighted_kg_per_mwh", "Weighted kg per MWh", "number", "kg/MWh", "kg/MWh × supply-risk weight"),
]

TOTAL_FIELDS = [
    Field("technology", "Technology (id)", show=False),
    Field("technology_name", "Technology"),
    Field("kg_per_mw", "kg per MW", "number", "kg/MW", "sum over the materials shown"),
    Field("kg_per_mwh", "kg per MWh", "number", "kg/MWh"),
    Field("capacity_factor", "Capacity factor", "share"),
    Field("lifetime_years", "Lifetime", "number", "years"),
    Field("weighted_kg_per_mw", "Weighted kg per MW", "number", "kg/MW", "Σ kg/MW × supply-risk weight"),
    Field("weighted_kg_per_mwh", "Weighted kg per MWh", "number", "kg/MWh", "Σ kg/MWh × supply-risk weight"),
    Field("ratio_per_mw", "× reference per MW", "number", description="kg/MW ÷ that of `relative_to`"),
    Field("ratio_per_mwh", "× reference per MWh", "number", description="kg/MWh ÷ that of `relative_to`"),
    Field("materials", "Materials", "int", description="materials with a non-zero intensity"),
    Field("others_kg_per_mw", "IEA 'others'", "number", "kg/MW", "not a registry material; not in totals"),
]


def kg_per_mwh(kg_per_mw: float, capacity_factor: float, lifetime_years: float) -> float:
    """kg per MWh generated over the lifetime: kg/MW ÷ (capacity factor × 8 760 h × lifetime)."""
    return kg_per_mw / (capacity_factor * HOURS_PER_YEAR * lifetime_years)


def _overrides(
    values: Mapping[str, float] | str | None, parameter: str, low: float, high: float, inclusive_low: bool
) -> dict[str, float]:
    """Parse ``{"offshore_wind": 0.45}`` or ``"offshore_wind=0.45,nuclear=0.85"`` into checked values."""
    if values is None or values == "":
        return {}
    if isinstance(values, str):
        items: dict[str, Any] = {}
        for part in split_list(values):
            key, sep, val = part.partition("=")
            if not sep:
                raise InputError(parameter, part, "technology=value pairs, e.g. offshore_wind=0.45")
            items[key.strip()] = val.strip()
        values = items
    out: dict[str, float] = {}
    for key, raw in values.items():
        tech = resolve_technology(key, parameter, kind="power")
        number = parse_number(raw, f"{parameter}.{tech.id}")
        ok_low = number >= low if inclusive_low else number > low
        if not (ok_low and number <= high):
            raise InputError(f"{parameter}.{tech.id}", raw, f"a number in ({low}, {high}]")
        out[tech.id] = number
    return out


class TechnologiesParams(Params):
    """Parameters of :func:`technologies` (``grondstof technologies``, ``/api/v1/scenario/technologies``)."""

    per: Annotated[
        Literal["MW", "MWh"],
        described(
            "Order by kg per MW of capacity or per MWh generated over the lifetime.",
            "Sorteer op kg per MW vermogen of per MWh over de levensduur.",
        ),
    ] = "MW"
    materials: Annotated[
        str | None,
        described(
            "Only these materials (comma list).", "Alleen deze grondstoffen (kommalijst).", max_length=500
        ),
    ] = None
    weight: Annotated[
        Literal["supply-risk", "none"],
        described(
            "supply-risk (EU 2023 SR) or none.", "supply-risk (EU-leveringsrisico 2023) of none (geen)."
        ),
    ] = "supply-risk"
    by: Annotated[
        Literal["material", "technology"],
        described(
            "material (rows per material) or technology (totals).",
            "material (een rij per grondstof) of technology (totalen per techniek).",
        ),
    ] = "material"
    capacity_factors: Annotated[
        str | None,
        described(
            "Overrides, e.g. offshore_wind=0.45,nuclear=0.85.",
            "Andere capaciteitsfactoren, bijv. offshore_wind=0.45,nuclear=0.85.",
            max_length=500,
        ),
    ] = None
    lifetimes: Annotated[
        str | None,
        described(
            "Overrides in years, e.g. nuclear=40.",
            "Andere levensduren in jaren, bijv. nuclear=40.",
            max_length=500,
        ),
    ] = None
    relative_to: Annotated[
        str,
        described(
            "Reference technology for the ratios.", "Referentietechniek voor de verhoudingen.", max_length=40
        ),
    ] = "nuclear"
    lang: Lang = "en"


def technologies(
    per: str = "MW",
    *,
    materials: str | Sequence[str] | None = None,
    capacity_factors: Mapping[str, float] | str | None = None,
    lifetimes: Mapping[str, float] | str | None = None,
    weight: str = "supply-risk",
    by: str = "material",
    relative_to: str = "nuclear",
    store: Store | None = None,
    lang: str = "en",
) -> Result:
    """Materials per MW of capacity and per MWh generated over the lifetime, per power technology.

    For each technology t and material m (IEA 2021, kg/MW; steel, aluminium and concrete are not in the
    IEA figure)::

        kg/MWh(t, m) = kg/MW(t, m) / (CF_t × 8 760 h × L_t)
        weighted(t, m) = kg(t, m) × w_m,  w_m = EU 2023 SR of m, else WMD production HHI of m

    with capacity factor CF and lifetime L from ``technology_defaults.yaml`` (CBS, EIA, DEA, WNA — each
    cited in ``meta["defaults"]``) unless overridden. ``by="technology"`` gives one total row per
    technology with its ratio to ``relative_to`` per MW and per MWh. Method: IEA (2021), *The Role of
    Critical Minerals in Clean Energy Transitions*; per-MWh normalisation as argued in the energycentral
    critique of kg/MW (see docs/dev and the design notes).

    Parameters
    ----------
    per:
        ``MW`` or ``MWh``: which measure orders the rows.
    materials:
        Restrict to these materials (names, symbols, comma list); zero rows are then kept.
    capacity_factors, lifetimes:
        Overrides per technology, as a mapping or ``"offshore_wind=0.45,nuclear=0.85"``.
    weight:
        ``supply-risk`` (default) or ``none``.
    by:
        ``material`` (one row per technology and material) or ``technology`` (totals).
    relative_to:
        The technology the totals are compared with (default nuclear).
    """
    from grondstof.store import open_store

    store = store or open_store()
    per_key = {"mw": "MW", "mwh": "MWh"}.get(str(per).strip().lower())
    if per_key is None:
        raise InputError("per", per, "MW or MWh")
    weight_key = str(weight).strip().lower().replace("_", "-")
    if weight_key not in ("none", "supply-risk"):
        raise InputError("weight", weight, "none or supply-risk")
    if by not in ("material", "technology"):
        raise InputError("by", by, "material or technology")
    reference = resolve_technology(relative_to, "relative_to", kind="power")
    cf_over = _overrides(capacity_factors, "capacity_factors", 0.0, 1.0, inclusive_low=False)
    life_over = _overrides(lifetimes, "lifetimes", 0.0, 150.0, inclusive_low=False)
    registry = material_registry()
    wanted: list[str] | None = None
    if materials not in (None, ""):
        assert materials is not None
        mats = (
            registry.resolve_many(materials, parameter="materials", allow_all=False)
            if isinstance(materials, str)
            else [registry.resolve(m, parameter="materials") for m in materials]
        )
        wanted = [m.id for m in mats]

    intens = load_intensities(store)
    spec = defaults()
    power = [t for t in spec.technologies.values() if t.kind == "power" and t.intensity in intens.power]
    used_materials = sorted({m for t in power for m in intens.power[t.intensity or ""]})
    weights = supply_risk_weights(store, used_materials) if weight_key == "supply-risk" else {}

    rows: list[dict[str, Any]] = []
    totals: dict[str, dict[str, Any]] = {}
    for tech in power:
        cf = cf_over.get(tech.id, tech.capacity_factor)
        life = life_over.get(tech.id, tech.lifetime_years)
        assert cf is not None
        per_mat = intens.power[tech.intensity or ""]
        total = {"kg": 0.0, "weighted": 0.0, "n": 0, "weighted_ok": True}
        for mat, kg in sorted(per_mat.items(), key=lambda kv: -kv[1]):
            if wanted is not None and mat not in wanted:
                continue
            if wanted is None and kg == 0:
                continue
            w = weights.get(mat, {}).get("weight") if weights else None
            mwh = kg_per_mwh(kg, cf, life)
            rows.append(
                {
                    "technology": tech.id,
                    "technology_name": tech.name(lang),
                    "material": mat,
                    "material_name": registry.get(mat).name(lang),
                    "kg_per_mw": kg,
                    "kg_per_mwh": mwh,
                    "capacity_factor": cf,
                    "lifetime_years": life,
                    "supply_risk_weight": w,
                    "supply_risk_source": weights.get(mat, {}).get("source") if weights else None,
                    "weighted_kg_per_mw": kg * w if w is not None else None,
                    "weighted_kg_per_mwh": mwh * w if w is not None else None,
                }
            )
            total["kg"] += kg
            total["n"] += int(kg > 0)
            if w is None:
                total["weighted_ok"] = bool(kg == 0 and total["weighted_ok"])
            else:
                total["weighted"] += kg * w
        others = sum(intens.unlisted.get(f"iea_2021:{tech.intensity}", {}).values())
        totals[tech.id] = {
            "technology": tech.id,
            "technology_name": tech.name(lang),
            "kg_per_mw": total["kg"],
            "kg_per_mwh": kg_per_mwh(total["kg"], cf, life),
            "capacity_factor": cf,
            "lifetime_years": life,
            "weighted_kg_per_mw": total["weighted"] if weights and total["weighted_ok"] else None,
            "weighted_kg_per_mwh": (
                kg_per_mwh(total["weighted"], cf, life) if weights and total["weighted_ok"] else None
            ),
            "materials": total["n"],
            "others_kg_per_mw": others if wanted is None else None,
        }
    ref = totals.get(reference.id)
    for row in totals.values():
        row["ratio_per_mw"] = _ratio(row["kg_per_mw"], ref["kg_per_mw"] if ref else None)
        row["ratio_per_mwh"] = _ratio(row["kg_per_mwh"], ref["kg_per_mwh"] if ref else None)
    key = "kg_per_mw" if per_key == "MW" else "kg_per_mwh"
    order = {t: i for i, t in enumerate(sorted(totals, key=lambda t: -totals[t][key]))}
    rows.sort(key=lambda r: (order[r["technology"]], -r[key]))
    total_rows = sorted(totals.values(), key=lambda r: -r[key])

    sources = ["iea_2021"] + (["eu_crm_2023", "wmd"] if weights else [])
    meta = {
        "query": {
            "per": per_key,
            "materials": wanted,
            "capacity_factors": cf_over or None,
            "lifetimes": life_over or None,
            "weight": weight_key,
            "by": by,
            "relative_to": reference.id,
        },
        "sources": store.cite(*sources),
        "defaults": {
            t.id: {
                "capacity_factor": cf_over.get(t.id, t.capacity_factor),
                "capacity_factor_source": (
                    "given" if t.id in cf_over else spec.cite(t.capacity_factor_source)
                ),
                "lifetime_years": life_over.get(t.id, t.lifetime_years),
                "lifetime_source": "given" if t.id in life_over else spec.cite(t.lifetime_source),
            }
            for t in power
        },
        "weights": weights or None,
        "comparison": _comparison(intens, totals, cf_over, life_over, reference),
        "units": {"kg_per_mw": "kg per MW of capacity", "kg_per_mwh": "kg per MWh over the lifetime"},
        "notes": _notes(intens, power, weights, wanted),
    }
    title = "Materials per " + ("MW of capacity" if per_key == "MW" else "MWh generated over the lifetime")
    if by == "technology":
        return Result(title + ", totals per technology", TOTAL_FIELDS, total_rows, meta)
    return Result(title + ", by technology and material", MATERIAL_FIELDS, rows, meta)


def _ratio(value: float | None, reference: float | None) -> float | None:
    if value is None or not reference:
        return None
    return value / reference


def _comparison(
    intens: Intensities,
    totals: dict[str, dict[str, Any]],
    cf_over: dict[str, float],
    life_over: dict[str, float],
    reference: Technology,
) -> dict[str, Any] | None:
    """The Q24 check: offshore wind against the reference per MW, per MWh, and for the six main components."""
    spec = defaults().technologies
    if "offshore_wind" not in totals or reference.id not in totals:
        return None
    off, ref = totals["offshore_wind"], totals[reference.id]
    main_off = sum(intens.power["offshore_wind"].get(m, 0.0) for m in MAIN_COMPONENTS)
    main_ref = sum(intens.power[reference.intensity or ""].get(m, 0.0) for m in MAIN_COMPONENTS)

    def cf_life(tech_id: str) -> tuple[float, float]:
        tech = spec[tech_id]
        return cf_over.get(tech_id, tech.capacity_factor or 0.0), life_over.get(tech_id, tech.lifetime_years)

    return {
        "technology": "offshore_wind",
        "relative_to": reference.id,
        "kg_per_mw": off["kg_per_mw"],
        "reference_kg_per_mw": ref["kg_per_mw"],
        "ratio_per_mw": _ratio(off["kg_per_mw"], ref["kg_per_mw"]),
        "kg_per_mwh": off["kg_per_mwh"],
        "reference_kg_per_mwh": ref["kg_per_mwh"],
        "ratio_per_mwh": _ratio(off["kg_per_mwh"], ref["kg_per_mwh"]),
        "main_components": list(MAIN_COMPONENTS),
        "main_components_kg_per_mw": main_off,
        "reference_main_components_kg_per_mw": main_ref,
        "main_components_ratio_per_mw": _ratio(main_off, main_ref),
        "main_components_ratio_per_mwh": _ratio(
            kg_per_mwh(main_off, *cf_life("offshore_wind")), kg_per_mwh(main_ref, *cf_life(reference.id))
        ),
    }


def _notes(
    intens: Intensities,
    power: list[Technology],
    weights: dict[str, dict[str, Any]],
    wanted: list[str] | None,
) -> list[str]:
    notes = [
        "kg/MWh = kg/MW ÷ (capacity factor × 8,760 h × lifetime): materials in the plant, spread over the "
        "electricity it generates in its life; fuels (uranium, gas, coal) and their mining are not included.",
        "IEA 2021 intensities exclude steel, aluminium and concrete; totals are sums over the listed "
        "registry materials.",
    ]
    others = {t.id: sum(intens.unlisted.get(f"iea_2021:{t.intensity}", {}).values()) for t in power}
    if any(others.values()):
        shown = ", ".join(f"{k} {v:,.1f}" for k, v in others.items() if v)
        notes.append(f"IEA 'others' (kg/MW, no single material; left out of totals): {shown}.")
    if wanted is None:
        notes.append(
            "Materials with 0 kg/MW in the IEA figure are left out (ask with --materials to see them)."
        )
    notes.append(
        "Capacity factors: Dutch fleet values (CBS; Borssele for nuclear) for wind, solar and nuclear; US "
        "fleet averages (EIA 2021) for gas and coal, where no Dutch figure was found."
    )
    hhi = sorted(m for m, w in weights.items() if w["source"].startswith("WMD"))
    if hhi:
        notes.append(
            "Supply-risk weight falls back to the WMD production HHI (0–1 scale, lower than SR's) for: "
            + ", ".join(hhi)
            + "; this understates their weight next to SR-weighted materials."
        )
    parts = weights.get("rare_earths", {}).get("eu_2023_sr_of_subgroups")
    if parts:
        shown = ", ".join(f"{k.upper()} {v}" for k, v in parts.items())
        notes.append(f"Rare earths: the EU 2023 study assesses the subgroups only (SR {shown}).")
    return notes
