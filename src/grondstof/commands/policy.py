"""``grondstof crma`` (the CRMA benchmark tracker) and ``grondstof controls`` (export controls, exposure)."""

from __future__ import annotations

from typing import Annotated

import typer

from grondstof.cli import CsvOpt, DataOpt, JsonOpt, LangOpt, StoreOpt, app, emit, handle_errors, store_for


@app.command()
@handle_errors
def crma(
    year: Annotated[
        str | None, typer.Option("--year", help="Trade year for the diversification rows (default: latest).")
    ] = None,
    material: Annotated[
        str | None, typer.Option("--material", "-m", help="Only this strategic raw material.")
    ] = None,
    data: DataOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """CRMA 2030 benchmarks per strategic raw material: value, target, status, distance, trend."""
    from grondstof.indicators.crma import crma as run

    emit(run(year, material=material, store=store_for(data, store), lang=lang), as_json, as_csv)


@app.command()
@handle_errors
def controls(
    country: Annotated[
        str | None, typer.Option("--country", "-c", help="The controlling (exporting) country, e.g. China.")
    ] = None,
    material: Annotated[
        str | None, typer.Option("--material", "-m", help="A material; groups match their members.")
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="YYYY-MM-DD: status on this day (default today).")
    ] = None,
    importer: Annotated[
        str | None,
        typer.Option(
            "--importer",
            "-i",
            help="Show this importer's exposure (country or EU27) to the measures in force on --date "
            "instead of the list: its share of imports from the controlling country before and after.",
        ),
    ] = None,
    data: DataOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Export controls with their status on a date; with --importer, that importer's exposure to them.

    Without --importer: the timeline of measures (filtered by --country, the controlling country, and
    --material), each with its status on --date: active, suspended, ended, announced or not yet announced.
    With --importer C (a country or EU27): the measures in force on --date that apply to C (a
    destination-specific measure such as "United States only" applies to that destination alone) and, per
    material, C's imports from the controlling country in the year before the measure took effect and each
    year after, as value and share (tonnes where the source has them); --country and --material then
    filter the measures.
    """
    from grondstof.indicators.exposure import controls as listing
    from grondstof.indicators.exposure import exposure

    opened = store_for(data, store)
    if importer is None:
        result = listing(country, material, date, store=opened, lang=lang)
    else:
        result = exposure(importer, material, date, controller=country, store=opened, lang=lang)
    emit(result, as_json, as_csv)


def __getattr__(name: str) -> object:
    # OUTPUTS (for tools/make_docs.py) is built on first access, keeping command start-up light.
    if name == "OUTPUTS":
        from grondstof.indicators.crma import CRMA_FIELDS
        from grondstof.indicators.exposure import CONTROL_FIELDS, EXPOSURE_FIELDS

        return {
            "crma": [("", CRMA_FIELDS)],
            "controls": [("without --importer", CONTROL_FIELDS), ("--importer C", EXPOSURE_FIELDS)],
        }
    raise AttributeError(name)
