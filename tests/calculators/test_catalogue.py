"""The catalogue: public names, JSON shape, defaults that compute, and limits the functions really enforce."""

import json
from decimal import Decimal

import pytest

from calculators import catalogue
from calculators.catalogue import CATALOGUE, compute, get, to_json

PUBLIC_TABLE = {
    "liquidation-price": (["side", "entry_price", "qty", "leverage", "mmr", "mm_deduction", "extra_margin", "formula",
                           "mm_source", "tier_limits", "tier_rates"],
                          ["initial_margin", "maintenance_margin", "bankruptcy_price", "liquidation_price",
                           "distance_pct", "mmr_used", "mm_deduction_used"]),
    "order-cost": (["side", "price", "qty", "leverage", "taker_fee"],
                   ["initial_margin", "open_fee", "close_fee", "order_cost"]),
    "pnl": (["side", "entry_price", "exit_price", "qty", "leverage", "taker_fee", "open_fee_rate", "exit_fee_rate"],
            ["pnl", "initial_margin", "roi_pct", "pnl_pct_of_value", "close_fee", "position_margin",
             "position_margin_return_pct", "open_fee", "exit_fee", "net_pnl"]),
    "target-price": (["side", "entry_price", "leverage", "target_roi_pct"], ["target_price"]),
    "max-position": (["side", "balance", "price", "leverage", "taker_fee"], ["max_qty", "order_cost"]),
    "average-entry": (["qtys", "prices"], ["average_entry_price", "total_qty"]),
    "maintenance-margin": (["position_value", "tier_limits", "tier_rates"],
                           ["maintenance_margin", "effective_rate", "tier_rate", "mm_deduction"]),
    "funding-fee": (["side", "qty", "mark_price", "funding_rate"], ["funding_fee"]),
    "gap-loss": (["side", "entry_price", "qty", "leverage", "margin_mode", "wallet_balance", "fill_price",
                  "insurance_fund", "close_fee_rate"],
                 ["loss", "margin_lost", "insurance_fund_covers", "not_covered", "balance_after", "deposit_to_clear"]),
    "inverse-order-cost": (["side", "price", "contracts", "leverage", "taker_fee"],
                           ["position_value", "initial_margin", "open_fee", "close_fee", "order_cost"]),
    "inverse-pnl": (["side", "entry_price", "exit_price", "contracts", "leverage", "open_fee_rate", "exit_fee_rate"],
                    ["pnl", "initial_margin", "roi_pct", "pnl_pct_of_value", "open_fee", "exit_fee", "net_pnl"]),
    "inverse-target-price": (["side", "entry_price", "leverage", "target_roi_pct"], ["target_price"]),
    "inverse-liquidation-price": (["side", "entry_price", "contracts", "leverage", "mmr", "mm_deduction",
                                   "extra_margin", "formula"],
                                  ["position_value", "initial_margin", "maintenance_margin", "bankruptcy_price",
                                   "liquidation_price", "distance_pct"]),
    "inverse-cross-liquidation-price": (["side", "entry_price", "contracts", "balance", "order_margin", "mmr",
                                         "taker_fee"],
                                        ["position_value", "bankruptcy_price", "liquidation_price", "distance_pct"]),
    "inverse-average-entry": (["contracts", "prices"], ["average_entry_price", "total_contracts", "total_value"]),
    "cross-liquidation-price": (["side", "entry_price", "qty", "wallet_balance", "other_mm", "other_upnl", "mmr",
                                 "mm_deduction"], ["liquidation_price", "maintenance_margin", "distance_pct"]),
    "initial-margin-mark": (["side", "entry_price", "mark_price", "qty", "leverage", "taker_fee"],
                            ["position_value", "initial_margin", "close_fee", "initial_margin_with_fee"]),
    "funding-period": (["side", "contract", "qty", "mark_price", "funding_rates"],
                       ["position_value", "total_funding", "payments"]),
    "size-scaled-margin": (["size", "price", "base_rate", "rate_per_100"], ["rate", "margin", "margin_value"]),
    "position-size": (["equity", "risk_pct", "entry_price", "stop_price", "leverage"],
                      ["qty", "position_value", "risk_amount", "margin_needed"]),
    "ema": (["prices", "period", "seed"], ["ema", "last"]),
    "volume-profile": (["prices", "volumes", "row_size", "value_area_pct"],
                       ["poc", "value_area_high", "value_area_low", "rows"]),
}

DEFAULTS_IN_ISSUE = {("liquidation-price", "mmr"): 0.005, ("liquidation-price", "mm_deduction"): 0,
                     ("liquidation-price", "extra_margin"): 0, ("liquidation-price", "formula"): "bybit",
                     ("order-cost", "taker_fee"): 0.00055, ("pnl", "taker_fee"): 0.00055,
                     ("max-position", "taker_fee"): 0.00055, ("volume-profile", "value_area_pct"): 70}
CHOICES_IN_ISSUE = {"formula": ["bybit", "binance"], "margin_mode": ["isolated", "cross"], "mm_source": ["rate", "tiers"],
                    "contract": ["linear", "inverse"],
                    "seed": ["sma", "first"], "side": ["long", "short"]}


def test_ids_inputs_and_outputs_match_the_public_table():
    assert catalogue.ids() == list(PUBLIC_TABLE)
    for calc in CATALOGUE:
        inputs, outputs = PUBLIC_TABLE[calc.id]
        assert [i.name for i in calc.inputs] == inputs, calc.id
        assert [o.name for o in calc.outputs] == outputs, calc.id


def test_issue_defaults_and_choices():
    for (calc_id, name), default in DEFAULTS_IN_ISSUE.items():
        assert get(calc_id).input(name).default == default
    for calc in CATALOGUE:
        for item in calc.inputs:
            if item.kind == "choice":
                assert list(item.choices) == CHOICES_IN_ISSUE[item.name]
                assert item.default in item.choices


def test_json_shape():
    data = json.loads(json.dumps(to_json()))
    input_keys = {"name", "label", "unit", "kind", "min", "max", "min_exclusive", "max_exclusive", "step", "default",
                  "help"}
    for entry in data:
        assert set(entry) == {"id", "title", "summary", "function", "inputs", "outputs", "variants", "sources",
                              "formula", "conventions", "presets"}
        names = {item["name"] for item in entry["inputs"]}
        for preset in entry["presets"]:
            assert set(preset["values"]) <= names and preset["tier_source"]
        assert entry["function"] == get(entry["id"]).function.__name__
        for item in entry["inputs"]:
            expected = input_keys | ({"choices"} if item["kind"] == "choice" else set())
            assert set(item) == expected
            assert item["kind"] in ("number", "choice", "list")
        for out in entry["outputs"]:
            assert set(out) == {"name", "label", "unit", "decimals", "kind"}
            assert out["kind"] in ("number", "list") and isinstance(out["decimals"], int)
        assert entry["sources"] and all(set(s) == {"title", "url", "publisher"} for s in entry["sources"])
        assert entry["summary"] and entry["formula"]


@pytest.mark.parametrize("calc", CATALOGUE, ids=lambda c: c.id)
def test_defaults_compute_with_every_output(calc):
    result = compute(calc.id, {})
    assert list(result) == [o.name for o in calc.outputs]
    for out in calc.outputs:
        assert isinstance(result[out.name], list) == (out.kind == "list")


@pytest.mark.parametrize("calc", CATALOGUE, ids=lambda c: c.id)
def test_decimal_inputs_give_the_float_answer(calc):
    """The model calls the formulas with Decimal: no float literal or float-only step may break that."""
    def to_decimal(value):
        if isinstance(value, list):
            return [to_decimal(v) for v in value]
        return Decimal(str(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else value

    values = {item.name: to_decimal(item.default) for item in calc.inputs}
    if calc.id == "ema":
        values["period"] = 3  # a count stays an int
    exact = compute(calc.id, values)
    approx = compute(calc.id, {})
    assert_close(exact, approx)


def assert_close(exact, approx):
    if isinstance(exact, dict):
        assert list(exact) == list(approx)
        for key in exact:
            assert_close(exact[key], approx[key])
    elif isinstance(exact, list):
        assert len(exact) == len(approx)
        for a, b in zip(exact, approx):
            assert_close(a, b)
    else:
        assert isinstance(exact, (Decimal, int)), type(exact)
        assert float(exact) == pytest.approx(approx, rel=1e-12)


def test_compute_rejects_unknown_input():
    with pytest.raises(ValueError, match="^entry ice is not an input of pnl$"):
        compute("pnl", {"entry ice": 1})


def test_get_unknown_id():
    with pytest.raises(KeyError):
        get("liq-price")
