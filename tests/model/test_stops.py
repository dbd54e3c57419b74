"""Stop orders on the reference model: trigger, fill price, trigger type, liquidation first, cancellation."""

from decimal import Decimal

import pytest

from calculators.model import Exchange
from calculators.model.scenario import run_scenario


def long_position(leverage=10, margin_mode="isolated", wallet=5000):
    ex = Exchange("bybit", wallet=wallet, insurance_fund=1000)
    assert ex.order("BTCUSDT", "long", 1, 20000, leverage, margin_mode).ok
    return ex


def balanced(ex):
    held, owed = ex.books_balance()
    return held == owed


def test_stop_loss_fires_when_the_mark_reaches_the_trigger_and_not_before():
    ex = long_position()
    assert ex.place_stop("BTCUSDT", 19500).ok
    assert ex.mark("BTCUSDT", "19500.1").events == []
    assert ex.snapshot()["open_stops"] == 1
    result = ex.mark("BTCUSDT", 19500)
    assert [e["event"] for e in result.events] == ["stop"]
    assert result.detail == "BTCUSDT mark 19500, 0 liquidation(s), 1 stop(s) filled"
    state = ex.snapshot()
    assert (state["position_count"], state["open_stops"], state["stop_fill"]) == (0, 0, Decimal(19500))
    assert state["realised_pnl"] == -500
    assert state["wallet_balance"] == Decimal(5000) - 11 - 500 - Decimal("10.725")
    assert balanced(ex)


def test_in_a_gap_the_stop_fills_at_the_traded_price_not_at_the_trigger():
    ex = long_position()
    assert ex.place_stop("BTCUSDT", 19500).ok
    ex.mark("BTCUSDT", 19000, fill=18900)
    state = ex.snapshot()
    assert state["stop_fill"] == 18900
    assert state["realised_pnl"] == -1100
    assert balanced(ex)


def test_trigger_by_last_fires_on_a_traded_price_the_mark_does_not_reach():
    ex = long_position()
    assert ex.place_stop("BTCUSDT", 19500, trigger_by="last").ok
    assert ex.open_account("marked").ok and ex.deposit(5000).ok
    assert ex.order("BTCUSDT", "long", 1, 20000, 10, "isolated").ok
    assert ex.place_stop("BTCUSDT", 19500, trigger_by="mark").ok
    ex.mark("BTCUSDT", 19600, fill=19400)
    assert ex.snapshot()["position_count"] == 1  # the mark-triggered stop waits
    assert ex.use_account("main").ok
    assert (ex.snapshot()["position_count"], ex.snapshot()["stop_fill"]) == (0, 19400)


@pytest.mark.parametrize("side, kind, safe, hit", [
    ("long", "take_profit", "20999.9", 21000),
    ("short", "stop_loss", "20499.9", 20500),
    ("short", "take_profit", "19000.1", 19000),
])
def test_direction_of_each_kind(side, kind, safe, hit):
    ex = Exchange("bybit", wallet=5000)
    assert ex.order("BTCUSDT", side, 1, 20000, 10, "cross").ok
    trigger = {"take_profit": 21000 if side == "long" else 19000, "stop_loss": 20500}[kind]
    assert ex.place_stop("BTCUSDT", trigger, kind=kind).ok
    assert ex.mark("BTCUSDT", safe).events == []
    assert [e["event"] for e in ex.mark("BTCUSDT", hit).events] == ["stop"]
    assert ex.snapshot()["position_count"] == 0
    assert balanced(ex)


@pytest.mark.parametrize("side, kind, trigger", [
    ("long", "stop_loss", 20000), ("long", "stop_loss", 20100), ("long", "take_profit", 19900),
    ("short", "stop_loss", 19900), ("short", "take_profit", 20000),
])
def test_a_stop_that_would_fire_at_once_is_refused_and_changes_nothing(side, kind, trigger):
    ex = Exchange("bybit", wallet=5000)
    assert ex.order("BTCUSDT", side, 1, 20000, 10, "cross").ok
    before = ex.snapshot()
    result = ex.place_stop("BTCUSDT", trigger, kind=kind)
    assert result.reason == "trigger_on_wrong_side"
    assert ex.snapshot() == before


def test_placement_refusals():
    ex = Exchange("bybit", wallet=5000, position_mode="hedge")
    assert ex.place_stop("BTCUSDT", 19000).reason == "no_open_position"
    assert ex.order("BTCUSDT", "long", 1, 20000, 10).ok
    assert ex.order("BTCUSDT", "short", 1, 20000, 10).ok
    assert ex.place_stop("BTCUSDT", 19000).reason == "position_side_required"
    assert ex.place_stop("BTCUSDT", 19000, side="long", qty=2).reason == "qty_above_position"
    assert ex.place_stop("BTCUSDT", "19000.05", side="long").reason == "price_off_tick"
    assert ex.place_stop("BTCUSDT", 19000, kind="stop", side="long").reason == "invalid_input"
    assert ex.place_stop("BTCUSDT", 19000, side="long", trigger_by="index").reason == "invalid_input"
    assert ex.place_stop("BTCUSDT", 21000, side="short", qty="0.5").ok
    ex.mark("BTCUSDT", 21000)
    state = ex.snapshot()
    assert state["position_size"] == Decimal("0.5")  # long 1, short 0.5 left
    assert balanced(ex)


def test_liquidation_comes_first_when_one_move_reaches_both():
    ex = long_position(leverage=50)  # liquidation price 19,700
    assert ex.place_stop("BTCUSDT", 19800).ok
    events = ex.mark("BTCUSDT", 19650).events
    assert [e["event"] for e in events] == ["liquidation"]
    state = ex.snapshot()
    assert (state["liquidations"], state["open_stops"], state["stop_fill"]) == (1, 0, None)
    assert balanced(ex)


def test_a_stop_beyond_the_liquidation_price_never_fires():
    ex = long_position(leverage=50)
    assert ex.place_stop("BTCUSDT", 19500).ok
    ex.mark("BTCUSDT", 19700)
    assert ex.snapshot()["open_stops"] == 0
    assert ex.mark("BTCUSDT", 19400).events == []
    assert ex.snapshot()["stop_fill"] is None


def test_stop_is_cancelled_when_its_position_is_closed_or_flipped():
    ex = long_position(margin_mode="cross")
    assert ex.place_stop("BTCUSDT", 19000).ok
    assert ex.close("BTCUSDT", 20100).ok
    assert ex.snapshot()["open_stops"] == 0
    assert ex.order("BTCUSDT", "long", 1, 20100, 10).ok
    assert ex.place_stop("BTCUSDT", 19000).ok
    assert ex.order("BTCUSDT", "short", 2, 20100, 10).ok  # flips to a short
    assert ex.snapshot()["open_stops"] == 0
    assert ex.mark("BTCUSDT", 19000).events == []
    assert ex.snapshot()["position_size"] == -1


def test_another_traders_order_moving_the_price_fires_a_stop():
    ex = long_position()
    assert ex.place_stop("BTCUSDT", 19500).ok
    assert ex.open_account("bob", "bob").ok and ex.deposit(5000).ok
    assert ex.order("BTCUSDT", "short", 1, 19400, 10).ok
    assert ex.use_account("main").ok
    assert (ex.snapshot()["position_count"], ex.snapshot()["stop_fill"]) == (0, 19400)
    assert balanced(ex)


def test_stop_step_in_a_scenario():
    run = run_scenario({"given": {"wallet": 5000}, "steps": [
        {"open": {"symbol": "BTCUSDT", "side": "long", "qty": 1, "price": 20000, "leverage": 10}},
        {"stop": {"symbol": "BTCUSDT", "trigger_price": 19500, "trigger_by": "last", "qty": 0.4}},
        {"expect": {"refused": None, "open_stops": 1}},
        {"mark": {"symbol": "BTCUSDT", "price": 19600, "fill": 19450}},
        {"expect": {"position_size": 0.6, "stop_fill": 19450, "open_stops": 0}},
    ]}, "bybit")
    assert run.ok, run.failure
