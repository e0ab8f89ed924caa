"""Every text-to-value parser, fed arbitrary Unicode: a valid value or InputError, never another exception.

Issue 10: ``"¹".isdigit()`` is True and ``int("¹")`` raises ValueError, so a superscript digit in a country
parameter crashed the API, pages, downloads, reports and the CLI. ``int()`` also reads Arabic-Indic
``٣`` and full-width ``３`` as 3, so ``٢٠٢٢`` was silently taken as the year 2022. The fix is one parser
(:mod:`grondstof.parsing`, ASCII digits only) used everywhere; these properties hold it to that.

Runs with the Hypothesis profile from conftest.py: fixed inputs in ``make test``, random and many more
in ``make fuzz``.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fuzzing import examples, tried
from grondstof import parsing
from grondstof.errors import InputError, UnknownCountryError
from grondstof.registry.countries import Country, Group, countries
from grondstof.registry.materials import Material, materials

# Full Unicode text, plus text built from the characters that matter here (ASCII and other digits,
# range separators, signs, decimal marks) so that near-valid input is drawn often too.
NEAR = "0123456789 -–—.:,+eE_¹²³⁰٣٢٠３２０६\t"
TEXT = st.one_of(st.text(), st.text(alphabet=NEAR, max_size=14))
# Decimal digits that are not ASCII: Arabic-Indic, Devanagari, full-width, mathematical bold, and the
# superscripts/subscripts that isdigit() accepts but int() refuses.
FOREIGN_DIGITS = "٠١٢٣٤٥٦٧٨٩०१२३४५६७८९０１２３４５６７８９𝟎𝟏𝟐𝟑⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂"
RED_TEAM = ["¹", "٣", "３", "²⁰²²", "٢٠٢٢", "２０２２", "２０１５-２０２４", "1¹", "NL¹", "٣.٥", "१९९५"]


def ascii_or_space(text: str) -> bool:
    """True when every character is ASCII or white space (which parsers strip)."""
    return all(char.isascii() or char.isspace() for char in text)


def outcome(parse: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a parser: return its value, or None when it refused with InputError (anything else fails)."""
    tried()
    try:
        return parse(*args, **kwargs)
    except InputError as exc:
        # The refusal names a parameter and says what was expected (the CLI prints it as one line).
        assert exc.parameter and exc.expected
        assert "\n" not in exc.expected
        return None


# ---- grondstof.parsing --------------------------------------------------------------------------------


@settings(max_examples=examples(300))
@given(TEXT)
@example("¹")
@example("٣")
@example("３")
@example("1e400")
def test_code_or_none_never_raises_and_reads_only_ascii_digits(text: str) -> None:
    tried()
    code = parsing.code_or_none(text)
    assert code is None or isinstance(code, int)
    if code is not None:
        assert text.strip().isascii()


@settings(max_examples=examples(300))
@given(TEXT)
def test_parse_int_gives_an_int_or_input_error(text: str) -> None:
    value = outcome(parsing.parse_int, text, "draws", minimum=1)
    assert value is None or (isinstance(value, int) and value >= 1 and text.strip().isascii())


@settings(max_examples=examples(300))
@given(TEXT)
@example("nan")
@example("inf")
@example("1e400")
@example("1_000")
def test_parse_number_gives_a_finite_float_or_input_error(text: str) -> None:
    value = outcome(parsing.parse_number, text, "budget", minimum=0)
    assert value is None or (math.isfinite(value) and value >= 0 and text.strip().isascii())


@settings(max_examples=examples(300))
@given(TEXT)
def test_parse_year_gives_a_year_or_input_error(text: str) -> None:
    value = outcome(parsing.parse_year, text, "year")
    assert value is None or (0 <= value <= 9999 and text.strip().isascii())


@settings(max_examples=examples(300))
@given(TEXT)
@example("2015–2024")
@example("2024-2015")
@example("２０１５-２０２４")
def test_parse_years_gives_an_ordered_range_or_input_error(text: str) -> None:
    value = outcome(parsing.parse_years, text, "years")
    if value is not None:
        first, last = value
        assert 0 <= first <= last <= 9999
        assert text.strip().isascii() or "–" in text or "—" in text


@settings(max_examples=examples(300))
@given(TEXT)
@example("2024-02-30")
@example("２０２４-０１-０１")
def test_parse_date_gives_a_date_or_input_error(text: str) -> None:
    value = outcome(parsing.parse_date, text, "date")
    assert value is None or isinstance(value, dt.date)


@settings(max_examples=examples(100))
@given(TEXT)
@example("\x00")
@example("x" * 5000)
@example("~grondstof-no-such-user/report.html")  # found by make fuzz: pathlib raised RuntimeError
@example("~\x00")  # found by make fuzz: expanduser raised ValueError
@example("\n/0")  # found by make fuzz: the folder's name put a line break into the message
def test_writable_file_gives_a_path_or_input_error(text: str) -> None:
    value = outcome(parsing.writable_file, text, "--output")
    assert value is None or isinstance(value, Path)


@pytest.mark.parametrize("text", RED_TEAM)
@pytest.mark.parametrize(
    "parse",
    [parsing.parse_int, parsing.parse_number, parsing.parse_year, parsing.parse_years, parsing.parse_date],
)
def test_non_ascii_digits_are_refused_by_name(parse: Any, text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse(text, "the_parameter")
    assert caught.value.parameter == "the_parameter"
    assert caught.value.value == text
    assert parsing.code_or_none(text) is None


@settings(max_examples=examples(100))
@given(st.text(alphabet=FOREIGN_DIGITS + "0123456789-", min_size=1, max_size=9))
def test_any_foreign_digit_makes_numbers_and_years_refused(text: str) -> None:
    tried()
    if text.isascii():
        return
    for parse in (parsing.parse_int, parsing.parse_number, parsing.parse_year, parsing.parse_years):
        with pytest.raises(InputError):
            parse(text, "x")
    assert parsing.code_or_none(text) is None


@settings(max_examples=examples(100))
@given(
    st.integers(1000, 9999),
    st.integers(0, 50),
    st.sampled_from(["-", "–", "—", "..", ":", " - ", " – "]),
)
def test_year_ranges_round_trip(first: int, span: int, separator: str) -> None:
    tried()
    last = min(first + span, 9999)
    assert parsing.parse_years(f"{first}{separator}{last}") == (first, last)
    assert parsing.parse_years(str(first)) == (first, first)
    assert parsing.parse_years((first, last)) == (first, last)
    if first < last:
        with pytest.raises(InputError, match="first year is not after its last"):
            parsing.parse_years(f"{last}-{first}")


@settings(max_examples=examples(100))
@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(-(10**12), 10**12))
def test_numbers_round_trip(number: float, whole: int) -> None:
    tried()
    assert parsing.parse_number(repr(number), "x") == number
    assert parsing.parse_int(str(whole), "x") == whole
    assert parsing.parse_int(float(whole), "x") == whole
    assert parsing.code_or_none(f" {abs(whole):04d} ") == abs(whole)


@settings(max_examples=examples(100))
@given(st.dates())
def test_dates_round_trip(day: dt.date) -> None:
    tried()
    assert parsing.parse_date(day.isoformat(), "date") == day


def test_parser_edges() -> None:
    assert parsing.code_or_none("490.0") == 490  # a float column written as text (BACI)
    assert parsing.code_or_none(251.0) == 251
    assert parsing.code_or_none(True) is None
    assert parsing.code_or_none(float("nan")) is None
    assert parsing.code_or_none("1e400") is None
    assert parsing.parse_years(None) is None and parsing.parse_years("") is None
    assert parsing.parse_years(" 2022 ") == (2022, 2022)
    assert parsing.parse_date("", default=dt.date(2020, 1, 1)) == dt.date(2020, 1, 1)
    with pytest.raises(InputError, match="from 1 to 10"):
        parsing.parse_int("11", "n", minimum=1, maximum=10)
    with pytest.raises(InputError, match="decimal point"):
        parsing.parse_number("1,5", "share")  # a Dutch decimal comma is refused, not read as 15
    with pytest.raises(InputError):
        parsing.parse_int("2.5", "draws")
    with pytest.raises(InputError):
        parsing.parse_years(True)
    with pytest.raises(InputError):
        parsing.parse_date("2024-02-30")


def test_writable_file_names_the_problem(tmp_path: Path) -> None:
    assert parsing.writable_file(tmp_path / "r.html") == tmp_path / "r.html"
    with pytest.raises(InputError, match="not a directory") as caught:
        parsing.writable_file(tmp_path, "--output")
    assert caught.value.parameter == "--output"
    with pytest.raises(InputError, match="does not exist"):
        parsing.writable_file(tmp_path / "missing" / "r.html")


# ---- the modules that used to parse for themselves ------------------------------------------------------


@settings(max_examples=examples(200))
@given(TEXT)
def test_common_parse_years_and_exposure_parse_date(text: str) -> None:
    from grondstof.indicators._common import parse_years
    from grondstof.indicators.exposure import parse_date

    assert outcome(parse_years, text, "years") == outcome(parsing.parse_years, text, "years")
    day = outcome(parse_date, text, "date")
    assert day is None or isinstance(day, dt.date)


@settings(max_examples=examples(200))
@given(TEXT)
@example("¹")
@example("٣")
@example("３")
@example("００４")
@example("EU27")
def test_country_resolution(text: str) -> None:
    registry = countries()
    found = outcome(registry.resolve, text, "country")
    assert found is None or isinstance(found, Country)
    importer = outcome(registry.resolve_importer, text, "partner")
    assert importer is None or isinstance(importer, (Country, Group))
    listed = outcome(registry.resolve_many, text, "countries")
    assert listed is None or all(isinstance(item, (Country, Group)) for item in listed)
    for lookup in (registry.from_numeric, registry.from_baci, registry.from_comtrade, registry.from_iso2):
        assert lookup(text) is None or isinstance(lookup(text), Country)
    assert registry.from_iso3(text) is None or isinstance(registry.from_iso3(text), Country)
    assert registry.lookup_name(text) is None or isinstance(registry.lookup_name(text), Country)


@pytest.mark.parametrize("text", RED_TEAM)
def test_non_ascii_digits_are_no_country(text: str) -> None:
    with pytest.raises(UnknownCountryError) as caught:
        countries().resolve_importer(text, "partner")
    assert caught.value.parameter == "partner"
    assert countries().from_numeric(text) is None
    assert countries().resolve("004").iso3 == "AFG"  # ASCII numeric codes still work


@settings(max_examples=examples(200))
@given(TEXT)
@example("¹")
def test_material_resolution(text: str) -> None:
    registry = materials()
    found = outcome(registry.resolve, text, "material")
    assert found is None or isinstance(found, Material)
    listed = outcome(registry.resolve_many, text, "material")
    assert listed is None or all(isinstance(item, Material) for item in listed)


@settings(max_examples=examples(200))
@given(TEXT)
@example("metr. t")
@example("kg")
@example("carats")
def test_mass_units(unit: str) -> None:
    from grondstof.scenarios.massbalance import to_tonnes

    tonnes = outcome(to_tonnes, 2.0, unit)
    assert tonnes is None or (math.isfinite(tonnes) and tonnes > 0)


@settings(max_examples=examples(200))
@given(TEXT)
@example("60,90,180")
@example("٣")
def test_stockpile_days_and_technology_overrides(text: str) -> None:
    from grondstof.scenarios.stockpile import _parse_days
    from grondstof.scenarios.technologies import _overrides

    days = outcome(_parse_days, text)
    assert days is None or all(0 < d <= 36_500 and math.isfinite(d) for d in days)
    assert days is None or ascii_or_space(text)
    values = outcome(_overrides, f"offshore_wind={text}", "capacity_factor", 0.0, 1.0, False)
    assert values is None or all(0 < v <= 1 for v in values.values())
    assert values is None or ascii_or_space(text)


@settings(max_examples=examples(200))
@given(TEXT)
@example("¹")
def test_monitor_since_and_limit(text: str) -> None:
    from grondstof.monitor.signals import _since

    year = outcome(_since, text)
    assert year is None or isinstance(year, int)


def _web_cases() -> list[tuple[str, str]]:
    from grondstof.analyses import ANALYSES
    from grondstof.parameters import public_name, web_of

    return [
        (name, public_name(field_name, field))
        for name, entry in ANALYSES.items()
        for field_name, field in entry.model().model_fields.items()
        if web_of(field).enabled
    ]


@settings(max_examples=examples(10))
@given(st.sampled_from(_web_cases()), TEXT)
def test_web_query_arguments(case: tuple[str, str], text: str) -> None:
    """Every analysis' parameter model, as downloads and pages use it: text becomes a valid value or an
    InputError naming the parameter (never another exception); numbers are finite and came from ASCII."""
    from grondstof.analyses import analysis

    name, param = case
    result = outcome(analysis(name).validate, {param: text}, web=True)
    if result is not None:
        for value in result.values():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                assert math.isfinite(value)


@settings(max_examples=examples(100))
@given(st.binary(max_size=200), st.sampled_from([".yaml", ".json"]))
@example(b"name: x\n\xff\n", ".yaml")
@example(b"\xef\xbb\xbf{}", ".json")
def test_scenario_and_config_files_of_any_bytes(content: bytes, suffix: str) -> None:
    """Scenario and monitor files: parsed, or refused with InputError naming the file (no UnicodeError)."""
    from grondstof.monitor.config import load_config
    from grondstof.scenarios._inputs import load_scenario, read_document
    from grondstof.scenarios.cutoff import CutoffSpec

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"scenario{suffix}"
        path.write_bytes(content)
        outcome(read_document, path)
        outcome(load_config, path)
        outcome(load_scenario, CutoffSpec, path)
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            with pytest.raises(InputError) as caught:
                read_document(path)
            assert str(path) in caught.value.parameter and "line" in caught.value.parameter
            assert caught.value.expected.startswith("UTF-8")


@settings(max_examples=examples(100))
@given(TEXT)
@example("٢٠٢٥-٢٠٣٥")
def test_transition_scenario_years(text: str) -> None:
    from grondstof.scenarios._inputs import validate
    from grondstof.scenarios.transition import TransitionScenario

    spec = outcome(
        validate, TransitionScenario, {"name": "t", "country": "NL", "years": text, "deployments": []}
    )
    assert spec is None or spec.years[0] <= spec.years[1]
