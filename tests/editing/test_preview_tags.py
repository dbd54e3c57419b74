"""The preview's tag index after a title or tag save: only the listings of the tags whose pages changed
are rendered again, tags.json is spliced from each page's part, and both are what a full build makes
(scripts/preview_tags.py)."""

from __future__ import annotations

from pathlib import Path

import yaml

from scripts.pipeline.content import Layout
from scripts.preview_server import Preview
from tests.editing.test_preview_dirty import ROOT, TARGET, built  # noqa: F401 (a fixture)


def _same_as_full_build(root: Path, docs: Path, preview: Preview) -> None:
    """The tag index page and tags.json are, byte for byte, those a fresh full build makes."""
    reference = Preview(Layout(root), ROOT / "mkdocs.yml", docs, 8000)
    reference.rebuild(full=True)
    for name in ("tags/index.html", "tags.json"):
        assert Path(preview.site_dir, name).read_bytes() == Path(reference.site_dir, name).read_bytes(), name


def test_a_title_or_tag_save_renders_the_listings_of_its_tags_only_like_a_full_build(built):  # noqa: F811
    root, docs, preview = built
    path = root / "content" / "entries" / f"{TARGET}.yaml"
    text = path.read_text(encoding="utf-8")
    tags = yaml.safe_load(text)["tags"]
    total = len(preview.resident.tag_index.listings)
    assert total > len(tags) + 1  # the full build's listings are kept

    # a title: the listings of the entry's tags show it; the others are the kept ones
    text = text.replace("title: ", "title: Retitled ", 1)
    path.write_text(text, encoding="utf-8")
    preview.rebuild(full=False)
    index = preview.resident.tag_index
    assert preview.last["resident"] and "tags.md" in preview.last["built"]
    assert index.rendered == len(tags) and index.reused == total - len(tags)
    # the pages read again (the entry, those whose related lists show its title) were matched by the
    # tags plugin; every other page took its place in the listing from memory
    assert index.matched == len([name for name in preview.last["built"] if name.startswith("entries/")]) < total
    listing = Path(preview.site_dir, "tags", "index.html").read_text(encoding="utf-8")
    assert "Retitled " in listing and "Retitled " in Path(preview.site_dir, "tags.json").read_text(encoding="utf-8")
    _same_as_full_build(root, docs, preview)

    # a tag added and one removed, twice: the listings of those tags (one new); the entry's page alone is
    # read again (the second time: the full build above shares the tags plugin and replaced its mappings)
    for new_tag in ("a-tag-new-in-the-preview", "another-new-tag"):
        retagged = text.replace(f"- {tags[0]}\n", f"- {new_tag}\n", 1)
        assert retagged != text
        path.write_text(retagged, encoding="utf-8")
        preview.rebuild(full=False)
        index = preview.resident.tag_index
        assert preview.last["built"] == [f"entries/{TARGET}.md", "tags.md"], preview.last["built"]
        assert 1 <= index.rendered <= 3 and index.reused >= total - 3
    assert index.matched == 1
    assert "another-new-tag" in Path(preview.site_dir, "tags.json").read_text(encoding="utf-8")
    _same_as_full_build(root, docs, preview)


def test_a_page_read_again_keeps_its_place_among_pages_of_the_same_title_like_a_full_build(built):  # noqa: F811
    """A tag's listing is sorted by title, pages of equal titles in the site's order: a page read again
    (matched by the plugin, the others put back) goes where the site's order puts it."""
    root, docs, preview = built
    entries = {path.stem: (path, yaml.safe_load(path.read_text(encoding="utf-8")))
               for path in sorted((root / "content" / "entries").glob("entry-*.yaml"))}
    first, second = next((a, b) for a in entries for b in entries if a < b and
                         set(entries[a][1]["tags"]) & set(entries[b][1]["tags"]))
    path = entries[first][0]
    text = path.read_text(encoding="utf-8")
    # the first takes the second's title: they share a listing, the first before the second
    path.write_text(text.replace(f"title: {entries[first][1]['title']}", f"title: {entries[second][1]['title']}", 1),
                    encoding="utf-8")
    preview.rebuild(full=False)
    index = preview.resident.tag_index
    assert preview.last["resident"] and "tags.md" in preview.last["built"]
    assert f"entries/{second}.md" not in preview.last["built"] and index.matched < len(entries) / 2
    _same_as_full_build(root, docs, preview)


def test_a_deferred_title_save_writes_tags_json_when_finished(built):  # noqa: F811
    root, docs, preview = built
    path = root / "content" / "entries" / f"{TARGET}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: ", "title: Deferred ", 1), encoding="utf-8")
    exported = Path(preview.site_dir, "tags.json")
    preview.rebuild(full=False, changed={str(path)}, defer=True)
    assert "Deferred " in Path(preview.site_dir, "tags", "index.html").read_text(encoding="utf-8")
    assert "Deferred " not in exported.read_text(encoding="utf-8")  # no page loads it: written after the news
    preview.finish()
    assert "Deferred " in exported.read_text(encoding="utf-8")
    _same_as_full_build(root, docs, preview)
