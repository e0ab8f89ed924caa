"""Scenario files: YAML or JSON, validated by pydantic models, with errors that name the key.

A scenario is a documented input. Every model used for scenario files derives from :class:`ScenarioModel`
(unknown keys are refused, so a typo like ``shrae`` is caught), and :func:`load_scenario` turns any
validation problem into an :class:`~grondstof.errors.InputError` naming the file, the key path
(``deployments[2].capacity_mw``) and what was expected.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from grondstof.errors import InputError

M = TypeVar("M", bound=BaseModel)


class ScenarioModel(BaseModel):
    """Base of every scenario input: unknown keys are errors, values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, str_strip_whitespace=True)


class TradeSelection(ScenarioModel):
    """Mixin for scenarios that read trade: an optional trade source and value-chain stage, checked."""

    source: str | None = None
    stage: str | None = None

    @field_validator("stage")
    @classmethod
    def _stage(cls, value: str | None) -> str | None:
        from grondstof.registry.materials import STAGES

        if value is not None and value not in STAGES:
            raise ValueError("one of " + ", ".join(STAGES))
        return value

    @field_validator("source")
    @classmethod
    def _source(cls, value: str | None) -> str | None:
        from grondstof.indicators.trade import TRADE_SOURCES

        if value is not None and value not in TRADE_SOURCES:
            raise ValueError("one of " + ", ".join(TRADE_SOURCES))
        return value


def _key_path(location: tuple[Any, ...]) -> str:
    out = ""
    for part in location:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def validate(model: type[M], data: Any, source: str = "scenario") -> M:
    """Validate ``data`` (a dict) against ``model``; raise InputError naming the first bad key.

    The error's ``parameter`` is ``"<source>: <key path>"``, its ``value`` the offending input and
    ``expected`` pydantic's explanation.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # An unknown key is usually the cause of a "missing" one (a typo), so report it first.
        errors = sorted(exc.errors(), key=lambda e: e.get("type") != "extra_forbidden")
        first = errors[0]
        path = _key_path(tuple(first.get("loc", ())))
        message = first.get("msg", "a valid value")
        if first.get("type") == "extra_forbidden":
            allowed = ", ".join(sorted(model.model_fields)) if len(first.get("loc", ())) == 1 else ""
            message = "a known key (check the spelling)" + (f"; one of: {allowed}" if allowed else "")
        more = len(exc.errors()) - 1
        expected = message + (f" ({more} more problem(s) in the file)" if more else "")
        raise InputError(f"{source}: {path}", first.get("input"), expected) from None


def read_document(path: str | Path) -> Any:
    """Read a YAML (``.yaml``/``.yml``) or JSON file; syntax errors name the file and line."""
    path = Path(path)
    if not path.is_file():
        raise InputError("scenario file", str(path), "an existing YAML or JSON file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError("scenario file", str(path), f"a readable file ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"{path}: line {line}", f"byte 0x{raw[exc.start]:02X}", "UTF-8 text (YAML or JSON)"
        ) from None
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: line {exc.lineno}", exc.msg, "valid JSON") from None
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}: line {mark.line + 1}" if mark is not None else str(path)
        raise InputError(where, getattr(exc, "problem", str(exc)), "valid YAML") from None


def load_scenario(model: type[M], path: str | Path) -> M:
    """Read and validate a scenario file against ``model``."""
    data = read_document(path)
    if not isinstance(data, dict):
        raise InputError(str(path), type(data).__name__, "a mapping of keys to values at the top level")
    return validate(model, data, source=Path(path).name)


EXAMPLES = Path(__file__).parent / "examples"


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
