"""Export-controls timeline: countries, material lists from free text, dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from grondstof.errors import SourceFormatError
from grondstof.registry.materials import materials
from grondstof.schema import TABLES
from grondstof.sources import export_controls as ec

FIXTURE = "export_controls/export_controls_timeline.csv"


def _variant(tmp_path: Path, fixture: Path, old: str, new: str) -> Path:
    text = fixture.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / fixture.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _id(name: str) -> str:
    return materials().resolve(name).id


def test_timeline(fixtures: Path) -> None:
    table = ec.parse_timeline_file(fixtures / FIXTURE)
    assert table.schema == TABLES["export_controls"]
    rows = {r["id"]: r for r in table.to_pylist()}
    assert len(rows) == 8

    gage = rows["XX-2023-GaGe"]
    assert gage["country"] == "CHN" and gage["materials"] == ["gallium", "germanium"]
    assert gage["announced"] == dt.date(2023, 7, 3) and gage["effective"] == dt.date(2023, 8, 1)
    assert gage["ended"] is None and gage["suspension_until"] is None and gage["ended_text"] == ""

    # The comma inside the parenthesis does not split the item; the detail is dropped.
    assert rows["XX-2023-GR"]["materials"] == ["graphite"]
    assert rows["XX-2023-GR"]["verification"] == ""

    mix = rows["XX-2024-MIX"]
    assert mix["materials"] == ["antimony"]  # "superhard materials" is a listed non-material item
    assert mix["materials_text"] == "antimony (ores, metal); superhard materials"
    assert mix["ended"] == dt.date(2025, 11, 9) and mix["ended_text"] == "2025-11-09 (clause 2 suspended)"
    assert mix["suspension_until"] == dt.date(2026, 11, 27) and mix["scope"] == ""

    congo = rows["XX-2025-CO"]
    assert (congo["country"], congo["country_label"], congo["materials"]) == ("COD", "DR Congo", ["cobalt"])
    assert rows["XX-2020-NI"]["materials"] == ["nickel"]  # "nickel ore"
    assert rows["XX-2020-NI"]["announced"] is None
    li = rows["XX-2022-LI"]
    assert li["materials"] == ["lithium"]
    assert li["effective"] == dt.date(2022, 12, 1) and li["effective_text"] == "2022-12"
    assert rows["XX-2026-RAW"]["materials"] == ["lithium"]  # "all raw minerals (incl. lithium)"
    re_row = rows["XX-2025-RE"]
    assert re_row["materials"] == [_id("rare earths"), _id("samarium"), _id("dysprosium")]
    assert re_row["effective"] == dt.date(2025, 12, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gallium; germanium", ["gallium", "germanium"]),
        ("graphite (high-purity/spherical natural and synthetic, related products)", ["graphite"]),
        ("rare earths (technology)", ["rare earths"]),
        ("nickel ore", ["nickel"]),
        ("lithium (unprocessed ore)", ["lithium"]),
        ("all raw minerals (incl. lithium)", ["lithium"]),
        ("superhard materials (synthetic diamond micropowder, wire saws)", []),
        (
            "lithium batteries; cathode materials; "
            "synthetic graphite anode materials (and related equipment)",
            ["synthetic graphite"],
        ),
        ("rare-earth production equipment and raw/auxiliary materials", []),
        ("gallium, gallium; Gallium", ["gallium"]),
    ],
)
def test_parse_materials(text: str, expected: list[str]) -> None:
    ids, unknown = ec.parse_materials(text)
    assert unknown is None
    assert ids == [_id(name) for name in expected]


def test_parse_materials_unknown() -> None:
    assert ec.parse_materials("gallium; galium") == (["gallium"], "galium")
    assert ec.parse_materials("lithium accumulators")[1] == "lithium accumulators"


def test_split_items() -> None:
    assert ec.split_items("a (x, y); b, c (incl. d, e)") == (["a", "b", "c"], ["d", "e"])
    assert ec.split_items("a (x (y), z), b") == (["a", "b"], [])
    for unbalanced in ("a (x", "a) b", "a (x))"):
        with pytest.raises(ValueError):
            ec.split_items(unbalanced)


@pytest.mark.parametrize(
    ("old", "new", "line", "column"),
    [
        ("id,country,materials", "id,land,materials", 1, "country"),
        (",2023-07-03,2023-08-01,", ",2023-07-03,2023-13-01,", 2, "effective"),
        (",2023-07-03,2023-08-01,", ",03/07/2023,2023-08-01,", 2, "announced"),
        (",2023-07-03,2023-08-01,", ",2023-07-03,,", 2, "effective"),  # effective is required
        (
            "2025-11-09 (clause 2 suspended),2026-11-27",
            "2025-11-09 (clause 2 suspended),2026-11-27 (approx.)",
            4,
            "suspension_until",
        ),
        ("2025-11-09 (clause 2 suspended)", "9 Nov 2025", 4, "ended_or_suspended"),
        ("2025-11-09 (clause 2 suspended)", "2025-11-09x", 4, "ended_or_suspended"),
        ("gallium; germanium", "gallium (metal; germanium", 2, "materials"),  # unclosed parenthesis
        ("gallium; germanium", "gallium); germanium", 2, "materials"),
        ("XX-2025-CO,DR Congo", "XX-2025-CO,Kongo Land", 5, "country"),
        ("XX-2020-NI,Indonesia,nickel ore", "XX-2020-NI,Indonesia,nikel ore", 6, "materials"),
        ("XX-2020-NI,", "XX-2023-GR,", 6, "id"),  # duplicate id
        ("XX-2020-NI,", "XX 2020 NI,", 6, "id"),
        ("news report E", "", 6, "sources"),
    ],
)
def test_timeline_malformed(
    fixtures: Path, tmp_path: Path, old: str, new: str, line: int, column: str
) -> None:
    path = _variant(tmp_path, fixtures / FIXTURE, old, new)
    with pytest.raises(SourceFormatError) as info:
        ec.parse_timeline_file(path)
    assert (info.value.line, info.value.column) == (line, column)


def test_unknown_item_is_named(fixtures: Path, tmp_path: Path) -> None:
    path = _variant(tmp_path, fixtures / FIXTURE, "gallium; germanium", "gallium; germanum")
    with pytest.raises(SourceFormatError) as info:
        ec.parse_timeline_file(path)
    assert (info.value.line, info.value.column, info.value.value) == (2, "materials", "germanum")


@pytest.mark.realdata
def test_real_export_controls(data_dir: Path) -> None:
    table = ec.parse(data_dir)["export_controls"]
    assert table.num_rows == 17
    rows = {r["id"]: r for r in table.to_pylist()}
    gage = rows["CN-2023-GaGe"]
    assert gage["effective"] == dt.date(2023, 8, 1)
    assert {"gallium", "germanium"} <= set(gage["materials"])
    assert rows["CD-2025-CO"]["country"] == "COD"
    assert rows["ID-2020-NI"]["materials"] == ["nickel"]
    assert rows["ZW-2026-RAW"]["materials"] == ["lithium"]
    assert rows["CN-2024-US"]["ended"] == dt.date(2025, 11, 9)
    assert rows["CN-2025-SUPERHARD"]["materials"] == []
    assert len(rows["CN-2025-MHREE"]["materials"]) == 7
    assert rows["CN-2025-RE-EXTRA"]["effective"] == dt.date(2025, 12, 1)
    assert {r["country"] for r in rows.values()} == {"CHN", "COD", "IDN", "ZWE"}
