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
    numbers: tuple[str, ...] = ()  # parameters converted to numbers (the library expects floats/ints)
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)  # only these values (no file paths)

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
    "risk": Analysis("grondstof.indicators.risk", "risk", ("material", "country", "years", "method", "lang")),
    "geopolrisk": Analysis(
        "grondstof.indicators.geopolrisk", "geopolrisk", ("material", "country", "years", "lang")
    ),
    "eu_sr": Analysis(
        "grondstof.indicators.eu_supply_risk", "eu_supply_risk", ("material", "country", "year", "lang")
    ),
    "dera": Analysis("grondstof.indicators.dera", "dera", ("material", "years", "stage", "country", "lang")),
    "crma": Analysis("grondstof.indicators.crma", "crma", ("year", "material", "lang")),
    "controls": Analysis(
        "grondstof.indicators.exposure", "controls", ("country", "material", "date", "lang")
    ),
    "exposure": Analysis(
        "grondstof.indicators.exposure", "exposure", ("country", "material", "date", "controller", "lang")
    ),
    # The monitor's config is a server file path: not reachable from the web.
    "watch": Analysis("grondstof.monitor.signals", "watch", ("country", "since", "limit", "lang")),
    "cutoff": Analysis(
        "grondstof.scenarios.cutoff",
        "cutoff_scenario",
        (
            "preset",
            "materials",
            "suppliers",
            "country",
            "share",
            "months",
            "destination",
            "stock_days",
            "ramp_up",
            "year",
            "lang",
        ),
        numbers=("share", "months", "stock_days", "ramp_up"),
    ),
    "montecarlo": Analysis(
        "grondstof.scenarios.montecarlo",
        "montecarlo",
        ("country", "materials", "draws", "seed", "cover_percentile", "lang"),
        numbers=("draws", "seed", "cover_percentile"),
    ),
    "presets": Analysis("grondstof.scenarios.presets", "list_presets", ("lang",)),
    "stockpile": Analysis(
        "grondstof.scenarios.stockpile",
        "stockpile",
        ("country", "materials", "days", "budget", "confidence", "holding_cost", "basis", "compare", "lang"),
        numbers=("budget", "confidence", "holding_cost"),
    ),
    "transition": Analysis(
        "grondstof.scenarios.transition",
        "transition",
        ("scenario", "by", "lang"),
        choices={"scenario": ("nl-2035",)},
    ),
    "technologies": Analysis(
        "grondstof.scenarios.technologies",
        "technologies",
        ("per", "materials", "weight", "by", "relative_to", "lang"),
    ),
    "balance": Analysis(
        "grondstof.scenarios.massbalance",
        "balance",
        ("material", "country", "year", "basis", "stage", "source", "lang"),
    ),
    "net_trade": Analysis(
        "grondstof.scenarios.massbalance", "net_trade", ("country", "materials", "year", "lang")
    ),
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
        target = analysis.rename.get(key, key)
        if key in analysis.choices and value not in analysis.choices[key]:
            raise InputError(key, value, "one of " + ", ".join(analysis.choices[key]))
        if key in analysis.booleans:
            if value.lower() not in ("true", "false", "1", "0"):
                raise InputError(key, value, "true or false")
            arguments[target] = value.lower() in ("true", "1")
        elif key in analysis.numbers:
            arguments[target] = _number(key, value)
        else:
            arguments[target] = value
    return analysis, arguments


def _number(key: str, value: str) -> float | int:
    """Parse a numeric query value, naming the parameter when it is not a finite number."""
    from grondstof.parsing import parse_number

    number = parse_number(value, key)
    return int(number) if number.is_integer() and key in ("draws", "seed", "months") else number
