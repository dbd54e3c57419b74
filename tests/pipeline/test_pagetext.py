"""The shortcuts that make every page's text faster give exactly what the plain code gives (issue 14).

Each is compared with the code it stands for, on texts drawn by Hypothesis from alphabets rich in the
characters that matter to it: the glossary block (one search of the body without backslashes, the
automaton's indexes) with ``in`` for each spelling over the visible text, and the JSON flow values
without the escaping pass with the pass.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.pipeline import glossary, render

TERMS = [
    {"id": "mark-price", "term": "Mark price", "definition": "A fair price."},
    {"id": "adl", "term": "Auto-deleveraging (ADL)", "definition": "Closing winners."},
    {"id": "note", "term": "Note taker", "aliases": ["Note", "Question", "ße 😀"], "definition": "Writes."},
    {"id": "margin", "term": "Margin", "aliases": ["margin call"], "definition": "Money held."},
]
PIECES = ["mark", "Mark", " price", "prices", "ADL", "AD", "auto-deleveraging", "Note", "note taker", "margin",
          "mar\\gin", "\\", "\\\\", " call", "ße", "😀", "\n", " ", "\t", "!!! note", "??? question", "???+ note",
          "!!!!", "---\n", "...\n", "title: a\n", "é", "\ud800"]
TEXT = st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=30).map("".join)


def reference_block(terms: glossary.Abbreviations, text: str) -> str:
    """The block as written first: every line whose spelling ``in`` the visible text finds."""
    visible = glossary.visible_text(text)
    lines = [line for form, line in terms._lines if form in visible]
    return ("\n\n" + "\n\n".join(lines) + "\n") if lines else ""


@settings(max_examples=1500, deadline=None)
@given(TEXT)
def test_the_glossary_block_is_the_one_of_a_search_for_each_spelling(text):
    terms = glossary.Abbreviations(TERMS)
    assert terms.block(text) == reference_block(terms, text)
    assert terms.apply(text) == glossary.abbreviate(text, reference_block(terms, text))


def test_a_body_with_backslashes_gets_the_spellings_they_split():
    terms = glossary.Abbreviations(TERMS)
    assert "*[margin]:" in terms.block("A mar\\gin call")
    assert "*[margin call]:" in terms.block("A mar\\gin call")
    assert terms.block("No term here \\ at all") == ""


def test_spellings_of_a_lone_surrogate_are_searched_one_by_one():
    terms = glossary.Abbreviations([], {"x\ud800": "Odd.", "margin": "Money held."})
    assert terms.found("a x\ud800 margin") == {"x\ud800", "margin"}
    assert terms.found("margin") == {"margin"}


JSON_PIECES = ["a", "é", "\x7f", "\x85", "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff", "\ud800", "\"", "\\",
               "\n", "😀", " "]
JSON_TEXT = st.lists(st.sampled_from(JSON_PIECES) | st.text(max_size=2), max_size=8).map("".join)
JSON_VALUE = st.recursive(JSON_TEXT, lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(JSON_TEXT, inner, max_size=3), max_leaves=8)


@settings(max_examples=1500, deadline=None)
@given(JSON_VALUE)
def test_flow_values_are_escaped_as_the_full_pass_escapes_them(value):
    text = render._JSON.encode(value)
    assert render._flow(value) == render._YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
