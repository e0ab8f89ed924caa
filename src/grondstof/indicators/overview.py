"""A country's dashboard in one table: one row per material with its imports and world supply.

For each material: the import value in the chosen year, chosen exactly as ``imports MATERIAL --year Y``
chooses it (:func:`grondstof.indicators.dependency.plan_trade`: complete sources before partial extracts,
own codes before basket codes; a basket code in a partial extract never stands for a material's imports),
the top partner and its share, the import HHI, and — from World Mining Data (or the EU 2023 study's shares
where WMD has nothing) — the world's top producer, its share and the production HHI, with the reference
period of each (``world_period``; the EU 2023 study's shares are ≈2016–2020 averages), plus what the
data do not cover (``trade_coverage``, ``import_note``, ``coverage``).

**Ranking measure.** Materials are ranked by the supply concentration risk

    concentration_risk = import HHI × world production HHI            (both Σ share², 0–1)

high when a country buys from few partners a material that few countries produce. It is a screening
measure of our own (a product of two HHIs, as GeoPolRisk multiplies the production HHI by an import
term; Gemechu et al. 2015), available for every material with both figures, whereas GeoPolRisk needs an
HS92 mapping. Only rows whose trade figure is complete (own codes, complete source) are ranked
(``risk_rank``); basket and partial figures get the measure but no rank.

**Concentration flags.** ``partner_over_threshold``: the top partner supplies more than
:data:`PARTNER_SHARE_THRESHOLD` (50 %, a majority) of the import value; ``producer_over_threshold``: one
country produces more than :data:`PRODUCER_SHARE_THRESHOLD` (65 %) of world output — the CRMA's ceiling
for the EU's dependence on a single third country per strategic material (Regulation (EU) 2024/1252,
Art. 5(1)(b)), used here as a marker of concentration.

**Headline totals** (``meta["headline"]``, :func:`headline`): per trade source (so per currency, never
added across), the import value over the materials whose row uses that source, counting every flow once
(a code shared by several materials — HS17 280429 for helium, neon, krypton and xenon — is one flow);
basket codes are totalled beside the own-code total (``basket_value``), not in it. Each total names its
source, currency and the materials it covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import ibis

from grondstof.indicators import labels
from grondstof.indicators import trade as tr
from grondstof.indicators._common import check_years, country_name, fetch, parse_years
from grondstof.indicators.concentration import hhi_of, top_of
from grondstof.indicators.dependency import Plan, plan_summaries, plan_trade
from grondstof.parameters import Cli, CountryText, Lang, Params, described
from grondstof.registry.countries import Country, Group, countries
from grondstof.registry.materials import Material, materials
from grondstof.result import Field, Result
from grondstof.store import Store, open_store

# Above this top-partner share the imports depend on one partner for most of the value (a majority).
PARTNER_SHARE_THRESHOLD = 0.5
# Above this share one country dominates world output: the CRMA's 65 % ceiling on the EU's dependence on
# a single third country for each strategic raw material (Regulation (EU) 2024/1252, Art. 5(1)(b)).
PRODUCER_SHARE_THRESHOLD = 0.65

# The columns people read first (dashboard overview table, country report).
HEADLINE_FIELDS = [
    "material_name",
    "import_value",
    "currency",
    "top_partner_name",
    "top_partner_share",
    "import_hhi",
    "world_top_producer_name",
    "world_top_share",
    "world_hhi",
    "world_period",
    "trade_coverage",
]

FIELDS = [
    Field("material", "Material (id)", show=False),
    Field("material_name", "Material"),
    Field("strategic", "CRMA strategic", "bool"),
    Field("critical", "EU critical", "bool"),
    Field("year", "Year", "year", description="year of the trade figures"),
    Field("import_value", "Import value", "money", description="in `currency`"),
    Field("currency", "Currency"),
    Field("import_tonnes", "Import tonnes", "tonnes"),
    Field("top_partner", "Top partner (ISO3)", show=False),
    Field("top_partner_name", "Top partner"),
    Field("top_partner_share", "Top partner share", "share"),
    Field("import_hhi", "Import HHI", "hhi"),
    Field("partners", "Partners", "int"),
    Field("trade_source", "Trade source"),
    Field("basket", "Basket code", "bool", description="the trade code also covers other materials"),
    Field(
        "trade_coverage",
        "Trade coverage",
        description="complete, or why not: basket code (and the other materials it covers), partial extract",
    ),
    Field(
        "import_note",
        "Imports",
        description="why there is no import figure (e.g. only a basket code in a partial extract)",
    ),
    Field("world_year", "Production year", "year", show=False, description="null for the EU 2023 shares"),
    Field(
        "world_period",
        "Production period",
        description="reference period of the world figures (the EU 2023 study's shares: ≈2016–2020)",
    ),
    Field("world_stage", "Production stage"),
    Field("world_top_producer", "World top producer (ISO3)", show=False),
    Field("world_top_producer_name", "World top producer"),
    Field("world_top_share", "World top producer share", "share"),
    Field("world_hhi", "World production HHI", "hhi"),
    Field("supply_source", "Production source"),
    Field(
        "concentration_risk",
        "Import HHI × world HHI",
        "hhi",
        description="supply concentration risk: import HHI × world production HHI, 0–1",
    ),
    Field(
        "risk_rank",
        "Rank",
        "int",
        description="rank by concentration_risk among rows with complete trade figures",
    ),
    Field(
        "partner_over_threshold",
        "One partner > 50 %",
        "bool",
        show=False,
        description="top partner share above PARTNER_SHARE_THRESHOLD (0.5)",
    ),
    Field(
        "producer_over_threshold",
        "One producer > 65 %",
        "bool",
        show=False,
        description="world top producer share above PRODUCER_SHARE_THRESHOLD (0.65)",
    ),
    Field("coverage", "Not covered / caveats"),
]


def concentration_risk(import_hhi: float | None, world_hhi: float | None) -> float | None:
    """Supply concentration risk = import HHI × world production HHI (0–1); None if either is missing.

    A screening measure (see the module docstring): high when imports come from few partners and world
    output from few producers. Both HHIs are Σ share² over countries, on the 0–1 scale.
    """
    if import_hhi is None or world_hhi is None:
        return None
    return import_hhi * world_hhi


def over_threshold(share: float | None, threshold: float) -> bool | None:
    """``share > threshold``; None when the share is not known (no data is not "below")."""
    return None if share is None else share > threshold


class OverviewParams(Params):
    """Parameters of :func:`overview` (``grondstof overview``, ``/api/v1/overview``)."""

    country: Annotated[CountryText, Cli(argument=True)]
    year: Annotated[
        str | None,
        described(
            "One year (default the latest with data).",
            "Eén jaar (standaard het laatste jaar met gegevens).",
            max_length=20,
        ),
        Cli(flags=("--year",)),
    ] = None
    lang: Lang = "en"


def overview(
    country: str, *, year: int | str | None = None, store: Store | None = None, lang: str = "en"
) -> Result:
    """One row per material for ``country`` (or ``EU27``): imports, top partner, HHIs, world supply.

    Rows carry the ranking measure (:func:`concentration_risk`) and its rank, the concentration flags
    and what each figure covers; ``meta["headline"]`` holds the headline totals (:func:`headline`).
    """
    store = store or open_store()
    importer = countries().resolve_importer(country, parameter="country")
    wanted = parse_years(year, parameter="year")
    sources = tr.available_sources(store)
    spans = {s: tr.year_span(store, s) for s in sources}
    reference = spans.get("baci_hs92") or next((v for v in spans.values() if v), None)
    chosen = check_years(wanted, reference, "the trade data", parameter="year")
    the_year = chosen[1]
    registry = materials()
    # Members of a group (single rare earths, platinum-group metals) appear only when they have data of
    # their own; otherwise they would repeat the figures of a basket code shared with their group.
    mats = [
        m
        for m in registry.all()
        if not m.is_fuel
        and (not m.groups or registry.wmd(m.id) or any(not c.basket for c in registry.codes(m.id)))
    ]
    plans, missed = plan_trade(store, mats, [importer], (the_year, the_year), None, None)
    summaries = plan_summaries(store, plans, [importer], lang)
    plan_of = {p.material.id: p for p in plans}
    world = _world_supply(store, the_year)
    rows = []
    for mat in mats:
        plan = plan_of.get(mat.id)
        imp = summaries.get((importer.code, mat.id, the_year)) if plan else None
        sup = world.get(mat.id)
        note = None if imp else _missing_note(missed.get(mat.id))
        if imp is None and sup is None and note is None:
            continue
        rows.append(_row(mat, plan, imp, sup, the_year, note, lang))
    _rank(rows)
    rows.sort(key=lambda r: (not r["strategic"], not r["critical"], -(r["import_value"] or 0), r["material"]))
    used = sorted(
        {r["trade_source"] for r in rows if r["trade_source"]}
        | {r["supply_source"] for r in rows if r["supply_source"]}
    )
    meta = {
        "query": {"country": importer.code, "year": the_year},
        "importer": {"code": importer.code, "name": importer.name(lang)},
        "sources": store.cite(*used),
        "units": {
            "import_value": "in `currency` (USD FOB for BACI, EUR CIF for Comext)",
            "shares": "fraction 0–1",
            "hhi": "0–1",
            "concentration_risk": "import HHI × world production HHI, 0–1",
        },
        "thresholds": {
            "partner_share": PARTNER_SHARE_THRESHOLD,
            "producer_share": PRODUCER_SHARE_THRESHOLD,
        },
        "headline": headline(store, importer, rows, plans, lang),
        "notes": [
            "Each material's trade figure is chosen as `imports MATERIAL --year Y` chooses it: complete "
            "sources (BACI HS92, Comext CN8 for EU importers, BACI HS17) before partial extracts, own codes "
            "before basket codes (codes covering several materials); a basket code in a partial extract is "
            "never shown as a material's imports.",
            "World supply: World Mining Data, latest year up to the chosen year; the EU 2023 study's global "
            f"shares (reference period {labels.EU_CRM_2023_PERIOD}) where WMD has no series.",
            "Ranked by import HHI × world production HHI among rows with complete trade figures "
            "(risk_rank); basket and partial figures are not ranked.",
        ]
        + (["EU-27: extra-EU imports only."] if isinstance(importer, Group) else []),
    }
    return Result(f"Overview for {importer.name(lang)}, {the_year}", FIELDS, rows, meta)


def _missing_note(reason: str | None) -> str | None:
    """The reason a material has no import figure, when it is worth a row of its own."""
    marker = "No complete trade data"
    if reason and marker in reason:
        return reason[reason.index(marker) :]
    return None


def _rank(rows: list[dict[str, Any]]) -> None:
    """Number the rows with complete trade figures by concentration risk, highest first."""
    ranked = sorted(
        (
            r
            for r in rows
            if r["concentration_risk"] is not None
            and r["basket"] is False
            and not labels.is_partial(r["trade_source"])
        ),
        key=lambda r: (-r["concentration_risk"], r["material"]),
    )
    for row in rows:
        row["risk_rank"] = None
    for rank, row in enumerate(ranked, start=1):
        row["risk_rank"] = rank


def headline(
    store: Store,
    importer: Country | Group,
    rows: Sequence[dict[str, Any]],
    plans: Sequence[Plan],
    lang: str = "en",
) -> dict[str, Any]:
    """The overview's headline figures: import totals per source and the concentration counts.

    ``totals``: one entry per trade source (hence per currency; USD and EUR are never added) with the
    import value over the codes of the materials whose row uses that source, every flow counted once (a
    code shared by several materials is one flow), ``basket_value`` for basket codes beside it (not in
    it), and the materials each covers. ``materials_imported``: rows with an import figure.
    ``partner_over_threshold`` / ``producer_over_threshold``: rows whose top partner share exceeds
    :data:`PARTNER_SHARE_THRESHOLD` / whose world top producer share exceeds
    :data:`PRODUCER_SHARE_THRESHOLD`.
    """
    year = next((r["year"] for r in rows if r["import_value"] is not None), None)
    shown = {r["material"] for r in rows if r["import_value"] is not None}
    choices: dict[str, list[tr.CodeChoice]] = {}
    covered: dict[str, dict[str, list[str]]] = {}
    for plan in plans:
        if plan.material.id not in shown:
            continue
        kind = "basket" if plan.choice.basket else "own"
        covered.setdefault(plan.source, {"own": [], "basket": []})[kind].append(plan.material.id)
    for source, kinds in covered.items():
        own = sorted({c for p in plans if p.source == source and p.material.id in kinds["own"]
                      for c in p.choice.codes})  # fmt: skip
        basket = sorted({c for p in plans if p.source == source and p.material.id in kinds["basket"]
                         for c in p.choice.codes} - set(own))  # fmt: skip
        classification = tr.TRADE_SOURCES[source]
        choices[source] = [
            tr.CodeChoice(kind, classification, tuple(codes), kind == "basket", ())
            for kind, codes in (("own", own), ("basket", basket))
            if codes
        ]
    values: dict[tuple[str, str], float] = {}
    if choices and year is not None:
        flow = tr.flows(store, choices=choices, importers=[importer], years=(year, year))
        agg = flow.group_by(["source", "material"]).aggregate(value=flow.value.sum())
        values = {(r["source"], r["material"]): r["value"] or 0.0 for r in fetch(agg)}
    registry = materials()
    totals = []
    for source in sorted(covered, key=list(tr.TRADE_SOURCES).index):
        kinds = covered[source]
        totals.append(
            {
                "source": source,
                "currency": tr.currency(source),
                "year": year,
                "value": values.get((source, "own"), 0.0) if kinds["own"] else None,
                "materials": [registry.get(m).name(lang) for m in sorted(kinds["own"])],
                "basket_value": values.get((source, "basket"), 0.0) if kinds["basket"] else None,
                "basket_materials": [registry.get(m).name(lang) for m in sorted(kinds["basket"])],
                "partial": labels.is_partial(source),
            }
        )
    imported = [r for r in rows if r["import_value"] is not None]
    return {
        "year": year,
        "materials_imported": len(imported),
        "totals": totals,
        "partner_over_threshold": sum(1 for r in imported if r["partner_over_threshold"]),
        "producer_over_threshold": sum(1 for r in rows if r["producer_over_threshold"]),
        "thresholds": {"partner_share": PARTNER_SHARE_THRESHOLD, "producer_share": PRODUCER_SHARE_THRESHOLD},
    }


def _world_supply(store: Store, year: int) -> dict[str, dict[str, Any]]:
    """Per material: top producer, share and HHI at the latest WMD year ≤ ``year``."""
    prod = store.table("production")
    sel = prod.filter(
        (prod.source == "wmd") & prod.quantity.notnull() & (prod.quantity > 0) & (prod.year <= year)
    )
    latest = sel.group_by(["material", "commodity"]).aggregate(last=sel.year.max())
    sel = sel.join(
        latest, [sel.material == latest.material, sel.commodity == latest.commodity, sel.year == latest.last]
    )
    sel = sel.select("material", "commodity", "stage", "year", "country", "quantity")
    total = sel.quantity.sum().over(group_by=["material", "commodity", "year"])
    shared = sel.mutate(share=sel.quantity / total)
    agg = (
        shared.group_by(["material", "commodity", "stage", "year"])
        .aggregate(
            hhi=hhi_of(shared.share),
            top=top_of(shared.country, shared.quantity),
            top_share=shared.share.max(),
            total=shared.quantity.sum(),
        )
        .order_by(["material", ibis.desc("total"), "commodity"])
    )
    out: dict[str, dict[str, Any]] = {}
    for row in fetch(agg):
        out.setdefault(row["material"], {**row, "source": "wmd"})  # first (largest) commodity per material
    crm = store.table("eu_crm_supply")
    named = crm.filter((crm.scope == "global") & crm.country.notnull())
    agg2 = named.group_by(["material", "stage"]).aggregate(
        hhi=hhi_of(named.share),
        top=top_of(named.country, named.share),
        top_share=named.share.max(),
    )
    for row in fetch(agg2.order_by(["material", "stage"])):
        if row["material"] not in out or (
            out[row["material"]]["source"] == "eu_crm_2023" and row["stage"] == "processing"
        ):
            # The study's shares average its reference period (≈2016–2020): no single year.
            out[row["material"]] = {**row, "year": None, "source": "eu_crm_2023"}
    return out


def _row(
    mat: Material,
    plan: Plan | None,
    imp: dict[str, Any] | None,
    sup: dict[str, Any] | None,
    year: int,
    note: str | None,
    lang: str,
) -> dict[str, Any]:
    coverage = labels.trade_coverage(plan.source, plan.choice, lang) if plan and imp else None
    import_hhi = imp["hhi"] if imp else None
    world_hhi = sup["hhi"] if sup else None
    return {
        "material": mat.id,
        "material_name": mat.name(lang),
        "strategic": mat.crma_strategic,
        "critical": mat.crma_critical or mat.eu_crm_2023,
        "year": imp["year"] if imp else year,
        "import_value": imp["total_value"] if imp else None,
        "currency": imp["currency"] if imp else None,
        "import_tonnes": imp["total_tonnes"] if imp else None,
        "top_partner": imp["top_partner"] if imp else None,
        "top_partner_name": imp["top_partner_name"] if imp else None,
        "top_partner_share": imp["top_share"] if imp else None,
        "import_hhi": import_hhi,
        "partners": imp["partners"] if imp else None,
        "trade_source": imp["source"] if imp else None,
        "basket": plan.choice.basket if plan is not None and imp else None,
        "trade_coverage": coverage,
        "import_note": note,
        "world_year": sup["year"] if sup else None,
        "world_period": labels.reference_period(sup["source"], sup["year"]) if sup else None,
        "world_stage": sup["stage"] if sup else None,
        "world_top_producer": sup["top"] if sup else None,
        "world_top_producer_name": country_name(sup["top"], lang) if sup else None,
        "world_top_share": sup["top_share"] if sup else None,
        "world_hhi": world_hhi,
        "supply_source": sup["source"] if sup else None,
        "concentration_risk": concentration_risk(import_hhi, world_hhi),
        "risk_rank": None,
        "partner_over_threshold": over_threshold(imp["top_share"] if imp else None, PARTNER_SHARE_THRESHOLD),
        "producer_over_threshold": over_threshold(
            sup["top_share"] if sup else None, PRODUCER_SHARE_THRESHOLD
        ),
        "coverage": mat.coverage_note(lang),
    }
