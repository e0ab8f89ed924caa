"""Eurostat Comext parser: the shared EU-27 CN8 extract and the two official bulk layouts."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pytest

from grondstof.errors import SourceFormatError
from grondstof.sources import comext

EXTRACT = Path("comext/comext_eu27_crm_cn8/eu_comext_critical_inputs_cn8_2022_2024.csv")
BULK = Path("comext/comext/full_202252.dat")
BULK_V2 = Path("comext/comext/full_202352.dat")


def variant(src: Path, tmp_path: Path, line: int, old: str, new: str) -> Path:
    """Copy ``src`` into ``tmp_path`` with ``old`` replaced by ``new`` on physical line ``line``."""
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[line - 1], lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    out = tmp_path / src.name
    out.write_text("".join(lines), encoding="utf-8")
    return out


def with_duplicate(src: Path, tmp_path: Path, line: int) -> tuple[Path, int]:
    """Copy ``src`` with line ``line`` appended again at the end; return the path and the new line number."""
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.append(lines[line - 1])
    out = tmp_path / src.name
    out.write_text("".join(lines), encoding="utf-8")
    return out, len(lines)


def rows(table) -> dict[tuple, dict]:
    return {(r["year"], r["importer"], r["exporter"], r["code"]): r for r in table.to_pylist()}


# -- the extract --------------------------------------------------------------------------------------


def test_extract_rows_units_and_countries(fixtures: Path) -> None:
    read = comext.read_comext_file(fixtures / EXTRACT)
    assert read.layout == "extract"
    table = read.imports
    assert table.num_rows == 8  # 9 data rows, one export row dropped
    got = rows(table)
    nl_cn = got[(2022, "NLD", "CHN", "81129289")]
    assert nl_cn["value"] == 8_000_000 and nl_cn["currency"] == "EUR" and nl_cn["classification"] == "CN8"
    assert nl_cn["tonnes"] is None and nl_cn["source"] == "comext_cn8"
    # Eurostat specials: EL = Greece (declarant), XS = Serbia, XK = Kosovo; NA is Namibia, not missing.
    assert (2023, "GRC", "SRB", "28046900") in got
    assert got[(2022, "POL", "XKX", "25041000")]["value"] == pytest.approx(237.755)
    assert (2023, "NLD", "NAM", "28046900") in got
    # A zero value is allowed; a Q code (QU, not specified) is kept with a null exporter.
    assert got[(2024, "BEL", "USA", "28053090")]["value"] == 0
    assert got[(2024, "DEU", None, "81129295")]["value"] == 4200
    assert read.export_rows == 1 and read.non_country_partner_rows == 1
    assert "1 export rows (FLOW 2) dropped" in read.note()


def test_parse_reads_the_extract(fixtures: Path) -> None:
    tables = comext.parse(fixtures / "comext")
    assert set(tables) == {"trade"}
    assert tables["trade"].num_rows == 8
    assert tables["trade"].column("code").type == "string"


# -- the official bulk layouts ---------------------------------------------------------------------------


def test_bulk_legacy_sums_procedures_and_drops_exports_totals_confidential(fixtures: Path) -> None:
    read = comext.read_comext_file(fixtures / BULK)
    assert read.layout == "bulk"
    got = rows(read.imports)
    assert len(got) == 3
    nl_cn = got[(2022, "NLD", "CHN", "81129289")]
    # Normal trade (8.0 M, 12 t) plus inward processing (0.5 M, 0.8 t); the export row is not included.
    assert nl_cn["value"] == 8_500_000 and nl_cn["tonnes"] == pytest.approx(12.8)
    assert nl_cn["source"] == "comext_cn8_bulk"
    # An empty QUANTITY_IN_KG stays unknown rather than becoming 0.
    assert got[(2022, "NLD", "DEU", "81129289")]["tonnes"] is None
    assert got[(2022, "GRC", None, "28046900")]["tonnes"] == pytest.approx(1.0)
    assert (read.export_rows, read.total_rows, read.confidential_rows, read.non_country_partner_rows) == (
        1,
        1,
        1,
        1,
    )


def test_bulk_v2_layout(fixtures: Path) -> None:
    read = comext.read_comext_file(fixtures / BULK_V2)
    assert read.layout == "bulk_v2"
    got = rows(read.imports)
    assert got[(2023, "NLD", "CHN", "81129289")]["tonnes"] == pytest.approx(6.0)
    assert got[(2023, "GRC", "NAM", "28046900")]["value"] == 900  # GR as reporter code, NA = Namibia
    assert read.export_rows == 1 and len(got) == 2


def test_parse_bulk_reads_both_layouts(fixtures: Path) -> None:
    table = comext.parse_bulk(fixtures / "comext")["trade"]
    assert sorted(set(table.column("year").to_pylist())) == [2022, 2023]
    assert table.num_rows == 5


def test_bulk_monthly_period_is_refused(fixtures: Path, tmp_path: Path) -> None:
    path = variant(fixtures / BULK_V2, tmp_path, 3, "202352", "202303")
    with pytest.raises(SourceFormatError, match="monthly") as err:
        comext.read_comext_file(path)
    assert (err.value.line, err.value.column, err.value.value) == (3, "PERIOD", "202303")


def test_bulk_duplicate_includes_procedure(fixtures: Path, tmp_path: Path) -> None:
    path, line = with_duplicate(fixtures / BULK, tmp_path, 3)
    with pytest.raises(SourceFormatError) as err:
        comext.read_comext_file(path)
    assert (err.value.line, err.value.column) == (line, "STAT_REGIME")


def test_bulk_missing_quantity_column(fixtures: Path, tmp_path: Path) -> None:
    path = variant(fixtures / BULK_V2, tmp_path, 1, "QUANTITY_KG,", "QUANTITY,")
    with pytest.raises(SourceFormatError) as err:
        comext.read_comext_file(path)
    assert (err.value.line, err.value.column) == (1, "QUANTITY_KG")


def test_bulk_negative_quantity(fixtures: Path, tmp_path: Path) -> None:
    path = variant(fixtures / BULK, tmp_path, 4, ",100000,,0", ",100000,-5,0")
    with pytest.raises(SourceFormatError) as err:
        comext.read_comext_file(path)
    assert (err.value.line, err.value.column, err.value.value) == (4, "QUANTITY_IN_KG", "-5")


# -- malformed variants of the extract ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "old", "new", "column", "value"),
    [
        (2, "8000000", "8.0e6x", "VALUE_IN_EUROS", "8.0e6x"),  # non-numeric value
        (3, "120000", "-120000", "VALUE_IN_EUROS", "-120000"),  # negative value
        (4, ",CN,", ",ZQ,", "PARTNER_ISO", "ZQ"),  # unknown country code
        (5, "NL,NA", "XX,NA", "DECLARANT_ISO", "XX"),  # unknown declarant
        (6, "28046900", "2804690", "PRODUCT_NC", "2804690"),  # 7-digit CN code
        (6, "28046900", "28046", "PRODUCT_NC", "28046"),  # 5-digit code
        (7, ",1,2022,", ",3,2022,", "FLOW", "3"),  # FLOW outside {1, 2}
        (8, ",2024,", ",24,", "PERIOD", "24"),  # not a year
    ],
)
def test_extract_malformed(
    fixtures: Path, tmp_path: Path, line: int, old: str, new: str, column: str, value: str
) -> None:
    path = variant(fixtures / EXTRACT, tmp_path, line, old, new)
    with pytest.raises(SourceFormatError) as err:
        comext.parse_comext_file(path)
    assert (err.value.line, err.value.column, err.value.value) == (line, column, value)


def test_extract_bad_header(fixtures: Path, tmp_path: Path) -> None:
    path = variant(fixtures / EXTRACT, tmp_path, 1, "VALUE_IN_EUROS", "VALUE_EUROS")
    with pytest.raises(SourceFormatError) as err:
        comext.parse_comext_file(path)
    assert (err.value.line, err.value.column) == (1, "VALUE_IN_EUROS")


def test_extract_unrecognised_header(fixtures: Path, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="Comext header") as err:
        comext.parse_comext_file(path)
    assert err.value.line == 1


def test_extract_duplicate_row(fixtures: Path, tmp_path: Path) -> None:
    path, line = with_duplicate(fixtures / EXTRACT, tmp_path, 2)
    with pytest.raises(SourceFormatError, match="duplicate") as err:
        comext.parse_comext_file(path)
    assert (err.value.line, err.value.column) == (line, "PERIOD")


def test_extract_alias_duplicate_is_caught(fixtures: Path, tmp_path: Path) -> None:
    """GR and EL are both Greece: the same flow under both codes is a duplicate, not two flows."""
    lines = (fixtures / EXTRACT).read_text(encoding="utf-8").splitlines(keepends=True)
    lines.append("GR,XS,28046900,1,2023,1500\n")
    path = tmp_path / EXTRACT.name
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(SourceFormatError) as err:
        comext.parse_comext_file(path)
    assert err.value.line == len(lines)


def test_extract_monthly_period_refused(fixtures: Path, tmp_path: Path) -> None:
    path = variant(fixtures / EXTRACT, tmp_path, 2, ",2022,", ",202201,")
    with pytest.raises(SourceFormatError, match="monthly") as err:
        comext.parse_comext_file(path)
    assert (err.value.line, err.value.column) == (2, "PERIOD")


# -- the real file ----------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_real_extract(data_dir: Path) -> None:
    table = comext.parse(data_dir)["trade"]
    assert table.num_rows == 26_538
    assert table.column("exporter").null_count == 0  # every partner code in the real file is a country
    assert set(table.column("currency").to_pylist()) == {"EUR"}
    nl = table.filter(pc.equal(table.column("importer"), "NLD"))
    assert nl.num_rows == 3_784
    totals = {
        r["year"]: r["value_sum"] for r in nl.group_by("year").aggregate([("value", "sum")]).to_pylist()
    }
    # PROVENANCE: NL total over the 66 codes €5.86 bn 2022, €5.58 bn 2023, €4.56 bn 2024.
    for year, expected in ((2022, 5.86e9), (2023, 5.58e9), (2024, 4.56e9)):
        assert totals[year] == pytest.approx(expected, rel=0.005)
    gallium = nl.filter(
        pc.and_(pc.equal(nl.column("exporter"), "CHN"), pc.equal(nl.column("code"), "81129289"))
    )
    by_year = {r["year"]: r["value"] for r in gallium.to_pylist()}
    assert by_year[2022] == 8_683_031  # ≈ €8.7 m
    assert by_year[2023] == 4_558_413
    assert by_year[2024] == 599_209  # ≈ €0.6 m
