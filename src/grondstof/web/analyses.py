"""The analyses the web can run by name, with the parameters each accepts (for downloads and pages).

The API routes declare their parameters explicitly (for the OpenAPI document); downloads and pages go
through this table so one URL scheme — ``/download/<analysis>.<csv|xlsx>?<the API's parameters>`` —
serves every table of the dashboard.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from grondstof.errors import InputError
from grondstof.result import Result


@dataclass(frozen=True)
class Analysis:
    """A library function reachable from the web, and its accepted parameters."""

    module: str
    function: str
    params: tuple[str, ...]
    rename: dict[str, str] = field(default_factory=dict)  # web name -> library keyword
    booleans: tuple[str, ...] = ()

    def load(self) -> Callable[..., Result]:
        """Import the library function."""
        return getattr(importlib.import_module(self.module), self.function)


ANALYSES: dict[str, Analysis] = {
    "supply": Analysis(
        "grondstof.indicators.supply", "supply", ("material", "years", "stage", "source", "by", "lang")
    ),
    "imports": Analysis(
        "grondstof.indicators.dependency",
        "imports",
        ("material", "country", "years", "source", "stage", "from", "by", "lang"),
        rename={"from": "share_from"},
    ),
    "partner": Analysis(
        "grondstof.indicators.partner",
        "partner_imports",
        ("country", "partner", "years", "source", "by", "include_fuels", "lang"),
        booleans=("include_fuels",),
    ),
    "compare": Analysis(
        "grondstof.indicators.dependency",
        "compare",
        ("material", "countries", "year", "source", "stage", "from", "lang"),
        rename={"from": "share_from", "countries": "countries_"},
    ),
    "overview": Analysis("grondstof.indicators.overview", "overview", ("country", "year", "lang")),
}


def register(name: str, analysis: Analysis) -> None:
    """Add an analysis (used as features are added)."""
    ANALYSES[name] = analysis


def call_arguments(name: str, query: Mapping[str, str]) -> tuple[Analysis, dict[str, Any]]:
    """Check a query against an analysis' parameters and turn it into library keyword arguments."""
    analysis = ANALYSES.get(name)
    if analysis is None:
        raise InputError("analysis", name, "one of " + ", ".join(sorted(ANALYSES)))
    arguments: dict[str, Any] = {}
    for key, value in query.items():
        if key not in analysis.params:
            raise InputError(key, value, "one of the parameters " + ", ".join(analysis.params))
        if key in analysis.booleans:
            if value.lower() not in ("true", "false", "1", "0"):
                raise InputError(key, value, "true or false")
            arguments[analysis.rename.get(key, key)] = value.lower() in ("true", "1")
        else:
            arguments[analysis.rename.get(key, key)] = value
    return analysis, arguments
