"""The reference exchange: a closed, exact (``Decimal``) model of USDT-settled perpetual futures accounts.

``Exchange(venue_id)`` holds users' accounts, the insurance fund, the fees and interest collected and one
counterparty that takes the other side of every trade. Every operation returns a :class:`Result` (ok, or
refused with a stable reason code from ``REASON_CODES``) and appends an entry with the state after it to
``Exchange.log``. A refused operation changes nothing (an order's move of the mark, below, excepted).

Conventions (stated on the site with every verified rule):

* An order at price P first moves the symbol's mark to P and runs the liquidation engine (the market
  traded there), then fills at P with the taker fee. A refused order keeps that mark move.
* Opening requires the available balance to cover Bybit's order cost (initial margin + fee to open + fee to
  close at the bankruptcy price, §1.2); only the fee to open is charged. An isolated position margin is
  the initial margin plus, where the venue sources it, that fee to close (Bybit "Position Margin").
* Wallet balance (Bybit's meaning) includes isolated position margin: margin is a requirement, not a
  transfer. Available balance = wallet balance - isolated position margins - cross initial margin + cross
  unrealised losses (+ other collateral, UTA). Unrealised profit is not available.
* Equity = wallet balance + unrealised PnL of every position at the marks.
* Risk-limit tiers come from the venue's table per symbol (entry value for isolated liquidation prices,
  mark value for cross maintenance margin); a position above tier 1 is first reduced where the venue
  sources partial liquidation.
* Every policy-shaped behaviour records its policy name in ``Exchange.exercised`` where it happens (a
  refused operation keeps what it recorded).
* Conservation: wallets + isolated margins + collateral + fees + interest + insurance fund + counterparty
  wallet == deposits - withdrawals + the fund's seed + collateral given + the uncovered deficit (what the
  venue itself paid because neither the fund nor auto-deleveraging could), exactly (``books_balance()``).
"""

import copy
from decimal import ROUND_DOWN

from calculators.formulas.margin import initial_margin, open_fee, position_value
from calculators.formulas.positions import calc_funding_fee, calc_order_cost, calc_pnl
from calculators.formulas.sizing import calc_average_entry, calc_position_size

from . import engine, stops
from .state import MARGIN_MODES, POSITION_MODES, ZERO, Account, Position, Refusal, Result, money, to_decimal
from .venues import venue_of

MAX_HOURS = 100000


class Exchange:
    """A closed reference exchange for one venue profile (see the module docstring for conventions)."""

    def __init__(self, venue, wallet=0, insurance_fund=0, user="alice", account="main",
                 position_mode="one_way", collateral=0):
        """Create the exchange with one account ``account`` of ``user`` (current), a deposit of ``wallet``,
        ``collateral`` (USDT value of other coins backing the account) and an insurance fund seeded with
        ``insurance_fund`` (counted as the fund's seed in the books). ``venue`` is an id or a ``Venue``."""
        self.venue = venue_of(venue)
        self.accounts = {}
        self.current = account
        self.marks = {}
        self.lasts = {}
        self.insurance_fund = money(to_decimal("insurance_fund", insurance_fund))
        if self.insurance_fund < 0:
            raise ValueError("insurance_fund must be at least 0")
        self.fund_seed = self.insurance_fund
        self.fees_collected = ZERO
        self.interest_collected = ZERO
        self.counterparty_wallet = ZERO
        self.deposits = ZERO
        self.withdrawals = ZERO
        self.hours = 0
        self.adl_count = 0
        self.adl_covered = ZERO
        self.uncovered_deficit = ZERO
        self.collateral_given = ZERO
        self.exercised = set()
        self.log = []
        if position_mode not in POSITION_MODES:
            raise ValueError(f"position_mode must be one of {', '.join(POSITION_MODES)}")
        self.accounts[account] = Account(name=account, user=str(user), position_mode=position_mode)
        if to_decimal("wallet", wallet) != 0:
            result = self.deposit(wallet)
            if not result.ok:
                raise ValueError(f"wallet: {result.detail}")
        value = money(to_decimal("collateral", collateral))
        if value < 0:
            raise ValueError("collateral must be at least 0")
        if value > 0 and self.venue.hourly_interest_rate == 0:
            raise ValueError(f"collateral: other coins backing a borrowing belong to a Unified Trading Account; "
                             f"venue {self.venue.id} sources no borrowing (use bybit-uta)")
        self.account.collateral = value
        self.collateral_given = value

    def add_trader(self, name, wallet, positions=()):
        """Open account ``name`` for user ``name`` with a deposit of ``wallet`` and the given positions
        (dicts with symbol, side, qty, price and optional leverage, margin_mode), then switch back.
        Raises ValueError naming the trader if any step is refused."""
        current = self.current
        steps = [("open_account", self.open_account(name, name))]
        if to_decimal("wallet", wallet) != 0:
            steps.append(("deposit", self.deposit(wallet)))
        for order in positions:
            steps.append(("open", self.order(order["symbol"], order["side"], order["qty"], order["price"],
                                             order.get("leverage"), order.get("margin_mode", "cross"))))
        self.current = current if current in self.accounts else self.current
        for step, result in steps:
            if not result.ok:
                raise ValueError(f"trader {name}: {step} refused: {result.detail}")

    # ----- reading the state -------------------------------------------------------------------------

    @property
    def account(self):
        """The current account (the one operations act on)."""
        return self.accounts[self.current]

    def books_balance(self):
        """(held, owed): everything the closed system holds, and what came in (see the module docstring)."""
        held = self.insurance_fund + self.fees_collected + self.interest_collected + self.counterparty_wallet
        for acc in self.accounts.values():
            held += self.wallet_balance(acc) + acc.collateral
        owed = self.deposits - self.withdrawals + self.fund_seed + self.collateral_given + self.uncovered_deficit
        return held, owed

    @staticmethod
    def position_margin(account):
        """Sum of the account's isolated position margins (initial margin + fee to close + added)."""
        return sum((p.margin for p in account.positions.values()), ZERO)

    def wallet_balance(self, account=None):
        """Bybit's wallet balance: the USDT wallet including isolated position margin."""
        acc = account or self.account
        return acc.wallet + self.position_margin(acc)

    def user_negative(self, user):
        """True if any account of ``user`` has a negative wallet balance."""
        return any(self.wallet_balance(a) < 0 for a in self.accounts.values() if a.user == user)

    def _blocked(self, acc, policy):
        """True (and records the policies) when ``policy`` blocks ``acc`` for a negative balance: its own,
        or, where the block follows the user, another account's of the same user."""
        if not self.venue.does(policy):
            return False
        if self.wallet_balance(acc) < 0:
            self.exercised.add(policy)
            return True
        if self.venue.does("block_follows_user") and self.user_negative(acc.user):
            self.exercised.update((policy, "block_follows_user"))
            return True
        return False

    def unrealised_pnl(self, account, margin_mode=None):
        """Sum of the account's unrealised PnL at the marks (optionally one margin mode only)."""
        return sum((engine.pnl_at(self.venue, p, self.marks[p.symbol]) for p in account.positions.values()
                    if margin_mode in (None, p.margin_mode)), ZERO)

    def available_balance(self, account=None):
        """Wallet balance - isolated margins - cross initial margin + cross unrealised losses + collateral."""
        acc = account or self.account
        cross_im = sum((initial_margin(p.entry_price, p.qty, p.leverage) for p in acc.positions.values()
                        if p.margin_mode == "cross"), ZERO)
        return acc.wallet + acc.collateral + min(self.unrealised_pnl(acc, "cross"), ZERO) - cross_im

    def withdrawable(self, account=None):
        """What a withdrawal may take now, ignoring policy blocks: min(available balance, the USDT not held
        as margin), at least 0 (other collateral is not USDT)."""
        acc = account or self.account
        return max(ZERO, min(self.available_balance(acc), acc.wallet))

    def snapshot(self):
        """The state fields of the current account and the exchange (see ``scenario.STATE_FIELDS``)."""
        from .snapshot import take_snapshot

        return take_snapshot(self)

    # ----- running operations ------------------------------------------------------------------------

    def _run(self, name, args, body, pre_events=()):
        """Run ``body`` atomically: a Refusal or ValueError restores the state; then log the result.
        ``pre_events`` (an order's mark move) are kept and reported either way."""
        saved = {k: copy.deepcopy(v) for k, v in self.__dict__.items() if k not in ("log", "venue", "exercised")}
        try:
            result = body()
            result.events += engine.run_engine(self, {})
            stops.cancel_orphans(self)
        except Refusal as refusal:
            self.__dict__.update(saved)
            result = Result(False, refusal.reason, refusal.detail or refusal.reason.replace("_", " "))
        except ValueError as error:
            self.__dict__.update(saved)
            result = Result(False, "invalid_input", str(error))
        result.events[:0] = list(pre_events)
        self.log.append({"operation": name, "args": args, "result": result, "state": self.snapshot()})
        return result

    def _symbol(self, symbol):
        if symbol not in self.venue.symbols:
            raise Refusal("unknown_symbol", f"{symbol} is not listed on {self.venue.id}")
        return symbol

    def _price(self, name, value):
        price = to_decimal(name, value)
        if price <= 0:
            raise ValueError(f"{name} must be greater than 0")
        if price % self.venue.tick_size != 0:
            raise Refusal("price_off_tick", f"{name} {price} is not a multiple of the tick {self.venue.tick_size}")
        return price

    @staticmethod
    def _amount(name, value):
        amount = to_decimal(name, value)
        if amount <= 0:
            raise ValueError(f"{name} must be greater than 0")
        return amount

    # ----- wallet operations -------------------------------------------------------------------------

    def deposit(self, amount):
        """Deposit ``amount`` USDT into the current account; a debt is repaid first (all policies). Where the
        venue sources no debt (``can_go_negative`` false) a wallet below zero is funding that open profit
        covers, not a debt: the deposit simply adds to it and repays nothing."""
        def body():
            value = money(self._amount("amount", amount))
            acc = self.account
            debt = max(ZERO, -self.wallet_balance(acc)) if self.venue.can_go_negative else ZERO
            repaid = min(value, debt)
            if repaid > 0:
                self.exercised.add("deposit_repays_debt")
            acc.wallet += value
            self.deposits += value
            return Result(True, detail=f"deposited {value}, repaid {repaid} of debt", data={"repaid": repaid})
        return self._run("deposit", {"amount": amount}, body)

    def withdraw(self, amount):
        """Withdraw ``amount`` USDT: refused while the policy blocks it or above the withdrawable amount."""
        def body():
            value = money(self._amount("amount", amount))
            acc = self.account
            if self._blocked(acc, "withdrawal_blocked_while_negative"):
                raise Refusal("withdrawal_blocked_negative_balance",
                              f"user {acc.user} has a negative balance; withdrawals wait until it is repaid")
            if self.venue.does("liability_blocks_withdrawal") and acc.wallet < 0:
                self.exercised.add("liability_blocks_withdrawal")
                raise Refusal("withdrawal_blocked_liability", "USDT has a liability; repay it before withdrawing")
            if value > self.withdrawable(acc):
                raise Refusal("insufficient_available_balance",
                              f"withdrawable is {self.withdrawable(acc)}, asked {value}")
            acc.wallet -= value
            self.withdrawals += value
            return Result(True, detail=f"withdrew {value}")
        return self._run("withdraw", {"amount": amount}, body)

    def open_account(self, name, user=None):
        """Open another account (of the current user unless ``user`` is given) and make it current."""
        def body():
            if name in self.accounts:
                raise Refusal("account_exists", f"account {name} exists")
            owner = self.account.user if user is None else str(user)
            self.accounts[name] = Account(name=name, user=owner)
            self.current = name
            return Result(True, detail=f"opened account {name} of user {owner}")
        return self._run("open_account", {"name": name, "user": user}, body)

    def use_account(self, name):
        """Make ``name`` the current account."""
        def body():
            if name not in self.accounts:
                raise Refusal("unknown_account", f"no account {name}")
            self.current = name
            return Result(True, detail=f"using account {name}")
        return self._run("use_account", {"name": name}, body)

    # ----- settings ----------------------------------------------------------------------------------

    def set_position_mode(self, mode):
        """Switch the current account between ``one_way`` and ``hedge``; refused with open positions."""
        def body():
            if mode not in POSITION_MODES:
                raise ValueError(f"mode must be one of {', '.join(POSITION_MODES)}")
            acc = self.account
            if acc.positions and mode != acc.position_mode:
                raise Refusal("position_mode_change_with_open_positions", "close every position first")
            acc.position_mode = mode
            return Result(True, detail=f"position mode {mode}")
        return self._run("set_position_mode", {"mode": mode}, body)

    def set_leverage(self, symbol, leverage):
        """Set the symbol's leverage; open positions are re-margined (isolated margin moves)."""
        return self._run("set_leverage", {"symbol": symbol, "leverage": leverage},
                         lambda: self._set_leverage(symbol, leverage))

    def _set_leverage(self, symbol, leverage):
        self._symbol(symbol)
        lev = to_decimal("leverage", leverage)
        if lev < 1:
            raise ValueError("leverage must be at least 1")
        if lev > self.venue.max_leverage(symbol):
            raise Refusal("leverage_above_maximum", f"maximum leverage is {self.venue.max_leverage(symbol)}")
        acc = self.account
        for pos in acc.positions.values():
            if pos.symbol != symbol or pos.leverage == lev:
                continue
            self._check_tier(symbol, pos.entry_price, pos.qty, lev)
            if pos.margin_mode == "isolated":
                old = money(initial_margin(pos.entry_price, pos.qty, pos.leverage)) + pos.fee_reserve
                reserve = self._fee_reserve(pos.side, pos.entry_price, pos.qty, lev)
                new = money(initial_margin(pos.entry_price, pos.qty, lev)) + reserve
                if new - old > self.available_balance(acc):
                    raise Refusal("insufficient_available_balance", "not enough to raise the position margin")
                acc.wallet -= new - old
                pos.margin += new - old
                pos.fee_reserve = reserve
            pos.leverage = lev
        if self.available_balance(acc) < 0 and any(p.symbol == symbol for p in acc.positions.values()):
            raise Refusal("insufficient_available_balance", "the new leverage needs more margin than available")
        acc.leverage[symbol] = lev
        return Result(True, detail=f"{symbol} leverage {lev}x")

    def _check_tier(self, symbol, price, qty, lev):
        """Refuse a position above the last tier or above its tier's maximum leverage; a position beyond
        tier 1 (refused or priced by a higher tier) exercises ``risk_limit_tiers``."""
        if not self.venue.does("risk_limit_tiers"):
            index = 0  # one margin level for any size (the loader allows a single row only)
        else:
            index = self.venue.tier_index(symbol, position_value(price, qty))
        if index is None:
            self.exercised.add("risk_limit_tiers")
            raise Refusal("position_above_risk_limit", f"position value above {self.venue.tiers[symbol][-1].limit}")
        tier = self.venue.tiers[symbol][index]
        if index > 0:
            self.exercised.add("risk_limit_tiers")
        if lev > tier.max_leverage:
            raise Refusal("leverage_above_maximum", f"this position size allows at most {tier.max_leverage}x")

    def _fee_reserve(self, side, price, qty, lev):
        """The fee to close an isolated position reserves in its margin (taker fee at the bankruptcy price,
        Bybit "Order Cost"), or 0 where the venue does not source it."""
        if not self.venue.does("fee_to_close_in_position_margin"):
            return ZERO
        return money(calc_order_cost(side, price, qty, lev, self.venue.taker_fee)["close_fee"])

    # ----- trading -----------------------------------------------------------------------------------

    def _move_mark(self, symbol, price, fill=None):
        """Move the mark to ``price`` with the market trading at ``fill`` (default the mark): the engine
        liquidates first, then the stops the move reaches fire and fill at ``fill`` (``stops``)."""
        last = fill if fill is not None else price
        self.marks[symbol] = price
        self.lasts[symbol] = last
        events = engine.run_engine(self, {symbol: last})
        return events + stops.run_stops(self, symbol, price, last)

    def mark(self, symbol, price, fill=None):
        """Move the mark price with the market trading at ``fill`` (default the mark): the engine liquidates
        what it triggers and triggered stops fire, both filling at ``fill``."""
        def body():
            self._symbol(symbol)
            mark = self._price("price", price)
            fill_price = None if fill is None else self._price("fill", fill)
            events = self._move_mark(symbol, mark, fill_price)
            n = sum(1 for e in events if e["event"] == "liquidation")
            fired = sum(1 for e in events if e["event"] == "stop")
            detail = f"{symbol} mark {mark}, {n} liquidation(s)" + (f", {fired} stop(s) filled" if fired else "")
            return Result(True, detail=detail, events=events)
        return self._run("mark", {"symbol": symbol, "price": price, "fill": fill}, body)

    def order(self, symbol, side, qty, price, leverage=None, margin_mode="cross"):
        """Market order filling at ``price`` with the taker fee. One-way mode nets against the position
        (reduce, close or flip); hedge mode adds to the ``side`` leg. ``leverage`` sets the symbol's
        leverage first."""
        args = {"symbol": symbol, "side": side, "qty": qty, "price": price, "leverage": leverage,
                "margin_mode": margin_mode}
        pre_events = []
        try:
            self._symbol(symbol)
            fill = self._price("price", price)
            pre_events = self._move_mark(symbol, fill)
        except (Refusal, ValueError):
            fill = None

        def body():
            self._symbol(symbol)
            trade_price = self._price("price", price)
            amount = self._amount("qty", qty)
            if side not in ("long", "short"):
                raise ValueError("side must be long or short")
            if margin_mode not in MARGIN_MODES:
                raise ValueError(f"margin_mode must be one of {', '.join(MARGIN_MODES)}")
            if leverage is not None and to_decimal("leverage", leverage) != self._leverage(symbol):
                self._set_leverage(symbol, leverage)
            acc = self.account
            opposite = "short" if side == "long" else "long"
            result = Result(True)
            remaining = amount
            if acc.position_mode == "one_way" and (symbol, opposite) in acc.positions:
                held = acc.positions[(symbol, opposite)]
                closing = min(amount, held.qty)
                self._reduce(acc, held, closing, trade_price, result)
                remaining = amount - closing
            if remaining > 0:
                self._open(acc, symbol, side, remaining, trade_price, margin_mode, result)
            return result
        return self._run("order", args, body, pre_events)

    def place_stop(self, symbol, trigger_price, kind="stop_loss", trigger_by="mark", side=None, qty=None):
        """Place a reduce-only stop (``kind`` stop_loss or take_profit) on the open position of ``symbol``
        (``side`` picks a hedge leg), triggered when the ``trigger_by`` price (mark or last) reaches
        ``trigger_price``; ``qty`` (default: the whole position) is closed by a market order (``stops``)."""
        args = {"symbol": symbol, "trigger_price": trigger_price, "kind": kind, "trigger_by": trigger_by,
                "side": side, "qty": qty}

        def body():
            self._symbol(symbol)
            price = self._price("trigger_price", trigger_price)
            legs = [p for p in self.account.positions.values() if p.symbol == symbol and side in (None, p.side)]
            if not legs:
                raise Refusal("no_open_position", f"no open {side or ''} position on {symbol}".replace("  ", " "))
            if len(legs) > 1:
                raise Refusal("position_side_required", "both legs are open; say which side the stop closes")
            pos = legs[0]
            amount = None if qty is None else self._amount("qty", qty)
            if amount is not None and amount > pos.qty:
                raise Refusal("qty_above_position", f"position is {pos.qty}, asked {amount}")
            stop = stops.Stop(symbol, pos.side, price, kind, trigger_by, amount)
            stops.check_new(stop, self.marks[symbol], self.lasts.get(symbol, self.marks[symbol]))
            self.account.stops.append(stop)
            return Result(True, detail=f"{kind.replace('_', '-')} on {pos.side} {symbol} at {price} ({trigger_by} price)")
        return self._run("stop", args, body)

    def risk_qty(self, side, price, stop, risk_pct, leverage=None, symbol=None):
        """The quantity a fixed-fraction plan orders: the position-size formula
        (``calc_position_size``: equity x risk_pct / 100 / |price - stop|) on the current account's
        equity at the marks, rounded down to the venue's quantity step. ValueError when the stop is not
        on the losing side of ``price`` or the risk buys less than one step."""
        entry = self._price("price", price)
        stop_price = self._price("stop", stop)
        if side not in ("long", "short"):
            raise ValueError("side must be long or short")
        if (side == "long" and stop_price >= entry) or (side == "short" and stop_price <= entry):
            raise ValueError(f"stop {stop_price} must be on the losing side of price {entry} for a {side}")
        acc = self.account
        equity = self.wallet_balance(acc) + self.unrealised_pnl(acc)
        lev = to_decimal("leverage", leverage) if leverage is not None else self._leverage(symbol)
        raw = calc_position_size(equity, to_decimal("risk_pct", risk_pct), entry, stop_price, lev)["qty"]
        qty = (raw / self.venue.qty_step).to_integral_value(ROUND_DOWN) * self.venue.qty_step
        if qty <= 0:
            raise ValueError(f"the risk buys {raw:.8f} coin, less than one quantity step {self.venue.qty_step}")
        return qty

    def order_at_risk(self, symbol, side, price, stop, risk_pct, leverage=None, margin_mode="cross"):
        """A market order sized by the trader's fixed-fraction plan (``risk_qty``), then placed exactly as
        ``order``: the exchange sees an ordinary order of that quantity. A bad plan (stop on the wrong
        side, equity at or below 0, less than one step) is refused as ``invalid_input``."""
        try:
            self._symbol(symbol)
            qty = self.risk_qty(side, price, stop, risk_pct, leverage, symbol)
        except (Refusal, ValueError) as error:
            def refuse(error=error):  # bound now: the except clause unbinds its name when it ends
                raise error
            return self._run("order_at_risk", {"symbol": symbol, "side": side, "price": price, "stop": stop,
                                               "risk_pct": risk_pct}, refuse)
        return self.order(symbol, side, qty, price, leverage, margin_mode)

    def close(self, symbol, price, side=None, qty=None):
        """Close (all or ``qty`` of) the position on ``symbol`` at ``price``; ``side`` picks a hedge leg."""
        def body():
            self._symbol(symbol)
            acc = self.account
            legs = [p for p in acc.positions.values() if p.symbol == symbol and side in (None, p.side)]
            if not legs:
                raise Refusal("no_open_position", f"no open {side or ''} position on {symbol}".replace("  ", " "))
            if len(legs) > 1:
                raise Refusal("position_side_required", "both legs are open; say which side to close")
            pos = legs[0]
            amount = pos.qty if qty is None else self._amount("qty", qty)
            if amount > pos.qty:
                raise Refusal("qty_above_position", f"position is {pos.qty}, asked {amount}")
            result = Result(True)
            self._reduce(acc, pos, amount, self._price("price", price), result)
            return result
        # The close fills where the market trades: move the mark first (the engine may liquidate).
        events = []
        if symbol in self.venue.symbols:
            try:
                events = self._move_mark(symbol, self._price("price", price))
            except (Refusal, ValueError):
                pass
        return self._run("close", {"symbol": symbol, "price": price, "side": side, "qty": qty}, body, events)

    def _leverage(self, symbol):
        return self.account.leverage.get(symbol, self.venue.default_leverage)

    def _reduce(self, acc, pos, qty, price, result):
        """Close ``qty`` of ``pos`` at ``price``: realise PnL against the counterparty, pay the taker fee."""
        pnl = money(calc_pnl(pos.side, pos.entry_price, price, qty, pos.leverage, self.venue.taker_fee)["pnl"])
        fee = money(open_fee(price, qty, self.venue.taker_fee))
        released = ZERO
        if pos.margin_mode == "isolated":
            released = pos.margin if qty == pos.qty else money(pos.margin * qty / pos.qty)
            reserve = pos.fee_reserve if qty == pos.qty else money(pos.fee_reserve * qty / pos.qty)
            pos.margin -= released
            pos.fee_reserve -= reserve
        acc.wallet += released + pnl - fee
        acc.realised_pnl += pnl
        self.counterparty_wallet -= pnl
        self.fees_collected += fee
        pos.qty -= qty
        if pos.qty == 0:
            del acc.positions[(pos.symbol, pos.side)]
        result.detail = (result.detail + "; " if result.detail else "") + \
            f"closed {qty} {pos.side} {pos.symbol} at {price}: pnl {pnl}, fee {fee}"
        result.data["realised_pnl"] = result.data.get("realised_pnl", ZERO) + pnl

    def _open(self, acc, symbol, side, qty, price, margin_mode, result):
        """Open or add ``qty`` on the ``side`` leg after the policy, risk-limit and balance checks."""
        if self._blocked(acc, "open_blocked_while_negative"):
            raise Refusal("open_blocked_negative_balance",
                          f"user {acc.user} has a negative balance; new positions wait until it is repaid")
        lev = self._leverage(symbol)
        held = acc.positions.get((symbol, side))
        if held is not None and held.margin_mode != margin_mode:
            raise Refusal("margin_mode_mismatch", f"the {side} {symbol} position is {held.margin_mode}")
        total_qty = qty + (held.qty if held else ZERO)
        if held is not None:
            entry = calc_average_entry([held.qty, qty], [held.entry_price, price])["average_entry_price"]
        else:
            entry = price
        self._check_tier(symbol, entry, total_qty, lev)
        cost = calc_order_cost(side, price, qty, lev, self.venue.taker_fee)
        available = self.available_balance(acc)
        if cost["order_cost"] > available:
            raise Refusal("insufficient_available_balance",
                          f"order cost is {money(cost['order_cost'])}, available {money(available)}")
        fee = money(cost["open_fee"])
        reserve = self._fee_reserve(side, price, qty, lev) if margin_mode == "isolated" else ZERO
        margin = money(cost["initial_margin"]) + reserve if margin_mode == "isolated" else ZERO
        acc.wallet -= fee + margin
        self.fees_collected += fee
        if reserve > 0:
            self.exercised.add("fee_to_close_in_position_margin")
        if held is None:
            acc.positions[(symbol, side)] = Position(symbol, side, qty, entry, lev, margin_mode, margin, reserve)
        else:
            held.qty, held.entry_price = total_qty, entry
            held.margin += margin
            held.fee_reserve += reserve
        result.detail = (result.detail + "; " if result.detail else "") + \
            f"opened {qty} {side} {symbol} at {price} ({margin_mode} {lev}x), fee {fee}"

    # ----- isolated margin ---------------------------------------------------------------------------

    def _isolated(self, symbol, side):
        self._symbol(symbol)
        legs = [p for p in self.account.positions.values() if p.symbol == symbol and side in (None, p.side)]
        if not legs:
            raise Refusal("no_open_position", f"no open position on {symbol}")
        if len(legs) > 1:
            raise Refusal("position_side_required", "both legs are open; say which side")
        if legs[0].margin_mode != "isolated":
            raise Refusal("position_not_isolated", "margin can be added or removed on isolated positions only")
        return legs[0]

    def add_margin(self, symbol, amount, side=None):
        """Move ``amount`` from the available balance into an isolated position's margin."""
        def body():
            pos = self._isolated(symbol, side)
            value = money(self._amount("amount", amount))
            if value > self.available_balance():
                raise Refusal("insufficient_available_balance", f"available is {money(self.available_balance())}")
            self.account.wallet -= value
            pos.margin += value
            return Result(True, detail=f"added {value} margin to {pos.side} {symbol}")
        return self._run("add_margin", {"symbol": symbol, "amount": amount, "side": side}, body)

    def remove_margin(self, symbol, amount, side=None):
        """Move ``amount`` of added margin (above the initial margin) back to the wallet."""
        def body():
            pos = self._isolated(symbol, side)
            value = money(self._amount("amount", amount))
            removable = pos.margin - pos.fee_reserve - money(initial_margin(pos.entry_price, pos.qty, pos.leverage))
            if value > removable:
                raise Refusal("insufficient_removable_margin", f"at most {max(removable, ZERO)} can be removed")
            self.account.wallet += value
            pos.margin -= value
            return Result(True, detail=f"removed {value} margin from {pos.side} {symbol}")
        return self._run("remove_margin", {"symbol": symbol, "amount": amount, "side": side}, body)

    # ----- funding and time --------------------------------------------------------------------------

    def funding(self, symbol, rate):
        """Settle one funding interval on ``symbol`` at its mark for every account (§1.9): positive rate,
        longs pay. Isolated: paid from and received into the position margin where the venue sources
        ``funding_in_isolated_margin`` (Binance); else paid from the available balance, then the position
        margin (where the venue sources ``funding_from_position_margin``). The margin goes below zero only
        where the venue sources ``isolated_margin_below_zero`` (elsewhere it stops at zero); the engine then
        liquidates the position unless its profit covers maintenance. Cross and the rest: from the wallet;
        where the venue is ``never_negative`` a payment is capped at the wallet's positive balance."""
        def body():
            self._symbol(symbol)
            funding_rate = to_decimal("rate", rate)
            if symbol not in self.marks:
                raise Refusal("no_mark_price", f"{symbol} has no mark price yet")
            mark = self.marks[symbol]
            paid = received = ZERO
            for acc in self.accounts.values():
                for pos in list(acc.positions.values()):
                    if pos.symbol != symbol:
                        continue
                    fee = money(calc_funding_fee(pos.side, pos.qty, mark, funding_rate)["funding_fee"])
                    if fee < 0:
                        if pos.margin_mode == "isolated" and self.venue.does("funding_in_isolated_margin"):
                            self.exercised.add("funding_in_isolated_margin")
                            pos.margin -= fee
                        else:
                            acc.wallet -= fee
                        received -= fee
                    elif fee > 0:
                        paid += self._pay_funding(acc, pos, fee)
            self.counterparty_wallet += paid - received
            return Result(True, detail=f"{symbol} funding at {funding_rate}: paid {paid}, received {received}")
        return self._run("funding", {"symbol": symbol, "rate": rate}, body)

    def _pay_funding(self, acc, pos, fee):
        if pos.margin_mode == "isolated" and self.venue.does("funding_in_isolated_margin"):
            self.exercised.add("funding_in_isolated_margin")
            return self._take_from_margin(pos, fee)
        if pos.margin_mode == "isolated" and self.venue.does("funding_from_position_margin"):
            from_wallet = min(fee, max(ZERO, money(self.available_balance(acc))))
            acc.wallet -= from_wallet
            if fee > from_wallet:
                self.exercised.add("funding_from_position_margin")
                return from_wallet + self._take_from_margin(pos, fee - from_wallet)
            return fee
        if self.venue.does("never_negative") and fee > max(ZERO, acc.wallet):
            self.exercised.add("never_negative")
            fee = max(ZERO, acc.wallet)
        acc.wallet -= fee
        return fee

    def _take_from_margin(self, pos, amount):
        """Take ``amount`` of funding from an isolated position margin; returns what was taken. Where the
        venue does not source ``isolated_margin_below_zero`` the margin stops at zero (the rest is not
        collected) and the engine then liquidates the position unless its profit covers maintenance."""
        if amount > pos.margin and not self.venue.does("isolated_margin_below_zero"):
            amount = max(ZERO, pos.margin)
        pos.margin -= amount
        if pos.margin < 0:
            self.exercised.add("isolated_margin_below_zero")
        return amount

    def advance_hours(self, hours):
        """Advance the clock; under ``bybit-uta`` each hour charges interest on borrowed USDT (§1.10)."""
        def body():
            if isinstance(hours, bool) or not isinstance(hours, int) or not 0 < hours <= MAX_HOURS:
                raise ValueError(f"hours must be a whole number from 1 to {MAX_HOURS}")
            charged = ZERO
            for _ in range(hours):
                for acc in self.accounts.values():
                    charged += self._charge_interest(acc)
            self.hours += hours
            return Result(True, detail=f"advanced {hours} h, interest charged {charged}",
                          data={"interest": charged})
        return self._run("advance_hours", {"hours": hours}, body)

    def interest_base(self, acc):
        """Borrowed USDT that bears interest this hour (0 unless the venue charges interest).

        Simplification of Bybit's UTA rule: the realised debt (negative wallet) always bears interest;
        borrowing caused by unrealised losses of cross positions (equity below zero while the wallet is
        not) bears interest only above the venue's interest-free amount. A venue that sources no debt
        charges none: a wallet below zero there is funding taken while unrealised profit holds the
        position open, not a borrowing.
        """
        if not self.venue.can_go_negative:
            return ZERO
        debt = max(ZERO, -acc.wallet)
        borrowed = max(ZERO, -(acc.wallet + self.unrealised_pnl(acc, "cross")))
        if debt == 0 and borrowed == 0:
            return ZERO
        self.exercised.add("debt_interest")
        from_unrealised = max(ZERO, borrowed - debt)
        if from_unrealised > 0 and self.venue.interest_free_amount > 0:
            self.exercised.add("interest_free_amount")
        if self.venue.hourly_interest_rate == 0:
            return ZERO
        return debt + max(ZERO, from_unrealised - self.venue.interest_free_amount)

    def _charge_interest(self, acc):
        interest = money(self.interest_base(acc) * self.venue.hourly_interest_rate)
        acc.wallet -= interest
        acc.interest_paid += interest
        self.interest_collected += interest
        return interest

