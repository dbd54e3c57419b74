"""The safety gate's pre-screen never gives a verdict other than the full, rendering gate's."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.pipeline.safety import (
    BRACE_WATCH,
    _attribute_lists_idle,
    _converter,
    _rendered_check,
    check_markdown,
    needs_render,
    plain_with_links,
    render_markdown,
)

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


# Pieces rich in braces, fences and the places attribute lists attach to (headings, list items, table
# cells, links, emphasis, definition terms), so that the watch's "no brace reached attr_list" is tested
# against both renders where it matters.
BRACES = [
    "{", "}", "{: .x }", "{ #i }", "{.c}", "{:x}", "{ onclick=a }", "{data-x=1}", "a", "word", " ", "\n", "\n\n",
    "    ", "\t", "# ", "## H ", "- ", "1. ", "> ", "| a | b |\n| - | - |\n", "|", "[a](b)", "*e*", "`", "`{x}`",
    "```", "```\n", "~~~", "```python\n", "``` {.x}\n", "```{.python}\n", "```calculator\n", "id: x\n",
    "defaults: {side: long}\n", "Term\n:   ", "!!! note\n", "??? x\n", "<div markdown>", "</div>", "<b>", "&",
    "[^1]", "[^1]: n", "*[A]: b", "[TOC]", "\r", "\u2028", "\\{", "#!python x",
]
BRACE_TEXTS = st.lists(st.sampled_from(BRACES), max_size=16).map("".join)
# Braces mostly where attr_list cannot see them (fence bodies, code spans, indented code), next to the
# syntax around which it acts, so that the watch says "idle" often and both renders are compared.
KEPT_ASIDE = [
    "```calculator\nid: x\ndefaults: {side: long}\n```\n", "```\n{: .x }\n```\n", "~~~\n{#i}\n~~~\n",
    "`{x}`", "`a {: .c }`", "\n\n    {: .c }\n\n", "\n```json\n{\"a\": 1}\n```\n", "- ```\n  {x}\n  ```\n",
    "> ```\n> {x}\n> ```\n", "a", "word", " ", "\n", "\n\n", "# H", "- ", "1. ", "> ", "| a |\n| - |\n| b |\n",
    "[a](b)", "*e*", "Term\n:   d", "!!! note\n    x\n", "&", "\\{", "{", "}", "{: .x }", "```", "\n```\n",
]
ASIDE_TEXTS = st.lists(st.sampled_from(KEPT_ASIDE), max_size=12).map("".join)


def _idle_means_same(text: str) -> bool:
    rendered = render_markdown(text)[0]
    idle = _attribute_lists_idle(text)
    if idle:
        assert render_markdown(text, attr_list=False)[0] == rendered, text
    return idle


@settings(max_examples=2000, deadline=None)
@given(BRACE_TEXTS)
def test_attribute_lists_idle_means_the_same_html(text):
    """Whenever the brace watch says attr_list did nothing, rendering without it gives the same HTML."""
    _idle_means_same(text)


@settings(max_examples=2000, deadline=None)
@given(ASIDE_TEXTS)
def test_attribute_lists_idle_with_braces_kept_aside(text):
    """The same on texts whose braces mostly sit in code, where the watch says "idle" most often."""
    _idle_means_same(text)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(TEXTS, ALPHABET))
def test_attribute_lists_idle_on_other_syntax(text):
    """The same on the screen's syntax-rich texts and random punctuation."""
    _idle_means_same(text)


def test_brace_watch_runs_right_before_attr_list():
    """The watch is the tree processor just before attr_list's: nothing changes the tree in between."""
    names = [item.name for item in sorted(_converter().treeprocessors._priority, key=lambda i: -i.priority)]
    assert names[names.index(BRACE_WATCH) + 1] == "attr_list"


def test_attribute_lists_idle_cases():
    """Braces only inside a calculator fence's body leave attr_list idle; an attribute list or a fence
    written with attributes does not, and the gate still reports the attribute list."""
    fence = "Text P&L.\n\n```calculator\nid: x\ndefaults: {side: long}\n```\n"
    assert _idle_means_same(fence)
    assert _idle_means_same("a `{x}` b")  # a code span is kept aside (inlinehilite): no brace in the tree
    for text in ["A paragraph\n{: .x }", "## Head {#i}", "```{.python}\nx\n```", "[a](b){.c}"]:
        assert not _idle_means_same(text), text
    assert any("attribute lists" in p for p in check_markdown("A paragraph\n{: onclick=x }").problems)
    assert _rendered_check(fence).problems == []
