"""Tiered maintenance margin (risk-limit brackets), Bybit §1.1/§1.3 and Binance §2.2.

Tiers work like tax brackets: each slice of position value is charged its own tier's rate. The closed form
exchanges publish is ``MM = value · rate(tier n) - deduction(n)`` with the deduction (Binance: "maintenance
amount", ``cum``) built by the recursion
``deduction(n) = limit(n-1) · (rate(n) - rate(n-1)) + deduction(n-1)``, ``deduction(1) = 0``.
"""

from .checks import (
    require_all_positive,
    require_finite,
    require_number_list,
    require_same_length,
)
from .margin import require_positive


def next_mm_deduction(tier_floor, rate, previous_rate, previous_deduction):
    """MM deduction of a tier (USDT) from the tier below it.

    ``floor · (rate - previous rate) + previous deduction``, where ``floor`` is the previous tier's limit.
    Bybit margin-parameter page (§1.1); Binance "Maintenance Amount (Level n)" (§2.2, example #19: 1,300).
    """
    return tier_floor * (rate - previous_rate) + previous_deduction


def calc_maintenance_margin(position_value, tier_limits, tier_rates):
    """Maintenance margin of ``position_value`` under a tier table (USDT, rate as a fraction).

    ``tier_limits[i]`` is the upper bound (inclusive) of tier i, strictly increasing; ``tier_rates[i]`` is
    its maintenance margin rate (fraction, at least 0 and below 1). A value above the last limit is
    rejected: the venue would not accept the position. Outputs: ``maintenance_margin`` (the bracket sum,
    computed in closed form), ``effective_rate = MM / value`` (blended fraction, for reading only),
    ``tier_rate`` and ``mm_deduction``: the rate and deduction of the tier the value falls in, the pair the
    liquidation-price calculator asks for (``value · tier_rate - mm_deduction`` is the maintenance margin).
    """
    require_finite("position_value", position_value)
    require_positive("position_value", position_value)
    check_tier_table(tier_limits, tier_rates)
    tier = tier_index(position_value, tier_limits)
    if tier < 0:
        raise ValueError("position_value must be at most the last tier limit")
    deduction = tier_deduction(tier, tier_limits, tier_rates)
    mm = position_value * tier_rates[tier] - deduction
    return {
        "maintenance_margin": mm,
        "effective_rate": mm / position_value,
        "tier_rate": tier_rates[tier],
        "mm_deduction": deduction,
    }


def check_tier_table(tier_limits, tier_rates):
    """Validate a tier table: limits positive and strictly increasing, one rate per limit, rates in [0, 1)."""
    require_number_list("tier_limits", tier_limits)
    require_all_positive("tier_limits", tier_limits)
    for i in range(1, len(tier_limits)):
        if not (tier_limits[i] > tier_limits[i - 1]):
            raise ValueError("tier_limits must be strictly increasing")
    require_number_list("tier_rates", tier_rates)
    require_same_length("tier_rates", tier_rates, "tier_limits", tier_limits)
    for rate in tier_rates:
        if not (rate >= 0 and rate < 1):
            raise ValueError("tier_rates must hold only rates of at least 0 and below 1")


def tier_index(value, tier_limits):
    """Index of the tier ``value`` falls in (a limit belongs to its tier); -1 above the last limit."""
    tier = 0
    while tier < len(tier_limits) and value > tier_limits[tier]:
        tier = tier + 1
    if tier == len(tier_limits):
        return -1
    return tier


def tier_deduction(tier, tier_limits, tier_rates):
    """MM deduction of tier ``tier`` (0-based) by the recursion of ``next_mm_deduction`` (USDT or coin)."""
    deduction = 0
    for i in range(1, tier + 1):
        deduction = next_mm_deduction(tier_limits[i - 1], tier_rates[i], tier_rates[i - 1], deduction)
    return deduction


def venue_limit_problem(leverage, value, tier_limits, tier_max_leverages):
    """Check a position against a venue's risk-limit table: ``[code, limit]``.

    ``tier_max_leverages[i]`` is the highest leverage tier i allows; a position of ``value`` at ``leverage``
    must fall in a tier that allows that leverage. Codes: ``0`` within the limits; ``1`` leverage above the
    symbol's maximum (``limit`` = that maximum, tier 1's); ``2`` value above the risk limit for this leverage
    (``limit`` = the largest value the leverage allows, at most the last tier's limit).
    The caller words the message with the venue, symbol and source (numbers are formatted outside).
    """
    if leverage > tier_max_leverages[0]:
        return [1, tier_max_leverages[0]]
    allowed = 0
    for i in range(len(tier_limits)):
        if tier_max_leverages[i] >= leverage:
            allowed = tier_limits[i]
    if value > allowed:
        return [2, allowed]
    return [0, 0]
