"""How the labels of five sources map to registry materials: our own tables, one CSV each, with reasons.

``usgs_mcs_series.csv``
    USGS MCS world data: (``commodity``, ``type``[, ``country_label``]) -> the ``series`` name we store, its
    ``material`` (empty when the registry has no such material: the series is kept under its name), the
    ``stage``, a corrected ``unit`` where the data release mislabels it, whether the reserves column holds
    reserves for this table (``reserves`` yes/no), and for reserves a different ``reserves_material`` or
    ``reserves_unit`` where the release says so in its notes; ``reserve_life`` says whether reserves and
    production measure the same thing (no for iron ore crude-ore reserves against usable-ore output,
    zircon gross weight against ZrO2 reserves, PGM group reserves against palladium output).
    ``country_label`` (usually empty) sends one
    printed row label to its own series (titanium's combined ilmenite-and-rutile world total).
``usgs_salient_commodities.csv``
    USGS MCS salient files: the ``Commodity`` column -> material (empty: not in the registry).
``usgs_salient_columns.csv``
    Column-level exceptions of the salient files: a column naming another material than its file (``-`` for
    none: nepheline syenite, ferrosilicon, TiO2 pigment) or a unit its name gets wrong.
``worldbank_series.csv``
    World Bank Pink Sheet series stored by grondstof -> material (the sheet's other series are not stored).
``refined_labels.csv``
    Labels of the BACI refined top-6 extract -> material, HS6 code, registry stage and basket flag.

Every ``note`` says why a mapping is not the obvious one. The tables are read once and validated against
the material registry (unknown ids, stages or flags raise :class:`SourceFormatError` naming the line).
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from grondstof.errors import SourceFormatError
from grondstof.registry.materials import STAGES, materials

_HERE = Path(__file__).parent
NO_MATERIAL = "-"  # in usgs_salient_columns.csv: the column is explicitly not a registry material


@dataclass(frozen=True)
class McsSeries:
    """One series of the USGS MCS world data (a table of a commodity sheet)."""

    series: str
    material: str | None
    stage: str
    unit: str | None  # None: as printed
    reserves: bool
    reserves_material: str | None
    reserves_unit: str | None  # None: the production unit
    reserve_life: bool  # reserves / production is meaningful (same basis; the unit may need scaling)
    note: str


@dataclass(frozen=True)
class SalientColumn:
    """A column-level exception of the USGS salient files."""

    material: str | None  # None: the file's material; NO_MATERIAL: none
    unit: str | None
    note: str


@dataclass(frozen=True)
class RefinedLabel:
    """A label of the BACI refined top-6 extract."""

    label: str
    material: str
    code: str
    stage: str
    basket: bool
    note: str


def _rows(name: str, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    path = _HERE / name
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != columns:
            raise SourceFormatError(path, "the header " + ",".join(columns), line=1, value=reader.fieldnames)
        out = []
        for i, row in enumerate(reader):
            if None in row or any(v is None for v in row.values()):
                raise SourceFormatError(path, f"{len(columns)} fields per row", line=i + 2)
            out.append((i + 2, {k: v.strip() for k, v in row.items()}))
        return out


def _material(name: str, line: int, column: str, value: str, *, allow_none: str = "") -> str | None:
    if value == "" or value == allow_none:
        return None if value == "" else value
    try:
        materials().get(value)
    except KeyError:
        raise SourceFormatError(
            _HERE / name, "a material id of materials.csv", line=line, column=column, value=value
        ) from None
    return value


def _stage(name: str, line: int, value: str) -> str:
    if value not in STAGES:
        raise SourceFormatError(
            _HERE / name, "one of " + ", ".join(STAGES), line=line, column="stage", value=value
        )
    return value


def _flag(name: str, line: int, column: str, value: str, yes: str, no: str) -> bool:
    if value not in (yes, no):
        raise SourceFormatError(_HERE / name, f"{yes} or {no}", line=line, column=column, value=value)
    return value == yes


@functools.lru_cache(maxsize=1)
def usgs_mcs_series() -> dict[tuple[str, str, str], McsSeries]:
    """(commodity, type, country_label) -> series of the USGS MCS world data ('' label = every row)."""
    name = "usgs_mcs_series.csv"
    columns = (
        "commodity",
        "type",
        "country_label",
        "series",
        "material",
        "stage",
        "unit",
        "reserves",
        "reserves_material",
        "reserves_unit",
        "reserve_life",
        "note",
    )
    out: dict[tuple[str, str, str], McsSeries] = {}
    for line, row in _rows(name, columns):
        key = (row["commodity"], row["type"], row["country_label"])
        if key in out:
            raise SourceFormatError(_HERE / name, "each (commodity, type, country_label) once", line=line)
        if not row["series"]:
            raise SourceFormatError(_HERE / name, "a series name", line=line, column="series", value="")
        out[key] = McsSeries(
            series=row["series"],
            material=_material(name, line, "material", row["material"]),
            stage=_stage(name, line, row["stage"]),
            unit=row["unit"] or None,
            reserves=_flag(name, line, "reserves", row["reserves"], "yes", "no"),
            reserves_material=_material(name, line, "reserves_material", row["reserves_material"]),
            reserves_unit=row["reserves_unit"] or None,
            reserve_life=_flag(name, line, "reserve_life", row["reserve_life"], "yes", "no"),
            note=row["note"],
        )
    return out


@functools.lru_cache(maxsize=1)
def usgs_salient_commodities() -> dict[str, tuple[str | None, str]]:
    """Salient ``Commodity`` -> (material id or None, note)."""
    name = "usgs_salient_commodities.csv"
    out: dict[str, tuple[str | None, str]] = {}
    for line, row in _rows(name, ("commodity", "material", "note")):
        if row["commodity"] in out:
            raise SourceFormatError(_HERE / name, "each commodity once", line=line, column="commodity")
        out[row["commodity"]] = (_material(name, line, "material", row["material"]), row["note"])
    return out


@functools.lru_cache(maxsize=1)
def usgs_salient_columns() -> dict[tuple[str, str], SalientColumn]:
    """(salient commodity, column) -> column-level material or unit exception."""
    name = "usgs_salient_columns.csv"
    out: dict[tuple[str, str], SalientColumn] = {}
    for line, row in _rows(name, ("commodity", "column", "material", "unit", "note")):
        key = (row["commodity"], row["column"])
        if key in out:
            raise SourceFormatError(_HERE / name, "each (commodity, column) once", line=line, column="column")
        out[key] = SalientColumn(
            _material(name, line, "material", row["material"], allow_none=NO_MATERIAL),
            row["unit"] or None,
            row["note"],
        )
    return out


@functools.lru_cache(maxsize=1)
def worldbank_series() -> dict[str, tuple[str, str]]:
    """World Bank Pink Sheet series name (without footnote stars) -> (material id, note)."""
    name = "worldbank_series.csv"
    out: dict[str, tuple[str, str]] = {}
    for line, row in _rows(name, ("series", "material", "note")):
        material = _material(name, line, "material", row["material"])
        if material is None:
            raise SourceFormatError(_HERE / name, "a material id", line=line, column="material", value="")
        out[row["series"]] = (material, row["note"])
    return out


@functools.lru_cache(maxsize=1)
def refined_labels() -> dict[str, RefinedLabel]:
    """Label of the BACI refined top-6 extract -> material, code, stage and basket flag."""
    name = "refined_labels.csv"
    out: dict[str, RefinedLabel] = {}
    for line, row in _rows(name, ("label", "material", "code", "stage", "basket", "note")):
        material = _material(name, line, "material", row["material"])
        if material is None:
            raise SourceFormatError(_HERE / name, "a material id", line=line, column="material", value="")
        if not (row["code"].isdigit() and len(row["code"]) == 6):
            raise SourceFormatError(
                _HERE / name, "a 6-digit HS code", line=line, column="code", value=row["code"]
            )
        out[row["label"]] = RefinedLabel(
            row["label"],
            material,
            row["code"],
            _stage(name, line, row["stage"]),
            _flag(name, line, "basket", row["basket"], "1", "0"),
            row["note"],
        )
    return out
