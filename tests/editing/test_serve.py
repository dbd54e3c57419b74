"""The live preview tells the truth: a broken save shows its problems in the browser, one save rebuilds once.

Runs the real ``python -m scripts serve`` on a copy of the content and watches it in Chromium: the page
reloads itself into the problems page (file, line, message) and back into the entry once fixed.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parents[2]
ENTRY = "content/entries/can-a-futures-balance-go-negative.yaml"
pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"the preview did not answer at {url} within {seconds} s")


@contextlib.contextmanager
def _serve(root: Path):
    """``python -m scripts serve`` on the project at ``root``: yields (url, log file)."""
    port = _free_port()
    log = root / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "scripts", "--root", str(root), "serve",
                                    "--port", str(port)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_for(url + "/")
        yield url, log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


@pytest.fixture
def preview(tmp_path):
    """The preview of a copy of content/: yields (url, project root, log file)."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    with _serve(tmp_path) as (url, log):
        yield url, tmp_path, log


def _builds(log: Path) -> int:
    return log.read_text(encoding="utf-8").count("Building documentation")


def _quiet(log: Path, seconds: float = 5, limit: float = 180) -> None:
    """Wait until every started build has finished and nothing new started for ``seconds``."""
    deadline = time.monotonic() + limit
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8")
        state = (text.count("Building documentation"), text.count("Reloading browsers"))
        if state != last:
            last, since = state, time.monotonic()
        elif state[0] == state[1] + 1 and time.monotonic() - since >= seconds:
            return  # (the first build logs no reload)
        time.sleep(0.5)


def test_broken_save_shows_problems_and_one_save_rebuilds_once(preview, browser):
    url, root, log = preview
    entry = root / ENTRY
    good = entry.read_text(encoding="utf-8")
    page = browser.new_page()
    try:
        page.goto(url + "/entries/where-is-my-liquidation-price/")
        assert page.title().startswith("Where is my liquidation price?")
        time.sleep(1)  # the watcher is running once the first page is served
        before = _builds(log)
        entry.write_text(good.replace("difficulty: beginner", "difficulty: easy", 1), encoding="utf-8")
        page.wait_for_function("document.title.startsWith('Content problems')", timeout=180_000)
        rows = page.locator("#mn-problems tbody tr")
        assert rows.count() == 1
        line = good.splitlines().index("difficulty: beginner") + 1
        assert [cell.strip() for cell in rows.first.locator("td").all_inner_texts()] == [
            ENTRY, str(line), "$.difficulty", "'easy' is not one of: beginner, intermediate, advanced"]
        response = page.request.get(url + "/no-such-page/")
        assert response.status == 404 and "The content has problems" in response.text()
        entry.write_text(good, encoding="utf-8")
        page.wait_for_function("document.title.startsWith('Where is my liquidation price?')", timeout=180_000)
        _quiet(log)  # a second, unwanted rebuild would start within the watcher's delay
        assert _builds(log) - before == 2, log.read_text(encoding="utf-8")
        assert not re.search(r"Traceback|appear stuck", log.read_text(encoding="utf-8"))
    finally:
        page.close()


def test_a_preview_started_on_broken_content_shows_the_problems(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    entry = tmp_path / ENTRY
    text = entry.read_text(encoding="utf-8")
    entry.write_text(text.replace("difficulty: beginner", "difficulty: easy", 1), encoding="utf-8")
    with _serve(tmp_path) as (url, log):  # no good render exists yet: the preview still answers
        for path in ("/", "/entries/where-is-my-liquidation-price/", "/no-such-page/"):
            try:
                body = urllib.request.urlopen(url + path, timeout=10).read().decode()
            except urllib.error.HTTPError as error:
                assert error.code == 404
                body = error.read().decode()
            assert "<title>Content problems" in body and f"<code>{ENTRY}</code>" in body, path


def _build_lines(log: Path) -> list[str]:
    return [line for line in log.read_text(encoding="utf-8").splitlines() if "Preview: " in line and " build: " in line]


# Two animation frames: Material writes sidebar heights and offsets in an animation frame after the
# layout or the scroll that moved them, and a resize seen in one frame is written in the next.
FRAMES = "new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done())))"

# Scrolls to y through one last pixel up from y + 1 and returns once Material's viewport$ has seen both
# offsets (scrollTo is repeated each frame until it has: a reload's restored scroll may land in between).
# Material's back-to-top button follows the last two offsets it saw: shown while scrolling up; hidden and
# tabindex=-1 while scrolling down; neither, as in its template, before it saw two. A page saw one or two
# depending on whether Chromium restored its scroll on a reload before or after Material mounted, and its
# attributes' order depends on how often it was hidden and shown. After a last step up it is shown, with
# the attributes of its template less hidden, whatever the page saw before.
SCROLL = """async y => {
  const frame = () => new Promise(done => requestAnimationFrame(() => done()));
  const seen = [];
  const watch = window.viewport$.subscribe(({offset}) => seen.push(offset.y));
  for (const to of [y + 1, y]) {
    for (let frames = 0; seen[seen.length - 1] !== to; frames++) {
      if (frames > 600) throw new Error(`Material saw no scroll to ${to} (the last offsets: ${seen})`);
      window.scrollTo(0, to);
      await frame();
    }
  }
  watch.unsubscribe();
  await %s;
  return window.scrollY;
}""" % FRAMES


def _settled(page, limit: float = 15) -> list[str]:
    """The page's title and main part once Material's scripts stop changing them (sidebar heights and
    offsets follow the layout and the scroll, later under load): two reads, each after two animation
    frames and 0.25 s apart, agree."""
    script = f"async () => {{ await {FRAMES}; return [document.title, document.querySelector('.md-main').outerHTML]; }}"
    last, deadline = page.evaluate(script), time.monotonic() + limit
    while True:
        time.sleep(0.25)
        now = page.evaluate(script)
        if now == last or time.monotonic() > deadline:
            return now
        last = now


def _differences(swapped: list[str], loaded: list[str], folder: Path, limit: int = 6000) -> str:
    """A readable account of how the swapped page differs from the page loaded afresh: a unified diff of
    the two (title, then ``.md-main`` split after each tag), cut at ``limit`` characters; both pages are
    written whole to ``folder`` (swapped.html, loaded.html)."""
    def lines(state: list[str]) -> list[str]:
        return [state[0], *state[1].replace(">", ">\n").splitlines()]
    for name, state in (("swapped", swapped), ("loaded", loaded)):
        (folder / f"{name}.html").write_text("\n".join(lines(state)), encoding="utf-8")
    diff = "\n".join(difflib.unified_diff(lines(swapped), lines(loaded), "swapped", "loaded", lineterm="", n=2))
    cut = diff[:limit] + ("\n[...]" if len(diff) > limit else "")
    return f"the swapped page differs from the page loaded afresh (whole pages in {folder}):\n{cut}"


def test_a_save_reaches_the_open_page_through_a_dirty_rebuild(preview, browser):
    url, root, log = preview
    entry = root / ENTRY
    good = entry.read_text(encoding="utf-8")
    page, other = browser.new_page(), browser.new_page()
    errors: list[str] = []
    for tab in (page, other):
        tab.on("console", lambda message: message.type == "error" and errors.append(message.text))
        tab.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(url + "/entries/can-a-futures-balance-go-negative/")
        other.goto(url + "/about/")
        stamp = page.evaluate("document.documentElement.dataset.mnPreviewSearch")
        assert re.fullmatch(r"\d\d:\d\d:\d\d", stamp)  # search is the index of the last full build ...
        assert page.locator("[data-mn-search-query]").get_attribute("placeholder") == f"Search (as of {stamp[:5]})"
        time.sleep(1)  # the watcher is running once the first page is served
        # a page that reloads loses these; one whose content is swapped in place keeps them
        for tab in (page, other):
            tab.evaluate("window.mnBeforeSave = true; window.scrollTo(0, 300)")
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        before = len(_build_lines(log))
        start = time.monotonic()
        entry.write_text(good.replace("summary: >-\n", "summary: >-\n  Freshly edited.\n", 1), encoding="utf-8")
        page.wait_for_function("document.querySelector('article').innerText.includes('Freshly edited.')",
                               timeout=60_000)
        seconds = time.monotonic() - start
        _quiet(log, seconds=2)
        # A busy machine may split one save's file events over two builds (the second rewrites nothing):
        # the save's pages are rebuilt in one of the builds since the save, and every one of them is dirty.
        since = _build_lines(log)[before:]
        assert since and all("dirty build: " in line for line in since), log.read_text(encoding="utf-8")
        built = next((line for line in since if "entries/can-a-futures-balance-go-negative.md" in line), since[-1])
        match = re.search(r"dirty build: \d+ Markdown files rewritten, (\d+) of (\d+) pages rebuilt \((.*)\) in", built)
        assert match, log.read_text(encoding="utf-8")
        assert "entries/can-a-futures-balance-go-negative.md" in match[3] and "categories/balances-and-debt.md" in match[3]
        assert int(match[1]) < int(match[2]) / 4 and "about.md" not in match[3]
        assert "MkDocs resident" in built  # MkDocs' objects of the full build served this save
        category = urllib.request.urlopen(url + "/categories/balances-and-debt/", timeout=10).read().decode()
        assert "Freshly edited." in category
        # the open entry took its new content in place: no reload, same scroll position, only the page
        # itself fetched (no stylesheet or script again), our scripts ran on the new content
        assert page.evaluate("window.mnBeforeSave") is True
        assert page.evaluate("window.scrollY") == 300
        assert [address for address in requests if not re.search(r"/entries/can-a-futures-balance-go-negative/$|"
                                                                    r"/livereload/mn/\d+$", address)] == []
        assert page.locator("article abbr[title][tabindex='0']").count() > 0  # glossary.js, after the swap
        assert page.title().startswith("Can a futures balance go negative?")
        # the About page shows nothing of the entry: it was left alone
        assert other.evaluate("window.mnBeforeSave") is True
        assert other.evaluate("document.documentElement.dataset.mnPreviewSwapped") is None
        assert errors == []
        # the page as swapped is the page as loaded afresh: Material's parts and ours, as they mount, both
        # brought to the same scroll position through the same last step (see SCROLL)
        assert page.evaluate(SCROLL, 300) == 300
        assert page.evaluate("document.querySelector('.md-top').hidden") is False  # Material follows the scroll
        swapped = _settled(page)
        page.reload()
        page.wait_for_function("document.querySelector('article').innerText.includes('Freshly edited.')")
        assert page.evaluate(SCROLL, 300) == 300
        loaded = _settled(page)
        assert loaded == swapped, _differences(swapped, loaded, root)
        assert errors == []
        print(f"\none change, save to the open page showing it: {seconds:.2f} s ({built.split('rebuilt ')[0]}...)")
        assert not re.search(r"Traceback|appear stuck", log.read_text(encoding="utf-8"))
    finally:
        page.close()
        other.close()
