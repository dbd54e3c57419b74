"""Calculators for one linear (USDT-settled) position: liquidation, order cost, PnL, target price,
maximum position, funding fee and gap loss.

Each ``calc_*`` function is the compiled entry point of one catalogue calculator: it takes the inputs
positionally in catalogue order and returns a dict keyed by output name. Sources and worked examples:
``shared/reference/exchange-mechanics.md`` §1-§3.
"""

from .checks import (
    require_above,
    require_at_least,
    require_below,
    require_finite,
)
from .margin import (
    bankruptcy_price,
    close_fee,
    initial_margin,
    liquidation_price_binance,
    liquidation_price_bybit,
    maintenance_margin,
    open_fee,
    position_value,
    require_non_negative,
    require_positive,
    require_rate,
    side_sign,
)


def check_position(side, entry_price, qty, leverage):
    """Validate the inputs every position calculator shares, in catalogue order; return the side sign.

    ``leverage`` must be at least 1: below that the bankruptcy price of a long would be negative.
    """
    s = side_sign(side)
    require_finite("entry_price", entry_price)
    require_positive("entry_price", entry_price)
    require_finite("qty", qty)
    require_positive("qty", qty)
    require_finite("leverage", leverage)
    require_at_least("leverage", leverage, 1, "1")
    return s


def check_fee_rate(name, rate):
    """Validate a fee rate given as a fraction (0.00055 = 0.055%): finite, at least 0, below 1."""
    require_finite(name, rate)
    require_rate(name, rate)


def calc_liquidation_price(side, entry_price, qty, leverage, mmr, mm_deduction, extra_margin, formula):
    """Isolated-margin liquidation price of a linear position (USDT).

    ``formula == "bybit"``: ``LP = EP -/+ (IM - MM)/Q -/+ extra/Q`` with MM valued at the entry price
    (Bybit "Liquidation Price (USDT Contract)", §1.4). ``formula == "binance"``: one-way isolated form
    ``LP = (Q·EP -/+ (IM + extra + cum)) / (Q·(1 -/+ MMR))``, maintenance valued at the liquidation price
    (Binance USDⓈ-M liquidation FAQ, §2.1). Neither includes the fee to close.

    Outputs: ``initial_margin = EP·Q/L``; ``maintenance_margin = EP·Q·MMR - mm_deduction`` (at the entry
    price); ``bankruptcy_price = EP·(1 -/+ 1/L)`` from the initial margin alone (added margin is not
    included, Bybit §1.5); ``distance_pct`` = the adverse move from entry to the liquidation price, in % of
    entry (negative: the position is already past it). A liquidation price at or below 0 means a fall in
    price alone cannot liquidate the position; it is shown as computed.
    """
    s = check_position(side, entry_price, qty, leverage)
    require_finite("mmr", mmr)
    require_rate("mmr", mmr)
    require_finite("mm_deduction", mm_deduction)
    require_non_negative("mm_deduction", mm_deduction)
    require_finite("extra_margin", extra_margin)
    if formula == "binance" and not (qty * (1 - s * mmr) > 0):
        # Only for absurd sizes (below 1e-300): keeps Python (ZeroDivisionError) and JS (Infinity) in step
        raise ValueError("qty is too small: the denominator rounds to 0")
    if formula == "bybit":
        lp = liquidation_price_bybit(side, entry_price, qty, leverage, mmr, mm_deduction, extra_margin)
    elif formula == "binance":
        lp = liquidation_price_binance(side, entry_price, qty, leverage, mmr, mm_deduction, extra_margin)
    else:
        raise ValueError("formula must be bybit or binance")
    return {
        "initial_margin": initial_margin(entry_price, qty, leverage),
        "maintenance_margin": maintenance_margin(position_value(entry_price, qty), mmr, mm_deduction),
        "bankruptcy_price": bankruptcy_price(side, entry_price, leverage),
        "liquidation_price": lp,
        "distance_pct": s * (entry_price - lp) * 100 / entry_price,
    }


def calc_order_cost(side, price, qty, leverage, taker_fee):
    """Order cost of a new linear position, Bybit's form (USDT).

    ``order_cost = IM + fee to open + fee to close`` with ``IM = P·Q/L``, ``open_fee = P·Q·fee`` and
    ``close_fee = Q·P·(1 -/+ 1/L)·fee``: the taker fee reserved at the bankruptcy price.
    Bybit "Order Cost (USDT Contract)", §1.2; worked example #7 (5,052.25 USDT).
    """
    side_sign(side)
    require_finite("price", price)
    require_positive("price", price)
    require_finite("qty", qty)
    require_positive("qty", qty)
    require_finite("leverage", leverage)
    require_at_least("leverage", leverage, 1, "1")
    check_fee_rate("taker_fee", taker_fee)
    im = initial_margin(price, qty, leverage)
    fee_open = open_fee(price, qty, taker_fee)
    fee_close = close_fee(side, price, qty, leverage, taker_fee)
    return {
        "initial_margin": im,
        "open_fee": fee_open,
        "close_fee": fee_close,
        "order_cost": im + fee_open + fee_close,
    }


def calc_pnl(side, entry_price, exit_price, qty, leverage, taker_fee):
    """Profit and loss of a linear position closed (or marked) at ``exit_price`` (USDT, %).

    * ``pnl`` is gross: ``Q·(exit - entry)`` long, ``Q·(entry - exit)`` short (Bybit P&L FAQ, §1.7).
    * ``initial_margin = entry·Q/L``.
    * ``close_fee`` is the fee Bybit reserves to close at the bankruptcy price, ``Q·entry·(1 -/+ 1/L)·fee``.
    * ``roi_pct = pnl / (initial_margin + close_fee) · 100``: Bybit's position margin includes that fee
      (§1.7 ROI denominator; example #16).
    * ``open_fee = entry·Q·fee`` and ``exit_fee = exit·Q·fee`` are the taker fees actually paid on both legs.
    * ``net_pnl = pnl - open_fee - exit_fee`` (funding is not included).
    """
    s = side_sign(side)
    require_finite("entry_price", entry_price)
    require_positive("entry_price", entry_price)
    require_finite("exit_price", exit_price)
    require_positive("exit_price", exit_price)
    require_finite("qty", qty)
    require_positive("qty", qty)
    require_finite("leverage", leverage)
    require_at_least("leverage", leverage, 1, "1")
    check_fee_rate("taker_fee", taker_fee)
    gross = s * qty * (exit_price - entry_price)
    im = initial_margin(entry_price, qty, leverage)
    fee_close = close_fee(side, entry_price, qty, leverage, taker_fee)
    fee_open = open_fee(entry_price, qty, taker_fee)
    fee_exit = open_fee(exit_price, qty, taker_fee)
    if not (im + fee_close > 0):
        # Only for absurd sizes: keeps Python (ZeroDivisionError) and JS (Infinity) in step
        raise ValueError("qty is too small: the initial margin rounds to 0")
    return {
        "pnl": gross,
        "initial_margin": im,
        "close_fee": fee_close,
        "roi_pct": gross * 100 / (im + fee_close),
        "open_fee": fee_open,
        "exit_fee": fee_exit,
        "net_pnl": gross - fee_open - fee_exit,
    }


def calc_target_price(side, entry_price, leverage, target_roi_pct):
    """Exit price that gives ``target_roi_pct`` return on the initial margin (USDT).

    Long ``entry·(1 + ROI/L)``, short ``entry·(1 - ROI/L)`` with ROI as a fraction (Binance futures
    calculator, §2.3). ROI here is PnL over the initial margin only, without Bybit's reserved close fee.
    A long cannot lose more than 100·L % before the price reaches 0, a short cannot gain more than 100·L %.
    """
    s = side_sign(side)
    require_finite("entry_price", entry_price)
    require_positive("entry_price", entry_price)
    require_finite("leverage", leverage)
    require_at_least("leverage", leverage, 1, "1")
    require_finite("target_roi_pct", target_roi_pct)
    if s > 0:
        require_above("target_roi_pct", target_roi_pct, -100 * leverage, "-100 x leverage for a long")
    else:
        require_below("target_roi_pct", target_roi_pct, 100 * leverage, "100 x leverage for a short")
    return {"target_price": entry_price * (100 * leverage + s * target_roi_pct) / (100 * leverage)}


def calc_max_position(side, balance, price, leverage, taker_fee):
    """Largest quantity whose Bybit order cost fits in ``balance`` (coins, USDT).

    Cost per coin = ``P/L + P·fee + P·(1 -/+ 1/L)·fee`` (initial margin, fee to open, fee to close at the
    bankruptcy price; Bybit "Order Cost", §1.2). ``max_qty = balance / cost per coin``, not rounded to the
    venue's quantity step; ``order_cost = max_qty · cost per coin``.
    """
    side_sign(side)
    require_finite("balance", balance)
    require_positive("balance", balance)
    require_finite("price", price)
    require_positive("price", price)
    require_finite("leverage", leverage)
    require_at_least("leverage", leverage, 1, "1")
    check_fee_rate("taker_fee", taker_fee)
    per_coin = initial_margin(price, 1, leverage) + open_fee(price, 1, taker_fee)
    per_coin = per_coin + close_fee(side, price, 1, leverage, taker_fee)
    if not (per_coin > 0):
        # Only for absurd price/leverage pairs: keeps Python (ZeroDivisionError) and JS (Infinity) in step
        raise ValueError("price is too small for this leverage: the cost per coin rounds to 0")
    qty = balance / per_coin
    return {"max_qty": qty, "order_cost": qty * per_coin}


def calc_funding_fee(side, qty, mark_price, funding_rate):
    """Funding payment for one interval (USDT): positive is paid, negative is received.

    ``fee = side · Q · mark price · rate`` with side +1 long, -1 short: with a positive rate longs pay
    shorts (Bybit "Funding Fee Calculation" §1.9; Binance §2.4, "Nominal Value of Positions × Funding Rate").
    """
    s = side_sign(side)
    require_finite("qty", qty)
    require_positive("qty", qty)
    require_finite("mark_price", mark_price)
    require_positive("mark_price", mark_price)
    require_finite("funding_rate", funding_rate)
    require_above("funding_rate", funding_rate, -1, "-1")
    require_below("funding_rate", funding_rate, 1, "1")
    return {"funding_fee": s * qty * mark_price * funding_rate}


def calc_gap_loss(side, entry_price, qty, leverage, margin_mode, wallet_balance, fill_price, insurance_fund):
    """Who pays when a liquidation fills at ``fill_price`` (USDT).

    * ``loss = Q·(entry - fill)`` long, ``Q·(fill - entry)`` short (negative would be a gain).
    * The margin at stake is the initial margin ``entry·Q/L`` (isolated) or the whole ``wallet_balance``
      (cross). A liquidated position is settled at its bankruptcy price, so the trader loses all of it:
      ``margin_lost`` = that margin (Bybit "Insurance Fund", §1.10; a better fill's remainder goes to the fund).
    * The loss beyond that margin is taken from ``insurance_fund`` first:
      ``insurance_fund_covers = min(shortfall, insurance_fund)``.
    * What the fund cannot cover is charged to the account: ``balance_after = wallet_balance - margin_lost -
      uncovered`` may be negative, and ``deposit_to_clear = max(0, -balance_after)``.

    ``wallet_balance`` includes the position's margin; in isolated mode it must be at least the initial margin.
    """
    s = check_position(side, entry_price, qty, leverage)
    if margin_mode != "isolated" and margin_mode != "cross":
        raise ValueError("margin_mode must be isolated or cross")
    require_finite("wallet_balance", wallet_balance)
    require_non_negative("wallet_balance", wallet_balance)
    require_finite("fill_price", fill_price)
    require_positive("fill_price", fill_price)
    require_finite("insurance_fund", insurance_fund)
    require_non_negative("insurance_fund", insurance_fund)
    im = initial_margin(entry_price, qty, leverage)
    if margin_mode == "isolated":
        if wallet_balance < im:
            raise ValueError("wallet_balance must be at least the initial margin in isolated mode")
        margin = im
    else:
        margin = wallet_balance
    loss = s * qty * (entry_price - fill_price)
    shortfall = max(loss - margin, 0)
    covered = min(shortfall, insurance_fund)
    balance_after = wallet_balance - margin - (shortfall - covered)
    return {
        "loss": loss,
        "margin_lost": margin,
        "insurance_fund_covers": covered,
        "balance_after": balance_after,
        "deposit_to_clear": max(-balance_after, 0),
    }
