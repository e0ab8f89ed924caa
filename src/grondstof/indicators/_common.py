"""Parameter parsing and small helpers shared by the analysis functions."""

from __future__ import annotations

from typing import Any

from grondstof.errors import InputError
from grondstof.parsing import parse_years as _parse_years
from grondstof.registry.countries import Country, Group, countries

YearsArg = int | str | tuple[int, int] | list[int] | None


def parse_years(years: YearsArg, parameter: str = "years") -> tuple[int, int] | None:
    """Turn ``2022``, ``"2022"``, ``"2015-2024"`` or ``(2015, 2024)`` into an inclusive (first, last) range.

    None means "not given". Raises InputError naming ``parameter`` for anything else. Kept here for the
    analyses that import it; the parsing itself is :func:`grondstof.parsing.parse_years`.
    """
    return _parse_years(years, parameter)


def check_years(
    wanted: tuple[int, int] | None,
    available: tuple[int, int] | None,
    what: str,
    parameter: str = "years",
) -> tuple[int, int]:
    """Validate a requested range against the years a source covers; default to the latest year.

    Raises InputError naming the parameter, the covered range and the source (``what``).
    """
    if available is None:
        raise InputError(parameter, wanted, f"years with data, but {what} has none")
    lo, hi = available
    if wanted is None:
        return (hi, hi)
    if wanted[0] < lo or wanted[1] > hi:
        shown = str(wanted[0]) if wanted[0] == wanted[1] else f"{wanted[0]}-{wanted[1]}"
        # Say which end is outside, so the message never reads as if the range itself were fine.
        outside = []
        if wanted[0] < lo:
            outside.append(f"{wanted[0]} is before the first year, {lo}")
        if wanted[1] > hi:
            outside.append(f"{wanted[1]} is after the last year, {hi}")
        raise InputError(
            parameter,
            shown,
            f"years within {lo}–{hi} ({what}; {' and '.join(outside)})",
            suggestions=[str(hi), f"{max(lo, min(wanted[0], hi))}-{hi}", f"{lo}-{hi}"],
        )
    return wanted


def importer_label(importer: Country | Group, lang: str = "en") -> str:
    """Display name of an importer (a country or the EU-27 group)."""
    return importer.name(lang)


def country_name(iso3: str | None, lang: str = "en") -> str | None:
    """Name of a country by ISO3 in English or Dutch; the code itself if unknown; None for None."""
    if iso3 is None:
        return None
    found = countries().from_iso3(iso3)
    return found.name(lang) if found else iso3


def fetch(expr: Any) -> list[dict[str, Any]]:
    """Execute a (small) Ibis expression and return its rows as dicts."""
    from grondstof.engine import to_rows

    return to_rows(expr)


def year_range_text(years: tuple[int, int]) -> str:
    """``(2022, 2022)`` -> "2022"; ``(2015, 2024)`` -> "2015–2024"."""
    return str(years[0]) if years[0] == years[1] else f"{years[0]}–{years[1]}"
