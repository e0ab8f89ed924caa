"""Printed tables: columns are hidden, never mangled, when a table is wider than the terminal."""

from __future__ import annotations

import io

from rich.console import Console

from grondstof.render import column_widths, fit_columns, print_result
from grondstof.result import Field, Result

FIELDS = [
    Field("material", "Material"),
    Field("strategic", "CRMA strategic", "bool"),
    Field("import_value", "Import value", "money"),
    Field("currency", "Currency"),
    Field("top_share", "Top partner share", "share"),
    Field("world_hhi", "World production HHI", "hhi"),
    Field("supply_source", "Production source"),
]
ROWS = [
    {
        "material": "rare earth elements (heavy)",
        "strategic": True,
        "import_value": 1_633_884_337.0,
        "currency": "USD",
        "top_share": 0.346,
        "world_hhi": 0.372,
        "supply_source": "wmd",
    },
    {
        "material": "gallium",
        "strategic": False,
        "import_value": 8_680_000.0,
        "currency": "EUR",
        "top_share": 0.9,
        "world_hhi": 0.97,
        "supply_source": "eu_crm_2023",
    },
]


def printed(width: int) -> str:
    out = io.StringIO()
    print_result(Result("Overview", FIELDS, ROWS), Console(file=out, width=width, color_system=None))
    return out.getvalue()


def test_a_wide_terminal_shows_every_column_and_says_nothing_is_hidden() -> None:
    text = printed(200)
    assert "Production source" in text and "eu_crm_2023" in text
    assert "Hidden" not in text


def test_a_narrow_terminal_drops_flags_and_provenance_first_and_says_so() -> None:
    text = printed(80)
    assert "1,633,884,337" in text  # numbers are never folded over two lines
    assert "CRMA strategic" in text.split("Hidden to fit the terminal:")[1]
    assert "World production HHI" not in text.split("Hidden")[0]
    assert "USD" in text  # the currency stays as long as the values it belongs to


def test_no_line_is_wider_than_the_terminal() -> None:
    for width in (60, 80, 100, 140):
        assert max(len(line) for line in printed(width).splitlines()) <= width


def test_the_first_column_is_kept_however_narrow() -> None:
    cells = {f.name: ["x" * 12] for f in FIELDS}
    kept, hidden = fit_columns(FIELDS, cells, 10)
    assert kept[0].name == "material" and len(kept) == 2
    assert len(hidden) == len(FIELDS) - 2


def test_spare_width_goes_to_columns_until_their_headers_fit_on_one_line() -> None:
    fields = [Field("a", "Short"), Field("b", "A much longer heading", "number")]
    cells = {"a": ["x"], "b": ["1"]}
    assert column_widths(fields, cells, 200) == [5, len("A much longer heading")]
    assert column_widths(fields, cells, 19) == [5, len("heading")]  # 5 + 7 + 3 per column + 1 border
    assert column_widths(fields, cells, 20) == [5, len("heading") + 1]


# Issue 9, item 12: displayed figures are rounded to what the inputs support; JSON/CSV keep full precision.
def test_numbers_show_three_significant_figures_and_dutch_separators() -> None:
    from grondstof.render import format_value

    assert format_value(354.502, "number") == "355"
    assert format_value(0.0604158, "number") == "0.0604"
    assert format_value(0.0604158, "number", "nl") == "0,0604"
    assert format_value(13_853_607.0, "number", "nl") == "13.900.000"
    assert format_value(1_633_884_337.0, "money", "nl") == "1.633.884.337"
    assert format_value(0.1234, "share", "nl") == "12,3%"
    assert format_value(True, "bool", "nl") == "ja"
