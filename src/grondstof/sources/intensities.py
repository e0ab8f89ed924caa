"""Material intensities of energy technologies: IEA (2021) figures and BatPac battery chemistries.

Two sources feed the canonical ``intensity`` table (kg of mineral per unit of technology):

``iea_2021`` — IEA (2021), *The Role of Critical Minerals in Clean Energy Transitions*, figure values
    transcribed into three files under ``iea_mineral_intensity/``:
    ``iea2021_power_generation_kg_per_mw.csv`` (``technology,mineral,intensity,unit,source,verification``;
    kg per MW of capacity), ``iea2021_car_kg_per_vehicle.csv`` (``vehicle,mineral,content,unit,…``; kg per
    vehicle) and ``iea2021_demand_growth_2040_vs_2020.csv`` (``mineral,scenario,multiple,meaning,…``; the
    2040/2020 multiple of clean-energy demand, canonical ``demand_growth``).
``batpac`` — ``battery_mineral_intensity/batpac_mineral_intensity_kg_per_kwh.csv``
    (``mineral,chemistry,kg_per_kwh``) from the Mineral_Intensity workbook of Busch et al., values from
    Argonne BatPac 5.1 (SolidPac for solid-state, Zhao et al. 2023 for sodium-ion). Technology ids are
    ``battery:<chemistry>`` with the chemistry text as in the file ("battery:NMC 811").

Mineral names become registry ids. Rows that are not one material are kept with material ``""`` and the
source's label in ``material_label``: IEA's residual ``others`` and BatPac's ``Steel`` and ``Stainless steel``
(see :data:`NON_MATERIAL_LABELS`). BatPac's pseudo-row ``Battery_MWh`` (1.0 for every chemistry: the
workbook's helper for battery capacity, not a mineral) is validated and then skipped. Any other name the
registry does not know refuses the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from grondstof.errors import SourceFormatError, UnknownMaterialError
from grondstof.registry._text import normalise
from grondstof.registry.materials import materials
from grondstof.schema import conform, empty
from grondstof.sources._base import (
    SourceInfo,
    check_unique,
    float_column,
    map_column,
    read_csv_text,
    text_column,
)

IEA_CITATION = (
    "IEA (2021), The Role of Critical Minerals in Clean Energy Transitions, World Energy Outlook Special "
    "Report, International Energy Agency, Paris"
)

INFO = SourceInfo(
    id="iea_2021",
    title="Mineral intensity of power generation and cars, and clean-energy demand growth to 2040 (IEA 2021)",
    publisher="International Energy Agency (figure values transcribed)",
    licence="Not verified: many IEA reports are CC BY 4.0, IEA datasets fall under IEA terms for non-CC "
    "material; only individual published figure values (facts) were transcribed, with attribution. Check the "
    "IEA terms before commercial redistribution.",
    version="2021 (World Energy Outlook Special Report, May 2021)",
    citation=IEA_CITATION,
    url="https://www.iea.org/reports/the-role-of-critical-minerals-in-clean-energy-transitions",
    files=(
        "iea_mineral_intensity/iea2021_power_generation_kg_per_mw.csv",
        "iea_mineral_intensity/iea2021_car_kg_per_vehicle.csv",
        "iea_mineral_intensity/iea2021_demand_growth_2040_vs_2020.csv",
    ),
    tables=("intensity", "demand_growth"),
    notes="Transcribed from the figures 'Minerals used in selected power generation technologies' (kg/MW), "
    "'Minerals used in electric cars compared to conventional cars' (kg/vehicle; EV = 75 kWh NMC622 battery "
    "with graphite anode) and 'Growth in demand for selected minerals from clean energy technologies in 2040 "
    "relative to 2020 levels' (SDS and STEPS; values as transcribed by ArgenData/Fundar). Steel, aluminium, "
    "concrete and glass are excluded by IEA. The residual 'others' is kept with material '' (empty) and "
    "material_label 'others'. Cross-checked with Visual Capitalist/Teck, SAE International (2022) and the "
    "ArgenData transcription. 2021 vintage.",
    units={
        "intensity": "kg/MW (power technologies), kg/vehicle (cars)",
        "multiple": "2040 demand / 2020 demand",
    },
)

BATPAC_INFO = SourceInfo(
    id="batpac",
    title="Mineral intensity of battery chemistries, kg per kWh of pack capacity (BatPac-based)",
    publisher="Pablo Busch et al., Critical-Minerals-EV replication data (values from Argonne BatPac 5.1)",
    licence="MIT (© 2024 Pablo Busch)",
    version="GitHub pmbusch/Critical-Minerals-EV commit 737c14574671bf0f9411b52e2ba580ceaa0cdc7d, "
    "Data/Demand Model/Mineral_Intensity.xlsx sheet BatPac",
    citation="Busch, P. et al. (2024/2025), lithium demand and recycling (replication data, GitHub "
    "pmbusch/Critical-Minerals-EV); Argonne National Laboratory, BatPac 5.1; Zhao et al. (2023), Nature "
    "Reviews Materials (sodium-ion)",
    url="https://github.com/pmbusch/Critical-Minerals-EV",
    files=("battery_mineral_intensity/batpac_mineral_intensity_kg_per_kwh.csv",),
    tables=("intensity",),
    notes="kg of element per kWh of pack capacity; multiply by battery size (kWh) for kg per vehicle. "
    "Li-ion: "
    "BatPac 5.1 default configurations (LiPF6 electrolyte, graphite anode); solid-state ('SS …'): SolidPac, "
    "only Li and P updated; sodium-ion (SIB): Zhao et al. (2023). Technology id 'battery:<chemistry>'. "
    "'Steel' and 'Stainless steel' are kept with material '' and their label; the pseudo-row 'Battery_MWh' "
    "(1.0 for every chemistry, a workbook helper) is skipped.",
    units={"intensity": "kg/kWh"},
)

POWER_COLUMNS = ("technology", "mineral", "intensity", "unit", "source", "verification")
CAR_COLUMNS = ("vehicle", "mineral", "content", "unit", "source", "verification")
GROWTH_COLUMNS = ("mineral", "scenario", "multiple", "meaning", "source", "verification")
BATPAC_COLUMNS = ("mineral", "chemistry", "kg_per_kwh")

TECHNOLOGY_PATTERN = r"^[a-z][a-z0-9_]*$"

# Labels that are not one material: kept with material "" (empty) and the label as given.
NON_MATERIAL_LABELS: frozenset[str] = frozenset(
    normalise(text) for text in ("others", "other", "total", "steel", "stainless steel")
)
# BatPac pseudo-rows that are not minerals at all; skipped after validation.
SKIPPED_LABELS: frozenset[str] = frozenset({"Battery_MWh"})


def _material_mapping(values: Iterable[object]) -> dict[object, str | None]:
    """Map mineral labels to registry ids; "" for the listed non-material labels, None if unknown."""
    registry = materials()
    result: dict[object, str | None] = {}
    for value in values:
        text = str(value)
        if normalise(text) in NON_MATERIAL_LABELS:
            result[value] = ""
            continue
        try:
            # The registry folds case and punctuation: "rare_earth_elements" is "rare earth elements".
            result[value] = registry.resolve(text).id
        except UnknownMaterialError:
            result[value] = None
    return result


def _materials(values: pa.Array, path: Path, column: str = "mineral") -> pa.Array:
    return map_column(
        values,
        _material_mapping,
        path,
        column,
        "a mineral known to the material registry (or a listed non-material label such as 'others')",
    )


def _constant(value: str, n: int) -> pa.Array:
    return pa.array([value] * n, pa.string())


def _check_unique_material(
    path: Path, key_column: str, key: pa.Array, label: pa.Array, material: pa.Array
) -> None:
    """Refuse one material twice per technology, also under two names ("rare_earths", "rare_earth_elements").

    Rows without a material ("others", "Steel") are told apart by their label.
    """
    which = pc.if_else(pc.equal(material, ""), pc.binary_join_element_wise("label:", label, ""), material)
    check_unique(pa.table({key_column: key, "mineral": which}), [key_column, "mineral"], path)


def _intensity_rows(
    path: Path, raw: pa.Table, technology_column: str, value_column: str, unit: str
) -> pa.Table:
    technology = text_column(
        raw,
        technology_column,
        path,
        pattern=TECHNOLOGY_PATTERN,
        expected="a technology id such as offshore_wind (lower case, underscores)",
    )
    label = text_column(raw, "mineral", path, expected="a mineral name")
    value = float_column(raw, value_column, path, lo=0, expected=f"an intensity in {unit} of at least 0")
    text_column(raw, "unit", path, pattern=f"^{unit}$", expected=f"the unit {unit}")
    text_column(raw, "source", path, expected="the publication the value was transcribed from")
    material = _materials(label, path)
    table = pa.table(
        {
            "source": _constant(INFO.id, raw.num_rows),
            "technology": technology,
            "material": material,
            "material_label": label,
            "intensity": value,
            "unit": _constant(unit, raw.num_rows),
        }
    )
    _check_unique_material(path, technology_column, technology, label, material)
    return conform("intensity", table)


def parse_power_file(path: Path) -> pa.Table:
    """Parse ``iea2021_power_generation_kg_per_mw.csv`` into canonical ``intensity`` rows (kg/MW)."""
    raw = read_csv_text(path, POWER_COLUMNS)
    return _intensity_rows(path, raw, "technology", "intensity", "kg/MW")


def parse_car_file(path: Path) -> pa.Table:
    """Parse ``iea2021_car_kg_per_vehicle.csv`` into canonical ``intensity`` rows (kg/vehicle)."""
    raw = read_csv_text(path, CAR_COLUMNS)
    return _intensity_rows(path, raw, "vehicle", "content", "kg/vehicle")


def parse_demand_growth_file(path: Path) -> pa.Table:
    """Parse ``iea2021_demand_growth_2040_vs_2020.csv`` into canonical ``demand_growth`` rows.

    Every mineral must be a registry material (the table has no label column to keep a residual in).
    """
    raw = read_csv_text(path, GROWTH_COLUMNS)
    label = text_column(raw, "mineral", path, expected="a mineral name")
    scenario = text_column(
        raw,
        "scenario",
        path,
        pattern=r"^[A-Z][A-Za-z0-9_-]*$",
        expected="an IEA scenario code such as SDS or STEPS",
    )
    multiple = float_column(raw, "multiple", path, strictly_positive=True)
    meaning = text_column(raw, "meaning", path, expected="what the multiple means")
    text_column(raw, "source", path, expected="the publication the value was transcribed from")
    material = _materials(label, path)
    _fail_empty_material(path, label, material)
    table = pa.table(
        {
            "source": _constant(INFO.id, raw.num_rows),
            "material": material,
            "scenario": scenario,
            "multiple": multiple,
            "meaning": meaning,
        }
    )
    check_unique(table, ["material", "scenario"], path)
    return conform("demand_growth", table)


def _fail_empty_material(path: Path, label: pa.Array, material: pa.Array) -> None:
    """Refuse residual labels ("others") where the output has no column to keep the label in."""
    empty_material = pc.equal(material, "")
    if pc.any(empty_material).as_py():
        index = pc.index(empty_material, True).as_py()
        raise SourceFormatError(
            path,
            "a single material (residuals such as 'others' have no place here)",
            line=index + 2,
            column="mineral",
            value=label[index].as_py(),
        )


def parse_batpac_file(path: Path) -> pa.Table:
    """Parse ``batpac_mineral_intensity_kg_per_kwh.csv`` into canonical ``intensity`` rows (kg/kWh).

    Every row is validated (so line numbers in errors are exact); the ``Battery_MWh`` pseudo-rows are then
    dropped.
    """
    raw = read_csv_text(path, BATPAC_COLUMNS)
    label = text_column(raw, "mineral", path, expected="a mineral name")
    chemistry = text_column(raw, "chemistry", path, expected="a battery chemistry such as 'NMC 811'")
    value = float_column(raw, "kg_per_kwh", path, lo=0, expected="an intensity in kg/kWh of at least 0")
    keep = pc.invert(pc.is_in(label, value_set=pa.array(sorted(SKIPPED_LABELS), pa.string())))
    check_unique(pa.table({"mineral": label, "chemistry": chemistry}), ["mineral", "chemistry"], path)
    # Map only the kept labels; an unknown one is reported at its own line.
    mapping = _material_mapping(v for v in pc.unique(label).to_pylist() if v not in SKIPPED_LABELS)
    material = pa.array([mapping.get(v) for v in label.to_pylist()], pa.string())
    unknown = pc.and_(keep, pc.is_null(material))
    count = pc.sum(unknown).as_py() or 0
    if count:
        index = pc.index(unknown, True).as_py()
        raise SourceFormatError(
            path,
            "a mineral known to the material registry (or one of Steel, Stainless steel, Battery_MWh)",
            line=index + 2,
            column="mineral",
            value=label[index].as_py(),
            more=count - 1,
        )
    # Battery_MWh rows have no material; give them their label so the check below can still run on all rows.
    _check_unique_material(path, "chemistry", chemistry, label, pc.fill_null(material, ""))
    table = pa.table(
        {
            "source": _constant(BATPAC_INFO.id, raw.num_rows),
            "technology": pc.binary_join_element_wise("battery:", chemistry, ""),
            "material": material,
            "material_label": label,
            "intensity": value,
            "unit": _constant("kg/kWh", raw.num_rows),
        }
    ).filter(keep)
    return conform("intensity", table)


def parse(data_dir: Path) -> dict[str, pa.Table]:
    """Parse the IEA (2021) intensity and demand-growth files found in ``data_dir``."""
    base = data_dir / "iea_mineral_intensity"
    parts = []
    for name, parser in (
        ("iea2021_power_generation_kg_per_mw.csv", parse_power_file),
        ("iea2021_car_kg_per_vehicle.csv", parse_car_file),
    ):
        if (base / name).exists():
            parts.append(parser(base / name))
    growth = base / "iea2021_demand_growth_2040_vs_2020.csv"
    return {
        "intensity": pa.concat_tables(parts) if parts else empty("intensity"),
        "demand_growth": parse_demand_growth_file(growth) if growth.exists() else empty("demand_growth"),
    }


def parse_batpac(data_dir: Path) -> dict[str, pa.Table]:
    """Parse the BatPac battery intensity file found in ``data_dir``."""
    path = data_dir / "battery_mineral_intensity" / "batpac_mineral_intensity_kg_per_kwh.csv"
    return {"intensity": parse_batpac_file(path) if path.exists() else empty("intensity")}
