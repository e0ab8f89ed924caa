"""The store: atomic, incremental builds with a catalog; a bad file leaves the previous store untouched."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from grondstof.errors import SourceFormatError
from grondstof.sources import Source, baci
from grondstof.store import build, current_build, open_store

SOURCES = (Source(baci.INFO, baci.parse), Source(baci.OFFICIAL_INFO, baci.parse_official))


@pytest.fixture
def data(tmp_path: Path, fixtures: Path) -> Path:
    """A miniature data directory with the BACI extract (gzipped, as shared) and one official file."""
    root = tmp_path / "data"
    (root / "geopolrisk").mkdir(parents=True)
    (root / "baci").mkdir()
    text = (fixtures / "baci" / "baci_hs92_crm_trade_2015_2024.csv").read_bytes()
    with gzip.open(root / "geopolrisk" / "baci_hs92_crm_trade_2015_2024.csv.gz", "wb") as handle:
        handle.write(text)
    shutil.copy(fixtures / "baci" / "BACI_HS92_Y2022_V202501.csv", root / "baci")
    return root


def _build(data: Path, store: Path, **kw):
    return build(data, store, sources=SOURCES, **kw)


def test_build_writes_tables_and_catalog(data: Path, tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    report = _build(data, store_dir)
    assert report.status == "built"
    catalog = json.loads((current_build(store_dir) / "catalog.json").read_text())
    entry = next(s for s in catalog["sources"] if s["id"] == "baci_hs92")
    assert entry["rows"] == 6
    assert entry["years"] == [2022, 2024]
    assert len(entry["files"][0]["sha256"]) == 64
    store = open_store(store_dir, build_if_missing=False)
    assert store.table("trade").count().execute() == 12  # 6 extract rows + 6 official rows
    assert store.table("countries").filter(lambda t: t.iso3 == "NAM").iso2.execute().tolist() == ["NA"]


def test_second_build_with_unchanged_inputs_does_nothing(data: Path, tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    first = _build(data, store_dir)
    second = _build(data, store_dir)
    assert second.status == "unchanged"
    assert second.build_dir == first.build_dir


def test_changed_source_is_parsed_and_the_other_reused(data: Path, tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    _build(data, store_dir)
    official = data / "baci" / "BACI_HS92_Y2022_V202501.csv"
    official.write_text(official.read_text().replace("1200.5", "1300.5"))
    events: list[tuple[str, str]] = []
    report = _build(data, store_dir, progress=lambda s, e, d: events.append((s, e)))
    assert report.status == "built"
    assert ("baci_hs92", "reused") in events
    assert ("baci", "done") in events


@pytest.mark.parametrize("failure", ["malformed", "interrupt"])
def test_failed_build_leaves_previous_store_untouched(
    data: Path, tmp_path: Path, monkeypatch, failure
) -> None:
    store_dir = tmp_path / "store"
    _build(data, store_dir)
    before = current_build(store_dir)
    catalog_before = (before / "catalog.json").read_text()
    official = data / "baci" / "BACI_HS92_Y2022_V202501.csv"
    if failure == "malformed":
        official.write_text(official.read_text().replace('"282200",55.0', '"28220",55.0'))
        with pytest.raises(SourceFormatError) as info:
            _build(data, store_dir)
        assert info.value.line == 5 and info.value.column == "k"
    else:
        official.write_text(official.read_text().replace("1200.5", "1400.5"))

        def interrupted(_data: Path):
            raise KeyboardInterrupt

        sources = (SOURCES[0], Source(baci.OFFICIAL_INFO, interrupted))
        with pytest.raises(KeyboardInterrupt):
            build(data, store_dir, sources=sources)
    assert current_build(store_dir) == before
    assert (before / "catalog.json").read_text() == catalog_before
    assert not [p for p in (store_dir / "builds").iterdir() if p.name.startswith(".tmp")]
    store = open_store(store_dir, build_if_missing=False)
    assert store.table("trade").count().execute() == 12


def test_missing_store_without_build_is_a_clear_error(tmp_path: Path) -> None:
    from grondstof.errors import StoreError

    with pytest.raises(StoreError, match="grondstof build"):
        open_store(tmp_path / "nothing", build_if_missing=False)


@pytest.mark.realdata
def test_the_build_command_leaves_pandas_out_only_as_a_whole_process(data_dir, tmp_path) -> None:
    """As the ``grondstof`` script the build runs without pandas (pyarrow would import it: 0.4 s on the GIL);
    in process (a test, a notebook) pandas stays available."""
    import subprocess
    import sys

    from typer.testing import CliRunner

    from grondstof.cli import app

    code = (
        "import sys\nfrom grondstof.cli import main\n"
        f"sys.argv = ['grondstof', 'build', '--data', {str(data_dir)!r}, "
        f"'--store', {str(tmp_path / 's')!r}]\n"
        "try:\n    main()\nexcept SystemExit as done:\n"
        "    print('exit', done.code, 'pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[-3:] == ["exit", "0", "False"]
    assert open_store(tmp_path / "s", build_if_missing=False).table("trade").count().execute() > 1_000_000
    # In process the command leaves the import system alone.
    argv = ["build", "--data", str(data_dir), "--store", str(tmp_path / "s")]
    assert CliRunner().invoke(app, argv).exit_code == 0
    assert not any(type(f).__name__ == "_NoPandas" for f in sys.meta_path)
