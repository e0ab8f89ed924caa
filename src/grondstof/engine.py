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


def read_parquet(con: Any, files: Sequence[Path], name: str) -> Any:
    """Expose Parquet files as a named Ibis table on ``con`` without copying them."""
    paths = [str(f) for f in files]
    return con.read_parquet(paths if len(paths) > 1 else paths[0], table_name=name)


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
