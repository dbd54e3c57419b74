"""Issue 14: the docs folder's stamps are one mechanism, kept on disk (.cache/docstamps.json) and, by the
preview, in memory (the dict ``written``): a page is known by its key, or its text's digest, and skipped
only while its file keeps the stamp recorded with that key, for that code and that docs folder."""

from __future__ import annotations

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
