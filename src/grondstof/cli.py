"""The ``grondstof`` command line.

Every analysis command is generated from the registry of analyses (:mod:`grondstof.analyses`), so its
options, bounds and help come from the same parameter model as the API's; the other commands (``build``,
``data``, ``serve``, ``report``) live in :mod:`grondstof.commands`. Every analysis prints a Rich table by
default, one JSON object ``{"meta": ..., "rows": [...]}`` with ``--json``, and the rows as CSV with
``--csv``. Errors print one line to stderr and exit with status 2 (bad input) or 1 (data or store problems);
a reader that leaves early (``grondstof … | head``) ends the command quietly with status 141 (as SIGPIPE
would).
"""

from __future__ import annotations

from typing import Annotated

import typer

from grondstof.commands import report, serve, store, synth, warm
from grondstof.commands.generated import analysis_group
from grondstof.commands.output import emit, handle_errors, store_for

__all__ = ["app", "emit", "handle_errors", "main", "store_for"]

app = typer.Typer(
    name="grondstof",
    cls=analysis_group(()),
    help="grondstof — an open observatory for critical raw materials (supply, dependency, risk).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _global_options(
    backend: Annotated[
        str | None,
        typer.Option(
            "--backend",
            help="Engine that runs the queries: duckdb (default, in process) or pyspark "
            "(needs the spark extra). Default $GRONDSTOF_BACKEND.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Options that apply to every command."""
    from grondstof.commands.output import err_console
    from grondstof.config import choose_backend
    from grondstof.errors import InputError

    try:
        choose_backend(backend)
    except InputError as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


scenario_app = typer.Typer(
    cls=analysis_group(("scenario",)),
    help="What-if scenarios: supplier cut-offs, Monte Carlo disruptions, presets.",
    no_args_is_help=True,
)
app.add_typer(scenario_app, name="scenario")

for _module in (store, report, serve, synth, warm):
    _module.register(app)


def main() -> None:
    """Entry point of the ``grondstof`` script (the command is the whole process: Typer exits after it)."""
    store.whole_process()
    app()


if __name__ == "__main__":
    main()
