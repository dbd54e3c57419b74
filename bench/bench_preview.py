"""One-change preview benchmark: from saving an entry to the preview serving it and Chromium showing it.

``python -m bench.bench_preview [ENTRIES]`` (default 1,000) generates that many synthetic entries into
bench/out/preview-<n>/ (never into content/), starts ``python -m scripts serve`` on it, opens the page of
one entry in Debian's Chromium, then saves a changed summary several times. For each save: the seconds
until the server answers with the new text (HTTP polling), until the open page shows it after its live
reload, the preview process's CPU seconds for the rebuild, and the preview's own log line (pipeline
seconds, MkDocs dirty build, pages rebuilt). ``make bench`` runs :func:`measure` for each size too.
Results go to bench/RESULTS.md (section "One-change preview").
"""

from __future__ import annotations

import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from bench import results

REPO = Path(__file__).resolve().parent.parent
_BUILD = re.compile(r"Preview: dirty build: (\d+) Markdown files rewritten, (\d+) of (\d+) pages rebuilt .* "
                    r"in ([\d.]+) s \(pipeline ([\d.]+) s[;)]")


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cpu(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_served(url: str, text: str, limit: float) -> float | None:
    """Seconds (monotonic clock) at which ``url`` first answers with ``text``, or None after ``limit``."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                if text in response.read().decode("utf-8", "replace"):
                    return time.monotonic()
        except OSError:
            pass
        time.sleep(0.01)
    return None


def _builds(log: Path) -> list[re.Match]:
    return list(_BUILD.finditer(log.read_text(encoding="utf-8")))


def measure(root: Path, docs: Path | None = None, changes: int = 3) -> dict:
    """Start the preview of ``root``, save one entry ``changes`` times; medians of every measurement."""
    from playwright.sync_api import sync_playwright

    entry = sorted((root / "content" / "entries").glob("entry-*.yaml"))[0]
    address = f"entries/{entry.stem}/"
    port, log = _port(), root / "serve.log"
    command = [sys.executable, "-m", "scripts", "--root", str(root)] + (["--docs", str(docs)] if docs else [])
    env = dict(os.environ, PYTHONUNBUFFERED="1", NO_MKDOCS_2_WARNING="1")
    started = time.monotonic()
    with log.open("w") as out:
        process = subprocess.Popen(command + ["serve", "--port", str(port)], cwd=REPO, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    runs: list[dict] = []
    try:
        if _wait_served(url, "<html", 1800) is None:
            raise SystemExit(f"the preview did not start; see {log}")
        row = {"preview_start_s": time.monotonic() - started}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
            page = browser.new_page()
            page.goto(url + address, wait_until="load")
            time.sleep(1)
            original = entry.read_text(encoding="utf-8")
            for n in range(changes):
                marker = f"Preview benchmark change {n}."
                served: list[float | None] = []
                poll = threading.Thread(target=lambda m=marker: served.append(_wait_served(url + address, m, 120)))
                before, cpu = len(_builds(log)), _cpu(process.pid)
                start = time.monotonic()
                entry.write_text(original.replace("summary: ", f"summary: {marker} ", 1), encoding="utf-8")
                poll.start()
                page.wait_for_function(f"document.querySelector('article').innerText.includes({marker!r})",
                                       timeout=120_000)
                shown = time.monotonic()
                poll.join()
                deadline = time.monotonic() + 30
                while len(_builds(log)) == before and time.monotonic() < deadline:
                    time.sleep(0.05)
                build = _builds(log)[-1]
                runs.append({"served": served[0] - start, "shown": shown - start, "cpu": _cpu(process.pid) - cpu,
                             "build": float(build[4]), "pipeline": float(build[5]), "rebuilt": int(build[2]),
                             "pages": int(build[3])})
                time.sleep(1)
            browser.close()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    for key, name in (("served", "preview_served_s"), ("shown", "preview_shown_s"), ("cpu", "preview_cpu_s"),
                      ("build", "preview_build_s"), ("pipeline", "preview_pipeline_s")):
        row[name] = statistics.median(run[key] for run in runs)
    row["preview_rebuilt"] = max(run["rebuilt"] for run in runs)
    row["preview_pages"] = runs[-1]["pages"]
    row["preview_runs"] = runs
    return row


def table(rows: list[dict]) -> str:
    """The one-change preview numbers as a Markdown table (medians of the saves)."""
    lines = ["| entries | save → served | save → Chromium shows it | preview CPU per save | rebuild (log) "
             "| of which pipeline | pages rebuilt | preview start |", "|" + "---|" * 8]
    for r in rows:
        lines.append(f"| {r['entries']:,} | {r['preview_served_s']:.2f} s | {r['preview_shown_s']:.2f} s "
                     f"| {r['preview_cpu_s']:.2f} s | {r['preview_build_s']:.2f} s | {r['preview_pipeline_s']:.2f} s "
                     f"| {r['preview_rebuilt']} of {r['preview_pages']:,} | {r['preview_start_s']:.0f} s |")
    return "\n".join(lines)




def main(argv: list[str] | None = None) -> int:
    """Generate the project, measure, print and record the table with the machine's load."""
    from bench.generate import make_project

    count = int((argv if argv is not None else sys.argv[1:] or ["1000"])[0])
    root = make_project(REPO / "bench" / "out" / f"preview-{count}", count)
    load_before = os.getloadavg()
    row = {"entries": count, **measure(root)}
    load_after = os.getloadavg()
    text = ("## One-change preview (`python -m bench.bench_preview`, also in `make bench`)\n\n"
            f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on this 2-core machine (shared): "
            f"{count:,} synthetic entries plus the real ones; `python -m scripts serve`, then one entry's summary "
            f"saved {len(row['preview_runs'])} times with its page open in Chromium (medians). Load average "
            f"(1, 5, 15 min) {', '.join(f'{x:.1f}' for x in load_before)} at the start and "
            f"{', '.join(f'{x:.1f}' for x in load_after)} at the end; above 2, other jobs inflated the wall times "
            "(CPU per save is this process's own). \"Rebuild (log)\" is the preview's own time from the start of "
            "its rebuild; the pipeline part runs load, validation, cross-checks, rules, pages and links on the "
            "whole content (the content cache's work), the rest is the MkDocs dirty build.\n\n" + table([row]))
    print(text)
    results.record("preview-bench", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
