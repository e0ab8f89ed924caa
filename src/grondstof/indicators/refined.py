"""The refined stage over time from the BACI top-6 extract: who a country buys refined metals from, 2002–2024.

Source: ``baci_refined_top6`` (table ``trade_top_flows``): BACI bilateral values (USD, FOB) of 32
refined-stage HS6 codes, 2002–2016 in HS02 and 2017–2024 in HS17, **truncated upstream** to each importer's
6 largest suppliers and each exporter's 6 largest customers (their union). No tonnes. One code per
material (``refined_codes``: nickel = 750210 unwrought nickel, copper = 740311 cathodes, magnets = 850511
permanent magnets, gallium/germanium/hafnium = the shared basket 811292, …).

Because small flows are missing, every figure says what it is, in its own field:

* **Retained total** T = Σ_p V_p over the partners p kept for the importer — a **lower bound** of the
  importer's true imports (the partners below its top 6 are missing, unless they are an exporter's top 6).
* **Share** s_p = V_p / T — a share **of the retained flows**, so it overstates the partner's share of all
  imports.
* **HHI** = Σ_p s_p² over the retained partners — an **upper bound** of the true import concentration
  (adding the missing small partners can only lower it).

The EU-27 as importer counts the members' retained flows from partners outside the EU (extra-EU), with the
post-2020 membership; truncation applied per member, so its total is a lower bound too. A partner absent
from a year is "not among the retained flows" — below the importer's top 6 or no trade — never 0.

:func:`refined_trade_indicators` gives the world trade indicators published with the extract (exporter
HHI of world trade by value and by tonnes, China's share, unit values; world totals computed by the
repository) beside two figures grondstof computes: the exporter HHI of the retained flows (an upper bound,
as above) and the production HHI from World Mining Data for the same year (the material's WMD series at the
refined code's stage where WMD has one, else its mine production — the stage is named on the row).
"""

from __future__ import annotations

from typing import Any

from grondstof.errors import InputError
from grondstof.indicators._common import YearsArg, check_years, country_name, fetch, parse_years
from grondstof.registry.countries import Group, countries
from grondstof.registry.materials import Material, materials
from grondstof.result import Field, Result
from grondstof.store import Store

SOURCE = "baci_refined_top6"
COVERAGE_LABEL = "top-6 extract"
TOTAL_BOUND = "lower bound"
HHI_BOUND = "upper bound"
SHARE_BASIS = "share of the retained (top-6) flows"

PARTNER_FIELDS = [
    Field("year", "Year", "year"),
    Field("importer", "Importer (code)", show=False),
    Field("partner", "Partner (ISO3)", show=False),
    Field("partner_name", "Partner"),
    Field("code", "HS6 code", show=False),
    Field("classification", "Nomenclature", show=False),
    Field("value", "Import value", "money", description="USD, FOB (BACI)"),
    Field("currency", "Currency", show=False),
    Field(
        "share_of_retained",
        "Share of retained flows",
        "share",
        description="value / the importer's retained total: a share of the top-6 flows, not of all imports",
    ),
    Field("rank", "Rank", "int"),
    Field("coverage", "Coverage", description="top-6 extract: small partners are missing"),
    Field("source", "Source", show=False),
]

YEAR_FIELDS = [
    Field("year", "Year", "year"),
    Field("importer", "Importer (code)", show=False),
    Field("code", "HS6 code", show=False),
    Field("classification", "Nomenclature", show=False),
    Field(
        "retained_total",
        "Imports, retained flows (lower bound)",
        "money",
        description="USD; a lower bound of all imports (partners below the top 6 are missing)",
    ),
    Field("total_bound", "Total is", show=False, description="always 'lower bound'"),
    Field("currency", "Currency", show=False),
    Field("partners_retained", "Partners retained", "int"),
    Field(
        "hhi_upper_bound",
        "Import HHI (upper bound)",
        "hhi",
        description="Σ share² over the retained partners; the true HHI is at most this",
    ),
    Field("hhi_bound", "HHI is", show=False, description="always 'upper bound'"),
    Field("top_partner", "Top partner (ISO3)", show=False),
    Field("top_partner_name", "Top partner"),
    Field("top_share_of_retained", "Top partner share of retained", "share"),
    Field("partner", "Partner asked (ISO3)", show=False),
    Field("partner_value", "Value from partner", "money", description="null: not among the retained flows"),
    Field("partner_share_of_retained", "Partner share of retained", "share"),
    Field("share_basis", "Shares are", show=False),
    Field("coverage", "Coverage"),
    Field("source", "Source", show=False),
]

WORLD_FIELDS = [
    Field("year", "Year", "year"),
    Field("material", "Material (id)", show=False),
    Field("label", "Extract label", show=False),
    Field("title", "Series (as published)"),
    Field("code", "HS6 code", show=False),
    Field("hhi_value", "Exporter HHI, world trade value", "hhi", description="as published with the extract"),
    Field("hhi_tonnes", "Exporter HHI, world trade tonnes", "hhi", description="as published"),
    Field("china_share_value", "China share of world exports (value)", "share"),
    Field("china_share_tonnes", "China share of world exports (tonnes)", "share", show=False),
    Field("unit_value", "World unit value (USD/t)", "number"),
    Field("china_unit_value", "China unit value (USD/t)", "number", show=False),
    Field("rest_unit_value", "Rest-of-world unit value (USD/t)", "number", show=False),
    Field(
        "hhi_value_top6",
        "Exporter HHI, retained flows (upper bound)",
        "hhi",
        description="computed by grondstof from the top-6 rows",
    ),
    Field("production_hhi", "Production HHI (WMD)", "hhi", description="World Mining Data, same year"),
    Field("production_stage", "Production stage", show=False),
    Field("source", "Source", show=False),
]


def _labels(store: Store, mat: Material) -> list[dict[str, Any]]:
    table = store.table("refined_codes")
    rows = fetch(table.filter(table.material == mat.id))
    if not rows:
        every = sorted({r["material"] for r in fetch(table.select("material").distinct())})
        raise InputError(
            "material",
            mat.id,
            "a material of the BACI refined top-6 extract (" + ", ".join(every) + ")",
            suggestions=every[:5],
        )
    return rows


def _span(store: Store) -> tuple[int, int] | None:
    table = store.table("trade_top_flows")
    bounds = fetch(table.aggregate(lo=table.year.min(), hi=table.year.max()))[0]
    return None if bounds["lo"] is None else (int(bounds["lo"]), int(bounds["hi"]))


def refined_imports(
    material: str,
    country: str,
    *,
    years: YearsArg = None,
    partner: str | None = None,
    by: str = "year",
    store: Store | None = None,
    lang: str = "en",
) -> Result:
    """Imports of a refined material by a country or the EU-27 from the top-6 extract, labelled as such.

    Parameters
    ----------
    material:
        A material of the extract (nickel, copper, magnesium, silicon metal, manganese, tungsten, permanent
        magnets, lithium, cobalt, gallium …).
    country:
        The importer: a country (ISO2/ISO3, English or Dutch name) or ``EU27`` (extra-EU imports).
    years:
        A year or range within 2002–2024; default all years.
    partner:
        One supplier whose value and share are added to each year (``by="year"``) or the only partner shown
        (``by="partner"``).
    by:
        ``year`` (default): the retained total (lower bound), import HHI (upper bound) and top partner per
        year; ``partner``: one row per year and retained partner with its share of the retained flows.
    """
    from grondstof.store import open_store

    store = store or open_store()
    mat = materials().resolve(material)
    if by not in ("year", "partner"):
        raise InputError("by", by, "year or partner")
    importer = countries().resolve_importer(country, parameter="country")
    other = countries().resolve(partner, parameter="partner").iso3 if partner else None
    labels = _labels(store, mat)
    code = labels[0]["code"]
    span = _span(store)
    if years is not None:
        lo, hi = check_years(parse_years(years), span, "the BACI refined top-6 extract")
    elif span is not None:
        lo, hi = span
    else:
        lo, hi = (2002, 2024)
    members = list(importer.members)
    flows = store.table("trade_top_flows")
    sel = flows.filter((flows.code == code) & flows.importer.isin(members) & flows.year.between(lo, hi))
    if isinstance(importer, Group):
        sel = sel.filter(~sel.exporter.isin(members))
    agg = sel.group_by(["year", "classification", "exporter"]).aggregate(value=sel.value.sum())
    rows = fetch(agg)
    per_year: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        per_year.setdefault(int(row["year"]), []).append(row)
    base = {
        "importer": importer.code,
        "code": code,
        "currency": "USD",
        "coverage": COVERAGE_LABEL,
        "source": SOURCE,
    }
    out: list[dict[str, Any]] = []
    if by == "partner":
        for year in sorted(per_year, reverse=True):
            members_rows = sorted(per_year[year], key=lambda r: -r["value"])
            total = sum(r["value"] for r in members_rows)
            for rank, r in enumerate(members_rows, start=1):
                if other is not None and r["exporter"] != other:
                    continue
                out.append(
                    {
                        **base,
                        "year": year,
                        "partner": r["exporter"],
                        "partner_name": country_name(r["exporter"], lang),
                        "classification": r["classification"],
                        "value": r["value"],
                        "share_of_retained": r["value"] / total if total else None,
                        "rank": rank,
                    }
                )
        fields = PARTNER_FIELDS
    else:
        for year in range(hi, lo - 1, -1):
            members_rows = per_year.get(year, [])
            values = {r["exporter"]: r["value"] for r in members_rows}
            total = sum(values.values())
            shares = {k: v / total for k, v in values.items()} if total else {}
            top = max(values, key=lambda k: values[k]) if values else None
            out.append(
                {
                    **base,
                    "year": year,
                    "classification": members_rows[0]["classification"]
                    if members_rows
                    else ("HS02" if year < 2017 else "HS17"),
                    "retained_total": total if members_rows else None,
                    "total_bound": TOTAL_BOUND,
                    "partners_retained": len(values),
                    "hhi_upper_bound": sum(s * s for s in shares.values()) if shares else None,
                    "hhi_bound": HHI_BOUND,
                    "top_partner": top,
                    "top_partner_name": country_name(top, lang),
                    "top_share_of_retained": shares.get(top) if top else None,
                    "partner": other,
                    "partner_value": values.get(other) if other else None,
                    "partner_share_of_retained": shares.get(other) if other else None,
                    "share_basis": SHARE_BASIS,
                }
            )
        fields = YEAR_FIELDS
    label = labels[0]
    notes = [
        "TOP-6 EXTRACT: only each importer's 6 largest suppliers and each exporter's 6 largest customers "
        "are in the data. Totals are lower bounds, shares are shares of the retained flows, HHI is an upper "
        "bound.",
        f"Code {code} ({label['name']}; HS02 to 2016, HS17 from 2017); values in USD, FOB; no tonnes.",
    ]
    if label["basket"]:
        notes.append(
            f"{code} is shared with other materials ({label['flag']}): the flows are not "
            f"{mat.name(lang)} alone."
        )
    if other is not None:
        notes.append(
            f"A year without a value from {country_name(other, lang)} means it is not among the retained "
            "flows (below the top 6 or no trade), not that imports were zero."
        )
    if isinstance(importer, Group):
        notes.append("EU-27: extra-EU imports of the members (post-2020 membership), each member truncated.")
    meta = {
        "query": {
            "material": mat.id,
            "country": importer.code,
            "years": [lo, hi],
            "partner": other,
            "by": by,
        },
        "material": {"id": mat.id, "name": mat.name(lang)},
        "codes": {
            "classification": "HS02/HS17",
            "codes": [code],
            "basket": label["basket"],
            "label": label["label"],
        },
        "coverage": {"kind": COVERAGE_LABEL, "total": TOTAL_BOUND, "hhi": HHI_BOUND, "shares": SHARE_BASIS},
        "sources": store.cite(SOURCE),
        "units": ["USD"],
        "notes": notes,
    }
    title = f"Imports of {label['name'].lower()} by {importer.name(lang)} (top-6 extract)"
    return Result(title, fields, [{f.name: r.get(f.name) for f in fields} for r in out], meta)


def refined_trade_indicators(
    material: str,
    *,
    years: YearsArg = None,
    store: Store | None = None,
    lang: str = "en",
) -> Result:
    """World trade concentration of a refined material per year, beside its production concentration.

    Columns from the extract's ``world_trade_volume_indicators.json`` (as published), plus the exporter HHI
    of the retained top-6 flows (Σ sᵢ² of exporters' shares of the retained world value: an upper bound) and
    the World Mining Data production HHI of the same year (see the module docstring).
    """
    from grondstof.indicators.supply import supply
    from grondstof.store import open_store

    store = store or open_store()
    mat = materials().resolve(material)
    labels = _labels(store, mat)
    label = labels[0]
    table = store.table("world_trade_indicators")
    sel = table.filter(table.label == label["label"])
    wanted = parse_years(years)
    if wanted is not None:
        bounds = fetch(sel.aggregate(lo=sel.year.min(), hi=sel.year.max()))[0]
        span = None if bounds["lo"] is None else (int(bounds["lo"]), int(bounds["hi"]))
        lo, hi = check_years(wanted, span, "the refined extract's world trade indicators")
        sel = sel.filter(sel.year.between(lo, hi))
    rows = sorted(fetch(sel), key=lambda r: -r["year"])
    flows = store.table("trade_top_flows")
    exp = flows.filter(flows.code == label["code"])
    per_exporter = fetch(exp.group_by(["year", "exporter"]).aggregate(value=exp.value.sum()))
    by_year: dict[int, dict[str, float]] = {}
    for r in per_exporter:
        by_year.setdefault(int(r["year"]), {})[r["exporter"]] = r["value"]
    prod_hhi, stage = _production_hhi(store, mat, label["stage"], supply)
    out = []
    for r in rows:
        values = by_year.get(r["year"], {})
        total = sum(values.values())
        out.append(
            {
                **{f.name: r.get(f.name) for f in WORLD_FIELDS},
                "hhi_value_top6": sum((v / total) ** 2 for v in values.values()) if total else None,
                "production_hhi": prod_hhi.get(r["year"]),
                "production_stage": stage,
                "source": SOURCE,
            }
        )
    notes = [
        "Exporter HHI and China's share of world trade as published with the extract (computed by the "
        "repository from BACI, world totals; its method is not documented). Unit values in USD per tonne.",
        "Exporter HHI of the retained flows is computed here from the top-6 rows: an upper bound.",
        f"Production HHI: World Mining Data, {stage or 'no series'} stage, 2018–2024 only."
        if stage
        else f"No World Mining Data production series for {mat.name(lang)}: production HHI is null.",
    ]
    if label["basket"]:
        notes.append(f"{label['code']} is shared with other materials ({label['flag']}).")
    meta = {
        "query": {"material": mat.id, "years": years},
        "material": {"id": mat.id, "name": mat.name(lang)},
        "codes": {"codes": [label["code"]], "label": label["label"], "basket": label["basket"]},
        "sources": store.cite(SOURCE, *(["wmd"] if stage else [])),
        "notes": notes,
    }
    return Result(f"World trade concentration of {label['name'].lower()}", WORLD_FIELDS, out, meta)


def _production_hhi(
    store: Store, mat: Material, stage: str, supply: Any
) -> tuple[dict[int, float], str | None]:
    """WMD production HHI per year at ``stage`` (else the material's other WMD stage), and the stage used."""
    wmd = materials().wmd(mat.id)
    stages = [w.stage for w in wmd]
    if not stages:
        return {}, None
    chosen = stage if stage in stages else stages[0]
    try:
        result = supply(mat.id, years="2018-2024", stage=chosen, source="wmd", by="year", store=store)
    except InputError:
        return {}, None
    return {r["year"]: r["hhi"] for r in result.rows}, chosen
