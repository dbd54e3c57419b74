"""Lighter pages: what the pipeline leaves out of the Markdown MkDocs parses changes nothing a reader sees.

Every page of the real site and of the hostile corpus is rendered with the site's Markdown extensions
twice: as the pipeline writes it now, and with the whole glossary appended (how every page was written
before), and the two HTML outputs must be the same, byte for byte. Every page's front matter (nested
values written as JSON) reads back, as MkDocs reads it, as the same data as the YAML block style did.
"""

from __future__ import annotations

import sys

import markdown
import pytest
import yaml
from mkdocs.utils.meta import get_data

from scripts import calcfence
from scripts.pipeline import glossary, render as render_module
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


def assert_same_front_matter(content, monkeypatch) -> None:
    """Every front matter the pages write reads back (as MkDocs reads it) as its data, as YAML's block style did."""
    metas = []
    writer = render_module.front_matter
    for module in list(sys.modules.values()):
        if module and module.__name__.startswith("scripts.") and getattr(module, "front_matter", None) is writer:
            monkeypatch.setattr(module, "front_matter", lambda meta: metas.append(meta) or writer(meta))
    for page in collect_pages(content).values():  # texts are made when read
        page.data()
    assert len(metas) > 40
    for meta in metas:
        block = "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000) + "---\n\n"
        assert get_data(writer(meta) + "body")[1] == get_data(block + "body")[1] == meta


def test_the_real_site_reads_the_same(project, monkeypatch):
    content, problems = check(project)
    assert problems == []
    assert assert_same_html(content) > 40
    assert_same_front_matter(content, monkeypatch)


def test_the_hostile_corpus_reads_the_same(corpus_project, monkeypatch):
    content, problems = check(corpus_project)
    assert problems == []
    assert assert_same_html(content) > 40
    assert_same_front_matter(content, monkeypatch)


@pytest.mark.parametrize("text", [
    "plain", "x\x85y\u2028z\u2029\x7f\x9f\ufeff\ufffe😀 \t\n\"\\ '", "---", "...\n---\n",
    "</script><script>alert(1)</script>", "{a: b}, [c]: &d *e !f %g @h `i", "é" * 300])
def test_hostile_text_in_nested_front_matter_reads_back(text):
    meta = {"title": text, "tags": [text], "jsonld": {"@graph": [{"name": text, "list": [text, {"k": text}]}]}}
    assert get_data(render_module.front_matter(meta) + "body")[1] == meta


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


def test_each_rule_scenario_runs_once_per_build(project, monkeypatch):
    from scripts.pipeline import rules

    runs = []
    real = rules.run_scenario
    monkeypatch.setattr(rules, "run_scenario", lambda *args: runs.append(args) or real(*args))
    content, problems = check(project)  # verifies every rule, then renders the pages (rule boxes included)
    assert problems == [] and content.pages
    count = sum(len(doc.data.get("rules", [])) for doc in content.entries)
    assert count > 20 and len(runs) == count
    render(content)
    collect_pages(content)  # the same documents again: no scenario runs again
    assert len(runs) == count
    assert 'id="rule-' in content.pages["entries/where-is-my-liquidation-price.md"].text
