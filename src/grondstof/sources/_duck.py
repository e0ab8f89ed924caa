"""Streaming sources: large trade files validated, code-mapped and written to Parquet inside DuckDB.

The big trade sources (BACI yearly files, Comext bulk files) never pass through Python memory. One SQL
statement per source reads the CSV files with explicit column types (codes as text), checks every row with
SQL expressions that abort the statement on the first bad value (``error()``), maps country codes through
a small table built from the registry, and copies the result to Parquet. DuckDB streams: its memory is
capped (``memory_limit``) and spills to a directory inside the build.

DuckDB cannot say on which line of a CSV a checked value stood. When a statement fails, the source's
*locator* re-reads the file in bounded batches with the same vectorised validators as the small sources
(``sources/_base.py``) and raises their error — file, physical line, column, value and what was expected.
A failure the locator cannot place (a DuckDB-only objection) is still refused, naming the file and quoting
DuckDB's message.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from grondstof.errors import SourceFormatError

# Tables written as Hive partitions (classification=…/year=…/) in the ``hive`` layout.
PARTITIONED = {"trade": ("classification", "year")}
MEMORY_LIMIT = "600MB"
BATCH_BYTES = 1 << 24  # the locator reads 16 MB of CSV text at a time
# Row groups as pyarrow writes them (2^20 rows): few enough that engines scan a table of the shared data
# in a stable order (analyses that draw random numbers per row stay reproducible), large enough to
# compress well.
ROW_GROUP_ROWS = 1 << 20


@dataclass
class StreamTarget:
    """Where and how a streaming source writes its tables during a build.

    ``tables_dir`` is ``<build>/tables``; ``layout`` is ``files`` (one Parquet file per table and source)
    or ``hive`` (trade partitioned by classification and year); ``all_products`` keeps rows of codes the
    registry does not map; ``progress`` receives short texts ("2019: 41 %") for the progress bar.
    """

    con: Any
    tables_dir: Path
    source_id: str
    layout: str = "files"
    all_products: bool = False
    progress: Callable[[str], None] = lambda _text: None


@dataclass
class StreamedTable:
    """What a streaming source wrote for one table: rows, year span, files (relative to ``tables_dir``)."""

    rows: int
    years: list[int] | None
    files: list[str]
    dropped_rows: int = 0
    notes: list[str] = field(default_factory=list)


def connect(temp_dir: Path, threads: int | None = None) -> Any:
    """A DuckDB connection for one build: memory capped, spilling into ``temp_dir``."""
    import duckdb

    config: dict[str, Any] = {"memory_limit": MEMORY_LIMIT, "temp_directory": str(temp_dir)}
    if threads:
        config["threads"] = threads
    con = duckdb.connect(config=config)
    # Rows keep their file order: a group's rows then sit together in the Parquet file, so the engine
    # sums them in the same order on every run (floating-point totals, and the Monte Carlo draws built on
    # them, stay reproducible bit for bit). Progress is tracked for the build's bar, never printed.
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    return con


def sql_text(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def sql_list(values: Sequence[str]) -> str:
    """A SQL list literal of strings."""
    return "[" + ", ".join(sql_text(v) for v in values) + "]"


def enum_type(con: Any, name: str, values: Sequence[str]) -> str:
    """Create (once per connection) an ENUM type of ``values`` and return its name.

    Constant and low-cardinality text columns are written through ENUMs: DuckDB writes an ENUM as a
    dictionary-encoded Parquet string without hashing every row, which is several times faster than
    VARCHAR, and readers see an ordinary string column.
    """
    import hashlib

    unique = sorted(set(values))
    type_name = f"gs_{name}_{hashlib.sha1('|'.join(unique).encode()).hexdigest()[:10]}"
    exists = con.execute("SELECT count(*) FROM duckdb_types() WHERE type_name = ?", [type_name]).fetchone()[0]
    if not exists:
        con.execute(f"CREATE TYPE {type_name} AS ENUM ({', '.join(sql_text(v) for v in unique)})")
    return type_name


def lookup_table(
    con: Any, name: str, rows: Sequence[tuple[Any, str]], key_type: str, iso3_type: str = "VARCHAR"
) -> str:
    """Create a temporary two-column lookup table ``(key, iso3)`` and return its name."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} (key {key_type}, iso3 {iso3_type})")
    insert_rows(con, name, rows)
    return name


def code_map_macro(con: Any, name: str, mapping: dict[int, str], value_type: str = "VARCHAR") -> str:
    """Create a temporary macro ``name(x)`` mapping small non-negative integer codes to text (else NULL).

    The map is a constant list indexed by the code: a lookup per row, where a join would build a hash
    table and, with the insertion order kept, cost about as much as reading the file (BACI's ~250 country
    codes on 12.6 M rows: 8 s of a 16 s statement).
    """
    if any(not isinstance(k, int) or not 0 <= k < 100_000 for k in mapping):
        raise ValueError(f"{name}: codes must be integers in 0..99999")
    size = max(mapping, default=-1) + 1
    items = ", ".join(sql_text(mapping[i]) if i in mapping else "NULL" for i in range(size))
    con.execute(
        f"CREATE OR REPLACE TEMP MACRO {name}(x) AS "
        f"CASE WHEN x >= 0 AND x < {size} THEN (CAST([{items}] AS {value_type}[]))[x + 1] END"
    )
    return name


def insert_rows(con: Any, table: str, rows: Sequence[tuple[Any, str]]) -> None:
    """Insert (key, text) rows with one VALUES statement (``executemany`` runs one statement per row)."""
    if not rows:
        return
    values = ", ".join(
        f"({key if isinstance(key, int) else sql_text(str(key))}, {sql_text(text)})" for key, text in rows
    )
    con.execute(f"INSERT INTO {table} VALUES {values}")


def read_csv_sql(paths: Sequence[Path], columns: Sequence[tuple[str, str]], *, filename: bool = False) -> str:
    """A ``read_csv`` call with explicit columns (in file order) and no type sniffing."""
    spec = "{" + ", ".join(f"{sql_text(n)}: {sql_text(t)}" for n, t in columns) + "}"
    files = sql_list([str(p) for p in paths])
    return (
        f"read_csv({files}, header = true, columns = {spec}, auto_detect = false, delim = ',', "
        f"quote = '\"', escape = '\"', strict_mode = true, null_padding = false"
        + (", filename = true" if filename else "")
        + ")"
    )


def copy_sql(select: str, target: StreamTarget, table: str, stem: str) -> tuple[str, Path]:
    """The COPY statement writing ``select`` for ``table`` in the target's layout; returns (sql, path)."""
    if target.layout == "hive" and table in PARTITIONED:
        out = target.tables_dir / table
        keys = ", ".join(PARTITIONED[table])
        options = (
            f"FORMAT parquet, COMPRESSION zstd, PARTITION_BY ({keys}), OVERWRITE_OR_IGNORE true, "
            f"FILENAME_PATTERN {sql_text(stem + '_{i}')}"
        )
    else:
        out = target.tables_dir / table / f"{stem}.parquet"
        options = f"FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_ROWS}"
    out.parent.mkdir(parents=True, exist_ok=True)
    return f"COPY ({select}) TO {sql_text(str(out))} ({options})", out


def written_files(target: StreamTarget, table: str, stem: str) -> list[str]:
    """The Parquet files of ``stem`` under ``tables_dir/table`` (relative to ``tables_dir``), sorted."""
    root = target.tables_dir / table
    if target.layout == "hive" and table in PARTITIONED:
        found = list(root.rglob(f"{stem}_*.parquet"))
    else:
        found = [root / f"{stem}.parquet"] if (root / f"{stem}.parquet").exists() else []
    return sorted(p.relative_to(target.tables_dir).as_posix() for p in found)


def files_sql(target: StreamTarget, files: Sequence[str]) -> str:
    """A ``read_parquet`` over written files (hive partition columns restored, typed as in the schema)."""
    paths = sql_list([str(target.tables_dir / f) for f in files])
    if target.layout == "hive":
        return (
            f"read_parquet({paths}, hive_partitioning = true, "
            "hive_types = {'classification': VARCHAR, 'year': SMALLINT})"
        )
    return f"read_parquet({paths})"


def summary(con: Any, target: StreamTarget, files: Sequence[str]) -> tuple[int, list[int] | None]:
    """Rows and first/last year of written files (from Parquet metadata and the year column)."""
    if not files:
        return 0, None
    rows, low, high = con.execute(
        f"SELECT count(*), min(year), max(year) FROM {files_sql(target, files)}"
    ).fetchone()
    return int(rows), ([int(low), int(high)] if low is not None else None)


def run_with_progress(con: Any, sql: str, report: Callable[[float], None]) -> Any:
    """Execute ``sql``, calling ``report(percent)`` about twice a second from a watcher thread."""
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.5):
            try:
                percent = con.query_progress()
            except Exception:
                return
            if percent is not None and percent >= 0:
                report(float(percent))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        return con.execute(sql)
    finally:
        done.set()
        watcher.join()


def failed(paths: Sequence[Path], exc: Exception, locate: Callable[[Path], object]) -> SourceFormatError:
    """Turn a failed statement into the precise error: run ``locate`` on each file (it raises the first
    SourceFormatError it finds); if none does, name the files and quote DuckDB."""
    from grondstof.sources._base import diagnose_text_file

    for path in paths:
        found = diagnose_text_file(path)
        if found is not None:
            return found
        try:
            locate(path)
        except SourceFormatError as error:
            return error
    message = str(exc).split("\n")[0]
    where = paths[0] if len(paths) == 1 else f"{paths[0]} (or one of {len(paths)} files)"
    return SourceFormatError(where, f"a file DuckDB can read and check ({message})")


def error_sql(tag: str, value_sql: str) -> str:
    """``error()`` call whose message carries a tag and the offending value (for DuckDB's own message)."""
    return f"error({sql_text(tag + ': ')} || coalesce(CAST({value_sql} AS VARCHAR), 'NULL'))"


def text_batches(path: Path, columns: Sequence[str]) -> Iterator[tuple[int, pa.Table]]:
    """Yield ``(first physical line, batch)`` of a CSV read as text in bounded batches (header checked by
    the caller). Rows with the wrong number of fields are refused with pyarrow's words."""
    import pyarrow.csv as pacsv

    from grondstof.sources._base import read_header

    header = [h.strip() for h in read_header(path)]
    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=False, block_size=BATCH_BYTES),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                include_columns=list(columns),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        line = 2
        for batch in reader:
            table = pa.Table.from_batches([batch])
            yield line, table
            line += table.num_rows
    except pa.ArrowInvalid as exc:
        raise SourceFormatError(path, f"a well-formed CSV with {len(header)} fields per row ({exc})") from exc
