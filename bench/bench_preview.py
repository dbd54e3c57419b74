"""One-change preview benchmark: from saving an entry to the preview serving it and Chromium showing it.

``python -m bench.bench_preview [ENTRIES] [--against REF] [--field summary|body|title[,...]]`` (default 1,000
entries) generates that many synthetic entries into bench/out/preview-<n>/ (never into content/), starts
``python -m scripts serve`` on it, opens the page of one entry in Debian's Chromium, then saves a changed
summary (or the first section's body, or the title) several times.
For each save: the seconds until the server has built it (MkDocs' own live-reload request, answered the
moment a build ends: no polling that would compete with the build for the server's time), until the
open page shows it, the preview process's CPU seconds for the rebuild, the preview's own log lines
(each phase's wall and CPU seconds, pages rebuilt) and whether the page swapped the content in place or
reloaded. ``--against REF`` also measures the code of git commit REF (exported to bench/out/, not a
worktree), alternating with this code save by save, so the two are compared under the same load.
With ``MN_PREVIEW_PROFILE=<prefix>`` in the environment, the preview writes a cProfile of each save
to ``<prefix>.<n>.prof`` (scripts/preview_server.py; inflates the times it measures).
``make bench`` runs :func:`measure` for each size too. Results go to bench/RESULTS.md (section
"One-change preview").
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path

from bench import results

REPO = Path(__file__).resolve().parent.parent
_BUILD = re.compile(r"Preview: dirty build: (\d+) Markdown files rewritten, (\d+) of (\d+) pages rebuilt .* "
                    r"in ([\d.]+) s \(pipeline ([\d.]+) s[;)]")
_PHASE = re.compile(r"(?:^|; )([a-z' ]+?) ([\d.]+) s(?: \(CPU ([\d.]+) s\))?")


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cpu(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` now, MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _get(url: str, timeout: float = 120) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode("utf-8", "replace")


def _wait_started(url: str, limit: float) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if "<html" in _get(url, 10):
                return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def _builds(log: Path) -> list[re.Match]:
    return list(_BUILD.finditer(log.read_text(encoding="utf-8")))


def _phases(log: Path) -> dict[str, tuple[float, float | None]]:
    """The phases of the last rebuild from the preview's log line (empty for code that does not log them)."""
    lines = [line for line in log.read_text(encoding="utf-8").splitlines() if "Preview: phases: " in line]
    if not lines:
        return {}
    text = lines[-1].split("Preview: phases: ", 1)[1]
    return {m[1]: (float(m[2]), float(m[3]) if m[3] else None) for m in _PHASE.finditer(text)}


def export(ref: str) -> Path:
    """The files of git commit ``ref`` in bench/out/code-<commit>/ (``git archive``; not a worktree)."""
    commit = subprocess.run(["git", "rev-parse", ref], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    target = REPO / "bench" / "out" / f"code-{commit[:12]}"
    if not (target / "scripts").is_dir():
        data = subprocess.run(["git", "archive", commit], cwd=REPO, capture_output=True, check=True).stdout
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            archive.extractall(target, filter="data")
    return target


class _Preview:
    """One ``python -m scripts serve`` of ``root`` run from the code in ``code``, with its page open."""

    def __init__(self, root: Path, code: Path, docs: Path | None, browser, name: str):
        self.root, self.code, self.name = root, code, name
        self.log = root / f"serve-{name}.log"
        self.port = _port()
        self.url = f"http://127.0.0.1:{self.port}/"
        command = [sys.executable, "-m", "scripts", "--root", str(root)] + (["--docs", str(docs)] if docs else [])
        env = dict(os.environ, PYTHONUNBUFFERED="1", NO_MKDOCS_2_WARNING="1")
        started = time.monotonic()
        with self.log.open("w") as out:
            self.process = subprocess.Popen(command + ["serve", "--port", str(self.port)], cwd=code, env=env,
                                            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        if not _wait_started(self.url, 3600):
            self.stop()
            raise SystemExit(f"the preview did not start; see {self.log}")
        self.start_s = time.monotonic() - started
        self.page = browser.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, address: str) -> None:
        """Open ``address`` and wait until its live-reload request is waiting."""
        self.address = address
        self.page.goto(self.url + address, wait_until="load")
        time.sleep(1)

    def epoch(self) -> int:
        """The number of the site's current build (MkDocs' live-reload answers at once for epoch 0)."""
        return int(_get(self.url + "livereload/0/0"))

    def save(self, entry: Path, text: str, marker: str) -> dict:
        """Write ``text`` (holding ``marker``) to ``entry``; time the server and the open page."""
        before, cpu, epoch = len(_builds(self.log)), _cpu(self.process.pid), self.epoch()
        self.page.evaluate("window.mnBenchMark = true")
        start = time.monotonic()
        entry.write_text(text, encoding="utf-8")
        served = None
        while served is None and time.monotonic() - start < 300:
            epoch = int(_get(f"{self.url}livereload/{epoch}/1", 300))  # answered when a build ends
            if marker in _get(self.url + self.address):
                served = time.monotonic()
        self.page.wait_for_function(f"document.querySelector('article').innerText.includes({marker!r})",
                                    timeout=300_000)
        shown = time.monotonic()
        deadline = time.monotonic() + 30
        while len(_builds(self.log)) == before and time.monotonic() < deadline:
            time.sleep(0.05)
        build = _builds(self.log)[-1]
        in_place = self.page.evaluate("window.mnBenchMark === true")
        return {"served": (served or shown) - start, "shown": shown - start, "cpu": _cpu(self.process.pid) - cpu,
                "build": float(build[4]), "pipeline": float(build[5]), "rebuilt": int(build[2]),
                "pages": int(build[3]), "in_place": in_place, "phases": _phases(self.log),
                "rss_mb": _rss_mb(self.process.pid)}

    def stop(self) -> None:
        """Close the page (its waiting request would fail in the console), stop the server and wait for it."""
        if getattr(self, "page", None) is not None:
            self.page.close()
            self.page = None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=120)


def _summary(runs: list[dict], start_s: float, errors: list[str]) -> dict:
    row = {"preview_start_s": start_s}
    for key, name in (("served", "preview_served_s"), ("shown", "preview_shown_s"), ("cpu", "preview_cpu_s"),
                      ("build", "preview_build_s"), ("pipeline", "preview_pipeline_s")):
        row[name] = statistics.median(run[key] for run in runs)
    row["preview_rss_mb"] = max(run["rss_mb"] for run in runs)
    row["preview_rebuilt"] = max(run["rebuilt"] for run in runs)
    row["preview_pages"] = runs[-1]["pages"]
    row["preview_in_place"] = sum(run["in_place"] for run in runs)
    names = [name for name in runs[-1]["phases"]]
    row["preview_phases"] = {name: (statistics.median(run["phases"].get(name, (0, 0))[0] for run in runs),
                                    statistics.median((run["phases"].get(name, (0, 0))[1] or 0) for run in runs))
                             for name in names}
    row["preview_console_errors"] = list(errors)
    row["preview_runs"] = runs
    return row


FIELDS = {"summary": "summary: ", "body": "body: '", "title": "title: "}  # where a save puts its marker (bodies are quoted)


def measure(root: Path, docs: Path | None = None, changes: int = 3, against: tuple[Path, Path] | None = None,
            field: str = "summary") -> dict:
    """Start the preview of ``root``, save one entry ``changes`` times (changing ``field``, see
    :data:`FIELDS`); medians of every measurement.

    With ``against`` = (folder holding other code, see :func:`export`; a second copy of the project), a
    second preview runs that code on the copy, and each save is made on both, alternately (the idle one
    builds nothing meanwhile); its row is under "against".
    """
    from playwright.sync_api import sync_playwright

    name = sorted((root / "content" / "entries").glob("entry-*.yaml"))[0].name
    address = f"entries/{name[:-len('.yaml')]}/"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
        previews: list[_Preview] = []
        originals: dict[Path, str] = {}
        try:
            previews.append(_Preview(root, REPO, docs, browser, "this"))
            if against is not None:
                previews.append(_Preview(against[1], against[0], None, browser, "against"))
            for preview in previews:
                preview.open(address)
            fields = field.split(",")
            runs: dict[tuple[str, str], list[dict]] = {(preview.name, f): [] for preview in previews for f in fields}
            for changed in fields:
                for n in range(changes):
                    for preview in previews if n % 2 == 0 else previews[::-1]:
                        entry = preview.root / "content" / "entries" / name
                        original = originals.setdefault(entry, entry.read_text(encoding="utf-8"))
                        marker = f"Preview benchmark change {n} {changed} {preview.name}."
                        start = FIELDS[changed]
                        runs[preview.name, changed].append(preview.save(
                            entry, original.replace(start, f"{start}{marker} ", 1), marker))
                        time.sleep(1)
        finally:
            for entry, original in originals.items():
                entry.write_text(original, encoding="utf-8")
            for preview in previews:
                preview.stop()
            browser.close()
    rows = {}
    for changed in fields:
        rows[changed] = _summary(runs["this", changed], previews[0].start_s, previews[0].errors)
        if against is not None:
            rows[changed]["against"] = _summary(runs["against", changed], previews[1].start_s, previews[1].errors)
    row = dict(rows[fields[0]])
    if len(fields) > 1:
        row["fields"] = rows  # each field's row (the first is this row)
    return row


def table(rows: list[dict]) -> str:
    """The one-change preview numbers as a Markdown table (medians of the saves)."""
    lines = ["| entries | code | save → served | save → Chromium shows it | shown in place | preview CPU per save "
             "| rebuild (log) | of which pipeline | pages rebuilt | preview start | preview memory |",
             "|" + "---|" * 11]
    for r in rows:
        for label, s in [(r.get("code", "this"), r)] + ([(r.get("against_code", "before"), r["against"])]
                                                        if "against" in r else []):
            lines.append(f"| {r['entries']:,} | {label} | {s['preview_served_s']:.2f} s | {s['preview_shown_s']:.2f} s "
                         f"| {s.get('preview_in_place', 0)} of {len(s.get('preview_runs', []))} "
                         f"| {s['preview_cpu_s']:.2f} s | {s['preview_build_s']:.2f} s | {s['preview_pipeline_s']:.2f} s "
                         f"| {s['preview_rebuilt']} of {s['preview_pages']:,} | {s['preview_start_s']:.0f} s "
                         f"| {s.get('preview_rss_mb', 0):,.0f} MB |")
    return "\n".join(lines)


def phase_table(rows: list[dict]) -> str:
    """Each phase of a save, wall and CPU seconds (medians), as the preview logs them."""
    names: list[str] = []
    for r in rows:
        names += [name for name in r.get("preview_phases", {}) if name not in names]
    lines = ["| entries | " + " | ".join(names) + " |", "|" + "---|" * (len(names) + 1)]
    for r in rows:
        cells = []
        for name in names:
            wall, cpu = r.get("preview_phases", {}).get(name, (None, None))
            cells.append("" if wall is None else f"{wall:.3f} s" + (f" (CPU {cpu:.3f})" if cpu else ""))
        lines.append(f"| {r['entries']:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Generate the projects, measure each size (against another commit with ``--against REF``), print and
    record the tables (after each size, so a long run keeps what it measured)."""
    from bench.generate import make_project

    args = list(argv if argv is not None else sys.argv[1:])
    against_ref, field = None, "summary"
    if "--field" in args:
        at = args.index("--field")
        field = args[at + 1]
        del args[at:at + 2]
        if not set(field.split(",")) <= set(FIELDS):
            raise SystemExit(f"--field {field}: not one (or a comma-separated list) of {', '.join(FIELDS)}")
    if "--against" in args:
        at = args.index("--against")
        against_ref = args[at + 1]
        del args[at:at + 2]
    counts = [int(arg) for arg in args] or [1000]
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    code = export(against_ref) if against_ref else None
    rows, loads = [], []
    for count in counts:
        root = make_project(REPO / "bench" / "out" / f"preview-{count}", count)
        against = (code, make_project(REPO / "bench" / "out" / f"preview-{count}-against", count)) if code else None
        before = os.getloadavg()
        measured = measure(root, against=against, field=field)
        for changed, by_field in measured.get("fields", {field: measured}).items():
            row = {"entries": count, **by_field, "code": f"this ({head})" + (f", {changed}" if "," in field else "")}
            if against_ref:
                row["against_code"] = f"before ({against_ref})" + (f", {changed}" if "," in field else "")
            rows.append(row)
        loads.append((count, before, os.getloadavg()))
        errors = sum(len(r["preview_console_errors"]) + len(r.get("against", {}).get("preview_console_errors", []))
                     for r in rows)
        text = ("## One-change preview (`python -m bench.bench_preview`, also in `make bench`)\n\n"
                f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on this 2-core machine (shared): "
                f"synthetic entries plus the real ones; `python -m scripts serve`, then one entry's {field} saved "
                f"{len(row['preview_runs'])} times with its page open in Chromium (medians)"
                + (", the code named 'before' running beside it on a copy of the project, the two saved alternately"
                   if against_ref else "") + ". Load average (1, 5, 15 min) at the start and end of each size: "
                + "; ".join(f"{n:,}: {', '.join(f'{x:.1f}' for x in a)} to {', '.join(f'{x:.1f}' for x in b)}"
                            for n, a, b in loads)
                + "; above 2, other jobs inflated the wall times (CPU per save is the preview process's own). "
                "\"Served\" is when the server's live-reload request answers (the build is done) and the page "
                "holds the change; \"shown\" is when the open page shows it; \"in place\" counts the saves the page "
                "took without reloading. \"Rebuild (log)\" is the preview's own time from the start of its rebuild. "
                f"Console errors in the open pages: {errors}.\n\n" + table(rows)
                + "\n\nPhases of a save (this code, medians; wall seconds, CPU in brackets):\n\n" + phase_table(rows))
        print(text, flush=True)
        results.record("preview-bench", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
