"""Commodity prices: the series a source publishes for a material, and indicators of their movement.

Sources (table ``prices``): the World Bank Pink Sheet (``worldbank_cmo``; monthly, 1960 to the latest month,
nominal US dollars, LME/London fixing/spot quotations: aluminium, copper, lead, tin, nickel, zinc, gold,
platinum, silver, iron ore, phosphate rock, potassium chloride, coal, natural rubber) and the USGS Mineral
Commodity Summaries 2025 salient statistics (``usgs_mcs2025_salient``; annual 2020–2024, U.S. market prices,
the latest year an estimate: cobalt, lithium, gallium, germanium, rare-earth oxides, tungsten APT, …).

**Units and currency.** Every row keeps the source's unit (``$/mt``, ``$/lb``, ``$/troy oz``, ``$/kg``,
``¢/lb``, ``$/mtu``) and currency (nominal US dollars). Prices in different units or currencies are never
added or averaged together; each series stands alone. A conversion to euro is made only on request
(``currency="EUR"``) and only with a named exchange-rate source: the ECB euro reference rate, annual average
of the price's year (:data:`grondstof.indicators.exchange_rates.USD_PER_EUR`, ECB Data Portal
EXR.A.USD.EUR.SP00.A); each converted row states the rate and its source. A year without an ECB rate (before
1999, or after the last year in the table) gives a null converted price with the reason, never an unconverted
number.

**Annual series from monthly data.** Without ``monthly`` a monthly series is shown as calendar-year averages
of the months with a price: ``months`` says how many (a year with fewer than 12, such as the current
year, is a partial average and says so in ``note``).

Indicators (:func:`price_indicators`), per series over a window of ``window`` years ending at the latest
observation (or ``end``), on the monthly values (annual for annual series):

* **Coefficient of variation** CV = s / x̄, the sample standard deviation (n − 1) of the prices in the window
  over their mean — a unit-free volatility that can be compared between series.
* **Largest 12-month rise** = max over t in the window of (P_t / P_(t−12) − 1): the steepest year-on-year
  increase (for annual series, the largest rise from one year to the next). The month it ended is given.
* **Level against the 10-year median** = P_latest / median(P over the 10 years before the latest
  observation) − 1: how far the current price stands above (positive) or below its recent normal. The
  median window is always 10 years, whatever ``window`` says, and needs at least 5 years of prices.

**Market valuation** (:func:`market_price`, used by the stockpile planner and the cut-off scenario with
``price_date``): one series per material — the Pink Sheet where it has one (a month as published, a year as
the mean of its months), else the first USGS salient series in a unit per tonne of product — converted to
US dollars per tonne (:func:`per_tonne`: 1 lb = 0.45359237 kg, 1 troy oz = 31.1034768 g; per-content units
such as $/mtu WO3 are not converted) and to EUR at the ECB annual average of the price's year. It values
only refined-stage (processing) codes with tonnes (:func:`market_priceable`); the row names the series,
date and rate, and every other row keeps the trade unit value.

These are descriptive statistics of the published series, not forecasts. Nominal prices: no deflator is
applied (the Pink Sheet's own real-price indices are not used).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from grondstof.errors import InputError
from grondstof.indicators._common import fetch
from grondstof.parameters import PERIOD_PATTERN, Cli, Lang, MaterialText, Params, described
from grondstof.registry.materials import Material, materials
from grondstof.result import Field, Result
from grondstof.store import Store

PRICE_SOURCES = ("worldbank_cmo", "usgs_mcs2025_salient")
CURRENCIES = ("USD", "EUR")
MEDIAN_YEARS = 10  # the "normal" level: the median of the 10 years before the latest price
MIN_MEDIAN_YEARS = 5

PRICE_FIELDS = [
    Field("material", "Material (id)", show=False),
    Field("series", "Series"),
    Field("period", "Period", "date", description="first day of the month (monthly) or of the year (annual)"),
    Field("year", "Year", "year"),
    Field("month", "Month", "int", description="1–12; null for annual figures"),
    Field("value", "Price", "number", description="in `unit` and `currency`"),
    Field("unit", "Unit"),
    Field("currency", "Currency"),
    Field("frequency", "Frequency", description="monthly, or annual (a source's annual figure or a mean)"),
    Field("months", "Months averaged", "int", show=False, description="annual means of monthly data only"),
    Field("source_value", "Price (source currency)", "number", show=False),
    Field("source_currency", "Source currency", show=False),
    Field("exchange_rate", "USD per EUR", "number", show=False, description="only when converted"),
    Field("exchange_rate_source", "Exchange-rate source", show=False),
    Field("source", "Source"),
    Field("note", "Note", show=False),
]

INDICATOR_FIELDS = [
    Field("material", "Material (id)", show=False),
    Field("series", "Series"),
    Field("unit", "Unit"),
    Field("currency", "Currency", show=False),
    Field("frequency", "Frequency", show=False),
    Field("window", "Window", description="the period the CV and the largest rise are computed over"),
    Field("window_start", "Window start", "date", show=False),
    Field("window_end", "Window end", "date", show=False),
    Field("observations", "Prices in window", "int"),
    Field("mean", "Mean price", "number"),
    Field("cv", "Coefficient of variation", "number", description="sample standard deviation / mean"),
    Field(
        "max_rise_12m",
        "Largest 12-month rise",
        "share",
        description="max (P_t / P_t−12 − 1) in the window; fraction, 1.0 = +100 %",
    ),
    Field("max_rise_end", "Largest rise ended", "date"),
    Field("latest", "Latest price", "number"),
    Field("latest_period", "Latest period", "date"),
    Field("median_10y", "10-year median", "number", description="median of the 10 years before the latest"),
    Field(
        "level_vs_median",
        "Level vs 10-year median",
        "share",
        description="latest / 10-year median − 1; fraction, positive = above its normal level",
    ),
    Field("source", "Source"),
    Field("note", "Note", show=False),
]


# A year or a month in ASCII digits ("2015", "2015-06"); the month's range is checked by the analysis.


SeriesName = Annotated[
    str | None,
    described(
        "One series by name (e.g. Nickel); default every series of the material.",
        "Eén reeks bij naam (bijv. Nickel); standaard alle reeksen van de grondstof.",
        max_length=100,
    ),
]


class PricesParams(Params):
    """Parameters of :func:`prices` (``grondstof prices``, ``/api/v1/prices``)."""

    material: MaterialText
    start: Annotated[
        str | None,
        described(
            "First year (2015) or month (2015-06); default the start of the series.",
            "Eerste jaar (2015) of maand (2015-06); standaard het begin van de reeks.",
            max_length=20,
            pattern=PERIOD_PATTERN,
        ),
        Cli(flags=("--from",)),
    ] = None
    end: Annotated[
        str | None,
        described(
            "Last year (2024) or month (2024-06); default the latest price.",
            "Laatste jaar (2024) of maand (2024-06); standaard de laatste prijs.",
            max_length=20,
            pattern=PERIOD_PATTERN,
        ),
        Cli(flags=("--to",)),
    ] = None
    monthly: Annotated[
        bool,
        described(
            "Monthly prices where the source is monthly (default: calendar-year means).",
            "Maandprijzen waar de bron maandelijks is (standaard: kalenderjaargemiddelden).",
        ),
    ] = False
    currency: Annotated[
        Literal["USD", "EUR"],
        described(
            "USD (the sources' currency) or EUR, converted at the ECB annual average rate named on each row.",
            "USD (de munt van de bronnen) of EUR, omgerekend tegen de ECB-jaarkoers die elke rij noemt.",
        ),
    ] = "USD"
    series: SeriesName = None
    lang: Lang = "en"


class PriceIndicatorsParams(Params):
    """Parameters of :func:`price_indicators` (CLI ``price-indicators``, ``/api/v1/price-indicators``)."""

    material: MaterialText
    window: Annotated[
        int,
        described(
            "Years the coefficient of variation and the largest 12-month rise are computed over.",
            "Aantal jaren waarover de variatiecoëfficiënt en de grootste stijging in 12 maanden gaan.",
            ge=1,
            le=60,
        ),
    ] = 10
    end: Annotated[
        str | None,
        described(
            "Year (2024) or month (2024-06) the window ends; default each series' latest price.",
            "Jaar (2024) of maand (2024-06) waarop het venster eindigt; standaard de laatste prijs.",
            max_length=20,
            pattern=PERIOD_PATTERN,
        ),
        Cli(flags=("--to",)),
    ] = None
    series: SeriesName = None
    lang: Lang = "en"


# ---- pure kernels ------------------------------------------------------------------------------------------


def coefficient_of_variation(values: Sequence[float]) -> float | None:
    """Coefficient of variation s / x̄ of ``values`` (sample standard deviation, n − 1).

    Returns None for fewer than two values or a mean of zero; raises ValueError on a negative price.
    """
    data = [float(v) for v in values]
    if any(v < 0 for v in data):
        raise ValueError("coefficient_of_variation: prices must be non-negative")
    if len(data) < 2:
        return None
    mean = statistics.fmean(data)
    return None if mean == 0 else statistics.stdev(data) / mean


def largest_rise(values: Sequence[float | None], lag: int) -> tuple[float | None, int | None]:
    """Largest relative rise over ``lag`` steps: max over t of (v_t / v_(t−lag) − 1), and the index t.

    ``values`` are equally spaced (months: ``lag`` 12; years: ``lag`` 1); a None (missing observation) or a
    zero base skips that pair. Returns (None, None) when no pair has both ends.
    """
    if lag < 1:
        raise ValueError("largest_rise: lag must be at least 1")
    best: float | None = None
    at: int | None = None
    for t in range(lag, len(values)):
        now, then = values[t], values[t - lag]
        if now is None or then is None or then <= 0:
            continue
        rise = now / then - 1.0
        if best is None or rise > best:
            best, at = rise, t
    return best, at


def level_vs_median(latest: float, history: Sequence[float]) -> float | None:
    """Latest price against the median of ``history``: latest / median − 1 (None when the median is 0)."""
    if not history:
        return None
    median = statistics.median(history)
    return None if median == 0 else latest / median - 1.0


def convert_to_eur(value: float | None, year: int) -> tuple[float | None, float | None]:
    """(EUR value, USD per EUR) with the ECB annual average rate of ``year``; (None, None) without a rate.

    Uses :data:`grondstof.indicators.exchange_rates.USD_PER_EUR` (ECB Data Portal EXR.A.USD.EUR.SP00.A).
    """
    from grondstof.indicators.exchange_rates import USD_PER_EUR

    rate = USD_PER_EUR.get(int(year))
    if value is None or rate is None:
        return None, rate
    return value / rate, rate


# ---- the analyses ------------------------------------------------------------------------------------------


def _material(material: str) -> tuple[Material, list[str]]:
    mat = materials().resolve(material)
    return mat, [mat.id] + [m.id for m in materials().members(mat.id)]


def _period(text: str | int | date | None, parameter: str, *, end: bool) -> date | None:
    """``2020`` or ``"2020-03"`` → the first (or for ``end`` the last) month it covers, as a date."""
    if text is None or text == "":
        return None
    if isinstance(text, date):
        return text.replace(day=1)
    raw = str(text).strip()
    # [0-9], not \d: a year typed in other scripts' digits (٢٠٢٢) is refused, never read as 2022.
    match = re.fullmatch(r"([0-9]{4})(?:[-M]([0-9]{1,2}))?", raw)
    if not match or (match.group(2) and not 1 <= int(match.group(2)) <= 12):
        raise InputError(parameter, text, "a year (2020) or a month (2020-03)")
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else (12 if end else 1)
    return date(year, month, 1)


def _rows(store: Store, ids: list[str], series: str | None) -> list[dict[str, Any]]:
    table = store.table("prices")
    sel = table.filter(table.material.isin(ids))
    if series is not None:
        sel = sel.filter(table.series == series)
    return fetch(sel.order_by(["source", "series", "period"]))


def _unit_in(unit: str, currency: str) -> str:
    """The unit text after conversion: ``$/mt`` → ``EUR/mt``, ``¢/lb`` → ``EUR cents/lb``."""
    if currency == "USD":
        return unit
    return re.sub(r"^\$", "EUR", re.sub(r"^¢", "EUR cents", unit))


def prices(
    material: str,
    *,
    start: str | int | None = None,
    end: str | int | None = None,
    monthly: bool = False,
    currency: str | None = None,
    series: str | None = None,
    store: Store | None = None,
    lang: str = "en",
) -> Result:
    """Price series of ``material`` (and of its members, for a group) in the source's unit and currency.

    Parameters
    ----------
    material:
        One material (English or Dutch name, symbol or alias).
    start, end:
        A year (``2015``) or a month (``2015-06``); default the whole series.
    monthly:
        Monthly rows for monthly sources; default calendar-year averages (annual sources are annual).
    currency:
        ``USD`` (the sources' currency) or ``EUR``: converted at the ECB annual average rate of the year,
        named on every row.
    series:
        One series by its name (e.g. ``Nickel`` or ``Cobalt: Price_Spot_dlb``); default all.
    """
    from grondstof.store import open_store

    store = store or open_store()
    mat, ids = _material(material)
    want = (currency or "USD").strip().upper()
    if want not in CURRENCIES:
        raise InputError("currency", currency, "USD (the source's currency) or EUR (converted at ECB rates)")
    first, last = _period(start, "start", end=False), _period(end, "end", end=True)
    if first and last and first > last:
        raise InputError("end", end, f"a period not before start ({start})")
    rows = _rows(store, ids, series)
    if series is not None and not rows:
        available = sorted({r["series"] for r in _rows(store, ids, None)})
        raise InputError("series", series, f"a price series of {mat.name()}", suggestions=available[:5])
    if first:
        rows = [r for r in rows if r["period"] >= first]
    if last:
        rows = [r for r in rows if r["period"] <= last]
    out = _monthly_rows(rows) if monthly else _annual_rows(rows)
    rate_source = None
    if want == "EUR":
        from grondstof.indicators.exchange_rates import RATE_SOURCE

        rate_source = RATE_SOURCE
        for row in out:
            converted, rate = convert_to_eur(row["value"], row["year"])
            row.update(
                source_value=row["value"],
                source_currency=row["currency"],
                value=converted,
                currency="EUR",
                unit=_unit_in(row["unit"], "EUR"),
                exchange_rate=rate,
                exchange_rate_source=RATE_SOURCE,
            )
            if converted is None:
                row["note"] = (
                    row.get("note") or ""
                ) + f" No ECB annual rate for {row['year']}: not converted."
    found_sources = sorted({r["source"] for r in out})
    notes = [
        "Prices in the source's unit and nominal currency; series in different units are never combined.",
    ]
    if not monthly and any(r["frequency"] == "annual" and r.get("months") for r in out):
        notes.append("Monthly series are shown as calendar-year means of the months with a price (months).")
    if any(r.get("months") and r["months"] < 12 for r in out):
        notes.append("A year with fewer than 12 monthly prices is a partial-year mean.")
    if "usgs_mcs2025_salient" in found_sources:
        notes.append(
            "USGS prices are U.S. market prices, annual, 2020–2024; MCS 2025 gives 2024 as an estimate."
        )
    if rate_source:
        notes.append(f"Converted to EUR with the {rate_source}, the annual average of each price's year.")
    if not out:
        notes.append(
            f"No price series for {mat.name(lang)} in the store (World Bank Pink Sheet, USGS MCS 2025)."
        )
    meta = {
        "query": {
            "material": mat.id,
            "start": first.isoformat() if first else None,
            "end": last.isoformat() if last else None,
            "monthly": monthly,
            "currency": want,
            "series": series,
        },
        "material": {"id": mat.id, "name": mat.name(lang)},
        "sources": store.cite(*found_sources) if found_sources else [],
        "units": sorted({f"{r['unit']} ({r['currency']})" for r in out}),
        "series": sorted({r["series"] for r in out}),
        "exchange_rate_source": rate_source,
        "notes": notes,
    }
    return Result(
        f"Prices of {mat.name(lang)}",
        PRICE_FIELDS,
        [{f.name: r.get(f.name) for f in PRICE_FIELDS} for r in out],
        meta,
    )


def _base(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "material": row["material"],
        "series": row["series"],
        "unit": row["unit"],
        "currency": row["currency"],
        "source": row["source"],
        "note": row["note"],
    }


def _monthly_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        monthly = row["frequency"] == "monthly"
        out.append(
            {
                **_base(row),
                "period": row["period"],
                "year": row["period"].year,
                "month": row["period"].month if monthly else None,
                "value": row["value"],
                "frequency": row["frequency"],
                "months": None,
            }
        )
    return out


def _annual_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    groups: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    for row in rows:
        if row["frequency"] == "annual":
            out.extend(_monthly_rows([row]))
        else:
            groups.setdefault((row["source"], row["series"], row["period"].year), []).append(row)
    for (_, _, year), members in groups.items():
        first = members[0]
        out.append(
            {
                **_base(first),
                "period": date(year, 1, 1),
                "year": year,
                "month": None,
                "value": statistics.fmean(m["value"] for m in members),
                "frequency": "annual",
                "months": len(members),
                "note": first["note"]
                + (f" Mean of {len(members)} months (partial year)." if len(members) < 12 else ""),
            }
        )
    return sorted(out, key=lambda r: (r["source"], r["series"], r["period"]))


def price_indicators(
    material: str,
    *,
    window: int = 10,
    end: str | int | None = None,
    series: str | None = None,
    store: Store | None = None,
    lang: str = "en",
) -> Result:
    """Volatility and level indicators of each price series of ``material``, with the window on every row.

    CV = s / x̄ over the window; largest 12-month rise = max (P_t / P_(t−12) − 1) in the window (year on year
    for annual series); level = P_latest / median(10 years before) − 1. See the module docstring.

    Parameters
    ----------
    window:
        Years (1–60) the CV and the largest rise are computed over, ending at the latest price or ``end``.
    end:
        A year or month at which the window ends; default each series' latest observation.
    """
    from grondstof.store import open_store

    store = store or open_store()
    if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= 60:
        raise InputError("window", window, "a whole number of years between 1 and 60")
    mat, ids = _material(material)
    last = _period(end, "end", end=True)
    rows = _rows(store, ids, series)
    if series is not None and not rows:
        available = sorted({r["series"] for r in _rows(store, ids, None)})
        raise InputError("series", series, f"a price series of {mat.name()}", suggestions=available[:5])
    per: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        if last is None or row["period"] <= last:
            per.setdefault((row["source"], row["series"]), []).append(row)
    out = [_indicators(members, window) for members in per.values()]
    found = sorted({k[0] for k in per})
    meta = {
        "query": {
            "material": mat.id,
            "window": window,
            "end": last.isoformat() if last else None,
            "series": series,
        },
        "material": {"id": mat.id, "name": mat.name(lang)},
        "sources": store.cite(*found) if found else [],
        "notes": [
            f"CV and largest rise over the {window} years ending at each series' latest price (or end); "
            "the level is against the median of the 10 years before the latest price.",
            "Monthly series use monthly prices (rise over 12 months); annual series use annual prices (rise "
            "from one year to the next).",
            "Nominal prices in each series' own unit; descriptive statistics, not forecasts.",
        ]
        + ([] if out else [f"No price series for {mat.name(lang)} in the store."]),
    }
    return Result(f"Price indicators of {mat.name(lang)}", INDICATOR_FIELDS, out, meta)


def _indicators(members: list[dict[str, Any]], window: int) -> dict[str, Any]:
    members = sorted(members, key=lambda r: r["period"])
    monthly = members[0]["frequency"] == "monthly"
    latest = members[-1]
    end_date = latest["period"]
    start = _shift(end_date, -(12 * window - 1) if monthly else -12 * (window - 1))
    in_window = [m for m in members if m["period"] >= start]
    # Evenly spaced from 12 months before the window (None where a month or year has no price), so the
    # first rise in the window compares with the price a year earlier.
    steps = _steps(_shift(start, -12), end_date, monthly)
    by_period = {m["period"]: m["value"] for m in members}
    lag = 12 if monthly else 1
    rise, at = largest_rise([by_period.get(p) for p in steps], lag)
    history_start = _shift(end_date, -12 * MEDIAN_YEARS)
    history = [m["value"] for m in members if history_start <= m["period"] < end_date]
    enough = (
        len({m["period"].year for m in members if history_start <= m["period"] < end_date})
        >= MIN_MEDIAN_YEARS
    )
    values = [m["value"] for m in in_window]
    note = latest["note"]
    if not enough:
        note += f" Fewer than {MIN_MEDIAN_YEARS} years before the latest price: no 10-year median."
    return {
        **_base(latest),
        "frequency": latest["frequency"],
        "window": f"{_label(start, monthly)} to {_label(end_date, monthly)} ({window} years)",
        "window_start": start,
        "window_end": end_date,
        "observations": len(values),
        "mean": statistics.fmean(values) if values else None,
        "cv": coefficient_of_variation(values),
        "max_rise_12m": rise,
        "max_rise_end": steps[at] if at is not None else None,
        "latest": latest["value"],
        "latest_period": end_date,
        "median_10y": statistics.median(history) if enough else None,
        "level_vs_median": level_vs_median(latest["value"], history) if enough else None,
        "note": note,
    }


def _label(day: date, monthly: bool) -> str:
    return day.isoformat()[:7] if monthly else str(day.year)


def _shift(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _steps(first: date, last: date, monthly: bool) -> list[date]:
    out = []
    day = first
    while day <= last:
        out.append(day)
        day = _shift(day, 1 if monthly else 12)
    return out


# ---- market valuation (used by the stockpile planner and the cut-off scenario) -----------------------------

LB_PER_TONNE = 2204.62262  # avoirdupois pounds in a metric tonne (1 lb = 0.45359237 kg)
TROY_OZ_PER_TONNE = 32150.7466  # troy ounces in a metric tonne (1 ozt = 31.1034768 g)
# Source unit -> multiplier to "per metric tonne" of the priced product. Units per content (dmtu, mtu WO3),
# per flask (34.5 kg of mercury) or per carat are left out: they are not prices per tonne of a traded form.
PER_TONNE = {
    "$/mt": 1.0,
    "$/t": 1.0,
    "$/kg": 1_000.0,
    "$/g": 1_000_000.0,
    "$/lb": LB_PER_TONNE,
    "¢/lb": LB_PER_TONNE / 100.0,
    "$/troy oz": TROY_OZ_PER_TONNE,
}


MARKET_STAGES = frozenset({"processing"})  # exchange and dealer prices quote refined metals and compounds


def market_priceable(stages: Sequence[str]) -> bool:
    """True when every stage of the traded codes is one market prices quote (processing: refined forms)."""
    return bool(stages) and set(stages) <= MARKET_STAGES


def per_tonne(value: float, unit: str) -> float | None:
    """A price in ``unit`` as US dollars per metric tonne; None for units that are not per tonne of product.

    $/kg × 1,000; $/lb × 2,204.62262 (1 lb = 0.45359237 kg); ¢/lb × 22.0462262; $/troy oz × 32,150.7466
    (1 troy oz = 31.1034768 g); $/g × 10⁶. Per-content units ($/dmtu, $/mtu WO3) and $/flask, $/carat → None.
    """
    factor = PER_TONNE.get(unit)
    return None if factor is None else value * factor


@dataclass(frozen=True)
class MarketPrice:
    """The market price of a material at a date, per tonne, in USD and in EUR, with what it was made of."""

    material: str
    series: str
    source: str
    period: str  # "2022-03" (a month) or "2022" (a year: a source's annual figure or a mean of months)
    value: float  # in `unit`, the source's currency (USD)
    unit: str
    usd_per_t: float
    eur_per_t: float
    usd_per_eur: float
    months: int | None  # months averaged, for a year of a monthly series

    @property
    def label(self) -> str:
        """One line naming series, source, date, source unit and the exchange rate used."""
        from grondstof.indicators.exchange_rates import RATE_SOURCE

        return (
            f"market price: {self.series} ({self.source}) {self.period}, {self.value:,.6g} {self.unit} = "
            f"{self.eur_per_t:,.0f} EUR/t at {self.usd_per_eur} USD/EUR ({RATE_SOURCE.split(',')[0]} "
            f"{self.period[:4]})"
        )


def market_price(store: Store, material: str, on: str | int | date) -> tuple[MarketPrice | None, str]:
    """The price of ``material``'s own series at ``on`` (a month or a year), per tonne, in EUR.

    Series chosen: the World Bank Pink Sheet where it prices the material (monthly; a year is the mean of
    its months), else the first USGS MCS 2025 salient series (by name) in a unit per tonne of product
    (annual; a month takes its year's figure). EUR at the ECB annual average of the price's year.
    Returns (price, "") or (None, why not).
    """
    day = _period(on, "price_date", end=False)
    if day is None:
        raise InputError("price_date", on, "a year (2024) or a month (2022-03)")
    is_month = isinstance(on, date) or "-" in str(on) or "M" in str(on)
    rows = [r for r in _rows(store, [material], None) if r["period"].year == day.year]
    if not rows:
        return None, f"no price of {material} for {day.year} (World Bank Pink Sheet, USGS MCS 2025)"
    usable = [r for r in rows if r["unit"] in PER_TONNE]
    if not usable:
        units = ", ".join(sorted({r["unit"] for r in rows}))
        return None, f"{material} prices are not per tonne of product ({units})"
    by_series: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in usable:
        by_series.setdefault((row["source"], row["series"]), []).append(row)
    key = min(by_series, key=lambda k: (PRICE_SOURCES.index(k[0]), k[1]))
    members = by_series[key]
    months = None
    if members[0]["frequency"] == "monthly":
        if is_month:
            members = [m for m in members if m["period"] == day]
            if not members:
                return None, f"no {key[1]} price for {day:%Y-%m}"
            period = f"{day:%Y-%m}"
        else:
            months = len(members)
            period = str(day.year)
        value = statistics.fmean(m["value"] for m in members)
    else:
        value, period = members[0]["value"], str(day.year)
    unit = members[0]["unit"]
    usd = per_tonne(value, unit)
    eur, rate = convert_to_eur(usd, day.year)
    if usd is None or eur is None or rate is None:
        return None, f"no ECB euro rate for {day.year}"
    return MarketPrice(material, key[1], key[0], period, value, unit, usd, eur, rate, months), ""
