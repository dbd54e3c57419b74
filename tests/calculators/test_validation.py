"""Input validation: every limit the catalogue declares is enforced by the function, with a message that starts
with the input name; choices, lists and non-finite numbers are rejected the same way."""

import pytest

from calculators.catalogue import CATALOGUE, compute

NUMBER_INPUTS = [(c, i) for c in CATALOGUE for i in c.inputs if i.kind == "number"]
LIST_INPUTS = [(c, i) for c in CATALOGUE for i in c.inputs if i.kind == "list"]
CHOICE_INPUTS = [(c, i) for c in CATALOGUE for i in c.inputs if i.kind == "choice"]


def label(pair):
    return f"{pair[0].id}.{pair[1].name}"


def rejected(calc, name, value):
    with pytest.raises(ValueError) as error:
        compute(calc.id, {**CONTEXT.get((calc.id, name), {}), name: value})
    return str(error.value)


# Inputs whose limit also depends on other inputs: the context in which the declared limit is the only one.
CONTEXT = {
    ("gap-loss", "wallet_balance"): {"margin_mode": "cross"},
    ("volume-profile", "row_size"): {"prices": [100] * 8},
    ("liquidation-price", "mmr"): {"leverage": 1},
    ("inverse-liquidation-price", "mmr"): {"leverage": 1},
    ("cross-liquidation-price", "mmr"): {"wallet_balance": 10000},
    ("cross-liquidation-price", "wallet_balance"): {"other_upnl": 100},
    ("liquidation-price", "tier_limits"): {"mm_source": "tiers"},
    ("liquidation-price", "tier_rates"): {"mm_source": "tiers"},
}


def not_blamed(calc, name, value):
    """Computing with ``value`` does not produce an error about ``name`` (another input may still object)."""
    try:
        compute(calc.id, {**CONTEXT.get((calc.id, name), {}), name: value})
    except ValueError as error:
        assert not str(error).startswith(name + " "), str(error)


def bad_values(item):
    """Values just outside the declared limits, paired with values at or just inside them."""
    outside, inside = [], []
    if item.min is not None:
        outside.append(item.min if item.min_exclusive else item.min - 1e-9)
        inside.append(item.min + 1e-9 if item.min_exclusive else item.min)
    if item.max is not None:
        outside.append(item.max if item.max_exclusive else item.max + 1e-9)
        inside.append(item.max - 1e-9 if item.max_exclusive else item.max)
    return outside, inside


@pytest.mark.parametrize("pair", NUMBER_INPUTS, ids=label)
def test_number_limits_are_enforced(pair):
    calc, item = pair
    outside, inside = bad_values(item)
    for value in outside:
        assert rejected(calc, item.name, value).startswith(item.name + " must ")
    for value in inside:
        not_blamed(calc, item.name, value)


@pytest.mark.parametrize("pair", NUMBER_INPUTS, ids=label)
@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_numbers_are_rejected(pair, value):
    calc, item = pair
    assert rejected(calc, item.name, value).startswith(item.name + " must ")


@pytest.mark.parametrize("pair", CHOICE_INPUTS, ids=label)
def test_unknown_choice_is_rejected(pair):
    calc, item = pair
    message = rejected(calc, item.name, "LONG")
    assert message == item.name + " must be " + " or ".join(item.choices)


@pytest.mark.parametrize("pair", LIST_INPUTS, ids=label)
def test_list_inputs(pair):
    calc, item = pair
    assert rejected(calc, item.name, []) == item.name + " must hold at least one value"
    assert rejected(calc, item.name, [1, float("nan")]).startswith(item.name + " must hold only")
    outside, _ = bad_values(item)
    for value in outside:
        bad = list(item.default)
        bad[-1] = value
        assert rejected(calc, item.name, bad).startswith(item.name + " must hold only")


@pytest.mark.parametrize("calc_id, first, second", [
    ("average-entry", "qtys", "prices"),
    ("maintenance-margin", "tier_limits", "tier_rates"),
    ("volume-profile", "prices", "volumes"),
])
def test_paired_lists_must_have_equal_length(calc_id, first, second):
    defaults = {i.name: i.default for i in next(c for c in CATALOGUE if c.id == calc_id).inputs}
    with pytest.raises(ValueError, match=f"^{second} must have as many values as {first}$"):
        compute(calc_id, {second: list(defaults[second]) + [1]})


@pytest.mark.parametrize("calc_id, values, message", [
    ("liquidation-price", {"leverage": 0.5}, "leverage must be at least 1"),
    ("liquidation-price", {"mmr": 1}, "mmr must be at least 0 and below 1"),
    ("target-price", {"side": "long", "leverage": 10, "target_roi_pct": -1000},
     "target_roi_pct must be greater than -100 x leverage for a long"),
    ("target-price", {"side": "short", "leverage": 10, "target_roi_pct": 1000},
     "target_roi_pct must be below 100 x leverage for a short"),
    ("gap-loss", {"margin_mode": "isolated", "wallet_balance": 399},
     "wallet_balance must be at least the position margin in isolated mode"),
    ("position-size", {"stop_price": 100}, "stop_price must differ from entry_price"),
    ("maintenance-margin", {"tier_limits": [1000, 1000, 3000, 4000, 5000]}, "tier_limits must be strictly increasing"),
    ("maintenance-margin", {"position_value": 5001}, "position_value must be at most the last tier limit"),
    ("maintenance-margin", {"tier_rates": [0.02, 0.025, 0.03, 0.035, 1]},
     "tier_rates must hold only rates of at least 0 and below 1"),
    ("ema", {"period": 2.5}, "period must be a whole number"),
    ("ema", {"period": 11}, "period must be at most the number of prices"),
    ("ema", {"period": 0}, "period must be at least 1"),
    ("volume-profile", {"volumes": [0, 0, 0, 0, 0, 0, 0, 0]}, "volumes must hold at least one value greater than 0"),
    ("volume-profile", {"row_size": 0.0007}, "row_size is too small: the profile would have more than 10000 rows"),
])
def test_specific_messages(calc_id, values, message):
    with pytest.raises(ValueError) as error:
        compute(calc_id, values)
    assert str(error.value) == message


@pytest.mark.parametrize("calc_id, values, message", [
    ("pnl", {"entry_price": 1e-200, "qty": 1e-200}, "qty is too small: the initial margin rounds to 0"),
    ("max-position", {"price": 1e-30, "leverage": 1e300, "taker_fee": 0},
     "price is too small for this leverage: the cost per coin rounds to 0"),
    ("liquidation-price", {"formula": "binance", "qty": 1e-310, "mmr": 0.9999999999999999, "leverage": 1},
     "qty is too small: the denominator rounds to 0"),
])
def test_underflowing_denominators_are_rejected_not_divided(calc_id, values, message, node):
    """Python would raise ZeroDivisionError and JS return Infinity; both must give the same ValueError."""
    with pytest.raises(ValueError) as error:
        compute(calc_id, values)
    assert str(error.value) == message
    calc = next(c for c in CATALOGUE if c.id == calc_id)
    args = [values.get(i.name, i.default) for i in calc.inputs]
    assert node.call(calc.function.__name__, args) == {"error": "ValueError: " + message, "name": "ValueError"}


@pytest.mark.parametrize("side, balance, ok", [
    ("long", 0.5, True), ("long", 1.25, True), ("long", 5, True),   # a long always has a bankruptcy price
    ("short", 0.5, True), ("short", 1.25, False), ("short", 5, False),  # a short only below its coin value
])
def test_inverse_cross_refuses_only_a_short_its_balance_covers(side, balance, ok, node):
    """10,000 contracts at 8,000 are worth 1.25 BTC. The check once had its sign reversed: it refused longs
    and let a short through to a division by zero (balance 1.25) or negative prices (balance 5)."""
    values = {"side": side, "entry_price": 8000, "contracts": 10000, "balance": balance, "order_margin": 0,
              "mmr": 0.005, "taker_fee": 0.00075}
    calc = next(c for c in CATALOGUE if c.id == "inverse-cross-liquidation-price")
    js = node.call(calc.function.__name__, [values[i.name] for i in calc.inputs])
    if ok:
        result = compute("inverse-cross-liquidation-price", values)
        assert result["bankruptcy_price"] > 0 and result["liquidation_price"] > 0 and "ok" in js
    else:
        message = "balance covers any rise in price: this short has no bankruptcy or liquidation price"
        with pytest.raises(ValueError, match=message):
            compute("inverse-cross-liquidation-price", values)
        assert js == {"error": "ValueError: " + message, "name": "ValueError"}


def test_boundary_values_that_are_allowed():
    assert compute("ema", {"period": 10})["last"] > 0          # period == number of prices
    prices = [10, 11, 12, 13, 12, 11, 12, 14, 15, 14]
    assert compute("ema", {"prices": prices, "period": 1, "seed": "first"})["ema"] == prices  # alpha = 1
    assert compute("maintenance-margin", {"position_value": 5000})["maintenance_margin"] > 0  # last limit included
    assert compute("volume-profile", {"row_size": 0.00071})["poc"] > 0  # 9,859 rows: under the cap
