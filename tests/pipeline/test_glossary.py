"""Glossary: which words explain themselves, that abbr leaves code, links, headings and fences intact,
that no term or definition can inject markup, and the glossary page grouped by letter."""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest
import yaml

from scripts import calcfence
from scripts.pipeline import glossary
from scripts.pipeline.build import check
from scripts.pipeline.render import render
from scripts.pipeline.safety import SITE_EXTENSIONS

REPO = Path(__file__).resolve().parents[2]
TERMS = [
    {"id": "mark-price", "term": "Mark price", "definition": "A fair price from [index](https://example.com) prices."},
    {"id": "margin", "term": "Margin", "definition": "The money set aside as *collateral*."},
    {"id": "auto-deleveraging", "term": "Auto-deleveraging (ADL)", "definition": "Closing profitable positions."},
    {"id": "cross-margin", "term": "Cross margin", "aliases": ["cross-margin"], "definition": "Whole balance backs it."},
]


def site_markdown(text: str, terms=TERMS) -> str:
    """``text`` as the site renders it: its extensions, the calculator fence and the glossary appended."""
    md = markdown.Markdown(extensions=SITE_EXTENSIONS, extension_configs={
        "toc": {"permalink": True},
        "pymdownx.superfences": {"custom_fences": [{"name": "calculator", "class": "mn-calc",
                                                   "format": calcfence.formatter, "validator": calcfence.validator}]}})
    return md.convert(glossary.abbreviate(text, glossary.abbreviation_block(terms)))


@pytest.mark.parametrize("item,forms", [
    (TERMS[0], ["Mark price", "Mark prices", "mark price", "mark prices"]),
    (TERMS[1], ["margin", "margins"]),  # one word: small letters only, so "Margin Notes" stays plain
    (TERMS[2], ["auto-deleveraging", "auto-deleveragings", "ADL"]),
    (TERMS[3], ["Cross margin", "Cross margins", "cross margin", "cross margins", "cross-margin", "cross-margins"]),
    ({"term": "Isolated margin", "abbreviation": "IM", "definition": "x" * 10}, ["Isolated margin", "Isolated margins",
                                                                                  "isolated margin", "isolated margins", "IM"]),
])
def test_the_words_that_explain_themselves(item, forms):
    assert glossary.forms(item) == forms


def test_terms_explain_themselves_in_text_tables_and_headings_without_changing_the_text():
    html = site_markdown("# The mark price and ADL\n\nThe mark price moves; Margin Notes explains margin.\n\n"
                         "| term | note |\n| --- | --- |\n| cross-margin | mark prices |\n")
    title = 'title="A fair price from index prices."'
    assert f'<h1 id="the-mark-price-and-adl">The <abbr {title}>mark price</abbr> and ' \
           '<abbr title="Closing profitable positions.">ADL</abbr><a class="headerlink"' in html
    assert f'<p>The <abbr {title}>mark price</abbr> moves; Margin Notes explains ' \
           '<abbr title="The money set aside as collateral.">margin</abbr>.</p>' in html
    assert '<td><abbr title="Whole balance backs it.">cross-margin</abbr></td>' in html
    assert f"<td><abbr {title}>mark prices</abbr></td>" in html
    text = re.sub(r"<[^>]+>", "", html)
    assert "The mark price moves; Margin Notes explains margin." in text  # words unchanged
    assert "*[" not in html  # the definitions themselves never show


def test_code_links_and_calculator_fences_are_left_alone():
    html = site_markdown("Use `mark price` here. See [the mark price](https://example.com/mark-price \"mark price\").\n\n"
                         "```python\nmark_price = 'mark price'\n```\n\n"
                         "```calculator\nid: liquidation-price\ndefaults: {side: long, entry_price: 20000}\n```\n")
    assert "<code>mark price</code>" in html
    assert '<a href="https://example.com/mark-price" title="mark price">the <abbr title="A fair price from index ' \
           'prices.">mark price</abbr></a>' in html  # href and title intact
    assert "<abbr" not in html.split('<div class="highlight">')[1].split("</pre>")[0]
    widget = re.search(r'<div class="mn-calc"[^>]*>', html)[0]
    assert widget == ('<div class="mn-calc" id="mn-calc-1" data-calc="liquidation-price" '
                      'data-defaults="{&quot;side&quot;:&quot;long&quot;,&quot;entry_price&quot;:20000}">')
    # the widget (form, labels, results) is stashed HTML, never abbreviated
    assert 'id="mn-calc-1-title">Liquidation price</p>' in html
    whole = html.split('<div class="mn-calc"', 1)[1]
    assert "Maintenance margin rate" in whole and "<abbr" not in whole


def test_a_definition_cannot_inject_markup_or_more_definitions():
    evil = [{"id": "evil", "term": "Mark price", "definition": '"><script>alert(1)</script> onmouseover="x" & more\n'
                                                               "*[Margin Notes]: hijacked\n<img src=x onerror=alert(1)>"}]
    html = site_markdown("The mark price and Margin Notes.", evil)
    assert "<script" not in html and "<img" not in html and "onmouseover=\"x\"" not in html
    assert "hijacked" in html.split("title=")[1]  # the would-be definition stayed inside the title
    assert "Margin Notes" in html and html.count("<abbr") == 1
    title = re.search(r'<abbr title="([^"]*)">', html)[1]
    assert "&lt;" in title or "<" not in title
    assert "\n" not in title


@pytest.mark.parametrize("term,message", [
    ("Mark ]price", "'Mark ]price' is not in the expected form; write plain words"),
    ("Mark <b>price</b>", "is not in the expected form; write plain words"),
])
def test_terms_with_brackets_or_tags_are_rejected_on_their_line(project, term, message):
    path = project.content / "glossary.yaml"
    index = [item["id"] for item in yaml.safe_load(path.read_text())].index("mark-price")
    path.write_text(path.read_text().replace("term: Mark price", f"term: {term}"))
    line = path.read_text().splitlines().index(f"  term: {term}") + 1
    problems = [str(p) for p in check(project)[1]]
    assert problems and all(p.startswith(f"content/glossary.yaml:{line}: $[{index}].term: ") for p in problems)
    assert any(message in p for p in problems)


def test_glossary_cross_checks(project):
    path = project.content / "glossary.yaml"
    count = len(yaml.safe_load(path.read_text()))
    text = path.read_text().rstrip("\n") + ("\n- id: test-term\n  term: Test term\n"
                                            "  entry: where-is-my-liquidation-prize\n  aliases: [mark price]\n"
                                            "  definition: A term added by the test only.\n")
    path.write_text(text)
    lines = text.splitlines()
    problems = [str(p) for p in check(project)[1]]
    assert problems == [
        f"content/glossary.yaml:{lines.index('  term: Test term') + 1}: $[{count}].term: 'mark price' already stands "
        "for the term 'mark-price'; give one of them another wording or alias",
        f"content/glossary.yaml:{lines.index('  entry: where-is-my-liquidation-prize') + 1}: $[{count}].entry: no entry "
        "has the id 'where-is-my-liquidation-prize'; did you mean 'where-is-my-liquidation-price'?",
    ]


def test_every_page_carries_the_terms_it_uses_and_the_page_groups_terms_by_letter(project):
    content, problems = check(project)
    assert problems == []
    pages = render(content)
    terms = yaml.safe_load((REPO / "content" / "glossary.yaml").read_text(encoding="utf-8"))
    used = glossary.Abbreviations(terms)
    for path, text in pages.items():
        if path.endswith(".md"):
            block = used.block(text.split("\n\n*[")[0])
            assert text.endswith(block) if block else "\n*[" not in text, path
    assert "*[mark price]: " in pages["entries/where-is-my-liquidation-price.md"]
    assert "*[" not in pages["market.json"]
    page = pages["glossary.md"]
    letters = re.findall(r"^## (\S+) \{ #letter-([a-z]+) \}$", page, re.M)
    assert [letter for letter, _ in letters] == sorted({t["term"][0].upper() for t in terms})
    assert all(anchor == letter.lower() for letter, anchor in letters)
    headings = re.findall(r"^(##+) (.+?) \{ #([a-z0-9-]+) \}$", page, re.M)
    current = None
    order = []
    for level, text, anchor in headings:
        if level == "##":
            current = text
        else:
            assert text.replace("\\", "")[0].upper() == current, text
            order.append(text.replace("\\", "").casefold())
    assert order == sorted(order) and len(order) == len(terms)
    assert "[A](#letter-a) · [B](#letter-b)" in page
