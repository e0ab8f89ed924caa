"""BACI parser: the official CEPII yearly layout and the geopolrisk HS92 extract."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grondstof.errors import SourceFormatError
from grondstof.sources import baci

OFFICIAL = "baci/BACI_HS92_Y2022_V202501.csv"
EXTRACT = "baci/baci_hs92_crm_trade_2015_2024.csv"


def _rows(table):
    return table.to_pylist()


def test_official_layout_parses_codes_units_and_missing_quantity(fixtures: Path) -> None:
    table = baci.parse_official_file(fixtures / OFFICIAL)
    rows = _rows(table)
    assert len(rows) == 6
    france = next(r for r in rows if r["exporter"] == "FRA")  # BACI 251 is France, not ISO 250
    assert france["value"] == pytest.approx(10_125.0)  # thousand USD -> USD
    assert france["tonnes"] is None  # "NA" padded with spaces is a missing quantity
    assert {r["exporter"] for r in rows} >= {"CHN", "COD", "USA", "TWN", "NLD"}  # 490 is Taiwan
    assert all(r["code"] in ("260500", "282200") for r in rows)
    assert {r["classification"] for r in rows} == {"HS92"}
    taiwan = next(r for r in rows if r["exporter"] == "TWN")
    assert taiwan["tonnes"] is None  # empty q is missing too


def test_extract_layout_parses(fixtures: Path) -> None:
    rows = _rows(baci.parse_extract_file(fixtures / EXTRACT))
    assert len(rows) == 6
    assert {r["year"] for r in rows} == {2022, 2023, 2024}
    assert next(r for r in rows if r["importer"] == "IND")["exporter"] == "USA"


def _broken(tmp_path: Path, fixtures: Path, name: str, line: int, new: str) -> Path:
    target = tmp_path / Path(name).name
    lines = (fixtures / name).read_text().splitlines()
    lines[line - 1] = new
    target.write_text("\n".join(lines) + "\n")
    return target


@pytest.mark.parametrize(
    ("line", "content", "column", "expected"),
    [
        (3, '2022,180,528,"26050",8000.0,2500.0', "k", "6-digit HS code"),
        (4, '2022,251,528,"260500",-3,1', "v", "greater than 0"),
        (5, '2022,842,528,"282200",abc,1.5', "v", "greater than 0"),
        (6, '2022,490,276,"282200",20.0,-1', "q", "at least 0"),
        (7, '2022,998,251,"282200",3.3,0.1', "i", "BACI country code"),
        (7, '2021,528,251,"282200",3.3,0.1', "t", "year 2022"),
        (7, '2022,156,528,"260500",1.0,1.0', "k", "one row per"),
    ],
)
def test_official_layout_refuses_bad_rows(tmp_path, fixtures, line, content, column, expected) -> None:
    path = _broken(tmp_path, fixtures, OFFICIAL, line, content)
    with pytest.raises(SourceFormatError) as info:
        baci.parse_official_file(path)
    error = info.value
    assert error.line == line
    assert error.column == column
    assert expected in str(error)
    assert path.name in str(error)


def test_bad_header_names_the_missing_column(tmp_path, fixtures) -> None:
    path = _broken(tmp_path, fixtures, OFFICIAL, 1, "t,i,j,product,v,q")
    with pytest.raises(SourceFormatError) as info:
        baci.parse_official_file(path)
    assert info.value.line == 1
    assert info.value.column == "k"


def test_file_name_must_follow_cepii_convention(tmp_path, fixtures) -> None:
    path = tmp_path / "trade2022.csv"
    shutil.copy(fixtures / OFFICIAL, path)
    with pytest.raises(SourceFormatError, match="BACI_HS17_Y2022"):
        baci.parse_official_file(path)


def test_ragged_row_is_refused(tmp_path, fixtures) -> None:
    path = _broken(tmp_path, fixtures, EXTRACT, 3, "2022,180,528,260500,8000.0")
    with pytest.raises(SourceFormatError):
        baci.parse_extract_file(path)


@pytest.mark.realdata
def test_real_extract_counts_and_units(data_dir: Path) -> None:
    tables = baci.parse(data_dir)
    trade = tables["trade"]
    assert trade.num_rows == 1_264_888  # PROVENANCE: 760,205 + 504,683 rows
    missing = trade.column("tonnes").null_count
    assert 0.03 < missing / trade.num_rows < 0.07  # ~4.9% of rows lack a quantity
    assert set(trade.column("code").to_pylist()) >= {"811230", "260400", "282200"}
