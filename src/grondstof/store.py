"""The store: canonical Parquet tables built from a data directory, plus a catalog of their sources.

Layout under the store directory::

    builds/<build-id>/tables/<table>/<source>.parquet   one file per (table, source)
    builds/<build-id>/catalog.json                      provenance: files, hashes, rows, years, timings
    current -> builds/<build-id>                        symlink, swapped atomically after a complete build
    .lock                                               held while building

A build writes a new directory aside and only then repoints ``current`` (``os.replace`` of a symlink is
atomic), so a crash, Ctrl-C or a malformed file leaves the previous store untouched. Each source has a
fingerprint (its files' SHA-256, its parser version and the registries' hash); a source whose fingerprint is
unchanged is hard-linked from the current build instead of parsed again, and a build whose fingerprints are
all unchanged does nothing.
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

import pyarrow as pa

from grondstof import __version__
from grondstof.config import resolve_data_dir, resolve_store_dir
from grondstof.errors import GrondstofError, StoreError

if TYPE_CHECKING:
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


def scan_source(source: Source, data_dir: Path, registry_hash: str) -> SourceFiles:
    """Find and hash the files of ``source`` in ``data_dir``."""
    info = source.info
    files = []
    digest = hashlib.sha256(f"{info.id}:{info.parser_version}:{registry_hash}".encode())
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
    opening a store costs a symlink read and a small JSON file.
    """

    def __init__(self, build_dir: Path, backend: str = "duckdb", **backend_options: Any) -> None:
        self.build_dir = build_dir
        self.backend = backend
        self._backend_options = backend_options
        self._con: Any = None
        self._tables: dict[str, Any] = {}
        with open(build_dir / CATALOG, encoding="utf-8") as handle:
            self.catalog: dict[str, Any] = json.load(handle)

    @property
    def con(self) -> Any:
        """The Ibis backend connection (created on first use)."""
        if self._con is None:
            from grondstof.engine import connect

            self._con = connect(self.backend, **self._backend_options)
        return self._con

    def table_files(self, name: str) -> list[Path]:
        """Return the Parquet files that make up table ``name`` (one per source that fed it)."""
        return sorted((self.build_dir / "tables" / name).glob("*.parquet"))

    def has_table(self, name: str) -> bool:
        """Whether any source produced rows for ``name``."""
        return bool(self.table_files(name))

    def table(self, name: str) -> Any:
        """Return table ``name`` as an Ibis table expression (empty tables keep their schema)."""
        if name not in self._tables:
            from grondstof.engine import read_parquet

            files = self.table_files(name)
            if not files:
                from grondstof.schema import TABLES

                if name not in TABLES:
                    raise StoreError(f"the store has no table {name!r}")
                import ibis

                self._tables[name] = ibis.memtable(TABLES[name].empty_table())
            else:
                self._tables[name] = read_parquet(self.con, files, name)
        return self._tables[name]

    def arrow(self, name: str) -> pa.Table:
        """Read a (small) table into Arrow through the engine (pyarrow.parquet would pull in pandas)."""
        from grondstof.engine import to_arrow

        if not self.table_files(name):
            from grondstof.schema import TABLES

            return TABLES[name].empty_table()
        return to_arrow(self.table(name))

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
    backend: str = "duckdb",
    progress: ProgressFn | None = None,
    **backend_options: Any,
) -> Store:
    """Open the current store, building it from the data directory first if it does not exist yet."""
    root = resolve_store_dir(store_dir)
    build_dir = current_build(root)
    if build_dir is None:
        if not build_if_missing:
            raise StoreError(f"no store at {root}; run `grondstof build` first")
        build(data_dir=data_dir, store_dir=root, progress=progress)
        build_dir = current_build(root)
        assert build_dir is not None
    return Store(build_dir, backend=backend, **backend_options)


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


def build(
    data_dir: str | os.PathLike[str] | None = None,
    store_dir: str | os.PathLike[str] | None = None,
    *,
    force: bool = False,
    progress: ProgressFn | None = None,
    sources: tuple[Source, ...] | None = None,
) -> BuildReport:
    """Build the store from a data directory, atomically and incrementally.

    Parameters
    ----------
    data_dir, store_dir:
        Override the default locations (see :mod:`grondstof.config`).
    force:
        Parse every source again even when its inputs are unchanged.
    progress:
        Called as ``progress(source_id, event, detail)`` while the build runs.
    sources:
        The sources to build (default: all known sources).

    Raises
    ------
    SourceFormatError
        A file is malformed; nothing is swapped in.
    """
    started = time.perf_counter()
    data = resolve_data_dir(data_dir)
    root = resolve_store_dir(store_dir)
    from grondstof.sources import SOURCES

    notify = progress or (lambda *_: None)
    chosen = sources if sources is not None else SOURCES
    registry_hash = registry_fingerprint()
    with _locked(root):
        previous_dir = current_build(root)
        previous: dict[str, dict[str, Any]] = {}
        if previous_dir is not None:
            with open(previous_dir / CATALOG, encoding="utf-8") as handle:
                previous = {s["id"]: s for s in json.load(handle)["sources"]}
        scans = [scan_source(s, data, registry_hash) for s in chosen]
        if (
            not force
            and previous_dir is not None
            and set(previous) == {s.source.info.id for s in scans}
            and all(previous[s.source.info.id].get("fingerprint") == s.fingerprint for s in scans)
        ):
            for scan in scans:
                notify(scan.source.info.id, "reused", "unchanged")
            return BuildReport(
                "unchanged", root, previous_dir, data, time.perf_counter() - started, list(previous.values())
            )

        build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        builds = root / "builds"
        tmp = builds / f".tmp-{build_id}"
        final = builds / build_id
        tmp.mkdir(parents=True)
        try:
            entries = []
            for scan in scans:
                entries.append(_build_source(scan, data, tmp, previous, previous_dir, force, notify))
            for name, table in _registry_tables().items():
                _write_table(tmp / "tables" / name / "registry.parquet", table)
            catalog = {
                "grondstof_version": __version__,
                "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "data_dir": str(data),
                "registry_fingerprint": registry_hash,
                "sources": entries,
            }
            with open(tmp / CATALOG, "w", encoding="utf-8") as handle:
                json.dump(catalog, handle, indent=2, ensure_ascii=False)
            os.rename(tmp, final)
            link_tmp = root / f".current-{build_id}"
            os.symlink(Path("builds") / build_id, link_tmp)
            os.replace(link_tmp, _current_link(root))
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _prune(builds, keep={final.name, previous_dir.name if previous_dir else ""})
        return BuildReport("built", root, final, data, time.perf_counter() - started, entries)


def _build_source(
    scan: SourceFiles,
    data: Path,
    tmp: Path,
    previous: dict[str, dict[str, Any]],
    previous_dir: Path | None,
    force: bool,
    notify: ProgressFn,
) -> dict[str, Any]:
    info = scan.source.info
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
        for table in old.get("tables", {}):
            src = previous_dir / "tables" / table / f"{info.id}.parquet"
            dst = tmp / "tables" / table / f"{info.id}.parquet"
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.link(src, dst)
        notify(info.id, "reused", "unchanged")
        keep = {k: old[k] for k in ("tables", "rows", "years", "loaded_at", "parse_seconds") if k in old}
        return {**entry, **keep, "status": "reused"}
    notify(info.id, "start", f"{len(scan.files)} file(s)")
    t0 = time.perf_counter()
    try:
        tables = scan.source.parse(data)
    except GrondstofError:
        notify(info.id, "failed", "")
        raise
    counts = {}
    for name, table in tables.items():
        if table.num_rows:
            _write_table(tmp / "tables" / name / f"{info.id}.parquet", table)
            counts[name] = table.num_rows
    seconds = round(time.perf_counter() - t0, 3)
    notify(info.id, "done", f"{sum(counts.values()):,} rows in {seconds:.1f} s")
    return {
        **entry,
        "status": "loaded",
        "tables": counts,
        "rows": sum(counts.values()),
        "years": years_of(tables),
        "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "parse_seconds": seconds,
    }


def _prune(builds: Path, keep: set[str]) -> None:
    """Delete older builds, keeping the new and the previous one (a reader may still be using it)."""
    for child in builds.iterdir():
        if child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)


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
    if build_dir is not None:
        with open(build_dir / CATALOG, encoding="utf-8") as handle:
            built = {s["id"]: s for s in json.load(handle)["sources"]}
    from grondstof.sources import SOURCES

    out = []
    for source in SOURCES:
        scan = scan_source(source, data, registry_hash)
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
