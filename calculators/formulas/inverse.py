"""Coin-margined (inverse) contracts: quantity in USD contracts, margin, fees and PnL in the coin.

A position of ``Q`` USD contracts at price ``P`` is worth ``Q/P`` coins. Bybit "Initial Margin (Inverse
Contract)", "Order Cost" (inverse column), "P&L Calculations (Inverse Contracts)"; the same maths as
BitMEX ("Inverse Perpetuals Guide") and Deribit. Binance COIN-M calculator for the target price.
See ``shared/reference/exchange-mechanics.md`` §1.2, §1.4, §1.5, §1.7, §2.3.
"""

from .checks import (
    require_above,
    require_all_positive,
    require_below,
    require_finite,
    require_number_list,
    require_same_length,
)
from .margin import require_non_negative, require_positive, require_rate
from .positions import (
    check_fee_rate,
    check_liquidation_inputs,
    check_maintenance,
    check_position,
    check_target_inputs,
)


def calc_inverse_order_cost(side, price, contracts, leverage, taker_fee):
    """Order cost of a new inverse position (coin): initial margin plus the fees to open and to close.

    ``IM = (Q/P)/L``; ``open_fee = (Q/P)·fee``; ``close_fee`` is the taker fee at the bankruptcy price:
    ``(Q/P)·(1 + 1/L)·fee`` for a buy and ``(Q/P)·(1 - 1/L)·fee`` for a sell (the factors swap against the
    linear form because the bankruptcy price is ``P·L/(L ± 1)``). Bybit "Order Cost", inverse column, §1.2.
    """
    s = check_position(side, "price", price, "contracts", contracts, leverage)
    check_fee_rate("taker_fee", taker_fee)
    value = contracts / price
    im = value / leverage
    fee_open = value * taker_fee
    fee_close = value * (1 + s / leverage) * taker_fee
    return {"position_value": value, "initial_margin": im, "open_fee": fee_open, "close_fee": fee_close,
            "order_cost": im + fee_open + fee_close}


def calc_inverse_pnl(side, entry_price, exit_price, contracts, leverage, open_fee_rate, exit_fee_rate):
    """Profit and loss of an inverse position closed (or marked) at ``exit_price`` (coin, %).

    * ``pnl = Q·(1/entry - 1/exit)`` long, ``Q·(1/exit - 1/entry)`` short (Bybit P&L FAQ, §1.7; BitMEX).
    * ``initial_margin = (Q/entry)/L``; ``roi_pct = pnl / initial_margin · 100`` (Binance COIN-M calculator,
      ``side·(1 - entry/exit)·L``); ``pnl_pct_of_value = pnl / (Q/entry) · 100``.
    * ``open_fee = (Q/entry)·open rate``, ``exit_fee = (Q/exit)·exit rate``: each leg's fee on its own
      value (Deribit example); ``net_pnl = pnl - open_fee - exit_fee``.
    """
    s = check_position(side, "entry_price", entry_price, "contracts", contracts, leverage)
    require_finite("exit_price", exit_price)
    require_positive("exit_price", exit_price)
    check_fee_rate("open_fee_rate", open_fee_rate)
    check_fee_rate("exit_fee_rate", exit_fee_rate)
    value = contracts / entry_price
    gross = s * (value - contracts / exit_price)
    im = value / leverage
    if not (im > 0):
        # Only for absurd sizes: keeps Python (ZeroDivisionError) and JS (Infinity) in step
        raise ValueError("contracts is too small: the initial margin rounds to 0")
    fee_open = value * open_fee_rate
    fee_exit = contracts / exit_price * exit_fee_rate
    return {
        "pnl": gross,
        "initial_margin": im,
        "roi_pct": gross * 100 / im,
        "pnl_pct_of_value": gross * 100 / value,
        "open_fee": fee_open,
        "exit_fee": fee_exit,
        "net_pnl": gross - fee_open - fee_exit,
    }


def calc_inverse_target_price(side, entry_price, leverage, target_roi_pct):
    """Exit price that gives ``target_roi_pct`` return on the initial margin of an inverse position (USD).

    Binance COIN-M calculator: ``target = side·entry / (side - ROI·IMR)`` with ROI a fraction and
    ``IMR = 1/L``: long ``entry / (1 - ROI/L)``, short ``entry / (1 + ROI/L)`` (§2.3). A long's return stays
    below ``100·L`` % (the price would have to be infinite), a short cannot lose ``100·L`` % or more.
    """
    s = check_target_inputs(side, entry_price, leverage, target_roi_pct)
    if s > 0:
        require_below("target_roi_pct", target_roi_pct, 100 * leverage, "100 x leverage for a long")
    else:
        require_above("target_roi_pct", target_roi_pct, -100 * leverage, "-100 x leverage for a short")
    return {"target_price": entry_price * 100 * leverage / (100 * leverage - s * target_roi_pct)}


def calc_inverse_liquidation_price(side, entry_price, contracts, leverage, mmr, mm_deduction, extra_margin,
                                   formula):
    """Isolated liquidation and bankruptcy price of an inverse position (USD), margin in coin.

    Margin ``W = (Q/EP)/L + extra``. Equity at price ``P`` is ``W + s·(Q/EP - Q/P)``.

    * ``bankruptcy_price`` (0% margin, extra included): ``Q / (Q/EP + W)`` long, ``Q / (Q/EP - W)`` short.
    * ``formula == "bybit"``: maintenance valued at entry, ``MM = (Q/EP)·MMR - deduction``; long
      ``LP = Q / (Q/EP + W - MM)``, short ``LP = Q / (Q/EP - W + MM)`` (Bybit "Liquidation Price (Inverse)").
    * ``formula == "binance"``: maintenance valued at the liquidation price, ``MM = (Q/LP)·MMR - deduction``;
      long ``LP = Q·(1 + MMR) / (Q/EP + W + deduction)``, short ``LP = Q·(1 - MMR) / (Q/EP - W - deduction)``
      (Binance COIN-M FAQ; Bybit UTA isolated inverse without its fee terms; Kraken's equity protection).

    A short whose margin covers any rise has no liquidation price and is refused with a message, as are a
    rate at or above ``1/L``, a deduction above ``value·MMR`` and margin at or below the maintenance margin.
    """
    s = check_position(side, "entry_price", entry_price, "contracts", contracts, leverage)
    check_liquidation_inputs(mmr, mm_deduction, extra_margin, formula)
    value = contracts / entry_price
    check_maintenance(value, leverage, mmr, mm_deduction, extra_margin)
    im = value / leverage
    margin = im + extra_margin
    mm_entry = value * mmr - mm_deduction
    if s > 0:
        bankruptcy = contracts / (value + margin)
    elif value - margin > 0:
        bankruptcy = contracts / (value - margin)
    else:
        raise ValueError("extra_margin covers any rise in price: this short has no bankruptcy or liquidation price")
    if formula == "bybit":
        lp = contracts / (value + s * (margin - mm_entry))
        mm = mm_entry
    else:
        denominator = value + s * (margin + mm_deduction)
        if not (denominator > 0):
            raise ValueError("extra_margin covers any rise in price: this short has no liquidation price")
        lp = contracts * (1 + s * mmr) / denominator
        mm = contracts / lp * mmr - mm_deduction
    return {
        "position_value": value,
        "initial_margin": im,
        "maintenance_margin": mm,
        "bankruptcy_price": bankruptcy,
        "liquidation_price": lp,
        "distance_pct": s * (entry_price - lp) * 100 / entry_price,
    }


def calc_inverse_average_entry(contracts, prices):
    """Average entry price of several inverse fills (USD): total contracts over total value in coin.

    ``average = Σ Q / Σ (Q/P)`` (Bybit "P&L Calculations (Inverse Contracts)": 1,000 @ 5,000 and 2,000 @
    6,000 give 5,625). ``total_value`` is ``Σ Q/P`` in coin.
    """
    check_fills(contracts, prices)
    total = 0
    value = 0
    for i in range(len(contracts)):
        total = total + contracts[i]
        value = value + contracts[i] / prices[i]
    return {"average_entry_price": total / value, "total_contracts": total, "total_value": value}


def check_fills(contracts, prices):
    """Validate two paired lists of positive numbers (contracts and prices)."""
    require_number_list("contracts", contracts)
    require_all_positive("contracts", contracts)
    require_number_list("prices", prices)
    require_same_length("prices", prices, "contracts", contracts)
    require_all_positive("prices", prices)


def calc_inverse_cross_liquidation_price(side, entry_price, contracts, balance, order_margin, mmr, taker_fee):
    """Cross-margin bankruptcy and liquidation price of an inverse position with the fee to close (USD).

    Bybit's older inverse cross formula ("How to calculate Liquidation Price (Inverse Contract)"): with
    ``B`` the account balance and ``OM`` the margin of open orders (coin), the position is bankrupt when the
    equity left equals the fee to close at that price:
    long ``BP = (1 + fee)·Q / (Q/EP + B - OM)`` (as published), short ``BP = (1 - fee)·Q / (Q/EP - (B - OM))``
    (the same condition solved for a short); and liquidated when
    ``Q·(1/EP - 1/LP) = -(B - OM - (Q/EP)·MMR - Q·fee/BP)`` for a long, ``Q·(1/LP - 1/EP) = ...`` for a short.
    Bybit's worked example shows prices rounded to its 0.5 tick.
    """
    s = check_position(side, "entry_price", entry_price, "contracts", contracts, 1)
    require_finite("balance", balance)
    require_positive("balance", balance)
    require_finite("order_margin", order_margin)
    require_non_negative("order_margin", order_margin)
    require_finite("mmr", mmr)
    require_rate("mmr", mmr)
    check_fee_rate("taker_fee", taker_fee)
    value = contracts / entry_price
    free = balance - order_margin
    if not (free > value * mmr):
        raise ValueError("order_margin leaves the account at or below its maintenance margin: it would be "
                         "liquidated at once")
    if not (value + s * free > 0):
        raise ValueError("balance covers any rise in price: this short has no bankruptcy or liquidation price")
    bankruptcy = (1 + s * taker_fee) * contracts / (value + s * free)
    cushion = free - value * mmr - contracts * taker_fee / bankruptcy
    if not (cushion > 0):
        raise ValueError("balance does not cover the maintenance margin and the fee to close: the position "
                         "would be liquidated at once")
    lp = contracts / (value + s * cushion)
    return {
        "position_value": value,
        "bankruptcy_price": bankruptcy,
        "liquidation_price": lp,
        "distance_pct": s * (entry_price - lp) * 100 / entry_price,
    }
