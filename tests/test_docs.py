"""Docs that cannot drift: the command reference is generated and every command is documented."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer

from grondstof.cli import app

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_docs.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    group = typer.main.get_command(app)
    names = group.list_commands(typer.Context(group))
    assert {"imports", "supply", "scenario", "build", "serve"} <= set(names)
    for name in names:
        command = group.get_command(typer.Context(group), name)
        assert command.help, f"{name} has no help text"
        assert f"grondstof {name}" in readme, f"README does not mention grondstof {name}"
