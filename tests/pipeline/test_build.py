"""The build replaces site/ only when validation, verification and MkDocs all passed."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.pipeline import build as build_module
from scripts.pipeline.build import build, write_tree
from scripts.pipeline.content import Layout
from scripts.pipeline.errors import Problem

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "mkdocs.yml"


def tree_digest(folder: Path) -> str:
    """One hash over every file's path and bytes under ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def built(tmp_path_factory, fixture_project):
    """A project with a built site/ (real content plus the good fixture): a copy of the session's one."""
    root = tmp_path_factory.mktemp("atomic") / "project"
    shutil.copytree(fixture_project.root, root, symlinks=True)
    assert (root / "site" / "entries" / "good-entry" / "index.html").is_file()
    return Layout(root)


def _leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".site-"))


def test_content_problem_leaves_site_untouched(built, good_text):
    site = built.root / "site"
    before = tree_digest(site)
    entry = built.entries / "good-entry.yaml"
    entry.write_text(good_text.replace("difficulty: beginner", "difficulty: 7"))
    messages = []
    try:
        assert build(built, site, CONFIG, built.root / ".build" / "docs", log=messages.append) == 1
    finally:
        entry.write_text(good_text)
    assert messages[0].startswith("content/entries/good-entry.yaml:6: $.difficulty: 7 is not one of")
    assert tree_digest(site) == before
    assert _leftovers(built.root) == []


@pytest.fixture
def build_with_broken_link(built):
    """A function that builds with content/pages/about.md linking to a page that does not exist and returns
    ``(exit code, log messages, whether site/ is unchanged)``; the page is restored after the test."""
    page = built.pages / "about.md"
    about = page.read_text()

    def run():
        site = built.root / "site"
        before = tree_digest(site)
        page.write_text("# Broken\n\nA [link](nowhere.md) to a page that does not exist.\n")
        messages = []
        code = build(built, site, CONFIG, built.root / ".build" / "docs", log=messages.append)
        return code, messages, tree_digest(site) == before

    yield run
    page.write_text(about)


def test_broken_link_is_a_validation_problem_on_its_line(build_with_broken_link):
    code, messages, unchanged = build_with_broken_link()
    assert code == 1
    assert messages[0].splitlines()[0] == ("content/pages/about.md:1: $: link 'nowhere.md' points to no page "
                                           "of the site")
    assert unchanged


def test_mkdocs_failure_leaves_site_untouched_and_names_the_source(built, build_with_broken_link, monkeypatch):
    monkeypatch.setattr(build_module, "check_links", lambda content, pages: [])  # let MkDocs meet the link
    code, messages, unchanged = build_with_broken_link()
    assert code == 1
    text = "\n".join(messages)
    assert "content/pages/about.md:1: $: MkDocs: Doc file 'about.md' contains a link 'nowhere.md'" in text
    assert messages[-1].startswith("MkDocs build failed;")
    assert unchanged
    assert _leftovers(built.root) == []


def test_verification_failure_leaves_site_untouched(built, monkeypatch):
    site = built.root / "site"
    before = tree_digest(site)
    problem = Problem("content/entries/good-entry.yaml", 3, "$.rules[0]", "wallet is 12.5, expected < 0")
    monkeypatch.setattr(build_module, "verify", lambda entries: [problem])
    messages = []
    assert build(built, site, CONFIG, built.root / ".build" / "docs", log=messages.append) == 1
    assert messages[0].splitlines()[0] == str(problem)
    assert tree_digest(site) == before


def test_successful_rebuild_replaces_site(built, good_text):
    site = built.root / "site"
    entry = built.entries / "good-entry.yaml"
    entry.write_text(good_text.replace("Another paragraph.", "A changed paragraph."))
    try:
        assert build(built, site, CONFIG, built.root / ".build" / "docs", log=print) == 0
        assert "A changed paragraph." in (site / "entries/good-entry/index.html").read_text()
    finally:
        entry.write_text(good_text)
    assert _leftovers(built.root) == []


def test_write_tree_writes_only_changes_and_removes_stale_files(tmp_path):
    assert write_tree({"a.md": "A", "sub/b.md": "B"}, tmp_path) == 2
    assert write_tree({"a.md": "A", "sub/b.md": "B"}, tmp_path) == 0
    assert write_tree({"a.md": "A2"}, tmp_path) == 2
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["a.md"]


def test_cli_exits_1_without_traceback(tmp_path, make_project, good_text):
    layout = make_project(tmp_path / "p", {"good-entry.yaml": good_text.replace("tags: [", "tags: [[")})
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    result = subprocess.run([sys.executable, "-m", "scripts", "--root", layout.root, "build",
                             "--site", layout.root / "site"], cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("content/entries/good-entry.yaml:")
    assert not (layout.root / "site").exists()


def test_plain_mkdocs_build_runs_the_pipeline_through_the_hook(tmp_path, make_project, good_text):
    layout = make_project(tmp_path / "p", {"good-entry.yaml": good_text})
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", MARGIN_NOTES_ROOT=str(layout.root),
               MARGIN_NOTES_DOCS_DIR=str(tmp_path / "docs"))
    env.pop("MARGIN_NOTES_PREPARED", None)
    (tmp_path / "docs").mkdir()  # MkDocs checks docs_dir exists before any hook runs
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(CONFIG), "-d", str(tmp_path / "out")]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out/entries/good-entry/index.html").is_file()
    (layout.entries / "good-entry.yaml").write_text(good_text.replace("difficulty: beginner", "difficulty: x"))
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 1
    assert "content/entries/good-entry.yaml:6: $.difficulty: 'x' is not one of" in result.stderr
