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

import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from grondstof.compiled_sql import cut_at, fill, literal_text, merge_kept, sentinel, table_name_text

if TYPE_CHECKING:
    from grondstof.store import Store

__all__ = ["Build", "QueryTemplates", "rows", "tuples"]

Build = Callable[["Store", Any, Mapping[str, Any], Mapping[str, Any]], Any]
TableInput = Mapping[str, tuple[str, Sequence[Any]]]
ValueInput = tuple[str, Any]

SERVED_TABLE_PREFIXES = ("gs_hot_", "gs_small_")
"""Tables a template may read: the server's in-memory tables and lookup tables (same name on every cursor)."""
VALUE_TYPES = ("int64", "string")
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
    names, found = tuples(store, build, shape=shape, tables=tables, values=values)
    return [dict(zip(names, row, strict=True)) for row in found]


def tuples(
    store: Store,
    build: Build,
    *,
    shape: Hashable,
    tables: Mapping[str, TableInput] | None = None,
    values: Mapping[str, ValueInput] | None = None,
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """:func:`rows` as column names and rows as tuples (:func:`grondstof.engine.to_tuples`), for a large
    result read in a loop."""
    query = _Query(store, build, shape, tables or {}, values or {})
    for name, (kind, _) in query.values.items():
        if kind not in VALUE_TYPES:
            raise ValueError(f"value {name!r}: type {kind!r}, expected one of {list(VALUE_TYPES)}")
    templates: QueryTemplates | None = getattr(store.con, "grondstof_prepared", None)
    if templates is None:
        return _run_expr(query.expr())
    return templates.answer(query)


@dataclass(frozen=True)
class _Query:
    """One call of a declared query: the store, the build function and its inputs."""

    store: Store
    build: Build
    shape: Hashable
    tables: Mapping[str, TableInput]
    values: Mapping[str, ValueInput]

    def key(self) -> tuple[Any, ...]:
        """What decides the SQL's form: the build, the shape and the inputs' names and types."""
        return (
            self.build.__module__,
            self.build.__qualname__,
            self.shape,
            tuple((n, tuple((c, t) for c, (t, _) in cols.items())) for n, cols in self.tables.items()),
            tuple((n, kind) for n, (kind, _) in self.values.items()),
        )

    def expr(self, values: Mapping[str, Any] | None = None) -> Any:
        """The Ibis expression, with the real values or with ``values`` in their place."""
        import ibis

        from grondstof.engine import small_table

        given = values or {n: value for n, (_, value) in self.values.items()}
        made = {n: small_table(self.store.con, dict(cols)) for n, cols in self.tables.items()}
        literals = {n: ibis.literal(given[n], type=kind) for n, (kind, _) in self.values.items()}
        return self.build(self.store, self.shape, made, literals)

    def input_texts(self, backend: Any) -> dict[str, str]:
        """The SQL text of every input by name: a lookup table's quoted name (the table is made on this
        cursor if missing) or a literal."""
        import ibis.expr.datatypes as dt

        from grondstof.engine import small_table_name

        texts = {
            n: table_name_text(backend, small_table_name(backend, dict(cols)))
            for n, cols in self.tables.items()
        }
        texts.update({n: literal_text(backend, v, dt.dtype(kind)) for n, (kind, v) in self.values.items()})
        return texts


def _run_expr(expr: Any) -> tuple[list[str], list[tuple[Any, ...]]]:
    from grondstof.engine import to_tuples

    return to_tuples(expr)


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
        # Templates another process made (add()): each shape's expression is built once more here before
        # its first answer, for what building it makes on the way (lookup and derived tables).
        self._foreign: set[Any] = set()
        self._lock = threading.Lock()
        self.hits = self.misses = self.uncacheable = 0

    def __len__(self) -> int:
        """The number of shapes held."""
        return len(self._templates)

    def kept(self) -> dict[Any, list[Any]]:
        """The templates made so far, by key (to keep with :func:`grondstof.compiled_sql.write_private`)."""
        with self._lock:
            return {key: made for key, made in self._templates.items() if made is not _NOT_CACHEABLE}

    def add(self, kept: Any) -> int:
        """Add templates that :meth:`kept` gave in another process of the same code; how many were added."""
        with self._lock:
            added = merge_kept(self._templates, kept, self.size)
            self._foreign.update(added)
        return len(added)

    def answer(self, query: _Query) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows of the query, from its template when the shape has one."""
        from grondstof.engine import sql_tuples

        backend = query.store.con
        key = query.key()
        with self._lock:
            template = self._templates.get(key)
        if template is _NOT_CACHEABLE:
            self.uncacheable += 1
            return _run_expr(query.expr())
        if template is not None:
            self.hits += 1
            if key in self._foreign:
                query.expr()  # built, not compiled: the tables it reads now exist on this database
                self._foreign.discard(key)
            sql = fill(template, query.input_texts(backend))
            if self.check:
                built = str(backend.compile(query.expr().as_table()))
                if built != sql:
                    raise AssertionError(f"template of {key[1]} {query.shape!r}:\n{sql}\n!=\n{built}")
            return sql_tuples(backend, sql)
        self.misses += 1
        expr = query.expr()
        made, compiled = _template(query, backend, expr)
        with self._lock:
            if len(self._templates) >= self.size:
                self._templates.clear()  # shapes are few; a full cache means something varies that should not
            self._templates[key] = made if made is not None else _NOT_CACHEABLE
        if made is not None and compiled is not None:
            return sql_tuples(backend, compiled)  # compiled once already: no second compilation
        return _run_expr(expr)


def _template(query: _Query, backend: Any, expr: Any) -> tuple[list[Any] | None, str | None]:
    """The SQL of the query cut at its inputs (None if the cut is not exact or a table is not served) and
    the SQL Ibis compiled for ``expr`` (None if it could not)."""
    import ibis.expr.datatypes as dt
    import ibis.expr.operations as ops

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
    texts = query.input_texts(backend)
    if len({texts[n] for n in query.tables}) != len(query.tables):
        return None, compiled  # two inputs with the same rows: their names cannot tell them apart
    stand_ins = {n: sentinel(dt.dtype(kind), i) for i, (n, (kind, _)) in enumerate(query.values.items())}
    probe = str(backend.compile(query.expr(stand_ins).as_table()))
    marks = {texts[n]: n for n in query.tables}
    marks.update({literal_text(backend, v, dt.dtype(query.values[n][0])): n for n, v in stand_ins.items()})
    pieces = cut_at(probe, marks)
    if fill(pieces, texts) != compiled:
        return None, compiled
    return pieces, compiled
