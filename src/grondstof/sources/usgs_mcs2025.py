"""USGS Mineral Commodity Summaries 2025 data release: world data by country and U.S. salient statistics.

Two layouts (``usgs_mcs2025/``, from the MCS 2025 data release, doi 10.5066/P13XCP3R; PROVENANCE §15):

``MCS2025_World_Data.csv`` (source ``usgs_mcs2025``)
    ``SOURCE,COMMODITY,COUNTRY,TYPE,UNIT_MEAS,PROD_2023,PROD_EST_ 2024,PROD_NOTES,CAP_2023,CAP_EST_ 2024,
    CAP_NOTES,RESERVES_2024,RESERVE_NOTES`` — one row per commodity table (``TYPE``) and printed row label
    (a country, "Other countries", "World total (rounded)"). The years are read from the column names.
    Each (``COMMODITY``, ``TYPE``) pair is mapped by ``registry/usgs_mcs_series.csv`` to a series name, a
    material (or none), a stage, a corrected unit where the release mislabels it, and whether and in which
    unit its reserves column holds reserves; a pair that is not listed refuses the file.

    * ``production``: country rows, year Y−1 (flag ``e`` when the notes or the table say estimated, else
      ``r``) and year Y (flag ``e``: MCS's current-year estimates). An empty cell is null, never zero, with
      the reason as flag: ``W`` (withheld, "W for 23-24"), ``<0.5`` ("Less than 1/2 unit"), else ``NA``.
      Capacity-only and reserves-only tables give no production rows.
    * ``production_totals``: the "World total" rows as published (rounded).
    * ``capacity``: the capacity columns (refinery, smelter, plant capacity), countries and the world total;
      a printed label that is not one country ("United States and Canada") keeps its label with a null
      country.
    * ``reserves`` (year Y, edition "MCS 2025"): a number where one is printed; a bound (``>130000000``), the
      words "NA", "Large", "Moderate", "Small", "Included in World total" … give a null number with the text
      kept in ``reserves_text``. The unit and material come from the mapping (iron ore reserves are million
      tonnes, molybdenum and vanadium thousand tonnes, PGM reserves belong to the PGM group; magnesium
      metal's column repeats its capacity and is not read).
    "Other countries" rows are not stored in the country tables (the world total is the denominator). A
    country label with a qualifier ("Brazil (beneficiated)") maps to the country; the qualifier goes to the
    row's note where the table has one.

``salient/mcs2025-*_salient.csv`` (source ``usgs_mcs2025_salient``)
    ``DataSource,Commodity,Year,<statistic columns…>`` — U.S. statistics 2020–2024 of one commodity, one
    column per statistic, heterogeneous across files. Each column name ends in a unit code (``_t``, ``_kt``,
    ``_kg``, ``_dlb`` $/lb, ``_dt`` $/t, ``_dkg`` $/kg, ``_dto``/``_dtoz`` $/troy oz, ``_ctslb`` ¢/lb,
    ``_pct`` …, see :data:`UNIT_CODES`); the statistic (production, imports, exports, consumption, stocks,
    price, net import reliance, employment, shipments) is recognised from the words of the name. Net import
    reliance is a percentage whatever the suffix says (``NIR_ct``, ``NIR_Concentrate_t``); a column whose
    name gets the unit wrong, or that names another material than its file, is listed in
    ``registry/usgs_salient_columns.csv`` with the reason.

    * ``usgs_salient``: long, one row per (file, column, year) with a printed value: the number, or null with
      a flag: ``W`` withheld, ``NA``, ``E`` net exporter (net import reliance only), ``>``/``<`` a bound
      (``>50``), ``range`` ("500–15,000"), ``lt_half_unit`` ("Less than ½ unit."), ``text``. Empty cells
      (and the files' empty trailing columns and rows) give no row.
    * ``prices``: the price columns with a price unit and a material, annual (``period`` = 1 January), in the
      file's unit and US dollars. A repeated column name (``Price_dt`` four times in the titanium mineral
      concentrates file) cannot say which product it prices: kept in ``usgs_salient`` as ``Price_dt#2`` …,
      not in ``prices``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa

from grondstof.errors import SourceFormatError
from grondstof.registry.countries import countries
from grondstof.registry.source_maps import (
    NO_MATERIAL,
    McsSeries,
    usgs_mcs_series,
    usgs_salient_columns,
    usgs_salient_commodities,
)
from grondstof.schema import TABLES, conform, empty
from grondstof.sources._base import SourceInfo, iter_csv_rows, open_text, read_header

PUBLISHER = "U.S. Geological Survey (data release copied by GitHub PJGriff26/materials-demand-model)"
CITATION = (
    "U.S. Geological Survey (2025), Mineral Commodity Summaries 2025 data release, "
    "doi:10.5066/P13XCP3R; Mineral Commodity Summaries 2025, U.S. Geological Survey, Reston, VA"
)
URL = "https://doi.org/10.5066/P13XCP3R"
VERSION = "MCS 2025 data release (January 2025); repository HEAD aae6498ff690aaddc901ff322bc971d4bca61897"

WORLD_FILE = "usgs_mcs2025/MCS2025_World_Data.csv"
SALIENT_GLOB = "usgs_mcs2025/salient/mcs2025-*_salient.csv"

INFO = SourceInfo(
    id="usgs_mcs2025",
    title="USGS Mineral Commodity Summaries 2025: world production, capacity and reserves by country",
    publisher=PUBLISHER,
    licence="US public domain (USGS)",
    version=VERSION,
    citation=CITATION,
    url=URL,
    files=(WORLD_FILE,),
    tables=("production", "production_totals", "capacity", "reserves"),
    notes="77 commodities, 95 tables. Production 2023 (flag r, or e where the notes or table say estimated) "
    "and 2024 (e, MCS estimates); empty cells are null with the reason as flag (W withheld, NA, <0.5). "
    "Reserves as of 2024, edition MCS 2025, in the unit of registry/usgs_mcs_series.csv (iron ore million t, "
    "molybdenum and vanadium thousand t, zirconium ZrO2 content, PGM reserves for the group); bounds and "
    "words "
    "(NA, Large) keep their text with a null number. Units corrected where the release mislabels them "
    "(titanium concentrates and industrial sand: thousand t, cross-checked with the salient files). "
    "Magnesium metal's reserves column repeats its capacity and is not read as reserves. 'Other countries' "
    "rows are not stored; world totals are.",
    units={"quantity": "as in the unit column", "reserves": "as in the unit column", "capacity": "unit"},
)

SALIENT_INFO = SourceInfo(
    id="usgs_mcs2025_salient",
    title="USGS Mineral Commodity Summaries 2025: U.S. salient statistics 2020–2024 (incl. prices and net "
    "import reliance)",
    publisher=PUBLISHER,
    licence="US public domain (USGS)",
    version=VERSION,
    citation=CITATION,
    url=URL,
    files=(SALIENT_GLOB,),
    tables=("usgs_salient", "prices"),
    notes="85 files, one per commodity: U.S. production, imports, exports, consumption, stocks, prices, "
    "employment and net import reliance (NIR, percent of apparent consumption), 2020–2024 (2024 estimated "
    "in MCS). Units from the column-name suffix (registry/usgs_salient_columns.csv corrects the mislabelled "
    "ones); W = withheld, NA = not available, E = net exporter, '>50' a bound: null numbers with the printed "
    "text kept. Prices are U.S. market prices in the unit the file states (e.g. $/lb, $/t, $/kg, $/troy "
    "oz), nominal US dollars, annual averages.",
    units={"value": "as in the unit column", "price": "as in the unit column (US dollars, nominal)"},
)

WORLD_FIXED = (
    "SOURCE",
    "COMMODITY",
    "COUNTRY",
    "TYPE",
    "UNIT_MEAS",
    "PROD_NOTES",
    "CAP_NOTES",
    "RESERVE_NOTES",
)
_YEAR_COLUMNS = {
    "prod": re.compile(r"^PROD_(\d{4})$"),
    "prod_est": re.compile(r"^PROD_EST_ ?(\d{4})$"),
    "cap": re.compile(r"^CAP_(\d{4})$"),
    "cap_est": re.compile(r"^CAP_EST_ ?(\d{4})$"),
    "reserves": re.compile(r"^RESERVES_(\d{4})$"),
}
_NUMBER = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+(\.\d+)?$")
_BOUND = re.compile(r"^[<>]\s*(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
_WORLD = re.compile(r"^World total\b", re.IGNORECASE)
_OTHER = re.compile(r"^Other countries\b", re.IGNORECASE)
_QUALIFIED = re.compile(r"^(.*?)\s*\(([^()]*)\)$")
# Printed labels that stand for more than one country: kept by label, with a null country.
NON_COUNTRY_LABELS = frozenset({"United States and Canada"})
# Words the reserves column's note uses instead of a number.
RESERVE_WORDS = {
    "na": "NA",
    "large": "Large",
    "moderate": "Moderate",
    "moderate to large": "Moderate to large",
    "small": "Small",
    "very small": "Very small",
    "xx": "XX",
    "included in world total": "Included in world total",
    "included with other countries": "Included with other countries",
}


def _clean(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


def _world_columns(path: Path) -> dict[str, tuple[str, int]]:
    header = [h.strip() for h in read_header(path)]
    found: dict[str, tuple[str, int]] = {}
    for kind, pattern in _YEAR_COLUMNS.items():
        matches = [(h, int(m.group(1))) for h in header if (m := pattern.match(h))]
        if len(matches) != 1:
            raise SourceFormatError(
                path, f"one column {pattern.pattern.strip('^$')}", line=1, column=kind, value=",".join(header)
            )
        found[kind] = matches[0]
    year = found["prod_est"][1]
    if found["prod"][1] != year - 1 or found["cap"][1] != year - 1 or found["cap_est"][1] != year:
        raise SourceFormatError(
            path,
            "PROD_<Y-1>, PROD_EST_<Y>, CAP_<Y-1>, CAP_EST_<Y> for one year Y",
            line=1,
            column=found["prod_est"][0],
            value=",".join(header),
        )
    return found


def _number(path: Path, line: int, column: str, text: str, *, bounds: bool = False) -> float | None:
    """A printed number (with thousands commas), None for an empty cell; a bound only where allowed."""
    text = text.strip()
    if not text:
        return None
    if _NUMBER.match(text):
        return float(text.replace(",", ""))
    if bounds and _BOUND.match(text):
        return None
    raise SourceFormatError(
        path,
        "a number, a bound such as >2,000,000, or empty" if bounds else "a number or empty",
        line=line,
        column=column,
        value=text,
    )


def _resolve_label(
    path: Path, line: int, label: str, cache: dict[str, tuple[str | None, str]]
) -> tuple[str | None, str]:
    """Return (ISO3 or None for a multi-country label, qualifier) of a printed country label."""
    if label in cache:
        return cache[label]
    registry = countries()
    if label in NON_COUNTRY_LABELS:
        cache[label] = (None, "")
        return cache[label]
    found = registry.lookup_name(label)
    qualifier = ""
    if found is None and (m := _QUALIFIED.match(label)):
        found, qualifier = registry.lookup_name(m.group(1)), m.group(2).strip()
    if found is None or found.kind == "aggregate":
        raise SourceFormatError(
            path,
            "a country name known to the country registry (optionally with a qualifier in parentheses), "
            "'Other countries' or 'World total'",
            line=line,
            column="COUNTRY",
            value=label,
        )
    cache[label] = (found.iso3, qualifier)
    return cache[label]


def _series(path: Path, line: int, commodity: str, type_: str, label: str) -> McsSeries:
    table = usgs_mcs_series()
    found = table.get((commodity, type_, label)) or table.get((commodity, type_, ""))
    if found is None:
        raise SourceFormatError(
            path,
            "a (COMMODITY, TYPE) pair listed in registry/usgs_mcs_series.csv",
            line=line,
            column="TYPE",
            value=f"{commodity} / {type_}",
        )
    return found


def _production_flags(notes: str, type_: str) -> tuple[str, str | None]:
    """(flag of the first year's figure, reason for empty cells or None) from PROD_NOTES and TYPE."""
    low = notes.strip().lower()
    empty_reason = None
    if low.startswith("w for"):
        empty_reason = "W"
    elif low in ("na", "na for 2023"):
        empty_reason = "NA"
    elif low.startswith("less than 1/2 unit"):
        empty_reason = "<0.5"
    elif low == "xx":
        empty_reason = "XX"
    estimated = "estimated" in low or "estimated" in type_.lower()
    return ("e" if estimated else "r"), empty_reason


def parse_world_file(path: Path) -> dict[str, pa.Table]:
    """Parse ``MCS<Y+1>_World_Data.csv`` into production, production_totals, capacity and reserves."""
    cols = _world_columns(path)
    expected = (*WORLD_FIXED, *(c for c, _ in cols.values()))
    year = cols["prod_est"][1]
    edition = f"MCS {year + 1}"
    production: list[dict[str, Any]] = []
    totals: list[dict[str, Any]] = []
    capacity: list[dict[str, Any]] = []
    reserves: list[dict[str, Any]] = []
    units: dict[str, tuple[str, int]] = {}
    seen: dict[tuple[str, str, str], int] = {}
    labels: dict[str, tuple[str | None, str]] = {}
    source_id = INFO.id
    for line, row in iter_csv_rows(path, expected):
        source_text = row["SOURCE"].strip()
        if source_text != f"MCS{year + 1}":
            raise SourceFormatError(
                path,
                f"MCS{year + 1} (the edition of the year columns)",
                line=line,
                column="SOURCE",
                value=source_text,
            )
        commodity, type_ = _clean(row["COMMODITY"]), _clean(row["TYPE"])
        label = _clean(row["COUNTRY"])
        if not commodity or not label:
            raise SourceFormatError(
                path,
                "a commodity and a row label",
                line=line,
                column="COMMODITY" if not commodity else "COUNTRY",
                value="",
            )
        series = _series(path, line, commodity, type_, label)
        printed_unit = _clean(row["UNIT_MEAS"])
        if printed_unit:
            first = units.setdefault(series.series, (printed_unit, line))
            if first[0] != printed_unit:
                raise SourceFormatError(
                    path,
                    f"one unit per table ({first[0]!r} on line {first[1]})",
                    line=line,
                    column="UNIT_MEAS",
                    value=printed_unit,
                )
        elif series.unit is None:
            raise SourceFormatError(path, "a unit", line=line, column="UNIT_MEAS", value="")
        unit = series.unit or printed_unit
        kind = "world" if _WORLD.match(label) else "other" if _OTHER.match(label) else "country"
        iso3, qualifier = (None, "") if kind != "country" else _resolve_label(path, line, label, labels)
        if kind != "other":
            # Two qualified rows of one country are two parts (U.S. helium from gas and from the Cliffside
            # reserve): both are kept, each with its qualifier.
            key = (series.series, "(world)" if kind == "world" else (iso3 or label), qualifier)
            if key in seen:
                raise SourceFormatError(
                    path,
                    f"one row per table and country (first on line {seen[key]})",
                    line=line,
                    column="COUNTRY",
                    value=label,
                )
            seen[key] = line
        prod_cols = (cols["prod"], cols["prod_est"])
        values = [_number(path, line, c, row[c]) for c, _ in prod_cols]
        lowtype = type_.lower()
        table_kind = (
            "capacity"
            if "capacity" in lowtype
            else "reserves"
            if lowtype.startswith("reserves")
            else "production"
        )
        if table_kind == "reserves" and any(v is not None for v in values):
            raise SourceFormatError(
                path,
                "no production figure in a reserves table",
                line=line,
                column=prod_cols[0][0],
                value=row[prod_cols[0][0]],
            )
        first_flag, empty_reason = _production_flags(row["PROD_NOTES"], type_)
        base = {
            "source": source_id,
            "commodity": series.series,
            "material": series.material,
            "stage": series.stage,
            "unit": unit,
        }
        if table_kind == "production":
            for (_, y), value, flag in zip(prod_cols, values, (first_flag, "e"), strict=True):
                if kind == "country":
                    production.append(
                        {
                            **base,
                            "country": iso3,
                            "year": y,
                            "quantity": value,
                            "flag": flag if value is not None else (empty_reason or "NA"),
                        }
                    )
                elif kind == "world" and value is not None:
                    totals.append({**base, "year": y, "quantity": value})
        cap_values = [_number(path, line, c, row[c]) for c, _ in (cols["cap"], cols["cap_est"])]
        cap_note = row["CAP_NOTES"].strip()
        cap_flag = {"estimated": "e", "reported": "r", "na": "NA"}.get(cap_note.lower(), "")
        if table_kind == "capacity" and any(v is not None for v in values):
            # Cement's clinker-capacity table prints its figures in the production columns.
            if any(v is not None for v in cap_values):
                raise SourceFormatError(
                    path,
                    "capacity in either the production or the capacity columns of a capacity table, not both",
                    line=line,
                    column=cols["cap"][0],
                    value=row[cols["cap"][0]],
                )
            cap_values, cap_flag = values, first_flag
        if kind != "other":
            for (_, y), value, flag in zip(
                (cols["cap"], cols["cap_est"]), cap_values, (cap_flag, "e"), strict=True
            ):
                if value is None:
                    continue
                capacity.append(
                    {
                        "source": source_id,
                        "edition": edition,
                        "commodity": series.series,
                        "material": series.material,
                        "stage": series.stage,
                        "country": iso3,
                        "country_label": label,
                        "year": y,
                        "capacity": value,
                        "unit": unit,
                        "flag": flag,
                        "note": qualifier,
                    }
                )
        res_col = cols["reserves"][0]
        res_text = row[res_col].strip()
        res_value = _number(path, line, res_col, res_text, bounds=True)
        note = _clean(row["RESERVE_NOTES"])
        word = RESERVE_WORDS.get(note.lower()) or ("NA" if re.match(r"^NA\b", note) else None)
        if series.reserves and kind != "other" and (res_text or word):
            reserves.append(
                {
                    "source": source_id,
                    "edition": edition,
                    "commodity": series.series,
                    "material": series.reserves_material or series.material,
                    "country": iso3,
                    "year": cols["reserves"][1],
                    "reserves": res_value,
                    "reserves_text": res_text or word,
                    "unit": series.reserves_unit or unit,
                    "note": "; ".join(p for p in (qualifier, "" if note in (word or "",) else note) if p),
                }
            )
    return {
        "production": _table("production", production),
        "production_totals": _table("production_totals", totals),
        "capacity": _table("capacity", capacity),
        "reserves": _table("reserves", reserves),
    }


def _table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    return conform(name, pa.Table.from_pylist(rows, schema=TABLES[name])) if rows else empty(name)


# ---- salient statistics --------------------------------------------------------------------------------

UNIT_CODES: dict[str, str] = {
    "t": "t",
    "kt": "thousand t",
    "kg": "kg",
    "g": "g",
    "mmt": "million t",
    "mcm": "million m3",
    "mdol": "million $",
    "pct": "%",
    "num": "number",
    "msqft": "million sq ft",
    "mct": "million carats",
    "index": "index",
    "dlb": "$/lb",
    "dt": "$/t",
    "dkg": "$/kg",
    "dg": "$/g",
    "dto": "$/troy oz",
    "dtoz": "$/troy oz",
    "ctslb": "¢/lb",
    "df": "$/flask",
    "dst": "$/short ton",
}
PRICE_UNITS = frozenset(u for u in UNIT_CODES.values() if u.startswith(("$/", "¢/"))) | {
    "$/mtu",
    "$/mtu WO3",
    "$/carat",
}
# Statistic recognised from the words of a column name, first match wins (NIR before the rest).
STATISTICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("nir", re.compile(r"NIR")),
    ("price", re.compile(r"Price")),
    ("employment", re.compile(r"Employment")),
    ("imports", re.compile(r"Import")),
    ("exports", re.compile(r"Export")),
    ("consumption", re.compile(r"Consump|Apparent|Apprnt")),
    ("stocks", re.compile(r"Stock")),
    ("shipments", re.compile(r"Shipment|Sales|Sold")),
    (
        "production",
        re.compile(r"prod|Production|Mine|Refinery|Smelter|Extracted|Withdrawn|Recycl", re.IGNORECASE),
    ),
)
_SALIENT_NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$|^-?\d+(\.\d+)?$|^-?\.\d+$")
_RANGE = re.compile(r"^\d[\d,.]*\s*[–-]\s*\d[\d,.]*$")


def _statistic(column: str) -> str:
    for name, pattern in STATISTICS:
        if pattern.search(column):
            return name
    return "other"


def _salient_value(text: str, statistic: str) -> tuple[float | None, str] | None:
    """(number or None, flag) of a printed cell; None for an unreadable one."""
    value = text.strip().replace("−", "-")  # a typographic minus
    if _SALIENT_NUMBER.match(value):
        return float(value.replace(",", "")), ""
    low = value.lower()
    if value == "W":
        return None, "W"
    if value == "NA":
        return None, "NA"
    if value == "E":
        return (None, "E") if statistic == "nir" else None
    if value[:1] in "<>" and _SALIENT_NUMBER.match(value[1:].strip()):
        return None, value[0]
    if low.startswith("less than 1/2 unit") or low.startswith("less than ½ unit"):
        return None, "lt_half_unit"
    if low.startswith("less than ") and re.match(r"^less than [\d,]+", low):
        return None, "<"
    if _RANGE.match(value):
        return None, "range"
    if re.match(r"^[A-Za-z][A-Za-z ,]+$", value):
        return None, "text"
    return None


def parse_salient_file(path: Path) -> dict[str, pa.Table]:
    """Parse one ``mcs<Y>-<code>_salient.csv`` into ``usgs_salient`` and ``prices`` rows."""
    header = [h.strip() for h in read_header(path)]
    if len(header) < 4 or header[1:3] != ["Commodity", "Year"] or header[0] not in ("DataSource", "Source"):
        raise SourceFormatError(
            path, "a header starting DataSource,Commodity,Year", line=1, value=",".join(header[:3])
        )
    # Repeated names are told apart by position; empty names must hold no values.
    names: list[str] = []
    for i, name in enumerate(header):
        count = header[:i].count(name)
        names.append(name if count == 0 else f"{name}#{count + 1}")
    repeated = {n for n in header if header.count(n) > 1 and n}
    commodities = usgs_salient_commodities()
    exceptions = usgs_salient_columns()
    rows_out: list[dict[str, Any]] = []
    prices: list[dict[str, Any]] = []
    commodity_seen: str | None = None
    years_seen: dict[int, int] = {}
    with open_text(path) as handle:
        import csv

        reader = csv.reader(handle)
        next(reader, None)
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise SourceFormatError(
                    path, f"{len(header)} fields per row", line=line, value=f"{len(values)} fields"
                )
            edition_text, commodity, year_text = (v.strip() for v in values[:3])
            if not re.match(r"^MCS\d{4}$", edition_text):
                raise SourceFormatError(
                    path, "an edition such as MCS2025", line=line, column=header[0], value=edition_text
                )
            edition = f"MCS {edition_text[3:]}"
            if commodity not in commodities:
                raise SourceFormatError(
                    path,
                    "a commodity listed in registry/usgs_salient_commodities.csv",
                    line=line,
                    column="Commodity",
                    value=commodity,
                )
            if commodity_seen is not None and commodity != commodity_seen:
                raise SourceFormatError(
                    path,
                    f"one commodity per file ({commodity_seen})",
                    line=line,
                    column="Commodity",
                    value=commodity,
                )
            commodity_seen = commodity
            if not re.match(r"^\d{4}$", year_text) or not 1900 <= int(year_text) <= int(edition_text[3:]):
                raise SourceFormatError(
                    path, f"a year up to {edition_text[3:]}", line=line, column="Year", value=year_text
                )
            year = int(year_text)
            if year in years_seen:
                raise SourceFormatError(
                    path,
                    f"one row per year (first on line {years_seen[year]})",
                    line=line,
                    column="Year",
                    value=year_text,
                )
            years_seen[year] = line
            file_material = commodities[commodity][0]
            for position in range(3, len(header)):
                column, name, text = header[position], names[position], values[position]
                if not text.strip():
                    continue
                if not column:
                    raise SourceFormatError(
                        path,
                        "no value under a column without a name",
                        line=line,
                        column=f"column {position + 1}",
                        value=text,
                    )
                statistic = _statistic(column)
                parsed = _salient_value(text, statistic)
                if parsed is None:
                    raise SourceFormatError(
                        path,
                        "a number, W, NA, E (net exporter, NIR only), a bound such as >50, a range or a word",
                        line=line,
                        column=name,
                        value=text,
                    )
                number, flag = parsed
                unit, material = _salient_unit_material(
                    path, commodity, column, statistic, file_material, exceptions
                )
                rows_out.append(
                    {
                        "source": SALIENT_INFO.id,
                        "edition": edition,
                        "commodity": commodity,
                        "material": material,
                        "year": year,
                        "column": name,
                        "statistic": statistic,
                        "value": number,
                        "value_text": text.strip(),
                        "unit": unit,
                        "flag": flag,
                    }
                )
                if (
                    statistic == "price"
                    and number is not None
                    and material is not None
                    and unit in PRICE_UNITS
                    and column not in repeated
                ):
                    if number < 0:
                        raise SourceFormatError(
                            path, "a price of at least 0", line=line, column=name, value=text
                        )
                    prices.append(
                        {
                            "source": SALIENT_INFO.id,
                            "series": f"{commodity}: {name}",
                            "material": material,
                            "period": date(year, 1, 1),
                            "frequency": "annual",
                            "value": number,
                            "unit": unit,
                            "currency": "USD",
                            "note": f"U.S. price, {edition} salient statistics (annual; the latest year "
                            "is an "
                            "estimate)",
                        }
                    )
    return {"usgs_salient": _table("usgs_salient", rows_out), "prices": _table("prices", prices)}


def _salient_unit_material(
    path: Path,
    commodity: str,
    column: str,
    statistic: str,
    file_material: str | None,
    exceptions: dict[tuple[str, str], Any],
) -> tuple[str, str | None]:
    """Unit and material of one salient column (rules, then the registry exceptions)."""
    exception = exceptions.get((commodity, column))
    suffix = column.rsplit("_", 1)[-1] if "_" in column else ""
    if exception is not None and exception.unit is not None:
        unit = exception.unit
    elif statistic == "nir":
        unit = "%"  # net import reliance is a percentage of apparent consumption, whatever the suffix
    elif statistic == "employment":
        unit = "number"
    elif suffix in UNIT_CODES:
        unit = UNIT_CODES[suffix]
    elif suffix == "" and column.endswith("_"):
        unit = "not stated"
    else:
        raise SourceFormatError(
            path,
            "a column name ending in a unit code (" + ", ".join(sorted(UNIT_CODES)) + ")",
            line=1,
            column=column,
            value=suffix,
        )
    material = file_material
    if exception is not None:
        if exception.material == NO_MATERIAL:
            material = None
        elif exception.material is not None:
            material = exception.material
    return unit, material


def parse(data_dir: Path) -> dict[str, pa.Table]:
    """Parse the MCS 2025 world data file found in ``data_dir``."""
    path = data_dir / WORLD_FILE
    if not path.is_file():
        return {name: empty(name) for name in INFO.tables}
    return parse_world_file(path)


def parse_salient(data_dir: Path) -> dict[str, pa.Table]:
    """Parse every MCS 2025 salient file found in ``data_dir``."""
    parts = [parse_salient_file(p) for p in sorted(data_dir.glob(SALIENT_GLOB))]
    return {name: _concat(name, (p[name] for p in parts)) for name in SALIENT_INFO.tables}


def _concat(name: str, tables: Iterable[pa.Table]) -> pa.Table:
    found = [t for t in tables if t.num_rows]
    return pa.concat_tables(found) if found else empty(name)
