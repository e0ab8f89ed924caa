"""USGS Mineral Commodity Summaries 2026 extract: production, world totals and reserves."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pytest

from grondstof.errors import SourceFormatError
from grondstof.schema import TABLES
from grondstof.sources import usgs

FIXTURE = Path(__file__).parent / "fixtures" / "usgs" / "mcs_world_production_reserves.csv"


def variant(tmp_path: Path, old: str, new: str, *, append: str = "") -> Path:
    text = FIXTURE.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    path = tmp_path / "usgs.csv"
    path.write_text(text.replace(old, new) + append, encoding="utf-8")
    return path


def test_fixture() -> None:
    tables = usgs.parse_mcs_file(FIXTURE)
    for name in ("production", "production_totals", "reserves"):
        assert tables[name].schema == TABLES[name]
    production = {(r["material"], r["country"], r["year"]): r for r in tables["production"].to_pylist()}
    # Six country rows x two years; 'Other countries' and world totals are not country rows.
    assert len(production) == 12
    assert production[("cobalt", "COD", 2024)] == {
        "source": "usgs_mcs2026",
        "commodity": "cobalt",
        "material": "cobalt",
        "stage": "extraction",
        "country": "COD",
        "year": 2024,
        "quantity": 200000.0,
        "unit": "t cobalt content",
        "flag": "r",
    }
    assert production[("cobalt", "COD", 2025)]["flag"] == "e"
    assert production[("lithium", "USA", 2024)]["quantity"] is None  # withheld, not zero
    assert production[("rare_earths", "MMR", 2025)]["quantity"] == 20000.0  # "Burma"
    assert production[("gallium", "CHN", 2024)]["stage"] == "processing"
    assert production[("gallium", "CHN", 2024)]["unit"] == "kg gallium content (primary low-purity)"

    totals = {(r["material"], r["year"]): r["quantity"] for r in tables["production_totals"].to_pylist()}
    assert totals == {
        ("cobalt", 2024): 210000.0,
        ("cobalt", 2025): 221000.0,
        ("lithium", 2024): 80000.0,
        ("lithium", 2025): 90000.0,
        ("rare_earths", 2024): 25000.0,
        ("rare_earths", 2025): 20000.0,
        ("gallium", 2024): 800000.0,
        ("gallium", 2025): 850000.0,
    }

    reserves = {(r["material"], r["country"]): r for r in tables["reserves"].to_pylist()}
    assert set(reserves) == {
        ("cobalt", "COD"),
        ("cobalt", "CHN"),
        ("cobalt", None),
        ("lithium", "USA"),
        ("lithium", "AUS"),
        ("lithium", None),
        ("rare_earths", "MMR"),
        ("rare_earths", None),
    }
    assert reserves[("cobalt", "CHN")]["reserves"] == 150000.0  # printed "150,000"
    assert reserves[("cobalt", None)]["reserves"] == 5900000.0  # the world total
    assert (
        reserves[("rare_earths", "MMR")]["reserves"],
        reserves[("rare_earths", "MMR")]["reserves_text"],
    ) == (None, "NA")
    world_ree = reserves[("rare_earths", None)]
    assert (world_ree["reserves"], world_ree["reserves_text"], world_ree["year"]) == (
        None,
        ">80,000,000",
        2025,
    )


def test_parse(tmp_path: Path) -> None:
    folder = tmp_path / "usgs_mcs2026"
    folder.mkdir()
    (folder / "usgs_mcs2026_world_production_reserves_selected.csv").write_bytes(FIXTURE.read_bytes())
    assert usgs.parse(tmp_path)["production"].num_rows == 12
    assert usgs.parse(tmp_path / "nothing")["reserves"].num_rows == 0


@pytest.mark.parametrize(
    ("old", "new", "line", "column"),
    [
        (",unit,source,", ",units,source,", 1, "unit"),  # bad header
        ("production_2025e,capacity_2025", "production_2026e,capacity_2025", 1, "production_2026e"),  # years
        ("Congo (Kinshasa),200000,", "Congo (Kinshasa),2OOOOO,", 2, "production_2024"),  # non-numeric
        ("China,2000,2000,", "China,2000,-2000,", 3, "production_2025e"),  # negative
        ("China,800000,850000,1500000", "China,800000,850000,1.5e6x", 11, "capacity_2025"),  # bad capacity
        ("Australia,80000", "Atlantis,80000", 7, "country"),  # unknown country
        ("Burma,25000,20000,,,NA", "Burma,25000,20000,,,n/a", 9, "reserves_raw"),  # unknown reserves text
        ('150000,"150,000"', '150000,"160,000"', 3, "reserves"),  # number and text disagree
        ("Burma,25000,20000,,,NA", "Burma,25000,20000,,5,NA", 9, "reserves"),  # a number for NA
        ("cobalt,World Mine Production and Reserves,China", "cobalt,World Mine Output,China", 3, "table"),
        (
            "Australia,80000,90000,,8000000,8000000,t lithium content",
            "Australia,80000,90000,,8000000,8000000,kg lithium content",
            7,
            "unit",
        ),  # a second unit for one commodity
        (
            "cobalt,World Mine Production and Reserves,China",
            "unobtainium,World Mine Production and Reserves,China",
            3,
            "commodity",
        ),  # unknown material
    ],
)
def test_malformed(tmp_path: Path, old: str, new: str, line: int, column: str) -> None:
    with pytest.raises(SourceFormatError) as info:
        usgs.parse_mcs_file(variant(tmp_path, old, new))
    assert (info.value.line, info.value.column) == (line, column), str(info.value)


def test_duplicate_country(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        "Burma,",
        "Burma,",
        append='rare earths,World Mine Production and Reserves,Myanmar,1,1,,,NA,t REO equivalent,"x",\n',
    )
    with pytest.raises(SourceFormatError) as info:
        usgs.parse_mcs_file(path)
    assert (info.value.line, info.value.column) == (13, "country")


def test_duplicate_world_total(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        "Burma,",
        "Burma,",
        append=(
            "gallium,World Low-Purity Production and Production Capacity,World total (rounded),1,1,1,,,"
            'kg gallium content (primary low-purity),"x",\n'
        ),
    )
    with pytest.raises(SourceFormatError) as info:
        usgs.parse_mcs_file(path)
    assert info.value.line == 13


@pytest.mark.realdata
def test_real_file(data_dir: Path) -> None:
    tables = usgs.parse(data_dir)
    production, totals, reserves = tables["production"], tables["production_totals"], tables["reserves"]
    # 50 rows: 4 world totals, 4 'Other' rows, 42 country rows (x 2 years).
    assert (production.num_rows, totals.num_rows) == (84, 8)
    assert set(production["material"].to_pylist()) == {"cobalt", "lithium", "rare_earths", "gallium"}
    assert pc.count(production["country"], mode="only_null").as_py() == 0

    def one(table, **where):  # type: ignore[no-untyped-def]
        rows = [r for r in table.to_pylist() if all(r[k] == v for k, v in where.items())]
        assert len(rows) == 1, where
        return rows[0]

    assert one(production, material="cobalt", country="COD", year=2024)["quantity"] == 226000.0
    assert one(production, material="lithium", country="USA", year=2024)["quantity"] is None
    assert one(production, material="gallium", country="CHN", year=2025)["quantity"] == 900000.0
    assert one(totals, material="cobalt", year=2024)["quantity"] == 302000.0
    # China's share of primary low-purity gallium in 2024: 839 of 848 t.
    assert (
        one(production, material="gallium", country="CHN", year=2024)["quantity"]
        / one(totals, material="gallium", year=2024)["quantity"]
        > 0.98
    )
    world_ree = one(reserves, material="rare_earths", country=None)
    assert (world_ree["reserves"], world_ree["reserves_text"]) == (None, ">85,000,000")
    assert one(reserves, material="rare_earths", country="IND")["reserves_text"] == "NA"
    assert one(reserves, material="cobalt", country=None)["reserves"] == 12_000_000
    assert "gallium" not in reserves["material"].to_pylist()
