"""The monitor's settings: which signals run, their thresholds and the severity rule, from a YAML file.

The shipped defaults are in ``default_signals.yaml`` beside this module (``grondstof watch --print-config``
prints it, with comments, for users to copy and edit). A user file passed with ``--config`` only needs the
keys it changes: everything else keeps its default. Files are validated by the pydantic models below
through :mod:`grondstof.scenarios._inputs`, so an unknown key (a typo), a wrong type or a negative
threshold raises :class:`~grondstof.errors.InputError` naming the file and the key path
(``signals.import_collapse.min_fall``).

Units: shares, falls and share points are fractions (0.5 = 50 %); money thresholds are in the currency of
the trade source the material is read from (EUR for Comext, USD for BACI) and are never converted.
"""

from __future__ import annotations

import copy
import functools
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from grondstof.errors import InputError
from grondstof.scenarios._inputs import ScenarioModel, read_document, validate

DEFAULT_FILE = "default_signals.yaml"


def _levels(values: list[float], key: str) -> list[float]:
    if not values:
        raise ValueError(f"at least one {key} level")
    if any(not 0 < v <= 1 for v in values):
        raise ValueError("levels between 0 (exclusive) and 1 (a fraction: 0.5 = 50 %)")
    return sorted(set(values))


class ImportCollapse(ScenarioModel):
    """A partner's imports of a material fall year on year by at least ``min_fall`` and ``min_value``."""

    enabled: bool = True
    weight: float = Field(1.0, ge=0)
    min_fall: float = Field(0.5, gt=0, le=1)
    min_value: float = Field(1_000_000, ge=0)


class ImportJump(ScenarioModel):
    """A partner's imports of a material rise year on year by at least ``min_rise`` and ``min_value``."""

    enabled: bool = True
    weight: float = Field(0.8, ge=0)
    min_rise: float = Field(1.0, gt=0)
    min_value: float = Field(1_000_000, ge=0)


class TopShare(ScenarioModel):
    """The top partner's share of a material's imports crosses one of ``levels`` (up, or down)."""

    enabled: bool = True
    levels: list[float] = Field(default_factory=lambda: [0.5, 0.65])
    weight_up: float = Field(0.9, ge=0)
    weight_down: float = Field(0.4, ge=0)
    min_total_value: float = Field(1_000_000, ge=0)

    @field_validator("levels")
    @classmethod
    def _check_levels(cls, values: list[float]) -> list[float]:
        return _levels(values, "share")


class ShareGain(ScenarioModel):
    """A partner's share of a material's imports rises by at least ``min_points`` in one year."""

    enabled: bool = True
    weight: float = Field(0.7, ge=0)
    min_points: float = Field(0.20, gt=0, le=1)
    min_total_value: float = Field(1_000_000, ge=0)


class ExportControl(ScenarioModel):
    """A new export control hits a material the importer takes at least ``min_share`` of from that country."""

    enabled: bool = True
    weight: float = Field(1.0, ge=0)
    min_share: float = Field(0.25, ge=0, le=1)
    suspended_weight: float = Field(0.5, ge=0, le=1)


class ProductionConcentration(ScenarioModel):
    """World production HHI of a material rises by ``min_increase`` in a year, or crosses a level upwards."""

    enabled: bool = True
    weight: float = Field(0.6, ge=0)
    min_increase: float = Field(0.05, gt=0, le=1)
    levels: list[float] = Field(default_factory=lambda: [0.25, 0.5])

    @field_validator("levels")
    @classmethod
    def _check_levels(cls, values: list[float]) -> list[float]:
        return _levels(values, "HHI")


class RefinedTrend(ScenarioModel):
    """A partner's share of the importer's refined-stage imports in the BACI top-6 extract moves by at least
    ``min_points`` over ``years`` years, and its value by at least ``min_value`` (USD)."""

    enabled: bool = True
    weight: float = Field(0.6, ge=0)
    years: int = Field(3, ge=1, le=20)
    min_points: float = Field(0.25, gt=0, le=1)
    min_value: float = Field(10_000_000, ge=0)


class PriceSpike(ScenarioModel):
    """A material's market price rises by at least ``min_rise`` in 12 months (year on year for annual series),
    in a year the importer imports it."""

    enabled: bool = True
    weight: float = Field(0.5, ge=0)
    min_rise: float = Field(0.5, gt=0)


class Signals(ScenarioModel):
    """The seven signal families."""

    import_collapse: ImportCollapse = Field(default_factory=ImportCollapse)
    import_jump: ImportJump = Field(default_factory=ImportJump)
    top_share: TopShare = Field(default_factory=TopShare)
    share_gain: ShareGain = Field(default_factory=ShareGain)
    export_control: ExportControl = Field(default_factory=ExportControl)
    production_concentration: ProductionConcentration = Field(default_factory=ProductionConcentration)
    refined_trend: RefinedTrend = Field(default_factory=RefinedTrend)
    price_spike: PriceSpike = Field(default_factory=PriceSpike)


class Severity(ScenarioModel):
    """Parameters of the severity score (see :func:`grondstof.monitor.signals.severity`)."""

    strategic_bonus: float = Field(1.5, ge=1)
    critical_bonus: float = Field(1.25, ge=1)
    value_reference: float = Field(1_000_000, gt=0)
    recency_half_life: float | None = Field(3.0, gt=0)
    min_severity: float = Field(1.0, ge=0)


class WatchConfig(ScenarioModel):
    """The whole monitor configuration (the top level of the YAML file)."""

    version: int = Field(1, ge=1, le=1)
    include_fuels: bool = False
    signals: Signals = Field(default_factory=Signals)
    severity: Severity = Field(default_factory=Severity)


def default_config_text() -> str:
    """The shipped default configuration file, with its comments (for ``--print-config``)."""
    return resources.files("grondstof.monitor").joinpath(DEFAULT_FILE).read_text(encoding="utf-8")


def default_config() -> WatchConfig:
    """The shipped defaults, read from ``default_signals.yaml`` and validated (a new object each call)."""
    return validate(WatchConfig, copy.deepcopy(_default_data()), source=DEFAULT_FILE)


@functools.lru_cache(maxsize=1)
def _default_data() -> Any:
    """``default_signals.yaml`` parsed once per process (the pure-Python YAML parser takes ~15 ms)."""
    import yaml

    return yaml.safe_load(default_config_text())


def load_config(config: str | Path | WatchConfig | dict[str, Any] | None = None) -> WatchConfig:
    """Load the monitor configuration: the defaults, or a user file (YAML/JSON) or dict over them.

    Keys left out of the user's file keep their default; unknown keys, wrong types and out-of-range
    thresholds raise :class:`~grondstof.errors.InputError` naming the file and key path.
    """
    if config is None:
        return default_config()
    if isinstance(config, WatchConfig):
        return config
    if isinstance(config, dict):
        return validate(WatchConfig, config, source="config")
    path = Path(config)
    if not path.is_file():
        raise InputError(
            "config", str(path), "an existing YAML or JSON file (see grondstof watch --print-config)"
        )
    data = read_document(path)
    if data is None:  # an empty file means "all defaults"
        return default_config()
    if not isinstance(data, dict):
        raise InputError(f"{path.name}: (top level)", type(data).__name__, "a mapping of keys to values")
    return validate(WatchConfig, data, source=path.name)


__all__ = [
    "DEFAULT_FILE",
    "WatchConfig",
    "default_config",
    "default_config_text",
    "load_config",
]
