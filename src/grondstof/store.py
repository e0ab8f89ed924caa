"""The store: canonical Parquet tables built from a data directory, plus a catalog of their sources.

Layout under the store directory::

    builds/<build-id>/tables/<table>/<source>.parquet   one file per (table, source)  (layout "files")
    builds/<build-id>/tables/trade/classification=HS92/year=2022/<source>_0.parquet     (layout "hive")
    builds/<build-id>/catalog.json                      provenance: files, hashes, rows, years, timings
    current -> builds/<build-id>                        symlink, swapped atomically after a complete build
    leases/<build-id>.<pid>.<n>                         held (flock) by each process reading a build
    .lock                                               held while building

A build writes a new directory aside and only then repoints ``current`` (``os.replace`` of a symlink is
atomic), so a crash, Ctrl-C, SIGKILL or a malformed file leaves the previous store untouched; the next build
removes what a killed build left (``builds/.tmp-*``). Each source has a fingerprint (its files' SHA-256, its
parser version, the registries' hash and the build options); a source whose fingerprint is unchanged is
hard-linked from the current build instead of parsed again, and a build whose fingerprints are all
unchanged does nothing.

Old builds are pruned after a swap, except the new one, the previous one and every build a process still
reads: readers (``open_store``, the web server) hold a lease — a file under ``leases/`` locked with
``flock`` for as long as they use the build. The lock dies with its process, so a killed reader never pins
a build forever. Prune and lease-taking serialise on ``.lease-lock``.

Large trade sources stream through DuckDB (``sources/_duck.py``): they never sit in Python memory.
With ``layout="hive"`` the ``trade`` table is written as Hive partitions (``classification=…/year=…/``)
that DuckDB, Spark and Arrow read as one dataset; ``lakes`` adds an existing Parquet lake of trade rows to
the store's ``trade`` table without copying it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grondstof import __version__
from grondstof.config import resolve_data_dir, resolve_store_dir
from grondstof.errors import GrondstofError, InputError, SourceFormatError, StoreError

if TYPE_CHECKING:
    import pyarrow as pa

    from grondstof.sources import Source

CATALOG = "catalog.json"
REGISTRY_DIR = Path(__file__).parent / "registry"

# Progress callback: (source id, event, detail). Events: "start", "done", "reused", "missing", "failed".
ProgressFn = Callable[[str, str, str], None]


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def registry_fingerprint() -> str:
    """Hash of the registry tables shipped in the package: a changed concordance rebuilds every source."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(REGISTRY_DIR.glob("*.csv")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class SourceFiles:
    """The files one source would read from a data directory, hashed."""

    source: Source
    files: list[dict[str, Any]]
    missing: list[str]
    fingerprint: str


def scan_source(source: Source, data_dir: Path, registry_hash: str, options: str = "") -> SourceFiles:
    """Find and hash the files of ``source`` in ``data_dir``; ``options`` (layout, filters) enter the
    fingerprint, so a build with other options parses again."""
    info = source.info
    files = []
    digest = hashlib.sha256(f"{info.id}:{info.parser_version}:{registry_hash}:{options}".encode())
    for path in info.find_files(data_dir):
        sha = sha256_file(path)
        rel = path.relative_to(data_dir).as_posix()
        files.append({"path": rel, "sha256": sha, "bytes": path.stat().st_size})
        digest.update(f"{rel}:{sha}".encode())
    return SourceFiles(source, files, info.missing_patterns(data_dir), digest.hexdigest()[:20])


def years_of(tables: dict[str, pa.Table]) -> list[int] | None:
    """First and last year in the ``year`` (or ``period``) column of any of the tables, or None."""
    import pyarrow.compute as pc

    lows, highs = [], []
    for table in tables.values():
        for column in ("year", "period"):
            if column in table.column_names and table.num_rows:
                values = table.column(column)
                if column == "period":
                    values = pc.year(values)
                bounds = pc.min_max(values).as_py()
                if bounds["min"] is not None:
                    lows.append(int(bounds["min"]))
                    highs.append(int(bounds["max"]))
                break
    return [min(lows), max(highs)] if lows else None


@dataclass
class BuildReport:
    """What a build did: ``status`` is ``built`` or ``unchanged``; per-source events and timings."""

    status: str
    store_dir: Path
    build_dir: Path
    data_dir: Path
    seconds: float
    sources: list[dict[str, Any]] = field(default_factory=list)


class Store:
    """A built store: open its tables as Ibis tables and read its catalog.

    Use :func:`open_store` rather than the constructor. Tables are registered lazily on first use, so
    opening a store costs a symlink read and a small JSON file. ``lease`` (from :func:`open_store`) keeps
    the build from being pruned while this store is open; :meth:`close` releases it.
    """

    def __init__(
        self, build_dir: Path, backend: Any = None, *, lease: Lease | None = None, **backend_options: Any
    ) -> None:
        self.build_dir = build_dir
        self._con: Any = None
        self._owns_con = True
        if backend is not None and not isinstance(backend, str):
            # An Ibis connection the caller made (``grondstof.connect(...)``): used as it is, never closed.
            from grondstof.engine import backend_name

            self._con, self._owns_con = backend, False
            backend = backend_name(backend)
        from grondstof.config import resolve_backend

        if backend is None and backend_options.get("spark") is not None:
            backend = "pyspark"  # open_store(spark=session)
        self.backend = resolve_backend(backend)
        self._backend_options = backend_options
        self._tables: dict[str, Any] = {}
        self.lease = lease
        with open(build_dir / CATALOG, encoding="utf-8") as handle:
            self.catalog: dict[str, Any] = json.load(handle)

    @property
    def build_id(self) -> str:
        """The build's directory name (``20260101T120000-ab12cd``): what ``/health`` reports."""
        return self.build_dir.name

    @property
    def layout(self) -> str:
        """``files`` (one Parquet file per table and source) or ``hive`` (trade partitioned)."""
        return str(self.catalog.get("layout", "files"))

    @property
    def con(self) -> Any:
        """The Ibis backend connection (created on first use)."""
        if self._con is None:
            from grondstof.engine import connect

            self._con = connect(self.backend, **self._backend_options)
        return self._con

    def close(self) -> None:
        """Drop the engine connection and release the lease (the build may be pruned afterwards).

        A DuckDB connection the store made is closed; on Spark only the store's views are dropped (the
        session belongs to the caller). A connection passed in by the caller is left open.
        """
        if self._con is not None:
            from grondstof.engine import release

            if self._owns_con or self.backend == "pyspark":
                release(self._con)
        self._con = None
        self._tables.clear()
        if self.lease is not None:
            self.lease.release()
            self.lease = None

    def _partitioned(self, name: str) -> bool:
        if self.layout != "hive":
            return False  # without importing the parsers (grondstof.sources) on every command
        from grondstof.sources._duck import PARTITIONED

        return name in PARTITIONED

    def table_files(self, name: str) -> list[Path]:
        """Return the Parquet files that make up table ``name`` in this build (lakes not included)."""
        root = self.build_dir / "tables" / name
        if self._partitioned(name):
            return sorted(root.rglob("*.parquet"))
        return sorted(root.glob("*.parquet"))

    def lakes(self, name: str) -> list[str]:
        """Directories of external Parquet lakes attached to table ``name`` at build time."""
        return [lake["path"] for lake in self.catalog.get("lakes", []) if lake["table"] == name]

    def has_table(self, name: str) -> bool:
        """Whether any source produced rows for ``name``."""
        return bool(self.table_files(name)) or bool(self.lakes(name))

    def derived(self, key: str, make: Callable[[], Any]) -> Any:
        """A table expression built from this store's tables by ``make()``, built once per connection.

        For tables many queries start from (the years each importer imported each code): a query reads
        it as a subquery here; the web server (:class:`grondstof.web.served.ServedStore`) holds it in
        memory. ``key`` names what ``make`` builds (letters, digits and ``_``) and must say everything it
        depends on.
        """
        tables = self._tables
        name = f"derived:{key}"
        found = tables.get(name)
        if found is None:
            found = tables[name] = self._derive(key, make)
        return found

    def _derive(self, key: str, make: Callable[[], Any]) -> Any:
        """Make derived table ``key`` for :meth:`derived` (here: the expression itself, a subquery)."""
        return make()

    def table(self, name: str) -> Any:
        """Return table ``name`` as an Ibis table expression (empty tables keep their schema).

        A Hive-partitioned table (and any lake attached to it) is read as one dataset and given the
        canonical column order and types, so analyses see the same table in either layout.
        """
        if name not in self._tables:
            from grondstof.engine import read_parquet

            files = self.table_files(name)
            lakes = self.lakes(name)
            if not files and not lakes:
                from grondstof.schema import TABLES

                if name not in TABLES:
                    raise StoreError(f"the store has no table {name!r}")
                import ibis

                self._tables[name] = ibis.memtable(TABLES[name].empty_table())
            elif self._partitioned(name) or lakes:
                parts = []
                if files and self._partitioned(name):
                    glob = str(self.build_dir / "tables" / name / "**" / "*.parquet")
                    parts.append(_canonical(name, read_parquet(self.con, [glob], name, hive=True)))
                elif files:
                    parts.append(_canonical(name, read_parquet(self.con, files, name)))
                for n, lake in enumerate(lakes):
                    glob = str(Path(lake) / "**" / "*.parquet")
                    parts.append(
                        _canonical(name, read_parquet(self.con, [glob], f"{name}_lake{n}", hive=True))
                    )
                table = parts[0]
                for part in parts[1:]:
                    table = table.union(part)
                self._tables[name] = table
            else:
                self._tables[name] = read_parquet(self.con, files, name)
        return self._tables[name]

    def arrow(self, name: str) -> pa.Table:
        """Read a (small) table into Arrow through the engine (pyarrow.parquet would pull in pandas)."""
        from grondstof.engine import to_arrow

        if not self.has_table(name):
            from grondstof.schema import TABLES

            return TABLES[name].empty_table()
        return to_arrow(self.table(name))

    def rows(self, name: str) -> list[dict[str, Any]]:
        """Every row of a (small) table as dicts, without pyarrow (an empty list if no source made it)."""
        from grondstof.engine import to_rows

        return to_rows(self.table(name)) if self.has_table(name) else []

    def source_info(self, source_id: str) -> dict[str, Any]:
        """Catalog entry of one source (title, publisher, licence, version, files, rows, years)."""
        for entry in self.catalog["sources"]:
            if entry["id"] == source_id:
                return entry
        raise StoreError(f"the store catalog has no source {source_id!r}")

    def cite(self, *source_ids: str) -> list[dict[str, Any]]:
        """Short provenance records for ``meta["sources"]``: id, title, publisher, version, licence, hash."""
        out = []
        for source_id in source_ids:
            entry = self.source_info(source_id)
            out.append(
                {
                    "id": entry["id"],
                    "title": entry["title"],
                    "publisher": entry["publisher"],
                    "version": entry["version"],
                    "licence": entry["licence"],
                    "years": entry.get("years"),
                    "sha256": [f["sha256"][:12] for f in entry.get("files", [])],
                }
            )
        return out


def _canonical(name: str, table: Any) -> Any:
    """Select the canonical columns of ``name`` in order, cast to their types (partition keys come back
    from Hive paths as text or 64-bit integers, and lakes may order columns differently)."""
    from ibis.formats.pyarrow import PyArrowType

    from grondstof.schema import TABLES

    schema = TABLES[name]
    missing = [f.name for f in schema if f.name not in table.columns]
    if missing:
        raise StoreError(f"table {name!r} read from Parquet lacks the column(s) {', '.join(missing)}")
    return table.select(*[table[f.name].cast(PyArrowType.to_ibis(f.type)).name(f.name) for f in schema])


# -- leases: a reader's claim on a build ----------------------------------------------------------------

LEASES = "leases"
_lease_counter = iter(range(1 << 62))


class Lease:
    """A held ``flock`` on ``leases/<build>.<pid>.<n>``: while it is held, prune keeps the build.

    The lock is released by :meth:`release`, by garbage collection, or by the process's death (even
    SIGKILL), so a stale lease file never pins a build: prune deletes lease files nobody holds.
    """

    def __init__(self, path: Path, handle: Any) -> None:
        self.path = path
        self._handle = handle

    @property
    def held(self) -> bool:
        """Whether this lease is still held."""
        return self._handle is not None

    def release(self) -> None:
        """Unlock and delete the lease file (idempotent)."""
        handle, self._handle = self._handle, None
        if handle is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()
            handle.close()  # closing the descriptor drops the flock

    def __del__(self) -> None:  # pragma: no cover - depends on the garbage collector
        with contextlib.suppress(Exception):
            self.release()


@contextlib.contextmanager
def _lease_lock(store_dir: Path) -> Iterator[None]:
    """Serialise taking leases with pruning (a short lock, independent of the build lock)."""
    with open(store_dir / ".lease-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _take_lease(store_dir: Path, build_name: str) -> Lease | None:
    """Lease ``build_name`` (the caller holds the lease lock); None where the store is read-only."""
    leases = store_dir / LEASES
    try:
        leases.mkdir(exist_ok=True)
        path = leases / f"{build_name}.{os.getpid()}.{next(_lease_counter)}"
        handle = open(path, "w")
    except OSError:
        return None
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return Lease(path, handle)


def lease_current(store_dir: str | os.PathLike[str]) -> tuple[Path, Lease | None] | None:
    """Lease the current build of ``store_dir``; returns (build directory, lease) or None if unbuilt.

    The lease is taken under the lease lock and the build checked to still exist afterwards, so a
    concurrent prune can never delete a build between reading ``current`` and leasing it.
    """
    root = Path(store_dir)
    if not root.exists():
        return None
    with _lease_lock(root):
        build_dir = current_build(root)
        if build_dir is None:
            return None
        return build_dir, _take_lease(root, build_dir.name)


def leased_builds(store_dir: Path) -> set[str]:
    """Names of builds some live process holds a lease on; stale lease files are deleted on the way."""
    held: set[str] = set()
    leases = store_dir / LEASES
    if not leases.is_dir():
        return held
    for path in leases.iterdir():
        build_name = path.name.split(".")[0]
        try:
            with open(path) as probe:
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(probe, fcntl.LOCK_UN)
        except BlockingIOError:
            held.add(build_name)
            continue
        except OSError:
            continue
        with contextlib.suppress(OSError):
            path.unlink()  # its holder is gone
    return held


def _current_link(store_dir: Path) -> Path:
    return store_dir / "current"


def current_build(store_dir: Path) -> Path | None:
    """Return the directory of the current build, or None if the store was never built."""
    link = _current_link(store_dir)
    if not link.is_symlink() and not link.exists():
        return None
    target = link.resolve()
    return target if (target / CATALOG).exists() else None


def open_store(
    store_dir: str | os.PathLike[str] | None = None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    build_if_missing: bool = True,
    backend: Any = None,
    progress: ProgressFn | None = None,
    **backend_options: Any,
) -> Store:
    """Open the current store, building it from the data directory first if it does not exist yet.

    ``backend`` chooses the engine that runs every query on the store: a name (``duckdb``, ``pyspark``,
    ``polars``; default ``$GRONDSTOF_BACKEND`` or DuckDB) or an Ibis connection from
    :func:`grondstof.connect`. ``backend_options`` go to :func:`grondstof.engine.connect`, e.g.
    ``spark=session`` for Spark (without it the active session, or a local one).

    The opened build is leased (see :class:`Lease`): a rebuild meanwhile does not delete it.
    """
    root = resolve_store_dir(store_dir)
    leased = lease_current(root)
    if leased is None:
        if not build_if_missing:
            raise StoreError(f"no store at {root}; run `grondstof build` first")
        build(data_dir=data_dir, store_dir=root, progress=progress)
        leased = lease_current(root)
        assert leased is not None
    build_dir, lease = leased
    return Store(build_dir, backend=backend, lease=lease, **backend_options)


@contextlib.contextmanager
def _locked(store_dir: Path) -> Iterator[None]:
    store_dir.mkdir(parents=True, exist_ok=True)
    with open(store_dir / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_table(path: Path, table: pa.Table) -> None:
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd")


def _registry_tables() -> dict[str, pa.Table]:
    from grondstof.registry.tables import registry_tables

    return registry_tables()


LAYOUTS = ("files", "hive")


@dataclass
class _BuildContext:
    """What every source of one build shares: where it writes, the options, one DuckDB connection."""

    data: Path
    tmp: Path
    layout: str
    all_products: bool
    notify: ProgressFn
    _duck: Any = None

    @property
    def duck(self) -> Any:
        if self._duck is None:
            from grondstof.sources._duck import connect

            spill = self.tmp / ".spill"
            spill.mkdir(exist_ok=True)
            self._duck = connect(spill)
        return self._duck

    def close(self) -> None:
        if self._duck is not None:
            self._duck.close()
            self._duck = None
        shutil.rmtree(self.tmp / ".spill", ignore_errors=True)


def build(
    data_dir: str | os.PathLike[str] | None = None,
    store_dir: str | os.PathLike[str] | None = None,
    *,
    force: bool = False,
    progress: ProgressFn | None = None,
    sources: tuple[Source, ...] | None = None,
    layout: str = "files",
    all_products: bool = False,
    allow_missing: bool = False,
    lakes: dict[str, str | os.PathLike[str]] | None = None,
) -> BuildReport:
    """Build the store from a data directory, atomically and incrementally.

    Parameters
    ----------
    data_dir, store_dir:
        Override the default locations (see :mod:`grondstof.config`).
    force:
        Parse every source again even when its inputs are unchanged.
    progress:
        Called as ``progress(source_id, event, detail)`` while the build runs (events ``start``,
        ``progress``, ``done``, ``reused``, ``missing``, ``failed``).
    sources:
        The sources to build (default: all known sources).
    layout:
        ``files`` (one Parquet file per table and source) or ``hive`` (the ``trade`` table partitioned as
        ``classification=…/year=…/``, readable by DuckDB, Spark and Arrow as one dataset).
    all_products:
        Keep every product of the official BACI and Comext bulk files, not only the codes the registry
        maps to materials.
    allow_missing:
        Build even when files of a required source are missing (they are listed in the catalog). By
        default a missing required file is refused: a store without it would answer with silent gaps.
    lakes:
        ``{table: directory}`` of existing Parquet lakes (Hive-partitioned or not, canonical columns) to
        read as part of that table, without copying; only ``trade`` is supported.

    Raises
    ------
    SourceFormatError
        A file is malformed; nothing is swapped in.
    StoreError
        A required file is missing, or a lake is unusable; nothing is swapped in.
    """
    started = time.perf_counter()
    if layout not in LAYOUTS:
        raise InputError("--layout", layout, "files or hive")
    data = resolve_data_dir(data_dir)
    root = resolve_store_dir(store_dir)
    from grondstof.sources import SOURCES

    notify = progress or (lambda *_: None)
    chosen = sources if sources is not None else SOURCES
    registry_hash = registry_fingerprint()
    options = f"layout={layout};all_products={all_products}"
    lake_entries = _check_lakes(lakes or {})
    with _locked(root):
        builds = root / "builds"
        _remove_leftovers(root)
        previous_dir = current_build(root)
        previous: dict[str, dict[str, Any]] = {}
        previous_catalog: dict[str, Any] = {}
        if previous_dir is not None:
            with open(previous_dir / CATALOG, encoding="utf-8") as handle:
                previous_catalog = json.load(handle)
            previous = {s["id"]: s for s in previous_catalog["sources"]}
        scans = [scan_source(s, data, registry_hash, options) for s in chosen]
        if not allow_missing:
            _refuse_missing(scans, data, previous)
        if (
            not force
            and previous_dir is not None
            and set(previous) == {s.source.info.id for s in scans}
            and all(previous[s.source.info.id].get("fingerprint") == s.fingerprint for s in scans)
            and previous_catalog.get("layout", "files") == layout
            and previous_catalog.get("lakes", []) == lake_entries
        ):
            for scan in scans:
                notify(scan.source.info.id, "reused", "unchanged")
            return BuildReport(
                "unchanged", root, previous_dir, data, time.perf_counter() - started, list(previous.values())
            )

        build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        tmp = builds / f".tmp-{build_id}"
        final = builds / build_id
        tmp.mkdir(parents=True)
        context = _BuildContext(data, tmp, layout, all_products, notify)
        _warm_pandas()
        try:
            entries = _build_sources(scans, context, previous, previous_dir, force)
            for name, table in _registry_tables().items():
                _write_table(tmp / "tables" / name / "registry.parquet", table)
            context.close()
            catalog = {
                "grondstof_version": __version__,
                "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "build_id": build_id,
                "data_dir": str(data),
                "registry_fingerprint": registry_hash,
                "layout": layout,
                "all_products": all_products,
                "lakes": lake_entries,
                "sources": entries,
            }
            with open(tmp / CATALOG, "w", encoding="utf-8") as handle:
                json.dump(catalog, handle, indent=2, ensure_ascii=False)
            os.rename(tmp, final)
            link_tmp = root / f".current-{build_id}"
            os.symlink(Path("builds") / build_id, link_tmp)
            os.replace(link_tmp, _current_link(root))
        except BaseException:
            context.close()
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _prune(root, keep={final.name, previous_dir.name if previous_dir else ""})
        return BuildReport("built", root, final, data, time.perf_counter() - started, entries)


def _warm_pandas() -> None:
    """Import pandas in a background thread while the trade sources stream through DuckDB.

    pyarrow imports pandas (half a second) the first time a parser builds an Arrow array from Python
    objects; DuckDB releases the GIL while it streams, so that import can happen meanwhile instead of on
    the critical path. Nothing here needs pandas itself.
    """
    import sys
    import threading

    if "pandas" in sys.modules:
        return

    def load() -> None:
        with contextlib.suppress(Exception):  # pandas absent, or left out by the build command
            import pandas  # noqa: F401

    threading.Thread(target=load, name="warm-pandas", daemon=True).start()


def _remove_leftovers(root: Path) -> None:
    """Delete what a killed build left: ``builds/.tmp-*`` directories and ``.current-*`` links.

    Called under the build lock, so no other build is writing them.
    """
    builds = root / "builds"
    if builds.is_dir():
        for child in builds.iterdir():
            if child.name.startswith((".tmp-", ".trash-")):
                shutil.rmtree(child, ignore_errors=True)
    for child in root.glob(".current-*"):
        with contextlib.suppress(OSError):
            child.unlink()


def _refuse_missing(scans: list[SourceFiles], data: Path, previous: dict[str, dict[str, Any]]) -> None:
    """Refuse a build in which a required source has no file at all, or lacks a file it names exactly,
    or in which a file the current store was built from has disappeared.

    Glob patterns of one source are alternatives (WGI: the bulk file or a DataBank extract); a pattern
    without wildcards names a file the source needs (CRMA: the annex lists and the benchmarks). A file
    gone from a multi-file source (one of the two BACI extract files) would silently drop its years.
    """
    for scan in scans:
        info = scan.source.info
        old = previous.get(info.id) or {}
        now = {f["path"] for f in scan.files}
        gone = [f["path"] for f in old.get("files", []) if f["path"] not in now]
        if gone:
            raise StoreError(
                f"{data / gone[0]}: missing; the current store's source {info.id!r} was built from "
                f"{gone[0]}. Restore the file, or build with --allow-missing to build without it."
            )
        if not info.required:
            continue
        named = [p for p in scan.missing if not any(ch in p for ch in "*?[")]
        absent = scan.missing if not scan.files else named
        if absent:
            raise StoreError(
                f"{data / absent[0]}: missing; source {info.id!r} ({info.title}) needs "
                f"{' or '.join(absent) if not scan.files else ', '.join(absent)} in the data directory. "
                "Restore the file, or build with --allow-missing to build without it (the catalog then "
                "lists it as missing)."
            )


def _check_lakes(lakes: dict[str, str | os.PathLike[str]]) -> list[dict[str, Any]]:
    """Validate lakes (directories of Parquet with the canonical columns) and describe them."""
    from grondstof.sources._duck import PARTITIONED, sql_text

    entries = []
    for table, directory in sorted(lakes.items()):
        if table not in PARTITIONED:
            raise InputError("--lake", table, f"a lake for one of: {', '.join(PARTITIONED)}")
        path = Path(directory).expanduser().resolve()
        files = sorted(path.rglob("*.parquet")) if path.is_dir() else []
        if not files:
            raise InputError(
                "--lake", str(path), "a directory holding Parquet files (Hive-partitioned or not)"
            )
        import duckdb

        from grondstof.schema import TABLES

        glob = str(path / "**" / "*.parquet")
        reader = f"read_parquet({sql_text(glob)}, hive_partitioning = true, union_by_name = true)"
        try:
            con = duckdb.connect()
            described = con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()
            rows = con.execute(f"SELECT count(*) FROM {reader}").fetchall()[0][0]
            con.close()
        except duckdb.Error as exc:
            raise StoreError(f"{path}: not a readable Parquet lake ({str(exc).splitlines()[0]})") from exc
        columns = {row[0] for row in described}
        missing = [f.name for f in TABLES[table] if f.name not in columns]
        if missing:
            raise StoreError(
                f"{path}: a lake for {table!r} needs the columns {', '.join(f.name for f in TABLES[table])} "
                f"(as columns or Hive partition keys); missing {', '.join(missing)}"
            )
        entries.append({"table": table, "path": str(path), "files": len(files), "rows": int(rows)})
    return entries


def _build_sources(
    scans: list[SourceFiles],
    context: _BuildContext,
    previous: dict[str, dict[str, Any]],
    previous_dir: Path | None,
    force: bool,
) -> list[dict[str, Any]]:
    """Build every source on two threads: the streaming ones (DuckDB) on a second thread while the others
    parse here, then both threads take the remaining parsed sources, largest input first.

    DuckDB releases the GIL while a statement runs, and so do pyarrow's CSV reader and compute kernels, so
    the trade files stream while Python parses the extracts, spreadsheets and small CSV files: the build
    takes about half their sum on two cores. Entries come back in the sources' order. When a source fails,
    each thread finishes the source it is on and starts no other; the error of the first failed source in
    the sources' order is raised (with one bad source, always that source's error). An interrupt (Ctrl-C)
    stops DuckDB's statement at once. Either way the other thread has stopped before this returns, so
    nothing writes into the build directory while it is removed.
    """
    import threading
    from collections import deque

    streamed = [i for i, scan in enumerate(scans) if scan.source.stream is not None]
    waiting = deque(
        sorted(
            (i for i in range(len(scans)) if i not in set(streamed)),
            key=lambda i: -sum(f.get("bytes", 0) for f in scans[i].files),
        )
    )
    taking = threading.Lock()
    results: dict[int, dict[str, Any]] = {}
    errors: dict[int, BaseException] = {}
    failed = threading.Event()
    if streamed:
        context.duck  # noqa: B018  (the connection is made here, before the thread uses it)

    def build_one(i: int, catch: type[BaseException]) -> bool:
        try:
            results[i] = _build_source(scans[i], context, previous, previous_dir, force)
        except catch as exc:  # raised by the main thread once both have stopped
            errors[i] = exc
            failed.set()
            return False
        return True

    def run(first: list[int], catch: type[BaseException]) -> None:
        for i in first:
            if failed.is_set() or not build_one(i, catch):
                return
        while not failed.is_set():
            with taking:
                if not waiting:
                    return
                i = waiting.popleft()
            if not build_one(i, catch):
                return

    worker = threading.Thread(target=run, args=(streamed, BaseException), name="build-second", daemon=True)
    worker.start()
    try:
        run([], Exception)
        while worker.is_alive():
            worker.join(0.05)
    except BaseException:  # Ctrl-C or a kill signal turned into an exception: stop DuckDB now
        failed.set()
        with contextlib.suppress(Exception):
            context.duck.interrupt()
        worker.join()
        raise
    if errors:
        raise errors[min(errors)]
    return [results[i] for i in range(len(scans))]


def _build_source(
    scan: SourceFiles,
    context: _BuildContext,
    previous: dict[str, dict[str, Any]],
    previous_dir: Path | None,
    force: bool,
) -> dict[str, Any]:
    info = scan.source.info
    data, tmp, notify = context.data, context.tmp, context.notify
    entry: dict[str, Any] = {
        "id": info.id,
        "title": info.title,
        "publisher": info.publisher,
        "licence": info.licence,
        "version": info.version,
        "citation": info.citation,
        "url": info.url,
        "notes": info.notes,
        "units": info.units,
        "files": scan.files,
        "missing": scan.missing,
        "fingerprint": scan.fingerprint,
        "data_dir": str(data),
    }
    old = previous.get(info.id)
    if not scan.files:
        notify(info.id, "missing", ", ".join(scan.missing))
        return {**entry, "status": "missing", "tables": {}, "rows": 0, "years": None}
    if not force and old and old.get("fingerprint") == scan.fingerprint and previous_dir is not None:
        outputs = old.get("outputs") or {t: [f"{t}/{info.id}.parquet"] for t in old.get("tables", {})}
        for files in outputs.values():
            for rel in files:
                dst = tmp / "tables" / rel
                dst.parent.mkdir(parents=True, exist_ok=True)
                os.link(previous_dir / "tables" / rel, dst)
        notify(info.id, "reused", "unchanged")
        keep: dict[str, Any] = {
            k: old[k]
            for k in ("tables", "outputs", "rows", "years", "loaded_at", "parse_seconds", "build_notes")
            if k in old
        }
        return {**entry, **keep, "status": "reused"}
    notify(info.id, "start", f"{len(scan.files)} file(s)")
    t0 = time.perf_counter()
    paths = [data / f["path"] for f in scan.files]
    from grondstof.sources._base import check_has_data_row, is_text_file

    try:
        for path in paths:
            if is_text_file(path):
                check_has_data_row(path)
        if scan.source.stream is not None:
            written = _stream_source(scan.source, context)
        else:
            parsed = scan.source.parse(data)
            _refuse_infinite(parsed, paths)
            written = _write_parsed(parsed, info.id, context)
    except GrondstofError:
        notify(info.id, "failed", "")
        raise
    except Exception as exc:
        # A parser tripped over something it did not expect (a gzip cut short, bytes that are not
        # UTF-8, …): say which file and where instead of showing a traceback.
        notify(info.id, "failed", "")
        raise _unexpected(paths, exc) from exc
    seconds = round(time.perf_counter() - t0, 3)
    counts = {name: w["rows"] for name, w in written.items() if w["rows"]}
    spans = [w["years"] for w in written.values() if w["rows"] and w["years"]]
    notes = [note for w in written.values() for note in w.get("notes", [])]
    notify(info.id, "done", f"{sum(counts.values()):,} rows in {seconds:.1f} s")
    return {
        **entry,
        "status": "loaded",
        "tables": counts,
        "outputs": {name: w["files"] for name, w in written.items() if w["rows"]},
        "rows": sum(counts.values()),
        "years": [min(s[0] for s in spans), max(s[1] for s in spans)] if spans else None,
        "build_notes": notes,
        "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "parse_seconds": seconds,
    }


def _refuse_infinite(tables: dict[str, pa.Table], paths: list[Path]) -> None:
    """Refuse infinite numbers that a parser let through (``float("1e309")`` is inf): one would swamp
    every total it enters. The offending line is found by scanning the source's text files."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for name, table in tables.items():
        for field_ in table.schema:
            if pa.types.is_floating(field_.type) and table.num_rows:
                if pc.any(pc.is_inf(table.column(field_.name))).as_py():
                    raise _locate_infinite(paths) or SourceFormatError(
                        paths[0], f"finite numbers (table {name!r}, column {field_.name!r} holds an infinity)"
                    )


def _locate_infinite(paths: list[Path]) -> SourceFormatError | None:
    import csv
    import math

    from grondstof.sources._base import is_text_file, open_text

    for path in paths:
        if not is_text_file(path):
            continue
        with open_text(path) as handle:
            sample = handle.readline()
            delimiter = ";" if sample.count(";") > sample.count(",") else ","
            header = next(csv.reader([sample], delimiter=delimiter), [])
            for line, row in enumerate(csv.reader(handle, delimiter=delimiter), start=2):
                for column, cell in zip(header, row, strict=False):
                    try:
                        number = float(cell)
                    except ValueError:
                        continue
                    if math.isinf(number):
                        return SourceFormatError(
                            path,
                            "a finite number (this one overflows float64)",
                            line=line,
                            column=column,
                            value=cell,
                        )
    return None


def _unexpected(paths: list[Path], exc: Exception) -> SourceFormatError:
    """The error to show for an exception a parser did not turn into a SourceFormatError itself."""
    from grondstof.sources._base import diagnose_text_file, is_text_file

    for path in paths:
        if is_text_file(path):
            found = diagnose_text_file(path)
            if found is not None:
                return found
    where = paths[0] if len(paths) == 1 else f"{paths[0]} (or another of its {len(paths)} files)"
    return SourceFormatError(where, f"a file its parser can read ({type(exc).__name__}: {exc})")


def _stream_source(source: Source, context: _BuildContext) -> dict[str, dict[str, Any]]:
    """Run a streaming source (DuckDB writes the Parquet files itself)."""
    from grondstof.sources._duck import StreamTarget

    info = source.info
    target = StreamTarget(
        con=context.duck,
        tables_dir=context.tmp / "tables",
        source_id=info.id,
        layout=context.layout,
        all_products=context.all_products,
        progress=lambda text: context.notify(info.id, "progress", text),
    )
    assert source.stream is not None
    streamed = source.stream(context.data, target)
    return {
        name: {"rows": s.rows, "years": s.years, "files": s.files, "notes": s.notes}
        for name, s in streamed.items()
    }


def _write_parsed(
    tables: dict[str, pa.Table], source_id: str, context: _BuildContext
) -> dict[str, dict[str, Any]]:
    """Write a parser's Arrow tables (partitioned through DuckDB where the layout asks for it)."""
    from grondstof.sources._duck import PARTITIONED

    written: dict[str, dict[str, Any]] = {}
    for name, table in tables.items():
        if not table.num_rows:
            continue
        tables_dir = context.tmp / "tables"
        if context.layout == "hive" and name in PARTITIONED:
            files = _write_hive(context.duck, table, tables_dir, name, source_id)
        else:
            _write_table(tables_dir / name / f"{source_id}.parquet", table)
            files = [f"{name}/{source_id}.parquet"]
        written[name] = {"rows": table.num_rows, "years": years_of({name: table}), "files": files}
    return written


def _write_hive(con: Any, table: pa.Table, tables_dir: Path, name: str, source_id: str) -> list[str]:
    """Write an Arrow table as Hive partitions through DuckDB; return the files (relative)."""
    from grondstof.sources._duck import PARTITIONED, sql_text

    root = tables_dir / name
    root.mkdir(parents=True, exist_ok=True)
    view = f"gs_arrow_{source_id}"
    # A cursor of its own: a streamed source before this one may have left an unfinished result on the
    # build's connection, which DuckDB 2.0 refuses to register a view beside.
    cursor = con.cursor()
    try:
        cursor.register(view, table)
        cursor.execute(
            f"COPY {view} TO {sql_text(str(root))} (FORMAT parquet, COMPRESSION zstd, "
            f"PARTITION_BY ({', '.join(PARTITIONED[name])}), OVERWRITE_OR_IGNORE true, "
            f"FILENAME_PATTERN {sql_text(source_id + '_{i}')})"
        )
    finally:
        cursor.unregister(view)
        cursor.close()
    return sorted(p.relative_to(tables_dir).as_posix() for p in root.rglob(f"{source_id}_*.parquet"))


def _prune(root: Path, keep: set[str]) -> None:
    """Delete older builds, keeping ``keep`` (the new and the previous build) and every leased build.

    A build is first renamed aside (atomic) under the lease lock, so a reader taking a lease afterwards
    cannot find it half-deleted; the renamed directory is removed outside the lock.
    """
    builds = root / "builds"
    doomed = []
    with _lease_lock(root):
        held = leased_builds(root)
        for child in builds.iterdir():
            if child.name in keep or child.name in held or child.name.startswith("."):
                continue
            trash = builds / f".trash-{child.name}"
            with contextlib.suppress(OSError):
                os.rename(child, trash)
                doomed.append(trash)
    for trash in doomed:
        shutil.rmtree(trash, ignore_errors=True)


def inspect_sources(
    data_dir: str | os.PathLike[str] | None = None, store_dir: str | os.PathLike[str] | None = None
) -> list[dict[str, Any]]:
    """Describe every known source as found in the data directory, without building.

    For each source: title, publisher, licence, version, files with SHA-256, and — when the current store
    was built from identical files — rows and years from its catalog. ``status`` is ``loaded`` (in the
    store, unchanged), ``changed`` (files differ from the store), ``not built`` or ``missing``.
    """
    data = resolve_data_dir(data_dir)
    root = resolve_store_dir(store_dir)
    registry_hash = registry_fingerprint()
    build_dir = current_build(root)
    built: dict[str, dict[str, Any]] = {}
    options = "layout=files;all_products=False"
    if build_dir is not None:
        with open(build_dir / CATALOG, encoding="utf-8") as handle:
            catalog = json.load(handle)
        built = {s["id"]: s for s in catalog["sources"]}
        options = f"layout={catalog.get('layout', 'files')};all_products={catalog.get('all_products', False)}"
    from grondstof.sources import SOURCES

    out = []
    for source in SOURCES:
        scan = scan_source(source, data, registry_hash, options)
        info = source.info
        old = built.get(info.id)
        if not scan.files:
            status = "missing" if info.required else "optional, not provided"
        elif old is None or old.get("status") == "missing":
            status = "not built"
        elif old.get("fingerprint") == scan.fingerprint:
            status = "loaded"
        else:
            status = "changed"
        same = status == "loaded" and old is not None
        out.append(
            {
                "id": info.id,
                "title": info.title,
                "publisher": info.publisher,
                "licence": info.licence,
                "version": info.version,
                "status": status,
                "files": scan.files,
                "missing": scan.missing,
                "rows": old.get("rows") if same and old else None,
                "years": old.get("years") if same and old else None,
                "tables": old.get("tables") if same and old else None,
            }
        )
    return out
