"""Every page of the site built from the surviving corpus, loaded in Chromium: no content script runs.

The corpus payloads call ``alert``; the page's ``alert``, ``confirm``, ``prompt`` and ``print`` are
replaced before any script runs, and any dialog is recorded too. After load, the DOM must hold no
event-handler attribute, no ``javascript:``/``data:`` link and no ``<script>`` other than the site's
own (its assets, its JSON blocks and the theme's inline scripts, taken from 404.html).
"""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

from tests.pipeline.corpus import BUILT, page_of
from tests.pipeline.corpus.scan import own_inline_scripts

pytestmark = pytest.mark.browser


TRAP = """
window.__mnRan = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => { window.__mnRan.push(name + ":" + String(args[0])); };
}
"""

# Runs in the page after load: everything live that is not the site's own.
INSPECT = """
(own) => {
  const found = [];
  const scope = /new URL\\("[^"]*",location\\)/g;
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\x00-\\x20]/g, "").toLowerCase();
      if (name.startsWith("on")) found.push(`<${el.localName} ${name}>`);
      if (["href", "src", "action", "formaction", "xlink:href", "srcdoc", "data"].includes(name)
          && (value.startsWith("javascript:") || value.startsWith("data:") || value.startsWith("vbscript:"))
          && !(el.localName === "link" && el.rel === "icon" && attr.value === "data:,")) {
        found.push(`<${el.localName} ${name}=${attr.value.slice(0, 40)}>`);
      }
    }
    if (["iframe", "object", "embed", "base", "frame"].includes(el.localName)) found.push(`<${el.localName}>`);
  }
  for (const script of document.querySelectorAll("script")) {
    if (script.src) {
      const url = new URL(script.src);
      if (url.origin !== location.origin || !url.pathname.includes("/assets/javascripts/")) {
        found.push(`<script src=${script.src}>`);
      }
    } else if (script.type === "application/json" || script.type === "application/ld+json") {
      try { JSON.parse(script.textContent); } catch (e) { found.push(`<script type=${script.type}> not JSON`); }
    } else if (!own.includes(script.textContent.replace(scope, 'new URL("",location)'))) {
      found.push(`inline <script>: ${script.textContent.slice(0, 60)}`);
    }
  }
  return found;
}
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (signature of the base class)
        pass


@pytest.fixture(scope="module")
def corpus_url(corpus_site):
    """The corpus site served on 127.0.0.1 at a free port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(corpus_site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_no_script_runs_on_any_corpus_page_and_payloads_show_as_text(corpus_site, corpus_url, browser):
    own = sorted(own_inline_scripts(corpus_site))
    assert len(own) >= 2  # the theme's inline scripts were found, so the allow-list is not empty by mistake
    pages = sorted(p.relative_to(corpus_site).as_posix() for p in corpus_site.rglob("index.html"))
    shows = {}
    for case in BUILT:
        shows.setdefault(page_of(case) + "index.html", []).append(case)
    assert set(shows) <= set(pages)
    context = browser.new_context()
    context.add_init_script(TRAP)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    found, missing = {}, []
    for path in pages:
        page.goto(f"{corpus_url}/{path}", wait_until="load")
        problems = page.evaluate(INSPECT, own) + page.evaluate("window.__mnRan")
        if problems:
            found[path] = problems
        if path in shows:
            text = " ".join(page.inner_text("body").split())
            missing += [case["id"] for case in shows[path] if case["shows"] not in text]
    context.close()
    assert dialogs == []
    assert found == {}
    assert missing == []
