"""The command line, run through the real commands on the real-data store."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from grondstof.cli import app

pytestmark = pytest.mark.realdata
runner = CliRunner()


def run(args: list[str], store) -> object:
    return runner.invoke(app, [*args, "--store", str(store)])


def test_imports_json_has_meta_and_rows(real_store_dir) -> None:
    result = run(["imports", "gallium", "--country", "NL", "--json"], real_store_dir)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"meta", "rows"}
    assert data["meta"]["sources"][0]["id"] == "comext_cn8"
    assert data["meta"]["fields"]["value_share"]["kind"] == "share"
    assert all(0 <= r["value_share"] <= 1 for r in data["rows"])


def test_csv_output_has_a_header_of_field_names(real_store_dir) -> None:
    result = run(["supply", "cobalt", "--year", "2022", "--csv"], real_store_dir)
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["country"] == "COD"
    assert float(rows[0]["share"]) > 0.5


def test_table_output_names_the_source(real_store_dir) -> None:
    result = run(
        ["partner", "--country", "NL", "--partner", "Rusland", "--years", "2015-2024", "--by", "year"],
        real_store_dir,
    )
    assert result.exit_code == 0
    assert "BACI" in result.stdout and "2022" in result.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["imports", "galium", "--country", "NL"], "gallium"),
        (["imports", "cobalt", "--country", "Atlantis"], "country"),
        (["supply", "cobalt", "--year", "2031"], "2024"),
        (["imports", "cobalt", "--country", "NL", "--year", "2022", "--years", "2020-2022"], "not both"),
        (["overview", "NL", "--year", "19x"], "year"),
    ],
)
def test_bad_input_exits_non_zero_with_one_clear_line(real_store_dir, args, needle) -> None:
    result = run(args, real_store_dir)
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert message.startswith("error:")
    assert needle in message
    assert "Traceback" not in result.output


def test_materials_and_countries_need_no_store() -> None:
    result = runner.invoke(app, ["materials", "--list", "strategic", "--json"])
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)["rows"]) >= 17
    result = runner.invoke(app, ["countries", "--eu", "--csv"])
    assert "NLD" in result.stdout and "Nederland" in result.stdout


def test_a_reader_that_leaves_early_ends_the_command_quietly(real_store_dir) -> None:
    """`grondstof … | head`: no error line and no traceback, the exit status of SIGPIPE."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "GRONDSTOF_WARM": "0"}
    args = [
        sys.executable,
        "-m",
        "grondstof",
        "watch",
        "--country",
        "NL",
        "--json",
        "--store",
        str(real_store_dir),
    ]
    child = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the reader goes away before the command prints
    err = child.stderr.read()
    assert child.wait(timeout=120) == 141
    assert err == b""
