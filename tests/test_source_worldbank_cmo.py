"""World Bank Pink Sheet: the monthly price sheet of a tiny workbook written here with openpyxl."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from grondstof.errors import SourceFormatError
from grondstof.registry.source_maps import worldbank_series
from grondstof.schema import TABLES
from grondstof.sources import worldbank_cmo

# Every series the registry maps must be in the sheet; the miniature gives them in the official layout
# with a few invented months, plus series that are not stored (crude oil, DAP).
SERIES = ["Crude oil, average", "DAP", *worldbank_series()]
UNITS = {
    "Crude oil, average": "($/bbl)",
    "Gold": "($/troy oz)",
    "Platinum": "($/troy oz)",
    "Silver": "($/troy oz)",
    "Iron ore, cfr spot": "($/dmtu)",
    "Rubber, TSR20": "($/kg)",
    "Rubber, RSS3": "($/kg)",
}
STARRED = {"Potassium chloride", "Coal, South African", "Rubber, TSR20"}


def write_cmo(
    path: Path, months: list[tuple[str, dict[str, Any]]], *, names: list[str] | None = None
) -> Path:
    """Write a workbook in the Pink Sheet layout: 4 title rows, names, units, then one row per month."""
    import openpyxl

    names = names or SERIES
    book = openpyxl.Workbook()
    book.active.title = "AFOSHEET"
    sheet = book.create_sheet("Monthly Prices")
    sheet.append(["World Bank Commodity Price Data (The Pink Sheet)"])
    sheet.append(["monthly prices in nominal US dollars, 1960 to present"])
    sheet.append(["(monthly series are available only in nominal US dollars)"])
    sheet.append(["Updated on June 02, 2026"])
    sheet.append([None, *[f"{n} **" if n in STARRED else n for n in names], None, None])
    sheet.append([None, *[UNITS.get(n, "($/mt)") for n in names]])
    for label, values in months:
        sheet.append([label, *[values.get(n, "…") for n in names]])
    book.save(path)
    return path


MONTHS = [
    ("2022M11", {"Nickel": 25610.5, "Aluminum": 2352.7, "Crude oil, average": 87.4, "Gold": 1725.1}),
    ("2022M12", {"Nickel": 28166.7, "Aluminum": 2397.9, "Potassium chloride": 562.5, "Copper": "..."}),
    ("2023M01", {"Nickel": 28266.3, "Aluminum": 2602.8, "Iron ore, cfr spot": 120.9, "Copper": 8999}),
]


def test_fixture(tmp_path: Path) -> None:
    prices = worldbank_cmo.parse_cmo_file(write_cmo(tmp_path / "cmo.xlsx", MONTHS))
    assert prices.schema == TABLES["prices"]
    rows = {(r["series"], r["period"]): r for r in prices.to_pylist()}
    nickel = rows[("Nickel", date(2022, 12, 1))]
    assert (nickel["value"], nickel["unit"], nickel["currency"], nickel["frequency"]) == (
        28166.7,
        "$/mt",
        "USD",
        "monthly",
    )
    assert nickel["material"] == "nickel"
    # The footnote stars are dropped from the name; the unit is the sheet's.
    assert rows[("Potassium chloride", date(2022, 12, 1))]["material"] == "potash"
    assert rows[("Iron ore, cfr spot", date(2023, 1, 1))]["unit"] == "$/dmtu"
    assert rows[("Gold", date(2022, 11, 1))]["unit"] == "$/troy oz"
    # Missing months ("…", "...") give no row; unmapped series (crude oil) are not stored.
    assert ("Copper", date(2022, 12, 1)) not in rows and ("Copper", date(2023, 1, 1)) in rows
    assert not [k for k in rows if k[0] == "Crude oil, average"]
    assert len(rows) == 3 + 3 + 1 + 1 + 1 + 1


def test_parse_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "worldbank_cmo"
    folder.mkdir()
    write_cmo(folder / "CMO-Historical-Data-Monthly.xlsx", MONTHS)
    assert worldbank_cmo.parse(tmp_path)["prices"].num_rows == 10
    assert worldbank_cmo.parse(tmp_path / "nothing")["prices"].num_rows == 0


@pytest.mark.parametrize(
    ("months", "line", "column"),
    [
        ([*MONTHS, ("2023M03", {"Nickel": 1.0})], 10, "A"),  # a month skipped
        ([*MONTHS, ("2023-02", {"Nickel": 1.0})], 10, "A"),  # not a month label
        ([*MONTHS, ("2023M02", {"Nickel": "n/a"})], 10, "Nickel"),  # neither a number nor …
        ([*MONTHS, ("2023M02", {"Tin": -5.0})], 10, "Tin"),  # a negative price
    ],
)
def test_malformed(tmp_path: Path, months: list[tuple[str, dict[str, Any]]], line: int, column: str) -> None:
    with pytest.raises(SourceFormatError) as info:
        worldbank_cmo.parse_cmo_file(write_cmo(tmp_path / "cmo.xlsx", months))
    assert (info.value.line, info.value.column) == (line, column), str(info.value)


def test_missing_series_and_sheet(tmp_path: Path) -> None:
    names = [n for n in SERIES if n != "Nickel"]
    with pytest.raises(SourceFormatError) as info:
        worldbank_cmo.parse_cmo_file(write_cmo(tmp_path / "cmo.xlsx", MONTHS, names=names))
    assert info.value.line == 5 and "Nickel" in str(info.value)
    not_a_book = tmp_path / "broken.xlsx"
    not_a_book.write_text("year,price\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="xlsx workbook"):
        worldbank_cmo.parse_cmo_file(not_a_book)


@pytest.mark.realdata
def test_real_file(data_dir: Path) -> None:
    prices = worldbank_cmo.parse(data_dir)["prices"]
    rows = {(r["series"], r["period"]): r["value"] for r in prices.to_pylist()}
    months = sorted({p for _, p in rows})
    assert (months[0], months[-1]) == (date(1960, 1, 1), date(2026, 5, 1))
    assert rows[("Nickel", date(2026, 5, 1))] == 18805.77
    assert rows[("Aluminum", date(1960, 1, 1))] == 511.47
    assert rows[("Potassium chloride", date(2026, 5, 1))] == 405
    # 12 metal and mineral series x 797 months, and the coal and rubber series over their own spans.
    assert sum(1 for s, _ in rows if s == "Copper") == 797
