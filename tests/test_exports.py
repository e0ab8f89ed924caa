"""CSV and Excel exports neutralise cells a spreadsheet would run as formulas."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from grondstof.exports import safe_cell, to_csv, to_xlsx
from grondstof.result import Field, Result


def _result() -> Result:
    fields = [Field("name", "Name"), Field("value", "Value", "money"), Field("share", "Share", "share")]
    rows = [
        {"name": '=HYPERLINK("http://x")', "value": -5.0, "share": 0.25},
        {"name": "@SUM(A1)", "value": 3.0, "share": None},
        {"name": "+cmd", "value": 1.0, "share": 0.5},
        {"name": "-2+3", "value": 2.0, "share": 0.1},
        {"name": "Nederland", "value": 4.0, "share": 0.1},
    ]
    return Result(
        "t", fields, rows, {"sources": [{"title": "S", "version": "v1", "licence": "CC"}], "notes": ["n"]}
    )


def test_safe_cell() -> None:
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("Nederland") == "Nederland"
    assert safe_cell(-5.0) == -5.0  # numbers stay numbers


def test_csv_neutralises_text_only() -> None:
    text = to_csv(_result())
    assert "'=HYPERLINK" in text and "'@SUM" in text and "'+cmd" in text and "'-2+3" in text
    assert ",-5.0," in text  # a negative number is data, not a formula


def test_xlsx_has_data_and_sources_sheets() -> None:
    book = load_workbook(io.BytesIO(to_xlsx([("data", _result())], title="T")))
    assert book.sheetnames == ["data", "sources"]
    sheet = book["data"]
    assert sheet["A2"].value == '\'=HYPERLINK("http://x")'
    assert sheet["B2"].value == -5.0 and sheet["C2"].number_format == "0.0%"
    values = [c.value for row in book["sources"].iter_rows() for c in row if c.value]
    assert "S" in values and "n" in values
