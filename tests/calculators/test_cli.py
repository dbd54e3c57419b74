"""The command line: list, generated help, table and JSON output, one-line errors with exit code 2."""

import json
import subprocess
import sys

import pytest

from calculators.catalogue import CATALOGUE
from calculators.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_list_shows_every_calculator(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == [c.id for c in CATALOGUE]


@pytest.mark.parametrize("calc", CATALOGUE, ids=lambda c: c.id)
def test_help_lists_every_input_with_unit_default_and_limits(calc, capsys):
    code, out, _ = run(capsys, calc.id, "--help")
    assert code == 0
    flat = " ".join(out.split())
    for item in calc.inputs:
        assert "--" + item.name.replace("_", "-") in out
        if item.unit:
            assert f"Unit: {item.unit}." in flat
        if item.min is not None or item.max is not None:
            assert "Limits:" in flat
    assert flat.count("Default:") == len(calc.inputs)


def test_help_text_for_leverage(capsys):
    _, out, _ = run(capsys, "liquidation-price", "--help")
    flat = " ".join(out.split())
    assert "--leverage NUMBER Initial margin is position value divided by leverage. Unit: x. Limits: >= 1. " \
           "Default: 50." in flat
    assert "--mmr NUMBER" in flat and "Limits: >= 0 and < 1. Default: 0.005." in flat


def test_table_output(capsys):
    code, out, err = run(capsys, "liquidation-price", "--entry-price", "20000", "--qty", "1", "--leverage", "50")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Initial margin                   400.00  USDT",
        "Maintenance margin used          100.00  USDT",
        "Bankruptcy price (0% margin)  19,600.00  USDT",
        "Liquidation price             19,700.00  USDT",
        "Distance from entry                1.50  %",
        "Maintenance rate used            0.0050",
        "MM deduction used                  0.00  USDT",
    ]


def test_json_output_with_lists(capsys):
    code, out, _ = run(capsys, "ema", "--prices", "1,2,3,4,5", "--period", "3", "--json")
    assert code == 0
    assert json.loads(out) == {"ema": [2, 3, 4], "last": 4}


def test_volume_profile_rows_table(capsys):
    _, out, _ = run(capsys, "volume-profile")
    lines = out.splitlines()
    assert lines[3] == "Rows (low, high, volume):"
    assert lines[4] == "  103.00 - 104.00   30.00"
    assert len(lines) == 4 + 8


@pytest.mark.parametrize("argv, message", [
    (["liquidation-price", "--leverage", "0.5"], "error: leverage must be at least 1\n"),
    (["liquidation-price", "--entry-price", "abc"], "error: entry_price must be a number, got 'abc'\n"),
    (["ema", "--prices", "1,x"], "error: prices must hold only numbers, got 'x'\n"),
    (["ema", "--prices", ""], "error: prices must hold at least one value\n"),
    (["liquidation-price", "--side", "up"], "error: side must be long or short\n"),
    (["liq-price"], "error: unknown calculator 'liq-price'; did you mean liquidation-price?\n"),
    (["zzzzzz"], "error: unknown calculator 'zzzzzz'; run: python -m calculators list\n"),
    (["pnl", "--bogus", "1"], "error: unrecognized arguments: --bogus 1\n"),
    (["pnl", "--qty"], "error: argument --qty: expected one argument\n"),
])
def test_bad_input_is_one_line_exit_2(argv, message, capsys):
    code, out, err = run(capsys, *argv)
    assert (code, out, err) == (2, "", message)


def test_module_entry_point_no_traceback():
    done = subprocess.run([sys.executable, "-m", "calculators", "pnl", "--leverage", "0"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == "error: leverage must be at least 1\n"
    ok = subprocess.run([sys.executable, "-m", "calculators", "order-cost", "--json"], capture_output=True, text=True,
                        timeout=60)
    assert ok.returncode == 0
    assert json.loads(ok.stdout)["order_cost"] == pytest.approx(5052.25, rel=1e-12)
