"""The liquidation engine: triggers, settlement at the bankruptcy price, the insurance fund, and the
venue's policy for a deficit the fund cannot cover (negative balance or auto-deleveraging).

Money flows (each one a balanced transfer, so the books stay exact):

* The liquidated position is closed against the counterparty at the fill price: the counterparty's
  wallet takes ``-pnl_at_fill``.
* The trader loses the position's margin (isolated) or the cross wallet's positive balance: the position
  is settled at its bankruptcy price. What is left over (``margin + pnl_at_fill > 0``) goes to the
  insurance fund (Bybit "Insurance Fund": "the remaining margin will be added to the insurance fund").
* A deficit is paid by the fund as far as it goes; the rest by the venue policy: the trader's wallet
  (``bybit-classic``, ``bybit-uta``), or, under ``never-negative``, the opposing side by auto-deleveraging.
"""

from decimal import Decimal

from calculators.formulas.margin import initial_margin, maintenance_margin, position_value
from calculators.formulas.positions import calc_liquidation_price, calc_pnl

from .state import ZERO, money


def pnl_at(venue, position, price):
    """Unrealised (or realised) PnL of ``position`` at ``price``, unrounded (Bybit P&L FAQ, §1.7)."""
    return calc_pnl(position.side, position.entry_price, price, position.qty, position.leverage,
                    venue.taker_fee)["pnl"]


def isolated_extra_margin(position):
    """Margin above the initial margin of an isolated position (added margin; negative after funding)."""
    return position.margin - initial_margin(position.entry_price, position.qty, position.leverage)


def isolated_prices(venue, position):
    """The calculator's ``liquidation-price`` outputs for an isolated position, using the venue's formula
    and the tier of its entry value, with ``extra_margin`` = its margin above the initial margin."""
    tier = venue.tier_for(position_value(position.entry_price, position.qty)) or venue.tiers[-1]
    return calc_liquidation_price(position.side, position.entry_price, position.qty, position.leverage,
                                  tier.mmr, tier.mm_deduction, isolated_extra_margin(position),
                                  venue.liquidation_formula)


def settlement_price(venue, position):
    """The price at which an isolated position's whole margin (initial plus added) is used up.

    With no added margin this equals ``bankruptcy_price`` (Bybit §1.5); in general it is Bybit's
    liquidation-price form with a zero maintenance rate: ``EP -/+ (IM + extra)/Q``.
    """
    tier_free = calc_liquidation_price(position.side, position.entry_price, position.qty, position.leverage,
                                       Decimal(0), Decimal(0), isolated_extra_margin(position), "bybit")
    return tier_free["liquidation_price"]


def position_mm(venue, position, price):
    """Maintenance margin of ``position`` valued at ``price`` with its tier's rate and deduction (§1.1)."""
    value = position_value(price, position.qty)
    tier = venue.tier_for(value) or venue.tiers[-1]
    return maintenance_margin(value, tier.mmr, tier.mm_deduction)


def isolated_triggered(venue, position, mark):
    """True when ``mark`` has reached the position's liquidation price (Bybit: "when the Mark Price
    reaches the liquidation price", §1.4): long ``mark <= LP``, short ``mark >= LP``."""
    lp = isolated_prices(venue, position)["liquidation_price"]
    return mark <= lp if position.side == "long" else mark >= lp


def cross_state(ex, account):
    """(margin balance, total maintenance margin) of the account's cross positions at the marks."""
    upnl = ZERO
    mm = ZERO
    for pos in account.positions.values():
        if pos.margin_mode == "cross":
            mark = ex.marks[pos.symbol]
            upnl += pnl_at(ex.venue, pos, mark)
            mm += position_mm(ex.venue, pos, mark)
    return account.wallet + upnl, mm


def run_engine(ex, fills):
    """Liquidate every position the current marks trigger; ``fills`` maps symbol -> fill price (default
    the mark). Returns the list of event dicts (liquidations and deleveraging)."""
    events = []
    for account in list(ex.accounts.values()):
        for key, pos in list(account.positions.items()):
            if key in account.positions and pos.margin_mode == "isolated":
                if isolated_triggered(ex.venue, pos, ex.marks[pos.symbol]):
                    events += _liquidate_isolated(ex, account, key, fills)
        has_cross = any(p.margin_mode == "cross" for p in account.positions.values())
        if has_cross:
            balance, mm = cross_state(ex, account)
            if balance <= mm:
                events += _liquidate_cross(ex, account, fills)
    return events


def _fill(ex, symbol, fills):
    return fills.get(symbol, ex.marks[symbol])


def _liquidate_isolated(ex, account, key, fills):
    pos = account.positions.pop(key)
    fill = _fill(ex, pos.symbol, fills)
    pnl = money(pnl_at(ex.venue, pos, fill))
    ex.counterparty_wallet -= pnl
    outcome = pos.margin + pnl
    account.liquidations += 1
    event = {"event": "liquidation", "account": account.name, "margin_mode": "isolated",
             "position": pos.summary(), "fill": fill,
             "settled_at": settlement_price(ex.venue, pos), "margin_lost": pos.margin}
    return _settle(ex, account, outcome, [(pos, fill)], event, fills)


def _liquidate_cross(ex, account, fills):
    closed = []
    pnl_total = ZERO
    for key, pos in list(account.positions.items()):
        if pos.margin_mode == "cross":
            fill = _fill(ex, pos.symbol, fills)
            pnl = money(pnl_at(ex.venue, pos, fill))
            ex.counterparty_wallet -= pnl
            pnl_total += pnl
            closed.append((account.positions.pop(key), fill))
    # Settled at the bankruptcy price: the cross wallet's balance is used up. A debt the account already
    # had stays its own under the debt policies; never-negative takes it into the deficit.
    base = account.wallet if ex.venue.policy == "never-negative" else max(account.wallet, ZERO)
    account.wallet -= base
    account.liquidations += 1
    event = {"event": "liquidation", "account": account.name, "margin_mode": "cross",
             "position": "; ".join(p.summary() for p, _ in closed), "fill": closed[0][1],
             "margin_lost": base}
    return _settle(ex, account, base + pnl_total, closed, event, fills)


def _settle(ex, account, outcome, closed, event, fills):
    """Apply a liquidation's outcome: surplus to the fund, deficit to the fund then the policy."""
    events = [event]
    if outcome >= 0:
        ex.insurance_fund += outcome
        event.update(to_fund=outcome, from_fund=ZERO, uncovered=ZERO, fund_after=ex.insurance_fund)
        return events
    deficit = -outcome
    from_fund = min(ex.insurance_fund, deficit)
    ex.insurance_fund -= from_fund
    rest = deficit - from_fund
    event.update(to_fund=ZERO, from_fund=from_fund, uncovered=rest, fund_after=ex.insurance_fund)
    if rest == 0:
        return events
    if ex.venue.policy == "never-negative":
        # The counterparty's books take the rest: the opposing side ends with less profit. Opposing
        # trader positions are also closed at the bankruptcy price (auto-deleveraging) in ADL rank order.
        ex.counterparty_wallet -= rest
        ex.adl_covered += rest
        events += _deleverage(ex, closed, deficit, rest, fills)
    else:
        account.wallet -= rest
    return events


def adl_rank(ex, account, pos):
    """ADL ranking score of an opposing position (Poloniex's published form, §1.10): profit % times
    effective leverage, where profit % = PnL / entry value and effective leverage = mark value /
    (margin backing the position: its isolated margin, or the account's cross margin balance, plus PnL)."""
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


def _deleverage(ex, closed, deficit, rest, fills):
    """Close opposing profitable positions at the liquidated position's bankruptcy price, best ADL rank
    first, for the share of the liquidated quantity the fund did not cover. Returns ADL events."""
    pos, fill = closed[0]
    for candidate, candidate_fill in closed:
        if candidate.symbol in fills:
            pos, fill = candidate, candidate_fill
    s = pos.sign()
    bankrupt = fill + s * deficit / pos.qty  # the price at which this liquidation has no deficit
    if bankrupt <= 0:
        return []
    wanted = pos.qty * rest / deficit
    candidates = []
    for account in ex.accounts.values():
        for opp in account.positions.values():
            if opp.symbol == pos.symbol and opp.side != pos.side:
                mark = ex.marks[opp.symbol]
                if pnl_at(ex.venue, opp, mark) > 0 and pnl_at(ex.venue, opp, bankrupt) >= 0:
                    candidates.append((adl_rank(ex, account, opp), account, opp))
    candidates.sort(key=lambda item: -item[0])
    events = []
    for _rank, account, opp in candidates:
        if wanted <= 0:
            break
        qty = min(opp.qty, wanted)
        wanted -= qty
        realised = money(calc_pnl(opp.side, opp.entry_price, bankrupt, qty, opp.leverage,
                                  ex.venue.taker_fee)["pnl"])
        released = ZERO
        if opp.margin_mode == "isolated":
            released = opp.margin if qty == opp.qty else money(opp.margin * qty / opp.qty)
            opp.margin -= released
        account.wallet += released + realised
        ex.counterparty_wallet -= realised
        opp.qty -= qty
        if opp.qty == 0:
            del account.positions[(opp.symbol, opp.side)]
        ex.adl_count += 1
        events.append({"event": "adl", "account": account.name, "symbol": opp.symbol, "side": opp.side,
                       "qty": qty, "price": bankrupt, "realised_pnl": realised})
    return events
