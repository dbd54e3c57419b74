"""Render tests on the HTML MkDocs produces: a strict build of the real content plus the test fixture."""

from __future__ import annotations

import datetime
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from scripts.pipeline.search import fragments

from scripts.pipeline.safety import SITE_EXTENSIONS
from tests.pipeline.conftest import TRICKY_SUMMARY

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "mkdocs.yml"
REAL_ID = "can-a-futures-balance-go-negative"


class Head(HTMLParser):
    """Collects meta tags, JSON-LD scripts, details/summary texts and links of one page."""

    def __init__(self):
        super().__init__()
        self.meta, self.jsonld, self.summaries, self.links = {}, [], [], []
        self._in_jsonld = self._in_summary = False
        self.details = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "name" in attrs:
            self.meta[attrs["name"]] = attrs.get("content")
        if tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_jsonld = True
            self.jsonld.append("")
        if tag == "details":
            self.details += 1
        if tag == "summary":
            self._in_summary = True
            self.summaries.append("")
        if tag == "a":
            self.links.append(attrs)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_jsonld = False
        if tag == "summary":
            self._in_summary = False

    def handle_data(self, data):
        if self._in_jsonld:
            self.jsonld[-1] += data
        if self._in_summary:
            self.summaries[-1] += data


def parse(path: Path) -> Head:
    head = Head()
    head.feed(path.read_text(encoding="utf-8"))
    return head


@pytest.fixture(scope="module")
def real_site(built_site):
    """A strict build of the repository's real content (the session's one, tests/conftest.py)."""
    return built_site


@pytest.fixture(scope="module")
def fixture_site(fixture_project):
    """The real content plus the good test entry (with a tricky summary), built strictly (session-wide)."""
    return fixture_project.root / "site"


def test_related_entries_by_title_and_tricky_description(fixture_site):
    path = fixture_site / "entries" / "good-entry" / "index.html"
    text = path.read_text(encoding="utf-8")
    head = parse(path)
    assert head.meta["description"] == TRICKY_SUMMARY
    assert "<em>stay</em>" not in text.split("<body")[0]
    assert 'href="../can-a-futures-balance-go-negative/">Can a futures balance go negative?</a>' in text
    assert "Related entries" in text


def test_strict_build_of_real_content(real_site):
    entry = real_site / "entries" / REAL_ID / "index.html"
    assert entry.is_file()
    for page in ("index.html", "categories/index.html", "categories/balances-and-debt/index.html",
                 "glossary/index.html", "about/index.html", "tags/index.html", "calculators/index.html",
                 "rules/index.html", "assets/javascripts/mncalc.js", "assets/javascripts/catalogue.json"):
        assert (real_site / page).is_file(), page
    catalogue = json.loads((real_site / "assets/javascripts/catalogue.json").read_text())
    assert any(item["id"] == "gap-loss" for item in catalogue)
    assert "mncalc" in (real_site / "assets/javascripts/mncalc.js").read_text()


def test_entry_page_has_every_part(real_site):
    data = yaml.safe_load((REPO / "content/entries" / f"{REAL_ID}.yaml").read_text())
    path = real_site / "entries" / REAL_ID / "index.html"
    text = re.sub(r"</?abbr[^>]*>", "", path.read_text(encoding="utf-8"))  # glossary terms keep their words
    head = parse(path)
    assert head.meta["description"] == data["summary"]
    assert f"<h1 id=\"can-a-futures-balance-go-negative\">{data['title']}" in text or f">{data['title']}</h1>" in text
    assert "Key takeaways" in text
    for section in data["sections"]:
        assert html.escape(section["heading"], quote=False) in text
    questions = re.findall(r'<details class="question">\s*<summary>(.*?)</summary>', text, flags=re.S)
    assert [html.unescape(q).strip() for q in questions] == [item["question"] for item in data["faq"]]
    reviewed = datetime.date.fromisoformat(data["reviewed"])
    assert f"Last reviewed {reviewed.day} {reviewed:%B %Y}" in text
    assert "not trading, investment" in text  # the disclaimer from content/site.yaml
    assert "(third-party source)" in text
    for source in data["sources"]:
        assert f'href="{html.escape(source["url"])}"' in text
    edit = [a["href"] for a in head.links if "edit" in a.get("href", "")]
    assert edit == [f"https://github.com/margin-notes/margin-notes/edit/main/content/entries/{REAL_ID}.yaml"]
    assert 'data-calc="gap-loss"' in text
    assert 'href="../../glossary/#bankruptcy-price"' in text


def test_json_ld_is_valid_article_and_faq(real_site):
    data = yaml.safe_load((REPO / "content/entries" / f"{REAL_ID}.yaml").read_text())
    head = parse(real_site / "entries" / REAL_ID / "index.html")
    assert len(head.jsonld) == 1
    document = json.loads(head.jsonld[0])
    assert document["@context"] == "https://schema.org"
    article, faq = document["@graph"]
    assert article["@type"] == "Article"
    assert article["headline"] == data["title"]
    assert article["dateModified"] == data["reviewed"]
    assert faq["@type"] == "FAQPage"
    assert [q["name"] for q in faq["mainEntity"]] == [item["question"] for item in data["faq"]]
    assert all(q["acceptedAnswer"]["text"] for q in faq["mainEntity"])
    assert all("<" not in q["acceptedAnswer"]["text"] for q in faq["mainEntity"])


def test_generated_pages_link_the_entry(real_site):
    home = (real_site / "index.html").read_text(encoding="utf-8")
    assert "Newest entries" in home and "Recently reviewed" in home
    # The home page lists the newest entries (by publication date, then id), so check the newest one.
    shipped = [yaml.safe_load(path.read_text()) for path in sorted((REPO / "content/entries").glob("*.yaml"))]
    newest = max((e for e in shipped if not e.get("draft")), key=lambda e: (e["published"], e["id"]))
    assert f'href="entries/{newest["id"]}/"' in home
    category = (real_site / "categories/balances-and-debt/index.html").read_text(encoding="utf-8")
    assert f'href="../../entries/{REAL_ID}/"' in category
    glossary = (real_site / "glossary/index.html").read_text(encoding="utf-8")
    terms = yaml.safe_load((REPO / "content/glossary.yaml").read_text())
    for term in terms:
        assert f'id="{term["id"]}"' in glossary
    assert any(record["url"] == f"/entries/{REAL_ID}/" for record in fragments(real_site))  # Pagefind's index


def test_generated_pages_have_no_edit_link_but_hand_written_ones_do(real_site):
    home = parse(real_site / "index.html")
    assert not [a for a in home.links if "/edit/" in a.get("href", "")]
    about = parse(real_site / "about" / "index.html")
    assert [a["href"] for a in about.links if "/edit/" in a.get("href", "")] == [
        "https://github.com/margin-notes/margin-notes/edit/main/content/pages/about.md"]


def test_no_page_requests_anything_from_another_host(real_site):
    for page in real_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text, page
        external = re.findall(r'<(?:script|img|iframe)[^>]+src="(https?:[^"]+)"', text)
        external += re.findall(r'<link[^>]+rel="(?:stylesheet|preload|preconnect)"[^>]+href="(https?:[^"]+)"', text)
        for src in external:
            pytest.fail(f"{page}: loads {src}")


def test_nav_is_small_and_entries_are_out_of_it(real_site):
    home = (real_site / "index.html").read_text(encoding="utf-8")
    nav = re.findall(r'class="md-tabs__link"[^>]*>\s*([^<]+?)\s*<', home)
    assert nav == ["Home", "Categories", "Calculators", "Rules", "Venues", "Glossary", "About"]


def test_safety_checker_uses_the_site_markdown_extensions():
    config = yaml.load(CONFIG.read_text(), Loader=_IgnoreTags)
    names = [next(iter(item)) if isinstance(item, dict) else item for item in config["markdown_extensions"]]
    assert names == SITE_EXTENSIONS


class _IgnoreTags(yaml.SafeLoader):
    """Reads mkdocs.yml without resolving !ENV or !!python/name tags."""


_IgnoreTags.add_multi_constructor("!", lambda loader, suffix, node: None)
_IgnoreTags.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
