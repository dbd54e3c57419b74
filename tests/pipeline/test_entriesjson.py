"""Issue 14: entries.json is spliced (only changed twins made, the rest copied from the file the last run
left, as .cache/twins.json records), never trusted when the file or the record is not what it says:
after every edit and every damage below, the docs folder equals a cold build's (no cache) byte for byte."""

from __future__ import annotations

import hashlib
import json
import os
import zlib

import pytest
import yaml

from bench.generate import make_project
from scripts.pipeline import docstamps, entriesjson
from scripts.pipeline.build import prepare
from scripts.pipeline.content import Layout
from tests.pipeline.trees import cold_tree as _cold
from tests.pipeline.trees import edit as _edit
from tests.pipeline.trees import tree as _tree


@pytest.fixture
def project(tmp_path) -> Layout:
    """The real content plus 12 generated entries."""
    return Layout(make_project(tmp_path / "p", 12))


@pytest.fixture
def spliced(monkeypatch) -> list:
    """Each splice's outcome, in order: True when written by splicing, None when it fell back."""
    outcomes: list = []
    real = entriesjson._splice

    def spy(*args):
        done = real(*args)
        outcomes.append(None if done is None else done[0])
        return done

    monkeypatch.setattr(entriesjson, "_splice", spy)
    return outcomes


def _record(project: Layout):
    return project.root / ".cache" / entriesjson.FILE


def _read_record(project: Layout) -> dict:
    """The record's JSON (after its checksum line)."""
    return json.loads(_record(project).read_bytes().partition(b"\n")[2])


def _write_record(project: Layout, raw: dict, checksum: bool = True) -> None:
    """Write ``raw`` as the record, with its checksum made again (or the old one kept)."""
    body = json.dumps(raw).encode("utf-8")
    line = b"%08x" % zlib.crc32(body) if checksum else _record(project).read_bytes().partition(b"\n")[0]
    _record(project).write_bytes(line + b"\n" + body)


def _entry(project: Layout, number: int):
    return project.root / "content" / "entries" / f"entry-{number:05d}.yaml"


def _delete(project: Layout, number: int) -> None:
    """Remove a synthetic entry and every related link to it, as an editor does."""
    gone = f"entry-{number:05d}"
    _entry(project, number).unlink()
    for path in (project.root / "content" / "entries").glob("entry-*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if gone in data.get("related", []):
            data["related"] = [other for other in data["related"] if other != gone] or ["entry-00000"]
            path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")


@pytest.mark.parametrize("racy", [False, True], ids=["stamp-trusted", "racy-crc-checked"])
def test_spliced_entries_json_equals_a_cold_build_after_each_edit(project, tmp_path, monkeypatch, spliced, racy):
    if not racy:  # every record trusted on its stamp at once; else each is checked by its CRC-32
        monkeypatch.setattr(docstamps, "RACY_NS", -10**12)
    docs = tmp_path / "docs"
    prepare(project, docs, assets=False)
    assert _record(project).is_file()
    edits = [
        ("summary", lambda: _edit(_entry(project, 6), "summary: ", "summary: Changed. ")),
        ("first entry", lambda: _edit(_entry(project, 0), "summary: ", "summary: First changed. ")),
        ("title (a twin whose size changes)", lambda: _edit(_entry(project, 3), "title: Synthetic", "title: A")),
        ("last twin", lambda: _edit(_entry(project, 11), "summary: ", "summary: Last. ")),
        ("entry removed (the count changes)", lambda: _delete(project, 11)),
        ("entry added", lambda: _entry(project, 12).write_text(
            _entry(project, 10).read_text(encoding="utf-8").replace("entry-00010", "entry-00012"), encoding="utf-8")),
        ("two edits at once", lambda: (_edit(_entry(project, 2), "summary: ", "summary: Two. "),
                                       _edit(_entry(project, 8), "summary: ", "summary: Eight. "))),
    ]
    for number, (name, change) in enumerate(edits):
        change()
        prepare(project, docs, assets=False)
        assert _tree(docs) == _cold(project, tmp_path / f"cold-{number}", monkeypatch), name
    assert spliced.count(True) >= len(edits) - 1, spliced  # spliced, not rebuilt whole


def _damages(project: Layout, docs):
    record, target = _record(project), docs / "entries.json"

    def edit_record(change, checksum=True):  # with its checksum made again: only its content is wrong
        def run():
            raw = _read_record(project)
            change(raw)
            _write_record(project, raw, checksum)
        return run

    def same_size_edit():  # a hand edit that keeps the size: the stamp's times change
        data = target.read_bytes()
        target.write_bytes(data.replace(b'"summary":"', b'"summary":"X', 1)[:len(data) - 1] + b"\n")

    def edit_keep_times():  # a hand edit with its modification time set back: the change time still moves
        stat = target.stat()
        data = target.read_bytes()
        target.write_bytes(data.replace(b'"title":"', b'"title":"Y', 1)[:len(data) - 1] + b"\n")
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    return [
        ("record truncated", lambda: record.write_bytes(record.read_bytes()[:100])),
        ("record not JSON", lambda: record.write_text("{nonsense", encoding="utf-8")),
        ("record empty", lambda: record.write_text("", encoding="utf-8")),
        ("record edited, checksum not", edit_record(lambda raw: raw.update(at=raw["at"] + 1), checksum=False)),
        ("record from other code", edit_record(lambda raw: raw.update(code="other"))),
        ("record for another docs folder", edit_record(lambda raw: raw.update(target="/elsewhere/entries.json"))),
        ("record of another format", edit_record(lambda raw: raw.update(format=99))),
        ("record offsets shifted", edit_record(lambda raw: raw.update(ends=[end + 1 for end in raw["ends"]]))),
        ("record offsets one short", edit_record(lambda raw: raw.update(ends=raw["ends"][:-1]))),
        ("record offsets not numbers", edit_record(lambda raw: raw.update(ends=["a"] * len(raw["ends"])))),
        ("record keys swapped", edit_record(lambda raw: raw.update(keys=raw["keys"][64:128] + raw["keys"][:64]
                                                                   + raw["keys"][128:]))),
        ("record keys cut", edit_record(lambda raw: raw.update(keys=raw["keys"][:-3]))),
        ("record with a wrong CRC", edit_record(lambda raw: raw.update(crc=raw["crc"] + 1))),
        ("record stamp wrong", edit_record(lambda raw: raw.update(stamp=[raw["stamp"][0], 1, 2, 3]))),
        ("entries.json edited by hand, same size", same_size_edit),
        ("entries.json edited, modification time set back", edit_keep_times),
        ("entries.json truncated", lambda: target.write_bytes(target.read_bytes()[:1000])),
        ("entries.json emptied", lambda: target.write_bytes(b"")),
        ("entries.json removed", lambda: target.unlink()),
    ]


@pytest.mark.parametrize("racy", [False, True], ids=["stamp-trusted", "racy-crc-checked"])
def test_damaged_or_foreign_kept_state_is_rebuilt_never_trusted(project, tmp_path, monkeypatch, racy):
    if not racy:
        monkeypatch.setattr(docstamps, "RACY_NS", -10**12)
    docs = tmp_path / "docs"
    prepare(project, docs, assets=False)
    for number, (name, damage) in enumerate(_damages(project, docs)):
        _edit(_entry(project, number % 12), "summary: ", f"summary: Edit {number}. ")  # a splice is due
        damage()
        prepare(project, docs, assets=False)
        assert _tree(docs) == _cold(project, tmp_path / f"cold-{number}", monkeypatch), name


def test_a_record_the_file_does_not_match_is_never_spliced_into(project, tmp_path, monkeypatch, spliced):
    """A hand edit of the same size made right after a run (the racy case) is caught by the CRC-32."""
    docs = tmp_path / "docs"
    prepare(project, docs, assets=False)
    target = docs / "entries.json"
    data = target.read_bytes()
    target.write_bytes(data.replace(b'"summary":"', b'"summary":"Z', 1)[:len(data) - 1] + b"\n")
    stat = target.stat()
    record = _read_record(project)
    record["stamp"] = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]  # as if stamped after
    _write_record(project, record)
    _edit(_entry(project, 4), "summary: ", "summary: Racy. ")
    prepare(project, docs, assets=False)
    assert spliced == [None]  # the CRC-32 refused the splice: made whole
    assert _tree(docs) == _cold(project, tmp_path / "cold", monkeypatch)


def _twin_bytes(entry_id: str, version: int) -> bytes:
    return b'{"url":"entries/%s/","id":"%s","v":%d}' % (entry_id.encode(), entry_id.encode(), version)


def _full(twins: list[tuple[str, int]]) -> bytes:
    head = b'{"count":%d,"entries":[' % len(twins)
    return head + b",".join(_twin_bytes(*twin) for twin in twins) + entriesjson.TAIL


@pytest.mark.parametrize("racy", [False, True], ids=["stamp-trusted", "racy-crc-checked"])
def test_splicing_any_sequence_of_changes_gives_the_whole_file(tmp_path, monkeypatch, racy):
    """Random changes, additions, removals (at the start, middle and end) and moves: each spliced file
    equals the file made whole, and most are spliced (racy: the CRC-32 kept matches the file each time)."""
    import random

    from scripts.pipeline.build import _put

    monkeypatch.setattr(docstamps, "RACY_NS", 10**15 if racy else -10**12)
    rng = random.Random(14)
    target = str(tmp_path / "entries.json")
    twins = [(f"e{number:03d}", 0) for number in range(30)]
    outcomes = []
    real = entriesjson._splice
    monkeypatch.setattr(entriesjson, "_splice", lambda *args: outcomes.append(real(*args)) or outcomes[-1])
    for step in range(300):
        action = rng.choice(["change", "add", "remove", "move", "same"])
        if action == "change":
            index = rng.randrange(len(twins))
            twins[index] = (twins[index][0], twins[index][1] + rng.choice([1, 1000]))  # same or other size
        elif action == "add":
            twins.insert(rng.randrange(len(twins) + 1), (f"n{step:03d}", 0))
        elif action == "remove" and len(twins) > 1:
            del twins[rng.choice([0, len(twins) - 1, rng.randrange(len(twins))])]
        elif action == "move":
            twins.insert(rng.randrange(len(twins)), twins.pop(rng.randrange(len(twins))))
        keys = [hashlib.sha256(repr(twin).encode()).hexdigest() for twin in twins]
        record = entriesjson.TwinRecord(tmp_path / "twins.json", "code", os.path.abspath(target))
        head = b'{"count":%d,"entries":[' % len(twins)
        entriesjson.write_entries_json(target, record, keys, [twin[0] for twin in twins], head,
                                       lambda index: _twin_bytes(*twins[index]), _put)
        assert open(target, "rb").read() == _full(twins), (step, action)
    spliced = [outcome for outcome in outcomes if outcome is not None]
    assert len(spliced) > 250, len(spliced)


@pytest.mark.parametrize("where", [0, 4, 9], ids=["first", "middle", "last"])
def test_twins_changed_to_bytes_of_their_length_are_written_in_place(tmp_path, monkeypatch, where):
    """A twin that changes to bytes of its old length (a summary's digit edited) is written over the old
    one: nothing else of the file is made (no tail joined), the file equals the whole one, and the CRC-32
    recorded is the new file's, so a racy next run verifies it and splices again."""
    from scripts.pipeline.build import _put

    monkeypatch.setattr(docstamps, "RACY_NS", 10**15)  # every record racy: its CRC-32 is checked each run
    target = str(tmp_path / "entries.json")
    twins = [(f"e{number:03d}", 1) for number in range(10)]

    def write(tail_allowed: bool):
        keys = [hashlib.sha256(repr(twin).encode()).hexdigest() for twin in twins]
        record = entriesjson.TwinRecord(tmp_path / "twins.json", "code", os.path.abspath(target))
        head = b'{"count":%d,"entries":[' % len(twins)
        with monkeypatch.context() as patch:
            if not tail_allowed:
                patch.setattr(entriesjson, "_tail", lambda *args: pytest.fail("the tail was made again"))
            return entriesjson.write_entries_json(target, record, keys, [t[0] for t in twins], head,
                                                  lambda index: _twin_bytes(*twins[index]), _put)

    write(True)
    inode = os.stat(target).st_ino
    for version in (2, 3):
        twins[where] = (twins[where][0], version)  # the same length
        twins[(where + 3) % 10] = (twins[(where + 3) % 10][0], version)
        wrote, _ = write(False)
        data = open(target, "rb").read()
        assert wrote and data == _full(twins) and os.stat(target).st_ino == inode
        record = entriesjson.TwinRecord(tmp_path / "twins.json", "code", os.path.abspath(target))
        assert record.crc == zlib.crc32(data) and record.stamp is not None
    twins[where] = (twins[where][0], 10)  # one byte longer: the tail is made again
    write(True)
    assert open(target, "rb").read() == _full(twins)
