"""Issue 14, one change: ``validate`` with the content cache (kept per-entry findings, link addresses,
rule verdicts, the catalogue's and the venue profiles' findings) reports exactly what a cold run reports,
after edits that change the facts entries share: an id renamed, a related target removed, a link
broken from another file, a rule made false, a glossary term renamed. A stale kept record would keep
an old verdict and fail here."""

from __future__ import annotations

import datetime
import re

import pytest

from bench.generate import make_project
from scripts.__main__ import validate_outcome
from scripts.pipeline import citecheck
from scripts.pipeline.build import check
from scripts.pipeline import cache as cache_module
from scripts.pipeline.cache import CACHE_DIR, SHARD_DIR
from scripts.pipeline.content import Layout
from scripts.pipeline.links import anchors

RULED = "content/entries/can-a-futures-balance-go-negative.yaml"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Layout:
    """The real content plus 12 generated entries (related lists, glossary links)."""
    monkeypatch.setattr(citecheck, "today_utc", lambda: datetime.date(2026, 11, 29))
    return Layout(make_project(tmp_path / "p", 12))


def _cold(layout: Layout, monkeypatch) -> tuple:
    with monkeypatch.context() as patch:
        patch.setenv("MARGIN_NOTES_CACHE", "0")
        content, problems = check(layout)
    return problems, content.warnings


def _warm(layout: Layout) -> tuple:
    content, problems = check(layout)
    outcome = validate_outcome(layout, [])  # the command's own path (run record, stat index)
    assert (outcome.problems, outcome.warnings) == (problems, content.warnings)
    return problems, content.warnings


def _edit(layout: Layout, file: str, old: str, new: str) -> None:
    path = layout.root / file
    text = path.read_text(encoding="utf-8")
    assert old in text, (file, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _related_target(layout: Layout) -> tuple[str, str]:
    """``(file of an entry, id it lists as related)``: an edge between two generated entries."""
    for path in sorted((layout.entries).glob("entry-*.yaml")):
        match = re.search(r"^related:\n- (entry-\d+)$", path.read_text(encoding="utf-8"), flags=re.M)
        if match:
            return f"content/entries/{path.name}", match.group(1)
    raise AssertionError("no generated entry lists a related entry")


def test_the_cached_path_reports_what_a_cold_run_reports_after_shared_facts_change(project, monkeypatch):
    assert _warm(project) == _cold(project, monkeypatch) == ([], [])
    assert _warm(project) == ([], [])  # everything kept
    source, target = _related_target(project)
    content, _ = check(project)
    anchor = next(a for a in sorted(anchors(content.pages["entries/entry-00004.md"].text)) if a.startswith("section-0"))
    _edit(project, "content/entries/entry-00003.yaml", "../glossary.md#margin", f"entry-00004.md#{anchor}")
    assert _warm(project) == _cold(project, monkeypatch) == ([], [])
    steps = [
        # an id renamed in its file: the file name no longer matches, and entries relating to it break
        (f"content/entries/{target}.yaml", f"id: {target}", "id: entry-00777", "no entry has the id"),
        # a link broken in one entry: an anchor its target page does not have
        ("content/entries/entry-00003.yaml", f"#{anchor}", "#no-such-heading", "no anchor"),
        # a heading renamed: an unchanged entry's kept link now points to an anchor its page lost
        ("content/entries/entry-00004.yaml", "heading: 'Section 0:", "heading: 'Part 0:", f"no anchor #{anchor}"),
        # a rule made false: its kept verdict is not reused
        (RULED, "wallet_balance: 578.22", "wallet_balance: 578.23", "wallet_balance"),
    ]
    for file, old, new, expected in steps:  # each edit alone (links and rules are checked once the rest passes)
        _edit(project, file, old, new)
        warm = _warm(project)
        assert warm == _cold(project, monkeypatch), (file, new)
        assert any(expected in problem.message for problem in warm[0]), (expected, warm[0][:5])
        _edit(project, file, new, old)  # undone: clean again, from the cache
        assert _warm(project) == ([], []), (file, new)
    (project.root / f"content/entries/{target}.yaml").unlink()  # a related target removed
    warm = _warm(project)
    assert warm == _cold(project, monkeypatch)
    assert any(p.file == source and f"no entry has the id {target!r}" in p.message for p in warm[0]), warm[0][:5]


@pytest.mark.parametrize("garbage", [b"", b"{}", b'{"format": "mn-cache-2", "texts": {}}\n', b"\xff\xfe not json\n"])
def test_damaged_shards_are_ignored_and_rewritten(project, monkeypatch, garbage):
    _warm(project)
    _edit(project, "content/entries/entry-00003.yaml", "glossary.md#margin", "glossary.md#no-such-term")
    for shard in (project.root / CACHE_DIR / SHARD_DIR).glob("*.shard"):
        shard.write_bytes(garbage)
    assert _warm(project) == _cold(project, monkeypatch)
    assert _warm(project) == _cold(project, monkeypatch)  # rewritten, then read back


def test_malformed_kept_links_are_found_again(project, monkeypatch):
    from scripts.pipeline.build import open_cache

    _edit(project, "content/entries/entry-00003.yaml", "glossary.md#margin", "glossary.md#no-such-term")
    expected = _cold(project, monkeypatch)
    _warm(project)
    cache = open_cache(project)
    damaged = [["summary"], 7, "yes"]
    for key in cache.records["links"]:  # every kept record of an entry's links damaged
        cache.records["links"][key] = {"page": "entries/x.md", "links": [damaged]}
        cache.records_used["links"][key] = cache.records["links"][key]
        cache.dirty.add(key[:2])
    noted = [file for file, record in cache.docs.items() if "links" in cache_module._notes(record)]
    assert noted or cache.records["links"]  # kept as a note of each cached document (links.NOTE)
    cache.used.update(cache.docs)  # every document kept in the shards rewritten
    for file in noted:
        record = cache.docs[file]
        notes = {**record["index"]["notes"], "links": ["entries/x.md", [damaged]]}
        cache.used[file] = {**record, "index": {**record["index"], "notes": notes}}
        cache.dirty.add(cache_module.doc_shard(file))
    cache.save()
    assert _warm(project) == expected


@pytest.mark.parametrize("record", [
    {"kind": "entry", "markdown": [["sections", 2, "body"]], "todo": [], "calc": []},
    {"kind": "glossary", "markdown": [[0, "definition"]], "todo": [["x"]], "calc": [[1]]},
    {"kind": "page", "markdown": [], "todo": [], "calc": []}, {"kind": "entry", "markdown": [[True]], "todo": [], "calc": []},
    {"kind": "entry", "markdown": [[1.5]], "todo": [], "calc": []}, {"kind": "entry", "markdown": "x", "todo": [], "calc": []},
    {"kind": "entry", "markdown": [], "todo": []}, {"kind": "site", "markdown": [None], "todo": [], "calc": []}, [], None,
])
def test_the_caches_quick_facts_check_agrees_with_the_facts_module(record):
    from scripts.pipeline import cache, facts

    def reference(record) -> bool:  # the shape facts.doc_facts makes, as first written
        return isinstance(record, dict) and record.get("kind") in facts.KINDS and all(
            isinstance(record.get(key), list) and all(
                isinstance(path, list) and all(isinstance(part, (str, int)) and not isinstance(part, bool)
                                               for part in path) for path in record[key])
            for key in ("markdown", "todo", "calc"))

    assert cache._FACT_KINDS == facts.KINDS
    assert cache._valid_facts(record) == reference(record)


def test_a_shard_replaced_after_its_header_was_read_gives_misses_not_its_bytes(tmp_path):
    import os

    from scripts.pipeline.shardfile import MISSING, parse_shard, read_header, shard_bytes

    def payload(text: str, data: dict) -> bytes:
        return shard_bytes({"key": "K", "docs": {"f.yaml": {"sha256": "s", "data": data}}, "pages": {"aa1": text}})

    path = tmp_path / "aa.shard"
    path.write_bytes(payload("old text", {"a": 1}))
    kept = parse_shard(*read_header(path))
    same = parse_shard(*read_header(path))  # read while the file is unchanged: its records come back
    assert same["pages"]["aa1"].text() == "old text" and same["docs"]["f.yaml"]["data"].value_for("f.yaml") == {"a": 1}
    (tmp_path / "new").write_bytes(payload("new text, same length?", {"a": 2}))
    os.replace(tmp_path / "new", path)  # as cachefile.write_atomically replaces a shard
    assert kept["pages"]["aa1"].text() is None and kept["pages"]["aa1"].raw() is None
    assert kept["docs"]["f.yaml"]["data"].value_for("f.yaml") is MISSING
    fresh = parse_shard(*read_header(path))
    assert fresh["pages"]["aa1"].text() == "new text, same length?"


def test_a_damaged_kept_index_never_crashes_a_run(project, monkeypatch):
    """The index is read as JSON gave it back: every reader takes a value only when its type is right,
    and malformed verdict keys are made again from the data (the verdicts then equal a cold run's)."""
    from scripts.pipeline.build import open_cache

    _edit(project, RULED, "wallet_balance: 578.22", "wallet_balance: 578.23")
    expected = _cold(project, monkeypatch)
    _warm(project)
    cache = open_cache(project)
    damaged = 0
    for record in cache.docs.values():
        if isinstance(record.get("index"), dict):
            record["index"]["rule_keys"] = "not a list"
            damaged += 1
    cache.used.update(cache.docs)
    cache.dirty.update(cache_module.doc_shard(file) for file in cache.docs)
    cache.save()
    assert damaged > 10
    content, problems = check(project)
    assert (problems, content.warnings) == expected
    cache = open_cache(project)
    for record in cache.docs.values():
        if isinstance(record.get("index"), dict):
            record["index"].update(id=5, draft="yes", related={"a": 1}, terms=7, rules=[1, None], category=[])
    cache.used.update(cache.docs)
    cache.dirty.update(cache_module.doc_shard(file) for file in cache.docs)
    cache.save()
    content, problems = check(project)  # wrong facts, as damaged data would give: no crash
    assert isinstance(problems, list) and len(content.entries) == len(list(project.entries.glob("*.yaml")))
