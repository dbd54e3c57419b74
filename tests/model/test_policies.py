"""The three negative-balance policies, and the seed article's story end to end on every venue."""

from decimal import Decimal as D

import pytest

from calculators.model import Exchange


def gap_story(venue, fund=0):
    """Cross long 1 BTC @ 20,000 at 50x with 1,000 in the wallet, then the price gaps to 18,500."""
    ex = Exchange(venue, wallet=1000, insurance_fund=fund)
    assert ex.order("BTCUSDT", "long", 1, 20000, 50).ok
    result = ex.mark("BTCUSDT", 18500, fill=18500)
    assert result.events[0]["event"] == "liquidation"
    return ex, result


# ----- the seed story on each venue ------------------------------------------------------------------


def test_seed_story_bybit_classic():
    ex, result = gap_story("seed-article", fund=100)
    # Loss at the fill: 1,500. Margin (the cross wallet after the 11 fee): 989. Deficit 511; the fund's
    # 100 covers part of it, the rest (411) is left as a negative balance.
    event = result.events[0]
    assert (event["margin_lost"], event["from_fund"], event["uncovered"]) == (989, 100, 411)
    assert ex.insurance_fund == 0 and ex.account.wallet == -411
    assert ex.withdraw(1).reason == "withdrawal_blocked_negative_balance"
    assert ex.order("ETHUSDT", "long", D("0.01"), 1000, 10).reason == "open_blocked_negative_balance"
    assert ex.advance_hours(24).ok and ex.account.wallet == -411  # no interest
    deposit = ex.deposit(500)
    assert deposit.ok and deposit.data["repaid"] == 411 and ex.account.wallet == 89
    assert ex.withdraw(89).ok and ex.account.wallet == 0
    held, owed = ex.books_balance()
    assert held == owed == 1000 + 100 + 500 - 89


def test_seed_story_bybit_uta_debt_bears_hourly_interest():
    ex, _ = gap_story("bybit-uta")
    assert ex.account.wallet == -511
    assert ex.withdraw(1).reason == "withdrawal_blocked_liability"
    assert ex.order("ETHUSDT", "long", D("0.01"), 1000, 10).reason == "insufficient_available_balance"
    assert ex.advance_hours(1).ok
    assert ex.account.wallet == D("-511.002555")  # 511 x 0.0005% an hour
    ex.advance_hours(2)
    expected = D(-511)
    for _ in range(3):
        expected -= (-expected * D("0.000005")).quantize(D("0.00000001"))
    assert ex.account.wallet == expected and ex.snapshot()["interest_paid"] == -511 - expected
    ex.deposit(600)
    assert ex.account.wallet > 0 and ex.withdraw(1).ok
    held, owed = ex.books_balance()
    assert held == owed


def test_seed_story_never_negative_auto_deleverages_the_counterparty():
    ex, result = gap_story("binance")
    event = result.events[0]
    assert event["uncovered"] == 510 and ex.account.wallet == 0
    assert ex.adl_covered == 510
    assert ex.counterparty_wallet == 1500 - 510  # the opposing side's profit is cut by the deficit
    assert ex.withdraw(1).reason == "insufficient_available_balance"
    assert ex.deposit(600).data["repaid"] == 0
    assert ex.withdraw(1).ok


# ----- bybit-classic details -----------------------------------------------------------------------


def test_classic_restriction_follows_the_user_to_a_second_account():
    ex, _ = gap_story("seed-article")
    ex.open_account("second")
    assert ex.deposit(1000).ok
    assert ex.withdraw(1).reason == "withdrawal_blocked_negative_balance"
    assert ex.order("BTCUSDT", "long", D("0.01"), 18500, 10).reason == "open_blocked_negative_balance"
    assert ex.snapshot()["user_debt"] == 511 and ex.snapshot()["debt"] == 0
    ex.open_account("b", user="bob")
    ex.deposit(100)
    assert ex.withdraw(1).ok  # another user is not affected
    ex.use_account("main")
    ex.deposit(511)
    ex.use_account("second")
    assert ex.withdraw(1).ok


def test_classic_negative_balance_still_allows_closing_and_reducing():
    ex = Exchange("seed-article", wallet=3000)
    assert ex.order("ETHUSDT", "long", 1, 1000, 10, "isolated").ok
    assert ex.order("BTCUSDT", "long", 1, 20000, 50).ok
    ex.mark("BTCUSDT", 17000)
    assert ex.account.wallet < 0
    assert ex.order("ETHUSDT", "short", "0.5", 1000, 10).ok  # reduces the long: allowed
    assert ex.order("ETHUSDT", "short", 1, 1000, 10).reason == "open_blocked_negative_balance"
    assert ex.close("ETHUSDT", 1000).ok


def test_classic_a_cross_deficit_keeps_old_debt_separate():
    ex = Exchange("seed-article", wallet=3000, insurance_fund=10000)
    ex.order("ETHUSDT", "long", 1, 1000, 10)
    ex.order("BTCUSDT", "long", 1, 20000, 50, "isolated")
    ex.mark("BTCUSDT", 15000, fill=15000)  # isolated: deficit 4,600 paid by the fund
    assert ex.insurance_fund == 5400 and ex.account.wallet == 3000 - 11 - D("0.55") - 400


# ----- isolated vs cross -------------------------------------------------------------------------------


@pytest.mark.parametrize("venue", ["seed-article", "bybit-uta", "binance"])
def test_isolated_loss_is_limited_to_the_margin_while_the_fund_holds(venue):
    ex = Exchange(venue, wallet=5000, insurance_fund=10000)
    ex.order("BTCUSDT", "long", 1, 20000, 50, "isolated")
    wallet = ex.account.wallet
    result = ex.mark("BTCUSDT", 15000, fill=15000)
    assert result.events[0]["from_fund"] == 4600 and ex.account.wallet == wallet  # lost only the 400


def test_cross_margin_puts_the_whole_wallet_at_risk():
    ex = Exchange("seed-article", wallet=5000, insurance_fund=10000)
    ex.order("BTCUSDT", "long", 1, 20000, 50)
    ex.mark("BTCUSDT", 15000, fill=15000)
    assert ex.account.wallet == 0 and ex.insurance_fund == 10000 - (5000 - 4989)  # loss 5,000 > 4,989


def test_a_better_fill_leaves_the_surplus_in_the_fund_for_cross():
    ex = Exchange("seed-article", wallet=1000)
    ex.order("BTCUSDT", "long", 1, 20000, 50)
    assert ex.mark("BTCUSDT", "19106.6").events == []  # 989 - 893.4 > 19,106.6 x 0.5%
    result = ex.mark("BTCUSDT", "19106.5", fill=19150)
    assert result.events[0]["to_fund"] == 989 - 850 and ex.account.wallet == 0


# ----- bybit-uta details -------------------------------------------------------------------------------


def test_uta_liability_blocks_withdrawal_only_in_that_account():
    ex, _ = gap_story("bybit-uta")
    ex.open_account("second")
    ex.deposit(50)
    assert ex.withdraw(10).ok


def test_uta_interest_free_amount_applies_to_unrealised_borrowing_only():
    ex = Exchange("bybit-uta", wallet=3000)
    assert ex.order("BTCUSDT", "long", 1, 20000, 10).ok
    # Put the account into "equity below zero" without running the engine, to test the rule alone.
    ex.marks["BTCUSDT"] = D(18500)
    ex.account.wallet = D(1200)
    assert ex.interest_base(ex.account) == 100  # borrowed 300 from unrealised loss, 200 interest-free
    ex.account.wallet = D(-50)
    assert ex.interest_base(ex.account) == 50 + (1500 - 200)
    assert Exchange("seed-article").interest_base(ex.account) == 0


# ----- never-negative details --------------------------------------------------------------------------


def test_never_negative_adl_closes_the_best_ranked_opposing_trader_at_the_bankruptcy_price():
    ex = Exchange("binance", wallet=1000, user="alice")
    ex.open_account("b1", user="bob")
    ex.deposit(10000)
    assert ex.order("BTCUSDT", "short", "0.5", 20000, 5).ok
    ex.open_account("c1", user="carol")
    ex.deposit(10000)
    assert ex.order("BTCUSDT", "short", "0.5", 20000, 20, "isolated").ok
    ex.use_account("main")
    assert ex.order("BTCUSDT", "long", 1, 20000, 50).ok
    result = ex.mark("BTCUSDT", 18500, fill=18500)
    adl = [e for e in result.events if e["event"] == "adl"]
    # Carol's higher effective leverage ranks her first; her 0.5 covers half of the uncovered quantity.
    assert [e["account"] for e in adl] == ["c1", "b1"]
    bankrupt = D(18500) + D(510)
    assert all(e["price"] == bankrupt for e in adl)
    assert ex.adl_count == 2 and ex.account.wallet == 0
    assert ("BTCUSDT", "short") not in ex.accounts["c1"].positions
    assert ("BTCUSDT", "short") not in ex.accounts["b1"].positions
    held, owed = ex.books_balance()
    assert held == owed


def test_never_negative_fund_first_then_adl():
    ex = Exchange("binance", wallet=1000, insurance_fund=200)
    ex.order("BTCUSDT", "long", 1, 20000, 50)
    result = ex.mark("BTCUSDT", 18500, fill=18500)
    assert result.events[0]["from_fund"] == 200 and ex.adl_covered == 310 and ex.insurance_fund == 0
