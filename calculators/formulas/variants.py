"""More linear variants: cross-margin liquidation price (Binance), initial margin at the mark price (Bybit
USDC / UTA) and funding over several intervals. See ``shared/reference/exchange-mechanics.md`` §1.1, §1.9,
§2.1, §2.4.
"""

from .checks import require_finite, require_number_list
from .margin import require_non_negative, require_positive, require_rate, side_sign
from .positions import check_fee_rate, check_position


def calc_cross_liquidation_price(side, entry_price, qty, wallet_balance, other_mm, other_upnl, mmr, mm_deduction):
    """Cross-margin liquidation price of one linear position, Binance's one-way form (USDT).

    ``LP = (WB - TMM + UPNL + cum - side·Q·EP) / (Q·MMR - side·Q)`` with ``WB`` the cross wallet balance,
    ``TMM`` the maintenance margin of all other positions, ``UPNL`` their unrealised PnL and ``cum`` this
    position's maintenance amount (Binance USDⓈ-M liquidation FAQ, §2.1). dYdX publishes the same form
    for one position, ``p' = (e - s·p) / (|s|·MMF - s)``. Maintenance is valued at the liquidation price:
    ``maintenance_margin = LP·Q·MMR - cum``. Leverage plays no part in cross mode.

    The account must hold more than this position's maintenance margin at entry
    (``WB - TMM + UPNL + cum > Q·EP·MMR``), otherwise it would be liquidated at once and is refused.
    A long's liquidation price at or below 0 is shown as computed (Binance shows "--").
    """
    s = side_sign(side)
    require_finite("entry_price", entry_price)
    require_positive("entry_price", entry_price)
    require_finite("qty", qty)
    require_positive("qty", qty)
    require_finite("wallet_balance", wallet_balance)
    require_non_negative("wallet_balance", wallet_balance)
    require_finite("other_mm", other_mm)
    require_non_negative("other_mm", other_mm)
    require_finite("other_upnl", other_upnl)
    require_finite("mmr", mmr)
    require_rate("mmr", mmr)
    require_finite("mm_deduction", mm_deduction)
    require_non_negative("mm_deduction", mm_deduction)
    value = entry_price * qty
    if not (mm_deduction <= value * mmr):
        raise ValueError("mm_deduction must be at most position value x mmr: the maintenance margin would be negative")
    available = wallet_balance - other_mm + other_upnl + mm_deduction
    if not (available > value * mmr):
        raise ValueError("wallet_balance leaves the account at or below its maintenance margin at the entry price: "
                         "it would be liquidated at once")
    lp = (available - s * value) / (qty * mmr - s * qty)
    return {
        "liquidation_price": lp,
        "maintenance_margin": lp * qty * mmr - mm_deduction,
        "distance_pct": s * (entry_price - lp) * 100 / entry_price,
    }


def calc_initial_margin_mark(side, entry_price, mark_price, qty, leverage, taker_fee):
    """Initial margin valued at the mark price, with the estimated fee to close (USDC or USDT).

    Bybit "Initial Margin Calculation (USDC Perpetual & Futures)" (§1.1): ``position value = Q·mark``,
    ``IM = Q·mark / L``; ``close_fee = Q·entry·(1 -/+ 1/L)·taker fee`` (at the bankruptcy price of the
    entry); ``initial_margin_with_fee = IM + close_fee`` is the figure the position shows.
    """
    check_position(side, "entry_price", entry_price, "qty", qty, leverage)
    require_finite("mark_price", mark_price)
    require_positive("mark_price", mark_price)
    check_fee_rate("taker_fee", taker_fee)
    s = side_sign(side)
    value = qty * mark_price
    im = value / leverage
    fee = qty * entry_price * (1 - s / leverage) * taker_fee
    return {"position_value": value, "initial_margin": im, "close_fee": fee, "initial_margin_with_fee": im + fee}


def calc_funding_period(side, contract, qty, mark_price, funding_rates):
    """Funding over several intervals at one mark price: positive is paid, negative received.

    Each payment is ``side · value · rate`` (Binance "Nominal Value of Positions × Funding Rate", §2.4; BitMEX
    "Mark Value × Funding Rate"), with ``value = Q·mark`` in the settlement coin for a linear contract (Q in
    coins) and ``value = Q/mark`` in the coin for an inverse one (Q in USD contracts). ``payments`` lists
    each interval, ``total_funding`` is their sum, ``position_value`` the value they are charged on.
    """
    s = side_sign(side)
    if contract != "linear" and contract != "inverse":
        raise ValueError("contract must be linear or inverse")
    require_finite("qty", qty)
    require_positive("qty", qty)
    require_finite("mark_price", mark_price)
    require_positive("mark_price", mark_price)
    require_number_list("funding_rates", funding_rates)
    for rate in funding_rates:
        if not (rate > -1 and rate < 1):
            raise ValueError("funding_rates must hold only rates above -1 and below 1")
    if contract == "linear":
        value = qty * mark_price
    else:
        value = qty / mark_price
    payments = []
    total = 0
    for rate in funding_rates:
        payment = s * value * rate
        payments.append(payment)
        total = total + payment
    return {"position_value": value, "total_funding": total, "payments": payments}


def calc_size_scaled_margin(size, price, base_rate, rate_per_100):
    """Margin whose rate grows with the position size (Deribit), in the coin and in the quote currency.

    ``rate = base_rate + size / 100 · rate_per_100``; ``margin = size · rate`` (coin) and
    ``margin_value = size · price · rate`` (quote). Deribit "Linear Perpetual": initial margin
    ``2% + size × 0.005%``, maintenance ``1% + size × 0.005%`` (size in BTC), that is 0.5% per 100 BTC.
    """
    require_finite("size", size)
    require_positive("size", size)
    require_finite("price", price)
    require_positive("price", price)
    require_finite("base_rate", base_rate)
    require_rate("base_rate", base_rate)
    require_finite("rate_per_100", rate_per_100)
    require_non_negative("rate_per_100", rate_per_100)
    rate = base_rate + size * rate_per_100 / 100
    if not (rate < 1):
        raise ValueError("size makes the margin rate reach 100%: no margin rate of 1 or more")
    return {"rate": rate, "margin": size * rate, "margin_value": size * price * rate}
