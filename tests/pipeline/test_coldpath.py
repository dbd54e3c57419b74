"""The cold path's shortcuts give exactly what the plain code they replace gives (issue 14).

Each shortcut is compared with the reference it stands for, on texts drawn by Hypothesis from
alphabets rich in the characters that matter to it: the glossary's one-pass search with ``in`` for
each spelling.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.pipeline import glossary

TERMS = [
    {"id": "mark-price", "term": "Mark price", "definition": "A fair price."},
    {"id": "adl", "term": "Auto-deleveraging (ADL)", "definition": "Closing winners."},
    {"id": "pnl", "term": "Profit and loss (P&L)", "definition": "What a trade made."},
    {"id": "note", "term": "Note taker", "aliases": ["Note", "Question", "ße 😀"], "definition": "Writes."},
    {"id": "margin", "term": "Margin", "aliases": ["margin call"], "definition": "Money held."},
]
PIECES = ["mark", "Mark", " price", "prices", "ADL", "AD", "auto-deleveraging", "P&L", "Note", "note taker",
          "s", "margin", " call", "ße", "😀", "\n", " ", "\\", "é", "\ud800"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=30).map("".join))
def test_the_glossary_finds_each_spelling_that_the_text_contains(text):
    terms = glossary.Abbreviations(TERMS)
    forms = [form for form, _ in terms._lines]
    assert len(forms) > 10
    assert terms.found(text) == {form for form in forms if form in text}


def test_a_glossary_without_terms_finds_nothing():
    assert glossary.Abbreviations([]).found("Mark price") == set()
    assert glossary.Abbreviations([]).block("Mark price") == ""


def reference_visible_text(markdown_text: str) -> str:
    """visible_text as it was written first: one lazy front-matter match and one multi-line search."""
    front = glossary._FRONT_MATTER.match(markdown_text)
    body = markdown_text[front.end():] if front else markdown_text
    extra = [body.replace("\\", "")] if "\\" in body else []
    if "!!!" in body or "???" in body:
        extra.append(" ".join(kind.capitalize() for kind in glossary._UNTITLED.findall(body)))
    return "\n".join([body, *extra]) if extra else body


LINES = ["---", "...", "--- ", "...\t", "----", "title: a", "", " ", "!!! note", "??? tip-x", "???+ question",
         "  !!! warning \"T\"", "!!!!note", "? ??? x", "a \\ b", "é", "x !!! y"]
LINE = st.lists(st.sampled_from(LINES) | st.text(max_size=3), max_size=3).map("".join)


@settings(max_examples=1000, deadline=None)
@given(st.lists(LINE, max_size=12).map("\n".join), st.booleans())
def test_the_visible_text_is_the_one_of_the_plain_searches(text, newline):
    text += "\n" if newline else ""
    assert glossary.visible_text(text) == reference_visible_text(text)
