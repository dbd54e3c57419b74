"""Issue 14, one change: a warm build, a one-change build and the preview's in-memory cache all write
the docs folder byte for byte as a cold build (no cache) of the same content does."""

from __future__ import annotations


import pytest

from bench.generate import make_project
from scripts.pipeline.build import load_content, open_cache, prepare, prepare_content
from scripts.pipeline.content import Layout
from tests.pipeline.trees import cold_tree as _cold
from tests.pipeline.trees import edit as _edit
from tests.pipeline.trees import tree as _tree

RULED = "can-a-futures-balance-go-negative.yaml"  # a real entry with rules, listed by the rules index


@pytest.fixture
def project(tmp_path) -> Layout:
    """The real content plus 12 generated entries (related lists, categories, glossary terms)."""
    return Layout(make_project(tmp_path / "p", 12))


# Each change touches pages besides its own: an entry's title shows in related lists, its category and
# the home page; a ruled entry's title shows in the rules index; a glossary definition changes the
# definitions appended to every page using the term (nearly all pages use "margin").
CHANGES = [
    ("content/entries/entry-00003.yaml", "title: Synthetic question number 3", "title: Renamed question 3"),
    ("content/entries/" + RULED, "title: Can a futures balance go negative?", "title: Can a balance go below zero?"),
    ("content/glossary.yaml", "The money you set aside as collateral", "The money you put aside as collateral"),
]


def test_warm_and_one_change_builds_write_what_a_cold_build_writes(project, tmp_path, monkeypatch):
    warm = tmp_path / "warm"
    prepare(project, warm, assets=False)  # fills the cache
    prepare(project, warm, assets=False)  # everything from the cache
    assert _tree(warm) == _cold(project, tmp_path / "cold-0", monkeypatch)
    for number, (file, old, new) in enumerate(CHANGES, start=1):
        _edit(project.root / file, old, new)
        written: list[str] = []
        prepare_content(project, warm, assets=False, changed_paths=written)
        cold = _cold(project, tmp_path / f"cold-{number}", monkeypatch)
        assert _tree(warm) == cold, file
        if file.startswith("content/entries/"):  # an entry's change rewrites some pages, not all
            assert written and len(written) < len(cold) / 4, written


def test_the_preview_cache_kept_in_memory_writes_what_a_cold_build_writes(project, tmp_path, monkeypatch):
    kept = open_cache(project)
    kept.resident = True  # as the preview keeps it: files whose size and time are unchanged are not read
    docs, memory = tmp_path / "preview", {}  # memory: the files write_tree left, as the preview keeps it
    before = {doc.file: doc for doc in prepare_content(project, docs, assets=False, cache=kept, written=memory)[0].entries}
    for number, (file, old, new) in enumerate(CHANGES, start=1):
        _edit(project.root / file, old, new)
        after = {doc.file: doc for doc in prepare_content(project, docs, assets=False, cache=kept, written=memory)[0].entries}
        assert _tree(docs) == _cold(project, tmp_path / f"cold-{number}", monkeypatch), file
        reloaded = sorted(name for name, doc in after.items() if doc is not before.get(name))
        assert reloaded == ([file] if file.startswith("content/entries/") else []), reloaded
        before = after
    # a docs file changed behind the pipeline's back is written again, though its text did not change
    (docs / "index.md").write_text("edited by hand\n", encoding="utf-8")
    prepare_content(project, docs, assets=False, cache=kept, written=memory)
    assert _tree(docs) == _cold(project, tmp_path / "cold-last", monkeypatch)
    # what the kept cache wrote is what a fresh process reads: a new run from disk agrees too
    fresh = tmp_path / "fresh"
    prepare(project, fresh, assets=False)
    assert _tree(fresh) == _tree(docs)


class _Node:
    """An object in a reference cycle (only the cyclic collector frees it)."""


def test_loading_freezes_what_is_alive_out_of_the_collectors_sight(project, tmp_path):
    """Loading freezes what is alive out of the collector's sight (the preview's ``preview_heap.Heap``
    decides when frozen garbage is given back: tests/editing/test_preview_heap.py)."""
    import gc
    import weakref

    kept = open_cache(project)
    kept.resident = True
    docs = tmp_path / "preview"
    prepare_content(project, docs, assets=False, cache=kept)
    thresholds = gc.get_threshold()
    gc.set_threshold(10 ** 9)  # the collector stays on, but does not run by itself meanwhile
    try:
        node = _Node()
        node.me = node
        ref = weakref.ref(node)
        del node  # garbage, but only the cyclic collector can free it: the load below freezes it
        load_content(project, (), kept)
    finally:
        gc.set_threshold(*thresholds)
    gc.collect()
    assert ref() is not None and gc.get_freeze_count() > 0  # frozen: out of the collector's sight
    gc.unfreeze()
    gc.collect()
    assert ref() is None


def test_recorded_docs_stamps_skip_unchanged_pages_and_never_keep_a_stale_file(project, tmp_path, monkeypatch):
    """With every stamp trusted at once (no racy margin), the docs folder still equals a cold build's
    after a warm run, after a docs file is edited or removed by hand, and after each change."""
    from scripts.pipeline import build, docstamps

    monkeypatch.setattr(docstamps, "RACY_NS", -10**12)  # stamps of files just written are recorded too
    warm = tmp_path / "warm"
    prepare(project, warm, assets=False)  # fills the cache and records the stamps
    encoded: list[int] = []
    real = build.write_tree

    def counting(pages, folder, changed_paths=None, written=None, stamps=None):
        original = stamps.unchanged if stamps is not None else None
        if stamps is not None:
            def unchanged(relative, target):
                hit = original(relative, target)
                encoded.append(0 if hit else 1)
                return hit
            stamps.unchanged = unchanged
        return real(pages, folder, changed_paths, written, stamps)

    monkeypatch.setattr(build, "write_tree", counting)
    prepare(project, warm, assets=False)  # everything from the cache: pages with a key are skipped
    assert encoded and sum(encoded) < len(encoded) / 10, (sum(encoded), len(encoded))
    assert _tree(warm) == _cold(project, tmp_path / "cold-0", monkeypatch)
    page = warm / "entries" / "entry-00005.md"
    twin = warm / "entries" / "entry-00006.json"
    page.write_text(page.read_text(encoding="utf-8").replace("#", "@", 1), encoding="utf-8")  # same size
    twin.unlink()
    prepare(project, warm, assets=False)
    assert _tree(warm) == _cold(project, tmp_path / "cold-1", monkeypatch)
    for number, (file, old, new) in enumerate(CHANGES, start=2):
        _edit(project.root / file, old, new)
        prepare(project, warm, assets=False)
        assert _tree(warm) == _cold(project, tmp_path / f"cold-{number}", monkeypatch), file
    stamps_file = project.root / ".cache" / "docstamps.json"
    assert stamps_file.is_file()
    stamps_file.write_text('{"code": 1, "files": [', encoding="utf-8")  # corrupt: ignored, rewritten
    page.write_text(page.read_text(encoding="utf-8").replace("#", "@", 1), encoding="utf-8")
    prepare(project, warm, assets=False)
    assert _tree(warm) == _cold(project, tmp_path / "cold-last", monkeypatch)
    assert '"files":{' in stamps_file.read_text(encoding="utf-8")
