"""Fixtures for the pipeline tests: a throw-away project folder holding a copy of content/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scripts.__main__ import main
from scripts.pipeline.content import Layout

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOOD = (FIXTURES / "good-entry.yaml").read_text(encoding="utf-8")


def _make_project(root: Path, extra_entries: dict[str, str] | None = None, real_entries: bool = True) -> Layout:
    """Copy content/ into ``root`` (optionally without the real entries) and add ``extra_entries``."""
    shutil.copytree(REPO / "content", root / "content",
                    ignore=None if real_entries else shutil.ignore_patterns("*.yaml"))
    for name in ("categories.yaml", "glossary.yaml", "site.yaml"):
        if not (root / "content" / name).exists():
            shutil.copy(REPO / "content" / name, root / "content" / name)
    (root / "content" / "entries").mkdir(exist_ok=True)
    for name, text in (extra_entries or {}).items():
        (root / "content" / "entries" / name).write_text(text, encoding="utf-8")
    return Layout(root)


@pytest.fixture(scope="session")
def make_project():
    """The project factory: ``make_project(root, {name: text}, real_entries=True) -> Layout``."""
    return _make_project


@pytest.fixture(scope="session")
def good_text() -> str:
    """The text of tests/pipeline/fixtures/good-entry.yaml."""
    return GOOD


@pytest.fixture
def project(tmp_path) -> Layout:
    """A project with the real content plus tests/pipeline/fixtures/good-entry.yaml."""
    return _make_project(tmp_path / "project", {"good-entry.yaml": GOOD})


@pytest.fixture
def cli(capsys):
    """Run ``python -m scripts`` in-process: ``cli(*argv) -> (exit code, stdout, stderr)``."""
    def run(*argv):
        code = main([str(arg) for arg in argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return run
