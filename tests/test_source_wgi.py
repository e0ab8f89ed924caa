"""Worldwide Governance Indicators: wgidataset CSV, DataBank download and geopolrisk's PV database."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from grondstof.errors import SourceFormatError
from grondstof.schema import TABLES
from grondstof.sources import wgi

FIXTURES = Path(__file__).parent / "fixtures" / "wgi"
DATABANK = FIXTURES / "Data_Extract_From_Worldwide_Governance_Indicators_Data.csv"


def variant(tmp_path: Path, source: Path, old: str, new: str, *, append: str = "") -> Path:
    """Copy a fixture (keeping its BOM) with ``old`` replaced once by ``new`` and ``append`` added."""
    text = source.read_text(encoding="utf-8-sig")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    path = tmp_path / source.name
    path.write_text(text.replace(old, new) + append, encoding="utf-8-sig")
    return path


def keyed(table: pa.Table) -> dict[tuple[str, int, str], dict]:
    return {(r["country"], r["year"], r["indicator"]): r for r in table.to_pylist()}


@pytest.fixture
def dataset(fixtures: Path) -> Path:
    """The miniature ``wgidataset.csv`` (kept as text in ``miniatures.py``)."""
    return fixtures / "wgi" / "wgidataset.csv"


# -- wgidataset ----------------------------------------------------------------------------------------------


def test_dataset_fixture(dataset: Path) -> None:
    assert dataset.read_bytes().startswith(b"\xef\xbb\xbf")  # the real file starts with a BOM too
    table = wgi.parse_dataset_file(dataset)
    assert table.schema == TABLES["governance"]
    rows = keyed(table)
    assert len(rows) == 7  # the Netherlands Antilles row has no values ('..' throughout)
    assert rows[("NLD", 2022, "pv")] == {
        "source": "wgi",
        "country": "NLD",
        "year": 2022,
        "indicator": "pv",
        "estimate": 0.72,
        "stderr": 0.23,
        "nsource": 7.0,
        "pctrank": 71.2,
    }
    # World Bank legacy codes become registry codes.
    assert ("COD", 2022, "pv") in rows and ("XKX", 2022, "pv") in rows and ("ROU", 2022, "va") in rows
    assert rows[("SOM", 2009, "pv")]["estimate"] == -3.31  # below -2.5, and real


@pytest.mark.parametrize(
    ("old", "new", "line", "column"),
    [
        (",estimate,", ",est,", 1, "estimate"),  # bad header
        ("2022,pv,0.72,", "2022,pv,0.7x,", 2, "estimate"),  # non-numeric
        ("2022,pv,0.72,", "2022,pv,4.5,", 2, "estimate"),  # outside the estimate range
        ("-0.44,0.22,", "-0.44,-0.22,", 4, "stddev"),  # negative standard error
        ("0.72,0.23,7,71.2,", "0.72,0.23,7,171.2,", 2, "pctrank"),  # rank above 100
        ("KSVpv2022,KSV,", "XXXpv2022,XXX,", 6, "code"),  # unknown country code
        ("NLDpv2022,NLD,Netherlands,2022,", "NLDpv2022,NLD,Netherlands,20x2,", 2, "year"),  # bad year
        ("NLDpv2022,NLD,Netherlands,2022,", "NLDpv2022,NLD,Netherlands,1990,", 2, "year"),  # before 1996
        ("CHNpv2022,", "CHNpv2021,", 4, "codeindyr"),  # key does not match its parts
        (
            "ROMva2022,ROM,Romania,2022,va,",
            "ROMxx2022,ROM,Romania,2022,xx,",
            9,
            "indicator",
        ),  # unknown indicator
    ],
)
def test_malformed_dataset(tmp_path: Path, dataset: Path, old: str, new: str, line: int, column: str) -> None:
    with pytest.raises(SourceFormatError) as info:
        wgi.parse_dataset_file(variant(tmp_path, dataset, old, new))
    assert (info.value.line, info.value.column) == (line, column), str(info.value)


def test_dataset_duplicate(tmp_path: Path, dataset: Path) -> None:
    # ROM and ROU are the same country: the duplicate is found after mapping codes.
    path = variant(
        tmp_path,
        dataset,
        "NLDcc2022",
        "NLDcc2022",
        append="ROUva2022,ROU,Romania,2022,va,0.50,0.13,10,63.0,58.0,70.0\n",
    )
    with pytest.raises(SourceFormatError) as info:
        wgi.parse_dataset_file(path)
    assert (info.value.line, info.value.column) == (10, "indicator")


# -- DataBank ------------------------------------------------------------------------------------------------


def test_databank_fixture() -> None:
    rows = keyed(wgi.parse_databank_file(DATABANK))
    assert sorted(rows) == [
        ("COD", 2021, "pv"),
        ("NLD", 2021, "cc"),
        ("NLD", 2021, "pv"),
        ("NLD", 2022, "cc"),
        ("NLD", 2022, "pv"),
    ]
    assert rows[("NLD", 2022, "pv")] == {
        "source": "wgi",
        "country": "NLD",
        "year": 2022,
        "indicator": "pv",
        "estimate": 0.72,
        "stderr": 0.23,
        "nsource": 7.0,
        "pctrank": 71.2,
    }
    assert rows[("NLD", 2022, "cc")]["stderr"] is None
    assert rows[("COD", 2021, "pv")]["estimate"] == -1.90


@pytest.mark.parametrize(
    ("old", "new", "line", "column"),
    [
        ("Series Code,2021", "Series,2021", 1, None),  # bad header
        ("2022 [YR2022]", "2022 [YR2021]", 1, "2022 [YR2021]"),  # year label that contradicts itself
        ("PV.NO.SRC,7,7", "PV.NO.SRC,7,x", 4, "2022 [YR2022]"),  # non-numeric
        ("PV.STD.ERR,0.23,0.23", "PV.STD.ERR,0.23,-0.23", 3, "2022 [YR2022]"),  # negative
        ("PV.EST,0.89,0.72", "PV.EST,0.89,7.2", 2, "2022 [YR2022]"),  # estimate out of range
        ("CC.EST,1.85", "CC.XYZ,1.85", 8, "Series Code"),  # unknown series
        ("Kosovo,XKX", "Atlantis,XXX", 10, "Country Code"),  # unknown country
        (
            "Kosovo,XKX,Control of Corruption: Estimate,CC.EST",
            "Netherlands,NLD,Control of Corruption: Estimate,CC.EST",
            10,
            "series",
        ),  # duplicate series
    ],
)
def test_malformed_databank(tmp_path: Path, old: str, new: str, line: int, column: str | None) -> None:
    with pytest.raises(SourceFormatError) as info:
        wgi.parse_databank_file(variant(tmp_path, DATABANK, old, new))
    assert (info.value.line, info.value.column) == (line, column), str(info.value)


def test_databank_data_after_footer(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        DATABANK,
        "Last Updated",
        "Last Updated",
        append="Belgium,BEL,Control of Corruption: Estimate,CC.EST,1.4,1.4\n",
    )
    with pytest.raises(SourceFormatError) as info:
        wgi.parse_databank_file(path)
    assert info.value.line == 14


def test_parse_reads_both_layouts_and_refuses_overlap(tmp_path: Path, dataset: Path) -> None:
    folder = tmp_path / "wgi"
    folder.mkdir()
    (folder / "wgidataset.csv").write_bytes(dataset.read_bytes())
    assert wgi.parse(tmp_path)["governance"].num_rows == 7
    (folder / DATABANK.name).write_bytes(DATABANK.read_bytes())
    with pytest.raises(SourceFormatError) as info:  # NLD pv 2022 and NLD cc 2022 are in both files
        wgi.parse(tmp_path)
    assert "NLD" in str(info.value)
    assert wgi.parse(tmp_path / "nothing")["governance"].num_rows == 0


# -- geopolrisk wgi.db (PV) ----------------------------------------------------------------------------------

PV_YEARS = (2021, 2022, 2023)
# (name, code, estimates per year, country_code): made-up values; the labels mimic the real copy's faults.
PV_ROWS: list[tuple[str, str, tuple[str, str, str], str]] = [
    ("Netherlands", "NLD", ("0.89", "0.7173048257827759", "0.61"), "528"),
    ("China", "CHN", ("-0.52", "-0.44107362627983093", "-0.17"), "156"),
    ("Guyana", "GUY", ("0.33", "0.33", "0.42"), "328"),  # French Guiana in disguise
    ("Guyana", "GUY", ("-0.14", "0.03", "0.42"), "328"),
    ("Europe EFTA, nes", "R20", ("-0.11", "-0.25", "-0.14"), "697"),  # Kosovo
    ("Br. Virgin Isds", "VGB", ("0.48", "0.56", "0.98"), "92"),  # US Virgin Islands until 2022
    ("US Misc. Pacific Isds", "PUS", ("1.28", "1.62", "None"), "849"),  # Jersey, older release
    ("Jersey, Channel Islands", "JEY", ("1.24", "1.46", "1.46"), "NA"),
    ("Netherlands Antilles (...2010)", "ANT", ("nan", "nan", "nan"), "530"),
]
PV_OTHER = {"StdErr": "0.2", "NumSrc": "7.0", "Rank": "50.0", "Lower": "40.0", "Upper": "60.0"}


def _normalized(estimate: str) -> str:
    try:
        value = float(estimate)
    except ValueError:
        return estimate
    if value != value:
        return "nan"
    return repr(min(1.0, max(0.0, (2.5 - value) / 5)))


def build_pv_db(
    path: Path, rows: Sequence[tuple[str, str, tuple[str, ...], str]] = PV_ROWS, *, extra_sql: str = ""
) -> Path:
    """Write a miniature geopolrisk-style wgi.db: seven wide tables of TEXT values."""
    connection = sqlite3.connect(path)
    columns = ", ".join(
        ['"Country/Territory" TEXT', '"Code" TEXT', *(f'"{y}" TEXT' for y in PV_YEARS), '"country_code" TEXT']
    )
    for table in wgi.PV_TABLES:
        connection.execute(f'CREATE TABLE "{table}" ({columns})')
        for name, code, estimates, number in rows:
            if table == "Estimate":
                values = list(estimates)
            elif table == "Normalized":
                values = [_normalized(e) for e in estimates]
            else:  # missing where the estimate is missing, as in the real file
                values = [PV_OTHER[table] if e not in ("nan", "None") else e for e in estimates]
            connection.execute(
                f'INSERT INTO "{table}" VALUES (?, ?, ?, ?, ?, ?)', [name, code, *values, number]
            )
    if extra_sql:
        connection.executescript(extra_sql)
    connection.commit()
    connection.close()
    return path


def test_pv_db_fixture(tmp_path: Path) -> None:
    table = wgi.parse_wgi_pv_db_file(build_pv_db(tmp_path / "wgi.db"))
    assert table.schema == TABLES["governance"]
    rows = keyed(table)
    assert set(table["source"].to_pylist()) == {"wgi_pv"} and set(table["indicator"].to_pylist()) == {"pv"}
    assert rows[("NLD", 2022, "pv")]["estimate"] == pytest.approx(0.7173048257827759)
    assert rows[("NLD", 2022, "pv")] | {"estimate": None} == {
        "source": "wgi_pv",
        "country": "NLD",
        "year": 2022,
        "indicator": "pv",
        "estimate": None,
        "stderr": 0.2,
        "nsource": 7.0,
        "pctrank": 50.0,
    }
    by_country: dict[str, list[int]] = {}
    for country, year, _ in sorted(rows):
        by_country.setdefault(country, []).append(year)
    assert by_country == {
        "CHN": [2021, 2022, 2023],
        "GUF": [2021, 2022],  # the first GUY row; its 2023 cell copies Guyana's and is dropped
        "GUY": [2021, 2022, 2023],
        "JEY": [2021, 2022, 2023],  # the PUS row (Jersey, older release) is dropped
        "NLD": [2021, 2022, 2023],
        "VGB": [2023],
        "VIR": [2021, 2022],
        "XKX": [2021, 2022, 2023],  # "Europe EFTA, nes" (R20) is Kosovo
    }
    assert rows[("GUF", 2022, "pv")]["estimate"] == 0.33
    assert rows[("GUY", 2022, "pv")]["estimate"] == 0.03


def test_pv_single_guyana_row_is_not_touched(tmp_path: Path) -> None:
    rows = [r for r in PV_ROWS if r[3] != "328"] + [("Guyana", "GUY", ("-0.14", "0.03", "0.42"), "328")]
    table = wgi.parse_wgi_pv_db_file(build_pv_db(tmp_path / "wgi.db", rows))
    assert "GUF" not in table["country"].to_pylist()
    assert table.filter(pc.equal(table["country"], "GUY")).num_rows == 3


def test_pv_table_cells(tmp_path: Path) -> None:
    cells = wgi.parse_wgi_pv_table(build_pv_db(tmp_path / "wgi.db"), "Normalized")
    assert cells.num_rows == len(PV_ROWS) * len(PV_YEARS)
    first = cells.to_pylist()[0]
    assert first == {
        "row": 1,
        "name": "Netherlands",
        "code": "NLD",
        "country_code": "528",
        "year": 2021,
        "value": pytest.approx((2.5 - 0.89) / 5),
    }


@pytest.mark.parametrize(
    ("sql", "table", "line", "column"),
    [
        (
            'UPDATE "Estimate" SET "2022" = \'abc\' WHERE "Code" = \'CHN\'',
            "Estimate",
            2,
            "2022",
        ),  # non-numeric
        (
            'UPDATE "Estimate" SET "2021" = \'9.5\' WHERE "Code" = \'NLD\'',
            "Estimate",
            1,
            "2021",
        ),  # out of range
        ('UPDATE "StdErr" SET "2023" = \'-0.2\' WHERE "Code" = \'CHN\'', "StdErr", 2, "2023"),  # negative
        ('UPDATE "Rank" SET "2023" = \'150\' WHERE "Code" = \'JEY\'', "Rank", 8, "2023"),  # rank above 100
        ('UPDATE "StdErr" SET "Code" = \'CHN\' WHERE "Code" = \'NLD\'', "StdErr", 1, "Code"),  # misaligned
        (
            'UPDATE "Estimate" SET "Code" = \'NLD\' WHERE "Code" = \'CHN\';'
            'UPDATE "StdErr" SET "Code" = \'NLD\' WHERE "Code" = \'CHN\';'
            'UPDATE "NumSrc" SET "Code" = \'NLD\' WHERE "Code" = \'CHN\';'
            'UPDATE "Rank" SET "Code" = \'NLD\' WHERE "Code" = \'CHN\';'
            'UPDATE "Lower" SET "Code" = \'NLD\' WHERE "Code" = \'CHN\';'
            'UPDATE "Upper" SET "Code" = \'NLD\' WHERE "Code" = \'CHN\'',
            "Estimate",
            2,
            "Code",
        ),  # duplicate
        ('ALTER TABLE "Rank" RENAME COLUMN "country_code" TO "m49"', "Rank", 1, None),  # bad header
        ('ALTER TABLE "Rank" RENAME COLUMN "2021" TO "1950"', "Rank", 1, "1950"),  # bad year
    ],
)
def test_malformed_pv_db(tmp_path: Path, sql: str, table: str, line: int, column: str | None) -> None:
    with pytest.raises(SourceFormatError) as info:
        wgi.parse_wgi_pv_db_file(build_pv_db(tmp_path / "wgi.db", extra_sql=sql + ";"))
    assert (info.value.line, info.value.column) == (line, column), str(info.value)
    assert f"table {table!r}" in str(info.value.file)


def test_pv_unknown_country(tmp_path: Path) -> None:
    rows = [r if r[1] != "CHN" else ("Atlantis", "XXX", r[2], "NA") for r in PV_ROWS]
    with pytest.raises(SourceFormatError) as info:
        wgi.parse_wgi_pv_db_file(build_pv_db(tmp_path / "wgi.db", rows))
    assert (info.value.line, info.value.column, info.value.value) == (2, "Code", "XXX")
    assert "table 'Estimate'" in str(info.value.file)


def test_pv_missing_table(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError) as info:
        wgi.parse_wgi_pv_db_file(build_pv_db(tmp_path / "wgi.db", extra_sql='DROP TABLE "NumSrc";'))
    assert "NumSrc" in str(info.value)


# -- the real data -------------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_real_wgidataset(data_dir: Path) -> None:
    table = wgi.parse(data_dir)["governance"]
    assert table.num_rows == 32100 - 1126  # rows with '..' throughout are not stored
    assert sorted(set(table["indicator"].to_pylist())) == sorted(wgi.INDICATORS)
    assert sorted(set(table["year"].to_pylist())) == [1996, 1998, 2000, *range(2002, 2024)]
    counts = table.group_by(["indicator"]).aggregate([("year", "count_distinct")])
    assert counts["year_count_distinct"].to_pylist() == [25] * 6
    rows = keyed(table)
    assert rows[("NLD", 2022, "pv")]["estimate"] == 0.73  # geopolrisk's copy has 0.717 (2023 release)
    assert rows[("XKX", 2022, "pv")]["estimate"] == -0.20  # KSV
    assert (
        min(table["estimate"].to_pylist(), key=lambda v: v if v is not None else 0) == -3.31
    )  # Somalia 2009


@pytest.mark.realdata
def test_real_wgi_pv(data_dir: Path) -> None:
    table = wgi.parse_pv(data_dir)["governance"]
    rows = keyed(table)
    nld = rows[("NLD", 2022, "pv")]["estimate"]
    assert nld == pytest.approx(0.717, abs=0.0005)
    assert (2.5 - nld) / 5 == pytest.approx(0.357, abs=0.0005)
    assert rows[("CHN", 2022, "pv")]["estimate"] == pytest.approx(-0.441, abs=0.0005)
    assert sorted(set(table["year"].to_pylist())) == [1996, 1998, 2000, *range(2002, 2025)]
    countries = set(table["country"].to_pylist())
    assert {"GUF", "GUY", "XKX", "VIR", "VGB", "JEY"} <= countries
    assert not {"R20", "UMI"} & countries
    assert max(y for (c, y, _) in rows if c == "GUF") == 2022
    # Up to 2021 the copy agrees with the World Bank's 2024 release (wgidataset, 2 decimals), including
    # the relabelled rows; 2022 is the 2023 release's first estimate (NLD 0.717 there, 0.73 in 2024).
    dataset = keyed(wgi.parse(data_dir)["governance"])
    for key in [
        ("NLD", 2021, "pv"),
        ("GUF", 2010, "pv"),
        ("XKX", 2021, "pv"),
        ("VIR", 2015, "pv"),
        ("CHN", 2010, "pv"),
    ]:
        assert rows[key]["estimate"] == pytest.approx(dataset[key]["estimate"], abs=0.0051), key
    assert dataset[("NLD", 2022, "pv")]["estimate"] - rows[("NLD", 2022, "pv")]["estimate"] > 0.01


@pytest.mark.realdata
def test_real_wgi_pv_normalized_is_the_clipped_rescaled_estimate(data_dir: Path) -> None:
    path = data_dir / "geopolrisk" / "wgi_political_stability.db"
    estimate = wgi.parse_wgi_pv_table(path, "Estimate")
    normalized = wgi.parse_wgi_pv_table(path, "Normalized")
    assert estimate.select(["row", "code", "year"]).equals(normalized.select(["row", "code", "year"]))
    est = estimate["value"].to_pylist()
    norm = normalized["value"].to_pylist()
    pairs = [(e, n) for e, n in zip(est, norm, strict=True) if e is not None]
    assert len(pairs) == 5417
    assert all(n is not None for _, n in pairs)
    worst = max(abs(min(1.0, max(0.0, (2.5 - e) / 5)) - n) for e, n in pairs)
    assert worst < 1e-9  # found: 5.6e-17 (floating-point noise)
    # The clip acts on 72 cells, all below -2.5 (Somalia 2009: -3.31 -> 1.0); none is above +2.5.
    assert sum(e < -2.5 for e, _ in pairs) == 72 and not any(e > 2.5 for e, _ in pairs)
    # Where the estimate is missing ('nan'), Normalized mostly says 0.0 -- "most stable" -- not missing.
    missing = [n for e, n in zip(est, norm, strict=True) if e is None]
    assert (sum(n == 0.0 for n in missing), sum(n is None for n in missing)) == (170, 55)
