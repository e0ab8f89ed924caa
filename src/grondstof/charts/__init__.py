"""Vega-Lite chart specifications built from results: pure functions returning dicts.

The same spec is drawn in the dashboard (vega-embed, served locally), in HTML reports (inline SVG rendered
by vl-convert, no browser) and in PDFs. Specs are Vega-Lite v6. Every spec has a ``description`` (the text
alternative screen readers get) and a ``title``; the caller adds the source line beneath the chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
PALETTE = [
    "#1f4e79",
    "#d9822b",
    "#2e8b57",
    "#a23b72",
    "#6c757d",
    "#c0392b",
    "#17a2b8",
    "#8e6c3a",
    "#5b5ea6",
    "#9b9b9b",
]
WIDTH = "container"


def _base(title: str, description: str) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "anchor": "start", "fontSize": 14},
        "description": description,
        "width": WIDTH,
        "height": 260,
        "config": {
            "view": {"stroke": None},
            "range": {"category": PALETTE},
            "font": "DejaVu Sans, sans-serif",
        },
        "usermeta": {"embedOptions": {"actions": False}},
    }


def bar_chart(
    rows: Sequence[dict[str, Any]],
    *,
    category: str,
    value: str,
    title: str,
    value_title: str,
    percent: bool = False,
    limit: int = 15,
    description: str | None = None,
    axis_format: str | None = None,
) -> dict[str, Any]:
    """Horizontal bars of ``value`` by ``category`` (largest first, top ``limit``).

    ``axis_format`` is a d3 format for the value axis (default: percent or SI-prefixed numbers).
    """
    data = sorted((r for r in rows if r.get(value) is not None), key=lambda r: -r[value])[:limit]
    text = description or f"{title}: " + "; ".join(
        f"{r[category]} {r[value] * 100:.1f}%" if percent else f"{r[category]} {r[value]:,.0f}"
        for r in data[:8]
    )
    spec = _base(title, text)
    spec["height"] = max(80, 22 * len(data))
    spec["data"] = {"values": [{category: r[category], value: r[value]} for r in data]}
    spec["mark"] = {"type": "bar", "color": PALETTE[0], "tooltip": True}
    spec["encoding"] = {
        "y": {"field": category, "type": "nominal", "sort": "-x", "title": None},
        "x": {
            "field": value,
            "type": "quantitative",
            "title": value_title,
            "axis": {"format": axis_format or (".0%" if percent else "~s")},
        },
    }
    return spec


def stacked_area(
    rows: Sequence[dict[str, Any]],
    *,
    x: str,
    value: str,
    color: str,
    title: str,
    value_title: str,
    top: int = 6,
    other_label: str = "Other",
) -> dict[str, Any]:
    """Values over time stacked by ``color`` (the ``top`` largest series, the rest as "Other")."""
    totals: dict[str, float] = {}
    for r in rows:
        if r.get(value) is not None:
            totals[r[color]] = totals.get(r[color], 0.0) + r[value]
    keep = set(sorted(totals, key=lambda k: -totals[k])[:top])
    merged: dict[tuple[Any, str], float] = {}
    for r in rows:
        if r.get(value) is None:
            continue
        key = (r[x], r[color] if r[color] in keep else other_label)
        merged[key] = merged.get(key, 0.0) + r[value]
    data = [{x: k[0], color: k[1], value: v} for k, v in sorted(merged.items(), key=lambda kv: kv[0][0])]
    years = sorted({d[x] for d in data})
    description = (
        f"{title}, {years[0]}–{years[-1]}, largest: {', '.join(sorted(keep, key=lambda k: -totals[k]))}"
        if years
        else title
    )
    spec = _base(title, description)
    spec["data"] = {"values": data}
    spec["mark"] = {"type": "area", "tooltip": True}
    spec["encoding"] = {
        "x": {"field": x, "type": "ordinal", "title": None},
        "y": {
            "field": value,
            "type": "quantitative",
            "stack": "zero",
            "title": value_title,
            "axis": {"format": "~s"},
        },
        "color": {
            "field": color,
            "type": "nominal",
            "title": None,
            "sort": [*sorted(keep, key=lambda k: -totals[k]), other_label],
        },
    }
    return spec


def line_chart(
    rows: Sequence[dict[str, Any]],
    *,
    x: str,
    y: str,
    title: str,
    y_title: str,
    color: str | None = None,
    percent: bool = False,
    rules: Sequence[tuple[float, str]] = (),
) -> dict[str, Any]:
    """Lines of ``y`` over ``x`` (optionally one per ``color``), with horizontal reference rules."""
    data = [r for r in rows if r.get(y) is not None]
    points = ", ".join(f"{r[x]}: {r[y] * 100:.0f}%" if percent else f"{r[x]}: {r[y]:.3g}" for r in data[:12])
    spec = _base(title, f"{title} — {points}")
    layer: list[dict[str, Any]] = [
        {
            "data": {"values": [{k: r[k] for k in (x, y, color) if k} for r in data]},
            "mark": {"type": "line", "point": True, "tooltip": True},
            "encoding": {
                "x": {"field": x, "type": "ordinal", "title": None},
                "y": {
                    "field": y,
                    "type": "quantitative",
                    "title": y_title,
                    "axis": {"format": ".0%" if percent else "~g"},
                },
                **({"color": {"field": color, "type": "nominal", "title": None}} if color else {}),
            },
        }
    ]
    for level, label in rules:
        layer.append(
            {
                "data": {"values": [{"level": level, "label": label}]},
                "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#c0392b"},
                "encoding": {"y": {"field": "level", "type": "quantitative"}, "tooltip": {"field": "label"}},
            }
        )
    spec["layer"] = layer
    return spec


def world_map(
    rows: Sequence[dict[str, Any]],
    *,
    iso_numeric: dict[str, str],
    country: str,
    value: str,
    title: str,
    legend_title: str,
    topojson_url: str | None = "/static/vendor/countries-110m.json",
    topojson: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A choropleth of ``value`` by country (ISO3 in ``country``) on the Natural Earth 1:110m map.

    ``iso_numeric`` maps ISO3 to the ISO numeric code used as feature id by world-atlas. Give
    ``topojson`` (the parsed file) instead of the URL when rendering without a server (reports).
    """
    values = [
        {
            "id": str(int(iso_numeric[r[country]])),
            "value": r[value],
            "name": r.get("country_name", r[country]),
        }
        for r in rows
        if r.get(value) is not None and iso_numeric.get(r[country])
    ]
    top = sorted(values, key=lambda v: -v["value"])[:5]
    spec = _base(title, f"{title}: " + "; ".join(f"{v['name']} {v['value'] * 100:.1f}%" for v in top))
    spec["height"] = 300
    source = {"values": topojson} if topojson is not None else {"url": topojson_url}
    spec["projection"] = {"type": "equalEarth"}
    spec["layer"] = [
        {
            "data": {**source, "format": {"type": "topojson", "feature": "countries"}},
            "mark": {"type": "geoshape", "fill": "#e9ecef", "stroke": "#ffffff", "strokeWidth": 0.4},
        },
        {
            "data": {**source, "format": {"type": "topojson", "feature": "countries"}},
            "transform": [
                {
                    "lookup": "id",
                    "from": {"data": {"values": values}, "key": "id", "fields": ["value", "name"]},
                },
                {"filter": "datum.value != null"},
            ],
            "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.4, "tooltip": True},
            "encoding": {
                "color": {
                    "field": "value",
                    "type": "quantitative",
                    "title": legend_title,
                    "scale": {"scheme": "orangered"},
                    "legend": {"format": ".0%"},
                },
                "tooltip": [
                    {"field": "name", "title": "Country"},
                    {"field": "value", "title": legend_title, "format": ".1%"},
                ],
            },
        },
    ]
    return spec
