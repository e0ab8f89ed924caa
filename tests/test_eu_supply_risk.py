"""EU criticality supply risk: the formula on worked examples, properties, the 2023 recomputation against the
published values, and the national variant (real data)."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from grondstof.errors import InputError, UnknownCountryError, UnknownMaterialError
from grondstof.indicators.eu_supply_risk import (
    EU_SR_FIELDS,
    NATIONAL_SR_FIELDS,
    TOLERANCE,
    WGI_YEARS,
    eu_supply_risk,
    hhi_wgi_t,
    import_reliance,
    scaled_wgi,
    supply_risk,
)

# ---- the formula (EC 2017 guidelines, doi 10.2873/769526; Blengini et al. 2017, JRC EUR 28654) -------------


def test_wgi_scaling_maps_best_to_0_and_worst_to_10() -> None:
    # WGI_scaled = (2.5 − WGI) × 2: the guidelines' (WGI − 2.5)/(−0.5).
    assert scaled_wgi(2.5) == 0.0
    assert scaled_wgi(-2.5) == 10.0
    assert scaled_wgi(0.0) == 5.0
    assert scaled_wgi(-0.5) == pytest.approx(6.0)
    assert scaled_wgi(2.7) == 0.0  # estimates slightly outside ±2.5 are clipped


def test_two_supplier_worked_example() -> None:
    # Hand computation. Global supply: China 80 % (WGI −0.5 → 6.0, export tax t = 1.1), Australia 20 %
    # (WGI 1.5 → 2.0, trade agreement t = 0.8):
    #   HHI_GS = 0.8² × 6.0 × 1.1 + 0.2² × 2.0 × 0.8 = 4.224 + 0.064 = 4.288
    # EU sourcing: China 50 %, Germany 50 % (WGI 1.5 → 2.0, EU member t = 0.8):
    #   HHI_EU = 0.25 × 6.0 × 1.1 + 0.25 × 2.0 × 0.8 = 1.65 + 0.4 = 2.05
    # IR 0.5, EoL-RIR 0.1, SI_SR 0.9:
    #   SR = (4.288 × 0.25 + 2.05 × 0.75) × 0.9 × 0.9 = 2.6095 × 0.81 = 2.113695
    gs = hhi_wgi_t([(0.8, scaled_wgi(-0.5), 1.1), (0.2, scaled_wgi(1.5), 0.8)])
    eu = hhi_wgi_t([(0.5, scaled_wgi(-0.5), 1.1), (0.5, scaled_wgi(1.5), 0.8)])
    assert gs == pytest.approx(4.288)
    assert eu == pytest.approx(2.05)
    assert supply_risk(gs, eu, 0.5, 0.1, 0.9) == pytest.approx(2.113695)


def test_import_reliance_weights_global_supply_by_half_of_ir() -> None:
    # IR = 0: only EU sourcing counts; IR = 1: both count half (the IR/2 weighting of the 2017 method).
    assert supply_risk(4.0, 2.0, 0.0) == pytest.approx(2.0)
    assert supply_risk(4.0, 2.0, 1.0) == pytest.approx(3.0)


def test_import_reliance_formula() -> None:
    # IR = (imports − exports) / (production + imports − exports)
    assert import_reliance(20.0, 100.0, 20.0) == pytest.approx(0.8)
    assert import_reliance(0.0, 50.0, 10.0) == 1.0
    assert import_reliance(10.0, 5.0, 8.0) == 0.0  # net exporter


def test_monopoly_of_a_perfectly_governed_eu_country_gives_the_minimum() -> None:
    best = hhi_wgi_t([(1.0, scaled_wgi(2.5), 0.8)])
    assert best == 0.0
    rng = random.Random(7)
    for _ in range(200):
        n = rng.randint(1, 6)
        raw = [rng.random() for _ in range(n)]
        shares = [x / sum(raw) for x in raw]
        suppliers = [(s, rng.uniform(0, 10), rng.choice([0.8, 1.0, 1.1, 1.5])) for s in shares]
        value = supply_risk(
            hhi_wgi_t(suppliers), hhi_wgi_t(suppliers), rng.random(), rng.random(), rng.random()
        )
        assert value >= supply_risk(best, best, 0.5) == 0.0


def test_supply_risk_falls_with_recycling_and_substitution() -> None:
    base = supply_risk(3.0, 2.0, 0.6, 0.0, 1.0)
    assert supply_risk(3.0, 2.0, 0.6, 0.3, 1.0) == pytest.approx(base * 0.7)
    assert supply_risk(3.0, 2.0, 0.6, 0.0, 0.8) == pytest.approx(base * 0.8)


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: hhi_wgi_t([(1.5, 5.0, 1.0)]), "share"),
        (lambda: hhi_wgi_t([(0.5, 11.0, 1.0)]), "wgi_scaled"),
        (lambda: hhi_wgi_t([(0.5, 5.0, 0.0)]), "t"),
        (lambda: supply_risk(1.0, 1.0, 1.2), "import_reliance"),
        (lambda: supply_risk(1.0, 1.0, 0.5, -0.1), "eol_rir"),
        (lambda: supply_risk(1.0, 1.0, 0.5, 0.0, 2.0), "si_sr"),
        (lambda: supply_risk(-1.0, 1.0, 0.5), "hhi_gs"),
        (lambda: import_reliance(0.0, -5.0, 0.0), "imports"),
        (lambda: scaled_wgi(float("nan")), "wgi"),
    ],
)
def test_bad_formula_input_names_the_parameter(call, parameter) -> None:
    with pytest.raises(InputError) as info:
        call()
    assert info.value.parameter == parameter


# ---- the 2023 recomputation (real data) --------------------------------------------------------------------


@pytest.fixture(scope="module")
def eu_rows(real_store) -> dict[str, dict]:
    result = eu_supply_risk(store=real_store)
    return {r["material"]: r for r in result.rows}


@pytest.mark.realdata
def test_gallium_global_hhi_from_the_appendix_7_shares_by_hand(real_store, eu_rows) -> None:
    # Independent of the module: Σ s² × (2.5 − WGI) × 2 × t over the 2023 global processing shares of gallium
    # (China 93.8 %, Ukraine 2.2 %, Russia 1.9 %, Japan 1.0 %, Korea 0.9 %, Germany 0.3 % with t = 0.8),
    # WGI = mean of the six estimates over 2016–2020 (China −0.356 → 5.713).
    gov = real_store.arrow("governance").to_pylist()
    sums: dict[str, list[float]] = defaultdict(list)
    for row in gov:
        if (
            row["source"] == "wgi"
            and WGI_YEARS[0] <= row["year"] <= WGI_YEARS[1]
            and row["estimate"] is not None
        ):
            sums[row["country"]].append(row["estimate"])
    supply = [
        r
        for r in real_store.arrow("eu_crm_supply").to_pylist()
        if r["material"] == "gallium" and r["scope"] == "global"
    ]
    assert {r["country"] for r in supply} == {"CHN", "UKR", "RUS", "JPN", "KOR", "DEU"}
    expected = sum(
        r["share"] ** 2 * (2.5 - sum(sums[r["country"]]) / len(sums[r["country"]])) * 2 * r["t"]
        for r in supply
    )
    assert expected == pytest.approx(5.032, abs=0.001)
    assert eu_rows["gallium"]["hhi_wgi_t_global"] == pytest.approx(expected, abs=0.001)


@pytest.mark.realdata
def test_gallium_recomputed_within_tolerance_of_the_published_39(eu_rows) -> None:
    # Gallium's inputs are complete in the data: EoL-RIR 0 (SCRREEN), IR proxy 0.98 (the report's 98 %).
    row = eu_rows["gallium"]
    assert row["sr_published"] == 3.9 and row["ei_published"] == 3.7
    assert row["stage"] == "processing"
    assert row["eol_rir"] == 0.0
    # IR proxy: non-EU share of the listed EU sourcing (Germany 2 % of 96 % listed).
    assert row["import_reliance"] == pytest.approx((0.96 - 0.02) / 0.96, abs=1e-3)
    assert abs(row["difference"]) <= TOLERANCE
    assert row["explanation"].startswith("within")


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("material", "ir", "eol", "si", "published"),
    [
        # IR, EoL-RIR and SI_SR of the bottleneck stage as published in the 2023 Final Report (Grohol & Veeh
        # 2023, doi 10.2873/725585), transcribed in meyerdata/CritMAT input_data/seeds/eureport_results.csv.
        ("gallium", 0.98, 0.0, 0.98, 3.9),
        ("cobalt", 0.81, 0.22, 0.98, 2.8),  # extraction, global supply only ("GSonly")
        ("magnesium", 1.0, 0.13, 0.94, 4.1),
        ("graphite", 0.99, 0.03, 0.98, 1.8),
    ],
)
def test_with_the_published_ir_eol_and_si_the_published_sr_is_reproduced(
    eu_rows, material, ir, eol, si, published
) -> None:
    # The recomputed HHI_WGI,t from the Appendix 7 shares plus the report's own IR, EoL-RIR and SI_SR give the
    # published SR within 0.15 (published SR are rounded to 0.1, shares to whole percent).
    row = eu_rows[material]
    gs = row["hhi_wgi_t_global"]
    eu = row["hhi_wgi_t_eu"] if row["hhi_wgi_t_eu"] is not None else gs
    assert supply_risk(gs, eu, ir, eol, si) == pytest.approx(published, abs=0.15)


@pytest.mark.realdata
def test_gaps_are_explained(eu_rows) -> None:
    # Magnesium: EoL-RIR (13 % published) is not in the data, so the recomputation sits higher.
    mg = eu_rows["magnesium"]
    assert mg["difference"] > TOLERANCE
    assert "EoL-RIR missing (0)" in mg["approximations"]
    assert "EoL-RIR missing" in mg["explanation"]
    # Germanium: the Appendix 7 EU sourcing (China 83 %) cannot give the published 1.8.
    ge = eu_rows["germanium"]
    assert ge["difference"] > 1.0
    assert "not explained" in ge["explanation"]
    # Chromium: the EU sourcing table lists only 9 % of supply for extraction.
    assert "lists only 9%" in eu_rows["chromium"]["explanation"]


@pytest.mark.realdata
def test_most_materials_are_recomputed_within_tolerance(real_store, eu_rows) -> None:
    compared = [r for r in eu_rows.values() if r["difference"] is not None]
    close = [r for r in compared if abs(r["difference"]) <= TOLERANCE]
    assert len(compared) >= 65
    assert len(close) / len(compared) >= 0.7
    note = eu_supply_risk(store=real_store).meta["notes"][-1]
    assert note.startswith(f"{len(close)} of {len(compared)}")


@pytest.mark.realdata
def test_rows_are_consistent(eu_rows) -> None:
    names = {f.name for f in EU_SR_FIELDS}
    for row in eu_rows.values():
        assert set(row) == names
        assert row["explanation"]
        stages = [v for v in (row["sr_extraction"], row["sr_processing"]) if v is not None]
        if row["sr_recomputed"] is None:
            assert not stages
            continue
        assert row["sr_recomputed"] >= 0
        assert row["sr_recomputed"] == max(stages)
        assert row["sr_recomputed"] == row[f"sr_{row['stage']}"]
        assert "SI_SR = 1" in row["approximations"]
        if row["sr_published"] is not None:
            assert row["difference"] == pytest.approx(row["sr_recomputed"] - row["sr_published"], abs=2e-3)


@pytest.mark.realdata
def test_every_material_of_the_2023_tables_including_groups(real_store, eu_rows) -> None:
    in_tables = {r["material"] for r in real_store.arrow("eu_crm_supply").to_pylist()}
    assert in_tables <= set(eu_rows)
    # HREE and LREE take the shares their members share; PGM (members differ) reports their range.
    assert eu_rows["hree"]["sr_recomputed"] is not None and eu_rows["hree"]["sr_published"] == 5.1
    assert "members' shares" in eu_rows["lree"]["approximations"]
    pgm = eu_rows["pgm"]
    assert pgm["sr_recomputed"] is None and pgm["sr_published"] == 2.7
    assert "members' recomputed SR" in pgm["explanation"]


@pytest.mark.realdata
def test_eu_members_in_eu_sourcing_count_with_their_own_governance(eu_rows) -> None:
    # Hafnium: EU sourcing is France 76 % (t 0.8), Ukraine 14 %, China 5 %, Russia 3 %. The method treats EU
    # production as part of EU sourcing with the member's own WGI, so HHI_EU is dominated by France's term
    # (0.76² × ~1.8 × 0.8 ≈ 0.85); treating it as risk-free would leave the non-EU terms only (≈ 0.14). The
    # study's hafnium SR (1.5) uses EU sourcing only.
    hf = eu_rows["hafnium"]
    assert hf["hhi_wgi_t_eu"] > 1.0
    assert hf["import_reliance"] == pytest.approx(0.22 / 0.98, abs=1e-3)
    assert abs(hf["difference"]) <= TOLERANCE


@pytest.mark.realdata
def test_eu27_as_country_is_the_eu_view(real_store, eu_rows) -> None:
    result = eu_supply_risk("gallium", country="EU27", store=real_store)
    assert result.fields == EU_SR_FIELDS
    assert result.rows[0]["sr_recomputed"] == eu_rows["gallium"]["sr_recomputed"]


# ---- the national variant ----------------------------------------------------------------------------------


@pytest.mark.realdata
def test_netherlands_gallium_differs_from_the_eu_view(real_store, eu_rows) -> None:
    result = eu_supply_risk("gallium", country="Nederland", year=2024, store=real_store)
    assert result.fields == NATIONAL_SR_FIELDS
    row = result.rows[0]
    assert row["country"] == "NLD"
    assert (row["trade_source"], row["codes"], row["stage"], row["basis"]) == (
        "comext_cn8",
        "81129289",
        "processing",
        "value",
    )
    # Russia supplied 67 % of the Dutch gallium imports (€2.2 m) in 2024 (Comext).
    assert row["top_partner"] == "RUS" and row["top_share"] == pytest.approx(0.673, abs=0.005)
    assert row["import_reliance"] == 1.0  # no Dutch gallium production
    assert row["hhi_wgi_t_global"] == eu_rows["gallium"]["hhi_wgi_t_global"]
    assert row["sr_eu_recomputed"] == eu_rows["gallium"]["sr_recomputed"]
    assert abs(row["sr_recomputed"] - row["sr_eu_recomputed"]) > 0.1
    assert row["difference"] == pytest.approx(row["sr_recomputed"] - row["sr_eu_recomputed"], abs=2e-3)
    assert any("National view of Netherlands" in n for n in result.meta["notes"])
    assert {s["id"] for s in result.meta["sources"]} >= {"comext_cn8", "wgi", "eu_crm_2023", "wmd"}


@pytest.mark.realdata
def test_netherlands_cobalt_runs_and_differs_from_the_eu_view(real_store) -> None:
    row = eu_supply_risk("kobalt", country="NL", year=2022, store=real_store).rows[0]
    assert row["sr_recomputed"] is not None and row["sr_recomputed"] >= 0
    assert row["sr_eu_recomputed"] == pytest.approx(2.842, abs=0.01)
    assert row["sr_recomputed"] != row["sr_eu_recomputed"]
    assert row["sr_processing"] is not None
    assert row["trade_year"] == 2022
    assert 0.0 <= row["import_reliance"] <= 1.0


@pytest.mark.realdata
def test_netherlands_cobalt_processing_stage_sourcing(real_store) -> None:
    # With 2019 only BACI HS92 has data: the processing codes 282200 (oxides) and 810510 (mattes, unwrought)
    # in tonnes; the extraction stage (Comext 26050000 from 2022) is not assessed.
    row = eu_supply_risk("cobalt", country="NL", year=2019, store=real_store).rows[0]
    assert (row["stage"], row["trade_source"], row["codes"], row["basis"]) == (
        "processing",
        "baci_hs92",
        "282200, 810510",
        "tonnes",
    )
    assert row["sr_extraction"] is None
    assert "extraction: no imports of NLD" in row["explanation"]


@pytest.mark.realdata
def test_bad_input_names_the_parameter(real_store) -> None:
    with pytest.raises(UnknownMaterialError) as info:
        eu_supply_risk("galium", store=real_store)
    assert info.value.parameter == "material" and "gallium" in str(info.value)
    with pytest.raises(InputError) as info:
        eu_supply_risk("uranium", store=real_store)
    assert info.value.parameter == "material" and "EU 2023" in str(info.value)
    with pytest.raises(InputError) as info:
        eu_supply_risk("gallium", year=2020, store=real_store)
    assert info.value.parameter == "year" and "2023" in str(info.value)
    with pytest.raises(UnknownCountryError) as info:
        eu_supply_risk("gallium", country="Narnia", store=real_store)
    assert info.value.parameter == "country"
    with pytest.raises(InputError) as info:
        eu_supply_risk("gallium", country="NL", year=2019, store=real_store)
    assert info.value.parameter == "year" and "comext_cn8 2022–2024" in str(info.value)
    with pytest.raises(InputError) as info:
        eu_supply_risk("natural cork", country="NL", store=real_store)
    assert info.value.parameter == "material"
