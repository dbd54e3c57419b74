"""Rendering in plain Python (no MkDocs): page set, front matter, drafts, generator rules."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from scripts.pipeline import pages
from scripts.pipeline.build import check
from scripts.pipeline.pages import DuplicatePageError, Page, collect_pages
from scripts.pipeline.render import render


def front(text: str) -> dict:
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


def test_render_returns_every_page(project):
    content, problems = check(project)
    assert problems == []
    rendered = render(content)
    for path in ("index.md", "categories/index.md", "categories/margin-and-liquidation.md", "glossary.md",
                 "about.md", "tags.md", "calculators/index.md", "rules/index.md", "entries/good-entry.md",
                 "entries/can-a-futures-balance-go-negative.md"):
        assert path in rendered, path
    meta = front(rendered["entries/good-entry.md"])
    assert meta["title"] == "What is a good entry?"
    assert meta["edit_source"] == "content/entries/good-entry.yaml"
    assert meta["tags"] == ["testing", "liquidation"]
    assert meta["jsonld"]["@graph"][1]["mainEntity"][1]["acceptedAnswer"]["text"] == \
        "Yes, and its answer runs over two lines."
    json.dumps(meta["jsonld"])  # JSON-serialisable as it is
    body = rendered["entries/good-entry.md"]
    assert '??? question "Is there a second question?"' in body
    assert "    Yes, and its answer runs over two lines." in body
    assert "[Can a futures balance go negative?](can-a-futures-balance-go-negative.md)" in body
    assert "1. [Insurance Fund](https://www.bybit.com/en/help-center/article/Insurance-Fund), Bybit; read on 10 January 2026." in body
    assert "A third-party article](https://www.example.com/article), Example (third-party source)" in body
    assert "[Margin](../glossary.md#margin)" in body
    assert "Educational content, not trading advice" in body
    assert "edit_source" not in rendered["index.md"]


def test_drafts_are_validated_but_not_published(project, good_text):
    (project.entries / "good-entry.yaml").write_text(good_text + "draft: true\n")
    content, problems = check(project)
    assert problems == []
    rendered = render(content)
    # a draft gets its page, with a banner, out of search and the tag index, and is listed nowhere
    page = rendered["entries/good-entry.md"]
    meta = yaml.safe_load(page.split("---\n")[1])
    assert meta["draft"] is True and meta["search"] == {"exclude": True} and "tags" not in meta
    assert '!!! danger mn-draft "Draft: not published"' in page.split("# What is a good entry?\n", 1)[1][:80]
    assert not [path for path, text in rendered.items() if "good-entry" in text and path != "entries/good-entry.md"]
    (project.entries / "good-entry.yaml").write_text(good_text + "draft: true\nsummary: x\n")
    _, problems = check(project)
    assert problems  # still validated


def test_related_to_a_draft_is_a_problem(project, good_text):
    real = project.entries / "can-a-futures-balance-go-negative.yaml"
    real.write_text(real.read_text() + "draft: true\n")
    _, problems = check(project)
    # Every entry that lists the draft in `related` is reported at that line and index (the shipped
    # entries link to it too, so the expected list is read from the files rather than written out).
    expected = []
    for path in sorted(project.entries.glob("*.yaml")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if line.startswith("related: ["):
                ids = [item.strip() for item in line[len("related: ["):-1].split(",")]
                if "can-a-futures-balance-go-negative" in ids:
                    index = ids.index("can-a-futures-balance-go-negative")
                    expected.append(f"content/entries/{path.name}:{number}: $.related[{index}]: entry "
                                    f"'can-a-futures-balance-go-negative' is a draft and is not published")
    assert "content/entries/good-entry.yaml:39: $.related[0]: entry 'can-a-futures-balance-go-negative' " \
        "is a draft and is not published" in expected
    assert sorted(str(p) for p in problems) == sorted(expected)


def test_generators_fallbacks_and_duplicates(project, monkeypatch):
    content, _ = check(project)

    def placeholder(site):
        yield Page("extra/index.md", "# Placeholder\n", fallback=True)

    def real(site):
        yield Page("extra/index.md", "# Real\n")

    base = list(pages.GENERATORS)
    for order in ([placeholder, real], [real, placeholder]):
        monkeypatch.setattr(pages, "GENERATORS", base + order)
        assert collect_pages(content)["extra/index.md"].text == "# Real\n"

    def second_home(site):
        yield Page("index.md", "# Another home\n")

    monkeypatch.setattr(pages, "GENERATORS", [pages.home_page, second_home])
    with pytest.raises(DuplicatePageError, match="index.md"):
        collect_pages(content)


def test_home_lists_newest_first(project, good_text):
    content, _ = check(project)
    home = render(content)["index.md"]
    newest = home.split("## Newest entries")[1].split("##")[0]
    listed = re.findall(r"\(entries/([a-z0-9-]+)\.md\)", newest)
    # The RECENT entries with the latest publication dates, newest first (ties by id, descending).
    published = {e["id"]: e["published"] for e in content.published()}
    assert listed == sorted(published, key=lambda i: (published[i], i), reverse=True)[:pages.RECENT]
    dates = [published[i] for i in listed]
    assert len(listed) == min(len(published), pages.RECENT) and dates == sorted(dates, reverse=True)
