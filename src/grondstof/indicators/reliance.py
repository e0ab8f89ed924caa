"""Net import reliance in the USGS sense, for any country or the EU-27, beside USGS's published U.S. figure.

Definition (USGS, Mineral Commodity Summaries, introduction: "imports minus exports plus adjustments for
government and industry stock changes, expressed as a percentage of apparent consumption"; the same ratio
the EU criticality method calls import reliance)::

    NIR = (I − E ± ΔS) / AC,    AC = P + I − E ± ΔS

with I imports, E exports, P domestic production and ΔS stock changes, all in one physical unit. grondstof
computes it per material, stage and year from:

* **trade in tonnes**: BACI HS92 (default; complete bilateral matrix, 1995–2024, tonnes for ~95 % of the
  value) or BACI HS17 (2024 with tonnes), the material's own codes of the stage (``material_codes.csv``;
  basket codes only when it has none). Imports from and exports to every partner; the EU-27 counts
  extra-EU trade only. Comext (no tonnes) is refused: NIR is a ratio of quantities, never of values.
  ``tonnes_coverage`` is the share of the trade value that has a quantity (BACI lacks some).
* **production**: World Mining Data (``wmd``, 2018–2024), the material's series at the same stage
  (``wmd_commodities.csv``), converted to tonnes (kg ÷ 1000). A country the series does not list in a year
  it covers produced nothing of it (WMD lists every producer it knows; the row says "not a listed
  producer"). Where the material has no WMD series at that stage, production is unknown and NIR is null.
* **no stock changes**: the shared data has no stock figures, so ΔS = 0 and AC includes any stock change.

The **unit basis is gross tonnes of the traded goods**. Production is added to them only when it is on the
same basis: WMD series in gross weight (baryte, bauxite, graphite, fluorspar …), and refined output in metal
content at the processing stage (unwrought metal weighs about its metal content; compounds in the same codes
are counted gross). Mine production in metal or oxide content (copper, cobalt, Li2O, REO, Fe …) cannot be
added to the gross weight of ores: NIR is then null with that reason — unless the country produces nothing,
when NIR = 100 % whatever the basis. I < E gives no NIR but the status "net exporter" (USGS prints E).

**The United States check.** For the United States each row also gets USGS's published NIR of the MCS 2025
salient statistics (``usgs_mcs2025_salient``) for the same material and year, where USGS publishes one for
a comparable stage (:data:`USGS_NIR`), the difference in percentage points and an agreement class:
``within 10 points``, ``consistent`` (USGS prints a bound such as >50 that ours meets, or both say net
exporter), ``differs``, or ``not comparable`` (either side has no number). Differences have known causes,
named in ``explanation``: USGS counts all forms in metal content (ores, intermediates, metal, scrap) where
ours counts one stage's codes in gross weight; USGS adds government and industry stock changes; USGS uses
U.S. Census trade, BACI reconciles importer and exporter reports (mirror data, FOB); and WMD and USGS
production differ (USGS withholds some U.S. figures, W).

Agreement reached on the shared data (United States, 2020–2024, BACI HS92 and WMD;
``tests/test_reliance.py``): of the 215 material-years where USGS publishes a figure for a stage grondstof
computes, 105 can be compared and 63 agree — 32 within 10 points (fluorspar, manganese, graphite, bismuth,
arsenic, feldspar, gypsum) and 31 consistent with a printed bound or both net exporter (baryte, bauxite,
diatomite, zirconium, tungsten, cadmium) — while 42 differ (chromium, magnesite, tin, aluminium, boron:
USGS's all-forms or refined basis against one stage's gross trade); the median absolute difference over the
50 pairs with two numbers is 6.5 points. The other 110 are not comparable: mine output in content cannot be
added to gross ore trade, or WMD has no series at the stage (cobalt, lithium, PGM refining).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

import ibis

from grondstof.errors import InputError
from grondstof.indicators import trade as tr
from grondstof.indicators._common import YearsArg, check_years, fetch, parse_years
from grondstof.parameters import CountryText, Lang, MaterialsText, Params, Years, described
from grondstof.registry.countries import Group, countries
from grondstof.registry.materials import Material, materials
from grondstof.result import Field, Result
from grondstof.store import Store

RELIANCE_SOURCES = {"baci_hs92": "HS92", "baci_hs17": "HS17"}
STAGES = ("extraction", "processing")
MASS_UNITS = {"t": 1.0, "tonnes": 1.0, "metr. t": 1.0, "kg": 0.001}
AGREE_POINTS = 0.10  # "within 10 points" of USGS's published percentage
UNIT_BASIS = "gross tonnes of the traded goods"


@dataclass(frozen=True)
class UsgsNir:
    """Where USGS publishes the U.S. net import reliance of a material, and what it counts."""

    commodity: str
    column: str
    stage: str  # the stage of ours it is compared with
    counts: str  # what USGS's figure covers


# The USGS salient NIR column of each material and the stage compared with it (see the module docstring).
USGS_NIR: dict[str, UsgsNir] = {
    "aluminium": UsgsNir("Aluminum", "NIR_pct", "processing", "aluminium metal incl. scrap"),
    "antimony": UsgsNir("Antimony", "NIR_pct", "extraction", "primary antimony in all forms, Sb content"),
    "arsenic": UsgsNir("Arsenic", "NIR_All_pct", "processing", "arsenic metal and compounds"),
    "asbestos": UsgsNir("Asbestos", "NIR_pct", "extraction", "asbestos"),
    "baryte": UsgsNir("Barite", "NIR_pct", "extraction", "barite"),
    "bauxite": UsgsNir("Bauxite and Alumina", "Bauxite_NIR_pct", "extraction", "bauxite"),
    "beryllium": UsgsNir("Beryllium", "NIR_pct", "processing", "beryllium in all forms, Be content"),
    "bismuth": UsgsNir("Bismuth", "NIR_Consump_pct", "processing", "refined bismuth"),
    "boron": UsgsNir("Boron", "NIR_pct", "extraction", "borates"),
    "cadmium": UsgsNir("Cadmium", "NIR_Metal_pct", "processing", "refined cadmium"),
    "chromium": UsgsNir("Chromium", "NIR_pct", "extraction", "chromium in all forms, Cr content"),
    "cobalt": UsgsNir("Cobalt", "NIR_pct", "processing", "cobalt in all forms, Co content"),
    "copper": UsgsNir("Copper", "NIR_pct", "extraction", "refined copper"),
    "diatomite": UsgsNir("Diatomite", "NIR_pct", "extraction", "diatomite"),
    "feldspar": UsgsNir("Feldspar and Nepheline Syenite", "NIR_Feldspar_pct", "extraction", "feldspar"),
    "fluorspar": UsgsNir("Fluorspar", "NIR_pct", "extraction", "fluorspar"),
    "gallium": UsgsNir("Gallium", "NIR_pct", "processing", "gallium metal and GaAs wafers"),
    "germanium": UsgsNir("Germanium", "NIR_ct", "processing", "germanium metal and compounds"),
    "gold": UsgsNir("Gold", "NIR_pct", "processing", "refined gold"),
    "graphite": UsgsNir("Graphite (Natural)", "NIR_pct", "extraction", "natural graphite"),
    "gypsum": UsgsNir("Gypsum", "NIR_pct", "extraction", "crude gypsum"),
    "iron_ore": UsgsNir("Iron Ore", "NIR_pct", "extraction", "usable iron ore"),
    "lead": UsgsNir("Lead", "NIR_Metal_pct", "extraction", "refined lead"),
    "lithium": UsgsNir("Lithium", "NIR_pct", "processing", "lithium in all forms, Li content"),
    "magnesite": UsgsNir("Magnesium Compounds", "NIR_pct", "extraction", "magnesium compounds, MgO content"),
    "manganese": UsgsNir("Manganese", "NIR_pct", "extraction", "manganese in all forms, Mn content"),
    "mercury": UsgsNir("Mercury", "NIR_pct", "processing", "mercury"),
    "molybdenum": UsgsNir("Molybdenum", "NIR_pct", "extraction", "molybdenum in all forms, Mo content"),
    "nickel": UsgsNir("Nickel", "NIR_ct", "extraction", "primary and secondary nickel, Ni content"),
    "niobium": UsgsNir("Niobium (Columbium)", "NIR_pct", "processing", "niobium in all forms, Nb content"),
    "palladium": UsgsNir("Platinum-Group Metals", "NIR_Palladium_pct", "processing", "refined palladium"),
    "phosphate_rock": UsgsNir("Phosphate Rock", "NIR_pct", "extraction", "marketable phosphate rock"),
    "platinum": UsgsNir("Platinum-Group Metals", "NIR_Platinum_pct", "processing", "refined platinum"),
    "rare_earths": UsgsNir(
        "Rare Earths", "NIR_Compounds-Metals_t", "processing", "rare-earth compounds and metals, REO"
    ),
    "selenium": UsgsNir("Selenium", "NIR_pct", "processing", "refined selenium"),
    "silver": UsgsNir("Silver", "NIR_pct", "extraction", "silver in all forms, Ag content"),
    "sulphur": UsgsNir("Sulfur", "NIR_pct", "processing", "sulphur in all forms"),
    "tantalum": UsgsNir("Tantalum", "NIR_pct", "processing", "tantalum in all forms, Ta content"),
    "tellurium": UsgsNir("Tellurium", "NIR_pct", "processing", "refined tellurium"),
    "tin": UsgsNir("Tin", "NIR_Refined_pct", "extraction", "refined tin"),
    "titanium": UsgsNir("Titanium Mineral Concentrates", "NIR_pct", "extraction", "TiO2 content"),
    "tungsten": UsgsNir("Tungsten", "NIR_ct", "extraction", "tungsten in all forms, W content"),
    "vanadium": UsgsNir("Vanadium", "NIR_pct", "processing", "vanadium in all forms, V content"),
    "zinc": UsgsNir("Zinc", "NIR_Refined_pct", "extraction", "refined zinc"),
    "zirconium": UsgsNir(
        "Zirconium and Hafnium", "NIR_Zr_ore_pct", "extraction", "zirconium mineral concentrates"
    ),
}

FIELDS = [
    Field("year", "Year", "year"),
    Field("country", "Country (code)", show=False),
    Field("material", "Material (id)", show=False),
    Field("material_name", "Material"),
    Field("stage", "Stage"),
    Field("imports_t", "Imports (t)", "tonnes", description="gross tonnes"),
    Field("exports_t", "Exports (t)", "tonnes", description="gross tonnes"),
    Field("production_t", "Production (t)", "tonnes", description="WMD, in `production_basis`"),
    Field("production_basis", "Production basis", show=False),
    Field("production_status", "Production", description="data, not a listed producer (0), or why unknown"),
    Field("apparent_consumption_t", "Apparent consumption (t)", "tonnes", description="P + I − E"),
    Field("nir", "Net import reliance", "share", description="(I − E) / (P + I − E); fraction, 1.0 = 100 %"),
    Field("status", "Status", description="computed, net exporter, or why no figure"),
    Field("tonnes_coverage", "Trade value with tonnes", "share", description="share of trade value"),
    Field("unit_basis", "Unit basis", show=False),
    Field("codes", "Codes", show=False),
    Field("trade_source", "Trade source", show=False),
    Field("usgs_nir", "USGS NIR (published)", "share", description="MCS 2025, United States only"),
    Field("usgs_nir_text", "USGS NIR as printed", show=False),
    Field("usgs_column", "USGS column", show=False),
    Field("difference", "Difference (points)", "share", description="ours − USGS, fraction points"),
    Field("agreement", "Agreement", description="within 10 points, consistent, differs, not comparable"),
    Field("explanation", "Why they differ", show=False),
]


class RelianceParams(Params):
    """Parameters of :func:`reliance` (``grondstof reliance``, ``/api/v1/reliance``)."""

    country: CountryText
    materials: MaterialsText = "all"
    years: Annotated[
        Years,
        described(
            "A year (2022) or a range (2015-2024); default 2020-2024, the years of USGS's published U.S. "
            "figures.",
            "Een jaar (2022) of een reeks (2015-2024); standaard 2020-2024, de jaren van de gepubliceerde "
            "Amerikaanse cijfers van USGS.",
            max_length=20,
        ),
    ] = None
    stage: Annotated[
        Literal["extraction", "processing"] | None,
        described(
            "extraction or processing (default both: one row each where the material has codes).",
            "extraction (winning) of processing (verwerking); standaard beide, elk een rij.",
        ),
    ] = None
    source: Annotated[
        Literal["baci_hs92", "baci_hs17"],
        described(
            "Trade source with tonnes: baci_hs92 (1995-2024) or baci_hs17 (2022, 2024).",
            "Handelsbron met tonnen: baci_hs92 (1995-2024) of baci_hs17 (2022, 2024).",
        ),
    ] = "baci_hs92"
    lang: Lang = "en"


def classify_agreement(
    ours: float | None, ours_status: str, usgs: float | None, usgs_flag: str, usgs_text: str
) -> tuple[float | None, str]:
    """Compare our NIR (fraction) with USGS's published one (fraction or a printed bound / E).

    Returns (difference in fraction points or None, agreement class). A bound ``>50`` is met when ours is
    at least 0.50 (``<25`` when at most 0.25); ``E`` (net exporter) agrees with our "net exporter" status.
    """
    if usgs_flag == "E":
        if ours_status == "net exporter":
            return None, "consistent (both net exporter)"
        return None, "differs (USGS: net exporter)" if ours is not None else "not comparable"
    if ours is None:
        if ours_status == "net exporter" and usgs_flag == "<":
            return None, f"consistent (ours: net exporter; USGS {usgs_text})"
        if ours_status == "net exporter" and (usgs is not None or usgs_flag == ">"):
            return None, "differs (ours: net exporter)"
        return None, "not comparable"
    if usgs is not None:
        diff = ours - usgs
        return diff, "within 10 points" if abs(diff) <= AGREE_POINTS + 1e-9 else "differs"
    if usgs_flag in (">", "<"):
        bound = float(usgs_text[1:].strip().replace(",", "")) / 100.0
        met = ours >= bound if usgs_flag == ">" else ours <= bound
        return None, f"consistent (USGS {usgs_text})" if met else f"differs (USGS {usgs_text})"
    return None, "not comparable"


def nir(imports: float | None, exports: float | None, production: float | None) -> tuple[float | None, str]:
    """Net import reliance (I − E) / (P + I − E) and a status; None where it cannot be computed.

    ``production`` None means unknown. I < E gives (None, "net exporter"); an apparent consumption of zero
    or less gives (None, "no apparent consumption").
    """
    if imports is None or exports is None:
        return None, "no trade tonnes"
    net = imports - exports
    if production is None:
        return None, "production unknown"
    if net < 0:
        return None, "net exporter"
    consumption = production + net
    if consumption <= 0:
        return None, "no apparent consumption"
    return net / consumption, "computed"


def reliance(
    country: str,
    *,
    materials: str = "all",
    years: YearsArg = None,
    stage: str | None = None,
    source: str = "baci_hs92",
    store: Store | None = None,
    lang: str = "en",
) -> Result:
    """Net import reliance of a country (or the EU-27) per material, stage and year, in gross tonnes.

    Parameters
    ----------
    country:
        A country (ISO2/ISO3, English or Dutch name) or ``EU27`` (extra-EU trade, members' production).
    materials:
        Names, a comma list, ``all`` (default), ``crm`` or ``strategic``.
    years:
        A year or range; default 2020–2024 (the years of USGS's published U.S. figures in MCS 2025).
    stage:
        ``extraction`` or ``processing``; default both (one row each where the material has codes).
    source:
        ``baci_hs92`` (default) or ``baci_hs17``: trade sources with tonnes.
    """
    from grondstof.store import open_store

    store = store or open_store()
    importer = countries().resolve_importer(country, parameter="country")
    registry = _registry()
    mats = registry.resolve_many(materials, parameter="materials")
    if stage is not None and stage not in STAGES:
        raise InputError("stage", stage, "extraction or processing")
    if source not in RELIANCE_SOURCES:
        raise InputError("source", source, "a trade source with tonnes: " + ", ".join(RELIANCE_SOURCES))
    span = tr.year_span(store, source)
    wanted = parse_years(years) or (2020, 2024)
    lo, hi = check_years(wanted, span, f"trade source {source}")
    classification = RELIANCE_SOURCES[source]
    choices: list[tuple[Material, str, tr.CodeChoice]] = []
    for mat in mats:
        for st in (stage,) if stage else STAGES:
            choice = tr.code_choice(mat, classification, st)
            if choice.codes:
                choices.append((mat, st, choice))
    trade_rows = _trade(store, source, [c for _, _, c in choices], importer, (lo, hi))
    production, listed = _production(store, [m for m, _, _ in choices], importer, (lo, hi))
    is_us = not isinstance(importer, Group) and importer.iso3 == "USA"
    published = _usgs(store, (lo, hi)) if is_us else {}
    out: list[dict[str, Any]] = []
    for mat, st, choice in choices:
        wmd = [w for w in registry.wmd(mat.id) if w.stage == st]
        for year in range(hi, lo - 1, -1):
            row = _row(mat, st, choice, year, trade_rows, production, listed, wmd, importer, source, lang)
            if is_us:
                _add_usgs(row, mat, st, year, published)
            out.append(row)
    notes = [
        "NIR = (imports − exports) / (production + imports − exports), USGS's definition without stock "
        "changes (not in the data); in gross tonnes of the traded goods.",
        f"Trade: {source} ({classification}), the material's own codes per stage; the EU-27 counts extra-EU "
        "trade only. Production: World Mining Data at the same stage; a country a WMD series does not list "
        "produced none of it.",
        "Mine production in metal or oxide content is not added to the gross weight of ores: such rows have "
        "no NIR unless the country produces nothing (then 100 %).",
    ]
    if is_us:
        notes.append(
            "USGS's published U.S. NIR (MCS 2025 salient statistics) is shown beside ours where USGS "
            "publishes one for a comparable stage; differences come from forms and content basis (USGS: all "
            "forms in metal content), stock changes, Census vs BACI mirror trade, and production sources."
        )
    found = [source, "wmd"] + (["usgs_mcs2025_salient"] if is_us else [])
    meta = {
        "query": {
            "country": importer.code,
            "materials": [m.id for m in mats],
            "years": [lo, hi],
            "stage": stage,
            "source": source,
        },
        "unit_basis": UNIT_BASIS,
        "sources": store.cite(*found),
        "units": ["t (gross)"],
        "notes": notes,
    }
    if is_us:
        meta["agreement"] = agreement_summary(out)
    title = f"Net import reliance of {importer.name(lang)}"
    return Result(title, FIELDS, [{f.name: r.get(f.name) for f in FIELDS} for r in out], meta)


def agreement_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts of the agreement classes and the median absolute difference where both have a number."""
    import statistics

    counts: dict[str, int] = {}
    diffs = []
    for row in rows:
        kind = row.get("agreement")
        if not kind:
            continue
        key = kind.split(" (")[0]
        counts[key] = counts.get(key, 0) + 1
        if row.get("difference") is not None:
            diffs.append(abs(row["difference"]))
    return {
        "classes": counts,
        "numeric_pairs": len(diffs),
        "median_abs_difference": statistics.median(diffs) if diffs else None,
    }


def _registry() -> Any:
    return materials()


def _trade(
    store: Store, source: str, choices: list[tr.CodeChoice], importer: Any, years: tuple[int, int]
) -> dict[tuple[str, str, int], dict[str, dict[str, float]]]:
    """(material, code, year) -> {"imports"/"exports": {value, tonnes, value_no_tonnes}} in one query each."""
    if not choices:
        return {}
    by_source = {source: choices}
    imp = tr.flows(store, choices=by_source, importers=[importer], years=years)
    imp = imp.select(
        direction=ibis.literal("imports"),
        material=imp.material,
        year=imp.year,
        code=imp.code,
        value=imp.value,
        tonnes=imp.tonnes,
    )
    trade = store.table("trade")
    members = list(importer.members)
    sel = trade.filter(
        (trade.source == source)
        & trade.year.between(years[0], years[1])
        & trade.exporter.isin(members)
        & trade.importer.notnull()
        & ~trade.importer.isin(members)
    )
    pairs = tr.code_pairs(by_source, store)
    sel = sel.join(pairs, (sel.source == pairs.p_source) & (sel.code == pairs.p_code))
    exp = sel.select(
        direction=ibis.literal("exports"),
        material=pairs.material,
        year=sel.year,
        code=sel.code,
        value=sel.value,
        tonnes=sel.tonnes,
    )
    both = imp.union(exp)
    agg = both.group_by(["direction", "material", "code", "year"]).aggregate(
        value=both.value.sum(),
        tonnes=both.tonnes.sum(),
        value_no_tonnes=ibis.cases((both.tonnes.isnull(), both.value), else_=0.0).sum(),
    )
    out: dict[tuple[str, str, int], dict[str, dict[str, float]]] = {}
    for r in fetch(agg):
        out.setdefault((r["material"], r["code"], int(r["year"])), {})[r["direction"]] = r
    return out


def _production(
    store: Store, mats: list[Material], importer: Any, years: tuple[int, int]
) -> tuple[dict[tuple[str, int], list[dict[str, Any]]], dict[tuple[str, int], bool]]:
    """WMD production of the importer per (WMD commodity, year), and which (commodity, year) have any rows."""
    names = sorted({w.wmd_commodity for m in mats for w in _registry().wmd(m.id)})
    if not names:
        return {}, {}
    prod = store.table("production")
    sel = prod.filter(
        (prod.source == "wmd") & prod.commodity.isin(names) & prod.year.between(years[0], years[1])
    )
    covered = {
        (r["commodity"], int(r["year"])): True for r in fetch(sel.select("commodity", "year").distinct())
    }
    own = fetch(sel.filter(sel.country.isin(list(importer.members))))
    out: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for r in own:
        out.setdefault((r["commodity"], int(r["year"])), []).append(r)
    return out, covered


def _row(
    mat: Material,
    stage: str,
    choice: tr.CodeChoice,
    year: int,
    trade_rows: dict[tuple[str, str, int], dict[str, dict[str, float]]],
    production: dict[tuple[str, int], list[dict[str, Any]]],
    listed: dict[tuple[str, int], bool],
    wmd: list[Any],
    importer: Any,
    source: str,
    lang: str,
) -> dict[str, Any]:
    imports = exports = 0.0
    value = no_tonnes = 0.0
    for code in choice.codes:
        flows = trade_rows.get((mat.id, code, year), {})
        for direction, r in flows.items():
            tonnes = r["tonnes"] or 0.0
            if direction == "imports":
                imports += tonnes
            else:
                exports += tonnes
            value += r["value"] or 0.0
            no_tonnes += r["value_no_tonnes"] or 0.0
    coverage = (1 - no_tonnes / value) if value else None
    prod_t, prod_status, basis = _production_term(wmd, year, production, listed, stage)
    if not value:
        # No recorded flow in either direction: the codes may not cover the material in this nomenclature
        # (germanium's HS92 811230 is empty after 2006), so the data cannot speak — not "0 % reliant".
        return {
            **_identity(mat, stage, year, importer, lang),
            "imports_t": None,
            "exports_t": None,
            "production_t": prod_t,
            "production_basis": basis,
            "production_status": prod_status,
            "nir": None,
            "status": f"no recorded trade in {', '.join(choice.codes)}",
            "unit_basis": UNIT_BASIS,
            "codes": ", ".join(choice.codes),
            "trade_source": source,
        }
    comparable = prod_t == 0 or _same_basis(basis, stage)
    ratio, status = nir(imports, exports, prod_t if comparable else None)
    if prod_t is None and status == "production unknown":
        status = f"not computed: {prod_status}"
    elif not comparable and status == "production unknown":
        status = f"not computed: production in {basis}, trade in gross tonnes"
    return {
        **_identity(mat, stage, year, importer, lang),
        "imports_t": imports,
        "exports_t": exports,
        "production_t": prod_t,
        "production_basis": basis,
        "production_status": prod_status,
        "apparent_consumption_t": (prod_t + imports - exports) if prod_t is not None and comparable else None,
        "nir": ratio,
        "status": status + ("" if not choice.basket else " (basket code)"),
        "tonnes_coverage": coverage,
        "unit_basis": UNIT_BASIS,
        "codes": ", ".join(choice.codes),
        "trade_source": source,
    }


def _identity(mat: Material, stage: str, year: int, importer: Any, lang: str) -> dict[str, Any]:
    return {
        "year": year,
        "country": importer.code,
        "material": mat.id,
        "material_name": mat.name(lang),
        "stage": stage,
    }


def _production_term(
    wmd: list[Any],
    year: int,
    production: dict[tuple[str, int], list[dict[str, Any]]],
    listed: dict[tuple[str, int], bool],
    stage: str,
) -> tuple[float | None, str, str | None]:
    """(production in tonnes or None, status, content basis) for one stage and year."""
    if not wmd:
        return None, f"no World Mining Data series at the {stage} stage", None
    total = 0.0
    any_listed = False
    bases = set()
    for series in wmd:
        if not listed.get((series.wmd_commodity, year)):
            return None, f"no World Mining Data for {year}", series.content_basis
        bases.add(series.content_basis)
        for r in production.get((series.wmd_commodity, year), []):
            if r["quantity"] is None:
                continue
            factor = MASS_UNITS.get((r["unit"] or "").strip())
            if factor is None:
                return None, f"production unit {r['unit']} is not a mass", series.content_basis
            total += r["quantity"] * factor
            any_listed = True
    basis = "; ".join(sorted(bases))
    if not any_listed:
        return 0.0, "not a listed producer (0)", basis
    return total, "data", basis


def _same_basis(basis: str | None, stage: str) -> bool:
    """Production on the trade's basis: gross weight, or refined metal content at the processing stage."""
    if basis is None:
        return False
    return basis == "gross weight" or (stage == "processing" and basis == "metal content")


def _usgs(store: Store, years: tuple[int, int]) -> dict[tuple[str, str, int], dict[str, Any]]:
    table = store.table("usgs_salient")
    sel = table.filter((table.statistic == "nir") & table.year.between(years[0], years[1]))
    return {(r["commodity"], r["column"], int(r["year"])): r for r in fetch(sel)}


def _add_usgs(
    row: dict[str, Any],
    mat: Material,
    stage: str,
    year: int,
    published: dict[tuple[str, str, int], dict[str, Any]],
) -> None:
    spec = USGS_NIR.get(mat.id)
    if spec is None or spec.stage != stage:
        return
    found = published.get((spec.commodity, spec.column, year))
    if found is None:
        row["agreement"] = "not comparable"
        row["explanation"] = f"USGS publishes no {spec.column} for {year}."
        return
    usgs = found["value"] / 100.0 if found["value"] is not None else None
    diff, agreement = classify_agreement(
        row["nir"], row["status"].split(" (")[0], usgs, found["flag"], found["value_text"]
    )
    row.update(
        usgs_nir=usgs,
        usgs_nir_text=found["value_text"],
        usgs_column=f"{spec.commodity}: {spec.column}",
        difference=diff,
        agreement=agreement,
        explanation=_explain(row, spec),
    )


def _explain(row: dict[str, Any], spec: UsgsNir) -> str:
    parts = [
        f"USGS counts {spec.counts}; ours counts codes {row['codes']} ({row['stage']}) in gross tonnes",
        "USGS adjusts for government and industry stock changes; the shared data has none",
        "USGS uses U.S. Census trade; BACI reconciles both partners' reports (FOB)",
    ]
    if row["production_status"].startswith("not a listed"):
        parts.append("World Mining Data lists no U.S. production at this stage")
    elif row["production_t"] is None:
        parts.append(f"production: {row['production_status']}")
    if row.get("tonnes_coverage") is not None and row["tonnes_coverage"] < 0.9:
        parts.append(f"only {row['tonnes_coverage']:.0%} of the trade value has tonnes")
    return "; ".join(parts) + "."
