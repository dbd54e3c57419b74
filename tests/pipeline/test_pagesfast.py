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


def test_the_docs_folder_is_walked_only_when_a_folder_of_it_changed(project, tmp_path, monkeypatch):
    """The folders' stamps recorded by the last run vouch that the docs folder holds exactly its pages:
    a one-change run walks nothing; a file or folder added by hand, a page's file removed, or a
    damaged record makes the run walk it again and remove what is no page."""
    import json
    import os

    docs = tmp_path / "docs"
    prepare(project, docs, assets=False)
    prepare(project, docs, assets=False)
    walks = []
    real_walk = os.walk
    monkeypatch.setattr(os, "walk", lambda top, *args, **kwargs: walks.append(top) or real_walk(top, *args, **kwargs))
    _edit(project.root / "content" / "entries" / "entry-00004.yaml", "summary: ", "summary: Changed. ")
    prepare(project, docs, assets=False)
    assert walks == []
    assert _tree(docs) == _cold(project, tmp_path / "cold-1", monkeypatch)
    for number, damage in enumerate([
            lambda: (docs / "entries" / "stray.md").write_text("not a page\n", encoding="utf-8"),
            lambda: (docs / "newfolder").mkdir() or (docs / "newfolder" / "x.md").write_text("x\n", encoding="utf-8"),
            lambda: (docs / "entries" / "entry-00002.json").unlink(),
            lambda: (docs / "tags.md").rename(docs / "tags2.md")], start=2):
        prepare(project, docs, assets=False)  # the record of the folders is as this run left them
        walks.clear()
        damage()
        prepare(project, docs, assets=False)
        assert walks, number
        assert _tree(docs) == _cold(project, tmp_path / f"cold-{number}", monkeypatch), number
    record = project.root / ".cache" / docstamps.FILE
    raw = json.loads(record.read_text(encoding="utf-8"))
    assert raw["tree"]["dirs"]
    raw["tree"]["dirs"] = {"": "damaged"}
    record.write_text(json.dumps(raw), encoding="utf-8")
    before = os.stat(docs / "entries")
    (docs / "entries" / "stray.md").write_text("not a page\n", encoding="utf-8")
    os.utime(docs / "entries", ns=(before.st_atime_ns, before.st_mtime_ns))  # its folder's stamp as it was
    walks.clear()
    prepare(project, docs, assets=False)  # the damaged record vouches for nothing: walked
    assert walks
    assert _tree(docs) == _cold(project, tmp_path / "cold-last", monkeypatch)
