"""The only module that knows which engine runs the queries.

Indicator code is written once as Ibis expressions over the store's tables. DuckDB runs them in process by
default; ``connect("pyspark", spark=session)`` runs the same expressions on Spark (a cluster, or local mode
when no session is given) and ``connect("polars")`` on Polars. Engine-specific calls (connections, reading
Parquet, executing to Arrow, releasing what a store registered) live here only.

Nothing here imports pyspark or starts a JVM unless the ``pyspark`` backend is asked for: the default
command start-up stays DuckDB only.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from grondstof.config import BACKEND_NAMES

BACKENDS = BACKEND_NAMES

SPARK_MASTER_ENV = "GRONDSTOF_SPARK_MASTER"
SPARK_VERSION = "4.0"  # the line ibis-framework[pyspark] 12.0 supports (pyspark >=3.5,<4.1; we pin 4.0.5)


def connect(backend: str | None = None, *, spark: Any = None, **options: Any) -> Any:
    """Return an Ibis backend connection.

    Parameters
    ----------
    backend:
        ``duckdb`` (in process), ``polars`` or ``pyspark``; None takes ``$GRONDSTOF_BACKEND`` (or the
        command line's ``--backend``), else ``duckdb``.
    spark:
        For ``pyspark``: the SparkSession to run on (``session=`` is accepted too). Without one, the
        process's active session is used, or a local one is started (:func:`spark_session`).
    options:
        For ``duckdb``: passed to ``ibis.duckdb.connect`` (e.g. ``threads``). For ``pyspark``: Spark SQL
        settings applied to the session.
    """
    from grondstof.config import resolve_backend

    backend = resolve_backend(backend)  # InputError naming the parameter for an unknown engine
    import ibis

    if backend == "duckdb":
        return ibis.duckdb.connect(**options)
    if backend == "polars":
        return ibis.polars.connect(**options)
    session = spark if spark is not None else options.pop("session", None)
    if session is None:
        session = spark_session()
    return ibis.pyspark.connect(session, **options)


def spark_session(master: str | None = None) -> Any:
    """The SparkSession the ``pyspark`` backend uses when the caller gives none.

    The process's active session if there is one (on a cluster: the one ``spark-submit`` or the notebook
    made); otherwise a new session on ``master`` (default ``$GRONDSTOF_SPARK_MASTER``, else ``local[*]``)
    with the settings a local run needs: Python workers on this interpreter (stack.md D18), the loopback
    address, no web UI, and a throwaway warehouse directory (D17).
    """
    from grondstof.errors import InputError, StoreError

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise InputError(
            "--backend",
            "pyspark",
            "an installed engine: install the spark extra (pip install 'grondstof[spark]')",
        ) from None

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    import tempfile

    master = master or os.environ.get(SPARK_MASTER_ENV) or "local[*]"
    warehouse = tempfile.mkdtemp(prefix="grondstof-spark-warehouse-")
    try:
        session = (
            SparkSession.builder.master(master)
            .appName("grondstof")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.warehouse.dir", warehouse)
            .config("spark.driver.host", os.environ["SPARK_LOCAL_IP"])
            .getOrCreate()
        )
    except Exception as exc:  # no Java, or a Java Spark cannot use
        raise StoreError(
            f"could not start Spark on {master} ({type(exc).__name__}: {str(exc).splitlines()[0]}); Spark "
            f"{SPARK_VERSION} needs Java 17 or 21 (JAVA_HOME or java on PATH)"
        ) from exc
    session.sparkContext.setLogLevel("ERROR")
    return session


def backend_name(con: Any) -> str:
    """The engine name of an Ibis connection (``duckdb``, ``polars``, ``pyspark``)."""
    return str(getattr(con, "name", ""))


def read_parquet(con: Any, files: Sequence[Path | str], name: str, *, hive: bool = False) -> Any:
    """Expose Parquet files as a named Ibis table on ``con`` without copying them.

    ``files`` may hold glob patterns. With ``hive`` the files are one dataset whose directories carry
    ``key=value`` partition columns (``classification=HS92/year=2022/``) and whose files may order their
    columns differently (matched by name); the caller casts the partition columns to their types.
    """
    paths = [str(f) for f in files]
    target = paths if len(paths) > 1 else paths[0]
    backend = backend_name(con)
    if backend == "pyspark":
        return _spark_read_parquet(con, paths, name, hive)
    if not hive:
        return con.read_parquet(target, table_name=name)
    if backend == "duckdb":
        return con.read_parquet(target, table_name=name, hive_partitioning=True, union_by_name=True)
    return con.read_parquet(target, table_name=name, hive_partitioning=True)


def _spark_read_parquet(con: Any, paths: list[str], name: str, hive: bool) -> Any:
    """Register Parquet files as a Spark temporary view and return it as an Ibis table.

    A Spark session may be shared by several stores (the web server moving to a new build, a notebook with
    two stores), so the view is named after the files it reads. Spark has no ``**`` glob: a Hive dataset
    is given by its root directory, whose ``key=value`` directories Spark discovers itself; ``mergeSchema``
    matches files whose columns come in another order.

    Plain files are read one by one and concatenated in the order given: a table's row order is then its
    files' order, as on DuckDB (Spark would pack several files into partitions by size, and some small
    tables, such as the export-control timeline, mean their order).
    """
    digest = hashlib.sha1("\n".join(paths).encode()).hexdigest()[:12]
    view = f"gs_{name}_{digest}"
    reader = con._session.read
    if hive:
        roots = sorted({p.split("/**")[0] for p in paths})
        frame = reader.option("mergeSchema", "true").parquet(*roots)
    else:
        frame = reader.parquet(paths[0])
        for path in paths[1:]:
            frame = frame.unionByName(reader.parquet(path))
    frame.createOrReplaceTempView(view)
    con.__dict__.setdefault("_grondstof_views", set()).add(view)
    return con.table(view)


def to_arrow(expr: Any) -> Any:
    """Execute an Ibis expression and return a ``pyarrow.Table``.

    On DuckDB this goes straight from the DuckDB relation to Arrow: Ibis's own ``to_pyarrow`` imports its
    pandas converters, which costs a fifth of a second of start-up in every command. On Spark the compiled
    query is collected as Arrow batches (``DataFrame.toArrow``), keeping nulls and 64-bit integers as they
    are (Ibis's ``to_pyarrow`` goes through pandas there). Other backends use the public ``to_pyarrow``.
    """
    backend = expr._find_backend(use_default=True)
    name = backend_name(backend)
    if name == "duckdb" and hasattr(backend, "_to_duckdb_relation"):
        return backend._to_duckdb_relation(expr).to_arrow_table()
    if name == "pyspark" and getattr(backend, "mode", "batch") == "batch":
        return _spark_to_arrow(backend, expr)
    return expr.to_pyarrow()


def _spark_to_arrow(backend: Any, expr: Any) -> Any:
    from ibis.formats.pyarrow import PyArrowSchema

    backend._run_pre_execute_hooks(expr)
    table_expr = expr.as_table()
    frame = backend._session.sql(backend.compile(table_expr))
    arrow = frame.toArrow()
    schema = PyArrowSchema.from_ibis(table_expr.schema())
    # Spark names and types its columns itself (integer sums come back as 64-bit, as in DuckDB); the
    # expression's schema is the contract.
    arrow = arrow.rename_columns(schema.names).cast(schema)
    return expr.__pyarrow_result__(arrow)


def release(con: Any) -> None:
    """Let go of what a store registered on ``con``.

    A DuckDB connection belongs to its store and is closed. A Spark session belongs to the caller (or the
    process) and is never stopped: only the temporary views the store registered are dropped.
    """
    name = backend_name(con)
    if name == "pyspark":
        for view in con.__dict__.pop("_grondstof_views", set()):
            try:
                con._session.catalog.dropTempView(view)
            except Exception:  # the session may already be stopped
                break
        return
    if hasattr(con, "disconnect"):
        try:
            con.disconnect()
        except Exception:  # closing twice is harmless
            pass


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
    if backend_name(con) != "duckdb":
        import ibis
        import pyarrow as pa

        return ibis.memtable(
            pa.table({n: pa.array(columns[n][1], type=kinds[i]) for i, n in enumerate(names)})
        )
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
