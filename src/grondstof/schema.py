"""Canonical tables of the store and their Arrow schemas.

Every source parser yields some of these tables; several sources may feed one table (``trade`` holds BACI,
Comext and the other trade extracts side by side, told apart by ``source``). Countries are ISO3 codes from
the country registry; materials are registry ids. Units are fixed per column unless a ``unit``/``currency``
column says otherwise.
"""

from __future__ import annotations

import pyarrow as pa

S = pa.string()
I16 = pa.int16()
F64 = pa.float64()

TABLES: dict[str, pa.Schema] = {
    # Bilateral annual trade. value in `currency` (USD for BACI, EUR for Comext), tonnes may be null.
    "trade": pa.schema(
        [
            ("source", S),
            ("classification", S),  # HS92, HS07, HS17, HS22 (HS4 level), CN8
            ("code", S),
            ("year", I16),
            ("exporter", S),
            ("importer", S),
            ("value", F64),
            ("currency", S),
            ("tonnes", F64),
        ]
    ),
    # World totals per code and year where a source gives them (the comflow top-200 extract).
    "trade_totals": pa.schema(
        [
            ("source", S),
            ("classification", S),
            ("code", S),
            ("year", I16),
            ("value", F64),
            ("currency", S),
            ("tonnes", F64),
            ("pairs", pa.int32()),
        ]
    ),
    # Monthly reporter-side trade (UN Comtrade China exports). qty in kg as reported.
    "trade_monthly": pa.schema(
        [
            ("source", S),
            ("classification", S),
            ("code", S),
            ("period", pa.date32()),
            ("flow", S),  # X = exports
            ("reporter", S),
            ("partner", S),
            ("value", F64),
            ("currency", S),
            ("quantity_kg", F64),
        ]
    ),
    # Production by country. stage per the registry (extraction/processing); quantity in `unit`.
    "production": pa.schema(
        [
            ("source", S),
            ("commodity", S),  # the source's own label (WMD sheet, USGS commodity)
            ("material", S),
            ("stage", S),
            ("country", S),
            ("year", I16),
            ("quantity", F64),
            ("unit", S),
            ("flag", S),  # r reported, e estimated, p provisional, "" unknown
        ]
    ),
    # World totals as published by the source (not recomputed).
    "production_totals": pa.schema(
        [
            ("source", S),
            ("commodity", S),
            ("material", S),
            ("stage", S),
            ("year", I16),
            ("quantity", F64),
            ("unit", S),
        ]
    ),
    "reserves": pa.schema(
        [
            ("source", S),
            ("commodity", S),
            ("material", S),
            ("country", S),
            ("year", I16),
            ("reserves", F64),
            ("reserves_text", S),
            ("unit", S),
        ]
    ),
    # Worldwide Governance Indicators, long: indicator in va, pv, ge, rq, rl, cc.
    "governance": pa.schema(
        [
            ("source", S),
            ("country", S),
            ("year", I16),
            ("indicator", S),
            ("estimate", F64),
            ("stderr", F64),
            ("nsource", F64),
            ("pctrank", F64),
        ]
    ),
    # EU CRM assessment results (2011–2023): supply risk and economic importance.
    "eu_crm_scores": pa.schema(
        [("material", S), ("material_label", S), ("year", I16), ("sr", F64), ("ei", F64)]
    ),
    # EU 2023 study Appendix 7: global supply shares and EU sourcing shares per stage with trade factor t.
    "eu_crm_supply": pa.schema(
        [
            ("scope", S),  # global | eu_sourcing
            ("material", S),
            ("material_label", S),
            ("stage", S),  # extraction | processing
            ("country", S),  # ISO3, null for labels such as "Other"
            ("country_label", S),
            ("share", F64),  # fraction 0–1; "<0.1%" stored as 0.0005 with share_text kept
            ("share_text", S),
            ("t", F64),
        ]
    ),
    "eu_crm_uses": pa.schema(
        [
            ("material", S),
            ("material_label", S),
            ("application", S),
            ("share", F64),
            ("nace_sector", S),
            ("value_added_meur", F64),
        ]
    ),
    "eu_crm_groupings": pa.schema(
        [
            ("screened_material", S),
            ("material", S),
            ("perm_noXREE_noPGM", S),
            ("perm_noXREE_PGM", S),
            ("perm_XREE_noPGM", S),
            ("perm_XREE_PGM", S),
        ]
    ),
    "crma_lists": pa.schema(
        [("list", S), ("annex", S), ("point", S), ("raw_material", S), ("material", S), ("source_text", S)]
    ),
    "crma_benchmarks": pa.schema(
        [
            ("benchmark", S),
            ("metric", S),
            ("value", F64),
            ("target_year", I16),
            ("meaning", S),
            ("source_text", S),
        ]
    ),
    # Material intensities: kg per unit of technology (MW, vehicle, kWh).
    "intensity": pa.schema(
        [
            ("source", S),
            ("technology", S),  # offshore_wind, electric_car, battery:NMC 811, ...
            ("material", S),
            ("material_label", S),
            ("intensity", F64),
            ("unit", S),  # kg/MW, kg/vehicle, kg/kWh
        ]
    ),
    "demand_growth": pa.schema(
        [("source", S), ("material", S), ("scenario", S), ("multiple", F64), ("meaning", S)]
    ),
    "export_controls": pa.schema(
        [
            ("id", S),
            ("country", S),
            ("country_label", S),
            ("materials", pa.list_(S)),  # registry ids it touches (may be empty)
            ("materials_text", S),
            ("measure_type", S),
            ("scope", S),
            ("legal_instrument", S),
            ("announced", pa.date32()),
            ("effective", pa.date32()),
            ("ended", pa.date32()),
            ("suspension_until", pa.date32()),
            ("announced_text", S),
            ("effective_text", S),
            ("ended_text", S),
            ("destination_scope", S),
            ("status_note", S),
            ("sources", S),
            ("verification", S),
        ]
    ),
    # The HS mapping GeoPolRisk uses (geopolrisk-py's hs_code_map), kept as the method defines it.
    "geopolrisk_hs_map": pa.schema(
        [
            ("wmd_commodity", S),
            ("material", S),
            ("reference_id", S),
            ("stage", S),
            ("symbol", S),
            ("eol_rir", F64),
            ("hs_codes", pa.list_(S)),  # main code first, then the complementary ones
            ("description", S),
        ]
    ),
}


def empty(name: str) -> pa.Table:
    """Return an empty table with the canonical schema of ``name``."""
    return TABLES[name].empty_table()


def conform(name: str, table: pa.Table) -> pa.Table:
    """Cast ``table`` to the canonical schema of ``name`` (column order and types), or raise ValueError."""
    schema = TABLES[name]
    missing = [f.name for f in schema if f.name not in table.column_names]
    extra = [c for c in table.column_names if c not in schema.names]
    if missing or extra:
        raise ValueError(f"table {name}: missing columns {missing}, unexpected columns {extra}")
    return table.select(schema.names).cast(schema)
