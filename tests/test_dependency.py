"""Imports by partner, shares, import HHI, the EU-27 view and comparisons (real data)."""

from __future__ import annotations

import pytest

from grondstof.errors import InputError, UnknownCountryError
from grondstof.indicators.dependency import compare, imports
from grondstof.registry.countries import countries

pytestmark = pytest.mark.realdata


def test_netherlands_cobalt_partner_shares_sum_to_one_in_2022(real_store) -> None:
    result = imports("cobalt", "NL", years=2022, store=real_store)
    assert result.meta["query"]["source"] == "baci_hs92"
    assert sum(r["value_share"] for r in result.rows) == pytest.approx(1.0)
    with_tonnes = [r["tonnes_share"] for r in result.rows if r["tonnes_share"] is not None]
    assert sum(with_tonnes) == pytest.approx(1.0)
    assert [r["rank"] for r in result.rows][:3] == [1, 2, 3]


def test_summary_hhi_equals_sum_of_squared_shares(real_store) -> None:
    partners = imports("cobalt", "Nederland", years=2022, store=real_store).rows
    summary = imports("cobalt", "Nederland", years=2022, by="year", store=real_store).rows[0]
    assert summary["hhi"] == pytest.approx(sum(r["value_share"] ** 2 for r in partners))
    assert summary["total_value"] == pytest.approx(sum(r["value"] for r in partners))
    assert summary["top_partner"] == partners[0]["partner"]


def test_eu27_counts_extra_eu_imports_only(real_store) -> None:
    members = set(countries().eu27().members)
    rows = imports("cobalt", "EU27", years=2022, store=real_store).rows
    assert rows, "EU-27 imports cobalt"
    assert not {r["partner"] for r in rows} & members
    national = imports("cobalt", "DE", years=2022, store=real_store).rows
    assert {r["partner"] for r in national} & members  # a member state's own view keeps EU partners


def test_netherlands_gallium_from_china_collapsed_in_comext(real_store) -> None:
    rows = imports("gallium", "NL", years="2022-2024", share_from="China", by="year", store=real_store).rows
    by_year = {r["year"]: r for r in rows}
    assert rows[0]["source"] == "comext_cn8" and rows[0]["currency"] == "EUR"
    from_china = {y: r["total_value"] * r["share_from"] for y, r in by_year.items()}
    assert from_china[2022] == pytest.approx(8.68e6, rel=0.01)
    assert from_china[2024] == pytest.approx(0.60e6, rel=0.01)


def test_basket_code_is_flagged(real_store) -> None:
    result = imports("gallium", "USA", store=real_store)
    assert result.meta["codes"]["basket"] is True
    assert any("several materials" in note for note in result.meta["notes"])


def test_compare_eu27_lists_members_and_the_union(real_store) -> None:
    result = compare("cobalt", "EU27", year=2022, store=real_store)
    codes = [r["importer"] for r in result.rows]
    assert codes[-1] == "EU27"
    assert "NLD" in codes and len(codes) <= 28
    values = [r["total_value"] for r in result.rows[:-1]]
    assert values == sorted(values, reverse=True)
    nl = next(r for r in result.rows if r["importer"] == "NLD")
    alone = imports("cobalt", "NL", years=2022, by="year", store=real_store).rows[0]
    assert nl["total_value"] == pytest.approx(alone["total_value"])


def test_unknown_country_and_bad_years(real_store) -> None:
    with pytest.raises(UnknownCountryError) as info:
        imports("cobalt", "Nederlandt", store=real_store)
    assert "Nederland" in str(info.value)
    with pytest.raises(InputError, match="1995"):
        imports("cobalt", "NL", years="1980-1990", store=real_store)
    with pytest.raises(InputError, match="years"):
        imports("cobalt", "NL", years="2024-2020", store=real_store)


def test_several_materials_in_one_call_each_with_its_own_source(real_store) -> None:
    result = imports("cobalt,gallium,perlite", "NL", years=2023, by="year", store=real_store)
    rows = {r["material"]: r for r in result.rows}
    assert rows["cobalt"]["source"] == "baci_hs92" and rows["cobalt"]["currency"] == "USD"
    assert rows["gallium"]["source"] == "comext_cn8" and rows["gallium"]["currency"] == "EUR"
    assert "perlite" not in rows
    assert any(n.startswith("Not covered") and "perlite" in n for n in result.meta["notes"])
    assert {m["id"] for m in result.meta["materials"]} == {"cobalt", "gallium"}


def test_stage_note_points_to_refined_nickel(real_store) -> None:
    ore = imports("nickel", "NL", years=2023, store=real_store)
    assert any("comext_cn8 (processing)" in n for n in ore.meta["notes"])
    refined = imports("nickel", "NL", years=2023, stage="processing", by="year", store=real_store)
    assert refined.meta["query"]["source"] == "comext_cn8"
    assert refined.rows[0]["total_value"] > 1e9  # unwrought nickel, not ore


def test_year_range_uses_a_source_with_data_in_it(real_store) -> None:
    # Germanium's HS92 code 811230 has no trade after 2006: 2022-2024 must come from Comext.
    result = imports("germanium", "NL", years="2022-2024", by="year", store=real_store)
    assert result.meta["query"]["source"] == "comext_cn8"
    assert {r["year"] for r in result.rows} == {2022, 2023, 2024}


# Issue 9, item 2: the "value without tonnes" note divided a sum of USD and EUR values.
def test_missing_tonnes_share_is_per_currency_never_mixed(real_store) -> None:
    result = imports("all", "NL", years=2024, store=real_store)
    shares = result.meta["coverage"]["value_without_tonnes_share"]
    assert set(shares) == {"USD", "EUR"}
    assert shares["EUR"] == pytest.approx(1.0)  # the Comext extract has no quantities at all
    usd = [r for r in result.rows if r["currency"] == "USD"]
    expected = sum(r["value"] for r in usd if r["tonnes"] is None) / sum(r["value"] for r in usd)
    assert shares["USD"] == pytest.approx(expected)
    note = next(n for n in result.meta["notes"] if "have no tonnes" in n)
    assert f"{expected:.1%} of the USD value" in note and "100.0% of the EUR value" in note


# Issue 9, item 13: "'2015–2024' not valid; expected years within 1995–2024" contradicted itself.
def test_years_without_data_for_the_material_say_which_years_have_it(real_store) -> None:
    with pytest.raises(InputError) as caught:
        imports("germanium", "NL", years="2015-2024", store=real_store)
    message = str(caught.value)
    assert "within 1995–2024" not in message
    assert "comext_cn8 has 2022–2024" in message and "baci_hs92 has 1995–2006" in message
    assert caught.value.suggestions[0] == "2022-2024"
    rows = imports("germanium", "NL", years=caught.value.suggestions[0], by="year", store=real_store).rows
    assert sorted(r["year"] for r in rows) == [2022, 2023, 2024]


# Issue 9, item 3: a year the chosen source skips (BACI HS17 has 2022 and 2024) gave an empty table.
def test_a_year_missing_from_the_source_is_an_error_not_an_empty_table(real_store) -> None:
    with pytest.raises(InputError) as caught:
        imports("krypton", "NL", years=2023, store=real_store)
    assert "baci_hs17 has 2022, 2024" in str(caught.value)
    assert list(caught.value.suggestions) == ["2024", "2022"]
    with pytest.raises(InputError) as caught:
        imports("strontium", "NL", years=2023, source="baci_hs17", store=real_store)
    assert "baci_hs17 has 2022, 2024" in str(caught.value)
    # Issue 12: without a source, 2023 comes from the refined top-6 extract (strontium carbonate 283692, an
    # own code), labelled on its row as a top-6 figure; the ASEAN basket 253090 is still never used.
    row = imports("strontium", "NL", years=2023, by="year", store=real_store).rows[0]
    assert row["source"] == "baci_refined_top6" and row["year"] == 2023
    assert (row["total_bound"], row["hhi_bound"]) == ("lower bound", "upper bound")
    assert row["share_basis"] == "of the retained (top-6) flows" and "top-6 extract" in row["coverage"]
    # Asked for by name, the partial basket is there, labelled.
    asked = imports("strontium", "NL", years=2023, source="baci_hs07_asean", store=real_store)
    assert asked.rows and asked.meta["codes"]["basket"] is True


# Hardening: compare with several materials raised KeyError (a 500 in the API).
def test_compare_takes_several_materials(real_store) -> None:
    result = compare("cobalt,gallium", "NL", year=2024, store=real_store)
    assert {r["material"] for r in result.rows} == {"cobalt", "gallium"}
    assert {r["currency"] for r in result.rows} == {"USD", "EUR"}
    assert "cobalt, gallium" in result.title
    every = compare("all", "NL", store=real_store)
    assert len({r["material"] for r in every.rows}) > 50
