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
    computed in closed form), ``effective_rate = MM / value`` (blended fraction) and ``mm_deduction`` of the
    tier the value falls in (feed it with that tier's rate to the liquidation-price calculator).
    """
    require_finite("position_value", position_value)
    require_positive("position_value", position_value)
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
    if position_value > tier_limits[len(tier_limits) - 1]:
        raise ValueError("position_value must be at most the last tier limit")
    tier = 0
    deduction = 0
    while position_value > tier_limits[tier]:
        tier = tier + 1
        deduction = next_mm_deduction(tier_limits[tier - 1], tier_rates[tier], tier_rates[tier - 1], deduction)
    mm = position_value * tier_rates[tier] - deduction
    return {
        "maintenance_margin": mm,
        "effective_rate": mm / position_value,
        "mm_deduction": deduction,
    }
