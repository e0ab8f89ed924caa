"""GeoPolRisk's HS-code map of World Mining Data commodities."""

from __future__ import annotations

from pathlib import Path

import pytest

from grondstof.errors import SourceFormatError
from grondstof.schema import TABLES
from grondstof.sources import geopolrisk_map

FIXTURE = Path(__file__).parent / "fixtures" / "geopolrisk_map" / "hs_code_map.csv"


def variant(tmp_path: Path, old: str, new: str, *, append: str = "") -> Path:
    text = FIXTURE.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    path = tmp_path / "hs_code_map.csv"
    path.write_text(text.replace(old, new) + append, encoding="utf-8")
    return path


def test_fixture() -> None:
    table = geopolrisk_map.parse_map_file(FIXTURE)
    assert table.schema == TABLES["geopolrisk_hs_map"]
    rows = {r["wmd_commodity"]: r for r in table.to_pylist()}
    assert rows["Cobalt"] == {
        "wmd_commodity": "Cobalt",
        "material": "cobalt",
        "reference_id": "Cobalt",
        "stage": "processing",
        "symbol": "Co",
        "eol_rir": 0.22,
        "hs_codes": ["282200", "810510"],
        "description": "Cobalt oxides and hydroxides",
    }
    assert rows["Gallium"]["hs_codes"] == []  # Not Available
    assert rows["Gallium"]["stage"] is None
    assert rows["Kaolin (China-Clay)"]["hs_codes"] == ["250700", "250830", "250840"]
    assert rows["Graphite"]["stage"] == "extraction"


def test_parse(tmp_path: Path) -> None:
    (tmp_path / "geopolrisk").mkdir()
    (tmp_path / "geopolrisk" / "hs_code_map.csv").write_bytes(FIXTURE.read_bytes())
    assert geopolrisk_map.parse(tmp_path)["geopolrisk_hs_map"].num_rows == 4
    assert geopolrisk_map.parse(tmp_path / "nothing")["geopolrisk_hs_map"].num_rows == 0


@pytest.mark.parametrize(
    ("old", "new", "line", "column"),
    [
        ("eol_rir_2023,", "eol_rir,", 1, "eol_rir_2023"),  # bad header
        ("Co,0.22,", "Co,O.22,", 2, "eol_rir_2023"),  # non-numeric
        ("Co,0.22,", "Co,-0.22,", 2, "eol_rir_2023"),  # negative
        ("Kaolin,0.31,", "Kaolin,1.31,", 4, "eol_rir_2023"),  # above 1
        ("0.22,282200,", "0.22,28220,", 2, "hs_code"),  # 5 digits
        ("250830;250840", "250830 250840", 4, "hs_code_complementary"),  # wrong separator
        ("250830;250840", "250830;250830", 4, "hs_code_complementary"),  # code twice
        ("Ga,0.0,Not Available,,", "Ga,0.0,Not Available,811292,", 3, "hs_code_complementary"),  # orphan
        (
            "Gallium,Non-Ferrous Metals",
            "Unobtainium,Non-Ferrous Metals",
            3,
            "wmd_sheet_name",
        ),  # unknown sheet
        ("Graphite,Extraction,", "Graphite,Mining,", 5, "supply_chain_stage"),  # unknown stage
    ],
)
def test_malformed(tmp_path: Path, old: str, new: str, line: int, column: str) -> None:
    with pytest.raises(SourceFormatError) as info:
        geopolrisk_map.parse_map_file(variant(tmp_path, old, new))
    assert (info.value.line, info.value.column) == (line, column), str(info.value)


def test_duplicate_sheet(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        "Cobalt,Iron",
        "Cobalt,Iron",
        append="Graphite,Industrial Minerals,Graphite,Extraction,Graphite,0.03,250410,,Graphite\n",
    )
    with pytest.raises(SourceFormatError) as info:
        geopolrisk_map.parse_map_file(path)
    assert (info.value.line, info.value.column) == (6, "wmd_commodity")


@pytest.mark.realdata
def test_real_file(data_dir: Path) -> None:
    table = geopolrisk_map.parse(data_dir)["geopolrisk_hs_map"]
    assert table.num_rows == 65
    rows = {r["wmd_commodity"]: r for r in table.to_pylist()}
    assert rows["Cobalt"]["hs_codes"] == ["282200", "810510"]
    assert rows["Platinum"]["hs_codes"] == ["711011", "711019", "711510"]
    assert rows["Rare Earths (REO)"]["material"] == "rare_earths"
    unmapped = sorted(k for k, r in rows.items() if not r["hs_codes"])
    assert unmapped == [
        "Diamonds (Gem)",
        "Diamonds (Ind)",
        "Gallium",
        "Indium",
        "Oil Sands (part of Petroleum)",
        "Oil Shales",
        "Perlite",
        "Potash (K2O)",
        "Rhenium",
        "Salt (rock, brines, marine)",
        "Talc, Steatite & Pyrophyllite",
        "Vermiculite",
    ]
    assert {r["stage"] for r in rows.values()} == {"extraction", "processing", None}
    assert rows["Lead"]["eol_rir"] == 0.83
