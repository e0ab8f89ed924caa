"""The general guard of issue 9: the same figure reads the same everywhere (real shared data).

For a fixed sample of materials × importers × years, the totals of ``overview``, ``imports``, ``partner``,
``compare``, ``risk`` (GeoPolRisk) and the dashboard's JSON agree where their concepts agree; where they
differ by design the difference is asserted (GeoPolRisk's EU-27 counts intra-EU imports at zero risk,
``imports`` counts extra-EU imports only). No output adds two currencies, and every figure carries the
period its data describe.
"""

from __future__ import annotations

import pytest

from grondstof.errors import InputError
from grondstof.indicators.dependency import compare, imports
from grondstof.indicators.geopolrisk import geopolrisk
from grondstof.indicators.labels import EU_CRM_2023_PERIOD, reference_period
from grondstof.indicators.overview import overview
from grondstof.indicators.partner import partner_imports
from grondstof.indicators.supply import supply

pytestmark = pytest.mark.realdata

# A fixed sample: strategic materials from BACI HS92 (cobalt, lithium, aluminium, nickel ore), Comext
# (gallium, germanium), a basket (krypton, HS17 280429) and a partial-only basket (strontium in 2023).
MATERIALS = ("cobalt", "lithium", "aluminium", "nickel", "gallium", "germanium", "krypton", "strontium")
IMPORTERS = ("NL", "DE", "EU27")
YEARS = (2022, 2023, 2024)
CURRENCIES = {"USD", "EUR"}


@pytest.fixture(scope="module")
def overviews(real_store):
    return {(c, y): overview(c, year=y, store=real_store) for c in IMPORTERS for y in YEARS}


@pytest.mark.parametrize("country", IMPORTERS)
@pytest.mark.parametrize("year", YEARS)
def test_overview_rows_equal_the_imports_command(real_store, overviews, country, year) -> None:
    rows = {r["material"]: r for r in overviews[(country, year)].rows}
    for material in MATERIALS:
        row = rows.get(material)
        try:
            summary = imports(material, country, years=year, by="year", store=real_store).rows
        except InputError:
            summary = []
        if row is None or row["import_value"] is None:
            assert not summary, f"{material} {country} {year}: imports has a figure, overview has none"
            continue
        assert len(summary) == 1, (material, country, year)
        got = summary[0]
        assert got["source"] == row["trade_source"] and got["currency"] == row["currency"]
        assert got["total_value"] == pytest.approx(row["import_value"])
        assert got["hhi"] == pytest.approx(row["import_hhi"])
        assert got["top_partner"] == row["top_partner"]
        assert got["year"] == row["year"] == year


@pytest.mark.parametrize("material", ["cobalt", "gallium", "krypton"])
def test_compare_rows_equal_each_importers_imports(real_store, material) -> None:
    result = compare(material, "NL,DE,EU27", year=2024, store=real_store)
    for row in result.rows:
        alone = imports(material, row["importer"], years=2024, by="year", store=real_store).rows[0]
        assert row["total_value"] == pytest.approx(alone["total_value"])
        assert row["currency"] == alone["currency"] and row["source"] == alone["source"]
        assert row["hhi"] == pytest.approx(alone["hhi"])


@pytest.mark.parametrize("country", ["NL", "DE"])
@pytest.mark.parametrize("year", [2021, 2022])
def test_partner_rows_equal_the_partner_in_imports(real_store, country, year) -> None:
    per_material = partner_imports(country, "RU", years=year, store=real_store).rows
    assert per_material
    for row in per_material:
        rows = imports(row["material"], country, years=year, source="baci_hs92", store=real_store).rows
        russia = next(r for r in rows if r["partner"] == "RUS")
        assert row["value"] == pytest.approx(russia["value"])
        assert row["share_of_imports"] == pytest.approx(russia["value_share"])
    total = partner_imports(country, "RU", years=year, by="year", store=real_store).rows[0]
    own = sum(r["value"] for r in per_material if not r["basket"])
    assert total["value"] == pytest.approx(own, rel=1e-9)  # own codes, each once: the materials' sum
    # Basket codes are totalled beside, each code once: at least the largest basket material (a code
    # such as HS92 280450, boron and tellurium, is one flow shown under two materials), at most their sum.
    baskets = [r["value"] for r in per_material if r["basket"]]
    assert max(baskets) <= total["basket_value"] * (1 + 1e-9) <= sum(baskets) * (1 + 1e-9)
    both = partner_imports(country, "RU", years=year, by="year", include_baskets=True, store=real_store).rows[
        0
    ]
    assert both["value"] == pytest.approx(total["value"] + total["basket_value"])


@pytest.mark.parametrize("material", ["cobalt", "lithium", "aluminium"])
def test_geopolrisk_imports_agree_with_imports_and_differ_by_design_for_the_eu27(
    real_store, material
) -> None:
    from grondstof.registry.countries import countries

    for country in ("NL", "DE"):
        risk = geopolrisk(material, country, years=2022, store=real_store)
        row = risk.rows[0]
        plain = imports(material, country, years=2022, source="baci_hs92", by="year", store=real_store)
        # Only where GeoPolRisk's HS map and the registry give the same codes is it one concept.
        assert _codes(row) == sorted(plain.meta["codes"]["codes"]), material
        assert row["import_value_usd"] == pytest.approx(plain.rows[0]["total_value"])
    # EU-27 by design: GeoPolRisk sums the members' imports from every partner, each other included (at
    # zero risk); imports counts extra-EU imports only.
    eu = geopolrisk(material, "EU27", years=2022, store=real_store).rows[0]
    extra = imports(material, "EU27", years=2022, source="baci_hs92", by="year", store=real_store).rows[0]
    each_member = imports(
        material,
        list(countries().eu27().members),
        years=2022,
        source="baci_hs92",
        by="year",
        store=real_store,
    )
    members = sum(r["total_value"] for r in each_member.rows)
    assert eu["import_value_usd"] == pytest.approx(members, rel=1e-9)
    assert eu["import_value_usd"] > extra["total_value"]


def _codes(row: dict) -> list[str]:
    """GeoPolRisk's HS92 codes of a row ("282200, 810510") as a sorted list."""
    return sorted(c.strip() for c in (row["hs_codes"] or "").split(",") if c.strip())


def test_dashboard_json_is_the_overview_result(web, real_store) -> None:
    body = web.get("/api/v1/overview", params={"country": "NL", "year": "2024"}).json()
    library = overview("NL", year=2024, store=real_store)
    assert body["meta"]["headline"] == library.to_dict()["meta"]["headline"]
    api_rows = {r["material"]: r for r in body["rows"]}
    for row in library.rows:
        other = api_rows[row["material"]]
        for key in ("import_value", "currency", "concentration_risk", "risk_rank", "world_period"):
            assert other[key] == (pytest.approx(row[key]) if isinstance(row[key], float) else row[key])


def test_no_output_adds_two_currencies(real_store, overviews) -> None:
    for result in overviews.values():
        for total in result.meta["headline"]["totals"]:
            assert total["currency"] in CURRENCIES
            members = [r for r in result.rows if r["trade_source"] == total["source"]]
            assert {r["currency"] for r in members} <= {total["currency"]}
        for row in result.rows:
            assert (row["import_value"] is None) == (row["currency"] is None)
    every = imports("all", "NL", years=2024, store=real_store)
    assert set(every.meta["coverage"]["value_without_tonnes_share"]) <= CURRENCIES
    for row in every.rows:
        assert row["currency"] in CURRENCIES
    for source, currency in (("baci_hs92", "USD"), ("comext_cn8", "EUR")):
        years = "2022-2024"
        result = partner_imports("NL", "RU", years=years, source=source, by="year", store=real_store)
        assert {r["currency"] for r in result.rows} == {currency} and result.meta["units"][
            "value"
        ] == currency


def test_every_figure_carries_its_true_reference_period(real_store, overviews) -> None:
    for (_, year), result in overviews.items():
        assert result.meta["query"]["year"] == year
        for row in result.rows:
            if row["import_value"] is not None:
                assert row["year"] == year
            if row["supply_source"] is None:
                assert row["world_period"] is None
                continue
            assert row["world_period"] == reference_period(row["supply_source"], row["world_year"])
            if row["supply_source"] == "eu_crm_2023":
                assert row["world_period"] == EU_CRM_2023_PERIOD and row["world_year"] is None
            else:
                assert row["world_year"] <= year  # the latest production year up to the chosen one
    for material, stage in (("cobalt", "processing"), ("gallium", None), ("magnesium", None)):
        result = supply(material, stage=stage, store=real_store)
        for row in result.rows:
            assert row["period"] == reference_period(row["source"], row["year"])
