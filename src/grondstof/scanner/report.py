"""The scan report: one :class:`~grondstof.documents.model.Document` built from a scan's result.

Rendered to HTML, PDF and Excel by :mod:`grondstof.report.render`, from the command line
(``grondstof scan FILE --report scan.pdf``) and from the dashboard. It holds the same figures as the scan's
JSON: the materials, the risk profile with every part, the cut-off presets, the options, the rows left out and
the codes not mapped, with the method and every source.
"""

from __future__ import annotations

from typing import Any

from grondstof import charts
from grondstof.documents.model import Document as Report
from grondstof.documents.model import Figure, Section
from grondstof.result import Field, Result

WORDS = {
    "en": {
        "subtitle": "grondstof scan, {date}; importing country {country}; export controls on {day}",
        "summary_need": "{materials} materials, {tonnes} t per year in all ({input}).",
        "summary_value": (
            "Yearly value of the materials: {values}; value at risk under export controls: {risk}."
        ),
        "summary_top": "Largest contributions to the company GeoPolRisk: {top}.",
        "summary_skipped": "{n} bad row(s) of the file were left out (listed below).",
        "materials": "Materials",
        "profile": "Risk profile (every part shown)",
        "profile_text": "Each indicator is a value-weighted mean over the materials with a price; the "
        "highest material figure, the materials left out and the largest contributions are shown beside it.",
        "presets": "What the cut-off presets would do to the yearly need",
        "presets_none": "No cut-off preset touches these materials.",
        "options": "Options",
        "skipped": "Rows left out",
        "unmapped": "Import codes the registry does not map",
        "fig_value": (
            "Yearly value by material ({currency}); price: trade unit value of the country's imports."
        ),
        "fig_risk": "GeoPolRisk of the company's supplier mix, by material (0–1).",
        "value_title": "Yearly value by material",
        "risk_title": "GeoPolRisk (company) by material",
        "none": "none",
    },
    "nl": {
        "subtitle": "grondstof-scan, {date}; importerend land {country}; exportbeperkingen op {day}",
        "summary_need": "{materials} grondstoffen, samen {tonnes} t per jaar ({input}).",
        "summary_value": "Jaarwaarde van de grondstoffen: {values}; waarde onder exportbeperkingen: {risk}.",
        "summary_top": "Grootste bijdragen aan de GeoPolRisk van het bedrijf: {top}.",
        "summary_skipped": "{n} foute regel(s) van het bestand zijn weggelaten (zie onder).",
        "materials": "Grondstoffen",
        "profile": "Risicoprofiel (alle delen zichtbaar)",
        "profile_text": "Elke indicator is een naar waarde gewogen gemiddelde over de grondstoffen met een "
        "prijs; het hoogste cijfer, de weggelaten grondstoffen en de grootste bijdragen staan ernaast.",
        "presets": "Wat de voorinstellingen voor wegvallende leveranciers met de jaarbehoefte doen",
        "presets_none": "Geen voorinstelling raakt deze grondstoffen.",
        "options": "Mogelijkheden",
        "skipped": "Weggelaten regels",
        "unmapped": "Invoercodes die het register niet kent",
        "fig_value": (
            "Jaarwaarde per grondstof ({currency}); prijs: eenheidswaarde van de invoer van het land."
        ),
        "fig_risk": "GeoPolRisk van de leveranciersmix van het bedrijf, per grondstof (0–1).",
        "value_title": "Jaarwaarde per grondstof",
        "risk_title": "GeoPolRisk (bedrijf) per grondstof",
        "none": "geen",
    },
}

MATERIAL_COLUMNS = [
    "material_name",
    "quantity_t",
    "supplier_basis",
    "top_supplier_name",
    "top_supplier_share",
    "supplier_hhi",
    "world_hhi",
    "geopolrisk_company",
    "eu_sr",
    "controls",
    "controlled_share",
    "crma",
    "value",
    "value_at_risk",
    "currency",
]
SKIPPED_FIELDS = [
    Field("line", "Line", "int"),
    Field("column", "Column"),
    Field("value", "Value"),
    Field("expected", "Expected"),
]
UNMAPPED_FIELDS = [
    Field("code", "Code"),
    Field("line_count", "Lines", "int"),
    Field("tonnes", "Tonnes", "tonnes", "t"),
]


def scan_report(result: Result) -> Report:
    """The report of a scan result (from :func:`grondstof.scanner.query.scan`), in the scan's language."""
    from datetime import date

    from grondstof.registry.countries import countries
    from grondstof.scanner.query import sub_result

    query = result.meta.get("query", {})
    lang = query.get("lang", "en")
    words = WORDS.get(lang, WORDS["en"])
    country = countries().resolve_importer(query.get("country", "NL")).name(lang)
    report = Report(
        title=result.title,
        subtitle=words["subtitle"].format(
            date=date.today().isoformat(), country=country, day=query.get("date")
        ),
        lang=lang,
    )
    rows = result.rows
    tonnes = sum(r["quantity_t"] or 0.0 for r in rows)
    report.summary.append(
        words["summary_need"].format(materials=len(rows), tonnes=f"{tonnes:,.4g}", input=query.get("input"))
    )
    values: dict[str, float] = {}
    risk: dict[str, float] = {}
    for row in rows:
        if row["value"] is not None and row["currency"]:
            values[row["currency"]] = values.get(row["currency"], 0.0) + row["value"]
            risk[row["currency"]] = risk.get(row["currency"], 0.0) + (row["value_at_risk"] or 0.0)
    report.summary.append(
        words["summary_value"].format(
            values="; ".join(f"{c} {v:,.0f}" for c, v in sorted(values.items())) or words["none"],
            risk="; ".join(f"{c} {v:,.0f}" for c, v in sorted(risk.items())) or words["none"],
        )
    )
    firm = [p for p in result.meta.get("profile", []) if p["scope"] == "firm"]
    top = next((p for p in firm if p["indicator"] == "GeoPolRisk (company)"), None)
    if top and top.get("dominated_by"):
        report.summary.append(words["summary_top"].format(top=top["dominated_by"]))
    skipped = result.meta.get("skipped_rows") or []
    if skipped:
        report.summary.append(words["summary_skipped"].format(n=len(skipped)))

    materials = Section(
        words["materials"],
        tables=[("materials", result)],
        table_rows=40,
        table_fields={"materials": MATERIAL_COLUMNS},
    )
    currency = max(values, key=lambda k: values[k]) if values else None
    if currency:
        priced = [r for r in rows if r["currency"] == currency and r["value"]]
        materials.figures.append(
            Figure(
                charts.bar_chart(
                    priced,
                    category="material_name",
                    value="value",
                    title=words["value_title"],
                    value_title=currency,
                ),
                words["fig_value"].format(currency=currency),
            )
        )
    scored = [r for r in rows if r["geopolrisk_company"] is not None]
    if scored:
        materials.figures.append(
            Figure(
                charts.bar_chart(
                    scored,
                    category="material_name",
                    value="geopolrisk_company",
                    title=words["risk_title"],
                    value_title="0–1",
                    axis_format=".2f",
                ),
                words["fig_risk"],
            )
        )
    report.sections.append(materials)
    profile = sub_result(result, "profile")
    report.sections.append(
        Section(
            words["profile"],
            paragraphs=[words["profile_text"]],
            tables=[("profile", profile)],
            table_rows=60,
            table_fields={
                "profile": [
                    "scope",
                    "indicator",
                    "value",
                    "unit",
                    "maximum",
                    "maximum_material",
                    "counted",
                    "left_out",
                    "dominated_by",
                ]
            },
        )
    )
    presets = sub_result(result, "presets")
    report.sections.append(
        Section(
            words["presets"],
            paragraphs=[] if presets.rows else [words["presets_none"]],
            tables=[("presets", presets)] if presets.rows else [],
            table_rows=40,
        )
    )
    options = sub_result(result, "options")
    if options.rows:
        report.sections.append(Section(words["options"], tables=[("options", options)], table_rows=60))
    if skipped:
        report.sections.append(
            Section(
                words["skipped"],
                tables=[("skipped rows", Result(words["skipped"], SKIPPED_FIELDS, skipped))],
                table_rows=200,
            )
        )
    unmapped = result.meta.get("unmapped_codes") or []
    if unmapped:
        report.sections.append(
            Section(
                words["unmapped"],
                tables=[("unmapped codes", Result(words["unmapped"], UNMAPPED_FIELDS, unmapped))],
                table_rows=100,
            )
        )
    report.method_notes = [str(n) for n in result.meta.get("notes", [])]
    report.sources = _sources(result)
    report.collect_sources()
    return report


def _sources(result: Result) -> list[dict[str, Any]]:
    out = []
    for source in result.meta.get("sources", []):
        item = dict(source)
        if item.get("url") and "publisher" not in item:
            item["publisher"] = item["url"]
        out.append(item)
    return out
