"""``grondstof stockpile``: strategic stocks per material by days of cover, scenario or budget (Q9, Q17)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from grondstof.cli import CsvOpt, DataOpt, JsonOpt, LangOpt, StoreOpt, app, emit, handle_errors, store_for


@app.command()
@handle_errors
def stockpile(
    country: Annotated[
        str, typer.Option("--country", "-c", help="Importer: code, name or EU27; comma list.")
    ],
    materials: Annotated[
        str, typer.Option(help="Materials: strategic, crm, all or a comma list.")
    ] = "strategic",
    days: Annotated[str | None, typer.Option(help="Days-of-cover norm(s), e.g. 90 or 60,90,180.")] = None,
    budget: Annotated[float | None, typer.Option(help="EUR to allocate across materials (LP).")] = None,
    scenario: Annotated[
        Path | None, typer.Option(help="Scenario file (YAML/JSON): cut-off or Monte Carlo.")
    ] = None,
    confidence: Annotated[float, typer.Option(help="Share of draws the stock covers in full.")] = 0.95,
    holding_cost: Annotated[float, typer.Option("--holding-cost", help="Yearly holding cost rate.")] = 0.05,
    basis: Annotated[
        str, typer.Option(help="Reference flow: imports, net-imports or consumption.")
    ] = "imports",
    weights: Annotated[str, typer.Option(help="Budget weights: value, risk or tonnes.")] = "value",
    compare: Annotated[str | None, typer.Option(help="Importers side by side, e.g. EU27.")] = None,
    year: Annotated[int | None, typer.Option(help="Reference year (default the latest).")] = None,
    source: Annotated[str | None, typer.Option(help="Trade source, e.g. baci_hs92.")] = None,
    stage: Annotated[str | None, typer.Option(help="Only codes of this value-chain stage.")] = None,
    draws: Annotated[int | None, typer.Option(help="Monte Carlo draws (overrides the scenario).")] = None,
    seed: Annotated[int | None, typer.Option(help="Monte Carlo seed (overrides the scenario).")] = None,
    data: DataOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Strategic stock per material: days of cover, scenario cover at a confidence, or a budget; EUR cost."""
    from grondstof.scenarios.stockpile import stockpile as run

    result = run(
        country, materials, days=days, budget=budget, scenario=scenario, confidence=confidence,
        holding_cost=holding_cost, basis=basis, weights=weights, compare=compare, year=year, source=source,
        stage=stage, draws=draws, seed=seed, store=store_for(data, store), lang=lang,
    )  # fmt: skip
    emit(result, as_json, as_csv)


def __getattr__(name: str) -> Any:
    # OUTPUTS is built on first access (tools/make_docs.py), so `grondstof --help` does not import numpy.
    if name == "OUTPUTS":
        from grondstof.scenarios.stockpile import BUDGET_FIELDS, DAYS_FIELDS, SCENARIO_FIELDS

        return {
            "stockpile": [
                ("--days (default 90)", DAYS_FIELDS),
                ("--scenario", SCENARIO_FIELDS),
                ("--budget", BUDGET_FIELDS),
            ]
        }
    raise AttributeError(name)
