"""The regression corpus (tests/pipeline/corpus/cases.yaml): each hostile or broken input gives its outcome.

Rejected cases: validation stops with the expected first line, every problem names the changed file
(never another one) and the check finishes within a second. Built cases: the site builds, each payload
shows on its page as text, and no page holds a script, an event handler or a javascript:/data: link
that is not the site's own (checked again in Chromium by test_corpus_browser.py).
"""

from __future__ import annotations

import time

import pytest

from scripts.pipeline.build import check
from scripts.pipeline.load import display_path, load_file
from tests.pipeline.corpus import BUILT, REJECTED, apply, page_of, random_plain_case
from tests.pipeline.corpus.scan import live_markup, page_text


def _expected(case: dict, path) -> str:
    """The case's message with LAST / LASTINDEX resolved for items appended to a list file."""
    message = case["message"]
    if "LAST" in message:
        lines = path.read_text(encoding="utf-8").splitlines()
        start = next(i for i, line in enumerate(lines, 1) if line.startswith("- id: corpus-"))
        count = sum(1 for line in lines if line.startswith("- id: ")) - 1
        for token, value in (("LASTINDEX", count), ("LAST+1", start + 1), ("LAST+2", start + 2), ("LAST+7", start + 7),
                             ("LAST", start)):
            message = message.replace(token, str(value))
    return message


@pytest.mark.parametrize("case", REJECTED, ids=[case["id"] for case in REJECTED])
def test_rejected_with_its_message(case, tmp_path, make_project, good_text):
    layout = make_project(tmp_path / "project", {"good-entry.yaml": good_text})
    path = apply(case, layout.content, good_text, in_place=True)
    started = time.perf_counter()
    _, found = load_file(path, layout.root)  # the file alone: bounded input stops here, quickly
    elapsed = time.perf_counter() - started
    _, problems = check(layout)
    assert problems, f"{case['id']} was accepted"
    if case.get("prefix"):
        assert str(problems[0]).startswith(_expected(case, path))
    else:
        assert str(problems[0]) == _expected(case, path)
    changed = display_path(path, layout.root)
    assert {problem.file for problem in problems} == {changed}, [str(p) for p in problems]
    if case["id"] in ("alias-bomb", "deep-nesting", "huge-file", "recursive-alias"):
        assert [str(p) for p in found] == [str(problems[0])] and elapsed < 1, elapsed


def test_every_built_case_shows_as_text(corpus_site):
    for case in BUILT:
        html_file = corpus_site / page_of(case) / "index.html"
        assert html_file.is_file(), case["id"]
        assert case["shows"] in page_text(html_file), case["id"]


def test_nothing_live_in_the_corpus_site(corpus_site):
    pages = sorted(corpus_site.rglob("*.html"))
    assert len(pages) > 20
    found = {page.relative_to(corpus_site).as_posix(): live_markup(page, corpus_site) for page in pages}
    assert {page: items for page, items in found.items() if items} == {}


def test_random_plain_text_in_every_field_shows_as_text(corpus_site):
    title, heading, question, source, publisher, category, term = random_plain_case()[3]
    entry = page_text(corpus_site / "entries" / "corpus-random-plain" / "index.html")
    for text in (title, heading, question, source, publisher):
        assert text in entry
    assert category in page_text(corpus_site / "categories" / "corpus-random" / "index.html")
    assert term in page_text(corpus_site / "glossary" / "index.html")


def test_title_json_ld_and_description_carry_the_exact_text(corpus_site):
    """A payload title is the same text in <title>, the header, the meta description and JSON-LD."""
    import json
    import re
    from html import unescape

    from tests.pipeline.corpus import CASES

    cases = {case["id"]: case for case in CASES}
    category = cases["code-span-handler-category"]["shows"]
    page = (corpus_site / "categories" / "corpus-code" / "index.html").read_text(encoding="utf-8")
    assert unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1)) == f"{category} - Margin Notes"
    assert unescape(re.search(r'<span class="md-ellipsis">\s*(.*?)\s*</span>', page.split('md-header__topic')[2],
                              re.S).group(1)) == category
    title = cases["entity-title"]["shows"]
    page = (corpus_site / "entries" / "corpus-entity-title" / "index.html").read_text(encoding="utf-8")
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert ld["@graph"][0]["headline"] == title
    assert unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1)) == f"{title} - Margin Notes"
    description = cases["page-front-matter-title"]["text"].split("description: ")[1].split("\n")[0].strip("'")
    page = (corpus_site / "about" / "index.html").read_text(encoding="utf-8")
    assert unescape(re.search(r'<meta name="description" content="([^"]*)"', page).group(1)) == description


def test_search_index_holds_the_payloads_as_text(corpus_site):
    """Pagefind's records hold page text and titles; the search box inserts them as text, and each payload
    must be there as the characters shown on the page, never as markup Pagefind found live."""
    from scripts.pipeline.search import fragments

    records = fragments(corpus_site)
    assert records
    shown = " ".join(record["meta"].get("title", "") + " " + record["content"] for record in records)
    assert '<![CDATA[<script>alert("mn-xss")</script>]]>' in shown  # a corpus payload, kept as its text
