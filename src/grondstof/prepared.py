"""Queries declared with named inputs, so the web server can answer a repeated query shape without Ibis.

Building an Ibis expression costs milliseconds of Python per join and window (about 20 ms for the two
queries of one ``imports`` answer), more than DuckDB needs to run them on in-memory tables. A query declared
here is one function ``build(store, shape, tables, values)`` that returns an Ibis table expression from

* ``shape``: the hashable choices that change the query's form (which trade sources, how many importer
  codes, whether a country group is among the importers);
* ``tables``: small lookup tables by name (codes per material, importer labels), given as columns
  ``{column: (type, values)}``, which the build receives as Ibis tables;
* ``values``: scalar inputs by name (a year, an ISO3 code), given as ``(type, value)`` with type
  ``string`` or ``int64``, which the build receives as Ibis literals and may only use inside the
  expression (never branch on them in Python).

:func:`rows` runs it. Every engine builds the expression from the real inputs and runs it, except a
connection with a :class:`QueryTemplates` (the web server's in-memory DuckDB): there a shape is built and
compiled once, with unmistakable stand-in values, and the SQL text is cut at them; later queries of that
shape only fill in their own values and table names. A template is kept only if filling in the first
query's inputs gives, character for character, the SQL Ibis compiled for that query, and only if every
table it reads is an in-memory table of the server (named the same on every cursor); otherwise the shape is
built every time, as before. So the declaration is the one every engine runs, and a template can never
answer something the expression would not.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grondstof.store import Store

__all__ = ["Build", "QueryTemplates", "rows"]

Build = Callable[["Store", Any, Mapping[str, Any], Mapping[str, Any]], Any]
TableInput = Mapping[str, tuple[str, Sequence[Any]]]
ValueInput = tuple[str, Any]

SERVED_TABLE_PREFIXES = ("gs_hot_", "gs_small_")
"""Tables a template may read: the server's in-memory tables and lookup tables (same name on every cursor)."""
_VALUE_TYPES = {"string": "string", "int64": "int64"}
_NOT_CACHEABLE = object()
SHAPES = 2048


def rows(
    store: Store,
    build: Build,
    *,
    shape: Hashable,
    tables: Mapping[str, TableInput] | None = None,
    values: Mapping[str, ValueInput] | None = None,
) -> list[dict[str, Any]]:
    """Run query ``build`` on ``store`` with these inputs and return its rows as dicts (see module docstring).

    The rows are those of :func:`grondstof.engine.to_rows` on the expression ``build`` returns.
    """
    tables = tables or {}
    values = values or {}
    for name, (kind, _) in values.items():
        if kind not in _VALUE_TYPES:
            raise ValueError(f"value {name!r}: type {kind!r}, expected one of {sorted(_VALUE_TYPES)}")
    backend = store.con
    templates: QueryTemplates | None = getattr(backend, "grondstof_prepared", None)
    if templates is None:
        return _run_expr(_build(store, build, shape, tables, values))
    return templates.rows(store, backend, build, shape, tables, values)


def _build(
    store: Store,
    build: Build,
    shape: Hashable,
    tables: Mapping[str, TableInput],
    values: Mapping[str, ValueInput],
) -> Any:
    import ibis

    made = {name: _table_expr(store, columns) for name, columns in tables.items()}
    literals = {name: ibis.literal(value, type=kind) for name, (kind, value) in values.items()}
    return build(store, shape, made, literals)


def _run_expr(expr: Any) -> list[dict[str, Any]]:
    from grondstof.engine import to_rows

    return to_rows(expr)


class QueryTemplates:
    """SQL templates of declared queries per shape, shared by the cursors of one in-memory DuckDB database.

    Counters ``hits``, ``misses`` and ``uncacheable`` say how well it works. With ``check`` set (tests),
    every answer from a template is also built and compiled by Ibis, and a difference in the SQL raises
    :class:`AssertionError`.
    """

    def __init__(self, size: int = SHAPES, *, check: bool = False) -> None:
        self.size = size
        self.check = check
        self._templates: dict[Any, Any] = {}
        self._lock = threading.Lock()
        self.hits = self.misses = self.uncacheable = 0

    def rows(
        self,
        store: Store,
        backend: Any,
        build: Build,
        shape: Hashable,
        tables: Mapping[str, TableInput],
        values: Mapping[str, ValueInput],
    ) -> list[dict[str, Any]]:
        """Rows of the query, from its template when the shape has one."""
        from grondstof.engine import run_sql, small_table_name

        key = (
            build.__module__,
            build.__qualname__,
            shape,
            tuple((n, tuple((c, t) for c, (t, _) in cols.items())) for n, cols in tables.items()),
            tuple((n, kind) for n, (kind, _) in values.items()),
        )
        with self._lock:
            template = self._templates.get(key)
        if template is _NOT_CACHEABLE:
            self.uncacheable += 1
            return _run_expr(_build(store, build, shape, tables, values))
        if template is not None:
            self.hits += 1
            names = {n: small_table_name(backend, dict(cols)) for n, cols in tables.items()}
            sql = _fill(template, _input_texts(backend, names, values))
            if self.check:
                built = str(backend.compile(_build(store, build, shape, tables, values).as_table()))
                if built != sql:
                    raise AssertionError(f"template of {build.__qualname__} {shape!r}:\n{sql}\n!=\n{built}")
            return run_sql(backend, sql)
        self.misses += 1
        expr = _build(store, build, shape, tables, values)
        made, compiled = _template(store, backend, build, shape, tables, values, expr)
        with self._lock:
            if len(self._templates) >= self.size:
                self._templates.clear()  # shapes are few; a full cache means something varies that should not
            self._templates[key] = made if made is not None else _NOT_CACHEABLE
        if made is not None and compiled is not None:
            return run_sql(backend, compiled)  # compiled once already: no second compilation
        return _run_expr(expr)


class _Slot(str):
    """A place in a template where an input's text goes (a str subclass: the input's name)."""


def _template(
    store: Store,
    backend: Any,
    build: Build,
    shape: Hashable,
    tables: Mapping[str, TableInput],
    values: Mapping[str, ValueInput],
    expr: Any,
) -> tuple[list[str] | None, str | None]:
    """The SQL of the query cut at its inputs (None if the cut is not exact or a table is not served) and
    the SQL Ibis compiled for ``expr`` (None if it could not)."""
    import ibis
    import ibis.expr.operations as ops

    from grondstof.engine import small_table_name

    try:
        compiled = str(backend.compile(expr.as_table()))
        read = list(expr.op().find(ops.PhysicalTable))
    except Exception:  # an expression this backend cannot compile to one SQL text: build it each time
        return None, None
    if any(
        not isinstance(node, ops.DatabaseTable) or not node.name.startswith(SERVED_TABLE_PREFIXES)
        for node in read
    ):
        return None, compiled  # a Parquet view or an in-memory table Ibis registers while compiling
    table_names = {n: small_table_name(backend, dict(cols)) for n, cols in tables.items()}
    if len(set(table_names.values())) != len(table_names):
        return None, compiled  # two inputs with the same rows: their names cannot tell them apart
    stand_ins: dict[str, Any] = {}
    for n, (name, (kind, _)) in enumerate(values.items()):
        stand_ins[name] = f"gsValue{n}q7z" if kind == "string" else 9_000_000_000_000_000_000 - n
    probe_expr = build(
        store,
        shape,
        {n: _table_expr(store, cols) for n, cols in tables.items()},
        {n: ibis.literal(stand_ins[n], type=kind) for n, (kind, _) in values.items()},
    )
    probe = str(backend.compile(probe_expr.as_table()))
    marks = {_quoted(backend, table): n for n, table in table_names.items()}
    marks.update({_literal(backend, values[n][0], v): n for n, v in stand_ins.items()})
    pattern = re.compile("|".join(f"(?<![\\w.]){re.escape(text)}(?![\\w.])" for text in marks))
    pieces: list[str] = []
    last = 0
    for match in pattern.finditer(probe):
        pieces.append(probe[last : match.start()])
        pieces.append(_Slot(marks[match.group(0)]))
        last = match.end()
    pieces.append(probe[last:])
    if _fill(pieces, _input_texts(backend, table_names, values)) != compiled:
        return None, compiled
    return pieces, compiled


def _input_texts(
    backend: Any, table_names: Mapping[str, str], values: Mapping[str, ValueInput]
) -> dict[str, str]:
    """The SQL text of every input by name: a quoted table name or a literal."""
    texts = {n: _quoted(backend, table) for n, table in table_names.items()}
    texts.update({n: _literal(backend, kind, value) for n, (kind, value) in values.items()})
    return texts


def _fill(pieces: Sequence[str], texts: Mapping[str, str]) -> str:
    return "".join(texts[p] if isinstance(p, _Slot) else p for p in pieces)


def _table_expr(store: Store, columns: TableInput) -> Any:
    from grondstof.engine import small_table

    return small_table(store.con, dict(columns))


def _quoted(backend: Any, name: str) -> str:
    import sqlglot as sg

    compiler = backend.compiler
    return str(sg.to_identifier(name, quoted=compiler.quoted).sql(compiler.dialect))


_LITERALS: dict[tuple[str, Any], str] = {}


def _literal(backend: Any, kind: str, value: Any) -> str:
    """A value's SQL text as the Ibis compiler writes it (cached: the same codes recur)."""
    key = (kind, value)
    text = _LITERALS.get(key)
    if text is None:
        import ibis.expr.datatypes as dt
        import ibis.expr.operations as ops

        node = ops.Literal(value, dt.dtype(kind))
        compiler = backend.compiler
        text = str(compiler.visit_Literal(node, value=value, dtype=node.dtype).sql(compiler.dialect))
        if len(_LITERALS) > 100_000:
            _LITERALS.clear()
        _LITERALS[key] = text
    return text
