"""UN Comtrade parser: China's monthly exports extract and the official API/bulk layout."""

from __future__ import annotations

import datetime
import gzip
import shutil
from pathlib import Path

import pyarrow.compute as pc
import pytest

from grondstof.errors import SourceFormatError
from grondstof.sources import comtrade

EXTRACT = Path("comtrade/china_exports_hs6_by_partner_monthly_2017_2024.csv")
API = Path("comtrade/comtrade_api_china_m_2023.csv")


def variant(src: Path, tmp_path: Path, line: int, old: str, new: str) -> Path:
    """Copy ``src`` into ``tmp_path`` with ``old`` replaced by ``new`` on physical line ``line``."""
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[line - 1], lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    out = tmp_path / src.name
    out.write_text("".join(lines), encoding="utf-8")
    return out


def expect_error(parse, path: Path, line: int, column: str, value: object = None) -> SourceFormatError:
    with pytest.raises(SourceFormatError) as err:
        parse(path)
    assert (err.value.line, err.value.column) == (line, column), str(err.value)
    if value is not None:
        assert err.value.value == value
    return err.value


# -- the extract ------------------------------------------------------------------------------------------


def test_extract_rows(fixtures: Path) -> None:
    table = comtrade.parse_extract_file(fixtures / EXTRACT)
    assert table.num_rows == 4
    got = {(r["period"], r["partner"], r["code"]): r for r in table.to_pylist()}
    nl = got[(datetime.date(2022, 1, 1), "NLD", "811292")]
    assert (nl["reporter"], nl["flow"], nl["currency"]) == ("CHN", "X", "USD")
    assert nl["value"] == 1_000_000 and nl["quantity_kg"] == 5_000
    assert nl["classification"] == "HS22" and nl["source"] == "comtrade_china_monthly"
    assert got[(datetime.date(2022, 2, 1), "NLD", "811292")]["quantity_kg"] == 0  # 0 stays 0
    assert got[(datetime.date(2017, 5, 1), "KOR", "380110")]["classification"] == "HS17"
    assert (datetime.date(2024, 3, 1), "TWN", "250410") in got
    assert "uv" not in table.column_names


def test_parse_reads_gzipped_extract(fixtures: Path, tmp_path: Path) -> None:
    target = tmp_path / "comtrade_china_exports_monthly" / (EXTRACT.name + ".gz")
    target.parent.mkdir()
    with open(fixtures / EXTRACT, "rb") as fin, gzip.open(target, "wb") as fout:
        shutil.copyfileobj(fin, fout)
    assert comtrade.parse(tmp_path)["trade_monthly"].num_rows == 4


@pytest.mark.parametrize(
    ("line", "old", "new", "column", "value"),
    [
        (3, "1000000.0", "1.0e6.0", "val", "1.0e6.0"),  # non-numeric value
        (3, "1000000.0", "-1000000.0", "val", "-1000000.0"),  # negative value
        (3, "5000.0", "-5000.0", "qty", "-5000.0"),  # negative quantity
        (5, "Taiwan", "Atlantis", "partner_name", "Atlantis"),  # unknown partner name
        (5, "Taiwan", "World", "partner_name", "World"),  # an aggregate is not a partner
        (2, "380110", "38011", "hs6", "38011"),  # 5-digit HS code
        (2, "2017-05-01", "2017-05-15", "period_dt", "2017-05-15"),  # not the first of a month
        (2, "2017-05-01", "2017-13-01", "period_dt", "2017-13-01"),
        (3, ",200.0", ",2000.0", "uv", "2000.0"),  # uv is not val/qty: columns swapped or shifted
        (4, ",inf", ",1.0", "uv", "1.0"),  # qty 0 but a finite unit value
    ],
)
def test_extract_malformed(
    fixtures: Path, tmp_path: Path, line: int, old: str, new: str, column: str, value: str
) -> None:
    path = variant(fixtures / EXTRACT, tmp_path, line, old, new)
    expect_error(comtrade.parse_extract_file, path, line, column, value)


def test_extract_bad_header(fixtures: Path, tmp_path: Path) -> None:
    path = variant(fixtures / EXTRACT, tmp_path, 1, "partner_name", "partner")
    expect_error(comtrade.parse_extract_file, path, 1, "partner_name")


def test_extract_duplicate(fixtures: Path, tmp_path: Path) -> None:
    lines = (fixtures / EXTRACT).read_text(encoding="utf-8").splitlines(keepends=True)
    lines.append(lines[2].replace("1000000.0,5000.0,200.0", "10.0,1.0,10.0"))
    path = tmp_path / EXTRACT.name
    path.write_text("".join(lines), encoding="utf-8")
    expect_error(comtrade.parse_extract_file, path, len(lines), "code")


# -- the official API layout --------------------------------------------------------------------------------


def test_api_layout(fixtures: Path) -> None:
    table = comtrade.parse_api_file(fixtures / API)
    got = {(r["period"], r["partner"], r["code"]): r for r in table.to_pylist()}
    aug = datetime.date(2023, 8, 1)
    # World (partner 0) and the mode-of-transport breakdown row are dropped; their totals are elsewhere.
    assert set(got) == {
        (aug, "NLD", "811292"),
        (aug, "TWN", "811292"),
        (aug, None, "811292"),
        (datetime.date(2023, 9, 1), "USA", "850511"),
    }
    nl = got[(aug, "NLD", "811292")]
    assert (nl["value"], nl["quantity_kg"], nl["reporter"], nl["flow"]) == (1_000_000, 5_000, "CHN", "X")
    assert nl["classification"] == "HS22" and nl["source"] == "comtrade_api"
    assert got[(aug, None, "811292")]["value"] == 2_500  # 899 "Areas, nes": kept, no country
    # Quantity unit 5 (items): the kg figure is the net weight.
    assert got[(datetime.date(2023, 9, 1), "USA", "850511")]["quantity_kg"] == pytest.approx(35_000.5)


def test_api_tab_separated(fixtures: Path, tmp_path: Path) -> None:
    import csv

    with open(fixtures / API, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    path = tmp_path / "bulk.txt"
    path.write_text("\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")
    assert comtrade.parse_api_file(path).num_rows == 4


@pytest.mark.parametrize(
    ("line", "old", "new", "column", "value"),
    [
        (2, "C,M,", "C,A,", "freqCode", "A"),  # annual data does not fit trade_monthly
        (2, ",528,NLD,", ",999,NLD,", "partnerCode", 999),  # unknown partner code
        (2, ",528,NLD,", ",528,DEU,", "partnerISO", "DEU"),  # ISO disagrees with the code
        (2, ",156,CHN,", ",157,CHN,", "reporterCode", 157),
        (2, ",811292,", ",81129,", "cmdCode", "81129"),  # 5-digit HS code
        (2, ",1000000,1000000,", ",1000000,-1000000,", "primaryValue", "-1000000"),  # negative value
        (2, ",1000000,1000000,", ",1000000,1e6$,", "primaryValue", "1e6$"),  # non-numeric value
        (2, ",202308,", ",202309,", "period", "202309"),  # period disagrees with refYear/refMonth
        (2, ",H6,", ",S4,", "classificationCode", "S4"),
    ],
)
def test_api_malformed(
    fixtures: Path, tmp_path: Path, line: int, old: str, new: str, column: str, value: object
) -> None:
    path = variant(fixtures / API, tmp_path, line, old, new)
    expect_error(comtrade.parse_api_file, path, line, column, value)


def test_api_bad_header_and_duplicate(fixtures: Path, tmp_path: Path) -> None:
    path = variant(fixtures / API, tmp_path, 1, "primaryValue", "tradeValue")
    expect_error(comtrade.parse_api_file, path, 1, "primaryValue")
    lines = (fixtures / API).read_text(encoding="utf-8").splitlines(keepends=True)
    lines.append(lines[1])
    dup = tmp_path / "dup.csv"
    dup.write_text("".join(lines), encoding="utf-8")
    expect_error(comtrade.parse_api_file, dup, len(lines), "motCode")


def test_parse_api_refuses_overlapping_files(fixtures: Path, tmp_path: Path) -> None:
    folder = tmp_path / "comtrade"
    folder.mkdir()
    shutil.copy(fixtures / API, folder / "a.csv")
    assert comtrade.parse_api(tmp_path)["trade_monthly"].num_rows == 4
    shutil.copy(fixtures / API, folder / "b.csv")
    with pytest.raises(SourceFormatError, match="one file only"):
        comtrade.parse_api(tmp_path)


# -- the real file ----------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_real_extract(data_dir: Path) -> None:
    table = comtrade.parse(data_dir)["trade_monthly"]
    assert table.num_rows == 6_442
    assert pc.count_distinct(table.column("partner")).as_py() == 39
    assert set(table.column("reporter").to_pylist()) == {"CHN"}
    assert pc.sum(pc.equal(table.column("quantity_kg"), 0)).as_py() == 146
    nl = table.filter(
        pc.and_(pc.equal(table.column("partner"), "NLD"), pc.equal(table.column("code"), "811292"))
    )
    assert nl.num_rows == 69
    nl = nl.append_column("year", pc.year(nl.column("period")))
    by_year = {
        r["year"]: r
        for r in nl.group_by("year").aggregate([("value", "sum"), ("quantity_kg", "sum")]).to_pylist()
    }
    # China's exports of 811292 to the Netherlands: 12.8 MUSD / 52.4 t in 2022, 10.6 MUSD / 124.2 t in 2024.
    assert by_year[2022]["value_sum"] == 12_803_451
    assert by_year[2022]["quantity_kg_sum"] == pytest.approx(52_410)
    assert by_year[2024]["value_sum"] == 10_632_268
    assert by_year[2024]["quantity_kg_sum"] == pytest.approx(124_232.261)
