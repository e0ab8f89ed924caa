"""Render a :class:`~grondstof.documents.model.Document` as self-contained HTML, PDF or Excel.

Charts are drawn without a browser by vl-convert: inline SVG in HTML; in PDF, SVG too except figures
marked ``raster`` (gradient legends, which WeasyPrint drops from SVG), which go in as PNG. The HTML has no
external reference at all (CSS inline, images inline), so it can be mailed as one file.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from grondstof.documents.model import Document, Figure, Table
from grondstof.render import format_value

TEMPLATES = Path(__file__).parent / "templates"
CHART_WIDTH = 640


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))


def _sized(spec: dict[str, Any]) -> dict[str, Any]:
    spec = dict(spec)
    if spec.get("width") == "container":
        spec["width"] = CHART_WIDTH
    spec.pop("usermeta", None)
    if any(_is_map_layer(layer) for layer in spec.get("layer", [])):
        # The page loads the world map from the server; a report carries it inline.
        spec["layer"] = [_inline_map(layer) for layer in spec["layer"]]
    return spec


MAP_URL = "countries-110m.json"


def _is_map_layer(layer: dict[str, Any]) -> bool:
    return str(layer.get("data", {}).get("url", "")).endswith(MAP_URL)


def _inline_map(layer: dict[str, Any]) -> dict[str, Any]:
    if not _is_map_layer(layer):
        return layer
    data = {k: v for k, v in layer["data"].items() if k != "url"}
    return {**layer, "data": {**data, "values": _topojson()}}


def _topojson() -> dict[str, Any]:
    import json

    path = Path(__file__).resolve().parents[1] / "web" / "static" / "vendor" / MAP_URL
    return json.loads(path.read_text())


def figure_markup(figure: Figure, *, png: bool = False) -> Markup:
    """The figure as inline SVG (or a PNG data URI), with its description as alternative text."""
    import vl_convert

    spec = _sized(figure.spec)
    alt = spec.get("description", figure.caption)
    if png:
        data = base64.b64encode(vl_convert.vegalite_to_png(spec, scale=2)).decode()
        return Markup(
            '<img alt="{alt}" src="data:image/png;base64,{data}" style="width:{w}px;max-width:100%">'
        ).format(alt=alt, data=data, w=CHART_WIDTH)
    svg = vl_convert.vegalite_to_svg(spec)
    return (
        Markup('<div class="svg" role="img" aria-label="{alt}">').format(alt=alt)
        + Markup(svg)
        + Markup("</div>")
    )


def _table(table: Table, lang: str) -> dict[str, Any]:
    result, fields, rows = table.result, table.fields, table.rows
    chosen = (
        [f for f in result.fields if f.name in fields] if fields else [f for f in result.fields if f.show]
    )
    if fields:
        chosen.sort(key=lambda f: fields.index(f.name))
    return {
        "name": table.title,
        "title": table.title,
        "fields": chosen,
        "rows": [[format_value(r.get(f.name), f.kind, lang) for f in chosen] for r in result.rows[:rows]],
        "more": max(0, len(result.rows) - rows),
        "notes": [str(n) for n in result.meta.get("notes", [])],
    }


def to_html(report: Document, *, for_pdf: bool = False) -> str:
    """The report as one self-contained HTML document."""
    sections = []
    for section in report.sections:
        sections.append(
            {
                "heading": section.heading,
                "paragraphs": section.paragraphs,
                "figures": [(figure_markup(f, png=for_pdf and f.raster), f.caption) for f in section.figures],
                "tables": [_table(t, report.lang) for t in section.tables],
            }
        )
    template = _environment().get_template("report.html")
    return template.render(report=report, sections=sections, for_pdf=for_pdf)


def to_pdf(report: Document) -> bytes:
    """The report as PDF (WeasyPrint; fonts embedded; no browser)."""
    from weasyprint import HTML

    return HTML(string=to_html(report, for_pdf=True), base_url=str(TEMPLATES)).write_pdf()


def to_xlsx(report: Document) -> bytes:
    """The report's tables as an Excel workbook: one sheet per table plus a sources sheet."""
    from grondstof.exports import to_xlsx as workbook

    return workbook(report.all_tables(), title=report.title)


def write(report: Document, fmt: str, path: str | Path | None = None) -> bytes:
    """Render ``report`` as ``html``, ``pdf``, ``xlsx`` or ``json``; write it to ``path`` when given; return
    bytes."""
    if fmt == "json":
        import json

        data = json.dumps(report.to_dict(), indent=2, ensure_ascii=False).encode("utf-8")
    elif fmt == "html":
        data = to_html(report).encode("utf-8")
    elif fmt == "pdf":
        data = to_pdf(report)
    elif fmt == "xlsx":
        data = to_xlsx(report)
    else:
        from grondstof.errors import InputError

        raise InputError("format", fmt, "html, pdf, xlsx or json")
    if path is not None:
        Path(path).write_bytes(data)
    return data
