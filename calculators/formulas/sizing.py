"""Position sizing by risk and the average entry price of several fills."""

from .checks import (
    require_above,
    require_all_positive,
    require_at_least,
    require_at_most,
    require_finite,
    require_number_list,
    require_same_length,
)
from .margin import require_positive


def calc_position_size(equity, risk_pct, entry_price, stop_price, leverage):
    """Quantity that loses ``risk_pct`` of ``equity`` if the stop is hit (coins, USDT).

    ``risk_amount = equity · risk% / 100``; ``qty = risk_amount / |entry - stop|`` (the standard risk-based
    formula, §5 "Position sizing by risk": 1,000 × 1% / (100 - 95) = 2 units). Leverage changes only the
    margin needed, ``margin_needed = qty · entry / leverage``, never the size. Fees and slippage are ignored.
    """
    require_finite("equity", equity)
    require_positive("equity", equity)
    require_finite("risk_pct", risk_pct)
    require_above("risk_pct", risk_pct, 0, "0")
    require_at_most("risk_pct", risk_pct, 100, "100")
    require_finite("entry_price", entry_price)
    require_positive("entry_price", entry_price)
    require_finite("stop_price", stop_price)
    require_positive("stop_price", stop_price)
    if stop_price == entry_price:
        raise ValueError("stop_price must differ from entry_price")
    require_finite("leverage", leverage)
    require_at_least("leverage", leverage, 1, "1")
    risk_amount = equity * risk_pct / 100
    qty = risk_amount / abs(entry_price - stop_price)
    value = qty * entry_price
    return {
        "qty": qty,
        "position_value": value,
        "risk_amount": risk_amount,
        "margin_needed": value / leverage,
    }


def calc_average_entry(qtys, prices):
    """Average entry price of several fills on one side (USDT) and their total quantity (coins).

    ``average = Σ(qty · price) / Σ qty`` (Bybit "P&L Calculations": "Total contract value in USDT / Total
    quantity of contracts", §1.7; example #14: 0.5 @ 5,000 + 0.3 @ 6,000 -> 5,375).
    """
    require_number_list("qtys", qtys)
    require_all_positive("qtys", qtys)
    require_number_list("prices", prices)
    require_same_length("prices", prices, "qtys", qtys)
    require_all_positive("prices", prices)
    total_qty = 0
    total_value = 0
    for i in range(len(qtys)):
        total_qty = total_qty + qtys[i]
        total_value = total_value + qtys[i] * prices[i]
    return {"average_entry_price": total_value / total_qty, "total_qty": total_qty}
