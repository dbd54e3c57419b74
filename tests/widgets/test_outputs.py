"""Every calculator page, typed into like a reader, shows what Python computes (same formatting).

For each calculator, 20+ Hypothesis input sets are entered into the real page in Chromium (in one
round trip per set: each control's value is set and the event typing fires is dispatched); the shown
outputs must equal the Python results after the widget's display rule, and when the formula rejects
the inputs, its message must appear next to the field it names with every output blank.
A second test types a sample with Playwright's keyboard-level ``fill`` and compares with the command line
itself (``python -m calculators <id> ... --json``).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings

from calculators import catalogue

from .conftest import ROOT
from .display import EMPTY, display, enter_and_read, expected_outputs, field_message, read_widget, type_inputs
from .strategies import SPECS, input_texts, parse_texts

pytestmark = pytest.mark.browser

EXAMPLES = 20


def python_expectation(spec: dict, values: dict) -> dict:
    """``{"outputs": {...}}`` or ``{"error": (field, text)}`` for what the page must show."""
    try:
        result = catalogue.compute(spec["id"], values)
    except ValueError as error:
        message = str(error)
        name = message.split(" ")[0]
        labels = {item["name"]: item["label"] for item in spec["inputs"]}
        assert name in labels, f"ValueError does not start with an input name: {message!r}"
        return {"error": field_message(spec, message)}
    shown = expected_outputs(spec, result)
    return {"outputs": shown, "raw": result} if shown else {"unshowable": result}


def assert_matches(spec: dict, texts: dict, seen: dict, expected: dict) -> None:
    context = f"{spec['id']} with {texts}"
    assert "NaN" not in seen["text"] and "Infinity" not in seen["text"], context
    if "error" in expected:
        field, message = expected["error"]
        assert seen["errors"][field] == message, context
        assert field in seen["invalid"], context
        assert set(seen["outputs"].values()) == {EMPTY}, context
    elif "unshowable" in expected:
        assert set(seen["outputs"].values()) == {EMPTY}, context
        assert seen["form_error"], context
    else:
        assert not any(seen["errors"].values()), (context, seen["errors"])
        for output in spec["outputs"]:
            name = output["name"]
            shown, js_value, py_value = seen["outputs"][name], seen["values"][name], expected["raw"][name]
            # The page formats its own number by the display rule, and that number is Python's ...
            assert shown == display(js_value, output), (context, name)
            assert _close(js_value, py_value), (context, name, js_value, py_value)
            # ... so the text equals Python's text, unless the two floats differ in the last bits.
            if js_value == py_value:
                assert shown == expected["outputs"][name], (context, name)


def _close(a, b) -> bool:
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


@pytest.mark.parametrize("calc_id", list(SPECS))
def test_typed_inputs_show_the_python_results(calc_id, shared_pages):
    spec = SPECS[calc_id]
    page = shared_pages(calc_id)
    ran = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(texts=input_texts(calc_id))
    def check(texts):
        seen = enter_and_read(page, texts)
        assert_matches(spec, texts, seen, python_expectation(spec, parse_texts(spec, texts)))
        ran.append(texts)

    check()
    assert len(ran) >= EXAMPLES
    assert shared_pages.session.problems == []


def cli_values(spec: dict, texts: dict) -> list[str]:
    args = []
    for item in spec["inputs"]:
        text = texts[item["name"]]
        if item["kind"] == "list":
            text = ",".join(text.replace(",", " ").split())
        args.append(f"--{item['name'].replace('_', '-')}={text}")
    return args


# One hand-picked, non-default input set per calculator for the command-line comparison.
SAMPLES = {
    "liquidation-price": {"side": "short", "entry_price": "87959.91", "qty": "0.25", "leverage": "20",
                          "mmr": "0.005", "mm_deduction": "0", "extra_margin": "15", "formula": "binance",
                          "mm_source": "tiers", "tier_limits": "50000, 250000, 1000000",
                          "tier_rates": "0.004, 0.005, 0.01"},
    "order-cost": {"side": "short", "price": "3120.5", "qty": "2.5", "leverage": "25", "taker_fee": "0.0005"},
    "pnl": {"side": "short", "entry_price": "64000", "exit_price": "61234.5", "qty": "0.3", "leverage": "5",
            "taker_fee": "0.00055", "open_fee_rate": "0.0002", "exit_fee_rate": "0.00055"},
    "target-price": {"side": "short", "entry_price": "2500", "leverage": "20", "target_roi_pct": "35"},
    "max-position": {"side": "short", "balance": "2500", "price": "64000", "leverage": "20", "taker_fee": "0.0006"},
    "average-entry": {"qtys": "0.1\n0.25\n0.4", "prices": "60000\t61500.5\t59000"},
    "maintenance-margin": {"position_value": "1250000", "tier_limits": "200000, 2000000, 10000000",
                           "tier_rates": "0.005, 0.01, 0.025"},
    "funding-fee": {"side": "short", "qty": "3", "mark_price": "3100", "funding_rate": "-0.00025"},
    "gap-loss": {"side": "short", "entry_price": "30000", "qty": "2", "leverage": "20", "margin_mode": "cross",
                 "wallet_balance": "3500", "fill_price": "32100", "insurance_fund": "200",
                 "close_fee_rate": "0"},
    "inverse-order-cost": {"side": "short", "price": "2000", "contracts": "10000", "leverage": "25",
                           "taker_fee": "0.00055"},
    "inverse-pnl": {"side": "short", "entry_price": "5000", "exit_price": "4500", "contracts": "1000",
                    "leverage": "10", "open_fee_rate": "0.0002", "exit_fee_rate": "0.00055"},
    "inverse-target-price": {"side": "short", "entry_price": "60000", "leverage": "20", "target_roi_pct": "40"},
    "inverse-liquidation-price": {"side": "long", "entry_price": "8000", "contracts": "1000", "leverage": "50",
                                  "mmr": "0.01", "mm_deduction": "0", "extra_margin": "0.0075", "formula": "binance"},
    "inverse-cross-liquidation-price": {"side": "short", "entry_price": "8000", "contracts": "10000",
                                        "balance": "0.5", "order_margin": "0.01", "mmr": "0.005",
                                        "taker_fee": "0.00075"},
    "inverse-average-entry": {"contracts": "50, 50", "prices": "10000, 15000"},
    "cross-liquidation-price": {"side": "long", "entry_price": "64000", "qty": "0.5", "wallet_balance": "4000",
                                "other_mm": "120", "other_upnl": "-300", "mmr": "0.004", "mm_deduction": "0"},
    "initial-margin-mark": {"side": "short", "entry_price": "50000", "mark_price": "49500", "qty": "0.5",
                            "leverage": "10", "taker_fee": "0.00055"},
    "funding-period": {"side": "short", "contract": "inverse", "qty": "15000", "mark_price": "750",
                       "funding_rates": "0.0025, 0.001, -0.0005"},
    "size-scaled-margin": {"size": "350", "price": "64000", "base_rate": "0.02", "rate_per_100": "0.005"},
    "position-size": {"equity": "25000", "risk_pct": "1.5", "entry_price": "64000", "stop_price": "62500",
                      "leverage": "10"},
    "ema": {"prices": "101 102.5 101.8 103 104.2 103.9 105 106.4", "period": "4", "seed": "first"},
    "volume-profile": {"prices": "99.5, 100, 100.25, 101, 101.5, 102, 103.75", "volumes": "5, 12, 30, 8, 22, 3, 9",
                       "row_size": "0.5", "value_area_pct": "68"},
}


def test_every_calculator_has_a_cli_sample():
    assert set(SAMPLES) == set(SPECS)


@pytest.mark.parametrize("calc_id", list(SPECS))
def test_page_agrees_with_the_command_line(calc_id, shared_pages):
    spec = SPECS[calc_id]
    texts = SAMPLES[calc_id]
    run = subprocess.run([sys.executable, "-m", "calculators", calc_id, *cli_values(spec, texts), "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    from_cli = json.loads(run.stdout)
    assert from_cli == json.loads(json.dumps(catalogue.compute(calc_id, parse_texts(spec, texts))))
    page = shared_pages(calc_id)
    type_inputs(page, spec, texts)
    seen = read_widget(page)
    assert seen["outputs"] == expected_outputs(spec, from_cli)
    assert shared_pages.session.problems == []
