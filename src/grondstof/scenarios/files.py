"""Run any scenario file: the kind (cut-off, Monte Carlo, stockpile, transition) is told by its keys.

``report scenario FILE`` and the dashboard use this so a user can hand over any of the shipped example
files, or their own, without saying which kind it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grondstof.errors import InputError
from grondstof.result import Result
from grondstof.scenarios._inputs import read_document
from grondstof.store import Store

KINDS = ("transition", "stockpile", "cutoff", "montecarlo")
EXAMPLES = Path(__file__).parent / "examples"


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


def resolve_file(name: str | Path) -> Path:
    """A path, or the name of a shipped example (``nl-2035``, ``stockpile_nl``, ``cutoff_drc_cobalt_eu27``).

    Only names of files in the examples folder are accepted besides real paths given on the command line.
    """
    path = Path(name)
    if path.is_file():
        return path
    shipped = {"nl-2035": "transition_nl_2035"}.get(str(name), str(name))
    candidate = EXAMPLES / f"{shipped}.yaml"
    if candidate.is_file():
        return candidate
    names = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
    raise InputError(
        "scenario", str(name), "a YAML/JSON scenario file or a shipped example: " + ", ".join(names)
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
