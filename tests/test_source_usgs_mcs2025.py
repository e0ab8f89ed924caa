"""USGS MCS 2025 data release: world data (production, capacity, reserves) and U.S. salient statistics."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pytest

from grondstof.errors import SourceFormatError
from grondstof.schema import TABLES
from grondstof.sources import usgs_mcs2025

HERE = Path(__file__).parent / "fixtures" / "usgs_mcs2025"
WORLD = HERE / "miniature_world_data.csv"
COBALT = HERE / "miniature-cobal_salient.csv"
RARE_EARTHS = HERE / "miniature-raree_salient.csv"
TITANIUM = HERE / "miniature-timin_salient.csv"


def variant(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text(encoding="utf-8-sig")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    path = tmp_path / source.name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def by(table, *keys):  # type: ignore[no-untyped-def]
    return {tuple(r[k] for k in keys): r for r in table.to_pylist()}


def test_world_fixture() -> None:
    tables = usgs_mcs2025.parse_world_file(WORLD)
    for name in ("production", "production_totals", "capacity", "reserves"):
        assert tables[name].schema == TABLES[name]
    prod = by(tables["production"], "material", "country", "year")
    # The U.S. cobalt row has its own TYPE text but belongs to the same table.
    assert prod[("cobalt", "USA", 2023)]["commodity"] == prod[("cobalt", "COD", 2023)]["commodity"]
    assert prod[("cobalt", "COD", 2024)] == {
        "source": "usgs_mcs2025",
        "commodity": "Cobalt: mine production, Co content",
        "material": "cobalt",
        "stage": "extraction",
        "country": "COD",
        "year": 2024,
        "quantity": 220000.0,
        "unit": "metric tons",
        "flag": "e",
    }
    # Withheld is null with its reason, never zero; an estimated 2023 figure says so.
    assert (prod[("lithium", "USA", 2023)]["quantity"], prod[("lithium", "USA", 2023)]["flag"]) == (None, "W")
    assert prod[("lithium", "BRA", 2023)]["flag"] == "e"
    assert prod[("lithium", "CHL", 2023)]["flag"] == "r"
    # Capacity tables give no production; other countries are not a country.
    assert ("magnesium", "CHN", 2024) in prod and prod[("magnesium", "CHN", 2023)]["flag"] == "r"
    assert not [r for r in tables["production"].to_pylist() if r["commodity"].startswith("Cement")]
    # Titanium concentrates: the unit the release leaves out (Sierra Leone) or mislabels is corrected.
    assert prod[("titanium", "SLE", 2023)]["unit"] == "thousand metric tons"
    totals = by(tables["production_totals"], "material", "year")
    assert totals[("cobalt", 2024)]["quantity"] == 290000.0

    cap = by(tables["capacity"], "commodity", "country_label", "year")
    assert cap[("Gallium: primary (low-purity) production", "China", 2024)]["capacity"] == 1_000_000.0
    us_ca = cap[("Abrasives: plant capacity, fused aluminium oxide", "United States and Canada", 2024)]
    assert (us_ca["country"], us_ca["material"], us_ca["capacity"]) == (None, None, 60000.0)
    clinker = cap[("Cement: clinker capacity", "United States (includes Puerto Rico)", 2023)]
    assert (clinker["country"], clinker["capacity"], clinker["note"]) == (
        "USA",
        100000.0,
        "includes Puerto Rico",
    )

    res = by(tables["reserves"], "material", "country")
    assert res[("cobalt", "COD")]["edition"] == "MCS 2025"
    assert res[("cobalt", None)]["reserves"] == 11_000_000.0  # the world total
    assert ("cobalt", "OTH") not in res and len([k for k in res if k[0] == "cobalt"]) == 4
    assert (res[("cobalt", "NCL")]["reserves"], res[("cobalt", "NCL")]["reserves_text"]) == (None, "NA")
    assert (res[("nickel", None)]["reserves"], res[("nickel", None)]["reserves_text"]) == (None, ">130000000")
    assert res[("molybdenum", "CHN")]["unit"] == "thousand metric tons"  # production is in tonnes
    assert res[("pgm", "ZAF")]["reserves"] == 63_000_000.0  # the palladium row's reserves are all PGMs
    assert ("palladium", "ZAF") not in res and ("magnesium", "CHN") not in res
    helium = [r for r in tables["reserves"].to_pylist() if r["material"] == "helium"]
    assert sorted((r["reserves"], r["note"]) for r in helium) == [
        (50.0, "from Cliffside Field"),
        (8500.0, "extracted from natural gas"),
    ]


def test_world_parse_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "usgs_mcs2025"
    folder.mkdir()
    (folder / "MCS2025_World_Data.csv").write_bytes(WORLD.read_bytes())
    assert usgs_mcs2025.parse(tmp_path)["reserves"].num_rows == 15
    assert usgs_mcs2025.parse(tmp_path / "nothing")["production"].num_rows == 0


@pytest.mark.parametrize(
    ("old", "new", "line", "column"),
    [
        ("PROD_EST_ 2024", "PROD_EST_ 2025", 1, "PROD_EST_ 2025"),  # years that do not fit together
        ("MCS2025,Nickel,Indonesia", "MCS2024,Nickel,Indonesia", 11, "SOURCE"),
        ('Chile,"Mine production, lithium content"', 'Chile,"Mine production, lithium oxide"', 8, "TYPE"),
        ("Indonesia,", "Atlantis,", 11, "COUNTRY"),
        ("metric tons,41400,", "metric tons,41.4k,", 8, "PROD_2023"),
        ("9300000,", "9.3 million,", 8, "RESERVES_2024"),
        (
            'Chile,"Mine production, lithium content",metric tons',
            'Chile,"Mine production, lithium content",kilograms',
            8,
            "UNIT_MEAS",
        ),
        (
            'Brazil,"Mine production, lithium content"',
            'Chile,"Mine production, lithium content"',
            9,
            "COUNTRY",
        ),
        ("Primary production,kilograms,", "Primary production,,", 17, "UNIT_MEAS"),
        (
            'estimated",thousand metric tons,100000,100000,,,,',
            'estimated",thousand metric tons,100000,100000,,5,,',
            19,
            "CAP_2023",
        ),
    ],
)
def test_world_malformed(tmp_path: Path, old: str, new: str, line: int, column: str) -> None:
    with pytest.raises(SourceFormatError) as info:
        usgs_mcs2025.parse_world_file(variant(tmp_path, WORLD, old, new))
    assert (info.value.line, info.value.column) == (line, column), str(info.value)


def test_salient_fixtures() -> None:
    cobalt = usgs_mcs2025.parse_salient_file(COBALT)
    assert cobalt["usgs_salient"].schema == TABLES["usgs_salient"]
    rows = by(cobalt["usgs_salient"], "column", "year")
    assert rows[("NIR_pct", 2024)]["value"] == 76.0 and rows[("NIR_pct", 2024)]["unit"] == "%"
    assert rows[("NIR_pct", 2024)]["statistic"] == "nir"
    assert rows[("Stocks_Industry_t", 2023)]["value"] == 1900.0  # printed "1,900"
    assert rows[("Consump_Apparent_t", 2022)]["statistic"] == "consumption"
    prices = cobalt["prices"].to_pylist()
    assert [(p["period"].year, p["value"], p["unit"], p["currency"]) for p in prices] == [
        (2022, 30.78, "$/lb", "USD"),
        (2023, 17.2, "$/lb", "USD"),
        (2024, 17.0, "$/lb", "USD"),
    ]
    assert prices[0]["frequency"] == "annual" and prices[0]["material"] == "cobalt"

    ree = usgs_mcs2025.parse_salient_file(RARE_EARTHS)
    rows = by(ree["usgs_salient"], "column", "year")
    assert (rows[("Imports_Compounds_t", 2023)]["value"], rows[("Imports_Compounds_t", 2023)]["flag"]) == (
        None,
        "W",
    )
    assert rows[("Exports_Metals_t", 2023)]["flag"] == "lt_half_unit"
    assert rows[("Exports_Metals_t", 2024)]["value"] == -16.0  # a typographic minus
    # Net import reliance is a percentage even when the name ends in _t; E = net exporter.
    nir = rows[("NIR_Compounds-Metals_t", 2023)]
    assert (nir["unit"], nir["value"], nir["flag"], nir["value_text"]) == ("%", None, ">", ">95")
    assert rows[("NIR_Concentrate_t", 2024)]["flag"] == "E"
    assert rows[("Employment_", 2024)]["unit"] == "number"
    price_materials = {(p["material"], p["period"].year): p["value"] for p in ree["prices"].to_pylist()}
    assert price_materials == {
        ("neodymium", 2023): 78.0,
        ("neodymium", 2024): 56.0,
        ("rare_earths", 2023): 5.0,
    }

    titanium = usgs_mcs2025.parse_salient_file(TITANIUM)
    columns = {r["column"]: r for r in titanium["usgs_salient"].to_pylist()}
    assert {"Price_dt", "Price_dt#2"} <= set(columns)
    assert columns["Price_dt#2"]["flag"] == "range"
    assert columns["CrystalImports, piezoelectric_t"]["statistic"] == "imports"
    # Repeated price columns cannot say what they price: not in the price table.
    assert titanium["prices"].num_rows == 0


def test_salient_parse_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "usgs_mcs2025" / "salient"
    folder.mkdir(parents=True)
    for source in (COBALT, RARE_EARTHS):
        name = "mcs2025-" + source.name.split("-", 1)[1]
        (folder / name).write_bytes(source.read_bytes())
    tables = usgs_mcs2025.parse_salient(tmp_path)
    assert tables["prices"].num_rows == 6
    assert set(tables["usgs_salient"]["commodity"].to_pylist()) == {"Cobalt", "Rare Earths"}


@pytest.mark.parametrize(
    ("source", "old", "new", "line", "column"),
    [
        (COBALT, "2023,500,9500", "2023,500,9500x", 3, "Imports_t"),  # not a number
        (COBALT, "Price_Spot_dlb", "Price_Spot_dlbs", 1, "Price_Spot_dlbs"),  # unknown unit code
        (COBALT, "MCS2025,Cobalt,2024", "MCS2025,Kobalt,2024", 4, "Commodity"),  # unknown commodity
        (COBALT, "MCS2025,Cobalt,2024", "MCS2025,Cobalt,2023", 4, "Year"),  # a year twice
        (COBALT, "MCS2025,Cobalt,2024", "MCS2025,Cobalt,2026", 4, "Year"),  # after the edition
        (COBALT, "7150,30.78", "7150,E", 2, "Price_Spot_dlb"),  # E (net exporter) outside NIR
        (RARE_EARTHS, "80,E,", "80,E,12", 3, "column 12"),  # a value under an empty column name
        (COBALT, "2022,500,10500,5360,7150,30.78,946,73", "2022,500,10500,5360,7150,30.78,946", 2, None),
    ],
)
def test_salient_malformed(
    tmp_path: Path, source: Path, old: str, new: str, line: int, column: str | None
) -> None:
    with pytest.raises(SourceFormatError) as info:
        usgs_mcs2025.parse_salient_file(variant(tmp_path, source, old, new))
    assert (info.value.line, info.value.column) == (line, column), str(info.value)


@pytest.mark.realdata
def test_real_world_file(data_dir: Path) -> None:
    tables = usgs_mcs2025.parse(data_dir)
    prod = tables["production"]
    assert pc.count(prod["country"], mode="only_null").as_py() == 0

    def one(table, **where):  # type: ignore[no-untyped-def]
        rows = [r for r in table.to_pylist() if all(r[k] == v for k, v in where.items())]
        assert len(rows) == 1, (where, rows)
        return rows[0]

    # MCS 2025: DRC cobalt mine production 220,000 t in 2024 (e); world 290,000 t.
    assert one(prod, material="cobalt", country="COD", year=2024)["quantity"] == 220000.0
    assert one(tables["production_totals"], material="cobalt", year=2024)["quantity"] == 290000.0
    assert one(prod, material="lithium", country="USA", year=2024)["flag"] == "W"
    res = tables["reserves"]
    assert one(res, material="lithium", country="CHL")["reserves"] == 9_300_000.0
    assert one(res, material="lithium", country=None)["reserves"] == 30_000_000.0
    assert one(res, material="rare_earths", country=None)["reserves_text"] == ">90000000"
    assert set(res["edition"].to_pylist()) == {"MCS 2025"}
    # Magnesium metal's reserves column is its capacity: no magnesium reserves.
    assert "magnesium" not in res["material"].to_pylist()
    iron = one(res, commodity="Iron ore: mine production, Fe content", country=None)
    assert (iron["reserves"], iron["unit"]) == (88000.0, "million metric tons (iron content)")
    gallium_cap = one(tables["capacity"], material="gallium", country=None, year=2024)
    assert gallium_cap["capacity"] == 1_100_000.0


@pytest.mark.realdata
def test_real_salient_files(data_dir: Path) -> None:
    tables = usgs_mcs2025.parse_salient(data_dir)
    salient = tables["usgs_salient"]
    assert len(set(salient["commodity"].to_pylist())) == 85
    nir = {
        (r["commodity"], r["column"], r["year"]): r
        for r in salient.filter(pc.equal(salient["statistic"], "nir")).to_pylist()
    }
    assert nir[("Cobalt", "NIR_pct", 2024)]["value"] == 76.0
    assert nir[("Gallium", "NIR_pct", 2024)]["value"] == 100.0
    assert nir[("Lithium", "NIR_pct", 2024)]["value_text"] == ">50"
    assert nir[("Nickel", "NIR_ct", 2024)]["value"] == 48.0
    prices = {(r["series"], r["period"].year): r for r in tables["prices"].to_pylist()}
    lithium = prices[("Lithium: Price_dt", 2022)]
    assert (lithium["value"], lithium["unit"], lithium["material"]) == (71100.0, "$/t", "lithium")
    assert prices[("Gallium: Price_Low-purity_dkg", 2024)]["value"] == 220.0
    assert prices[("Platinum-Group Metals: Price_Palladium_dto", 2020)]["material"] == "palladium"
    assert not [k for k in prices if k[0].startswith("Titanium Mineral Concentrates: Price_dt")]
