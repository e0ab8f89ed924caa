"""TNO: critical raw-material content of the 25 CBS product groups, and supply-security indicators.

Layout (``tno_crm_content/``, GitHub ``geoFluxus/ICER`` ``data/TNO/``; PROVENANCE §17), both semicolon
separated with decimal commas:

* ``CRM_per_kg_CE25.csv``: ``CE25;CE25_id;<material>;…`` — one row per CBS "CE25" product group (Dutch
  names, ``Transportmiddelen``), one column per raw material (Dutch names, ``Kobalt``, ``Wolfraam``).
* ``Supply_security_indicators.csv``: ``Unit;Indicator;<material>;…`` — three rows: the price in April
  2021 (``EUR/metric Ton``), the price volatility (``I``, an index) and the HHI of 2020 on the 0–10,000
  scale (``I``).

**The content file states no unit.** The values are consistent with grams of raw material per kilogram of
product (transport equipment: iron 331, cobalt 1.08), which is the assumption grondstof makes and states on
every row (``unit`` = ``g/kg``, ``unit_assumption``). Material names are resolved through the material
registry (Dutch names and aliases); a name the registry does not know is kept with a null material id, not
dropped. A published 0 is kept as 0 (TNO's table says the group contains none of it).

The indicator file is stored as published, but several of its values do not fit the column they sit in
(price April 2021: ``Kobalt`` 110 EUR/t and ``Koper`` 5.4 million EUR/t, where the market paid about 40,000
and 8,000 EUR/t; HHI 2020: ``Gallium`` 5,859 although China alone refined over 90 %): the columns appear
shifted against the names. grondstof uses none of these indicators in its own figures; read them with care.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pyarrow as pa

from grondstof.errors import SourceFormatError, UnknownMaterialError
from grondstof.registry.materials import materials
from grondstof.schema import TABLES, conform, empty
from grondstof.sources._base import SourceInfo, open_text

CONTENT_FILE = "tno_crm_content/CRM_per_kg_CE25.csv"
INDICATOR_FILE = "tno_crm_content/Supply_security_indicators.csv"
CONTENT_UNIT = "g/kg"
UNIT_ASSUMPTION = (
    "assumed grams of raw material per kg of product: the TNO file states no unit; the values fit g/kg "
    "(transport equipment: iron 331, cobalt 1.08)"
)
INDICATORS = {
    "Price april 2021": ("price_2021_04", "EUR/t"),
    "Volatility": ("volatility", "index"),
    "HHI2020": ("hhi_2020", "HHI 0-10000"),
}
UNITS = {"EUR/metric Ton": "EUR/t", "I": "index"}
_DECIMAL = re.compile(r"^-?\d+(,\d+)?([eE][+-]?\d+)?$")

INFO = SourceInfo(
    id="tno_crm_content",
    title="TNO raw-material content per kg of product for the 25 CBS product groups (CE25), with supply-"
    "security indicators",
    publisher="TNO (tables copied by GitHub geoFluxus/ICER)",
    licence="Repository GPL-2.0; TNO's own terms not stated (cite TNO and the repository; use as "
    "reference factors)",
    version="geoFluxus/ICER HEAD cb71f9897d0912f8afdc50da719949892441f048, data/TNO/",
    citation="TNO, distribution of (critical) abiotic raw materials over the CBS CE25 product groups, as "
    "used in the Dutch Integral Circular Economy Report (ICER)",
    url="https://github.com/geoFluxus/ICER",
    files=(CONTENT_FILE, INDICATOR_FILE),
    tables=("product_content", "tno_supply_indicators"),
    notes="UNIT NOT STATED in the content file: grondstof assumes grams per kg of product (g/kg) and says so "
    "on every row. 25 product groups x 64 raw materials (Dutch names, resolved through the material "
    "registry; unknown names are kept with a null material). Supply-security indicators: price April 2021 "
    "in EUR/t, price volatility (index, TNO's definition not given in the file) and HHI 2020 on 0-10,000, "
    "stored as published although several values do not fit their column (Kobalt 110 EUR/t, Koper 5.4 "
    "million EUR/t): they look shifted against the names and are not used in any grondstof figure.",
    units={"content": "g/kg (assumed)", "price_2021_04": "EUR/t", "hhi_2020": "0-10000"},
)


def _rows(path: Path) -> list[tuple[int, list[str]]]:
    with open_text(path) as handle:
        reader = csv.reader(handle, delimiter=";")
        out = []
        for values in reader:
            if any(v.strip() for v in values):
                out.append((reader.line_num, [v.strip() for v in values]))
        return out


def _decimal(path: Path, line: int, column: str, text: str) -> float:
    if not _DECIMAL.match(text):
        raise SourceFormatError(
            path, "a number with a decimal comma (e.g. 0,632)", line=line, column=column, value=text
        )
    return float(text.replace(",", "."))


def _material_ids(names: list[str]) -> dict[str, str | None]:
    registry = materials()
    out: dict[str, str | None] = {}
    for name in names:
        try:
            out[name] = registry.resolve(name).id
        except UnknownMaterialError:
            out[name] = None
    return out


def _header(path: Path, rows: list[tuple[int, list[str]]], first: tuple[str, str]) -> list[str]:
    if not rows or tuple(rows[0][1][:2]) != first or len(rows[0][1]) < 3:
        got = ";".join(rows[0][1][:3]) if rows else ""
        raise SourceFormatError(path, f"a header {first[0]};{first[1]};<raw materials>", line=1, value=got)
    names = rows[0][1][2:]
    for i, name in enumerate(names):
        if not name or name in names[:i]:
            raise SourceFormatError(
                path, "a distinct raw-material name per column", line=1, column=f"column {i + 3}", value=name
            )
    return names


def parse_content_file(path: Path) -> pa.Table:
    """Parse ``CRM_per_kg_CE25.csv`` into ``product_content`` (group × material, g/kg assumed)."""
    rows = _rows(path)
    names = _header(path, rows, ("CE25", "CE25_id"))
    ids = _material_ids(names)
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line, values in rows[1:]:
        if len(values) != len(names) + 2:
            raise SourceFormatError(
                path, f"{len(names) + 2} fields per row", line=line, value=f"{len(values)} fields"
            )
        group, group_id = values[0], values[1]
        if not group:
            raise SourceFormatError(path, "a product group name", line=line, column="CE25", value=group)
        if group in seen:
            raise SourceFormatError(
                path,
                f"each product group once (first on line {seen[group]})",
                line=line,
                column="CE25",
                value=group,
            )
        seen[group] = line
        if not group_id.isdigit() or not 1 <= int(group_id) <= 99:
            raise SourceFormatError(
                path, "a product group number", line=line, column="CE25_id", value=group_id
            )
        for name, text in zip(names, values[2:], strict=True):
            value = _decimal(path, line, name, text)
            if value < 0 or value > 1000:
                raise SourceFormatError(
                    path, "a content between 0 and 1000 g/kg", line=line, column=name, value=text
                )
            out.append(
                {
                    "source": INFO.id,
                    "product_group": group,
                    "product_group_id": int(group_id),
                    "material_label": name,
                    "material": ids[name],
                    "content": value,
                    "unit": CONTENT_UNIT,
                    "unit_assumption": UNIT_ASSUMPTION,
                }
            )
    return (
        conform("product_content", pa.Table.from_pylist(out, schema=TABLES["product_content"]))
        if out
        else empty("product_content")
    )


def parse_indicator_file(path: Path) -> pa.Table:
    """Parse ``Supply_security_indicators.csv`` into ``tno_supply_indicators`` (long)."""
    rows = _rows(path)
    names = _header(path, rows, ("Unit", "Indicator"))
    ids = _material_ids(names)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for line, values in rows[1:]:
        if len(values) != len(names) + 2:
            raise SourceFormatError(
                path, f"{len(names) + 2} fields per row", line=line, value=f"{len(values)} fields"
            )
        unit_text, indicator = values[0], values[1]
        if indicator not in INDICATORS or indicator in seen:
            raise SourceFormatError(
                path,
                "each of " + ", ".join(INDICATORS) + " once",
                line=line,
                column="Indicator",
                value=indicator,
            )
        seen.add(indicator)
        if unit_text not in UNITS:
            raise SourceFormatError(
                path, "a unit " + " or ".join(UNITS), line=line, column="Unit", value=unit_text
            )
        key, unit = INDICATORS[indicator]
        for name, text in zip(names, values[2:], strict=True):
            value = _decimal(path, line, name, text)
            if value < 0 or (key == "hhi_2020" and value > 10_000):
                raise SourceFormatError(
                    path, "a value of at least 0 (HHI at most 10,000)", line=line, column=name, value=text
                )
            out.append(
                {
                    "source": INFO.id,
                    "material_label": name,
                    "material": ids[name],
                    "indicator": key,
                    "value": value,
                    "unit": unit,
                    "indicator_text": f"{indicator} ({unit_text})",
                }
            )
    return (
        conform("tno_supply_indicators", pa.Table.from_pylist(out, schema=TABLES["tno_supply_indicators"]))
        if out
        else empty("tno_supply_indicators")
    )


def parse(data_dir: Path) -> dict[str, pa.Table]:
    """Parse the two TNO tables found in ``data_dir``."""
    content, indicators = data_dir / CONTENT_FILE, data_dir / INDICATOR_FILE
    return {
        "product_content": parse_content_file(content) if content.is_file() else empty("product_content"),
        "tno_supply_indicators": parse_indicator_file(indicators)
        if indicators.is_file()
        else empty("tno_supply_indicators"),
    }
