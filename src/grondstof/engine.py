"""The only module that knows which engine runs the queries.

Indicator code is written once as Ibis expressions over the store's tables. DuckDB runs them in process by
default; ``connect("pyspark", session=spark)`` runs the same expressions on a Spark cluster and
``connect("polars")`` on Polars. Engine-specific calls (connections, reading Parquet) live here only.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

BACKENDS = ("duckdb", "polars", "pyspark")

_COMPILERS = "ibis.backends.sql.compilers"


def lazy_sql_compilers() -> bool:
    """Make ``ibis.backends.sql.compilers`` load each SQL dialect's compiler only when it is first used.

    Ibis's package module imports the compilers of twenty engines (Athena, BigQuery, Trino, …) as soon as
    any backend is loaded, about a tenth of a second of every command that needs only DuckDB's (or
    Spark's). This installs an import hook that gives the package a module ``__getattr__`` instead: its
    names (``DuckDBCompiler``, ``sc.trino``, …) resolve by importing the submodule they live in, so
    whatever Ibis or a user asks for still works. The names are read from the package's own source; if
    that source holds anything but imports, nothing changes. Returns whether the hook is (now) active;
    it has no effect once the package has been imported.
    """
    import sys

    if _COMPILERS in sys.modules:
        return isinstance(sys.modules[_COMPILERS].__spec__.loader, _LazyCompilers)
    if not any(isinstance(f, _LazyCompilers) for f in sys.meta_path):
        sys.meta_path.insert(0, _LazyCompilers())
    return True


class _LazyCompilers:
    """Meta path finder and loader of the lazy ``ibis.backends.sql.compilers`` (see lazy_sql_compilers)."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != _COMPILERS:
            return None
        from importlib.machinery import ModuleSpec, PathFinder

        real = PathFinder.find_spec(fullname, path)
        if real is None or real.origin is None:
            return None
        names = _exported_by_submodule(Path(real.origin))
        if names is None:
            return None  # not the layout we know: let Ibis import its module as it is
        spec = ModuleSpec(fullname, self, origin=real.origin, is_package=True)
        spec.submodule_search_locations = real.submodule_search_locations
        spec.loader_state = names
        return spec

    def create_module(self, spec: Any) -> None:
        return None

    def exec_module(self, module: Any) -> None:
        import importlib

        names: dict[str, str] = module.__spec__.loader_state
        package = module.__name__

        def __getattr__(name: str) -> Any:  # the module attribute hook of PEP 562
            submodule = names.get(name, name)
            try:
                loaded = importlib.import_module(f"{package}.{submodule}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{package}.{submodule}":
                    raise
                raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
            return loaded if submodule == name else getattr(loaded, name)

        module.__getattr__ = __getattr__
        module.__all__ = sorted(names)


def _exported_by_submodule(init: Path) -> dict[str, str] | None:
    """``{"DuckDBCompiler": "duckdb", …}`` from the package's ``from .x import Name`` lines, or None when
    the file does anything else (then it must run as written)."""
    import ast

    try:
        tree = ast.parse(init.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return None
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(_COMPILERS + "."):
            submodule = node.module[len(_COMPILERS) + 1 :]  # type: ignore[index]
            if "." in submodule or any(a.asname for a in node.names):
                return None
            names.update({a.name: submodule for a in node.names})
        elif isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] == ["__all__"]:
            continue
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        else:
            return None
    return names or None


def connect(backend: str = "duckdb", **options: Any) -> Any:
    """Return an Ibis backend connection.

    Parameters
    ----------
    backend:
        ``duckdb`` (default, in process), ``polars`` or ``pyspark``.
    options:
        For ``pyspark``: ``session`` (an existing SparkSession). For ``duckdb``: passed to
        ``ibis.duckdb.connect`` (e.g. ``threads``).
    """
    lazy_sql_compilers()
    import ibis

    if backend == "duckdb":
        return ibis.duckdb.connect(**options)
    if backend == "polars":
        return ibis.polars.connect(**options)
    if backend == "pyspark":
        session = options.pop("session", None)
        if session is None:
            raise ValueError("backend='pyspark' needs session=<SparkSession>")
        return ibis.pyspark.connect(session, **options)
    raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")


def read_parquet(con: Any, files: Sequence[Path | str], name: str, *, hive: bool = False) -> Any:
    """Expose Parquet files as a named Ibis table on ``con`` without copying them.

    ``files`` may hold glob patterns. With ``hive`` the files are one dataset whose directories carry
    ``key=value`` partition columns (``classification=HS92/year=2022/``) and whose files may order their
    columns differently (matched by name); the caller casts the partition columns to their types.
    """
    paths = [str(f) for f in files]
    target = paths if len(paths) > 1 else paths[0]
    backend = getattr(con, "name", "")
    if backend == "duckdb":
        options = ", hive_partitioning = true, union_by_name = true" if hive else ""
        listed = ", ".join(_sql_text(p) for p in paths)
        con.con.execute(
            f"CREATE OR REPLACE TEMP VIEW {_sql_name(name)} AS "
            f"SELECT * FROM read_parquet([{listed}]{options})"
        )
        return duckdb_table(con, name)
    if not hive:
        return con.read_parquet(target, table_name=name)
    if backend == "polars":
        return con.read_parquet(target, table_name=name, hive_partitioning=True)
    # Spark discovers partition directories by itself when given the dataset's root directories.
    roots = sorted({p.split("/**")[0] for p in paths})
    return con.read_parquet(roots if len(roots) > 1 else roots[0], table_name=name)


def duckdb_table(con: Any, name: str) -> Any:
    """The Ibis table of DuckDB table or view ``name`` on the Ibis DuckDB backend ``con``.

    Ibis's own ``con.table`` reads the column types through Arrow, which imports pyarrow (and numpy) in
    every command; this reads them as Python rows and maps them with Ibis's own DuckDB type parser.
    """
    import ibis.expr.operations as ops
    import ibis.expr.schema as sch

    described = con.con.execute(f"DESCRIBE {_sql_name(name)}").fetchall()
    parse = con.compiler.type_mapper.from_string
    schema = sch.Schema({row[0]: parse(row[1], nullable=row[2] == "YES") for row in described})
    namespace = ops.Namespace(catalog=None, database=None)
    return ops.DatabaseTable(name, schema=schema, source=con, namespace=namespace).to_expr()


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def to_arrow(expr: Any) -> Any:
    """Execute an Ibis expression and return a ``pyarrow.Table``.

    On DuckDB this goes straight from the DuckDB relation to Arrow: Ibis's own ``to_pyarrow`` imports its
    pandas converters, which costs a fifth of a second of start-up in every command. Other backends use
    the public ``to_pyarrow``.
    """
    backend = expr._find_backend(use_default=True)
    if getattr(backend, "name", "") == "duckdb" and hasattr(backend, "_to_duckdb_relation"):
        return backend._to_duckdb_relation(expr).to_arrow_table()
    return expr.to_pyarrow()


def to_rows(expr: Any) -> list[dict[str, Any]]:
    """Execute an Ibis expression and return its rows as a list of dicts (column name → Python value).

    On DuckDB the rows come straight from the DuckDB relation as Python objects, so a command that only
    needs rows never imports pyarrow (and with it numpy): about a fifth of a second of start-up. Values
    are the same Python types Arrow's ``to_pylist`` gives (int, float, str, bool, None, date, Decimal, list,
    dict), except that integer sums are ints as Ibis types them (Arrow gives DuckDB's 128-bit sums as
    Decimal). Other backends go through Arrow.

    The query stops with :class:`grondstof.cancel.Cancelled` when the current cancel token is cancelled,
    also while DuckDB runs it. A connection with a ``grondstof_sql`` attribute (a
    :class:`grondstof.compiled_sql.SqlTemplates`, set by the web server) compiles each query shape once.
    """
    backend = expr._find_backend(use_default=True)
    if getattr(backend, "name", "") != "duckdb" or not hasattr(backend, "_to_duckdb_relation"):
        return to_arrow(expr).to_pylist()  # type: ignore[no-any-return]
    from grondstof import cancel

    token = cancel.current()
    if token is not None:
        token.check()
    templates = getattr(backend, "grondstof_sql", None)
    if templates is not None:
        relation = backend.con.sql(templates.sql(backend, expr.as_table()))
    else:
        relation = backend._to_duckdb_relation(expr)
    if token is None:
        rows = relation.fetchall()
    else:
        with token.running(backend.con):
            try:
                rows = relation.fetchall()
            except Exception as exc:
                if token.cancelled:  # DuckDB's InterruptException, raised by token.cancel()
                    raise cancel.Cancelled(token.reason or "deadline", token.seconds) from exc
                raise
    names = relation.columns
    return [dict(zip(names, row, strict=True)) for row in rows]


_DUCKDB_TYPES = {"string": "VARCHAR", "boolean": "BOOLEAN", "int64": "BIGINT", "float64": "DOUBLE"}
SMALL_TABLES = 512  # lookup tables kept per connection; the least recently used is dropped beyond


def small_table(con: Any, columns: dict[str, tuple[str, Sequence[Any]]]) -> Any:
    """A small lookup table (codes, importer labels) as an Ibis table on ``con``.

    ``columns`` maps each column name to ``(type, values)`` with type ``string``, ``boolean``, ``int64`` or
    ``float64``. On DuckDB the rows go into a temporary table named by their content (so a repeated call
    reuses it), made by one statement and typed from ``columns`` (no round trip to read its schema);
    a connection keeps the :data:`SMALL_TABLES` most recently used. Building the table through Arrow
    from Python lists would import pandas, a fifth of a second in every command. Other backends get an
    Ibis memtable.
    """
    names = list(columns)
    kinds = [columns[n][0] for n in names]
    rows = list(zip(*(columns[n][1] for n in names), strict=True))
    if getattr(con, "name", "") != "duckdb":
        import ibis
        import pyarrow as pa

        return ibis.memtable(
            pa.table({n: pa.array(columns[n][1], type=kinds[i]) for i, n in enumerate(names)})
        )
    import hashlib
    from collections import OrderedDict

    import ibis.expr.operations as ops
    import ibis.expr.schema as sch

    digest = hashlib.sha1(repr((names, kinds, rows)).encode()).hexdigest()[:20]
    name = f"gs_small_{digest}"
    made: OrderedDict[str, None] = con.__dict__.setdefault("_grondstof_small_tables", OrderedDict())
    if name in made:
        made.move_to_end(name)
    else:
        spec = ", ".join(f"{_sql_name(n)} {_DUCKDB_TYPES[k]}" for n, k in zip(names, kinds, strict=True))
        if rows:
            values = ", ".join("(" + ", ".join("?" * len(names)) + ")" for _ in rows)
            typed = ", ".join(
                f"CAST(c{i} AS {_DUCKDB_TYPES[k]}) AS {_sql_name(n)}"
                for i, (n, k) in enumerate(zip(names, kinds, strict=True))
            )
            aliases = ", ".join(f"c{i}" for i in range(len(names)))
            select = f"SELECT {typed} FROM (VALUES {values}) v({aliases})"
            con.con.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {name} AS {select}", [v for row in rows for v in row]
            )
        else:
            con.con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({spec})")
        made[name] = None
        while len(made) > SMALL_TABLES:
            old, _ = made.popitem(last=False)
            con.con.execute(f"DROP TABLE IF EXISTS temp.{old}")
    schema = sch.Schema(dict(zip(names, kinds, strict=True)))
    namespace = ops.Namespace(catalog=None, database=None)
    return ops.DatabaseTable(name, schema=schema, source=con, namespace=namespace).to_expr()
