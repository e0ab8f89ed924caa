"""Run any scenario file: the kind (cut-off, Monte Carlo, stockpile, transition) is told by its keys.

``report scenario FILE`` and the dashboard use this so a user can hand over any of the shipped example
files, or their own, without saying which kind it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grondstof.errors import InputError
from grondstof.result import Result
from grondstof.scenarios._inputs import EXAMPLES, read_document, resolve_file  # noqa: F401 (re-exported)
from grondstof.store import Store

KINDS = ("transition", "stockpile", "cutoff", "montecarlo")


def detect_kind(data: dict[str, Any], source: str = "scenario") -> str:
    """Tell the scenario kind from the top-level keys of a scenario document."""
    keys = set(data)
    if "deployments" in keys:
        return "transition"
    if "disruption" in keys:
        return "stockpile"
    if keys & {"preset", "suppliers"}:
        return "cutoff"
    if keys & {"draws", "probability_model", "cover_percentile", "size", "duration"}:
        return "montecarlo"
    raise InputError(
        source,
        ", ".join(sorted(keys)) or "(empty)",
        "a scenario with 'deployments' (transition), 'disruption' (stockpile), 'preset' or 'suppliers' "
        "(cut-off), or Monte Carlo keys such as 'draws'",
    )


def run_file(name: str | Path, *, store: Store, lang: str = "en") -> tuple[str, list[tuple[str, Result]]]:
    """Run a scenario file; return its kind and the named results it produces."""
    path = resolve_file(name)
    data = read_document(path)
    if not isinstance(data, dict):
        raise InputError(str(path), type(data).__name__, "a mapping of keys to values at the top level")
    kind = detect_kind(data, path.name)
    if kind == "transition":
        from grondstof.scenarios.transition import transition

        return kind, [
            ("demand by year", transition(path, by="year", store=store, lang=lang)),
            ("demand by material", transition(path, by="material", store=store, lang=lang)),
            ("levers", transition(path, by="lever", store=store, lang=lang)),
        ]
    if kind == "stockpile":
        from grondstof.scenarios.stockpile import stockpile

        country = str(data.get("country", "NL"))
        return kind, [("stockpile", stockpile(country, scenario=path, store=store, lang=lang))]
    if kind == "cutoff":
        from grondstof.scenarios.cutoff import cutoff_scenario

        return kind, [("cut-off", cutoff_scenario(file=str(path), store=store, lang=lang))]
    from grondstof.scenarios.montecarlo import montecarlo_scenario

    return kind, [("monte carlo", montecarlo_scenario(file=str(path), store=store, lang=lang))]
