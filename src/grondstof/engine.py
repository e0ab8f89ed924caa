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
    if not hive:
        return con.read_parquet(target, table_name=name)
    backend = getattr(con, "name", "")
    if backend == "duckdb":
        return con.read_parquet(target, table_name=name, hive_partitioning=True, union_by_name=True)
    if backend == "polars":
        return con.read_parquet(target, table_name=name, hive_partitioning=True)
    # Spark discovers partition directories by itself when given the dataset's root directories.
    roots = sorted({p.split("/**")[0] for p in paths})
    return con.read_parquet(roots if len(roots) > 1 else roots[0], table_name=name)


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


_DUCKDB_TYPES = {"string": "VARCHAR", "boolean": "BOOLEAN", "int64": "BIGINT", "float64": "DOUBLE"}


def small_table(con: Any, columns: dict[str, tuple[str, Sequence[Any]]]) -> Any:
    """A small lookup table (codes, importer labels) as an Ibis table on ``con``.

    ``columns`` maps each column name to ``(type, values)`` with type ``string``, ``boolean``, ``int64`` or
    ``float64``. On DuckDB the rows go into a temporary table named by their content (so a repeated call
    reuses it): building the table through Arrow from Python lists would import pandas, a fifth of a
    second in every command. Other backends get an Ibis memtable.
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

    digest = hashlib.sha1(repr((names, kinds, rows)).encode()).hexdigest()[:20]
    name = f"gs_small_{digest}"
    made: set[str] = con.__dict__.setdefault("_grondstof_small_tables", set())
    if name not in made:
        spec = ", ".join(f'"{n}" {_DUCKDB_TYPES[k]}' for n, k in zip(names, kinds, strict=True))
        con.con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({spec})")
        if rows:
            con.con.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' * len(names))})", rows)
        made.add(name)
    return con.table(name)
