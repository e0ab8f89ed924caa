"""The scanner: a company's products or purchases, scanned for raw-material supply risk.

Parliamentary question Q8 (Kamerstuk 32 852 nr. 311) asks what became of the Grondstoffenscanner. These
kernels are pure: numbers and small tables in, numbers and tables out, no files, no language, no store.
The query layer (:mod:`grondstof.scanner.query`) reads the company's file, resolves names through the
registries, takes every national figure from the existing analyses (world supply, import pattern,
GeoPolRisk, EU supply risk, export controls, cut-off scenarios) and labels the results.

**Yearly need per material** (tonnes of the material itself, "content"), for each input kind:

* bill of materials: q = m × f_unit × n × c × k, with m the mass per product unit in the file's unit
  (f_unit: g = 10⁻⁶ t, kg = 10⁻³ t, t = 1, lb = 0.45359237 × 10⁻³ t, the international avoirdupois pound),
  n units per year, c the content share of the stated mass (default 1) and k the ``quantity`` factor;
* product templates: the same, with the masses of the shipped template (each with its source);
* import records: q = gross tonnes × content factor of the code, where a content factor can be cited
  (stoichiometry of a defined compound, or a legal minimum content; the factors of
  :data:`grondstof.scenarios.massbalance.CONTENT_FACTORS`, converted from their oxide basis to the element
  with standard atomic weights). Without one, the gross weight is reported and labelled ``gross weight``;
  a code that covers several materials (a basket, e.g. HS 811292) cannot be split: its tonnes are shown as
  the basket's, not as any one material's;
* product groups: q = A × g / 1000, with A the yearly tonnes of products of a CBS CE25 product group and g
  TNO's coefficient of the material in that group. TNO's file does not state its unit; **grams of material
  per kg of product is assumed** (consistent with its values, e.g. transport equipment: iron 331, cobalt
  1.08), so a coefficient of 1 means 1 kg per tonne of product. An amount in EUR needs the product's value
  per kg: A = EUR ÷ (EUR/kg) ÷ 1000.

**Supplier mix** of a material: where the company names supplier countries (bill of materials) or origins
(import records), its own shares by tonnes, s_i = q_i / Σq. For the part of the need without a named
supplier, the importing country's import pattern for that material (value shares of its imports by partner,
latest year, processing-stage codes where the trade data has them) stands in:

    s_i = w × own_i + (1 − w) × pattern_i,     w = tonnes with a named supplier / all tonnes

**Concentration** of the mix: HHI = Σ s_i² (0–1), beside the world production HHI of the material
(:mod:`grondstof.indicators.supply`).

**GeoPolRisk of the company** (Gemechu et al. 2015; company-specific as in geopolrisk-py's company
template, Koyamparambath et al.): score = HHI_world × Σ s_i g_i, with g_i = (2.5 − WGI-PV_i)/5 clipped to
[0, 1] the political instability of supplier i (World Bank WGI "Political stability", latest year; 0.5
where a country has no value, as geopolrisk-py does). The company has no domestic production, so its import
risk is Σ s_i g_i. The national score for the importing country (:mod:`grondstof.indicators.geopolrisk`) is
shown beside it.

**Export-control exposure** on a date: controlled share = Σ s_i over suppliers i with an export control on
the material (or a group containing it) in force on that date and applying to the importing country
(:func:`grondstof.indicators.exposure.controls`); measures on technology transfer or on foreign-made goods do
not stop exports of the material and are named, not counted.

**Value and value at risk**: value = q × p, with p the price per tonne from
:func:`grondstof.scanner.prices.price_of` (the company's own unit value where its import records give
values, otherwise, for now, the trade unit value of the importing country's imports:
import value ÷ import tonnes, in the trade source's currency and year, per tonne of traded goods — an
approximation for compounds);
value at risk = value × controlled share: the yearly purchases that pass an export-control regime. Values in
different currencies are never added; totals are given per currency.

**Cut-off presets** (:mod:`grondstof.scenarios.presets`, :mod:`grondstof.scenarios.cutoff`): for a preset
whose supplier S stops a share σ of its exports for T months, the company loses
L = q × σ × s_S × T/12 of the material; the national scenario replaces a part R/L_national of the national
loss from alternative suppliers, which is applied to the company's loss: replaced = L × R/L, shortfall =
L − replaced. A measure on raw ores and minerals (stage extraction) reaches only what the company imports as
ores from that supplier (import records with extraction-stage codes): a bill of materials holds the material
processed, so its share s_S is 0 there (effects through refiners abroad are not modelled, and say so).

**Risk profile** of a product or of the firm (no single hidden number: every part is shown). For each
indicator x (supplier HHI, company GeoPolRisk, EU supply risk, controlled share) the profile gives the
value-weighted mean Σ v_m x_m / Σ v_m over the materials m with a value v_m in the main currency and a
figure x_m, the largest x_m with its material, the number of materials counted and left out, and the
materials that dominate it: contribution_m = v_m x_m / Σ v_m x_m, largest first. Shares above thresholds
(EU SR ≥ 1, CRMA strategic) are value shares. Weighting by value rather than mass stops bulk metals (iron,
copper) from hiding the small, concentrated ones.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "LB_IN_KG",
    "MASS_UNITS",
    "Contribution",
    "PresetEffect",
    "WeightedFigure",
    "company_geopolrisk",
    "controlled_share",
    "hhi",
    "instability",
    "mix_suppliers",
    "preset_effect",
    "product_group_tonnes",
    "top_shares",
    "weighted_figure",
    "yearly_tonnes",
]

LB_IN_KG = 0.45359237  # international avoirdupois pound (exact, 1959 agreement)
MASS_UNITS: dict[str, float] = {"g": 1e-6, "kg": 1e-3, "t": 1.0, "lb": LB_IN_KG * 1e-3}
MISSING_INSTABILITY = 0.5  # geopolrisk-py's value for a supplier without a WGI estimate


def yearly_tonnes(
    mass: float, tonnes_per_unit: float, units_per_year: float, content: float = 1.0, quantity: float = 1.0
) -> float:
    """q = m × f_unit × n × c × k: tonnes of material per year from one line of a bill of materials.

    ``tonnes_per_unit`` is :data:`MASS_UNITS` of the line's unit. Raises ValueError on a negative input.
    """
    for name, value in (
        ("mass", mass),
        ("units_per_year", units_per_year),
        ("content", content),
        ("quantity", quantity),
    ):
        if value < 0 or not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number ≥ 0")
    return mass * tonnes_per_unit * units_per_year * content * quantity


def product_group_tonnes(amount_t: float, grams_per_kg: Mapping[str, float]) -> dict[str, float]:
    """Tonnes of each material in ``amount_t`` tonnes of products: A × g / 1000 (g = grams per kg).

    Materials with a zero coefficient are left out (no content, not "no data").
    """
    if amount_t < 0:
        raise ValueError("amount must be ≥ 0")
    return {m: amount_t * g / 1000.0 for m, g in grams_per_kg.items() if g and g > 0}


def hhi(shares: Iterable[float]) -> float | None:
    """Σ s² of shares that add up to 1 (None for no shares)."""
    items = [s for s in shares if s > 0]
    return sum(s * s for s in items) if items else None


def mix_suppliers(
    own_tonnes: Mapping[str, float], unnamed_tonnes: float, pattern: Mapping[str, float] | None
) -> tuple[dict[str, float], float]:
    """The supplier mix s_i = w × own_i + (1 − w) × pattern_i and the weight w of the company's own figures.

    ``own_tonnes``: tonnes per named supplier; ``unnamed_tonnes``: tonnes without one; ``pattern``: the
    importing country's partner shares (summing to 1), or None when it has no imports of the material —
    then the mix covers only the named part and w is still returned (the rest is unknown, not zero).
    """
    named = sum(v for v in own_tonnes.values() if v > 0)
    total = named + max(0.0, unnamed_tonnes)
    if total <= 0:
        return {}, 0.0
    weight = named / total
    mix: dict[str, float] = {}
    for country, tonnes in own_tonnes.items():
        if tonnes > 0:
            mix[country] = mix.get(country, 0.0) + tonnes / named * (weight if pattern else 1.0)
    if pattern and weight < 1.0:
        for country, share in pattern.items():
            if share and share > 0:
                mix[country] = mix.get(country, 0.0) + (1.0 - weight) * share
    return dict(sorted(mix.items(), key=lambda kv: -kv[1])), weight


def top_shares(mix: Mapping[str, float], n: int = 3) -> list[tuple[str, float]]:
    """The ``n`` largest shares, largest first."""
    return sorted(mix.items(), key=lambda kv: -kv[1])[:n]


def instability(estimate: float | None) -> float:
    """g = (2.5 − WGI-PV estimate) / 5, clipped to [0, 1]; 0.5 for a missing estimate (geopolrisk-py)."""
    if estimate is None or not math.isfinite(estimate):
        return MISSING_INSTABILITY
    return min(1.0, max(0.0, (2.5 - estimate) / 5.0))


def company_geopolrisk(
    world_hhi: float | None, mix: Mapping[str, float], estimates: Mapping[str, float | None]
) -> float | None:
    """HHI_world × Σ s_i g_i over the company's supplier mix (None without a world HHI or a mix)."""
    if world_hhi is None or not mix:
        return None
    risk = sum(share * instability(estimates.get(country)) for country, share in mix.items())
    return world_hhi * risk


def controlled_share(mix: Mapping[str, float], controlled: Iterable[str]) -> float | None:
    """Σ s_i over suppliers with a control in force (None without a mix: unknown, not 0)."""
    if not mix:
        return None
    wanted = set(controlled)
    return sum(share for country, share in mix.items() if country in wanted)


@dataclass(frozen=True)
class PresetEffect:
    """What one cut-off preset does to the company's yearly need of one material (tonnes)."""

    lost: float
    replaced: float | None
    shortfall: float | None


def preset_effect(
    need_t: float,
    share_from_supplier: float,
    preset_share: float,
    months: float,
    national_lost_share: float | None,
    national_shortfall_share: float | None,
) -> PresetEffect:
    """L = q × σ × s_S × T/12; replaced = L × (1 − G_nat/L_nat); shortfall = L − replaced.

    The national shortfall and loss shares come from the cut-off scenario for the importing country; without
    them (no trade data) only the loss is known.
    """
    lost = need_t * preset_share * share_from_supplier * months / 12.0
    if national_lost_share is None or national_shortfall_share is None:
        return PresetEffect(lost, None, None)
    if national_lost_share <= 0:
        # The country loses nothing, so nothing tells how much of the company's loss could be replaced.
        return PresetEffect(lost, None, None) if lost > 0 else PresetEffect(0.0, 0.0, 0.0)
    kept = max(0.0, min(1.0, national_shortfall_share / national_lost_share))
    shortfall = lost * kept
    return PresetEffect(lost, lost - shortfall, shortfall)


@dataclass(frozen=True)
class Contribution:
    """One material's part in a weighted figure: its weight, its figure and its share of the weighted sum."""

    material: str
    weight: float
    figure: float
    share: float


@dataclass(frozen=True)
class WeightedFigure:
    """A value-weighted mean with its parts: counted and left-out materials, the maximum, the
    contributions."""

    mean: float | None
    maximum: float | None
    maximum_material: str | None
    counted: int
    left_out: tuple[str, ...]
    contributions: tuple[Contribution, ...]


def weighted_figure(items: Sequence[tuple[str, float | None, float | None]]) -> WeightedFigure:
    """Σ w x / Σ w over items (material, weight w, figure x) with both known and w > 0.

    Items without a weight or a figure are listed in ``left_out``; contributions are w x / Σ w x, largest
    first (empty when every figure is 0).
    """
    counted = [(m, w, x) for m, w, x in items if w is not None and w > 0 and x is not None]
    left_out = tuple(m for m, w, x in items if not (w is not None and w > 0 and x is not None))
    if not counted:
        return WeightedFigure(None, None, None, 0, left_out, ())
    total_w = sum(w for _, w, _ in counted)
    total_wx = sum(w * x for _, w, x in counted)
    top = max(counted, key=lambda item: item[2])
    parts = tuple(
        sorted(
            (Contribution(m, w, x, (w * x) / total_wx) for m, w, x in counted if total_wx > 0),
            key=lambda c: -c.share,
        )
    )
    return WeightedFigure(total_wx / total_w, top[2], top[0], len(counted), left_out, parts)
