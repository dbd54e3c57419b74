"""The scenario runner: the seed rules as scenarios, failure messages, malformed scenarios, negation."""

import copy

import pytest
import yaml

from calculators.model.scenario import (
    STEP_NAMES,
    ScenarioError,
    expectation_count,
    negate_expectation,
    run_scenario,
    step_text,
)

WITHDRAWAL_RULE = yaml.safe_load("""
given: {wallet: 1000, insurance_fund: 0}
steps:
  - open: {symbol: BTCUSDT, side: long, qty: 1, price: 20000, leverage: 50, margin_mode: cross}
  - mark: {symbol: BTCUSDT, price: 18500, fill: 18500}
  - expect: {wallet_balance: {lt: 0}}
  - withdraw: 1
  - expect: {refused: withdrawal_blocked_negative_balance}
  - deposit: 600
  - withdraw: 1
  - expect: {refused: null}
""")

# The seed article's rules, each with the venue whose policy it describes.
SEED_RULES = {
    "new-positions-refused-while-negative": ("seed-article", """
given: {wallet: 1000}
steps:
  - open: {symbol: BTCUSDT, side: long, qty: 1, price: 20000, leverage: 50}
  - mark: {symbol: BTCUSDT, price: 18500}
  - open: {symbol: BTCUSDT, side: long, qty: 0.01, price: 18500, leverage: 10}
  - expect: {refused: open_blocked_negative_balance, position_count: 0}
"""),
    "deposits-repay-the-debt-first": ("seed-article", """
given: {wallet: 1000}
steps:
  - open: {symbol: BTCUSDT, side: long, qty: 1, price: 20000, leverage: 50}
  - mark: {symbol: BTCUSDT, price: 18500}
  - expect: {debt: 511}
  - deposit: 200
  - expect: {wallet_balance: -311, debt: 311, refused: null}
"""),
    "no-interest-on-the-debt": ("seed-article", """
given: {wallet: 1000}
steps:
  - open: {symbol: BTCUSDT, side: long, qty: 1, price: 20000, leverage: 50}
  - mark: {symbol: BTCUSDT, price: 18500}
  - advance_hours: 720
  - expect: {wallet_balance: -511, interest_paid: 0}
"""),
    "uta-debt-accrues-hourly-interest": ("bybit-uta", """
given: {wallet: 1000, collateral: 5000}
steps:
  - open: {symbol: BTCUSDT, side: long, qty: 1, price: 20000, leverage: 50}
  - close: {symbol: BTCUSDT, price: 18500}
  - advance_hours: 24
  - expect: {wallet_balance: {lt: -521.175, approx: -521.2375, tolerance: 0.001}, interest_paid: {gt: 0}}
"""),
    "fund-covers-the-deficit-first": ("seed-article", """
given: {wallet: 1000, insurance_fund: 10000}
steps:
  - open: {symbol: BTCUSDT, side: long, qty: 1, price: 20000, leverage: 50}
  - mark: {symbol: BTCUSDT, price: 18500}
  - expect: {wallet_balance: 0, insurance_fund: 9489}
"""),
    "depleted-fund-leaves-the-balance-negative": ("seed-article", """
given: {wallet: 1000, insurance_fund: 100}
steps:
  - open: {symbol: BTCUSDT, side: long, qty: 1, price: 20000, leverage: 50}
  - mark: {symbol: BTCUSDT, price: 18500}
  - expect: {insurance_fund: 0, wallet_balance: -411}
"""),
    "liquidation-at-the-liquidation-price": ("seed-article", """
given: {wallet: 1000}
steps:
  - open: {symbol: BTCUSDT, side: long, qty: 1, price: 20000, leverage: 50, margin_mode: isolated}
  - expect: {liquidation_price: 19700, bankruptcy_price: 19600}
  - mark: {symbol: BTCUSDT, price: 19700.1}
  - expect: {position_count: 1}
  - mark: {symbol: BTCUSDT, price: 19700}
  - expect: {position_count: 0, liquidations: 1, insurance_fund: 100, position: none}
"""),
    "isolated-loss-limited-while-the-fund-holds": ("seed-article", """
given: {wallet: 1000, insurance_fund: 10000}
steps:
  - open: {symbol: BTCUSDT, side: long, qty: 1, price: 20000, leverage: 50, margin_mode: isolated}
  - mark: {symbol: BTCUSDT, price: 15000}
  - expect: {wallet_balance: 578.22, position_margin: 0, insurance_fund: 5400}
"""),
    "cross-puts-the-wallet-at-risk": ("seed-article", """
given: {wallet: 1000, insurance_fund: 10000}
steps:
  - open: {symbol: BTCUSDT, side: long, qty: 1, price: 20000, leverage: 50, margin_mode: cross}
  - mark: {symbol: BTCUSDT, price: 19000}
  - expect: {wallet_balance: 0, equity: 0}
"""),
    "negative-balance-does-not-close-the-account": ("seed-article", """
given: {wallet: 1000}
steps:
  - open: {symbol: BTCUSDT, side: long, qty: 1, price: 20000, leverage: 50}
  - mark: {symbol: BTCUSDT, price: 18500}
  - deposit: 100
  - expect: {refused: null, wallet_balance: -411}
"""),
    "second-account-inherits-the-restriction": ("seed-article", """
given: {wallet: 1000}
steps:
  - open: {symbol: BTCUSDT, side: long, qty: 1, price: 20000, leverage: 50}
  - mark: {symbol: BTCUSDT, price: 18500}
  - open_account: second
  - deposit: 100
  - withdraw: 10
  - expect: {refused: withdrawal_blocked_negative_balance, account: second, wallet_balance: 100, user_debt: 511}
  - open: {symbol: BTCUSDT, side: long, qty: 0.01, price: 18500}
  - expect: {refused: open_blocked_negative_balance}
  - use_account: main
  - deposit: 511
  - use_account: second
  - withdraw: 10
  - expect: {refused: null, wallet_balance: 90}
"""),
    "never-negative-adl-hits-the-opposing-side": ("binance", """
given: {wallet: 1000}
steps:
  - open_account: {name: bob-main, user: bob}
  - deposit: 10000
  - open: {symbol: BTCUSDT, side: short, qty: 1, price: 20000, leverage: 10}
  - use_account: main
  - open: {symbol: BTCUSDT, side: long, qty: 1, price: 20000, leverage: 50}
  - mark: {symbol: BTCUSDT, price: 18500}
  - expect: {wallet_balance: 0, adl_count: 1, adl_covered: 510, uncovered_deficit: 0}
  - use_account: bob-main
  - expect: {position_count: 0, wallet_balance: 10980, realised_pnl: 990}
"""),
    "adl-against-given-traders": ("bybit", """
given:
  wallet: 1000
  traders:
    - {name: bob, wallet: 10000, positions: [{symbol: BTCUSDT, side: short, qty: 1, price: 20000, leverage: 10}]}
steps:
  - open: {symbol: BTCUSDT, side: long, qty: 1, price: 20000, leverage: 50}
  - mark: {symbol: BTCUSDT, price: 18500}
  - expect: {wallet_balance: 0, adl_count: 1, uncovered_deficit: 0, account: main}
  - use_account: bob
  - expect: {position_count: 0, realised_pnl: 989}
"""),
}


@pytest.mark.parametrize("venue", ["seed-article"])
def test_the_withdrawal_rule_passes(venue):
    run = run_scenario(WITHDRAWAL_RULE, venue)
    assert run.ok and run.failure is None
    assert [row.result for row in run.rows] == [
        "ok", "ok", "passed", "refused: withdrawal_blocked_negative_balance", "passed", "ok", "ok", "passed"]
    assert run.rows[1].cells() == {"wallet_balance": "-511", "equity": "-511", "available_balance": "-511",
                                   "position_margin": "0", "position": "none", "insurance_fund": "0",
                                   "result": "ok"}
    assert run.exercised == ("deficit_to_wallet", "deposit_repays_debt", "withdrawal_blocked_while_negative")
    assert run.rows[0].text == ("open: {symbol: BTCUSDT, side: long, qty: 1, price: 20000, leverage: 50, "
                                "margin_mode: cross}")
    assert run.rows[3].text == "withdraw: 1"


@pytest.mark.parametrize("rule_id", sorted(SEED_RULES))
def test_seed_rules_hold_and_every_expectation_matters(rule_id):
    venue, text = SEED_RULES[rule_id]
    scenario = yaml.safe_load(text)
    run = run_scenario(scenario, venue)
    assert run.ok, run.failure
    for index, step in enumerate(scenario["steps"]):
        if "expect" not in step:
            continue
        for which in range(expectation_count(step)):
            flipped = copy.deepcopy(scenario)
            flipped["steps"][index] = negate_expectation(step, which)
            failed = run_scenario(flipped, venue)
            assert not failed.ok and failed.failure.step_index == index + 1, (index, which)


def test_the_same_story_differs_by_venue():
    assert run_scenario(WITHDRAWAL_RULE, "seed-article").ok
    for venue in ("bybit", "bybit-uta", "binance", "kraken-futures"):
        run = run_scenario(WITHDRAWAL_RULE, venue)
        assert str(run.failure) == "step 3 (expect): wallet_balance is 0, expected < 0", venue
    never = run_scenario(WITHDRAWAL_RULE, "binance")
    assert (never.failure.step_index, never.failure.step_name) == (3, "expect")
    assert never.failure.message == "wallet_balance is 0, expected < 0"
    assert len(never.rows) == 3 and never.rows[-1].result == "failed"


@pytest.mark.parametrize(
    "expect, message",
    [
        ({"wallet_balance": 12.5}, "wallet_balance is -511, expected = 12.5"),
        ({"wallet_balance": {"ge": 0}}, "wallet_balance is -511, expected >= 0"),
        ({"wallet_balance": {"gt": 0}}, "wallet_balance is -511, expected > 0"),
        ({"wallet_balance": {"le": -600}}, "wallet_balance is -511, expected <= -600"),
        ({"wallet_balance": {"ne": -511}}, "wallet_balance is -511, expected != -511"),
        ({"wallet_balance": {"approx": -500, "tolerance": 10}}, "wallet_balance is -511, expected ≈ -500 ± 10"),
        ({"wallet_balance": {"not_approx": -510, "tolerance": 2}}, "wallet_balance is -511, expected not ≈ -510 ± 2"),
        ({"refused": "withdrawal_blocked_negative_balance"},
         "result was ok, expected refused: withdrawal_blocked_negative_balance"),
        ({"position": "long 1 BTCUSDT"}, "position is none, expected = long 1 BTCUSDT"),
        ({"liquidation_price": 5}, "liquidation_price is empty, expected = 5"),
        ({"liquidation_price": {"ne": None}}, "liquidation_price is empty, expected != empty"),
        ({"wallet_balance": None}, "wallet_balance is -511, expected = empty"),
    ],
)
def test_failure_messages(expect, message):
    scenario = {"given": {"wallet": 1000}, "steps": WITHDRAWAL_RULE["steps"][:2] + [{"expect": expect}]}
    run = run_scenario(scenario, "seed-article")
    assert run.failure.message == message
    assert str(run.failure) == f"step 3 (expect): {message}"


def test_refusal_messages():
    steps = [{"withdraw": 5000}, {"expect": {"refused": None}}]
    assert run_scenario({"steps": steps}, "seed-article").failure.message == (
        "result was refused: insufficient_available_balance, expected ok")
    steps = [{"withdraw": 5000}, {"expect": {"refused": "withdrawal_blocked_liability"}}]
    assert run_scenario({"steps": steps}, "seed-article").failure.message == (
        "result was refused: insufficient_available_balance, expected refused: withdrawal_blocked_liability")
    first = run_scenario({"steps": [{"expect": {"refused": None}}]}, "seed-article")
    assert first.failure.message == "no operation ran before this expect"


def test_every_step_kind_runs():
    scenario = yaml.safe_load("""
given: {wallet: 5000, insurance_fund: 10, position_mode: hedge, user: ann, account: a1}
steps:
  - set_leverage: {symbol: BTCUSDT, leverage: 20}
  - open: {symbol: BTCUSDT, side: long, qty: 0.1, price: 20000, margin_mode: isolated}
  - open: {symbol: BTCUSDT, side: short, qty: 0.1, price: 20000, margin_mode: isolated}
  - add_margin: {symbol: BTCUSDT, side: long, amount: 50}
  - remove_margin: {symbol: BTCUSDT, side: long, amount: 20}
  - mark: {symbol: BTCUSDT, price: 20100}
  - stop: {symbol: BTCUSDT, side: long, trigger_price: 19000}
  - funding: {symbol: BTCUSDT, rate: 0.0001}
  - close: {symbol: BTCUSDT, side: short, price: 20100, qty: 0.05}
  - close: {symbol: BTCUSDT, side: short, price: 20100}
  - close: {symbol: BTCUSDT, price: 20100}
  - open_at_risk: {symbol: BTCUSDT, side: long, price: 20100, stop: 20000, risk_pct: 1, margin_mode: cross}
  - close: {symbol: BTCUSDT, price: 20100}
  - set_position_mode: one_way
  - advance_hours: 3
  - open_account: {name: a2}
  - use_account: a1
  - deposit: 1
  - withdraw: 1
  - expect: {refused: null, account: a1, position_count: 0, hours: 3, fees_collected: {gt: 0}}
""")
    run = run_scenario(scenario, "seed-article")
    assert run.ok, run.failure
    assert all(row.result in ("ok", "passed") for row in run.rows), [(r.text, r.result) for r in run.rows]
    assert {row.name for row in run.rows} == set(STEP_NAMES)


@pytest.mark.parametrize(
    "scenario, where",
    [
        ([], "step 0 (scenario): scenario: must be a mapping"),
        ({"steps": [], "x": 1}, "step 0 (scenario): x: unknown key"),
        ({"given": [1], "steps": [{"deposit": 1}]}, "step 0 (given): given: must be a mapping"),
        ({"given": {"cash": 1}, "steps": [{"deposit": 1}]}, "step 0 (given): cash: unknown key"),
        ({"given": {"position_mode": "both"}, "steps": [{"deposit": 1}]}, "step 0 (given): position_mode"),
        ({"given": {"wallet": -1}, "steps": [{"deposit": 1}]}, "step 0 (given): given: wallet"),
        ({"given": {"traders": [{"name": "bob", "cash": 1}]}, "steps": [{"deposit": 1}]},
         "step 0 (given): traders[0].cash: unknown key; known: name, wallet, positions"),
        ({"given": {"traders": [{"name": "bob", "positions": [{"symbol": "BTCUSDT", "side": "short", "qty": 1}]}]},
          "steps": [{"deposit": 1}]}, "step 0 (given): traders[0].positions[0].price: is required"),
        ({"given": {"traders": {"name": "bob"}}, "steps": [{"deposit": 1}]}, "step 0 (given): traders: must be a list"),
        ({"given": {"collateral": 100}, "steps": [{"deposit": 1}]},
         "step 0 (given): given: collateral: other coins backing a borrowing belong to a Unified Trading Account"),
        ({"given": {"traders": [{"name": "bob", "wallet": 1, "positions": [
            {"symbol": "BTCUSDT", "side": "short", "qty": 1, "price": 20000}]}]}, "steps": [{"deposit": 1}]},
         "step 0 (given): given: trader bob: open refused: order cost is"),
        ({"steps": []}, "step 0 (steps): steps: must be a non-empty list"),
        ({"steps": [{"deposit": 1, "withdraw": 1}]}, "step 1 (step): step: must be a mapping with exactly one"),
        ({"steps": [{"deposit": 1}, {"fly": 1}]}, "step 2 (fly): fly: unknown step"),
        ({"steps": [{"open": {"symbol": "BTCUSDT", "side": "long", "qty": 1, "price": 1, "colour": 1}}]},
         "step 1 (open): colour: unknown key"),
        ({"steps": [{"open": {"symbol": "BTCUSDT", "side": "long", "qty": 1}}]}, "step 1 (open): price: is required"),
        ({"steps": [{"open": 5}]}, "step 1 (open): open: needs a mapping"),
        ({"steps": [{"deposit": {"amount": 1}}]}, "step 1 (deposit): amount: takes a single value"),
        ({"steps": [{"open_account": 5}]}, "step 1 (open_account): name: must be an account name"),
        ({"steps": [{"expect": {}}]}, "step 1 (expect): expect: must map"),
        ({"steps": [{"expect": {"walet": 1}}]}, "step 1 (expect): walet: unknown state field"),
        ({"steps": [{"expect": {"refused": "nope"}}]}, "step 1 (expect): refused: unknown reason code 'nope'"),
        ({"steps": [{"expect": {"wallet_balance": {"about": 1}}}]}, "step 1 (expect): wallet_balance: unknown comparison 'about'"),
        ({"steps": [{"expect": {"wallet_balance": {}}}]}, "step 1 (expect): wallet_balance: needs at least one comparison"),
        ({"steps": [{"expect": {"wallet_balance": {"approx": 1}}}]}, "step 1 (expect): wallet_balance: approx needs a tolerance"),
        ({"steps": [{"expect": {"wallet_balance": {"lt": 1, "tolerance": 1}}}]}, "tolerance goes with approx"),
        ({"steps": [{"expect": {"wallet_balance": {"lt": "x"}}}]}, "step 1 (expect): wallet_balance: 'x' is not a number"),
        ({"steps": [{"expect": {"position": {"lt": 1}}}]}, "step 1 (expect): position: is text"),
    ],
)
def test_malformed_scenarios_name_the_step_and_key(scenario, where):
    with pytest.raises(ScenarioError) as error:
        run_scenario(scenario, "seed-article")
    assert str(error.value).startswith(where) or where in str(error.value)


def test_unknown_venue_is_a_scenario_error():
    with pytest.raises(ScenarioError, match="unknown venue 'okx'"):
        run_scenario(WITHDRAWAL_RULE, "okx")


def test_negate_expectation():
    step = {"expect": {"wallet_balance": {"lt": 0, "ge": -600}, "refused": None, "debt": 5,
                       "equity": {"approx": 1, "tolerance": 2}}}
    assert expectation_count(step) == 5
    assert negate_expectation(step) == {"expect": {
        "wallet_balance": {"ge": 0, "lt": -600}, "refused": "insufficient_available_balance", "debt": {"ne": 5},
        "equity": {"not_approx": 1, "tolerance": 2}}}
    assert negate_expectation(step, 0) == {"expect": {
        "wallet_balance": {"ge": 0}, "refused": None, "debt": 5, "equity": {"approx": 1, "tolerance": 2}}}
    swapped = negate_expectation({"expect": {"refused": "withdrawal_blocked_liability"}})
    assert swapped == {"expect": {"refused": None}}
    assert step["expect"]["wallet_balance"] == {"lt": 0, "ge": -600}  # the original is not changed
    assert negate_expectation({"expect": {"wallet_balance": {"le": 3, "gt": 5}}}, 0) == {"expect": {"wallet_balance": {"gt": 5}}}
    assert negate_expectation({"expect": {"wallet_balance": {"gt": 3, "lt": 5}}}, 0) == {"expect": {"wallet_balance": {"le": 3, "lt": 5}}}
    with pytest.raises(ValueError, match="must be an expect step"):
        negate_expectation({"deposit": 1})
    with pytest.raises(ValueError, match="two ne checks"):
        negate_expectation({"expect": {"wallet_balance": {"eq": 1, "ne": 2}}}, 0)


def test_step_text_formats():
    assert step_text("mark", {"symbol": "BTCUSDT", "price": 18500.5, "fill": None}) == (
        "mark: {symbol: BTCUSDT, price: 18500.5, fill: null}")
    assert step_text("expect", {"wallet_balance": {"lt": 0}}) == "expect: {wallet_balance: {lt: 0}}"
    assert step_text("set_position_mode", "hedge") == "set_position_mode: hedge"
