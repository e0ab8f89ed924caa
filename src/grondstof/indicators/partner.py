"""Everything one importer buys from one partner, by material and year — the question "why did imports
from Russia jump in 2022, and what about 2023?".

For each material: the import value and tonnes from the partner, the partner's share of the importer's
total imports of that material (from all partners, same source and codes), and the change from the year
before. Energy fuels are left out unless asked.

**Baskets** (:mod:`grondstof.indicators.labels`). A material whose only code also covers other materials
is shown with ``basket`` set and the code's coverage (HS 270112 is all bituminous coal, so "coking coal"
from Russia is coking and steam coal together). Per-year totals count every code once and own codes only
(``value``); flows of basket codes are totalled beside them (``basket_value``), not in them, unless
``include_baskets`` is set. The largest material is chosen among those with own codes.

**Gross and retained.** ``value`` is gross imports, as recorded. A transit hub re-exports part of what it
imports, and re-exports cannot be traced to their origin, so the part kept in the country is estimated
proportionally, per material and year, from the importer's imports I and exports X of the same codes
(all partners; the EU-27 counts extra-EU exports):

    retained = value × max(0, 1 − X / I)

``retained_value`` is that estimate, the figure closest to own use the data support; it is null where
the source has no exports (the Comext extract has imports only). Per-year rows sum it over own-code
materials.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from grondstof.errors import InputError
from grondstof.indicators import labels
from grondstof.indicators import trade as tr
from grondstof.indicators._common import YearsArg, check_years, fetch, parse_years
from grondstof.parameters import Cli, CountryText, Lang, Params, Years, described
from grondstof.registry.countries import Country, Group, countries
from grondstof.registry.materials import materials
from grondstof.result import Field, Result
from grondstof.store import Store, open_store

# Sources with a complete bilateral matrix for their codes, so an importer's exports are known.
EXPORT_SOURCES = ("baci_hs92", "baci_hs17")

MATERIAL_FIELDS = [
    Field("importer", "Importer (code)", show=False),
    Field("partner", "Partner (ISO3)", show=False),
    Field("material", "Material (id)", show=False),
    Field("material_name", "Material"),
    Field("year", "Year", "year"),
    Field("value", "Gross imports", "money", description="as recorded, re-exports included; in `currency`"),
    Field(
        "retained_value",
        "Kept in country (est.)",
        "money",
        description="gross × max(0, 1 − exports/imports) of the material; null without export data",
    ),
    Field("currency", "Currency"),
    Field("tonnes", "Tonnes", "tonnes"),
    Field("share_of_imports", "Partner share of material imports", "share"),
    Field("value_change", "Change vs previous year", "money"),
    Field("value_change_pct", "Change vs previous year (%)", "share", description="fraction; 1.0 = +100%"),
    Field("basket", "Basket code", "bool", description="the code also covers other materials"),
    Field("trade_coverage", "Trade coverage", description="for a basket code: what else it covers"),
]

YEAR_FIELDS = [
    Field("importer", "Importer (code)", show=False),
    Field("partner", "Partner (ISO3)", show=False),
    Field("year", "Year", "year"),
    Field(
        "value",
        "Gross imports",
        "money",
        description="own codes of every material, each code once; basket codes only with include_baskets",
    ),
    Field(
        "retained_value",
        "Kept in country (est.)",
        "money",
        description="sum of the materials' retained imports (own codes); null without export data",
    ),
    Field(
        "basket_value",
        "Basket codes (not in total)",
        "money",
        description="flows of codes that also cover other materials (e.g. HS 270112 all bituminous coal)",
    ),
    Field("currency", "Currency"),
    Field("tonnes", "Tonnes", "tonnes", description="of the codes in `value`"),
    Field("materials", "Materials imported", "int", description="materials with own-code imports"),
    Field("value_change", "Change vs previous year", "money"),
    Field("value_change_pct", "Change vs previous year (%)", "share"),
    Field("top_material", "Largest material (id)", show=False),
    Field("top_material_name", "Largest material", description="among materials with own codes"),
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
    include_baskets: Annotated[
        bool,
        described(
            "Add codes wider than their material (e.g. HS 270112, all bituminous coal) into the totals.",
            "Tel codes die breder zijn dan de grondstof (bijv. HS 270112, alle steenkool) mee in de totalen.",
        ),
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
    include_baskets: bool = False,
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
    include_baskets:
        Add the flows of basket codes (codes that also cover other materials) to the per-year totals;
        by default they are shown beside the totals (``basket_value``), not in them.
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
    own_codes, basket_codes = _codes_by_kind(choices)
    flow = tr.flows(store, choices={source: choices}, importers=[importer], years=chosen)
    shared = tr.with_partner_shares(tr.partner_totals(flow))
    mine = fetch(shared.filter(shared.exporter == supplier.iso3))
    retention = _retention(store, source, choices, importer, chosen, shared)
    cur = tr.currency(source)
    basis = (
        "gross imports as recorded (value); retained_value = gross × max(0, 1 − exports/imports) of the "
        "material, the part kept in the country, estimated proportionally"
        if retention is not None
        else f"gross imports as recorded: {source} has no exports, so the part kept in the country "
        "cannot be estimated"
    )
    meta: dict[str, Any] = {
        "query": {
            "importer": importer.code,
            "partner": supplier.iso3,
            "years": list(chosen),
            "source": source,
            "by": by,
            "include_fuels": include_fuels,
            "include_baskets": include_baskets,
        },
        "sources": store.cite(source),
        "units": {"value": cur, "tonnes": "metric tonnes", "shares": "fraction 0–1"},
        "basis": basis,
        "codes": {
            "classification": classification,
            "materials": len(choices),
            "own": own_codes,
            "basket": basket_codes,
        },
        "notes": [
            "Materials are those with trade codes in the registry; energy fuels other than coking coal "
            "(a critical raw material) are "
            + ("included." if include_fuels else "left out (use include_fuels)."),
            "Per-year totals count each code once and own codes only; basket codes (codes that also cover "
            "other materials, e.g. HS 270112 all bituminous coal, counted as coking coal) are totalled "
            "beside them"
            + (" and, as asked, added in." if include_baskets else " (basket_value), not in them."),
            "Basis: " + basis + ".",
        ],
    }
    title = f"Imports of {importer.name(lang)} from {supplier.name(lang)}"
    by_id = {c.material: c for c in choices}
    rows = _material_rows(mine, importer.code, supplier.iso3, cur, by_id, retention, lang)
    if by == "material":
        return Result(title + ", by material", MATERIAL_FIELDS, rows, meta)
    codes = own_codes + (basket_codes if include_baskets else [])
    totals = _year_totals(store, source, codes, importer, supplier.iso3, chosen)
    baskets = _year_totals(store, source, basket_codes, importer, supplier.iso3, chosen)
    year_rows = _year_rows(totals, baskets, rows, importer.code, supplier.iso3, cur, chosen, retention)
    return Result(title + ", per year", YEAR_FIELDS, year_rows, meta)


def _codes_by_kind(choices: list[tr.CodeChoice]) -> tuple[list[str], list[str]]:
    """Codes owned by at least one material, and codes that are only ever a basket."""
    own = sorted({code for c in choices if not c.basket for code in c.codes})
    basket = sorted({code for c in choices if c.basket for code in c.codes} - set(own))
    return own, basket


def _retention(
    store: Store,
    source: str,
    choices: list[tr.CodeChoice],
    importer: Country | Group,
    years: tuple[int, int],
    shared: Any,
) -> dict[tuple[str, int], float] | None:
    """Per (material, year), max(0, 1 − exports / imports) of the importer; None without export data.

    Imports are over all partners (the same flows as the shares); exports go to countries outside the
    importer (for the EU-27, extra-EU exports).
    """
    if source not in EXPORT_SOURCES:
        return None
    imports = shared.group_by(["material", "year"]).aggregate(value=shared.value.sum())
    total = {(r["material"], r["year"]): r["value"] or 0.0 for r in fetch(imports)}
    members = list(importer.members)
    trade = store.table("trade")
    sel = trade.filter(
        (trade.source == source)
        & trade.exporter.isin(members)
        & ~trade.importer.isin(members)
        & trade.year.between(years[0], years[1])
    )
    pairs = tr.code_pairs({source: choices}, store)
    sel = sel.join(pairs, (sel.source == pairs.p_source) & (sel.code == pairs.p_code))
    agg = sel.group_by(["material", "year"]).aggregate(value=sel.value.sum())
    exports = {(r["material"], r["year"]): r["value"] or 0.0 for r in fetch(agg)}
    return {key: max(0.0, 1.0 - exports.get(key, 0.0) / value) for key, value in total.items() if value > 0}


def _material_rows(
    rows: list[dict[str, Any]],
    importer: str,
    partner: str,
    cur: str,
    choices: dict[str, tr.CodeChoice],
    retention: dict[tuple[str, int], float] | None,
    lang: str,
) -> list[dict[str, Any]]:
    registry = materials()
    by_material: dict[str, dict[int, dict[str, Any]]] = {}
    for row in rows:
        by_material.setdefault(row["material"], {})[row["year"]] = row
    out = []
    for material, per_year in by_material.items():
        choice = choices[material]
        coverage = labels.trade_coverage("", choice, lang) if choice.basket else None
        for year in sorted(per_year):
            row = per_year[year]
            before = per_year.get(year - 1)
            change = row["value"] - before["value"] if before else None
            kept = retention.get((material, year)) if retention is not None else None
            out.append(
                {
                    "importer": importer,
                    "partner": partner,
                    "material": material,
                    "material_name": registry.get(material).name(lang),
                    "year": year,
                    "value": row["value"],
                    "retained_value": row["value"] * kept if kept is not None else None,
                    "currency": cur,
                    "tonnes": row["tonnes"],
                    "share_of_imports": row["value_share"],
                    "value_change": change,
                    "value_change_pct": (change / before["value"]) if before and before["value"] else None,
                    "basket": bool(row["basket"]),
                    "trade_coverage": coverage,
                }
            )
    # The material breaks ties (materials sharing a code have equal values), so the order is the same on
    # every engine.
    return sorted(out, key=lambda r: (-r["year"], -(r["value"] or 0), r["material"]))


def _year_totals(
    store: Store, source: str, codes: list[str], importer: Any, partner: str, years: tuple[int, int]
) -> dict[int, dict[str, Any]]:
    """Imports from ``partner`` per year over ``codes``, each code once."""
    if not codes:
        return {}
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
    baskets: dict[int, dict[str, Any]],
    per_material: list[dict[str, Any]],
    importer: str,
    partner: str,
    cur: str,
    years: tuple[int, int],
    retention: dict[tuple[str, int], float] | None,
) -> list[dict[str, Any]]:
    out = []
    for year in range(years[0], years[1] + 1):
        row = totals.get(year)
        value = row["value"] if row else 0.0
        before = totals.get(year - 1)
        change = value - before["value"] if before else None
        own = [m for m in per_material if m["year"] == year and not m["basket"]]
        top = max(own, key=lambda m: m["value"] or 0) if own else None
        retained = sum(m["retained_value"] or 0.0 for m in own) if retention is not None else None
        out.append(
            {
                "importer": importer,
                "partner": partner,
                "year": year,
                "value": value,
                "retained_value": retained,
                "basket_value": baskets[year]["value"] if year in baskets else 0.0,
                "currency": cur,
                "tonnes": row["tonnes"] if row else None,
                "materials": len(own),
                "value_change": change,
                "value_change_pct": (change / before["value"]) if before and before["value"] else None,
                "top_material": top["material"] if top else None,
                "top_material_name": top["material_name"] if top else None,
                "top_material_value": top["value"] if top else None,
            }
        )
    return sorted(out, key=lambda r: -r["year"])
