"""Every rule on the site, run on the reference model: one case per rule, plus the vacuity check.

The vacuity check flips each expectation of each rule in turn (``lt`` becomes ``ge``, ``refused: X``
becomes ``refused: null``, ...) and requires the scenario then to fail at that step: a rule whose
scenario passes either way checks nothing.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from calculators.model.scenario import expectation_count, negate_expectation, run_scenario
from calculators.model.venues import VENUES
from scripts.pipeline.content import Layout
from scripts.pipeline.load import load_file

ROOT = Path(__file__).resolve().parents[2]


def _site_rules():
    layout = Layout(ROOT)
    rules = []
    for path in layout.entry_files():
        doc, problems = load_file(path, ROOT)
        assert not problems, problems
        rules += [(doc.file, rule) for rule in doc.data.get("rules", [])]
    return rules


RULES = _site_rules()
RULE_IDS = [rule["id"] for _, rule in RULES]


def test_the_site_states_rules():
    assert len(RULES) >= 14
    assert len(set(RULE_IDS)) == len(RULE_IDS)


@pytest.mark.parametrize("file, rule", RULES, ids=RULE_IDS)
def test_rule_holds_on_the_model(file, rule):
    run = run_scenario(rule["scenario"], rule["venue"])
    assert run.ok, f"{file}: rule {rule['id']}, {run.failure}"
    assert any(row.name == "expect" for row in run.rows), f"rule {rule['id']} has no expectation"


def _flips(rule):
    for position, step in enumerate(rule["scenario"]["steps"]):
        if "expect" in step:
            for which in range(expectation_count(step)):
                yield position, which


@pytest.mark.parametrize("file, rule", RULES, ids=RULE_IDS)
def test_rule_is_not_vacuous(file, rule):
    flips = list(_flips(rule))
    assert flips, f"rule {rule['id']} checks nothing"
    for position, which in flips:
        scenario = copy.deepcopy(rule["scenario"])
        scenario["steps"][position] = negate_expectation(scenario["steps"][position], which)
        run = run_scenario(scenario, rule["venue"])
        negated = scenario["steps"][position]["expect"]
        assert not run.ok, f"rule {rule['id']}: step {position + 1} still passes when negated to {negated}"
        assert run.failure.step_index == position + 1, (rule["id"], run.failure)


def test_seed_rules_cover_every_venue():
    assert {rule["venue"] for _, rule in RULES} >= {"bybit", "bybit-uta", "kraken-futures", "seed-article"}


def _rule(rule_id):
    return next(rule for _, rule in RULES if rule["id"] == rule_id)


# Vacuity of the behaviours themselves: switch the policy off on the rule's venue and the rule must fail.
@pytest.mark.parametrize("rule_id, policy", [
    ("never-negative-venue-uses-adl", "deficit_to_adl"),
    ("insurance-fund-covers-gap-first", "fee_to_close_in_position_margin"),
    ("isolated-loss-limited-to-margin", "fee_to_close_in_position_margin"),
    ("added-margin-moves-liquidation-price", "fee_to_close_in_position_margin"),
    ("empty-fund-can-leave-balance-negative", "deficit_to_wallet"),
    ("withdrawal-blocked-while-negative", "withdrawal_blocked_while_negative"),
    ("open-blocked-while-negative", "open_blocked_while_negative"),
    ("restriction-follows-the-user", "block_follows_user"),
    ("uta-liability-blocks-withdrawal", "liability_blocks_withdrawal"),
    ("liquidated-position-settles-at-bankruptcy-price", "fund_takes_surplus"),
    ("liquidated-position-settles-at-bankruptcy-price", "fund_covers_deficit"),
    ("added-margin-moves-bankruptcy-price", "fund_takes_surplus"),
    ("fee-to-close-valued-at-bankruptcy-price", "fee_to_close_in_position_margin"),
    ("bybit-fund-pays-first-then-adl", "fund_covers_deficit"),
    ("bybit-fund-pays-first-then-adl", "deficit_to_adl"),
    ("binance-fund-then-counterparty-liquidation", "deficit_to_adl"),
    ("adl-deleverages-highest-ranked-opponent-first", "deficit_to_adl"),
    ("binance-adl-closes-at-bankruptcy-price-without-fee", "deficit_to_adl"),
    ("mark-price-triggers-liquidation-fill-can-differ", "fund_takes_surplus"),
    ("bybit-fund-keeps-the-liquidation-surplus", "fund_takes_surplus"),
])
def test_rule_fails_with_its_behaviour_switched_off(rule_id, policy):
    rule = _rule(rule_id)
    assert run_scenario(rule["scenario"], rule["venue"]).ok
    assert policy in run_scenario(rule["scenario"], rule["venue"]).exercised
    switched_off = VENUES[rule["venue"]].with_policy(policy, False)
    run = run_scenario(rule["scenario"], switched_off)
    assert not run.ok, f"rule {rule_id} still holds with {policy} switched off"


# A rule about a venue that does *not* do something must fail where the venue does it.
@pytest.mark.parametrize("rule_id, policy", [
    ("kraken-surplus-stays-with-the-trader", "fund_takes_surplus"),
])
def test_rule_fails_with_a_behaviour_switched_on(rule_id, policy):
    rule = _rule(rule_id)
    assert run_scenario(rule["scenario"], rule["venue"]).ok
    switched_on = VENUES[rule["venue"]].with_policy(policy, True)
    run = run_scenario(rule["scenario"], switched_on)
    assert not run.ok, f"rule {rule_id} still holds with {policy} switched on"


def test_adl_rule_fails_without_the_opposing_trader():
    # Nothing abstract absorbs the deficit: with no opposing position the shortfall is visible instead.
    rule = _rule("never-negative-venue-uses-adl")
    scenario = copy.deepcopy(rule["scenario"])
    del scenario["given"]["traders"]
    scenario["steps"] = scenario["steps"][:3]
    run = run_scenario(scenario, rule["venue"])
    assert not run.ok and "adl_count is 0" in run.failure.message
    assert run.exchange.snapshot()["uncovered_deficit"] == 510


def test_adl_rule_depends_on_the_opponent_being_at_a_loss():
    # The same scenario with the only short in profit (opened at 20,000) deleverages it: the rule's
    # uncovered deficit comes from its stated condition, not from ADL being off.
    rule = _rule("adl-with-no-profitable-opponent-leaves-deficit-uncovered")
    scenario = copy.deepcopy(rule["scenario"])
    scenario["given"]["traders"][0]["positions"][0]["price"] = 20000
    run = run_scenario(scenario, rule["venue"])
    assert not run.ok and run.failure.step_index == 3 and "adl_count is 1" in run.failure.message
    assert run.exchange.snapshot()["uncovered_deficit"] == 0


def test_adl_ranking_rule_fails_when_the_leverages_swap():
    # Give the 2x trader the 20x position and the other way round: the other trader is deleveraged.
    rule = _rule("adl-deleverages-highest-ranked-opponent-first")
    scenario = copy.deepcopy(rule["scenario"])
    bob, carol = scenario["given"]["traders"]
    bob["positions"][0]["leverage"], carol["positions"][0]["leverage"] = 2, 20
    bob["wallet"], carol["wallet"] = 20000, 2000
    run = run_scenario(scenario, rule["venue"])
    assert not run.ok and run.failure.step_index == 5


@pytest.mark.parametrize("file, rule", RULES, ids=RULE_IDS)
def test_every_exercised_policy_is_sourced_by_the_rules_venue(file, rule):
    run = run_scenario(rule["scenario"], rule["venue"])
    for policy in run.exercised:
        assert VENUES[rule["venue"]].policy_sources(policy), (rule["id"], policy)
