"""grondstof: an open observatory for critical raw materials.

The public API, in three layers (every name below is importable from ``grondstof``; importing the package
itself is cheap, each name loads its module on first use):

* **Analyses** — the query functions behind every command, route and page. They take names as users type
  them (``"gallium"``, ``"NL"``, ``"2015-2024"``), resolve them through the registries, run the kernels on the
  store and return a :class:`Result` (rows plus sources, units and notes). :func:`run` runs any of them by its
  registered name with the parameters validated exactly as the command line and the API validate them.
* **Kernels** — pure calculations with the formula and its source in the docstring: numbers and tables in,
  numbers and tables out, no names to parse and no language.
* **Store, registries, results and errors** — :func:`open_store`, :func:`build`, :func:`materials`,
  :func:`countries`, :class:`Result`, :class:`Field` and the errors users can meet.

>>> import grondstof
>>> grondstof.run("supply", material="gallium", years="2022").rows[0]["country"]  # doctest: +SKIP
'CHN'
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing itself is not imported: the `grondstof` script's warm path loads this module
if TYPE_CHECKING:
    from typing import Any

__version__ = "0.1.0"

# name -> "module:attribute"
_EXPORTS: dict[str, str] = {
    # analyses (query layer)
    "run": "grondstof.analyses:run",
    "ANALYSES": "grondstof.analyses:ANALYSES",
    "supply": "grondstof.indicators.supply:supply",
    "imports": "grondstof.indicators.dependency:imports",
    "compare": "grondstof.indicators.dependency:compare",
    "dependency_table": "grondstof.indicators.dependency:dependency_table",
    "partner_imports": "grondstof.indicators.partner:partner_imports",
    "overview": "grondstof.indicators.overview:overview",
    "risk": "grondstof.indicators.risk:risk",
    "geopolrisk": "grondstof.indicators.geopolrisk:geopolrisk",
    "geopolrisk_table": "grondstof.indicators.geopolrisk:geopolrisk_table",
    "eu_supply_risk": "grondstof.indicators.eu_supply_risk:eu_supply_risk",
    "dera": "grondstof.indicators.dera:dera",
    "crma": "grondstof.indicators.crma:crma",
    "controls": "grondstof.indicators.exposure:controls",
    "exposure": "grondstof.indicators.exposure:exposure",
    "watch": "grondstof.monitor.signals:watch",
    "cutoff": "grondstof.scenarios.cutoff:cutoff",
    "cutoff_scenario": "grondstof.scenarios.cutoff:cutoff_scenario",
    "montecarlo": "grondstof.scenarios.montecarlo:montecarlo",
    "montecarlo_scenario": "grondstof.scenarios.montecarlo:montecarlo_scenario",
    "stockpile": "grondstof.scenarios.stockpile:stockpile",
    "transition": "grondstof.scenarios.transition:transition",
    "technologies": "grondstof.scenarios.technologies:technologies",
    "balance": "grondstof.scenarios.massbalance:balance",
    "net_trade": "grondstof.scenarios.massbalance:net_trade",
    "changes": "grondstof.indicators.changes:changes",
    "document": "grondstof.documents:document",
    # kernels (pure calculations)
    "shares": "grondstof.indicators.concentration:shares",
    "hhi": "grondstof.indicators.concentration:hhi",
    "top_share": "grondstof.indicators.concentration:top_share",
    "hhi_expr": "grondstof.indicators.concentration:hhi_expr",
    "scaled_wgi": "grondstof.indicators.eu_supply_risk:scaled_wgi",
    "hhi_wgi_t": "grondstof.indicators.eu_supply_risk:hhi_wgi_t",
    "supply_risk": "grondstof.indicators.eu_supply_risk:supply_risk",
    "import_reliance": "grondstof.indicators.eu_supply_risk:import_reliance",
    "hhi_10000": "grondstof.indicators.dera:hhi_10000",
    "glr": "grondstof.indicators.dera:glr",
    "risk_group": "grondstof.indicators.dera:risk_group",
    "cut_arithmetic": "grondstof.scenarios.cutoff:cut_arithmetic",
    "bridge": "grondstof.scenarios.cutoff:bridge",
    "stock_for_days": "grondstof.scenarios.stockpile:stock_for_days",
    "days_of_cover": "grondstof.scenarios.stockpile:days_of_cover",
    "stock_at_confidence": "grondstof.scenarios.stockpile:stock_at_confidence",
    "expected_uncovered": "grondstof.scenarios.stockpile:expected_uncovered",
    "allocate_budget": "grondstof.scenarios.stockpile:allocate_budget",
    "kg_per_mwh": "grondstof.scenarios.technologies:kg_per_mwh",
    "retirement_profile": "grondstof.scenarios.transition:retirement_profile",
    "close_balance": "grondstof.scenarios.massbalance:close_balance",
    "to_tonnes": "grondstof.scenarios.massbalance:to_tonnes",
    "stage_balances": "grondstof.scenarios.massbalance:stage_balances",
    "year_on_year": "grondstof.indicators.changes:year_on_year",
    "with_lever_overrides": "grondstof.scenarios.transition:with_lever_overrides",
    # store, registries, results, errors
    "open_store": "grondstof.store:open_store",
    "build": "grondstof.store:build",
    "Store": "grondstof.store:Store",
    "connect": "grondstof.engine:connect",
    "materials": "grondstof.registry.materials:materials",
    "countries": "grondstof.registry.countries:countries",
    "Result": "grondstof.result:Result",
    "Field": "grondstof.result:Field",
    "GrondstofError": "grondstof.errors:GrondstofError",
    "InputError": "grondstof.errors:InputError",
    "DataNotAvailableError": "grondstof.errors:DataNotAvailableError",
    "StoreError": "grondstof.errors:StoreError",
    "SourceFormatError": "grondstof.errors:SourceFormatError",
}

__all__ = sorted(_EXPORTS)

# The kernel layer: pure calculations (numbers and tables in, numbers and tables out; no names to resolve,
# no store, no language). tests/test_public_api.py holds every one of them to that.
KERNELS = (
    "shares", "hhi", "top_share", "hhi_expr", "scaled_wgi", "hhi_wgi_t", "supply_risk", "import_reliance",
    "hhi_10000", "glr", "risk_group", "cut_arithmetic", "bridge", "stock_for_days", "days_of_cover",
    "stock_at_confidence", "expected_uncovered", "allocate_budget", "kg_per_mwh", "retirement_profile",
    "close_balance", "to_tonnes", "stage_balances", "year_on_year", "with_lever_overrides",
)  # fmt: skip


def __getattr__(name: str) -> Any:
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'grondstof' has no attribute {name!r}")
    module, _, attribute = target.partition(":")
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
