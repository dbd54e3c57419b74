"""Widget benchmarks: JS size and time to a ready widget; results go to bench/RESULTS.md ("Widgets").

``python -m bench.bench_widgets [--runs N]`` builds the real site into a temporary folder, serves it on
127.0.0.1 and opens every calculator page in Debian's Chromium (Playwright), cold (new browser context,
empty cache) and warm (same context, cached assets). widgets.js marks ``mn-widgets-start`` when it starts
mounting, ``mn-widgets-deps`` when mncalc.js and catalogue.json are there and ``mn-widgets-ready`` when
every widget shows its first result.

Targets (issue 6): all calculators' JS (compiled formulas plus glue) at most 15 KB gzipped; a widget ready
within 50 ms of page load.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import gzip
import http.server
import os
import statistics
import sys
import tempfile
import threading
from pathlib import Path

from bench import results

REPO = Path(__file__).resolve().parent.parent
CSS = REPO / "site-overrides" / "assets" / "stylesheets" / "widgets.css"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

TIMINGS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const mark = name => (performance.getEntriesByName(name)[0] || {}).startTime;
  return {dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
          start: mark('mn-widgets-start'), deps: mark('mn-widgets-deps'), ready: mark('mn-widgets-ready')};
}"""


def gz(text: str) -> int:
    """Gzipped size (level 9) in bytes."""
    return len(gzip.compress(text.encode("utf-8"), 9))


def sizes() -> dict[str, tuple[int, int]]:
    """(raw, gzipped) bytes of the compiled bundle, the glue, both together, the catalogue JSON and the CSS."""
    sys.path.insert(0, str(REPO))
    from scripts.pipeline.assets import calculator_assets

    files, problems = calculator_assets()
    assert not problems, problems
    bundle = files["assets/javascripts/mncalc.js"]
    catalogue = files["assets/javascripts/catalogue.json"]
    glue = files["assets/javascripts/widgets.js"]  # as served: the source without its comment lines
    css = CSS.read_text(encoding="utf-8")
    return {
        "mncalc.js (compiled formulas)": (len(bundle), gz(bundle)),
        "widgets.js (glue and charts)": (len(glue), gz(glue)),
        "all calculators' JS (both)": (len(bundle) + len(glue), gz(bundle) + gz(glue)),
        "catalogue.json (data, not JS)": (len(catalogue), gz(catalogue)),
        "widgets.css": (len(css), gz(css)),
    }


def build_site(folder: Path) -> Path:
    """Build the real content into ``folder`` and point its sitemap at nothing in particular."""
    from scripts.pipeline.build import build
    from scripts.pipeline.content import Layout

    log: list[str] = []
    assert build(Layout(REPO), folder / "site", REPO / "mkdocs.yml", folder / "docs", log=log.append) == 0, log
    return folder / "site"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


def timings(site: Path, runs: int) -> dict[str, list[dict]]:
    """Per calculator page: ``runs`` cold and ``runs`` warm loads with their performance marks (ms)."""
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(REPO))
    from calculators.catalogue import ids

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    found: dict[str, list[dict]] = {"cold": [], "warm": []}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for calc_id in ids():
                url = f"{base}/calculators/{calc_id}/"
                for _ in range(runs):
                    context = browser.new_context()
                    page = context.new_page()
                    for kind in ("cold", "warm"):
                        page.goto(url, wait_until="load")
                        page.wait_for_selector(".mn-calc[data-state=ready]")
                        found[kind].append(page.evaluate(TIMINGS))
                    context.close()
            browser.close()
    finally:
        server.shutdown()
    return found


def summary(rows: list[dict], key) -> str:
    values = sorted(key(row) for row in rows)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return f"{statistics.median(values):.1f} / {p95:.1f} / {values[-1]:.1f}"


def report(size_table: dict, found: dict, runs: int, load: tuple[float, float]) -> str:
    """The Markdown section for RESULTS.md."""
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    total_gz = size_table["all calculators' JS (both)"][1]
    lines = ["## Widgets (WIDGET, `python -m bench.bench_widgets`)", "",
             f"Measured {when} on this 2-core machine (shared with other jobs: load average {load[0]:.1f} before, "
             f"{load[1]:.1f} after), Debian Chromium 156 headless "
             "through Playwright, the real site served on 127.0.0.1. Targets: all calculators' JS at most "
             "15 KB gzipped; a widget ready within 50 ms of page load.", "",
             "| file | bytes | gzipped (level 9) |", "|---|---|---|"]
    lines += [f"| {name} | {raw:,} | {gzipped:,} |" for name, (raw, gzipped) in size_table.items()]
    lines += ["", f"**JS size: {total_gz / 1024:.1f} KB gzipped** for all 12 calculators "
                  f"({'meets' if total_gz <= 15 * 1024 else 'misses'} the 15 KB target). widgets.js loads "
                  "mncalc.js and catalogue.json only on pages that hold a widget.", ""]
    lines += [f"Time to a ready widget, ms (median / p95 / max over 12 calculator pages x {runs} runs). "
              "*Ready - load event*: when the widget shows its first result, counted from the end of the page's "
              "load event (negative: ready before the page finished loading). *Ready - DOMContentLoaded*: "
              "includes fetching mncalc.js and catalogue.json. *Mount*: widgets.js building the form, computing "
              "and drawing once those two files are there (the script's own cost). *Load event*: the whole page "
              "load from navigation start, for scale.",
              "", "| load | ready - load event | ready - DOMContentLoaded | mount (script only) | load event |",
              "|---|---|---|---|---|"]
    for kind in ("cold", "warm"):
        rows = found[kind]
        lines.append(f"| {kind} | {summary(rows, lambda r: r['ready'] - r['load'])} | "
                     f"{summary(rows, lambda r: r['ready'] - r['dcl'])} | "
                     f"{summary(rows, lambda r: r['ready'] - r['deps'])} | {summary(rows, lambda r: r['load'])} |")
    verdicts = []
    for kind in ("cold", "warm"):
        late = sorted(r["ready"] - r["load"] for r in found[kind])
        median, p95 = statistics.median(late), late[min(len(late) - 1, int(round(0.95 * (len(late) - 1))))]
        verdicts.append(f"{kind}: median {median:.1f} ms ({'meets' if median <= 50 else 'misses'}), "
                        f"p95 {p95:.1f} ms ({'meets' if p95 <= 50 else 'misses'})")
    mount = statistics.median(r["ready"] - r["deps"] for r in found["cold"])
    lines += ["", "**Widget ready after the load event, against the 50 ms target**: " + "; ".join(verdicts)
              + f". The script's own mount takes {mount:.1f} ms (cold median); the rest is waiting for "
                "mncalc.js and catalogue.json (preloaded from the page head) on a machine this busy."]
    return "\n".join(lines) + "\n"



def main() -> int:
    """Measure, print the section and write it into bench/RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="loads per calculator page and kind (default 5)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args()
    size_table = sizes()
    with tempfile.TemporaryDirectory(prefix="bench-widgets-") as folder:
        site = build_site(Path(folder))
        before = os.getloadavg()[0]
        found = timings(site, args.runs)
        load = (before, os.getloadavg()[0])
    section = report(size_table, found, args.runs, load)
    print(section)
    if not args.no_write:
        results.record("widgets-bench", section.strip("\n"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
