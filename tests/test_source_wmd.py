"""World Mining Data parser: long CSV and geopolrisk's wide SQLite layout."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from grondstof.errors import SourceFormatError
from grondstof.schema import TABLES
from grondstof.sources import wmd

# Hand-written miniature in the long layout (invented figures; the real file is read from the data directory).
FIXTURE = Path(__file__).parent / "fixtures" / "wmd" / "wmd_miniature_long.csv"


def variant(tmp_path: Path, old: str, new: str, *, count: int = 1) -> Path:
    """Write a copy of the fixture with ``old`` replaced by ``new`` (exactly ``count`` occurrences)."""
    text = FIXTURE.read_text(encoding="utf-8")
    assert text.count(old) == count, f"{old!r} occurs {text.count(old)} times"
    path = tmp_path / "wmd.csv"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def rows(table: pa.Table) -> list[dict]:
    return table.sort_by(
        [(c, "ascending") for c in ("commodity", "country", "year") if c in table.column_names]
    ).to_pylist()


def build_db(path: Path, long_csv: Path, *, extra_sql: str = "") -> Path:
    """Write a miniature geopolrisk-style world_mining_data.db from a long CSV (one wide table per sheet)."""
    with open(long_csv, encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    years = sorted({int(r["year"]) for r in records})
    connection = sqlite3.connect(path)
    connection.execute('CREATE TABLE "HS Code Map" ("Sheet_name" TEXT, "HS Code" TEXT)')
    connection.execute('CREATE TABLE "Country_ISO" ("ISO" TEXT, "Country" TEXT)')
    connection.execute('CREATE TABLE "logging" ("sheet_name" TEXT, "log_message" TEXT, "log_update" INTEGER)')
    for sheet in dict.fromkeys(r["commodity"] for r in records):
        year_columns = ", ".join(f'"{y}" REAL' for y in years)
        connection.execute(
            f'CREATE TABLE "{sheet}" ("Country" TEXT, "Country_Code" TEXT, "Country_ISO" TEXT, '
            f'{year_columns}, "unit" TEXT, "data_source" TEXT)'
        )
        countries = dict.fromkeys(
            (r["country"], r["country_code_m49"], r["iso3"]) for r in records if r["commodity"] == sheet
        )
        for name, code, iso3 in countries:
            cells = {int(r["year"]): r for r in records if r["commodity"] == sheet and r["country"] == name}
            any_row = next(iter(cells.values()))
            values = [
                float(cells[y]["production"]) if y in cells and cells[y]["production"] else None
                for y in years
            ]
            placeholders = ", ".join("?" for _ in range(len(years) + 5))
            connection.execute(
                f'INSERT INTO "{sheet}" VALUES ({placeholders})',
                [name, code, iso3, *values, any_row["unit"], any_row["data_source"]],
            )
    if extra_sql:
        connection.executescript(extra_sql)
    connection.commit()
    connection.close()
    return path


# -- the fixture ---------------------------------------------------------------------------------------------


def test_long_fixture_gives_production_and_totals() -> None:
    production, totals = wmd.parse_long_file(FIXTURE)
    assert production.schema == TABLES["production"]
    assert totals.schema == TABLES["production_totals"]
    assert production.num_rows == 9 and totals.num_rows == 4
    by_key = {(r["commodity"], r["country"], r["year"]): r for r in production.to_pylist()}
    china = by_key[("Gallium", "CHN", 2021)]
    assert china == {
        "source": "wmd",
        "commodity": "Gallium",
        "material": "gallium",
        "stage": "processing",
        "country": "CHN",
        "year": 2021,
        "quantity": 410.0,
        "unit": "metr. t",
        "flag": "r",
    }
    # Empty production is "no figure", not zero.
    assert by_key[("Gallium", "JPN", 2022)]["quantity"] is None
    assert by_key[("Gold", "IND", 2022)]["flag"] == "p"
    assert by_key[("Gold", "IND", 2022)]["unit"] == "kg"
    # Known mislabels are placed by name: French Guiana (coded GUY) and Kosovo (coded R20).
    assert by_key[("Gold", "GUF", 2022)]["quantity"] == 800.0
    assert by_key[("Gold", "GUY", 2022)]["quantity"] == 14000.0
    assert by_key[("Lead", "XKX", 2022)]["quantity"] == 4400.0
    assert by_key[("Lead", "TWN", 2022)]["flag"] == ""  # S19, BACI's code for Taiwan
    total = {(r["commodity"], r["year"]): r for r in totals.to_pylist()}
    assert total[("Gallium", 2022)] == {
        "source": "wmd",
        "commodity": "Gallium",
        "material": "gallium",
        "stage": "processing",
        "year": 2022,
        "quantity": 610.0,
        "unit": "metr. t",
    }


def test_parse_reads_the_long_file(tmp_path: Path) -> None:
    (tmp_path / "geopolrisk").mkdir()
    (tmp_path / "geopolrisk" / "world_mining_data_2018_2024_long.csv").write_bytes(FIXTURE.read_bytes())
    tables = wmd.parse(tmp_path)
    assert tables["production"].num_rows == 9
    assert tables["production_totals"].num_rows == 4
    assert wmd.parse(tmp_path / "nothing")["production"].num_rows == 0


def test_db_layout_gives_the_same_rows(tmp_path: Path) -> None:
    db = build_db(tmp_path / "world_mining_data.db", FIXTURE)
    production, totals = wmd.parse_wmd_db_file(db)
    long_production, long_totals = wmd.parse_long_file(FIXTURE)
    # The wide layout has a cell for every year of every country; the long fixture omits absent rows.
    present = {(r["commodity"], r["country"], r["year"]) for r in long_production.to_pylist()}
    wide = [r for r in rows(production) if (r["commodity"], r["country"], r["year"]) in present]
    assert wide == rows(long_production)
    present_totals = {(r["commodity"], r["year"]) for r in long_totals.to_pylist()}
    assert [r for r in rows(totals) if (r["commodity"], r["year"]) in present_totals] == rows(long_totals)


# -- malformed long files ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "line", "column"),
    [
        ("production,unit", "prod,unit", 1, "production"),  # bad header
        ("CHN,156,2021,410.0", "CHN,156,2021,4x0", 2, "production"),  # non-numeric
        ("JPN,392,2021,5.0", "JPN,392,2021,-5.0", 3, "production"),  # negative
        ("Japan,JPN,392,2021", "Atlantis,XYZ,999,2021", 3, "iso3"),  # unknown country
        ("Japan,JPN,392,2021", "Japan,KOR,392,2021", 3, "iso3"),  # name and code disagree
        ("India,IND,699,2022", "Europe EFTA,R20,697,2022", 10, "iso3"),  # an aggregate, not a country
        ("Gallium,China,CHN,156,2021", "Gallium,China,CHN,156,20x1", 2, "year"),  # bad year
        ("Gallium,China,CHN,156,2021", "Gallium,China,CHN,156,1850", 2, "year"),  # year out of range
        ("Gallium,Japan,JPN,392,2021", "Unobtainium,Japan,JPN,392,2021", 3, "commodity"),  # unknown sheet
        ("1600.0,kg,p", "1600.0,lb,p", 10, "unit"),  # unknown unit
        ("1600.0,kg,p", "1600.0,metr. t,p", 10, "unit"),  # a second unit in one sheet
        ("1600.0,kg,p", "1600.0,kg,x", 10, "data_source"),  # unknown flag
        ("Gallium,Total,DELETE,DELETE,2021", "Gallium,Total,CHN,DELETE,2021", 4, "iso3"),  # half a total
    ],
)
def test_malformed_long_file(tmp_path: Path, old: str, new: str, line: int, column: str) -> None:
    with pytest.raises(SourceFormatError) as info:
        wmd.parse_long_file(variant(tmp_path, old, new))
    assert (info.value.line, info.value.column) == (line, column), str(info.value)


def test_unknown_commodity_is_named(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError) as info:
        wmd.parse_long_file(variant(tmp_path, "Gallium,Japan,JPN,392,2021", "Unobtainium,Japan,JPN,392,2021"))
    assert info.value.value == "Unobtainium"
    assert "Unobtainium" in str(info.value)


def test_duplicate_row_is_refused(tmp_path: Path) -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    path = tmp_path / "wmd.csv"
    path.write_text(text + "Gallium,China,CHN,156,2021,421.0,metr. t,r\n", encoding="utf-8")
    with pytest.raises(SourceFormatError) as info:
        wmd.parse_long_file(path)
    assert (info.value.line, info.value.column) == (15, "year")
    assert "duplicate" in str(info.value)


def test_duplicate_total_is_refused(tmp_path: Path) -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    path = tmp_path / "wmd.csv"
    path.write_text(text + "Lead,Total,DELETE,DELETE,2022,4501.0,metr. t,nan\n", encoding="utf-8")
    with pytest.raises(SourceFormatError) as info:
        wmd.parse_long_file(path)
    assert info.value.line == 15


# -- malformed SQLite files ----------------------------------------------------------------------------------


def test_db_unknown_sheet_is_named(tmp_path: Path) -> None:
    db = build_db(
        tmp_path / "wmd.db",
        FIXTURE,
        extra_sql=(
            'CREATE TABLE "Unobtainium" ("Country" TEXT, "Country_Code" TEXT, "Country_ISO" TEXT, '
            '"2022" REAL, "unit" TEXT, "data_source" TEXT); '
            """INSERT INTO "Unobtainium" VALUES ('China', '156', 'CHN', 1.0, 'metr. t', 'r');"""
        ),
    )
    with pytest.raises(SourceFormatError) as info:
        wmd.parse_wmd_db_file(db)
    assert info.value.value == "Unobtainium"
    assert "Unobtainium" in str(info.value.file)
    assert (info.value.line, info.value.column) == (1, "(table name)")


def test_db_bad_cell_reports_table_row_and_year(tmp_path: Path) -> None:
    db = build_db(
        tmp_path / "wmd.db",
        FIXTURE,
        extra_sql='UPDATE "Gallium" SET "2022" = \'n/a\' WHERE "Country" = \'Japan\';',
    )
    with pytest.raises(SourceFormatError) as info:
        wmd.parse_wmd_db_file(db)
    # Japan is the second row of the Gallium table.
    assert (info.value.line, info.value.column) == (2, "2022")
    assert "Gallium" in str(info.value.file)


def test_db_negative_and_duplicate_country(tmp_path: Path) -> None:
    db = build_db(
        tmp_path / "a.db", FIXTURE, extra_sql='UPDATE "Gold" SET "2022" = -1 WHERE "Country" = \'India\';'
    )
    with pytest.raises(SourceFormatError) as info:
        wmd.parse_wmd_db_file(db)
    assert (info.value.line, info.value.column) == (3, "2022")
    db = build_db(
        tmp_path / "b.db",
        FIXTURE,
        extra_sql=(
            'INSERT INTO "Lead" ("Country", "Country_Code", "Country_ISO", "unit", "data_source") '
            "VALUES ('Taiwan', '490', 'S19', 'metr. t', 'r');"
        ),
    )
    with pytest.raises(SourceFormatError) as info:
        wmd.parse_wmd_db_file(db)
    assert (info.value.line, info.value.column) == (4, "country")


def test_db_bad_layout(tmp_path: Path) -> None:
    db = build_db(
        tmp_path / "wmd.db", FIXTURE, extra_sql='CREATE TABLE "Cobalt" ("Country" TEXT, "tonnes" REAL);'
    )
    with pytest.raises(SourceFormatError) as info:
        wmd.parse_wmd_db_file(db)
    assert info.value.line == 1 and "Cobalt" in str(info.value.file)


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "wmd.db"
    path.write_text("not sqlite", encoding="utf-8")
    with pytest.raises(SourceFormatError):
        wmd.parse_wmd_db_file(path)


# -- the real data -------------------------------------------------------------------------------------------


def _select(table: pa.Table, commodity: str, year: int) -> pa.Table:
    return table.filter(pc.and_(pc.equal(table["commodity"], commodity), pc.equal(table["year"], year)))


@pytest.mark.realdata
def test_real_long_file(data_dir: Path) -> None:
    tables = wmd.parse(data_dir)
    production, totals = tables["production"], tables["production_totals"]
    # 14,133 rows = 455 totals + 13,678 country rows; 65 sheets x 7 years of totals.
    assert (production.num_rows, totals.num_rows) == (13678, 455)
    assert len(set(production["commodity"].to_pylist())) == 65
    assert set(production["unit"].to_pylist()) == {"metr. t", "kg", "ct", "Mio m3"}
    assert pc.count(production["quantity"], mode="only_null").as_py() == 271
    assert pc.count(production["country"], mode="only_null").as_py() == 0

    gallium = _select(production, "Gallium", 2022)
    shares = dict(
        zip(
            gallium["country"].to_pylist(),
            pc.divide(gallium["quantity"], pc.sum(gallium["quantity"])).to_pylist(),
            strict=True,
        )
    )
    assert shares["CHN"] > 0.95  # 606 of 616 t

    quantities = [q for q in _select(production, "Graphite", 2022)["quantity"].to_pylist() if q is not None]
    world = _select(totals, "Graphite", 2022)["quantity"][0].as_py()
    hhi_published_total = sum((q / world) ** 2 for q in quantities)
    hhi_row_sum = sum((q / sum(quantities)) ** 2 for q in quantities)
    # 0.4707 uses WMD's published world total (1,727,486 t) as denominator. The country rows sum to
    # 1,734,756 t (the total leaves out Tanzania's 7,270 t), which gives 0.4667.
    assert hhi_published_total == pytest.approx(0.4707, abs=0.001)
    assert hhi_row_sum == pytest.approx(0.4667, abs=0.001)


@pytest.mark.realdata
def test_real_db_equals_long_file(data_dir: Path) -> None:
    production, totals = wmd.parse_wmd_db_file(data_dir / "geopolrisk" / "world_mining_data.db")
    long_production, long_totals = wmd.parse_long_file(
        data_dir / "geopolrisk" / "world_mining_data_2018_2024_long.csv"
    )
    assert rows(production) == rows(long_production)
    assert rows(totals) == rows(long_totals)
    for commodity in ("Gallium", "Graphite", "Rare Earths (REO)", "Gold"):
        assert rows(_select(production, commodity, 2022)) == rows(_select(long_production, commodity, 2022))
