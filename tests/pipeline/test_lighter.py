"""Lighter pages: what the pipeline leaves out of the Markdown MkDocs parses changes nothing a reader sees.

Every page of the real site and of the hostile corpus is rendered with the site's Markdown extensions
twice: as the pipeline writes it now, and with the whole glossary appended (how every page was written
before), and the two HTML outputs must be the same, byte for byte.
"""

from __future__ import annotations

import markdown
import pytest
from mkdocs.utils.meta import get_data

from scripts import calcfence
from scripts.pipeline import glossary
from scripts.pipeline.build import check
from scripts.pipeline.pages import collect_pages
from scripts.pipeline.render import render
from scripts.pipeline.safety import SITE_EXTENSIONS

CONFIGS = {"toc": {"permalink": True},
           "pymdownx.superfences": {"custom_fences": [{"name": "calculator", "class": "mn-calc",
                                                      "format": calcfence.formatter,
                                                      "validator": calcfence.validator}]}}


def html(page_text: str) -> str:
    """A page's body (front matter removed, as MkDocs does) converted as MkDocs converts it."""
    body = get_data(page_text)[0]
    return markdown.Markdown(extensions=SITE_EXTENSIONS, extension_configs=CONFIGS).convert(body)


def heavy_pages(content) -> dict[str, str]:
    """Every Markdown page as it was written before: the text with every glossary definition appended."""
    block = glossary.abbreviation_block(content.glossary_list())
    return {path: glossary.abbreviate(page.text, block)
            for path, page in collect_pages(content).items() if path.endswith(".md")}


def assert_same_html(content) -> int:
    """Each page's HTML from the lighter Markdown equals the HTML from the heavy one; returns the page count."""
    light = render(content)
    heavy = heavy_pages(content)
    assert heavy.keys() <= light.keys()
    for path, text in heavy.items():
        assert html(light[path]) == html(text), path
    return len(heavy)


def test_the_real_site_reads_the_same(project):
    content, problems = check(project)
    assert problems == []
    assert assert_same_html(content) > 40


def test_the_hostile_corpus_reads_the_same(corpus_project):
    content, problems = check(corpus_project)
    assert problems == []
    assert assert_same_html(content) > 40


def test_a_page_carries_only_the_terms_it_uses(project):
    content, _ = check(project)
    pages = render(content)
    full = glossary.abbreviation_block(content.glossary_list())
    for path, text in pages.items():
        if path.endswith(".md"):
            definitions = [line for line in text.split("\n\n") if line.startswith("*[")]
            assert all(line in full for line in definitions), path
            assert all(line[2:line.index("]: ")] in text.split("\n\n*[")[0] for line in definitions), path
    entry = pages["entries/where-is-my-liquidation-price.md"]
    assert "*[mark price]: " in entry and "*[Auto-deleveraging]: " not in entry
    assert len(entry) < len(collect_pages(content)["entries/where-is-my-liquidation-price.md"].text) + len(full) / 2


TERMS = [
    {"id": "mark-price", "term": "Mark price", "definition": "A fair price."},
    {"id": "pnl", "term": "Profit and loss (P&L)", "definition": "What a trade made."},
    {"id": "note", "term": "Note taker", "aliases": ["Note", "Question"], "definition": "Writes things down."},
    {"id": "wallet", "term": "Wallet", "aliases": ["wallet balance"], "definition": "Money held."},
]


@pytest.mark.parametrize("text", [
    "The mark\\ price and the mark&#32;price and the mark&nbsp;price.",
    "P&L, P&amp;L, P\\&L and `P&L` in code.",
    "!!! note\n\n    An untitled admonition.\n\n??? question\n\n    An untitled details block.",
    "wallet_balance, wallet&#95;balance, *wallet* balance, [wallet balance](https://example.com).",
    "| a | b |\n|---|---|\n| mark | price |\n| mark price | wallet balance |",
    "No term at all.",
])
def test_tricky_text_reads_the_same(text):
    heavy = glossary.abbreviate(text, glossary.abbreviation_block(TERMS))
    assert html(glossary.Abbreviations(TERMS).apply(text)) == html(heavy)
