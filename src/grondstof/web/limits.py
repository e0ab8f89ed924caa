"""The web server's resource limits, enforced in one place for the API, downloads, pages and reports.

Each analysis declares its limits once in the registry (:class:`grondstof.analyses.WebLimits`); every web
skin runs analyses through the runner (:mod:`grondstof.web.runner`), which calls :func:`check` before any
work. Limits that are not about one analysis live here too: rows per API page, report requests and the
heavy-request pool (:mod:`grondstof.web.heavy`). A request over a limit gets 413 (too large) or 429 (too
many at once, with ``Retry-After``) and a problem+json body naming the limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from grondstof.analyses import ANALYSES, Analysis
from grondstof.config import env_float
from grondstof.errors import LimitError

__all__ = ["MAX_PAGE_SIZE", "REQUEST_SECONDS", "check", "check_page_size", "described"]

MAX_PAGE_SIZE = 5000
"""Rows per page of an API answer."""
REQUEST_SECONDS = env_float("GRONDSTOF_REQUEST_SECONDS", 30.0)
"""Time limit of a request that is not heavy (then 503; its engine query is interrupted)."""


def check(entry: Analysis, arguments: Mapping[str, Any]) -> None:
    """Refuse validated ``arguments`` of ``entry`` that exceed its declared web limits (413)."""
    limits = entry.web_limits
    if limits is None:
        return
    for name, most in limits.maximum:
        value = arguments.get(name)
        if value is not None and value > most:
            raise LimitError(name, value, most, 413, "larger runs: use the command line or the library")
    for name, most_items in limits.items:
        value = arguments.get(name)
        if isinstance(value, str) and _items(value) > most_items:
            raise LimitError(
                name, value, f"{most_items} items", 413, "ask for fewer at a time, or use the command line"
            )
    if limits.cells is not None:
        materials_name, importers_name, years_name = limits.cells_of
        cells = (
            _materials(arguments.get(materials_name))
            * max(1, _items(arguments.get(importers_name)))
            * _years(arguments.get(years_name))
        )
        if cells > limits.cells:
            raise LimitError(
                f"{materials_name} × {importers_name} × {years_name}",
                cells,
                limits.cells,
                413,
                "materials × importers × years in one request; narrow the years or the materials, or use "
                "the command line",
            )


def check_page_size(page_size: int) -> None:
    """Refuse more than :data:`MAX_PAGE_SIZE` rows per API page (413)."""
    if page_size > MAX_PAGE_SIZE:
        raise LimitError("page_size", page_size, MAX_PAGE_SIZE, 413, "rows per page; ask for the next page")


def described() -> dict[str, list[str]]:
    """Every analysis' web limits in words, by analysis name (for the README and tests)."""
    return {name: e.web_limits.describe() for name, e in ANALYSES.items() if e.web_limits is not None}


def _items(value: Any) -> int:
    if value is None or value == "":
        return 0
    return len([part for part in str(value).split(",") if part.strip()])


def _materials(value: Any) -> int:
    """How many materials a parameter names (``all``, ``crm``, ``strategic`` counted through the registry)."""
    if value is None or value == "":
        return 1
    from grondstof.errors import InputError
    from grondstof.registry.materials import materials

    try:
        return len(materials().resolve_many(str(value)))
    except InputError:
        return 1  # the analysis itself will say what is wrong with the name


def _years(value: Any) -> int:
    """How many years a ``years`` parameter spans (one when not given: the latest year)."""
    from grondstof.errors import InputError
    from grondstof.indicators._common import parse_years

    try:
        span = parse_years(value)
    except InputError:
        return 1
    return 1 if span is None else span[1] - span[0] + 1
