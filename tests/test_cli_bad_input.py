"""Bad input on the command line: one line naming the parameter, file or directory; exit 2; no traceback.

Issue 10 red team: ``¹`` in a country gave a traceback; so did a scenario file with byte 0xFF, ``-o`` to
a missing directory or to a directory, and ``--store /proc/x`` (all exit 1 without naming the file).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from grondstof.cli import app

pytestmark = pytest.mark.realdata
runner = CliRunner()


def run(args: list[str], store: Path | str | None) -> object:
    return runner.invoke(app, [*args, "--store", str(store)] if store is not None else args)


def one_line_error(result, exit_code: int = 2) -> str:
    """The error line of a failed command, after checking it is one line, with no traceback."""
    assert result.exit_code == exit_code, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    message = result.stderr.strip()
    assert message.startswith("error:"), message
    assert "\n" not in message, message
    assert "Traceback" not in result.output
    return message


@pytest.mark.parametrize("bad", ["¹", "٣"])
@pytest.mark.parametrize(
    ("args", "parameter"),
    [
        (["overview", "{}"], "country"),
        (["imports", "cobalt", "--country", "{}"], "country"),
        (["partner", "--country", "{}", "--partner", "RU"], "country"),
        (["partner", "--country", "NL", "--partner", "{}"], "partner"),
        (["compare", "cobalt", "--countries", "NL,{}"], "countries"),
        (["risk", "cobalt", "--country", "{}", "--method", "all"], "country"),
        (["risk", "cobalt", "--country", "{}", "--method", "dera"], "country"),
        (["balance", "cobalt", "--country", "{}"], "country"),
        (["net-trade", "--country", "{}"], "country"),
        (["controls", "--country", "{}"], "country"),
        (["watch", "--country", "{}"], "country"),
        (["stockpile", "--country", "{}"], "country"),
        (["stockpile", "--country", "NL", "--days", "{}"], "days"),
        (["scenario", "cutoff", "--material", "cobalt", "--supplier", "{}", "--country", "NL"], "supplier"),
        (["scenario", "montecarlo", "--country", "{}", "--materials", "cobalt"], "country"),
        (["supply", "cobalt", "--years", "2015-202{}"], "years"),
        (["overview", "NL", "--year", "202{}"], "year"),
        (["risk", "cobalt", "--country", "NL", "--method", "all", "--years", "{}"], "years"),
        (["crma", "--year", "{}"], "year"),
        (["controls", "--date", "2024-01-0{}"], "date"),
        (["watch", "--country", "NL", "--since", "{}"], "since"),
        (["balance", "cobalt", "--country", "NL", "--year", "{}"], "year"),
    ],
)
def test_unicode_digits_are_one_clear_line(real_store_dir, args, parameter, bad) -> None:
    message = one_line_error(run([a.replace("{}", bad) for a in args], real_store_dir))
    assert f"{parameter}:" in message or f"{parameter}s:" in message, message
    assert bad in message


def test_risk_all_refuses_a_bad_years(real_store_dir) -> None:
    message = one_line_error(run(["risk", "cobalt", "--method", "all", "--years", "banana"], real_store_dir))
    assert "years: 'banana'" in message and "2015-2024" in message


@pytest.fixture
def undecodable(tmp_path: Path) -> Path:
    """A scenario file whose second line holds byte 0xFF (not UTF-8)."""
    path = tmp_path / "scenario.yaml"
    path.write_bytes(b"name: cut\n\xff: 1\n")
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["scenario", "cutoff", "--file", "{}"],
        ["scenario", "montecarlo", "--file", "{}"],
        ["stockpile", "--country", "NL", "--scenario", "{}"],
        ["transition", "{}"],
        ["report", "scenario", "{}"],
        ["watch", "--country", "NL", "--config", "{}"],
    ],
)
def test_a_scenario_file_that_is_not_utf8_is_named(real_store_dir, undecodable, args) -> None:
    message = one_line_error(run([a.replace("{}", str(undecodable)) for a in args], real_store_dir))
    assert f"{undecodable}: line 2" in message
    assert "0xFF" in message and "UTF-8" in message


def test_output_to_a_missing_directory(real_store_dir, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "report.html"
    message = one_line_error(run(["report", "country", "NL", "-o", str(target)], real_store_dir))
    assert f"--output: '{target}'" in message and "existing directory" in message


@pytest.mark.parametrize("kind", [["country", "NL"], ["material", "cobalt", "-f", "xlsx"]])
def test_output_to_a_directory(real_store_dir, tmp_path: Path, kind) -> None:
    message = one_line_error(run(["report", *kind, "-o", str(tmp_path)], real_store_dir))
    assert f"--output: '{tmp_path}'" in message and "not a directory" in message
    assert list(tmp_path.iterdir()) == []


def test_output_that_cannot_be_written_names_the_file(real_store_dir) -> None:
    """A directory that exists but refuses new files (/proc): the OS error, with the file, exit 1."""
    if not Path("/proc").is_dir():
        pytest.skip("needs /proc")
    result = run(["report", "scenario", "stockpile_nl", "-o", "/proc/grondstof-report.html"], real_store_dir)
    message = one_line_error(result, exit_code=1)
    assert "/proc/grondstof-report.html" in message


@pytest.mark.parametrize("command", [["build"], ["overview", "NL"], ["supply", "cobalt"]])
def test_a_store_that_cannot_be_created(command, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    for store in ("/proc/x", str(blocker / "store")):
        if store.startswith("/proc") and not Path("/proc").is_dir():
            continue
        message = one_line_error(run(command, store))
        assert f"--store: '{store}'" in message and "can create and write" in message


def test_a_home_directory_of_an_unknown_user(real_store_dir) -> None:
    """``~nosuchuser/...`` (found by make fuzz): pathlib raises RuntimeError; the CLI names the option."""
    path = "~grondstof-no-such-user/x"
    message = one_line_error(run(["overview", "NL"], path))
    assert f"--store: '{path}'" in message and "known user" in message
    message = one_line_error(run(["report", "country", "NL", "-o", path + ".html"], real_store_dir))
    assert f"--output: '{path}.html'" in message
