"""The liquidation engine: triggers, partial liquidation, settlement at the bankruptcy price, the insurance
fund, and the venue's policy for a deficit the fund cannot cover.

Money flows (each one a balanced transfer, so the books stay exact):

* The liquidated position is closed against the counterparty (the rest of the market) at the fill price:
  the counterparty's wallet takes ``-pnl_at_fill``.
* The trader loses the position's margin (isolated: all of it, including the reserved fee to close, which
  is collected as the closing fee) or the cross account's balance: the position is settled at its
  bankruptcy price. What is left over goes to the insurance fund (``fund_takes_surplus``) or back to the
  trader.
* A deficit is paid by the fund as far as it goes (``fund_covers_deficit``); the rest by the venue's
  policy: auto-deleveraging (``deficit_to_adl``: the uncovered share of the liquidated quantity is matched
  with opposing profitable positions at the bankruptcy price, so the counterparty's fill is re-priced),
  or the trader's wallet (``deficit_to_wallet``: a negative balance). What no opposing position can take
  is ``Exchange.uncovered_deficit``: the venue's own loss, shown, never hidden.
"""

from decimal import ROUND_DOWN, Decimal

from calculators.formulas.margin import initial_margin, maintenance_margin, position_value
from calculators.formulas.positions import calc_liquidation_price, calc_pnl

from .state import ZERO, money


def pnl_at(venue, position, price):
    """Unrealised (or realised) PnL of ``position`` at ``price``, unrounded (Bybit P&L FAQ, §1.7)."""
    return calc_pnl(position.side, position.entry_price, price, position.qty, position.leverage,
                    venue.taker_fee)["pnl"]


def isolated_extra_margin(position):
    """Margin above the initial margin and the reserved fee to close (added margin; negative after funding)."""
    return position.margin - position.fee_reserve - initial_margin(position.entry_price, position.qty,
                                                                   position.leverage)


def _tier(venue, position, value):
    return venue.tier_for(position.symbol, value) or venue.tiers[position.symbol][-1]


def isolated_prices(venue, position):
    """The calculator's ``liquidation-price`` outputs for an isolated position, using the venue's formula
    and the tier of its entry value, with ``extra_margin`` = its margin above initial margin + fee reserve.

    With Binance's formula the tier is re-checked at the liquidation price, as Binance's FAQ requires (and
    as ``calc_liquidation_price_tiers`` does): if the value there falls in another tier, the price is
    computed again with that tier's rate and deduction.
    """
    tier = _tier(venue, position, position_value(position.entry_price, position.qty))
    for _ in range(len(venue.tiers[position.symbol]) + 1):
        prices = calc_liquidation_price(position.side, position.entry_price, position.qty, position.leverage,
                                        tier.mmr, tier.mm_deduction, isolated_extra_margin(position),
                                        venue.liquidation_formula)
        if venue.liquidation_formula != "binance" or prices["liquidation_price"] <= 0:
            return prices
        at_lp = _tier(venue, position, position_value(prices["liquidation_price"], position.qty))
        if at_lp == tier:
            return prices
        tier = at_lp
    return prices


def settlement_price(venue, position):
    """The price at which an isolated position's margin (initial plus added, the fee reserve aside) is
    used up: with no added margin it is Bybit's bankruptcy price ``EP × (1 ∓ 1/L)`` (§1.5)."""
    tier_free = calc_liquidation_price(position.side, position.entry_price, position.qty, position.leverage,
                                       Decimal(0), Decimal(0), isolated_extra_margin(position), "bybit")
    return tier_free["liquidation_price"]


def position_mm(venue, position, price):
    """Maintenance margin of ``position`` valued at ``price`` with its tier's rate and deduction (§1.1)."""
    value = position_value(price, position.qty)
    tier = _tier(venue, position, value)
    return maintenance_margin(value, tier.mmr, tier.mm_deduction)


def isolated_triggered(venue, position, mark):
    """True when ``mark`` has reached the position's liquidation price (Bybit: "when the Mark Price
    reaches the liquidation price", §1.4): long ``mark <= LP``, short ``mark >= LP``."""
    lp = isolated_prices(venue, position)["liquidation_price"]
    return mark <= lp if position.side == "long" else mark >= lp


def cross_state(ex, account):
    """(margin balance, total maintenance margin) of the account's cross positions at the marks; the
    margin balance counts the account's other collateral (UTA)."""
    upnl = ZERO
    mm = ZERO
    for pos in account.positions.values():
        if pos.margin_mode == "cross":
            mark = ex.marks[pos.symbol]
            upnl += pnl_at(ex.venue, pos, mark)
            mm += position_mm(ex.venue, pos, mark)
    return account.wallet + account.collateral + upnl, mm


def run_engine(ex, fills):
    """Liquidate every position the current marks trigger; ``fills`` maps symbol -> fill price (default
    the mark). Returns the list of event dicts (partial liquidations, liquidations, deleveraging)."""
    events = []
    for account in list(ex.accounts.values()):
        for key, pos in list(account.positions.items()):
            if key in account.positions and pos.margin_mode == "isolated":
                if isolated_triggered(ex.venue, pos, ex.marks[pos.symbol]):
                    events += _partial(ex, account, pos, fills)
                if key in account.positions and isolated_triggered(ex.venue, pos, ex.marks[pos.symbol]):
                    events += _liquidate_isolated(ex, account, key, fills)
        has_cross = any(p.margin_mode == "cross" for p in account.positions.values())
        if has_cross:
            balance, mm = cross_state(ex, account)
            if balance <= mm:
                events += _partial_cross(ex, account, fills)
                balance, mm = cross_state(ex, account)
            if any(p.margin_mode == "cross" for p in account.positions.values()) and balance <= mm:
                events += _liquidate_cross(ex, account, fills)
    return events


def _fill(ex, symbol, fills):
    return fills.get(symbol, ex.marks[symbol])


def _partial(ex, account, pos, fills):
    """Bybit's laddered step (Liquidation Process): a triggered isolated position above tier 1 is reduced
    to the next lower tier's limit (at the fill, with the taker fee), while that leaves the trader's share
    of the margin non-negative; repeated while it is still triggered. Returns the events."""
    events = []
    venue = ex.venue
    while venue.does("partial_liquidation"):
        index = venue.tier_index(pos.symbol, position_value(pos.entry_price, pos.qty))
        if not index or not isolated_triggered(venue, pos, ex.marks[pos.symbol]):
            break
        limit = venue.tiers[pos.symbol][index - 1].limit
        keep = (limit / pos.entry_price / venue.qty_step).to_integral_value(ROUND_DOWN) * venue.qty_step
        qty = pos.qty - keep
        fill = _fill(ex, pos.symbol, fills)
        released = money(pos.margin * qty / pos.qty)
        pnl = money(calc_pnl(pos.side, pos.entry_price, fill, qty, pos.leverage, venue.taker_fee)["pnl"])
        fee = money(qty * fill * venue.taker_fee)
        if keep <= 0 or released + pnl - fee < 0:
            break
        reserve = money(pos.fee_reserve * qty / pos.qty)
        pos.margin -= released
        pos.fee_reserve -= reserve
        events.append(_book_partial(ex, account, pos, keep, fill, pnl, fee, released))
    return events


def _book_partial(ex, account, pos, keep, fill, pnl, fee, released):
    """Book one laddered step: ``pos`` keeps ``keep``; the closed part's PnL (against the counterparty),
    its taker fee and the isolated margin it ``released`` move to the wallet. Returns the event."""
    qty = pos.qty - keep
    pos.qty = keep
    account.wallet += released + pnl - fee
    account.realised_pnl += pnl
    account.partial_liquidations += 1
    ex.counterparty_wallet -= pnl
    ex.fees_collected += fee
    ex.exercised.add("partial_liquidation")
    return {"event": "partial_liquidation", "account": account.name, "symbol": pos.symbol,
            "qty": qty, "fill": fill, "position": pos.summary()}


def _partial_cross(ex, account, fills):
    """The laddered step for a triggered cross account: the largest cross position above tier 1 (by mark
    value) is reduced to the next lower tier's limit at the fill, with the taker fee, while the account's
    margin balance stays positive; repeated while the account is at or below maintenance. Returns events."""
    events = []
    venue = ex.venue
    while venue.does("partial_liquidation"):
        balance, mm = cross_state(ex, account)
        if balance > mm:
            break
        ladder = [(p, venue.tier_index(p.symbol, position_value(ex.marks[p.symbol], p.qty)))
                  for p in account.positions.values() if p.margin_mode == "cross"]
        ladder = [(p, index) for p, index in ladder if index]
        if not ladder:
            break
        pos, index = max(ladder, key=lambda item: position_value(ex.marks[item[0].symbol], item[0].qty))
        mark = ex.marks[pos.symbol]
        limit = venue.tiers[pos.symbol][index - 1].limit
        keep = (limit / mark / venue.qty_step).to_integral_value(ROUND_DOWN) * venue.qty_step
        qty = pos.qty - keep
        fill = _fill(ex, pos.symbol, fills)
        pnl = money(calc_pnl(pos.side, pos.entry_price, fill, qty, pos.leverage, venue.taker_fee)["pnl"])
        fee = money(qty * fill * venue.taker_fee)
        closed_upnl = pnl_at(venue, pos, mark) * qty / pos.qty
        if keep <= 0 or balance - closed_upnl + pnl - fee <= 0:
            break
        events.append(_book_partial(ex, account, pos, keep, fill, pnl, fee, ZERO))
    return events


def _liquidate_isolated(ex, account, key, fills):
    pos = account.positions.pop(key)
    fill = _fill(ex, pos.symbol, fills)
    pnl = money(pnl_at(ex.venue, pos, fill))
    ex.counterparty_wallet -= pnl
    account.realised_pnl += pnl
    # The reserved fee to close is the closing fee of the liquidation (Bybit "Position Margin").
    ex.fees_collected += pos.fee_reserve
    if pos.fee_reserve > 0:
        ex.exercised.add("fee_to_close_in_position_margin")
    outcome = pos.margin - pos.fee_reserve + pnl
    account.liquidations += 1
    event = {"event": "liquidation", "account": account.name, "margin_mode": "isolated",
             "position": pos.summary(), "fill": fill,
             "settled_at": settlement_price(ex.venue, pos), "margin_lost": pos.margin}
    return _settle(ex, account, outcome, [(pos, fill)], event)


def _liquidate_cross(ex, account, fills):
    closed = []
    pnl_total = ZERO
    for key, pos in list(account.positions.items()):
        if pos.margin_mode == "cross":
            fill = _fill(ex, pos.symbol, fills)
            pnl = money(pnl_at(ex.venue, pos, fill))
            ex.counterparty_wallet -= pnl
            account.realised_pnl += pnl
            pnl_total += pnl
            closed.append((account.positions.pop(key), fill))
    # Settled at the bankruptcy price: the account's balance and other collateral are used up. Where a
    # deficit stays on the wallet, a debt the account already had stays its own; elsewhere it is part of
    # the deficit (never negative, or a UTA borrowing repaid from the liquidation).
    keep_debt = ex.venue.does("deficit_to_wallet")
    if account.wallet < 0 and not keep_debt and ex.venue.does("never_negative"):
        ex.exercised.add("never_negative")
    cash = max(account.wallet, ZERO) if keep_debt else account.wallet
    base = cash + account.collateral
    account.wallet -= cash
    account.collateral = ZERO
    account.liquidations += 1
    event = {"event": "liquidation", "account": account.name, "margin_mode": "cross",
             "position": "; ".join(p.summary() for p, _ in closed), "fill": closed[0][1],
             "margin_lost": base}
    return _settle(ex, account, base + pnl_total, closed, event)


def _settle(ex, account, outcome, closed, event):
    """Apply a liquidation's outcome: surplus to the fund, deficit to the fund, then the venue's policy."""
    venue = ex.venue
    events = [event]
    if outcome >= 0:
        if venue.does("fund_takes_surplus"):
            ex.insurance_fund += outcome
            if outcome > 0:
                ex.exercised.add("fund_takes_surplus")
        else:
            account.wallet += outcome
        event.update(to_fund=outcome if venue.does("fund_takes_surplus") else ZERO, from_fund=ZERO,
                     uncovered=ZERO, fund_after=ex.insurance_fund)
        return events
    deficit = -outcome
    from_fund = min(ex.insurance_fund, deficit) if venue.does("fund_covers_deficit") else ZERO
    if from_fund > 0:
        ex.exercised.add("fund_covers_deficit")
    ex.insurance_fund -= from_fund
    rest = deficit - from_fund
    event.update(to_fund=ZERO, from_fund=from_fund, uncovered=rest, fund_after=ex.insurance_fund)
    if rest == 0:
        return events
    if venue.does("deficit_to_adl"):
        ex.exercised.add("deficit_to_adl")
        adl_events, covered = _deleverage(ex, closed, deficit, rest)
        events += adl_events
        rest -= covered
    elif venue.does("deficit_to_wallet"):
        ex.exercised.add("deficit_to_wallet")
        account.wallet -= rest
        rest = ZERO
    if rest > 0:
        if venue.does("never_negative"):
            ex.exercised.add("never_negative")
        ex.uncovered_deficit += rest
        events.append({"event": "uncovered_deficit", "account": account.name, "amount": rest})
    return events


def adl_rank(ex, account, pos):
    """ADL ranking score of an opposing position: profit % times effective leverage, where profit % =
    PnL / entry value and effective leverage = mark value / (margin backing the position: its isolated
    margin, or the account's cross margin balance). Bybit and Binance rank by profit and leverage
    together; this exact product is the model's (the venue file says so)."""
    mark = ex.marks[pos.symbol]
    pnl = pnl_at(ex.venue, pos, mark)
    pnl_pct = pnl / position_value(pos.entry_price, pos.qty)
    if pos.margin_mode == "isolated":
        backing = pos.margin + pnl
    else:
        backing, _ = cross_state(ex, account)
    if backing <= 0:
        return pnl_pct
    return pnl_pct * position_value(mark, pos.qty) / backing


def _deleverage(ex, closed, deficit, rest):
    """Match the uncovered share of the liquidated quantity with opposing profitable positions at the
    liquidated position's bankruptcy price, best ADL rank first. Each matched coin takes back
    ``deficit / qty`` from the counterparty's fill. Returns (events, amount covered)."""
    pos, fill = max(closed, key=lambda item: position_value(item[1], item[0].qty))
    s = pos.sign()
    per_coin = deficit / pos.qty
    bankrupt = fill + s * per_coin  # the price at which this liquidation has no deficit
    wanted = pos.qty * rest / deficit
    candidates = []
    for account in ex.accounts.values():
        for opp in account.positions.values():
            if opp.symbol == pos.symbol and opp.side != pos.side and bankrupt > 0:
                mark = ex.marks[opp.symbol]
                if pnl_at(ex.venue, opp, mark) > 0 and pnl_at(ex.venue, opp, bankrupt) >= 0:
                    candidates.append((adl_rank(ex, account, opp), account, opp))
    candidates.sort(key=lambda item: -item[0])
    events = []
    covered = ZERO
    for _rank, account, opp in candidates:
        if wanted <= 0:
            break
        qty = min(opp.qty, wanted)
        wanted -= qty
        share = rest - covered if wanted == 0 else money(qty * per_coin)
        covered += share
        ex.counterparty_wallet -= share
        ex.adl_covered += share
        realised = money(calc_pnl(opp.side, opp.entry_price, bankrupt, qty, opp.leverage,
                                  ex.venue.taker_fee)["pnl"])
        released = ZERO
        if opp.margin_mode == "isolated":
            released = opp.margin if qty == opp.qty else money(opp.margin * qty / opp.qty)
            reserve = opp.fee_reserve if qty == opp.qty else money(opp.fee_reserve * qty / opp.qty)
            opp.margin -= released
            opp.fee_reserve -= reserve
        account.wallet += released + realised
        account.realised_pnl += realised
        ex.counterparty_wallet -= realised
        opp.qty -= qty
        if opp.qty == 0:
            del account.positions[(opp.symbol, opp.side)]
        ex.adl_count += 1
        events.append({"event": "adl", "account": account.name, "symbol": opp.symbol, "side": opp.side,
                       "qty": qty, "price": bankrupt, "realised_pnl": realised})
    return events, covered
