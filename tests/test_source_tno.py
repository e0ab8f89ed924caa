"""TNO raw-material content of the CBS CE25 product groups (unit assumed g/kg) and supply indicators."""

from __future__ import annotations

from pathlib import Path

import pytest

from grondstof.errors import SourceFormatError
from grondstof.schema import TABLES
from grondstof.sources import tno

HERE = Path(__file__).parent / "fixtures" / "tno"
CONTENT = HERE / "miniature_crm_per_kg_ce25.csv"
INDICATORS = HERE / "miniature_supply_security_indicators.csv"


def variant(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text(encoding="utf-8-sig")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    path = tmp_path / source.name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_content_fixture() -> None:
    table = tno.parse_content_file(CONTENT)
    assert table.schema == TABLES["product_content"]
    rows = {(r["product_group"], r["material_label"]): r for r in table.to_pylist()}
    assert len(rows) == 3 * 5
    cobalt = rows[("Transportmiddelen", "Kobalt")]
    assert (cobalt["material"], cobalt["content"], cobalt["product_group_id"]) == ("cobalt", 1.080008653, 19)
    # The unit is an assumption, stated on every row.
    assert cobalt["unit"] == "g/kg" and "assumed" in cobalt["unit_assumption"]
    assert rows[("Transportmiddelen", "Ijzer")]["material"] == "iron_ore"
    assert rows[("Transportmiddelen", "Barieten")]["material"] == "baryte"  # Dutch alias in the registry
    # A name the registry does not know is kept with its label, not dropped.
    assert rows[("Transportmiddelen", "Unobtanium")]["material"] is None
    assert rows[("Transportmiddelen", "Unobtanium")]["content"] == 0.5
    assert rows[("Land- en tuinbouwproducten", "Kobalt")]["content"] == 0.0  # a published zero


def test_indicator_fixture() -> None:
    table = tno.parse_indicator_file(INDICATORS)
    rows = {(r["material"], r["indicator"]): r for r in table.to_pylist()}
    assert rows[("cobalt", "price_2021_04")]["value"] == 41000.5
    assert rows[("cobalt", "price_2021_04")]["unit"] == "EUR/t"
    assert rows[("graphite", "hhi_2020")]["unit"] == "HHI 0-10000"
    assert rows[("iron_ore", "volatility")]["value"] == 1.71


def test_parse_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "tno_crm_content"
    folder.mkdir()
    (folder / "CRM_per_kg_CE25.csv").write_bytes(CONTENT.read_bytes())
    (folder / "Supply_security_indicators.csv").write_bytes(INDICATORS.read_bytes())
    tables = tno.parse(tmp_path)
    assert (tables["product_content"].num_rows, tables["tno_supply_indicators"].num_rows) == (15, 9)


@pytest.mark.parametrize(
    ("source", "old", "new", "line", "column"),
    [
        (CONTENT, "CE25;CE25_id", "CE25;id", 1, None),
        (CONTENT, "19;1,080008653", "19;1.080.008", 3, "Kobalt"),  # not a decimal-comma number
        (CONTENT, "Transportmiddelen;19", "Transportmiddelen;x", 3, "CE25_id"),
        (CONTENT, "Elektrische apparaten;17", "Transportmiddelen;17", 4, "CE25"),  # a group twice
        (CONTENT, "45,5;0;0", "45,5;0", 4, None),  # a field short
        (CONTENT, "45,5;0;0", "45,5;-1;0", 4, "Barieten"),  # negative
        (INDICATORS, "I;Volatility", "I;Volatiliteit", 3, "Indicator"),
        (INDICATORS, "I;HHI2020;5000", "I;HHI2020;50000", 4, "Kobalt"),  # HHI above 10,000
        (INDICATORS, "EUR/metric Ton", "USD/t", 2, "Unit"),
    ],
)
def test_malformed(tmp_path: Path, source: Path, old: str, new: str, line: int, column: str | None) -> None:
    parser = tno.parse_content_file if source == CONTENT else tno.parse_indicator_file
    with pytest.raises(SourceFormatError) as info:
        parser(variant(tmp_path, source, old, new))
    assert (info.value.line, info.value.column) == (line, column), str(info.value)


@pytest.mark.realdata
def test_real_files(data_dir: Path) -> None:
    tables = tno.parse(data_dir)
    content = tables["product_content"]
    assert content.num_rows == 25 * 64
    rows = {(r["product_group"], r["material_label"]): r for r in content.to_pylist()}
    # PROVENANCE §17: transport equipment, iron 331 and cobalt 1.08 (g/kg assumed).
    assert round(rows[("Transportmiddelen", "Ijzer")]["content"]) == 331
    assert round(rows[("Transportmiddelen", "Kobalt")]["content"], 2) == 1.08
    # Every one of the 64 TNO names maps to a registry material (Barieten through its Dutch alias).
    assert {r["material_label"] for r in content.to_pylist() if r["material"] is None} == set()
    assert tables["tno_supply_indicators"].num_rows == 3 * 64
