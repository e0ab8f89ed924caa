"""One rule for the physical quantity of a material that the scenarios size, simulate and cost.

The stockpile planner and the Monte Carlo simulation both need one trade source, one code set and one
year per material; they pick them here, so the same material has the same quantity in both (Dutch
nickel: HS17 750210 unwrought nickel, not HS92 260400 ore in one and refined metal in the other).

**Candidates.** Per trade source, the material's own codes (its basket codes when it has none), at the
asked ``stage`` if any. A group whose own codes are baskets of another stage than the one stocked — the
platinum-group metals map to HS92 261690 (gold and PGM ores) and 711290 (precious-metal scrap) — stands
instead for its members' own processing-stage codes (unwrought platinum, palladium, rhodium: HS92 711011,
711021, 711031), because a stock is held refined. A material left with only a basket of another stage is
left out, with the reason.

**Ranking.** Among the sources with imports by every importer in the year (default: each source's latest
such year, only sources within :data:`RECENT_YEARS` of the newest option), the best is, in this order:
a complete trade matrix (not the top-200 HS22 or ASEAN-only HS07 files); own codes before baskets;
tonnes known (a stock is physical); codes of the processing stage only (stocks are held refined); the
latest year; then the :data:`~grondstof.indicators.trade.TRADE_SOURCES` order.

**Label.** :func:`quantity_label` names what the chosen quantity is — source, codes, stage and basis —
for the column beside every figure (``quantity_basis``), so the table says it, not only the notes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from grondstof.indicators import labels
from grondstof.indicators import trade as tr
from grondstof.indicators._common import fetch
from grondstof.registry.countries import Country, Group
from grondstof.registry.materials import Material
from grondstof.registry.materials import materials as material_registry
from grondstof.store import Store

# Sources whose trade matrix is complete for the codes they hold, so exports are known and imports are
# national totals. The HS22 file keeps the top-200 pairs per heading only; the HS07 file keeps flows
# touching ASEAN only: both are used as a reference flow only when nothing else exists.
COMPLETE_SOURCES = ("baci_hs92", "comext_cn8", "baci_hs17")
RECENT_YEARS = 2
STOCKED_STAGE = "processing"

# (source, importer code, material id, year) -> (value, tonnes, value of the flows with tonnes)
Aggregates = dict[tuple[str, str, str, int], tuple[float, float, float]]


@dataclass(frozen=True)
class SourceChoice:
    """The trade source, codes and year that stand for one material's physical quantity."""

    material: Material
    source: str
    choice: tr.CodeChoice
    year: int


def candidates(mat: Material, sources: Sequence[str], stage: str | None) -> dict[str, tr.CodeChoice]:
    """The code set standing for ``mat`` in each trade source (see the module docstring)."""
    registry = material_registry()
    members = registry.members(mat.id)
    out = {}
    for src in sources:
        classification = tr.TRADE_SOURCES[src]
        choice = tr.code_choice(mat, classification, stage)
        if choice.basket and members and stage in (None, STOCKED_STAGE):
            # A group mapped to baskets (ores, scrap): its members' own refined codes instead.
            codes = sorted(
                {
                    row.code
                    for member in members
                    for row in tr.codes(member.id, classification)
                    if not row.basket and row.stage == STOCKED_STAGE
                }
            )
            if codes:
                choice = tr.CodeChoice(mat.id, classification, tuple(codes), False, (STOCKED_STAGE,))
        if choice.codes:
            out[src] = choice
    return out


def import_aggregates(
    store: Store,
    by_source: dict[str, list[tr.CodeChoice]],
    importers: Sequence[Country | Group],
    year: int | None,
) -> Aggregates:
    """(source, importer, material, year) -> (value, tonnes, value with tonnes), in one query."""
    years = (year, year) if year is not None else None
    flow = tr.flows(store, choices=by_source, importers=importers, years=years)
    agg = flow.group_by(["source", "importer", "material", "year"]).aggregate(
        value=flow.value.sum(),
        tonnes=flow.tonnes.sum(),
        value_t=flow.value.sum(where=flow.tonnes.notnull()),
    )
    return {
        (r["source"], r["importer"], r["material"], int(r["year"])): (
            r["value"] or 0.0,
            r["tonnes"] or 0.0,
            r["value_t"] or 0.0,
        )
        for r in fetch(agg)
    }


def choose_sources(
    store: Store,
    mats: Sequence[Material],
    importers: Sequence[Country | Group],
    *,
    year: int | None = None,
    source: str | None = None,
    stage: str | None = None,
) -> tuple[list[SourceChoice], Aggregates, list[str]]:
    """Per material, the source, codes and year of its physical quantity, by the rule of this module.

    Returns the choices (in the order of ``mats``), the import aggregates they were chosen from, and
    notes naming the materials left out and why.
    """
    from grondstof.errors import InputError

    present = tr.available_sources(store)
    if source is not None:
        if source not in tr.TRADE_SOURCES:
            raise InputError("source", source, "one of " + ", ".join(tr.TRADE_SOURCES))
        if source not in present:
            raise InputError("source", source, "a trade source in the store: " + ", ".join(present))
        present = [source]
    options_of = {
        m.id: {
            src: choice
            for src, choice in candidates(m, present, stage).items()
            # A basket in a partial extract is mostly other things: only when that source is asked for.
            if source is not None or labels.usable_by_default(src, choice.basket)
        }
        for m in mats
    }
    by_source: dict[str, list[tr.CodeChoice]] = {}
    for mat in mats:
        for src, choice in options_of[mat.id].items():
            by_source.setdefault(src, []).append(choice)
    imports = import_aggregates(store, by_source, importers, year) if by_source else {}
    years_of: dict[tuple[str, str, str], set[int]] = {}
    for (src, imp_code, mat_id, yr), (value, _, _) in imports.items():
        if value > 0:
            years_of.setdefault((src, imp_code, mat_id), set()).add(yr)
    order = list(tr.TRADE_SOURCES)
    chosen: list[SourceChoice] = []
    skipped: list[str] = []
    for mat in mats:
        options: list[tuple[tuple[Any, ...], SourceChoice]] = []
        for src, choice in options_of[mat.id].items():
            common = set.intersection(*(years_of.get((src, imp.code, mat.id), set()) for imp in importers))
            the_year = year if year is not None else max(common, default=None)
            if the_year is None or the_year not in common:
                continue
            has_tonnes = all(
                imports[(src, imp.code, mat.id, the_year)][1] > 0
                and imports[(src, imp.code, mat.id, the_year)][2] > 0
                for imp in importers
            )
            key = (
                src in COMPLETE_SOURCES,
                not choice.basket,
                has_tonnes,
                choice.stages == (STOCKED_STAGE,),
                the_year,
                -order.index(src),
            )
            options.append((key, SourceChoice(mat, src, choice, the_year)))
        # Only recent data can stand for today's flows: a source whose latest year is more than
        # RECENT_YEARS behind the newest option is not considered (e.g. HS92 germanium, which ends in 2014).
        newest = max((k[4] for k, _ in options), default=0)
        options = [(k, c) for k, c in options if k[4] >= newest - RECENT_YEARS]
        if options:
            chosen.append(max(options, key=lambda item: item[0])[1])
        else:
            where = f" in {year}" if year is not None else ""
            who = " and ".join(i.name() for i in importers)
            skipped.append(f"{mat.name()}: no imports by {who}{where} in the trade data")
    return chosen, imports, skipped


def quantity_label(source: str, choice: tr.CodeChoice, basis: str, lang: str = "en") -> str:
    """What a scenario quantity is: ``"net imports · baci_hs17 750210 · processing"`` plus any caveat.

    ``basis`` is what was counted (``imports`` — gross —, ``net-imports``, ``consumption``, or a free
    phrase such as ``imports + production``). Baskets, finished products and partial extracts are named
    (see :func:`grondstof.indicators.labels.trade_coverage`).
    """
    words = {"imports": "gross imports", "net-imports": "net imports", "consumption": "apparent consumption"}
    if lang == "nl":
        words = {
            "imports": "bruto-invoer",
            "net-imports": "netto-invoer",
            "consumption": "schijnbaar verbruik",
        }
    text = f"{words.get(basis, basis)} · {source} {', '.join(choice.codes)} · {'/'.join(choice.stages)}"
    coverage = labels.trade_coverage(source, choice, lang)
    if coverage not in (labels.COMPLETE, "volledig"):
        text += f" ({coverage})"
    return text


def product_name(mat: Material, choice: tr.CodeChoice, lang: str = "en") -> str:
    """The material's name, or the traded product's when its codes are a finished product.

    "Rare earth elements for magnets" is stocked as HS17 850511 permanent magnets: the row says so.
    """
    name = mat.name(lang)
    if not labels.traded_form(choice, lang):
        return name
    where = f"{choice.classification} {', '.join(choice.codes)}"
    if lang == "nl":
        return f"{name} — als eindproduct ({where})"
    what = "; ".join(labels.code_descriptions(mat.id, choice.classification, choice.codes)).lower()
    return f"{name} — as the finished product: {what} ({where})"
