"""Property: any string in a plain-text field comes out as that text, never as markup.

Rendered with the site's own Markdown extensions in every context the page generators put plain text
in (heading, link text, list item, table cell, admonition title, emphasis), the HTML has the same
elements as for a harmless word, and its text is the string (whitespace collapsed). Front matter
titles go through ``html_text``, which the theme prints as HTML. A build-level check of random strings
in every plain-text field shares the corpus build (test_corpus.py / test_corpus_browser.py).
"""

from __future__ import annotations

import html
import re

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.pipeline.escape import html_text, md_link, md_text
from scripts.pipeline.safety import SITE_EXTENSIONS
from tests.pipeline.corpus.scan import _Scan

# Characters with a meaning in Markdown, its extensions or HTML, plus words and a few Unicode oddities.
NASTY = list("\\`*_{}[]()#+-!|~^=:<>&\"'.;/ \t\n") + ["javascript:", "<!--", "-->", "<![CDATA[", "]]>", "&#106;",
                                                       "&lt;", "</title>", "{ onclick=x }", "{: .c }", "ab", "é",
                                                       "\u2028", "\x02", "\x03", "wzxhzdk:0", "*[ab]: t", "[^1]"]
plain = (st.lists(st.sampled_from(NASTY), max_size=12).map("".join) | st.text(max_size=30)).filter(lambda s: s.strip())

CONTEXTS = {
    "heading": lambda s: f"## {md_text(s)}",
    "link": lambda s: f"See {md_link(s, '../glossary.md#margin')} here.",
    "list": lambda s: f"- {md_link(s, 'x.md')}: {md_text(s)} (1 entry)",
    "table": lambda s: f"| a | b |\n| --- | --- |\n| {md_text(s)} | `x` |",
    "admonition": lambda s: f'??? question "{md_text(s)}"\n\n    Body.',
    "emphasis": lambda s: f"*{md_text(s)}*",
}
_md = markdown.Markdown(extensions=SITE_EXTENSIONS)
_STRIP_IDS = re.compile(r' id="[^"]*"')


def _render(text: str) -> _Scan:
    _md.reset()
    scan = _Scan()
    scan.feed(_md.convert(text))
    scan.close()
    return scan


def _shape(text: str) -> str:
    _md.reset()
    return re.sub(r">[^<]*<", "><", _STRIP_IDS.sub("", _md.convert(text)))


def _expected(s: str) -> str:
    return " ".join(re.sub(r"[\x00-\x08\x0e-\x1f\x7f]", "\ufffd", s).split())


@settings(max_examples=150, deadline=None)
@given(plain)
def test_plain_text_renders_as_text_in_every_context(s):
    for name, context in CONTEXTS.items():
        assert _shape(context(s)) == _shape(context("word")), (name, s)
        shown = " ".join("".join(_render(context(s)).text).split())
        assert _expected(s) in shown, (name, s, shown)


@settings(max_examples=150, deadline=None)
@given(plain)
def test_front_matter_titles_are_html_text(s):
    scan = _Scan()
    scan.feed(f"<title>{html_text(s)} - Margin Notes</title><h1>{html_text(s)}</h1><meta content=\"{html_text(s)}\">")
    scan.close()
    assert scan.live == [] and scan.scripts == []
    assert "".join(scan.text) == f"{_expected(s)} - Margin Notes{_expected(s)}"
    assert html.unescape(html_text(s)) == _expected(s)
