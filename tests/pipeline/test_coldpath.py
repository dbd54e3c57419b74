"""The cold path's shortcuts give exactly what the plain code they replace gives (issue 14).

Each shortcut is compared with the reference it stands for, on texts drawn by Hypothesis from
alphabets rich in the characters that matter to it: the glossary's one-pass search with ``in`` for
each spelling.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import yaml

from scripts.pipeline import glossary, render

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


YAML_PIECES = ["2026-11-28", "yes", "No", "null", "~", "1", "0x1F", "1e3", "1_000", ".inf", "12:30", "<<", "=",
               "a", "Z", " ", "  ", ":", ": ", "#", " #", "'", '"', "-", "- ", "?", "!", "&", "*", "%", "@", "`",
               ",", "[", "]", "{", "}", "|", ">", "\\", "\t", "\n", "é", "’", "\u00a0", "\u2028", "\ufeff", "😀",
               "\x85", "&#x27;", "Title"]
YAML_TEXT = st.lists(st.sampled_from(YAML_PIECES) | st.text(max_size=2), min_size=1, max_size=12).map("".join)


@settings(max_examples=1500, deadline=None)
@given(st.dictionaries(YAML_TEXT | st.sampled_from(["title", "description", "edit_source"]),
                       YAML_TEXT, min_size=1, max_size=4))
def test_plain_front_matter_is_what_the_yaml_dumper_writes(meta):
    dumped = yaml.dump(meta, Dumper=render._Dumper, allow_unicode=True, sort_keys=False, width=10_000)
    assert render._plain_block(meta) == dumped


def test_the_front_matter_shortcut_writes_most_plain_text_itself():
    for text in ("Where is my liquidation price?", "it&#x27;s 5% (or 6%) of P&amp;L", "Déjà vu", "a  b"):
        assert render._scalar(text) == text
    for text in ("2026-11-28", "yes", "a: b", "x #y", "- item", "[link]", " lead", "trail ", "---"):
        assert render._scalar(text) == "'" + text + "'"
    for text in ("", "line\nbreak", "tab\there", "nel\x85", "bom\ufeff", "bell\x07"):
        assert render._scalar(text) is None


@settings(max_examples=3000, deadline=None)
@given(YAML_TEXT)
def test_each_text_the_shortcut_writes_is_written_as_the_dumper_writes_it(text):
    written = render._scalar(text)
    if written is not None:
        assert f"title: {written}\n" == yaml.dump({"title": text}, Dumper=render._Dumper, allow_unicode=True,
                                                 sort_keys=False, width=10_000)
        assert f"{written}: x\n" == yaml.dump({text: "x"}, Dumper=render._Dumper, allow_unicode=True,
                                             sort_keys=False, width=10_000)
