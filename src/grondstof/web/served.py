"""The store as the web server reads it: one DuckDB database per build, one cursor per worker thread, hot
tables held in memory, compiled SQL cached per query shape.

A plain :class:`~grondstof.store.Store` has one engine connection, which is not safe to share between
threads; the server used to serialise all engine work behind one lock, re-reading Parquet for every query.
:class:`ServedStore` instead

* opens one in-memory DuckDB database per build and lends each analysis of the server one of a few
  pooled cursors on it (:data:`CURSORS`; cursors of one database run queries in parallel, DuckDB
  releases the GIL while it works); a thread outside such an analysis gets a cursor of its own;
* loads the build's tables into that database once ("hot" tables), the trade table sorted by importer so
  a query for one importer reads a few row groups, while the Parquet files (bytes on disk) stay under
  :data:`HOT_MB`; larger builds, Hive-partitioned tables and attached lakes are read from Parquet as
  before;
* runs each query on one DuckDB thread (requests run side by side instead), so every answer is the same
  from run to run. Sums add their rows in another order than the command line's Parquet scan, so a
  float may differ from the command line's in its last binary digit (a relative 1e-16);
* shares one :class:`~grondstof.compiled_sql.SqlTemplates` and one
  :class:`~grondstof.prepared.QueryTemplates` between its cursors, so each query shape is compiled once
  per build, and declared queries (:mod:`grondstof.prepared`) skip Ibis altogether on a known shape;
* holds derived tables (:meth:`~grondstof.store.Store.derived`, such as the import-year index) in memory.

Analyses see the usual :class:`~grondstof.store.Store` interface and cannot tell the difference.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from grondstof.compiled_sql import SqlTemplates
from grondstof.config import env_float, env_int
from grondstof.prepared import QueryTemplates
from grondstof.store import Lease, Store

__all__ = ["HOT_MB", "ServedStore"]

HOT_MB = env_float("GRONDSTOF_HOT_MB", 64.0)
"""Tables are held in memory while the build's Parquet files total at most this many MB (on disk; in
memory they take roughly five times that). ``GRONDSTOF_HOT_MB`` overrides it; 0 keeps everything on disk."""

SORT_KEYS = {"trade": ("importer", "source", "code", "year")}
"""Order hot tables by the columns queries filter on, so DuckDB's row-group min/max skip most of them."""

CURSORS = env_int("GRONDSTOF_CURSORS", 0) or max(2, 2 * (os.cpu_count() or 1))
"""Analyses the server runs at once, each on a cursor of its own (``GRONDSTOF_CURSORS`` overrides it).
More would only make them take turns for the cores and the Python interpreter; fewer cursors also reuse
their lookup tables more often."""


class ServedStore(Store):
    """A :class:`~grondstof.store.Store` that many threads can query at once (see the module docstring).

    ``origin`` is the store this one serves (its lease and its close go with this one); ``hot_mb`` the
    limit on Parquet bytes held in memory.
    """

    def __init__(
        self,
        build_dir: Path,
        *,
        lease: Lease | None = None,
        origin: Store | None = None,
        hot_mb: float = HOT_MB,
        cursors: int = CURSORS,
    ) -> None:
        super().__init__(build_dir, backend="duckdb", lease=lease)
        self.origin = origin
        self.hot_mb = hot_mb
        self.cursors = cursors
        self._free: list[Any] = []  # pooled cursors not lent out (see cursor())
        self._pooled = 0
        self._returned = threading.Lock()
        self._waiting: deque[list[Any]] = deque()  # threads waiting for a cursor, first come first served
        self.sql = SqlTemplates()
        self.prepared = QueryTemplates()
        self._local = threading.local()
        self._database: Any = None
        self._opening = threading.Lock()
        self._hot: dict[str, str] = {}  # table name -> in-memory table name, filled by _open_database
        self._backends: list[Any] = []
        self._derive_lock = threading.Lock()
        self._derived: set[str] = set()
        self._closed = False

    @classmethod
    def serving(cls, store: Store) -> ServedStore:
        """A served store over ``store``'s build (``store`` is closed when this one is)."""
        if isinstance(store, ServedStore):
            return store
        return cls(store.build_dir, lease=store.lease, origin=store)

    # -- per-thread engine state -------------------------------------------------------------------------

    @property
    def con(self) -> Any:
        """This thread's Ibis backend: the cursor it was lent (:meth:`cursor`), else one of its own."""
        backend = getattr(self._local, "con", None)
        if backend is None:
            backend = self._new_backend()
            self._local.con = backend
            self._local.tables = backend.grondstof_tables
        return backend

    def _new_backend(self) -> Any:
        import ibis

        from grondstof.engine import lazy_sql_compilers

        lazy_sql_compilers()
        database = self._open_database()
        cursor = database.cursor()
        cursor.execute("SET enable_progress_bar = false")
        backend = ibis.duckdb.from_connection(cursor)
        backend.grondstof_sql = self.sql
        backend.grondstof_prepared = self.prepared
        backend.grondstof_tables = {}  # table expressions bound to this cursor
        with self._opening:
            self._backends.append(backend)
        return backend

    @contextlib.contextmanager
    def cursor(self) -> Iterator[None]:
        """Lend this thread one of :attr:`cursors` pooled cursors for a block (an analysis of the server).

        While all are lent, threads wait their turn in order of arrival; a wait ends with
        :class:`grondstof.cancel.Cancelled` when the request's token is cancelled. Inside a lent block
        this just runs the block.
        """
        if getattr(self._local, "lent", False):
            yield
            return
        backend = self._borrow()
        own = getattr(self._local, "con", None), getattr(self._local, "tables", None)
        self._local.con, self._local.tables, self._local.lent = backend, backend.grondstof_tables, True
        try:
            yield
        finally:
            self._local.con, self._local.tables = own
            self._local.lent = False
            self._give_back(backend)

    def _borrow(self) -> Any:
        from grondstof import cancel

        turn: list[Any] | None = None
        with self._returned:
            if self._free:
                return self._free.pop()
            if self._pooled >= self.cursors:
                turn = [threading.Event(), None]  # [handed over, the cursor]
                self._waiting.append(turn)
            else:
                self._pooled += 1
        if turn is None:
            try:
                return self._new_backend()
            except BaseException:
                with self._returned:
                    self._pooled -= 1
                raise
        while not turn[0].wait(0.05):
            try:
                cancel.check()
            except cancel.Cancelled:
                with self._returned:
                    if turn[1] is None:
                        self._waiting.remove(turn)
                        raise
                self._give_back(turn[1])  # handed over just now: pass it on
                raise
        return turn[1]

    def _give_back(self, backend: Any) -> None:
        with self._returned:
            if self._waiting:
                turn = self._waiting.popleft()
                turn[1] = backend
                turn[0].set()
            else:
                self._free.append(backend)

    @property
    def _tables(self) -> dict[str, Any]:
        """This thread's table expressions (bound to its cursor), used by :meth:`Store.table`."""
        self.con  # noqa: B018 - makes the thread's cursor and table cache
        return self._local.tables  # type: ignore[no-any-return,unused-ignore]

    @_tables.setter
    def _tables(self, value: dict[str, Any]) -> None:
        """The base class starts with one shared cache; here each thread has its own (made on first use)."""

    def table(self, name: str) -> Any:
        """Table ``name`` on this thread's cursor: the in-memory copy if it is hot, else read from Parquet."""
        tables = self._tables
        found = tables.get(name)
        if found is None:
            if name in self._hot:
                from grondstof.engine import duckdb_table

                found = tables[name] = duckdb_table(self.con, self._hot[name])
            else:
                found = super().table(name)
        return found

    def _derive(self, key: str, make: Any) -> Any:
        """A derived table (see :meth:`Store.derived`): when the build's tables are held in memory, it is
        made once into an in-memory table (sorted importer first), which every cursor reads."""
        self._open_database()
        if not self._hot:
            return make()
        from grondstof.engine import _sql_name, duckdb_table

        target = f"gs_hot_derived_{key}"
        with self._derive_lock:
            if target not in self._derived:
                made = make()
                sql = str(self.con.compile(made.as_table()))
                keys = [c for c in SORT_KEYS["trade"] if c in made.columns]
                order = ", ".join(_sql_name(c) for c in keys)
                ordered = f" ORDER BY {order}" if order else ""
                # Made once with the database's threads at one: a fixed order, so sums stay repeatable.
                self.con.con.execute(f"CREATE TABLE {_sql_name(target)} AS SELECT * FROM ({sql}){ordered}")
                self._derived.add(target)
        return duckdb_table(self.con, target)

    def warm(self) -> None:
        """Open the database and load the hot tables now rather than on the first request."""
        self._open_database()

    # -- the shared database -----------------------------------------------------------------------------

    def _open_database(self) -> Any:
        if self._database is not None:
            return self._database
        with self._opening:
            if self._database is None:
                if self._closed:
                    from grondstof.errors import StoreError

                    raise StoreError(f"build {self.build_id} is no longer served")
                import duckdb

                database = duckdb.connect()
                database.execute("SET enable_progress_bar = false")  # never print to the server's stdout
                self._hot = self._load_hot(database)
                # One thread per query once loaded: requests run side by side on their own cursors, and a
                # query that always adds its rows in the same order gives the same float sums every time.
                database.execute("SET threads = 1")
                self._database = database
        return self._database

    def _load_hot(self, database: Any) -> dict[str, str]:
        """Copy the build's tables into ``database`` if their Parquet files fit :attr:`hot_mb`."""
        tables = sorted(p.name for p in (self.build_dir / "tables").iterdir() if p.is_dir())
        files = {name: self.table_files(name) for name in tables}
        # Hive-partitioned tables and attached lakes stay on disk (read as one dataset by Store.table).
        eligible = {n: f for n, f in files.items() if f and not self._partitioned(n) and not self.lakes(n)}
        size = sum(path.stat().st_size for paths in eligible.values() for path in paths) / 1e6
        if not eligible or size > self.hot_mb:
            return {}
        from grondstof.engine import _sql_name, _sql_text

        hot = {}
        for name, paths in eligible.items():
            target = f"gs_hot_{name}"
            listed = ", ".join(_sql_text(str(p)) for p in paths)
            keys = SORT_KEYS.get(name)
            if keys:
                # Ties keep their order in the files: the physical order, and so every sum, is fixed.
                order = ", ".join([*(_sql_name(c) for c in keys), "filename", "file_row_number"])
                select = (
                    f"SELECT * EXCLUDE (filename, file_row_number) FROM read_parquet([{listed}], "
                    f"filename = true, file_row_number = true) ORDER BY {order}"
                )
            else:
                select = f"SELECT * FROM read_parquet([{listed}])"
            database.execute(f"CREATE TABLE {_sql_name(target)} AS {select}")
            hot[name] = target
        return hot

    @property
    def hot_tables(self) -> list[str]:
        """The tables held in memory (empty until the database is opened)."""
        return sorted(self._hot)

    def close(self) -> None:
        """Close every cursor and the database, then the store this one serves (its lease)."""
        with self._opening:
            self._closed = True
            backends, self._backends = self._backends, []
            database, self._database = self._database, None
        for backend in backends:
            try:
                backend.con.close()
            except Exception:  # a cursor its thread closed already
                continue
        if database is not None:
            database.close()
        if self.origin is not None:
            self.origin.close()
        elif self.lease is not None:
            self.lease.release()
        self.lease = None
