"""Presentation-only command options of some analyses: the Atom feed of ``watch``, the Sankey of ``balance``.

Each function gets ``run`` (a zero-argument function that validates the parameters and returns the result)
and the presentation options, and returns text to print as is, or a result to print as a table/JSON/CSV.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from grondstof.errors import DataNotAvailableError, InputError
from grondstof.result import Result


def watch(
    run: Callable[[], Result],
    *,
    as_json: bool,
    as_csv: bool,
    atom: bool = False,
    feed_url: str | None = None,
    print_config: bool = False,
) -> str | Result:
    """``grondstof watch``: the default signal configuration, the alerts as an Atom feed, or as usual (the CSV
    carries each alert's evidence as text)."""
    if print_config:
        from grondstof.monitor.config import default_config_text

        return default_config_text()
    if atom and (as_json or as_csv):
        raise InputError("--atom/--json/--csv", "several", "at most one output format")
    result = run()
    if atom:
        from grondstof.monitor.feed import atom_feed

        return atom_feed(result, feed_url=feed_url)
    if as_csv:
        from grondstof.monitor.signals import evidence_as_text

        return evidence_as_text(result)
    return result


def balance(run: Callable[[], Result], *, as_json: bool, as_csv: bool, sankey: bool = False) -> str | Result:
    """``grondstof balance``: the mass balance as usual, or its Sankey nodes and links as JSON."""
    result = run()
    if not sankey:
        return result
    if result.meta.get("sankey") is None:
        notes = result.meta.get("notes", [])
        raise DataNotAvailableError("no Sankey: " + next((n for n in notes if "Sankey" in n), ""))
    return json.dumps(result.meta["sankey"], indent=2, ensure_ascii=False) + "\n"
