"""``grondstof scenario …``: what-if analyses (supplier cut-offs, Monte Carlo disruptions, presets).

The ``scenario`` sub-app lives here; other scenario commands can register on :data:`scenario_app`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from grondstof.cli import CsvOpt, DataOpt, JsonOpt, LangOpt, StoreOpt, app, emit, handle_errors, store_for

scenario_app = typer.Typer(
    help="What-if scenarios: supplier cut-offs, Monte Carlo disruptions, presets.", no_args_is_help=True
)
app.add_typer(scenario_app, name="scenario")

FileOpt = Annotated[Path | None, typer.Option("--file", help="A YAML or JSON scenario file.")]


@scenario_app.command("cutoff")
@handle_errors
def cutoff(
    material: Annotated[str | None, typer.Option("--material", "-m", help="Material(s), comma list.")] = None,
    supplier: Annotated[
        str | None, typer.Option("--supplier", help="Supplier country(ies) that stop.")
    ] = None,
    country: Annotated[str | None, typer.Option("--country", "-c", help="Importer, EU27 or all.")] = None,
    destination: Annotated[
        str | None, typer.Option(help="Whom the cut applies to (default: --country; all = everyone).")
    ] = None,
    share: Annotated[float | None, typer.Option(help="Share of the exports that stops, 0–1 (1).")] = None,
    months: Annotated[float | None, typer.Option(help="Months the cut lasts (12).")] = None,
    stock_days: Annotated[
        float | None, typer.Option("--stock-days", help="Days of use held in stock.")
    ] = None,
    ramp_up: Annotated[
        float | None, typer.Option("--ramp-up", help="Alternatives' extra supply per year, share (0.1).")
    ] = None,
    capacity: Annotated[str | None, typer.Option(help="Alternatives' base: exports or production.")] = None,
    year: Annotated[int | None, typer.Option(help="Baseline year of the trade flows.")] = None,
    source: Annotated[str | None, typer.Option(help="Trade source, e.g. baci_hs92 or comext_cn8.")] = None,
    stage: Annotated[str | None, typer.Option(help="Only codes of this value-chain stage.")] = None,
    preset: Annotated[str | None, typer.Option(help="A preset id (grondstof scenario presets).")] = None,
    file: FileOpt = None,
    data: DataOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Supplier cut-off: supply lost, what alternatives replace, the shortfall, stock days to bridge it."""
    from grondstof.scenarios.cutoff import cutoff_scenario

    result = cutoff_scenario(
        preset=preset,
        file=str(file) if file else None,
        store=store_for(data, store),
        lang=lang,
        materials=material,
        suppliers=supplier,
        country=country,
        destination=destination,
        share=share,
        months=months,
        stock_days=stock_days,
        ramp_up=ramp_up,
        capacity=capacity,
        year=year,
        source=source,
        stage=stage,
    )
    emit(result, as_json, as_csv)


@scenario_app.command("montecarlo")
@handle_errors
def montecarlo(
    country: Annotated[
        str | None, typer.Option("--country", "-c", help="Importer (code, name, EU27).")
    ] = None,
    materials: Annotated[
        str | None, typer.Option("--materials", "-m", help="Materials, comma list, crm or strategic.")
    ] = None,
    draws: Annotated[int | None, typer.Option(help="Number of draws (100000).")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (42).")] = None,
    cover_percentile: Annotated[
        float | None, typer.Option("--cover-percentile", help="Percentile the stock covers (95).")
    ] = None,
    horizon_years: Annotated[int | None, typer.Option("--horizon-years", help="Years simulated (1).")] = None,
    correlation: Annotated[str | None, typer.Option(help="independent or supplier.")] = None,
    year: Annotated[int | None, typer.Option(help="Baseline year of the trade flows.")] = None,
    file: FileOpt = None,
    data: DataOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Monte Carlo disruptions: distribution of the annual shortfall per material, stock to cover it."""
    from grondstof.scenarios.montecarlo import montecarlo_scenario

    result = montecarlo_scenario(
        file=str(file) if file else None,
        store=store_for(data, store),
        lang=lang,
        country=country,
        materials=materials,
        draws=draws,
        seed=seed,
        cover_percentile=cover_percentile,
        horizon_years=horizon_years,
        correlation=correlation,
        year=year,
    )
    emit(result, as_json, as_csv)


@scenario_app.command("presets")
@handle_errors
def presets(
    data: DataOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """The cut-off presets derived from the export-control timeline, with their default assumptions."""
    from grondstof.scenarios.presets import list_presets

    emit(list_presets(store_for(data, store), lang), as_json, as_csv)


def __getattr__(name: str) -> object:
    # OUTPUTS (for tools/make_docs.py) is built on first access: the field lists live in modules that
    # import Ibis, which would slow down the start-up of every command.
    if name == "OUTPUTS":
        return _outputs()
    raise AttributeError(name)


def _outputs() -> dict[str, list[tuple[str, list[object]]]]:
    from grondstof.scenarios.cutoff import CUTOFF_FIELDS
    from grondstof.scenarios.montecarlo import MONTECARLO_FIELDS
    from grondstof.scenarios.presets import PRESET_FIELDS

    return {
        "scenario cutoff": [("", CUTOFF_FIELDS)],
        "scenario montecarlo": [("", MONTECARLO_FIELDS)],
        "scenario presets": [("", PRESET_FIELDS)],
    }
