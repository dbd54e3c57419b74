"""Validator tests as input -> expected output pairs: one breakage of the good fixture each."""

from __future__ import annotations

import pytest

from pathlib import Path

from scripts.pipeline.content import Layout

REPO = Path(__file__).resolve().parents[2]

F = "content/entries/good-entry.yaml"
LONG = "x" * 150

# (name, text to replace in the good fixture, replacement, expected problem lines)
CASES = [
    ("summary too long",
     "summary: A short, valid entry", f"summary: {LONG} A short, valid entry",
     [f"{F}:3: $.summary: summary has 248 characters; at most 160"]),
    ("bad date",
     'published: "2026-01-10"', 'published: "2026-13-01"',
     [f"{F}:7: $.published: '2026-13-01' is not a valid date; write a date as YYYY-MM-DD, e.g. 2026-11-28"]),
    ("date in the wrong form",
     'reviewed: "2026-02-20"', "reviewed: 20.02.2026",
     [f"{F}:8: $.reviewed: '20.02.2026' is not in the expected form; write a date as YYYY-MM-DD, e.g. 2026-11-28"]),
    ("unknown key with a suggestion",
     "difficulty: beginner", "difficulty: beginner\ntag: extra",
     [f"{F}:7: $.tag: unknown field 'tag'; did you mean 'tags'?"]),
    ("missing field",
     "difficulty: beginner\n", "",
     [f"{F}:1: $.difficulty: required field is missing"]),
    ("missing field inside a list item",
     "    answer: Yes. It is the first one.\n", "",
     [f"{F}:23: $.faq[0].answer: required field is missing"]),
    ("wrong type",
     "tags: [testing, liquidation]", "tags: liquidation",
     [f"{F}:5: $.tags: tags should be a list, not text ('liquidation')"]),
    ("wrong type deep inside",
     "    body: Another paragraph.", "    body: [Another, paragraph]",
     [f"{F}:21: $.sections[1].body: body should be text, not a list (['Another', 'paragraph'])"]),
    ("bad enum with a suggestion",
     "difficulty: beginner", "difficulty: beginer",
     [f"{F}:6: $.difficulty: 'beginer' is not one of: beginner, intermediate, advanced; did you mean 'beginner'?"]),
    ("id differs from the file name",
     "id: good-entry", "id: other-entry",
     [f"{F}:1: $.id: id 'other-entry' differs from the file name; rename the file to other-entry.yaml "
      "or set id: good-entry"]),
    ("unknown related id with a suggestion",
     "related: [can-a-futures-balance-go-negative]", "related: [can-a-futures-balance-go-negativ]",
     [f"{F}:39: $.related[0]: no entry has the id 'can-a-futures-balance-go-negativ'; "
      "did you mean 'can-a-futures-balance-go-negative'?"]),
    ("related to itself",
     "related: [can-a-futures-balance-go-negative]", "related: [good-entry]",
     [f"{F}:39: $.related[0]: an entry cannot be related to itself"]),
    ("reviewed before published",
     'reviewed: "2026-02-20"', 'reviewed: "2025-12-31"',
     [f"{F}:8: $.reviewed: reviewed (2025-12-31) is earlier than published (2026-01-10)"]),
    ("duplicate FAQ question",
     "  - question: Is there a second question?", "  - question: is this the first  question",
     [f"{F}:25: $.faq[1].question: the same question is already asked in faq[0]"]),
    ("broken YAML with its line",
     "    publisher: Example", "    publisher: [Example",
     [f"{F}:36: $: invalid YAML: the list in brackets [ ... ] that starts on this line is not closed; add the closing ]"]),
    ("tab indentation",
     "  - The second takeaway line.", "\t- The second takeaway line.",
     [f"{F}:11: $: invalid YAML: a tab character is used for indentation; YAML indents with spaces only: replace the tab with spaces"]),
    ("bad URL scheme",
     "https://www.example.com/article", "http://www.example.com/article",
     [f"{F}:35: $.sources[1].url: 'http://www.example.com/article' is not in the expected form; "
      "write a full address starting with https://, e.g. https://www.bybit.com/en/help-center/"]),
    ("unknown category with a suggestion",
     "category: margin-and-liquidation", "category: margin-and-liquidations",
     [f"{F}:4: $.category: unknown category 'margin-and-liquidations'; did you mean 'margin-and-liquidation'? "
      "(categories are listed in content/categories.yaml)"]),
    ("unknown glossary term",
     "terms: [margin, insurance-fund]", "terms: [margin, insurance-funds]",
     [f"{F}:40: $.terms[1]: the glossary has no term 'insurance-funds'; did you mean 'insurance-fund'?"]),
    ("unknown rule id in an answer",
     "    answer: Yes. It is the first one.", "    answer: Yes. It is the first one.\n    rules: [no-such-rule]",
     [f"{F}:25: $.faq[0].rules[0]: this entry has no rule 'no-such-rule'"]),
    ("duplicate YAML key",
     "difficulty: beginner", "difficulty: beginner\ndifficulty: advanced",
     [f"{F}:7: $.difficulty: key 'difficulty' appears twice (first on line 6); keep one"]),
    ("too few takeaways and a duplicate tag",
     "  - The second takeaway line.\n  - The third", "  - The third",
     [f"{F}:9: $.key_takeaways: key_takeaways has 2 items; at least 3"]),
    ("several problems at once, sorted",
     'tags: [testing, liquidation]\ndifficulty: beginner', 'tags: [testing, testing]\ndifficulty: 3',
     [f"{F}:5: $.tags: tags lists 'testing' more than once",
      f"{F}:6: $.difficulty: 3 is not one of: beginner, intermediate, advanced"]),
    ("raw HTML in Markdown",
     "    body: Another paragraph.", "    body: Another <script>alert(1)</script> paragraph.",
     [f"{F}:21: $.sections[1].body: raw HTML <script> is not allowed; write Markdown instead"]),
    ("empty file",
     None, "",
     [f"{F}:1: $: the file is empty"]),
    ("not a mapping",
     None, "- just\n- a list\n",
     [f"{F}:1: $: the file should be a mapping (key: value lines), not a list (['just', 'a list'])"]),
]


@pytest.mark.parametrize("name, old, new, expected", CASES, ids=[case[0] for case in CASES])
def test_broken_entry_gives_exact_messages(project, good_text, cli, name, old, new, expected):
    if old is None:
        text = new
    else:
        assert good_text.count(old) == 1, f"fixture text to replace must occur once: {old!r}"
        text = good_text.replace(old, new)
    (project.entries / "good-entry.yaml").write_text(text, encoding="utf-8")
    code, out, err = cli("--root", project.root, "validate")
    assert code == 1
    lines = err.strip().splitlines()
    assert lines[:-1] == expected
    assert lines[-1].endswith("in 1 file.")
    assert "Traceback" not in out + err


def test_good_content_is_valid(project, cli):
    code, out, err = cli("--root", project.root, "validate")
    assert (code, err) == (0, "")
    entries = len(Layout(REPO).entry_files()) + 1  # the real entries plus good-entry.yaml
    assert out == f"{entries} entries valid.\n"


def test_validate_only_named_files(project, cli):
    bad = project.entries / "broken.yaml"
    bad.write_text("id: broken\n", encoding="utf-8")
    code, out, _ = cli("--root", project.root, "validate", project.entries / "good-entry.yaml")
    assert (code, out) == (0, "1 entry valid.\n")
    code, _, err = cli("--root", project.root, "validate", bad)
    assert code == 1
    assert err.splitlines()[0] == "content/entries/broken.yaml:1: $.category: required field is missing"
    assert all(line.startswith("content/entries/broken.yaml:") for line in err.splitlines()[:-1])


def test_duplicate_ids_across_files(project, good_text, cli):
    (project.entries / "copy-entry.yaml").write_text(good_text, encoding="utf-8")
    code, _, err = cli("--root", project.root, "validate")
    assert code == 1
    # the copy is told the id is taken (never to rename itself over the original); the original is untouched
    assert err.splitlines()[:-1] == [
        "content/entries/copy-entry.yaml:1: $.id: id 'good-entry' belongs to content/entries/good-entry.yaml; "
        "choose a new id for this entry, set it here and rename the file to match (e.g. id: copy-entry)",
    ]


def test_problems_in_every_file_in_one_pass(project, good_text, cli):
    (project.entries / "second.yaml").write_text(good_text.replace("id: good-entry", "id: second")
                                                 .replace("difficulty: beginner", "difficulty: hard"))
    (project.entries / "good-entry.yaml").write_text(good_text.replace('"2026-01-10"', '"2026-01-1"', 1))
    code, _, err = cli("--root", project.root, "validate")
    lines = err.splitlines()
    assert code == 1
    assert lines[0].startswith("content/entries/good-entry.yaml:7: $.published: '2026-01-1' is not")
    assert lines[1].startswith("content/entries/second.yaml:6: $.difficulty: 'hard' is not one of")
    assert lines[-1] == "2 problems in 2 files."


def test_missing_file_argument(project, cli):
    code, _, err = cli("--root", project.root, "validate", "content/entries/nope.yaml")
    assert code == 1
    assert err.strip() == "content/entries/nope.yaml:1: $: no such file"
