"""The scenario explorer: ``python -m scripts rule <id>`` prints the model's state after every step."""

from __future__ import annotations

from scripts.explore import short_number

RULE = """\
rules:
  - id: withdraw-reduces-wallet
    venue: bybit-classic
    statement: A withdrawal takes its amount from the wallet.
    sources: [{title: Some page, url: https://www.bybit.com/x, publisher: Bybit, accessed: "2026-01-01"}]
    scenario:
      given: {wallet: 1000}
      steps:
        - withdraw: 400
        - expect: {wallet: 601}
        - deposit: 50
        - expect: {wallet: 650, debt: 0}
"""


def test_one_rule_step_by_step(project, good_text, cli):
    (project.entries / "good-entry.yaml").write_text(good_text + RULE, encoding="utf-8")
    code, out, err = cli("--root", project.root, "rule", "withdraw-reduces-wallet")
    assert (code, err) == (1, "")
    assert out.splitlines()[:5] == [
        f"rule withdraw-reduces-wallet (content/entries/good-entry.yaml:{good_text.count(chr(10)) + 2})",
        "statement: A withdrawal takes its amount from the wallet.",
        "venue: bybit-classic (Bybit, classic (non-unified) USDT perpetual account)",
        "given: wallet 1000",
        "",
    ]
    table = out.splitlines()[5:]
    assert table[0].split() == ["#", "step", "result", "wallet", "equity", "available", "position", "insurance",
                                "fund", "debt"]
    assert table[2].split() == ["1", "withdraw:", "400", "ok", "600", "600", "600", "none", "0", "0"]
    assert table[4].split() == ["2", "expect:", "{wallet:", "601}", "FAILED", "600", "600", "600", "none", "0", "0"]
    assert table[5].strip() == "↳ wallet is 600, expected = 601"
    assert table[6].split()[:5] == ["3", "deposit:", "50", "ok", "650"]  # the run goes on past the failure
    assert out.splitlines()[-2:] == ["1 expectation did not hold:", "  step 2: wallet is 600, expected = 601"]


def test_a_rule_that_holds_exits_0_and_another_venue_can_be_chosen(cli):
    code, out, _ = cli("rule", "added-margin-moves-liquidation-price")
    assert code == 0 and out.splitlines()[-1].startswith("All 4 expectations held.")
    code, out, _ = cli("rule", "added-margin-moves-liquidation-price", "--venue", "never-negative")
    assert code == 1
    assert "; the rule names bybit-classic" in out.splitlines()[2]


def test_unknown_rule_or_venue_exits_1_with_a_suggestion(cli):
    code, out, err = cli("rule", "added-margin-moves-liquidaton")
    assert (code, out) == (1, "")
    assert err.startswith("rule: no rule has the id 'added-margin-moves-liquidaton'; "
                          "did you mean 'added-margin-moves-liquidation-price'")
    code, _, err = cli("rule", "added-margin-moves-liquidation-price", "--venue", "bybit")
    assert code == 1
    assert err == ("rule: unknown venue 'bybit'; did you mean 'bybit-uta'? known: bybit-classic, bybit-uta, "
                   "never-negative\n")


def test_long_decimals_are_rounded_for_reading():
    assert short_number("20318.72509960159362549800797") == "≈20318.7250996"
    assert short_number("23300") == "23300"
    assert short_number("-0.123456789") == "≈-0.12345679"
    assert short_number("short 1 BTCUSDT @ 20000") == "short 1 BTCUSDT @ 20000"
