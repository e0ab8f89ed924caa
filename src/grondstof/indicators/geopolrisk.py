"""The GeoPolRisk method: geopolitical supply risk of a raw material for an importer, and its LCA factor.

Method: Gemechu et al. (2015), J. Ind. Ecol. 20(1) 154–165; domestic production as mitigation: Helbig et al.
(2016), J. Clean. Prod. 137; midpoint characterisation model: Santillán-Saldivar et al. (2022), Int. J. LCA
27; CFs: Koyamparambath et al. (2024), Resour. Conserv. Recycl. 209, 107801; implementation: geopolrisk-py
(Koyamparambath et al., JOSS, doi 10.21105/joss.09600; equations 1–3 of its ``docs/background.rst``). For an
importer c (a country or the EU-27), material A and year t::

    HHI_A        = Σ_i P_Ai² / (Σ_i P_Ai)²                         production concentration, 0–1
    ImportRisk_Ac = Σ_i g_i · f_Aic / (F_Ac + p_Ac)                 import risk, 0–1
    Score_Ac     = HHI_A × ImportRisk_Ac                            GeoPolRisk score, 0–1
    price_Ac     = Σ_i value_Aic / Σ_i f_Aic                        average import price, USD/kg
    CF_Ac        = Score_Ac × price_Ac / 0.409412948                kg Cu-eq/kg

with P_Ai the World Mining Data production of country i (the WMD commodity GeoPolRisk maps to A), f_Aic
the imports (tonnes) of c from partner i over the HS92 codes of A in BACI, F_Ac = Σ_i f_Aic, p_Ac the
domestic production of c (tonnes), and g_i = (2.5 − WGI-PV_i)/5 clipped to [0, 1] the partner's political
instability (World Bank WGI "Political Stability and Absence of Violence"). The docs define the CF as the
midpoint divided by copper's midpoint for the same importer and year; geopolrisk-py divides by a constant,
0.409412948 ("average CF of copper for OECD countries 2017–2021"), and so does this module.

How geopolrisk-py 2.0.1 computes it, reproduced here (``reference=True``, the default):

* Trade: BACI HS92 rows of the material's main and complementary HS codes are summed per partner; a
  missing quantity counts as 0 t (and its value still enters the price); quantities are tonnes, values
  thousand USD, so Σ kUSD / Σ t is USD/kg.
* Production, WGI and trade are all of the same year t.
* HHI: the WMD sheet's country rows (world total excluded), missing figures as 0, each figure truncated to
  a whole number of the sheet's unit before squaring. Domestic production: the importer's figure, divided
  by 1000 when the sheet is in kg; any other unit (``Mio m3`` for natural gas) is added to the trade
  tonnes unconverted. The importer's row is found by numeric code, first match: Guyana gets French
  Guiana's gold (both coded 328 in its WMD sheets; :data:`REFERENCE_PRODUCTION_ALIASES`).
* Regions: the EU-27 is the sum of its members' imports from every partner, including each other, with
  partners inside the region at g = 0, plus the members' summed production. A country's own code as
  partner would also be 0.
* Partners without a WGI value count g = 0.5. geopolrisk-py joins WGI to BACI partners by numeric code,
  which leaves Taiwan (BACI 490) without a value and gives Guyana French Guiana's series and the British
  Virgin Islands the US Virgin Islands' series up to 2022 (its ``wgi.db`` labels); ``reference=True``
  applies the same joins (:data:`REFERENCE_WGI_ALIASES`), ``reference=False`` uses each country's own
  series and production row, untruncated production, natural gas converted at 800 t per million m³, and
  a price over the flows whose quantity is known.

Where the method cannot be computed the row says so in ``status`` and ``note`` and its figures are null
(geopolrisk-py returns 0 or stops instead): ``no_hs_code`` (the map has no HS code, e.g. gallium),
``not_mapped`` (GeoPolRisk has no commodity for the material), ``no_production`` (no WMD production that
year), ``no_trade_data`` (the HS codes hold no trade by any country that year, e.g. germanium's 811230
after 2006: a data gap, not zero imports), ``no_trade`` (neither imports nor domestic production),
``no_tonnes`` (imports recorded without any quantity). ``no_imports`` (domestic production, no imports,
while the codes do have trade that year) is computed: import risk and score are 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import ibis

from grondstof.engine import small_table
from grondstof.errors import InputError, StoreError, UnknownMaterialError
from grondstof.indicators import trade as tr
from grondstof.indicators._common import YearsArg, check_years, parse_years, year_range_text
from grondstof.indicators.dependency import resolve_importers
from grondstof.parameters import Cli, CountriesText, Lang, MaterialsText, Params, Years
from grondstof.registry._text import normalise, split_list
from grondstof.registry.countries import Country, Group, countries
from grondstof.registry.materials import ALL_WORDS, materials
from grondstof.result import Field, Result
from grondstof.store import Store, open_store

if TYPE_CHECKING:
    import pyarrow as pa

TRADE_SOURCE = "baci_hs92"
PRODUCTION_SOURCE = "wmd"
WGI_SOURCE = "wgi_pv"
MAP_SOURCE = "geopolrisk_hs_map"

# geopolrisk-py 2.0.1, assessment/core.py: copper's factor used to express CFs in kg Cu-eq/kg.
CU_CF = 0.409412948
# Instability of a partner without a WGI value (geopolrisk-py assigns 0.5).
MISSING_WGI = 0.5
# geopolrisk-py's comment: 1 m³ of natural gas = 0.8 kg, so a million m³ is 800 t (used when reference=False).
GAS_T_PER_MIO_M3 = 800.0

# How geopolrisk-py 2.0.1's numeric-code join labels WGI series, up to the last year of its older block:
# partner → (country whose series it gets, last year); a partner mapped to None gets no value (0.5).
REFERENCE_WGI_ALIASES: dict[str, tuple[str | None, int]] = {
    "TWN": (None, 9999),  # wgi.db has Taiwan with country_code "NA": BACI 490 finds no row
    "GUY": ("GUF", 2022),  # the first row coded 328 is French Guiana's series
    "VGB": ("VIR", 2022),  # the row coded 92 holds the US Virgin Islands' series to 2022
}

# geopolrisk-py 2.0.1 looks up an importer's own production by numeric code and takes the first row: its
# WMD sheets code French Guiana as Guyana (328) and list it first, so Guyana gets French Guiana's output
# wherever the sheet has a French Guiana row (gold). importer → (country whose row it gets).
REFERENCE_PRODUCTION_ALIASES: dict[str, str] = {"GUY": "GUF"}

STATUS_NOTES = {
    "ok": "",
    "no_imports": "no imports recorded; import risk and score are 0 (domestic production covers supply); "
    "no import price",
    "no_trade": "no imports and no domestic production recorded: import risk undefined",
    "no_trade_data": "no trade data: the HS92 code(s) hold no trade by any country this year (a gap in the "
    "data, not zero imports): import risk undefined",
    "no_tonnes": "imports recorded, but none with a quantity in tonnes: import risk and price undefined",
    "no_production": "no World Mining Data production for this commodity and year: HHI undefined",
    "no_hs_code": "GeoPolRisk maps no HS code to this commodity ('Not Available'): no trade series",
    "not_mapped": "GeoPolRisk (geopolrisk-py 2.0.1) has no World Mining Data commodity for this material",
}

GEOPOLRISK_FIELDS = [
    Field("importer", "Importer (code)", show=False),
    Field("importer_name", "Importer"),
    Field("material", "Material"),
    Field("commodity", "WMD commodity", description="the World Mining Data sheet GeoPolRisk uses"),
    Field("year", "Year", "year"),
    Field("hhi", "Production HHI", "hhi", description="Σ P_i² / (Σ P_i)², World Mining Data, 0–1"),
    Field(
        "import_risk",
        "Import risk",
        "number",
        description="Σ g_i f_i / (imports + domestic production), g_i = (2.5 − WGI-PV)/5, 0–1",
    ),
    Field("score", "GeoPolRisk score", "number", description="HHI × import risk, 0–1"),
    Field("price_usd_per_kg", "Import price", "number", "USD/kg", "import value / import tonnes (FOB)"),
    Field("cf", "CF", "number", "kg Cu-eq/kg", "score × price / 0.409412948 (copper)"),
    Field(
        "domestic_production_t",
        "Domestic production",
        "tonnes",
        "t",
        "the importer's WMD production (0 where WMD lists none); natural gas in Mio m³ when reference=True",
    ),
    Field("imports_t", "Imports", "tonnes", "t", "BACI HS92 quantity over the mapped codes"),
    Field("import_value_usd", "Import value", "money", "USD", "BACI HS92, FOB", show=False),
    Field(
        "partners",
        "Partners",
        "int",
        description="partner countries with trade rows (for the EU-27 including its members)",
    ),
    Field(
        "partners_no_wgi",
        "Partners without WGI",
        "int",
        description="partners outside the importer without a WGI value, counted at 0.5",
        show=False,
    ),
    Field(
        "tonnes_coverage",
        "Value with tonnes",
        "share",
        description="share of the import value whose quantity is known",
        show=False,
    ),
    Field("hs_codes", "HS92 codes", show=False),
    Field("status", "Status"),
    Field("note", "Note"),
]

TABLE_COLUMNS = [
    "importer",
    "material",
    "commodity",
    "year",
    "hhi",
    "import_risk",
    "score",
    "price_usd_per_kg",
    "cf",
    "domestic_production_t",
    "imports_t",
    "import_value_usd",
    "partners",
    "partners_no_wgi",
    "tonnes_coverage",
    "status",
]


@dataclass(frozen=True)
class Commodity:
    """One row of GeoPolRisk's HS map: a WMD sheet, the registry material it stands for, its HS92 codes."""

    wmd: str
    material: str
    reference_id: str
    codes: tuple[str, ...]
    stage: str | None


def commodity_map(store: Store) -> list[Commodity]:
    """GeoPolRisk's WMD commodities and their HS92 codes (main first), from ``geopolrisk_hs_map``."""
    rows = store.rows("geopolrisk_hs_map")
    if not rows:
        raise StoreError("the store has no geopolrisk_hs_map rows (geopolrisk/hs_code_map.csv); rebuild it")
    return [
        Commodity(
            r["wmd_commodity"], r["material"], r["reference_id"], tuple(r["hs_codes"] or ()), r["stage"]
        )
        for r in rows
    ]


def _select_commodities(
    material: str | Sequence[str], mapping: list[Commodity]
) -> tuple[list[Commodity], list[tuple[str, str, str]]]:
    """Resolve the material argument to map rows; also (id, name, hint) of materials GeoPolRisk lacks."""
    parts = split_list(material) if isinstance(material, str) else [str(m) for m in material]
    if not parts:
        raise InputError("material", material, "one or more materials, comma-separated, or all")
    registry = materials()
    by_material: dict[str, list[Commodity]] = {}
    by_label: dict[str, Commodity] = {}
    for com in mapping:
        by_material.setdefault(com.material, []).append(com)
        by_label[normalise(com.wmd)] = com
        by_label.setdefault(normalise(com.reference_id), com)
    chosen: list[Commodity] = []
    missing: list[tuple[str, str, str]] = []
    for part in parts:
        key = normalise(part)
        if key in ALL_WORDS:
            chosen.extend(c for c in mapping if c.codes and c not in chosen)
            continue
        try:
            mat = registry.resolve(part)
        except UnknownMaterialError:
            if key not in by_label:  # also accept the WMD sheet or GeoPolRisk's own name, e.g. Chromite
                raise
            found = [by_label[key]]
        else:
            found = list(by_material.get(mat.id, []))
            if not found:
                found = [c for m in registry.members(mat.id) for c in by_material.get(m.id, [])]
            if not found:
                # Say so when only a group it belongs to is mapped (neodymium -> Rare Earths (REO)).
                hint = "; ".join(
                    f"it is covered only within {registry.get(g).name()} ({by_material[g][0].wmd})"
                    for g in mat.groups
                    if g in by_material
                )
                if mat.id not in [m[0] for m in missing]:
                    missing.append((mat.id, mat.name(), hint))
                continue
        chosen.extend(c for c in found if c not in chosen)
    return chosen, missing


def available_years(store: Store) -> tuple[int, int] | None:
    """Years with both BACI HS92 trade and World Mining Data production (the method needs both)."""
    trade = tr.year_span(store, TRADE_SOURCE)
    try:
        wmd = store.source_info(PRODUCTION_SOURCE).get("years")
    except StoreError:
        wmd = None
    if not trade or not wmd:
        return None
    lo, hi = max(trade[0], int(wmd[0])), min(trade[1], int(wmd[1]))
    return (lo, hi) if lo <= hi else None


def _check_sources(store: Store) -> None:
    loaded = {s["id"] for s in store.catalog["sources"] if s.get("status") in ("loaded", "reused")}
    for source in (TRADE_SOURCE, PRODUCTION_SOURCE, WGI_SOURCE, MAP_SOURCE):
        if source not in loaded:
            raise StoreError(f"GeoPolRisk needs source {source!r}, which the store does not have")


# -- the engine query ------------------------------------------------------------------------------------


def _partner_instability(store: Store, years: tuple[int, int], reference: bool) -> Any:
    """(country, year, g) with g = (2.5 − WGI-PV estimate)/5 clipped to [0, 1], one row per country-year."""
    gov = store.table("governance")
    gov = gov.filter(
        (gov.source == WGI_SOURCE)
        & (gov.indicator == "pv")
        & gov.estimate.notnull()
        & gov.year.between(years[0], years[1])
    )
    raw = (2.5 - gov.estimate) / 5.0
    g = ibis.cases((raw < 0.0, 0.0), (raw > 1.0, 1.0), else_=raw)
    base = gov.select(w_country=gov.country, w_year=gov.year.cast("int64"), g=g)
    if not reference:
        return base
    # Reproduce geopolrisk-py's labelling: drop the rows it cannot see, then add the series it mislabels.
    alias = small_table(
        store.con,
        {
            "a_country": ("string", list(REFERENCE_WGI_ALIASES)),
            "a_from": ("string", [v[0] for v in REFERENCE_WGI_ALIASES.values()]),
            "a_last": ("int64", [v[1] for v in REFERENCE_WGI_ALIASES.values()]),
        },
    )
    hit = base.join(alias, base.w_country == alias.a_country, how="left")
    kept = hit.filter(hit.a_country.isnull() | (hit.w_year > hit.a_last)).select("w_country", "w_year", "g")
    moved = base.join(
        alias, (base.w_country == alias.a_from) & (base.w_year <= alias.a_last) & alias.a_from.notnull()
    ).select(w_country=alias.a_country, w_year=base.w_year, g=base.g)
    return kept.union(moved)


def _reference_own_rows(prod: Any) -> Any:
    """Production rows as geopolrisk-py reads an importer's own output (REFERENCE_PRODUCTION_ALIASES)."""
    for importer, source in REFERENCE_PRODUCTION_ALIASES.items():
        donor = prod.filter(prod.country == source)
        sheets = donor.select(a_commodity=donor.commodity).distinct()
        kept = prod.anti_join(sheets, [prod.commodity == sheets.a_commodity, prod.country == importer])
        prod = kept.union(donor.mutate(country=ibis.literal(importer)))
    return prod


def _importer_members(
    store: Store, importers: Sequence[Country | Group] | None, years: tuple[int, int]
) -> Any:
    """(member ISO3, importer label, is_group) rows; ``None`` = every importer or producer, plus the EU-27."""
    if importers is not None:
        return tr.importer_map(importers, store)
    trade = store.table("trade")
    trade = trade.filter((trade.source == TRADE_SOURCE) & trade.year.between(years[0], years[1]))
    prod = store.table("production")
    prod = prod.filter((prod.source == PRODUCTION_SOURCE) & prod.year.between(years[0], years[1]))
    each = (
        trade.select(member=trade.importer)
        .union(prod.filter(prod.country.notnull()).select(member=prod.country))
        .distinct()
    )
    each = each.select(each.member, importer=each.member, is_group=ibis.literal(False))
    return each.union(tr.importer_map([countries().eu27()], store))


def _inside(flow: Any, groups: Sequence[Group]) -> Any:
    """True where the partner is the importer itself or a member of the importing group (g = 0)."""
    cond = flow.exporter == flow.importer
    for group in groups:
        cond = cond | ((flow.importer == group.code) & flow.exporter.isin(list(group.members)))
    return cond


def geopolrisk_expr(
    store: Store,
    commodities: Sequence[Commodity],
    importers: Sequence[Country | Group] | None,
    years: tuple[int, int],
    *,
    reference: bool = True,
) -> Any:
    """The GeoPolRisk table as one Ibis expression: a row per importer × commodity × year.

    ``importers=None`` takes every importer in BACI HS92 and every WMD producer of those years, plus the
    EU-27. Columns: :data:`TABLE_COLUMNS` (``hs_codes`` and notes are added by the callers).
    """
    mapped = [c for c in commodities if c.codes]
    codes = small_table(
        store.con,
        {
            "m_commodity": ("string", [c.wmd for c in mapped for _ in c.codes]),
            "m_code": ("string", [code for c in mapped for code in c.codes]),
        },
    )
    coms = small_table(
        store.con,
        {
            "commodity": ("string", [c.wmd for c in commodities]),
            "material": ("string", [c.material for c in commodities]),
            "has_codes": ("boolean", [bool(c.codes) for c in commodities]),
        },
    )
    imap = _importer_members(store, importers, years)
    groups = [i for i in importers if isinstance(i, Group)] if importers is not None else [countries().eu27()]

    # Trade: every row of the mapped codes, labelled with commodity and importer; partner instability g.
    trade = store.table("trade")
    trade = trade.filter((trade.source == TRADE_SOURCE) & trade.year.between(years[0], years[1]))
    flow = trade.join(codes, trade.code == codes.m_code).join(imap, trade.importer == imap.member)
    flow = flow.select(
        importer=imap.importer,
        commodity=codes.m_commodity,
        year=trade.year.cast("int64"),
        exporter=trade.exporter,
        value=trade.value,
        tonnes=trade.tonnes,
    )
    wgi = _partner_instability(store, years, reference)
    flow = flow.view()
    flow = flow.join(wgi, [flow.exporter == wgi.w_country, flow.year == wgi.w_year], how="left")
    inside = _inside(flow, groups)
    g = ibis.cases((inside, 0.0), (flow.g.isnull(), MISSING_WGI), else_=flow.g)
    qty = flow.tonnes.fill_null(0.0)  # geopolrisk-py reads a missing quantity as 0 t
    priced = flow.value if reference else ibis.cases((flow.tonnes.notnull(), flow.value), else_=0.0)
    keys = ["importer", "commodity", "year"]
    trade_agg = flow.group_by(keys).aggregate(
        imports_t=qty.sum(),
        numerator=(qty * g).sum(),
        import_value_usd=flow.value.sum(),
        priced_value=priced.sum(),
        value_no_tonnes=ibis.cases((flow.tonnes.isnull(), flow.value), else_=0.0).sum(),
        partners=flow.exporter.nunique(),
        partners_no_wgi=ibis.cases((~inside & flow.g.isnull(), flow.exporter), else_=ibis.null()).nunique(),
        trade_rows=flow.count(),
    )

    # Whether the commodity's codes have any trade at all that year (any importer): without, "no imports"
    # is a gap in the data, not zero imports (germanium's HS92 811230 has had no trade since 2006).
    world_trade = trade.join(codes, trade.code == codes.m_code)
    world_trade = world_trade.group_by([world_trade.m_commodity, world_trade.year]).aggregate(
        world_rows=world_trade.count()
    )
    world_trade = world_trade.select(
        wt_commodity=world_trade.m_commodity, wt_year=world_trade.year.cast("int64"), world_rows="world_rows"
    )

    # Production: world HHI per commodity-year and the importer's own output in tonnes.
    prod = store.table("production")
    prod = prod.filter((prod.source == PRODUCTION_SOURCE) & prod.year.between(years[0], years[1]))
    prod = prod.filter(prod.commodity.isin([c.wmd for c in commodities]))
    q = prod.quantity.fill_null(0.0)
    # geopolrisk-py casts the figures to int before the HHI.
    q_hhi = q.floor().cast("float64") if reference else q
    world = (
        prod.mutate(q_hhi=q_hhi)
        .group_by(["commodity", "year"])
        # Σ P² / (Σ P)² is concentration.hhi_of over production shares, written on quantities so the
        # floor() of geopolrisk-py's reference mode applies before the division (exact agreement).
        .aggregate(p_sum=lambda t: t.q_hhi.sum(), p_sq=lambda t: (t.q_hhi * t.q_hhi).sum())
    )
    world = world.select(
        h_commodity=world.commodity,
        h_year=world.year.cast("int64"),
        hhi_raw=world.p_sq / (world.p_sum * world.p_sum),
        p_sum=world.p_sum,
    )
    mine = _reference_own_rows(prod) if reference else prod
    factor = ibis.cases((mine.unit == "kg", 0.001), else_=1.0)
    if not reference:
        factor = ibis.cases((mine.unit == "kg", 0.001), (mine.unit == "Mio m3", GAS_T_PER_MIO_M3), else_=1.0)
    own = mine.join(imap, mine.country == imap.member)
    own = own.group_by([imap.importer.name("d_importer"), mine.commodity.name("d_commodity"), mine.year])
    own = own.aggregate(domestic=(mine.quantity.fill_null(0.0) * factor).sum())
    own = own.select("d_importer", "d_commodity", d_year=own.year.cast("int64"), domestic="domestic")

    # Skeleton: every importer × commodity × year, so a pair without data still gets a row with a status.
    labels = imap.select("importer").distinct()
    year_tab = small_table(store.con, {"year": ("int64", list(range(years[0], years[1] + 1)))})
    skel = labels.cross_join(coms).cross_join(year_tab)
    ta = trade_agg.rename(t_importer="importer", t_commodity="commodity", t_year="year")
    out = skel.left_join(
        ta,
        (skel.importer == ta.t_importer) & (skel.commodity == ta.t_commodity) & (skel.year == ta.t_year),
    )
    out = out.left_join(world, (out.commodity == world.h_commodity) & (out.year == world.h_year))
    out = out.left_join(
        world_trade, (out.commodity == world_trade.wt_commodity) & (out.year == world_trade.wt_year)
    )
    out = out.left_join(
        own, (out.importer == own.d_importer) & (out.commodity == own.d_commodity) & (out.year == own.d_year)
    )
    rows = out.trade_rows.fill_null(0)
    imports_t = out.imports_t.fill_null(0.0)
    domestic = out.domestic.fill_null(0.0)
    has_hhi = out.p_sum.notnull() & (out.p_sum > 0)
    status = ibis.cases(
        (~out.has_codes, "no_hs_code"),
        (~has_hhi, "no_production"),
        ((rows == 0) & (out.world_rows.fill_null(0) == 0), "no_trade_data"),
        ((rows == 0) & (domestic <= 0), "no_trade"),
        ((rows > 0) & (imports_t <= 0), "no_tonnes"),
        (rows == 0, "no_imports"),
        else_="ok",
    )
    out = out.mutate(status=status, _imports=imports_t, _domestic=domestic)
    import_risk = ibis.cases(
        (out.status == "ok", out.numerator / (out._imports + out._domestic)),
        (out.status == "no_imports", 0.0),
        else_=ibis.null("float64"),
    )
    hhi = ibis.cases((has_hhi, out.hhi_raw), else_=ibis.null("float64"))
    price = ibis.cases(
        (out._imports > 0, out.priced_value / out._imports / 1000.0), else_=ibis.null("float64")
    )
    out = out.mutate(hhi=hhi, import_risk=import_risk, price_usd_per_kg=price)
    out = out.mutate(score=out.hhi * out.import_risk)
    cf = ibis.cases(
        (out.status == "no_imports", 0.0),
        else_=out.score * out.price_usd_per_kg / CU_CF,
    )
    coverage = ibis.cases(
        (out.import_value_usd > 0, 1.0 - out.value_no_tonnes / out.import_value_usd),
        else_=ibis.null("float64"),
    )
    return out.mutate(
        cf=cf,
        tonnes_coverage=coverage,
        # Without WMD figures for the year the importer's own output is unknown, not 0.
        domestic_production_t=ibis.cases((has_hhi, out._domestic), else_=ibis.null("float64")),
        # No trade rows, or rows without any quantity: the tonnes are unknown, not 0.
        imports_t=ibis.cases(
            ((rows > 0) & (out.status != "no_tonnes"), out._imports), else_=ibis.null("float64")
        ),
        partners=out.partners.fill_null(0),
        partners_no_wgi=out.partners_no_wgi.fill_null(0),
    ).select(*TABLE_COLUMNS)


# -- public functions --------------------------------------------------------------------------------------


def _resolve_years(store: Store, years: YearsArg) -> tuple[int, int]:
    span = available_years(store)
    return check_years(parse_years(years), span, "BACI HS92 trade together with World Mining Data production")


def geopolrisk_table(
    *, years: YearsArg = None, store: Store | None = None, reference: bool = True
) -> pa.Table:
    """GeoPolRisk for every importer × mapped material × year, computed in one engine query.

    Importers are every country importing in BACI HS92 or producing in World Mining Data in those years,
    plus the EU-27; materials are GeoPolRisk's WMD commodities with HS codes (53 in geopolrisk-py 2.0.1).
    ``years`` defaults to every year with both trade and production (2018–2024 in the shared data).
    Columns: :data:`TABLE_COLUMNS`; figures are null where ``status`` is not ``ok`` (``no_imports``: 0).
    Formulas: see the module docstring (Gemechu et al. 2015; Koyamparambath et al. 2024; geopolrisk-py 2.0.1).
    """
    from grondstof.engine import to_arrow

    store = store or open_store()
    _check_sources(store)
    wanted = parse_years(years)
    span = available_years(store)
    lo, hi = check_years(wanted, span, "BACI HS92 trade together with World Mining Data production")
    if wanted is None and span is not None:
        lo = span[0]  # the table defaults to every year, not just the latest
    mapped = [c for c in commodity_map(store) if c.codes]
    expr = geopolrisk_expr(store, mapped, None, (lo, hi), reference=reference)
    return to_arrow(expr.order_by(["importer", "commodity", "year"]))


def _row_note(row: dict[str, Any], reference: bool) -> str:
    parts = [STATUS_NOTES.get(row["status"], "")]
    coverage = row.get("tonnes_coverage")
    if row["status"] == "ok" and coverage is not None and coverage < 1.0:
        how = "counted as 0 t, value kept in the price" if reference else "left out of tonnes and price"
        parts.append(f"{1.0 - coverage:.1%} of the import value has no quantity ({how})")
    if row.get("partners_no_wgi"):
        parts.append(f"{row['partners_no_wgi']} partner(s) without a WGI value counted at 0.5")
    if reference and row.get("commodity") == "Natural Gas" and row.get("domestic_production_t"):
        parts.append("domestic production in Mio m³ added to trade tonnes unconverted, as geopolrisk-py does")
    return "; ".join(p for p in parts if p)


def _meta_notes(importers: Sequence[Country | Group], reference: bool) -> list[str]:
    notes = [
        "GeoPolRisk (Gemechu et al. 2015; Koyamparambath et al. 2024; geopolrisk-py 2.0.1): score = "
        "production HHI × import risk; import risk = Σ partner instability × imports (t) / (imports + "
        "domestic production); instability = (2.5 − WGI political stability)/5 in [0, 1], 0.5 without a "
        f"WGI value; CF = score × price / {CU_CF} (copper).",
        "Trade, production and WGI are all of the same year. Trade: BACI HS92, the commodity's main and "
        "complementary codes summed; values FOB (geopolrisk-py labels them CIF).",
        "World Mining Data edition 2018–2024 (the one bundled with geopolrisk-py 2.0.1); earlier editions "
        "revise recent years, so published GeoPolRisk figures can differ slightly.",
    ]
    if any(isinstance(i, Group) for i in importers):
        notes.append(
            "EU-27: the members' imports from every partner, intra-EU included at instability 0, over "
            "imports plus the members' summed production (as geopolrisk-py treats regions)."
        )
    if reference:
        notes.append(
            "reference=True reproduces geopolrisk-py 2.0.1 exactly: missing quantities count as 0 t (their "
            "value stays in the price), production figures are truncated to whole units for the HHI, "
            "natural gas production (Mio m³) is added unconverted, Guyana's own production is read from "
            "French Guiana's gold row, and WGI is joined as its numeric codes do (Taiwan without a value, "
            "Guyana with French Guiana's and the British Virgin Islands with the US Virgin Islands' series "
            "to 2022). reference=False corrects these."
        )
    else:
        notes.append(
            "reference=False: each country's own WGI series and production row, untruncated production, "
            "natural gas at 800 t per million m³, price over the flows with a known quantity; differs from "
            "geopolrisk-py."
        )
    return notes


class GeopolriskParams(Params):
    """Parameters of :func:`geopolrisk` (dashboard and downloads; the command is ``grondstof risk``)."""

    material: Annotated[MaterialsText, Cli(argument=True)]
    country: CountriesText
    years: Years = None
    lang: Lang = "en"


def geopolrisk(
    material: str | Sequence[str],
    country: str | Sequence[str] | Country | Group,
    *,
    years: YearsArg = None,
    store: Store | None = None,
    lang: str = "en",
    reference: bool = True,
) -> Result:
    """GeoPolRisk score and characterisation factor of materials for importers, per year.

    Parameters
    ----------
    material:
        A material name (English or Dutch), symbol or alias, a WMD sheet or GeoPolRisk name (``Chromite``),
        a comma list, or ``all`` (every material GeoPolRisk maps to HS codes).
    country:
        Importer(s): ISO2/ISO3 code, English or Dutch name, ``EU27``, or a comma list.
    years:
        A year or range within the years that have both trade and production (2018–2024); default the
        latest of them.
    reference:
        True (default) reproduces geopolrisk-py 2.0.1 including its data quirks; False corrects them
        (see the module docstring).

    Returns one row per importer × WMD commodity × year: ``hhi``, ``import_risk``, ``score``,
    ``price_usd_per_kg``, ``cf`` (kg Cu-eq/kg) with the inputs (``domestic_production_t``, ``imports_t``,
    ``partners``) and ``status``/``note`` saying why a figure is null. Formulas in the module docstring;
    method: Gemechu et al. (2015), Koyamparambath et al. (2024); geopolrisk-py (JOSS doi 10.21105/joss.09600).
    """
    from grondstof.engine import to_rows

    store = store or open_store()
    _check_sources(store)
    mapping = commodity_map(store)
    chosen, missing = _select_commodities(material, mapping)
    importers = resolve_importers(country)
    lo, hi = _resolve_years(store, years)
    names = {i.code: i.name(lang) for i in importers}
    order = {i.code: n for n, i in enumerate(importers)}
    com_order = {c.wmd: n for n, c in enumerate(chosen)}
    rows: list[dict[str, Any]] = []
    if chosen:
        expr = geopolrisk_expr(store, chosen, importers, (lo, hi), reference=reference)
        codes = {c.wmd: ", ".join(c.codes) for c in chosen}
        for row in to_rows(expr):
            row["importer_name"] = names.get(row["importer"])
            row["hs_codes"] = codes.get(row["commodity"]) or None
            row["note"] = _row_note(row, reference)
            rows.append(row)
    for mat_id, _, hint in missing:
        for imp in importers:
            for year in range(lo, hi + 1):
                blank: dict[str, Any] = {f.name: None for f in GEOPOLRISK_FIELDS}
                blank.update(
                    importer=imp.code,
                    importer_name=names[imp.code],
                    material=mat_id,
                    year=year,
                    status="not_mapped",
                    note="; ".join(filter(None, [STATUS_NOTES["not_mapped"], hint])),
                )
                rows.append(blank)
    mat_order = {
        m: n for n, m in enumerate(dict.fromkeys([c.material for c in chosen] + [m[0] for m in missing]))
    }
    rows.sort(
        key=lambda r: (
            order[r["importer"]],
            mat_order[r["material"]],
            com_order.get(r["commodity"], 0),
            -r["year"],
        )
    )
    rows = [{f.name: r.get(f.name) for f in GEOPOLRISK_FIELDS} for r in rows]
    registry = materials()
    label = [registry.get(m).name(lang) for m in mat_order]
    what = ", ".join(label) if len(label) <= 3 else f"{len(label)} materials"
    who = ", ".join(names.values())
    meta = {
        "query": {
            "material": list(mat_order),
            "importers": [i.code for i in importers],
            "years": [lo, hi],
            "reference": reference,
        },
        "sources": store.cite(TRADE_SOURCE, PRODUCTION_SOURCE, WGI_SOURCE, MAP_SOURCE),
        "units": {
            "hhi": "0–1",
            "import_risk": "0–1",
            "score": "0–1",
            "price_usd_per_kg": "USD/kg (BACI FOB value / tonnes)",
            "cf": "kg Cu-eq/kg",
            "domestic_production_t": "metric tonnes (WMD content basis, e.g. Li2O, REO)",
            "imports_t": "metric tonnes (gross weight of the traded goods)",
        },
        "commodities": [
            {
                "commodity": c.wmd,
                "material": c.material,
                "name": c.reference_id,
                "hs92": list(c.codes),
                "stage": c.stage,
            }
            for c in chosen
        ],
        "method": {"cu_cf": CU_CF, "missing_wgi": MISSING_WGI, "reference": "geopolrisk-py 2.0.1"},
        "notes": _meta_notes(importers, reference)
        + [
            f"{name}: " + "; ".join(filter(None, [STATUS_NOTES["not_mapped"], hint])) + "."
            for _, name, hint in missing
        ],
    }
    return Result(
        f"GeoPolRisk of {what} for {who} ({year_range_text((lo, hi))})", GEOPOLRISK_FIELDS, rows, meta
    )
