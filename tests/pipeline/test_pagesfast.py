"""Issue 14, one change at scale: work after the checks is done for what changed only. After one
entry's summary changed, only its category's page is made again, the link check walks only its fields,
and the docs folder still equals a cold build's byte for byte."""

from __future__ import annotations

import pytest

from bench.generate import make_project
from scripts.pipeline import docstamps, links, pages
from scripts.pipeline.build import prepare
from scripts.pipeline.content import Layout
from tests.pipeline.trees import cold_tree as _cold
from tests.pipeline.trees import edit as _edit
from tests.pipeline.trees import tree as _tree


@pytest.fixture
def project(tmp_path, monkeypatch) -> Layout:
    """The real content plus 12 generated entries; every docs stamp trusted at once."""
    monkeypatch.setattr(docstamps, "RACY_NS", -10**12)
    return Layout(make_project(tmp_path / "p", 12))


def _category_of(project: Layout, number: int) -> str:
    text = (project.root / "content" / "entries" / f"entry-{number:05d}.yaml").read_text(encoding="utf-8")
    return next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("category:"))


def test_one_change_makes_its_categorys_page_and_walks_its_links_only(project, tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    prepare(project, docs, assets=False)
    prepare(project, docs, assets=False)
    made, walked = [], []
    real_text, real_strings = pages._category_text, links.markdown_strings
    monkeypatch.setattr(pages, "_category_text", lambda site, category: made.append(category["id"])
                        or real_text(site, category))
    monkeypatch.setattr(links, "markdown_strings", lambda doc, kind: walked.append(doc.file)
                        or real_strings(doc, kind))
    _edit(project.root / "content" / "entries" / "entry-00004.yaml", "summary: ", "summary: Changed. ")
    prepare(project, docs, assets=False)
    assert made == [_category_of(project, 4)]
    assert [file for file in walked if "entries/" in file] == ["content/entries/entry-00004.yaml"]
    assert _tree(docs) == _cold(project, tmp_path / "cold-1", monkeypatch)
    made.clear()
    (docs / "categories" / f"{_category_of(project, 7)}.md").write_text("edited by hand\n", encoding="utf-8")
    prepare(project, docs, assets=False)  # its key is unchanged, its file is not: made again
    assert made == [_category_of(project, 7)]
    assert _tree(docs) == _cold(project, tmp_path / "cold-2", monkeypatch)
