"""Design and chemistry alternatives the data knows: what else could do the job with less of a material.

Two kinds, both cited:

* **computed** — a shipped template names another template as its alternative (the NMC car names the LFP
  car): both are expanded for the same quantity and the change per material is the difference of their
  yearly needs (BatPac kg/kWh for the battery, the rest unchanged);
* **described** — a known substitution for a material (ferrite magnets or rare-earth-free motors for NdFeB
  magnets, LFP or sodium-ion cathodes for cobalt and nickel, copper plating for silver in PV cells,
  alkaline electrolysis for iridium) with its source. For battery metals the BatPac intensities of the
  store give the figure per kWh.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# material → (option, source): known substitutions for materials in a company's own file.
DESCRIBED: dict[str, tuple[str, str]] = {
    "rare_earths": (
        "ferrite magnets, or a motor/generator without permanent magnets (induction, electrically "
        "excited synchronous): no rare earths, larger or less efficient",
        "Carrara et al. (2020), JRC119941; Coey (2020), Engineering 6(2) 119–131",
    ),
    "neodymium": (
        "ferrite (strontium ferrite) magnets, or a motor without permanent magnets; ferrite's "
        "energy product is about a tenth of NdFeB's, so magnets are larger",
        "Coey (2020), Perspective and prospects for rare earth permanent magnets, Engineering 6(2)",
    ),
    "praseodymium": (
        "as for neodymium: ferrite magnets or a motor without permanent magnets",
        "Coey (2020), Engineering 6(2)",
    ),
    "dysprosium": (
        "grain-boundary diffusion lowers dysprosium in NdFeB; ferrite or magnet-free designs avoid it",
        "Coey (2020), Engineering 6(2)",
    ),
    "terbium": (
        "as for dysprosium: grain-boundary diffusion, ferrite or magnet-free designs",
        "Coey (2020), Engineering 6(2)",
    ),
    "silver": (
        "copper-plated contacts instead of silver paste in solar cells",
        "Hallam et al. (2023), Progress in Photovoltaics 31(6)",
    ),
    "iridium": (
        "alkaline electrolysis (nickel electrodes) instead of PEM",
        "H2 View (2022), iridium in PEM electrolysis",
    ),
    "platinum": ("alkaline electrolysis instead of PEM; lower platinum loadings", "H2 View (2022)"),
}
BATTERY_METALS = ("cobalt", "nickel", "manganese")


def design_options(
    parsed: Any, mats: Mapping[str, Any], store: Any, quantity: float, lang: str
) -> list[dict[str, Any]]:
    """Option rows (material, kind ``design``, option, figure, detail, source) for the scanned materials."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    if parsed.kind == "template" and parsed.template:
        out.extend(_template_alternatives(parsed.template, mats, store, quantity, lang, seen))
    wanted = set(BATTERY_METALS) | {"lithium"}
    battery = _battery_figures(store) if wanted & set(mats) else {}
    for material in mats:
        if material in DESCRIBED and (material, "described") not in seen:
            option, source = DESCRIBED[material]
            out.append(_row(material, option, None, "", source))
        if material in BATTERY_METALS and battery and (material, "battery") not in seen:
            nmc, lfp = battery.get(("NMC 811", material)), battery.get(("LFP", material))
            if nmc is not None and lfp is not None:
                out.append(
                    _row(
                        material,
                        "if it sits in a Li-ion cathode: LFP instead of NMC",
                        lfp - nmc,
                        f"BatPac: NMC 811 {nmc:.3f} kg/kWh, LFP {lfp:.3f} kg/kWh",
                        "batpac",
                    )
                )
        if material == "lithium" and battery and (material, "battery") not in seen:
            sib = battery.get(("SIB", "lithium"), 0.0)
            nmc = battery.get(("NMC 811", "lithium"))
            if nmc is not None:
                out.append(
                    _row(
                        material,
                        "sodium-ion battery instead of Li-ion",
                        sib - nmc,
                        f"BatPac: NMC 811 {nmc:.3f} kg Li/kWh, SIB {sib:.3f}",
                        "batpac",
                    )
                )
    return out


def _row(material: str, option: str, figure: float | None, detail: str, source: str) -> dict[str, Any]:
    return {
        "material": material,
        "material_name": material,
        "kind": "design",
        "option": option,
        "figure": figure,
        "detail": detail,
        "source": source,
    }


def _battery_figures(store: Any) -> dict[tuple[str, str], float]:
    from grondstof.scanner.templates import store_intensities

    intensities = store_intensities(store)
    return {(chem, mat): kg for chem, per in intensities.battery.items() for mat, kg in per.items()}


def _template_alternatives(
    template_id: str,
    mats: Mapping[str, Any],
    store: Any,
    quantity: float,
    lang: str,
    seen: set[tuple[str, str]],
) -> list[dict[str, Any]]:
    from grondstof.scanner.templates import expand, load_template

    template = load_template(template_id)
    out = []
    base: dict[str, float] = {}
    for line in expand(template, store):
        base[line.material] = base.get(line.material, 0.0) + line.tonnes_per_unit * quantity
    for alt in template.alternatives:
        label = alt.label_nl if lang == "nl" and alt.label_nl else alt.label
        source = template.sources[alt.source].title if alt.source in template.sources else alt.source
        if alt.template:
            other: dict[str, float] = {}
            for line in expand(load_template(alt.template), store):
                other[line.material] = other.get(line.material, 0.0) + line.tonnes_per_unit * quantity
            for material in sorted(set(base) | set(other)):
                change = other.get(material, 0.0) - base.get(material, 0.0)
                if abs(change) < 1e-12 or material not in mats:
                    continue
                seen.add((material, "battery"))
                before = base.get(material, 0.0)
                detail = (
                    f"{change:+,.4g} t/year ({change / before:+.0%})" if before else f"{change:+,.4g} t/year"
                )
                out.append(_row(material, f"{label} (template {alt.template})", change, detail, source))
        for material in alt.materials:
            if material in mats:
                seen.add((material, "described"))
                out.append(_row(material, label, None, alt.note, source))
    return out
