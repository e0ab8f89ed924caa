"""Everything one importer buys from one partner (the Russia question), real data."""

from __future__ import annotations

import duckdb
import pytest

from grondstof.errors import InputError
from grondstof.indicators.partner import partner_imports
from grondstof.registry.materials import materials

pytestmark = pytest.mark.realdata


def test_year_totals_equal_a_direct_query(real_store) -> None:
    rows = partner_imports("NL", "Rusland", years="2015-2024", by="year", store=real_store).rows
    assert [r["year"] for r in rows] == list(range(2024, 2014, -1))
    registry = materials()
    kept = [m for m in registry.all() if not m.is_fuel or m.eu_crm_2023 or m.crma_critical]
    assert "coking_coal" in {m.id for m in kept}
    codes = sorted({c.code for m in kept for c in registry.codes(m.id, "HS92")})
    files = [str(f) for f in real_store.table_files("trade")]
    direct = dict(
        duckdb.sql(
            f"select year, sum(value) from read_parquet({files}) where source='baci_hs92' and importer='NLD' "
            f"and exporter='RUS' and code in ({', '.join(repr(c) for c in codes)}) group by year"
        ).fetchall()
    )
    for row in rows:
        assert row["value"] == pytest.approx(direct.get(row["year"], 0.0))
    by_year = {r["year"]: r for r in rows}
    assert by_year[2023]["value_change"] == pytest.approx(by_year[2023]["value"] - by_year[2022]["value"])


def test_by_material_has_shares_of_material_imports(real_store) -> None:
    rows = partner_imports("NL", "RU", years=2022, store=real_store).rows
    assert rows and all(0 < r["share_of_imports"] <= 1 for r in rows)
    assert rows == sorted(rows, key=lambda r: -r["value"])


def test_partner_inside_the_eu27_is_refused(real_store) -> None:
    with pytest.raises(InputError, match="outside"):
        partner_imports("EU27", "Germany", store=real_store)
