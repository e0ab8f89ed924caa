"""Net import reliance: the USGS formula, the agreement classes, and the U.S. check against MCS 2025.

Agreement reached with USGS's published U.S. figures (MCS 2025 salient statistics, 2020–2024, BACI HS92
trade and World Mining Data production, gross tonnes): of 215 material-years where USGS publishes a figure
for a stage we compute, 105 can be compared; 63 agree (32 within 10 percentage points, 31 consistent with a
printed bound or both net exporter) and 42 differ; the median absolute difference over the 50 pairs with
two numbers is 6.5 points. The other 110 are not comparable, mostly because mine production in metal or
oxide content cannot be added to the gross weight of ores, or because WMD has no series for the stage.
"""

from __future__ import annotations

import pytest

from grondstof.errors import InputError
from grondstof.indicators.reliance import classify_agreement, nir, reliance


def test_nir_formula() -> None:
    # No production: all of the net imports are reliance.
    assert nir(100.0, 20.0, 0.0) == (1.0, "computed")
    # (100 − 20) / (80 + 100 − 20) = 0.5
    assert nir(100.0, 20.0, 80.0) == (0.5, "computed")
    assert nir(10.0, 20.0, 5.0) == (None, "net exporter")
    assert nir(0.0, 0.0, 0.0) == (None, "no apparent consumption")
    assert nir(10.0, 1.0, None) == (None, "production unknown")


def test_agreement_classes() -> None:
    assert classify_agreement(0.95, "computed", 1.0, "", "100") == (pytest.approx(-0.05), "within 10 points")
    assert classify_agreement(0.60, "computed", 0.76, "", "76")[1] == "differs"
    assert classify_agreement(0.86, "computed", None, ">", ">75") == (None, "consistent (USGS >75)")
    assert classify_agreement(0.44, "computed", None, ">", ">50") == (None, "differs (USGS >50)")
    assert classify_agreement(None, "net exporter", None, "E", "E") == (
        None,
        "consistent (both net exporter)",
    )
    assert classify_agreement(0.03, "computed", None, "E", "E")[1] == "differs (USGS: net exporter)"
    assert classify_agreement(None, "net exporter", None, "<", "<25")[1].startswith("consistent")
    assert classify_agreement(None, "production unknown", 0.76, "", "76") == (None, "not comparable")
    assert classify_agreement(0.5, "computed", None, "W", "W") == (None, "not comparable")


@pytest.mark.realdata
def test_united_states_against_usgs(real_store) -> None:
    result = reliance("United States", store=real_store)
    rows = {(r["material"], r["stage"], r["year"]): r for r in result.rows}
    summary = result.meta["agreement"]
    assert summary["classes"] == {
        "not comparable": 110,
        "within 10 points": 32,
        "consistent": 31,
        "differs": 42,
    }
    assert summary["numeric_pairs"] == 50 and summary["median_abs_difference"] == pytest.approx(
        0.065, abs=0.001
    )
    # Non-producers that import everything: 100 % on both sides.
    for material in ("fluorspar", "manganese"):
        row = rows[(material, "extraction", 2024)]
        assert (row["nir"], row["usgs_nir"], row["agreement"]) == (1.0, 1.0, "within 10 points")
        assert row["production_status"] == "not a listed producer (0)"
    gypsum = rows[("gypsum", "extraction", 2024)]
    assert gypsum["usgs_nir"] == 0.17 and gypsum["difference"] == pytest.approx(0.082, abs=0.001)
    assert rows[("baryte", "extraction", 2021)]["agreement"] == "consistent (USGS >75)"
    assert rows[("diatomite", "extraction", 2024)]["agreement"] == "consistent (both net exporter)"
    # Differences are explained on the row.
    chromium = rows[("chromium", "extraction", 2024)]
    assert chromium["agreement"] == "differs" and "Cr content" in chromium["explanation"]
    # Mine output in metal content is never added to the gross weight of ores.
    copper = rows[("copper", "extraction", 2024)]
    assert copper["nir"] is None and "metal content" in copper["status"]
    # A code that no longer carries the material is not "0 % reliant".
    germanium = rows[("germanium", "processing", 2024)]
    assert germanium["nir"] is None and germanium["status"] == "no recorded trade in 811230"
    assert {r["unit_basis"] for r in result.rows} == {"gross tonnes of the traded goods"}


@pytest.mark.realdata
def test_netherlands_and_eu(real_store) -> None:
    nl = reliance("NL", materials="graphite,cobalt", years=2022, store=real_store)
    rows = {(r["material"], r["stage"]): r for r in nl.rows}
    graphite = rows[("graphite", "extraction")]
    assert graphite["nir"] == 1.0 and graphite["imports_t"] > graphite["exports_t"] > 0
    assert graphite["usgs_nir"] is None  # the USGS figure is for the United States only
    cobalt = rows[("cobalt", "processing")]
    assert cobalt["nir"] is None and "no World Mining Data series" in cobalt["status"]
    eu = reliance("EU27", materials="bauxite", years="2020-2024", store=real_store)
    assert {r["country"] for r in eu.rows} == {"EU27"} and len(eu.rows) == 5
    assert all(0 < r["nir"] <= 1 for r in eu.rows)


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [({"source": "comext_cn8"}, "source"), ({"stage": "recycling"}, "stage"), ({"years": "1980"}, "years")],
)
def test_bad_input(real_store, kwargs, parameter) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as info:
        reliance("NL", store=real_store, **kwargs)
    assert info.value.parameter == parameter
