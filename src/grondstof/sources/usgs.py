"""USGS Mineral Commodity Summaries 2026: world production and reserves for selected commodities.

Layout (``usgs_mcs2026/usgs_mcs2026_world_production_reserves_selected.csv``, transcribed from the MCS 2026
commodity sheets as extracted by GitHub ``pranava0x0/usgs-mineral-commodity-summaries``):
``commodity,table,country,production_<Y-1>,production_<Y>e,capacity_<Y>,reserves,reserves_raw,unit,source,note``
(for MCS 2026: ``production_2024``, ``production_2025e``, ``capacity_2025``). One row per commodity and
country as printed in the sheet's world table, plus "Other countries"/"Other" and "World total (rounded)".

Canonical output:

* ``production``: country rows, year ``<Y-1>`` with flag ``r`` (the sheet's reported/revised figure) and year
  ``<Y>`` with flag ``e`` (USGS estimate). An empty figure (U.S. lithium, "W" withheld) is null, not zero.
* ``production_totals``: the "World total" rows as published (rounded; lithium excludes the U.S.).
* ``reserves`` (year ``<Y>``, edition ``MCS <Y+1>``): numeric where USGS prints a plain number;
  ``reserves_text`` keeps the printed text (``NA``, ``>85,000,000``), with the number null for a bound or
  ``NA``. The world total is stored with a null country. Empty reserves (gallium has no reserves table)
  give no row.

Stage follows the sheet's table: "World Mine Production and Reserves" is extraction; gallium's "World
Low-Purity Production and Production Capacity" is processing (primary low-purity gallium is recovered
from alumina and zinc refining; there is no mine production of gallium). Production capacity
(``capacity_<Y>``) is validated but not stored: the canonical schema has no table for capacity. The
residual "Other countries"/"Other" rows are not stored in ``production``/``reserves`` (no country; the
world total is the denominator for shares).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from grondstof.errors import SourceFormatError, UnknownMaterialError
from grondstof.registry.materials import materials
from grondstof.schema import conform, empty
from grondstof.sources._base import (
    SourceInfo,
    check_header,
    float_column,
    map_column,
    read_csv_text,
    read_header,
    text_column,
)
from grondstof.sources._lookup import check_unique_rows, resolve_countries

INFO = SourceInfo(
    id="usgs_mcs2026",
    title="USGS Mineral Commodity Summaries 2026: world production and reserves (cobalt, lithium, rare "
    "earths, gallium)",
    publisher="U.S. Geological Survey (values as extracted by GitHub "
    "pranava0x0/usgs-mineral-commodity-summaries)",
    licence="US public domain (USGS)",
    version="Mineral Commodity Summaries 2026 (February 2026); extraction commit "
    "2514d2bf45d514b45435a62983869ba1738349ad (data/audit/<slug>/data.json)",
    citation="U.S. Geological Survey (2026), Mineral Commodity Summaries 2026, U.S. Geological Survey, "
    "Reston, VA (commodity sheets mcs2026-cobalt, -lithium, -rare-earths, -gallium)",
    url="https://www.usgs.gov/centers/national-minerals-information-center/mineral-commodity-summaries",
    files=("usgs_mcs2026/usgs_mcs2026_world_production_reserves_selected.csv",),
    tables=("production", "production_totals", "reserves"),
    parser_version=2,
    notes="Transcribed (50 rows). Production 2024 flag r, 2025 flag e (estimate); reserves as of 2025. "
    "Units as printed: t cobalt content, t lithium content, t REO equivalent, kg gallium content (primary "
    "low-purity). Stage: mine production = extraction; gallium low-purity production = processing. U.S. "
    "lithium production is withheld (null) and the lithium world total excludes it. Gallium capacity 2025 "
    "is checked but not stored (no capacity table). 'Other countries' rows are not stored; the world total "
    "(production_totals; reserves with country null) is the denominator. Reserves given as a bound "
    "('>85,000,000') or 'NA' have a null number and keep the text in reserves_text.",
    units={
        "quantity": "as in the unit column (t or kg of stated content)",
        "reserves": "as in the unit column",
    },
)

FIXED_COLUMNS = ("commodity", "table", "country", "reserves", "reserves_raw", "unit", "source", "note")
_PRODUCTION = re.compile(r"^production_(\d{4})$")
_ESTIMATE = re.compile(r"^production_(\d{4})e$")
_CAPACITY = re.compile(r"^capacity_(\d{4})$")
# The MCS world tables this parser knows, and the supply-chain stage their production figure measures.
TABLE_STAGES: dict[str, str] = {
    "World Mine Production and Reserves": "extraction",
    "World Low-Purity Production and Production Capacity": "processing",
}
TOTAL_LABELS = frozenset({"World total (rounded)", "World total"})
OTHER_LABELS = frozenset({"Other countries", "Other"})
_PLAIN = re.compile(r"^\d{1,3}(,\d{3})*(\.\d+)?$|^\d+(\.\d+)?$")
_BOUND = re.compile(r"^[<>]\s*(\d{1,3}(,\d{3})*|\d+)(\.\d+)?$")


def _columns(path: Path) -> tuple[str, str, str, int]:
    """Check the header; return the production, estimate and capacity column names and the year Y.

    The year columns are named for the edition (MCS 2026: ``production_2024``, ``production_2025e``,
    ``capacity_2025``), so they are found by pattern and must describe one year Y and the year before.
    """
    header = [h.strip() for h in read_header(path)]
    found: dict[str, tuple[str, int]] = {}
    for kind, pattern in (("production", _PRODUCTION), ("estimate", _ESTIMATE), ("capacity", _CAPACITY)):
        matches = [(h, m) for h in header if (m := pattern.match(h))]
        if len(matches) != 1:
            raise SourceFormatError(
                path, f"one column {pattern.pattern.strip('^$')}", line=1, column=kind, value=",".join(header)
            )
        found[kind] = (matches[0][0], int(matches[0][1].group(1)))
    (prod_col, prev), (est_col, year), (cap_col, cap_year) = (
        found["production"],
        found["estimate"],
        found["capacity"],
    )
    if year != prev + 1 or cap_year != year:
        raise SourceFormatError(
            path,
            "production_<Y-1>, production_<Y>e and capacity_<Y> for one year Y",
            line=1,
            column=est_col,
            value=",".join(header),
        )
    check_header(path, (*FIXED_COLUMNS, prod_col, est_col, cap_col))
    return prod_col, est_col, cap_col, year


def _material_ids(values: Iterable[object]) -> dict[object, str | None]:
    registry = materials()
    out: dict[object, str | None] = {}
    for value in values:
        try:
            out[value] = registry.resolve(str(value)).id
        except UnknownMaterialError:
            out[value] = None
    return out


def _parse_reserves(path: Path, raw: pa.Table) -> tuple[pa.Array, pa.Array]:
    """Return (number or null, printed text) per row, checking the transcribed number against the text."""
    text = text_column(raw, "reserves_raw", path, allow_empty=True)
    number = float_column(
        raw, "reserves", path, missing=("",), lo=0, expected="reserves of at least 0, or empty"
    )
    values: list[float | None] = []
    for i, (printed, given) in enumerate(zip(text.to_pylist(), number.to_pylist(), strict=True)):
        if _PLAIN.match(printed):
            value: float | None = float(printed.replace(",", ""))
            stated = value
        elif _BOUND.match(printed):
            value, stated = None, float(re.sub(r"[<>,\s]", "", printed))
        elif printed in ("", "NA"):
            value, stated = None, None
        else:
            raise SourceFormatError(
                path,
                "reserves as printed by USGS: a number, a bound such as >85,000,000, NA or empty",
                line=i + 2,
                column="reserves_raw",
                value=printed,
            )
        if given != stated:
            raise SourceFormatError(
                path,
                f"the number in reserves_raw ({printed!r})",
                line=i + 2,
                column="reserves",
                value=raw.column("reserves")[i].as_py(),
            )
        values.append(value)
    return pa.array(values, pa.float64()), text


def parse_mcs_file(path: Path) -> dict[str, pa.Table]:
    """Parse the MCS world table extract into ``production``, ``production_totals`` and ``reserves``."""
    prod_col, est_col, cap_col, year = _columns(path)
    raw = read_csv_text(path, (*FIXED_COLUMNS, prod_col, est_col, cap_col))
    n = raw.num_rows
    commodity = text_column(raw, "commodity", path, expected="a commodity name")
    table_name = text_column(
        raw,
        "table",
        path,
        pattern="^(" + "|".join(map(re.escape, TABLE_STAGES)) + ")$",
        expected="one of the MCS tables " + "; ".join(TABLE_STAGES),
    )
    stage = pc.take(
        pa.array(list(TABLE_STAGES.values()), pa.string()),
        pc.index_in(table_name, value_set=pa.array(list(TABLE_STAGES), pa.string())),
    )
    material = map_column(
        commodity, _material_ids, path, "commodity", "a commodity known to the material registry"
    )
    unit = text_column(raw, "unit", path, expected="a unit")
    _check_constant(path, commodity, unit, "unit")
    _check_constant(path, commodity, table_name, "table")
    name = text_column(raw, "country", path, expected="a country name or World total")
    is_total = pc.is_in(name, value_set=pa.array(sorted(TOTAL_LABELS), pa.string()))
    is_other = pc.is_in(name, value_set=pa.array(sorted(OTHER_LABELS), pa.string()))
    country = resolve_countries(
        path,
        names=name,
        skip=pc.or_(is_total, is_other),
        column="country",
        expected="a country name known to the country registry, 'Other countries' or 'World total (rounded)'",
    )
    produced = float_column(
        raw,
        prod_col,
        path,
        missing=("",),
        lo=0,
        expected="a production figure of at least 0, or empty when withheld",
    )
    estimated = float_column(
        raw,
        est_col,
        path,
        missing=("",),
        lo=0,
        expected="a production figure of at least 0, or empty when withheld",
    )
    float_column(raw, cap_col, path, missing=("",), lo=0, expected="a capacity of at least 0, or empty")
    reserves, reserves_text = _parse_reserves(path, raw)
    text_column(raw, "source", path, expected="the source citation")
    note = text_column(raw, "note", path, allow_empty=True)

    rows = pa.array(range(n), pa.int64())
    is_country = pc.invert(pc.or_(is_total, is_other))
    check_unique_rows(
        pa.table({"commodity": commodity, "country": pc.if_else(is_total, "(world)", country)}).filter(
            pc.invert(is_other)
        ),
        ["commodity", "country"],
        path,
        rows.filter(pc.invert(is_other)),
        column="country",
    )
    base = {"commodity": commodity, "material": material, "stage": stage, "unit": unit}
    production = pa.concat_tables(
        pa.table(
            {
                "source": pa.array([INFO.id] * n, pa.string()),
                **base,
                "country": country,
                "year": pa.array([y] * n, pa.int16()),
                "quantity": q,
                "flag": pa.array([f] * n, pa.string()),
            }
        ).filter(is_country)
        for y, q, f in ((year - 1, produced, "r"), (year, estimated, "e"))
    )
    totals = pa.concat_tables(
        pa.table(
            {
                "source": pa.array([INFO.id] * n, pa.string()),
                **base,
                "year": pa.array([y] * n, pa.int16()),
                "quantity": q,
            }
        ).filter(is_total)
        for y, q in ((year - 1, produced), (year, estimated))
    )
    has_reserves = pc.and_(pc.not_equal(reserves_text, ""), pc.invert(is_other))
    reserves_table = pa.table(
        {
            "source": pa.array([INFO.id] * n, pa.string()),
            "edition": pa.array([f"MCS {year + 1}"] * n, pa.string()),
            "commodity": commodity,
            "material": material,
            "country": country,
            "year": pa.array([year] * n, pa.int16()),
            "reserves": reserves,
            "reserves_text": reserves_text,
            "unit": unit,
            "note": note,
        }
    ).filter(has_reserves)
    return {
        "production": conform("production", production),
        "production_totals": conform("production_totals", totals),
        "reserves": conform("reserves", reserves_table),
    }


def _check_constant(path: Path, commodity: pa.Array, values: pa.Array, column: str) -> None:
    """Refuse a commodity whose rows disagree on ``column`` (its unit or its table)."""
    first: dict[str, str] = {}
    for i, (c, v) in enumerate(zip(commodity.to_pylist(), values.to_pylist(), strict=True)):
        if first.setdefault(c, v) != v:
            raise SourceFormatError(
                path, f"one {column} per commodity ({c}: {first[c]!r})", line=i + 2, column=column, value=v
            )


def parse(data_dir: Path) -> dict[str, pa.Table]:
    """Parse the MCS 2026 extract found in ``data_dir``."""
    parts = [parse_mcs_file(p) for p in INFO.find_files(data_dir)]
    return {
        name: pa.concat_tables([p[name] for p in parts]) if parts else empty(name) for name in INFO.tables
    }
