"""UN Comtrade monthly trade: China's exports extract, and files in the official Comtrade API/bulk layout.

Shared extract layout (``comtrade_china_exports_monthly/china_exports_hs6_by_partner_monthly_*.csv.gz``,
table ``deep_dive_hs6_monthly.csv`` of GitHub ``qennis/ChinaCriticalMineralComtrade``, built from Comtrade
API v1 pulls ``/data/v1/get/C/M/HS`` with reporter China (156) and flow X): ``period_dt,partner_name,hs6,val,
qty,uv`` — first day of the month, partner country name (39 partners), HS6 code, value in USD
(``primaryValue``), quantity in kg, and ``uv`` = val/qty (``inf`` where qty is 0). ``uv`` is checked but not
stored: it is derived.

Official layout (Comtrade API v1 ``get`` CSV and bulk files, comma- or tab-separated; only the columns below
are read, others such as the ``*Desc`` columns may be present): ``typeCode`` (C goods), ``freqCode`` (M),
``refYear``, ``refMonth``, ``period`` (YYYYMM), ``reporterCode``, ``reporterISO``, ``flowCode`` (X export,
M import, RX/RM re-exports/imports, …), ``partnerCode``, ``partnerISO``, ``partner2Code``,
``classificationCode`` (H0…H6), ``cmdCode``, ``customsCode``, ``motCode``, ``qtyUnitCode`` (8 = kg),
``qty``, ``netWgt`` (kg), ``primaryValue`` (USD). Countries are mapped by Comtrade's numeric codes (e.g. 156
China, 251 France, 490 "Other Asia, nes" = Taiwan, 842 USA) through the country registry; the ISO columns,
when present, must agree.

Both become canonical ``trade_monthly`` rows (value USD, quantity in kg; a reported quantity of 0 stays 0).
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from grondstof.errors import SourceFormatError
from grondstof.registry.countries import countries, is_non_country_label
from grondstof.schema import conform, empty
from grondstof.sources._base import (
    NUMBER_RE,
    SourceInfo,
    check_unique,
    float_column,
    int_column,
    map_column,
    open_text,
    read_csv_text,
    text_column,
)

logger = logging.getLogger(__name__)

INFO = SourceInfo(
    id="comtrade_china_monthly",
    title="UN Comtrade: China's monthly exports of graphite and Ga/Ge-group metals to 39 partners, 2017–2024",
    publisher="UN Statistics Division, UN Comtrade (extract by GitHub qennis/ChinaCriticalMineralComtrade)",
    licence="UN Comtrade terms of use (free use with attribution; bulk redistribution restricted — check the "
    "terms before re-publishing); the extract's repository states no licence",
    version="Comtrade API v1 pulls as of the extract; ChinaCriticalMineralComtrade commit "
    "b722e75272c9d44837b3cd304d1a336f50624773",
    citation="United Nations Statistics Division, UN Comtrade Database (comtradeplus.un.org); table "
    "data_output/tables/deep_dive_hs6_monthly.csv of qennis/ChinaCriticalMineralComtrade",
    url="https://comtradeplus.un.org/",
    files=("comtrade_china_exports_monthly/china_exports_hs6_by_partner_monthly_*.csv.gz",),
    tables=("trade_monthly",),
    notes="Reporter China (CHN), flow X (exports) as reported by China (FOB; no mirror data, no Hong Kong "
    "re-export correction). Codes 250410 natural graphite, 380110 artificial graphite and 811292 (unwrought "
    "Ga, Ge, In, Nb, V … — a basket; Ga and Ge cannot be separated; China's national lines are summed to "
    "HS6). "
    "Only a fixed list of 39 partners: there is no rest-of-world row, so China's total exports cannot be "
    "computed from it. 146 rows report a quantity of 0 kg (kept as 0; unit value undefined). Classification: "
    "Comtrade 'as reported' HS, taken as HS17 for 2017–2021 and HS22 from 2022 (China's adoption of HS2022); "
    "811292 lost hafnium and rhenium to new subheadings in HS2022.",
    units={"value": "USD (Comtrade primaryValue, FOB as reported)", "quantity_kg": "kg"},
)

API_INFO = SourceInfo(
    id="comtrade_api",
    title="UN Comtrade monthly trade, official API/bulk layout",
    publisher="UN Statistics Division, UN Comtrade",
    licence="UN Comtrade terms of use",
    version="as downloaded",
    citation="United Nations Statistics Division, UN Comtrade Database (comtradeplus.un.org)",
    url="https://comtradeplus.un.org/",
    files=("comtrade/*.csv", "comtrade/*.csv.gz", "comtrade/*.txt", "comtrade/*.txt.gz"),
    tables=("trade_monthly",),
    notes="Optional: place monthly Comtrade API/bulk downloads (freqCode M) in <data>/comtrade/. Rows broken "
    "down by second partner, customs procedure or mode of transport are dropped in favour of their totals "
    "(partner2Code 0, customsCode C00, motCode 0); partner 0 (World) rows are dropped since they repeat the "
    "bilateral rows; 'nes' partner areas are kept with a null partner. quantity_kg is qty when its unit is "
    "kg "
    "(qtyUnitCode 8), else netWgt.",
    units={"value": "USD (primaryValue)", "quantity_kg": "kg"},
    required=False,
)

EXTRACT_COLUMNS = ("period_dt", "partner_name", "hs6", "val", "qty", "uv")
API_COLUMNS = (
    "freqCode",
    "refYear",
    "refMonth",
    "reporterCode",
    "flowCode",
    "partnerCode",
    "classificationCode",
    "cmdCode",
    "qtyUnitCode",
    "qty",
    "netWgt",
    "primaryValue",
)
API_OPTIONAL = ("typeCode", "period", "reporterISO", "partnerISO", "partner2Code", "customsCode", "motCode")
CHINA_COMTRADE = 156
# Comtrade's HS classification codes.
HS_CLASSIFICATIONS = {
    "H0": "HS92",
    "H1": "HS96",
    "H2": "HS02",
    "H3": "HS07",
    "H4": "HS12",
    "H5": "HS17",
    "H6": "HS22",
}
WORLD = 0
# Comtrade partner areas that are not a country and not known to the registry. Their trade is part of the
# reporter's total, so rows are kept with a null partner; "World" (0) and the EU (97) are sums of other
# rows and are dropped instead.
NES_PARTNERS: dict[int, str] = {
    473: "LAIA, nes",
    492: "Europe EU, nes",
    527: "Oceania, nes",
    536: "Neutral Zone",
    568: "Other Europe, nes",
    577: "Other Africa, nes",
    636: "Rest of America, nes",
    637: "North America and Central America, nes",
    837: "Bunkers",
    838: "Free Zones",
    839: "Special Categories",
    879: "Western Asia, nes",
    899: "Areas, nes",
}
AGGREGATE_PARTNERS: dict[int, str] = {WORLD: "World", 97: "EU"}
MONTHLY_KEY = ["period", "reporter", "partner", "flow", "code"]


def _refuse(path: Path, column: str, values: pa.Array, bad: pa.Array, expected: str) -> None:
    """Raise for the first true entry of ``bad`` (row i is physical line i + 2)."""
    bad = pc.fill_null(bad, True)
    count = pc.sum(bad).as_py() or 0
    if count:
        index = pc.index(bad, True).as_py()
        raise SourceFormatError(
            path, expected, line=index + 2, column=column, value=values[index].as_py(), more=count - 1
        )


def _names(values: Iterable[Any]) -> dict[Any, str | None]:
    registry = countries()
    # Aggregate labels ("World") must never slip through as a country, whatever the registry's aliases say.
    return {v: (None if is_non_country_label(str(v)) else registry.map_codes([v], "name")[v]) for v in values}


def _comtrade(values: Iterable[Any]) -> dict[Any, str | None]:
    return countries().map_codes(values, "comtrade")


def _iso3(values: Iterable[Any]) -> dict[Any, str | None]:
    return countries().map_codes(values, "iso3")


def _monthly(
    source: str,
    classification: pa.Array,
    code: pa.Array,
    period: pa.Array,
    flow: pa.Array,
    reporter: pa.Array,
    partner: pa.Array,
    value: pa.Array,
    quantity_kg: pa.Array,
) -> pa.Table:
    n = len(code)
    return conform(
        "trade_monthly",
        pa.table(
            {
                "source": pa.array([source] * n, pa.string()),
                "classification": classification,
                "code": code,
                "period": period,
                "flow": flow,
                "reporter": reporter,
                "partner": partner,
                "value": value,
                "currency": pa.array(["USD"] * n, pa.string()),
                "quantity_kg": quantity_kg,
            }
        ),
    )


# -- the China exports extract ---------------------------------------------------------------------------


def parse_extract_file(path: Path) -> pa.Table:
    """Parse the China monthly exports extract into canonical ``trade_monthly`` rows."""
    raw = read_csv_text(path, EXTRACT_COLUMNS)
    n = raw.num_rows
    period_text = text_column(
        raw,
        "period_dt",
        path,
        pattern=r"^(19[89]\d|20\d\d)-(0[1-9]|1[0-2])-01$",
        expected="the first day of a month, YYYY-MM-01 (1980–2099)",
    )
    period = pc.cast(pc.strptime(period_text, format="%Y-%m-%d", unit="s"), pa.date32())
    names = text_column(raw, "partner_name", path, expected="a partner country name")
    partner = map_column(
        names,
        _names,
        path,
        "partner_name",
        "a partner country name known to the country registry (aggregates such as 'World' "
        "are not expected: the extract is bilateral)",
    )
    code = text_column(raw, "hs6", path, pattern=r"^\d{6}$", expected="a 6-digit HS code as text")
    value = float_column(raw, "val", path, lo=0, expected="a trade value in USD of at least 0")
    qty = float_column(raw, "qty", path, lo=0, expected="a quantity in kg of at least 0")
    # uv is derived (val/qty) and not stored, but checking it catches shifted or swapped columns.
    uv_text = text_column(raw, "uv", path, allow_empty=True)
    is_number = pc.match_substring_regex(uv_text, NUMBER_RE)
    uv = pc.cast(pc.if_else(is_number, uv_text, pa.scalar(None, pa.string())), pa.float64())
    undefined = pc.is_in(pc.utf8_lower(uv_text), value_set=pa.array(["inf", "nan", ""]))
    positive_qty = pc.greater(qty, 0)
    expected_uv = pc.divide(value, pc.if_else(positive_qty, qty, pa.scalar(1.0)))
    off = pc.greater(pc.abs(pc.subtract(uv, expected_uv)), pc.multiply(pc.abs(expected_uv), 1e-6))
    _refuse(
        path,
        "uv",
        uv_text,
        pc.and_kleene(positive_qty, pc.or_kleene(pc.invert(is_number), off)),
        "val/qty (the unit value in USD/kg)",
    )
    _refuse(
        path,
        "uv",
        uv_text,
        pc.and_(pc.invert(positive_qty), pc.invert(undefined)),
        "inf, nan or empty where qty is 0",
    )

    reporter = countries().from_comtrade(CHINA_COMTRADE)
    assert reporter is not None  # the registry always knows China
    year = pc.year(period)
    # Comtrade "as reported" HS: China reported HS2017 until 2021 and HS2022 from January 2022.
    classification = pc.if_else(pc.less(year, 2022), pa.scalar("HS17"), pa.scalar("HS22"))
    table = _monthly(
        INFO.id,
        classification,
        code,
        period,
        pa.array(["X"] * n, pa.string()),
        pa.array([reporter.iso3] * n, pa.string()),
        partner,
        value,
        qty,
    )
    check_unique(table, ["period", "partner", "code"], path)
    return table


def parse(data_dir: Path) -> dict[str, pa.Table]:
    """Parse the China monthly exports extract found in ``data_dir``."""
    parts = [parse_extract_file(p) for p in INFO.find_files(data_dir)]
    return {"trade_monthly": pa.concat_tables(parts) if parts else empty("trade_monthly")}


# -- the official API / bulk layout ----------------------------------------------------------------------


def _read_api_text(path: Path) -> pa.Table:
    """Read the needed columns of a Comtrade CSV (or tab-separated bulk file) as text, header checked."""
    with open_text(path) as handle:
        first = handle.readline()
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    header = [h.strip() for h in next(csv.reader([first], delimiter=delimiter), [])]
    for name in API_COLUMNS:
        if name not in header:
            raise SourceFormatError(
                path,
                "a Comtrade header with columns " + ", ".join(API_COLUMNS),
                line=1,
                column=name,
                value=",".join(header),
            )
    columns = [c for c in (*API_COLUMNS, *API_OPTIONAL) if c in header]
    try:
        return pacsv.read_csv(
            path,
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in columns},
                include_columns=columns,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise SourceFormatError(path, f"a well-formed CSV with {len(header)} fields per row ({exc})") from exc


def _cross_check_iso(path: Path, raw: pa.Table, column: str, by_code: pa.Array) -> None:
    """Where the ISO column names a registry country, it must be the one the numeric code gives."""
    if column not in raw.column_names:
        return
    iso = text_column(raw, column, path, allow_empty=True)
    by_iso = map_column(iso, _iso3, path, column, "", allow_unmapped=True)
    _refuse(
        path,
        column,
        iso,
        pc.and_kleene(pc.is_valid(by_iso), pc.not_equal(by_iso, pc.fill_null(by_code, ""))),
        "the ISO code of the numeric country code on the same row",
    )


def parse_api_file(path: Path) -> pa.Table:
    """Parse one file in the official Comtrade API/bulk layout (monthly goods data) into ``trade_monthly``."""
    raw = _read_api_text(path)
    names = raw.column_names
    if "typeCode" in names:
        text_column(raw, "typeCode", path, pattern=r"^C$", expected="typeCode C (goods)")
    text_column(
        raw,
        "freqCode",
        path,
        pattern=r"^M$",
        expected="freqCode M: only monthly data fits trade_monthly (annual data is not split into months)",
    )
    year = int_column(raw, "refYear", path, lo=1962, hi=2100, expected="a year between 1962 and 2100")
    month = int_column(raw, "refMonth", path, lo=1, hi=12, expected="a month between 1 and 12")
    if "period" in names:
        period_text = text_column(raw, "period", path, pattern=r"^\d{6}$", expected="a period YYYYMM")
        expected_period = pc.binary_join_element_wise(
            pc.cast(year, pa.string()), pc.utf8_lpad(pc.cast(month, pa.string()), 2, "0"), ""
        )
        _refuse(
            path,
            "period",
            period_text,
            pc.not_equal(period_text, expected_period),
            "refYear and refMonth written as YYYYMM",
        )
    reporter_code = int_column(raw, "reporterCode", path, lo=0, hi=999, expected="a Comtrade country code")
    reporter = map_column(
        reporter_code,
        _comtrade,
        path,
        "reporterCode",
        "a Comtrade reporter code known to the country registry",
    )
    _cross_check_iso(path, raw, "reporterISO", reporter)
    flow = text_column(
        raw, "flowCode", path, pattern=r"^[A-Z]{1,4}$", expected="a Comtrade flow code (X, M, RX, RM, …)"
    )
    partner_code = int_column(raw, "partnerCode", path, lo=0, hi=999, expected="a Comtrade country code")
    partner = map_column(partner_code, _comtrade, path, "partnerCode", "", allow_unmapped=True)
    special = pc.is_in(
        partner_code, value_set=pa.array(sorted({*NES_PARTNERS, *AGGREGATE_PARTNERS}), pa.int16())
    )
    _refuse(
        path,
        "partnerCode",
        partner_code,
        pc.and_(pc.is_null(partner), pc.invert(special)),
        "a Comtrade partner code known to the country registry, 0 (World), 97 (EU) or a 'nes' area",
    )
    _cross_check_iso(path, raw, "partnerISO", partner)
    classification_code = text_column(
        raw, "classificationCode", path, pattern=r"^H[0-6]$", expected="an HS classification code H0–H6"
    )
    classification = map_column(
        classification_code,
        lambda vs: {v: HS_CLASSIFICATIONS.get(v) for v in vs},
        path,
        "classificationCode",
        "an HS classification code H0–H6",
    )
    code = text_column(
        raw,
        "cmdCode",
        path,
        pattern=r"^\d{2}(\d{2}){0,2}$",
        expected="an HS code of 2, 4 or 6 digits (TOTAL is not a product)",
    )
    unit = int_column(raw, "qtyUnitCode", path, lo=-1, hi=99, expected="a Comtrade quantity unit code")
    qty = float_column(raw, "qty", path, missing=("",), lo=0, expected="a quantity of at least 0, or empty")
    net = float_column(
        raw, "netWgt", path, missing=("",), lo=0, expected="a net weight in kg of at least 0, or empty"
    )
    value = float_column(raw, "primaryValue", path, lo=0, expected="a trade value in USD of at least 0")

    # One row per full Comtrade key, before anything is dropped.
    key = {
        "refYear": year,
        "refMonth": month,
        "reporterCode": reporter_code,
        "flowCode": flow,
        "partnerCode": partner_code,
        "cmdCode": code,
    }
    totals = pa.array([True] * raw.num_rows)
    for column, total in (("partner2Code", "0"), ("customsCode", "C00"), ("motCode", "0")):
        if column in names:
            detail = text_column(raw, column, path, expected=f"a {column}")
            key[column] = detail
            totals = pc.and_(totals, pc.equal(detail, total))
    check_unique(pa.table(key), list(key), path)

    aggregate = pc.is_in(partner_code, value_set=pa.array(sorted(AGGREGATE_PARTNERS), pa.int16()))
    keep = pc.and_(totals, pc.invert(aggregate))
    period = pc.cast(
        pc.strptime(
            pc.binary_join_element_wise(
                pc.cast(year, pa.string()), pc.utf8_lpad(pc.cast(month, pa.string()), 2, "0"), "01", "-"
            ),
            format="%Y-%m-%d",
            unit="s",
        ),
        pa.date32(),
    )
    quantity_kg = pc.if_else(pc.equal(unit, 8), qty, net)
    rows = pa.table(
        {
            "classification": classification,
            "code": code,
            "period": period,
            "flow": flow,
            "reporter": reporter,
            "partner": partner,
            "value": value,
            "quantity_kg": quantity_kg,
        }
    ).filter(keep)
    # 'nes' partners share the null partner: sum them, keeping a quantity null when any part is missing.
    summed = rows.group_by(
        ["classification", "code", "period", "flow", "reporter", "partner"], use_threads=False
    ).aggregate([("value", "sum"), ("quantity_kg", "sum", pc.ScalarAggregateOptions(skip_nulls=False))])
    summed = summed.sort_by(
        [
            ("period", "ascending"),
            ("reporter", "ascending"),
            ("flow", "ascending"),
            ("partner", "ascending"),
            ("code", "ascending"),
        ]
    )
    dropped = raw.num_rows - rows.num_rows
    if dropped:
        logger.info("%s: %d World/EU or breakdown rows dropped in favour of bilateral totals", path, dropped)
    return _monthly(
        API_INFO.id,
        summed.column("classification"),
        summed.column("code"),
        summed.column("period"),
        summed.column("flow"),
        summed.column("reporter"),
        summed.column("partner"),
        summed.column("value_sum"),
        summed.column("quantity_kg_sum"),
    )


def parse_api(data_dir: Path) -> dict[str, pa.Table]:
    """Parse Comtrade API/bulk files found under ``data_dir/comtrade``."""
    parts = [parse_api_file(p) for p in API_INFO.find_files(data_dir)]
    if not parts:
        return {"trade_monthly": empty("trade_monthly")}
    table = pa.concat_tables(parts)
    # Two downloads overlapping in time would double-count; refuse rather than guess which to keep.
    keys = table.select(MONTHLY_KEY).append_column("_n", pa.array([1] * table.num_rows))
    counts = keys.group_by(MONTHLY_KEY).aggregate([("_n", "sum")])
    dupes = counts.filter(pc.greater(counts.column("_n_sum"), 1))
    if dupes.num_rows:
        first = dupes.slice(0, 1).to_pylist()[0]
        raise SourceFormatError(
            data_dir / "comtrade",
            "each month, reporter, partner, flow and code in one file only",
            value={k: str(first[k]) for k in MONTHLY_KEY},
            more=dupes.num_rows - 1,
        )
    return {"trade_monthly": table}
