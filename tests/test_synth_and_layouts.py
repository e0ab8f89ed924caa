"""Synthetic scale data (``grondstof synth``), the Hive-partitioned store and lakes read as part of it."""

from __future__ import annotations

import gzip
import hashlib
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grondstof.cli import app
from grondstof.errors import InputError, StoreError
from grondstof.sources import Source, baci
from grondstof.store import build, open_store
from grondstof.synth import BASE_ROWS, generate

SOURCES = (
    Source(baci.INFO, baci.parse, baci.stream_extract),
    Source(baci.OFFICIAL_INFO, baci.parse_official, baci.stream_official),
)


def _digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted((root / "baci").glob("*.csv.gz")):
        with gzip.open(path, "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()


def test_synth_is_seeded_sized_and_shaped_like_baci(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", scale=0.02, seed=7, link_shared=False)
    again = generate(tmp_path / "b", scale=0.02, seed=7, link_shared=False)
    other = generate(tmp_path / "c", scale=0.02, seed=8, link_shared=False)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b") != _digest(tmp_path / "c")
    assert len(first.files) == 30 and first.files[0] == "baci/BACI_HS92_Y1995_V000000.csv.gz"
    assert abs(first.rows - 0.02 * BASE_ROWS) / (0.02 * BASE_ROWS) < 0.01
    assert again.rows == first.rows and other.rows > 0
    rows = baci.parse_official_file(tmp_path / "a" / first.files[-1]).to_pylist()
    assert 0.03 < sum(r["tonnes"] is None for r in rows) / len(rows) < 0.07  # ~5 % without quantity
    values = sorted(r["value"] for r in rows)
    assert values[-1] > 1000 * values[len(values) // 2]  # a heavy tail
    partners: dict[tuple, int] = {}
    for r in rows:
        partners[(r["importer"], r["code"])] = partners.get((r["importer"], r["code"]), 0) + 1
    counts = sorted(partners.values())
    assert counts[len(counts) // 2] <= 3 < counts[-1]  # most importers have few partners, some many


def test_synth_refuses_bad_parameters(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--scale"):
        generate(tmp_path, scale=0)
    with pytest.raises(InputError, match="--layout"):
        generate(tmp_path, layout="parquet")


def test_synth_command_writes_a_data_directory_the_store_builds(tmp_path: Path, fixtures: Path) -> None:
    data = tmp_path / "fixtures"
    (data / "geopolrisk").mkdir(parents=True)
    with gzip.open(data / "geopolrisk" / "baci_hs92_crm_trade_2015_2024.csv.gz", "wb") as handle:
        handle.write((fixtures / "baci" / "baci_hs92_crm_trade_2015_2024.csv").read_bytes())
    out = tmp_path / "synth"
    result = CliRunner().invoke(
        app, ["synth", "--out", str(out), "--scale", "0.01", "--seed", "3", "--data", str(data)]
    )
    assert result.exit_code == 0, result.output
    assert (out / "geopolrisk" / "baci_hs92_crm_trade_2015_2024.csv.gz").is_symlink()
    report = build(out, tmp_path / "store", sources=SOURCES)
    official = next(s for s in report.sources if s["id"] == "baci")
    assert official["years"] == [1995, 2024] and official["rows"] > 0
    assert "kept the" in official["build_notes"][0]  # only codes the registry maps; the rest validated


@pytest.fixture
def data(tmp_path: Path, fixtures: Path) -> Path:
    root = tmp_path / "data"
    (root / "geopolrisk").mkdir(parents=True)
    (root / "baci").mkdir()
    with gzip.open(root / "geopolrisk" / "baci_hs92_crm_trade_2015_2024.csv.gz", "wb") as handle:
        handle.write((fixtures / "baci" / "baci_hs92_crm_trade_2015_2024.csv").read_bytes())
    shutil.copy(fixtures / "baci" / "BACI_HS92_Y2022_V202501.csv", root / "baci")
    return root


def _rows(store) -> list[tuple]:
    return sorted(tuple(r.values()) for r in store.arrow("trade").to_pylist())


def test_hive_layout_holds_the_same_rows_and_partitions_trade(data: Path, tmp_path: Path) -> None:
    flat = open_store(build(data, tmp_path / "flat", sources=SOURCES).store_dir, build_if_missing=False)
    report = build(data, tmp_path / "hive", sources=SOURCES, layout="hive", all_products=True)
    hive = open_store(report.store_dir, build_if_missing=False)
    assert hive.layout == "hive"
    parts = {p.relative_to(hive.build_dir / "tables" / "trade").parts[:2] for p in hive.table_files("trade")}
    assert ("classification=HS92", "year=2022") in parts and ("classification=HS92", "year=2024") in parts
    assert hive.table("trade").schema() == flat.table("trade").schema()
    assert len(_rows(hive)) == 12 and len(_rows(flat)) == 9  # --all-products keeps the unmapped 260500
    assert set(_rows(flat)) <= set(_rows(hive))
    # Arrow (and so Spark, which reads the same Hive convention) sees one dataset with partition columns.
    import pyarrow.dataset as ds

    dataset = ds.dataset(hive.build_dir / "tables" / "trade", format="parquet", partitioning="hive")
    assert dataset.count_rows() == 12 and {"classification", "year"} <= set(dataset.schema.names)


def test_lake_is_read_with_the_store(data: Path, tmp_path: Path) -> None:
    lake_store = open_store(build(data, tmp_path / "lake-src", sources=SOURCES, layout="hive").store_dir)
    lake = tmp_path / "lake"
    shutil.copytree(lake_store.build_dir / "tables" / "trade", lake)  # someone's existing trade lake
    only_extract = (SOURCES[0],)
    store = open_store(build(data, tmp_path / "s", sources=only_extract, lakes={"trade": lake}).store_dir)
    assert store.catalog["lakes"][0]["rows"] == 9
    assert store.table("trade").count().execute() == 6 + 9
    with pytest.raises(StoreError, match="missing"):
        bad = tmp_path / "bad"
        bad.mkdir()
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({"year": [2022]}), bad / "x.parquet")
        build(data, tmp_path / "s2", sources=only_extract, lakes={"trade": bad})


def test_the_store_keeps_the_files_row_order(tmp_path: Path) -> None:
    """Trade rows are written in the order of the files and their lines, so each Parquet row group spans
    a few years and DuckDB skips the rest by their min/max (100x data in 2-4x the time, README). The
    earlier build mapped country codes with hash joins, which interleaved the two extract files' rows."""
    import csv

    import pyarrow.parquet as pq

    report = generate(tmp_path / "data", scale=0.05, seed=3, layout="extract", link_shared=False)
    assert len(report.files) == 2
    expected = []
    for rel in sorted(report.files):
        with gzip.open(tmp_path / "data" / rel, "rt", newline="") as handle:
            expected += [
                (int(r["year"]), r["hs92"], float(r["value_kusd"]) * 1000) for r in csv.DictReader(handle)
            ]
    store = open_store(build(tmp_path / "data", tmp_path / "store", sources=SOURCES[:1]).store_dir)
    (path,) = store.table_files("trade")
    stored = pq.read_table(path, columns=["year", "code", "value"]).to_pylist()
    assert [(r["year"], r["code"], r["value"]) for r in stored] == expected
    assert [r[0] for r in expected] == sorted(r[0] for r in expected)  # the files run from 1995 to 2024
