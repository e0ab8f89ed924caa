"""Reserves by country, their concentration beside that of production, static reserve life and capacity.

Sources: the USGS Mineral Commodity Summaries — the MCS 2025 data release (``usgs_mcs2025``: reserves as of
2024 for some 70 commodity tables, production 2023 and 2024e, capacity where a table gives it) and the
selected MCS 2026 tables (``usgs_mcs2026``: cobalt, lithium, rare earths, gallium; reserves as of 2025,
production 2024 and 2025e). **Every row carries its edition** ("MCS 2025", "MCS 2026"): the two editions
are never mixed in one figure; where both have a material, both are shown.

For one edition and one commodity table (USGS's series, e.g. "Cobalt: mine production, Co content"):

* **Share of reserves** sᵢ = Rᵢ / Σⱼ Rⱼ over the countries with a number; **reserve HHI** = Σ sᵢ² (0–1).
  Countries whose reserves are printed as "NA", a bound (">130,000,000") or a word ("Large") have no
  number and are left out; ``reserves_coverage`` = Σⱼ Rⱼ / published world total says how much of the world
  figure the countries with numbers hold (USGS's "Other countries" are not a country).
* **Production HHI** over the same edition's country production of the reserves year (2024e in MCS 2025,
  2025e in MCS 2026), computed the same way, beside the reserve HHI: reserves more concentrated than output
  mean future supply concentrates further.
* **Static reserve life** (R/P) = reserves / production of the same year, in years, per country and for the
  world (published world reserves / published world production). Only where both measure the same thing:
  the units must convert (thousand t, million t, kg) and the bases agree — not for iron ore (crude-ore
  reserves against usable-ore output), zircon (ZrO2 reserves against concentrate weight) or the PGM group's
  reserves against palladium output (``registry/usgs_mcs_series.csv``, column ``reserve_life``). Null
  otherwise, with the reason. A country with reserves and no production has no finite reserve life (null,
  "no production").
* **Capacity** (refinery, smelter or plant capacity in the same table's year) where the table gives it.

R/P is the standard static lifetime (e.g. the TNO indicator set of the Dutch Grondstoffenscanner): reserves
change as prices, technology and exploration change, so it is a snapshot, not a depletion date.
"""

from __future__ import annotations

import re
from typing import Any

from grondstof.errors import InputError
from grondstof.indicators._common import country_name, fetch
from grondstof.registry.materials import Material, materials
from grondstof.registry.source_maps import usgs_mcs_series
from grondstof.result import Field, Result
from grondstof.store import Store

RESERVE_SOURCES = ("usgs_mcs2025", "usgs_mcs2026")
EDITIONS = {"usgs_mcs2025": "MCS 2025", "usgs_mcs2026": "MCS 2026"}
# Mass (and other) units the reserve life can scale between; a unit's words after the first are its basis.
UNIT_SCALE: dict[str, tuple[str, float]] = {
    "metric tons": ("t", 1.0),
    "thousand metric tons": ("t", 1e3),
    "thousand metric dry tons": ("t dry", 1e3),
    "million metric tons": ("t", 1e6),
    "kilograms": ("t", 1e-3),
    "million carats": ("ct", 1e6),
    "thousand carats": ("ct", 1e3),
    "million cubic meters": ("m3", 1e6),
}

COUNTRY_FIELDS = [
    Field("edition", "Edition", description="the USGS Mineral Commodity Summaries edition of the row"),
    Field("material", "Material (id)", show=False),
    Field("commodity", "USGS table"),
    Field("country", "Country (ISO3)", show=False),
    Field("country_name", "Country"),
    Field("year", "Reserves year", "year"),
    Field(
        "reserves", "Reserves", "number", description="in `reserves_unit`; null where USGS prints no number"
    ),
    Field("reserves_text", "Reserves as printed", show=False),
    Field("reserves_unit", "Reserves unit"),
    Field("reserves_share", "Share of reserves", "share", description="of the countries with a number"),
    Field("production", "Production", "number", description="same table and year, in `production_unit`"),
    Field("production_unit", "Production unit", show=False),
    Field(
        "production_flag", "Production flag", show=False, description="r reported, e estimated, W withheld"
    ),
    Field("production_share", "Share of production", "share"),
    Field("reserve_life", "Reserve life (years)", "number", description="reserves / production, static"),
    Field("capacity", "Capacity", "number", description="in `capacity_unit`, where the table gives it"),
    Field("capacity_unit", "Capacity unit", show=False),
    Field("note", "Note", show=False),
    Field("source", "Source", show=False),
]

SUMMARY_FIELDS = [
    Field("edition", "Edition"),
    Field("material", "Material (id)", show=False),
    Field("commodity", "USGS table"),
    Field("year", "Reserves year", "year"),
    Field("world_reserves", "World reserves (published)", "number"),
    Field("world_reserves_text", "World reserves as printed", show=False),
    Field("reserves_unit", "Reserves unit"),
    Field("reserves_coverage", "Countries with a number / world", "share"),
    Field("reserve_countries", "Countries with reserves", "int"),
    Field("reserve_hhi", "Reserve HHI", "hhi"),
    Field("top_reserves_country", "Largest reserves", show=False),
    Field("top_reserves_country_name", "Largest reserves"),
    Field("top_reserves_share", "Largest reserves share", "share"),
    Field("world_production", "World production (published)", "number"),
    Field("production_unit", "Production unit", show=False),
    Field("production_hhi", "Production HHI", "hhi"),
    Field("world_reserve_life", "World reserve life (years)", "number"),
    Field("world_capacity", "World capacity", "number", show=False),
    Field("note", "Note", show=False),
    Field("source", "Source", show=False),
]


def reserve_life(
    reserves: float | None, reserves_unit: str, production: float | None, production_unit: str
) -> tuple[float | None, str]:
    """Static reserve life R / P in years, and why it is null when it is.

    Units are scaled to a common base (t, carats, m³) with :data:`UNIT_SCALE`; a unit's basis in parentheses
    ("million metric tons (iron content)") does not block the division — callers decide comparability of
    bases. Returns (None, reason) for a missing figure, zero production or units that do not convert.
    """
    if reserves is None:
        return None, "no reserves figure"
    if production is None:
        return None, "no production figure"
    if production == 0:
        return None, "no production"
    if reserves_unit == production_unit:
        return reserves / production, ""
    r, p = _scale(reserves_unit), _scale(production_unit)
    if r is None or p is None or r[0] != p[0]:
        return None, f"units do not convert ({reserves_unit} vs {production_unit})"
    return reserves * r[1] / (production * p[1]), ""


def _scale(unit: str) -> tuple[str, float] | None:
    base = re.sub(r"\s*\(.*\)$", "", unit or "").strip()
    return UNIT_SCALE.get(base)


def shares_hhi(values: dict[str, float]) -> tuple[dict[str, float], float | None]:
    """Shares of the positive values and their HHI (Σ share², 0–1); ({}, None) when nothing is positive."""
    kept = {k: v for k, v in values.items() if v is not None and v > 0}
    total = sum(kept.values())
    if total <= 0:
        return {}, None
    shares = {k: v / total for k, v in kept.items()}
    return shares, sum(s * s for s in shares.values())


def _ids(mat: Material) -> tuple[list[str], list[str]]:
    """The material, its members (a group) and its groups (a member): PGM reserves answer for platinum."""
    registry = materials()
    members = [m.id for m in registry.members(mat.id)]
    return [mat.id, *members], list(mat.groups)


def reserves(
    material: str,
    *,
    by: str = "country",
    edition: str | None = None,
    store: Store | None = None,
    lang: str = "en",
) -> Result:
    """Reserves of ``material`` by country with reserve and production HHI, reserve life and capacity.

    Parameters
    ----------
    material:
        One material (English or Dutch name, symbol or alias). A member of a group with group-level
        reserves (platinum → PGM) also gets the group's rows, labelled with the group's id.
    by:
        ``country``: one row per edition, USGS table and country; ``summary``: one row per edition and table
        (world reserves, reserve HHI beside production HHI, world reserve life).
    edition:
        ``MCS 2025`` or ``MCS 2026`` (or the source id); default both.
    """
    from grondstof.store import open_store

    store = store or open_store()
    mat = materials().resolve(material)
    if by not in ("country", "summary"):
        raise InputError("by", by, "country or summary")
    sources = list(RESERVE_SOURCES)
    if edition is not None:
        wanted = [
            s
            for s, e in EDITIONS.items()
            if edition.strip().lower() in (s, e.lower(), e.lower().replace(" ", ""))
        ]
        if not wanted:
            raise InputError("edition", edition, "MCS 2025 or MCS 2026", suggestions=list(EDITIONS.values()))
        sources = wanted
    own, groups = _ids(mat)
    ids = own + groups
    res = store.table("reserves")
    res_rows = fetch(res.filter(res.source.isin(sources) & res.material.isin(ids)))
    prod = store.table("production")
    prod_rows = fetch(prod.filter(prod.source.isin(sources) & prod.material.isin(ids)))
    totals = store.table("production_totals")
    total_rows = fetch(totals.filter(totals.source.isin(sources) & totals.material.isin(ids)))
    cap = store.table("capacity")
    cap_rows = fetch(cap.filter(cap.source.isin(sources) & cap.material.isin(ids)))
    series_map = {s.series: s for s in usgs_mcs_series().values()}

    country_rows: list[dict[str, Any]] = []
    summary_rows: list[dict[str, Any]] = []
    tables = sorted(
        {(r["source"], r["commodity"]) for r in res_rows} | {(r["source"], r["commodity"]) for r in cap_rows}
    )
    for source, commodity in tables:
        out, summary = _table(
            source,
            commodity,
            [r for r in res_rows if (r["source"], r["commodity"]) == (source, commodity)],
            [r for r in prod_rows if (r["source"], r["commodity"]) == (source, commodity)],
            [r for r in total_rows if (r["source"], r["commodity"]) == (source, commodity)],
            [r for r in cap_rows if (r["source"], r["commodity"]) == (source, commodity)],
            series_map.get(commodity),
            lang,
        )
        country_rows.extend(out)
        summary_rows.append(summary)
    found = sorted({r["source"] for r in res_rows} | {r["source"] for r in cap_rows})
    notes = [
        "Each row is from one USGS Mineral Commodity Summaries edition (column edition); editions are "
        "never combined.",
        "Shares and HHI are over the countries with a reserves (or production) number; 'NA', bounds and "
        "words (Large) have no number. Reserve life = reserves / production of the same year (static).",
    ]
    if any(r["material"] in groups for r in res_rows):
        notes.append(
            f"USGS gives reserves for the group ({', '.join(groups)}), not for {mat.name(lang)} alone: "
            "those rows carry the group's id."
        )
    if not found:
        notes.append(f"No USGS reserves or capacity for {mat.name(lang)} in the store.")
    meta = {
        "query": {"material": mat.id, "by": by, "edition": edition},
        "material": {"id": mat.id, "name": mat.name(lang)},
        "sources": store.cite(*found) if found else [],
        "editions": sorted({EDITIONS[s] for s in found}),
        "notes": notes,
    }
    if by == "summary":
        return Result(f"Reserves of {mat.name(lang)} — summary", SUMMARY_FIELDS, summary_rows, meta)
    return Result(f"Reserves of {mat.name(lang)} by country", COUNTRY_FIELDS, country_rows, meta)


def _table(
    source: str,
    commodity: str,
    res_rows: list[dict[str, Any]],
    prod_rows: list[dict[str, Any]],
    total_rows: list[dict[str, Any]],
    cap_rows: list[dict[str, Any]],
    series: Any,
    lang: str,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Country rows and the summary of one edition and USGS table."""
    edition = EDITIONS[source]
    year = max([r["year"] for r in res_rows] or [r["year"] for r in cap_rows])
    comparable = series.reserve_life if series is not None else True
    why_not = (
        "" if comparable else "reserves and production are on different bases (registry/usgs_mcs_series.csv)"
    )
    countries_res = {r["country"]: r for r in res_rows if r["country"] is not None}
    world_res = next((r for r in res_rows if r["country"] is None), None)
    prod_year: dict[str, dict[str, Any]] = {}
    for row in prod_rows:
        if row["year"] != year:
            continue
        # Two parts of one country (U.S. helium from gas and from the federal reserve) add up.
        kept = prod_year.get(row["country"])
        if kept is None:
            prod_year[row["country"]] = dict(row)
        elif row["quantity"] is not None:
            kept["quantity"] = (kept["quantity"] or 0.0) + row["quantity"]
    res_values: dict[str, float] = {}
    for c, r in countries_res.items():
        if r["reserves"] is not None:
            res_values[c] = res_values.get(c, 0.0) + r["reserves"]
    res_shares, res_hhi = shares_hhi(res_values)
    prod_shares, prod_hhi = shares_hhi(
        {c: r["quantity"] for c, r in prod_year.items() if r["quantity"] is not None}
    )
    cap_year = {r["country"]: r for r in cap_rows if r["year"] == year and r["country"] is not None}
    world_cap = next(
        (
            r
            for r in cap_rows
            if r["year"] == year and r["country"] is None and r["country_label"].lower().startswith("world")
        ),
        None,
    )
    world_prod = next((r for r in total_rows if r["year"] == year), None)
    rows = []
    for country in sorted(set(countries_res) | set(cap_year), key=lambda c: -(res_values.get(c) or 0.0)):
        res = countries_res.get(country)
        p = prod_year.get(country)
        c = cap_year.get(country)
        res_unit = res["unit"] if res else (series.reserves_unit if series and series.reserves_unit else None)
        life, reason = (
            (None, why_not)
            if not comparable
            else reserve_life(
                res["reserves"] if res else None,
                res_unit or "",
                p["quantity"] if p else None,
                p["unit"] if p else "",
            )
        )
        notes = [
            x
            for x in (
                (res or {}).get("note"),
                reason if res and res["reserves"] is not None and life is None else "",
            )
            if x
        ]
        rows.append(
            {
                "edition": edition,
                "material": (res or c or {}).get("material"),
                "commodity": commodity,
                "country": country,
                "country_name": country_name(country, lang),
                "year": year,
                "reserves": res["reserves"] if res else None,
                "reserves_text": res["reserves_text"] if res else None,
                "reserves_unit": res_unit,
                "reserves_share": res_shares.get(country),
                "production": p["quantity"] if p else None,
                "production_unit": p["unit"] if p else None,
                "production_flag": p["flag"] if p else None,
                "production_share": prod_shares.get(country),
                "reserve_life": life,
                "capacity": c["capacity"] if c else None,
                "capacity_unit": c["unit"] if c else None,
                "note": "; ".join(notes),
                "source": source,
            }
        )
    world_life, world_reason = (
        (None, why_not)
        if not comparable
        else reserve_life(
            world_res["reserves"] if world_res else None,
            world_res["unit"] if world_res else "",
            world_prod["quantity"] if world_prod else None,
            world_prod["unit"] if world_prod else "",
        )
    )
    top = max(res_shares, key=lambda k: res_shares[k]) if res_shares else None
    world_value = world_res["reserves"] if world_res else None
    summary = {
        "edition": edition,
        "material": (res_rows or cap_rows)[0]["material"],
        "commodity": commodity,
        "year": year,
        "world_reserves": world_value,
        "world_reserves_text": world_res["reserves_text"] if world_res else None,
        "reserves_unit": (world_res or (res_rows[0] if res_rows else {})).get("unit"),
        "reserves_coverage": (sum(res_values.values()) / world_value) if world_value else None,
        "reserve_countries": len(res_values),
        "reserve_hhi": res_hhi,
        "top_reserves_country": top,
        "top_reserves_country_name": country_name(top, lang),
        "top_reserves_share": res_shares.get(top) if top else None,
        "world_production": world_prod["quantity"] if world_prod else None,
        "production_unit": world_prod["unit"] if world_prod else None,
        "production_hhi": prod_hhi,
        "world_reserve_life": world_life,
        "world_capacity": world_cap["capacity"] if world_cap else None,
        "note": world_reason if world_life is None and world_value is not None else "",
        "source": source,
    }
    return rows, summary
