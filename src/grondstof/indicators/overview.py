"""A country's dashboard in one table: one row per material with its imports and world supply.

For each material: the import value in the chosen year (from the first trade source with data: BACI HS92,
then Comext CN8 for EU importers, then the other extracts; basket codes only when nothing else exists),
the top partner and its share, the import HHI, and — from World Mining Data (or the EU 2023 study's shares
where WMD has nothing) — the world's top producer, its share and the production HHI, plus what the data
does not cover.
"""

from __future__ import annotations

from typing import Annotated, Any

import ibis

from grondstof.indicators import trade as tr
from grondstof.indicators._common import check_years, country_name, fetch, parse_years
from grondstof.indicators.concentration import hhi_of
from grondstof.parameters import Cli, CountryText, Lang, Params, described
from grondstof.registry.countries import Group, countries
from grondstof.registry.materials import Material, materials
from grondstof.result import Field, Result
from grondstof.store import Store, open_store

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
]

FIELDS = [
    Field("material", "Material (id)", show=False),
    Field("material_name", "Material"),
    Field("strategic", "CRMA strategic", "bool"),
    Field("critical", "EU critical", "bool"),
    Field("year", "Year", "year"),
    Field("import_value", "Import value", "money"),
    Field("currency", "Currency"),
    Field("import_tonnes", "Import tonnes", "tonnes"),
    Field("top_partner", "Top partner (ISO3)", show=False),
    Field("top_partner_name", "Top partner"),
    Field("top_partner_share", "Top partner share", "share"),
    Field("import_hhi", "Import HHI", "hhi"),
    Field("partners", "Partners", "int"),
    Field("trade_source", "Trade source"),
    Field("basket", "Basket code", "bool"),
    Field("world_year", "Production year", "year"),
    Field("world_stage", "Production stage"),
    Field("world_top_producer", "World top producer (ISO3)", show=False),
    Field("world_top_producer_name", "World top producer"),
    Field("world_top_share", "World top producer share", "share"),
    Field("world_hhi", "World production HHI", "hhi"),
    Field("supply_source", "Production source"),
    Field("coverage", "Not covered / caveats"),
]


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
    """One row per material for ``country`` (or ``EU27``): imports, top partner, HHIs, world supply."""
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
    imports = _imports_by_material(store, importer, mats, the_year, sources, spans)
    world = _world_supply(store, the_year)
    rows = []
    for mat in mats:
        imp = imports.get(mat.id)
        sup = world.get(mat.id)
        if imp is None and sup is None:
            continue
        rows.append(_row(mat, imp, sup, the_year, lang))
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
        },
        "notes": [
            "Each material uses the first trade source with data in the year: BACI HS92, then Comext CN8 "
            "(EU importers), then the other extracts; basket codes (several materials in one code) only "
            "when nothing else exists.",
            "World supply: World Mining Data, latest year up to the chosen year; the EU 2023 study's global "
            "shares where WMD has no series.",
        ]
        + (["EU-27: extra-EU imports only."] if isinstance(importer, Group) else []),
    }
    return Result(f"Overview for {importer.name(lang)}, {the_year}", FIELDS, rows, meta)


def _imports_by_material(
    store: Store,
    importer: Any,
    mats: list[Material],
    year: int,
    sources: list[str],
    spans: dict[str, tuple[int, int] | None],
) -> dict[str, dict[str, Any]]:
    """Per material, the summary from the first source with data in ``year`` (own codes before baskets).

    All sources are read in one query; the choice per material is made afterwards.
    """
    choices: dict[str, list[tr.CodeChoice]] = {}
    for source in sources:
        span = spans.get(source)
        if not span or not span[0] <= year <= span[1]:
            continue
        classification = tr.TRADE_SOURCES[source]
        picked = [c for m in mats if (c := tr.code_choice(m, classification)).codes]
        if picked:
            choices[source] = picked
    if not choices:
        return {}
    flow = tr.flows(store, choices=choices, importers=[importer], years=(year, year))
    summary = fetch(tr.dependency_summary(tr.with_partner_shares(tr.partner_totals(flow))))
    order = {source: i for i, source in enumerate(sources)}
    ranked = sorted(
        (r for r in summary if r["total_value"]),
        key=lambda r: (bool(r["basket"]), order[r["source"]]),
    )
    found: dict[str, dict[str, Any]] = {}
    for row in ranked:
        found.setdefault(row["material"], {**row, "currency": tr.currency(row["source"])})
    return found


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
            top=shared.country.argmax(shared.quantity),
            top_share=shared.share.max(),
            total=shared.quantity.sum(),
        )
        .order_by(["material", ibis.desc("total")])
    )
    out: dict[str, dict[str, Any]] = {}
    for row in fetch(agg):
        out.setdefault(row["material"], {**row, "source": "wmd"})  # first (largest) commodity per material
    crm = store.table("eu_crm_supply")
    named = crm.filter((crm.scope == "global") & crm.country.notnull())
    agg2 = named.group_by(["material", "stage"]).aggregate(
        hhi=hhi_of(named.share),
        top=named.country.argmax(named.share),
        top_share=named.share.max(),
    )
    for row in fetch(agg2):
        if row["material"] not in out or (
            out[row["material"]]["source"] == "eu_crm_2023" and row["stage"] == "processing"
        ):
            out[row["material"]] = {**row, "year": 2023, "source": "eu_crm_2023"}
    return out


def _row(
    mat: Material, imp: dict[str, Any] | None, sup: dict[str, Any] | None, year: int, lang: str
) -> dict[str, Any]:
    return {
        "material": mat.id,
        "material_name": mat.name(lang),
        "strategic": mat.crma_strategic,
        "critical": mat.crma_critical or mat.eu_crm_2023,
        "year": imp["year"] if imp else year,
        "import_value": imp["total_value"] if imp else None,
        "currency": imp["currency"] if imp else None,
        "import_tonnes": imp["total_tonnes"]
        if imp and (imp["value_no_tonnes"] or 0) < (imp["total_value"] or 0)
        else None,
        "top_partner": imp["top_partner"] if imp else None,
        "top_partner_name": country_name(imp["top_partner"], lang) if imp else None,
        "top_partner_share": imp["top_share"] if imp else None,
        "import_hhi": imp["hhi"] if imp else None,
        "partners": imp["partners"] if imp else None,
        "trade_source": imp["source"] if imp else None,
        "basket": bool(imp["basket"]) if imp else None,
        "world_year": sup["year"] if sup else None,
        "world_stage": sup["stage"] if sup else None,
        "world_top_producer": sup["top"] if sup else None,
        "world_top_producer_name": country_name(sup["top"], lang) if sup else None,
        "world_top_share": sup["top_share"] if sup else None,
        "world_hhi": sup["hhi"] if sup else None,
        "supply_source": sup["source"] if sup else None,
        "coverage": mat.coverage_note(lang),
    }
