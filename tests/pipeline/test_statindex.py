"""The stat index (issue 14, one change): a file's hash is reused only while its stat is exactly the
recorded one, a file too young to tell apart from a rewrite in the same clock tick is hashed again,
and a corrupt or foreign index is ignored."""

from __future__ import annotations

import hashlib
import json
import os
import time

import pytest

from scripts.pipeline.build import check, prepare
from scripts.pipeline.cache import UnreadDocument
from scripts.pipeline.statindex import SLACK_NS, StatIndex

OLD = time.time() - 3600  # an hour ago: older than the racy window


def _age(path, when=OLD) -> None:
    os.utime(path, (when, when))


def _write_old(path, data: bytes) -> None:
    """Write ``data`` with a modification time an hour ago (the change time stays now: see _now)."""
    path.write_bytes(data)
    _age(path)


def _now() -> int:
    """A "now" a few seconds ahead: the change time cannot be set back, and the racy guard reads it too."""
    return time.time_ns() + 2 * SLACK_NS


def test_a_recorded_hash_is_reused_while_the_stat_is_unchanged(tmp_path):
    path = tmp_path / "a.yaml"
    _write_old(path, b"id: a\n")
    index = StatIndex(tmp_path)
    stat = os.stat(path)
    index.record(path, stat, "f" * 64, now_ns=_now())  # a made-up hash: reuse is visible
    assert index.read(path) == ("f" * 64, None)
    index.save()
    assert StatIndex(tmp_path).read(path) == ("f" * 64, None)  # and from disk


def test_a_rewrite_of_the_same_size_with_the_old_mtime_is_hashed_again(tmp_path):
    path = tmp_path / "a.yaml"
    _write_old(path, b"id: a\n")
    index = StatIndex(tmp_path)
    index.record(path, os.stat(path), hashlib.sha256(b"id: a\n").hexdigest(), now_ns=_now())
    time.sleep(0.02)
    path.write_bytes(b"id: b\n")  # same size; the modification time is then set back as it was
    _age(path)
    assert index.read(path) == (hashlib.sha256(b"id: b\n").hexdigest(), b"id: b\n")  # ctime told


def test_a_young_file_is_not_recorded(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_bytes(b"id: a\n")  # written now: a rewrite in the same tick could keep its stat
    index = StatIndex(tmp_path)
    digest, data = index.read(path)
    assert data == b"id: a\n" and digest == hashlib.sha256(data).hexdigest()
    assert str(path) not in index.files and not index.changed
    assert index.read(path)[1] == b"id: a\n"  # read again next time


def test_a_file_recorded_then_made_young_again_is_forgotten(tmp_path):
    path = tmp_path / "a.yaml"
    _write_old(path, b"id: a\n")
    index = StatIndex(tmp_path)
    index.record(path, os.stat(path), "0" * 64, now_ns=_now())
    path.write_bytes(b"id: c\n")
    assert index.read(path) == (hashlib.sha256(b"id: c\n").hexdigest(), b"id: c\n")
    assert str(path) not in index.files


@pytest.mark.parametrize("text", ["", "{", "[]", '{"format": 99, "files": {}}', '{"format": 1, "files": []}',
                                  '{"format": 1, "files": {"x": [1, 2, 3]}}',
                                  '{"format": 1, "files": {"x": [1, 2, 3, 4, "short"]}}'])
def test_a_corrupt_or_foreign_index_is_empty(tmp_path, text):
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "stat.json").write_text(text, encoding="utf-8")
    assert StatIndex(tmp_path).files == {}


def test_a_disabled_index_reads_every_file_and_writes_nothing(tmp_path):
    path = tmp_path / "a.yaml"
    _write_old(path, b"id: a\n")
    index = StatIndex(tmp_path, enabled=False)
    index.record(path, os.stat(path), "f" * 64, now_ns=_now())
    assert index.read(path)[1] == b"id: a\n"
    index.save()
    assert not (tmp_path / ".cache" / "stat.json").exists()


def _age_project(root) -> None:
    for path in (root / "content").rglob("*"):
        if path.is_file():
            _age(path)


def test_documents_of_unchanged_files_are_not_read_and_keep_their_lines(project, monkeypatch):
    """A warm check takes aged files' hashes from the index (no read); a problem in such a document
    still names its line, read from the file when the message needs it."""
    monkeypatch.setattr("scripts.pipeline.statindex.SLACK_NS", -10 ** 12)  # ctime is "now": trust it anyway
    _age_project(project.root)
    check(project)  # fills the content cache and the index
    content, problems = check(project)
    assert not problems
    unread = [doc for doc in content.entries if isinstance(doc, UnreadDocument)]
    assert len(unread) == len(content.entries)
    # another file takes the good entry's id: the unread document is blamed on its own line
    text = (project.entries / "good-entry.yaml").read_text(encoding="utf-8")
    (project.entries / "copy.yaml").write_text(text, encoding="utf-8")
    content, problems = check(project)
    good = next(doc for doc in content.entries if doc.file.endswith("good-entry.yaml"))
    assert isinstance(good, UnreadDocument)
    id_line = text.splitlines().index(next(line for line in text.splitlines() if line.startswith("id:"))) + 1
    copy_problems = [p for p in problems if p.file.endswith("copy.yaml") and p.path == "$.id"]
    assert copy_problems and copy_problems[0].line == id_line


def test_a_warm_build_from_the_index_writes_what_a_cold_build_writes(project, tmp_path, monkeypatch):
    monkeypatch.setattr("scripts.pipeline.statindex.SLACK_NS", -10 ** 12)
    _age_project(project.root)
    prepare(project, tmp_path / "warm", assets=False)
    prepare(project, tmp_path / "warm", assets=False)
    index = json.loads((project.root / ".cache" / "stat.json").read_text(encoding="utf-8"))
    assert any(name.endswith("good-entry.yaml") for name in index["files"])
    entry = project.entries / "good-entry.yaml"
    stat = os.stat(entry)
    text = entry.read_text(encoding="utf-8")
    changed = text.replace("title: ", "title: X", 1)[:-1]  # one more, one less: same size
    assert len(changed.encode()) == len(text.encode())
    entry.write_text(changed, encoding="utf-8")
    os.utime(entry, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # the modification time set back
    prepare(project, tmp_path / "warm", assets=False)
    with monkeypatch.context() as patch:
        patch.setenv("MARGIN_NOTES_CACHE", "0")
        prepare(project, tmp_path / "cold", assets=False)
    tree = {p.relative_to(tmp_path / "cold"): p.read_bytes() for p in (tmp_path / "cold").rglob("*") if p.is_file()}
    assert {p.relative_to(tmp_path / "warm"): p.read_bytes()
            for p in (tmp_path / "warm").rglob("*") if p.is_file()} == tree
    assert any(b"X" in data for name, data in tree.items() if "good-entry" in str(name))


def test_a_run_told_what_changed_reuses_confirmed_rows_without_a_stat(tmp_path, monkeypatch):
    kept, edited, unknown = (tmp_path / f"{name}.yaml" for name in ("kept", "edited", "unknown"))
    for path in (kept, edited, unknown):
        _write_old(path, b"id: x\n")
    first = StatIndex(tmp_path)
    first.record(unknown, os.stat(unknown), hashlib.sha256(b"id: x\n").hexdigest(), now_ns=_now())
    first.save()
    index = StatIndex(tmp_path)  # unknown's row read from disk: not confirmed in this process
    monkeypatch.setattr("scripts.pipeline.statindex.SLACK_NS", 0)
    index.begin()
    for path in (kept, edited):
        assert index.take(path)[1] == b"id: x\n"  # hashed and recorded: confirmed
    stated = []
    real = os.stat
    monkeypatch.setattr(os, "stat", lambda path, *a, **k: stated.append(os.fspath(path)) or real(path, *a, **k))
    edited.write_bytes(b"id: y\n")
    index.begin({str(edited)})
    assert index.take(kept) == (hashlib.sha256(b"id: x\n").hexdigest(), None)
    assert index.take(edited) == (hashlib.sha256(b"id: y\n").hexdigest(), b"id: y\n")  # reported: read
    assert index.take(unknown) == (hashlib.sha256(b"id: x\n").hexdigest(), None)
    assert stated == [str(edited), str(unknown)]  # kept's row stood for it; unknown's row was checked
    index.begin()  # no watcher (the command line): every file is stat'ed
    stated.clear()
    for path in (kept, edited, unknown):
        index.take(path)
    assert stated == [str(kept), str(edited), str(unknown)]


def test_unchanged_answers_in_one_loop_what_take_would(tmp_path):
    """StatIndex.unchanged: the files whose stat is the recorded one (under the size bound), a hash a
    read of this run vouched for (once), and nothing in a run told which files a watcher saw change."""
    same, edited, big, unknown, vouched = (tmp_path / f"{name}.yaml" for name in ("same", "edited", "big", "unknown", "vouched"))
    for path in (same, edited, big, vouched):
        _write_old(path, b"id: x\n" * (20 if path is big else 1))
    _write_old(unknown, b"id: u\n")
    first = StatIndex(tmp_path)
    for path in (same, edited, big, vouched):
        first.record(path, os.stat(path), hashlib.sha256(path.read_bytes()).hexdigest(), now_ns=_now())
    first.save()
    edited.write_bytes(b"id: y\n")
    index = StatIndex(tmp_path)
    names = [str(path) for path in (same, edited, big, unknown, vouched)]
    assert index.known_hash(str(vouched)) == hashlib.sha256(b"id: x\n").hexdigest()
    found = index.unchanged(names, max_bytes=50)
    assert found == {str(same): hashlib.sha256(b"id: x\n").hexdigest(), str(vouched): hashlib.sha256(b"id: x\n").hexdigest()}
    assert str(vouched) not in index.taken and {str(same), str(vouched)} <= index.confirmed
    for name in names:  # what take gives for each file left out
        if name not in found:
            assert index.take(name, 50)[1] is not None or name == str(big)
    index.begin({str(edited)})
    assert index.unchanged(names) == {}
