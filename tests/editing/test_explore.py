"""The scenario explorer: ``python -m scripts rule <id>`` prints the model's state after every step."""

from __future__ import annotations

from calculators.model.scenario import TABLE_COLUMNS
from calculators.model.venues import VENUE_IDS
from scripts.explore import TITLES, short_number

VENUE = VENUE_IDS[0]
FIELD = TABLE_COLUMNS[0]  # the wallet balance, whatever the model calls it
RULE = f"""\
rules:
  - id: withdraw-reduces-wallet
    venue: {VENUE}
    statement: A withdrawal takes its amount from the wallet.
    sources: [{{title: Some page, url: https://www.bybit.com/x, publisher: Bybit, accessed: "2026-01-01"}}]
    scenario:
      given: {{wallet: 1000}}
      steps:
        - withdraw: 400
        - expect: {{{FIELD}: 601}}
        - deposit: 50
        - expect: {{{FIELD}: 650, debt: 0}}
"""


def parse_table(lines: list[str]) -> list[dict]:
    """Read the explorer's table back into rows of {column title: cell} (columns cut at the dashes line)."""
    spans, start = [], 0
    for dashes in lines[1].split("  "):
        spans.append((start, start + len(dashes)))
        start += len(dashes) + 2
    cut = [lines[0][a:b].strip() for a, b in spans]
    return [{title: line[a:b].strip() for title, (a, b) in zip(cut, spans)} for line in lines[2:]]


def test_one_rule_step_by_step(project, good_text, cli):
    (project.entries / "good-entry.yaml").write_text(good_text + RULE, encoding="utf-8")
    code, out, err = cli("--root", project.root, "rule", "withdraw-reduces-wallet")
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert lines[:5] == [
        f"rule withdraw-reduces-wallet (content/entries/good-entry.yaml:{good_text.count(chr(10)) + 2})",
        "statement: A withdrawal takes its amount from the wallet.",
        lines[2],
        "given: wallet 1000",
        "",
    ]
    assert lines[2].startswith(f"venue: {VENUE} (")
    end = lines.index("", 5)
    rows = parse_table(lines[5:end])
    title = TITLES.get(FIELD, FIELD.replace("_", " "))
    assert list(rows[0])[:3] == ["#", "step", "result"] and title in rows[0] and "debt" in rows[0]
    steps = [row for row in rows if row["#"]]
    assert [(r["#"], r["step"], r["result"], r[title]) for r in steps] == [
        ("1", "withdraw: 400", "ok", "600"),
        ("2", f"expect: {{{FIELD}: 601}}", "FAILED", "600"),
        ("3", "deposit: 50", "ok", "650"),  # the run goes on past the failed expectation
        ("4", f"expect: {{{FIELD}: 650, debt: 0}}", "passed", "650"),
    ]
    assert f"↳ {FIELD} is 600, expected = 601" in [line.strip() for line in lines[5:end]]
    # text fields go under the row, and only when they change: no position is opened here
    assert [line.strip() for line in lines[5:end] if "· " in line] == ["· position: none"]
    assert lines[end + 1:] == ["1 expectation did not hold:", f"  step 2: {FIELD} is 600, expected = 601"]


def test_a_rule_that_holds_exits_0_and_another_venue_can_be_chosen(project, good_text, cli):
    (project.entries / "good-entry.yaml").write_text(good_text + RULE.replace("601", "600"), encoding="utf-8")
    code, out, _ = cli("--root", project.root, "rule", "withdraw-reduces-wallet")
    assert code == 0 and out.splitlines()[-1].startswith("All 2 expectations held.")
    other = VENUE_IDS[-1]
    code, out, _ = cli("--root", project.root, "rule", "withdraw-reduces-wallet", "--venue", other)
    assert out.splitlines()[2].startswith(f"venue: {other} (")
    assert out.splitlines()[2].endswith(f"; the rule names {VENUE}")


def test_unknown_rule_or_venue_exits_1_with_a_suggestion(project, good_text, cli):
    (project.entries / "good-entry.yaml").write_text(good_text + RULE, encoding="utf-8")
    code, out, err = cli("--root", project.root, "rule", "withdraw-reduce-wallet")
    assert (code, out) == (1, "")
    assert err == "rule: no rule has the id 'withdraw-reduce-wallet'; did you mean 'withdraw-reduces-wallet'?\n"
    code, _, err = cli("--root", project.root, "rule", "withdraw-reduces-wallet", "--venue", VENUE[:-1])
    assert code == 1
    assert err == f"rule: unknown venue {VENUE[:-1]!r}; did you mean {VENUE!r}? known: {', '.join(VENUE_IDS)}\n"


def test_long_decimals_are_rounded_for_reading():
    assert short_number("20318.72509960159362549800797") == "≈20318.7250996"
    assert short_number("23300") == "23300"
    assert short_number("-0.123456789") == "≈-0.12345679"
    assert short_number("short 1 BTCUSDT @ 20000") == "short 1 BTCUSDT @ 20000"
