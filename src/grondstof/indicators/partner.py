"""Everything one importer buys from one partner, by material and year — the question "why did imports
from Russia jump in 2022, and what about 2023?".

For each material: the import value and tonnes from the partner, the partner's share of the importer's
total imports of that material (from all partners, same source and codes), and the change from the year
before. Per-year totals count every trade code once (a basket code shared by several materials is not
double counted) and leave energy fuels out unless asked.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from grondstof.errors import InputError
from grondstof.indicators import trade as tr
from grondstof.indicators._common import YearsArg, check_years, fetch, parse_years
from grondstof.parameters import Cli, CountryText, Lang, Params, Years, described
from grondstof.registry.countries import Group, countries
from grondstof.registry.materials import materials
from grondstof.result import Field, Result
from grondstof.store import Store, open_store

MATERIAL_FIELDS = [
    Field("importer", "Importer (code)", show=False),
    Field("partner", "Partner (ISO3)", show=False),
    Field("material", "Material"),
    Field("material_name", "Material name"),
    Field("year", "Year", "year"),
    Field("value", "Import value", "money"),
    Field("currency", "Currency"),
    Field("tonnes", "Tonnes", "tonnes"),
    Field("share_of_imports", "Partner share of material imports", "share"),
    Field("value_change", "Change vs previous year", "money"),
    Field("value_change_pct", "Change vs previous year (%)", "share", description="fraction; 1.0 = +100%"),
    Field("basket", "Basket code", "bool", description="the code also covers other materials"),
]

YEAR_FIELDS = [
    Field("importer", "Importer (code)", show=False),
    Field("partner", "Partner (ISO3)", show=False),
    Field("year", "Year", "year"),
    Field("value", "Import value", "money"),
    Field("currency", "Currency"),
    Field("tonnes", "Tonnes", "tonnes"),
    Field("materials", "Materials imported", "int"),
    Field("value_change", "Change vs previous year", "money"),
    Field("value_change_pct", "Change vs previous year (%)", "share"),
    Field("top_material", "Largest material"),
    Field("top_material_value", "Largest material value", "money"),
]


class PartnerParams(Params):
    """Parameters of :func:`partner_imports` (``grondstof partner``, ``/api/v1/partner``)."""

    country: Annotated[
        CountryText,
        described(
            "The importer: ISO2/ISO3 code, English or Dutch name, or EU27.",
            "De importeur: ISO2/ISO3-code, Engelse of Nederlandse naam, of EU27.",
            min_length=1,
            max_length=100,
        ),
    ]
    partner: Annotated[
        str,
        described(
            "The supplying country: ISO2/ISO3 code, English or Dutch name.",
            "Het leverende land: ISO2/ISO3-code, Engelse of Nederlandse naam.",
            min_length=1,
            max_length=100,
        ),
        Cli(flags=("--partner", "-p")),
    ]
    years: Years = None
    source: Annotated[
        str,
        described(
            "Trade source: baci_hs92 (1995–2024) or comext_cn8 (2022–2024).",
            "Handelsbron: baci_hs92 (1995–2024) of comext_cn8 (2022–2024).",
            min_length=1,
            max_length=40,
        ),
    ] = "baci_hs92"
    by: Annotated[
        Literal["material", "year"],
        described(
            "material (rows per material) or year (totals per year).",
            "material (een rij per grondstof) of year (totalen per jaar).",
        ),
    ] = "material"
    include_fuels: Annotated[
        bool,
        described("Count energy fuels too.", "Tel ook energiedragers mee."),
    ] = False
    lang: Lang = "en"


def partner_imports(
    country: str,
    partner: str,
    *,
    years: YearsArg = None,
    source: str = "baci_hs92",
    by: str = "material",
    include_fuels: bool = False,
    store: Store | None = None,
    lang: str = "en",
) -> Result:
    """Imports of ``country`` from ``partner`` for every mapped material, per year.

    Parameters
    ----------
    country:
        The importer (country name/code or ``EU27``).
    partner:
        The supplying country.
    years:
        A year or range; default every year of the source.
    source:
        ``baci_hs92`` (1995–2024, USD, tonnes) or ``comext_cn8`` (2022–2024, EUR) or another trade source.
    by:
        ``material`` (one row per material and year) or ``year`` (totals per year).
    include_fuels:
        Count crude oil, natural gas, steam coal and lignite too (left out by default).
    """
    store = store or open_store()
    registry = countries()
    importer = registry.resolve_importer(country, parameter="country")
    supplier = registry.resolve(partner, parameter="partner")
    if isinstance(importer, Group) and supplier.iso3 in importer.members:
        raise InputError(
            "partner", partner, f"a country outside {importer.name(lang)} (intra-EU trade is not import)"
        )
    if supplier.iso3 in importer.members:
        raise InputError("partner", partner, "a country other than the importer")
    if by not in ("material", "year"):
        raise InputError("by", by, "material or year")
    if source not in tr.TRADE_SOURCES or source not in tr.available_sources(store):
        raise InputError("source", source, "one of " + ", ".join(tr.available_sources(store)))
    span = tr.year_span(store, source)
    wanted = parse_years(years)
    chosen = check_years(wanted or span, span, source)
    classification = tr.TRADE_SOURCES[source]
    # Coking coal is a fuel but also a critical raw material, so it stays in.
    mats = [
        m for m in materials().all() if include_fuels or not m.is_fuel or m.crma_critical or m.eu_crm_2023
    ]
    choices = [c for m in mats if (c := tr.code_choice(m, classification)).codes]
    all_codes = sorted({c.code for m in mats for c in materials().codes(m.id, classification)})
    flow = tr.flows(store, choices={source: choices}, importers=[importer], years=chosen)
    shared = tr.with_partner_shares(tr.partner_totals(flow))
    mine = shared.filter(shared.exporter == supplier.iso3)
    cur = tr.currency(source)
    meta: dict[str, Any] = {
        "query": {
            "importer": importer.code,
            "partner": supplier.iso3,
            "years": list(chosen),
            "source": source,
            "by": by,
            "include_fuels": include_fuels,
        },
        "sources": store.cite(source),
        "units": {"value": cur, "tonnes": "metric tonnes", "shares": "fraction 0–1"},
        "codes": {"classification": classification, "materials": len(choices)},
        "notes": [
            "Materials are those with trade codes in the registry; energy fuels other than coking coal "
            "(a critical raw material) are "
            + ("included." if include_fuels else "left out (use include_fuels)."),
            "Per-year totals count each code once; basket codes appear under each material they cover.",
        ],
    }
    title = f"Imports of {importer.name(lang)} from {supplier.name(lang)}"
    if by == "material":
        rows = _material_rows(fetch(mine), importer.code, supplier.iso3, cur, lang)
        return Result(title + ", by material", MATERIAL_FIELDS, rows, meta)
    totals = _year_totals(store, source, all_codes, importer, supplier.iso3, chosen)
    per_material = fetch(mine)
    rows = _year_rows(totals, per_material, importer.code, supplier.iso3, cur, chosen)
    return Result(title + ", per year", YEAR_FIELDS, rows, meta)


def _material_rows(
    rows: list[dict[str, Any]], importer: str, partner: str, cur: str, lang: str
) -> list[dict[str, Any]]:
    registry = materials()
    by_material: dict[str, dict[int, dict[str, Any]]] = {}
    for row in rows:
        by_material.setdefault(row["material"], {})[row["year"]] = row
    out = []
    for material, per_year in by_material.items():
        for year in sorted(per_year):
            row = per_year[year]
            before = per_year.get(year - 1)
            change = row["value"] - before["value"] if before else None
            out.append(
                {
                    "importer": importer,
                    "partner": partner,
                    "material": material,
                    "material_name": registry.get(material).name(lang),
                    "year": year,
                    "value": row["value"],
                    "currency": cur,
                    "tonnes": row["tonnes"],
                    "share_of_imports": row["value_share"],
                    "value_change": change,
                    "value_change_pct": (change / before["value"]) if before and before["value"] else None,
                    "basket": bool(row["basket"]),
                }
            )
    return sorted(out, key=lambda r: (-r["year"], -(r["value"] or 0)))


def _year_totals(
    store: Store, source: str, codes: list[str], importer: Any, partner: str, years: tuple[int, int]
) -> dict[int, dict[str, Any]]:
    """Imports from ``partner`` per year over every code once (baskets included, nothing twice)."""
    trade = store.table("trade")
    sel = trade.filter(
        (trade.source == source)
        & trade.code.isin(codes)
        & trade.importer.isin(list(importer.members))
        & (trade.exporter == partner)
        & trade.year.between(years[0], years[1])
    )
    agg = sel.group_by("year").aggregate(value=sel.value.sum(), tonnes=sel.tonnes.sum())
    return {r["year"]: r for r in fetch(agg)}


def _year_rows(
    totals: dict[int, dict[str, Any]],
    per_material: list[dict[str, Any]],
    importer: str,
    partner: str,
    cur: str,
    years: tuple[int, int],
) -> list[dict[str, Any]]:
    out = []
    for year in range(years[0], years[1] + 1):
        row = totals.get(year)
        value = row["value"] if row else 0.0
        before = totals.get(year - 1)
        change = value - before["value"] if before else None
        mats = [m for m in per_material if m["year"] == year]
        top = max(mats, key=lambda m: m["value"] or 0) if mats else None
        out.append(
            {
                "importer": importer,
                "partner": partner,
                "year": year,
                "value": value,
                "currency": cur,
                "tonnes": row["tonnes"] if row else None,
                "materials": len(mats),
                "value_change": change,
                "value_change_pct": (change / before["value"]) if before and before["value"] else None,
                "top_material": top["material"] if top else None,
                "top_material_value": top["value"] if top else None,
            }
        )
    return sorted(out, key=lambda r: -r["year"])
