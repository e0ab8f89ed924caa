"""Text-to-value parsing of user input: numeric codes, years and year ranges, numbers, dates, output paths.

Every place that reads a number, a year, a numeric code or a date from text a user typed (CLI options,
query parameters, form fields, scenario files) goes through this module, so all of them accept and refuse
the same things and refuse them the same way: with :class:`~grondstof.errors.InputError` naming the
parameter and what was expected, never another exception.

Digits are ASCII ``0``–``9`` only. Python's ``str.isdigit``, ``int()``, ``float()`` and the regex ``\\d``
also accept other Unicode digits: superscripts (``¹``, which ``isdigit`` accepts and ``int`` then refuses,
the cause of issue 10), Arabic-Indic (``٣``) and full-width (``３``) digits, which ``int`` silently reads
as 3. A code or year that is not written in ASCII digits is refused here rather than guessed at: a figure's
label must say exactly what was asked for, and an analyst who pasted ``٢٠٢٢`` should see that it was not
read as a year rather than get a table that quietly says 2022.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import os
import re
from pathlib import Path

from grondstof.errors import InputError

EXPECTED_YEAR = "a year like 2022 (four digits 0-9)"
EXPECTED_YEARS = "a year like 2022 or a range like 2015-2024 (digits 0-9)"
EXPECTED_DATE = "a date as YYYY-MM-DD, e.g. 2024-01-01"
EXPECTED_NUMBER = "a number like 90 or 0.5 (digits 0-9, a decimal point)"

# re.ASCII makes \d mean [0-9] only; without it \d matches every Unicode decimal digit.
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_YEAR = re.compile(r"[0-9]{4}", re.ASCII)
# Separators people use for a range: hyphen, en dash, em dash, ".." and ":".
_YEAR_RANGE = re.compile(r"([0-9]{4})\s*(?:-|–|—|\.\.|:)\s*([0-9]{4})", re.ASCII)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
# Longer text is never a number, a year or a date; refusing it early keeps regexes and int() cheap.
_MAX_TEXT = 64


def is_ascii_digits(text: object) -> bool:
    """True when ``text`` is a non-empty string of ASCII digits ``0``–``9`` only (``"004"``, not ``"٣"``)."""
    return isinstance(text, str) and _DIGITS.fullmatch(text) is not None


def _shown(value: object) -> object:
    """The value as it goes into an error message: long text cut so the message stays one readable line."""
    if isinstance(value, str) and len(value) > 80:
        return value[:77] + "..."
    return value


def _plain_int(value: object) -> int | None:
    """An int from an int-like non-bool scalar (Python or numpy integer), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    return None


def code_or_none(value: object) -> int | None:
    """Read a numeric code leniently, for lookups: an int, an integral float or ASCII-digit text.

    ``251``, ``251.0``, ``"251"``, ``" 004 "`` and ``"490.0"`` (a float column written as text) give the
    int; anything else (``"¹"``, ``"٣"``, ``"12a"``, ``2.5``, NaN, bools) gives None, so a registry lookup
    answers "unknown" instead of raising.
    """
    number = _plain_int(value)
    if number is not None:
        return number
    if isinstance(value, bool):
        return None
    if isinstance(value, float) or (isinstance(value, numbers.Real) and not isinstance(value, int)):
        as_float = float(value)
        return int(as_float) if math.isfinite(as_float) and as_float.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        if len(text) > _MAX_TEXT:
            return None
        if is_ascii_digits(text):
            return int(text)
        if _NUMBER.fullmatch(text):
            as_float = float(text)
            return int(as_float) if math.isfinite(as_float) and as_float.is_integer() else None
        return None
    # Other int-like scalars (e.g. an Arrow or array element) that declare themselves through __index__.
    index = getattr(value, "__index__", None)
    if callable(index):
        try:
            result = index()
        except (TypeError, ValueError):
            return None
        return result if isinstance(result, int) and not isinstance(result, bool) else None
    return None


def parse_int(
    value: object,
    parameter: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    expected: str | None = None,
) -> int:
    """Read a whole number (an int, an integral float, or text such as ``"90"``, ``"+3"``, ``"1e3"``).

    Raises InputError naming ``parameter`` when ``value`` is not a whole number in ASCII digits or lies
    outside ``minimum``–``maximum`` (inclusive).
    """
    bounds = _bounds_text(minimum, maximum)
    wanted = expected or ("a whole number" + bounds)
    number = _plain_int(value)
    if number is None:
        if isinstance(value, str) and len(value) <= _MAX_TEXT and _INTEGER.fullmatch(value.strip()):
            number = int(value.strip())
        else:
            try:
                as_float = parse_number(value, parameter, expected=wanted)
            except InputError:
                raise InputError(parameter, _shown(value), wanted) from None
            if not as_float.is_integer():
                raise InputError(parameter, _shown(value), wanted)
            number = int(as_float)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise InputError(parameter, _shown(value), wanted)
    return number


def parse_number(
    value: object,
    parameter: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    expected: str | None = None,
) -> float:
    """Read a finite number (an int, a float, or text such as ``"90"``, ``"0.5"``, ``"-1.5e3"``).

    Only ASCII digits, one decimal point and an optional exponent are read: ``"1,5"``, ``"1_000"``,
    ``"٣"``, ``"nan"`` and ``"inf"`` are refused, as are values outside ``minimum``–``maximum``
    (inclusive). Raises InputError naming ``parameter``.
    """
    wanted = expected or (EXPECTED_NUMBER + _bounds_text(minimum, maximum))
    if isinstance(value, bool):
        raise InputError(parameter, value, wanted)
    if isinstance(value, numbers.Real):
        number = float(value)
    elif isinstance(value, str) and len(value) <= _MAX_TEXT and _NUMBER.fullmatch(value.strip()):
        number = float(value.strip())
    else:
        raise InputError(parameter, _shown(value), wanted)
    if not math.isfinite(number):
        raise InputError(parameter, _shown(value), wanted)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise InputError(parameter, _shown(value), wanted)
    return number


def _bounds_text(minimum: float | None, maximum: float | None) -> str:
    if minimum is not None and maximum is not None:
        return f" from {minimum:g} to {maximum:g}"
    if minimum is not None:
        return f" of at least {minimum:g}"
    if maximum is not None:
        return f" of at most {maximum:g}"
    return ""


def parse_year(value: object, parameter: str = "year") -> int:
    """Read one year: an int or four ASCII digits (``2022``, ``"2022"``). Raises InputError otherwise."""
    number = _plain_int(value)
    if number is not None:
        return number
    if isinstance(value, str) and _YEAR.fullmatch(value.strip()):
        return int(value.strip())
    raise InputError(parameter, _shown(value), EXPECTED_YEAR)


def parse_years(value: object, parameter: str = "years") -> tuple[int, int] | None:
    """Turn ``2022``, ``"2022"``, ``"2015-2024"``, ``"2015–2024"`` or ``(2015, 2024)`` into (first, last).

    The range is inclusive. None or ``""`` means "not given" and gives None. Anything else, including
    digits other than ASCII 0-9 and a first year after the last, raises InputError naming ``parameter``.
    """
    if value is None or value == "":
        return None
    if isinstance(value, (tuple, list)):
        ints = [_plain_int(item) for item in value]
        if len(ints) != 2 or ints[0] is None or ints[1] is None:
            raise InputError(parameter, _shown(value), EXPECTED_YEARS)
        lo, hi = ints[0], ints[1]
    elif _plain_int(value) is not None:
        lo = hi = _plain_int(value)  # type: ignore[assignment]
    elif isinstance(value, str) and len(value) <= _MAX_TEXT:
        text = value.strip()
        if _YEAR.fullmatch(text):
            lo = hi = int(text)
        elif match := _YEAR_RANGE.fullmatch(text):
            lo, hi = int(match.group(1)), int(match.group(2))
        else:
            raise InputError(parameter, value, EXPECTED_YEARS)
    else:
        raise InputError(parameter, _shown(value), EXPECTED_YEARS)
    if lo > hi:
        raise InputError(parameter, _shown(value), "a range whose first year is not after its last year")
    return (lo, hi)


def parse_date(value: object, parameter: str = "date", *, default: dt.date | None = None) -> dt.date | None:
    """Read a calendar date: a ``date``/``datetime`` or ``YYYY-MM-DD`` text in ASCII digits.

    None or ``""`` gives ``default``. A malformed or impossible date (``2024-02-30``) raises InputError
    naming ``parameter``.
    """
    if value is None or value == "":
        return default
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(parameter, _shown(value), EXPECTED_DATE)


def user_path(path: str | os.PathLike[str], parameter: str) -> Path:
    """A path a user typed, with ``~`` and ``~user`` expanded; an unknown user raises InputError."""
    try:
        return Path(path).expanduser()
    except RuntimeError:  # "~nosuchuser/...": pathlib cannot find that home directory
        raise InputError(parameter, _shown(str(path)), "a path whose ~user is a known user") from None
    except ValueError as exc:  # a NUL byte in "~user"
        raise InputError(parameter, _shown(str(path)), f"a valid path ({exc})") from None


def writable_file(path: str | Path, parameter: str = "--output") -> Path:
    """Check that ``path`` can be written as a file: its directory exists and it is not itself a directory.

    Checked before the work, so a long report is not rendered only to fail on a typo in ``-o``. Raises
    InputError naming ``parameter``.
    """
    target = user_path(path, parameter)
    try:
        is_dir = target.is_dir()
        folder_exists = target.parent.is_dir()
    except (OSError, ValueError) as exc:  # a NUL byte, a name longer than the file system allows
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InputError(parameter, _shown(str(path)), f"a valid file path ({reason})") from None
    if is_dir:
        raise InputError(parameter, str(target), "a file name, not a directory (e.g. DIR/report.html)")
    if not folder_exists:
        raise InputError(
            parameter, str(target), f"a file in an existing directory ({str(target.parent)!r} does not exist)"
        )
    return target
