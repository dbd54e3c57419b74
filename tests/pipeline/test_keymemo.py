"""Issue 14: entry page keys kept between runs (.cache/pagekeys.json). After one change only the changed
entry and the entries relating to it are keyed again; a record that is damaged, foreign or stale is
ignored and rewritten, and every build still writes what a cold build writes."""

from __future__ import annotations

import json
import zlib

import pytest

from bench.generate import make_project
from scripts.pipeline import docstamps, keymemo, pages
from scripts.pipeline.build import prepare
from scripts.pipeline.content import Layout
from tests.pipeline.trees import cold_tree as _cold
from tests.pipeline.trees import edit as _edit
from tests.pipeline.trees import tree as _tree

import yaml


@pytest.fixture
def project(tmp_path, monkeypatch) -> Layout:
    """The real content plus 12 generated entries; every docs stamp trusted at once."""
    monkeypatch.setattr(docstamps, "RACY_NS", -10**12)
    return Layout(make_project(tmp_path / "p", 12))


@pytest.fixture
def keyed(monkeypatch) -> list:
    """The ids of the entries whose page key is computed, in order."""
    ids: list = []
    real = pages._page_key
    monkeypatch.setattr(pages, "_page_key", lambda entry_id, *rest: ids.append(entry_id) or real(entry_id, *rest))
    return ids


def _entry(project: Layout, number: int):
    return project.root / "content" / "entries" / f"entry-{number:05d}.yaml"


def _relating(project: Layout, entry_id: str) -> set[str]:
    """The ids of the entries whose related list names ``entry_id``."""
    out = set()
    for path in (project.root / "content" / "entries").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if entry_id in (data.get("related") or []):
            out.add(data["id"])
    return out


def _record(project: Layout):
    return project.root / ".cache" / keymemo.FILE


def test_one_change_keys_the_changed_entry_and_those_relating_to_it(project, tmp_path, monkeypatch, keyed):
    docs = tmp_path / "docs"
    prepare(project, docs, assets=False)
    everything = len(keyed)
    assert everything > 12 and _record(project).is_file()
    keyed.clear()
    prepare(project, docs, assets=False)
    assert keyed == []  # nothing changed: every key kept
    _edit(_entry(project, 3), "summary: ", "summary: Changed. ")  # the title stays: only its own page
    prepare(project, docs, assets=False)
    assert keyed == ["entry-00003"]
    assert _tree(docs) == _cold(project, tmp_path / "cold-1", monkeypatch)
    keyed.clear()
    _edit(_entry(project, 3), "title: Synthetic", "title: Renamed")  # its title shows in related lists
    prepare(project, docs, assets=False)
    relating = _relating(project, "entry-00003")
    assert relating and set(keyed) == relating | {"entry-00003"}, (keyed, relating)
    assert _tree(docs) == _cold(project, tmp_path / "cold-2", monkeypatch)
    keyed.clear()
    _edit(project.root / "content" / "categories.yaml", "title: Indicators", "title: Indicators and tools")
    prepare(project, docs, assets=False)  # what every page may show: all keyed again
    assert len(keyed) == everything
    assert _tree(docs) == _cold(project, tmp_path / "cold-3", monkeypatch)


def _rewrite(project: Layout, change, checksum: bool = True):
    def run():
        line, _, body = _record(project).read_bytes().partition(b"\n")
        raw = json.loads(body)
        change(raw)
        body = json.dumps(raw).encode("utf-8")
        _record(project).write_bytes((b"%08x" % zlib.crc32(body) if checksum else line) + b"\n" + body)
    return run


DAMAGES = [
    ("truncated", lambda project: _record(project).write_bytes(_record(project).read_bytes()[:200])),
    ("not JSON", lambda project: _record(project).write_text("{oops", encoding="utf-8")),
    ("empty", lambda project: _record(project).write_bytes(b"")),
    ("edited without its checksum", lambda project: _rewrite(
        project, lambda raw: raw.update(keys="0" * len(raw["keys"])), checksum=False)()),
    ("from other code", lambda project: _rewrite(project, lambda raw: raw.update(code="other"))()),
    ("of another format", lambda project: _rewrite(project, lambda raw: raw.update(format=0))()),
    ("keys cut short", lambda project: _rewrite(project, lambda raw: raw.update(keys=raw["keys"][:-64]))()),
    ("an id fewer", lambda project: _rewrite(project, lambda raw: raw.update(ids=raw["ids"].rsplit("\n", 1)[0]))()),
    ("fields of the wrong type", lambda project: _rewrite(project, lambda raw: raw.update(ids=7, hashes=None))()),
    ("a missing field", lambda project: _rewrite(project, lambda raw: raw.pop("related"))()),
    ("other globals", lambda project: _rewrite(project, lambda raw: raw.update(globals="x"))()),
]


@pytest.mark.parametrize("name,damage", DAMAGES, ids=[name for name, _ in DAMAGES])
def test_a_damaged_or_foreign_record_is_ignored_and_rewritten(project, tmp_path, monkeypatch, keyed, name, damage):
    docs = tmp_path / "docs"
    prepare(project, docs, assets=False)
    everything = len(keyed)
    _edit(_entry(project, 5), "title: Synthetic", "title: Renamed")
    damage(project)
    keyed.clear()
    prepare(project, docs, assets=False)
    assert len(keyed) == everything, name  # nothing trusted: every entry keyed again
    assert _tree(docs) == _cold(project, tmp_path / "cold", monkeypatch), name
    keyed.clear()
    prepare(project, docs, assets=False)
    assert keyed == [], name  # rewritten whole: the next run keys nothing


def _inputs(hashes, related):
    ids = [f"e{i}" for i in range(len(hashes))]
    return keymemo.KeyInputs(ids, list(hashes), [f"content/entries/{entry_id}.yaml" for entry_id in ids],
                             lambda i: related[i])


def test_the_record_compared_whole_reuses_exactly_what_entry_by_entry_would(tmp_path):
    """The fast comparison (same entries, same order: one pass over the hashes) and the patched
    record give what the entry-by-entry ones give, for a changed file, a retitled entry and a moved one."""
    hashes = [f"{i:064x}" for i in range(6)]
    related = [["e1"], [], ["e1", "e2"], [], ["e5"], []]
    titles = {f"e{i}": f"Title {i}" for i in range(6)}
    keys = {f"e{i}": f"{100 + i:064x}" for i in range(6)}
    memo = keymemo.KeyMemo(tmp_path, "code")
    memo.save(_inputs(hashes, related), keys, "g", titles.get)
    first = (tmp_path / keymemo.FILE).read_bytes()

    changed = hashes[:1] + [f"{99:064x}"] + hashes[2:]  # e1's file changed, its title kept
    memo = keymemo.KeyMemo(tmp_path, "code")
    assert memo.reusable(_inputs(changed, related), "g", titles.get) == {k: v for k, v in keys.items() if k != "e1"}
    retitled = dict(titles, e1="New")  # e0 and e2 show e1's title: keyed again
    memo = keymemo.KeyMemo(tmp_path, "code")
    assert memo.reusable(_inputs(changed, related), "g", retitled.get) == {
        k: v for k, v in keys.items() if k not in ("e0", "e1", "e2")}
    assert memo.reusable(_inputs(hashes, related), "other", titles.get) == {}

    moved = _inputs(hashes, related)  # the same entries in another order: compared entry by entry
    moved.ids.reverse(), moved.hashes.reverse(), moved.files.reverse()
    memo = keymemo.KeyMemo(tmp_path, "code")
    assert memo.reusable(moved, "g", titles.get) == keys

    new_keys = dict(keys, e1=f"{7:064x}")
    new_related = related[:1] + [["e3"]] + related[2:]
    memo = keymemo.KeyMemo(tmp_path, "code")
    memo.save(_inputs(changed, new_related), new_keys, "g", retitled.get)  # patched from the record read
    patched = (tmp_path / keymemo.FILE).read_bytes()
    (tmp_path / keymemo.FILE).unlink()
    keymemo.KeyMemo(tmp_path, "code").save(_inputs(changed, new_related), new_keys, "g", retitled.get)  # whole
    assert patched == (tmp_path / keymemo.FILE).read_bytes() != first
    memo = keymemo.KeyMemo(tmp_path, "code")
    assert not memo.differs(new_keys, ["e1"], "g") and memo.differs(keys, ["e1"], "g")


def test_a_record_that_still_serves_is_not_rewritten_and_its_changed_entries_are_keyed_again(
        project, tmp_path, monkeypatch, keyed):
    """After a summary change the record (2.6 MB at 10,000 entries) is left as it is: the changed entry is
    keyed again on each run, every other key is reused, and the docs equal a cold build's; a retitled
    entry (whose title other pages show) makes the run rewrite it."""
    docs = tmp_path / "docs"
    prepare(project, docs, assets=False)
    before = _record(project).read_bytes()
    _edit(_entry(project, 3), "summary: ", "summary: Changed. ")
    keyed.clear()
    prepare(project, docs, assets=False)
    assert keyed == ["entry-00003"] and _record(project).read_bytes() == before
    keyed.clear()
    prepare(project, docs, assets=False)
    assert keyed == ["entry-00003"] and _record(project).read_bytes() == before
    assert _tree(docs) == _cold(project, tmp_path / "cold-1", monkeypatch)
    _edit(_entry(project, 3), "title: Synthetic", "title: Renamed")
    keyed.clear()
    prepare(project, docs, assets=False)
    assert set(keyed) == _relating(project, "entry-00003") | {"entry-00003"}
    assert _record(project).read_bytes() != before
    keyed.clear()
    prepare(project, docs, assets=False)
    assert keyed == []  # rewritten: nothing keyed
    assert _tree(docs) == _cold(project, tmp_path / "cold-2", monkeypatch)
