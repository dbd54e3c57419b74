"""Unit tests for each operation and refusal, and the published worked examples through the model."""

from decimal import Decimal as D

import pytest

from calculators.formulas.margin import (
    bankruptcy_price,
    liquidation_price_binance,
    liquidation_price_bybit,
    open_fee,
)
from calculators.model import Exchange


def balanced(ex):
    held, owed = ex.books_balance()
    return held == owed


# ----- published worked examples (exchange-mechanics.md §3) --------------------------------------------


def test_example_1_long_50x_liquidates_at_19700_not_19700_1_and_settles_at_19600():
    ex = Exchange("bybit", wallet=1000)
    assert ex.order("BTCUSDT", "long", 1, 20000, 50, "isolated").ok
    state = ex.snapshot()
    assert state["liquidation_price"] == 19700 == liquidation_price_bybit("long", D(20000), D(1), D(50),
                                                                          D("0.005"), D(0), D(0))
    assert state["bankruptcy_price"] == 19600 == bankruptcy_price("long", D(20000), D(50))
    # Position margin (Bybit "Position Margin"): initial margin 400 + fee to close 19,600 x 0.055% = 10.78.
    assert state["position_margin"] == D("410.78") and state["maintenance_margin"] == 100
    # The wallet balance keeps the margin: only the fee to open (11) has left it.
    assert state["wallet_balance"] == 989 and state["available_balance"] == D("578.22")
    assert ex.mark("BTCUSDT", "19700.1").events == []
    assert ex.snapshot()["position_count"] == 1
    result = ex.mark("BTCUSDT", 19700)
    [event] = result.events
    assert event["settled_at"] == 19600 and event["margin_lost"] == D("410.78")
    # Filled at 19,700, settled at 19,600: the 100 between them goes to the insurance fund; the reserved
    # 10.78 is the closing fee.
    assert event["to_fund"] == 100 and ex.insurance_fund == 100 and ex.fees_collected == D("21.78")
    assert ex.snapshot()["wallet_balance"] == D("578.22") and ex.snapshot()["liquidations"] == 1
    assert ex.exercised == {"fee_to_close_in_position_margin", "fund_takes_surplus"}
    assert balanced(ex)


def test_example_2_short_with_3000_added_margin_liquidates_at_23300():
    # Derived (withheld on the page): 20,000 + (400 - 100)/1 + 3,000/1 = 23,300.
    ex = Exchange("bybit", wallet=5000)
    ex.order("BTCUSDT", "short", 1, 20000, 50, "isolated")
    assert ex.add_margin("BTCUSDT", 3000).ok
    assert ex.snapshot()["liquidation_price"] == 23300
    assert ex.mark("BTCUSDT", "23299.9").events == []
    assert ex.mark("BTCUSDT", 23300).events[0]["settled_at"] == 23400


def test_example_3_funding_taken_from_position_margin_moves_the_lp_to_19900():
    # Derived: extra margin -200 -> 19,700 + 200 = 19,900. With nothing available in the wallet the 200
    # of funding (1 x 20,000 x 1%) comes out of the position margin (Bybit funding page, §1.9).
    ex = Exchange("bybit", wallet=D("421.78"))  # order cost: 400 + 11 + 10.78, all of it held
    assert ex.order("BTCUSDT", "long", 1, 20000, 50, "isolated").ok
    assert ex.account.wallet == 0 and ex.snapshot()["available_balance"] == 0
    assert ex.funding("BTCUSDT", "0.01").ok
    assert ex.account.wallet == 0 and ex.snapshot()["position_margin"] == D("210.78")
    assert "funding_from_position_margin" in ex.exercised
    assert ex.snapshot()["liquidation_price"] == 19900
    assert ex.counterparty_wallet == 200 and balanced(ex)


def test_example_4_and_5_older_bybit_form():
    ex = Exchange("bybit", wallet=1000)
    ex.order("BTCUSDT", "long", 1, 10000, 50, "isolated")
    assert ex.snapshot()["liquidation_price"] == 9850
    assert ex.snapshot()["bankruptcy_price"] == 9800  # example 6
    ex2 = Exchange("bybit", wallet=1000)
    ex2.order("BTCUSDT", "short", 1, 8000, 40, "isolated")
    assert ex2.snapshot()["liquidation_price"] == 8160  # derived: 8,000 + (200 - 40)


def test_example_7_order_cost_5052_25_is_exactly_enough():
    ex = Exchange("bybit", wallet=D("5052.25"))
    assert ex.order("BTCUSDT", "long", 1, 50000, 10).ok
    assert ex.fees_collected == D("27.5")
    short = Exchange("bybit", wallet=D("5052.24"))
    result = short.order("BTCUSDT", "long", 1, 50000, 10)
    assert result.reason == "insufficient_available_balance" and "5052.25" in result.detail


def test_example_14_and_15_average_entry_and_unrealised_pnl():
    ex = Exchange("bybit", wallet=10000)
    ex.order("BTCUSDT", "long", "0.5", 5000, 10)
    ex.order("BTCUSDT", "long", "0.3", 6000, 10)
    assert ex.account.positions[("BTCUSDT", "long")].entry_price == 5375
    ex2 = Exchange("bybit", wallet=10000)
    ex2.order("BTCUSDT", "long", "0.2", 7000, 10)
    ex2.mark("BTCUSDT", 7500)
    assert ex2.snapshot()["unrealised_pnl"] == 100


def test_binance_formula_drives_never_negative_liquidations():
    ex = Exchange("binance", wallet=1000)
    ex.order("BTCUSDT", "long", 1, 20000, 50, "isolated")
    lp = liquidation_price_binance("long", D(20000), D(1), D(50), D("0.004"), D(0), D(0))
    assert ex.snapshot()["liquidation_price"] == lp
    above = (lp * 10).to_integral_value(rounding="ROUND_CEILING") / 10
    assert ex.mark("BTCUSDT", above).events == []
    assert ex.mark("BTCUSDT", above - D("0.1")).events[0]["event"] == "liquidation"


# ----- wallet operations --------------------------------------------------------------------------------


def test_deposit_and_withdraw_and_their_refusals():
    ex = Exchange("bybit", wallet=100)
    assert ex.withdraw(40).ok and ex.account.wallet == 60
    assert ex.withdraw(61).reason == "insufficient_available_balance"
    assert ex.withdraw(0).reason == "invalid_input"
    assert ex.deposit(-5).reason == "invalid_input"
    assert ex.deposit("abc").reason == "invalid_input"
    assert ex.deposit(True).reason == "invalid_input"
    assert ex.deposit(float("inf")).reason == "invalid_input"
    assert ex.deposit([1]).reason == "invalid_input"
    assert ex.deposit(D("0.5")).ok and ex.account.wallet == D("60.5")
    assert ex.deposits == D("100.5") and ex.withdrawals == 40 and balanced(ex)


def test_withdrawal_is_limited_by_cross_margin_in_use():
    ex = Exchange("bybit", wallet=1000)
    ex.order("BTCUSDT", "long", 1, 20000, 50)
    assert ex.withdrawable() == 1000 - 11 - 400
    assert ex.withdraw(590).reason == "insufficient_available_balance"
    assert ex.withdraw(589).ok


def test_accounts_open_and_switch():
    ex = Exchange("bybit", wallet=10)
    assert ex.open_account("second").ok and ex.current == "second" and ex.account.user == "alice"
    assert ex.open_account("second").reason == "account_exists"
    assert ex.open_account("b", user="bob").ok and ex.account.user == "bob"
    assert ex.use_account("nobody").reason == "unknown_account"
    assert ex.use_account("main").ok and ex.account.wallet == 10
    assert [entry["operation"] for entry in ex.log] == [
        "deposit", "open_account", "open_account", "open_account", "use_account", "use_account"]
    assert ex.log[-1]["state"]["account"] == "main"


def test_constructor_rejects_bad_given():
    with pytest.raises(ValueError, match="insurance_fund must be at least 0"):
        Exchange("bybit", insurance_fund=-1)
    with pytest.raises(ValueError, match="position_mode must be one of"):
        Exchange("bybit", position_mode="both")
    with pytest.raises(ValueError, match="wallet"):
        Exchange("bybit", wallet=-5)
    with pytest.raises(ValueError, match="unknown venue"):
        Exchange("okx")


# ----- orders -------------------------------------------------------------------------------------------


def test_order_refusals():
    ex = Exchange("bybit", wallet=1000)
    assert ex.order("DOGEUSDT", "long", 1, 1, 5).reason == "unknown_symbol"
    assert ex.order("BTCUSDT", "long", 1, "20000.05", 5).reason == "price_off_tick"
    assert ex.order("BTCUSDT", "up", 1, 20000, 5).reason == "invalid_input"
    assert ex.order("BTCUSDT", "long", 1, 20000, 5, "portfolio").reason == "invalid_input"
    assert ex.order("BTCUSDT", "long", 0, 20000, 5).reason == "invalid_input"
    assert ex.order("BTCUSDT", "long", 1, 0, 5).reason == "invalid_input"
    assert ex.order("BTCUSDT", "long", 1, 20000, 101).reason == "leverage_above_maximum"
    assert ex.order("BTCUSDT", "long", 1, 20000, "0.5").reason == "invalid_input"
    assert ex.order("BTCUSDT", "long", 1, 20000, 10).reason == "insufficient_available_balance"
    assert ex.account.positions == {} and ex.account.wallet == 1000 and balanced(ex)


def test_risk_limit_tiers_refuse_large_positions():
    ex = Exchange("bybit", wallet=10_000_000)
    result = ex.order("BTCUSDT", "long", 131, 20000, 10)  # 2,620,000 USDT: above Bybit's tier 2
    assert result.reason == "position_above_risk_limit" and ex.exercised == {"risk_limit_tiers"}
    # 120 BTC at 20,000 = 2,400,000 USDT: tier 2, which allows 90x at most.
    assert ex.order("BTCUSDT", "long", 120, 20000, 100).reason == "leverage_above_maximum"
    assert ex.order("BTCUSDT", "long", 120, 20000, 90).ok
    assert ex.snapshot()["maintenance_margin"] == 2400000 * D("0.0056") - 1200


def test_one_way_mode_nets_reduces_and_flips():
    ex = Exchange("bybit", wallet=10000)
    ex.order("BTCUSDT", "long", 1, 20000, 10)
    result = ex.order("BTCUSDT", "short", "0.4", 21000, 10)
    assert result.ok and result.data["realised_pnl"] == 400
    assert ex.account.positions[("BTCUSDT", "long")].qty == D("0.6")
    result = ex.order("BTCUSDT", "short", 1, 21000, 10)
    assert result.ok and list(ex.account.positions) == [("BTCUSDT", "short")]
    assert ex.account.positions[("BTCUSDT", "short")].qty == D("0.4")
    fees = open_fee(D(20000), D(1), D("0.00055")) + open_fee(D(21000), D("1.4"), D("0.00055"))
    assert ex.fees_collected == fees and balanced(ex)


def test_flip_refused_as_a_whole_when_the_new_side_is_refused():
    ex = Exchange("bybit", wallet=1000)
    ex.order("BTCUSDT", "long", "0.1", 20000, 10)
    before = ex.account.wallet
    result = ex.order("BTCUSDT", "short", 5, 20000, 10)
    assert result.reason == "insufficient_available_balance"
    assert ex.account.positions[("BTCUSDT", "long")].qty == D("0.1") and ex.account.wallet == before


def test_hedge_mode_holds_both_legs_and_close_needs_a_side():
    ex = Exchange("bybit", wallet=10000, position_mode="hedge")
    ex.order("BTCUSDT", "long", 1, 20000, 10)
    ex.order("BTCUSDT", "short", 1, 20000, 10)
    assert ex.snapshot()["position_count"] == 2 and ex.snapshot()["position_size"] == 0
    assert ex.close("BTCUSDT", 20000).reason == "position_side_required"
    assert ex.close("BTCUSDT", 20000, side="long", qty=2).reason == "qty_above_position"
    assert ex.close("BTCUSDT", 20000, side="long", qty="0.5").ok
    assert ex.close("BTCUSDT", 20000, side="long").ok
    assert ex.close("BTCUSDT", 20000, side="long").reason == "no_open_position"
    assert ex.close("ETHUSDT", 1000).reason == "unknown_symbol"
    assert ex.close("XRPUSDT", 1).reason == "unknown_symbol"
    assert ex.set_position_mode("one_way").reason == "position_mode_change_with_open_positions"
    assert ex.close("BTCUSDT", 20000).ok
    assert ex.set_position_mode("one_way").ok and ex.set_position_mode("one_way").ok
    assert ex.set_position_mode("dual").reason == "invalid_input"
    assert balanced(ex)


def test_margin_mode_of_a_leg_is_fixed_while_open():
    ex = Exchange("bybit", wallet=10000)
    ex.order("BTCUSDT", "long", 1, 20000, 10, "isolated")
    assert ex.order("BTCUSDT", "long", 1, 20000, 10, "cross").reason == "margin_mode_mismatch"


def test_an_order_moves_the_mark_and_can_liquidate_first():
    ex = Exchange("bybit", wallet=10000)
    ex.order("BTCUSDT", "long", 1, 20000, 50, "isolated")
    result = ex.close("BTCUSDT", 19000)
    assert result.reason == "no_open_position" and result.events[0]["event"] == "liquidation"
    assert ex.marks["BTCUSDT"] == 19000


# ----- leverage and isolated margin ---------------------------------------------------------------------


def test_set_leverage_remargins_isolated_positions():
    ex = Exchange("bybit", wallet=1000)
    ex.order("BTCUSDT", "long", 1, 20000, 50, "isolated")
    assert ex.set_leverage("BTCUSDT", 25).ok
    # Position margin 800 + fee to close at 19,200 (10.56); it was 400 + 10.78.
    assert ex.account.positions[("BTCUSDT", "long")].margin == D("810.56")
    assert ex.wallet_balance() == 989 and ex.available_balance() == D("178.44")
    assert ex.set_leverage("BTCUSDT", 10).reason == "insufficient_available_balance"
    assert ex.set_leverage("BTCUSDT", 150).reason == "leverage_above_maximum"
    assert ex.set_leverage("BTCUSDT", 0).reason == "invalid_input"
    assert ex.set_leverage("BTCUSDT", 100).ok and ex.available_balance() == 989 - 200 - D("10.89")
    assert balanced(ex)


def test_set_leverage_on_cross_needs_available_balance():
    ex = Exchange("bybit", wallet=1000)
    ex.order("BTCUSDT", "long", 1, 20000, 50)
    assert ex.set_leverage("BTCUSDT", 10).reason == "insufficient_available_balance"
    assert ex.set_leverage("BTCUSDT", 40).ok and ex.available_balance() == 1000 - 11 - 500
    assert ex.set_leverage("ETHUSDT", 5).reason == "unknown_symbol"
    assert ex.set_leverage("BTCUSDT", 5).reason == "insufficient_available_balance"


def test_add_and_remove_margin():
    ex = Exchange("bybit", wallet=1000)
    assert ex.add_margin("BTCUSDT", 10).reason == "no_open_position"
    ex.order("BTCUSDT", "long", 1, 20000, 50)
    assert ex.add_margin("BTCUSDT", 10).reason == "position_not_isolated"
    ex.close("BTCUSDT", 20000)
    ex.order("BTCUSDT", "long", 1, 20000, 50, "isolated")
    assert ex.add_margin("BTCUSDT", 10000).reason == "insufficient_available_balance"
    assert ex.add_margin("BTCUSDT", 100).ok
    assert ex.snapshot()["liquidation_price"] == 19600
    assert ex.remove_margin("BTCUSDT", "100.01").reason == "insufficient_removable_margin"
    assert ex.remove_margin("BTCUSDT", 100).ok and ex.snapshot()["liquidation_price"] == 19700
    assert ex.remove_margin("BTCUSDT", -1).reason == "invalid_input"
    assert balanced(ex)


def test_hedge_mode_margin_needs_a_side():
    ex = Exchange("bybit", wallet=10000, position_mode="hedge")
    ex.order("BTCUSDT", "long", 1, 20000, 10, "isolated")
    ex.order("BTCUSDT", "short", 1, 20000, 10, "isolated")
    assert ex.add_margin("BTCUSDT", 5).reason == "position_side_required"
    assert ex.add_margin("BTCUSDT", 5, side="short").ok


# ----- funding and the clock ----------------------------------------------------------------------------


def test_funding_longs_pay_shorts_through_the_counterparty():
    ex = Exchange("bybit", wallet=10000)
    assert ex.funding("BTCUSDT", "0.0001").reason == "no_mark_price"
    ex.order("BTCUSDT", "long", 1, 20000, 10)
    ex.open_account("b", user="bob")
    ex.deposit(10000)
    ex.order("BTCUSDT", "short", "0.5", 20000, 10)
    assert ex.funding("BTCUSDT", "0.0001").ok
    assert ex.accounts["main"].wallet == 10000 - 11 - 2
    assert ex.accounts["b"].wallet == 10000 - D("5.5") + 1
    assert ex.counterparty_wallet == 1 and balanced(ex)
    assert ex.funding("BTCUSDT", 2).reason == "invalid_input"


def test_never_negative_caps_cross_funding_at_the_wallet():
    ex = Exchange("kraken-futures", wallet=D("420"))
    assert ex.order("BTCUSDT", "long", 1, 20000, 50).ok
    assert ex.account.wallet == 410
    result = ex.funding("BTCUSDT", "0.05")  # 1,000 due, 410 can be paid; the position is then liquidated
    assert "paid 410" in result.detail and result.events[0]["event"] == "liquidation"
    assert ex.account.wallet == 0 and ex.counterparty_wallet >= 410 and balanced(ex)
    assert "never_negative" in ex.exercised


def test_bybit_funding_beyond_the_position_margin_takes_it_below_zero_and_the_fund_pays():
    # Bybit's funding page: a position margin "may turn negative". Nothing available, 600 due on a 410.78
    # margin: the margin ends at -189.22 and the position, no profit holding it, is liquidated at once.
    ex = Exchange("bybit", wallet=D("421.78"), insurance_fund=1000)
    assert ex.order("BTCUSDT", "long", 1, 20000, 50, "isolated").ok
    result = ex.funding("BTCUSDT", "0.03")
    assert "paid 600" in result.detail and ex.account.wallet == 0
    [event] = result.events
    assert event["event"] == "liquidation" and event["margin_lost"] == D("-189.22") and event["from_fund"] == 200
    assert {"funding_from_position_margin", "isolated_margin_below_zero"} <= ex.exercised and balanced(ex)


def test_binance_settles_isolated_funding_in_the_position_margin_whatever_the_available_balance():
    # Binance's account-update stream books an isolated position's funding to that position (its isolated
    # wallet), the WB of its liquidation price: the available balance stays as it was, the LP moves.
    ex = Exchange("binance", wallet=5000)
    assert ex.order("BTCUSDT", "short", 1, 20000, 25, "isolated").ok
    wallet, lp = ex.account.wallet, ex.snapshot()["liquidation_price"]
    assert ex.funding("BTCUSDT", "0.001").ok  # shorts receive 20
    assert ex.account.wallet == wallet and ex.snapshot()["position_margin"] == 820
    assert ex.snapshot()["liquidation_price"] > lp
    assert ex.funding("BTCUSDT", "-0.002").ok  # shorts pay 40, with 4,190 available
    assert ex.account.wallet == wallet and ex.snapshot()["position_margin"] == 780
    assert ex.snapshot()["liquidation_price"] < lp
    assert ex.exercised == {"funding_in_isolated_margin"} and balanced(ex)


def test_binance_funding_beyond_the_isolated_margin_stops_it_at_zero_and_liquidates():
    # Not published: the model takes at most what the isolated margin holds (isolated_margin_below_zero is
    # false), so 1,000 due on an 800 margin pays 800, the wallet is untouched and the position goes.
    ex = Exchange("binance", wallet=5000)
    assert ex.order("BTCUSDT", "long", 1, 20000, 25, "isolated").ok
    wallet = ex.account.wallet
    result = ex.funding("BTCUSDT", "0.05")
    assert "paid 800" in result.detail and ex.counterparty_wallet == 800
    assert [e["event"] for e in result.events] == ["liquidation"] and ex.snapshot()["position_count"] == 0
    assert ex.account.wallet == wallet and "isolated_margin_below_zero" not in ex.exercised and balanced(ex)


@pytest.mark.parametrize("venue", ["bybit", "binance"])
def test_a_deposit_after_cross_funding_below_zero_repays_no_debt_where_none_is_sourced(venue):
    # 1,200 of funding on a cross long 4,000 in profit takes the 990 wallet below zero; the profit keeps the
    # position open. Neither venue sources a debt, so a deposit adds to the wallet and repays nothing.
    ex = Exchange(venue, wallet=1000)
    assert ex.order("BTCUSDT", "long", 1, 20000, 50, "cross").ok
    assert ex.mark("BTCUSDT", 24000).ok and ex.funding("BTCUSDT", "0.05").ok
    wallet = ex.account.wallet
    assert wallet < 0 and ex.snapshot()["position_count"] == 1
    deposit = ex.deposit(1)
    assert deposit.ok and deposit.data["repaid"] == 0 and ex.account.wallet == wallet + 1
    assert "deposit_repays_debt" not in ex.exercised and balanced(ex)


def test_advance_hours_validation_and_clock():
    ex = Exchange("bybit", wallet=1)
    assert ex.advance_hours(0).reason == "invalid_input"
    assert ex.advance_hours(1.5).reason == "invalid_input"
    assert ex.advance_hours(True).reason == "invalid_input"
    assert ex.advance_hours(5).ok and ex.hours == 5 and ex.account.wallet == 1


def test_a_refused_operation_changes_nothing_and_is_logged():
    ex = Exchange("bybit", wallet=100)
    before = ex.snapshot()
    result = ex.withdraw(1000)
    assert not result.ok and result.label == "refused: insufficient_available_balance"
    assert ex.snapshot() == before
    assert ex.log[-1]["result"] is result and ex.log[-1]["state"] == before


def test_order_at_risk_sizes_from_current_equity_and_rounds_down():
    ex = Exchange("bybit", wallet=10000)
    # 10,000 x 1% / 200 = 0.5 exactly: an ordinary 0.5 BTC order with its taker fee.
    assert ex.order_at_risk("BTCUSDT", "long", 20000, 19800, 1, 10).ok
    assert ex.snapshot()["position_size"] == D("0.5")
    assert ex.log[-1]["operation"] == "order" and ex.log[-1]["args"]["qty"] == D("0.5")
    assert ex.close("BTCUSDT", 19800).ok
    equity = ex.snapshot()["equity"]
    assert equity == D("9889.055")
    # 9,889.055 x 1% / 200 = 0.49445275 -> 0.494 (down to the 0.001 step, never up).
    assert ex.risk_qty("long", 20000, 19800, 1, symbol="BTCUSDT") == D("0.494")
    assert ex.order_at_risk("BTCUSDT", "short", 20000, 20200, 1, 10).ok
    assert ex.snapshot()["position_size"] == D("-0.494")
    assert balanced(ex)


def test_order_at_risk_refuses_a_plan_that_cannot_be_sized():
    ex = Exchange("bybit", wallet=1000)
    wrong_side = ex.order_at_risk("BTCUSDT", "long", 20000, 20100, 1)
    assert wrong_side.reason == "invalid_input" and "losing side" in wrong_side.detail
    assert ex.order_at_risk("BTCUSDT", "short", 20000, 19900, 1).reason == "invalid_input"
    too_small = ex.order_at_risk("BTCUSDT", "long", 20000, 1000, 0.0001)
    assert too_small.reason == "invalid_input" and "less than one quantity step" in too_small.detail
    assert ex.order_at_risk("ETHUSDT", "long", 2000, 1900, 1).reason == "unknown_symbol"
    assert ex.snapshot()["position_count"] == 0 and ex.snapshot()["wallet_balance"] == 1000
    # A sized order still meets the balance check of any order: 100% risk on a 0.1% stop is too big.
    assert ex.order_at_risk("BTCUSDT", "long", 20000, 19980, 100, 10).reason == "insufficient_available_balance"
    assert balanced(ex)
