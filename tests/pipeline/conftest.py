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
TRICKY_SUMMARY = 'Quotes "like this" & ampersands `<em>stay</em>` text in the description, never markup.'


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


@pytest.fixture(scope="session")
def fixture_project(tmp_path_factory) -> Layout:
    """The real content plus the good entry (with a tricky summary), built strictly into ``<root>/site``.

    Built once for the session: the render checks read it, the atomic-build tests work on a copy of it.
    """
    import json

    from scripts.pipeline.build import build

    text = GOOD.replace("summary: A short, valid entry used by the pipeline tests as the starting point for "
                        "every kind of breakage.", "summary: " + json.dumps(TRICKY_SUMMARY))
    assert text != GOOD
    layout = _make_project(tmp_path_factory.mktemp("fixture") / "project", {"good-entry.yaml": text})
    assert build(layout, layout.root / "site", REPO / "mkdocs.yml", layout.root / ".build" / "docs", log=print) == 0
    return layout


@pytest.fixture
def cli(capsys):
    """Run ``python -m scripts`` in-process: ``cli(*argv) -> (exit code, stdout, stderr)``."""
    def run(*argv):
        code = main([str(arg) for arg in argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return run


@pytest.fixture(scope="session")
def corpus_project(tmp_path_factory) -> Layout:
    """The real content plus the good entry and every corpus case that must build (one project)."""
    import yaml

    from tests.pipeline.corpus import BUILT, apply, random_plain_case

    layout = _make_project(tmp_path_factory.mktemp("corpus") / "project", {"good-entry.yaml": GOOD})
    for case in BUILT:
        apply(case, layout.content, GOOD, in_place=False)
    edits, category, term, _ = random_plain_case()
    text = GOOD.replace("id: good-entry", "id: corpus-random-plain")
    for old, new in edits.items():
        text = text.replace(old, new, 1)
    (layout.entries / "corpus-random-plain.yaml").write_text(text, encoding="utf-8")
    for name, item in (("categories.yaml", category), ("glossary.yaml", term)):
        path = layout.content / name
        path.write_text(path.read_text(encoding="utf-8") + yaml.safe_dump([item], allow_unicode=True), encoding="utf-8")
    return layout


@pytest.fixture(scope="session")
def corpus_site(corpus_project) -> Path:
    """The site built from the surviving corpus (shared by the static and the browser checks)."""
    from scripts.pipeline.build import build

    log: list[str] = []
    site = corpus_project.root / "site"
    config = REPO / "mkdocs.yml"
    assert build(corpus_project, site, config, corpus_project.root / "docs", log=log.append) == 0, "\n".join(log)
    return site
