"""Parameter declarations: the one place where an analysis says what it accepts.

Every analysis declares its parameters once, as a pydantic model (a subclass of :class:`Params`) beside its
library function. The model holds the types, bounds, defaults and help text in English and Dutch; the command
line options, the API query parameters and their OpenAPI description, the download URLs and docs/cli.md are
all generated from it (see :mod:`grondstof.analyses`), so the skins cannot disagree.

How a parameter looks on the command line or the web, where that differs from its name, is said with two
small markers in the field's ``Annotated`` metadata: :class:`Cli` (option names, positional argument, file
path) and :class:`Web` (not reachable from the web, or only some values). Pydantic ignores both; the
generators read them.

This module imports only pydantic, so declaring parameters costs a command almost nothing at start-up.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.fields import FieldInfo

from grondstof.errors import InputError, MissingInputError

__all__ = [
    "Cli",
    "CountriesText",
    "CountryText",
    "DataFile",
    "Lang",
    "MaterialText",
    "MaterialsText",
    "Params",
    "ShareFrom",
    "Stage",
    "TradeSource",
    "Web",
    "Years",
    "described",
    "expected_text",
    "help_text",
    "input_error",
    "validate_params",
]


@dataclass(frozen=True)
class Cli:
    """How a parameter appears on the command line.

    ``flags``: option names (the first is the canonical one); empty means ``--<name>`` with ``_`` as ``-``
    (or ``--<alias>`` when the field has an alias). ``argument``: a positional argument instead of an option.
    ``path``: a file path (shown as ``PATH``; never reachable from the web). ``negative``: for a boolean that
    defaults to true, the flag that turns it off (``--no-levers``). ``alternative``: a second spelling that
    may not be given together with the first (``--year`` beside ``--years``).
    """

    flags: tuple[str, ...] = ()
    argument: bool = False
    path: bool = False
    negative: str | None = None
    alternative: str | None = None


@dataclass(frozen=True)
class Web:
    """How a parameter appears on the web (API, downloads, pages).

    ``enabled=False`` keeps it off the web altogether (file paths on the server); ``choices`` restricts the
    web to these values (e.g. only the shipped scenario names, where the command line also takes a file).
    """

    enabled: bool = True
    choices: tuple[str, ...] | None = None


def described(en: str, nl: str, **constraints: Any) -> Any:
    """A pydantic ``Field`` with help text in English (the description) and Dutch (``x-nl``)."""
    return Field(description=en, json_schema_extra={"x-nl": nl}, **constraints)


class Params(BaseModel):
    """Base of every analysis' parameter model: unknown parameters are refused, values are immutable."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        validate_by_name=True,
        validate_by_alias=True,
        coerce_numbers_to_str=True,
        allow_inf_nan=False,  # a number is a finite number (1e309 overflows to inf)
    )


# Shared declarations. A model may narrow them with a further Field (the later one wins).
PERIOD_PATTERN = r"^[0-9]{4}(-[0-9]{1,2})?$"  # a year (2024) or a month (2022-03): prices and price dates

Lang = Annotated[
    Literal["en", "nl"],
    described(
        "Names and labels in English (en) or Dutch (nl).",
        "Namen en labels in het Engels (en) of Nederlands (nl).",
    ),
]
MaterialText = Annotated[
    str,
    described(
        "Material: English or Dutch name, chemical symbol or alias (e.g. gallium, kobalt, REE).",
        "Grondstof: Engelse of Nederlandse naam, chemisch symbool of alias (bijv. gallium, kobalt, REE).",
        min_length=1,
        max_length=100,
    ),
    Cli(argument=True),
]
MaterialsText = Annotated[
    str,
    described(
        "Materials: names, symbols or aliases as a comma list, or all, crm, strategic.",
        "Grondstoffen: namen, symbolen of aliassen als kommalijst, of all, crm, strategic.",
        min_length=1,
        max_length=500,
    ),
]
CountryText = Annotated[
    str,
    described(
        "Country: ISO2/ISO3 code, English or Dutch name, or EU27.",
        "Land: ISO2/ISO3-code, Engelse of Nederlandse naam, of EU27.",
        min_length=1,
        max_length=100,
    ),
    Cli(flags=("--country", "-c")),
]
CountriesText = Annotated[
    str,
    described(
        "Importer(s): ISO2/ISO3 codes, English or Dutch names, EU27; a comma list.",
        "Importeur(s): ISO2/ISO3-codes, Engelse of Nederlandse namen, EU27; een kommalijst.",
        min_length=1,
        max_length=500,
    ),
    Cli(flags=("--country", "-c")),
]
Years = Annotated[
    str | None,
    described(
        "A year (2022) or a range (2015-2024); default the latest year with data.",
        "Een jaar (2022) of een reeks (2015-2024); standaard het laatste jaar met gegevens.",
        max_length=20,
    ),
    Cli(flags=("--years",), alternative="--year"),
]


def _marker(field: FieldInfo, kind: type[Any]) -> Any:
    found = [m for m in field.metadata if isinstance(m, kind)]
    return found[-1] if found else kind()


def cli_of(field: FieldInfo) -> Cli:
    """The :class:`Cli` marker of a field (defaults when it has none)."""
    return _marker(field, Cli)


def web_of(field: FieldInfo) -> Web:
    """The :class:`Web` marker of a field (defaults when it has none); file paths are never on the web."""
    web = _marker(field, Web)
    return Web(enabled=False) if cli_of(field).path else web


def public_name(name: str, field: FieldInfo) -> str:
    """The name users see on the web and in messages: the alias if the field has one, else its name."""
    return field.alias or name


def help_text(field: FieldInfo, lang: str = "en") -> str:
    """The help text of a field in English or Dutch."""
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    if lang == "nl" and extra.get("x-nl"):
        return str(extra["x-nl"])
    return field.description or ""


def bounds(field: FieldInfo) -> dict[str, Any]:
    """The numeric and length bounds of a field: ``{"ge": 0, "le": 1, "max_length": 500, ...}``."""
    out: dict[str, Any] = {}
    for item in field.metadata:
        for key in ("gt", "ge", "lt", "le", "min_length", "max_length", "pattern"):
            value = getattr(item, key, None)
            if value is not None:
                out[key] = value
    return out


def choices(field: FieldInfo) -> tuple[Any, ...] | None:
    """The allowed values of a ``Literal`` field (through ``Optional``), or None."""
    annotation = field.annotation
    for candidate in (annotation, *get_args(annotation)):
        if get_origin(candidate) is Literal:
            return get_args(candidate)
    return None


def base_type(field: FieldInfo) -> type[Any]:
    """The scalar type behind a field's annotation: ``float | None`` → float, a Literal of strings → str."""
    annotation = field.annotation
    options = [a for a in get_args(annotation) if a is not type(None)] if get_args(annotation) else []
    if get_origin(annotation) is Literal:
        return type(get_args(annotation)[0])
    if options and get_origin(annotation) is not Literal:
        first = options[0]
        if get_origin(first) is Literal:
            return type(get_args(first)[0])
        return first if isinstance(first, type) else str
    return annotation if isinstance(annotation, type) else str


def _number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and abs(value) >= 10_000 else f"{value:g}"


def expected_text(field: FieldInfo) -> str:
    """What a field accepts, in words: "one of country, year", "a number > 0 and ≤ 120", ..."""
    allowed = choices(field)
    if allowed:
        return "one of " + ", ".join(str(c) for c in allowed)
    kind = base_type(field)
    limits = bounds(field)
    parts = []
    for key, sign in (("gt", ">"), ("ge", "≥"), ("lt", "<"), ("le", "≤")):
        if key in limits:
            parts.append(f"{sign} {_number(limits[key])}")
    if kind is bool:
        return "true or false"
    if kind is int:
        return "a whole number" + (" " + " and ".join(parts) if parts else "")
    if kind is float:
        return "a number" + (" " + " and ".join(parts) if parts else "")
    pattern = next((m.pattern for m in field.metadata if getattr(m, "pattern", None)), None)
    if pattern == PERIOD_PATTERN:
        return "a year (2024) or a month (2022-03)"
    text = "text" if pattern is None else f"text matching {pattern}"
    if "max_length" in limits:
        text += f" of at most {limits['max_length']} characters"
    if field.description:
        text += f" ({field.description.rstrip('.')})"
    return text


def _field_by_public_name(model: type[Params], name: str) -> tuple[str, FieldInfo] | None:
    for field_name, field in model.model_fields.items():
        if name in (field_name, field.alias):
            return field_name, field
    return None


def input_error(errors: Sequence[Mapping[str, Any]], model: type[Params]) -> InputError:
    """Turn the first of pydantic's validation errors (``exc.errors()``) into an :class:`InputError` naming
    the parameter.

    An unknown parameter is named with the closest known one; a value out of bounds or not of the right type
    gets the field's bounds or choices in words.
    """
    first: Mapping[str, Any] = errors[0] if errors else {"loc": (), "msg": "invalid", "type": "value_error"}
    loc = [str(p) for p in first.get("loc", ()) if p not in ("query", "path", "body")]
    name = loc[0] if loc else "parameters"
    known = [public_name(n, f) for n, f in model.model_fields.items()]
    if first.get("type") == "extra_forbidden":
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
        return InputError(
            name, first.get("input"), "one of the parameters " + ", ".join(known), suggestions=close
        )
    found = _field_by_public_name(model, name)
    if found is None:
        return InputError(name, first.get("input"), str(first.get("msg", "a valid value")))
    field_name, field = found
    public = public_name(field_name, field)
    if first.get("type") == "missing":
        return MissingInputError(public, None, help_text(field) or expected_text(field))
    return InputError(public, first.get("input"), expected_text(field))


def validate_params(model: type[Params], values: Mapping[str, Any], *, web: bool = False) -> Params:
    """Validate ``values`` against ``model``; on the web, parameters marked off the web are unknown there and
    restricted values are checked. Raises :class:`InputError` naming the parameter."""
    if web:
        for key in values:
            found = _field_by_public_name(model, key)
            if found is not None and not web_of(found[1]).enabled:
                raise InputError(
                    key, values[key], "a parameter the web accepts (files only via the command line)"
                )
    try:
        parsed = model.model_validate(dict(values))
    except ValidationError as exc:
        raise input_error(exc.errors(), model) from None
    if web:
        for name, field in model.model_fields.items():
            allowed = web_of(field).choices
            value = getattr(parsed, name)
            if allowed is not None and value is not None and value not in allowed:
                raise InputError(
                    public_name(name, field), value, "one of " + ", ".join(allowed) + " (shipped names)"
                )
    return parsed


TradeSource = Annotated[
    str | None,
    described(
        "Trade source, e.g. baci_hs92 or comext_cn8 (default: the best source for the material and years).",
        "Handelsbron, bijv. baci_hs92 of comext_cn8 (standaard: de beste bron voor de grondstof en jaren).",
        max_length=40,
    ),
]
Stage = Annotated[
    Literal["extraction", "processing", "manufacturing", "recycling"] | None,
    described(
        "Only codes of this value-chain stage: extraction, processing, manufacturing or recycling.",
        "Alleen codes van deze schakel in de keten: winning, verwerking, fabricage of recycling.",
    ),
]
ShareFrom = Annotated[
    str | None,
    described(
        "Report the combined share from these partners (comma list of countries).",
        "Toon het gezamenlijke aandeel van deze partners (kommalijst van landen).",
        alias="from",
        max_length=200,
    ),
    Cli(flags=("--from",)),
]
DataFile = Annotated[
    str | None,
    described("A YAML or JSON scenario file.", "Een scenariobestand in YAML of JSON."),
    Cli(path=True),
]


def bounds_of(model: type[BaseModel], name: str) -> dict[str, Any]:
    """The numeric bounds (``gt``, ``ge``, ``lt``, ``le``) of field ``name`` of another model, so a parameter
    model can take them from the model of scenario files instead of repeating the numbers."""
    return {k: v for k, v in bounds(model.model_fields[name]).items() if k in ("gt", "ge", "lt", "le")}
