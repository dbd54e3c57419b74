"""Indicators: exponential moving average and volume profile (§5 of the mechanics notes)."""

from .checks import (
    floor_non_negative,
    is_whole,
    require_all_non_negative,
    require_all_positive,
    require_at_least,
    require_finite,
    require_number_list,
    require_same_length,
)
from .margin import require_positive


def calc_ema(prices, period, seed):
    """Exponential moving average with ``alpha = 2 / (period + 1)``.

    ``EMA = alpha · price + (1 - alpha) · EMA[prev]``, computed as
    ``(2 · price + (period - 1) · EMA[prev]) / (period + 1)`` (the same value, and it keeps ``Decimal``
    inputs exact-typed). Sources: TradingView ``ta.ema`` reference, TA-Lib ``ta_EMA.c`` (§5).

    ``seed == "sma"`` (TA-Lib default): the first EMA is the simple average of the first ``period`` prices,
    so ``ema`` has ``len(prices) - period + 1`` values, the first aligned with ``prices[period - 1]``.
    ``seed == "first"`` (TradingView's documented ``pine_ema``, TA-Lib Metastock mode): the first EMA is the
    first price, so ``ema`` has one value per price. ``last`` is the final EMA value.
    ``period`` must be a whole number from 1 to ``len(prices)`` for both seeds.
    """
    require_number_list("prices", prices)
    require_all_positive("prices", prices)
    require_finite("period", period)
    require_at_least("period", period, 1, "1")
    if not is_whole(period):
        raise ValueError("period must be a whole number")
    if period > len(prices):
        raise ValueError("period must be at most the number of prices")
    if seed == "sma":
        # while, not range(period): period may arrive as a float such as 3.0
        total = 0
        i = 0
        while i < period:
            total = total + prices[i]
            i = i + 1
        current = total / period
        start = i
    elif seed == "first":
        current = prices[0]
        start = 1
    else:
        raise ValueError("seed must be sma or first")
    values = [current]
    for i in range(start, len(prices)):
        current = (2 * prices[i] + (period - 1) * current) / (period + 1)
        values.append(current)
    return {"ema": values, "last": current}


def value_area(volumes, poc, target_share_pct):
    """Indices ``[low, high]`` of the value area around row ``poc``.

    CBOT-style single-row expansion (purebytes.com AmiBroker archive 2007/msg07856, §5): starting at the
    POC, compare the next row above with the next row below and add the one with more volume; on a tie add
    the row above; when one side is exhausted take the other. Stop as soon as the area holds at least
    ``target_share_pct`` % of the total volume (compared as ``area · 100 >= total · pct``, exact).
    """
    total = 0
    for volume in volumes:
        total = total + volume
    low = poc
    high = poc
    area = volumes[poc]
    last = len(volumes) - 1
    while area * 100 < total * target_share_pct and (low > 0 or high < last):
        if high == last:
            low = low - 1
            area = area + volumes[low]
        elif low == 0:
            high = high + 1
            area = area + volumes[high]
        elif volumes[high + 1] >= volumes[low - 1]:
            high = high + 1
            area = area + volumes[high]
        else:
            low = low - 1
            area = area + volumes[low]
    return [low, high]


def calc_volume_profile(prices, volumes, row_size, value_area_pct):
    """Volume profile: rows, point of control and value area (USDT, volume units).

    Rows are ``row_size`` wide and start at the lowest price: a trade at ``p`` goes to row
    ``floor((p - lowest) / row_size)`` (floor by a loop, see ``checks.floor_non_negative``); empty rows in
    between are kept. ``rows`` lists ``{"low", "high", "volume"}`` from the lowest row up.
    ``poc`` is the middle of the row with the most volume; on a tie the row nearest the middle of the
    profile wins (Linnsoft's rule, §5), and if two are equally near, the lower one.
    ``value_area_low`` / ``value_area_high`` are the bottom of the lowest and the top of the highest row of
    the value area (see ``value_area`` for the CBOT single-row expansion). At most 10,000 rows.
    """
    require_number_list("prices", prices)
    require_all_positive("prices", prices)
    require_number_list("volumes", volumes)
    require_same_length("volumes", volumes, "prices", prices)
    require_all_non_negative("volumes", volumes)
    require_finite("row_size", row_size)
    require_positive("row_size", row_size)
    require_finite("value_area_pct", value_area_pct)
    if not (value_area_pct > 0 and value_area_pct <= 100):
        raise ValueError("value_area_pct must be greater than 0 and at most 100")
    has_volume = False
    lowest = prices[0]
    highest = prices[0]
    for i in range(len(prices)):
        if volumes[i] > 0:
            has_volume = True
        if prices[i] < lowest:
            lowest = prices[i]
        if prices[i] > highest:
            highest = prices[i]
    if not has_volume:
        raise ValueError("volumes must hold at least one value greater than 0")
    if not ((highest - lowest) / row_size < 10000):
        raise ValueError("row_size is too small: the profile would have more than 10000 rows")
    count = floor_non_negative((highest - lowest) / row_size) + 1
    row_volumes = []
    for i in range(count):
        row_volumes.append(0)
    for i in range(len(prices)):
        row = floor_non_negative((prices[i] - lowest) / row_size)
        row_volumes[row] = row_volumes[row] + volumes[i]
    poc = 0
    for i in range(1, count):
        if row_volumes[i] > row_volumes[poc]:
            poc = i
        elif row_volumes[i] == row_volumes[poc]:
            if abs(2 * i - (count - 1)) < abs(2 * poc - (count - 1)):
                poc = i
    bounds = value_area(row_volumes, poc, value_area_pct)
    rows = []
    for i in range(count):
        rows.append({"low": lowest + i * row_size, "high": lowest + (i + 1) * row_size, "volume": row_volumes[i]})
    return {
        "poc": lowest + (2 * poc + 1) * row_size / 2,
        "value_area_high": lowest + (bounds[1] + 1) * row_size,
        "value_area_low": lowest + bounds[0] * row_size,
        "rows": rows,
    }
