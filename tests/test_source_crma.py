"""Critical Raw Materials Act lists and benchmarks."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pytest

from grondstof.errors import SourceFormatError
from grondstof.registry.materials import materials
from grondstof.schema import TABLES
from grondstof.sources import crma


def _variant(tmp_path: Path, fixture: Path, old: str, new: str) -> Path:
    text = fixture.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / fixture.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_lists(fixtures: Path) -> None:
    table = crma.parse_lists_file(fixtures / "crma" / "crma_annex_lists.csv")
    assert table.schema == TABLES["crma_lists"]
    rows = table.to_pylist()
    assert [r["list"] for r in rows] == ["strategic"] * 3 + ["critical"] * 3
    assert all(r["material"] for r in rows)
    by_raw = {r["raw_material"]: r["material"] for r in rows}
    assert by_raw["Gallium"] == "gallium"
    assert by_raw["Lithium - battery grade"] == "lithium"  # the grade qualifier stays in raw_material
    assert by_raw["Bauxite/alumina/aluminium"] == materials().resolve("aluminium").id
    magnets = "Rare earth elements for magnets (Nd, Pr, Tb, Dy, Gd, Sm, and Ce)"
    assert (
        by_raw[magnets]
        == materials().resolve("rare earths for magnets").id
        != materials().resolve("rare earths").id
    )
    assert by_raw["Heavy rare earth elements"] == materials().resolve("heavy rare earths").id
    assert rows[0]["source_text"].startswith("Regulation (EU) 2024/1252")
    assert rows[-1]["point"] == "(aa)"


@pytest.mark.parametrize(
    ("old", "new", "line", "column"),
    [
        ("list,annex,point,raw_material,source", "list,annex,point,material,source", 1, "raw_material"),
        ('strategic,"Annex I, Section 1",(b)', 'strategc,"Annex I, Section 1",(b)', 3, "list"),
        ("(b),Lithium", "b,Lithium", 3, "point"),
        ("Lithium - battery grade", "Lithum - battery grade", 3, "raw_material"),
        ("(b),Lithium", "(a),Lithium", 3, "point"),  # duplicate (strategic, (a))
        # Line 5 becomes Heavy rare earth elements at point (c): line 6 then repeats that entry.
        ("(a),Gallium", "(c),Heavy rare earth elements", 6, "raw_material"),
    ],
)
def test_lists_malformed(fixtures: Path, tmp_path: Path, old: str, new: str, line: int, column: str) -> None:
    path = _variant(tmp_path, fixtures / "crma" / "crma_annex_lists.csv", old, new)
    with pytest.raises(SourceFormatError) as info:
        crma.parse_lists_file(path)
    assert (info.value.line, info.value.column) == (line, column)


def test_benchmarks(fixtures: Path) -> None:
    table = crma.parse_benchmarks_file(fixtures / "crma" / "crma_2030_benchmarks.csv")
    assert table.schema == TABLES["crma_benchmarks"]
    rows = table.to_pylist()
    assert [(r["benchmark"], r["value"], r["target_year"]) for r in rows] == [
        ("extraction", 0.1, 2030),
        ("diversification", 0.65, 2030),
    ]
    assert rows[1]["source_text"].endswith("Article 5(1)(b)")


@pytest.mark.parametrize(
    ("old", "new", "line", "column"),
    [
        ("benchmark,metric,value", "benchmark,metric,share", 1, "value"),
        ("min,0.1,2030", "min,10,2030", 2, "value"),  # a percentage where a fraction is expected
        ("min,0.1,2030", "min,abc,2030", 2, "value"),
        ("min,0.1,2030", "min,0.1,'30", 2, "target_year"),
        ("diversification,max", "extraction,max", 3, "benchmark"),  # duplicate
    ],
)
def test_benchmarks_malformed(
    fixtures: Path, tmp_path: Path, old: str, new: str, line: int, column: str
) -> None:
    path = _variant(tmp_path, fixtures / "crma" / "crma_2030_benchmarks.csv", old, new)
    with pytest.raises(SourceFormatError) as info:
        crma.parse_benchmarks_file(path)
    assert (info.value.line, info.value.column) == (line, column)


@pytest.mark.realdata
def test_real_crma(data_dir: Path) -> None:
    tables = crma.parse(data_dir)
    lists = tables["crma_lists"]
    assert pc.sum(pc.equal(lists["list"], "strategic")).as_py() == 17
    assert pc.sum(pc.equal(lists["list"], "critical")).as_py() == 34
    assert lists["material"].null_count == 0 and pc.all(pc.not_equal(lists["material"], "")).as_py()
    strategic = {r["material"] for r in lists.to_pylist() if r["list"] == "strategic"}
    assert {"gallium", "germanium", "lithium", "cobalt", "tungsten"} <= strategic
    benchmarks = {r["benchmark"]: r["value"] for r in tables["crma_benchmarks"].to_pylist()}
    assert benchmarks == {"extraction": 0.10, "processing": 0.40, "recycling": 0.25, "diversification": 0.65}
