"""Issue 14: the docs folder's stamps are one mechanism, kept on disk (.cache/docstamps.json) and, by the
preview, in memory (the dict ``written``): a page is known by its key, or its text's digest, and skipped
only while its file keeps the stamp recorded with that key, for that code and that docs folder."""

from __future__ import annotations

import os

from scripts.pipeline import docstamps
from scripts.pipeline.build import write_tree
from scripts.pipeline.docstamps import MEMORY_KEY, DocStamps, text_key


def test_memory_alone_skips_unchanged_files_and_rewrites_edited_ones(tmp_path):
    docs, memory = tmp_path / "docs", {}
    pages = {"a.md": "A\n", "sub/b.md": "B\n"}
    assert write_tree(pages, docs, written=memory) == 2
    assert memory["a.md"][0] == text_key("A\n") and memory[MEMORY_KEY][1] == str(docs)
    changed: list[str] = []
    assert write_tree(pages, docs, changed, written=memory) == 0 and changed == []
    (docs / "a.md").write_text("X\n", encoding="utf-8")  # same size, edited behind the pipeline's back
    assert write_tree(pages, docs, changed, written=memory) == 1 and changed == ["a.md"]
    assert (docs / "a.md").read_text(encoding="utf-8") == "A\n"
    assert write_tree({"a.md": "A2\n"}, docs, changed, written=memory) == 2  # a.md rewritten, sub/b.md gone
    assert sorted(path.name for path in docs.rglob("*")) == ["a.md"]


def test_memory_of_another_folder_or_code_is_not_trusted(tmp_path, monkeypatch):
    monkeypatch.setattr(docstamps, "RACY_NS", -10**12)
    first, second, memory = tmp_path / "first", tmp_path / "second", {}
    stamps = DocStamps(None, first, "code", {"a.md": "k"}, memory)
    write_tree({"a.md": "A\n"}, first, None, memory, stamps)
    stamps.save()
    assert DocStamps(None, first, "code", {}, memory).old is memory
    assert DocStamps(None, second, "code", {}, memory).old == {}
    assert DocStamps(None, first, "other code", {}, memory).old == {}
    memory[MEMORY_KEY] = "damaged"
    assert DocStamps(None, first, "code", {}, memory).old == {}


def test_a_key_or_text_change_rewrites_the_file_even_with_its_stamp(tmp_path):
    docs, memory = tmp_path / "docs", {}
    write_tree({"a.md": "A\n"}, docs, written=memory)
    stamp = list(memory["a.md"][1:])
    write_tree({"a.md": "B\n"}, docs, written=memory)  # same size: only the digest tells them apart
    assert (docs / "a.md").read_text(encoding="utf-8") == "B\n" and memory["a.md"][0] == text_key("B\n")
    assert stamp[0] == memory["a.md"][1]


def test_a_racy_stamp_keeps_the_files_last_record_which_then_vouches_for_nothing(tmp_path, monkeypatch):
    """A file written moments ago is not recorded; its record from before stays (the docs stamps are not
    rewritten for it) but names a stamp the file no longer has: a page changed back to that text is
    compared again, never skipped on the old record."""
    root, docs = tmp_path / "root", tmp_path / "docs"
    monkeypatch.setattr(docstamps, "RACY_NS", -10**12)  # first run: recorded at once
    stamps = DocStamps(root, docs, "code", {"a.md": "k0"})
    write_tree({"a.md": "A\n"}, docs, None, None, stamps)
    old = (docs / "a.md").stat().st_mtime_ns - 10**10  # written 10 s ago, as a record's file always was
    os.utime(docs / "a.md", ns=(old, old))
    stat = (docs / "a.md").stat()
    stamps.seen("a.md", (stat.st_size, stat.st_mtime_ns, stat.st_ino))
    stamps.save()
    monkeypatch.setattr(docstamps, "RACY_NS", 10**15)  # from now on every new stamp is racy
    stamps = DocStamps(root, docs, "code", {"a.md": "k1"})
    write_tree({"a.md": "B\n"}, docs, None, None, stamps)  # same size: only the stamp's time differs
    before = (root / ".cache" / docstamps.FILE).read_bytes()
    stamps.save()
    assert (root / ".cache" / docstamps.FILE).read_bytes() == before  # the old record stays, not rewritten
    stamps = DocStamps(root, docs, "code", {"a.md": "k0"})  # the page changed back to its first text
    assert stamps.old["a.md"][0] == "k0" and not stamps.unchanged("a.md", str(docs / "a.md"))
    write_tree({"a.md": "A\n"}, docs, None, None, stamps)
    assert (docs / "a.md").read_text(encoding="utf-8") == "A\n"
