"""Fixtures for the widget tests: the real site (``built_site``, tests/conftest.py) served on 127.0.0.1,
driven in Chromium.

Chromium is Debian's (/usr/bin/chromium), launched by Playwright's Python package; `playwright install`
is never used. A missing Chromium fails the browser tests with the command that installs it.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, INSTALL  # noqa: E402,F401 (shared with other folders)

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"


def _serve_sitemap_from(site: Path, url: str) -> None:
    """Point the sitemap at the test server, as a deployed site's sitemap points at its own host.

    Material's instant navigation only intercepts links listed in sitemap.xml, after swapping in the
    current protocol and host name but not the port; a sitemap naming site_url's host would make every
    click a full page load on 127.0.0.1:<port>.
    """
    sitemap = site / "sitemap.xml"
    text = sitemap.read_text(encoding="utf-8")
    sitemap.write_text(text.replace(site_url(site).rstrip("/"), url), encoding="utf-8")


def site_url(site: Path) -> str:
    """The configured site address the build used (the home page, the sitemap's first entry as built)."""
    return (site.parent / "site-url.txt").read_text(encoding="utf-8")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (signature of the base class)
        pass


@pytest.fixture(scope="session")
def base_url(built_site):
    """The built site served over HTTP on 127.0.0.1 at a free port, for the whole session."""
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    _serve_sitemap_from(built_site, url)
    yield url
    server.shutdown()
    server.server_close()


class Watched:
    """A browser context whose pages record console errors, page errors and failed or off-site requests."""

    def __init__(self, browser, base_url: str, viewport: dict | None = None, **context_options):
        self.base_url = base_url
        self.problems: list[str] = []
        self.context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, **context_options)
        self.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
        # Nothing may leave the machine: any request to another host is aborted and recorded.
        self.context.route(lambda url: not url.startswith(base_url), self._off_site)
        self.context.on("page", self._watch)

    def _off_site(self, route):
        self.problems.append(f"request to another host: {route.request.url}")
        route.abort()

    def _watch(self, page):
        page.on("console", lambda msg: msg.type in ("error", "warning") and self.problems.append(
            f"console {msg.type}: {msg.text} ({page.url})"))
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error} ({page.url})"))
        page.on("requestfailed", lambda request: self.problems.append(
            f"failed request: {request.url} ({request.failure})"))
        page.on("response", lambda response: response.status >= 400 and self.problems.append(
            f"HTTP {response.status}: {response.url}"))

    def open(self, path: str, page=None):
        """Go to ``path`` (new page unless one is given) and wait until every widget on it is ready."""
        page = page or self.context.new_page()
        page.goto(self.base_url + path, wait_until="load")
        wait_ready(page)
        return page

    def close(self):
        self.context.close()


def wait_ready(page):
    """Wait until no calculator on the page is still loading (ready or failed)."""
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.mn-calc[data-calc]'))"
        ".every(node => ['ready', 'failed'].includes(node.getAttribute('data-state')))")


@pytest.fixture
def watched(browser, base_url):
    """A fresh watched context for one test; the test fails if any page logged an error or a bad request."""
    session = Watched(browser, base_url)
    yield session
    session.close()
    assert session.problems == [], "\n".join(session.problems)


@pytest.fixture(scope="session")
def shared_pages(browser, base_url):
    """One watched context for the whole session with one reusable page per calculator id (for speed)."""
    from .display import read_widget

    session = Watched(browser, base_url)
    pages = {}
    initial = {}

    def get(calc_id: str):
        if calc_id not in pages:
            pages[calc_id] = session.open(f"/calculators/{calc_id}/")
            initial[calc_id] = read_widget(pages[calc_id])
        return pages[calc_id]

    get.session = session
    get.initial = initial  # what each page showed when it opened, before any test typed into it
    yield get
    session.close()
