"""The early-warning monitor: each signal on hand-made inputs, the configuration, the Atom feed, and the
real data (the Netherlands' gallium imports from China collapsing after China's 2023 export controls)."""

from __future__ import annotations

import csv
import datetime
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from grondstof.errors import InputError, UnknownCountryError
from grondstof.monitor.config import WatchConfig, default_config, default_config_text, load_config
from grondstof.monitor.feed import ATOM_NS, atom_feed, entry_id
from grondstof.monitor.signals import (
    ALERT_FIELDS,
    SIGNALS,
    Alert,
    applies_to,
    build_panel,
    concentration_rises,
    export_control_hits,
    import_changes,
    money,
    price_spikes,
    refined_trends,
    scale,
    severity,
    share_gains,
    title,
    top_share_crossings,
    watch,
)
from grondstof.registry.countries import countries

FIXTURES = Path(__file__).parent / "fixtures" / "monitor"
NS = {"a": ATOM_NS}
M = 1_000_000

# The Netherlands' gallium imports (Comext CN8 81129289, EUR) by partner as in the shared data.
GALLIUM_NL = {
    2022: {"CHN": 8_683_031.0, "DEU": 2_164.0},
    2023: {"CHN": 4_558_413.0, "RUS": 401_858.0, "JPN": 138_038.0},
    2024: {"CHN": 599_209.0, "RUS": 1_481_959.0, "JPN": 44_912.0},
}


def rows_of(data: dict[int, dict[str, float]], material: str = "gallium", source: str = "comext_cn8"):
    """Rows as trade_panel returns them: one per (material, year, partner)."""
    return [
        {"material": material, "source": source, "year": year, "exporter": partner, "value": value}
        for year, partners in data.items()
        for partner, value in partners.items()
    ]


def panel_of(data, **kw):
    return build_panel(rows_of(data, **kw))


def cfg(**signals) -> WatchConfig:
    return load_config({"signals": signals})


def NL():
    return countries().resolve_importer("NL")


# ---- signal 1: collapses and jumps ---------------------------------------------------------------------


def test_gallium_collapse_is_one_alert_spanning_both_falls() -> None:
    alerts = [a for a in import_changes(panel_of(GALLIUM_NL), default_config()) if a.partner == "CHN"]
    assert len(alerts) == 1
    alert = alerts[0]
    assert (alert.signal, alert.year) == ("import_collapse", 2024)
    ev = alert.evidence
    # 2022→2023 is −47.5 % (below the 50 % threshold) but joins the run: ≥ 25 % and ≥ 0.5 m.
    assert (ev["from_year"], ev["to_year"]) == (2022, 2024)
    assert ev["before"] == 8_683_031 and ev["after"] == 599_209
    assert ev["change"] == pytest.approx(599_209 / 8_683_031 - 1)
    assert ev["by_year"] == {2022: 8_683_031, 2023: 4_558_413, 2024: 599_209}
    assert ev["share_before"] == pytest.approx(8_683_031 / 8_685_195)
    assert (
        title(alert, "gallium", "China")
        == "Gallium imports from China fell 93 % (€8.7 m → €0.6 m, 2022→2024)"
    )


def test_jump_needs_both_thresholds_and_run_stops_at_small_steps() -> None:
    jumps = [a for a in import_changes(panel_of(GALLIUM_NL), default_config()) if a.signal == "import_jump"]
    assert [(a.partner, a.year) for a in jumps] == [("RUS", 2024)]  # +269 %, +1.08 m
    ev = jumps[0].evidence
    # The step 0 → 0.40 m (2022→2023) is infinite in relative terms but below half of 1 m: not in the run.
    assert ev["from_year"] == 2023
    assert ev["change"] == pytest.approx(1_481_959 / 401_858 - 1)
    assert (
        title(jumps[0], "gallium", "Russia")
        == "Gallium imports from Russia rose 269 % (€0.4 m → €1.5 m, 2023→2024)"
    )
    # A higher absolute threshold (2 m) stops the jump; a higher relative one (300 %) too.
    assert not [
        a
        for a in import_changes(panel_of(GALLIUM_NL), cfg(import_jump={"min_value": 2 * M}))
        if a.signal == "import_jump"
    ]
    assert not [
        a
        for a in import_changes(panel_of(GALLIUM_NL), cfg(import_jump={"min_rise": 3.0}))
        if a.signal == "import_jump"
    ]


def test_thresholds_change_what_fires() -> None:
    panel = panel_of(GALLIUM_NL)
    strict = cfg(import_collapse={"min_fall": 0.95})
    assert not [a for a in import_changes(panel, strict) if a.signal == "import_collapse"]
    # The same relative fall in thousands instead of millions is below the absolute threshold.
    small = panel_of({y: {p: v / 1000 for p, v in d.items()} for y, d in GALLIUM_NL.items()})
    assert import_changes(small, default_config()) == []
    assert import_changes(small, cfg(import_collapse={"min_value": 1000}, import_jump={"min_value": 1000}))
    disabled = cfg(import_collapse={"enabled": False}, import_jump={"enabled": False})
    assert import_changes(panel, disabled) == []


def test_consecutive_firing_falls_are_merged_into_the_last() -> None:
    panel = panel_of({2021: {"A": 10 * M}, 2022: {"A": 4 * M}, 2023: {"A": 1 * M}})
    alerts = import_changes(panel, default_config())
    assert [(a.year, a.evidence["from_year"]) for a in alerts] == [(2023, 2021)]
    assert alerts[0].evidence["change"] == pytest.approx(-0.9)


def test_partner_absent_counts_as_zero_only_when_the_material_has_data() -> None:
    panel = panel_of({2022: {"A": 5 * M, "B": 1 * M}, 2023: {"B": 2 * M}})
    gone = [a for a in import_changes(panel, default_config()) if a.partner == "A"]
    assert [(a.signal, a.evidence["after"], a.evidence["change"]) for a in gone] == [
        ("import_collapse", 0, -1.0)
    ]
    # A year without any imports of the material is a gap, not a fall to zero.
    gap = panel_of({2022: {"A": 5 * M}, 2024: {"A": 1 * M}})
    assert import_changes(gap, default_config()) == []


def test_new_partner_appears() -> None:
    panel = panel_of({2022: {"A": 5 * M}, 2023: {"A": 5 * M, "B": 3 * M}})
    (alert,) = import_changes(panel, default_config())
    assert (alert.signal, alert.partner, alert.evidence["before"], alert.evidence["change"]) == (
        "import_jump",
        "B",
        0,
        None,
    )
    assert (
        title(alert, "cobalt", "Canada")
        == "Cobalt imports from Canada appeared: €3.0 m in 2023 (none in 2022)"
    )


# ---- signals 2 and 3: top share and share gains -----------------------------------------------------------


def test_top_share_crossing_up_reports_the_highest_level() -> None:
    panel = panel_of({2022: {"A": 40 * M, "B": 35 * M, "C": 25 * M}, 2023: {"A": 80 * M, "B": 20 * M}})
    (alert,) = top_share_crossings(panel, default_config())
    assert (alert.signal, alert.partner, alert.year, alert.evidence["level"]) == (
        "top_share_up",
        "A",
        2023,
        0.65,
    )
    assert alert.exposure == pytest.approx(0.8)
    assert alert.evidence["top_share_before"] == pytest.approx(0.4)


def test_top_share_crossing_down_reports_the_lowest_level_and_the_old_top() -> None:
    panel = panel_of({2022: {"A": 70 * M, "B": 30 * M}, 2023: {"A": 45 * M, "B": 40 * M, "C": 15 * M}})
    (alert,) = top_share_crossings(panel, default_config())
    assert (alert.signal, alert.partner, alert.evidence["level"]) == ("top_share_down", "A", 0.5)
    assert alert.exposure == pytest.approx(0.7)


def test_top_share_needs_a_crossing_and_enough_value() -> None:
    no_crossing = panel_of({2022: {"A": 60 * M, "B": 40 * M}, 2023: {"A": 55 * M, "B": 45 * M}})
    assert top_share_crossings(no_crossing, default_config()) == []
    tiny = panel_of({2022: {"A": 40, "B": 35, "C": 25}, 2023: {"A": 80, "B": 20}})
    assert top_share_crossings(tiny, default_config()) == []
    levels = cfg(top_share={"levels": [0.75, 0.9]})
    assert top_share_crossings(no_crossing, cfg(top_share={"levels": [0.58]}))[0].signal == "top_share_down"
    big = panel_of({2022: {"A": 40 * M, "B": 35 * M, "C": 25 * M}, 2023: {"A": 80 * M, "B": 20 * M}})
    assert top_share_crossings(big, levels)[0].evidence["level"] == 0.75


def test_share_gain_of_twenty_points() -> None:
    panel = panel_of({2022: {"A": 40 * M, "B": 35 * M, "C": 25 * M}, 2023: {"A": 80 * M, "B": 20 * M}})
    (alert,) = share_gains(panel, default_config())
    assert (alert.partner, alert.evidence["points"]) == ("A", pytest.approx(0.4))
    assert (
        title(alert, "helium", "Qatar")
        == "Qatar gained 40 share points of helium imports (40 % → 80 %, 2022→2023)"
    )
    assert share_gains(panel, cfg(share_gain={"min_points": 0.41})) == []
    # Real NL gallium: Russia 7.9 % → 67.3 % of imports, 2023→2024.
    (russia,) = share_gains(panel_of(GALLIUM_NL), default_config())
    assert russia.partner == "RUS" and russia.evidence["points"] == pytest.approx(
        1_481_959 / 2_126_080 - 401_858 / 5_098_309
    )


# ---- signal 4: export controls ----------------------------------------------------------------------------

GAGE = {
    "id": "CN-2023-GaGe",
    "country": "CHN",
    "materials": ["gallium", "germanium"],
    "measure_type": "export licensing (dual-use)",
    "effective": datetime.date(2023, 8, 1),
    "ended": None,
    "destination_scope": "all destinations",
}


def test_export_control_hits_a_material_taken_from_the_controlling_country() -> None:
    alerts, notes = export_control_hits(panel_of(GALLIUM_NL), [GAGE], NL(), default_config())
    (alert,) = alerts  # germanium is not in this panel: no alert, no note
    assert notes == []
    assert (alert.material, alert.partner, alert.year, alert.date) == (
        "gallium",
        "CHN",
        2023,
        datetime.date(2023, 8, 1),
    )
    assert alert.evidence["year_before"] == 2022
    assert alert.exposure == pytest.approx(8_683_031 / 8_685_195)
    assert [a["year"] for a in alert.evidence["after"]] == [2023, 2024]
    assert alert.key == "CN-2023-GaGe" and alert.factor == 1.0
    assert (
        export_control_hits(panel_of(GALLIUM_NL), [GAGE], NL(), cfg(export_control={"min_share": 1.0}))[0]
        == []
    )


def test_export_control_destination_scope_and_suspension() -> None:
    us_only = {
        **GAGE,
        "id": "CN-2024-US",
        "destination_scope": "United States only",
        "effective": datetime.date(2024, 12, 3),
        "ended": datetime.date(2025, 11, 9),
    }
    alerts, notes = export_control_hits(panel_of(GALLIUM_NL), [us_only], NL(), default_config())
    assert alerts == [] and "CN-2024-US" in notes[0] and "United States only" in notes[0]
    us = countries().resolve_importer("US")
    alerts, _ = export_control_hits(panel_of(GALLIUM_NL), [us_only], us, default_config())
    assert alerts[0].factor == 0.5  # suspended since: counts with suspended_weight
    assert applies_to("all destinations", NL()) and not applies_to("United States only", NL())
    assert applies_to("EU member states", countries().eu27())


def test_export_control_on_a_member_uses_its_group_and_says_when_the_year_is_missing() -> None:
    panel = panel_of({2024: {"CHN": 6 * M, "EST": 1 * M}}, material="rare_earths")
    measure = {
        **GAGE,
        "id": "CN-2025-MHREE",
        "materials": ["dysprosium", "terbium"],
        "effective": datetime.date(2025, 4, 4),
    }
    (alert,), _ = export_control_hits(panel, [measure], NL(), default_config())
    assert alert.material == "rare_earths"
    assert alert.evidence["materials_covered"] == ["dysprosium", "terbium"]
    assert alert.evidence["traded_as"] == "rare_earths"
    later = {**measure, "effective": datetime.date(2026, 2, 25)}
    alerts, notes = export_control_hits(panel, [later], NL(), default_config())
    assert alerts == [] and "2025" in notes[0] and "unknown" in notes[0]


# ---- signal 5: production concentration -------------------------------------------------------------------


def _hhi_rows(values: dict[int, float], material: str = "gallium"):
    return [
        {
            "material": material,
            "commodity": "Gallium",
            "stage": "processing",
            "year": y,
            "hhi": h,
            "top": "CHN",
            "top_share": math.sqrt(h),
        }
        for y, h in values.items()
    ]


def test_production_concentration_rise_and_level_crossing() -> None:
    panel = panel_of(GALLIUM_NL)
    (alert,) = concentration_rises(_hhi_rows({2021: 0.45, 2022: 0.52}), panel, default_config())
    assert (alert.year, alert.evidence["level_crossed"]) == (2022, 0.5)
    assert alert.evidence["hhi_change"] == pytest.approx(0.07)
    assert alert.value == pytest.approx(8_685_195)  # the importer's gallium imports in 2022
    assert concentration_rises(_hhi_rows({2021: 0.30, 2022: 0.33}), panel, default_config()) == []
    (crossing,) = concentration_rises(_hhi_rows({2021: 0.24, 2022: 0.26}), panel, default_config())
    assert crossing.evidence["level_crossed"] == 0.25
    # Materials the importer does not import are not evaluated.
    assert concentration_rises(_hhi_rows({2021: 0.2, 2022: 0.9}, "cobalt"), panel, default_config()) == []
    text = title(alert, "gallium", "China")
    assert text.startswith(
        "World production of gallium more concentrated: HHI 0.450 → 0.520 (2021→2022, above"
    )


# ---- signal 6: the refined stage over time (top-6 extract) -------------------------------------------------

# NL unwrought nickel (HS 750210) in the top-6 extract, rounded from the shared data (USD): Russia's retained
# value falls from $783 m (51 % of the retained flows) in 2021 to $34 m in 2024.
NICKEL_TOP6 = {
    2020: {"NOR": 548.0 * M, "RUS": 189.0 * M, "FIN": 300.0 * M, "CAN": 299.0 * M},
    2021: {"NOR": 201.0 * M, "RUS": 783.0 * M, "FIN": 300.0 * M, "CAN": 245.0 * M},
    2022: {"NOR": 560.0 * M, "RUS": 333.0 * M, "FIN": 540.0 * M, "CAN": 500.0 * M},
    2023: {"NOR": 665.0 * M, "RUS": 112.0 * M, "FIN": 830.0 * M, "CAN": 700.0 * M},
    2024: {"NOR": 825.0 * M, "RUS": 34.0 * M, "FIN": 600.0 * M, "CAN": 469.0 * M},
}


def test_refined_trend_reports_the_largest_window_of_a_run_labelled_as_top6() -> None:
    panel = panel_of(NICKEL_TOP6, material="nickel", source="baci_refined_top6")
    alerts = refined_trends(panel, {"nickel": ("750210",)}, default_config())
    (russia,) = [a for a in alerts if a.partner == "RUS"]
    ev = russia.evidence
    assert (russia.year, ev["from_year"], ev["direction"]) == (2024, 2021, "down")
    assert ev["share_before"] == pytest.approx(783 / 1529) and ev["share_after"] == pytest.approx(34 / 1928)
    assert (ev["coverage"], ev["share_basis"], ev["total_bound"]) == (
        "top-6 extract",
        "of the retained (top-6) flows",
        "lower bound",
    )
    assert russia.sources == ("baci_refined_top6",) and russia.currency == "USD"
    assert title(russia, "nickel", "Russia") == (
        "Refined stage (top-6 extract): Russia's share of retained nickel imports (HS 750210) fell 49 points "
        "(51 % → 2 %, 2021→2024; $783.0 m → $34.0 m)"
    )
    # A higher min_points silences it; a one-year window sees the rise into 2021 and the fall into 2022
    # as two moves (14 % → 51 % → 17 %), the later years' falls being under 25 points.
    strict = refined_trends(panel, {}, cfg(refined_trend={"min_points": 0.6}))
    assert not [a for a in strict if a.partner == "RUS"]
    short = [a for a in refined_trends(panel, {}, cfg(refined_trend={"years": 1})) if a.partner == "RUS"]
    assert [(a.year, a.evidence["direction"]) for a in short] == [(2021, "up"), (2022, "down")]


def test_refined_trend_says_a_partner_missing_is_not_in_the_retained_flows() -> None:
    data = {2019: {"DEU": 50.0 * M}, 2020: {"DEU": 50.0 * M}, 2021: {"DEU": 20.0 * M, "GHA": 30.0 * M}}
    alerts = refined_trends(
        panel_of(data, material="manganese", source="baci_refined_top6"),
        {"manganese": ("811100",)},
        cfg(refined_trend={"years": 1}),
    )
    assert sorted((a.partner, a.evidence["direction"]) for a in alerts) == [("DEU", "down"), ("GHA", "up")]
    ghana = next(a for a in alerts if a.partner == "GHA")
    assert ghana.evidence["value_before"] is None  # not zero: not among the retained flows
    assert "not in the retained flows → $30.0 m" in title(ghana, "manganese", "Ghana")
    assert "niet in de behouden stromen" in title(ghana, "mangaan", "Ghana", "nl")


# ---- signal 7: price spikes -------------------------------------------------------------------------------


def _monthly(values: dict[str, float], material: str = "nickel") -> list[dict]:
    return [
        {
            "material": material,
            "source": "worldbank_cmo",
            "series": "Nickel",
            "period": datetime.date.fromisoformat(month + "-01"),
            "value": value,
            "unit": "$/mt",
            "currency": "USD",
            "frequency": "monthly",
        }
        for month, value in values.items()
    ]


NICKEL_PRICES = {
    **{f"2021-{m:02d}": 16_000.0 for m in range(1, 13)},
    "2022-01": 22_000.0,  # +37.5 %: below the threshold
    "2022-02": 24_000.0,  # +50 %: a run starts
    "2022-03": 33_924.0,  # +112 %: the run's largest rise
    "2022-04": 33_000.0,  # +106 %
    "2022-05": 20_000.0,  # +25 %: the run has ended
}


def test_price_spike_is_one_alert_per_run_at_its_largest_rise_with_the_series_named() -> None:
    panel = panel_of(
        {2021: {"FIN": 10.0 * M}, 2022: {"FIN": 12.0 * M}}, material="nickel", source="baci_hs92"
    )
    (spike,) = price_spikes(_monthly(NICKEL_PRICES), panel, default_config())
    ev = spike.evidence
    assert (spike.year, ev["from_period"], ev["to_period"]) == (
        2022,
        datetime.date(2021, 3, 1),
        datetime.date(2022, 3, 1),
    )
    assert ev["rise"] == pytest.approx(33_924 / 16_000 - 1) and spike.exposure == 1.0  # capped at +100 %
    assert ev["run"] == [datetime.date(2022, 2, 1), datetime.date(2022, 4, 1)]
    assert (ev["price_source"], ev["series"], ev["unit"], ev["price_currency"]) == (
        "worldbank_cmo",
        "Nickel",
        "$/mt",
        "USD",
    )
    assert spike.value == 12.0 * M and spike.sources == ("worldbank_cmo", "baci_hs92")
    assert title(spike, "nickel", None) == (
        "Nickel price rose 112 % in 12 months (World Bank Pink Sheet 'Nickel', $/mt: 16,000 → 33,924, "
        "2021-03→2022-03)"
    )
    assert price_spikes(_monthly(NICKEL_PRICES), panel, cfg(price_spike={"min_rise": 1.5})) == []
    # A material the importer does not import is not evaluated.
    assert price_spikes(_monthly(NICKEL_PRICES, "copper"), panel, default_config()) == []


def test_price_spike_puts_the_larger_refined_stage_at_stake_in_the_same_currency() -> None:
    ores = panel_of({2021: {"FIN": 1.0 * M}, 2022: {"FIN": 1.0 * M}}, material="nickel", source="baci_hs92")
    top6 = panel_of(
        {2021: {"RUS": 783.0 * M}, 2022: {"RUS": 333.0 * M, "NOR": 560.0 * M}},
        material="nickel",
        source="baci_refined_top6",
    )
    (spike,) = price_spikes(_monthly(NICKEL_PRICES), ores, default_config(), top6)
    assert spike.value == 893.0 * M and spike.evidence["trade_source"] == "baci_refined_top6"
    assert "lower bound" in spike.evidence["imports_basis"]
    euro = panel_of({2021: {"FIN": 1.0 * M}, 2022: {"FIN": 1.0 * M}}, material="nickel", source="comext_cn8")
    (kept,) = price_spikes(_monthly(NICKEL_PRICES), euro, default_config(), top6)
    assert kept.value == 1.0 * M and kept.currency == "EUR"  # USD and EUR are never compared


# ---- severity and wording ---------------------------------------------------------------------------------


def test_severity_follows_the_documented_rule() -> None:
    alert = Alert("import_collapse", "gallium", 2024, "CHN", 1.0, 8_683_031.0, "EUR", ("comext_cn8",), {})
    score, terms = severity(alert, default_config(), 2024, 1.5)
    expected = 100 * 1.0 * 1.0 * (0.25 + math.log10(8.683031) / 4) * 1.5 * 1.0
    assert score == round(expected, 1) == 72.7
    assert terms["scale"] == pytest.approx(0.25 + math.log10(8.683031) / 4)
    older, _ = severity(alert.__class__(**{**alert.__dict__, "year": 2021}), default_config(), 2024, 1.5)
    assert older == round(expected / 2, 1)  # three years = one half-life
    assert scale(1e9, 1e6) == 1.0 and scale(10, 1e6) == 0.1 and scale(None, 1e6) == 0.1


def test_money_formatting() -> None:
    assert money(8_683_031, "EUR") == "€8.7 m"
    assert money(599_209, "EUR") == "€0.6 m"
    assert money(1_283_000_000, "USD") == "$1.28 bn"
    assert money(24_350, "USD") == "$24 k"
    assert money(8_683_031, "EUR", "nl") == "€8,7 mln"


# ---- configuration ----------------------------------------------------------------------------------------


def test_shipped_defaults_match_the_model_and_print_with_comments() -> None:
    assert default_config() == WatchConfig()
    text = default_config_text()
    assert text.startswith("#") and "min_fall: 0.5" in text
    assert WatchConfig.model_validate(yaml.safe_load(text)) == WatchConfig()


def test_user_file_changes_only_its_keys() -> None:
    strict = load_config(FIXTURES / "strict_signals.yaml")
    assert strict.signals.import_collapse.min_fall == 0.95
    assert strict.signals.export_control.min_share == 1.0
    assert strict.signals.import_collapse.min_value == 1_000_000
    assert strict.signals.top_share == WatchConfig().signals.top_share


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("bad_unknown_key.yaml", "bad_unknown_key.yaml: signals.import_collapse.min_fal"),
        ("bad_negative.yaml", "bad_negative.yaml: signals.import_jump.min_value"),
        ("bad_type.yaml", "bad_type.yaml: severity.strategic_bonus"),
    ],
)
def test_malformed_config_names_the_key(name: str, key: str) -> None:
    with pytest.raises(InputError) as info:
        load_config(FIXTURES / name)
    assert info.value.parameter == key


def test_bad_levels_and_missing_file() -> None:
    with pytest.raises(InputError) as info:
        load_config({"signals": {"top_share": {"levels": [0.5, 65]}}})
    assert info.value.parameter == "config: signals.top_share.levels"
    with pytest.raises(InputError) as info:
        load_config(FIXTURES / "nope.yaml")
    assert info.value.parameter == "config"


# ---- Atom ------------------------------------------------------------------------------------------------


def test_entry_ids_are_stable_across_versions() -> None:
    # Pinned: a reader that subscribed must never see the same alert under a new id.
    assert entry_id("NLD/import_collapse/gallium/CHN/2024") == "urn:uuid:7159c53b-09e7-5f0b-99c4-e1014d7f207e"


def test_atom_feed_of_hand_made_alerts_parses_with_required_elements() -> None:
    from grondstof.result import Result

    alert = import_changes(panel_of(GALLIUM_NL), default_config())[0]
    row = {
        "alert_id": "NLD/import_collapse/gallium/CHN/2024",
        "signal": alert.signal,
        "material": "gallium",
        "material_name": "gallium",
        "title": "Gallium imports from China fell 93 % <&> test",  # markup characters are escaped
        "severity": 72.7,
        "evidence": alert.evidence,
        "source": "comext_cn8",
    }
    meta = {"importer": {"code": "NLD"}, "query": {"lang": "nl"}, "data_updated": "2026-01-31T10:00:00+00:00"}
    root = ET.fromstring(atom_feed(Result("Vroegtijdige signalen", ALERT_FIELDS, [row], meta)).encode())
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "nl"
    assert root.find("a:updated", NS).text == "2026-01-31T10:00:00Z"
    (entry,) = root.findall("a:entry", NS)
    assert entry.find("a:id", NS).text == "urn:uuid:7159c53b-09e7-5f0b-99c4-e1014d7f207e"
    assert entry.find("a:title", NS).text.endswith("<&> test")
    assert entry.find("a:category", NS).get("term") == "import_collapse"
    summary = entry.find("a:summary", NS)
    assert summary.get("type") == "text" and "change: -93.1 %" in summary.text
    assert root.find("a:link", NS) is None  # no rel=self without a feed URL


# ---- the real data ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nl(real_store):
    return watch("NL", store=real_store)


def _row(result, alert_id: str):
    return next(r for r in result.rows if r["alert_id"] == alert_id)


@pytest.mark.realdata
def test_real_gallium_collapse_from_china(nl) -> None:
    row = _row(nl, "NLD/import_collapse/gallium/CHN/2024")
    ev = row["evidence"]
    assert ev["before"] == pytest.approx(8_683_031) and ev["after"] == pytest.approx(599_209)
    assert (ev["from_year"], ev["to_year"], ev["currency"]) == (2022, 2024, "EUR")
    assert row["title"] == "Gallium imports from China fell 93 % (€8.7 m → €0.6 m, 2022→2024)"
    assert row["source"].startswith("comext_cn8 (")
    assert row["severity"] == pytest.approx(72.7, abs=0.1)


@pytest.mark.realdata
def test_real_export_control_hits_gallium_and_germanium(nl) -> None:
    gallium = _row(nl, "NLD/export_control/gallium/CHN/2023/CN-2023-GaGe")
    assert gallium["date"] == datetime.date(2023, 8, 1)
    assert gallium["evidence"]["share_before"] == pytest.approx(8_683_031 / 8_685_199)  # NL 2022 from China
    assert gallium["evidence"]["after"][-1] == {
        "year": 2024,
        "value": 599_209.0,
        "share": pytest.approx(599_209 / 2_201_598),
    }
    germanium = _row(nl, "NLD/export_control/germanium/CHN/2023/CN-2023-GaGe")
    assert germanium["evidence"]["share_before"] > 0.95
    # CN-2024-US is for the United States only: not an alert for the Netherlands, and said so.
    assert not [r for r in nl.rows if r["alert_id"].endswith("/CN-2024-US")]
    assert any("CN-2024-US" in n for n in nl.meta["notes"])


@pytest.mark.realdata
def test_real_result_is_ranked_and_complete(nl) -> None:
    severities = nl.column("severity")
    assert severities == sorted(severities, reverse=True)
    assert nl.column("rank") == list(range(1, len(nl.rows) + 1))
    assert {r["signal"] for r in nl.rows} == set(SIGNALS)
    assert all(set(r) == {f.name for f in ALERT_FIELDS} for r in nl.rows)
    assert all(r["severity"] >= 1.0 for r in nl.rows)
    assert len({r["alert_id"] for r in nl.rows}) == len(nl.rows)
    assert {s["id"] for s in nl.meta["sources"]} >= {"comext_cn8", "baci_hs92", "export_controls", "wmd"}
    # Everything is consistent: counts add up and the rule's terms reproduce each score.
    assert sum(nl.meta["alerts"]["by_signal"].values()) == nl.meta["alerts"]["total"] == len(nl.rows)
    for row in nl.rows[:50]:
        t = row["evidence"]["severity"]
        assert row["severity"] == pytest.approx(
            100 * t["weight"] * t["exposure"] * t["scale"] * t["bonus"] * t["recency"], abs=0.051
        )


@pytest.mark.realdata
def test_real_user_config_changes_what_fires(real_store, nl) -> None:
    strict = watch("NL", store=real_store, config=FIXTURES / "strict_signals.yaml")
    ids = {r["alert_id"] for r in strict.rows}
    assert "NLD/import_collapse/gallium/CHN/2024" not in ids  # −93 % < 95 %
    assert not [r for r in strict.rows if r["signal"] == "export_control"]  # no share of exactly 100 %
    assert "NLD/import_jump/gallium/RUS/2024" in ids  # untouched signals still fire
    assert strict.meta["config"]["signals"]["import_collapse"]["min_fall"] == 0.95


@pytest.mark.realdata
def test_real_since_limit_lang_and_eu27(real_store) -> None:
    recent = watch("NL", store=real_store, since=2024, limit=10)
    assert len(recent.rows) == 10 and all(r["year"] >= 2024 for r in recent.rows)
    dutch = watch("Nederland", store=real_store, since="2024", lang="nl")
    row = _row(dutch, "NLD/import_collapse/gallium/CHN/2024")
    assert row["title"] == "Import van gallium uit China daalde 93 % (€8,7 mln → €0,6 mln, 2022→2024)"
    eu = watch("EU27", store=real_store, since=2023)
    gallium = _row(eu, "EU27/export_control/gallium/CHN/2023/CN-2023-GaGe")
    assert gallium["evidence"]["share_before"] > 0.9
    assert any("extra-EU" in n for n in eu.meta["notes"])


@pytest.mark.realdata
def test_real_bad_input_names_the_parameter(real_store) -> None:
    with pytest.raises(UnknownCountryError) as info:
        watch("Nederlnd", store=real_store)
    assert info.value.parameter == "country"
    for kwargs, parameter in [
        ({"since": "20x4"}, "since"),
        ({"since": 2040}, "since"),
        ({"limit": 0}, "limit"),
    ]:
        with pytest.raises(InputError) as info:
            watch("NL", store=real_store, **kwargs)
        assert info.value.parameter == parameter


@pytest.mark.realdata
def test_real_trade_table_is_read_in_few_queries(real_store, monkeypatch) -> None:
    import grondstof.engine as engine

    calls = []
    original = engine.to_arrow
    monkeypatch.setattr(engine, "to_arrow", lambda expr: calls.append(1) or original(expr))
    watch("NL", store=real_store)
    # plan_imports (latest years), the (material, year, partner) table, production HHI, the export-control
    # timeline, the refined-stage table and the prices: a handful of queries, not one per material.
    assert len(calls) <= 6


@pytest.mark.realdata
def test_real_refined_nickel_from_russia_and_the_2022_nickel_price_spike(nl) -> None:
    russia = _row(nl, "NLD/refined_trend/nickel/RUS/2024")
    ev = russia["evidence"]
    assert (ev["from_year"], ev["to_year"], ev["codes"]) == (2021, 2024, ["750210"])
    assert ev["value_before"] == 783_457_003 and ev["value_after"] == 33_921_181
    assert ev["share_before"] == pytest.approx(0.5124, abs=1e-4)
    assert ev["share_after"] == pytest.approx(0.0176, abs=1e-4)
    assert russia["title"].startswith("Refined stage (top-6 extract): Russia's share of retained nickel")
    assert russia["source"].startswith("baci_refined_top6 (")
    spike = _row(nl, "NLD/price_spike/nickel/-/2022/Nickel")
    ev = spike["evidence"]
    # The LME squeeze: the Pink Sheet's March 2022 average against March 2021.
    assert (ev["price_before"], ev["price_after"]) == (16406.66, 33924.18)
    assert ev["rise"] == pytest.approx(33924.18 / 16406.66 - 1)
    assert ev["price_source"] == "worldbank_cmo" and spike["source"].startswith("worldbank_cmo (")
    assert spike["title"] == (
        "Nickel price rose 107 % in 12 months (World Bank Pink Sheet 'Nickel', $/mt: 16,407 → 33,924, "
        "2021-03→2022-03)"
    )
    # At stake: NL's retained unwrought-nickel imports in 2022 ($1.93 bn), larger than its nickel ore.
    assert spike["value"] == 1_932_938_431 and ev["trade_source"] == "baci_refined_top6"
    assert {"worldbank_cmo", "baci_refined_top6"} <= {s["id"] for s in nl.meta["sources"]}


@pytest.mark.realdata
def test_real_atom_feed_is_valid(nl) -> None:
    from grondstof.result import Result

    top = Result(nl.title, nl.fields, nl.rows[:15], nl.meta)
    text = atom_feed(top, feed_url="https://example.org/grondstof/NLD.atom")
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == f"{{{ATOM_NS}}}feed"
    for tag in ("id", "title", "updated", "author/a:name"):
        assert root.find(f"a:{tag}", NS) is not None and root.find(f"a:{tag}", NS).text
    assert root.find("a:id", NS).text.startswith("urn:uuid:")
    assert root.find("a:link[@rel='self']", NS).get("href") == "https://example.org/grondstof/NLD.atom"
    stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    assert stamp.match(root.find("a:updated", NS).text)
    entries = root.findall("a:entry", NS)
    assert len(entries) == 15
    ids = [e.find("a:id", NS).text for e in entries]
    assert len(set(ids)) == 15 and all(i.startswith("urn:uuid:") for i in ids)
    for entry in entries:
        for tag in ("id", "title", "updated", "summary"):
            assert entry.find(f"a:{tag}", NS).text
        assert stamp.match(entry.find("a:updated", NS).text)
    gallium = next(
        e for e in entries if e.find("a:id", NS).text == entry_id("NLD/import_collapse/gallium/CHN/2024")
    )
    assert "by year: 2022 8,683,031; 2023 4,558,413; 2024 599,209" in gallium.find("a:summary", NS).text
    # The same data gives the same document (ids and updated come from the store, not the clock).
    assert atom_feed(top, feed_url="https://example.org/grondstof/NLD.atom") == text
    fixed = atom_feed(top, updated=datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.UTC))
    assert ET.fromstring(fixed).find("a:updated", NS).text == "2025-01-02T03:04:05Z"


# ---- the command line -------------------------------------------------------------------------------------

runner = CliRunner()


def cli(args: list[str], store_dir) -> object:
    from grondstof.cli import app

    return runner.invoke(app, ["watch", *args, "--store", str(store_dir)])


@pytest.mark.realdata
def test_cli_json_csv_atom_and_limit(real_store_dir) -> None:
    result = cli(["--country", "NL", "--json", "--limit", "5"], real_store_dir)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["rows"]) == 5 and data["meta"]["alerts"]["shown"] == 5
    assert data["meta"]["fields"]["severity"]["kind"] == "number"
    result = cli(["--country", "NL", "--csv", "--since", "2024"], real_store_dir)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    gallium = next(r for r in rows if r["alert_id"] == "NLD/import_collapse/gallium/CHN/2024")
    assert json.loads(gallium["evidence"])["before"] == pytest.approx(8_683_031)
    result = cli(["--country", "NL", "--atom", "--limit", "3"], real_store_dir)
    assert len(ET.fromstring(result.stdout.encode()).findall("a:entry", NS)) == 3
    table = cli(["--country", "NL", "--since", "2024", "--limit", "3"], real_store_dir)
    assert "Early warnings for Netherlands" in table.stdout


def test_cli_prints_the_default_config(tmp_path) -> None:
    result = cli(["--print-config"], tmp_path / "no-store-needed")
    assert result.exit_code == 0
    assert result.stdout == default_config_text()
    assert not (tmp_path / "no-store-needed").exists()


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ([], "--country"),
        (
            ["--country", "NL", "--config", str(FIXTURES / "bad_negative.yaml")],
            "signals.import_jump.min_value",
        ),
        (["--country", "NL", "--atom", "--json"], "at most one output format"),
    ],
)
def test_cli_bad_input_exits_2_naming_the_problem(real_store_dir, args, needle) -> None:
    result = cli(args, real_store_dir)
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("error:") and needle in result.stderr


def test_top_partner_is_the_first_of_equals_and_never_nan() -> None:
    series = build_panel(
        [
            {"material": "m", "source": "baci_hs92", "year": 2020, "exporter": "CHN", "value": 5.0},
            {"material": "m", "source": "baci_hs92", "year": 2020, "exporter": "ZAF", "value": 5.0},
            {"material": "m", "source": "baci_hs92", "year": 2021, "exporter": "CHN", "value": math.nan},
            {"material": "m", "source": "baci_hs92", "year": 2021, "exporter": "ZAF", "value": 4.0},
            {"material": "m", "source": "baci_hs92", "year": 2021, "exporter": "COD", "value": 6.0},
        ]
    )["m"]
    assert series.top(2020) == ("CHN", 0.5)
    partner, _ = series.top(2021)
    assert partner == "COD"
    assert series.top(2019) == (None, None)
