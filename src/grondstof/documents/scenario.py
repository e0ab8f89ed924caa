"""The scenario document: the results of a scenario file (cut-off, Monte Carlo, stockpile, transition) with a
chart per result, the assumptions it states and its sources.

Scenario files are inputs, not registered analyses: the document runs them through
:func:`grondstof.scenarios.files.run_file`, the same function ``grondstof report scenario`` always used.
"""

from __future__ import annotations

from typing import Any

from grondstof import charts
from grondstof.documents import Call
from grondstof.documents.common import method_notes, subtitle
from grondstof.documents.model import Document, Figure, Section
from grondstof.result import Result

SCENARIO_TITLES = {
    "en": {
        "transition": "Energy-transition material demand",
        "stockpile": "Stockpile plan",
        "cutoff": "Supplier cut-off",
        "montecarlo": "Monte Carlo supply disruptions",
        "assumptions": "Assumptions",
    },
    "nl": {
        "transition": "Grondstofvraag van de energietransitie",
        "stockpile": "Voorraadplan",
        "cutoff": "Uitval van een leverancier",
        "montecarlo": "Monte Carlo-verstoringen",
        "assumptions": "Aannames",
    },
}


def scenario(scenario: str, *, call: Call, store: Any, lang: str = "en") -> Document:
    """Build the document of a scenario file or shipped example (any kind): results, charts, assumptions."""
    from grondstof.scenarios.files import resolve_file, run_file

    words = SCENARIO_TITLES.get(lang, SCENARIO_TITLES["en"])
    kind, results = run_file(scenario, store=store, lang=lang)
    path = resolve_file(scenario)
    first = results[0][1]
    doc = Document(
        title=first.title,
        subtitle=subtitle(store, lang, path.name),
        lang=lang,
        kind="scenario",
        query={"scenario": path.stem, "lang": lang},
    )
    for name, result in results:
        section = Section(name[:1].upper() + name[1:], tables=[(name, result)], table_rows=25)
        figure = _scenario_figure(kind, name, result)
        if figure is not None:
            section.figures.append(figure)
        doc.sections.append(section)
    assumptions: list[str] = []
    for _, result in results:
        for key in ("assumptions",):
            value = result.meta.get(key)
            if isinstance(value, dict):
                assumptions.extend(f"{k}: {v}" for k, v in value.items())
            elif isinstance(value, list):
                assumptions.extend(str(v) for v in value)
        assumptions.extend(str(n) for n in result.meta.get("notes", []))
    if assumptions:
        doc.sections.append(Section(words["assumptions"], paragraphs=list(dict.fromkeys(assumptions))))
    for key in ("lost_tonnes", "replaced_tonnes", "shortfall_tonnes", "stock_days_to_bridge"):
        if first.meta.get(key) is not None:
            doc.summary.append(f"{key.replace('_', ' ')}: {first.meta[key]:,.1f}")
    doc.method_notes = method_notes(lang)
    doc.collect_sources()
    return doc


def _scenario_figure(kind: str, name: str, result: Result) -> Figure | None:
    """One chart per scenario result where a chart says more than the table."""
    rows = result.rows
    if not rows:
        return None
    if kind == "transition" and name == "demand by year" and "demand_t" in rows[0]:
        totals: dict[tuple[Any, Any], float] = {}
        for r in rows:
            key = (r.get("year"), r.get("material"))
            totals[key] = totals.get(key, 0.0) + (r.get("demand_t") or 0.0)
        data = [{"year": y, "material": m, "demand_t": v} for (y, m), v in totals.items()]
        return Figure(
            charts.stacked_area(
                data,
                x="year",
                value="demand_t",
                color="material",
                title="Material demand per year (t)",
                value_title="t",
            ),
            "Demand of the deployments per year, by material, in tonnes.",
        )
    numeric = [f.name for f in result.fields if f.kind in ("tonnes", "money", "number")]
    label = next(
        (f.name for f in result.fields if f.name in ("material_name", "material", "importer_name")), None
    )
    if label is None or not numeric:
        return None
    value = next(
        (
            n
            for n in ("shortfall_tonnes", "p95", "cost_eur", "stock_tonnes", "shortfall_value")
            if n in numeric
        ),
        numeric[0],
    )
    field = next(f for f in result.fields if f.name == value)
    return Figure(
        charts.bar_chart(rows, category=label, value=value, title=field.label, value_title=field.label),
        f"{field.label} by {label.replace('_', ' ')}.",
    )
