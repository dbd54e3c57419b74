"""Claims: schema and cross-check messages (input -> message), and the rendered section."""

from __future__ import annotations

import pytest

from scripts.pipeline.build import check
from scripts.pipeline.claims import HEADING, claim_block, claims_section
from scripts.pipeline.render import render

F = "content/entries/good-entry.yaml"
OFFICIAL = ('      - {title: Auto-Deleveraging (ADL) Mechanism, publisher: Bybit, accessed: "2026-01-10",\n'
            '         url: "https://www.bybit.com/en/help-center/article/Auto-Deleveraging-ADL"}\n')

# (name, text to replace in the good fixture, replacement, expected problem lines)
CASES = [
    ("verdict is required",
     "    verdict: contradicted\n", "",
     [f"{F}:42: $.claims[0].verdict: required field is missing"]),
    ("official source is required",
     "    official:\n" + OFFICIAL, "",
     [f"{F}:42: $.claims[0].official: required field is missing"]),
    ("at least one official source",
     "    official:\n" + OFFICIAL, "    official: []\n",
     [f"{F}:46: $.claims[0].official: official has 0 items; at least 1"]),
    ("verdict words are fixed",
     "verdict: contradicted", "verdict: contradict",
     [f"{F}:45: $.claims[0].verdict: 'contradict' is not one of: confirmed, contradicted, not-found; "
      "did you mean 'contradicted'?"]),
    ("the claim's source is third-party",
     'accessed: "2026-01-10", third_party: true}', 'accessed: "2026-01-10", third_party: false}',
     [f"{F}:44: $.claims[0].source.third_party: third_party must be true, not false"]),
    ("rules name rules of the entry",
     "    verdict: contradicted\n", "    verdict: contradicted\n    rules: [fund-then-adl]\n",
     [f"{F}:46: $.claims[0].rules[0]: this entry has no rule 'fund-then-adl'"]),
]


@pytest.mark.parametrize("name, old, new, expected", CASES, ids=[case[0] for case in CASES])
def test_claim_problems(project, good_text, cli, name, old, new, expected):
    assert old in good_text
    (project.entries / "good-entry.yaml").write_text(good_text.replace(old, new, 1))
    code, _, err = cli("--root", project.root, "validate")
    assert code == 1
    assert [line for line in err.splitlines() if line.startswith(F)] == expected


def test_claims_render_with_verdict_words_badge_and_both_sources(project):
    content, problems = check(project)
    assert problems == []
    page = render(content)["entries/good-entry.md"]
    assert f"## {HEADING}\n\n1 claim of third-party pages" in page
    assert ('<div class="mn-claim mn-claim--contradicted" markdown>\n\n'
            '<span class="mn-verdict mn-verdict--contradicted">✗ Contradicted</span> '
            "The exchange's own documents say otherwise.") in page
    assert ("**The article says:** When the insurance fund runs out, the rest of the loss stays on the trader's "
            "balance.\n([A third-party article](https://www.example.com/claims-article), Example, third-party "
            "source; read on 10 January 2026)") in page
    assert ("**What the exchange documents:** Bybit's page says that when the fund cannot cover a loss, "
            "auto-deleveraging closes opposing positions. (checked: [Auto-Deleveraging (ADL) Mechanism]"
            "(https://www.bybit.com/en/help-center/article/Auto-Deleveraging-ADL), Bybit; read on "
            "10 January 2026)") in page
    assert page.index(HEADING) < page.index("## Frequently asked questions")


def test_claim_links_its_rules_by_title_or_statement():
    entry = {"rules": [{"id": "fund-then-adl", "statement": "The fund pays first, then ADL [closes] positions."},
                       {"id": "article-side", "title": "The article's account", "statement": "Long statement."}]}
    claim = {"claim": "A claim in our words.", "verdict": "not-found", "rules": ["fund-then-adl", "article-side"],
             "source": {"title": "T", "url": "https://www.example.com/a(b)", "publisher": "A & B",
                        "accessed": "2026-01-10", "third_party": True},
             "official": [{"title": "O", "url": "https://www.bybit.com/en/help-center/article/X",
                           "publisher": "Bybit", "accessed": "2026-01-10"}]}
    block = claim_block(claim, entry)
    assert '<span class="mn-verdict mn-verdict--not-found">? Not found</span>' in block
    assert ("**Rules modelling each side:** [The fund pays first, then ADL &#91;closes&#93; positions.](#rule-fund-then-adl); "
            "[The article's account](#rule-article-side)") in block
    assert "[T](https://www.example.com/a%28b%29), A &#38; B, third-party source" in block
    assert claims_section({"claims": []}, None) == ""
    assert "2 claims of third-party pages" in claims_section({"claims": [claim, claim], **entry}, None)
