"""The incremental paths of issue 14: ``validate`` replayed while no input changed, rule verdicts and
entry pages reused only for exactly their inputs, cross-file problems still found when one file of a
warm project changed, and line numbers of cached documents rebuilt from their bytes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from scripts.pipeline import build as build_module
from scripts.pipeline import cache as cache_module
from scripts.pipeline import citecheck, rules
from scripts.pipeline.build import check, load_content
from scripts.pipeline.cache import ContentCache
from scripts.pipeline.load import CachedDocument, load_bytes
from scripts.pipeline.verify import verify

REPO = Path(__file__).resolve().parents[2]
RULED = "can-a-futures-balance-go-negative.yaml"  # a real entry with rules


@pytest.fixture
def checks(monkeypatch):
    """How often the full check ran (``validate`` not replayed)."""
    calls = []
    real = build_module.check

    def counting(layout, files=(), **options):
        calls.append(files)
        return real(layout, files, **options)

    monkeypatch.setattr(build_module, "check", counting)
    return calls


def test_validate_is_replayed_until_an_input_changes(tmp_path, make_project, good_text, cli, checks, monkeypatch):
    layout = make_project(tmp_path / "p", {"good-entry.yaml": good_text.replace("Another paragraph.", "TODO")})
    first = cli("--root", layout.root, "validate")
    assert first[0] == 1 and "placeholder text in a published entry" in first[2] and len(checks) == 1
    assert cli("--root", layout.root, "validate") == first and len(checks) == 1  # replayed, same bytes
    # a file limited run is its own key
    only = cli("--root", layout.root, "validate", layout.entries / RULED)
    assert only[0] == 0 and len(checks) == 2
    # any input: an entry, a hand-written page, today's date, the code version
    (layout.entries / "good-entry.yaml").write_text(good_text, encoding="utf-8")
    assert cli("--root", layout.root, "validate")[0] == 0 and len(checks) == 3
    assert cli("--root", layout.root, "validate")[0] == 0 and len(checks) == 3
    page = layout.pages / "about.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nA [broken link](nowhere.md).\n", encoding="utf-8")
    code, _, err = cli("--root", layout.root, "validate")
    assert code == 1 and "link 'nowhere.md' points to no page of the site" in err and len(checks) == 4
    monkeypatch.setattr(citecheck, "today_utc", lambda: __import__("datetime").date(2030, 1, 1))
    assert cli("--root", layout.root, "validate")[0] == 1 and len(checks) == 5
    monkeypatch.setattr(cache_module, "code_version", lambda: "another version")
    assert cli("--root", layout.root, "validate")[0] == 1 and len(checks) == 6


@pytest.mark.parametrize("garbage", [b"not json", b"[]", b'{"key": 1}', b'{"key": "K", "problems": [[1]], '
                                     b'"warnings": [], "notes": [], "count": 3}'])
def test_a_corrupt_or_foreign_run_record_is_ignored(tmp_path, make_project, good_text, cli, checks, garbage):
    layout = make_project(tmp_path / "p", {"good-entry.yaml": good_text}, real_entries=False)
    expected = cli("--root", layout.root, "validate")
    record = layout.root / ".cache" / "run.json"
    key = json.loads(record.read_text())["key"]
    record.write_bytes(garbage.replace(b'"K"', json.dumps(key).encode()))
    assert cli("--root", layout.root, "validate") == expected and len(checks) == 2
    assert json.loads(record.read_text())["key"] == key  # written again, whole


def _write(layout, name: str, text: str) -> None:
    (layout.entries / name).write_text(text, encoding="utf-8")


def test_cross_file_problems_are_found_when_one_file_of_a_warm_project_changed(tmp_path, make_project, good_text, cli):
    second = good_text.replace("id: good-entry", "id: second-entry").replace("What is a good entry?", "A second one?")
    layout = make_project(tmp_path / "p", {"good-entry.yaml": good_text, "second-entry.yaml": second})
    assert cli("--root", layout.root, "validate")[0] == 0
    assert check(layout)[1] == []  # the content cache is warm
    _write(layout, "second-entry.yaml", second.replace("id: second-entry", "id: good-entry"))
    code, _, err = cli("--root", layout.root, "validate")
    assert code == 1 and ("content/entries/second-entry.yaml:1: $.id: id 'good-entry' belongs to "
                          "content/entries/good-entry.yaml") in err
    _write(layout, "second-entry.yaml", second.replace("related: [can-a-futures-balance-go-negative]",
                                                       "related: [good-entri]"))
    code, _, err = cli("--root", layout.root, "validate")
    line = second.splitlines().index("related: [can-a-futures-balance-go-negative]") + 1
    assert code == 1 and (f"content/entries/second-entry.yaml:{line}: $.related[0]: no entry has the id "
                          "'good-entri'; did you mean 'good-entry'?") in err
    # the entry the others point at goes away: the unchanged file that relates to it is told
    _write(layout, "second-entry.yaml", second.replace("related: [can-a-futures-balance-go-negative]",
                                                       "related: [good-entry]"))
    assert cli("--root", layout.root, "validate")[0] == 0
    (layout.entries / "good-entry.yaml").unlink()
    code, _, err = cli("--root", layout.root, "validate")
    assert code == 1 and f"content/entries/second-entry.yaml:{line}: $.related[0]: no entry has the id 'good-entry'" in err


def test_cached_documents_rebuild_their_lines_from_their_bytes(tmp_path, make_project, good_text):
    layout = make_project(tmp_path / "p", {"good-entry.yaml": good_text}, real_entries=False)
    cold = {doc.file: (doc.lines, doc.text_lines) for doc in check(layout)[0].entries}
    warm = check(layout)[0].entries
    assert all(isinstance(doc, CachedDocument) for doc in warm)
    records = {file: record for path in (layout.root / ".cache/content").glob("*.shard")
               for file, record in json.loads(path.read_bytes().split(b"\n", 1)[0])["docs"].items()}
    # no lines (the data lives in the shard's text block; the index: entryindex.py)
    assert records and all(set(record) <= {"sha256", "data", "facts", "index"} for record in records.values())
    assert records["content/entries/good-entry.yaml"]["facts"] == {
        "kind": "entry", "markdown": [["key_takeaways", 2]], "todo": [], "calc": []}
    assert {doc.file: (doc.lines, doc.text_lines) for doc in warm} == cold
    fresh, _ = load_bytes((layout.entries / "good-entry.yaml").read_bytes(), "content/entries/good-entry.yaml")
    assert warm[0].problem(("faq", 1, "answer"), "x") == fresh.problem(("faq", 1, "answer"), "x")


@pytest.fixture
def rule_runs(monkeypatch):
    """The ids of the rules whose scenarios ran."""
    ran = []
    real = rules.check_rule

    def counting(doc, index, rule):
        ran.append(rule.get("id"))
        return real(doc, index, rule)

    monkeypatch.setattr(rules, "check_rule", counting)
    return ran


def _rule_ids(path: Path) -> list[str]:
    import yaml

    return [rule["id"] for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]]


def _verify(layout):
    """Load (with the content cache) and verify the rules, as ``check`` does; save the cache."""
    cache = ContentCache(layout.root, layout.schemas)
    content, problems = load_content(layout, (), cache)
    assert problems == []
    found = verify(content.entries)
    cache.save()
    return found


def test_rule_verdicts_are_reused_for_the_same_files_and_code_only(tmp_path, make_project, rule_runs, monkeypatch):
    layout = make_project(tmp_path / "p")
    entry = layout.entries / RULED
    ids = _rule_ids(entry)
    assert _verify(layout) == [] and set(ids) <= set(rule_runs) and len(rule_runs) == len(set(rule_runs))
    rule_runs.clear()
    assert _verify(layout) == [] and rule_runs == []  # every verdict from the cache
    # one rule's expectation changed: the rules run again (once each), and the failure is kept
    text = entry.read_text(encoding="utf-8")
    target = ids[0]
    expect = text.index("expect: {", text.index(f"id: {target}"))
    entry.write_text(text[:expect] + "expect: {wallet_balance: -123456789}\n" + text[text.index("\n", expect) + 1:],
                     encoding="utf-8")
    first = _verify(layout)
    assert target in rule_runs and len(rule_runs) == len(set(rule_runs))
    assert len(first) == 1 and target in first[0].message and first[0].line == text[:expect].count("\n") + 1
    rule_runs.clear()
    assert _verify(layout) == first and rule_runs == []  # the failure itself replayed, on its line
    entry.write_text("# a comment line moves every line down\n" + entry.read_text(encoding="utf-8"), encoding="utf-8")
    moved = _verify(layout)
    assert target in rule_runs and [(p.line, p.path, p.message) for p in moved] == \
        [(first[0].line + 1, first[0].path, first[0].message)]
    # another code version (a venue profile, the model's code): every rule runs again
    rule_runs.clear()
    _verify(layout)
    assert rule_runs == []
    monkeypatch.setattr(cache_module, "code_version", lambda: "another version")
    _verify(layout)
    assert set(ids) <= set(rule_runs)


def test_the_code_version_covers_venue_profiles_and_model_code(tmp_path, monkeypatch):
    copy = tmp_path / "repo"
    for folder in ("scripts", "calculators"):
        shutil.copytree(REPO / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "mkdocs.yml", copy / "mkdocs.yml")
    monkeypatch.setattr(cache_module, "REPO", copy)
    versions = []
    for path in (None, "calculators/model/venues/bybit.yaml", "calculators/model/exchange.py",
                 "calculators/model/venues/venue.schema.json"):
        if path:
            with open(copy / path, "a", encoding="utf-8") as handle:
                handle.write("\n" if path.endswith(".json") else "\n# changed\n")
        cache_module.code_version.cache_clear()
        versions.append(cache_module.code_version())
    cache_module.code_version.cache_clear()
    assert len(set(versions)) == 4


def test_an_entry_page_is_reused_only_while_what_it_shows_is_unchanged(tmp_path, make_project, good_text, monkeypatch):
    """A page's text is made when the docs folder needs it (issue 14): a run renders exactly the entry
    pages whose inputs changed, and every other text it reads comes from the cache."""
    from scripts.pipeline import pages
    from scripts.pipeline.build import prepare_content

    layout = make_project(tmp_path / "p", {"good-entry.yaml": good_text})
    docs = tmp_path / "docs"
    rendered = []
    real = pages.entry_page
    monkeypatch.setattr(pages, "entry_page", lambda entry, site: rendered.append(entry["id"]) or real(entry, site))
    cold = prepare_content(layout, docs, assets=False)[0].pages
    assert "good-entry" in rendered
    rendered.clear()
    warm = prepare_content(layout, docs, assets=False)[0].pages
    assert rendered == [] and {p: page.text for p, page in warm.items()} == {p: page.text for p, page in cold.items()}
    assert rendered == []  # every text read back from the cache, none rendered again
    # the related entry's title changed: the good entry's page (which lists it) is rendered again
    related = layout.entries / RULED
    text = related.read_text(encoding="utf-8")
    related.write_text(text.replace("title: ", "title: Really, ", 1), encoding="utf-8")
    changed = prepare_content(layout, docs, assets=False)[0].pages
    import yaml

    listing = {path.stem for path in layout.entries.glob("*.yaml")
               if RULED[:-5] in (yaml.safe_load(path.read_text(encoding="utf-8")).get("related") or [])}
    assert "good-entry" in listing and sorted(rendered) == sorted(listing | {RULED[:-5]})  # exactly those
    assert "Really, " in changed["entries/good-entry.md"].text
    assert "Really, " in (docs / "entries" / "good-entry.md").read_text(encoding="utf-8")
    monkeypatch.setattr(cache_module, "code_version", lambda: "another version")
    rendered.clear()
    prepare_content(layout, docs, assets=False)
    assert len(rendered) == len(warm and [p for p in warm if p.startswith("entries/") and p.endswith(".md")])


def test_compiled_calculator_assets_are_kept_for_the_code_version(tmp_path, make_project, good_text, monkeypatch):
    from calculators import jsbuild

    from scripts.pipeline.assets import BUNDLE_PATH, calculator_assets

    layout = make_project(tmp_path / "p", {"good-entry.yaml": good_text}, real_entries=False)
    compiled = []
    real = jsbuild.build_bundle
    monkeypatch.setattr(jsbuild, "build_bundle", lambda: compiled.append(1) or real())
    first, problems = calculator_assets(layout.root)
    assert problems == [] and len(compiled) == 1
    assert calculator_assets(layout.root) == (first, []) and len(compiled) == 1  # reused, same bytes
    (layout.root / ".cache/assets.json").write_text('{"key": "x", "files": 3}')  # foreign and malformed
    assert calculator_assets(layout.root)[0][BUNDLE_PATH] == first[BUNDLE_PATH] and len(compiled) == 2
    monkeypatch.setattr(cache_module, "code_version", lambda: "another version")
    calculator_assets(layout.root)
    assert len(compiled) == 3
