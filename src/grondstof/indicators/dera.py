"""DERA-style screening: country concentration (HHI), weighted country risk (GLR) and the risk group.

The German Mineral Resources Agency (DERA, at BGR) screens mine products, refinery products and trade
products every two years in its *DERA-Rohstoffliste* ("Angebotskonzentration bei mineralischen Rohstoffen
und Zwischenprodukten — potenzielle Preis- und Lieferrisiken", 2012–2023 editions) with two indicators:

    HHI  = Σ_i (100 × s_i)²             0–10 000 (also given here on the 0–1 scale: Σ s_i²)
    GLR  = Σ_i s_i × WGI_i              "gewichtetes Länderrisiko", −2.5…+2.5, higher = lower risk

with s_i the share of country i in world production of the stage (or in the imports of one country, the
"trade products" screening) and WGI_i the mean of the six World Bank Worldwide Governance Indicators of
country i. The two are combined in a 3 × 3 matrix into three risk groups (1 low, 2 medium, 3 high)::

                          country risk: low (GLR > 0.5)   moderate (−0.5…0.5)   high (GLR < −0.5)
    HHI low (< 1 500)                    1                   1                     2
    HHI moderate (1 500–2 500)           1                   2                     3
    HHI high (> 2 500)                   2                   3                     3

The concentration classes are the US merger-guideline bands DERA uses; the GLR bands and the matrix are
as described for the DERA list (group 1: low or moderate concentration with low country risk, or low
concentration with moderate risk; DERA's group-3 examples include HS 260120 with HHI 6 056 and GLR 0.48
and HS 720110 with HHI 3 149 and GLR −0.51). The exact band edges of the 2023 edition were not found in a
stored copy of the report; they are constants here (:data:`HHI_BANDS`, :data:`GLR_BANDS`) and stated in
``meta``.

Data: production shares from World Mining Data (``production``, source ``wmd``; mine or refinery output as
the registry says per WMD sheet; shares of the sum of countries); import shares (by value) from the trade
data as :func:`grondstof.indicators.dependency.imports` chooses it; WGI from the World Bank's 2024 release
(``governance``, source ``wgi``, data to 2023) for the latest WGI year not after the production or trade
year. Countries without a WGI value that year are left out of the GLR (the GLR is the share-weighted mean
over the countries with a value; ``wgi_coverage`` says how much of the supply that is).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated, Any, Literal

from grondstof.errors import InputError
from grondstof.indicators import trade as tr
from grondstof.indicators._common import YearsArg, check_years, country_name, fetch, parse_years
from grondstof.indicators.concentration import hhi_of_shares
from grondstof.indicators.dependency import plan_imports
from grondstof.parameters import Cli, Lang, MaterialsText, Params, Years, described
from grondstof.registry.countries import Country, Group, countries
from grondstof.registry.materials import Material, materials
from grondstof.result import Field, Result
from grondstof.store import Store, open_store

PRODUCTION_SOURCE = "wmd"
WGI_SOURCE = "wgi"
DERA_STAGES = ("extraction", "processing")
# HHI (0–10 000): below the first edge low, above the second high, in between (edges included) moderate.
HHI_BANDS = (1500.0, 2500.0)
# GLR: above the upper edge low country risk, below the lower edge high, in between (included) moderate.
GLR_BANDS = (-0.5, 0.5)
RISK_MATRIX: dict[tuple[str, str], int] = {
    ("low", "low"): 1,
    ("low", "moderate"): 1,
    ("low", "high"): 2,
    ("moderate", "low"): 1,
    ("moderate", "moderate"): 2,
    ("moderate", "high"): 3,
    ("high", "low"): 2,
    ("high", "moderate"): 3,
    ("high", "high"): 3,
}
RISK_GROUP_LABELS = {1: "low", 2: "medium", 3: "high"}

DERA_FIELDS = [
    Field("material", "Material (id)", show=False),
    Field("material_name", "Material"),
    Field("commodity", "Commodity", description="WMD sheet, or the trade codes for import shares"),
    Field("stage", "Stage"),
    Field("year", "Year", "year"),
    Field("scope", "Shares of", description="world production, or the imports of a country"),
    Field("hhi_10000", "HHI", "number", description="Σ (100 × share)², 0–10 000 (DERA scale)"),
    Field("hhi", "HHI (0–1)", "hhi", show=False),
    Field(
        "glr", "GLR", "number", description="Σ share × WGI (mean of six dimensions), −2.5…2.5, higher = safer"
    ),
    Field("wgi_year", "WGI year", "year", description="latest WGI year not after the data year"),
    Field("wgi_coverage", "Share with WGI", "share", show=False),
    Field("concentration", "Concentration", description="low < 1 500 ≤ moderate ≤ 2 500 < high"),
    Field("country_risk", "Country risk", description="low: GLR > 0.5; high: GLR < −0.5; else moderate"),
    Field("risk_group", "Risk group", "int", description="1 low, 2 medium, 3 high (HHI × GLR matrix)"),
    Field("top_country", "Top supplier (ISO3)", show=False),
    Field("top_country_name", "Top supplier"),
    Field("top_share", "Top supplier share", "share"),
    Field("countries", "Countries", "int"),
    Field("source", "Source"),
]


# ---- the formulas ------------------------------------------------------------------------------------------


def hhi_10000(shares: Iterable[float]) -> float:
    """DERA's concentration index Σ (100 × s_i)², 0–10 000, from shares 0–1 (a monopoly gives 10 000)."""
    checked = list(shares)
    for share in checked:
        if not 0.0 <= share <= 1.0:
            raise InputError("share", share, "a share between 0 and 1")
    return 10_000.0 * (hhi_of_shares(checked) or 0.0)  # (100·s)² = 10 000·s²: the 0–1 HHI rescaled


def glr(shares_wgi: Iterable[tuple[float, float]]) -> float | None:
    """Weighted country risk Σ s_i × WGI_i / Σ s_i over the countries given (WGI on its −2.5…2.5 scale).

    Pass only countries with a WGI value; the shares are renormalised over them. None for no input.
    """
    weight = total = 0.0
    for share, wgi in shares_wgi:
        if not 0.0 <= share <= 1.0:
            raise InputError("share", share, "a share between 0 and 1")
        if not -3.0 <= wgi <= 3.0:
            raise InputError("wgi", wgi, "a WGI estimate between −2.5 and 2.5")
        weight += share
        total += share * wgi
    return total / weight if weight > 0 else None


def concentration_class(hhi: float) -> str:
    """``low`` below 1 500, ``high`` above 2 500, else ``moderate`` (HHI on the 0–10 000 scale)."""
    if not 0.0 <= hhi <= 10_000.0 + 1e-6:
        raise InputError("hhi", hhi, "an HHI between 0 and 10 000")
    if hhi < HHI_BANDS[0]:
        return "low"
    if hhi > HHI_BANDS[1]:
        return "high"
    return "moderate"


def country_risk_class(value: float) -> str:
    """``low`` country risk for GLR above 0.5, ``high`` below −0.5, else ``moderate``."""
    if not -3.0 <= value <= 3.0:
        raise InputError("glr", value, "a weighted country risk between −2.5 and 2.5")
    if value > GLR_BANDS[1]:
        return "low"
    if value < GLR_BANDS[0]:
        return "high"
    return "moderate"


def risk_group(hhi: float, glr_value: float) -> int:
    """DERA risk group 1 (low), 2 (medium) or 3 (high) from HHI (0–10 000) and GLR (:data:`RISK_MATRIX`)."""
    return RISK_MATRIX[(concentration_class(hhi), country_risk_class(glr_value))]


# ---- inputs ------------------------------------------------------------------------------------------------


def _wgi(store: Store) -> tuple[dict[int, dict[str, float]], list[int]]:
    """Mean of the six WGI estimates per year and country, and the years available."""
    gov = store.table("governance")
    sel = gov.filter((gov.source == WGI_SOURCE) & gov.estimate.notnull())
    rows = fetch(sel.group_by(["year", "country"]).aggregate(m=sel.estimate.mean()))
    out: dict[int, dict[str, float]] = {}
    for row in rows:
        out.setdefault(int(row["year"]), {})[row["country"]] = row["m"]
    return out, sorted(out)


def _wgi_year(year: int, available: Sequence[int]) -> int | None:
    before = [y for y in available if y <= year]
    return before[-1] if before else None


def _screen(
    supplies: dict[str, float], year: int, wgi: dict[int, dict[str, float]], wgi_years: Sequence[int]
) -> dict[str, Any]:
    """HHI, GLR, classes and top supplier for one list of supplier amounts (any unit, all positive)."""
    total = sum(supplies.values())
    shares = {k: v / total for k, v in supplies.items()}
    hhi = hhi_10000(shares.values())
    wyear = _wgi_year(year, wgi_years)
    values = wgi.get(wyear, {}) if wyear is not None else {}
    covered = [(s, values[c]) for c, s in shares.items() if c in values]
    glr_value = glr(covered)
    top = max(shares, key=lambda c: shares[c])
    return {
        "hhi_10000": hhi,
        "hhi": hhi / 10_000.0,
        "glr": glr_value,
        "wgi_year": wyear,
        "wgi_coverage": sum(s for s, _ in covered),
        "concentration": concentration_class(hhi),
        "country_risk": country_risk_class(glr_value) if glr_value is not None else None,
        "risk_group": risk_group(hhi, glr_value) if glr_value is not None else None,
        "top_country": top,
        "top_share": shares[top],
        "countries": len(shares),
    }


def _material_ids(mats: Sequence[Material]) -> dict[str, Material]:
    """Ids whose rows answer for the chosen materials: each material and, for a group, its members."""
    out: dict[str, Material] = {}
    for mat in mats:
        out[mat.id] = mat
        for member in materials().members(mat.id):
            out.setdefault(member.id, member)
    return out


def _resolve_materials(material: str | Sequence[str]) -> list[Material]:
    registry = materials()
    if isinstance(material, str):
        return registry.resolve_many(material)
    if not material:
        raise InputError("material", material, "one or more materials")
    return [registry.resolve(m) for m in material]


# ---- production (mine and refinery products) ---------------------------------------------------------------


def _production_rows(
    store: Store, mats: Sequence[Material], wanted: tuple[int, int] | None, stage: str | None, lang: str
) -> tuple[list[dict[str, Any]], list[str], list[int]]:
    ids = _material_ids(mats)
    prod = store.table("production")
    sel = prod.filter(
        (prod.source == PRODUCTION_SOURCE)
        & prod.material.isin(list(ids))
        & prod.quantity.notnull()
        & (prod.quantity > 0)
    )
    if stage is not None:
        sel = sel.filter(sel.stage == stage)
    bounds = fetch(sel.aggregate(lo=sel.year.min(), hi=sel.year.max()))[0]
    span = None if bounds["lo"] is None else (int(bounds["lo"]), int(bounds["hi"]))
    what = "World Mining Data production of " + ", ".join(m.name() for m in mats[:3])
    if span is None:
        have = sorted({r.stage for m in ids for r in materials().wmd(m)})
        if stage is not None and have:
            raise InputError(
                "stage", stage, f"a stage World Mining Data has for this material: {', '.join(have)}"
            )
        raise InputError(
            "material", ", ".join(m.name() for m in mats[:5]), "a material with World Mining Data production"
        )
    lo, hi = check_years(wanted, span, what)
    sel = sel.filter(sel.year.between(lo, hi))
    keys = ["material", "commodity", "stage", "year", "country"]
    agg = fetch(sel.group_by(keys).aggregate(quantity=sel.quantity.sum()))
    groups: dict[tuple[str, str, str, int], dict[str, float]] = {}
    for row in agg:
        key = (row["material"], row["commodity"], row["stage"], int(row["year"]))
        groups.setdefault(key, {})[row["country"]] = row["quantity"]
    wgi, wgi_years = _wgi(store)
    rows = []
    for (mat_id, commodity, stg, year), supplies in groups.items():
        mat = ids[mat_id]
        screened = _screen(supplies, year, wgi, wgi_years)
        rows.append(
            {
                "material": mat_id,
                "material_name": mat.name(lang),
                "commodity": commodity,
                "stage": stg,
                "year": year,
                "scope": "world production",
                **screened,
                "top_country_name": country_name(screened["top_country"], lang),
                "source": PRODUCTION_SOURCE,
            }
        )
    found = {r["material"] for r in rows}
    missing = [
        m.name(lang)
        for m in mats
        if m.id not in found and not any(x.id in found for x in materials().members(m.id))
    ]
    return rows, missing, [lo, hi]


# ---- imports of one country (trade products) ---------------------------------------------------------------


def _import_rows(
    store: Store,
    mats: Sequence[Material],
    importer: Country | Group,
    wanted: tuple[int, int] | None,
    stage: str | None,
    lang: str,
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    plans, skipped = plan_imports(store, mats, [importer], wanted, None, stage)
    if not plans:
        raise InputError(
            "material",
            ", ".join(m.name() for m in mats[:5]),
            f"materials with imports recorded for {importer.name()}: " + "; ".join(skipped),
        )
    by_source: dict[str, list[tr.CodeChoice]] = {}
    for plan in plans:
        by_source.setdefault(plan.source, []).append(plan.choice)
    lo = min(p.years[0] for p in plans)
    hi = max(p.years[1] for p in plans)
    partners = fetch(
        tr.partner_totals(tr.flows(store, choices=by_source, importers=[importer], years=(lo, hi)))
    )
    wgi, wgi_years = _wgi(store)
    rows = []
    for plan in plans:
        per_year: dict[int, dict[str, float]] = {}
        for row in partners:
            if row["source"] != plan.source or row["material"] != plan.material.id:
                continue
            if not plan.years[0] <= row["year"] <= plan.years[1]:
                continue
            if row["exporter"] and (row["value"] or 0) > 0:
                per_year.setdefault(int(row["year"]), {})[row["exporter"]] = row["value"]
        for year, supplies in per_year.items():
            screened = _screen(supplies, year, wgi, wgi_years)
            rows.append(
                {
                    "material": plan.material.id,
                    "material_name": plan.material.name(lang),
                    "commodity": f"{plan.choice.classification} {', '.join(plan.choice.codes)}"
                    + (" (basket)" if plan.choice.basket else ""),
                    "stage": "/".join(plan.choice.stages),
                    "year": year,
                    "scope": f"imports of {importer.name(lang)} (value)",
                    **screened,
                    "top_country_name": country_name(screened["top_country"], lang),
                    "source": plan.source,
                }
            )
    return rows, skipped, sorted({p.source for p in plans}, key=list(tr.TRADE_SOURCES).index)


# ---- the public function -----------------------------------------------------------------------------------


class DeraParams(Params):
    """Parameters of :func:`dera` (dashboard and downloads; ``grondstof risk --method dera``)."""

    material: Annotated[MaterialsText, Cli(argument=True)] = "all"
    years: Years = None
    stage: Annotated[
        Literal["extraction", "processing"] | None,
        described("extraction or processing.", "extraction (winning) of processing (verwerking)."),
    ] = None
    country: Annotated[
        str | None,
        described(
            "Weight with this importer's view (optional).",
            "Weeg vanuit het perspectief van deze importeur (optioneel).",
            max_length=100,
        ),
        Cli(flags=("--country", "-c")),
    ] = None
    lang: Lang = "en"


def dera(
    material: str | Sequence[str] = "all",
    *,
    years: YearsArg = None,
    stage: str | None = None,
    country: str | None = None,
    store: Store | None = None,
    lang: str = "en",
) -> Result:
    """DERA-style screening: HHI (0–10 000), weighted country risk GLR and risk group 1–3, per year.

    HHI = Σ (100 s_i)²; GLR = Σ s_i × WGI_i (WGI = mean of the six World Bank dimensions, −2.5…2.5); risk
    group from the HHI × GLR matrix (:data:`RISK_MATRIX`). Method: DERA-Rohstoffliste (DERA/BGR, 2012–2023).

    Parameters
    ----------
    material:
        ``all`` (default), a name, symbol or alias, a comma list, ``crm`` or ``strategic``; a group also
        screens its members' World Mining Data sheets.
    years:
        A year or range; default the latest year with data.
    stage:
        ``extraction`` (mine products) or ``processing`` (refinery products); default both as published.
    country:
        None: shares of world production (World Mining Data). A country or ``EU27``: shares of its imports
        by partner, by value (the "trade products" screening), from the trade source the dependency
        analysis chooses per material.
    """
    store = store or open_store()
    if stage is not None and stage not in DERA_STAGES:
        raise InputError("stage", stage, "extraction or processing")
    mats = _resolve_materials(material)
    wanted = parse_years(years)
    notes = [
        f"HHI bands: low < {HHI_BANDS[0]:,.0f} ≤ moderate ≤ {HHI_BANDS[1]:,.0f} < high; GLR bands: low "
        f"risk > {GLR_BANDS[1]}, high risk < {GLR_BANDS[0]}; risk group from the 3 × 3 matrix in the module "
        "docstring (band edges of the 2023 DERA edition not verified against the report itself).",
        "WGI: mean of the six dimensions (World Bank 2024 release, data to 2023), latest year not after the "
        "data year; countries without a value are left out of the GLR (see wgi_coverage).",
    ]
    sources = [WGI_SOURCE]
    if country is None:
        rows, missing, span = _production_rows(store, mats, wanted, stage, lang)
        if not rows:
            raise InputError("material", material, "a material with World Mining Data production")
        notes.append(
            "Shares of the sum of countries' production in World Mining Data (mine or refinery output)."
        )
        if missing:
            notes.append("No World Mining Data production for: " + ", ".join(missing) + ".")
        sources.insert(0, PRODUCTION_SOURCE)
        query: dict[str, Any] = {
            "material": [m.id for m in mats],
            "years": span,
            "stage": stage,
            "country": None,
        }
        title = "DERA-style screening of world production"
    else:
        importer = countries().resolve_importer(country, parameter="country")
        rows, skipped, used = _import_rows(store, mats, importer, wanted, stage, lang)
        notes.append(
            f"Trade products: shares of the imports of {importer.name(lang)} by partner, by value"
            + (" (extra-EU partners only)" if isinstance(importer, Group) else "")
            + "; DERA itself screens world net exports by HS code."
        )
        notes.extend(f"Not covered — {text}" for text in skipped)
        sources = used + sources
        query = {"material": [m.id for m in mats], "years": wanted, "stage": stage, "country": importer.code}
        title = f"DERA-style screening of the imports of {importer.name(lang)}"
    rows.sort(key=lambda r: (-r["year"], -(r["risk_group"] or 0), -r["hhi_10000"], r["material"]))
    wgi_years = sorted({r["wgi_year"] for r in rows if r["wgi_year"] is not None})
    if wgi_years and any(r["wgi_year"] != r["year"] for r in rows):
        notes.append(f"WGI years used: {', '.join(map(str, wgi_years))} (the data years run later than WGI).")
    meta = {
        "query": query,
        "sources": store.cite(*sources),
        "units": {
            "hhi_10000": "0–10 000",
            "hhi": "0–1",
            "glr": "WGI scale −2.5…2.5",
            "shares": "fraction 0–1",
        },
        "method": {
            "hhi_bands": list(HHI_BANDS),
            "glr_bands": list(GLR_BANDS),
            "risk_matrix": {f"{c}/{r}": g for (c, r), g in RISK_MATRIX.items()},
        },
        "notes": notes,
    }
    return Result(title, DERA_FIELDS, rows, meta)
