"""Eurostat Comext (DS-045409) bilateral imports at CN8: the shared EU-27 extract and the official bulk files.

Shared extract layout (``comext_eu27_crm_cn8/eu_comext_critical_inputs_cn8_2022_2024.csv``, filtered by the
``burvolapp-arch/isi-backend`` repository to 66 CN8 codes): ``DECLARANT_ISO,PARTNER_ISO,PRODUCT_NC,FLOW,
PERIOD,VALUE_IN_EUROS`` — reporting member state and partner as ISO2/Eurostat geo codes (Greece ``EL``,
Serbia ``XS``, Kosovo ``XK``, Ceuta ``XC``; Namibia ``NA``), CN8 code as text, FLOW 1 = import, PERIOD a year,
value in euros. No quantities.

Official bulk layouts (Eurostat bulk download, ``comext/COMEXT_DATA/PRODUCTS``), detected by header:

* legacy "full" files (``fullYYYYMM.dat``; ``fullYYYY52.dat`` = the whole year): ``DECLARANT, DECLARANT_ISO,
  PARTNER, PARTNER_ISO, TRADE_TYPE, PRODUCT_NC, PRODUCT_SITC, PRODUCT_CPA2002, PRODUCT_CPA2008,
  PRODUCT_CPA2_1, PRODUCT_BEC, PRODUCT_BEC5, PRODUCT_SECTION, FLOW, STAT_REGIME, SUPP_UNIT, PERIOD,
  VALUE_IN_EUROS, QUANTITY_IN_KG, SUP_QUANTITY`` (older years lack PRODUCT_BEC5 or spell ``PRODUCT_cpa2002``);
* current "full_v2" files (``full_v2_YYYYMM.7z``, unpacked to ``full_YYYYMM.dat``): ``REPORTER, PARTNER,
  TRADE_TYPE, PRODUCT_NC, PRODUCT_SITC, PRODUCT_CPA21, PRODUCT_CPA22, PRODUCT_BEC, PRODUCT_BEC5,
  PRODUCT_SECTION, FLOW, STAT_PROCEDURE, SUPPL_UNIT, PERIOD, VALUE_EUR, VALUE_NAC, QUANTITY_KG,
  QUANTITY_SUPPL_UNIT``.

In both, PERIOD is ``YYYYMM`` for a month and ``YYYY52`` for the annual file. Only annual data is read: a
monthly period is refused, because one monthly file summed to a "year" would silently be a partial year and
Eurostat's annual figures are revised separately from the months. One bulk row exists per statistical
procedure (normal trade, inward/outward processing, not recorded); the rows are summed per declarant,
partner, product and year, which is Eurostat's total over procedures.

Everything becomes canonical ``trade`` rows: exporter = partner, importer = declarant, classification
``CN8``, value in EUR (currency ``EUR`` — Comext import values are customs values, CIF at the EU border, not
converted to USD), tonnes = QUANTITY_IN_KG / 1000 (bulk only; null for the extract). Only imports (FLOW 1)
are kept; export rows (FLOW 2) are validated, counted and dropped (a future exports table could use them).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from grondstof.errors import SourceFormatError
from grondstof.registry.countries import countries
from grondstof.schema import conform, empty
from grondstof.sources import _duck
from grondstof.sources._base import (
    SourceInfo,
    check_header,
    check_unique,
    float_column,
    int_column,
    map_column,
    read_csv_text,
    read_header,
    text_column,
)

logger = logging.getLogger(__name__)

INFO = SourceInfo(
    id="comext_cn8",
    title="Eurostat Comext EU-27 imports by partner, 66 critical-input CN8 codes, 2022–2024",
    publisher="Eurostat (extract by GitHub burvolapp-arch/isi-backend)",
    licence="Eurostat reuse policy (Commission Decision 2011/833/EU, CC BY 4.0 equivalent; acknowledge "
    "'Source: Eurostat'); the extract's repository states no licence",
    version="DS-045409 annual data 2022–2024 as extracted at isi-backend commit "
    "6e7d59d71009257254cb61d5345e4fbaae48f7fe",
    citation="Eurostat, EU trade since 1988 by HS2-4-6 and CN8 (DS-045409), Comext; extract "
    "data/raw/critical_inputs/eu_comext_critical_inputs_cn8_2022_2024.csv of burvolapp-arch/isi-backend",
    url="https://ec.europa.eu/eurostat/comext/newxtweb/",
    files=("comext_eu27_crm_cn8/eu_comext_critical_inputs_cn8_*.csv",),
    tables=("trade",),
    notes="Imports (FLOW 1) of the 27 member states from every partner (intra- and extra-EU), values only: "
    "tonnes are null. Values are customs values in EUR (CIF at the EU border), not USD and not FOB like "
    "BACI. "
    "Partner = country of origin for extra-EU imports and of consignment for intra-EU imports, so re-routing "
    "via BE/DE/NL shows up as EU partners. Values of non-euro declarants (PL, SE, CZ, DK, HU, RO, BG, HR in "
    "2022) carry decimals: Eurostat converted them from national currency. 23 rows have value 0. "
    "Confidential flows are absent from the extract. Greece is EL as declarant and GR as partner; both "
    "become GRC.",
    units={"value": "EUR (customs value, CIF)", "tonnes": "not available (null)"},
)

BULK_INFO = SourceInfo(
    id="comext_cn8_bulk",
    title="Eurostat Comext bulk files (DS-045409), annual, all CN8 codes",
    publisher="Eurostat",
    licence="Eurostat reuse policy (Commission Decision 2011/833/EU, CC BY 4.0 equivalent; acknowledge "
    "'Source: Eurostat')",
    version="as named in the files (fullYYYY52 / full_v2_YYYY52)",
    citation="Eurostat, EU trade since 1988 by HS2-4-6 and CN8 (DS-045409), Comext bulk download",
    url="https://ec.europa.eu/eurostat/databrowser/bulk?lang=en&selectedTab=fileComext",
    files=("comext/full*.dat", "comext/full*.dat.gz", "comext/full*.csv", "comext/full*.csv.gz"),
    tables=("trade",),
    notes="Optional: unpack Eurostat's annual bulk files (full_v2_YYYY52.7z) into <data>/comext/. Imports "
    "only; "
    "values in EUR (CIF customs value), tonnes = QUANTITY_IN_KG / 1000 summed over statistical procedures "
    "(null when any part lacks a quantity). Monthly files are refused. PRODUCT_NC 'TOTAL' rows and "
    "confidential chapter codes (e.g. '28SSS000') are dropped; partners that are not countries (Eurostat Q "
    "codes: high seas, stores and provisions, not specified, secret) are kept with a null exporter.",
    units={"value": "EUR (customs value, CIF)", "tonnes": "metric tonnes (QUANTITY_IN_KG / 1000)"},
    required=False,
)

EXTRACT_COLUMNS = ("DECLARANT_ISO", "PARTNER_ISO", "PRODUCT_NC", "FLOW", "PERIOD", "VALUE_IN_EUROS")
# Columns read from each bulk layout, by role. The product-classification columns (SITC, CPA, BEC, …) are
# derived from PRODUCT_NC and are not read.
BULK_COLUMNS = {
    "declarant": "DECLARANT_ISO",
    "partner": "PARTNER_ISO",
    "product": "PRODUCT_NC",
    "flow": "FLOW",
    "regime": "STAT_REGIME",
    "period": "PERIOD",
    "value": "VALUE_IN_EUROS",
    "kg": "QUANTITY_IN_KG",
}
BULK_V2_COLUMNS = {
    "declarant": "REPORTER",
    "partner": "PARTNER",
    "product": "PRODUCT_NC",
    "flow": "FLOW",
    "regime": "STAT_PROCEDURE",
    "period": "PERIOD",
    "value": "VALUE_EUR",
    "kg": "QUANTITY_KG",
}
EXTRACT_NAMES = {
    "declarant": "DECLARANT_ISO",
    "partner": "PARTNER_ISO",
    "product": "PRODUCT_NC",
    "flow": "FLOW",
    "period": "PERIOD",
    "value": "VALUE_IN_EUROS",
}

# Eurostat partner codes that are not a country (GEONOM "Q" codes). Their trade is real and belongs in the
# declarant's total imports, so the rows are kept with a null exporter (the project's convention for
# non-country labels) rather than dropped or refused.
NON_COUNTRY_PARTNERS: dict[str, str] = {
    "QP": "high seas",
    "QQ": "stores and provisions (intra-EU)",
    "QR": "stores and provisions (extra-EU)",
    "QS": "stores and provisions (within extra-EU trade)",
    "QU": "countries and territories not specified",
    "QV": "countries and territories not specified (intra-EU)",
    "QW": "countries and territories not specified (extra-EU)",
    "QX": "not specified for commercial or military reasons",
    "QY": "secret countries (intra-EU)",
    "QZ": "secret countries (extra-EU)",
}

CN8 = r"^\d{8}$"
# Bulk files also hold "TOTAL" rows and confidential codes: the chapter followed by letters ("28SSS000").
BULK_PRODUCT = r"^(TOTAL|\d{2}[0-9A-Z]{6})$"
# PERIOD: a year (extract), YYYY52 (annual bulk file) or YYYYMM (monthly bulk file, refused).
PERIOD_PATTERN = r"^\d{4}(\d{2})?$"
MONTHLY = r"^\d{4}(0[1-9]|1[0-2])$"


@dataclass(frozen=True)
class ComextRead:
    """What one Comext file yielded: canonical import rows plus the counts of rows deliberately left out."""

    layout: str  # "extract", "bulk" (legacy full files) or "bulk_v2" (full_v2 files)
    imports: pa.Table
    export_rows: int = 0
    total_rows: int = 0
    confidential_rows: int = 0
    non_country_partner_rows: int = 0

    def note(self) -> str:
        """One line on what was dropped or kept without a country, empty when nothing was."""
        parts = []
        if self.export_rows:
            parts.append(f"{self.export_rows} export rows (FLOW 2) dropped")
        if self.total_rows:
            parts.append(f"{self.total_rows} PRODUCT_NC TOTAL rows dropped")
        if self.confidential_rows:
            parts.append(f"{self.confidential_rows} confidential-product rows dropped")
        if self.non_country_partner_rows:
            parts.append(
                f"{self.non_country_partner_rows} rows with a non-country partner kept with a null exporter"
            )
        return "; ".join(parts)


def _refuse(path: Path, column: str, values: pa.Array, bad: pa.Array, expected: str) -> None:
    """Raise for the first true entry of ``bad`` (row i is physical line i + 2)."""
    bad = pc.fill_null(bad, True)
    count = pc.sum(bad).as_py() or 0
    if count:
        index = pc.index(bad, True).as_py()
        raise SourceFormatError(
            path, expected, line=index + 2, column=column, value=values[index].as_py(), more=count - 1
        )


def _iso2_to_iso3(values: object) -> dict[object, str | None]:
    return countries().map_codes(values, "iso2")  # type: ignore[arg-type]


def detect_layout(path: Path) -> str:
    """Return ``extract``, ``bulk`` or ``bulk_v2`` from the header of ``path``; refuse anything else."""
    header = {h.strip() for h in read_header(path)}
    if {"REPORTER", "VALUE_EUR"} <= header:
        return "bulk_v2"
    if header & {"DECLARANT", "STAT_REGIME", "QUANTITY_IN_KG", "TRADE_TYPE"}:
        return "bulk"
    if "DECLARANT_ISO" in header or "VALUE_IN_EUROS" in header:
        return "extract"
    raise SourceFormatError(
        path,
        "a Comext header: the extract's "
        + ",".join(EXTRACT_COLUMNS)
        + ", or a bulk layout with "
        + ",".join(BULK_COLUMNS.values())
        + " (full files) or "
        + ",".join(BULK_V2_COLUMNS.values())
        + " (full_v2 files)",
        line=1,
        value=",".join(sorted(header)),
    )


def _read_bulk(path: Path, names: dict[str, str]) -> pa.Table:
    """Read only the needed columns of a (large) bulk file, all as text."""
    check_header(path, list(names.values()), allow_extra=True)
    header = read_header(path)
    columns = list(names.values())
    try:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=True, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in columns},
                include_columns=columns,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise SourceFormatError(path, f"a well-formed CSV with {len(header)} fields per row ({exc})") from exc


def _years(raw: pa.Table, column: str, path: Path) -> pa.Array:
    """Validate PERIOD and return the year; monthly periods are refused with an explanation."""
    period = text_column(
        raw, column, path, pattern=PERIOD_PATTERN, expected="a year YYYY or an annual period YYYY52"
    )
    _refuse(
        path,
        column,
        period,
        pc.match_substring_regex(period, MONTHLY),
        "annual data (PERIOD YYYY or YYYY52): monthly periods are not summed into years, since a monthly "
        "file would pass for a partial year — use the annual bulk file full_v2_YYYY52",
    )
    suffix = pc.utf8_slice_codeunits(period, 4, 6)
    _refuse(
        path,
        column,
        period,
        pc.invert(pc.is_in(suffix, value_set=pa.array(["", "52"]))),
        "a year YYYY or an annual period YYYY52",
    )
    year = pc.cast(pc.utf8_slice_codeunits(period, 0, 4), pa.int64())
    _refuse(
        path,
        column,
        period,
        pc.or_(pc.less(year, 1988), pc.greater(year, 2100)),
        "a year between 1988 and 2100",
    )
    return pc.cast(year, pa.int16())


def read_comext_file(path: Path) -> ComextRead:
    """Validate one Comext file (extract or bulk layout) and return its import rows and drop counts.

    Every row is validated — exports and dropped rows included — so a malformed file is refused whole.
    """
    layout = detect_layout(path)
    bulk = layout != "extract"
    if layout == "extract":
        names = EXTRACT_NAMES
        raw = read_csv_text(path, EXTRACT_COLUMNS)
    else:
        names = BULK_COLUMNS if layout == "bulk" else BULK_V2_COLUMNS
        raw = _read_bulk(path, names)
    n = raw.num_rows

    country = "an ISO2 / Eurostat geo code (two capital letters)"
    declarant_code = text_column(raw, names["declarant"], path, pattern=r"^[A-Z]{2}$", expected=country)
    partner_code = text_column(raw, names["partner"], path, pattern=r"^[A-Z]{2}$", expected=country)
    if bulk:
        product = text_column(
            raw,
            names["product"],
            path,
            pattern=BULK_PRODUCT,
            expected="an 8-digit CN code as text, TOTAL or a confidential code such as 28SSS000",
        )
    else:
        product = text_column(raw, names["product"], path, pattern=CN8, expected="an 8-digit CN code as text")
    flow = int_column(raw, names["flow"], path, lo=1, hi=2, expected="FLOW 1 (import) or 2 (export)")
    year = _years(raw, names["period"], path)
    value = float_column(raw, names["value"], path, lo=0, expected="a value in euros of at least 0")
    if bulk:
        regime = text_column(
            raw, names["regime"], path, pattern=r"^\d$", expected="a statistical procedure code (one digit)"
        )
        kg = float_column(
            raw, names["kg"], path, missing=("",), lo=0, expected="a quantity in kg of at least 0, or empty"
        )
    else:
        regime = pa.array([""] * n, pa.string())
        kg = pa.nulls(n, pa.float64())

    importer = map_column(
        declarant_code,
        _iso2_to_iso3,
        path,
        names["declarant"],
        "a declarant code known to the country registry (ISO2, or Eurostat's EL/UK)",
    )
    exporter = map_column(partner_code, _iso2_to_iso3, path, names["partner"], "", allow_unmapped=True)
    non_country = pc.is_in(partner_code, value_set=pa.array(sorted(NON_COUNTRY_PARTNERS)))
    _refuse(
        path,
        names["partner"],
        partner_code,
        pc.and_(pc.is_null(exporter), pc.invert(non_country)),
        "a partner code known to the country registry (ISO2 or a Eurostat geo code such as XS, XK, XC) "
        "or one of Eurostat's non-country codes " + ", ".join(NON_COUNTRY_PARTNERS),
    )

    # One row per key, compared on registry codes so that aliases (GR and EL) cannot hide a duplicate;
    # non-country partners keep their own code here so that QU and QZ stay distinct.
    key = {
        names["declarant"]: importer,
        names["partner"]: pc.coalesce(exporter, partner_code),
        names["product"]: product,
        names["flow"]: flow,
        names["period"]: year,
    }
    if bulk:
        key[names["regime"]] = regime
    check_unique(pa.table(key), list(key), path)

    is_cn8 = pc.match_substring_regex(product, CN8)
    is_total = pc.equal(product, "TOTAL")
    is_import = pc.equal(flow, 1)
    keep = pc.and_(is_import, is_cn8)
    rows = pa.table(
        {"year": year, "exporter": exporter, "importer": importer, "code": product, "value": value, "kg": kg}
    ).filter(keep)
    # Sum over statistical procedures (bulk) and over non-country partners mapped to null; skip_nulls=False
    # keeps a total quantity null when any part of it is missing instead of under-counting it.
    summed = rows.group_by(["year", "exporter", "importer", "code"], use_threads=False).aggregate(
        [("value", "sum"), ("kg", "sum", pc.ScalarAggregateOptions(skip_nulls=False))]
    )
    summed = summed.sort_by(
        [("year", "ascending"), ("importer", "ascending"), ("exporter", "ascending"), ("code", "ascending")]
    )
    m = summed.num_rows
    table = pa.table(
        {
            "source": pa.array([INFO.id if layout == "extract" else BULK_INFO.id] * m, pa.string()),
            "classification": pa.array(["CN8"] * m, pa.string()),
            "code": summed.column("code"),
            "year": summed.column("year"),
            "exporter": summed.column("exporter"),
            "importer": summed.column("importer"),
            "value": summed.column("value_sum"),
            "currency": pa.array(["EUR"] * m, pa.string()),
            "tonnes": pc.divide(summed.column("kg_sum"), 1000.0),
        }
    )

    def count(mask: pa.Array) -> int:
        return int(pc.sum(pc.cast(mask, pa.int64())).as_py() or 0)

    return ComextRead(
        layout=layout,
        imports=conform("trade", table),
        export_rows=count(pc.invert(is_import)),
        total_rows=count(pc.and_(is_import, is_total)),
        confidential_rows=count(pc.and_(is_import, pc.invert(pc.or_(is_cn8, is_total)))),
        non_country_partner_rows=count(pc.and_(keep, non_country)),
    )


def parse_comext_file(path: Path) -> pa.Table:
    """Parse one Comext file (layout detected from the header) into canonical ``trade`` import rows.

    Rows left out on purpose (exports, TOTAL, confidential products) are counted and logged at INFO level;
    use :func:`read_comext_file` to get the counts.
    """
    read = read_comext_file(path)
    if read.note():
        logger.info("%s (%s layout): %s", path, read.layout, read.note())
    return read.imports


def parse(data_dir: Path) -> dict[str, pa.Table]:
    """Parse the shared EU-27 CN8 extract found in ``data_dir``."""
    parts = [parse_comext_file(p) for p in INFO.find_files(data_dir)]
    return {"trade": pa.concat_tables(parts) if parts else empty("trade")}


def parse_bulk(data_dir: Path) -> dict[str, pa.Table]:
    """Parse Eurostat's annual bulk files found under ``data_dir/comext`` (one file per year)."""
    parts = [parse_comext_file(p) for p in BULK_INFO.find_files(data_dir)]
    if not parts:
        return {"trade": empty("trade")}
    table = pa.concat_tables(parts)
    years = [pc.unique(p.column("year")).to_pylist() for p in parts]
    seen: dict[int, Path] = {}
    for path, file_years in zip(BULK_INFO.find_files(data_dir), years, strict=True):
        for y in file_years:
            if y in seen:
                raise SourceFormatError(
                    path,
                    f"each year in one bulk file only; {y} is also in {seen[y].name}",
                    column="PERIOD",
                    value=y,
                )
            seen[y] = path
    return {"trade": table}


# -- streaming build of the bulk files (DuckDB) ------------------------------------------------------------
#
# A full annual bulk file holds every CN8 product (tens of millions of rows). Each file is read by one
# DuckDB statement that applies the checks of read_comext_file as SQL, keeps the import rows of the codes
# the registry maps (or all CN8 codes with --all-products), sums them over statistical procedures and
# writes Parquet. A failed statement is located by read_comext_file itself (exact line, column, value).


def _iso2_lookup(con: Any) -> str:
    """A temporary table two-letter code -> ISO3 (an ENUM) covering every code the registry maps."""
    import string

    registry = countries()
    iso3 = _duck.enum_type(con, "iso3", [c.iso3 for c in registry.all()])
    codes = [a + b for a in string.ascii_uppercase for b in string.ascii_uppercase]
    mapped = [(code, iso) for code, iso in registry.map_codes(codes, "iso2").items() if iso]
    return _duck.lookup_table(con, "gs_iso2_iso3", mapped, "VARCHAR", iso3)


def _bulk_select(
    con: Any, path: Path, header: list[str], names: dict[str, str], keep_codes: list[str] | None
) -> str:
    """The SELECT that checks one bulk file and returns its import rows summed over procedures."""
    lookup = _iso2_lookup(con)
    col = {role: f'r."{name}"' for role, name in names.items()}
    txt = {role: f"trim({c})" for role, c in col.items()}
    period, value, kg = (
        txt["period"],
        f"TRY_CAST({txt['value']} AS DOUBLE)",
        f"TRY_CAST({txt['kg']} AS DOUBLE)",
    )
    non_country = ", ".join(_duck.sql_text(c) for c in NON_COUNTRY_PARTNERS)

    def bad(role: str) -> str:
        return _duck.error_sql(names[role], col[role])

    checks = [
        (f"NOT coalesce(regexp_full_match({txt['declarant']}, '[A-Z]{{2}}'), false)", "declarant"),
        (f"NOT coalesce(regexp_full_match({txt['partner']}, '[A-Z]{{2}}'), false)", "partner"),
        (
            f"NOT coalesce(regexp_full_match({txt['product']}, 'TOTAL|[0-9]{{2}}[0-9A-Z]{{6}}'), false)",
            "product",
        ),
        (f"coalesce({txt['flow']} NOT IN ('1', '2'), true)", "flow"),
        (f"NOT coalesce(regexp_full_match({period}, '[0-9]{{4}}([0-9]{{2}})?'), false)", "period"),
        (f"length({period}) = 6 AND substr({period}, 5, 2) <> '52'", "period"),
        (f"NOT CAST(substr({period}, 1, 4) AS INTEGER) BETWEEN 1988 AND 2100", "period"),
        (f"NOT coalesce({value} >= 0 AND isfinite({value}), false)", "value"),
        (f"NOT coalesce(regexp_full_match({txt['regime']}, '[0-9]'), false)", "regime"),
        (f"NOT coalesce(coalesce({txt['kg']}, '') = '' OR ({kg} >= 0 AND isfinite({kg})), false)", "kg"),
        ("d.iso3 IS NULL", "declarant"),
        (f"p.iso3 IS NULL AND {txt['partner']} NOT IN ({non_country})", "partner"),
    ]
    cn8 = f"regexp_full_match({txt['product']}, '[0-9]{{8}}')"
    keep = f"{txt['flow']} = '1' AND {cn8}"
    if keep_codes is not None:
        keep += f" AND {txt['product']} IN ({', '.join(_duck.sql_text(c) for c in keep_codes)})"
    where = " ".join(f"WHEN {cond} THEN {bad(role)}" for cond, role in checks)
    reader = _duck.read_csv_sql([path], [(h, "VARCHAR") for h in header])
    source_t = _duck.enum_type(con, "source", [BULK_INFO.id])
    class_t = _duck.enum_type(con, "classification", ["CN8"])
    currency_t = _duck.enum_type(con, "currency", ["EUR"])
    return f"""
        WITH checked AS (
            SELECT d.iso3 AS importer, p.iso3 AS exporter,
                   coalesce(CAST(p.iso3 AS VARCHAR), {txt["partner"]}) AS partner,
                   {txt["product"]} AS code, CAST(substr({period}, 1, 4) AS SMALLINT) AS year,
                   {txt["regime"]} AS regime, {value} AS value,
                   CASE WHEN coalesce({txt["kg"]}, '') = '' THEN NULL ELSE {kg} END AS kg
            FROM {reader} AS r
            LEFT JOIN {lookup} AS d ON d.key = {txt["declarant"]}
            LEFT JOIN {lookup} AS p ON p.key = {txt["partner"]}
            WHERE CASE {where} ELSE {keep} END
        ),
        per_procedure AS (
            SELECT year, importer, partner, exporter, code, regime, count(*) AS n,
                   sum(value) AS value, sum(kg) AS kg, count(kg) AS kg_n
            FROM checked GROUP BY ALL
        )
        SELECT CAST({_duck.sql_text(BULK_INFO.id)} AS {source_t}) AS source,
               CAST('CN8' AS {class_t}) AS classification,
               code, year, exporter, importer,
               CASE WHEN max(n) > 1 THEN error('duplicate key') ELSE sum(value) END AS value,
               CAST('EUR' AS {currency_t}) AS currency,
               CASE WHEN sum(kg_n) = sum(n) THEN sum(kg) / 1000.0 END AS tonnes
        FROM per_procedure
        GROUP BY year, importer, exporter, code
    """


def stream_bulk(data_dir: Path, target: _duck.StreamTarget) -> dict[str, _duck.StreamedTable]:
    """Stream Eurostat's annual bulk files into ``trade`` Parquet, one statement per file."""
    from grondstof.registry.materials import materials

    mapped = sorted({r.code for r in materials().all_codes() if r.classification == "CN8"})
    keep = None if target.all_products else mapped
    files: list[str] = []
    seen: dict[int, Path] = {}
    for n, path in enumerate(BULK_INFO.find_files(data_dir)):
        layout = detect_layout(path)
        if layout == "extract":
            raise SourceFormatError(
                path, "a bulk file (full or full_v2 layout), not the extract layout", line=1
            )
        names = BULK_COLUMNS if layout == "bulk" else BULK_V2_COLUMNS
        header = [h.strip() for h in check_header(path, list(names.values()), allow_extra=True)]
        stem = f"{target.source_id}-{n}"
        sql, _ = _duck.copy_sql(_bulk_select(target.con, path, header, names, keep), target, "trade", stem)
        try:

            def show(pct: float, path: Path = path) -> None:
                target.progress(f"{path.name} {pct:.0f} %")

            _duck.run_with_progress(target.con, sql, show)
        except Exception as exc:
            raise _duck.failed([path], exc, read_comext_file) from None
        written = _duck.written_files(target, "trade", stem)
        _rows, years = _duck.summary(target.con, target, written)
        for year in range(years[0], years[1] + 1) if years else ():
            if year in seen:
                raise SourceFormatError(
                    path,
                    f"each year in one bulk file only; {year} is also in {seen[year].name}",
                    column="PERIOD",
                    value=year,
                )
            seen[year] = path
        files.extend(written)
    rows, years = _duck.summary(target.con, target, files)
    note = (
        "kept import rows (FLOW 1) of the CN8 codes the registry maps to materials"
        if keep is not None
        else "kept import rows (FLOW 1) of every CN8 code (--all-products)"
    )
    return {
        "trade": _duck.StreamedTable(
            rows,
            years,
            files,
            notes=[note + "; export, TOTAL and confidential rows were validated and left out"],
        )
    }
