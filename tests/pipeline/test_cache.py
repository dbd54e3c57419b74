"""The content cache (.cache/content/<xx>.json shards): reused when nothing changed, redone for what changed,
ignored when written by other code, rebuilt when corrupt, JSON only, and removed by ``make clean``."""

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
    return sorted((root / ".cache" / "content").glob("*.json"))


def _doc_shard(root: Path, file: str = GOOD) -> Path:
    return root / ".cache" / "content" / f"{cache_module.doc_shard(file)}.json"


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
    assert all(json.loads(path.read_text())["key"].startswith("another version:") for path in _shards(tmp_path / "p"))


def test_a_broken_file_is_never_cached(tmp_path, make_project, good_text, counted):
    layout = make_project(tmp_path / "p", {"good-entry.yaml": good_text.replace("difficulty: beginner", "difficulty: 5")}, real_entries=False)
    first = check(layout)[1]
    counted["parsed"].clear()
    again = check(layout)[1]
    assert first == again and any("difficulty" in p.path for p in again)
    assert "content/entries/good-entry.yaml" in counted["parsed"]


@pytest.mark.parametrize("garbage", [b"\xff\xfe not json", b"[1, 2]", b'{"key": "K", "docs": [], "markdown": {}}',
                                     b'{"key": "K", "docs": {"content/entries/good-entry.yaml": {"sha256": 5}}, "markdown": {"x": 1}}'])
def test_a_corrupt_cache_is_rebuilt(tmp_path, make_project, good_text, garbage):
    layout = make_project(tmp_path / "p", {"good-entry.yaml": good_text}, real_entries=False)
    expected = check(layout)
    shards = _shards(tmp_path / "p")
    key = json.loads(shards[0].read_text())["key"]
    for path in shards:
        path.write_bytes(garbage.replace(b'"K"', json.dumps(key).encode()))
    content, problems = check(layout)
    assert problems == expected[1] and _entries(content) == _entries(expected[0])
    rebuilt = json.loads(_doc_shard(tmp_path / "p").read_text())  # the good entry's shard: written again
    assert rebuilt["key"] == key and rebuilt["docs"][GOOD]["data"] == next(
        d.data for d in expected[0].entries if d.file == GOOD)
    again, _ = check(layout)  # and used: nothing is parsed from the bytes again
    assert next(d for d in again.entries if d.file == GOOD).__class__.__name__ == "CachedDocument"


def test_a_cached_record_that_lies_about_its_hash_is_not_used(tmp_path, make_project, good_text):
    layout = make_project(tmp_path / "p", {"good-entry.yaml": good_text}, real_entries=False)
    check(layout)
    path = _doc_shard(tmp_path / "p")
    raw = json.loads(path.read_text())
    raw["docs"][GOOD]["data"]["title"] = "Not in the file"
    raw["docs"][GOOD]["sha256"] = "0" * 64
    path.write_text(json.dumps(raw))
    content, _ = check(layout)
    assert next(d.data for d in content.entries if d.file.endswith("good-entry.yaml"))["title"] == "What is a good entry?"


def test_the_cache_is_json_and_make_clean_removes_it(tmp_path, make_project, good_text):
    layout = make_project(tmp_path / "p", {"good-entry.yaml": good_text}, real_entries=False)
    check(layout)
    for path in _shards(tmp_path / "p"):
        json.loads(path.read_text(encoding="utf-8"))  # plain JSON, no pickle
    make = shutil.which("make")
    if make is None:
        pytest.fail("make is not installed")
    subprocess.run([make, "-s", "-f", str(REPO / "Makefile"), "-C", str(tmp_path / "p"), "clean"], check=True)
    assert not (tmp_path / "p/.cache").exists() and (tmp_path / "p/content").is_dir()
