"""``grondstof balance`` (mass balance per material, country and year) and ``grondstof net-trade`` (Q26)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from grondstof.cli import (
    CsvOpt,
    DataOpt,
    JsonOpt,
    LangOpt,
    StoreOpt,
    YearOpt,
    app,
    emit,
    handle_errors,
    store_for,
)


@app.command()
@handle_errors
def balance(
    material: Annotated[str, typer.Argument(help="One material (English/Dutch name, symbol or alias).")],
    country: Annotated[str, typer.Option("--country", "-c", help="Country (code or name) or EU27.")],
    year: YearOpt = None,
    basis: Annotated[str, typer.Option(help="gross (tonnes of goods) or content (estimated).")] = "gross",
    stage: Annotated[
        str | None, typer.Option(help="extraction, processing, manufacturing, recycling or all.")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Trade source, e.g. baci_hs92.")] = None,
    stock_change: Annotated[
        float | None, typer.Option("--stock-change", help="Known stock change, t (increase positive).")
    ] = None,
    consumption: Annotated[
        float | None, typer.Option(help="Known consumption, t: the residual then checks the data.")
    ] = None,
    top: Annotated[int, typer.Option(help="Partners named in the Sankey (rest is 'other').")] = 5,
    as_sankey: Annotated[
        bool, typer.Option("--sankey", help="Print the Sankey nodes and links as JSON.")
    ] = False,
    data: DataOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Mass balance: imports, production, exports, apparent consumption, re-export share, residual, Sankey."""
    from grondstof.errors import DataNotAvailableError
    from grondstof.scenarios.massbalance import balance as run

    result = run(
        material, country, year, basis=basis, stage=stage, source=source, stock_change=stock_change,
        consumption=consumption, top=top, store=store_for(data, store), lang=lang,
    )  # fmt: skip
    if not as_sankey:
        return emit(result, as_json, as_csv)
    if result.meta["sankey"] is None:
        raise DataNotAvailableError(
            "no Sankey: " + next((n for n in result.meta["notes"] if "Sankey" in n), "")
        )
    sys.stdout.write(json.dumps(result.meta["sankey"], indent=2, ensure_ascii=False) + "\n")


@app.command("net-trade")
@handle_errors
def net_trade(
    country: Annotated[str, typer.Option("--country", "-c", help="Country (code or name) or EU27.")],
    materials: Annotated[str, typer.Option(help="Materials: all, crm, strategic or a comma list.")] = "all",
    year: YearOpt = None,
    data: DataOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Exports, imports and net exports per material, with the part in waste-and-scrap codes."""
    from grondstof.scenarios.massbalance import net_trade as run

    emit(run(country, materials, year, store=store_for(data, store), lang=lang), as_json, as_csv)


def __getattr__(name: str) -> object:
    # OUTPUTS (for tools/make_docs.py) is built on first access, keeping command start-up light.
    if name == "OUTPUTS":
        from grondstof.scenarios.massbalance import BALANCE_FIELDS, NET_TRADE_FIELDS

        return {"balance": [("", BALANCE_FIELDS)], "net-trade": [("", NET_TRADE_FIELDS)]}
    raise AttributeError(name)
