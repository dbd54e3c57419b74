"""The venues' policies end to end: where a deficit goes (fund, ADL against real traders, the wallet), the
article's blocks, the UTA's collateral-backed borrowing, partial liquidation, and what each exercises."""

from decimal import Decimal as D

import pytest

from calculators.model import Exchange


def gap_story(venue, fund=0, traders=()):
    """Cross long 1 BTC @ 20,000 at 50x with 1,000 in the wallet, then the price gaps to 18,500."""
    ex = Exchange(venue, wallet=1000, insurance_fund=fund)
    for name, wallet, orders in traders:
        ex.add_trader(name, wallet, orders)
    assert ex.order("BTCUSDT", "long", 1, 20000, 50).ok
    result = ex.mark("BTCUSDT", 18500, fill=18500)
    assert result.events[0]["event"] == "liquidation"
    return ex, result


def short(qty, leverage, margin_mode="cross"):
    """A short order at 20,000 for ``add_trader``."""
    return {"symbol": "BTCUSDT", "side": "short", "qty": qty, "price": 20000, "leverage": leverage,
            "margin_mode": margin_mode}


def balanced(ex):
    held, owed = ex.books_balance()
    return held == owed


# ----- the article's description (seed-article) --------------------------------------------------------


def test_article_story_leaves_the_deficit_on_the_wallet_and_blocks():
    ex, result = gap_story("seed-article", fund=100)
    # Loss at the fill: 1,500. Margin (the cross wallet after the 11 fee): 989. Deficit 511; the fund's
    # 100 covers part of it, the rest (411) is left as a negative balance.
    event = result.events[0]
    assert (event["margin_lost"], event["from_fund"], event["uncovered"]) == (989, 100, 411)
    assert ex.insurance_fund == 0 and ex.wallet_balance() == -411
    assert ex.withdraw(1).reason == "withdrawal_blocked_negative_balance"
    assert ex.order("BTCUSDT", "long", D("0.01"), 18500, 10).reason == "open_blocked_negative_balance"
    assert ex.advance_hours(24).ok and ex.wallet_balance() == -411  # no interest
    deposit = ex.deposit(500)
    assert deposit.ok and deposit.data["repaid"] == 411 and ex.wallet_balance() == 89
    assert ex.withdraw(89).ok and ex.wallet_balance() == 0
    held, owed = ex.books_balance()
    assert held == owed == 1000 + 100 + 500 - 89
    assert ex.exercised == {"fund_covers_deficit", "deficit_to_wallet", "withdrawal_blocked_while_negative",
                            "open_blocked_while_negative", "debt_interest", "deposit_repays_debt"}


def test_article_restriction_follows_the_user_to_a_second_account():
    ex, _ = gap_story("seed-article")
    ex.open_account("second")
    assert ex.deposit(1000).ok
    assert ex.withdraw(1).reason == "withdrawal_blocked_negative_balance"
    assert "block_follows_user" in ex.exercised
    assert ex.order("BTCUSDT", "long", D("0.01"), 18500, 10).reason == "open_blocked_negative_balance"
    assert ex.snapshot()["user_debt"] == 511 and ex.snapshot()["debt"] == 0
    ex.open_account("b", user="bob")
    ex.deposit(100)
    assert ex.withdraw(1).ok  # another user is not affected
    ex.use_account("main")
    ex.deposit(511)
    ex.use_account("second")
    assert ex.withdraw(1).ok


def test_a_block_that_does_not_follow_the_user_stays_on_the_negative_account():
    ex = Exchange(Exchange("seed-article").venue.with_policy("block_follows_user", False), wallet=1000)
    ex.order("BTCUSDT", "long", 1, 20000, 50)
    ex.mark("BTCUSDT", 18500, fill=18500)
    ex.open_account("second")
    ex.deposit(1000)
    assert ex.withdraw(1).ok and "block_follows_user" not in ex.exercised


def test_article_negative_balance_still_allows_reducing():
    ex = Exchange("seed-article", wallet=3000, position_mode="hedge")
    assert ex.order("BTCUSDT", "short", 1, 20000, 10, "isolated").ok
    assert ex.order("BTCUSDT", "long", 1, 20000, 50).ok
    ex.mark("BTCUSDT", 17000, fill=17000)
    assert ex.wallet_balance() < 0 < ex.snapshot()["position_margin"]
    assert ex.order("BTCUSDT", "short", "0.1", 17000, None, "isolated").reason == "open_blocked_negative_balance"
    assert ex.close("BTCUSDT", 17000, side="short", qty="0.5").ok  # reducing is allowed
    assert balanced(ex)


# ----- Bybit's own documents: fund, then auto-deleveraging ---------------------------------------------


def test_bybit_without_an_opposing_position_shows_the_shortfall_instead_of_hiding_it():
    ex, result = gap_story("bybit")
    assert ex.wallet_balance() == 0 and ex.adl_count == 0
    assert ex.uncovered_deficit == 511 and result.events[-1] == {"event": "uncovered_deficit", "account": "main",
                                                                 "amount": 511}
    assert ex.counterparty_wallet == 1500 and balanced(ex)
    assert ex.exercised == {"deficit_to_adl"}


def test_bybit_deleverages_an_opposing_trader_at_the_bankruptcy_price():
    ex, result = gap_story("bybit", traders=[("bob", 10000, [short(1, 10)])])
    [adl] = [e for e in result.events if e["event"] == "adl"]
    # Bankruptcy price of the liquidated long: 18,500 + 511 = 19,011; Bob's short realises 989 there.
    assert (adl["account"], adl["price"], adl["qty"], adl["realised_pnl"]) == ("bob", 19011, 1, 989)
    assert ex.adl_count == 1 and ex.adl_covered == 511 and ex.uncovered_deficit == 0
    assert ex.accounts["bob"].positions == {} and ex.accounts["bob"].realised_pnl == 989
    assert ex.wallet_balance(ex.accounts["bob"]) == 10000 - 11 + 989
    assert ex.wallet_balance() == 0 and balanced(ex)


def test_fund_pays_first_then_adl_takes_the_rest():
    ex, result = gap_story("binance", fund=200, traders=[("bob", 10000, [short(1, 10)])])
    assert result.events[0]["from_fund"] == 200 and ex.insurance_fund == 0
    assert ex.adl_covered == 310 and ex.uncovered_deficit == 0
    # Only the uncovered share of the quantity is deleveraged: 310 / 510 of 1 BTC.
    [adl] = [e for e in result.events if e["event"] == "adl"]
    assert adl["qty"] == D(310) / D(510) and adl["price"] == 18500 + 510
    assert ("BTCUSDT", "short") in ex.accounts["bob"].positions and balanced(ex)
    assert ex.exercised == {"fund_covers_deficit", "deficit_to_adl"}


def test_adl_closes_the_best_ranked_opposing_trader_first():
    ex, result = gap_story("binance", traders=[("bob", 10000, [short("0.5", 5)]),
                                               ("carol", 10000, [short("0.5", 20, "isolated")])])
    adl = [e for e in result.events if e["event"] == "adl"]
    # Carol's higher effective leverage ranks her first; each 0.5 covers half of the deficit.
    assert [e["account"] for e in adl] == ["carol", "bob"]
    assert all(e["price"] == 18500 + 510 for e in adl)
    assert ex.adl_count == 2 and ex.adl_covered == 510 and ex.wallet_balance() == 0
    assert ex.accounts["carol"].positions == {} == ex.accounts["bob"].positions
    assert balanced(ex)


def test_kraken_keeps_the_surplus_with_the_trader_and_never_uses_a_fund():
    ex = Exchange("kraken-futures", wallet=1000, insurance_fund=500)
    ex.order("BTCUSDT", "long", 1, 20000, 50)
    assert ex.mark("BTCUSDT", 19210).events == []  # 990 - 790 > 1% of 19,210
    result = ex.mark("BTCUSDT", 19200, fill=19250)
    assert result.events[0]["event"] == "liquidation" and ex.insurance_fund == 500
    assert ex.wallet_balance() == 990 - 750 and "fund_takes_surplus" not in ex.exercised
    ex2, result2 = gap_story("kraken-futures")
    assert result2.events[0]["from_fund"] == 0 and ex2.uncovered_deficit == 510
    assert ex2.exercised == {"deficit_to_adl", "never_negative"}


# ----- isolated vs cross, position margin ----------------------------------------------------------------


@pytest.mark.parametrize("venue, wallet_after", [("bybit", D("4578.22")), ("seed-article", D("4578.22")),
                                                 ("bybit-uta", D("4578.22")), ("binance", D(4590))])
def test_isolated_loss_is_the_position_margin_while_the_fund_holds(venue, wallet_after):
    # Bybit: position margin = 400 + fee to close 10.78; Binance reserves no fee to close (fee 10 to open).
    ex = Exchange(venue, wallet=5000, insurance_fund=10000)
    ex.order("BTCUSDT", "long", 1, 20000, 50, "isolated")
    margin = ex.snapshot()["position_margin"]
    result = ex.mark("BTCUSDT", 15000, fill=15000)
    assert result.events[0]["from_fund"] == 4600 and result.events[0]["margin_lost"] == margin
    assert ex.wallet_balance() == wallet_after and balanced(ex)


def test_cross_margin_puts_the_whole_wallet_at_risk():
    ex = Exchange("bybit", wallet=5000, insurance_fund=10000)
    ex.order("BTCUSDT", "long", 1, 20000, 50)
    ex.mark("BTCUSDT", 15000, fill=15000)
    assert ex.wallet_balance() == 0 and ex.insurance_fund == 10000 - (5000 - 4989)  # loss 5,000 > 4,989


def test_a_better_fill_leaves_the_surplus_in_the_fund_for_cross():
    ex = Exchange("bybit", wallet=1000)
    ex.order("BTCUSDT", "long", 1, 20000, 50)
    assert ex.mark("BTCUSDT", "19106.6").events == []  # 989 - 893.4 > 19,106.6 x 0.5%
    result = ex.mark("BTCUSDT", "19106.5", fill=19150)
    assert result.events[0]["to_fund"] == 989 - 850 and ex.wallet_balance() == 0
    assert ex.exercised == {"fund_takes_surplus"}


# ----- partial liquidation (Bybit: tier 2 and above) -----------------------------------------------------


def test_a_tier_2_position_is_first_reduced_to_tier_1():
    ex = Exchange("bybit", wallet=100000, insurance_fund=100000)
    # 120 BTC at 20,000 = 2,400,000 USDT: tier 2 (0.56%, deduction 1,200). LP = 20,000 - (48,000 - 12,240)/120.
    assert ex.order("BTCUSDT", "long", 120, 20000, 50, "isolated").ok
    assert ex.snapshot()["liquidation_price"] == 19702 and "risk_limit_tiers" in ex.exercised
    result = ex.mark("BTCUSDT", 19702)
    [event] = result.events
    assert event["event"] == "partial_liquidation" and event["qty"] == 20
    state = ex.snapshot()
    # 100 BTC left = 2,000,000 USDT, tier 1: its liquidation price is 19,700 and the mark is above it.
    assert state["position_size"] == 100 and state["liquidation_price"] == 19700
    assert state["partial_liquidations"] == 1 and state["liquidations"] == 0
    assert "partial_liquidation" in ex.exercised and balanced(ex)
    assert [e["event"] for e in ex.mark("BTCUSDT", 19700).events] == ["liquidation"]
    assert balanced(ex)


def test_without_partial_liquidation_the_whole_position_goes():
    venue = Exchange("bybit").venue.with_policy("partial_liquidation", False)
    ex = Exchange(venue, wallet=100000, insurance_fund=100000)
    ex.order("BTCUSDT", "long", 120, 20000, 50, "isolated")
    assert [e["event"] for e in ex.mark("BTCUSDT", 19702).events] == ["liquidation"]
    assert "partial_liquidation" not in ex.exercised


# ----- the UTA's collateral-backed borrowing -----------------------------------------------------------


def test_uta_borrowing_is_backed_by_other_collateral_and_bears_hourly_interest():
    ex = Exchange("bybit-uta", wallet=1000, collateral=5000)
    assert ex.order("BTCUSDT", "long", 1, 20000, 50).ok
    assert ex.close("BTCUSDT", 18500).ok  # no liquidation: the collateral backs the account
    assert ex.wallet_balance() == D("-521.175") and ex.snapshot()["collateral"] == 5000
    assert ex.withdraw(1).reason == "withdrawal_blocked_liability"
    assert ex.advance_hours(1).ok
    assert ex.wallet_balance() == D("-521.175") - D("0.00260588")  # 521.175 x 0.0005%, rounded
    ex.deposit(600)
    assert ex.wallet_balance() > 0 and ex.withdraw(1).ok
    assert balanced(ex)
    assert ex.exercised == {"liability_blocks_withdrawal", "debt_interest", "deposit_repays_debt"}


def test_uta_interest_free_amount_applies_to_unrealised_borrowing_only():
    ex = Exchange("bybit-uta", wallet=3000)
    assert ex.order("BTCUSDT", "long", 1, 20000, 10).ok
    # Put the account into "equity below zero" without running the engine, to test the rule alone.
    ex.marks["BTCUSDT"] = D(18500)
    ex.account.wallet = D(1200)
    assert ex.interest_base(ex.account) == 100  # borrowed 300 from unrealised loss, 200 interest-free
    assert "interest_free_amount" in ex.exercised
    ex.account.wallet = D(-50)
    assert ex.interest_base(ex.account) == 50 + (1500 - 200)
    article, _ = gap_story("seed-article")
    assert article.interest_base(article.account) == 0 and "debt_interest" in article.exercised


def test_a_cross_account_above_tier_1_is_first_reduced_to_tier_1():
    ex = Exchange("bybit", wallet=60000)
    assert ex.order("BTCUSDT", "long", 120, 20000, 50).ok  # 2,400,000 USDT: tier 2; fee 1,320
    # Margin balance 58,680 + 120 (P - 20,000) meets 0.56% of 120 P - 1,200 at P = 19,610.96.
    assert ex.mark("BTCUSDT", 19611).events == []
    [event] = ex.mark("BTCUSDT", 19610).events
    # Reduced to 2,000,000 / 19,610 = 101.988 BTC (quantity step 0.001): tier 1 at 0.5%.
    assert event["event"] == "partial_liquidation" and event["qty"] == D("18.012")
    state = ex.snapshot()
    assert state["position_size"] == D("101.988") and state["liquidations"] == 0
    assert state["maintenance_margin"] == D("101.988") * 19610 * D("0.005")
    assert state["equity"] > state["maintenance_margin"] and balanced(ex)
    assert [e["event"] for e in ex.mark("BTCUSDT", 19500).events] == ["liquidation"]
    assert balanced(ex) and ex.exercised >= {"partial_liquidation", "risk_limit_tiers"}
