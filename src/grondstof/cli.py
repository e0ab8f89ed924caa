"""The ``grondstof`` command line. Each command is a thin wrapper of one library function.

Every analysis prints a Rich table by default, one JSON object ``{"meta": ..., "rows": [...]}`` with
``--json``, and the rows as CSV with ``--csv``. Errors print one line to stderr and exit with status 2
(bad input) or 1 (data or store problems).
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from grondstof.errors import GrondstofError, InputError
from grondstof.result import Result

app = typer.Typer(
    name="grondstof",
    help="grondstof — an open observatory for critical raw materials (supply, dependency, risk).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])

DataOpt = Annotated[
    Path | None, typer.Option("--data", help="Data directory (default $GRONDSTOF_DATA or ../shared/data).")
]
StoreOpt = Annotated[
    Path | None,
    typer.Option("--store", help="Store directory (default $GRONDSTOF_STORE or ~/.cache/grondstof/store)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object {meta, rows}.")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print the rows as CSV.")]
LangOpt = Annotated[str, typer.Option("--lang", help="Names in 'en' or 'nl'.")]
YearOpt = Annotated[str | None, typer.Option("--year", help="One year, e.g. 2022.")]
YearsOpt = Annotated[str | None, typer.Option("--years", help="A range, e.g. 2015-2024.")]


def handle_errors(func: F) -> F:
    """Turn grondstof errors into one line on stderr and a non-zero exit status."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except GrondstofError as exc:
            err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except OSError as exc:
            # A file or directory the command could not read or write: one line naming it, no traceback.
            where = exc.filename if exc.filename is not None else "file system"
            err_console.print(
                f"[red]error:[/red] {where}: {exc.strerror or exc}", highlight=False, soft_wrap=True
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def emit(result: Result, as_json: bool, as_csv: bool) -> None:
    """Print a result in the requested format."""
    if as_json and as_csv:
        raise InputError("--json/--csv", "both", "at most one of --json and --csv")
    if as_json:
        sys.stdout.write(result.to_json() + "\n")
    elif as_csv:
        sys.stdout.write(result.to_csv())
    else:
        from grondstof.render import print_result

        print_result(result, console)


def _years(year: str | None, years: str | None) -> str | None:
    if year and years:
        raise InputError("--year/--years", f"{year} and {years}", "either --year or --years, not both")
    return year or years


def store_for(data: Path | None, store: Path | None) -> Any:
    """Open the store for a command (building it first, with progress on a terminal, if needed)."""
    from grondstof.store import open_store

    progress = _progress_printer() if sys.stderr.isatty() else None
    with store_dir_errors(store):
        return open_store(store, data_dir=data, progress=progress)


@contextlib.contextmanager
def store_dir_errors(store: Path | None) -> Iterator[None]:
    """Report a store directory that cannot be created or written as bad ``--store`` input (exit 2)."""
    from grondstof.config import resolve_store_dir

    root = resolve_store_dir(store)
    try:
        yield
    except OSError as exc:
        failed = Path(exc.filename).resolve() if exc.filename else None
        if failed is None or not (failed == root or root in failed.parents or failed in root.parents):
            raise
        raise InputError(
            "--store" if store is not None else "GRONDSTOF_STORE / --store",
            str(root),
            f"a directory grondstof can create and write ({exc.strerror})",
        ) from None


def _progress_printer() -> Callable[[str, str, str], None]:
    def show(source: str, event: str, detail: str) -> None:
        if event in ("done", "missing", "failed"):
            err_console.print(f"[dim]{source}: {event} {detail}[/dim]")

    return show


@app.command()
@handle_errors
def build(
    data: DataOpt = None,
    store: StoreOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Parse every source again.")] = False,
) -> None:
    """Build the store from the data directory (atomic; unchanged sources are reused)."""
    from grondstof.build_progress import build_with_progress
    from grondstof.config import resolve_store_dir

    with store_dir_errors(store):
        resolve_store_dir(store).mkdir(parents=True, exist_ok=True)  # fail before the progress display
        report = build_with_progress(data, store, force, err_console)
    console.print(f"Store {report.status}: {report.build_dir} ({report.seconds:.1f} s)")


@app.command("data")
@handle_errors
def data_cmd(
    data: DataOpt = None, store: StoreOpt = None, as_json: JsonOpt = False, as_csv: CsvOpt = False
) -> None:
    """List every source: title, publisher, licence, version, file hash, rows, years, what is missing."""
    from grondstof.catalog import data_sources

    emit(data_sources(data, store), as_json, as_csv)


@app.command()
@handle_errors
def supply(
    material: Annotated[str, typer.Argument(help="Material name (English/Dutch), symbol or alias.")],
    year: YearOpt = None,
    years: YearsOpt = None,
    stage: Annotated[str | None, typer.Option(help="extraction or processing.")] = None,
    source: Annotated[str | None, typer.Option(help="wmd, usgs_mcs2026 or eu_crm_2023.")] = None,
    by: Annotated[
        str, typer.Option(help="country (rows per country) or year (summary per year).")
    ] = "country",
    data: DataOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """World production by country: shares, HHI and top-3 share, per year and stage."""
    from grondstof.indicators.supply import supply as run

    emit(
        run(
            material,
            years=_years(year, years),
            stage=stage,
            source=source,
            by=by,
            store=store_for(data, store),
            lang=lang,
        ),
        as_json,
        as_csv,
    )


@app.command()
@handle_errors
def imports(
    material: Annotated[
        str,
        typer.Argument(
            help="Material name (English/Dutch), symbol or alias; a comma list; all, crm, strategic."
        ),
    ],
    country: Annotated[
        str, typer.Option("--country", "-c", help="Importer(s): code, name, EU27; comma list.")
    ],
    year: YearOpt = None,
    years: YearsOpt = None,
    source: Annotated[str | None, typer.Option(help="Trade source, e.g. baci_hs92 or comext_cn8.")] = None,
    stage: Annotated[str | None, typer.Option(help="Only codes of this value-chain stage.")] = None,
    share_from: Annotated[
        str | None, typer.Option("--from", help="Report the share from these partners.")
    ] = None,
    by: Annotated[
        str, typer.Option(help="partner (rows per partner) or year (summary per year).")
    ] = "partner",
    data: DataOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Imports of a material by partner: value, tonnes, shares, import HHI, top partner."""
    from grondstof.indicators.dependency import imports as run

    emit(
        run(
            material,
            country,
            years=_years(year, years),
            source=source,
            stage=stage,
            share_from=share_from,
            by=by,
            store=store_for(data, store),
            lang=lang,
        ),
        as_json,
        as_csv,
    )


@app.command()
@handle_errors
def partner(
    country: Annotated[str, typer.Option("--country", "-c", help="The importer (code, name or EU27).")],
    partner_: Annotated[str, typer.Option("--partner", "-p", help="The supplying country.")],
    year: YearOpt = None,
    years: YearsOpt = None,
    source: Annotated[
        str, typer.Option(help="Trade source: baci_hs92 (1995–2024) or comext_cn8 (2022–2024).")
    ] = "baci_hs92",
    by: Annotated[
        str, typer.Option(help="material (rows per material) or year (totals per year).")
    ] = "material",
    include_fuels: Annotated[bool, typer.Option("--include-fuels", help="Count energy fuels too.")] = False,
    data: DataOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Everything a country imports from one partner, by material and year."""
    from grondstof.indicators.partner import partner_imports as run

    emit(
        run(
            country,
            partner_,
            years=_years(year, years),
            source=source,
            by=by,
            include_fuels=include_fuels,
            store=store_for(data, store),
            lang=lang,
        ),
        as_json,
        as_csv,
    )


@app.command()
@handle_errors
def compare(
    material: Annotated[str, typer.Argument(help="Material name (English/Dutch), symbol or alias.")],
    countries: Annotated[
        str, typer.Option("--countries", help="Comma list of importers, or EU27 (all members + EU-27).")
    ],
    year: YearOpt = None,
    source: Annotated[str | None, typer.Option(help="Trade source.")] = None,
    stage: Annotated[str | None, typer.Option(help="Only codes of this value-chain stage.")] = None,
    share_from: Annotated[
        str | None, typer.Option("--from", help="Report the share from these partners.")
    ] = None,
    data: DataOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """The same dependency figures for several importers side by side."""
    from grondstof.indicators.dependency import compare as run

    emit(
        run(
            material,
            countries,
            year=year,
            source=source,
            stage=stage,
            share_from=share_from,
            store=store_for(data, store),
            lang=lang,
        ),
        as_json,
        as_csv,
    )


@app.command()
@handle_errors
def overview(
    country: Annotated[str, typer.Argument(help="Country (code, English/Dutch name) or EU27.")],
    year: YearOpt = None,
    data: DataOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """One row per material: imports, top partner, import HHI, world top producer and HHI, coverage."""
    from grondstof.indicators.overview import overview as run

    emit(run(country, year=year, store=store_for(data, store), lang=lang), as_json, as_csv)


@app.command()
@handle_errors
def materials(
    which: Annotated[str, typer.Option("--list", help="all, crm or strategic.")] = "all",
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """The material registry: names (EN/NL), symbols, list membership, trade codes, coverage."""
    from grondstof.indicators.registry_views import list_materials

    emit(list_materials(which, lang), as_json, as_csv)


@app.command()
@handle_errors
def countries(
    eu: Annotated[bool, typer.Option("--eu", help="Only (former) EU members.")] = False,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """The country concordance: ISO, BACI, Comtrade codes, English and Dutch names, EU membership."""
    from grondstof.indicators.registry_views import list_countries

    emit(list_countries(eu), as_json, as_csv)


def _load_command_modules() -> None:
    """Import every module of :mod:`grondstof.commands` so its commands register on ``app``."""
    import importlib
    import pkgutil

    import grondstof.commands as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{package.__name__}.{info.name}")


_load_command_modules()


def main() -> None:
    """Entry point of the ``grondstof`` script."""
    app()


if __name__ == "__main__":
    main()
