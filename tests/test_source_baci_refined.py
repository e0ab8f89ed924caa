"""BACI refined top-6 extract: flows (truncated, value only), code provenance and world trade indicators."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow.compute as pc
import pytest

from grondstof.errors import SourceFormatError
from grondstof.schema import TABLES
from grondstof.sources import baci_refined

HERE = Path(__file__).parent / "fixtures" / "baci_refined"
FLOWS = HERE / "miniature_top6_flows.csv"
PROVENANCE = HERE / "miniature_code_provenance.json"
VOLUME = HERE / "miniature_volume_indicators.json"


def variant(tmp_path: Path, source: Path, old: str, new: str, name: str = "flows.csv") -> Path:
    text = source.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_flows_fixture() -> None:
    table = baci_refined.parse_flows_file(FLOWS)
    assert table.schema == TABLES["trade_top_flows"]
    rows = {(r["year"], r["code"], r["exporter"], r["importer"]): r for r in table.to_pylist()}
    # 15 rows, of which the 811292 flows appear under three labels: stored once per code.
    assert len(rows) == 11
    nl_ru_2012 = rows[(2012, "750210", "RUS", "NLD")]
    assert nl_ru_2012["value"] == 520_000_000.0
    assert nl_ru_2012["classification"] == "HS02"
    assert rows[(2018, "750210", "RUS", "NLD")]["classification"] == "HS17"
    assert rows[(2012, "750210", "NAM", "NLD")]["value"] == 1500.0  # NA is Namibia, not missing
    assert rows[(2018, "811292", "CHN", "NLD")]["value"] == 2_000_000.0
    # Every row says it is a truncated extract, in USD.
    assert set(table["coverage"].to_pylist()) == {"top6_union"}
    assert set(table["currency"].to_pylist()) == {"USD"}


def test_provenance_and_volume_fixture() -> None:
    codes = {r["label"]: r for r in baci_refined.parse_provenance_file(PROVENANCE).to_pylist()}
    assert codes["nickel"]["material"] == "nickel"
    assert codes["nickel"]["codes_all"] == ["750210", "720260"]
    assert (codes["magnets"]["material"], codes["magnets"]["stage"]) == (
        "rare_earths_magnets",
        "manufacturing",
    )
    # Hafnium's own code (811231) exists only from HS22: its flows are the 811292 basket.
    assert (codes["hafnium"]["code"], codes["hafnium"]["basket"]) == ("811292", True)
    volume = baci_refined.parse_volume_file(VOLUME)
    assert volume.schema == TABLES["world_trade_indicators"]
    rows = {(r["label"], r["year"]): r for r in volume.to_pylist()}
    assert rows[("magnets", 2018)]["china_share_value"] == 0.5  # published as 50.0 %
    assert rows[("magnets", 2012)]["rest_unit_value"] is None  # null stays null
    assert rows[("nickel", 2018)]["hhi_value"] == 0.15


def test_parse_official_names(tmp_path: Path) -> None:
    folder = tmp_path / "baci_refined_top_flows"
    folder.mkdir()
    with gzip.open(folder / "baci_refined_top6_flows_2002_2024.csv.gz", "wb") as handle:
        handle.write(FLOWS.read_bytes())
    (folder / "code_provenance.json").write_bytes(PROVENANCE.read_bytes())
    (folder / "world_trade_volume_indicators.json").write_bytes(VOLUME.read_bytes())
    tables = baci_refined.parse(tmp_path)
    assert {k: v.num_rows for k, v in tables.items()} == {
        "trade_top_flows": 11,
        "refined_codes": 4,
        "world_trade_indicators": 4,
    }
    assert baci_refined.parse(tmp_path / "nothing")["trade_top_flows"].num_rows == 0


@pytest.mark.parametrize(
    ("old", "new", "line", "column"),
    [
        ("year,nomenclature", "yr,nomenclature", 1, "year"),  # bad header
        ("2012,HS02,nickel,750210,NO,NL", "2012,HS17,nickel,750210,NO,NL", 3, "nomenclature"),  # wrong HS
        ("2018,HS17,magnets,850511,DE,NL", "2018,HS17,magnet,850511,DE,NL", 9, "material"),  # unknown label
        (
            "2018,HS17,magnets,850511,CN,NL",
            "2018,HS17,magnets,850519,CN,NL",
            8,
            "hs6",
        ),  # code of another label
        ("750210,RU,DE,", "750210,XX,DE,", 5, "exporter_iso2"),  # unknown country
        ("750210,AU,NL,", "750210,NL,NL,", 7, "importer_iso2"),  # a self-flow
        ("NO,NL,310000000", "NO,NL,3.1e8x", 3, "value_usd"),  # not a number
        ("RU,DE,44000000", "RU,DE,-44000000", 5, "value_usd"),  # negative
        (
            "2018,HS17,hafnium,811231/811292,DE,NL,500000",
            "2018,HS17,hafnium,811231/811292,DE,NL,500001",
            16,
            "value_usd",
        ),
    ],
)
def test_flows_malformed(tmp_path: Path, old: str, new: str, line: int, column: str) -> None:
    with pytest.raises(SourceFormatError) as info:
        baci_refined.parse_flows_file(variant(tmp_path, FLOWS, old, new))
    assert (info.value.line, info.value.column) == (line, column), str(info.value)


def test_flows_duplicate(tmp_path: Path) -> None:
    path = tmp_path / "flows.csv"
    path.write_text(FLOWS.read_text(encoding="utf-8") + "2012,HS02,nickel,750210,RU,NL,1\n", encoding="utf-8")
    with pytest.raises(SourceFormatError) as info:
        baci_refined.parse_flows_file(path)
    assert (info.value.line, info.value.column) == (17, "importer_iso2")


@pytest.mark.parametrize(
    ("source", "old", "new", "column"),
    [
        (PROVENANCE, '"label": "magnets"', '"label": "magnetz"', "materials[1].label"),
        (PROVENANCE, '"refined_all": ["850511"]', '"refined_all": ["85051"]', "materials[1].refined_all"),
        (VOLUME, '"val_hhi": [0.25, 0.29]', '"val_hhi": [0.25, 29]', "materials.magnets.val_hhi[1]"),
        (VOLUME, '"val_cn": [43.6, 50.0]', '"val_cn": [43.6]', "materials.magnets.val_cn"),
        (VOLUME, '"uv": [17500.0, 13100.5]', '"uv": [17500.0, "x"]', "materials.nickel.uv[1]"),
    ],
)
def test_json_malformed(tmp_path: Path, source: Path, old: str, new: str, column: str) -> None:
    path = variant(tmp_path, source, old, new, name=source.name)
    parser = baci_refined.parse_provenance_file if source == PROVENANCE else baci_refined.parse_volume_file
    with pytest.raises(SourceFormatError) as info:
        parser(path)
    assert info.value.column == column, str(info.value)


def test_json_syntax_error_names_line(tmp_path: Path) -> None:
    path = variant(tmp_path, VOLUME, '"years": [2012, 2018],', '"years": [2012, 2018]', name="v.json")
    with pytest.raises(SourceFormatError) as info:
        baci_refined.parse_volume_file(path)
    assert info.value.line == 2


@pytest.mark.realdata
def test_real_files(data_dir: Path) -> None:
    tables = baci_refined.parse(data_dir)
    flows = tables["trade_top_flows"]
    # 345,731 rows, of which 2 × 9,750 are the 811292 flows repeated under germanium and hafnium.
    assert flows.num_rows == 345_731 - 2 * 9_750
    assert pc.min(flows["year"]).as_py() == 2002 and pc.max(flows["year"]).as_py() == 2024
    nl_ru = {
        r["year"]: r["value"]
        for r in flows.filter(
            pc.and_(
                pc.and_(pc.equal(flows["code"], "750210"), pc.equal(flows["importer"], "NLD")),
                pc.equal(flows["exporter"], "RUS"),
            )
        ).to_pylist()
    }
    # PROVENANCE §14: NL unwrought nickel from Russia $520 m (2012), $591 m (2018).
    assert round(nl_ru[2012] / 1e6) == 520 and round(nl_ru[2018] / 1e6) == 591
    assert len(nl_ru) == 23  # every year 2002–2024
    codes = tables["refined_codes"]
    assert codes.num_rows == 32
    volume = {(r["label"], r["year"]): r for r in tables["world_trade_indicators"].to_pylist()}
    assert volume[("magnets", 2024)]["hhi_value"] == 0.41
    assert volume[("magnets", 2024)]["china_share_value"] == pytest.approx(0.627)
