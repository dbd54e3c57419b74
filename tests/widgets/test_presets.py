"""The venue preset and the coin-margined variant in the browser: a preset fills the sourced values, a broken
venue limit is named on its field instead of a figure, and an inverse example shows the venue's answer."""

from __future__ import annotations

import pytest

from calculators import catalogue, presets

from .display import EMPTY, enter_and_read, expected_outputs, read_widget
from .strategies import SPECS

pytestmark = pytest.mark.browser


def choose_preset(page, preset_id: str) -> dict:
    page.locator(".mn-calc .mn-calc__preset select").select_option(preset_id)
    return read_widget(page)


def test_preset_fills_the_sourced_values_and_the_results_follow(watched):
    page = watched.open("/calculators/liquidation-price/")
    spec = SPECS["liquidation-price"]
    options = page.locator(".mn-calc .mn-calc__preset option").all_text_contents()
    assert options[1:] == [preset.label for preset in presets.presets()]
    enter_and_read(page, {"entry_price": "20000", "qty": "20", "leverage": "20"})
    seen = choose_preset(page, "binance:BTCUSDT")
    assert seen["inputs"]["formula"] == "binance" and seen["inputs"]["mm_source"] == "tiers"
    assert seen["inputs"]["tier_limits"] == "50000, 250000, 1000000"
    values = {**{item["name"]: item["default"] for item in spec["inputs"]}, "entry_price": 20000, "qty": 20,
              "leverage": 20, **presets.get("binance:BTCUSDT").values}
    assert seen["outputs"] == expected_outputs(spec, catalogue.compute("liquidation-price", {
        k: v for k, v in values.items() if k in {i["name"] for i in spec["inputs"]}}))
    # a value typed after choosing the preset still counts
    seen = enter_and_read(page, {"tier_rates": "0.01, 0.02, 0.03"})
    assert seen["outputs"]["mmr_used"] == "0.0300"


@pytest.mark.parametrize("calc_id, texts, field, message", [
    ("liquidation-price", {"leverage": "125"}, "leverage",
     ("Leverage must be at most 100x for BTCUSDT on Bybit, standard account (USDT perpetual) (source: Maintenance "
     "Margin (USDT Contract), Bybit; Risk Limit (Perpetual and Futures Contracts), Bybit).")),
    ("pnl", {"entry_price": "20000", "qty": "110", "leverage": "100"}, "qty",
     ("Quantity puts the position value above 2,000,000 USDT, the risk limit for 100x leverage on BTCUSDT on Bybit, "
     "standard account (USDT perpetual) (source: Maintenance Margin (USDT Contract), Bybit; Risk Limit (Perpetual "
     "and Futures Contracts), Bybit).")),
    ("max-position", {"balance": "100000", "price": "20000", "leverage": "100"}, "balance",
     ("Available balance puts the position value above 2,000,000 USDT, the risk limit for 100x leverage on BTCUSDT "
     "on Bybit, standard account (USDT perpetual) (source: Maintenance Margin (USDT Contract), Bybit; Risk Limit "
     "(Perpetual and Futures Contracts), Bybit).")),
])
def test_a_venue_limit_is_named_on_its_field_and_no_figure_is_shown(calc_id, texts, field, message, watched):
    page = watched.open(f"/calculators/{calc_id}/")
    choose_preset(page, "bybit:BTCUSDT")
    seen = enter_and_read(page, texts)
    assert seen["errors"][field] == message
    assert seen["invalid"] == [field]
    assert set(seen["outputs"].values()) == {EMPTY}
    # back within the limits, the figures return
    seen = enter_and_read(page, {"leverage": "10", **({"qty": "1"} if "qty" in texts else {}),
                                 **({"balance": "1000"} if "balance" in texts else {})})
    assert not any(seen["errors"].values()) and EMPTY not in seen["outputs"].values()


def test_inverse_variant_shows_krakens_published_liquidation_and_bankruptcy_price(watched):
    page = watched.open("/calculators/inverse-liquidation-price/")
    seen = enter_and_read(page, {"side": "long", "entry_price": "8000", "contracts": "1000", "leverage": "50",
                                 "mmr": "0.01", "mm_deduction": "0", "extra_margin": "0.0075", "formula": "binance"})
    assert seen["outputs"]["liquidation_price"] == "7,481.48 USD"
    assert seen["outputs"]["bankruptcy_price"] == "7,407.41 USD"
    assert page.locator(".mn-calc .mn-calc__preset").count() == 0  # the USDT profiles offer no inverse preset
