"""Raw-material content of CBS product groups with TNO's coefficients (unit assumed g/kg)."""

from __future__ import annotations

import pytest

from grondstof.errors import InputError
from grondstof.indicators.product_content import content_tonnes, product_content


def test_content_tonnes() -> None:
    # 1,000 t of product at 1.08 g/kg (= kg/t) hold 1,080 kg = 1.08 t.
    assert content_tonnes(1000, 1.08) == pytest.approx(1.08)
    with pytest.raises(ValueError):
        content_tonnes(-1, 1)


@pytest.mark.realdata
def test_transport_equipment(real_store) -> None:
    result = product_content("transportmiddelen", 1000, store=real_store)
    rows = {r["material"]: r for r in result.rows}
    assert rows["cobalt"]["content_t"] == pytest.approx(1.08, abs=0.001)
    assert round(rows["iron_ore"]["content_t"]) == 331
    # The assumption is on every row and in the notes.
    assert {r["coefficient_unit"] for r in result.rows} == {"g/kg"}
    assert all("assumed" in r["unit_assumption"] for r in result.rows)
    assert result.meta["notes"][0].startswith("UNIT ASSUMED")
    by_number = product_content("19", 1000, store=real_store)
    assert by_number.rows[0]["product_group"] == "Transportmiddelen"


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("args", "parameter"),
    [
        (("Transportmiddelen", "5000 EUR"), "tonnes"),
        (("Transportmiddelen", -1), "tonnes"),
        (("Raketten", 1), "product_group"),
    ],
)
def test_bad_input(real_store, args, parameter) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as info:
        product_content(*args, store=real_store)
    assert info.value.parameter == parameter
