"""Presentation options of ``grondstof scan``: ``--templates``, ``--input-template KIND``, ``--report
FILE``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from grondstof.errors import InputError
from grondstof.result import Result

REPORT_FORMATS = {".html": "html", ".htm": "html", ".pdf": "pdf", ".xlsx": "xlsx"}


def scan(
    run: Callable[[], Result],
    *,
    as_json: bool,
    as_csv: bool,
    templates: bool = False,
    store: object = None,
    report: str | None = None,
    input_template: str | None = None,
) -> str | Result:
    """List the templates, print an input template, write a report, or print the scan as usual."""
    if templates:
        from grondstof.scanner.query import list_templates

        return list_templates(store)
    if input_template is not None:
        from grondstof.scanner.readers import input_template as blank

        return blank(input_template, "csv").decode("utf-8")
    if report is None:
        return run()
    if as_json or as_csv:
        raise InputError("--report/--json/--csv", "several", "either --report or --json/--csv")
    path = Path(report)
    fmt = REPORT_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError("--report", report, "a file name ending in .html, .pdf or .xlsx")
    from grondstof.report.render import write
    from grondstof.scanner.report import scan_report
    from grondstof.scanner.xlsx_memory import in_memory

    result = run()
    with in_memory():  # no temporary copy of the company's figures, only the file asked for
        data = write(scan_report(result), fmt, path)
    sys.stderr.write(f"Wrote {path} ({len(data):,} bytes)\n")
    return ""
