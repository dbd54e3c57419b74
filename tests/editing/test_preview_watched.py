"""The preview's pipeline run told which files the watcher saw change (Preview.rebuild's ``changed``,
ContentCache.changed_files): it lists the entries folder again only when an entry was added or removed,
and serves what a full build makes (which files changed, the stat index tells: statindex.py)."""

from __future__ import annotations

from pathlib import Path

import scripts.pipeline.build as build
from scripts.pipeline.cache import CACHE_DIR, SHARD_DIR
from tests.editing.test_preview_dirty import TARGET, _assert_same_as_full_build, built  # noqa: F401 (a fixture)


def _counting(monkeypatch, entries: Path) -> list:
    """[listings of the entries folder, names of the files in it stat'ed]."""
    counts = [0, set()]
    listing, stat = build._entry_paths, build.os.stat

    def counted_listing(layout):
        counts[0] += 1
        return listing(layout)

    def counted_stat(path, *args, **kwargs):
        if Path(path).parent == entries:
            counts[1].add(Path(path).name)
        return stat(path, *args, **kwargs)

    monkeypatch.setattr(build, "_entry_paths", counted_listing)
    monkeypatch.setattr(build.os, "stat", counted_stat)
    return counts


def test_a_save_named_by_the_watcher_lists_no_folder_and_is_served_like_a_full_build(built, monkeypatch):  # noqa: F811
    root, docs, preview = built
    entries = root / "content" / "entries"
    path = entries / f"{TARGET}.yaml"
    text = path.read_text(encoding="utf-8")
    added = entries / "entry-09998.yaml"
    with monkeypatch.context() as patch:
        counts = _counting(patch, entries)
        preview.rebuild(full=False, changed=set())  # the watcher saw nothing: the folder is not listed
        assert counts[0] == 0 and preview.last["written"] == []

        path.write_text(text.replace("summary: ", "summary: Seen by the watcher. ", 1), encoding="utf-8")
        preview.rebuild(full=False, changed={str(path)})
        assert counts[0] == 0 and path.name in counts[1], counts
        html = Path(preview.site_dir, "entries", TARGET, "index.html").read_text(encoding="utf-8")
        assert "Seen by the watcher." in html

        # an entry added: the folder is listed again, and the new entry is served
        added.write_text(text.replace(f"id: {TARGET}", "id: entry-09998", 1), encoding="utf-8")
        preview.rebuild(full=False, changed={str(added)})
        assert counts[0] == 1 and Path(preview.site_dir, "entries", "entry-09998", "index.html").is_file()
    _assert_same_as_full_build(root, docs, preview)

    # removed (listed again: its page is gone), with a file that is no entry beside it
    with monkeypatch.context() as patch:
        counts = _counting(patch, entries)
        added.unlink()
        notes = entries / "notes.txt"
        notes.write_text("not an entry\n", encoding="utf-8")
        preview.rebuild(full=False, changed={str(added), str(notes)})
        assert counts[0] == 1 and not Path(preview.site_dir, "entries", "entry-09998", "index.html").exists()
        notes.unlink()
    _assert_same_as_full_build(root, docs, preview)


def test_without_the_watchers_list_every_file_is_looked_at(built, monkeypatch):  # noqa: F811
    root, docs, preview = built
    entries = root / "content" / "entries"
    counts = _counting(monkeypatch, entries)
    preview.rebuild(full=False)
    assert counts[0] == 1 and counts[1] >= {path.name for path in entries.glob("*.yaml")}
    # a change the watcher did not report (made before it started): found by this look at every file
    path = root / "content" / "entries" / f"{TARGET}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("summary: ", "summary: Unreported. ", 1), encoding="utf-8")
    preview.rebuild(full=False)
    assert f"entries/{TARGET}.md" in preview.last["written"]


def test_a_trusted_write_tree_neither_stats_nor_walks_and_removes_what_it_wrote(tmp_path, monkeypatch):
    """write_tree with a trusted Written memory (the preview's docs folder, written by nothing else):
    unchanged pages are not stat'ed, and the files it wrote that are no page any more are removed with
    their empty folders."""
    written = build.Written()
    pages = {"a.md": "A", "sub/deep/b.md": "B", "sub/c.md": "C"}
    assert build.write_tree(pages, tmp_path, written=written) == 3  # the first call looks at the folder
    (tmp_path / "sub" / "keep.txt").write_text("not written by write_tree\n", encoding="utf-8")
    with monkeypatch.context() as patch:
        calls: list[str] = []
        stat, walk = build.os.stat, build.os.walk
        patch.setattr(build.os, "stat", lambda path, *a, **k: calls.append(str(path)) or stat(path, *a, **k))
        patch.setattr(build.os, "walk", lambda *a, **k: calls.append("walk") or walk(*a, **k))
        changed: list[str] = []
        written.trusted = True
        assert build.write_tree({"a.md": "A2", "sub/c.md": "C"}, tmp_path, changed, written) == 2
        assert changed == ["a.md", "sub/deep/b.md"]
        assert "walk" not in calls and not [call for call in calls if call.endswith("c.md")]  # unchanged: not looked at
    assert (tmp_path / "a.md").read_text(encoding="utf-8") == "A2" and not (tmp_path / "sub" / "deep").exists()
    assert (tmp_path / "sub" / "keep.txt").is_file() and set(written) - {build.MEMORY_KEY} == {"a.md", "sub/c.md"}
    # the untrusted call gives the same folder as the trusted one, but for the file nothing wrote
    assert build.write_tree({"a.md": "A2", "sub/c.md": "C"}, tmp_path) == 1
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == ["a.md", "sub/c.md"]


def test_a_deferred_rebuild_saves_the_cache_and_copies_data_exports_when_finished(built):  # noqa: F811
    root, docs, preview = built

    def saved() -> dict[str, int]:  # the content cache's shards and the page keys' record
        return {path.as_posix(): path.stat().st_mtime_ns for path in (root / CACHE_DIR).rglob("*")
                if path.is_file() and (path.parent.name == SHARD_DIR or path.name == "pagekeys.json")}

    path = root / "content" / "entries" / f"{TARGET}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("summary: ", "summary: Saved later. ", 1), encoding="utf-8")
    before = saved()
    preview.rebuild(full=False, changed={str(path)}, defer=True)
    assert f"entries/{TARGET}.md" in preview.last["written"] and preview.later
    assert saved() == before  # the page is built; the cache is not saved yet
    # nor the data exports no page loads copied into the site (entries.json, the entry's JSON twin)
    exports = ["entries.json", f"entries/{TARGET}.json"]
    assert set(exports) <= set(preview.last["written"])
    site = Path(preview.site_dir)
    assert [name for name in exports if (site / name).read_bytes() != (docs / name).read_bytes()] == exports
    assert "Saved later." in (site / "entries" / TARGET / "index.html").read_text(encoding="utf-8")
    preview.finish()
    assert preview.later == [] and saved() != before
    assert [name for name in exports if (site / name).read_bytes() != (docs / name).read_bytes()] == []


def test_files_the_watcher_did_not_report_are_not_stated_once_their_rows_are_confirmed(built, monkeypatch):  # noqa: F811
    root, docs, preview = built
    entries = root / "content" / "entries"
    monkeypatch.setattr("scripts.pipeline.statindex.SLACK_NS", 0)  # the fixture's files count as old enough
    preview.rebuild(full=False)  # unknown changes: every file is stat'ed, and its row recorded (confirmed)
    path = entries / f"{TARGET}.yaml"
    with monkeypatch.context() as patch:
        counts = _counting(patch, entries)
        preview.rebuild(full=False, changed=set())
        assert counts[1] == set(), counts  # no entry file stat'ed: each confirmed row stands for its file
        path.write_text(path.read_text(encoding="utf-8").replace("summary: ", "summary: Reported. ", 1),
                        encoding="utf-8")
        preview.rebuild(full=False, changed={str(path)})
        assert counts[1] == {path.name}, counts  # the reported file alone is stat'ed, and its change served
        assert f"entries/{TARGET}.md" in preview.last["written"]
        assert "Reported." in Path(preview.site_dir, "entries", TARGET, "index.html").read_text(encoding="utf-8")
    _assert_same_as_full_build(root, docs, preview)
