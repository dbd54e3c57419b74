"""The safety gate's pre-screen never gives a verdict other than the full, rendering gate's."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.pipeline.safety import _rendered_check, check_markdown, needs_render, plain_with_links

# Pieces rich in Markdown and HTML syntax, so that random joins hit the screen's edges.
PIECES = [
    "a", "Z", "word", "9", "1. ", "12.", ".", ",", " ", "  ", "\n", "\n\n", "    ", "\t", "[", "]", "(", ")",
    "](", "[a](b)", "[x y](../x.y#z)", "[TOC]", "[TOC](x)", "[ ]", "[x] ", "[^1]", "[a]: ", ":", "#", "/",
    "//", "-", "--- ", "=", "==", "*", "_", "`", "```", "~", "~~", "^", "|", "!!! ", "??? ", "<", ">",
    "&", "&amp;", "&#106;", "{", "}", "{: .x }", "javascript", "javascript:", "java\tscript:", "data:",
    "\"", "'", "<b>", "<!--", "*[a]", "https://", "mailto:", "\\", "\x00", "é", "\u2028", "－",
]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=14).map("".join)
# Pieces near the screen's edge: mostly what it accepts, with a few near-misses.
NEAR = ["a", "Z", "word", "9", "1. ", "3.", "12. ", ".", ",", " ", "\n", "\n\n", "[a](b)", "[x y](../x.y#z)",
        "[TOC](x)", "[1](#a-b)", "[a](//x.y)", "[a](-)", "[a](.)", "[a](#)", "[a](/)", "[b](a.md#c-d)", "[",
        "](", ")", "#", "-", "--", "=", " [a](b) ", "\n1. [a](b)"]
NEAR_TEXTS = st.lists(st.sampled_from(NEAR), max_size=14).map("".join)
ALPHABET = st.text(alphabet="[]()<>&{}#*_`-=.:!|~^ \n\t/\"'\\aZ19", max_size=40)


def _same_as_full_gate(text: str) -> bool:
    screened = plain_with_links(text)
    if screened is None:
        return False
    full = _rendered_check(text)
    assert (screened.problems, screened.links, screened.images) == (full.problems, full.links, full.images), text
    return True


@settings(max_examples=1500, deadline=None)
@given(TEXTS)
def test_screen_agrees_with_rendering_on_syntax_rich_texts(text):
    """Whenever the screen gives a verdict, rendering gives the same problems, links and images."""
    _same_as_full_gate(text)


@settings(max_examples=1500, deadline=None)
@given(NEAR_TEXTS)
def test_screen_agrees_with_rendering_near_its_edge(text):
    """The same on texts that are mostly plain prose and links, where the screen says yes most often."""
    _same_as_full_gate(text)


@settings(max_examples=1500, deadline=None)
@given(ALPHABET)
def test_screen_agrees_with_rendering_on_random_characters(text):
    """The same on random strings over Markdown and HTML punctuation."""
    _same_as_full_gate(text)


def test_screen_takes_plain_prose_with_links():
    """A typical entry paragraph is judged without rendering, and its links are kept in order."""
    text = "Margin is held. See [the fund](../insurance-fund.md#top) and [a term](glossary.md).\n\n2. Next"
    assert _same_as_full_gate(text)
    assert check_markdown(text).links == ["../insurance-fund.md#top", "glossary.md"]


def test_screen_refuses_what_it_cannot_prove():
    """Anything beyond plain prose and simple links goes to the full gate, which finds the problems."""
    for text in ["[a](javascript:alert(1))", "x <b>y</b>", "    [a](b)", "[a]: b", "A.\n{: .x }",
                 "[a](b)(c)", "`[a](b)`", "[TOC]", "a  b", "1. [x](y) *z*"]:
        assert plain_with_links(text) is None, text
    assert check_markdown("[a](javascript:alert(1))").problems


@settings(max_examples=1500, deadline=None)
@given(st.one_of(ALPHABET, TEXTS))
def test_needs_render_is_the_character_class(text):
    """needs_render (five substring tests) says yes exactly when the class [<&{[\\]] occurs in the text."""
    import re

    assert needs_render(text) == bool(re.search(r"[<&{\[\]]", text)), text
