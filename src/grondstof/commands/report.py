"""``grondstof report``: reports as self-contained HTML, PDF or Excel."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from grondstof.commands.output import DataOpt, LangOpt, StoreOpt, console, handle_errors, store_for

report_app = typer.Typer(
    help="Reports an analyst can send on: HTML, PDF (no browser needed) and Excel.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    """Add ``grondstof report …`` to the application."""
    app.add_typer(report_app, name="report")


FormatOpt = Annotated[str, typer.Option("--format", "-f", help="html, pdf, xlsx or json (the document).")]
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="File to write (default: a name in the current directory)."),
]


def _check_format(fmt: str, output: Path | None = None) -> None:
    """Refuse a bad --format or --output before the (slow) report is built."""
    from grondstof.errors import InputError
    from grondstof.parsing import writable_file

    if fmt not in ("html", "pdf", "xlsx", "json"):
        raise InputError("--format", fmt, "html, pdf, xlsx or json")
    if output is not None:
        writable_file(output, "--output")


def _write(report: object, fmt: str, output: Path | None, default_name: str) -> None:
    from grondstof.report.render import write

    path = output or Path(f"{default_name}.{fmt}")
    write(report, fmt, path)  # type: ignore[arg-type]
    console.print(f"Wrote {path} ({path.stat().st_size:,} bytes)")


@report_app.command("material")
@handle_errors
def material(
    material_: Annotated[str, typer.Argument(metavar="MATERIAL", help="Material name, symbol or alias.")],
    country: Annotated[str, typer.Option("--country", "-c", help="Importer (code, name or EU27).")] = "NL",
    fmt: FormatOpt = "html",
    output: OutputOpt = None,
    data: DataOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = "en",
) -> None:
    """Report on one material for an importer: world supply, imports over time, risk, controls, CRMA."""
    from grondstof.documents import document

    _check_format(fmt, output)
    report = document("material", store_for(data, store), material=material_, country=country, lang=lang)
    _write(report, fmt, output, f"grondstof-{material_}-{country}")


@report_app.command("country")
@handle_errors
def country(
    country_: Annotated[str, typer.Argument(metavar="COUNTRY", help="Country (code, name) or EU27.")],
    year: Annotated[str | None, typer.Option("--year", help="Year (default: latest).")] = None,
    fmt: FormatOpt = "html",
    output: OutputOpt = None,
    data: DataOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = "en",
) -> None:
    """Report on one country: every material's dependency, largest changes and alerts."""
    from grondstof.documents import document

    _check_format(fmt, output)
    report = document("country", store_for(data, store), country=country_, year=year, lang=lang)
    _write(report, fmt, output, f"grondstof-{country_}")


@report_app.command("scenario")
@handle_errors
def scenario(
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help="A scenario file (YAML/JSON) or a shipped example "
            "name, e.g. nl-2035, stockpile_nl, cutoff_drc_cobalt_eu27.",
        ),
    ],
    fmt: FormatOpt = "html",
    output: OutputOpt = None,
    data: DataOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = "en",
) -> None:
    """Report on a scenario file: results, charts, assumptions and sources (any scenario kind)."""
    from grondstof.documents import document

    _check_format(fmt, output)
    report = document("scenario", store_for(data, store), scenario=file, lang=lang)
    _write(report, fmt, output, f"grondstof-scenario-{Path(file).stem}")
