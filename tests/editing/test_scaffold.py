"""The scaffolder: ``python -m scripts new <id>`` writes a draft that validates, and refuses bad ids."""

from __future__ import annotations

import yaml

from scripts.pipeline.build import check
from scripts.pipeline.render import render
from scripts.scaffold import SCHEMA_COMMENT, fresh_rule_id

ENTRY = "content/entries/what-is-adl.yaml"


def test_new_entry_is_a_valid_draft_with_notes(project, cli):
    code, out, err = cli("--root", project.root, "new", "what-is-adl", "--title", "What is auto-deleveraging?")
    assert (code, err) == (0, "")
    assert out.startswith(f"wrote {ENTRY} (a draft).")
    text = (project.root / ENTRY).read_text(encoding="utf-8")
    assert text.splitlines()[0] == SCHEMA_COMMENT
    data = yaml.safe_load(text)
    schema = yaml.safe_load((project.schemas / "entry.schema.json").read_text(encoding="utf-8"))
    assert set(schema["required"]) <= set(data)
    assert data["draft"] is True and data["title"] == "What is auto-deleveraging?"
    assert data["rules"][0]["id"] == "what-is-adl-rule-1"
    lines = text.splitlines()
    for key in schema["required"]:  # every required field carries a comment just above it
        row = next(index for index, line in enumerate(lines) if line.startswith(f"{key}:"))
        assert lines[row - 1].startswith("# "), key
    code, out, err = cli("--root", project.root, "validate", project.root / ENTRY)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[-1] == "1 entry valid (1 draft: the notes above list what to finish)."
    assert f"{ENTRY}:11: $.summary: note: still a placeholder; write the real text" in lines
    assert f"{ENTRY}:23: $.draft: note: draft: remove this line to publish the entry" in lines
    assert f"{ENTRY}:44: $.sources[0].url: note: still a placeholder; write the real text" in lines


def test_the_draft_builds_with_a_banner_and_is_listed_nowhere(project, cli):
    cli("--root", project.root, "new", "what-is-adl")
    content, problems = check(project)
    assert problems == []
    pages = render(content)
    page = pages["entries/what-is-adl.md"]
    assert '!!! danger mn-draft "Draft: not published"' in page
    assert "search:\n  exclude: true\n" in page
    assert "\nrobots: noindex\n" in page and "\ndraft: true\n" in page
    assert [path for path, text in pages.items() if "what-is-adl" in text] == ["entries/what-is-adl.md"]


def test_publishing_with_placeholders_left_is_a_problem(project, cli):
    cli("--root", project.root, "new", "what-is-adl")
    path = project.root / ENTRY
    path.write_text(path.read_text(encoding="utf-8").replace("draft: true\n", ""), encoding="utf-8")
    code, _, err = cli("--root", project.root, "validate", path)
    assert code == 1
    assert (f"{ENTRY}:11: $.summary: placeholder text in a published entry; write the real text or set "
            "draft: true") in err.splitlines()


def test_an_existing_id_is_refused(project, cli):
    before = (project.entries / "good-entry.yaml").read_text(encoding="utf-8")
    code, out, err = cli("--root", project.root, "new", "good-entry")
    assert (code, out) == (1, "")
    assert err == "new: content/entries/good-entry.yaml already exists; edit it, or choose another id\n"
    assert (project.entries / "good-entry.yaml").read_text(encoding="utf-8") == before


def test_an_id_that_is_no_slug_is_refused_with_a_suggestion(project, cli):
    code, _, err = cli("--root", project.root, "new", "What is ADL?")
    assert code == 1
    assert err == ("new: 'What is ADL?' is not a slug: use lowercase letters and digits joined by single "
                   "hyphens, at most 80 characters, e.g. 'what-is-adl'\n")
    assert not list(project.entries.glob("What*"))


def test_a_bad_title_or_category_is_refused(project, cli):
    assert cli("--root", project.root, "new", "x-y", "--title", "a <b>")[0] == 1
    code, _, err = cli("--root", project.root, "new", "x-y", "--category", "margins")
    assert code == 1 and "no category 'margins'; use one of: margin-and-liquidation" in err
    assert not (project.entries / "x-y.yaml").exists()


def test_fresh_rule_ids_skip_used_ones_and_fit_80_characters():
    assert fresh_rule_id("abc", set()) == "abc-rule-1"
    assert fresh_rule_id("abc", {"abc-rule-1", "abc-rule-2"}) == "abc-rule-3"
    long_id = "a" * 78 + "-b"
    assert fresh_rule_id(long_id, set()) == "a" * 73 + "-rule-1"
    assert len(fresh_rule_id(long_id, set())) <= 80
