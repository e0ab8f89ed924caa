"""Dashboard pages for the scenarios: the scenario index, cut-off, stockpile, transition (with its levers),
technologies and the mass balance (with a server-drawn Sankey diagram)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from grondstof import charts
from grondstof.errors import InputError
from grondstof.i18n import translate
from grondstof.result import Result
from grondstof.web.templating import Table, context, error_page, page, run

router = APIRouter(include_in_schema=False)


def _query(request: Request, *names: str) -> dict[str, str]:
    """The non-empty form fields among ``names``."""
    return {n: v for n in names if (v := request.query_params.get(n, "").strip())}


@router.get("/scenarios", response_class=HTMLResponse)
def scenarios_index(request: Request) -> Response:
    """The scenario tools."""
    return page(request, "scenarios.html")


@router.get("/scenarios/cutoff", response_class=HTMLResponse)
def cutoff_page(request: Request) -> Response:
    """A form for the supplier cut-off, and its result."""
    lang = context(request)["lang"]
    presets = run(request, "presets", lang=lang)
    params = _query(request, "preset", "materials", "suppliers", "country", "share", "months", "stock_days")
    result_table = chart = None
    figures: dict[str, Any] = {}
    if params:
        arguments: dict[str, Any] = dict(params)
        try:
            result = run(request, "cutoff", lang=lang, **arguments)
        except InputError as exc:
            return error_page(request, 400, str(exc))
        result_table = Table("cutoff", result, {**params, "lang": lang}, limit=30)
        chart = _cutoff_chart(result)
        figures = {
            k: result.meta.get(k)
            for k in ("lost_tonnes", "replaced_tonnes", "shortfall_tonnes", "stock_days_to_bridge")
        }
    return page(
        request,
        "cutoff.html",
        presets=presets.rows,
        params=params,
        main_table=result_table,
        chart=chart,
        figures=figures,
    )


def _cutoff_chart(result: Result) -> dict[str, Any] | None:
    names = {f.name for f in result.fields}
    label = next((n for n in ("importer_name", "material_name", "material") if n in names), None)
    value = next(
        (n for n in ("shortfall_tonnes", "shortfall", "lost_tonnes", "shortfall_value") if n in names), None
    )
    if label is None or value is None:
        return None
    rows = [r for r in result.rows if r.get(value) is not None]
    labelled = [
        {"label": f"{r.get(label)} ({r.get('material_name') or r.get('material', '')})", "v": r[value]}
        for r in rows
    ]
    field = next(f for f in result.fields if f.name == value)
    return charts.bar_chart(labelled, category="label", value="v", title=field.label, value_title=field.label)


@router.get("/scenarios/stockpile", response_class=HTMLResponse)
def stockpile_page(request: Request) -> Response:
    """A form for the stockpile planner (days of cover or a budget), NL next to the EU-27 by default."""
    lang = context(request)["lang"]
    params = _query(request, "country", "materials", "days", "budget", "basis", "compare")
    table = chart = None
    if params:
        # The form may leave the country out: the selected country (cookie or NL), as on the other pages.
        arguments: dict[str, Any] = {"country": context(request)["country_code"], **params}
        try:
            result = run(request, "stockpile", lang=lang, **arguments)
        except InputError as exc:
            return error_page(request, 400, str(exc))
        table = Table(
            "stockpile",
            result,
            {**params, "lang": lang},
            limit=60,
            fields=[
                "importer_name",
                "material_name",
                "quantity_basis",
                "reference_flow_t",
                "gross_imports_t",
                "days",
                "stock_tonnes",
                "cost_eur",
                "holding_cost_eur_per_year",
                "expected_shortfall_before",
                "expected_shortfall_after",
                "source",
            ],
        )
        rows = [
            {"label": f"{r.get('material_name')} ({r.get('importer_name')})", "cost": r.get("cost_eur")}
            for r in result.rows
            if r.get("cost_eur")
        ]
        chart = charts.bar_chart(
            rows,
            category="label",
            value="cost",
            title=translate("stock_cost_chart", lang),
            value_title="EUR",
            limit=20,
        )
    return page(request, "stockpile.html", params=params, main_table=table, chart=chart)


@router.get("/scenarios/transition", response_class=HTMLResponse)
def transition_page(request: Request, by: str = "material") -> Response:
    """The Dutch transition scenario with a form for its levers: demand per material and year, savings."""
    lang = context(request)["lang"]
    if by not in ("year", "material", "lever", "technology"):
        return error_page(
            request, 400, f"by: {by!r} is not valid; expected year, material, lever or technology"
        )
    from grondstof.scenarios.transition import lever_settings

    own = lever_settings("nl-2035")
    asked = {name: _lever(request, name) for name in own}
    params = {"scenario": "nl-2035", "lang": lang, **{k: v for k, v in asked.items() if v is not None}}
    try:
        per_year = run(request, "transition", by="year", **params)
        chosen = run(request, "transition", by=by, **params)
        savings = run(request, "transition", by="lever", **params)
    except InputError as exc:
        return error_page(request, 400, str(exc))
    levers = {name: own[name] if value is None else float(value) for name, value in asked.items()}
    totals: dict[tuple[Any, Any], float] = {}
    for r in per_year.rows:
        key = (r.get("year"), r.get("material"))
        totals[key] = totals.get(key, 0.0) + (r.get("demand_t") or 0.0)
    area = charts.stacked_area(
        [{"year": y, "material": m, "t": v} for (y, m), v in totals.items()],
        x="year",
        value="t",
        color="material",
        title=per_year.title,
        value_title="t",
        top=8,
    )
    lever_rows = [r for r in savings.rows if r.get("reduction_t")]
    lever_chart = charts.bar_chart(
        [{"label": f"{r['lever']} · {r['material']}", "t": r["reduction_t"]} for r in lever_rows],
        category="label",
        value="t",
        title="Demand saved by each lever (t, whole period)",
        value_title="t",
        limit=15,
    )
    table = Table("transition", chosen, {**params, "by": by}, limit=60)
    return page(
        request, "transition.html", area=area, lever_chart=lever_chart, main_table=table, by=by, levers=levers
    )


def _lever(request: Request, name: str) -> str | None:
    """A lever as given in the form (the transition's model validates it); empty = the scenario's own."""
    raw = request.query_params.get(name, "").strip()
    return raw or None


@router.get("/technologies", response_class=HTMLResponse)
def technologies_page(request: Request, per: str = "MW") -> Response:
    """Materials per MW and per MWh by power technology (the offshore wind vs nuclear question)."""
    lang = context(request)["lang"]
    if per not in ("MW", "MWh"):
        return error_page(request, 400, f"per: {per!r} is not valid; expected MW or MWh")
    result = run(request, "technologies", per=per, by="technology", lang=lang)
    detail = run(request, "technologies", per=per, by="material", lang=lang)
    value = "kg_per_mw" if per == "MW" else "kg_per_mwh"
    rows = [r for r in detail.rows if r.get(value) is not None]
    spec = charts.bar_chart(
        [{"label": f"{r['technology']} · {r['material']}", "v": r[value]} for r in rows],
        category="label",
        value="v",
        title=f"kg per {per}",
        value_title=f"kg/{per}",
        limit=25,
    )
    table = Table("technologies", result, {"per": per, "by": "technology", "lang": lang}, limit=20)
    return page(
        request,
        "technologies.html",
        main_table=table,
        chart=spec,
        per=per,
        comparison=result.meta.get("comparison"),
    )


@router.get("/balance", response_class=HTMLResponse)
def balance_page(request: Request) -> Response:
    """The mass balance of a material for a country, with a Sankey diagram drawn on the server."""
    lang = context(request)["lang"]
    params = _query(request, "material", "country", "year")
    params.setdefault("material", "cobalt")
    params.setdefault("country", context(request)["country_code"])
    try:
        result = run(request, "balance", lang=lang, **params)
    except InputError as exc:
        return error_page(request, 400, str(exc))
    table = Table("balance", result, {**params, "lang": lang}, limit=40)
    sankey = sankey_svg(result.meta.get("sankey") or {})
    return page(request, "balance.html", params=params, main_table=table, sankey=sankey)


def sankey_svg(data: dict[str, Any], width: int = 900, height: int = 380) -> Markup:
    """A Sankey diagram (inputs → economy → outputs) as inline SVG, with a text alternative.

    The balance's flows form a star around one node, so a three-column layout is exact: each input band
    enters the economy node, each output band leaves it; band widths are proportional to tonnes.
    """
    nodes = data.get("nodes") or []
    links = [link for link in data.get("links") or [] if (link.get("value") or 0) > 0]
    if not nodes or not links:
        return Markup("")
    name = [n.get("name", str(n)) if isinstance(n, dict) else str(n) for n in nodes]
    inflow: dict[int, float] = {}
    outflow: dict[int, float] = {}
    for link in links:
        outflow[link["source"]] = outflow.get(link["source"], 0.0) + link["value"]
        inflow[link["target"]] = inflow.get(link["target"], 0.0) + link["value"]
    hub = max(range(len(nodes)), key=lambda i: min(inflow.get(i, 0), outflow.get(i, 0)))
    left = [link for link in links if link["target"] == hub]
    right = [link for link in links if link["source"] == hub]
    total = max(sum(x["value"] for x in left), sum(x["value"] for x in right), 1e-9)
    gap = 4.0
    scale = (height - 40 - gap * max(len(left), len(right))) / total
    x_left, x_right = 210.0, width - 230.0  # room for the labels on both sides
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="sankey-desc" class="sankey">'
    ]
    description = (
        "; ".join(f"{name[x['source']]} → {name[hub]}: {x['value']:,.0f} t" for x in left)
        + "; "
        + "; ".join(f"{name[hub]} → {name[x['target']]}: {x['value']:,.0f} t" for x in right)
    )
    parts.append(f'<desc id="sankey-desc">{Markup.escape(description)}</desc>')
    hub_x, bar = width / 2 - 8, 16
    y_left, y_hub_in = 20.0, 20.0
    for index, link in enumerate(sorted(left, key=lambda x: -x["value"])):
        h = link["value"] * scale
        colour = charts.PALETTE[index % len(charts.PALETTE)]
        parts.append(_band(x_left, y_left, hub_x, y_hub_in, h, colour))
        parts.append(
            f'<rect x="{x_left - 8}" y="{y_left:.1f}" width="8" height="{max(h, 1):.1f}" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{x_left - 14}" y="{y_left + h / 2 + 4:.1f}" text-anchor="end" font-size="11">'
            f"{Markup.escape(name[link['source']])} {link['value']:,.0f} t</text>"
        )
        y_left += h + gap
        y_hub_in += h
    y_right, y_hub_out = 20.0, 20.0
    for index, link in enumerate(sorted(right, key=lambda x: -x["value"])):
        h = link["value"] * scale
        colour = charts.PALETTE[(index + 3) % len(charts.PALETTE)]
        parts.append(_band(hub_x + bar, y_hub_out, x_right, y_right, h, colour))
        parts.append(
            f'<rect x="{x_right}" y="{y_right:.1f}" width="8" height="{max(h, 1):.1f}" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{x_right + 14}" y="{y_right + h / 2 + 4:.1f}" font-size="11">'
            f"{Markup.escape(name[link['target']])} {link['value']:,.0f} t</text>"
        )
        y_right += h + gap
        y_hub_out += h
    parts.append(
        f'<rect x="{hub_x}" y="20" width="{bar}" height="{max(y_hub_in, y_hub_out) - 20:.1f}" '
        f'fill="#1d2733"/>'
    )
    parts.append(
        f'<text x="{hub_x + bar / 2}" y="14" text-anchor="middle" font-size="12" font-weight="bold">'
        f"{Markup.escape(name[hub])}</text>"
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def _band(x0: float, y0: float, x1: float, y1: float, h: float, colour: str) -> str:
    mid = (x0 + x1) / 2
    return (
        f'<path d="M{x0:.1f},{y0:.1f} C{mid:.1f},{y0:.1f} {mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f} '
        f'L{x1:.1f},{y1 + h:.1f} C{mid:.1f},{y1 + h:.1f} {mid:.1f},{y0 + h:.1f} {x0:.1f},{y0 + h:.1f} Z" '
        f'fill="{colour}" fill-opacity="0.45"/>'
    )
