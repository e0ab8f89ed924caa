"""Shared by the property and fuzz tests: how many examples to run, and what `make fuzz` counts.

``make test`` runs the "ci" Hypothesis profile (fixed inputs, bounded); ``make fuzz`` runs the "fuzz"
profile (random inputs, :data:`FUZZ_SCALE` times as many). Both profiles are registered in conftest.py.
Tests call :func:`tried` for every input they try and :func:`server_error` for every 5xx answer, so
``benchmarks/fuzz.py`` can report inputs tried and server errors found.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

PROFILE = os.environ.get("GRONDSTOF_HYPOTHESIS_PROFILE", "ci")
if PROFILE not in ("ci", "fuzz"):
    raise ValueError(f"GRONDSTOF_HYPOTHESIS_PROFILE must be ci or fuzz, not {PROFILE!r}")
FUZZ_SCALE = int(os.environ.get("GRONDSTOF_FUZZ_SCALE", "100"))

_counts: dict[str, object] = {"inputs": 0, "server_errors": 0, "examples": []}


def examples(ci: int) -> int:
    """Hypothesis examples for a test: ``ci`` in `make test`, FUZZ_SCALE times as many when fuzzing."""
    return ci if PROFILE == "ci" else ci * FUZZ_SCALE


def tried(count: int = 1) -> None:
    """Count inputs tried (for the fuzz report)."""
    _counts["inputs"] = int(_counts["inputs"]) + count  # type: ignore[call-overload]


def server_error(path: str, query: str, status: int, body: str) -> None:
    """Count a 5xx answer (every response, and the distinct routes) and keep the first few examples."""
    _counts["server_errors"] = int(_counts["server_errors"]) + 1  # type: ignore[call-overload]
    routes = _counts.setdefault("server_error_routes", [])
    assert isinstance(routes, list)
    if path not in routes:
        routes.append(path)
    kept = _counts["examples"]
    assert isinstance(kept, list)
    if len(kept) < 20:
        kept.append({"path": path, "query": query, "status": status, "body": body[:300]})


def write_counts(path: Path) -> None:
    """Write this process's counts as JSON (one file per pytest-xdist worker)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_counts, ensure_ascii=False, indent=1), encoding="utf-8")
