"""The README quotes figures exactly as its commands print them: run every quoted command, find every figure.

Each bullet of the README's "Some figures from the shared data" list names its commands in backticks; this
test runs them (with ``--json``) on the real shared data and checks that every money figure ($607 m,
€1.28 bn: same currency, within half a unit of the last digit quoted), percentage (98.4 %) and HHI quoted in
the bullet is a value the commands print.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from grondstof.cli import app

pytestmark = pytest.mark.realdata

README = Path(__file__).resolve().parents[1] / "README.md"
MONEY = re.compile(r"([$€])([\d,]+(?:\.\d+)?) (m|bn)\b")
PERCENT = re.compile(r"(\d+(?:\.\d+)?) %")
HHI = re.compile(r"HHI (\d\.\d+)")


def _bullets() -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index("Some figures from the shared data")
    section = text[start : text.index("How figures are labelled", start)]
    bullets, current = [], ""
    for line in section.splitlines():
        if line.startswith("- "):
            if current:
                bullets.append(current)
            current = line[2:]
        elif line.startswith("  ") and current:
            current += " " + line.strip()
    if current:
        bullets.append(current)
    return bullets


def _commands(bullet: str) -> list[list[str]]:
    quoted = re.findall(r"`(grondstof [^`]+)`", bullet)
    return [" ".join(q.split()).split()[1:] for q in quoted]


def _numbers(value: Any, currency: str | None, out: list[tuple[float, str | None]]) -> None:
    if isinstance(value, dict):
        currency = value.get("currency", currency)
        for item in value.values():
            _numbers(item, currency, out)
    elif isinstance(value, list):
        for item in value:
            _numbers(item, currency, out)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        out.append((float(value), currency))


def _half_unit(text: str) -> float:
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10**-decimals


BULLETS = _bullets()


def test_the_readme_has_figures_with_commands() -> None:
    assert len(BULLETS) >= 4
    assert all(_commands(b) for b in BULLETS)


@pytest.mark.parametrize("bullet", BULLETS, ids=[b[:40] for b in BULLETS])
def test_every_quoted_figure_is_printed_by_the_quoted_commands(bullet: str, real_store_dir) -> None:
    runner = CliRunner()
    printed: list[tuple[float, str | None]] = []
    for args in _commands(bullet):
        result = runner.invoke(app, [*args, "--json", "--store", str(real_store_dir)])
        assert result.exit_code == 0, (args, result.output)
        _numbers(json.loads(result.output)["rows"], None, printed)
    checked = 0
    for symbol, amount, scale in MONEY.findall(bullet):
        wanted = float(amount.replace(",", "")) * (1e6 if scale == "m" else 1e9)
        tolerance = _half_unit(amount.replace(",", "")) * (1e6 if scale == "m" else 1e9)
        currency = {"$": "USD", "€": "EUR"}[symbol]
        assert any(abs(v - wanted) <= tolerance and c == currency for v, c in printed), (
            f"{symbol}{amount} {scale} is not printed by {_commands(bullet)}"
        )
        checked += 1
    for share in PERCENT.findall(bullet):
        wanted, tolerance = float(share) / 100, _half_unit(share) / 100
        assert any(abs(v - wanted) <= tolerance for v, _ in printed), f"{share} % is not printed"
        checked += 1
    for hhi in HHI.findall(bullet):
        assert any(abs(v - float(hhi)) <= _half_unit(hhi) for v, _ in printed), f"HHI {hhi} not printed"
        checked += 1
    assert checked, "a bullet without any figure to check"
