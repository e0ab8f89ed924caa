"""``grondstof watch``: the early-warning monitor (ranked alerts, as a table, JSON, CSV or an Atom feed)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from grondstof.cli import CsvOpt, DataOpt, JsonOpt, LangOpt, StoreOpt, app, emit, handle_errors, store_for
from grondstof.errors import InputError


@app.command()
@handle_errors
def watch(
    country: Annotated[
        str | None, typer.Option("--country", "-c", help="The importer: code, English/Dutch name or EU27.")
    ] = None,
    since: Annotated[str | None, typer.Option("--since", help="Only alerts of this year or later.")] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="YAML file with signal thresholds (see --print-config).")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="Only the N most severe alerts.")] = None,
    as_atom: Annotated[bool, typer.Option("--atom", help="Print the alerts as an Atom 1.0 feed.")] = False,
    feed_url: Annotated[
        str | None, typer.Option("--feed-url", help="URL the Atom feed is published at (rel=self).")
    ] = None,
    print_config: Annotated[
        bool, typer.Option("--print-config", help="Print the default signal configuration (YAML) and exit.")
    ] = False,
    data: DataOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Early-warning alerts for a country or the EU-27: import swings, concentration, export controls."""
    from grondstof.monitor import config as monitor_config
    from grondstof.monitor.feed import atom_feed
    from grondstof.monitor.signals import evidence_as_text
    from grondstof.monitor.signals import watch as run

    if print_config:
        sys.stdout.write(monitor_config.default_config_text())
        return
    if not country:
        raise InputError("--country", country, "an importer: ISO2/ISO3 code, English or Dutch name, or EU27")
    if as_atom and (as_json or as_csv):
        raise InputError("--atom/--json/--csv", "several", "at most one output format")
    result = run(country, since=since, config=config, limit=limit, store=store_for(data, store), lang=lang)
    if as_atom:
        sys.stdout.write(atom_feed(result, feed_url=feed_url))
        return
    emit(evidence_as_text(result) if as_csv else result, as_json, as_csv)


def __getattr__(name: str) -> object:
    # OUTPUTS (for tools/make_docs.py) is built on first access, keeping command start-up light.
    if name == "OUTPUTS":
        from grondstof.monitor.signals import ALERT_FIELDS

        return {"watch": [("", ALERT_FIELDS)]}
    raise AttributeError(name)
