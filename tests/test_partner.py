"""Everything one importer buys from one partner (the Russia question), real data."""

from __future__ import annotations

import duckdb
import pytest

from grondstof.errors import InputError
from grondstof.indicators.partner import partner_imports
from grondstof.indicators.trade import code_choice
from grondstof.registry.materials import materials

pytestmark = pytest.mark.realdata


def _direct(real_store, codes: list[str]) -> dict[int, float]:
    files = [str(f) for f in real_store.table_files("trade")]
    return dict(
        duckdb.sql(
            f"select year, sum(value) from read_parquet({files}) where source='baci_hs92' and importer='NLD' "
            f"and exporter='RUS' and code in ({', '.join(repr(c) for c in codes)}) group by year"
        ).fetchall()
    )


def test_year_totals_equal_a_direct_query(real_store) -> None:
    rows = partner_imports("NL", "Rusland", years="2015-2024", by="year", store=real_store).rows
    assert [r["year"] for r in rows] == list(range(2024, 2014, -1))
    registry = materials()
    kept = [m for m in registry.all() if not m.is_fuel or m.eu_crm_2023 or m.crma_critical]
    assert "coking_coal" in {m.id for m in kept}
    # Each material's code set as every command picks it: own codes, or its baskets when it has none.
    chosen = [choice for m in kept if (choice := code_choice(m, "HS92")).codes]
    own = sorted({code for c in chosen if not c.basket for code in c.codes})
    basket = sorted({code for c in chosen if c.basket for code in c.codes} - set(own))
    assert "270112" in basket and "270112" not in own
    direct_own, direct_basket = _direct(real_store, own), _direct(real_store, basket)
    for row in rows:
        assert row["value"] == pytest.approx(direct_own.get(row["year"], 0.0))
        assert row["basket_value"] == pytest.approx(direct_basket.get(row["year"], 0.0))
    by_year = {r["year"]: r for r in rows}
    assert by_year[2023]["value_change"] == pytest.approx(by_year[2023]["value"] - by_year[2022]["value"])
    asked = partner_imports("NL", "RU", years="2021", by="year", include_baskets=True, store=real_store).rows[
        0
    ]
    assert asked["value"] == pytest.approx(by_year[2021]["value"] + by_year[2021]["basket_value"])


# Issue 9, item 1: the command printed $1,614 m for 2021 with HS 270112 (all bituminous coal, steam coal
# too) counted in full as "coking coal"; the README quoted $607 m without it.
def test_basket_codes_stay_out_of_the_totals(real_store) -> None:
    rows = partner_imports("NL", "Rusland", years="2021-2023", by="year", store=real_store).rows
    by_year = {r["year"]: r for r in rows}
    assert by_year[2021]["value"] == pytest.approx(606.76e6, rel=1e-4)
    assert by_year[2022]["value"] == pytest.approx(279.67e6, rel=1e-4)
    assert by_year[2021]["basket_value"] == pytest.approx(1007.5e6, rel=1e-3)
    assert by_year[2021]["top_material"] == "aluminium"  # not the basket
    coal = next(
        r
        for r in partner_imports("NL", "RU", years=2021, store=real_store).rows
        if r["material"] == "coking_coal"
    )
    assert coal["basket"] is True and "steam coal" in coal["trade_coverage"]


# Issue 9, item 11: NL imports include re-exports; the part kept is estimated and shown beside the gross.
def test_retained_imports_beside_gross(real_store) -> None:
    rows = partner_imports("NL", "RU", years=2021, store=real_store).rows
    alu = next(r for r in rows if r["material"] == "aluminium")
    assert 0 < alu["retained_value"] < alu["value"]
    result = partner_imports("NL", "RU", years="2021", by="year", store=real_store)
    year = result.rows[0]
    assert year["retained_value"] == pytest.approx(
        sum(r["retained_value"] or 0 for r in rows if not r["basket"])
    )
    assert "retained_value" in result.meta["basis"]
    comext = partner_imports("NL", "RU", source="comext_cn8", by="year", store=real_store)
    assert all(r["retained_value"] is None for r in comext.rows)
    assert "no exports" in comext.meta["basis"]


def test_by_material_has_shares_of_material_imports(real_store) -> None:
    rows = partner_imports("NL", "RU", years=2022, store=real_store).rows
    assert rows and all(0 < r["share_of_imports"] <= 1 for r in rows)
    assert rows == sorted(rows, key=lambda r: -r["value"])


def test_partner_inside_the_eu27_is_refused(real_store) -> None:
    with pytest.raises(InputError, match="outside"):
        partner_imports("EU27", "Germany", store=real_store)
