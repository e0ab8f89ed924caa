"""``grondstof risk``: GeoPolRisk, the EU supply-risk method and DERA screening."""

from __future__ import annotations

from typing import Annotated

import typer

from grondstof.cli import (
    CsvOpt,
    DataOpt,
    JsonOpt,
    LangOpt,
    StoreOpt,
    YearOpt,
    YearsOpt,
    _years,
    app,
    emit,
    handle_errors,
    store_for,
)


@app.command()
@handle_errors
def risk(
    material: Annotated[
        str, typer.Argument(help="Material name, symbol or alias; a comma list; all, crm, strategic.")
    ],
    country: Annotated[
        str, typer.Option("--country", "-c", help="Importer(s): code, name, EU27; comma list.")
    ] = "NL",
    year: YearOpt = None,
    years: YearsOpt = None,
    method: Annotated[
        str, typer.Option(help="geopolrisk, eu-sr, dera or all (side by side).")
    ] = "geopolrisk",
    data: DataOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Supply risk: GeoPolRisk for an importer, the EU 2023 method, DERA screening, or all three."""
    from grondstof.indicators.risk import risk as run

    emit(
        run(
            material,
            country,
            years=_years(year, years),
            method=method,
            store=store_for(data, store),
            lang=lang,
        ),
        as_json,
        as_csv,
    )


def __getattr__(name: str) -> object:
    # OUTPUTS (for tools/make_docs.py) is built on first access, keeping command start-up light.
    if name == "OUTPUTS":
        from grondstof.indicators.dera import DERA_FIELDS
        from grondstof.indicators.eu_supply_risk import EU_SR_FIELDS, NATIONAL_SR_FIELDS
        from grondstof.indicators.geopolrisk import GEOPOLRISK_FIELDS
        from grondstof.indicators.risk import ALL_FIELDS

        return {
            "risk": [
                ("--method geopolrisk (default)", GEOPOLRISK_FIELDS),
                ("--method eu-sr, EU-27", EU_SR_FIELDS),
                ("--method eu-sr, a country", NATIONAL_SR_FIELDS),
                ("--method dera", DERA_FIELDS),
                ("--method all", ALL_FIELDS),
            ]
        }
    raise AttributeError(name)
