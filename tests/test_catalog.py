"""`grondstof data`: every source with provenance, and what is missing or unreadable."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from typer.testing import CliRunner

from grondstof.catalog import data_sources
from grondstof.cli import app


def _data_dir(tmp_path: Path, fixtures: Path, broken: bool) -> Path:
    root = tmp_path / "data"
    (root / "geopolrisk").mkdir(parents=True)
    text = (fixtures / "baci" / "baci_hs92_crm_trade_2015_2024.csv").read_text()
    if broken:
        text = text.replace("2023,180,528,260500,9000.0", "2023,180,528,26050,9000.0")
    with gzip.open(root / "geopolrisk" / "baci_hs92_crm_trade_2015_2024.csv.gz", "wt") as handle:
        handle.write(text)
    return root


def test_lists_sources_with_hashes_rows_and_missing(tmp_path, fixtures) -> None:
    data = _data_dir(tmp_path, fixtures, broken=False)
    rows = {r["id"]: r for r in data_sources(data, tmp_path / "store").rows}
    baci = rows["baci_hs92"]
    assert baci["status"] == "not built"
    assert baci["rows"] == 6 and baci["years"] == "2022–2024"
    assert len(baci["sha256"][0]) == 12
    assert baci["licence"].startswith("Etalab")
    assert rows["wmd"]["status"] == "missing"
    assert "world_mining_data" in rows["wmd"]["problem"]
    assert rows["baci"]["status"] == "optional, not provided"


def test_unreadable_file_is_reported_with_its_line(tmp_path, fixtures) -> None:
    data = _data_dir(tmp_path, fixtures, broken=True)
    result = CliRunner().invoke(app, ["data", "--data", str(data), "--store", str(tmp_path / "s"), "--json"])
    assert result.exit_code == 0
    baci = next(r for r in json.loads(result.stdout)["rows"] if r["id"] == "baci_hs92")
    assert baci["status"] == "unreadable"
    assert "line 5" in baci["problem"] and "hs92" in baci["problem"]


def test_build_command_refuses_broken_file_and_keeps_nothing(tmp_path, fixtures) -> None:
    data = _data_dir(tmp_path, fixtures, broken=True)
    store = tmp_path / "store"
    result = CliRunner().invoke(app, ["build", "--data", str(data), "--store", str(store), "--allow-missing"])
    assert result.exit_code == 1
    assert "line 5" in result.stderr and "6-digit HS code" in result.stderr
    assert not (store / "current").exists()
