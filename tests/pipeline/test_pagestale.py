"""Issue 14, incremental page stages: edits that change what other pages show never leave a stale page,
twin or entries.json behind. Each run below trusts every recorded docs stamp at once (no racy margin),
so a page skipped by its key would show any key that misses an input; after each edit the docs folder
must equal a cold build's (no cache) byte for byte, in separate runs and with the preview's kept cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bench.generate import make_project
from scripts.pipeline import docstamps
from scripts.pipeline.build import open_cache, prepare, prepare_content
from scripts.pipeline.cache import CACHE_DIR, SHARD_DIR
from scripts.pipeline.content import Layout
from tests.pipeline.trees import cold_tree as _cold
from tests.pipeline.trees import edit as _replace
from tests.pipeline.trees import tree as _tree


def _entry(root: Path, number: int) -> Path:
    return root / "content" / "entries" / f"entry-{number:05d}.yaml"


def _delete(root: Path, number: int) -> None:
    """Remove a synthetic entry and every related link to it, as an editor does."""
    gone = f"entry-{number:05d}"
    _entry(root, number).unlink()
    for path in (root / "content" / "entries").glob("entry-*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if gone in data.get("related", []):
            data["related"] = [other for other in data["related"] if other != gone]
            if not data["related"]:
                del data["related"]
            path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")


def _listed_by(root: Path, number: int) -> list[str]:
    """The synthetic entries whose related list names entry ``number``."""
    wanted = f"entry-{number:05d}"
    return sorted(path.stem for path in (root / "content" / "entries").glob("entry-*.yaml")
                  if wanted in (yaml.safe_load(path.read_text(encoding="utf-8")).get("related") or []))


# Each edit changes what pages other than its own file's show (comment: what must not stay stale).
EDITS = [
    ("title shown in related lists", lambda root: _replace(_entry(root, 3), "title: Synthetic", "title: Renamed")),
    ("the same title back (older cached pages and twins come back)",
     lambda root: _replace(_entry(root, 3), "title: Renamed", "title: Synthetic")),
    ("entry moved to another category (category pages, its facts line, its twin)",
     lambda root: _replace(_entry(root, 6), "category: margin-and-liquidation", "category: indicators")),
    ("category title (every entry page of the category shows it)",
     lambda root: _replace(root / "content" / "categories.yaml", "title: Indicators", "title: Indicators and tools")),
    ("glossary term (entry pages list it under 'Terms used'; definitions on every page)",
     lambda root: _replace(root / "content" / "glossary.yaml", "term: Liquidation price", "term: Liquidation level")),
    ("deleted entry (its page and twin go, entries.json and related lists shrink)", lambda root: _delete(root, 5)),
    ("title of an entry that embeds calculators (their pages list it), with rules (the rules index)",
     lambda root: _replace(root / "content" / "entries" / "can-a-futures-balance-go-negative.yaml",
                           "title: Can a futures balance go negative?", "title: Can a balance go below zero?")),
    ("summary only (the twin and entries.json change, the page's title does not)",
     lambda root: _replace(_entry(root, 8), "summary: ", "summary: Changed. ")),
    # fields the listing pages read from each entry's kept index (entryindex.py), not from its data
    ("dates (the home page's newest and recently reviewed lists)",
     lambda root: _set_dates(_entry(root, 7), "2026-11-27", "2026-11-28")),
    ("summary and title together (category page, home page, related lists)",
     lambda root: _replace(_entry(root, 7), "summary: ", "summary: Both. ") or
     _replace(_entry(root, 7), "title: Synthetic", "title: Retitled")),
    ("entry made a draft (its page, the category and home pages drop it)", lambda root: _make_draft(root)),
]


def _set_dates(path: Path, published: str, reviewed: str) -> None:
    """Give a synthetic entry new published and reviewed dates."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    dates = {"published": published, "reviewed": reviewed}
    lines = [f"{line.split(':')[0]}: '{dates[line.split(':')[0]]}'\n" if line.split(":")[0] in dates else line
             for line in lines]
    path.write_text("".join(lines), encoding="utf-8")


def _make_draft(root: Path) -> None:
    """Mark a synthetic entry no other entry relates to (and not edited above) as a draft."""
    number = next(n for n in (11, 10, 9, 2, 1, 0) if not _listed_by(root, n))
    _replace(_entry(root, number), f"id: entry-{number:05d}\n", f"id: entry-{number:05d}\ndraft: true\n")


@pytest.fixture
def project(tmp_path, monkeypatch) -> Layout:
    """The real content plus 12 generated entries; every docs stamp is trusted as soon as it is recorded."""
    monkeypatch.setattr(docstamps, "RACY_NS", -10**12)
    root = make_project(tmp_path / "p", 12)
    assert _listed_by(root, 3) and _listed_by(root, 5)  # the edits change pages besides their own
    return Layout(root)


def test_separate_runs_never_keep_a_stale_page_or_twin(project, tmp_path, monkeypatch):
    warm = tmp_path / "warm"
    prepare(project, warm, assets=False)
    prepare(project, warm, assets=False)  # every keyed page skipped by its stamp
    for number, (what, edit) in enumerate(EDITS):
        edit(project.root)
        written: list[str] = []
        prepare_content(project, warm, assets=False, changed_paths=written)
        assert _tree(warm) == _cold(project, tmp_path / f"cold-{number}", monkeypatch), what
        assert "entries.json" in written or what.startswith(("category title", "glossary")), (what, written)
    twins = json.loads((warm / "entries.json").read_text(encoding="utf-8"))["entries"]
    assert "entry-00005" not in {item["id"] for item in twins} and not (warm / "entries" / "entry-00005.md").exists()


def test_the_preview_kept_cache_never_keeps_a_stale_page_or_twin(project, tmp_path, monkeypatch):
    kept = open_cache(project)
    kept.resident = True
    docs, memory = tmp_path / "preview", {}
    prepare_content(project, docs, assets=False, cache=kept, written=memory)
    for number, (what, edit) in enumerate(EDITS):
        edit(project.root)
        written: list[str] = []
        prepare_content(project, docs, assets=False, cache=kept, written=memory, changed_paths=written)
        assert _tree(docs) == _cold(project, tmp_path / f"cold-{number}", monkeypatch), what
        if what.startswith("title shown"):  # the pages listing it are rewritten, the others are not
            pages = {f"entries/{stem}.md" for stem in _listed_by(project.root, 3)} | {"entries/entry-00003.md"}
            assert pages <= set(written) and len(written) < len(memory) / 4, written


def test_validate_between_edits_leaves_no_stale_page_and_keeps_the_records(project, tmp_path, monkeypatch):
    """``validate`` (the checks alone) between edits: it drops no page record a render kept, and the
    render after it re-renders only the edited entry's page and those listing it, and writes what a
    cold build writes (the edits of fields now read from each entry's index among them)."""
    from scripts.pipeline import pages
    from scripts.pipeline.build import check

    warm = tmp_path / "warm"
    prepare(project, warm, assets=False)
    rendered = []
    real_page = pages.entry_page
    monkeypatch.setattr(pages, "entry_page", lambda entry, site: rendered.append(entry["id"]) or real_page(entry, site))
    for number, (what, edit) in enumerate(EDITS[:1] + EDITS[-3:]):
        before = {path.stem: path.read_text(encoding="utf-8") for path in (project.root / "content" / "entries").glob("*.yaml")}
        edit(project.root)
        edited = [stem for stem, text in before.items()
                  if (project.root / "content" / "entries" / f"{stem}.yaml").read_text(encoding="utf-8") != text]
        assert len(edited) == 1, (what, edited)
        kept = set(open_cache(project).records["pages"])
        content, problems = check(project)
        assert not problems, (what, problems)
        assert kept <= set(open_cache(project).records["pages"]), what
        rendered.clear()
        prepare(project, warm, assets=False)
        assert set(rendered) <= {edited[0], *_listed_by(project.root, int(edited[0][-5:]))}, (what, rendered)
        with monkeypatch.context() as patch:
            patch.setattr(pages, "entry_page", real_page)
            assert _tree(warm) == _cold(project, tmp_path / f"cold-{number}", monkeypatch), what


def test_a_run_that_names_some_records_of_a_section_keeps_the_others_when_told(tmp_path):
    """ContentCache.keep_unread: a shard rewritten by a run that used one of its two page records keeps
    the other when the run said it left records unnamed (validate's entry page keys), not otherwise."""
    from scripts.pipeline.cache import ContentCache

    root = make_project(tmp_path / "p", 1)
    layout = Layout(root)
    keys = ["ab" + "1" * 62, "ab" + "2" * 62]
    first = ContentCache(root, layout.schemas)
    for key in keys:
        first.keep("pages", key, f"text {key[2]}")
    first.save()
    for unread, expected in ((True, set(keys)), (False, {keys[0]})):
        run = ContentCache(root, layout.schemas)
        assert set(run.records["pages"]) >= set(keys) or not unread
        run.keep_unread("pages", unread)
        assert run.record("pages", keys[0]) == "text 1"
        run.keep("pages", "ab" + ("3" if unread else "4") * 62, "new")  # a record added: the shard is rewritten
        run.save()
        assert set(ContentCache(root, layout.schemas).records["pages"]) & set(keys) == expected, unread


def test_damaged_page_texts_in_the_cache_are_made_again(project, tmp_path, monkeypatch):
    """Every kept page text and twin overwritten with bytes that are not UTF-8: a run makes them again
    (entries.json never copies a damaged twin), and writes what a cold build writes."""
    warm = tmp_path / "warm"
    prepare(project, warm, assets=False)
    shards = sorted((project.root / CACHE_DIR / SHARD_DIR).glob("*.shard"))
    damaged = 0
    for path in shards:
        header, block = path.read_bytes().split(b"\n", 1)
        block = bytearray(block)
        for offset, length in json.loads(header)["texts"].get("pages", {}).values():
            block[offset:offset + length] = b"\xff" * length
            damaged += 1
        path.write_bytes(header + b"\n" + bytes(block))
    assert damaged > 40
    for path in warm.rglob("*.json"):
        path.unlink()  # the twins and entries.json are made again from the damaged cache
    _replace(_entry(project.root, 6), "summary: ", "summary: Changed. ")
    prepare(project, warm, assets=False)
    assert _tree(warm) == _cold(project, tmp_path / "cold", monkeypatch)


def test_a_one_change_run_makes_only_the_texts_it_writes(project, tmp_path, monkeypatch):
    """Issue 14: after one entry's summary changed, a run reads no cached text of an unchanged entry
    page or twin (entries.json takes the twins' bytes), renders only the changed entry's page, and
    leaves every record it did not read in the cache for the next run."""
    from scripts.pipeline import cache as cache_module
    from scripts.pipeline import pages

    warm = tmp_path / "warm"
    prepare(project, warm, assets=False)
    prepare(project, warm, assets=False)
    read, rendered = [], []
    real_record, real_page = cache_module.ContentCache.record, pages.entry_page
    monkeypatch.setattr(cache_module.ContentCache, "record",
                        lambda self, section, key: read.append(section) or real_record(self, section, key))
    monkeypatch.setattr(pages, "entry_page", lambda entry, site: rendered.append(entry["id"]) or real_page(entry, site))
    linked = []  # pages whose text the link check reads (for the anchors that links name)
    real_get = pages.PageTexts.__getitem__
    monkeypatch.setattr(pages.PageTexts, "__getitem__", lambda self, path: linked.append(path) or real_get(self, path))
    _replace(_entry(project.root, 8), "summary: ", "summary: Changed. ")
    prepare(project, warm, assets=False)
    assert rendered == ["entry-00008"]
    # the changed page and twin are new (at most their misses), plus the pages whose anchors the real
    # entries' links name; no synthetic page is named by a link, so none of those is read
    assert read.count("pages") <= 2 + len(linked), (read, linked)
    assert linked and not [path for path in linked if path.startswith("entries/entry-")], linked
    monkeypatch.undo()
    monkeypatch.setattr(docstamps, "RACY_NS", -10**12)
    for path in warm.rglob("*"):
        if path.is_file():
            path.unlink()  # every page and twin made again: from the records kept by the runs above
    rendered.clear()
    monkeypatch.setattr(pages, "entry_page", lambda entry, site: rendered.append(entry["id"]) or real_page(entry, site))
    prepare(project, warm, assets=False)
    assert rendered == []
    assert _tree(warm) == _cold(project, tmp_path / "cold", monkeypatch)


def test_entries_json_joins_any_number_of_twins_as_json_dumps_writes_them():
    """entries.json from the twins' bytes (none, one: the first part is also the last, several) is the
    compact JSON of the set, byte for byte."""
    from scripts.pipeline.twin import FORMAT_VERSION, SET_SCHEMA, dumps, entries_json_bytes

    for twins in ([], [{"url": "entries/a/", "id": "a"}], [{"url": "entries/a/", "id": "a"}, {"url": "entries/b/", "t": "\u00e9"}]):
        expected = dumps({"$schema": f"schema/{SET_SCHEMA}", "version": FORMAT_VERSION, "count": len(twins),
                          "entries": twins}) + "\n"
        assert entries_json_bytes([dumps(item).encode("utf-8") for item in twins]) == expected.encode("utf-8")
