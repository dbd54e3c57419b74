"""Random sequences of every operation and price paths (gaps included) on every venue, with the model's
invariants checked after every step: exact conservation with auto-deleveraged counterparties (bob's
positions oppose the others') and partial liquidations (a whale account trades in risk-limit tier 2), and
every exercised policy one the venue can exercise. MODEL_EXAMPLES / MODEL_STEPS raise the effort."""

import copy
import os
from decimal import Decimal

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from calculators.formulas.margin import liquidation_price_binance, liquidation_price_bybit, position_value
from calculators.model import Exchange, engine
from calculators.model.policies import POLICIES, can_exercise
from calculators.model.venues import VENUE_IDS

EXAMPLES = int(os.environ.get("MODEL_EXAMPLES", "30"))
STEPS = int(os.environ.get("MODEL_STEPS", "30"))
TICK = Decimal("0.1")
ACCOUNTS = ("main", "second", "bob")
SYMBOLS = ("BTCUSDT",)
START = {"BTCUSDT": Decimal(20000)}
BLOCKED = ("withdrawal_blocked_negative_balance", "open_blocked_negative_balance")


def formula_lp(venue, pos):
    """The liquidation price straight from the formula functions (not through the model)."""
    tier = venue.tier_for(pos.symbol, position_value(pos.entry_price, pos.qty)) or venue.tiers[pos.symbol][-1]
    extra = pos.margin - pos.fee_reserve - pos.entry_price * pos.qty / pos.leverage
    fn = liquidation_price_bybit if venue.liquidation_formula == "bybit" else liquidation_price_binance
    return fn(pos.side, pos.entry_price, pos.qty, pos.leverage, tier.mmr, tier.mm_deduction, extra)


def on_tick(price):
    return max(TICK, (price / TICK).to_integral_value() * TICK)


class ExchangeMachine(RuleBasedStateMachine):
    venue_id = "seed-article"

    @initialize(fund=st.sampled_from([0, 0, 50, 1000]), wallet=st.integers(0, 5000),
                collateral=st.sampled_from([0, 0, 3000]))
    def setup(self, fund, wallet, collateral):
        if self.venue_id != "bybit-uta":
            collateral = 0  # other coins backing a borrowing: the UTA only
        self.ex = Exchange(self.venue_id, wallet=wallet, insurance_fund=fund, collateral=collateral)
        self.venue = self.ex.venue
        assert self.ex.open_account("second").ok
        assert self.ex.deposit(1000).ok
        assert self.ex.open_account("bob", user="bob").ok
        assert self.ex.deposit(5000).ok
        assert self.ex.open_account("whale", user="whale").ok
        assert self.ex.deposit(200000).ok
        assert self.ex.use_account("main").ok
        for symbol, price in START.items():
            assert self.ex.mark(symbol, price).ok

    # ----- helpers -----

    def use(self, name):
        if self.ex.current != name:
            assert self.ex.use_account(name).ok

    def exposure(self, account, symbol):
        return sum((p.qty for p in account.positions.values() if p.symbol == symbol), Decimal(0))

    def check_liquidations(self, result):
        """Every isolated liquidation either stayed within its margin or emptied the fund first."""
        if not result.ok:
            event(f"refused: {result.reason}")
        for item in result.events:
            event(f"{item['event']} {item.get('margin_mode', '')} uncovered={item.get('uncovered', 0) > 0}")
            if item["event"] == "liquidation" and item["margin_mode"] == "isolated" and item["uncovered"] > 0:
                assert item["fund_after"] == 0 or not self.venue.does("fund_covers_deficit"), item

    # ----- rules -----

    @rule(account=st.sampled_from(ACCOUNTS), amount=st.integers(1, 3000))
    def deposit(self, account, amount):
        self.use(account)
        debt = max(Decimal(0), -self.ex.wallet_balance())
        assert self.ex.deposit(amount).ok
        if amount >= debt:
            assert self.ex.wallet_balance() >= 0
            user = self.ex.account.user
            if not self.ex.user_negative(user) and self.ex.account.wallet >= 0:
                small = min(self.ex.withdrawable(), Decimal(1))
                if small > 0:
                    assert self.ex.withdraw(small).ok

    @rule(account=st.sampled_from(ACCOUNTS), amount=st.integers(1, 4000))
    def withdraw(self, account, amount):
        self.use(account)
        acc = self.ex.account
        negative = self.ex.user_negative(acc.user)
        own = self.ex.wallet_balance(acc) < 0
        liability = acc.wallet < 0
        result = self.ex.withdraw(amount)
        if self.venue.does("withdrawal_blocked_while_negative") and (
                own or negative and self.venue.does("block_follows_user")):
            assert result.reason == "withdrawal_blocked_negative_balance"
        if liability:
            assert not result.ok
        if result.ok:
            assert acc.wallet >= 0

    @rule(account=st.sampled_from(ACCOUNTS), symbol=st.sampled_from(SYMBOLS), side=st.sampled_from(["long", "short"]),
          notional=st.sampled_from([100, 1000, 5000, 20000]), leverage=st.sampled_from([1, 5, 10, 25, 50, 50, 100]),
          mode=st.sampled_from(["cross", "isolated"]), move=st.integers(-20, 20))
    def open(self, account, symbol, side, notional, leverage, mode, move):
        self.use(account)
        qty = Decimal(notional) / START[symbol]
        acc = self.ex.account
        price = on_tick(self.ex.marks[symbol] * (1 + Decimal(move) / 1000))
        negative_before = self.ex.user_negative(acc.user)
        result = self.ex.order(symbol, side, qty, price, leverage, mode)
        self.check_liquidations(result)
        blocks = self.venue.does("open_blocked_while_negative") and self.venue.does("block_follows_user")
        if result.ok and negative_before and blocks:
            # Only a reduction of an opposite one-way position may pass while the user is negative.
            assert acc.position_mode == "one_way"
            assert (symbol, side) not in acc.positions
        elif negative_before and blocks:
            assert result.reason in BLOCKED + ("leverage_above_maximum", "insufficient_available_balance",
                                               "margin_mode_mismatch", "position_above_risk_limit"), result

    @rule(account=st.sampled_from(ACCOUNTS), symbol=st.sampled_from(SYMBOLS), side=st.sampled_from(["long", "short"]),
          leverage=st.sampled_from([10, 25, 50, 100]), mode=st.sampled_from(["cross", "isolated"]),
          drop=st.sampled_from([20, 50, 100, 300]), gap=st.sampled_from([0, 100, 500, 2000]))
    def open_then_gap(self, account, symbol, side, leverage, mode, drop, gap):
        """The seed story's shape: a leveraged position, then the price gaps against it."""
        self.open(account, symbol, side, 5000, leverage, mode, 0)
        sign = -1 if side == "long" else 1
        self.mark(symbol, sign * drop, gap)

    @rule(side=st.sampled_from(["long", "short"]), mode=st.sampled_from(["cross", "isolated"]),
          drop=st.sampled_from([50, 100, 200]), gap=st.sampled_from([500, 1000, 2000]))
    def adl_story(self, side, mode, drop, gap):
        """An opposing trader (bob) holds the other side; a leveraged position then gaps past its
        bankruptcy price: the deficit goes to the fund, then (where sourced) to bob by auto-deleveraging."""
        self.open("bob", "BTCUSDT", "short" if side == "long" else "long", 5000, 5, "cross", 0)
        self.open("main", "BTCUSDT", side, 5000, 50, mode, 0)
        self.mark("BTCUSDT", (-1 if side == "long" else 1) * drop, gap)

    @rule(side=st.sampled_from(["long", "short"]), qty=st.sampled_from([105, 120, 129]),
          leverage=st.sampled_from([20, 50]), drop=st.sampled_from([10, 14, 16, 30]), gap=st.sampled_from([0, 50]),
          mode=st.sampled_from(["cross", "isolated"]))
    def whale_in_tier_2(self, side, qty, leverage, drop, gap, mode):
        """A position above tier 1 (Bybit: partial liquidation first), then a move against it."""
        self.use("whale")
        price = self.ex.marks["BTCUSDT"]
        result = self.ex.order("BTCUSDT", side, qty, price, leverage, mode)
        self.check_liquidations(result)
        self.mark("BTCUSDT", (-1 if side == "long" else 1) * drop, gap)

    @rule(account=st.sampled_from(ACCOUNTS), symbol=st.sampled_from(SYMBOLS), part=st.sampled_from([None, "half"]),
          move=st.integers(-20, 20))
    def close(self, account, symbol, part, move):
        self.use(account)
        legs = [p for p in self.ex.account.positions.values() if p.symbol == symbol]
        price = on_tick(self.ex.marks[symbol] * (1 + Decimal(move) / 1000))
        side = legs[0].side if legs else None
        qty = legs[0].qty / 2 if legs and part else None
        wallet, fees = self.ex.account.wallet, self.ex.fees_collected
        result = self.ex.close(symbol, price, side, qty)
        self.check_liquidations(result)
        if result.ok and not result.events and legs[0].margin_mode == "isolated":
            # A voluntary close of an isolated position never takes more than its margin.
            assert self.ex.account.wallet - wallet + (self.ex.fees_collected - fees) >= 0

    @rule(symbol=st.sampled_from(SYMBOLS),
          move=st.one_of(st.integers(-30, 30), st.sampled_from([-200, -100, -50, 50, 100, 200])),
          gap=st.sampled_from([0, 0, 0, 50, 200, 1000, 2000]))
    def mark(self, symbol, move, gap):
        old = self.ex.marks[symbol]
        new = on_tick(old * (1 + Decimal(move) / 1000))
        # A gap fills beyond the mark in the direction of the move.
        fill = on_tick(new * (1 + (Decimal(-gap) if new < old else Decimal(gap)) / 10000)) if gap else None
        isolated = {(a.name, key): (copy.deepcopy(p), formula_lp(self.ex.venue, p))
                    for a in self.ex.accounts.values() for key, p in a.positions.items()
                    if p.symbol == symbol and p.margin_mode == "isolated"}
        result = self.ex.mark(symbol, new, fill)
        assert result.ok
        self.check_liquidations(result)
        adl_hit = {(e["account"], (e["symbol"], e["side"])) for e in result.events if e["event"] == "adl"}
        for (name, key), (pos, lp) in isolated.items():
            now = self.ex.accounts[name].positions.get(key)
            crossed = new <= lp if pos.side == "long" else new >= lp
            if crossed:
                # Closed, or (partial liquidation) reduced to a lower tier.
                assert now is None or now.qty < pos.qty, f"{pos} not liquidated at mark {new}, LP {lp}"
            elif (name, key) not in adl_hit and now is not None and now.qty == pos.qty:
                # Still open: one tick further would be needed... the mark has not reached the LP.
                assert (new > lp) if pos.side == "long" else (new < lp)

    @rule(account=st.sampled_from(ACCOUNTS), symbol=st.sampled_from(SYMBOLS), amount=st.integers(1, 500),
          add=st.booleans())
    def margin(self, account, symbol, amount, add):
        self.use(account)
        result = (self.ex.add_margin if add else self.ex.remove_margin)(symbol, amount)
        self.check_liquidations(result)

    @rule(account=st.sampled_from(ACCOUNTS), symbol=st.sampled_from(SYMBOLS),
          leverage=st.sampled_from([1, 3, 10, 50, 100, 150]))
    def set_leverage(self, account, symbol, leverage):
        self.use(account)
        result = self.ex.set_leverage(symbol, leverage)
        if leverage > self.venue.max_leverage(symbol):
            assert result.reason == "leverage_above_maximum"

    @rule(account=st.sampled_from(ACCOUNTS), mode=st.sampled_from(["one_way", "hedge"]))
    def position_mode(self, account, mode):
        self.use(account)
        had = bool(self.ex.account.positions) and self.ex.account.position_mode != mode
        result = self.ex.set_position_mode(mode)
        assert result.ok != had
        if had:
            assert result.reason == "position_mode_change_with_open_positions"

    @rule(symbol=st.sampled_from(SYMBOLS), rate=st.sampled_from(["0.0001", "-0.0001", "0.003", "-0.003", "0.05"]))
    def funding(self, symbol, rate):
        self.check_liquidations(self.ex.funding(symbol, rate))

    @rule(hours=st.integers(1, 48))
    def advance(self, hours):
        before = {a.name: a.wallet for a in self.ex.accounts.values()}
        assert self.ex.advance_hours(hours).ok
        for acc in self.ex.accounts.values():
            if self.venue.hourly_interest_rate == 0:
                assert acc.wallet == before[acc.name]
            else:
                assert acc.wallet <= before[acc.name]

    # ----- invariants -----

    @invariant()
    def books_balance_exactly(self):
        held, owed = self.ex.books_balance()
        assert held == owed, (held, owed)

    @invariant()
    def balances_stay_non_negative_where_no_debt_is_sourced(self):
        if not self.venue.can_go_negative:
            for acc in self.ex.accounts.values():
                if acc.wallet < 0 and not self.venue.does("never_negative"):
                    # Funding may take the wallet below zero while open positions still hold the value
                    # (cross funding, which no venue here caps except Kraken's never_negative). Allowed
                    # only while their margin and profit cover the gap; a deficit left once they are
                    # closed still fails here. Isolated funding never reaches the wallet beyond its
                    # available balance (Bybit) or at all (Binance: settled in the position margin).
                    held = sum((p.margin for p in acc.positions.values()), Decimal(0))
                    assert acc.positions and acc.wallet + held + self.ex.unrealised_pnl(acc) >= 0, \
                        (acc.name, acc.wallet)
                    continue
                assert acc.wallet >= 0, (acc.name, acc.wallet)
        if not self.venue.does("deficit_to_adl") and not self.venue.does("never_negative"):
            assert self.ex.uncovered_deficit == 0

    @invariant()
    def only_policies_the_venue_can_exercise(self):
        for policy in self.ex.exercised:
            assert policy in POLICIES and can_exercise(self.venue, policy), policy
            event(f"exercised {policy}")

    @invariant()
    def no_position_is_left_past_its_trigger(self):
        for acc in self.ex.accounts.values():
            for pos in acc.positions.values():
                mark = self.ex.marks[pos.symbol]
                if pos.margin_mode == "isolated":
                    lp = formula_lp(self.ex.venue, pos)
                    assert (mark > lp) if pos.side == "long" else (mark < lp)

    @invariant()
    def cross_accounts_are_above_maintenance(self):
        for acc in self.ex.accounts.values():
            if any(p.margin_mode == "cross" for p in acc.positions.values()):
                balance, mm = engine.cross_state(self.ex, acc)
                assert balance > mm

    @invariant()
    def interest_only_where_charged(self):
        if self.venue.hourly_interest_rate == 0:
            assert self.ex.interest_collected == 0


def machine(venue):
    cls = type(f"Machine_{venue.replace('-', '_')}", (ExchangeMachine,), {"venue_id": venue})
    cls.TestCase.settings = settings(max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None)
    return cls.TestCase


TestBybit = machine("bybit")
TestBybitUta = machine("bybit-uta")
TestBinance = machine("binance")
TestKrakenFutures = machine("kraken-futures")
TestSeedArticle = machine("seed-article")
assert len(VENUE_IDS) == 5
