"""The registries as results: the material list and the country concordance, for people and scripts."""

from __future__ import annotations

from typing import Annotated, Literal

from grondstof.errors import InputError
from grondstof.parameters import Cli, Lang, Params, described
from grondstof.registry.countries import countries
from grondstof.registry.materials import materials
from grondstof.result import Field, Result

MATERIAL_FIELDS = [
    Field("id", "Id"),
    Field("name_en", "English"),
    Field("name_nl", "Nederlands"),
    Field("symbol", "Symbol"),
    Field("category", "Category"),
    Field("groups", "Groups"),
    Field("eu_crm_2023", "EU critical 2023", "bool"),
    Field("crma_strategic", "CRMA strategic", "bool"),
    Field("crma_critical", "CRMA Annex II", "bool"),
    Field("hs92", "HS92 codes"),
    Field("cn8", "CN8 codes"),
    Field("hs17", "HS17 codes"),
    Field("wmd", "World Mining Data"),
    Field("coverage", "Coverage note"),
]

COUNTRY_FIELDS = [
    Field("iso3", "ISO3"),
    Field("iso2", "ISO2"),
    Field("iso_numeric", "ISO numeric"),
    Field("baci_codes", "BACI code(s)"),
    Field("comtrade_code", "Comtrade code"),
    Field("name_en", "English"),
    Field("name_nl", "Nederlands"),
    Field("kind", "Kind"),
    Field("eu_join", "EU member since", "date"),
    Field("eu_leave", "EU member until", "date"),
    Field("aliases", "Aliases"),
]


class MaterialsParams(Params):
    """Parameters of :func:`list_materials` (``grondstof materials``, ``/api/v1/materials``)."""

    which: Annotated[
        Literal["all", "crm", "strategic"],
        described(
            "all, crm (EU critical 2023) or strategic (CRMA Annex I).",
            "all, crm (kritiek volgens de EU, 2023) of strategic (CRMA bijlage I).",
            alias="list",
        ),
        Cli(flags=("--list",)),
    ] = "all"
    lang: Lang = "en"


class CountriesParams(Params):
    """Parameters of :func:`list_countries` (``grondstof countries``, ``/api/v1/countries``)."""

    eu_only: Annotated[
        bool,
        described("Only (former) EU members.", "Alleen (voormalige) EU-lidstaten.", alias="eu"),
        Cli(flags=("--eu",)),
    ] = False


def list_materials(which: str = "all", lang: str = "en", store: object = None) -> Result:
    """The material registry: ``all``, ``crm`` (EU critical 2023 / CRMA Annex II) or ``strategic``."""
    registry = materials()
    if which == "all":
        mats = registry.all()
    elif which == "crm":
        mats = registry.crm_2023()
    elif which == "strategic":
        mats = registry.strategic()
    else:
        raise InputError("list", which, "all, crm or strategic")
    rows = []
    for m in mats:
        codes = {c: sorted({x.code for x in registry.codes(m.id, c)}) for c in ("HS92", "CN8", "HS17")}
        rows.append(
            {
                "id": m.id,
                "name_en": m.name_en,
                "name_nl": m.name_nl,
                "symbol": m.symbol,
                "category": m.category,
                "groups": list(m.groups),
                "eu_crm_2023": m.eu_crm_2023,
                "crma_strategic": m.crma_strategic,
                "crma_critical": m.crma_critical,
                "hs92": codes["HS92"],
                "cn8": codes["CN8"],
                "hs17": codes["HS17"],
                "wmd": [w.wmd_commodity for w in registry.wmd(m.id)],
                "coverage": m.coverage_note(lang),
            }
        )
    meta = {
        "query": {"list": which},
        "count": len(rows),
        "sources": [{"title": "grondstof material registry (materials.csv, material_codes.csv)"}],
    }
    return Result(f"Materials ({which})", MATERIAL_FIELDS, rows, meta)


def list_countries(eu_only: bool = False, store: object = None) -> Result:
    """The country concordance (ISO, BACI, Comtrade codes; English and Dutch names; EU membership)."""
    registry = countries()
    rows = []
    for c in registry.all():
        if eu_only and c.eu_join is None:
            continue
        rows.append(
            {
                "iso3": c.iso3,
                "iso2": c.iso2,
                "iso_numeric": c.iso_numeric,
                "baci_codes": list(c.baci_codes),
                "comtrade_code": c.comtrade_code,
                "name_en": c.name_en,
                "name_nl": c.name_nl,
                "kind": c.kind,
                "eu_join": c.eu_join,
                "eu_leave": c.eu_leave,
                "aliases": list(c.aliases),
            }
        )
    meta = {
        "query": {"eu_only": eu_only},
        "count": len(rows),
        "sources": [
            {
                "title": "grondstof country concordance (countries.csv): ISO 3166-1 via Debian "
                "iso-codes/pycountry, BACI and Comtrade exceptions, WGI and Eurostat codes"
            }
        ],
    }
    return Result("Countries", COUNTRY_FIELDS, rows, meta)
