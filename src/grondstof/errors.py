"""Errors that reach users.

Every error a user can cause carries enough to act on: which parameter, file, line or field, the value
given and what was expected. The CLI prints ``str(error)`` as one line and exits non-zero; the HTTP API
turns the same fields into an ``application/problem+json`` body.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


class GrondstofError(Exception):
    """Base class of all errors grondstof raises on purpose."""


@dataclass
class InputError(GrondstofError):
    """A user-supplied parameter is not acceptable.

    ``parameter`` names the option or field (``country``, ``--years``), ``value`` what was given,
    ``expected`` what would have been accepted, ``suggestions`` close matches ("did you mean").
    """

    parameter: str
    value: object
    expected: str
    suggestions: Sequence[str] = field(default_factory=tuple)

    def __str__(self) -> str:
        text = f"{self.parameter}: {self.value!r} is not valid; expected {self.expected}"
        if self.suggestions:
            text += ". Did you mean: " + ", ".join(self.suggestions[:5]) + "?"
        return text


class MissingInputError(InputError):
    """A required parameter was not given; ``expected`` says what it is."""

    def __str__(self) -> str:
        return f"{self.parameter} is required: {self.expected}"


class UnknownMaterialError(InputError):
    """A material name, symbol or alias that the registry does not know."""


class UnknownCountryError(InputError):
    """A country name or code that the registry does not know."""


@dataclass
class SourceFormatError(GrondstofError):
    """An upstream data file does not have the layout or values its parser expects.

    The whole file is refused. ``line`` is the 1-based physical line in the file (the header is line 1),
    ``column`` the column name, ``value`` the offending text and ``expected`` what the format requires.
    """

    file: Path | str
    expected: str
    line: int | None = None
    column: str | None = None
    value: object = None
    more: int = 0

    def __str__(self) -> str:
        where = str(self.file)
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column {self.column!r}"
        text = f"{where}: "
        if self.value is not None:
            text += f"value {self.value!r} is invalid; "
        text += f"expected {self.expected}"
        if self.more:
            text += f" ({self.more} more such rows)"
        return text


class StoreError(GrondstofError):
    """The store is missing, stale or cannot be built."""


class DataNotAvailableError(GrondstofError):
    """The question is valid but the data cannot answer it (e.g. a year outside the data)."""


@dataclass
class LimitError(GrondstofError):
    """A request is within the library's bounds but over one of the web server's resource limits.

    ``parameter`` names what is limited (a parameter such as ``draws``, or ``heavy requests``), ``value``
    what was asked, ``limit`` the most the server allows, ``status`` the HTTP status (413 for a request too
    large, 429 for too many at once), ``reason`` why in a few words and ``retry_after`` the seconds to wait
    (429 only). The command line and the library have no such limits.
    """

    parameter: str
    value: object
    limit: object
    status: int = 413
    reason: str = ""
    retry_after: int | None = None

    def __str__(self) -> str:
        text = f"{self.parameter}: {_shown(self.value)} is over this server's limit of {_shown(self.limit)}"
        if self.reason:
            text += f" ({self.reason})"
        return text


def _shown(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return repr(value) if isinstance(value, str) else str(value)
    if float(value).is_integer() and abs(value) < 1e16:
        return f"{int(value):,}"
    return f"{value:g}"
