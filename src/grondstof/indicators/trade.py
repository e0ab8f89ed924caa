"""Trade-flow building blocks shared by the dependency analyses (Ibis expressions over the store).

Which trade codes stand for a material comes from the material registry (``material_codes.csv``). Per
material and classification the default code set is its own codes; basket codes (one code covering several
materials, e.g. HS17 811292 for Ga/Ge/In/Nb/…) are used only when the material has no code of its own, and
results say so. An importer is a country or the EU-27; the EU-27 imports only from partners outside it
(extra-EU trade) and always with its post-2020 membership, as Eurostat's EU27_2020 aggregate does. A
country's trade with itself (re-imports) is left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import ibis

from grondstof import prepared
from grondstof.indicators._common import fetch
from grondstof.indicators.concentration import hhi_of, top_of
from grondstof.registry.countries import Country, Group, countries
from grondstof.registry.materials import Material, MaterialCode, materials
from grondstof.store import Store

# The BACI refined-stage top-6 extract (table trade_top_flows: HS02 to 2016, HS17 from 2017, no tonnes); its
# codes come from registry/refined_labels.csv, one refined code per material.
REFINED_SOURCE = "baci_refined_top6"
REFINED_CLASSIFICATION = "HS02/HS17"

# Trade sources in order of preference, with the code classification each uses.
TRADE_SOURCES: dict[str, str] = {
    "baci_hs92": "HS92",
    "comext_cn8": "CN8",
    "baci_hs17": "HS17",
    "baci_hs22_hs4": "HS22",
    # Before the ASEAN file: an importer's 6 largest suppliers say more about its imports than the flows
    # touching ASEAN do (for any importer outside ASEAN).
    REFINED_SOURCE: REFINED_CLASSIFICATION,
    "baci_hs07_asean": "HS07",
}
CURRENCY = {"comext_cn8": "EUR"}
# Extracts that hold only part of world trade (the top-200 pairs; the top-6 partners per importer and
# exporter; flows touching ASEAN): used for a material only when no complete source has it.
PARTIAL_SOURCES = frozenset({"baci_hs22_hs4", REFINED_SOURCE, "baci_hs07_asean"})


@dataclass(frozen=True)
class CodeChoice:
    """The codes standing for one material in one classification, and whether they are baskets."""

    material: str
    classification: str
    codes: tuple[str, ...]
    basket: bool
    stages: tuple[str, ...]


@cache
def _refined_codes() -> dict[str, tuple[MaterialCode, ...]]:
    """Material id -> its code rows in the refined top-6 extract (registry/refined_labels.csv)."""
    from grondstof.registry.source_maps import refined_labels

    out: dict[str, list[MaterialCode]] = {}
    for label in refined_labels().values():
        out.setdefault(label.material, []).append(
            MaterialCode(
                REFINED_CLASSIFICATION,
                label.code,
                label.material,
                label.stage,
                label.basket,
                label.note or f"refined-stage code of the extract's label '{label.label}'",
                "BACI refined top-6 extract (registry/refined_labels.csv)",
                label.note,
            )
        )
    return {k: tuple(sorted(v, key=lambda r: r.code)) for k, v in out.items()}


def codes(material: str, classification: str) -> list[MaterialCode]:
    """The registry's codes of ``material`` in ``classification``, the refined top-6 extract's included.

    Codes of the extract (:data:`REFINED_CLASSIFICATION`, HS02 to 2016 and HS17 from 2017, one refined code
    per material) come from ``registry/refined_labels.csv``; a code the extract shares between materials
    (811292) is a basket. Every other classification is :meth:`Materials.codes`.
    """
    if classification == REFINED_CLASSIFICATION:
        return list(_refined_codes().get(material, ()))
    return materials().codes(material, classification)


def code_choice(material: Material, classification: str, stage: str | None = None) -> CodeChoice:
    """Pick the codes for ``material`` in ``classification``: own codes first, basket codes if none."""
    rows = codes(material.id, classification)
    if stage is not None:
        rows = [r for r in rows if r.stage == stage]
    own = [r for r in rows if not r.basket]
    chosen = own or rows
    return CodeChoice(
        material.id,
        classification,
        tuple(sorted({r.code for r in chosen})),
        bool(chosen) and not own,
        tuple(sorted({r.stage for r in chosen})),
    )


def currency(source: str) -> str:
    """Currency of trade values in ``source`` (USD for BACI extracts, EUR for Comext)."""
    return CURRENCY.get(source, "USD")


def members_of(importer: Country | Group) -> tuple[str, ...]:
    """ISO3 codes an importer stands for."""
    return importer.members


Choices = Mapping[str, Sequence[CodeChoice]]


def code_pairs(choices: Choices, store: Store | None = None) -> Any:
    """A small table (p_source, p_code, material, basket) joining trade rows to materials."""
    return _small(store, code_pair_columns(choices))


def code_pair_columns(choices: Choices) -> dict[str, tuple[str, Sequence[Any]]]:
    """The columns of :func:`code_pairs`: ``{name: (type, values)}``."""
    sources, codes, mats, baskets = [], [], [], []
    for source, per_source in choices.items():
        for choice in per_source:
            for code in choice.codes:
                sources.append(source)
                codes.append(code)
                mats.append(choice.material)
                baskets.append(choice.basket)
    return {
        "p_source": ("string", sources),
        "p_code": ("string", codes),
        "material": ("string", mats),
        "basket": ("boolean", baskets),
    }


def importer_map(importers: Sequence[Country | Group], store: Store | None = None) -> Any:
    """A small table (member, importer, is_group) mapping reporting countries to importer labels."""
    return _small(store, importer_map_columns(importers))


def importer_map_columns(importers: Sequence[Country | Group]) -> dict[str, tuple[str, Sequence[Any]]]:
    """The columns of :func:`importer_map`: ``{name: (type, values)}``."""
    member, label, group = [], [], []
    for imp in importers:
        for iso3 in members_of(imp):
            member.append(iso3)
            label.append(imp.code)
            group.append(isinstance(imp, Group))
    return {"member": ("string", member), "importer": ("string", label), "is_group": ("boolean", group)}


def _small(store: Store | None, columns: dict[str, tuple[str, Sequence[Any]]]) -> Any:
    """A lookup table on the store's engine (or an Ibis memtable without a store)."""
    if store is not None:
        from grondstof.engine import small_table

        return small_table(store.con, columns)
    import pyarrow as pa

    return ibis.memtable(pa.table({n: pa.array(v, type=t) for n, (t, v) in columns.items()}))


def flows(
    store: Store,
    *,
    choices: Choices,
    importers: Sequence[Country | Group] | None,
    years: tuple[int, int] | None,
    partners: Sequence[str] | None = None,
) -> Any:
    """Trade rows for the chosen sources and codes, importers and years, labelled with material.

    ``choices`` maps each trade source to the code choices to use in it, so several sources are read in
    one query. Columns: ``source``, ``importer`` (ISO3 or group code), ``material``, ``basket``, ``year``,
    ``exporter``, ``code``, ``value``, ``tonnes``. With ``importers=None`` every reporting country is an
    importer (no groups).
    """
    made = {name: _small(store, columns) for name, columns in flow_inputs(choices, importers).items()}
    return flows_of(
        store, tuple(choices), made["pairs"], made.get("importers"), made.get("inside"), years, partners
    )


def flow_inputs(
    choices: Choices, importers: Sequence[Country | Group] | None
) -> dict[str, dict[str, tuple[str, Sequence[Any]]]]:
    """The lookup tables of :func:`flows_of`, as columns: ``pairs`` (:func:`code_pair_columns`) and, with
    importers, ``importers`` (:func:`importer_map_columns`) and, with a group among them, ``inside``
    (:func:`group_member_columns`)."""
    tables = {"pairs": code_pair_columns(choices)}
    if importers is not None:
        tables["importers"] = importer_map_columns(importers)
        groups = [imp for imp in importers if isinstance(imp, Group)]
        if groups:
            tables["inside"] = group_member_columns(groups)
    return tables


def group_member_columns(groups: Sequence[Group]) -> dict[str, tuple[str, Sequence[Any]]]:
    """A small table's columns (g_importer, g_partner): each group with each of its members, so trade
    between members of a group (intra-EU) is left out of the group's imports."""
    return {
        "g_importer": ("string", [g.code for g in groups for _ in g.members]),
        "g_partner": ("string", [m for g in groups for m in g.members]),
    }


def flows_of(
    store: Store,
    sources: Sequence[str],
    pairs: Any,
    imap: Any | None,
    inside: Any | None,
    years: tuple[Any, Any] | None,
    partners: Sequence[Any] | None = None,
) -> Any:
    """:func:`flows` from its lookup tables: ``pairs`` (:func:`code_pairs`), ``imap``
    (:func:`importer_map`, None for every reporting country) and ``inside`` (:func:`group_member_columns`,
    None without groups); ``years`` and ``partners`` may be Python values or Ibis literals."""
    trade = trade_rows(store, sources)
    sel = trade.filter(trade.source.isin(list(sources)))
    if years is not None:
        sel = sel.filter(sel.year.between(years[0], years[1]))
    if partners is not None:
        sel = sel.filter(sel.exporter.isin(list(partners)))
    sel = sel.join(pairs, (sel.source == pairs.p_source) & (sel.code == pairs.p_code)).select(
        sel.source,
        sel.importer,
        sel.exporter,
        sel.year,
        sel.code,
        sel.value,
        sel.tonnes,
        pairs.material,
        pairs.basket,
    )
    # Re-imports (a country "importing" from itself) are left out; rows without a partner country are kept.
    sel = sel.filter(sel.exporter.isnull() | (sel.exporter != sel.importer))
    if imap is None:
        return sel
    joined = sel.join(imap, sel.importer == imap.member).select(
        sel.source,
        imap.importer,
        sel.material,
        sel.basket,
        sel.year,
        sel.exporter,
        sel.code,
        sel.value,
        sel.tonnes,
    )
    if inside is not None:
        joined = joined.anti_join(
            inside, (joined.importer == inside.g_importer) & (joined.exporter == inside.g_partner)
        )
    return joined


def trade_rows(store: Store, sources: Iterable[str]) -> Any:
    """The store's trade rows for ``sources``: table ``trade``, with the refined top-6 extract's rows
    (table ``trade_top_flows``, no tonnes) added in the same columns when :data:`REFINED_SOURCE` is asked
    for. Without it the expression is the plain ``trade`` table."""
    trade = store.table("trade")
    if REFINED_SOURCE not in set(sources) or not store.has_table("trade_top_flows"):
        return trade
    top = store.table("trade_top_flows")
    top = top.mutate(tonnes=ibis.null().cast(trade.schema()["tonnes"])).select(*trade.columns)
    return trade.union(top.cast(trade.schema()))


def partner_totals(flow: Any) -> Any:
    """Aggregate flows to one row per (importer, material, year, exporter).

    ``value_no_tonnes`` is the value of rows without a quantity, so coverage of tonnes can be stated.
    """
    return flow.group_by(["source", "importer", "material", "year", "exporter"]).aggregate(
        value=flow.value.sum(),
        tonnes=flow.tonnes.sum(),
        value_no_tonnes=ibis.cases((flow.tonnes.isnull(), flow.value), else_=0.0).sum(),
        basket=flow.basket.max(),
    )


def with_partner_shares(partners: Any) -> Any:
    """Add value and tonnes shares and the rank by value within each (source, importer, material, year)."""
    group = ["source", "importer", "material", "year"]
    total_value = partners.value.sum().over(group_by=group)
    total_tonnes = partners.tonnes.sum().over(group_by=group)
    return partners.mutate(
        value_share=partners.value / total_value,
        tonnes_share=partners.tonnes / ibis.cases((total_tonnes > 0, total_tonnes), else_=ibis.null()),
        rank=ibis.rank().over(group_by=group, order_by=ibis.desc(partners.value)) + 1,
    )


def dependency_summary(shared: Any) -> Any:
    """One row per (importer, material, year): totals, partner count, HHI in value and tonnes, top partner.

    HHI = Σ share² over partners (0–1), by value and, over partners with a quantity, by tonnes.
    """
    group = ["source", "importer", "material", "year"]
    tonnes_total = shared.tonnes.sum().over(group_by=group)
    shared = shared.mutate(
        t_share=shared.tonnes / ibis.cases((tonnes_total > 0, tonnes_total), else_=ibis.null())
    )
    return shared.group_by(group).aggregate(
        total_value=shared.value.sum(),
        total_tonnes=shared.tonnes.sum(),
        value_no_tonnes=shared.value_no_tonnes.sum(),
        partners=shared.exporter.count(),
        hhi=hhi_of(shared.value_share),
        hhi_tonnes=hhi_of(shared.t_share),
        top_partner=top_of(shared.exporter, shared.value),
        top_share=shared.value_share.max(),
        basket=shared.basket.max(),
    )


def year_bounds(
    store: Store, choices: Choices, importers: Sequence[Country | Group]
) -> dict[tuple[str, str], tuple[int, int]]:
    """Per (source, material), the first and last year with imports of the chosen codes by the importers."""
    members = sorted({m for imp in importers for m in imp.members})
    pairs = code_pairs(choices, store)
    # The distinct (source, importer, code, year) of every import, re-imports included: the same first and
    # last years as the trade rows themselves, from a table the web server and the warm worker hold in memory.
    index = import_year_index(store, choices, reimports=True)
    sel = index.filter(index.source.isin(list(choices)) & index.importer.isin(members))
    sel = sel.join(pairs, (sel.source == pairs.p_source) & (sel.code == pairs.p_code))
    agg = sel.group_by(["source", "material"]).aggregate(lo=sel.year.min(), hi=sel.year.max())
    return {(r["source"], r["material"]): (r["lo"], r["hi"]) for r in fetch(agg)}


def import_years(
    store: Store, choices: Choices, importers: Sequence[Country | Group]
) -> dict[tuple[str, str], tuple[int, ...]]:
    """Per (source, material), every year with imports of the chosen codes by the importers, ascending.

    Unlike :func:`year_bounds` this sees gaps (BACI HS17 has 2022 and 2024 but not 2023).
    """
    members = sorted({m for imp in importers for m in imp.members})
    found = prepared.rows(
        store,
        _import_years_query,
        shape=(tuple(choices), len(members)),
        tables={"pairs": code_pair_columns(choices)},
        values={f"member{n}": ("string", m) for n, m in enumerate(members)},
    )
    out: dict[tuple[str, str], list[int]] = {}
    for row in found:
        out.setdefault((row["source"], row["material"]), []).append(int(row["year"]))
    return {key: tuple(sorted(years)) for key, years in out.items()}


def _import_years_query(
    store: Store, shape: Any, tables: Mapping[str, Any], values: Mapping[str, Any]
) -> Any:
    """Query of :func:`import_years` (a :mod:`grondstof.prepared` declaration): distinct (source, material,
    year) of the chosen codes' imports by the member countries, re-imports left out."""
    sources, n_members = shape
    pairs = tables["pairs"]
    index = import_year_index(store, sources)
    members = [values[f"member{n}"] for n in range(n_members)]
    sel = index.filter(index.source.isin(list(sources)) & index.importer.isin(members))
    sel = sel.join(pairs, (sel.source == pairs.p_source) & (sel.code == pairs.p_code))
    return sel.select("source", "material", "year").distinct()


def import_year_index(store: Store, sources: Iterable[str], *, reimports: bool = False) -> Any:
    """Every (source, importer, code, year) with at least one import that is not a re-import (with
    ``reimports``, with at least one import of any kind).

    The rows of :func:`trade_rows` reduced to what :func:`import_years` and :func:`year_bounds` ask of
    them (on the shared data 0.24 M rows instead of 1.35 M), which the web server and the warm worker hold
    in memory (:meth:`grondstof.store.Store.derived`).
    """
    refined = REFINED_SOURCE in set(sources) and store.has_table("trade_top_flows")

    def index() -> Any:
        trade = trade_rows(store, [REFINED_SOURCE] if refined else [])
        if not reimports:
            trade = trade.filter(trade.exporter.isnull() | (trade.exporter != trade.importer))
        return trade.select("source", "importer", "code", "year").distinct()

    key = "import_years" + ("_with_refined" if refined else "") + ("_and_reimports" if reimports else "")
    return store.derived(key, index)


def make_year_indexes(store: Store) -> None:
    """Make every :func:`import_year_index` now, before a query needs one (with and without the refined
    stage and re-imports). A served store holds each in memory: about 0.2 s apiece on the shared data,
    which the warm worker spends while it starts rather than in a command's first run."""
    for sources in ([], [REFINED_SOURCE]):
        for reimports in (False, True):
            import_year_index(store, sources, reimports=reimports)


def latest_years(
    store: Store, choices: Choices, importers: Sequence[Country | Group]
) -> dict[tuple[str, str], int]:
    """Per (source, material), the latest year with any import of the chosen codes by the importers."""
    return {key: hi for key, (_, hi) in year_bounds(store, choices, importers).items()}


def year_span(store: Store, source: str) -> tuple[int, int] | None:
    """First and last year of ``source`` in the store catalog."""
    entry = next((s for s in store.catalog["sources"] if s["id"] == source), None)
    years = entry.get("years") if entry else None  # a source missing from the store has no years
    return (int(years[0]), int(years[1])) if years else None


def available_sources(store: Store) -> list[str]:
    """Trade sources present in the store, in order of preference."""
    loaded = {s["id"] for s in store.catalog["sources"] if s.get("status") in ("loaded", "reused")}
    return [s for s in TRADE_SOURCES if s in loaded]


def eu27() -> Group:
    """The EU-27 importer group."""
    return countries().eu27()
