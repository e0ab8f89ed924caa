"""The three BACI extracts: HS17 atlas subset, comflow HS22 top-200 flows and totals, HS07 ASEAN minerals."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pyarrow.compute as pc
import pytest

from grondstof.errors import SourceFormatError
from grondstof.sources import baci_extracts as bx

HS17_2024 = Path("baci_hs17/baci_hs17_v202601_atlas_codes_2024.csv")
HS17_2022 = Path("baci_hs17/baci_hs17_v202601_atlas_codes_2022_value_only.csv")
HS22_FLOWS = Path("comflow_hs22/baci_hs22_v202601_hs4_top200_flows_2022_2024.csv")
HS22_TOTALS = Path("comflow_hs22/baci_hs22_v202601_hs4_totals_2022_2024.csv")
HS07 = Path("baci_hs07/baci_hs07_v202601_asean_minerals_bilateral_2010_2024.csv")


def variant(src: Path, tmp_path: Path, line: int, old: str, new: str) -> Path:
    """Copy ``src`` into ``tmp_path`` with ``old`` replaced by ``new`` on physical line ``line``."""
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[line - 1], lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    out = tmp_path / src.name
    out.write_text("".join(lines), encoding="utf-8")
    return out


def with_duplicate(src: Path, tmp_path: Path, line: int) -> tuple[Path, int]:
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.append(lines[line - 1])
    out = tmp_path / src.name
    out.write_text("".join(lines), encoding="utf-8")
    return out, len(lines)


def gzipped(src: Path, dst: Path) -> None:
    """Write ``src`` gzipped to ``dst`` (the shared files are .csv.gz; fixtures stay readable text)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    with open(src, "rb") as fin, gzip.open(dst, "wb") as fout:
        shutil.copyfileobj(fin, fout)


def expect_error(parse, path: Path, line: int, column: str, value: object = None) -> SourceFormatError:
    with pytest.raises(SourceFormatError) as err:
        parse(path)
    assert (err.value.line, err.value.column) == (line, column), str(err.value)
    if value is not None:
        assert err.value.value == value
    return err.value


# -- HS17 -------------------------------------------------------------------------------------------------


def test_hs17_2024_kusd_to_usd_and_codes(fixtures: Path) -> None:
    table = bx.parse_hs17_file(fixtures / HS17_2024)
    got = {(r["exporter"], r["importer"], r["code"]): r for r in table.to_pylist()}
    ga = got[("CHN", "NLD", "811292")]
    assert ga["value"] == pytest.approx(1_234_500) and ga["tonnes"] == pytest.approx(10.2)
    assert ga["classification"] == "HS17" and ga["currency"] == "USD" and ga["year"] == 2024
    assert got[("TWN", "NLD", "850511")]["tonnes"] is None  # S19 is Taiwan; empty qty stays missing
    assert got[("CIV", "FRA", "260600")]["value"] == pytest.approx(72)  # mis-decoded name still checks out
    assert ("NAM", "ZAF", "250490") in got


def test_hs17_2022_whole_usd_no_quantity(fixtures: Path) -> None:
    table = bx.parse_hs17_file(fixtures / HS17_2022)
    got = {(r["exporter"], r["importer"], r["code"]): r for r in table.to_pylist()}
    assert got[("CHN", "NLD", "811292")]["value"] == 1_500_000  # whole USD, not multiplied again
    assert got[("ABW", "NLD", "850511")]["value"] == 235
    assert table.column("tonnes").null_count == table.num_rows


def test_parse_hs17_reads_both_gzipped_files(fixtures: Path, tmp_path: Path) -> None:
    for src in (HS17_2024, HS17_2022):
        gzipped(fixtures / src, tmp_path / "baci_hs17_atlas_subset" / (src.name + ".gz"))
    table = bx.parse_hs17(tmp_path)["trade"]
    assert table.num_rows == 7
    assert sorted(set(table.column("year").to_pylist())) == [2022, 2024]


def test_parse_hs17_refuses_a_year_in_two_files(fixtures: Path, tmp_path: Path) -> None:
    src = fixtures / HS17_2022
    gzipped(src, tmp_path / "baci_hs17_atlas_subset" / "baci_hs17_v202601_atlas_codes_2022_value_only.csv.gz")
    gzipped(src, tmp_path / "baci_hs17_atlas_subset" / "baci_hs17_v202601_atlas_codes_2022_copy.csv.gz")
    with pytest.raises(SourceFormatError, match="one file only"):
        bx.parse_hs17(tmp_path)


@pytest.mark.parametrize(
    ("line", "old", "new", "column", "value"),
    [
        (2, "1234.5", "1,234.5", None, None),  # handled below: the comma shifts columns (row width)
        (2, "1234.5", "n/a", "value_kusd", "n/a"),  # non-numeric value
        (3, "50.25", "-50.25", "value_kusd", "-50.25"),  # negative value
        (4, "0.072", "0", "value_kusd", "0"),  # BACI has no zero flows
        (5, "0.162", "-0.162", "qty_t", "-0.162"),  # negative quantity
        (4, "CIV,", "CIX,", "exporter_iso3", "CIX"),  # unknown country code
        (5, "250490", "25049", "hs17_code", "25049"),  # 5-digit HS code
        (2, ",China,", ",Japan,", "exporter_name", "Japan"),  # name of another country than the code
        (2, "2024,", "20x4,", "year", "20x4"),
    ],
)
def test_hs17_malformed(
    fixtures: Path, tmp_path: Path, line: int, old: str, new: str, column: str | None, value: str | None
) -> None:
    path = variant(fixtures / HS17_2024, tmp_path, line, old, new)
    if column is None:
        with pytest.raises(SourceFormatError, match="fields per row"):
            bx.parse_hs17_file(path)
        return
    expect_error(bx.parse_hs17_file, path, line, column, value)


def test_hs17_bad_header(fixtures: Path, tmp_path: Path) -> None:
    path = variant(fixtures / HS17_2024, tmp_path, 1, "hs17_code", "hs_code")
    expect_error(bx.parse_hs17_file, path, 1, "hs17_code")


def test_hs17_2022_bad_header_extra_column(fixtures: Path, tmp_path: Path) -> None:
    path = variant(fixtures / HS17_2022, tmp_path, 1, "value_usd", "value_usd,qty_t")
    # Declaring a quantity column switches to the 2024 layout, whose other columns are then missing.
    expect_error(bx.parse_hs17_file, path, 1, "exporter_name")


def test_hs17_duplicate(fixtures: Path, tmp_path: Path) -> None:
    path, line = with_duplicate(fixtures / HS17_2022, tmp_path, 3)
    expect_error(bx.parse_hs17_file, path, line, "code")


# -- HS22 (comflow) ----------------------------------------------------------------------------------------


def test_hs22_flows_and_totals(fixtures: Path, tmp_path: Path) -> None:
    flows = bx.parse_hs22_flows_file(fixtures / HS22_FLOWS)
    got = {(r["year"], r["code"], r["exporter"], r["importer"]): r for r in flows.to_pylist()}
    nor = got[(2023, "7502", "NOR", "NLD")]
    assert nor["classification"] == "HS22" and nor["value"] == 600_000_000 and nor["tonnes"] == 35_000
    assert got[(2023, "7502", "CAN", "USA")]["tonnes"] == 0  # 0 stays 0 (may mean "missing" upstream)
    totals = bx.parse_hs22_totals_file(fixtures / HS22_TOTALS)
    assert totals.column_names == [
        "source",
        "classification",
        "code",
        "year",
        "value",
        "currency",
        "tonnes",
        "pairs",
    ]
    assert {(r["year"], r["code"]): r["pairs"] for r in totals.to_pylist()} == {
        (2023, "7502"): 10,
        (2022, "7601"): 5,
    }
    gzipped(fixtures / HS22_FLOWS, tmp_path / "comflow_baci_hs22_top_flows" / (HS22_FLOWS.name + ".gz"))
    shutil.copy(fixtures / HS22_TOTALS, tmp_path / "comflow_baci_hs22_top_flows" / HS22_TOTALS.name)
    tables = bx.parse_hs22(tmp_path)
    assert (tables["trade"].num_rows, tables["trade_totals"].num_rows) == (4, 2)


def test_hs22_totals_must_match_the_flows(fixtures: Path, tmp_path: Path) -> None:
    folder = tmp_path / "comflow_baci_hs22_top_flows"
    gzipped(fixtures / HS22_FLOWS, folder / (HS22_FLOWS.name + ".gz"))
    folder.mkdir(exist_ok=True)
    variant(fixtures / HS22_TOTALS, folder, 2, ",10,3", ",10,4")
    with pytest.raises(SourceFormatError) as err:
        bx.parse_hs22(tmp_path)
    assert (err.value.line, err.value.column) == (2, "pairs_in_top_file")
    variant(fixtures / HS22_TOTALS, folder, 2, "1200000000", "1000000000")  # below the sum of the flows
    with pytest.raises(SourceFormatError) as err:
        bx.parse_hs22(tmp_path)
    assert (err.value.line, err.value.column) == (2, "total_value_usd")


@pytest.mark.parametrize(
    ("line", "old", "new", "column", "value"),
    [
        (2, "600000000", "6e8 USD", "value_usd", "6e8 USD"),  # non-numeric value
        (3, "300000000", "-300000000", "value_usd", "-300000000"),  # negative value
        (3, ",16000", ",-16000", "quantity_t", "-16000"),  # negative quantity
        (3, "RUS,", "ZZZ,", "exporter_iso3", "ZZZ"),  # unknown country code
        (5, "7601", "76010", "hs4", "76010"),  # 5-digit code where HS4 is expected
        (4, ",3,", ",2,", "rank_by_value", None),  # two pairs with the same rank
    ],
)
def test_hs22_flows_malformed(
    fixtures: Path, tmp_path: Path, line: int, old: str, new: str, column: str, value: str | None
) -> None:
    path = variant(fixtures / HS22_FLOWS, tmp_path, line, old, new)
    expect_error(bx.parse_hs22_flows_file, path, line, column, value)


def test_hs22_bad_header_and_duplicate(fixtures: Path, tmp_path: Path) -> None:
    path = variant(fixtures / HS22_FLOWS, tmp_path, 1, "quantity_t", "qty_t")
    expect_error(bx.parse_hs22_flows_file, path, 1, "quantity_t")
    path, line = with_duplicate(fixtures / HS22_FLOWS, tmp_path, 2)
    expect_error(bx.parse_hs22_flows_file, path, line, "importer")


def test_hs22_totals_malformed(fixtures: Path, tmp_path: Path) -> None:
    path = variant(fixtures / HS22_TOTALS, tmp_path, 3, ",5,1", ",5,6")
    expect_error(bx.parse_hs22_totals_file, path, 3, "pairs_in_top_file", 6)
    path = variant(fixtures / HS22_TOTALS, tmp_path, 2, "60000", "-60000")
    expect_error(bx.parse_hs22_totals_file, path, 2, "total_quantity_t", "-60000")
    path, line = with_duplicate(fixtures / HS22_TOTALS, tmp_path, 2)
    expect_error(bx.parse_hs22_totals_file, path, line, "code")


# -- HS07 ASEAN -------------------------------------------------------------------------------------------


def test_hs07_baci_codes_and_units(fixtures: Path) -> None:
    table = bx.parse_hs07_file(fixtures / HS07)
    got = {(r["year"], r["exporter"], r["importer"], r["code"]): r for r in table.to_pylist()}
    nl = got[(2022, "IDN", "NLD", "750210")]
    assert nl["value"] == pytest.approx(15_000_500) and nl["tonnes"] == pytest.approx(800.25)
    assert nl["classification"] == "HS07" and nl["currency"] == "USD"
    assert got[(2023, "IDN", "NLD", "750210")]["tonnes"] is None
    assert (2022, "IDN", "FRA", "720260") in got  # BACI 251 is France (ISO 250)


@pytest.mark.parametrize(
    ("line", "old", "new", "column", "value"),
    [
        (2, "15000.5", "15k", "trade_usd_thousands", "15k"),  # non-numeric value
        (3, ",9000,", ",-9000,", "trade_usd_thousands", "-9000"),  # negative value
        (4, ",251,", ",250,", "j", 250),  # 250 is ISO France, not a BACI code
        (4, "IDN,FRA", "IDN,BEL", "j_iso3", "BEL"),  # ISO3 disagrees with BACI code 251
        (5, "260400", "26040", "hs6", "26040"),  # 5-digit HS code
        (5, ",3000000,", ",-3,", "qty_tons", "-3"),
    ],
)
def test_hs07_malformed(
    fixtures: Path, tmp_path: Path, line: int, old: str, new: str, column: str, value: object
) -> None:
    path = variant(fixtures / HS07, tmp_path, line, old, new)
    expect_error(bx.parse_hs07_file, path, line, column, value)


def test_hs07_bad_header_and_duplicate(fixtures: Path, tmp_path: Path) -> None:
    path = variant(fixtures / HS07, tmp_path, 1, "trade_usd_thousands", "trade_usd")
    expect_error(bx.parse_hs07_file, path, 1, "trade_usd_thousands")
    path, line = with_duplicate(fixtures / HS07, tmp_path, 3)
    expect_error(bx.parse_hs07_file, path, line, "code")


def test_parse_hs07_gzipped(fixtures: Path, tmp_path: Path) -> None:
    gzipped(fixtures / HS07, tmp_path / "baci_hs07_asean_minerals" / (HS07.name + ".gz"))
    assert bx.parse_hs07(tmp_path)["trade"].num_rows == 4


# -- the real files ---------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_real_hs17(data_dir: Path) -> None:
    table = bx.parse_hs17(data_dir)["trade"]
    counts = {
        r["year"]: r["value_count"]
        for r in table.group_by("year").aggregate([("value", "count")]).to_pylist()
    }
    assert counts == {2024: 21_723, 2022: 23_167}
    assert "TWN" in table.column("exporter").to_pylist()  # S19 mapped
    y2022 = table.filter(pc.equal(table.column("year"), 2022))
    assert y2022.column("tonnes").null_count == y2022.num_rows
    assert pc.min(y2022.column("value")).as_py() >= 1  # whole USD (BACI's 0.001 kUSD floor)


@pytest.mark.realdata
def test_real_hs22(data_dir: Path) -> None:
    tables = bx.parse_hs22(data_dir)
    trade, totals = tables["trade"], tables["trade_totals"]
    assert (trade.num_rows, totals.num_rows) == (7_800, 39)
    nl = trade.filter(
        pc.and_(
            pc.and_(pc.equal(trade.column("importer"), "NLD"), pc.equal(trade.column("code"), "7502")),
            pc.equal(trade.column("year"), 2023),
        )
    )
    assert nl.num_rows == 15
    assert pc.sum(nl.column("tonnes")).as_py() == pytest.approx(79_835)  # ≈ 79.8 kt
    assert pc.sum(pc.equal(trade.column("tonnes"), 0)).as_py() == 14


@pytest.mark.realdata
def test_real_hs07(data_dir: Path) -> None:
    table = bx.parse_hs07(data_dir)["trade"]
    assert table.num_rows == 8_845
    nl = table.filter(
        pc.and_(pc.equal(table.column("importer"), "NLD"), pc.equal(table.column("code"), "750210"))
    )
    assert nl.num_rows == 37
    assert pc.sum(nl.column("value")).as_py() == pytest.approx(679.5e6, rel=0.001)  # ≈ 679 MUSD
    assert pc.sum(nl.column("tonnes")).as_py() == pytest.approx(67_723, rel=0.001)  # ≈ 67.7 kt
