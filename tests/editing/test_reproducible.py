"""Reproducible builds: the same sources and SOURCE_DATE_EPOCH give the same bytes, wherever the clone lives.

Two full builds (about five seconds each, run side by side as two processes) in two folders of different
depth, each holding a copy of the project plus one draft; every file of the two sites is compared byte for
byte. The same sites then
show the sitemap's lastmod (each entry's reviewed date) and the draft kept out of sitemap and search.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scripts.pipeline.search import fragments

ROOT = Path(__file__).resolve().parents[2]
EPOCH = "1764374400"  # 2025-11-29
DRAFT = "a-draft-entry"


def _project_files() -> list[str]:
    """The project's files as a clone would hold them (tracked, plus new files not ignored)."""
    result = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            capture_output=True, text=True, check=True)
    return [name for name in result.stdout.split("\0") if name and (ROOT / name).is_file()]


def _clone(target: Path, files: list[str]) -> Path:
    for name in files:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)
    return target


def _side_by_side(command: list[str], projects: list[Path]) -> list[subprocess.CompletedProcess]:
    """``command`` run in every project at once (separate processes, separate folders); wait for all."""
    running = [subprocess.Popen(command, cwd=project, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for project in projects]
    outputs = [process.communicate() for process in running]
    return [subprocess.CompletedProcess(process.args, process.returncode, *output)
            for process, output in zip(running, outputs)]


def _env() -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MARGIN_NOTES_")}
    return dict(env, SOURCE_DATE_EPOCH=EPOCH, PYTHONDONTWRITEBYTECODE="1", NO_MKDOCS_2_WARNING="1")


def _build(projects: list[Path]) -> list[Path]:
    """Add the draft to every project, then build each with ``python -m scripts build``."""
    for command in ([sys.executable, "-m", "scripts", "new", DRAFT, "--title", "A draft entry"],
                    [sys.executable, "-m", "scripts", "build"]):
        for result in _side_by_side(command, projects):
            assert result.returncode == 0, result.stdout + result.stderr
    return [project / "site" for project in projects]


def _tree(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory) -> tuple[Path, Path]:
    files = _project_files()
    first = _clone(tmp_path_factory.mktemp("a") / "margin-notes", files)
    second = _clone(tmp_path_factory.mktemp("b") / "deeper" / "clone" / "of" / "margin-notes", files)
    return tuple(_build([first, second]))


def test_two_builds_in_two_clones_are_byte_identical(two_sites):
    first, second = (_tree(site) for site in two_sites)
    assert len(first) > 50
    assert sorted(first) == sorted(second)
    differ = [path for path in first if first[path] != second[path]]
    assert differ == [], f"{len(differ)} files differ, e.g. {differ[:5]}"
    for path, data in first.items():  # no build folder leaks into the output
        assert b"/margin-notes/site/" not in data and b"/deeper/clone" not in data, path  # not .../sitemap.xml


def test_sitemap_lastmod_is_the_reviewed_date_and_drafts_stay_out(two_sites):
    site = two_sites[0]
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    urls = dict(re.findall(r"<loc>([^<]+)</loc>\s*<lastmod>([^<]+)</lastmod>", sitemap))
    entries = sorted((ROOT / "content" / "entries").glob("*.yaml"))
    assert entries
    for path in entries:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data.get("draft"):
            continue
        (lastmod,) = [date for url, date in urls.items() if url.endswith(f"/entries/{data['id']}/")]
        assert lastmod == data["reviewed"], data["id"]
    assert urls[next(url for url in urls if url.endswith("/about/"))] == "2025-11-29"  # SOURCE_DATE_EPOCH
    assert DRAFT not in sitemap
    assert not any(DRAFT in record["url"] for record in fragments(site))  # Pagefind's index
    page = (site / "entries" / DRAFT / "index.html").read_text(encoding="utf-8")
    assert "Draft: not published" in page and 'rel="canonical"' not in page
    assert (site / "entries.json").is_file() and (site / "entries" / f"{entries[0].stem}.json").is_file()
