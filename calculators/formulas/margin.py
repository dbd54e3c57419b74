"""Margin, fee, bankruptcy and liquidation formulas for linear (USDT-settled) perpetuals.

Sources: Bybit "Initial Margin (USDT Contract)", "Order Cost (USDT Contract)",
"Liquidation Price (USDT Contract)", "Bankruptcy Price (USDT Contract)"; Binance
"How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (one-way, isolated branch).
See ``shared/reference/exchange-mechanics.md`` §1.1-§1.5 and §2.1.
"""


def side_sign(side):
    """Return +1 for ``"long"`` and -1 for ``"short"``; raise ``ValueError`` for anything else."""
    if side == "long":
        return 1
    if side == "short":
        return -1
    raise ValueError("side must be long or short")


def require_positive(name, value):
    """Raise ``ValueError`` unless ``value`` is a number greater than zero."""
    if not (value > 0):
        raise ValueError(name + " must be greater than 0")


def require_non_negative(name, value):
    """Raise ``ValueError`` unless ``value`` is a number at least zero."""
    if not (value >= 0):
        raise ValueError(name + " must be at least 0")


def require_rate(name, value):
    """Raise ``ValueError`` unless ``0 <= value < 1`` (a rate given as a fraction, 0.005 = 0.5%)."""
    if not (value >= 0 and value < 1):
        raise ValueError(name + " must be at least 0 and below 1")


def position_value(price, qty):
    """Position value (USDT) = price (USDT per coin) x quantity (coins). Bybit IM page, §1.1."""
    return price * qty


def initial_margin(price, qty, leverage):
    """Initial margin (USDT) = price x qty / leverage. Bybit "Initial Margin (USDT Contract)", §1.1."""
    require_positive("leverage", leverage)
    return price * qty / leverage


def open_fee(price, qty, fee_rate):
    """Fee to open (USDT) = qty x price x taker fee rate. Bybit "Order Cost (USDT Contract)", §1.2."""
    return qty * price * fee_rate


def bankruptcy_price(side, entry_price, leverage):
    """Bankruptcy price (USDT) = entry x (1 - 1/L) for a long, entry x (1 + 1/L) for a short.

    The price at which the position's initial margin is exactly used up. Bybit "Bankruptcy Price
    (USDT Contract)", §1.5.
    """
    s = side_sign(side)
    require_positive("entry_price", entry_price)
    require_positive("leverage", leverage)
    return entry_price * (1 - s / leverage)


def close_fee(side, price, qty, leverage, fee_rate):
    """Fee to close (USDT) = qty x bankruptcy price x taker fee rate.

    Bybit reserves the taker fee to close at the bankruptcy price: ``qty x price x (1 -/+ 1/L) x fee``.
    Bybit "Order Cost (USDT Contract)", §1.2.
    """
    return qty * bankruptcy_price(side, price, leverage) * fee_rate


def maintenance_margin(value, mmr, mm_deduction):
    """Maintenance margin (USDT) = position value x MMR - MM deduction. Bybit margin parameters, §1.1."""
    return value * mmr - mm_deduction


def liquidation_price_bybit(side, entry_price, qty, leverage, mmr, mm_deduction, extra_margin):
    """Isolated liquidation price, Bybit's USDT form (USDT).

    ``LP = EP -/+ (IM - MM)/Q -/+ extra/Q`` with IM and MM valued at the entry price.
    Bybit "Liquidation Price (USDT Contract)", §1.4. Fees to close are not included (Bybit says so).
    """
    s = side_sign(side)
    require_positive("entry_price", entry_price)
    require_positive("qty", qty)
    require_positive("leverage", leverage)
    value = position_value(entry_price, qty)
    im = initial_margin(entry_price, qty, leverage)
    mm = maintenance_margin(value, mmr, mm_deduction)
    return entry_price - s * (im - mm) / qty - s * extra_margin / qty


def liquidation_price_binance(side, entry_price, qty, leverage, mmr, mm_deduction, extra_margin):
    """Isolated liquidation price, Binance's one-way form (USDT), maintenance evaluated at the LP.

    With wallet balance WB = IM + extra margin and maintenance amount ``cum`` (``mm_deduction``):
    long ``LP = (Q·EP - WB - cum) / (Q·(1 - MMR))``, short ``LP = (Q·EP + WB + cum) / (Q·(1 + MMR))``.
    Binance USDⓈ-M liquidation-price FAQ, §2.1 (TMM = UPNL = 0 in isolated mode).
    """
    s = side_sign(side)
    require_positive("entry_price", entry_price)
    require_positive("qty", qty)
    require_positive("leverage", leverage)
    wallet = initial_margin(entry_price, qty, leverage) + extra_margin
    return (qty * entry_price - s * (wallet + mm_deduction)) / (qty * (1 - s * mmr))
