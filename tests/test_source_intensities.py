"""Material intensities: IEA (2021) power/cars/demand growth and BatPac battery chemistries."""

from __future__ import annotations

from pathlib import Path

import pytest

from grondstof.errors import SourceFormatError
from grondstof.registry.materials import materials
from grondstof.schema import TABLES
from grondstof.sources import intensities

POWER = "intensities/iea2021_power_generation_kg_per_mw.csv"
CAR = "intensities/iea2021_car_kg_per_vehicle.csv"
GROWTH = "intensities/iea2021_demand_growth_2040_vs_2020.csv"
BATPAC = "intensities/batpac_mineral_intensity_kg_per_kwh.csv"


def _variant(tmp_path: Path, fixture: Path, old: str, new: str) -> Path:
    text = fixture.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / fixture.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _id(name: str) -> str:
    return materials().resolve(name).id


def test_power(fixtures: Path) -> None:
    table = intensities.parse_power_file(fixtures / POWER)
    assert table.schema == TABLES["intensity"]
    rows = table.to_pylist()
    assert len(rows) == 5
    assert {r["source"] for r in rows} == {"iea_2021"} and {r["unit"] for r in rows} == {"kg/MW"}
    copper = rows[0]
    assert (copper["technology"], copper["material"], copper["intensity"]) == (
        "offshore_wind",
        "copper",
        7000.0,
    )
    assert rows[1]["material"] == _id("rare earths") and rows[1]["material_label"] == "rare_earths"
    others = rows[2]
    assert (others["material"], others["material_label"], others["intensity"]) == ("", "others", 5.0)
    assert rows[4]["intensity"] == 0.0


def test_car(fixtures: Path) -> None:
    rows = intensities.parse_car_file(fixtures / CAR).to_pylist()
    assert [(r["technology"], r["material"], r["intensity"], r["unit"]) for r in rows] == [
        ("electric_car", "lithium", 9.1, "kg/vehicle"),
        ("conventional_car", "lithium", 0.0, "kg/vehicle"),
        ("electric_car", "", 0.2, "kg/vehicle"),
    ]


def test_demand_growth(fixtures: Path) -> None:
    table = intensities.parse_demand_growth_file(fixtures / GROWTH)
    assert table.schema == TABLES["demand_growth"]
    rows = table.to_pylist()
    assert [(r["material"], r["scenario"], r["multiple"]) for r in rows] == [
        ("lithium", "SDS", 40.5),
        (_id("rare earths"), "STEPS", 3.1),
    ]
    assert rows[0]["meaning"] == "2040 demand / 2020 demand" and rows[0]["source"] == "iea_2021"


@pytest.mark.parametrize(
    ("old", "new", "line", "column"),
    [
        ("technology,mineral,intensity", "technology,mineral,value", 1, "intensity"),
        ("rare_earths,250.5", "rare_earths,n/a", 3, "intensity"),
        ("rare_earths,250.5", "rare_earths,-250.5", 3, "intensity"),
        ("offshore_wind,others,5,kg/MW", "offshore_wind,others,5,t/MW", 4, "unit"),
        ("offshore_wind,others", "offshore_wind,unobtainium", 4, "mineral"),
        ("offshore_wind,others", "Offshore wind,others", 4, "technology"),
        ("solar_pv,cobalt", "solar_pv,silicon", 6, "mineral"),  # duplicate (solar_pv, silicon)
        ("solar_pv,cobalt", "solar_pv,Silicon metal", 6, "mineral"),  # silicon under another name
        ("offshore_wind,others", "offshore_wind,rare_earth_elements", 4, "mineral"),
    ],
)
def test_power_malformed(fixtures: Path, tmp_path: Path, old: str, new: str, line: int, column: str) -> None:
    path = _variant(tmp_path, fixtures / POWER, old, new)
    with pytest.raises(SourceFormatError) as info:
        intensities.parse_power_file(path)
    assert (info.value.line, info.value.column) == (line, column)


@pytest.mark.parametrize(
    ("old", "new", "line", "column"),
    [
        ("rare_earth_elements,STEPS", "others,STEPS", 3, "mineral"),  # no label column to keep a residual
        ("rare_earth_elements,STEPS,3.1", "rare_earth_elements,STEPS,0", 3, "multiple"),
        ("rare_earth_elements,STEPS", "lithium,SDS", 3, "scenario"),  # duplicate
        ("rare_earth_elements,STEPS", "rare_earth_elements,", 3, "scenario"),
    ],
)
def test_growth_malformed(fixtures: Path, tmp_path: Path, old: str, new: str, line: int, column: str) -> None:
    path = _variant(tmp_path, fixtures / GROWTH, old, new)
    with pytest.raises(SourceFormatError) as info:
        intensities.parse_demand_growth_file(path)
    assert (info.value.line, info.value.column) == (line, column)


def test_batpac(fixtures: Path) -> None:
    table = intensities.parse_batpac_file(fixtures / BATPAC)
    assert table.schema == TABLES["intensity"]
    rows = table.to_pylist()
    assert len(rows) == 6  # the two Battery_MWh pseudo-rows are skipped
    assert "Battery_MWh" not in {r["material_label"] for r in rows}
    assert {r["source"] for r in rows} == {"batpac"} and {r["unit"] for r in rows} == {"kg/kWh"}
    assert rows[0] == {
        "source": "batpac",
        "technology": "battery:NMC 811",
        "material": "lithium",
        "material_label": "Lithium",
        "intensity": 0.1,
        "unit": "kg/kWh",
    }
    assert rows[2]["material"] == _id("aluminium") and rows[2]["material_label"] == "Aluminum"
    steel = [r for r in rows if r["material_label"] in ("Steel", "Stainless steel")]
    assert [r["material"] for r in steel] == ["", ""]
    assert rows[-1]["technology"] == "battery:LFP"


@pytest.mark.parametrize(
    ("old", "new", "line", "column"),
    [
        ("mineral,chemistry,kg_per_kwh", "mineral,chemistry,kg", 1, "kg_per_kwh"),
        ("Nickel,NMC 811,0.65", "Nickel,NMC 811,0,65", 1, None),  # four fields: refused by the CSV reader
        ("Nickel,NMC 811,0.65", "Nickel,NMC 811,abc", 3, "kg_per_kwh"),
        ("Nickel,NMC 811,0.65", "Nickle,NMC 811,0.65", 3, "mineral"),
        ("Battery_MWh,NMC 811,1.0", "Battery_MWh,NMC 811,x", 6, "kg_per_kwh"),  # pseudo-rows are validated
        ("Lithium,LFP", "Lithium,NMC 811", 7, "chemistry"),  # duplicate (Lithium, NMC 811)
        ("Steel,NMC 811", "Aluminium,NMC 811", 5, "mineral"),  # "Aluminum" of line 4 again
        ("Stainless steel,LFP,0.3", "Stainless steel,,0.3", 8, "chemistry"),
    ],
)
def test_batpac_malformed(
    fixtures: Path, tmp_path: Path, old: str, new: str, line: int, column: str | None
) -> None:
    path = _variant(tmp_path, fixtures / BATPAC, old, new)
    with pytest.raises(SourceFormatError) as info:
        intensities.parse_batpac_file(path)
    if column is None:
        assert "fields" in info.value.expected
    else:
        assert (info.value.line, info.value.column) == (line, column)


def test_parse_directories(fixtures: Path, tmp_path: Path) -> None:
    (tmp_path / "iea_mineral_intensity").mkdir()
    (tmp_path / "battery_mineral_intensity").mkdir()
    for name in (POWER, CAR, GROWTH):
        source = fixtures / name
        (tmp_path / "iea_mineral_intensity" / source.name).write_bytes(source.read_bytes())
    (tmp_path / "battery_mineral_intensity" / Path(BATPAC).name).write_bytes((fixtures / BATPAC).read_bytes())
    iea = intensities.parse(tmp_path)
    assert set(iea) == set(intensities.INFO.tables)
    assert iea["intensity"].num_rows == 8 and iea["demand_growth"].num_rows == 2
    assert intensities.parse_batpac(tmp_path)["intensity"].num_rows == 6
    assert (
        len(intensities.INFO.find_files(tmp_path)) == 3
        and len(intensities.BATPAC_INFO.find_files(tmp_path)) == 1
    )


@pytest.mark.realdata
def test_real_iea(data_dir: Path) -> None:
    tables = intensities.parse(data_dir)
    rows = tables["intensity"].to_pylist()
    assert len(rows) == 60 + 18
    offshore = {r["material_label"]: r["intensity"] for r in rows if r["technology"] == "offshore_wind"}
    assert offshore["copper"] == 8000.0
    six = ("copper", "zinc", "manganese", "chromium", "nickel", "rare_earths")
    assert sum(offshore[m] for m in six) == pytest.approx(15294, abs=1)
    assert {r["technology"] for r in rows} == {
        "offshore_wind",
        "onshore_wind",
        "solar_pv",
        "nuclear",
        "coal",
        "natural_gas",
        "electric_car",
        "conventional_car",
    }
    assert {r["material_label"] for r in rows if r["material"] == ""} == {"others"}
    growth = tables["demand_growth"].to_pylist()
    assert len(growth) == 18
    assert [g["multiple"] for g in growth if g["material"] == "lithium" and g["scenario"] == "SDS"] == [41.9]


@pytest.mark.realdata
def test_real_batpac(data_dir: Path) -> None:
    rows = intensities.parse_batpac(data_dir)["intensity"].to_pylist()
    assert len(rows) == 231 - 21  # 21 chemistries x 10 minerals; the Battery_MWh rows are skipped
    lithium = [
        r["intensity"] for r in rows if r["technology"] == "battery:NMC 811" and r["material"] == "lithium"
    ]
    assert len(lithium) == 1 and 0 < lithium[0] < 0.2
    assert {r["material_label"] for r in rows if r["material"] == ""} == {"Steel", "Stainless steel"}
    assert len({r["technology"] for r in rows}) == 21
