"""Scenario files: unknown keys, wrong types and syntax errors are named precisely."""

from __future__ import annotations

import pytest
from pydantic import Field

from grondstof.errors import InputError
from grondstof.scenarios._inputs import ScenarioModel, load_scenario


class Item(ScenarioModel):
    material: str
    share: float = Field(ge=0, le=1)


class Spec(ScenarioModel):
    name: str
    items: list[Item]


def test_valid_yaml_loads(tmp_path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: test\nitems:\n  - material: gallium\n    share: 0.5\n")
    assert load_scenario(Spec, path).items[0].share == 0.5


def test_unknown_key_is_named(tmp_path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: test\nitems:\n  - material: gallium\n    shrae: 0.5\n")
    with pytest.raises(InputError) as info:
        load_scenario(Spec, path)
    assert "items[0].shrae" in str(info.value)


def test_out_of_range_value_is_named(tmp_path) -> None:
    path = tmp_path / "s.json"
    path.write_text('{"name": "t", "items": [{"material": "Ga", "share": 1.5}]}')
    with pytest.raises(InputError) as info:
        load_scenario(Spec, path)
    assert "items[0].share" in str(info.value) and "1.5" in str(info.value)


def test_yaml_syntax_error_names_the_line(tmp_path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: test\nitems: [\n  - material: x\n")
    with pytest.raises(InputError, match="line"):
        load_scenario(Spec, path)
