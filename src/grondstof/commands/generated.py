"""Command line commands generated from the registry of analyses (:mod:`grondstof.analyses`).

Each analysis becomes ``grondstof <command>`` with one option per field of its parameter model: the option
names, help (with the accepted range), defaults and argument/option kind all come from the model, and the
values are validated by the same model as the API's, so the two cannot disagree.

Commands are built lazily: ``grondstof --help`` lists them from the registry's summaries without importing
any analysis, and running a command imports only that analysis' module.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from grondstof.analyses import Analysis, by_command, commands_under
from grondstof.commands.output import (
    CsvOpt,
    DataOpt,
    JsonOpt,
    StoreOpt,
    emit,
    handle_errors,
    store_for,
)
from grondstof.errors import InputError


class _Placeholder(TyperCommand):
    """Stands for an analysis command in help listings until it is run (then the real one is built)."""


class AnalysisGroup(TyperGroup):
    """A command group that also offers the registry's analyses under its path (``prefix``)."""

    prefix: tuple[str, ...] = ()

    def list_commands(self, ctx: Any) -> list[str]:
        """Static commands and the analyses under this group, sorted."""
        return sorted({*super().list_commands(ctx), *commands_under(self.prefix)})

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """A static command, or a light placeholder of an analysis (enough for help listings)."""
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        entry = by_command((*self.prefix, cmd_name))
        if entry is None:
            return None
        return _Placeholder(cmd_name, help=entry.summary, short_help=entry.summary)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """Build the real command of an analysis when it is about to run."""
        name, command, rest = super().resolve_command(ctx, args)
        if isinstance(command, _Placeholder) and name is not None:
            entry = by_command((*self.prefix, name))
            if entry is not None:
                command = build_command(entry)
        return name, command, rest


def analysis_group(prefix: tuple[str, ...]) -> type[AnalysisGroup]:
    """An :class:`AnalysisGroup` class for the commands under ``prefix`` (``()`` for the top level)."""
    return type(f"AnalysisGroup_{'_'.join(prefix) or 'root'}", (AnalysisGroup,), {"prefix": prefix})


def build_command(entry: Analysis) -> Any:
    """The click command of one analysis (its options from the parameter model)."""
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.command(name=entry.command[-1], help=entry.summary)(make_function(entry))
    return typer.main.get_command(app)


def cli_flags(name: str, field: Any) -> tuple[str, ...]:
    """The option names of a model field (``--country``, ``-c``); from its :class:`Cli` marker or its name."""
    from grondstof.parameters import cli_of, public_name

    flags = cli_of(field).flags
    return flags or ("--" + public_name(name, field).replace("_", "-"),)


def option_help(field: Any) -> str:
    """A field's help text with what it accepts when that is a range."""
    from grondstof.parameters import bounds, help_text

    text = help_text(field)
    limits = {k: v for k, v in bounds(field).items() if k in ("gt", "ge", "lt", "le")}
    if limits:
        signs = {"gt": ">", "ge": "≥", "lt": "<", "le": "≤"}
        text += " Accepts " + " and ".join(f"{signs[k]} {_plain_number(v)}" for k, v in limits.items()) + "."
    if field.is_required():
        text += " Required."
    return text


def _plain_number(value: float) -> str:
    """1e12 → 1,000,000,000,000; 0.5 → 0.5 (help text for people, not exponents)."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"


def _annotation(name: str, field: Any) -> tuple[Any, Any]:
    """The typer annotation and default of one model field."""
    from grondstof.parameters import base_type, cli_of

    cli = cli_of(field)
    kind: Any = Path if cli.path else base_type(field)
    default = None if field.is_required() else field.default
    if kind is bool and not field.is_required():
        flags = cli_flags(name, field)
        if cli.negative:
            flags = (f"{flags[0]}/{cli.negative}", *flags[1:])
        return Annotated[bool, typer.Option(*flags, help=option_help(field))], bool(default)
    # Numbers reach the model as text: its parser (ASCII digits, finite, bounds) gives the one-line error.
    metavar = {int: "INTEGER", float: "NUMBER"}.get(kind)
    if metavar:
        kind = str
    if default is None:
        kind = kind | None
    if cli.argument:
        info = typer.Argument(help=option_help(field), metavar=name.upper(), show_default=default is not None)
    else:
        info = typer.Option(*cli_flags(name, field), help=option_help(field), metavar=metavar)
    return Annotated[kind, info], default


def make_function(entry: Analysis) -> Any:
    """A function whose signature typer turns into the command's options, and which runs the analysis."""
    from grondstof.parameters import cli_of, public_name

    model = entry.model()
    parameters: list[inspect.Parameter] = []
    names = list(model.model_fields)
    flag_of = {}
    for name, field in model.model_fields.items():
        annotation, default = _annotation(name, field)
        parameters.append(
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)
        )
        flag_of[public_name(name, field)] = cli_flags(name, field)[0]
    alternatives = {}
    for name, field in model.model_fields.items():
        alternative = cli_of(field).alternative
        if alternative:
            key = f"{name}__alternative"
            alternatives[key] = (name, alternative, cli_flags(name, field)[0])
            parameters.append(
                inspect.Parameter(
                    key,
                    inspect.Parameter.KEYWORD_ONLY,
                    annotation=Annotated[
                        str | None, typer.Option(alternative, help=f"Same as {cli_flags(name, field)[0]}.")
                    ],
                    default=None,
                )
            )
    for extra in entry.cli_extras:
        extra_type = extra.type if extra.type is bool else extra.type | None
        parameters.append(
            inspect.Parameter(
                extra.name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=Annotated[extra_type, typer.Option(*extra.flags, help=extra.help)],
                default=extra.default,
            )
        )
    for name, annotation in (
        ("data", DataOpt),
        ("store", StoreOpt),
        ("as_json", JsonOpt),
        ("as_csv", CsvOpt),
    ):
        default = False if name.startswith("as_") else None
        parameters.append(
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)
        )

    @handle_errors
    def command(**kwargs: Any) -> None:
        data, store = kwargs.pop("data"), kwargs.pop("store")
        as_json, as_csv = kwargs.pop("as_json"), kwargs.pop("as_csv")
        extras = {e.name: kwargs.pop(e.name) for e in entry.cli_extras}
        for key, (name, alternative, flag) in alternatives.items():
            other = kwargs.pop(key)
            if other is not None and kwargs.get(name) is not None:
                raise InputError(
                    f"{alternative}/{flag}",
                    f"{other} and {kwargs[name]}",
                    f"either {alternative} or {flag}, not both",
                )
            if other is not None:
                kwargs[name] = other
        values = {
            n: (str(v) if isinstance(v, Path) else v)
            for n, v in kwargs.items()
            if n in names and v is not None
        }

        def run() -> Any:
            try:
                arguments = entry.validate(values)
            except InputError as exc:
                exc.parameter = flag_of.get(exc.parameter, exc.parameter)
                raise
            return entry.call(arguments, store_for(data, store))

        if entry.cli_present:
            from grondstof.analyses import _load

            out = _load(entry.cli_present)(run, as_json=as_json, as_csv=as_csv, **extras)
        else:
            out = run()
        if isinstance(out, str):
            sys.stdout.write(out)
        elif out is not None:
            emit(out, as_json, as_csv)

    command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in parameters}
    command.__doc__ = entry.summary
    command.__name__ = entry.name
    return command
