"""The curated public API: every exported name resolves, is documented and typed; importing is cheap."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import grondstof


@pytest.mark.parametrize("name", grondstof.__all__)
def test_every_public_name_resolves_with_a_docstring_and_type_hints(name: str) -> None:
    value = getattr(grondstof, name)
    if name == "ANALYSES":
        assert "imports" in value
        return
    assert inspect.getdoc(value), f"grondstof.{name} has no docstring"
    if inspect.isfunction(value):
        hints = value.__annotations__
        assert "return" in hints, f"grondstof.{name} has no return type"
        params = [p for p in inspect.signature(value).parameters.values() if p.name not in ("self", "cls")]
        assert all(p.name in hints for p in params if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)), name


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError):
        grondstof.no_such_thing  # noqa: B018


def test_importing_the_package_loads_no_engine() -> None:
    code = (
        "import sys, grondstof; print(any(m.startswith(('ibis', 'duckdb', 'pandas')) for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_readme_documents_the_public_api() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Using it from Python", 1)[1].split("\n## ", 1)[0]
    for name in ("run", "imports", "supply", "geopolrisk", "hhi", "cut_arithmetic", "open_store", "Result"):
        assert f"`{name}`" in section or f"grondstof.{name}" in section, name


@pytest.mark.parametrize("name", grondstof.KERNELS)
def test_kernels_take_no_store_no_language(name: str) -> None:
    """The kernel layer computes; resolving names, reading the store and labelling are the query layer's."""
    params = inspect.signature(getattr(grondstof, name)).parameters
    assert not {"lang", "store", "con"} & set(params), f"{name} takes {set(params)}"
    assert name in grondstof.__all__
