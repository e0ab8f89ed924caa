"""JSON output of a result: the same values as ``to_dict``, one row per line, NaN as null."""

from __future__ import annotations

import datetime
import json
import math

import numpy as np

from grondstof.result import Field, Result


def _result(rows: list[dict]) -> Result:
    fields = [Field("name", "Name"), Field("value", "Value", "money")]
    return Result("Tiel", fields, rows, {"notes": ["ë"], "limit": math.nan, "years": (2022, 2024)})


ROWS = [
    {"name": "Nederland", "value": 1.5, "when": datetime.date(2024, 1, 2), "by_year": {2023: 1.0}},
    {"name": "Chili", "value": math.nan, "more": [math.inf, np.float64(2.5), np.int64(3)], "set": {4}},
    {"name": 'quote " and\nline', "value": None},
]


def test_json_has_the_values_of_to_dict() -> None:
    result = _result(ROWS)
    assert json.loads(result.to_json()) == result.to_dict()
    assert json.loads(result.to_json(indent=None)) == result.to_dict()
    rows = json.loads(result.to_json())["rows"]
    assert rows[1]["value"] is None and rows[1]["more"] == [None, 2.5, 3]  # NaN and ±inf are null
    assert rows[0]["when"] == "2024-01-02" and rows[0]["by_year"] == {"2023": 1.0}


def test_compact_json_is_what_json_dumps_gives() -> None:
    result = _result(ROWS)
    assert result.to_json(indent=None) == json.dumps(result.to_dict(), ensure_ascii=False)


def test_indented_json_has_one_row_per_line() -> None:
    text = _result(ROWS).to_json()
    lines = text.splitlines()
    assert lines[0] == "{" and lines[1] == '  "meta": {' and lines[-1] == "}"
    start = lines.index('  "rows": [')
    rows = ["    " + json.dumps(row, ensure_ascii=False) for row in _result(ROWS).to_dict()["rows"]]
    assert lines[start + 1 : start + 4] == [rows[0] + ",", rows[1] + ",", rows[2]]
    assert lines[start + 4] == "  ]"
    assert "Nederland" in text and "\\u" not in text  # UTF-8 text, not escapes


def test_json_without_rows() -> None:
    text = _result([]).to_json()
    assert json.loads(text)["rows"] == [] and text.endswith('"rows": []\n}')
