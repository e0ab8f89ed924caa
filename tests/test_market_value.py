"""Market valuation: stocks (stockpile) and cut-off losses at a market price of a chosen date, rate named."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from grondstof.cli import app
from grondstof.errors import InputError
from grondstof.indicators.prices import market_price, market_priceable, per_tonne, prices
from grondstof.scenarios.cutoff import cutoff
from grondstof.scenarios.stockpile import stockpile


def test_per_tonne_by_hand() -> None:
    assert per_tonne(20.0, "$/kg") == 20_000.0
    assert per_tonne(10.0, "$/lb") == pytest.approx(22_046.2262)  # 1 lb = 0.45359237 kg
    assert per_tonne(400.0, "¢/lb") == pytest.approx(8_818.49048)
    assert per_tonne(1.0, "$/troy oz") == pytest.approx(32_150.7466)  # 1 ozt = 31.1034768 g
    assert per_tonne(5.0, "$/mt") == 5.0
    # Prices per content or per odd unit are not prices of a tonne of product.
    assert per_tonne(300.0, "$/mtu WO3") is None and per_tonne(100.0, "$/dmtu") is None


def test_only_refined_codes_take_a_market_price() -> None:
    assert market_priceable(("processing",))
    assert not market_priceable(("extraction",)) and not market_priceable(("processing", "manufacturing"))
    assert not market_priceable(())


@pytest.mark.realdata
def test_nickel_march_2022_market_price(real_store) -> None:
    price, why = market_price(real_store, "nickel", "2022-03")
    assert why == "" and price is not None
    # The LME squeeze month: the Pink Sheet's March 2022 nickel, at the ECB 2022 annual average 1.0530.
    (row,) = prices(
        "nickel", start="2022-03", end="2022-03", monthly=True, series="Nickel", store=real_store
    ).rows
    assert (price.series, price.source, price.period, price.unit) == (
        "Nickel",
        "worldbank_cmo",
        "2022-03",
        "$/mt",
    )
    assert price.value == row["value"] and price.usd_per_eur == 1.053
    assert price.eur_per_t == pytest.approx(row["value"] / 1.053)
    assert "worldbank_cmo" in price.label and "2022-03" in price.label and "1.053 USD/EUR" in price.label
    # A year of a monthly series is the mean of its months.
    year, _ = market_price(real_store, "nickel", 2024)
    assert year is not None and year.months == 12 and year.value == pytest.approx(16814.0, abs=0.5)


@pytest.mark.realdata
def test_market_price_says_why_not(real_store) -> None:
    assert market_price(real_store, "tungsten", 2024) == (
        None,
        "tungsten prices are not per tonne of product ($/mtu WO3)",
    )
    price, why = market_price(real_store, "lithium", 2019)
    assert price is None and "no price of lithium for 2019" in why
    with pytest.raises(InputError, match="price_date"):
        market_price(real_store, "nickel", "2022-13")


@pytest.mark.realdata
def test_stockpile_at_market_prices_says_which_row_is_which(real_store) -> None:
    trade = stockpile("NL", "nickel,copper,gallium,tungsten", days=90, store=real_store)
    market = stockpile(
        "NL", "nickel,copper,gallium,tungsten", days=90, price_date="2022-03", store=real_store
    )
    before = {r["material"]: r for r in trade.rows}
    rows = {r["material"]: r for r in market.rows}
    nickel = rows["nickel"]  # BACI HS17 750210 (unwrought nickel, processing stage)
    price, _ = market_price(real_store, "nickel", "2022-03")
    assert price is not None
    assert nickel["stock_tonnes"] == before["nickel"]["stock_tonnes"]  # the size does not change
    assert nickel["unit_value_eur_per_t"] == pytest.approx(price.eur_per_t)
    assert nickel["cost_eur"] == pytest.approx(nickel["stock_tonnes"] * price.eur_per_t)
    assert nickel["valuation"].startswith("market price: Nickel (worldbank_cmo) 2022-03")
    assert before["nickel"]["valuation"] == "trade unit value: baci_hs17 2024 import value / tonnes"
    # Copper cathodes are priced too; gallium (Comext, no tonnes) and tungsten ($/mtu) keep trade values.
    assert rows["copper"]["valuation"].startswith("market price: Copper (worldbank_cmo) 2022-03")
    assert rows["gallium"]["valuation"].startswith("trade value: comext_cn8")
    assert rows["gallium"]["cost_eur"] == before["gallium"]["cost_eur"]
    assert rows["tungsten"]["valuation"].startswith("trade unit value")
    notes = " ".join(market.meta["notes"])
    assert "tungsten (NLD): tungsten prices are not per tonne of product" in notes
    assert market.meta["query"]["price_date"] == "2022-03"


@pytest.mark.realdata
def test_cutoff_value_at_market_prices_beside_trade_value(real_store) -> None:
    result = cutoff("cobalt,gallium", "CN,RU", "NL", price_date="2022", store=real_store)
    rows = {r["material"]: r for r in result.rows if r["scope"] == "importer"}
    cobalt = rows["cobalt"]
    price, _ = market_price(real_store, "cobalt", 2022)
    assert price is not None and price.source == "usgs_mcs2025_salient" and price.unit == "$/lb"
    assert cobalt["unit"] == "t" and cobalt["lost"] > 0
    assert cobalt["lost_value_market_eur"] == pytest.approx(cobalt["lost"] * price.eur_per_t)
    assert cobalt["shortfall_value_market_eur"] == pytest.approx(cobalt["shortfall"] * price.eur_per_t)
    assert cobalt["lost_value"] > 0 and cobalt["currency"] == "USD"  # the trade value stays beside it
    assert "Cobalt: Price_LME_dlb (usgs_mcs2025_salient) 2022" in cobalt["market_price"]
    gallium = rows["gallium"]  # Comext: value only
    assert gallium["lost_value_market_eur"] is None and "no tonnes" in gallium["market_price"]


@pytest.mark.realdata
def test_price_date_through_the_cli(real_store_dir) -> None:
    runner = CliRunner()
    args = [
        "stockpile",
        "--country",
        "NL",
        "--materials",
        "nickel",
        "--days",
        "30",
        "--price-date",
        "2022-03",
        "--store",
        str(real_store_dir),
    ]
    out = runner.invoke(app, [*args, "--json"])
    assert out.exit_code == 0, out.output
    (row,) = json.loads(out.output)["rows"]
    assert row["valuation"].startswith("market price: Nickel (worldbank_cmo) 2022-03")
    bad = runner.invoke(app, ["stockpile", "--country", "NL", "--days", "30", "--price-date", "March"])
    assert bad.exit_code != 0 and "price" in bad.output.lower()


@pytest.mark.realdata
def test_scan_states_value_at_risk_at_market_prices(real_store) -> None:
    """The scanner values each material at its market price on ``price_date`` beside the trade unit value:
    tonnes of content × EUR/t, times the share under export controls."""
    from grondstof.scanner.query import scan

    plain = scan("ev_nmc", quantity=1000, store=real_store, date="2025-06-01")
    assert all(r["value_market_eur"] is None and r["market_price"] is None for r in plain.rows)
    result = scan("ev_nmc", quantity=1000, store=real_store, date="2025-06-01", price_date="2022-03")
    rows = {r["material"]: r for r in result.rows}
    price, _ = market_price(real_store, "nickel", "2022-03")
    nickel = rows["nickel"]
    assert nickel["market_price_eur_t"] == pytest.approx(price.eur_per_t)
    assert nickel["value_market_eur"] == pytest.approx(nickel["quantity_t"] * price.eur_per_t)
    assert nickel["market_price"].startswith("market price: Nickel (worldbank_cmo) 2022-03")
    graphite = rows["graphite"]
    if graphite["controlled_share"]:
        assert graphite["value_at_risk_market_eur"] == pytest.approx(
            graphite["value_market_eur"] * graphite["controlled_share"]
        )
    unpriced = [r for r in result.rows if r["market_price_eur_t"] is None]
    assert unpriced and all(r["market_price"] for r in unpriced)  # each says why there is no price
    assert plain.rows[0]["value"] == result.rows[0]["value"]  # the trade unit value stays


@pytest.mark.realdata
def test_scan_price_date_is_checked(real_store) -> None:
    from grondstof.scanner.query import scan

    with pytest.raises(InputError) as err:
        scan("ev_nmc", store=real_store, price_date="March 2022")
    assert err.value.parameter == "price_date"


@pytest.mark.realdata
def test_scan_price_date_on_the_command_line(real_store_dir) -> None:
    out = CliRunner().invoke(
        app,
        ["scan", "ev_lfp", "--price-date", "2024", "--store", str(real_store_dir), "--json"],
    )
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)["rows"]
    assert any(r["value_market_eur"] for r in rows)


@pytest.mark.realdata
def test_a_bad_price_date_is_named_with_what_is_expected(real_store_dir) -> None:
    out = CliRunner().invoke(
        app, ["scan", "ev_nmc", "--price-date", "March 2022", "--store", str(real_store_dir)]
    )
    assert out.exit_code == 2
    assert (
        "--price-date: 'March 2022' is not valid; expected a year (2024) or a month (2022-03)" in out.output
    )


@pytest.mark.realdata
def test_scan_profile_totals_value_at_risk_per_currency_and_at_market_prices(real_store) -> None:
    """The firm profile holds the totals a page shows: value and value at risk per currency (never added
    across currencies), and with ``price_date`` the same at market prices in EUR."""
    from grondstof.scanner.query import scan, sub_result

    result = scan("ev_nmc", quantity=1000, store=real_store, date="2025-06-01", price_date="2022-03")
    firm = {
        (r["indicator"], r["unit"]): r for r in sub_result(result, "profile").rows if r["scope"] == "firm"
    }
    for currency in {r["currency"] for r in result.rows if r["currency"]}:
        rows = [r for r in result.rows if r["currency"] == currency]
        assert firm[("yearly value", currency)]["value"] == pytest.approx(sum(r["value"] for r in rows))
        risky = [r["value_at_risk"] for r in rows if r["value_at_risk"] is not None]
        assert firm[("value at risk", currency)]["value"] == pytest.approx(sum(risky))
    market = [r["value_market_eur"] for r in result.rows if r["value_market_eur"] is not None]
    assert firm[("yearly value at market price", "EUR")]["value"] == pytest.approx(sum(market))
    assert firm[("yearly value at market price", "EUR")]["counted"] == len(market)
    at_risk = [
        r["value_at_risk_market_eur"] for r in result.rows if r["value_at_risk_market_eur"] is not None
    ]
    assert firm[("value at risk at market price", "EUR")]["value"] == pytest.approx(sum(at_risk))
    assert "2022-03" in firm[("yearly value at market price", "EUR")]["method"]
    plain = scan("ev_nmc", quantity=1000, store=real_store, date="2025-06-01")
    assert not any("market" in r["indicator"] for r in sub_result(plain, "profile").rows)
