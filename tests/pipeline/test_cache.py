"""The content cache (.cache/content/<xx>.shard): reused when nothing changed, redone for what changed,
ignored when written by other code, rebuilt when corrupt, JSON and UTF-8 text only, and removed by
``make clean``."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from scripts.pipeline import build as build_module
from scripts.pipeline import cache as cache_module
from scripts.pipeline import safety
from scripts.pipeline.build import check
from scripts.pipeline.load import CachedDocument
from scripts.pipeline.shardfile import parse_shard, shard_bytes

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def counted(monkeypatch):
    """Counts of files parsed and Markdown texts rendered by the safety gate during a check."""
    counts = {"parsed": [], "rendered": 0}
    load_bytes, check_markdown = build_module.load_bytes, safety._check_markdown

    def counting_load(data, file, **options):
        counts["parsed"].append(file)
        return load_bytes(data, file, **options)

    def counting_check(text):
        counts["rendered"] += 1
        return check_markdown(text)

    monkeypatch.setattr(build_module, "load_bytes", counting_load)
    monkeypatch.setattr(safety, "_check_markdown", counting_check)
    return counts


GOOD = "content/entries/good-entry.yaml"


def _shards(root: Path) -> list[Path]:
    return sorted((root / ".cache" / "content").glob("*.shard"))


def _doc_shard(root: Path, file: str = GOOD) -> Path:
    return root / ".cache" / "content" / f"{cache_module.doc_shard(file)}.shard"


def _header(path: Path) -> dict:
    """The JSON line that starts a shard (its records but the texts of the text block)."""
    return json.loads(path.read_bytes().split(b"\n", 1)[0])


def _records(path: Path) -> dict:
    """Every record of a shard, the documents' data decoded (it lives in the text block)."""
    raw = parse_shard(path.read_bytes())
    for file, record in raw["docs"].items():
        record["data"] = record["data"].value_for(file)
    return {key: value for key, value in raw.items() if key not in ("format", "texts")}


def _entries(content):
    return [(doc.file, doc.data, doc.lines, doc.text_lines) for doc in content.entries]


def test_unchanged_files_come_from_the_cache_and_a_change_is_redone(tmp_path, make_project, good_text, counted):
    layout = make_project(tmp_path / "p", {"good-entry.yaml": good_text}, real_entries=False)
    cold, cold_problems = check(layout)
    assert _doc_shard(tmp_path / "p").is_file()
    assert len(counted["parsed"]) >= len(cold.entries) and counted["rendered"] > 0
    counted["parsed"].clear()
    counted["rendered"] = 0
    warm, warm_problems = check(layout)
    assert counted["parsed"] == [] and counted["rendered"] == 0
    assert _entries(warm) == _entries(cold) and warm_problems == cold_problems
    path = tmp_path / "p/content/entries/good-entry.yaml"
    changed_line = "A *changed* first takeaway line, see [the glossary](../glossary.md)."  # [ ]: rendered by the gate
    path.write_text(good_text.replace("The first takeaway line.", changed_line), encoding="utf-8")
    changed, _ = check(layout)
    assert counted["parsed"] == ["content/entries/good-entry.yaml"] and counted["rendered"] == 1
    assert next(d.data for d in changed.entries if d.file.endswith("good-entry.yaml"))["key_takeaways"][0] == changed_line


def test_a_cache_from_other_code_is_ignored(tmp_path, make_project, good_text, counted, monkeypatch):
    layout = make_project(tmp_path / "p", {"good-entry.yaml": good_text}, real_entries=False)
    check(layout)
    counted["parsed"].clear()
    monkeypatch.setattr(cache_module, "code_version", lambda: "another version")
    check(layout)
    assert "content/entries/good-entry.yaml" in counted["parsed"]
    assert all(_header(path)["key"].startswith("another version:") for path in _shards(tmp_path / "p"))


def test_a_broken_file_is_never_cached(tmp_path, make_project, good_text, counted):
    layout = make_project(tmp_path / "p", {"good-entry.yaml": good_text.replace("difficulty: beginner", "difficulty: 5")}, real_entries=False)
    first = check(layout)[1]
    counted["parsed"].clear()
    again = check(layout)[1]
    assert first == again and any("difficulty" in p.path for p in again)
    assert "content/entries/good-entry.yaml" in counted["parsed"]


_SHARD = b'{"format": "mn-cache-3", "key": "K", "docs": {}, "markdown": {}, "pages": {}, "texts": %s}\n'


@pytest.mark.parametrize("garbage", [b"\xff\xfe not json", b"[1, 2]", b'{"key": "K", "docs": [], "markdown": {}}',
                                     b'{"key": "K", "docs": {"content/entries/good-entry.yaml": {"sha256": 5}}, "markdown": {"x": 1}}',
                                     # the shard format: a JSON line, then the text block its "texts" point into
                                     _SHARD % b'{"pages": {"ab": [0, 99]}}' + b"short",  # past the block's end
                                     _SHARD % b'{"pages": {"ab": [-1, 2]}}' + b"ok",
                                     _SHARD % b'{"pages": {"ab": "0,2"}}' + b"ok",
                                     _SHARD % b'{"docs": {"ab": [0, 2]}}' + b"ok",  # data of no document record
                                     _SHARD % b'{"pages": {"ab": [0, 2]}}' + b"\xff\xfe",  # not UTF-8: decoded when used
                                     _SHARD.replace(b"mn-cache-3", b"mn-cache-2") % b"{}"])
def test_a_corrupt_cache_is_rebuilt(tmp_path, make_project, good_text, garbage):
    layout = make_project(tmp_path / "p", {"good-entry.yaml": good_text}, real_entries=False)
    expected = check(layout)
    shards = _shards(tmp_path / "p")
    key = _header(shards[0])["key"]
    for path in shards:
        path.write_bytes(garbage.replace(b'"K"', json.dumps(key).encode()))
    content, problems = check(layout)
    assert problems == expected[1] and _entries(content) == _entries(expected[0])
    rebuilt = _records(_doc_shard(tmp_path / "p"))  # the good entry's shard: written again
    assert rebuilt["key"] == key and rebuilt["docs"][GOOD]["data"] == next(
        d.data for d in expected[0].entries if d.file == GOOD)
    again, _ = check(layout)  # and used: nothing is parsed from the bytes again
    assert isinstance(next(d for d in again.entries if d.file == GOOD), CachedDocument)


def test_a_cached_record_that_lies_about_its_hash_is_not_used(tmp_path, make_project, good_text):
    layout = make_project(tmp_path / "p", {"good-entry.yaml": good_text}, real_entries=False)
    check(layout)
    path = _doc_shard(tmp_path / "p")
    raw = _records(path)
    raw["docs"][GOOD]["data"]["title"] = "Not in the file"
    raw["docs"][GOOD]["sha256"] = "0" * 64
    path.write_bytes(shard_bytes(raw))
    content, _ = check(layout)
    assert next(d.data for d in content.entries if d.file.endswith("good-entry.yaml"))["title"] == "What is a good entry?"


def test_the_cache_is_json_and_make_clean_removes_it(tmp_path, make_project, good_text):
    layout = make_project(tmp_path / "p", {"good-entry.yaml": good_text}, real_entries=False)
    check(layout)
    for path in _shards(tmp_path / "p"):  # a line of JSON, then UTF-8 texts: no pickle
        header, block = path.read_bytes().split(b"\n", 1)
        json.loads(header)
        block.decode("utf-8")
    make = shutil.which("make")
    if make is None:
        pytest.fail("make is not installed")
    subprocess.run([make, "-s", "-f", str(REPO / "Makefile"), "-C", str(tmp_path / "p"), "clean"], check=True)
    assert not (tmp_path / "p/.cache").exists() and (tmp_path / "p/content").is_dir()


def test_text_records_come_back_as_kept_and_a_damaged_text_is_a_miss(tmp_path, make_project, good_text):
    """Page texts live in the shard's text block: unicode and surrogates come back, other JSON values
    stay in the header, a record kept but unused survives a rewrite of its shard byte for byte, and
    a text whose bytes are no longer UTF-8 is a miss (redone), not a crash."""
    layout = make_project(tmp_path / "p", {"good-entry.yaml": good_text}, real_entries=False)
    texts = {"aa" + "0" * 62: "Liquidation \u2014 \u00e9t\u00e9\n\"quoted\"\n", "aa" + "1" * 62: "lone \udcff surrogate",
             "ab" + "0" * 62: ""}
    first = cache_module.ContentCache(layout.root, layout.schemas)
    for key, text in texts.items():
        first.keep("pages", key, text)
    first.keep("pages", "aa" + "2" * 62, ["a list", "of texts"])  # rules.py keeps lists
    first.save()
    second = cache_module.ContentCache(layout.root, layout.schemas)
    assert {key: second.record("pages", key) for key in texts} == texts
    assert second.record("pages", "aa" + "2" * 62) == ["a list", "of texts"]
    third = cache_module.ContentCache(layout.root, layout.schemas)  # uses one record, changes another
    third.record("pages", "aa" + "0" * 62)
    third.keep("pages", "aa" + "1" * 62, "changed")
    third.save()
    fourth = cache_module.ContentCache(layout.root, layout.schemas)
    assert fourth.record("pages", "aa" + "0" * 62) == texts["aa" + "0" * 62]
    assert fourth.record("pages", "aa" + "1" * 62) == "changed"
    fourth.save()
    path = _shards(tmp_path / "p")[0]
    header, block = path.read_bytes().split(b"\n", 1)
    offset, length = json.loads(header)["texts"]["pages"]["aa" + "0" * 62]
    path.write_bytes(header + b"\n" + block[:offset] + b"\xff" * length + block[offset + length:])
    damaged = cache_module.ContentCache(layout.root, layout.schemas)
    assert damaged.record("pages", "aa" + "0" * 62) is None
    assert damaged.record("pages", "aa" + "1" * 62) == "changed"
    damaged.save()


def test_shards_of_the_json_only_format_are_removed(tmp_path, make_project, good_text):
    layout = make_project(tmp_path / "p", {"good-entry.yaml": good_text}, real_entries=False)
    legacy = tmp_path / "p" / ".cache" / "content" / "ab.json"
    legacy.parent.mkdir(parents=True)
    legacy.write_text('{"key": "old", "docs": {}}', encoding="utf-8")
    check(layout)
    assert not legacy.exists() and _shards(tmp_path / "p")


def test_a_header_changed_after_it_was_written_is_not_read(tmp_path, make_project, good_text, counted):
    """The header ends with its checksum: an edit that keeps it JSON (facts of the wrong shape, which
    the reader no longer checks per document) makes the shard unread, its file parsed and the shard rewritten."""
    layout = make_project(tmp_path / "p", {"good-entry.yaml": good_text}, real_entries=False)
    expected = check(layout)
    path = _doc_shard(tmp_path / "p")
    data = path.read_bytes()
    assert data.count(b'"markdown":[[') >= 1
    path.write_bytes(data.replace(b'"markdown":[[', b'"markdown":["damaged",[', 1))
    json.loads(path.read_bytes().split(b"\n", 1)[0])  # still JSON
    counted["parsed"].clear()
    content, problems = check(layout)
    assert GOOD in counted["parsed"]
    assert problems == expected[1] and _entries(content) == _entries(expected[0])
    assert b'"markdown":["damaged"' not in path.read_bytes()
    counted["parsed"].clear()
    again, _ = check(layout)
    assert counted["parsed"] == [] and _entries(again) == _entries(expected[0])
