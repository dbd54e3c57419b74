"""Shared pytest configuration: Hypothesis profiles, the repository root, the session's one Chromium and the
real site built once for every folder."""

import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent

# Example counts: a test that names its own max_examples keeps it; the rest (among them the pipeline fuzz
# and the fast-validator check, each example a validation of a whole project) take the profile's. "default"
# and "ci" keep make test quick; HYPOTHESIS_PROFILE=thorough runs ten times as many.
EXAMPLES = 100
settings.register_profile(
    "default", max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile(
    "ci", max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True,
    derandomize=True
)
settings.register_profile(
    "thorough", max_examples=10 * EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow],
    print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))

CHROMIUM = Path("/usr/bin/chromium")
INSTALL = "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole session (never `playwright install`).

    Playwright's sync API allows one running instance per thread, so every browser test in every folder
    shares this fixture instead of starting its own.
    """
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.fail(f"Chromium is missing ({CHROMIUM}). Install it as root with:\n    {INSTALL}", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real content built by the pipeline (validate, render, mkdocs build --strict) into a temp dir.

    Built once for the session and read by every folder (the render checks, the browser tests); only the
    widget tests' ``base_url`` changes it, pointing sitemap.xml at its test server. Tests must not write in it.
    """
    from scripts.pipeline.build import build
    from scripts.pipeline.content import Layout

    folder = tmp_path_factory.mktemp("real-site")
    log: list[str] = []
    status = build(Layout(ROOT), folder / "site", ROOT / "mkdocs.yml", folder / "docs", log=log.append)
    assert status == 0, "site build failed:\n" + "\n".join(log)
    loc = re.search(r"<loc>([^<]+)</loc>", (folder / "site" / "sitemap.xml").read_text(encoding="utf-8"))
    assert loc, "sitemap.xml lists no page"
    (folder / "site-url.txt").write_text(loc[1], encoding="utf-8")  # before base_url rewrites the sitemap
    return folder / "site"


# make test runs the suite on two pytest-xdist workers (-n 2 --dist loadfile --no-loadscope-reorder): each
# file runs whole on one worker (its module fixtures are built once; a session fixture once per worker that
# needs it), and the longest files start first so that neither worker is left alone with one at the end.
LONGEST = ["tests/widgets/test_layout.py", "tests/widgets/test_accessibility.py", "tests/editing/test_reproducible.py",
           "tests/pipeline/test_corpus_browser.py", "tests/editing/test_serve.py", "tests/pipeline/test_build.py",
           "tests/pipeline/test_fuzz.py", "tests/calculators/test_parity.py", "tests/pipeline/test_corpus.py",
           "tests/pipeline/test_render.py"]


def pytest_collection_modifyitems(config, items):
    """On a pytest-xdist worker: the files in LONGEST first, in that order (the order within a file is kept)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    rank = {path: index for index, path in enumerate(LONGEST)}
    items.sort(key=lambda item: rank.get(Path(str(item.path)).relative_to(ROOT).as_posix(), len(LONGEST)))
