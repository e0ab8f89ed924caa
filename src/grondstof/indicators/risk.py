"""Supply risk the ways the field scores it, side by side: GeoPolRisk, the EU method and DERA screening.

``risk(material, country, method=...)`` returns the method's own result (see :mod:`geopolrisk`,
:mod:`eu_supply_risk`, :mod:`dera`); ``method="all"`` returns one row per material and importer with the
headline figure of each method:

* GeoPolRisk (importer-specific): score = HHI × import risk, and the characterisation factor.
* EU supply risk (material-level, the EU 2023 method): the recomputed SR beside the published SR and EI.
* DERA (material-level, world production): HHI 0–10 000, weighted country risk (GLR) and the risk group.

The methods answer different questions (an importer's exposure; the EU's criticality; the concentration of
world supply), so they are shown next to each other, never combined into one number.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from grondstof.errors import GrondstofError, InputError
from grondstof.indicators._common import YearsArg, parse_years
from grondstof.parameters import Cli, CountriesText, Lang, MaterialsText, Params, Years, described
from grondstof.registry.countries import Group, countries
from grondstof.registry.materials import materials
from grondstof.result import Field, Result
from grondstof.store import Store, open_store

METHODS = ("geopolrisk", "eu-sr", "dera", "all")

ALL_FIELDS = [
    Field("material", "Material (id)", show=False),
    Field("material_name", "Material"),
    Field("importer", "Importer", show=False),
    Field("year", "Year", "year"),
    Field("geopolrisk_score", "GeoPolRisk score", "number", description="HHI × import risk, 0–1"),
    Field("geopolrisk_hhi", "Production HHI", "hhi"),
    Field("geopolrisk_import_risk", "Import risk", "number", description="0–1"),
    Field("geopolrisk_cf", "GeoPolRisk CF", "number", unit="kg Cu-eq/kg"),
    Field("eu_sr_recomputed", "EU SR (recomputed)", "number"),
    Field("eu_sr_published", "EU SR 2023 (published)", "number"),
    Field("eu_ei_published", "EU EI 2023 (published)", "number"),
    Field("dera_hhi_10000", "DERA HHI", "number", description="0–10 000"),
    Field("dera_glr", "DERA GLR", "number", description="production-weighted WGI, −2.5…2.5"),
    Field("dera_risk_group", "DERA risk group", "int", description="1 low, 2 medium, 3 high"),
    Field("notes", "Notes"),
]


class RiskParams(Params):
    """Parameters of :func:`risk` (``grondstof risk``, ``/api/v1/risk``)."""

    material: Annotated[MaterialsText, Cli(argument=True)]
    country: Annotated[
        CountriesText,
        described(
            "Importer(s): ISO2/ISO3 codes, English or Dutch names, EU27; a comma list.",
            "Importeur(s): ISO2/ISO3-codes, Engelse of Nederlandse namen, EU27; een kommalijst.",
            min_length=1,
            max_length=200,
        ),
    ] = "NL"
    years: Years = None
    method: Annotated[
        Literal["geopolrisk", "eu-sr", "dera", "all"],
        described(
            "geopolrisk, eu-sr, dera or all (side by side, never combined).",
            "geopolrisk, eu-sr, dera of all (naast elkaar, nooit gecombineerd).",
        ),
    ] = "geopolrisk"
    lang: Lang = "en"


def risk(
    material: str | Sequence[str],
    country: str = "NL",
    *,
    years: YearsArg = None,
    method: str = "geopolrisk",
    store: Store | None = None,
    lang: str = "en",
) -> Result:
    """Supply risk of ``material`` (a name, comma list or ``all``) for ``country`` by one or all methods."""
    store = store or open_store()
    if method not in METHODS:
        raise InputError("method", method, "one of " + ", ".join(METHODS))
    # Checked here for every method: some branches never read the years (all, eu-sr for the EU-27) or
    # the country (dera), and a parameter given must never be silently ignored when it is invalid.
    parse_years(years)
    if country:
        countries().resolve_importer(country)
    if method == "geopolrisk":
        from grondstof.indicators.geopolrisk import geopolrisk

        return geopolrisk(material, country, years=years, store=store, lang=lang)
    if method == "eu-sr":
        return _eu_sr(material, country, years, store, lang)
    if method == "dera":
        from grondstof.indicators.dera import dera

        return dera(material, years=years, store=store, lang=lang)
    return _all(material, country, years, store, lang)


def _eu_sr(
    material: str | Sequence[str], country: str | None, years: YearsArg, store: Store, lang: str
) -> Result:
    """The EU view for the EU-27 (or no country); the national variant for a country (trade ``years``)."""
    from grondstof.indicators.eu_supply_risk import eu_supply_risk

    importer = countries().resolve_importer(country) if country else None
    if importer is None or isinstance(importer, Group):
        return eu_supply_risk(material, store=store, lang=lang)
    span = parse_years(years)
    return eu_supply_risk(
        material, country=importer.code, year=span[1] if span else None, store=store, lang=lang
    )


def _all(material: str | Sequence[str], country: str, years: YearsArg, store: Store, lang: str) -> Result:
    """One row per material with each method's headline figures."""
    from grondstof.indicators.dera import dera
    from grondstof.indicators.eu_supply_risk import eu_supply_risk
    from grondstof.indicators.geopolrisk import geopolrisk

    importer = countries().resolve_importer(country)
    registry = materials()
    if isinstance(material, str):
        wanted = [m.id for m in registry.resolve_many(material)]
    else:
        wanted = [registry.resolve(m).id for m in material]
    rows: dict[str, dict[str, Any]] = {
        m: {
            "material": m,
            "material_name": registry.get(m).name(lang),
            "importer": importer.code,
            "notes": [],
        }
        for m in wanted
    }
    results: dict[str, Result] = {}
    for name, call in (
        ("geopolrisk", lambda: geopolrisk(wanted, importer.code, years=years, store=store, lang=lang)),
        ("eu-sr", lambda: eu_supply_risk(wanted, store=store, lang=lang)),
        ("dera", lambda: dera(wanted, store=store, lang=lang)),
    ):
        try:
            results[name] = call()
        except GrondstofError as exc:
            for row in rows.values():
                row["notes"].append(f"{name}: {exc}")
    for r in results.get("geopolrisk", Result("", [], [])).rows:
        found = rows.get(r["material"])
        if found is None or r.get("importer") != importer.code:
            continue
        if found.get("year") is None or (r.get("year") or 0) > found["year"]:
            found.update(
                year=r.get("year"),
                geopolrisk_score=r.get("score"),
                geopolrisk_hhi=r.get("hhi"),
                geopolrisk_import_risk=r.get("import_risk"),
                geopolrisk_cf=r.get("cf"),
            )
            if r.get("score") is None and r.get("note"):
                found["notes"].append(f"GeoPolRisk: {r['note']}")
    for r in results.get("eu-sr", Result("", [], [])).rows:
        found = rows.get(r["material"])
        if found is not None:
            found.update(
                eu_sr_recomputed=r.get("sr_recomputed"),
                eu_sr_published=r.get("sr_published"),
                eu_ei_published=r.get("ei_published"),
            )
    for r in results.get("dera", Result("", [], [])).rows:
        found = rows.get(r["material"])
        if found is not None and found.get("dera_hhi_10000") is None:
            found.update(
                dera_hhi_10000=r.get("hhi_10000"), dera_glr=r.get("glr"), dera_risk_group=r.get("risk_group")
            )
    out = []
    for found in rows.values():
        found["notes"] = "; ".join(found["notes"])
        if any(found.get(k) is not None for k in ("geopolrisk_score", "eu_sr_published", "dera_hhi_10000")):
            out.append({f.name: found.get(f.name) for f in ALL_FIELDS})
    out.sort(key=lambda r: -(r["geopolrisk_score"] or -1))
    sources: dict[str, Any] = {}
    notes: list[str] = [
        "GeoPolRisk is specific to the importer; the EU SR (2023 method, EU view) and DERA (world "
        "production) are material-level. The methods are shown side by side, never combined.",
    ]
    for result in results.values():
        for source in result.meta.get("sources", []):
            sources.setdefault(source.get("id", source.get("title")), source)
    meta = {
        "query": {"material": wanted, "importer": importer.code, "years": years, "method": "all"},
        "sources": list(sources.values()),
        "notes": notes,
        "methods": {
            name: {"title": r.title, "notes": r.meta.get("notes", [])} for name, r in results.items()
        },
    }
    return Result(f"Supply risk by three methods — {importer.name(lang)}", ALL_FIELDS, out, meta)
