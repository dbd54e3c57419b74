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
from .tiers import check_tier_table, tier_deduction, tier_index


def check_position(side, price_name, price, size_name, size, leverage):
    """Validate the inputs every position calculator shares, in catalogue order; return the side sign.

    ``price_name`` and ``size_name`` are the catalogue input names the messages start with (``entry_price``
    or ``price``; ``qty`` for linear, ``contracts`` for inverse positions). ``leverage`` must be at least 1:
    below that the bankruptcy price of a long would be negative.
    """
    s = side_sign(side)
    require_finite(price_name, price)
    require_positive(price_name, price)
    require_finite(size_name, size)
    require_positive(size_name, size)
    require_finite("leverage", leverage)
    require_at_least("leverage", leverage, 1, "1")
    return s


def check_fee_rate(name, rate):
    """Validate a fee rate given as a fraction (0.00055 = 0.055%): finite, at least 0, below 1."""
    require_finite(name, rate)
    require_rate(name, rate)


def check_liquidation_inputs(mmr, mm_deduction, extra_margin, formula):
    """Validate the isolated liquidation inputs after the position's own, in catalogue order."""
    require_finite("mmr", mmr)
    require_rate("mmr", mmr)
    require_finite("mm_deduction", mm_deduction)
    require_non_negative("mm_deduction", mm_deduction)
    require_finite("extra_margin", extra_margin)
    if formula != "bybit" and formula != "binance":
        raise ValueError("formula must be bybit or binance")


def check_maintenance(value, leverage, mmr, mm_deduction, extra_margin):
    """Refuse inputs that describe no liquidation ahead of the position (messages name the input).

    ``value`` is the position value at entry (``EP·Q`` linear, ``Q/EP`` coins inverse); the initial margin
    is ``value / leverage`` and the maintenance margin at entry ``value · mmr - mm_deduction``.

    * ``mmr`` at or above ``1 / leverage``: the maintenance margin would be at least the initial margin;
    * ``mm_deduction`` above ``value · mmr``: the maintenance margin would be negative;
    * margin (initial plus extra) at or below the maintenance margin at entry: already past liquidation,
      so any formula would put the liquidation price on the wrong side of the entry.
    """
    if not (mmr * leverage < 1):
        raise ValueError("mmr must be below 1 / leverage: the maintenance margin would reach the initial margin")
    if not (mm_deduction <= value * mmr):
        raise ValueError("mm_deduction must be at most position value x mmr: the maintenance margin would be negative")
    if not (value / leverage + extra_margin > maintenance_margin(value, mmr, mm_deduction)):
        raise ValueError("extra_margin leaves the margin at or below the maintenance margin: "
                         "the position would be liquidated at once")


def bankruptcy_price_with_margin(side, entry_price, qty, leverage, extra_margin):
    """Bankruptcy price (USDT): the 0% margin price, where initial plus extra margin is used up.

    ``EP -/+ (IM + extra)/Q``; with no extra margin this is Bybit's ``EP·(1 -/+ 1/L)`` (§1.5). A long's
    value at or below 0 means a fall in price alone cannot use the margin up.
    """
    s = side_sign(side)
    return entry_price - s * (initial_margin(entry_price, qty, leverage) + extra_margin) / qty


def liquidation_outputs(side, entry_price, qty, leverage, mmr, mm_deduction, extra_margin, formula):
    """The outputs of the liquidation-price calculator for one tier (rate and deduction), inputs checked.

    ``maintenance_margin`` is valued where the formula values it: at the entry price for ``bybit`` and at
    the liquidation price for ``binance``.
    """
    s = side_sign(side)
    if formula == "binance" and not (qty * (1 - s * mmr) > 0):
        # Only for absurd sizes (below 1e-300): keeps Python (ZeroDivisionError) and JS (Infinity) in step
        raise ValueError("qty is too small: the denominator rounds to 0")
    if formula == "bybit":
        lp = liquidation_price_bybit(side, entry_price, qty, leverage, mmr, mm_deduction, extra_margin)
        mm = maintenance_margin(position_value(entry_price, qty), mmr, mm_deduction)
    elif formula == "binance":
        lp = liquidation_price_binance(side, entry_price, qty, leverage, mmr, mm_deduction, extra_margin)
        mm = maintenance_margin(position_value(lp, qty), mmr, mm_deduction)
    else:
        raise ValueError("formula must be bybit or binance")
    return {
        "initial_margin": initial_margin(entry_price, qty, leverage),
        "maintenance_margin": mm,
        "bankruptcy_price": bankruptcy_price_with_margin(side, entry_price, qty, leverage, extra_margin),
        "liquidation_price": lp,
        "distance_pct": s * (entry_price - lp) * 100 / entry_price,
        "mmr_used": mmr,
        "mm_deduction_used": mm_deduction,
    }


def calc_liquidation_price(side, entry_price, qty, leverage, mmr, mm_deduction, extra_margin, formula):
    """Isolated-margin liquidation price of a linear position for one tier's rate and deduction (USDT).

    ``formula == "bybit"``: ``LP = EP -/+ (IM - MM)/Q -/+ extra/Q`` with MM valued at the entry price
    (Bybit "Liquidation Price (USDT Contract)", §1.4). ``formula == "binance"``: one-way isolated form
    ``LP = (Q·EP -/+ (IM + extra + cum)) / (Q·(1 -/+ MMR))``, maintenance valued at the liquidation price
    (Binance USDⓈ-M liquidation FAQ, §2.1). Neither includes the fee to close.

    Outputs: ``initial_margin = EP·Q/L``; ``maintenance_margin`` valued where the formula uses it (entry
    for bybit, the liquidation price for binance); ``bankruptcy_price`` = the 0% margin price including
    extra margin, ``EP -/+ (IM + extra)/Q``; ``distance_pct`` = the adverse move from entry to the
    liquidation price, in % of entry; ``mmr_used`` and ``mm_deduction_used`` = the tier applied.

    This is the reference model's call: it computes whatever the state is, also a position already past
    its liquidation price (the model then liquidates it). The calculator's entry point,
    ``calc_liquidation_price_tiers``, refuses such inputs with a message (``check_maintenance``).
    """
    check_position(side, "entry_price", entry_price, "qty", qty, leverage)
    check_liquidation_inputs(mmr, mm_deduction, extra_margin, formula)
    return liquidation_outputs(side, entry_price, qty, leverage, mmr, mm_deduction, extra_margin, formula)


def calc_liquidation_price_tiers(side, entry_price, qty, leverage, mmr, mm_deduction, extra_margin, formula,
                                 mm_source, tier_limits, tier_rates):
    """Liquidation price with the rate and deduction typed in or taken from a tier table (USDT).

    ``mm_source == "rate"``: ``mmr`` and ``mm_deduction`` are used as given (``calc_liquidation_price``), after
    ``check_maintenance`` refuses inputs that describe no liquidation ahead.
    ``mm_source == "tiers"``: the tier of the position value at entry gives the rate and deduction (its
    deduction by the recursion of ``tiers.next_mm_deduction``). With the ``binance`` formula the tier is
    then re-checked at the liquidation price, as Binance's FAQ requires: if the value ``LP·Q`` falls in
    another tier, the price is computed again with that tier's rate and deduction, until the tier holds.
    """
    if mm_source == "rate":
        check_position(side, "entry_price", entry_price, "qty", qty, leverage)
        check_liquidation_inputs(mmr, mm_deduction, extra_margin, formula)
        check_maintenance(position_value(entry_price, qty), leverage, mmr, mm_deduction, extra_margin)
        return liquidation_outputs(side, entry_price, qty, leverage, mmr, mm_deduction, extra_margin, formula)
    if mm_source != "tiers":
        raise ValueError("mm_source must be rate or tiers")
    check_position(side, "entry_price", entry_price, "qty", qty, leverage)
    require_finite("extra_margin", extra_margin)
    if formula != "bybit" and formula != "binance":
        raise ValueError("formula must be bybit or binance")
    check_tier_table(tier_limits, tier_rates)
    tier = tier_index(position_value(entry_price, qty), tier_limits)
    if tier < 0:
        raise ValueError("qty makes the position value larger than the last tier limit")
    tries = 0
    while True:
        rate = tier_rates[tier]
        deduction = tier_deduction(tier, tier_limits, tier_rates)
        if tries == 0:  # the entry's own tier: is there a liquidation ahead at all?
            check_maintenance(position_value(entry_price, qty), leverage, rate, deduction, extra_margin)
        result = liquidation_outputs(side, entry_price, qty, leverage, rate, deduction, extra_margin, formula)
        if formula == "bybit" or not (result["liquidation_price"] > 0):
            return result
        at_lp = tier_index(position_value(result["liquidation_price"], qty), tier_limits)
        if at_lp < 0:
            raise ValueError("tier_limits end below the position value at the liquidation price")
        if at_lp == tier:
            return result
        tries = tries + 1
        if tries > len(tier_limits):
            raise ValueError("tier_limits give no tier that holds at the liquidation price")
        tier = at_lp


def calc_order_cost(side, price, qty, leverage, taker_fee):
    """Order cost of a new linear position, Bybit's form (USDT).

    ``order_cost = IM + fee to open + fee to close`` with ``IM = P·Q/L``, ``open_fee = P·Q·fee`` and
    ``close_fee = Q·P·(1 -/+ 1/L)·fee``: the taker fee reserved at the bankruptcy price.
    Bybit "Order Cost (USDT Contract)", §1.2; worked example #7 (5,052.25 USDT).
    """
    check_position(side, "price", price, "qty", qty, leverage)
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
    """``calc_pnl_legs`` with the taker fee on both legs (the model's call; same outputs)."""
    return calc_pnl_legs(side, entry_price, exit_price, qty, leverage, taker_fee, taker_fee, taker_fee)


def calc_pnl_legs(side, entry_price, exit_price, qty, leverage, taker_fee, open_fee_rate, exit_fee_rate):
    """Profit and loss of a linear position closed (or marked) at ``exit_price`` (USDT, %).

    * ``pnl`` is gross: ``Q·(exit - entry)`` long, ``Q·(entry - exit)`` short (Bybit P&L FAQ, §1.7).
    * ``initial_margin = entry·Q/L``; ``roi_pct = pnl / initial_margin · 100``: ROI on the initial margin,
      as Bybit's and Binance's calculators define it (§1.7, §2.3), and the denominator ``target-price``
      inverts.
    * ``pnl_pct_of_value = pnl / (entry·Q) · 100``: P&L as a share of the position value (Bybit's
      calculator), which is ``roi_pct / L``.
    * ``close_fee = Q·entry·(1 -/+ 1/L)·taker fee``: the fee Bybit reserves to close at the bankruptcy
      price; ``position_margin = initial_margin + close_fee`` and ``position_margin_return_pct = pnl /
      position_margin · 100``: the return on position margin of Bybit's positions view (§1.7, example #16).
    * ``open_fee = entry·Q·open_fee_rate`` and ``exit_fee = exit·Q·exit_fee_rate`` are the fees actually
      paid on each leg (maker or taker rate, as the order was); ``net_pnl = pnl - open_fee - exit_fee``
      (funding is not included).
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
    check_fee_rate("open_fee_rate", open_fee_rate)
    check_fee_rate("exit_fee_rate", exit_fee_rate)
    gross = s * qty * (exit_price - entry_price)
    im = initial_margin(entry_price, qty, leverage)
    fee_close = close_fee(side, entry_price, qty, leverage, taker_fee)
    fee_open = open_fee(entry_price, qty, open_fee_rate)
    fee_exit = open_fee(exit_price, qty, exit_fee_rate)
    if not (im > 0):
        # Only for absurd sizes: keeps Python (ZeroDivisionError) and JS (Infinity) in step
        raise ValueError("qty is too small: the initial margin rounds to 0")
    return {
        "pnl": gross,
        "initial_margin": im,
        "roi_pct": gross * 100 / im,
        "pnl_pct_of_value": gross * 100 / position_value(entry_price, qty),
        "close_fee": fee_close,
        "position_margin": im + fee_close,
        "position_margin_return_pct": gross * 100 / (im + fee_close),
        "open_fee": fee_open,
        "exit_fee": fee_exit,
        "net_pnl": gross - fee_open - fee_exit,
    }


def check_target_inputs(side, entry_price, leverage, target_roi_pct):
    """Validate the target-price inputs in catalogue order (the caller checks the return's bound); return the sign."""
    s = side_sign(side)
    require_finite("entry_price", entry_price)
    require_positive("entry_price", entry_price)
    require_finite("leverage", leverage)
    require_at_least("leverage", leverage, 1, "1")
    require_finite("target_roi_pct", target_roi_pct)
    return s


def calc_target_price(side, entry_price, leverage, target_roi_pct):
    """Exit price that gives ``target_roi_pct`` return on the initial margin (USDT).

    Long ``entry·(1 + ROI/L)``, short ``entry·(1 - ROI/L)`` with ROI as a fraction (Binance futures
    calculator, §2.3). ROI here is PnL over the initial margin only, without Bybit's reserved close fee.
    A long cannot lose more than 100·L % before the price reaches 0, a short cannot gain more than 100·L %.
    """
    s = check_target_inputs(side, entry_price, leverage, target_roi_pct)
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


def deposit_to_clear(balance):
    """What brings ``balance`` back to 0: ``-balance`` when negative, else 0 (never a negative zero)."""
    if balance < 0:
        return -balance
    return 0


def calc_gap_loss(side, entry_price, qty, leverage, margin_mode, wallet_balance, fill_price, insurance_fund,
                  close_fee_rate):
    """Who pays when a liquidation fills at ``fill_price``, at or beyond the bankruptcy price (USDT).

    * ``loss = Q·(entry - fill)`` long, ``Q·(fill - entry)`` short; a fill on the profitable side of the
      entry is refused (no loss, no liquidation).
    * The margin at stake is the initial margin ``entry·Q/L`` (isolated) or the whole ``wallet_balance``
      (cross). A liquidated position is settled at its bankruptcy price (Bybit "Insurance Fund", §1.10), so
      the trader loses all of it. A fill whose loss is smaller than that margin is no gap and is refused.
    * Isolated, where the venue reserves the fee to close in the position margin (Bybit "Position Margin":
      ``close_fee_rate`` = the taker rate; 0 where it does not), that reserve pays the closing fee:
      ``margin_lost`` = initial margin + ``Q·entry·(1 -/+ 1/L)·close_fee_rate``, the position margin.
      Cross: ``margin_lost`` = the wallet balance.
    * The loss beyond that margin is taken from ``insurance_fund`` first:
      ``insurance_fund_covers = min(loss - margin, insurance_fund)``; ``not_covered`` is the rest.
    * Isolated: the trader can lose only the position margin, so ``balance_after = wallet_balance - margin``
      (never negative) and ``not_covered`` goes to auto-deleveraging. Cross: ``not_covered`` is charged to the
      wallet, ``balance_after = -not_covered`` may be negative, and ``deposit_to_clear = max(0,
      -balance_after)``.

    ``wallet_balance`` includes the position's margin; in isolated mode it must be at least the initial margin.
    """
    s = check_position(side, "entry_price", entry_price, "qty", qty, leverage)
    if margin_mode != "isolated" and margin_mode != "cross":
        raise ValueError("margin_mode must be isolated or cross")
    require_finite("wallet_balance", wallet_balance)
    require_non_negative("wallet_balance", wallet_balance)
    require_finite("fill_price", fill_price)
    require_positive("fill_price", fill_price)
    require_finite("insurance_fund", insurance_fund)
    require_non_negative("insurance_fund", insurance_fund)
    check_fee_rate("close_fee_rate", close_fee_rate)
    im = initial_margin(entry_price, qty, leverage)
    reserve = 0
    if margin_mode == "isolated":
        reserve = close_fee(side, entry_price, qty, leverage, close_fee_rate)
        if wallet_balance < im + reserve:
            raise ValueError("wallet_balance must be at least the position margin in isolated mode")
        margin = im
    else:
        margin = wallet_balance
    loss = s * qty * (entry_price - fill_price)
    if not (loss > 0):
        raise ValueError("fill_price must be on the losing side of entry_price "
                         "(below it for a long, above it for a short)")
    if loss < margin:
        if margin_mode == "isolated":
            raise ValueError("fill_price must be at or beyond the bankruptcy price in isolated mode: "
                             "a fill before it leaves margin, so there is no gap")
        raise ValueError("fill_price must be at or beyond the price where the loss uses up the wallet balance "
                         "in cross mode: a fill before it leaves margin, so there is no gap")
    shortfall = loss - margin
    covered = min(shortfall, insurance_fund)
    if margin_mode == "isolated":
        balance_after = wallet_balance - margin - reserve
    else:
        balance_after = wallet_balance - margin - (shortfall - covered)
    return {
        "loss": loss,
        "margin_lost": margin + reserve,
        "insurance_fund_covers": covered,
        "not_covered": shortfall - covered,
        "balance_after": balance_after,
        "deposit_to_clear": deposit_to_clear(balance_after),
    }
