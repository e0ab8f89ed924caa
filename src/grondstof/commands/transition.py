"""``grondstof transition`` (material demand of a deployment scenario, Q3/Q19/Q25) and
``grondstof technologies`` (materials per MW and per MWh by technology, Q24)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from grondstof.cli import CsvOpt, DataOpt, JsonOpt, LangOpt, StoreOpt, app, emit, handle_errors, store_for


@app.command()
@handle_errors
def transition(
    scenario: Annotated[str, typer.Argument(help="Scenario file (YAML/JSON) or a shipped name: nl-2035.")],
    by: Annotated[str, typer.Option(help="year, technology, material (totals) or lever.")] = "year",
    no_levers: Annotated[
        bool, typer.Option("--no-levers", help="Rows without the scenario's levers.")
    ] = False,
    data: DataOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Material demand of an energy-transition scenario per year, against imports and world production."""
    from grondstof.scenarios.transition import transition as run

    result = run(scenario, by=by, apply_levers=not no_levers, store=store_for(data, store), lang=lang)
    emit(result, as_json, as_csv)


@app.command()
@handle_errors
def technologies(
    per: Annotated[
        str, typer.Option("--per", help="Order by kg per MW or per MWh (lifetime output).")
    ] = "MW",
    materials: Annotated[str | None, typer.Option("--materials", help="Only these materials.")] = None,
    weight: Annotated[str, typer.Option(help="supply-risk (EU 2023 SR) or none.")] = "supply-risk",
    by: Annotated[
        str, typer.Option(help="material (rows per material) or technology (totals).")
    ] = "material",
    capacity_factors: Annotated[
        str | None,
        typer.Option("--capacity-factors", help="Overrides, e.g. offshore_wind=0.45,nuclear=0.85."),
    ] = None,
    lifetimes: Annotated[
        str | None, typer.Option("--lifetimes", help="Overrides in years, e.g. nuclear=40.")
    ] = None,
    relative_to: Annotated[str, typer.Option("--relative-to", help="Reference for the ratios.")] = "nuclear",
    data: DataOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Materials per MW of capacity and per MWh generated over the lifetime, per power technology."""
    from grondstof.scenarios.technologies import technologies as run

    options = {"capacity_factors": capacity_factors, "lifetimes": lifetimes, "relative_to": relative_to}
    result = run(
        per, materials=materials, weight=weight, by=by, store=store_for(data, store), lang=lang, **options
    )
    emit(result, as_json, as_csv)


def __getattr__(name: str) -> Any:
    # OUTPUTS is built on first access (tools/make_docs.py) so that CLI start-up does not import the models.
    if name != "OUTPUTS":
        raise AttributeError(name)
    from grondstof.scenarios.technologies import MATERIAL_FIELDS, TOTAL_FIELDS
    from grondstof.scenarios.transition import FIELDS, LEVER_FIELDS

    return {
        "transition": [("--by year (default), technology or material", FIELDS), ("--by lever", LEVER_FIELDS)],
        "technologies": [("--by material (default)", MATERIAL_FIELDS), ("--by technology", TOTAL_FIELDS)],
    }
