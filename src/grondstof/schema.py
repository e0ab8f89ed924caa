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
            ("flag", S),  # r reported, e estimated, p provisional, W withheld, NA not available, "" unknown
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
    # Reserves by country (country null = the published world total). reserves null where the source
    # prints no number (NA, a bound such as >85,000,000, "Large"): reserves_text keeps what it printed.
    "reserves": pa.schema(
        [
            ("source", S),
            ("edition", S),  # the publication, e.g. "MCS 2026"
            ("commodity", S),
            ("material", S),
            ("country", S),
            ("year", I16),
            ("reserves", F64),
            ("reserves_text", S),
            ("unit", S),
            ("note", S),  # the source's note on the row (basis, JORC figures, "included in world total")
        ]
    ),
    # Production capacity by country where a source gives it (USGS MCS: refinery, smelter, plant capacity).
    "capacity": pa.schema(
        [
            ("source", S),
            ("edition", S),
            ("commodity", S),
            ("material", S),
            ("stage", S),
            ("country", S),  # ISO3; null for a world total or a label that is not one country
            ("country_label", S),  # as printed
            ("year", I16),
            ("capacity", F64),
            ("unit", S),
            ("flag", S),  # r reported, e estimated, "" as published
            ("note", S),
        ]
    ),
    # USGS MCS salient statistics of the United States, long: one row per file column and year.
    "usgs_salient": pa.schema(
        [
            ("source", S),
            ("edition", S),
            ("commodity", S),  # as published ("Cobalt", "Bauxite and Alumina")
            ("material", S),  # registry id of the column (a PGM or REE price may name one element)
            ("year", I16),
            ("column", S),  # the file's column name (a repeated name gets "#2", "#3" …)
            ("statistic", S),  # production, imports, exports, consumption, stocks, price, nir, …
            ("value", F64),  # null where withheld (W), not available (NA), a bound or text
            ("value_text", S),  # as printed
            ("unit", S),
            ("flag", S),  # "", W, NA, E (net exporter), >, <, range, lt_half_unit, text
        ]
    ),
    # Commodity prices: monthly (World Bank Pink Sheet) or annual (USGS MCS) series in the source's unit and
    # currency, never converted in the store.
    "prices": pa.schema(
        [
            ("source", S),
            ("series", S),  # the source's series name (with the file column for USGS)
            ("material", S),
            ("period", pa.date32()),  # first day of the month (monthly) or of the year (annual)
            ("frequency", S),  # monthly | annual
            ("value", F64),
            ("unit", S),  # e.g. $/mt, $/lb, $/troy oz, $/kg
            ("currency", S),  # USD (nominal)
            ("note", S),
        ]
    ),
    # BACI bilateral values of refined-stage codes, truncated upstream: for each importer its top 6 suppliers
    # and for each exporter its top 6 customers (union). No tonnes; every row carries that coverage.
    "trade_top_flows": pa.schema(
        [
            ("source", S),
            ("classification", S),  # HS02 (2002–2016) or HS17 (2017–2024)
            ("code", S),
            ("year", I16),
            ("exporter", S),
            ("importer", S),
            ("value", F64),
            ("currency", S),
            ("coverage", S),  # top6_union: the retained flows only (a lower bound of the true total)
        ]
    ),
    # The labels of the refined extract: label -> material, codes, stage and the extract's own caveat.
    "refined_codes": pa.schema(
        [
            ("source", S),
            ("label", S),
            ("name", S),  # the extract's name ("Nickel, unwrought")
            ("material", S),
            ("stage", S),  # registry stage of the refined code
            ("refined_stage", S),  # the extract's words ("unwrought metal")
            ("code", S),  # the HS6 code of the flows
            ("codes_all", pa.list_(S)),  # every refined code the extract names for the label
            ("ore_code", S),
            ("basket", pa.bool_()),  # the code also covers other materials (811292)
            ("flag_key", S),
            ("flag", S),
        ]
    ),
    # World trade indicators per label and year as published with the refined extract (world totals only).
    "world_trade_indicators": pa.schema(
        [
            ("source", S),
            ("label", S),
            ("title", S),
            ("material", S),
            ("code", S),
            ("year", I16),
            ("hhi_value", F64),  # exporter HHI of world trade value, 0–1
            ("hhi_tonnes", F64),  # exporter HHI of world trade tonnes, 0–1
            ("china_share_value", F64),  # 0–1 (published in percent)
            ("china_share_tonnes", F64),
            ("unit_value", F64),  # USD per tonne
            ("china_unit_value", F64),
            ("rest_unit_value", F64),
        ]
    ),
    # Raw-material content of the 25 CBS product groups (TNO, as used in the Dutch ICER).
    "product_content": pa.schema(
        [
            ("source", S),
            ("product_group", S),  # CBS CE25 name (Dutch)
            ("product_group_id", pa.int16()),
            ("material_label", S),  # TNO's (Dutch) name
            ("material", S),  # registry id; null when the registry has none (the label is kept)
            ("content", F64),
            ("unit", S),  # g/kg (assumed: the file states no unit)
            ("unit_assumption", S),
        ]
    ),
    # TNO supply-security indicators per raw material (price April 2021, volatility, HHI 2020).
    "tno_supply_indicators": pa.schema(
        [
            ("source", S),
            ("material_label", S),
            ("material", S),
            ("indicator", S),  # price_2021_04 | volatility | hhi_2020
            ("value", F64),
            ("unit", S),
            ("indicator_text", S),  # the file's own words
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
