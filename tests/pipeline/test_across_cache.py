"""Issue 14, one change: the kept findings of the checks across entries (crosscheck.ACROSS) and the
stat pass shared by ``validate``'s run key and the load. A kept record is used only while the index
facts it depends on and the files its findings name are unchanged; a damaged, stale or removed record
is found again, never trusted, and never crashes a run."""

from __future__ import annotations

import datetime

import pytest

from bench.generate import make_project
from scripts.pipeline import citecheck, crosscheck
from scripts.pipeline.build import check, open_cache
from scripts.pipeline.cache import doc_shard
from scripts.pipeline.content import Layout
from scripts.pipeline.statindex import StatIndex


@pytest.fixture
def project(tmp_path, monkeypatch) -> Layout:
    """The real content plus 6 generated entries."""
    monkeypatch.setattr(citecheck, "today_utc", lambda: datetime.date(2026, 11, 29))
    return Layout(make_project(tmp_path / "p", 6))


def _cold(layout: Layout, monkeypatch) -> list:
    with monkeypatch.context() as patch:
        patch.setenv("MARGIN_NOTES_CACHE", "0")
        return check(layout)[1]


def _edit(layout: Layout, file: str, old: str, new: str) -> None:
    path = layout.root / file
    text = path.read_text(encoding="utf-8")
    assert old in text, (file, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _across_key(layout: Layout) -> str:
    content, _ = check(layout)
    cache = open_cache(layout)
    return crosscheck._AcrossFindings(content, cache).key


ENTRY = "content/entries/entry-00002.yaml"


def test_kept_findings_across_entries_follow_their_lines_and_their_inputs(project, monkeypatch):
    _edit(project, ENTRY, "category: ", "category: no-such-")  # an unknown category: a finding across files
    cold = _cold(project, monkeypatch)
    assert any(p.file == ENTRY and "unknown category" in p.message for p in cold), cold
    assert check(project)[1] == cold and check(project)[1] == cold  # kept, then replayed
    text = (project.root / ENTRY).read_text(encoding="utf-8")
    (project.root / ENTRY).write_text("# a comment moves every line\n" + text, encoding="utf-8")
    moved = _cold(project, monkeypatch)
    assert moved != cold and check(project)[1] == moved  # same index facts, new line: found again
    _edit(project, "content/entries/entry-00003.yaml", "summary: ", "summary: Changed. ")  # facts unchanged
    assert check(project)[1] == _cold(project, monkeypatch)
    _edit(project, ENTRY, "category: no-such-", "category: ")  # the finding's input fixed
    assert check(project)[1] == _cold(project, monkeypatch) == []


@pytest.mark.parametrize("record", [
    None, [], "clean", {"files": []}, {"files": {}, "check_ids": [["x", "one"]]},
    {"files": {}, "check_ids": "none", "check_categories": [[1, 2, 3, 4]]},
    # a well-formed finding on a file whose hash is not the one recorded with it: stale, not used
    {"files": {ENTRY: "0" * 64}, "check_ids": [[ENTRY, 1, "$.id", "made up"]]},
])
def test_a_damaged_or_stale_record_across_entries_is_found_again(project, monkeypatch, record):
    expected = _cold(project, monkeypatch)
    check(project)
    key = _across_key(project)
    cache = open_cache(project)
    assert cache.record("checks", key) is not None  # kept by the warm run
    cache.records["checks"][key] = cache.records_used["checks"][key] = record
    cache.dirty.add(key[:2])
    cache.save()
    assert check(project)[1] == expected
    assert check(project)[1] == expected  # rewritten, then read back


def test_the_stat_pass_is_taken_once_and_a_new_run_stats_again(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_bytes(b"id: a\n")
    index = StatIndex(tmp_path)
    digest, data = index.read(path)
    assert index.take(path) == (digest, data)  # the read's answer, not read again
    path.write_bytes(b"id: b\n")
    assert index.take(path)[1] == b"id: b\n"  # used once: the next take stats and reads the file
    index.read(path)
    index.begin()  # another run (the preview's next save): nothing of the last run is taken
    path.write_bytes(b"id: c\n")
    assert index.take(path)[1] == b"id: c\n"
    assert index.read(path, max_bytes=3) == (None, None) and index.take(path, max_bytes=3) == (None, None)


@pytest.mark.parametrize("cross", [7, None, "same for every entry"])
def test_a_damaged_kept_cross_digest_is_never_trusted_over_the_findings(project, monkeypatch, cross):
    check(project)
    cache = open_cache(project)
    for file, record in list(cache.docs.items()):  # every entry's digest of its shared facts damaged
        if type(record.get("index")) is dict:
            cache.used[file] = {**record, "index": {**record["index"], "cross": cross}}
            cache.dirty.add(doc_shard(file))
    cache.save()
    assert check(project)[1] == _cold(project, monkeypatch) == []
    _edit(project, ENTRY, "category: ", "category: no-such-")  # a shared fact changed in one entry
    assert check(project)[1] == _cold(project, monkeypatch) != []
    _edit(project, ENTRY, "category: no-such-", "category: ")
    assert check(project)[1] == _cold(project, monkeypatch) == []


@pytest.mark.parametrize("notes", [
    7, [], {"checks": "clean"}, {"checks": ["another day", "clean"]}, {"checks": [None, {"check_dates": "x"}]},
    {"checks": [1, 2, 3]},
])
def test_damaged_notes_of_kept_documents_are_found_again(project, monkeypatch, notes):
    """An entry's per-entry findings live in its document's index (a note under today and the
    market); a damaged or foreign note is a miss, never a finding kept for another context."""
    _edit(project, ENTRY, "reviewed: '", "reviewed: '2001-01-01'\n_old_reviewed: '")  # a per-entry finding
    _edit(project, ENTRY, "\n_old_reviewed: '", "\n# was: '")
    cold = _cold(project, monkeypatch)
    assert any(p.file == ENTRY and "earlier than" in p.message for p in cold), cold
    assert check(project)[1] == cold
    cache = open_cache(project)
    for file, record in list(cache.docs.items()):
        if type(record.get("index")) is dict:
            cache.used[file] = {**record, "index": {**record["index"], "notes": notes}}
            cache.dirty.add(doc_shard(file))
    cache.save()
    assert check(project)[1] == cold
    assert check(project)[1] == cold  # kept again, then read back
    cache = open_cache(project)
    kept = cache.docs[ENTRY]["index"]["notes"]["checks"]
    assert kept[0] != "another day" and kept[1] != "clean"  # the finding is kept with the document


def test_an_entry_that_is_not_kept_as_a_document_keeps_its_findings_in_the_checks_section(project, monkeypatch):
    _edit(project, ENTRY, "difficulty: ", "difficulty: 7\n_was: ")  # fails its schema: never a kept document
    cold = _cold(project, monkeypatch)
    assert check(project)[1] == cold and check(project)[1] == cold
    cache = open_cache(project)
    assert ENTRY not in cache.docs
    kept = cache.records["checks"].values()  # the entry's record (nothing found: "clean"), no other entry's
    assert [value for value in kept if value == "clean" or (type(value) is dict and "check_dates" in value)] == ["clean"]


def test_facts_made_in_a_run_are_kept_with_each_document(project, monkeypatch):
    """save() compares only the facts made this run (documents stored, or read without valid facts):
    every entry's facts are still kept, and facts damaged on disk are made and kept again."""
    check(project)
    cache = open_cache(project)
    entries = [file for file in cache.docs if file.startswith("content/entries/")]
    assert entries and all(cache.docs[file].get("facts", {}).get("kind") == "entry" for file in entries)
    for file in entries:
        cache.used[file] = {**cache.docs[file], "facts": {"kind": "entry", "markdown": "damaged"}}
        cache.dirty.add(doc_shard(file))
    cache.save()
    assert check(project)[1] == _cold(project, monkeypatch)
    cache = open_cache(project)
    assert all(type(cache.docs[file]["facts"]["markdown"]) is list for file in entries)
