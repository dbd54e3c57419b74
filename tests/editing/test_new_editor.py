"""Done when: a new editor goes from `new` to a published entry with a rule and a calculator, with no help.

The scaffold is filled the way CONTRIBUTING.md says (every TODO replaced, a calculator block in a
section, the example rule kept and linked from the FAQ, `draft: true` removed); it then validates with
no problem and no note, and renders with its rule box, its calculator and its JSON twin.
"""

from __future__ import annotations

import json
import re

import yaml

from scripts.pipeline.build import check
from scripts.pipeline.drafts import placeholders
from scripts.pipeline.render import render

FILLED = {
    "summary": "Yes: a withdrawal takes its amount from your wallet balance, and the model checks it step by step.",
    "tags": "[withdrawals, bybit]",
    "key_takeaways": ["A withdrawal lowers the wallet balance by its amount.",
                      "What is held as margin cannot be withdrawn.",
                      "A refused withdrawal leaves the balance as it was."],
}
CALCULATOR = ("      Where would a position be liquidated?\n\n"
              "      ```calculator\n      id: liquidation-price\n"
              "      defaults: {side: long, entry_price: 20000, leverage: 50}\n      ```\n")


def fill(text: str, rule_id: str) -> str:
    """Replace every placeholder of the scaffold with real text, as an editor would."""
    text = re.sub(r'^summary: ".*"$', f'summary: "{FILLED["summary"]}"', text, flags=re.M)
    text = text.replace("tags: [todo]", f"tags: {FILLED['tags']}")
    for number, line in enumerate(FILLED["key_takeaways"]):
        text = re.sub(r'^  - "TODO: the (first thing a reader should remember|second one|third one)\."$',
                      f'  - "{line}"', text, count=1, flags=re.M)
        assert line in text, number
    text = text.replace('"TODO: the short answer"', '"The short answer"')
    text = text.replace("      TODO: answer first, in your own words, in short paragraphs.\n",
                        "      Yes. Your wallet balance falls by the amount you withdraw.\n\n" + CALCULATOR)
    text = text.replace('"TODO: a question a reader would type?"', '"Does a withdrawal lower my balance?"')
    text = text.replace('answer: "TODO: the answer in two to four sentences."',
                        f'answer: "Yes. It falls by the amount withdrawn."\n    rules: [{rule_id}]')
    text = text.replace("\"TODO: the page's title as shown on the page\"", '"Insurance Fund"')
    text = text.replace('"TODO: the page that states the rule"', '"Insurance Fund"')
    text = text.replace("https://example.com/todo-replace-with-the-source",
                        "https://www.bybit.com/en/help-center/article/Insurance-Fund")
    text = re.sub(r'"TODO: who publishes it[^"]*"', "Bybit", text)
    text = re.sub(r'statement: "TODO: [^"]*"', 'statement: "A withdrawal lowers the wallet balance by its amount."',
                  text)
    return text.replace("draft: true\n", "")


def test_from_scaffold_to_published_entry(project, cli):
    assert cli("--root", project.root, "new", "does-a-withdrawal-lower-my-balance",
               "--title", "Does a withdrawal lower my balance?")[0] == 0
    path = project.entries / "does-a-withdrawal-lower-my-balance.yaml"
    text = path.read_text(encoding="utf-8")
    rule_id = re.search(r"^  - id: (\S+)", text, re.M)[1]
    path.write_text(fill(text, rule_id), encoding="utf-8")
    assert placeholders(yaml.safe_load(path.read_text(encoding="utf-8"))) == []

    code, out, err = cli("--root", project.root, "validate", path)
    assert (code, err) == (0, "")
    assert out == "1 entry valid.\n"  # no notes: nothing left to finish
    assert cli("--root", project.root, "rule", rule_id)[0] == 0

    content, problems = check(project)
    assert problems == []
    pages = render(content)
    page = pages["entries/does-a-withdrawal-lower-my-balance.md"]
    assert "```calculator\nid: liquidation-price" in page
    assert f'id="rule-{rule_id}"' in page and "Draft" not in page
    listed = [e["id"] for e in json.loads(pages["entries.json"])["entries"]]
    assert "does-a-withdrawal-lower-my-balance" in listed
    assert "does-a-withdrawal-lower-my-balance" in pages["categories/margin-and-liquidation.md"]
