"""The compiled validator (jsonschema-rs) never changes a verdict or a message.

It only decides that a document is valid; anything it rejects goes through ``jsonschema``. So it must
never accept what ``jsonschema`` rejects (random mutations of a valid entry and every corpus input), and
``SchemaSet.validate`` must print exactly what the ``jsonschema`` path alone prints.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scripts.pipeline.load import load_file
from scripts.pipeline.validate import explain, schema_set
from tests.pipeline.corpus import CASES, apply
from tests.pipeline.test_fuzz import data_mutation

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = schema_set((ROOT / "content" / "schema").resolve())
GOOD = (Path(__file__).resolve().parent / "fixtures" / "good-entry.yaml").read_text(encoding="utf-8")
ENTRY = "entry.schema.json"


def slow_problems(doc, name: str) -> list[str]:
    """The messages of the ``jsonschema`` path alone."""
    return [str(problem) for error in SCHEMAS.validator(name).iter_errors(doc.data) for problem in explain(error, doc)]


def test_the_good_entry_takes_the_fast_path():
    assert SCHEMAS.is_valid(yaml.safe_load(GOOD), ENTRY)


@settings(deadline=None, suppress_health_check=list(HealthCheck))  # examples: the profile's (tests/conftest.py)
@given(st.data())
def test_fast_path_never_accepts_what_jsonschema_rejects(draw):
    text = draw.draw(data_mutation(yaml.safe_load(GOOD)))
    data = yaml.safe_load(text)
    slow_valid = not any(True for _ in SCHEMAS.validator(ENTRY).iter_errors(data))
    if SCHEMAS.is_valid(data, ENTRY):
        assert slow_valid, text


@settings(max_examples=200, deadline=None)
@given(st.characters(max_codepoint=0x3000))
def test_both_validators_judge_a_character_in_an_address_alike(char):
    """Regex dialects differ (Python's \\s holds U+001C to U+001F, Rust's does not): the address
    pattern names its excluded characters, so both engines give one verdict for any character."""
    data = yaml.safe_load(GOOD)
    data["sources"][0]["url"] = f"https://www.bybit.com/en/help{char}center/"
    slow_valid = not any(True for _ in SCHEMAS.validator(ENTRY).iter_errors(data))
    assert SCHEMAS.is_valid(data, ENTRY) == slow_valid, repr(char)


def test_a_control_character_in_an_address_is_rejected():
    data = yaml.safe_load(GOOD)
    data["sources"][0]["url"] = "https://www.bybit.com/en/\x1fhelp/"
    assert not SCHEMAS.is_valid(data, ENTRY)
    assert any(True for _ in SCHEMAS.validator(ENTRY).iter_errors(data))


# Schema breakages (the corpus's entry cases pass the schema and fail later, in the safety checks).
BROKEN = [["difficulty: beginner", "difficulty: expert"],
          ['published: "2026-01-10"', 'published: "2026-02-30"'], ["tags: [testing, liquidation]", "tags: 5"],
          ["title: What is a good entry?", "title: [1, 2]"], ["summary: A short", "extra_field: 1\nsummary: A short"]]


def test_corpus_messages_are_byte_identical(tmp_path, make_project):
    layout = make_project(tmp_path / "project", {"good-entry.yaml": GOOD})
    compared = rejected = 0
    cases = [case for case in CASES if case["target"] == "entry" and "generate" not in case]
    cases += [{"id": f"broken-{n}", "target": "entry", "edit": edit} for n, edit in enumerate(BROKEN)]
    for case in cases:
        path = apply(case, layout.content, GOOD, in_place=False)
        doc, problems = load_file(path, layout.root)
        if problems or doc.data is None:
            continue
        fast = [str(problem) for problem in SCHEMAS.validate(doc, ENTRY)]
        assert fast == slow_problems(doc, ENTRY), case["id"]
        compared += 1
        rejected += bool(fast)
    assert compared >= 5 and rejected >= len(BROKEN), (compared, rejected)
