"""The preview's dirty rebuild: only the changed entry and the pages that show it are built again, and
the result is the site a full build of the same content gives (scripts/preview_server.py).

Runs the preview's builder in this process (no server) on the real content plus synthetic entries.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bench.generate import make_project
from scripts.pipeline.build import DOCS_ENV, PREPARED_ENV, ROOT_ENV
from scripts.pipeline.content import Layout
from scripts.preview_server import Preview

ROOT = Path(__file__).resolve().parents[2]
TARGET = "entry-00007"


@pytest.fixture
def built(tmp_path, monkeypatch):
    """A project with 30 synthetic entries, its preview fully built: yields (root, docs folder, preview)."""
    sites: list[str] = []
    monkeypatch.setattr("scripts.preview_server.tempfile.mkdtemp",
                        lambda prefix: sites.append(str(tmp_path / f"site{len(sites)}")) or sites[-1])
    root = make_project(tmp_path / "project", 30)
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, value in {DOCS_ENV: str(docs), ROOT_ENV: str(root), PREPARED_ENV: "1",
                        "SITE_URL": "http://127.0.0.1:8000/", "NO_MKDOCS_2_WARNING": "1"}.items():
        monkeypatch.setenv(name, value)
    preview = Preview(Layout(root), ROOT / "mkdocs.yml", docs, 8000)
    preview.rebuild(full=True)
    assert preview.last["full"] and len(preview.last["built"]) == preview.last["pages"] > 100
    return root, docs, preview


def _html(site: Path) -> dict[str, bytes]:
    """Every page of ``site``, its sitemap (plain and compressed) and robots.txt."""
    files = sorted(site.rglob("*.html")) + [site / name for name in ("sitemap.xml", "sitemap.xml.gz", "robots.txt")]
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in files}


def _assert_same_as_full_build(root: Path, docs: Path, preview: Preview) -> None:
    """Every page of the preview's site is, byte for byte, the page a fresh full build of the docs makes."""
    reference = Preview(Layout(root), ROOT / "mkdocs.yml", docs, 8000)
    reference.rebuild(full=True)
    assert reference.last["written"] == []  # the docs folder already held this content
    dirty, full = _html(Path(preview.site_dir)), _html(Path(reference.site_dir))
    assert dirty.keys() == full.keys()
    assert [name for name in full if dirty[name] != full[name]] == []


def test_a_changed_title_and_tag_rebuild_the_pages_that_show_them_like_a_full_build(built):
    root, docs, preview = built
    entries = {path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
               for path in (root / "content" / "entries").glob("entry-*.yaml")}
    target = entries[TARGET]
    linking = sorted(name for name, data in entries.items() if TARGET in data.get("related", []))
    unrelated = sorted(name for name, data in entries.items()
                       if name != TARGET and TARGET not in data.get("related", []))
    assert linking and unrelated  # the generated project has both kinds
    path = root / "content" / "entries" / f"{TARGET}.yaml"
    text = path.read_text(encoding="utf-8")
    changed = text.replace(target["title"], "Renamed question seven?", 1).replace("tags:\n", "tags:\n- preview-only-tag\n", 1)
    path.write_text(changed, encoding="utf-8")

    preview.rebuild(full=False)

    rebuilt = set(preview.last["built"])
    assert not preview.last["full"] and preview.last["resident"]  # MkDocs' objects of the full build, kept
    assert f"entries/{TARGET}.md" in rebuilt
    assert {f"entries/{name}.md" for name in linking} <= rebuilt  # their related lists show the title
    assert f"categories/{target['category']}.md" in rebuilt and "tags.md" in rebuilt
    assert not {f"entries/{name}.md" for name in unrelated} & rebuilt
    assert len(rebuilt) < preview.last["pages"] / 4, sorted(rebuilt)
    site = Path(preview.site_dir)
    assert "Renamed question seven?" in (site / "entries" / linking[0] / "index.html").read_text(encoding="utf-8")
    tag_index = (site / "tags" / "index.html").read_text(encoding="utf-8")
    assert "preview-only-tag" in tag_index and "Renamed question seven?" in tag_index
    _assert_same_as_full_build(root, docs, preview)

    # a summary: the entry and its category page, not the tag index (no title or tag changed)
    path.write_text(changed.replace("summary: ", "summary: Summary edited in the preview. ", 1), encoding="utf-8")
    preview.rebuild(full=False)
    assert preview.last["resident"] and set(preview.last["built"]) == {
        f"entries/{TARGET}.md", f"categories/{target['category']}.md"}, preview.last["built"]
    assert "Summary edited in the preview." in (site / "entries" / TARGET / "index.html").read_text(encoding="utf-8")
    assert "preview-only-tag" in (site / "tags" / "index.html").read_text(encoding="utf-8")
    _assert_same_as_full_build(root, docs, preview)

    # an entry added, then removed: its page comes and goes, its category page and the tag index are
    # built again each time
    added = root / "content" / "entries" / "entry-09999.yaml"
    added.write_text(text.replace(f"id: {TARGET}", "id: entry-09999", 1), encoding="utf-8")
    preview.rebuild(full=False)
    page = site / "entries" / "entry-09999" / "index.html"
    assert not preview.last["full"] and preview.last["resident"] and page.is_file()
    assert "entries/entry-09999/" in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert {f"categories/{target['category']}.md", "entries/entry-09999.md", "tags.md"} <= set(preview.last["built"])
    _assert_same_as_full_build(root, docs, preview)
    added.unlink()
    preview.rebuild(full=False)
    assert not preview.last["full"] and preview.last["resident"] and not page.exists()
    assert {f"categories/{target['category']}.md", "tags.md"} <= set(preview.last["built"])
    _assert_same_as_full_build(root, docs, preview)

    # MkDocs' own dirty build (as after a build that failed, when the preview drops MkDocs' objects), then
    # a title and a tag again on the objects that build left (pages it did not read)
    preview.resident = None
    path.write_text(text.replace("summary: ", "summary: Edited after a failed build. ", 1), encoding="utf-8")
    preview.rebuild(full=False)
    assert not preview.last["full"] and not preview.last["resident"]
    assert "tags.md" in preview.last["built"]  # MkDocs' dirty build reads the tag index every time
    path.write_text(text.replace("tags:\n", "tags:\n- second-preview-tag\n", 1), encoding="utf-8")
    preview.rebuild(full=False)
    assert preview.last["resident"] and "tags.md" in preview.last["built"]
    tag_index = (site / "tags" / "index.html").read_text(encoding="utf-8")
    assert "second-preview-tag" in tag_index and "preview-only-tag" not in tag_index
    _assert_same_as_full_build(root, docs, preview)


def _category_lines(docs: Path, category: str) -> list[str]:
    return (docs / "categories" / f"{category}.md").read_text(encoding="utf-8").splitlines()


def test_a_category_page_is_patched_when_only_its_list_items_changed_like_a_full_build(built):
    root, docs, preview = built
    preview.conversions.min_items = 5  # the small project's category pages count as long ones
    path = root / "content" / "entries" / f"{TARGET}.yaml"
    text = path.read_text(encoding="utf-8")
    category = yaml.safe_load(text)["category"]
    page = f"categories/{category}.md"
    site = Path(preview.site_dir)

    # a summary: the category page shows it; its first conversion since the full build is a whole one
    path.write_text(text.replace("summary: ", "summary: First summary edit. ", 1), encoding="utf-8")
    preview.rebuild(full=False)
    assert preview.last["resident"] and page in preview.last["built"] and preview.last["patched"] == []

    # again: now the kept conversion is patched, and the page is the one a full build makes
    path.write_text(text.replace("summary: ", "summary: Second summary edit. ", 1), encoding="utf-8")
    preview.rebuild(full=False)
    assert page in preview.last["patched"], preview.last
    html = (site / "categories" / category / "index.html").read_text(encoding="utf-8")
    assert "Second summary edit." in html and "First summary edit." not in html
    _assert_same_as_full_build(root, docs, preview)

    # a title that moves the entry elsewhere in the list (sorted by title): patched again
    before = _category_lines(docs, category)
    titled = text.replace("summary: ", "summary: Second summary edit. ", 1).replace(
        "title: ", "title: Moved ", 1)
    path.write_text(titled, encoding="utf-8")
    preview.rebuild(full=False)
    after = _category_lines(docs, category)
    moved = [n for n, line in enumerate(after) if f"entries/{TARGET}.md" in line]
    assert moved and moved != [n for n, line in enumerate(before) if f"entries/{TARGET}.md" in line]
    assert {page, "tags.md"} <= set(preview.last["built"]) and page in preview.last["patched"]
    _assert_same_as_full_build(root, docs, preview)

    # the body only: the category page shows none of it and is neither written nor built
    path.write_text(titled.replace("body: ", "body: A body edit the category page does not show. ", 1),
                    encoding="utf-8")
    preview.rebuild(full=False)
    assert preview.last["resident"] and preview.last["built"] == [f"entries/{TARGET}.md"], preview.last["built"]
    assert page not in preview.last["written"]
    _assert_same_as_full_build(root, docs, preview)


def test_a_new_market_snapshot_rebuilds_every_page_like_a_full_build(built):
    root, docs, preview = built
    snapshot = root / "content" / "market" / "snapshot.yaml"
    text = snapshot.read_text(encoding="utf-8")
    assert "usd_24h_change: 1.34\n" in text
    snapshot.write_text(text.replace("usd_24h_change: 1.34\n", "usd_24h_change: 7.77\n", 1), encoding="utf-8")
    preview.rebuild(full=False)
    assert preview.last["full"] and "market.json" in preview.last["written"]
    # the strip on a page whose Markdown did not change, and on the 404 page, shows the new change
    for page in (f"entries/{TARGET}/index.html", "404.html"):
        assert "7.77" in (Path(preview.site_dir) / page).read_text(encoding="utf-8"), page
    _assert_same_as_full_build(root, docs, preview)
