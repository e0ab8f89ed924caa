"""Export-control timeline and an importer's exposure: status on a date, destinations, real trade figures."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from grondstof.errors import InputError, UnknownCountryError, UnknownMaterialError
from grondstof.indicators.exposure import controls, exposure, parse_date, related, status_on

D = dt.date


def _measure(**dates: dt.date | None) -> dict:
    base = {"announced": None, "effective": None, "ended": None, "suspension_until": None}
    return base | dates


# ---- status on a date (miniature measures) -------------------------------------------------------


def test_status_runs_from_announced_to_active() -> None:
    m = _measure(announced=D(2023, 7, 3), effective=D(2023, 8, 1))
    assert status_on(m, D(2023, 7, 2))[0] == "not yet announced"
    assert status_on(m, D(2023, 7, 3))[0] == "announced"
    assert status_on(m, D(2023, 8, 1))[0] == "active"


def test_suspension_and_end() -> None:
    suspended = _measure(
        announced=D(2024, 12, 3),
        effective=D(2024, 12, 3),
        ended=D(2025, 11, 9),
        suspension_until=D(2026, 11, 27),
    )
    assert status_on(suspended, D(2025, 11, 8))[0] == "active"
    assert status_on(suspended, D(2025, 11, 9))[0] == "suspended"
    assert status_on(suspended, D(2026, 11, 27))[0] == "suspended"
    after, basis = status_on(suspended, D(2026, 11, 28))
    assert after == "active" and "does not record whether it was extended" in basis
    ended = _measure(announced=D(2025, 2, 24), effective=D(2025, 2, 22), ended=D(2025, 10, 16))
    # In force two days before it was announced, as reported: the earlier date counts.
    assert status_on(ended, D(2025, 2, 23))[0] == "active"
    assert status_on(ended, D(2025, 10, 16))[0] == "ended"
    # Suspended before it ever took effect (the October 2025 package).
    early = _measure(
        announced=D(2025, 10, 9),
        effective=D(2025, 11, 8),
        ended=D(2025, 11, 7),
        suspension_until=D(2026, 11, 10),
    )
    assert status_on(early, D(2025, 10, 20))[0] == "announced"
    assert status_on(early, D(2025, 11, 7))[0] == "suspended"


def test_dates_and_material_relations() -> None:
    assert parse_date("2024-02-29") == D(2024, 2, 29)
    assert parse_date(None) == dt.date.today()
    for bad in ("2024-13-01", "01-02-2024", "2023-02-29", "yesterday"):
        with pytest.raises(InputError) as info:
            parse_date(bad)
        assert info.value.parameter == "date" and "YYYY-MM-DD" in info.value.expected
    assert related("rare_earths", "dysprosium") and related("dysprosium", "rare_earths")
    assert related("gallium", "gallium") and not related("hree", "samarium")


# ---- the real timeline ---------------------------------------------------------------------------


@pytest.mark.realdata
def test_timeline_status_on_a_date(real_store) -> None:
    rows = {r["id"]: r for r in controls(date="2025-12-01", store=real_store).rows}
    assert len(rows) == 17
    assert rows["CN-2023-GaGe"]["status"] == "active"
    assert rows["CN-2024-US"]["status"] == "suspended"
    assert rows["CD-2025-CO"]["status"] == "ended"
    assert rows["CN-2025-MHREE"]["status"] == "active"
    assert rows["CN-2025-5HREE"]["status"] == "suspended"
    early = {r["id"]: r["status"] for r in controls(date="2024-01-01", store=real_store).rows}
    assert early["CN-2024-SB"] == "not yet announced" and early["CN-2023-GRAPH"] == "active"


@pytest.mark.realdata
def test_timeline_filters(real_store) -> None:
    congo = controls(country="DR Congo", store=real_store).rows
    assert [r["id"] for r in congo] == ["CD-2025-CO"]
    # A group finds the measures on its members, a member those on its groups.
    ree = {r["id"] for r in controls(material="zeldzame aardmetalen", store=real_store).rows}
    assert {"CN-2023-RETECH", "CN-2025-MHREE", "CN-2025-5HREE", "CN-2025-RE-EXTRA"} <= ree
    dy = {r["id"] for r in controls(country="CN", material="Dy", store=real_store).rows}
    assert "CN-2023-RETECH" in dy and "CN-2025-MHREE" in dy and "CN-2025-5HREE" not in dy
    assert {r["id"] for r in controls(material="gallium", store=real_store).rows} == {
        "CN-2023-GaGe",
        "CN-2024-US",
    }


@pytest.mark.realdata
def test_timeline_bad_input_names_the_parameter(real_store) -> None:
    with pytest.raises(UnknownCountryError) as info:
        controls(country="Chinaa", store=real_store)
    assert info.value.parameter == "country"
    with pytest.raises(UnknownMaterialError) as info:
        controls(material="galium", store=real_store)
    assert info.value.parameter == "material"
    with pytest.raises(InputError) as info:
        controls(date="2025/01/01", store=real_store)
    assert info.value.parameter == "date"


# ---- exposure ------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_netherlands_gallium_exposure_to_the_2023_controls(real_store) -> None:
    result = exposure("NL", "gallium", "2025-06-01", store=real_store)
    rows = {r["year"]: r for r in result.rows if r["measure"] == "CN-2023-GaGe"}
    assert sorted(rows) == [2022, 2023, 2024]
    assert [rows[y]["period"] for y in (2022, 2023, 2024)] == ["before", "year of effect", "after"]
    assert {r["source"] for r in rows.values()} == {"comext_cn8"} and rows[2022]["currency"] == "EUR"
    # Comext CN8 81129289: €8.68 m of €8.69 m from China in 2022, €0.60 m in 2024.
    assert rows[2022]["share"] > 0.995
    assert rows[2022]["value"] == pytest.approx(8.68e6, rel=0.005)
    assert rows[2024]["value"] == pytest.approx(0.60e6, rel=0.01)
    assert rows[2024]["share"] == pytest.approx(rows[2024]["value"] / rows[2024]["total_value"])
    assert rows[2024]["share"] < 0.3 and rows[2024]["tonnes"] is None  # Comext has no quantities
    assert "United States only" not in {m["destination_scope"] for m in result.meta["measures"]}


@pytest.mark.realdata
def test_a_united_states_only_measure_does_not_touch_the_eu(real_store) -> None:
    for importer in ("EU27", "NL"):
        ids = {m["id"] for m in exposure(importer, date="2025-01-15", store=real_store).meta["measures"]}
        assert "CN-2023-GaGe" in ids and "CN-2024-US" not in ids
    us = exposure("US", "graphite", "2025-01-15", store=real_store)
    assert {m["id"] for m in us.meta["measures"]} == {"CN-2023-GRAPH", "CN-2024-US"}
    graphite = {r["year"]: r for r in us.rows if r["measure"] == "CN-2024-US"}
    # BACI HS92 250410/250490: China supplied about two thirds of US natural-graphite imports, in tonnes too.
    assert graphite[2023]["source"] == "baci_hs92" and graphite[2023]["period"] == "before"
    assert 0.6 < graphite[2023]["share"] < 0.75 and graphite[2023]["tonnes"] > 0
    # While suspended (Nov 2025 – Nov 2026) the US measure is not counted.
    later = exposure("US", "graphite", "2026-01-15", store=real_store)
    assert "CN-2024-US" not in {m["id"] for m in later.meta["measures"]}
    assert "not counted: CN-2024-US (suspended)" in later.meta["notes"][-1]


@pytest.mark.realdata
def test_exposure_of_the_eu_and_ore_bans(real_store) -> None:
    eu = exposure("EU27", "nickel", "2024-06-30", store=real_store)
    trade = eu.meta["trade"][0]
    # Indonesia's ban is on raw ore: only extraction-stage codes are read.
    assert trade["stage"] == "extraction" and trade["codes"] == ["260400"]
    years = [r["year"] for r in eu.rows]
    assert years[0] == 2019 and years[-1] == 2023  # the last full year before 30 June 2024
    assert all(r["share"] < 0.01 for r in eu.rows)  # Indonesia sold the EU almost no nickel ore


@pytest.mark.realdata
def test_member_filter_evaluates_the_specific_material(real_store) -> None:
    result = exposure("NL", "dysprosium", "2025-06-01", store=real_store)
    assert {r["material"] for r in result.rows} == {"dysprosium"}
    assert {m["id"] for m in result.meta["measures"]} == {"CN-2023-RETECH", "CN-2025-MHREE"}


@pytest.mark.realdata
def test_exposure_bad_input_names_the_parameter(real_store) -> None:
    with pytest.raises(UnknownCountryError) as info:
        exposure("Nederlandt", store=real_store)
    assert info.value.parameter == "country"
    with pytest.raises(UnknownCountryError) as info:
        exposure("NL", controller="Chinaa", store=real_store)
    assert info.value.parameter == "controller"
    with pytest.raises(InputError) as info:
        exposure("NL", date="31-12-2024", store=real_store)
    assert info.value.parameter == "date"


@pytest.mark.realdata
def test_cli_controls_and_exposure(real_store_dir) -> None:
    from grondstof.cli import app

    runner = CliRunner()
    store = ["--store", str(real_store_dir)]
    listing = runner.invoke(app, ["controls", "--country", "China", "--date", "2025-12-01", "--json", *store])
    assert listing.exit_code == 0, listing.output
    data = json.loads(listing.stdout)
    assert data["meta"]["query"]["date"] == "2025-12-01"
    assert all(r["country"] == "CHN" for r in data["rows"])
    exposed = runner.invoke(
        app, ["controls", "--importer", "NL", "--material", "Ga", "--date", "2025-06-01", "--json", *store]
    )
    assert exposed.exit_code == 0, exposed.output
    rows = json.loads(exposed.stdout)["rows"]
    assert {r["year"] for r in rows} == {2022, 2023, 2024} and rows[0]["measure"] == "CN-2023-GaGe"
    bad = runner.invoke(app, ["controls", "--date", "2025-02-30", *store])
    assert bad.exit_code == 2 and "date" in bad.stderr
