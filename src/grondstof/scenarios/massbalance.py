"""Mass balance of a raw material for a country or the EU-27, and net trade including scrap and waste.

The balance (the question of the Hagen motion: a *massabalans grondstoffen*) per material, country and year::

    inputs  = imports (I) + domestic production (P)
    outputs = exports (E) + stock change (ΔS, increase positive) + consumption (C) + residual (R)

* **Apparent consumption** AC = P + I − E − ΔS (ΔS only when given; otherwise AC includes any stock
  change). This is the standard definition used for apparent consumption by USGS and in the EU
  criticality method's import reliance, and for one material it is the economy-wide MFA indicator DMC =
  domestic extraction + imports − exports (Eurostat EW-MFA; design notes §2.9).
* **Residual** R = P + I − E − ΔS − C. When consumption is derived (C = AC) the balance closes by
  construction and R = 0 — that zero says "derived", not "verified". Only when a consumption is given
  (``consumption=``) is R a check: the discrepancy between the independent figure and the data.
* **Re-exported share** (a proxy) = E / I in tonnes, capped at 1. CBS separates re-exports (imported goods
  that leave with Dutch ownership and little processing), quasi-transit (goods passing through without
  Dutch ownership) and own use; border trade statistics cannot. E / I is only an upper bound of what can
  have left unchanged: exports may also be made from domestic production or stock, imports may be used here
  and other units exported, and quasi-transit sits on both sides. Above 1 it is capped and flagged.
* **Stock change**: no stock data is in the shared data; ΔS is null unless a user gives it.

Flows come from the trade table (the country as importer for imports, as exporter for exports; the EU-27
counts extra-EU flows only, as in the import analyses) for the material's codes (``code_choice``, the
source picked like :func:`grondstof.indicators.dependency.plan_imports`), and production from World Mining
Data (``production`` table, source ``wmd``). Quantities are **gross tonnes** of the traded goods; where a
content factor is known they are also given in **content** (the content basis of the material's WMD
series, e.g. Li2O, metal content) — see :data:`CONTENT_FACTORS`. Production is reported in its WMD unit:
``kg`` is converted to tonnes, other units (carats, million m³) are refused; a content-basis production is
never added to gross tonnes (its gross figure is null unless it is zero).

Stages are kept apart: ores (extraction), refined metal and chemicals (processing), semi-manufactures
(manufacturing) and scrap (recycling) each get their own balance. Production is matched to the stage of
its WMD series. When more than one stage is involved an ``all`` balance is added: gross tonnes of the stages
summed (the EW-MFA convention, stated in the notes) and, in content, the element balance; its production
term is domestic production at the earliest stage with data (later stages transform material already
counted).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal

from grondstof.errors import DataNotAvailableError, InputError
from grondstof.parameters import (
    Cli,
    CountryText,
    Lang,
    MaterialsText,
    MaterialText,
    Params,
    TradeSource,
    described,
)
from grondstof.parsing import parse_number
from grondstof.result import Field, Result

if TYPE_CHECKING:
    from grondstof.registry.countries import Country, Group
    from grondstof.registry.materials import Material

BASES = ("gross", "content")
STAGE_ORDER = ("extraction", "processing", "manufacturing", "recycling", "all")
FLOWS = (
    "imports",
    "production",
    "exports",
    "stock_change",
    "apparent_consumption",
    "consumption",
    "residual",
)

# What each trade source can say about a country's exports (a balance needs the complete bilateral matrix).
SOURCE_SCOPE: dict[str, str] = {
    "baci_hs92": "complete",
    "baci_hs17": "complete",
    "comext_cn8": "imports_only",
    "baci_hs22_hs4": "partial",
    "baci_hs07_asean": "partial",
}
_SCOPE_TEXT = {
    "imports_only": "the Comext extract holds imports only; exports are not in the data",
    "partial": "this extract keeps only some bilateral pairs (top flows or a regional subset), so totals are "
    "lower bounds and no balance is computed",
}

NO_TONNES = frozenset({"comext_cn8"})

# Mass units the balance converts to tonnes; anything else (ct, Mio m3) is refused, never mixed.
MASS_UNITS: dict[str, float] = {"t": 1.0, "tonnes": 1.0, "metr. t": 1.0, "kg": 0.001}

# Standard atomic weights (IUPAC CIAAW, abridged values to five significant figures; ciaaw.org).
ATOMIC_WEIGHT = {"Li": 6.94, "C": 12.011, "O": 15.999, "S": 32.06, "Cd": 112.41, "As": 74.922}


def _mass(formula: Mapping[str, int]) -> float:
    return sum(ATOMIC_WEIGHT[element] * count for element, count in formula.items())


@dataclass(frozen=True)
class ContentFactor:
    """Tonnes of content per gross tonne of one trade code, in the content basis of the WMD series."""

    classification: str
    code: str
    material: str
    basis: str
    factor: float
    how: str
    source: str


_LI2O_PER_LI2CO3 = _mass({"Li": 2, "O": 1}) / _mass({"Li": 2, "C": 1, "O": 3})
_CD_PER_CDS = _mass({"Cd": 1}) / _mass({"Cd": 1, "S": 1})
_AS2O3_PER_AS = _mass({"As": 2, "O": 3}) / _mass({"As": 2})
_CIAAW = "stoichiometry with IUPAC/CIAAW standard atomic weights"

# Factors used only where they can be cited: a code that is one defined compound or element (stoichiometry),
# or a code whose legal definition sets the content. Ore and concentrate grades vary too much by deposit
# and year for one factor per code; they are left out (content null, with a note) rather than guessed.
CONTENT_FACTORS: tuple[ContentFactor, ...] = (
    *(
        ContentFactor(
            cls,
            code,
            "lithium",
            "Li2O",
            _LI2O_PER_LI2CO3,
            "lithium carbonate Li2CO3 → Li2O: 29.88 / 73.89",
            _CIAAW,
        )
        for cls, code in (("HS92", "283691"), ("HS07", "283691"), ("HS17", "283691"), ("CN8", "28369100"))
    ),
    ContentFactor(
        "HS92", "283030", "cadmium", "metal content", _CD_PER_CDS, "cadmium sulphide CdS → Cd", _CIAAW
    ),
    ContentFactor(
        "HS92", "280480", "arsenic", "As2O3", _AS2O3_PER_AS, "elemental arsenic As → As2O3 basis", _CIAAW
    ),
    ContentFactor(
        "HS92", "280490", "selenium", "metal content", 1.0, "elemental selenium (heading 2804)", "HS heading"
    ),
    ContentFactor(
        "HS92", "280540", "mercury", "metal content", 1.0, "elemental mercury (heading 2805)", "HS heading"
    ),
    ContentFactor(
        "HS92",
        "760110",
        "aluminium",
        "metal content",
        0.99,
        "unwrought aluminium, not alloyed: at least 99 % Al by weight (a lower bound)",
        "HS nomenclature, Chapter 76 subheading note 1(a)",
    ),
)
_FACTORS = {(f.classification, f.code, f.material): f for f in CONTENT_FACTORS}

BALANCE_FIELDS = [
    Field("year", "Year", "year"),
    Field("country", "Country (code)", show=False),
    Field("material", "Material (id)", show=False),
    Field("stage", "Stage", description="extraction, processing, manufacturing, recycling, or all (summed)"),
    Field(
        "flow",
        "Flow",
        description="imports, production, exports, stock_change, apparent_consumption, consumption "
        "(only when given), residual",
    ),
    Field(
        "tonnes", "Gross tonnes", "tonnes", description="gross weight; null where not known or not mixable"
    ),
    Field(
        "content_t",
        "Content (t, est.)",
        "tonnes",
        description="tonnes in `content_basis`, estimated from content factors; null where none is known",
    ),
    Field("content_basis", "Content basis", show=False),
    Field("value", "Value", "money", description="trade value in `currency` (imports and exports only)"),
    Field("currency", "Currency", show=False),
    Field(
        "tonnes_coverage",
        "Value with tonnes",
        "share",
        description="share of the trade value with a quantity",
    ),
    Field(
        "re_export_share",
        "Exports / imports",
        "share",
        description="exports row only: exports ÷ imports in the chosen basis, capped at 1 (re-export proxy)",
    ),
    Field("status", "Status", description="data, derived, given, or why a figure is null"),
    Field("codes", "Codes", show=False),
    Field("source", "Source", show=False),
]

NET_TRADE_FIELDS = [
    Field("material", "Material (id)", show=False),
    Field("material_name", "Material"),
    Field("year", "Year", "year"),
    Field("exports_t", "Exports (t)", "tonnes"),
    Field("imports_t", "Imports (t)", "tonnes"),
    Field(
        "net_exports_t", "Net exports (t)", "tonnes", description="exports − imports; positive = net outflow"
    ),
    Field("exports_value", "Exports value", "money"),
    Field("imports_value", "Imports value", "money"),
    Field("net_exports_value", "Net exports value", "money"),
    Field("currency", "Currency"),
    Field("scrap_exports_t", "Scrap exports (t)", "tonnes", description="in recycling-stage codes"),
    Field("scrap_imports_t", "Scrap imports (t)", "tonnes"),
    Field("scrap_net_exports_t", "Scrap net exports (t)", "tonnes"),
    Field("scrap_exports_value", "Scrap exports value", "money", show=False),
    Field("scrap_imports_value", "Scrap imports value", "money", show=False),
    Field(
        "scrap",
        "Scrap in the data",
        description="separate code (…), inside code(s) …, or none: what the codes say about scrap",
    ),
    Field("scrap_codes", "Scrap codes", show=False),
    Field("tonnes_coverage", "Value with tonnes", "share", show=False),
    Field("codes", "Codes", show=False),
    Field("source", "Source"),
]


# ---- pure core: units, the balance identity, the Sankey ----------------------------------------------------


def to_tonnes(quantity: float | None, unit: str, *, parameter: str = "unit") -> float | None:
    """Convert a quantity in ``unit`` to metric tonnes (``t``, ``metr. t``, ``kg``); refuse other units.

    Raises InputError naming ``parameter`` for units that are not masses (carats, million m³), so they are
    never added to tonnes.
    """
    key = (unit or "").strip()
    if key not in MASS_UNITS:
        raise InputError(parameter, unit, "a mass unit convertible to tonnes (" + ", ".join(MASS_UNITS) + ")")
    return None if quantity is None else quantity * MASS_UNITS[key]


@dataclass(frozen=True)
class Term:
    """A quantity with its unit, for :func:`close_balance`."""

    value: float | None
    unit: str = "t"


@dataclass(frozen=True)
class Balance:
    """The closed balance of one material, stage and basis (all figures in ``unit``)."""

    imports: float | None
    exports: float | None
    production: float | None
    stock_change: float | None
    apparent_consumption: float | None
    consumption: float | None
    residual: float | None
    consumption_given: bool
    re_export_share: float | None
    re_export_capped: bool
    unit: str = "t"

    @property
    def inputs(self) -> float | None:
        """Imports + production."""
        return None if self.imports is None or self.production is None else self.imports + self.production

    @property
    def outputs(self) -> float | None:
        """Exports + stock change (0 when unknown) + consumption + residual: equal to :attr:`inputs`."""
        if self.exports is None or self.consumption is None or self.residual is None:
            return None
        return self.exports + (self.stock_change or 0.0) + self.consumption + self.residual


def _term(name: str, term: float | Term | None, unit: str | None) -> tuple[float | None, str | None]:
    if isinstance(term, Term):
        if term.value is not None and not math.isfinite(term.value):
            raise InputError(name, term.value, "a finite number")
        return term.value, term.unit
    if term is not None and (isinstance(term, bool) or not math.isfinite(float(term))):
        raise InputError(name, term, "a finite number")
    return (None if term is None else float(term)), unit


def close_balance(
    imports: float | Term | None,
    exports: float | Term | None,
    production: float | Term | None,
    *,
    stock_change: float | Term | None = None,
    consumption: float | Term | None = None,
    unit: str = "t",
) -> Balance:
    """Close the balance P + I = E + ΔS + C + R.

    AC = P + I − E − ΔS (ΔS when given); C = the given consumption, else AC (derived); R = P + I − E − ΔS −
    C (0 when derived). Re-export proxy = min(E / I, 1). Plain numbers are in ``unit``; :class:`Term` values
    carry their own unit and every term must be in the same unit — kg and t are refused, not mixed (convert
    with :func:`to_tonnes` first). Unknown terms (None) make AC and R None.
    """
    named = {
        "imports": imports,
        "exports": exports,
        "production": production,
        "stock_change": stock_change,
        "consumption": consumption,
    }
    values: dict[str, float | None] = {}
    units: dict[str, str] = {}
    for name, term in named.items():
        value, term_unit = _term(name, term, unit if not isinstance(term, Term) else None)
        values[name] = value
        if value is not None and term_unit is not None:
            units[name] = term_unit
    distinct = sorted(set(units.values()))
    if len(distinct) > 1:
        first = next(iter(units.values()))
        odd = next(name for name, u in units.items() if u != first)
        raise InputError(
            odd,
            f"{values[odd]} {units[odd]}",
            f"the unit of the other terms ({first}); convert with to_tonnes() first — kg and t are not mixed",
        )
    common = distinct[0] if distinct else unit
    if values["consumption"] is not None and values["consumption"] < 0:
        raise InputError("consumption", values["consumption"], "a consumption of zero or more tonnes")
    imp, exp, prod, stock = values["imports"], values["exports"], values["production"], values["stock_change"]
    known = imp is not None and exp is not None and prod is not None
    apparent = (prod + imp - exp - (stock or 0.0)) if known else None  # type: ignore[operator]
    given = values["consumption"] is not None
    consumption_value = values["consumption"] if given else apparent
    residual = None if apparent is None else (apparent - consumption_value if given else 0.0)  # type: ignore[operator]
    share, capped = None, False
    if imp is not None and exp is not None and imp > 0:
        ratio = exp / imp
        share, capped = min(ratio, 1.0), ratio > 1.0
    return Balance(imp, exp, prod, stock, apparent, consumption_value, residual, given, share, capped, common)


def sankey(
    imports_by_partner: Mapping[str, float],
    exports_by_partner: Mapping[str, float],
    balance: Balance,
    *,
    top: int = 5,
    economy: str = "economy",
    production_label: str = "domestic production",
) -> dict[str, Any]:
    """Sankey nodes and links around the economy node, conserving flow there.

    Inputs: import partners (the ``top`` largest and "other"), domestic production, and — when negative —
    stock draw-down, apparent consumption below zero (exports above supply) or a negative residual.
    Outputs: export destinations (top and "other"), consumption, stock build-up and a positive residual.
    Links of zero are left out (the production node is always there). The partner maps must sum to the
    balance's imports and exports.
    """
    if balance.apparent_consumption is None or balance.consumption is None or balance.residual is None:
        raise DataNotAvailableError("no Sankey: the balance has an unknown term")
    nodes: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []

    def node(name: str, kind: str) -> int:
        nodes.append({"name": name, "kind": kind})
        return len(nodes) - 1

    def grouped(flows: Mapping[str, float]) -> list[tuple[str, float]]:
        ranked = sorted(((k, v) for k, v in flows.items() if v), key=lambda kv: -kv[1])
        head, tail = ranked[:top], ranked[top:]
        if tail:
            head.append((f"other ({len(tail)})", sum(v for _, v in tail)))
        return head

    import_nodes = [(node(name, "import_partner"), value) for name, value in grouped(imports_by_partner)]
    prod = node(production_label, "production")  # always a node, so consumers find it; a link only if > 0
    centre = node(economy, "economy")
    for index, value in import_nodes:
        links.append({"source": index, "target": centre, "value": value, "label": "imports"})
    if balance.production:
        links.append({"source": prod, "target": centre, "value": balance.production, "label": "production"})
    for name, value in grouped(exports_by_partner):
        links.append(
            {"source": centre, "target": node(name, "export_partner"), "value": value, "label": "exports"}
        )

    def out_or_in(value: float | None, name: str, kind: str, label: str) -> None:
        if not value:
            return
        index = node(name, kind)
        if value > 0:
            links.append({"source": centre, "target": index, "value": value, "label": label})
        else:
            links.append({"source": index, "target": centre, "value": -value, "label": label})

    given = "consumption (given)" if balance.consumption_given else "apparent consumption"
    consumption = balance.consumption
    if consumption is not None and consumption < 0:
        given = "apparent consumption below zero (exports exceed supply)"
    out_or_in(consumption, given, "consumption", "consumption")
    out_or_in(balance.stock_change, "stock change", "stock_change", "stock change")
    out_or_in(balance.residual, "residual (unexplained)", "residual", "residual")
    return {"nodes": nodes, "links": links}


def conservation(diagram: Mapping[str, Any], kind: str = "economy") -> tuple[float, float]:
    """Total flow into and out of the node of ``kind`` in a Sankey from :func:`sankey`."""
    index = next(i for i, n in enumerate(diagram["nodes"]) if n["kind"] == kind)
    into = sum(link["value"] for link in diagram["links"] if link["target"] == index)
    out = sum(link["value"] for link in diagram["links"] if link["source"] == index)
    return into, out


# ---- data access -------------------------------------------------------------------------------------------


@dataclass
class _Flow:
    """A trade flow or production figure for one stage, in both bases."""

    tonnes: float | None = None
    content: float | None = None
    value: float | None = None
    coverage: float | None = None
    status: str = "data"
    codes: tuple[str, ...] = ()
    source: str = ""
    by_partner_t: dict[str, float] = field(default_factory=dict)
    by_partner_c: dict[str, float] | None = field(default_factory=dict)


def _trade_rows(
    store: Any, choices: Mapping[str, Sequence[Any]], importer: Any, years: tuple[int, int], by_partner: bool
) -> list[dict[str, Any]]:
    """Imports and exports of the chosen codes, per (direction, source, material, year, code[, partner]).

    Imports reuse :func:`trade.flows` (re-imports dropped; the EU-27 keeps extra-EU partners only); exports
    mirror it with the country as exporter and the partner outside it.
    """
    import ibis

    from grondstof.indicators import trade as tr
    from grondstof.indicators._common import fetch

    imp = tr.flows(store, choices=choices, importers=[importer], years=years)
    imp = imp.select(
        direction=ibis.literal("imports"),
        source=imp.source,
        material=imp.material,
        year=imp.year,
        partner=imp.exporter,
        code=imp.code,
        value=imp.value,
        tonnes=imp.tonnes,
    )
    trade = store.table("trade")
    members = list(importer.members)
    sel = trade.filter(
        trade.source.isin(list(choices))
        & trade.year.between(years[0], years[1])
        & trade.exporter.isin(members)
        & (trade.importer.isnull() | ~trade.importer.isin(members))
    )
    pairs = tr.code_pairs(choices, store)
    sel = sel.join(pairs, (sel.source == pairs.p_source) & (sel.code == pairs.p_code))
    exp = sel.select(
        direction=ibis.literal("exports"),
        source=sel.source,
        material=pairs.material,
        year=sel.year,
        partner=sel.importer,
        code=sel.code,
        value=sel.value,
        tonnes=sel.tonnes,
    )
    both = imp.union(exp)
    keys = ["direction", "source", "material", "year", "code"] + (["partner"] if by_partner else [])
    agg = both.group_by(keys).aggregate(
        value=both.value.sum(),
        tonnes=both.tonnes.sum(),
        value_no_tonnes=ibis.cases((both.tonnes.isnull(), both.value), else_=0.0).sum(),
    )
    return fetch(agg)


def _factor(
    classification: str, code: str, material: str, stage: str, wmd_by_stage: Mapping[str, Any]
) -> float | None:
    """Content factor of a code: from the table, or 1 when the WMD series of that stage is in gross weight."""
    found = _FACTORS.get((classification, code, material))
    if found is not None:
        return found.factor
    sheet = wmd_by_stage.get(stage)
    if sheet is not None and sheet.content_basis == "gross weight":
        return 1.0
    return None


UNKNOWN_PARTNER = "?"


def _sum_flow(
    rows: Iterable[dict[str, Any]],
    codes: Sequence[str],
    factors: Mapping[str, float | None],
    source: str,
) -> _Flow:
    """Add trade rows of ``codes``: value, gross tonnes (null if no row has a quantity), content, and tonnes
    per partner (ISO3; names are the query layer's)."""
    rows = [r for r in rows if r["code"] in codes]
    value = sum(r["value"] or 0.0 for r in rows)
    no_tonnes = sum(r["value_no_tonnes"] or 0.0 for r in rows)
    with_t = [r for r in rows if r["tonnes"] is not None]
    # No rows means no recorded trade (0 t) — except in a source that never has quantities (Comext).
    tonnes = sum(r["tonnes"] for r in with_t) if (with_t or (not rows and source not in NO_TONNES)) else None
    missing = sorted({r["code"] for r in with_t if r["tonnes"] and factors.get(r["code"]) is None})
    content = None
    if tonnes is not None and not missing:
        content = sum(r["tonnes"] * (factors.get(r["code"]) or 0.0) for r in with_t)
    by_t: dict[str, float] = {}
    by_c: dict[str, float] | None = {} if content is not None else None
    for r in with_t:
        name = r.get("partner") or UNKNOWN_PARTNER
        by_t[name] = by_t.get(name, 0.0) + r["tonnes"]
        if by_c is not None:
            by_c[name] = by_c.get(name, 0.0) + r["tonnes"] * (factors.get(r["code"]) or 0.0)
    status = "data" if rows else "data (no recorded flow: 0)"
    if missing:
        status += f"; no content factor for {', '.join(missing)}"
    return _Flow(
        tonnes=tonnes,
        content=content,
        value=value,
        coverage=(1 - no_tonnes / value) if value else None,
        status=status,
        codes=tuple(codes),
        source=source,
        by_partner_t=by_t,
        by_partner_c=by_c,
    )


def _production(
    store: Any, material: Any, importer: Any, year: int
) -> tuple[dict[str, _Flow], dict[str, Any], list[str]]:
    """Domestic production per stage from World Mining Data in tonnes (gross and content), unit checked.

    A WMD sheet that has figures for ``year`` but does not list the country counts as 0 (WMD lists every
    producing country); a sheet without figures for the year leaves production unknown.
    """
    import ibis

    from grondstof.indicators._common import fetch
    from grondstof.registry.materials import materials

    registry = materials()
    ids = [material.id] + [m.id for m in registry.members(material.id)]
    sheets = [s for i in ids for s in registry.wmd(i)]
    by_stage: dict[str, list[Any]] = {}
    for sheet in sheets:
        by_stage.setdefault(sheet.stage, []).append(sheet)
    notes: list[str] = []
    out: dict[str, _Flow] = {}
    if not sheets:
        return out, {}, notes
    prod = store.table("production")
    sel = prod.filter(
        (prod.source == "wmd") & prod.material.isin(ids) & (prod.year == year) & prod.quantity.notnull()
    )
    inside = sel.country.isin(list(importer.members))
    agg = sel.group_by(["commodity", "unit"]).aggregate(
        world_rows=sel.count(),
        rows=ibis.cases((inside, 1), else_=0).sum(),
        quantity=ibis.cases((inside, sel.quantity), else_=0.0).sum(),
    )
    found = {r["commodity"]: r for r in fetch(agg)}
    for stage, stage_sheets in by_stage.items():
        gross: float | None = 0.0
        content: float | None = 0.0
        states = []
        bases = {s.content_basis for s in stage_sheets}
        for sheet in stage_sheets:
            row = found.get(sheet.wmd_commodity)
            if row is None:
                gross = content = None
                states.append(f"WMD '{sheet.wmd_commodity}' has no figures for {year}")
                continue
            try:
                tonnes = to_tonnes(row["quantity"], row["unit"], parameter="production unit")
            except InputError:
                gross = content = None
                states.append(
                    f"WMD '{sheet.wmd_commodity}' is in {row['unit']}, not a mass: not mixed with tonnes"
                )
                continue
            if row["unit"] == "kg":
                notes.append(f"Production of '{sheet.wmd_commodity}' converted from kg to tonnes.")
            if not row["rows"]:
                states.append(f"not listed among WMD '{sheet.wmd_commodity}' producers: 0")
            else:
                states.append(f"WMD '{sheet.wmd_commodity}' ({sheet.content_basis})")
            if content is not None:
                content += tonnes or 0.0
            if gross is not None:
                if sheet.content_basis == "gross weight" or not tonnes:
                    gross += tonnes or 0.0
                else:
                    gross = None
                    states.append(
                        f"in {sheet.content_basis}, not gross weight: gross tonnes null (see content)"
                    )
        if len(bases) > 1 and content is not None:
            content = None
            states.append("WMD sheets with different content bases are not added")
        out[stage] = _Flow(tonnes=gross, content=content, status="; ".join(states), source="wmd")
    return out, {stage: s[0] for stage, s in by_stage.items()}, notes


# ---- the balance -------------------------------------------------------------------------------------------


def _number(name: str, value: float | str | None) -> float | None:
    if value is None or value == "":
        return None
    return parse_number(value, name, expected="a finite number of tonnes")


def _one_year(year: int | str | None) -> tuple[int, int] | None:
    from grondstof.indicators._common import parse_years

    wanted = parse_years(year, parameter="year")
    if wanted is not None and wanted[0] != wanted[1]:
        raise InputError("year", year, "one year (a balance is for a single year), e.g. 2022")
    return wanted


class BalanceParams(Params):
    """Parameters of :func:`balance` (``grondstof balance``, ``/api/v1/balance``)."""

    material: Annotated[
        MaterialText,
        described(
            "One material (English/Dutch name, symbol or alias).",
            "Eén grondstof (Engelse/Nederlandse naam, symbool of alias).",
            min_length=1,
            max_length=100,
        ),
    ]
    country: CountryText
    year: Annotated[
        str | None,
        described(
            "One year (default the latest with data).",
            "Eén jaar (standaard het laatste jaar met gegevens).",
            max_length=20,
        ),
        Cli(flags=("--year",)),
    ] = None
    basis: Annotated[
        Literal["gross", "content"],
        described(
            "gross (tonnes of goods) or content (estimated metal content).",
            "gross (tonnen goederen) of content (geschat metaalgehalte).",
        ),
    ] = "gross"
    stage: Annotated[
        Literal["extraction", "processing", "manufacturing", "recycling", "all"] | None,
        described(
            "extraction, processing, manufacturing, recycling or all.",
            "extraction, processing, manufacturing, recycling of all (alle schakels).",
        ),
    ] = None
    source: TradeSource = None
    stock_change: Annotated[
        float | None,
        described(
            "Known stock change, t (increase positive).",
            "Bekende voorraadmutatie in t (toename positief).",
            ge=-1e12,
            le=1e12,
        ),
    ] = None
    consumption: Annotated[
        float | None,
        described(
            "Known consumption, t: the residual then checks the data.",
            "Bekend verbruik in t: de restpost controleert dan de gegevens.",
            ge=0,
            le=1e12,
        ),
    ] = None
    top: Annotated[
        int,
        described(
            "Partners named in the Sankey (the rest is 'other').",
            "Partners met naam in het Sankeydiagram (de rest is 'overig').",
            ge=1,
            le=50,
        ),
    ] = 5
    lang: Lang = "en"


class NetTradeParams(Params):
    """Parameters of :func:`net_trade` (``grondstof net-trade``, ``/api/v1/net-trade``)."""

    country: CountryText
    materials: Annotated[
        MaterialsText,
        described(
            "Materials: all, crm, strategic or a comma list.",
            "Grondstoffen: all, crm, strategic of een kommalijst.",
            min_length=1,
            max_length=500,
        ),
    ] = "all"
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


def balance(
    material: str,
    country: str,
    year: int | str | None = None,
    *,
    basis: str = "gross",
    stage: str | None = None,
    source: str | None = None,
    stock_change: float | None = None,
    consumption: float | None = None,
    top: int = 5,
    store: Any = None,
    lang: str = "en",
) -> Result:
    """Mass balance of one material for a country (or the EU-27, extra-EU flows) in one year, per stage.

    Rows: one per (stage, flow) with ``flow`` in imports, production, exports, stock_change,
    apparent_consumption, consumption (only when given) and residual; gross tonnes and, where content
    factors are known, content tonnes (estimated); trade values in the source's currency.

    AC = P + I − E − ΔS; R = P + I − E − ΔS − C, with C = AC (derived, R = 0) unless ``consumption`` is given.
    Re-export proxy = min(E / I, 1). See the module docstring for sources and what the proxy cannot tell.

    Parameters
    ----------
    material:
        One material (English or Dutch name, symbol or alias).
    country:
        A country (ISO2/ISO3, English or Dutch name) or ``EU27``.
    year:
        One year; default the latest year of the chosen trade source with imports.
    basis:
        ``gross`` or ``content``: the quantity the Sankey, the re-export share, ``meta["balance"]`` and the
        user inputs are in (both columns are always reported).
    stage:
        Only this stage (``extraction``, ``processing``, ``manufacturing``, ``recycling``) or ``all``.
    source:
        A trade source (default chosen like :func:`~grondstof.indicators.dependency.plan_imports`).
    stock_change, consumption:
        Optional figures in tonnes of ``basis`` (stock increase positive) for the stage given, else for the
        ``all`` balance (or the only stage).
    top:
        Import partners and export destinations shown by name in the Sankey (the rest is "other").
    """
    from grondstof.store import open_store

    store = store or open_store()
    req = _resolve_request(material, country, year, basis, stage, stock_change, consumption, top)
    data = load_balance_data(store, req, source)
    stages = stage_balances(
        data, basis=basis, stage=stage, stock_change=req.stock_change, consumption=req.consumption
    )
    return _balance_result(store, req, data, stages, lang)


@dataclass(frozen=True)
class BalanceRequest:
    """What :func:`balance` was asked, resolved through the registries and checked."""

    material: Material
    importer: Country | Group
    year: tuple[int, int] | None
    basis: str
    stage: str | None
    stock_change: float | None
    consumption: float | None
    top: int


def _resolve_request(
    material: str,
    country: str,
    year: int | str | None,
    basis: str,
    stage: str | None,
    stock_change: float | None,
    consumption: float | None,
    top: int,
) -> BalanceRequest:
    """Resolve names and check the parameters of :func:`balance` (InputError naming the parameter)."""
    from grondstof.registry.countries import countries
    from grondstof.registry.materials import STAGES, materials

    if isinstance(material, str) and ("," in material or material.strip().lower() in ("all", "alle")):
        raise InputError(
            "material", material, "one material (for every material use grondstof net-trade / net_trade())"
        )
    mat = materials().resolve(material)
    importer = countries().resolve_importer(country, parameter="country")
    wanted = _one_year(year)
    if basis not in BASES:
        raise InputError("basis", basis, "gross or content")
    if stage is not None and stage not in (*STAGES, "all"):
        raise InputError("stage", stage, "one of " + ", ".join((*STAGES, "all")))
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise InputError("top", top, "a whole number of partners, 1 or more")
    given_stock = _number("stock_change", stock_change)
    given_consumption = _number("consumption", consumption)
    if given_consumption is not None and given_consumption < 0:
        raise InputError("consumption", consumption, "a consumption of zero or more tonnes")
    return BalanceRequest(mat, importer, wanted, basis, stage, given_stock, given_consumption, top)


@dataclass
class BalanceData:
    """The trade and production a balance is made of, for one material, importer, source and year."""

    material: str
    year: int
    source: str
    scope: str
    classification: str
    codes: tuple[str, ...]
    basket: bool
    code_stage: dict[str, str]
    rows: list[dict[str, Any]]
    production: dict[str, _Flow]
    wmd_by_stage: dict[str, Any]
    production_notes: list[str]
    factors: dict[str, float | None]
    content_basis: str | None


def load_balance_data(store: Any, req: BalanceRequest, source: str | None) -> BalanceData:
    """Pick the trade source and codes (as ``imports`` does), read the flows by partner and the production."""
    from grondstof.indicators.dependency import plan_imports
    from grondstof.registry.materials import STAGES, materials

    mat, importer = req.material, req.importer
    stage = req.stage if req.stage in STAGES else None
    plans, _ = plan_imports(store, [mat], [importer], req.year, source, stage)
    plan = plans[0]
    the_year = plan.years[0]
    classification = plan.choice.classification
    code_stage = {
        r.code: r.stage for r in materials().codes(mat.id, classification) if r.code in plan.choice.codes
    }
    rows = _trade_rows(store, {plan.source: [plan.choice]}, importer, (the_year, the_year), by_partner=True)
    production, wmd_by_stage, prod_notes = _production(store, mat, importer, the_year)
    return BalanceData(
        material=mat.id,
        year=the_year,
        source=plan.source,
        scope=SOURCE_SCOPE.get(plan.source, "partial"),
        classification=classification,
        codes=tuple(plan.choice.codes),
        basket=plan.choice.basket,
        code_stage=code_stage,
        rows=[r for r in rows if r["material"] == mat.id],
        production=production,
        wmd_by_stage=wmd_by_stage,
        production_notes=prod_notes,
        factors={c: _factor(classification, c, mat.id, s, wmd_by_stage) for c, s in code_stage.items()},
        content_basis=_content_basis(mat.id, wmd_by_stage),
    )


@dataclass
class StageBalance:
    """The balance of one stage (or ``all``): its flows and the closed balance in gross and content tonnes."""

    stage: str
    codes: list[str]
    imports: _Flow
    exports: _Flow
    production: _Flow
    gross: Balance
    content: Balance
    chosen: Balance
    why: str
    is_target: bool


def stage_balances(
    data: BalanceData,
    *,
    basis: str = "gross",
    stage: str | None = None,
    stock_change: float | None = None,
    consumption: float | None = None,
) -> list[StageBalance]:
    """Close the balance of every stage of the data (and ``all`` when there are several): the kernel of
    :func:`balance` — AC = P + I − E − ΔS and R = AC − C per stage, in gross and content tonnes. The given
    stock change and consumption apply to the target stage (``stage``, else ``all``, else the only one)."""
    stages = sorted(set(data.code_stage.values()) | set(data.production), key=STAGE_ORDER.index)
    if stage is not None and stage != "all":
        stages = [stage]
    multi = len(stages) > 1
    if stage == "all" or (stage is None and multi):
        stages.append("all")
    target = stage or ("all" if multi else stages[0])
    first_production = next((s for s in STAGE_ORDER if s in data.production), None)
    src, complete = data.source, data.scope == "complete"
    out = []
    for st in stages:
        codes = (
            sorted(data.code_stage)
            if st == "all"
            else sorted(c for c, s in data.code_stage.items() if s == st)
        )
        if codes:
            imports_f = _sum_flow(
                (r for r in data.rows if r["direction"] == "imports"), codes, data.factors, src
            )
            exports_f = _sum_flow(
                (r for r in data.rows if r["direction"] == "exports"), codes, data.factors, src
            )
        else:
            missing = f"no {st} codes for {data.material} in {src}"
            imports_f = _Flow(status=missing, source=src)
            exports_f = _Flow(status=missing, source=src)
        if data.scope == "imports_only":
            exports_f = _Flow(status=_SCOPE_TEXT["imports_only"], codes=tuple(codes), source=src)
        prod_stage = first_production if st == "all" else st
        prod_f = data.production.get(prod_stage) if prod_stage else None
        if prod_f is None:
            prod_f = _Flow(status=f"no {st} production series for {data.material} in the data", source="wmd")
        elif st == "all":
            prod_f = _Flow(
                tonnes=prod_f.tonnes,
                content=prod_f.content,
                status=f"{prod_stage} production counted once: {prod_f.status}",
                source="wmd",
            )
        is_target = st == target
        per_basis = {}
        for which in BASES:
            pick = "tonnes" if which == "gross" else "content"
            user = is_target and which == basis
            per_basis[which] = close_balance(
                getattr(imports_f, pick) if complete else None,
                getattr(exports_f, pick) if complete else None,
                getattr(prod_f, pick),
                stock_change=stock_change if user else None,
                consumption=consumption if user else None,
            )
        why = _why_not(imports_f, exports_f, prod_f, data.scope, basis)
        out.append(
            StageBalance(
                st,
                codes,
                imports_f,
                exports_f,
                prod_f,
                per_basis["gross"],
                per_basis["content"],
                per_basis[basis],
                why,
                is_target,
            )
        )
    return out


def _stage_summary(chosen: Balance, basis: str) -> dict[str, Any]:
    return {
        "imports_t": chosen.imports,
        "exports_t": chosen.exports,
        "production_t": chosen.production,
        "stock_change_t": chosen.stock_change,
        "apparent_consumption_t": chosen.apparent_consumption,
        "consumption_t": chosen.consumption,
        "consumption_derived": not chosen.consumption_given,
        "residual_t": chosen.residual,
        "net_imports_t": None
        if chosen.imports is None or chosen.exports is None
        else chosen.imports - chosen.exports,
        "re_export_share": chosen.re_export_share,
        "re_export_capped": chosen.re_export_capped,
        "basis": basis,
    }


def _named(partners: Mapping[str, float] | None, lang: str) -> dict[str, float] | None:
    """Partner ISO3 codes → names in ``lang`` (tonnes added where two codes share a name)."""
    from grondstof.indicators._common import country_name

    if partners is None:
        return None
    out: dict[str, float] = {}
    for code, tonnes in partners.items():
        name = country_name(code, lang) if code != UNKNOWN_PARTNER else None
        out[name or "unknown partner"] = out.get(name or "unknown partner", 0.0) + tonnes
    return out


def _balance_result(
    store: Any, req: BalanceRequest, data: BalanceData, stages: list[StageBalance], lang: str
) -> Result:
    """Label the stage balances: rows, the summary per stage, the Sankey, notes, sources and meta."""
    from grondstof.indicators import trade as tr
    from grondstof.registry.countries import Group

    mat, importer, basis = req.material, req.importer, req.basis
    src, the_year = data.source, data.year
    currency = tr.currency(src)
    out_rows: list[dict[str, Any]] = []
    summary: dict[str, Any] = {}
    diagram: dict[str, Any] | None = None
    notes: list[str] = []
    for sb in stages:
        base = {"year": the_year, "country": importer.code, "material": mat.id, "stage": sb.stage}
        ctx = _RowContext(base, "; ".join(sb.codes), data.content_basis, currency, basis, data.scope, sb.why)
        out_rows.extend(
            _stage_rows(ctx, sb.imports, sb.exports, sb.production, sb.gross, sb.content, sb.chosen)
        )
        summary[sb.stage] = _stage_summary(sb.chosen, basis)
        if sb.chosen.re_export_capped:
            notes.append(
                f"{sb.stage}: exports exceed imports, so the re-export share is capped at 1 — exports also "
                "come from domestic production, stock or flows missing from the data."
            )
        if sb.is_target:
            gross = basis == "gross"
            partners_in = sb.imports.by_partner_t if gross else sb.imports.by_partner_c
            partners_out = sb.exports.by_partner_t if gross else sb.exports.by_partner_c
            if sb.chosen.apparent_consumption is None or partners_in is None or partners_out is None:
                notes.append(f"No Sankey: the {sb.stage} balance in {basis} is not computable ({sb.why}).")
            else:
                diagram = sankey(
                    _named(partners_in, lang) or {},
                    _named(partners_out, lang) or {},
                    sb.chosen,
                    top=req.top,
                    economy=importer.name(lang),
                    production_label=f"domestic production ({mat.name(lang)})",
                )
                diagram["stage"] = sb.stage
                diagram["basis"] = basis
                diagram["unit"] = "t" if gross else f"t {data.content_basis}"
    multi = len(stages) > 1
    notes = (
        _balance_notes(mat, importer, src, data.scope, basis, data.content_basis, multi, lang)
        + data.production_notes
        + notes
    )
    notes += _where_else(store, mat, data, lang)
    if isinstance(importer, Group):
        notes.append(
            "EU-27: extra-EU imports and exports only (trade between members left out); post-2020 members."
        )
    used_factors = [
        {
            "code": f.code,
            "classification": f.classification,
            "basis": f.basis,
            "factor": f.factor,
            "how": f.how,
            "source": f.source,
        }
        for f in CONTENT_FACTORS
        if f.material == mat.id and f.classification == data.classification and f.code in data.code_stage
    ]
    meta = {
        "query": {
            "material": mat.id,
            "country": importer.code,
            "year": the_year,
            "basis": basis,
            "stage": req.stage,
            "source": src,
            "stock_change": req.stock_change,
            "consumption": req.consumption,
            "top": req.top,
        },
        "material": {"id": mat.id, "name": mat.name(lang)},
        "country": {"code": importer.code, "name": importer.name(lang)},
        "sources": store.cite(src, "wmd")
        if "wmd" in {s["id"] for s in store.catalog["sources"]}
        else store.cite(src),
        "units": {
            "tonnes": "metric tonnes, gross weight of the traded goods",
            "content_t": f"metric tonnes of {data.content_basis or 'content'} (estimated, content factors)",
            "value": f"{currency} ({'CIF' if src == 'comext_cn8' else 'FOB'})",
            "re_export_share": "fraction 0–1",
        },
        "codes": {
            "classification": data.classification,
            "codes": list(data.codes),
            "stages": data.code_stage,
            "basket": data.basket,
        },
        "content_factors": used_factors,
        "balance": summary,
        "sankey": diagram,
        "notes": notes,
    }
    title = f"Mass balance of {mat.name(lang)} for {importer.name(lang)}, {the_year}"
    return Result(title, BALANCE_FIELDS, out_rows, meta)


def _where_else(store: Any, mat: Material, data: BalanceData, lang: str) -> list[str]:
    """Notes on stages and scrap codes of the material that this source's balance does not hold."""
    from grondstof.indicators import trade as tr

    notes = []
    # Say where stages missing here are, e.g. cobalt ores: not in HS92, but in Comext CN8 26050000.
    elsewhere = []
    for other_src in tr.available_sources(store):
        extra = set(tr.code_choice(mat, tr.TRADE_SOURCES[other_src]).stages) - set(data.code_stage.values())
        if other_src != data.source and extra:
            elsewhere.append(f"{other_src} ({', '.join(sorted(extra))})")
    if elsewhere:
        notes.append(
            f"Stages of {mat.name(lang)} without codes in {data.source} have codes in "
            + ", ".join(elsewhere)
            + " (use --source; stages in different sources are not added)."
        )
    scrap = set(tr.code_choice(mat, data.classification, "recycling").codes) - set(data.code_stage)
    if scrap:
        notes.append(
            f"Waste-and-scrap code(s) {', '.join(sorted(scrap))} of {mat.name(lang)} are not in this balance "
            "(a basket code, or another stage): see --stage recycling or grondstof net-trade."
        )
    return notes


@dataclass(frozen=True)
class _RowContext:
    base: dict[str, Any]
    codes: str
    basis_label: str | None
    currency: str
    basis: str
    scope: str
    why: str


def _stage_rows(
    ctx: _RowContext,
    imports_f: _Flow,
    exports_f: _Flow,
    prod_f: _Flow,
    gross: Balance,
    cont: Balance,
    chosen: Balance,
) -> list[dict[str, Any]]:
    """The rows of one stage: the flows, the derived terms and the residual, with a status each."""
    rows: list[dict[str, Any]] = []

    def row(flow: str, f: _Flow | None, g: float | None, c: float | None, status: str, **extra: Any) -> None:
        rows.append(
            {
                **ctx.base,
                "flow": flow,
                "tonnes": g,
                "content_t": c,
                "content_basis": ctx.basis_label,
                "value": f.value if f is not None else None,
                "currency": ctx.currency if f is not None and f.value is not None else None,
                "tonnes_coverage": f.coverage if f is not None else None,
                "re_export_share": extra.get("share"),
                "status": status,
                "codes": ctx.codes if flow in ("imports", "exports") else None,
                "source": extra.get("source", f.source if f is not None else "derived"),
            }
        )

    partial = "" if ctx.scope == "complete" else f" ({_SCOPE_TEXT.get(ctx.scope, '')})"
    row("imports", imports_f, imports_f.tonnes, imports_f.content, imports_f.status + partial)
    row("production", prod_f, prod_f.tonnes, prod_f.content, prod_f.status)
    exports_status = exports_f.status + (partial if ctx.scope != "imports_only" else "")
    row(
        "exports",
        exports_f,
        exports_f.tonnes,
        exports_f.content,
        exports_status,
        share=chosen.re_export_share,
    )
    given_stock = chosen.stock_change is not None
    row(
        "stock_change",
        None,
        gross.stock_change,
        cont.stock_change,
        "given" if given_stock else "no stock data (give --stock-change)",
        source="user" if given_stock else "none",
    )
    if chosen.apparent_consumption is None:
        ac_status = _not_computable(ctx, gross, cont, "apparent_consumption")
    elif given_stock:
        ac_status = "derived: P + I − E − ΔS"
    else:
        ac_status = "derived: P + I − E (includes any stock change)"
    row("apparent_consumption", None, gross.apparent_consumption, cont.apparent_consumption, ac_status)
    in_gross, in_content = ctx.basis == "gross", ctx.basis == "content"
    if chosen.consumption_given:
        gross_c = gross.consumption if in_gross else None
        content_c = cont.consumption if in_content else None
        row("consumption", None, gross_c, content_c, "given", source="user")
    if chosen.residual is None:
        residual_status = _not_computable(ctx, gross, cont, "residual")
    elif chosen.consumption_given:
        residual_status = "P + I − E − ΔS − C with the given consumption: the discrepancy"
    else:
        residual_status = "0 by construction: consumption is derived, not measured"
    # With a given consumption only the chosen basis has a checked residual; the other stays null.
    other_known = not chosen.consumption_given
    row(
        "residual",
        None,
        gross.residual if in_gross or other_known else None,
        cont.residual if in_content or other_known else None,
        residual_status,
    )
    return rows


def _not_computable(ctx: _RowContext, gross: Balance, cont: Balance, term: str) -> str:
    """Status of a derived term that the chosen basis cannot compute, naming the other basis if it can."""
    other, other_name = (cont, "content") if ctx.basis == "gross" else (gross, "gross")
    text = f"not computable in {ctx.basis}: {ctx.why}"
    if getattr(other, term) is not None:
        text += f"; computed in {other_name} (derived)"
    return text


def _content_basis(material: str, wmd_by_stage: Mapping[str, Any]) -> str | None:
    for stage in STAGE_ORDER:
        if stage in wmd_by_stage:
            return wmd_by_stage[stage].content_basis
    bases = {f.basis for f in CONTENT_FACTORS if f.material == material}
    return next(iter(bases)) if len(bases) == 1 else None


def _why_not(imports_f: _Flow, exports_f: _Flow, prod_f: _Flow, scope: str, basis: str) -> str:
    if scope != "complete":
        return "the trade source is incomplete" if scope == "partial" else "exports are not in the data"
    pick = "tonnes" if basis == "gross" else "content"
    unknown = [
        n
        for n, f in (("imports", imports_f), ("exports", exports_f), ("production", prod_f))
        if getattr(f, pick) is None
    ]
    return (", ".join(unknown) or "a term") + " unknown (see their rows)"


def _balance_notes(
    mat: Any, importer: Any, src: str, scope: str, basis: str, basis_label: str | None, multi: bool, lang: str
) -> list[str]:
    notes = [
        "Apparent consumption = production + imports − exports (− stock change when given). It is "
        "derived, so the balance closes by construction and the residual is 0; give --consumption to test "
        "the data against an independent figure (the residual is then the discrepancy).",
        "Re-export share = exports ÷ imports (capped at 1) is a proxy: border statistics cannot tell "
        "re-exports (imported goods leaving again), quasi-transit (no Dutch ownership) and own use apart as "
        "CBS does; exports may also be made from domestic production or stock. Treat it as an upper bound "
        "of what can have left unchanged.",
        "No stock data is in the shared data: stock change is null unless given (--stock-change, tonnes, "
        "increase positive).",
    ]
    if scope == "complete":
        notes.append(
            f"{src}: a country-pair without a row has no recorded trade, counted as 0; values FOB in "
            "current USD; tonnes missing for some flows (see tonnes_coverage) are left out of the tonnes."
        )
    else:
        notes.append(f"{src}: {_SCOPE_TEXT.get(scope, '')}.")
    if multi:
        notes.append(
            "Stages are balanced separately; the 'all' balance adds gross tonnes of different stages "
            "(ores and refined goods) as economy-wide material flow accounts do, which is a convention, "
            "not a like-for-like sum; its content column is the element balance where factors are known."
        )
    if basis_label:
        notes.append(
            f"Content is in {basis_label} (the basis of the World Mining Data series) and estimated from "
            "factors listed in meta.content_factors; a flow is null in content when any of its codes lacks a "
            "cited factor (ore and concentrate grades vary by deposit and are not guessed)."
        )
    else:
        notes.append("No content basis is known for this material: content is null.")
    coverage = mat.coverage_note(lang)
    if coverage:
        notes.append(coverage)
    return notes


# ---- net trade including scrap -----------------------------------------------------------------------------


def net_trade(
    country: str,
    materials: str | Sequence[str] = "all",
    year: int | str | None = None,
    *,
    store: Any = None,
    lang: str = "en",
) -> Result:
    """Exports, imports and net exports per material, with the part in waste-and-scrap codes.

    Net exports = exports − imports (tonnes and value; positive = net outflow), over the material's codes in
    the chosen source plus its recycling-stage (waste and scrap) codes from ``material_codes.csv``. The scrap
    columns are filled only where such a separate code exists; where scrap is folded into a metal code (e.g.
    HS92 810510 cobalt "… waste and scrap, powders") it cannot be told apart and the row says so. The EU-27
    counts extra-EU flows only. Rows are sorted by currency, then export value (largest first).
    """
    from grondstof.indicators import trade as tr
    from grondstof.indicators.dependency import Plan, plan_imports
    from grondstof.registry.countries import Group, countries
    from grondstof.registry.materials import materials as registry_of
    from grondstof.store import open_store

    store = store or open_store()
    registry = registry_of()
    mats = (
        registry.resolve_many(materials, parameter="materials")
        if isinstance(materials, str)
        else [registry.resolve(m, parameter="materials") for m in materials]
    )
    importer = countries().resolve_importer(country, parameter="country")
    wanted = _one_year(year)
    plans, skipped = plan_imports(store, mats, [importer], wanted, None, None)
    # A material exported but never imported has no import plan: fall back to BACI HS92, whose world matrix
    # says both directions.
    planned = {p.material.id for p in plans}
    span = tr.year_span(store, "baci_hs92")
    if span and "baci_hs92" in tr.available_sources(store):
        the_year = wanted or (span[1], span[1])
        for mat in mats:
            if mat.id not in planned and (choice := tr.code_choice(mat, "HS92")).codes:
                if span[0] <= the_year[0] <= span[1]:
                    plans.append(Plan(mat, "baci_hs92", choice, the_year))
    by_source: dict[str, list[Any]] = {}
    scrap_of: dict[str, tuple[str, ...]] = {}
    for plan in plans:
        scrap = tr.code_choice(plan.material, plan.choice.classification, "recycling")
        scrap_of[plan.material.id] = scrap.codes
        codes = tuple(sorted(set(plan.choice.codes) | set(scrap.codes)))
        by_source.setdefault(plan.source, []).append(
            tr.CodeChoice(plan.material.id, plan.choice.classification, codes, plan.choice.basket, ())
        )
    rows_by_source: dict[str, list[dict[str, Any]]] = {}
    for src, choices in by_source.items():
        years = [p.years[0] for p in plans if p.source == src]
        rows_by_source[src] = _trade_rows(store, {src: choices}, importer, (min(years), max(years)), False)

    out: list[dict[str, Any]] = []
    no_trade: list[str] = []
    for plan in plans:
        src, mid, plan_year = plan.source, plan.material.id, plan.years[0]
        scope = SOURCE_SCOPE.get(src, "partial")
        data = [r for r in rows_by_source[src] if r["material"] == mid and r["year"] == plan_year]
        codes = tuple(sorted(set(plan.choice.codes) | set(scrap_of[mid])))
        scrap_codes = scrap_of[mid]
        imp = _sum_flow([r for r in data if r["direction"] == "imports"], codes, {}, src)
        exp = _sum_flow([r for r in data if r["direction"] == "exports"], codes, {}, src)
        if not data:
            no_trade.append(plan.material.name(lang))
            continue
        exports_known = scope == "complete"
        s_imp = _sum_flow([r for r in data if r["direction"] == "imports"], scrap_codes, {}, src)
        s_exp = _sum_flow([r for r in data if r["direction"] == "exports"], scrap_codes, {}, src)
        inside = _scrap_inside(plan.choice.classification, plan.choice.codes, mid)
        if scrap_codes:
            basket = any(
                r.basket
                for c in scrap_codes
                for r in registry.by_code(plan.choice.classification, c)
                if r.material == mid
            )
            scrap_text = f"separate code {', '.join(scrap_codes)}" + (
                " (a basket of several materials)" if basket else ""
            )
        elif inside:
            scrap_text = f"inside code(s) {', '.join(inside)}: not separable"
        else:
            scrap_text = "none in the data"
        has_scrap = bool(scrap_codes)

        def diff(a: float | None, b: float | None) -> float | None:
            return None if a is None or b is None else a - b

        exp_t = exp.tonnes if exports_known else None
        exp_v = exp.value if exports_known else None
        out.append(
            {
                "material": mid,
                "material_name": plan.material.name(lang),
                "year": the_year,
                "exports_t": exp_t,
                "imports_t": imp.tonnes,
                "net_exports_t": diff(exp_t, imp.tonnes),
                "exports_value": exp_v,
                "imports_value": imp.value,
                "net_exports_value": diff(exp_v, imp.value),
                "currency": tr.currency(src),
                "scrap_exports_t": s_exp.tonnes if has_scrap and exports_known else None,
                "scrap_imports_t": s_imp.tonnes if has_scrap else None,
                "scrap_net_exports_t": diff(s_exp.tonnes, s_imp.tonnes)
                if has_scrap and exports_known
                else None,
                "scrap_exports_value": s_exp.value if has_scrap and exports_known else None,
                "scrap_imports_value": s_imp.value if has_scrap else None,
                "scrap": scrap_text,
                "scrap_codes": "; ".join(scrap_codes) or None,
                "tonnes_coverage": _coverage(imp, exp if exports_known else None),
                "codes": "; ".join(codes),
                "source": src,
            }
        )
    out.sort(key=lambda r: (r["currency"] != "USD", -(r["exports_value"] or -1.0)))
    with_scrap = sorted({r["material_name"] for r in out if r["scrap_codes"]})
    folded = sorted({r["material_name"] for r in out if r["scrap"].startswith("inside")})
    sources = sorted({p.source for p in plans}, key=list(tr.TRADE_SOURCES).index)
    notes = [
        "Net exports = exports − imports over the material's codes including its waste-and-scrap codes; "
        "positive means more leaves than arrives.",
        f"Materials with a separate waste-and-scrap code in the data: {len(with_scrap)} of {len(out)} "
        f"({', '.join(with_scrap) or 'none'}); with scrap folded into a metal code that cannot be split: "
        f"{len(folded)} ({', '.join(folded) or 'none'}); the others have no scrap code here — e.g. "
        "aluminium (HS 7602), copper (7404) and nickel (7503) waste and scrap are not in the shared trade "
        "extracts.",
        "Gross tonnes of different stages (ores, refined goods, scrap) are added within a material: a "
        "convention for trade totals, not a content balance (see grondstof balance).",
    ]
    if any(SOURCE_SCOPE.get(s) == "imports_only" for s in sources):
        notes.append(
            "Comext (EUR, imports only): exports and net exports are null for materials taken from it."
        )
    if any(SOURCE_SCOPE.get(s) == "partial" for s in sources):
        notes.append(
            "Materials from partial extracts (top flows or regional subsets) have lower-bound totals."
        )
    if isinstance(importer, Group):
        notes.append("EU-27: extra-EU imports and exports only.")
    if no_trade:
        notes.append(
            "No recorded trade (or, for Comext, imports) in the year for: " + ", ".join(no_trade) + "."
        )
    # plan_imports names skipped materials in English; the BACI fallback may have covered some of them.
    covered = {p.material.name() for p in plans}
    notes.extend(f"Not covered — {text}" for text in skipped if text.split(":")[0] not in covered)
    if len(mats) > 1 and not any(m.is_group for m in mats):
        notes.append(
            "Groups (rare earths, PGM) are not included unless named — their members are; ask for them "
            "by name "
            "(e.g. --materials rare_earths,pgm) to see group codes such as HS92 280530 and 711290."
        )
    meta = {
        "query": {
            "country": importer.code,
            "materials": [m.id for m in mats],
            "year": wanted[0] if wanted else None,
        },
        "country": {"code": importer.code, "name": importer.name(lang)},
        "sources": store.cite(*sources),
        "units": {
            "tonnes": "metric tonnes, gross weight",
            "value": "in `currency` (USD FOB for BACI, EUR CIF for Comext)",
        },
        "scrap": {
            "materials_with_scrap_codes": with_scrap,
            "materials_with_scrap_inside_metal_codes": folded,
            "recycling_codes": sorted({c for codes in scrap_of.values() for c in codes}),
        },
        "notes": notes,
    }
    return Result(f"Net trade of {importer.name(lang)} incl. waste and scrap", NET_TRADE_FIELDS, out, meta)


def _scrap_inside(classification: str, codes: Iterable[str], material: str) -> list[str]:
    """Codes of ``material`` whose description includes waste or scrap but whose stage is not recycling."""
    from grondstof.registry.materials import materials

    out = []
    for code in codes:
        for row in materials().by_code(classification, code):
            text = f"{row.description} {row.note}".lower()
            if row.material == material and row.stage != "recycling" and "scrap" in text:
                out.append(code)
    return sorted(set(out))


def _coverage(imp: _Flow, exp: _Flow | None) -> float | None:
    flows = [f for f in (imp, exp) if f is not None and f.value]
    if not flows:
        return None
    total = sum(f.value or 0.0 for f in flows)
    with_t = sum((f.value or 0.0) * (f.coverage if f.coverage is not None else 0.0) for f in flows)
    return with_t / total if total else None
