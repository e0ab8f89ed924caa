"""Compiled SQL per expression shape: Ibis compiles a query shape once; later queries of that shape only put
their own values into the SQL text.

Compiling an Ibis expression to SQL costs tens of milliseconds of Python, more than DuckDB needs to answer
most of grondstof's queries. A server answers thousands of queries that differ only in their filter values
(a country, a material's codes, a year range): the same expression *shape*. This module caches, per shape,
the SQL text split at those values, and fills in the values of each new query.

What counts as a value (a *parameter*):

* a string, integer or float literal whose every use is a comparison operand (``=``, ``<>``, ``<``, ``<=``,
  ``>``, ``>=``), a ``BETWEEN`` bound or an ``IN`` list item — the places filters put request values;
* the name of a small lookup table made by :func:`grondstof.engine.small_table` (named by its content).

Everything else — other literals, list lengths, column names, operations, table schemas — is part of the
shape. The template of a shape is made by compiling the expression a second time with every parameter
replaced by a sentinel value and cutting the SQL at the sentinels; it is kept only if putting the original
values back reproduces the SQL Ibis compiled for the original expression, character for character.
Values are rendered by the Ibis compiler's own literal rule, so a new value reads exactly as Ibis would
have written it.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any, NamedTuple

__all__ = [
    "Slot",
    "SqlTemplates",
    "cut_at",
    "fill",
    "literal_text",
    "merge_kept",
    "read_private",
    "sentinel",
    "table_name_text",
    "write_private",
]

SMALL_TABLE_PREFIX = "gs_small_"
SHAPES = 1024  # templates kept per cache (least recently used dropped)
_UNCACHEABLE = object()


class SqlTemplates:
    """A thread-safe cache of SQL templates per expression shape, for one engine connection family.

    ``sql(backend, expr)`` returns the SQL of ``expr`` (a table expression), compiling only for a shape
    not seen before. Counters ``hits``, ``misses`` and ``uncacheable`` say how well it works.
    """

    def __init__(self, size: int = SHAPES) -> None:
        self.size = size
        self._templates: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = self.uncacheable = 0

    def __len__(self) -> int:
        """The number of shapes held."""
        return len(self._templates)

    def sql(self, backend: Any, expr: Any) -> str:
        """The SQL text of table expression ``expr`` for ``backend`` (an Ibis SQL backend)."""
        op = expr.op()
        shape = _shape(op)
        if shape is None:
            self.uncacheable += 1
            return str(backend.compile(expr))
        key, params = shape
        with self._lock:
            template = self._templates.get(key)
            if template is not None:
                self._templates.move_to_end(key)
        if template is not None and template is not _UNCACHEABLE:
            self.hits += 1
            return fill(template, [_render(backend, node) for node in params])
        compiled = str(backend.compile(expr))
        if template is _UNCACHEABLE:
            self.uncacheable += 1
            return compiled
        self.misses += 1
        made = _template(backend, op, params, compiled)
        with self._lock:
            self._templates[key] = made if made is not None else _UNCACHEABLE
            while len(self._templates) > self.size:
                self._templates.popitem(last=False)
        return compiled

    def kept(self) -> dict[Any, list[str | Slot]]:
        """The templates made so far, by shape (to keep with :func:`write_private`)."""
        with self._lock:
            return {key: made for key, made in self._templates.items() if made is not _UNCACHEABLE}

    def add(self, kept: Any) -> int:
        """Add templates that :meth:`kept` gave (another process's); how many were added."""
        with self._lock:
            return len(merge_kept(self._templates, kept, self.size))


def merge_kept(templates: MutableMapping[Any, Any], kept: Any, size: int) -> list[Any]:
    """Put the templates of ``kept`` (key → list of pieces, as another process kept them) that
    ``templates`` lacks into it, up to ``size`` in all; the keys put in. Anything else in ``kept`` is left
    out (a file of another shape)."""
    added: list[Any] = []
    if not isinstance(kept, dict):
        return added
    for key, made in kept.items():
        if len(templates) >= size:
            break
        if key not in templates and isinstance(made, list):
            templates[key] = made
            added.append(key)
    return added


def write_private(path: str | os.PathLike[str], data: Any) -> None:
    """Write ``data`` (templates: :meth:`SqlTemplates.kept`) to ``path``, readable only by this user.

    A pickle (template keys hold Ibis types and schemas), with the compiler's versions, written under a
    temporary name and renamed into place, so a reader never sees half a file. Read it with
    :func:`read_private`.
    """
    import pickle

    target = os.fspath(path)
    temporary = os.path.join(os.path.dirname(target), f".{os.path.basename(target)}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            pickle.dump((_compiler_versions(), data), file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def read_private(path: str | os.PathLike[str]) -> Any:
    """What :func:`write_private` wrote to ``path``, or None.

    None for a missing or unreadable file, one of another user or one that others can write (a pickle
    runs code when read, so only this user's own file is read), and one written with other versions of
    Ibis, sqlglot or Python (they may word the same shape differently).
    """
    import pickle

    try:
        info = os.stat(path)
        if info.st_uid != os.getuid() or info.st_mode & 0o022:
            return None
        with open(path, "rb") as file:
            saved = pickle.load(file)
    except Exception:  # missing, cut short, or of classes that no longer exist
        return None
    if not (isinstance(saved, tuple) and len(saved) == 2 and saved[0] == _compiler_versions()):
        return None
    return saved[1]


def _compiler_versions() -> tuple[str, ...]:
    """What the SQL of a shape depends on besides the shape: the compiler's versions."""
    import sys

    import ibis
    import sqlglot

    return (ibis.__version__, sqlglot.__version__, sys.version)


# -- shapes ----------------------------------------------------------------------------------------------


def _parameter_parents() -> tuple[type, ...]:
    import ibis.expr.operations as ops

    return (
        ops.InValues,
        ops.Equals,
        ops.NotEquals,
        ops.Greater,
        ops.GreaterEqual,
        ops.Less,
        ops.LessEqual,
        ops.Between,
    )


def _shape(op: Any) -> tuple[Any, list[Any]] | None:
    """(key, parameter nodes) of an expression graph, or None if it holds something not to cache
    (an in-memory table, whose data Ibis registers while compiling; a value that cannot be hashed)."""
    import ibis.expr.operations as ops
    from ibis.common.graph import Graph

    graph = Graph.from_bfs(op)
    order = {node: n for n, node in enumerate(graph)}
    parents: dict[Any, set[type]] = {}
    for node, children in graph.items():
        if isinstance(node, ops.InMemoryTable):
            return None
        for child in children:
            if isinstance(child, ops.Literal):
                parents.setdefault(child, set()).add(type(node))
    allowed = _parameter_parents()
    params: list[Any] = []
    slot: dict[Any, int] = {}
    for node in graph:
        if isinstance(node, ops.Literal) and _is_value(node):
            if all(issubclass(kind, allowed) for kind in parents.get(node, ())) and node in parents:
                slot[node] = len(params)
                params.append(node)
        elif isinstance(node, ops.DatabaseTable) and node.name.startswith(SMALL_TABLE_PREFIX):
            slot[node] = len(params)
            params.append(node)
    parts = []
    selves: dict[Any, int] = {}
    try:
        for node in graph:
            if node in slot:
                kind = node.dtype if isinstance(node, ops.Literal) else node.schema
                parts.append(("?", type(node), kind, slot[node]))
                continue
            described = (
                _describe(n, a, order) for n, a in zip(node.__argnames__, node.__args__, strict=True)
            )
            if isinstance(node, ops.SelfReference):
                # Ibis numbers self-references from a process-wide counter, so the same query built twice
                # differs in them; the SQL does not (aliases are positional). Number them by appearance.
                described = (
                    ("self", selves.setdefault(a, len(selves))) if n == "identifier" else d
                    for n, a, d in zip(node.__argnames__, node.__args__, described, strict=True)
                )
            parts.append((type(node), *described))
        key = tuple(parts)
        hash(key)
    except TypeError:
        return None
    return key, params


def _is_value(node: Any) -> bool:
    """A literal that may be a parameter: a string, an integer or a finite float."""
    import math

    value, dtype = node.value, node.dtype
    if value is None or isinstance(value, bool):
        return False
    if dtype.is_string():
        return isinstance(value, str)
    if dtype.is_integer():
        return isinstance(value, int)
    if dtype.is_floating():
        return isinstance(value, float) and math.isfinite(value)
    return False


def _describe(name: str, arg: Any, order: Mapping[Any, int]) -> Any:
    from ibis.common.graph import Node

    if isinstance(arg, Node):
        return ("@", order[arg])
    if isinstance(arg, tuple):
        return ("(", *(_describe(name, a, order) for a in arg))
    if isinstance(arg, Mapping):
        return ("{", *((k, _describe(name, v, order)) for k, v in arg.items()))
    if name == "source":
        return "source"  # the backend a table lives on: not part of the SQL
    if isinstance(arg, float) and arg != arg:
        # NaN is unequal to itself and hashed by identity: as itself, it would make every key new.
        return ("nan",)
    return arg


# -- templates -------------------------------------------------------------------------------------------


def _template(backend: Any, op: Any, params: list[Any], compiled: str) -> list[str | Slot] | None:
    """The SQL of ``op`` cut at its parameters, or None when the cut is not exact."""
    import ibis.expr.operations as ops

    if not params:
        return [compiled]
    sentinels: dict[Any, Any] = {}
    for n, node in enumerate(params):
        if isinstance(node, ops.DatabaseTable):
            sentinels[node] = node.copy(name=f"{SMALL_TABLE_PREFIX}param{n}x")
        else:
            value = sentinel(node.dtype, n)
            if value is None:
                return None
            sentinels[node] = ops.Literal(value, node.dtype)
    try:
        probe = str(backend.compile(op.replace(sentinels).to_expr()))
    except Exception:  # an expression Ibis cannot rebuild with other values: compile it each time
        return None
    pieces = cut_at(probe, {_render(backend, sentinels[node]): n for n, node in enumerate(params)})
    if len({p.key for p in pieces if isinstance(p, Slot)}) != len(params):
        return None
    if fill(pieces, [_render(backend, node) for node in params]) != compiled:
        return None
    return pieces


class Slot(NamedTuple):
    """A place in a template where a parameter's text goes."""

    key: Any


def cut_at(sql: str, marks: Mapping[str, Any]) -> list[str | Slot]:
    """``sql`` cut wherever a text of ``marks`` stands as a whole word: pieces of text, and ``Slot(key)``
    where ``marks[text]`` stood."""
    pattern = re.compile("|".join(f"(?<![\\w.]){re.escape(text)}(?![\\w.])" for text in marks))
    pieces: list[str | Slot] = []
    last = 0
    for match in pattern.finditer(sql):
        pieces.append(sql[last : match.start()])
        pieces.append(Slot(marks[match.group(0)]))
        last = match.end()
    pieces.append(sql[last:])
    return pieces


def fill(pieces: Sequence[str | Slot], texts: Any) -> str:
    """A template's SQL with ``texts[key]`` in each slot (``texts``: a list or a mapping)."""
    return "".join(texts[p.key] if isinstance(p, Slot) else p for p in pieces)


def sentinel(dtype: Any, n: int) -> Any:
    """A value of ``dtype`` that stands out in SQL text (and fits the type)."""
    if dtype.is_string():
        return f"gsParam{n}q7z"
    if dtype.is_integer():
        upper = dtype.bounds.upper
        return upper - 11 - n if upper - 11 - n > 0 else None
    if dtype.is_floating():
        return 0.000123456789 + n * 1e-12
    return None


_TEXTS: dict[tuple[Any, ...], str] = {}


def literal_text(backend: Any, value: Any, dtype: Any) -> str:
    """SQL text of a literal as Ibis's compiler for ``backend`` writes it (cached: the same codes recur)."""
    compiler = backend.compiler
    key = (compiler.dialect, dtype, value)
    text = _TEXTS.get(key)
    if text is None:
        import ibis.expr.operations as ops

        node = ops.Literal(value, dtype)
        text = str(compiler.visit_Literal(node, value=node.value, dtype=node.dtype).sql(compiler.dialect))
        _remember(key, text)
    return text


def table_name_text(backend: Any, name: str) -> str:
    """SQL text of a table name, quoted as Ibis's compiler for ``backend`` quotes it (cached)."""
    compiler = backend.compiler
    key = (compiler.dialect, "table", name)
    text = _TEXTS.get(key)
    if text is None:
        import sqlglot as sg

        text = str(sg.to_identifier(name, quoted=compiler.quoted).sql(compiler.dialect))
        _remember(key, text)
    return text


def _remember(key: tuple[Any, ...], text: str) -> None:
    if len(_TEXTS) > 100_000:
        _TEXTS.clear()
    _TEXTS[key] = text


def _render(backend: Any, node: Any) -> str:
    """SQL text of a parameter: a literal as Ibis's compiler writes it, or a quoted table name."""
    import ibis.expr.operations as ops

    if isinstance(node, ops.DatabaseTable):
        return table_name_text(backend, node.name)
    return literal_text(backend, node.value, node.dtype)
