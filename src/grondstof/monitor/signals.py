"""Early-warning signals for one importer (a country or the EU-27), ranked by severity.

Every signal is evaluated per material over the years of its trade data, with the same source and codes as
:func:`grondstof.indicators.dependency.imports` chooses
(:func:`~grondstof.indicators.dependency.plan_imports`: BACI HS92 first, Comext CN8 where BACI has no own
code, e.g. gallium). The per-(material, year, partner) table comes from one engine query
(:func:`trade_panel`), world production concentration from a second (:func:`production_hhi`); the signal
functions themselves are pure Python over those small tables, so they are tested on hand-made inputs.
Thresholds live in a YAML file (:mod:`grondstof.monitor.config`).

Signals (``signal`` column)
---------------------------
``import_collapse`` / ``import_jump``
    A partner's import value v changes from year y−1 to y by Δ = v_y − v_{y−1}: a collapse when
    −Δ/v_{y−1} ≥ ``min_fall`` and −Δ ≥ ``min_value``; a jump when Δ/v_{y−1} ≥ ``min_rise`` (or v_{y−1} = 0)
    and Δ ≥ ``min_value``. A partner absent in a year in which the importer did import the material counts
    as 0. A run of consecutive moves in the same direction, each at least half of both thresholds, is
    reported as one alert spanning the run (gallium from China, NL: €8.7 m → €4.6 m → €0.6 m is one alert,
    −93 %, 2022→2024).
``top_share_up`` / ``top_share_down``
    The largest partner's value share s = max_i vᵢ/Σv crosses a level L (default 50 % and 65 %, the CRMA
    single-country benchmark): upwards when s_{y−1} < L ≤ s_y (the highest level crossed is reported),
    downwards when s_y < L ≤ s_{y−1} (the lowest).
``share_gain``
    A partner's value share rises by at least ``min_points`` in a year: s_{i,y} − s_{i,y−1} ≥ min_points.
``export_control``
    A measure in the ``export_controls`` table (country C, materials, effective date d) hits a material the
    importer took at least ``min_share`` of from C in year(d) − 1. Measures limited to other destinations
    (``destination_scope``) are skipped; measures since suspended or ended count with ``suspended_weight``.
``production_concentration``
    World Mining Data production HHI = Σ sᵢ² over producing countries (0–1) rises by ``min_increase`` in a
    year, or crosses a level upwards (default 0.25 and 0.5).
``refined_trend``
    The refined stage over time, from the BACI top-6 extract (``baci_refined_top6``: one refined code per
    material, 2002–2024, USD, no tonnes; labelled as such on every alert). A partner's share of the
    importer's *retained* flows s = v / T (T = the retained total, a lower bound of the true total) moves
    over ``years`` years by |s_y − s_{y−years}| ≥ ``min_points``, with its value moving the same way by at
    least ``min_value``. Consecutive firing years are one alert, from the window start of the first to the
    last (NL unwrought nickel from Russia: 51 % of the retained flows in 2021, 2 % in 2024). A partner
    absent in a year is not among the retained flows (its share of them is 0; its true value is unknown).
``price_spike``
    A market price rises by at least ``min_rise`` in 12 months: r_t = P_t / P_(t−12) − 1 on monthly series
    (World Bank Pink Sheet), year on year on annual ones (USGS MCS 2025 salient statistics), each series in
    its own unit and currency. A run of consecutive months over the threshold is one alert at its largest
    rise; per material and year the series with the largest rise is reported, named with its source. Only
    materials the importer imports, in years from the first year of its trade data (the 2022 nickel
    squeeze: LME nickel +110 % over March 2021).

Severity (``severity`` column, documented rule)
-----------------------------------------------
severity = 100 × weight × exposure × scale × bonus × recency, where ``weight`` is the signal's weight in the
configuration; ``exposure`` (0–1) the share of the importer's supply at stake (the partner's share before
or after, whichever is larger, for collapses and jumps; the top share; the gaining partner's new share;
the share from the controlling country; the production HHI; the partner's share of the retained
refined flows, before or after; the price rise capped at 1, i.e. +100 %); ``scale`` =
clamp(0.25 + log₁₀(V / value_reference) / 4, 0.1, 1) of the money at stake V (the flow, in the source
currency: 0.25 at value_reference, 1 at 1000× it); ``bonus`` = ``strategic_bonus`` for
CRMA strategic materials, ``critical_bonus`` for other EU critical ones, else 1; ``recency`` =
0.5^((latest trade year − alert year) / recency_half_life). Alerts below ``min_severity`` are not listed
(their number is in ``meta.alerts``). The rule is our own: the Dutch materials observatory (NMO) describes an
early-warning function but does not publish its signals or thresholds, and no published scoring was found
to follow. Each row's ``evidence.severity`` holds the terms so the score can be checked.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from grondstof.errors import InputError
from grondstof.indicators._common import country_name, fetch, parse_years
from grondstof.indicators.concentration import hhi_of, top_of
from grondstof.parameters import Cli, CountryText, Lang, Params, described
from grondstof.parsing import parse_int
from grondstof.registry.countries import Country, Group, countries
from grondstof.registry.materials import Material, materials
from grondstof.result import Field, Result

if TYPE_CHECKING:  # the engine, Ibis and pydantic load only when an analysis runs (CLI start-up)
    from grondstof.monitor.config import WatchConfig
    from grondstof.store import Store

SIGNALS = (
    "import_collapse",
    "import_jump",
    "top_share_up",
    "top_share_down",
    "share_gain",
    "export_control",
    "production_concentration",
    "refined_trend",
    "price_spike",
)

ALERT_FIELDS = [
    Field("rank", "Rank", "int"),
    Field(
        "severity",
        "Severity",
        "number",
        description="100 × weight × exposure × scale × bonus × recency (see meta.severity_rule)",
    ),
    Field("signal", "Signal", description="one of " + ", ".join(SIGNALS)),
    Field("material", "Material (id)", show=False),
    Field("material_name", "Material", show=False),  # printed tables show the title, which names both
    Field(
        "partner",
        "Partner / country (ISO3)",
        show=False,
        description="the partner; the controlling country for export controls; the top producer for "
        "production concentration",
    ),
    Field("partner_name", "Partner / country", show=False),
    Field("year", "Year", "year"),
    Field("date", "Date", "date", show=False, description="effective date of an export control, else null"),
    Field("title", "Alert"),
    Field("exposure", "Exposure", "share", show=False, description="share of the importer's supply at stake"),
    Field("value", "Value at stake", "money", show=False, description="in `currency`; scales the severity"),
    Field("currency", "Currency", show=False),
    Field(
        "evidence",
        "Evidence",
        show=False,
        description="the figures: before, after, change, thresholds, severity terms (an object)",
    ),
    Field("source", "Source", show=False, description="source id(s) with their vintage"),
    Field(
        "alert_id", "Alert id", show=False, description="stable key: importer/signal/material/partner/year"
    ),
]

# Which configuration weight applies to each signal.
_WEIGHTS = {
    "import_collapse": ("import_collapse", "weight"),
    "import_jump": ("import_jump", "weight"),
    "top_share_up": ("top_share", "weight_up"),
    "top_share_down": ("top_share", "weight_down"),
    "share_gain": ("share_gain", "weight"),
    "export_control": ("export_control", "weight"),
    "production_concentration": ("production_concentration", "weight"),
    "refined_trend": ("refined_trend", "weight"),
    "price_spike": ("price_spike", "weight"),
}


# ---- inputs of the pure signal functions ------------------------------------------------------------------


@dataclass
class Series:
    """One material's imports by one importer from one trade source: totals and values per partner.

    ``totals[year]`` is the import value over all partners (including rows without a partner country);
    ``partners[iso3][year]`` the value from one partner. A year missing from ``totals`` has no data.
    """

    material: str
    source: str
    currency: str
    totals: dict[int, float] = field(default_factory=dict)
    partners: dict[str, dict[int, float]] = field(default_factory=dict)
    covers: tuple[str, ...] = ()  # other materials whose (basket) codes are exactly the same
    # Made on first use, once the panel is complete: by_year() and each year's top partner.
    _years: dict[int, dict[str, float]] | None = field(default=None, repr=False, compare=False)
    _tops: dict[int, tuple[str, float]] | None = field(default=None, repr=False, compare=False)

    def value(self, partner: str, year: int) -> float:
        """Import value from ``partner`` in ``year`` (0 when the partner is absent that year)."""
        return self.partners.get(partner, {}).get(year, 0.0)

    def share(self, partner: str, year: int) -> float | None:
        """Value share of ``partner`` in ``year``; None when the year has no imports at all."""
        total = self.totals.get(year)
        if not total:
            return None
        return self.value(partner, year) / total

    def top(self, year: int) -> tuple[str | None, float | None]:
        """The largest partner in ``year`` and its share (the first such partner on a tie)."""
        total = self.totals.get(year)
        if not total:
            return None, None
        if self._tops is None:
            # Every year's largest partner at once; the panel is complete once signals read it.
            tops: dict[int, tuple[str, float]] = {}
            for y, values in self.by_year().items():
                for partner, value in values.items():
                    best = tops.get(y)
                    if (best is None and value == value) or (best is not None and value > best[1]):
                        tops[y] = (partner, value)  # value == value: NaN is never the largest
            self._tops = tops
        best = self._tops.get(year)
        return (best[0], best[1] / total) if best is not None else (None, None)

    def by_year(self) -> dict[int, dict[str, float]]:
        """``partners`` turned around: per year, each partner's value (partners in the same order)."""
        if self._years is None:
            years: dict[int, dict[str, float]] = {}
            for partner, values in self.partners.items():
                for y, value in values.items():
                    years.setdefault(y, {})[partner] = value
            self._years = years
        return self._years

    def pairs(self) -> list[tuple[int, int]]:
        """Consecutive year pairs (y−1, y) that both have imports."""
        years = [y for y in sorted(self.totals) if self.totals[y] > 0]
        return [(y - 1, y) for y in years if self.totals.get(y - 1, 0) > 0]


Panel = dict[str, Series]


def build_panel(rows: Iterable[dict[str, Any]], covers: dict[str, tuple[str, ...]] | None = None) -> Panel:
    """Index rows ``{material, source, year, exporter, value}`` (one per material, year, partner) by material.

    Rows with a null ``exporter`` count in the totals only. ``covers`` names, per material, the other
    materials whose basket codes it stands for.
    """
    return _panel(
        ((r["source"], r["material"], r["year"], r.get("exporter"), r["value"]) for r in rows), covers
    )


PANEL_COLUMNS = ("source", "material", "year", "exporter", "value")  # the order _panel reads


def _panel(rows: Iterable[tuple[Any, ...]], covers: dict[str, tuple[str, ...]] | None = None) -> Panel:
    """:func:`build_panel` of rows as tuples in the order of :data:`PANEL_COLUMNS`."""
    from grondstof.indicators.trade import currency

    panel: Panel = {}
    covers = covers or {}
    for source, material, year, exporter, value in rows:
        value = float(value or 0.0)
        series = panel.get(material)
        if series is None:
            series = panel[material] = Series(
                material, source, currency(source), covers=covers.get(material, ())
            )
        year = int(year)
        totals = series.totals
        totals[year] = totals.get(year, 0.0) + value
        if exporter:
            per_year = series.partners.get(exporter)
            if per_year is None:
                per_year = series.partners[exporter] = {}
            per_year[year] = per_year.get(year, 0.0) + value
    return panel


def _panel_rows(
    store: Store, choices: dict[str, list[Any]], importer: Country | Group, ordered: bool
) -> list[tuple[Any, ...]]:
    """Rows of :data:`PANEL_COLUMNS`: the importer's imports per material, year and partner, every year, of
    the code ``choices`` per trade source (sorted by source, material, year and partner when ``ordered``).

    A :mod:`grondstof.prepared` declaration (:func:`_panel_query`): a served store answers a repeated
    shape from its SQL template, without building the Ibis expression again.
    """
    from grondstof import prepared
    from grondstof.indicators import trade as tr

    tables = tr.flow_inputs(choices, [importer])
    shape = (tuple(choices), "inside" in tables, ordered)
    _, rows = prepared.tuples(store, _panel_query, shape=shape, tables=tables)
    return rows


def _panel_query(store: Store, shape: Any, tables: Mapping[str, Any], values: Mapping[str, Any]) -> Any:
    """Query of :func:`_panel_rows`: :func:`~grondstof.indicators.trade.flows_of` and
    :func:`~grondstof.indicators.trade.partner_totals`."""
    from grondstof.indicators import trade as tr

    sources, _, ordered = shape
    flow = tr.flows_of(store, sources, tables["pairs"], tables["importers"], tables.get("inside"), None)
    selected = tr.partner_totals(flow).select(*PANEL_COLUMNS)
    return selected.order_by(["source", "material", "year", "exporter"]) if ordered else selected


@dataclass
class Alert:
    """One fired signal before scoring and wording."""

    signal: str
    material: str
    year: int
    partner: str | None
    exposure: float
    value: float | None
    currency: str | None
    sources: tuple[str, ...]
    evidence: dict[str, Any]
    date: datetime.date | None = None
    factor: float = 1.0  # extra weight factor (suspended export controls)
    key: str = ""  # extra part of the alert id (the measure id)


# ---- signal 1: jumps and collapses ------------------------------------------------------------------------


def import_changes(panel: Panel, config: WatchConfig) -> list[Alert]:
    """Collapses and jumps of a partner's imports year on year (see the module docstring)."""
    collapse = config.signals.import_collapse
    jump = config.signals.import_jump
    alerts: list[Alert] = []
    # Only a step that moves at least min_value can fire, and only such steps (or half of them) extend a run.
    floor = min(
        collapse.min_value if collapse.enabled else math.inf, jump.min_value if jump.enabled else math.inf
    )
    for series in panel.values():
        pairs = series.pairs()
        for partner, values in series.partners.items():
            if max(values.values()) < floor / 2:
                continue  # never enough to move by the thresholds
            steps = {
                y1: (values.get(y0, 0.0), values.get(y1, 0.0))
                for y0, y1 in pairs
                if y0 in values or y1 in values
            }
            if collapse.enabled:
                alerts += _runs(
                    series, partner, steps, "import_collapse", collapse.min_fall, collapse.min_value
                )
            if jump.enabled:
                alerts += _runs(series, partner, steps, "import_jump", jump.min_rise, jump.min_value)
    return alerts


def _relative(before: float, after: float) -> float:
    """Relative change (after − before) / before; +inf from nothing."""
    if before == 0:
        return math.inf if after > 0 else 0.0
    return (after - before) / before


def _moves(before: float, after: float, signal: str, threshold: float) -> bool:
    """Whether one step moves in the signal's direction by at least ``threshold`` (relative)."""
    change = _relative(before, after)
    return -change >= threshold if signal == "import_collapse" else change >= threshold


def _runs(
    series: Series,
    partner: str,
    steps: dict[int, tuple[float, float]],
    signal: str,
    threshold: float,
    min_value: float,
) -> list[Alert]:
    sign = -1.0 if signal == "import_collapse" else 1.0
    firing = {
        year
        for year, (before, after) in steps.items()
        if (moved := sign * (after - before)) >= min_value
        and moved > 0
        and _moves(before, after, signal, threshold)
    }
    out = []
    for year in sorted(firing):
        if year + 1 in firing:
            continue  # a firing step followed by another one is reported with the later one
        start = year - 1
        # Extend back over consecutive moves in the same direction of at least half of both thresholds.
        while start in steps and _moves(*steps[start], signal, threshold / 2):
            b, a = steps[start]
            if abs(a - b) < min_value / 2:
                break
            start -= 1
        values = series.partners.get(partner, {})
        before, after = values.get(start, 0.0), values.get(year, 0.0)
        share_before, share_after = series.share(partner, start), series.share(partner, year)
        evidence: dict[str, Any] = {
            "from_year": start,
            "to_year": year,
            "before": before,
            "after": after,
            "change": None if before == 0 else (after - before) / before,
            "change_value": after - before,
            "share_before": share_before,
            "share_after": share_after,
            "total_before": series.totals.get(start),
            "total_after": series.totals.get(year),
            "by_year": {y: values.get(y, 0.0) for y in range(start, year + 1)},
            "currency": series.currency,
            "thresholds": (
                {"min_fall": threshold, "min_value": min_value}
                if signal == "import_collapse"
                else {"min_rise": threshold, "min_value": min_value}
            ),
        }
        if series.covers:
            evidence["codes_also_cover"] = list(series.covers)
        out.append(
            Alert(
                signal,
                series.material,
                year,
                partner,
                max(share_before or 0.0, share_after or 0.0),
                max(before, after),
                series.currency,
                (series.source,),
                evidence,
            )
        )
    return out


# ---- signals 2 and 3: the top partner's share, share gains ------------------------------------------------


def top_share_crossings(panel: Panel, config: WatchConfig) -> list[Alert]:
    """The top partner's share crossing a level: upwards (``top_share_up``) or downwards (``top_share_down``).

    s = max_i vᵢ / Σ v; up when s_{y−1} < L ≤ s_y, down when s_y < L ≤ s_{y−1}.
    """
    cfg = config.signals.top_share
    if not cfg.enabled:
        return []
    alerts = []
    for series in panel.values():
        for y0, y1 in series.pairs():
            p0, s0 = series.top(y0)
            p1, s1 = series.top(y1)
            if s0 is None or s1 is None:
                continue
            up = [level for level in cfg.levels if s0 < level <= s1]
            down = [level for level in cfg.levels if s1 < level <= s0]
            if up and series.totals[y1] >= cfg.min_total_value:
                signal, level, partner = "top_share_up", max(up), p1
            elif down and series.totals[y0] >= cfg.min_total_value:
                signal, level, partner = "top_share_down", min(down), p0
            else:
                continue
            assert partner is not None
            evidence: dict[str, Any] = {
                "from_year": y0,
                "to_year": y1,
                "level": level,
                "top_share_before": s0,
                "top_share_after": s1,
                "top_partner_before": p0,
                "top_partner_after": p1,
                "partner_share_before": series.share(partner, y0),
                "partner_share_after": series.share(partner, y1),
                "total_before": series.totals[y0],
                "total_after": series.totals[y1],
                "currency": series.currency,
                "thresholds": {"levels": cfg.levels, "min_total_value": cfg.min_total_value},
            }
            if series.covers:
                evidence["codes_also_cover"] = list(series.covers)
            exposure = s1 if signal == "top_share_up" else s0
            year_of_value = y1 if signal == "top_share_up" else y0
            alerts.append(
                Alert(
                    signal,
                    series.material,
                    y1,
                    partner,
                    exposure,
                    series.value(partner, year_of_value),
                    series.currency,
                    (series.source,),
                    evidence,
                )
            )
    return alerts


def share_gains(panel: Panel, config: WatchConfig) -> list[Alert]:
    """Partners whose value share rises by at least ``min_points`` in a year."""
    cfg = config.signals.share_gain
    if not cfg.enabled:
        return []
    alerts = []
    for series in panel.values():
        for y0, y1 in series.pairs():
            t0, t1 = series.totals[y0], series.totals[y1]
            if t1 < cfg.min_total_value:
                continue
            before = series.by_year().get(y0, {})
            for partner, v1 in series.by_year().get(y1, {}).items():
                if v1 / t1 < cfg.min_points:
                    continue
                s0, s1 = before.get(partner, 0.0) / t0, v1 / t1
                if s1 - s0 < cfg.min_points:
                    continue
                evidence = {
                    "from_year": y0,
                    "to_year": y1,
                    "share_before": s0,
                    "share_after": s1,
                    "points": s1 - s0,
                    "value_before": series.value(partner, y0),
                    "value_after": series.value(partner, y1),
                    "total_before": series.totals[y0],
                    "total_after": series.totals[y1],
                    "currency": series.currency,
                    "thresholds": {"min_points": cfg.min_points, "min_total_value": cfg.min_total_value},
                }
                if series.covers:
                    evidence["codes_also_cover"] = list(series.covers)
                alerts.append(
                    Alert(
                        "share_gain",
                        series.material,
                        y1,
                        partner,
                        s1,
                        series.value(partner, y1),
                        series.currency,
                        (series.source,),
                        evidence,
                    )
                )
    return alerts


# ---- signal 4: export controls ----------------------------------------------------------------------------


def applies_to(destination_scope: str | None, importer: Country | Group) -> bool:
    """Whether a measure's destination scope covers the importer.

    "all destinations" (or an empty scope) covers everyone; otherwise the scope text must name the importer
    (or, for the EU-27, one of its members or the EU).
    """
    text = (destination_scope or "").strip().casefold()
    if not text or text.startswith("all"):
        return True
    registry = countries()
    names = []
    for iso3 in importer.members:
        country = registry.get(iso3)
        names += [country.name_en, country.name_nl, *country.aliases]
    if isinstance(importer, Group):
        names += ["european union", "eu"]
    return any(name and name.casefold() in text for name in names)


def _target(material: str, panel: Panel, aliases: dict[str, str]) -> str | None:
    """The panel series answering for a material: itself, the basket series it shares, or its group."""
    if material in panel:
        return material
    if aliases.get(material) in panel:
        return aliases[material]
    try:
        groups = materials().get(material).groups
    except KeyError:
        return None
    return next((g for g in groups if g in panel), None)


def export_control_hits(
    panel: Panel,
    measures: Sequence[dict[str, Any]],
    importer: Country | Group,
    config: WatchConfig,
    aliases: dict[str, str] | None = None,
) -> tuple[list[Alert], list[str]]:
    """Export controls that hit a material the importer took ≥ ``min_share`` of from the controlling country.

    ``measures`` are rows of the ``export_controls`` table. The share is the controlling country's value
    share of the importer's imports in the year before the measure took effect. Returns the alerts and notes
    on measures that could not be evaluated (no trade data in that year) or do not apply (destination).
    """
    cfg = config.signals.export_control
    if not cfg.enabled:
        return [], []
    alerts: list[Alert] = []
    notes: list[str] = []
    for measure in measures:
        effective = measure.get("effective")
        if effective is None or not measure.get("materials"):
            continue
        if not applies_to(measure.get("destination_scope"), importer):
            notes.append(
                f"Export control {measure['id']} applies to {measure.get('destination_scope')}; "
                f"not evaluated for {importer.name()}."
            )
            continue
        targets: dict[str, list[str]] = {}
        for material in measure["materials"]:
            target = _target(material, panel, aliases or {})
            if target is not None:
                targets.setdefault(target, []).append(material)
        year_before = effective.year - 1
        country = measure["country"]
        for target, covered in targets.items():
            series = panel[target]
            if not series.totals.get(year_before):
                years = sorted(series.totals)
                notes.append(
                    f"Export control {measure['id']} on {target}: no {series.source} imports in "
                    f"{year_before} (data {years[0]}–{years[-1]}), so the share before it is unknown."
                )
                continue
            share = series.share(country, year_before) or 0.0
            if share < cfg.min_share:
                continue
            ended = measure.get("ended")
            after = [
                {"year": y, "value": series.value(country, y), "share": series.share(country, y)}
                for y in sorted(series.totals)
                if y >= effective.year
            ]
            evidence = {
                "measure": measure["id"],
                "measure_type": measure.get("measure_type"),
                "scope": measure.get("scope"),
                "legal_instrument": measure.get("legal_instrument"),
                "announced": measure.get("announced"),
                "effective": effective,
                "ended": ended,
                "suspension_until": measure.get("suspension_until"),
                "destination_scope": measure.get("destination_scope"),
                "materials_covered": covered,
                "year_before": year_before,
                "share_before": share,
                "value_before": series.value(country, year_before),
                "total_before": series.totals[year_before],
                "after": after,
                "currency": series.currency,
                "thresholds": {"min_share": cfg.min_share},
            }
            if target not in covered:
                evidence["traded_as"] = target
            alerts.append(
                Alert(
                    "export_control",
                    target,
                    effective.year,
                    country,
                    share,
                    series.value(country, year_before),
                    series.currency,
                    ("export_controls", series.source),
                    evidence,
                    date=effective,
                    factor=cfg.suspended_weight if ended is not None else 1.0,
                    key=measure["id"],
                )
            )
    return alerts, notes


# ---- signal 5: world production concentration -------------------------------------------------------------


def concentration_rises(hhi_rows: Iterable[dict[str, Any]], panel: Panel, config: WatchConfig) -> list[Alert]:
    """World production HHI rising by ``min_increase`` in a year or crossing a level upwards.

    ``hhi_rows``: ``{material, commodity, stage, unit, year, hhi, top, top_share, countries}`` per year (see
    :func:`production_hhi`). Only materials in ``panel`` (imported by the importer) are evaluated; the money
    at stake is the importer's imports of the material in that year.
    """
    cfg = config.signals.production_concentration
    if not cfg.enabled:
        return []
    series_of: dict[tuple[str, str], dict[int, dict[str, Any]]] = {}
    for row in hhi_rows:
        if row["material"] in panel and row["hhi"] is not None:
            series_of.setdefault((row["material"], row["commodity"]), {})[int(row["year"])] = row
    alerts = []
    for (material, commodity), by_year in series_of.items():
        trade = panel[material]
        for year in sorted(by_year):
            if year - 1 not in by_year:
                continue
            before, after = by_year[year - 1], by_year[year]
            h0, h1 = before["hhi"], after["hhi"]
            crossed = [level for level in cfg.levels if h0 < level <= h1]
            if h1 - h0 < cfg.min_increase and not crossed:
                continue
            imports = trade.totals.get(year)
            evidence = {
                "commodity": commodity,
                "stage": after.get("stage"),
                "from_year": year - 1,
                "to_year": year,
                "hhi_before": h0,
                "hhi_after": h1,
                "hhi_change": h1 - h0,
                "level_crossed": max(crossed) if crossed else None,
                "top_producer_before": before.get("top"),
                "top_share_before": before.get("top_share"),
                "top_producer_after": after.get("top"),
                "top_share_after": after.get("top_share"),
                "importer_imports": imports,
                "currency": trade.currency,
                "thresholds": {"min_increase": cfg.min_increase, "levels": cfg.levels},
            }
            alerts.append(
                Alert(
                    "production_concentration",
                    material,
                    year,
                    after.get("top"),
                    h1,
                    imports,
                    trade.currency,
                    ("wmd", trade.source) if imports else ("wmd",),
                    evidence,
                )
            )
    return alerts


# ---- signal 6: the refined stage over time (top-6 extract) ------------------------------------------------

REFINED_SOURCE = "baci_refined_top6"


def refined_trends(panel: Panel, codes: dict[str, tuple[str, ...]], config: WatchConfig) -> list[Alert]:
    """Partners whose share of the importer's retained refined-stage flows moves by ``min_points`` over
    ``years`` years (value moving the same way by ``min_value``); see the module docstring.

    ``panel`` holds the top-6 extract's flows (:func:`refined_panel`): totals are retained totals, shares
    shares of the retained flows. ``codes`` names each material's refined code for the evidence.
    """
    cfg = config.signals.refined_trend
    if not cfg.enabled:
        return []
    span = cfg.years
    alerts: list[Alert] = []
    for series in panel.values():
        years = {y for y, total in series.totals.items() if total > 0}
        for partner, values in series.partners.items():

            def move(
                year: int, partner: str = partner, series: Series = series, years: set[int] = years
            ) -> int:
                """+1 / −1 when the window ending in ``year`` fires upwards / downwards, else 0."""
                if year not in years or year - span not in years:
                    return 0
                s0, s1 = series.share(partner, year - span) or 0.0, series.share(partner, year) or 0.0
                v0, v1 = series.value(partner, year - span), series.value(partner, year)
                direction = 1 if s1 > s0 else -1
                if abs(s1 - s0) >= cfg.min_points and (v1 - v0) * direction >= cfg.min_value:
                    return direction
                return 0

            if max(values.values()) < cfg.min_value:
                continue  # can never move by min_value
            for year in sorted(years):
                direction = move(year)
                if not direction or move(year + 1) == direction:
                    continue  # reported with the last year of a run
                run = [year]
                while move(run[0] - 1) == direction:
                    run.insert(0, run[0] - 1)
                # Of the run's windows, the one with the largest move is reported (its own years and figures).
                end = max(
                    run,
                    key=lambda y, p=partner, se=series: abs(  # type: ignore[misc]
                        (se.share(p, y) or 0.0) - (se.share(p, y - span) or 0.0)
                    ),
                )
                start = end - span
                s0, s1 = series.share(partner, start) or 0.0, series.share(partner, end) or 0.0
                v0, v1 = series.value(partner, start), series.value(partner, end)
                evidence = {
                    "from_year": start,
                    "to_year": end,
                    "run": [run[0] - span, run[-1]],
                    "direction": "up" if direction > 0 else "down",
                    "share_before": s0,
                    "share_after": s1,
                    "points": s1 - s0,
                    # None: not among the retained flows that year (below the top 6), not zero.
                    "value_before": values.get(start),
                    "value_after": values.get(end),
                    "total_before": series.totals.get(start),
                    "total_after": series.totals.get(end),
                    "by_year": {y: values.get(y) for y in range(start, end + 1)},
                    "share_by_year": {
                        y: series.share(partner, y) for y in range(start, end + 1) if y in years
                    },
                    "codes": list(codes.get(series.material, ())),
                    "coverage": "top-6 extract",
                    "share_basis": "of the retained (top-6) flows",
                    "total_bound": "lower bound",
                    "currency": series.currency,
                    "thresholds": {"years": span, "min_points": cfg.min_points, "min_value": cfg.min_value},
                }
                if series.covers:
                    evidence["codes_also_cover"] = list(series.covers)
                alerts.append(
                    Alert(
                        "refined_trend",
                        series.material,
                        end,
                        partner,
                        max(s0, s1),
                        max(v0, v1),
                        series.currency,
                        (REFINED_SOURCE,),
                        evidence,
                    )
                )
    return alerts


# ---- signal 7: price spikes -------------------------------------------------------------------------------

PRICE_SOURCE_NAMES = {
    "worldbank_cmo": ("World Bank Pink Sheet", "Wereldbank Pink Sheet"),
    "usgs_mcs2025_salient": ("USGS MCS 2025", "USGS MCS 2025"),
}


def _month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def _stake(trade: Series | None, refined: Series | None, year: int) -> tuple[Series, int] | None:
    """The import figure a price spike puts at stake: the series (main trade source, or the refined stage
    when it is larger in the same currency) and its year (the latest year with data up to ``year``)."""
    options = []
    for series in (trade, refined):
        years = [y for y in (series.totals if series else {}) if y <= year]
        if series is not None and years:
            options.append((series, max(years)))
    if not options:
        return None
    main = options[0]
    for series, y in options[1:]:
        if series.currency == main[0].currency and series.totals[y] > main[0].totals[main[1]]:
            return series, y
    return main


def price_spikes(
    price_rows: Iterable[dict[str, Any]], panel: Panel, config: WatchConfig, refined: Panel | None = None
) -> list[Alert]:
    """Rises of a market price of at least ``min_rise`` in 12 months (see the module docstring).

    ``price_rows``: rows of the ``prices`` table ``{material, source, series, period, value, unit, currency,
    frequency}``. Only materials the importer imports (in ``panel``, or at the refined stage in ``refined``)
    are evaluated, from the first year of that trade data. The money at stake is the importer's imports of
    the material in the alert's year (the latest year with data when later): from its trade source, or the
    refined stage's retained total when that is larger in the same currency (a price is mostly the refined
    metal's: LME nickel against NL's unwrought nickel rather than its nickel ore); the evidence says which.
    """
    cfg = config.signals.price_spike
    if not cfg.enabled:
        return []
    refined = refined or {}
    by_series: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for row in price_rows:
        if (row["material"] in panel or row["material"] in refined) and row["value"] is not None:
            by_series.setdefault((row["material"], row["source"], row["series"]), []).append(row)
    best: dict[tuple[str, int], Alert] = {}
    for (material, source, name), rows in by_series.items():
        trade, top6 = panel.get(material), refined.get(material)
        first_year = min(min(s.totals) for s in (trade, top6) if s is not None and s.totals)
        monthly = rows[0]["frequency"] == "monthly"
        lag = 12 if monthly else 1
        at = {(_month_index(r["period"]) if monthly else r["period"].year): r for r in rows}
        rises = {}
        for t, row in at.items():
            before = at.get(t - lag)
            if before is not None and before["value"] > 0:
                rises[t] = row["value"] / before["value"] - 1.0
        for t in sorted(rises):
            if rises[t] < cfg.min_rise or rises.get(t + 1, -math.inf) >= cfg.min_rise:
                continue  # a run of steps over the threshold is one alert, made at its last step
            run = [t]
            while rises.get(run[0] - 1, -math.inf) >= cfg.min_rise:
                run.insert(0, run[0] - 1)
            peak = max(run, key=lambda i: rises[i])
            after, before = at[peak], at[peak - lag]
            year = after["period"].year
            stake = _stake(trade, top6, year)
            if year < first_year or stake is None:
                continue
            at_stake, imports_year = stake
            evidence = {
                "price_source": source,
                "series": name,
                "unit": after["unit"],
                "price_currency": after["currency"],
                "frequency": after["frequency"],
                "from_period": before["period"],
                "to_period": after["period"],
                "price_before": before["value"],
                "price_after": after["value"],
                "rise": rises[peak],
                "run": [at[run[0]]["period"], at[run[-1]]["period"]],
                "importer_imports": at_stake.totals[imports_year],
                "imports_year": imports_year,
                "trade_source": at_stake.source,
                "currency": at_stake.currency,
                "thresholds": {"min_rise": cfg.min_rise},
            }
            if at_stake is top6:
                evidence["imports_basis"] = "refined stage, top-6 extract: retained total, a lower bound"
            alert = Alert(
                "price_spike",
                material,
                year,
                None,
                min(1.0, rises[peak]),
                at_stake.totals[imports_year],
                at_stake.currency,
                (source, at_stake.source),
                evidence,
                key=name,
            )
            kept = best.get((material, year))
            if kept is None or rises[peak] > kept.evidence["rise"]:
                best[(material, year)] = alert
    return list(best.values())


# ---- severity and wording ---------------------------------------------------------------------------------


def scale(value: float | None, reference: float) -> float:
    """Money term of the severity: clamp(0.25 + log₁₀(value / reference) / 4, 0.1, 1)."""
    if not value or value <= 0:
        return 0.1
    return min(1.0, max(0.1, 0.25 + math.log10(value / reference) / 4))


def material_bonus(material_ids: Iterable[str], config: WatchConfig) -> float:
    """``strategic_bonus`` if any material is CRMA strategic, ``critical_bonus`` if EU critical, else 1."""
    registry = materials()
    found = [registry.get(m) for m in material_ids if _known(m)]
    if any(m.crma_strategic for m in found):
        return config.severity.strategic_bonus
    if any(m.crma_critical or m.eu_crm_2023 for m in found):
        return config.severity.critical_bonus
    return 1.0


def _known(material: str) -> bool:
    try:
        materials().get(material)
    except KeyError:
        return False
    return True


def severity(
    alert: Alert, config: WatchConfig, latest_year: int, bonus: float
) -> tuple[float, dict[str, Any]]:
    """Score an alert: 100 × weight × exposure × scale × bonus × recency (rounded to 0.1); and its terms."""
    family, attribute = _WEIGHTS[alert.signal]
    weight = getattr(getattr(config.signals, family), attribute) * alert.factor
    money = scale(alert.value, config.severity.value_reference)
    half_life = config.severity.recency_half_life
    recency = 0.5 ** (max(0, latest_year - alert.year) / half_life) if half_life else 1.0
    exposure = min(1.0, max(0.0, alert.exposure))
    score = 100 * weight * exposure * money * bonus * recency
    terms = {
        "weight": weight,
        "exposure": exposure,
        "scale": money,
        "bonus": bonus,
        "recency": recency,
        "latest_year": latest_year,
    }
    return round(score, 1), terms


def money(value: float | None, currency: str | None, lang: str = "en") -> str:
    """``8683031, "EUR"`` → "€8.7 m" (Dutch: "€8,7 mln"); thousands as k, billions as bn (mld)."""
    if value is None:
        return "—"
    symbol = {"EUR": "€", "USD": "$"}.get(currency or "", f"{currency} " if currency else "")
    nl = lang == "nl"
    size = abs(value)
    if size >= 1e9:
        text, unit = f"{value / 1e9:.2f}", "mld" if nl else "bn"
    elif size >= 1e5:
        text, unit = f"{value / 1e6:.1f}", "mln" if nl else "m"
    elif size >= 1e3:
        text, unit = f"{value / 1e3:.0f}", "k"
    else:
        text, unit = f"{value:.0f}", ""
    if nl:
        text = text.replace(".", ",")
    return f"{symbol}{text} {unit}".strip() if unit else f"{symbol}{text}"


def pct(fraction: float | None, digits: int = 0) -> str:
    """0.931 → "93 %"."""
    if fraction is None:
        return "—"
    return f"{fraction * 100:,.{digits}f} %"


def _hhi(value: float, lang: str) -> str:
    text = f"{value:.3f}"
    return text.replace(".", ",") if lang == "nl" else text


def title(alert: Alert, material_name: str, partner_name: str | None, lang: str = "en") -> str:
    """One readable line with the figures, e.g. "Gallium imports from China fell 93 % (€8.7 m → €0.6 m,
    2022→2024)"."""
    ev, nl = alert.evidence, lang == "nl"
    cur = alert.currency
    mat = material_name
    who = partner_name or "?"
    span = f"{ev.get('from_year')}→{ev.get('to_year')}"
    if alert.signal in ("import_collapse", "import_jump"):
        before, after = money(ev["before"], cur, lang), money(ev["after"], cur, lang)
        if ev["before"] == 0:
            y0, y1 = ev["from_year"], ev["to_year"]
            if nl:
                return f"Nieuwe import van {mat} uit {who}: {after} in {y1} (niets in {y0})"
            return f"{_cap(mat)} imports from {who} appeared: {after} in {y1} (none in {y0})"
        change = pct(abs(ev["change"]))
        if nl:
            verb = "daalde" if alert.signal == "import_collapse" else "steeg"
            return f"Import van {mat} uit {who} {verb} {change} ({before} → {after}, {span})"
        verb = "fell" if alert.signal == "import_collapse" else "rose"
        return f"{_cap(mat)} imports from {who} {verb} {change} ({before} → {after}, {span})"
    if alert.signal == "top_share_up":
        level, s1, s0 = pct(ev["level"]), pct(ev["top_share_after"]), pct(ev["top_share_before"])
        if nl:
            return (
                f"Grootste leverancier van {mat} boven {level}: {who} {s1} in {ev['to_year']} "
                f"(grootste aandeel {s0} in {ev['from_year']})"
            )
        return (
            f"Top supplier of {mat} above {level}: {who} {s1} of imports in {ev['to_year']} "
            f"(top share {s0} in {ev['from_year']})"
        )
    if alert.signal == "top_share_down":
        level, s1, s0 = pct(ev["level"]), pct(ev["top_share_after"]), pct(ev["top_share_before"])
        if nl:
            return (
                f"Grootste leverancier van {mat} onder {level}: {s1} in {ev['to_year']} "
                f"({who} had {s0} in {ev['from_year']})"
            )
        return (
            f"Top supplier share of {mat} fell below {level}: {s1} in {ev['to_year']} "
            f"({who} had {s0} in {ev['from_year']})"
        )
    if alert.signal == "share_gain":
        points = f"{ev['points'] * 100:.0f}"
        s0, s1 = pct(ev["share_before"]), pct(ev["share_after"])
        if nl:
            return f"{who} won {points} procentpunt van de import van {mat} ({s0} → {s1}, {span})"
        return f"{who} gained {points} share points of {mat} imports ({s0} → {s1}, {span})"
    if alert.signal == "export_control":
        share, value = pct(ev["share_before"]), money(ev["value_before"], cur, lang)
        date = ev["effective"].isoformat()
        state = ""
        if ev.get("ended"):
            state = (
                f"; opgeschort {ev['ended'].isoformat()}" if nl else f"; suspended {ev['ended'].isoformat()}"
            )
        if nl:
            return (
                f"Exportbeperking {ev['measure']} van {who} (vanaf {date}{state}) raakt {mat}: "
                f"{share} van de import kwam in {ev['year_before']} uit {who} ({value})"
            )
        kind = ev.get("measure_type")
        return (
            f"{who} export control {ev['measure']} ({kind}, from {date}{state}) hits {mat}: "
            f"{share} of imports came from {who} in {ev['year_before']} ({value})"
        )
    if alert.signal == "production_concentration":
        h0, h1 = _hhi(ev["hhi_before"], lang), _hhi(ev["hhi_after"], lang)
        top = pct(ev.get("top_share_after"))
        if nl:
            crossed = f", boven {_hhi(ev['level_crossed'], lang)}" if ev["level_crossed"] else ""
            return (
                f"Wereldproductie van {mat} geconcentreerder: HHI {h0} → {h1} ({span}{crossed}); "
                f"grootste producent {who} {top}"
            )
        crossed = f", above {_hhi(ev['level_crossed'], lang)}" if ev["level_crossed"] else ""
        return (
            f"World production of {mat} more concentrated: HHI {h0} → {h1} ({span}{crossed}); "
            f"top producer {who} {top}"
        )
    if alert.signal == "refined_trend":
        s0, s1 = pct(ev["share_before"]), pct(ev["share_after"])
        points = f"{abs(ev['points']) * 100:.0f}"
        absent = "niet in de behouden stromen" if nl else "not in the retained flows"
        v0, v1 = (
            absent if v is None else money(v, cur, lang) for v in (ev["value_before"], ev["value_after"])
        )
        code = "/".join(ev.get("codes") or []) or "?"
        if nl:
            verb = "steeg" if ev["direction"] == "up" else "daalde"
            return (
                f"Raffinageschakel (top-6-bestand): aandeel van {who} in de behouden invoer van {mat} "
                f"(HS {code}) {verb} {points} procentpunt ({s0} → {s1}, {span}; {v0} → {v1})"
            )
        verb = "rose" if ev["direction"] == "up" else "fell"
        return (
            f"Refined stage (top-6 extract): {who}'s share of retained {mat} imports (HS {code}) {verb} "
            f"{points} points ({s0} → {s1}, {span}; {v0} → {v1})"
        )
    if alert.signal == "price_spike":
        names = PRICE_SOURCE_NAMES.get(ev["price_source"], (ev["price_source"], ev["price_source"]))
        source = f"{names[1] if nl else names[0]} '{ev['series']}', {ev['unit']}"
        p0, p1 = _price(ev["price_before"], lang), _price(ev["price_after"], lang)
        when = f"{_period(ev['from_period'], ev['frequency'])}→{_period(ev['to_period'], ev['frequency'])}"
        rise = pct(ev["rise"])
        if ev["frequency"] == "monthly":
            if nl:
                return f"Prijs van {mat} steeg {rise} in 12 maanden ({source}: {p0} → {p1}, {when})"
            return f"{_cap(mat)} price rose {rise} in 12 months ({source}: {p0} → {p1}, {when})"
        if nl:
            return f"Prijs van {mat} steeg {rise} in een jaar ({source}: {p0} → {p1}, {when})"
        return f"{_cap(mat)} price rose {rise} in a year ({source}: {p0} → {p1}, {when})"
    raise ValueError(f"unknown signal {alert.signal!r}")


def _price(value: float, lang: str) -> str:
    """A price with its significant digits: 33924.5 → "33,925"; 6.25 → "6.25"."""
    text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
    if lang == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def _period(day: datetime.date, frequency: str) -> str:
    return day.isoformat()[:7] if frequency == "monthly" else str(day.year)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---- engine queries ---------------------------------------------------------------------------------------


def trade_panel(store: Store, plans: Sequence[Any], importer: Country | Group) -> list[tuple[Any, ...]]:
    """One query: per (material, year, partner) import value, every year of each material's chosen source;
    rows as tuples ``(source, material, year, exporter, value)`` (:data:`PANEL_COLUMNS`), ordered.

    Built from :func:`grondstof.indicators.trade.flows` and :func:`~grondstof.indicators.trade.partner_totals`
    over the plans of :func:`~grondstof.indicators.dependency.plan_imports` (all sources in one query).
    """
    from grondstof.indicators import trade as tr

    if not plans:
        return []
    by_source: dict[str, list[tr.CodeChoice]] = {}
    for plan in plans:
        by_source.setdefault(plan.source, []).append(plan.choice)
    # Ordered, so the panel (and the materials it lists) comes out the same on every engine.
    return _panel_rows(store, by_source, importer, ordered=True)


def refined_panel(
    store: Store, mats: Sequence[Material], importer: Country | Group
) -> tuple[Panel, dict[str, tuple[str, ...]]]:
    """One query: the importer's flows in the BACI top-6 extract per material, year and partner, as a
    :class:`Series` per material (baskets shared by several materials once), and each material's code.

    Built from :func:`grondstof.indicators.trade.flows` on ``baci_refined_top6`` (the EU-27 counts extra-EU
    partners only); totals are retained totals.
    """
    from grondstof.indicators import trade as tr
    from grondstof.indicators.dependency import Plan

    plans = [
        Plan(m, tr.REFINED_SOURCE, choice, (0, 0))
        for m in mats
        if (choice := tr.code_choice(m, tr.REFINED_CLASSIFICATION)).codes
    ]
    plans, covers, _ = _merge_baskets(plans)
    if not plans:
        return {}, {}
    rows = _panel_rows(store, {tr.REFINED_SOURCE: [p.choice for p in plans]}, importer, ordered=False)
    return _panel(rows, covers), {p.material.id: p.choice.codes for p in plans}


def price_rows(store: Store, material_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The ``prices`` table's rows of these materials (every series, every period), oldest first."""
    if not material_ids or not store.has_table("prices"):
        return []
    prices = store.table("prices")
    sel = prices.filter(prices.material.isin(list(material_ids)))
    return fetch(sel.order_by(["material", "source", "series", "period"]))


def production_hhi(store: Store, material_ids: Sequence[str]) -> list[dict[str, Any]]:
    """One query: World Mining Data production HHI, top producer and its share per material, commodity, year.

    HHI = Σ sᵢ² with sᵢ = country production / Σ country production (same commodity and year), as in
    :mod:`grondstof.indicators.supply`.
    """
    if not material_ids:
        return []
    prod = store.table("production")
    sel = prod.filter(
        (prod.source == "wmd")
        & prod.material.isin(list(material_ids))
        & prod.quantity.notnull()
        & (prod.quantity > 0)
    )
    keys = ["material", "commodity", "stage", "unit", "year"]
    per_country = sel.group_by([*keys, "country"]).aggregate(quantity=sel.quantity.sum())
    total = per_country.quantity.sum().over(group_by=keys)
    shared = per_country.mutate(share=per_country.quantity / total)
    agg = shared.group_by(keys).aggregate(
        hhi=hhi_of(shared.share),
        top=top_of(shared.country, shared.quantity),
        top_share=shared.share.max(),
        countries=shared.country.count(),
    )
    return fetch(agg.order_by(keys))


# ---- the library function ---------------------------------------------------------------------------------


def _watched_materials(config: WatchConfig) -> list[Material]:
    """Materials with trade codes, without fuels unless a CRM list names them (or ``include_fuels``)."""
    from grondstof.indicators.trade import TRADE_SOURCES, codes

    registry = materials()
    out = []
    for mat in registry.all():
        if mat.is_fuel and not (config.include_fuels or mat.eu_crm_2023 or mat.crma_critical):
            continue
        if any(codes(mat.id, c) for c in TRADE_SOURCES.values()):
            out.append(mat)
    return out


def _merge_baskets(plans: Sequence[Any]) -> tuple[list[Any], dict[str, tuple[str, ...]], dict[str, str]]:
    """Keep one plan per identical basket code set; return the plans, what each covers, and aliases."""
    kept: list[Any] = []
    covers: dict[str, tuple[str, ...]] = {}
    aliases: dict[str, str] = {}
    first: dict[tuple[str, tuple[str, ...]], str] = {}
    for plan in plans:
        key = (plan.source, plan.choice.codes)
        if plan.choice.basket and key in first:
            owner = first[key]
            covers[owner] = (*covers.get(owner, ()), plan.material.id)
            aliases[plan.material.id] = owner
            continue
        if plan.choice.basket:
            first[key] = plan.material.id
        kept.append(plan)
    return kept, covers, aliases


def _since(since: int | str | None) -> int | None:
    years = parse_years(since, parameter="since")
    if years is None:
        return None
    if years[0] != years[1]:
        raise InputError("since", since, "one year, e.g. 2022")
    return years[0]


def _source_text(store: Store, ids: Iterable[str]) -> str:
    parts = []
    for source_id in ids:
        entry = next((s for s in store.catalog["sources"] if s["id"] == source_id), None)
        version = entry.get("version") if entry else None
        parts.append(f"{source_id} ({version})" if version else source_id)
    return "; ".join(parts)


def alert_id(importer: str, alert: Alert) -> str:
    """Stable key of an alert: ``importer/signal/material/partner/year[/measure]``."""
    parts = [importer, alert.signal, alert.material, alert.partner or "-", str(alert.year)]
    if alert.key:
        parts.append(alert.key)
    return "/".join(parts)


def _rows(
    alerts: Sequence[Alert],
    panel: Panel,
    cfg: WatchConfig,
    latest: int,
    importer: str,
    store: Store,
    lang: str,
) -> tuple[list[dict[str, Any]], int]:
    """Score the alerts and word those at or above ``min_severity`` as result rows (unranked).

    Returns the rows and the number of alerts below ``min_severity``.
    """
    registry = materials()
    rows = []
    below = 0
    sources: dict[tuple[str, ...], str] = {}
    bonuses: dict[tuple[str, ...], float] = {}  # per set of materials: a few dozen for thousands of alerts
    for alert in alerts:
        series = panel.get(alert.material)
        # The refined-stage signal has its own panel: the materials its code covers are in its evidence.
        covers = alert.evidence.get("codes_also_cover") or (series.covers if series else ())
        members = (alert.material, *covers)
        bonus = bonuses.get(members)
        if bonus is None:
            bonus = bonuses[members] = material_bonus(members, cfg)
        score, terms = severity(alert, cfg, latest, bonus)
        if score < cfg.severity.min_severity:
            below += 1
            continue
        if alert.sources not in sources:
            sources[alert.sources] = _source_text(store, alert.sources)
        names = [registry.get(m).name(lang) for m in members if _known(m)]
        material_name = ", ".join(names) if names else alert.material
        partner_name = country_name(alert.partner, lang)
        # An export control names the materials it covers, not every material of a shared basket code.
        covered = alert.evidence.get("materials_covered") or []
        hit = ", ".join(registry.get(m).name(lang) for m in covered if _known(m)) or material_name
        rows.append(
            {
                "severity": score,
                "signal": alert.signal,
                "material": alert.material,
                "material_name": material_name,
                "partner": alert.partner,
                "partner_name": partner_name,
                "year": alert.year,
                "date": alert.date,
                "title": title(
                    alert, hit if alert.signal == "export_control" else material_name, partner_name, lang
                ),
                "exposure": alert.exposure,
                "value": alert.value,
                "currency": alert.currency,
                "evidence": {**alert.evidence, "severity": terms},
                "source": sources[alert.sources],
                "alert_id": alert_id(importer, alert),
            }
        )
    return rows, below


class WatchParams(Params):
    """Parameters of :func:`watch` (``grondstof watch``, ``/api/v1/watch``)."""

    country: Annotated[
        CountryText,
        described(
            "The importer: ISO2/ISO3 code, English or Dutch name, or EU27.",
            "De importeur: ISO2/ISO3-code, Engelse of Nederlandse naam, of EU27.",
            min_length=1,
            max_length=100,
        ),
    ]
    since: Annotated[
        int | None,
        described(
            "Only alerts of this year or later.", "Alleen signalen van dit jaar of later.", ge=1900, le=2100
        ),
    ] = None
    limit: Annotated[
        int | None,
        described("Only the N most severe alerts.", "Alleen de N zwaarste signalen.", ge=1, le=5000),
    ] = None
    config: Annotated[
        str | None,
        described(
            "YAML file with signal thresholds (see --print-config).",
            "YAML-bestand met drempels per signaal (zie --print-config).",
        ),
        Cli(path=True),
    ] = None
    lang: Lang = "en"


def watch(
    country: str | Country | Group,
    *,
    since: int | str | None = None,
    config: str | Path | WatchConfig | dict[str, Any] | None = None,
    store: Store | None = None,
    lang: str = "en",
    limit: int | str | None = None,
) -> Result:
    """Early-warning alerts for one importer, ranked by severity (rows as in :data:`ALERT_FIELDS`).

    Parameters
    ----------
    country:
        The importer: ISO2/ISO3 code, English or Dutch name, or ``EU27`` (extra-EU imports).
    since:
        Report only alerts of this year or later (all years of the data are still read, so a change from
        the year before ``since`` is seen). Default: every year of the data.
    config:
        A YAML/JSON file (or dict) with thresholds; keys left out keep the defaults of
        ``default_signals.yaml``. Unknown keys, wrong types and negative thresholds raise InputError
        naming the key.
    limit:
        Keep only the first ``limit`` alerts after ranking.

    The severity rule and each signal's formula are in the module docstring; ``meta["severity_rule"]``
    repeats the rule and ``evidence["severity"]`` holds each alert's terms.
    """
    from grondstof.indicators import trade as tr
    from grondstof.indicators.dependency import plan_imports
    from grondstof.monitor.config import load_config
    from grondstof.store import open_store

    cfg = load_config(config)
    importer = (
        country
        if isinstance(country, (Country, Group))
        else countries().resolve_importer(str(country), parameter="country")
    )
    importer.name(lang)  # validates lang
    first_year = _since(since)
    if limit is not None:
        limit = parse_int(limit, "limit", minimum=1, expected="a whole number of at least 1")
    store = store or open_store()
    watched = _watched_materials(cfg)
    plans, skipped = plan_imports(store, watched, [importer], None, None, None)
    plans, covers, aliases = _merge_baskets(plans)
    panel = _panel(trade_panel(store, plans, importer), covers)
    if not panel:
        raise InputError("country", importer.name(), "an importer with trade data in the store")
    latest = max(max(s.totals) for s in panel.values())
    earliest = min(min(s.totals) for s in panel.values())
    notes: list[str] = []
    alerts = import_changes(panel, cfg) + top_share_crossings(panel, cfg) + share_gains(panel, cfg)
    used = {"export_controls": False, "wmd": False}
    if cfg.signals.export_control.enabled and store.has_table("export_controls"):
        found, measure_notes = export_control_hits(
            panel, store.rows("export_controls"), importer, cfg, aliases
        )
        alerts += found
        notes += measure_notes
        used["export_controls"] = True
    if cfg.signals.production_concentration.enabled and store.has_table("production"):
        alerts += concentration_rises(production_hhi(store, sorted(panel)), panel, cfg)
        used["wmd"] = True
    refined: Panel = {}
    if store.has_table("trade_top_flows") and (
        cfg.signals.refined_trend.enabled or cfg.signals.price_spike.enabled
    ):
        refined, refined_codes = refined_panel(store, watched, importer)
        alerts += refined_trends(refined, refined_codes, cfg)
    if cfg.signals.price_spike.enabled:
        spikes = price_spikes(price_rows(store, sorted({*panel, *refined})), panel, cfg, refined)
        alerts += spikes
        for spike in spikes:
            used[spike.sources[0]] = True
    if any(REFINED_SOURCE in a.sources for a in alerts):
        used[REFINED_SOURCE] = True
    if first_year is not None:
        last = max([latest, *(a.year for a in alerts)])
        if first_year > last:
            raise InputError("since", since, f"a year up to {last} (the trade data ends in {latest})")
        alerts = [a for a in alerts if a.year >= first_year]

    rows, below = _rows(alerts, panel, cfg, latest, importer.code, store, lang)
    floor = cfg.severity.min_severity
    order = {s: i for i, s in enumerate(SIGNALS)}
    rows.sort(
        key=lambda r: (-r["severity"], -r["year"], order[r["signal"]], r["material"], r["partner"] or "")
    )
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    counts = {s: sum(1 for r in rows if r["signal"] == s) for s in SIGNALS}
    total = len(rows)
    if limit is not None:
        rows = rows[:limit]

    trade_sources = sorted({s.source for s in panel.values()}, key=list(tr.TRADE_SOURCES).index)
    cited = trade_sources + [s for s, on in used.items() if on]
    notes = [
        "Each material is read from one trade source, chosen as `grondstof imports` does (BACI HS92 first, "
        "Comext CN8 where BACI has no own code); money thresholds are in that source's currency "
        "(USD for BACI, EUR for Comext), never converted.",
        "Severity = 100 × weight × exposure × scale × bonus × recency (see meta.severity_rule); "
        "the terms of each alert are in evidence.severity.",
        "Production concentration is evaluated only for materials the importer imports (World Mining Data).",
        "Refined-stage trends come from the BACI top-6 extract (baci_refined_top6, USD): shares are of the "
        "retained flows (each importer's 6 largest suppliers and each exporter's 6 largest customers), "
        "totals lower bounds; each such alert says so.",
        "Price spikes: a market price (World Bank Pink Sheet monthly, USGS MCS 2025 annual; own unit and "
        "currency, named in the alert) rising by min_rise or more in 12 months, for materials the importer "
        "imports; the money at stake is the importer's imports in the trade source's currency.",
        *notes,
    ]
    if isinstance(importer, Group):
        notes.append("EU-27: extra-EU imports only (partners inside the EU-27 left out).")
    merged = [f"{owner} also stands for {', '.join(c)}" for owner, c in covers.items()]
    if merged:
        notes.append(
            "Materials that share the same basket codes are watched once: " + "; ".join(merged) + "."
        )
    if below:
        notes.append(
            f"{below} alert(s) scored below min_severity {floor:g} (small, old or remote) and are not shown; "
            "lower severity.min_severity in the configuration to see them."
        )
    notes += [f"Not watched — {text}" for text in skipped if "no trade codes" not in text]
    meta: dict[str, Any] = {
        "query": {
            "country": importer.code,
            "since": first_year,
            "config": str(config) if isinstance(config, (str, Path)) else ("custom" if config else "default"),
            "limit": limit,
            "lang": lang,
        },
        "importer": {"code": importer.code, "name": importer.name(lang)},
        "sources": store.cite(*cited),
        "config": cfg.model_dump(),
        "severity_rule": (
            "severity = 100 × weight × exposure × scale × bonus × recency; exposure = share of the "
            "importer's supply at stake (0–1); scale = clamp(0.25 + log10(value / value_reference) / 4, "
            "0.1, 1); bonus = strategic_bonus (CRMA strategic), critical_bonus (EU critical) or 1; "
            "recency = 0.5 ** ((latest_year − year) / recency_half_life)"
        ),
        "latest_year": latest,
        "years": [earliest, latest],
        "alerts": {"total": total, "below_min_severity": below, "shown": len(rows), "by_signal": counts},
        "materials": [
            {"id": s.material, "source": s.source, "years": [min(s.totals), max(s.totals)]}
            for s in panel.values()
        ],
        "data_updated": store.catalog.get("built_at"),
        "units": {
            "value": "in `currency` (USD FOB for BACI, EUR CIF for Comext)",
            "shares": "fraction 0–1",
            "hhi": "0–1",
        },
        "notes": notes,
    }
    who = importer.name(lang)
    heading = f"Vroegtijdige signalen voor {who}" if lang == "nl" else f"Early warnings for {who}"
    if first_year is not None:
        heading += f" ({'vanaf' if lang == 'nl' else 'since'} {first_year})"
    return Result(heading, ALERT_FIELDS, rows, meta)


def evidence_as_text(result: Result) -> Result:
    """The same result with each row's ``evidence`` object as compact JSON text (for CSV output)."""
    import json

    rows = [
        {**row, "evidence": json.dumps(row.get("evidence"), default=str, ensure_ascii=False)}
        for row in result.rows
    ]
    return Result(result.title, result.fields, rows, result.meta)


__all__ = [
    "ALERT_FIELDS",
    "SIGNALS",
    "Alert",
    "Series",
    "build_panel",
    "concentration_rises",
    "evidence_as_text",
    "export_control_hits",
    "import_changes",
    "production_hhi",
    "severity",
    "share_gains",
    "title",
    "top_share_crossings",
    "trade_panel",
    "watch",
]
