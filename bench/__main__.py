"""Pipeline and site-build benchmarks; results go to bench/RESULTS.md (section "Content pipeline").

``python -m bench`` runs 100 and 1,000 entries; ``BENCH_SIZES="100 1000 10000"`` adds 10,000
(many minutes on 2 cores). Each size, in one run: generate synthetic entries (plus the real ones) into
bench/out/; each pipeline stage's CPU, cold, in this process; the full ``python -m scripts build``
(pipeline + ``mkdocs build --strict`` + Pagefind) cold, then MkDocs alone and Pagefind alone on the
same prepared pages (written to a docs folder by ``render``, not timed: the build itself hands them to
MkDocs in one packed file, scripts/pipeline/memdocs.py), repeated as alternated pairs (``BENCH_PAIRS``;
5 up to 2,000 entries, else 2) whose median and range are reported, user and system CPU apart
(bench/pairs.py). Nothing is deleted until every size's pairs are done (bench/trash.py). Then, size by
size: ``validate`` and ``build`` again with nothing changed (content cache warm) and after one entry
changed; the live preview's one-change time (bench/bench_preview.py); the search bundle's size, and
the bytes Chromium fetches for search before the first query and for each of two queries.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench import bench_preview
from bench import pairs
from bench import results
from bench import trash
from bench.generate import REPO, make_project
from scripts.pipeline.build import load_content, run_mkdocs
from scripts.pipeline.cache import ContentCache
from scripts.pipeline.content import Layout
from scripts.pipeline.crosscheck import crosscheck
from scripts.pipeline.links import check_links
from scripts.pipeline.pages import collect_pages
from scripts.pipeline.render import render
from scripts.pipeline.search import fragments, index_site
from scripts.pipeline.verify import verify

OUT = REPO / "bench" / "out"
RAW = REPO / "bench" / "pipeline-results.json"


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _child_cpu() -> float:
    return sum(_child_times())


def _child_times() -> tuple[float, float]:
    """User and system CPU seconds of this process's waited-for children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime, usage.ru_stime


def _since(before: tuple[float, float]) -> tuple[float, float]:
    now = _child_times()
    return now[0] - before[0], now[1] - before[1]


def _timed(command: list[str], cwd: Path) -> tuple[float, int, str]:
    """Wall time, peak RSS (KB, largest process of the tree) and output of a command."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M"] + command, cwd=cwd, env=env,
                            capture_output=True, text=True)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(command)}\n{result.stderr[-3000:]}")
    peak = int(result.stderr.strip().splitlines()[-1])
    return wall, peak, result.stderr


def _cpu() -> float:
    return time.process_time()


def _stages(layout: Layout) -> dict:
    """CPU seconds of each pipeline stage, cold (no content cache), in this process."""
    out = {}
    cpu = _cpu()
    content, problems = load_content(layout, (), ContentCache(layout.root, layout.schemas, enabled=False))
    out["load_validate_cpu"] = _cpu() - cpu
    cpu = _cpu()
    problems += crosscheck(content)
    out["crosscheck_cpu"] = _cpu() - cpu
    cpu = _cpu()
    problems += verify(content.entries)
    out["verify_cpu"] = _cpu() - cpu
    cpu = _cpu()
    content.pages = collect_pages(content)
    problems += check_links(content, {path: page.text for path, page in content.pages.items()})
    out["pages_links_cpu"] = _cpu() - cpu
    if problems:
        raise SystemExit(f"synthetic content has problems: {problems[:3]}")
    cpu = _cpu()
    render(content)
    out["render_cpu"] = _cpu() - cpu
    return out


def _run(args: list[str], root: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (children) and peak RSS (KB) of ``python -m scripts --root root ...``."""
    cpu = _child_cpu()
    wall, peak, _ = _timed([sys.executable, "-m", "scripts", "--root", str(root), "--docs", str(root / "docs")] + args, REPO)
    return wall, _child_cpu() - cpu, peak


def _search_bytes(site: Path, queries=("liquidation", "ADL")) -> dict:
    """Bytes a reader's browser fetches for search: before the first query, and for each query (Chromium)."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 (the base class's signature)
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    fetched: list[tuple[str, int]] = []
    out = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
            page = browser.new_page()
            page.on("requestfinished", lambda request: fetched.append((request.url, request.sizes()["responseBodySize"])))
            page.goto(url, wait_until="networkidle")
            out["search_before_query_kb"] = sum(size for address, size in fetched
                                                if "/pagefind/" in address or address.endswith("search.js")) / 1e3
            for n, query in enumerate(queries):
                fetched.clear()
                count = page.evaluate("q => window.marginNotesSearch(q).then(() => "
                                      "document.querySelectorAll('[data-mn-search-result] li').length)", query)
                page.wait_for_load_state("networkidle")
                out[f"query{n}_kb"] = sum(size for address, size in fetched if "/pagefind/" in address) / 1e3
                out[f"query{n}_results"] = count
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return out


def _part(out: dict, part: str, run) -> None:
    """Run ``run`` (returning ``(passed, output)``, its work done in child processes) and put its wall
    seconds and user and system CPU into ``out`` as ``{part}_s``, ``{part}_user``, ``{part}_sys``; a
    failure ends the benchmark with its output."""
    before, start = _child_times(), time.perf_counter()
    passed, output = run()
    out[f"{part}_s"], (out[f"{part}_user"], out[f"{part}_sys"]) = time.perf_counter() - start, _since(before)
    if not passed:
        raise SystemExit(output[-3000:])


def _pair(root: Path, index: int) -> dict:
    """Pair ``index``: one cold full build and ``mkdocs build`` + Pagefind of the same pages, in the order
    :func:`pairs.build_first` gives; wall and CPU (user, system) of each.

    Every run starts from nothing: no content cache, no site of an earlier run, those moved aside into
    :data:`trash.TRASH`, not deleted (bench/trash.py says why).
    """
    out = {}

    def build() -> None:
        for folder in (root / ".cache", root / "site"):
            trash.set_aside(folder)
        before = _child_times()
        out["build_s"], _, out["build_peak_kb"] = _run(["build", "--site", str(root / "site")], root)
        out["build_user"], out["build_sys"] = _since(before)

    def baseline() -> None:
        trash.set_aside(root / "site-mkdocs")
        _part(out, "mkdocs", lambda: run_mkdocs(REPO / "mkdocs.yml", root / "docs", root / "site-mkdocs"))
        _part(out, "pagefind", lambda: index_site(root / "site-mkdocs"))

    for run in ((build, baseline) if pairs.build_first(index) else (baseline, build)):
        run()
    return out


def measure_cold(count: int) -> dict:
    """The numbers of one project size measured before anything is deleted: each stage's CPU, cold, and
    the pairs of full build against MkDocs + Pagefind."""
    root = OUT / f"n{count}"
    trash.set_aside(root)  # an earlier run's project: deleted at the end (bench/trash.py)
    start = time.perf_counter()
    layout = Layout(make_project(root, count))
    generate = time.perf_counter() - start
    row = {"entries": count, "generate_s": generate, **_stages(layout)}
    row["stages_cpu"] = sum(row[key] for key in ("load_validate_cpu", "crosscheck_cpu", "verify_cpu",
                                                 "pages_links_cpu", "render_cpu"))
    _run(["render"], root)  # the same pages in a docs folder (the build hands them to MkDocs in memory), not timed
    # the full build, cold (no .cache), then MkDocs alone and Pagefind alone on the same prepared pages,
    # as alternated pairs (bench/pairs.py)
    measured, total = [], pairs.count(count)
    for index in range(total):
        print(f"  {count} entries: pair {index + 1} of {total} ...", file=sys.stderr, flush=True)
        measured.append(_pair(root, index))
    row["pairs"] = measured
    row.update(pairs.summary(measured))
    row["build_peak_mb"] = max(pair["build_peak_kb"] for pair in measured) / 1024
    return row


def measure_rest(row: dict) -> None:
    """The numbers of ``row``'s size that delete files (a build replaces the site): warm and one-change
    runs, the live preview, the search bundle; added to ``row``."""
    count = row["entries"]
    root = OUT / f"n{count}"
    # warm: nothing changed; then one entry changed
    row["validate_warm_s"], row["validate_warm_cpu"], _ = _run(["validate"], root)
    row["build_warm_s"], row["build_warm_cpu"], _ = _run(["build", "--site", str(root / "site")], root)
    changed = sorted((root / "content" / "entries").glob("entry-*.yaml"))[count // 2]
    changed.write_text(changed.read_text(encoding="utf-8").replace("summary: ", "summary: Changed. ", 1), encoding="utf-8")
    row["validate_change_s"], row["validate_change_cpu"], _ = _run(["validate"], root)
    changed.write_text(changed.read_text(encoding="utf-8").replace("summary: Changed. ", "summary: Changed again. ", 1),
                       encoding="utf-8")
    row["build_change_s"], row["build_change_cpu"], _ = _run(["build", "--site", str(root / "site")], root)
    # the live preview: one entry saved, until the server and Chromium show it (bench/bench_preview.py)
    row.update(bench_preview.measure(root, root / "docs"))
    site = root / "site"
    pages = len(fragments(site))
    row.update({"pipeline_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "site_mb": _size(site) / 1e6, "per_entry_kb": _size(site / "entries") / count / 1e3,
                "search_pages": pages, "search_total_mb": _size(site / "pagefind") / 1e6,
                "search_per_page_kb": _size(site / "pagefind") / max(pages, 1) / 1e3, **_search_bytes(site)})


def table(rows: list[dict]) -> str:
    """The results as Markdown tables (seconds; CPU is user + system of this process or its children)."""
    lines = ["| entries | load+validate | cross-check | verify | pages+links | render | stages total "
             "| entries validated per CPU s (cold) |", "|" + "---|" * 8]
    for r in rows:
        lines.append(f"| {r['entries']:,} | {r['load_validate_cpu']:.2f} | {r['crosscheck_cpu']:.2f} | "
                     f"{r['verify_cpu']:.2f} | {r['pages_links_cpu']:.2f} | {r['render_cpu']:.2f} | "
                     f"{r['stages_cpu']:.2f} | {r['entries'] / r['load_validate_cpu']:,.0f} |")
    lines += ["", pairs.table(rows)]
    lines += ["", "| entries | warm build wall / CPU | one-change build wall / CPU | warm validate wall / CPU "
              "| one-change validate wall / CPU | build peak RSS |", "|" + "---|" * 6]
    for r in rows:
        lines.append(
            f"| {r['entries']:,} | {r['build_warm_s']:.1f} / {r['build_warm_cpu']:.1f} "
            f"| {r['build_change_s']:.1f} / {r['build_change_cpu']:.1f} "
            f"| {r['validate_warm_s']:.2f} / {r['validate_warm_cpu']:.2f} "
            f"| {r['validate_change_s']:.2f} / {r['validate_change_cpu']:.2f} | {r['build_peak_mb']:.0f} MB |")
    lines += ["", "| entries | pages indexed | search bundle | per page | before first query | query 'liquidation' "
              "| query 'ADL' | site | per entry page |", "|" + "---|" * 9]
    for r in rows:
        lines.append(
            f"| {r['entries']:,} | {r['search_pages']:,} | {r['search_total_mb']:.1f} MB | {r['search_per_page_kb']:.1f} KB "
            f"| {r['search_before_query_kb']:.1f} KB | {r['query0_kb']:.0f} KB ({r['query0_results']} shown) "
            f"| {r['query1_kb']:.0f} KB ({r['query1_results']} shown) | {r['site_mb']:.1f} MB | {r['per_entry_kb']:.1f} KB |")
    lines += ["", "One-change preview (`make serve`, one entry saved; medians):", "", bench_preview.table(rows)]
    return "\n".join(lines)




def _compile_ours() -> None:
    """Compile the project's own modules to bytecode, as pip does for every package it installs.

    MkDocs, Material and the other installed packages are imported from bytecode. Where
    PYTHONDONTWRITEBYTECODE is set (it is on the machine of RESULTS.md) no run writes any for the
    project's modules, so each build would compile them from source again, a cost no reader's or
    editor's second build pays."""
    import compileall

    for package in ("scripts", "calculators"):
        if not compileall.compile_dir(REPO / package, quiet=1):
            raise SystemExit(f"benchmark: {package}/ does not compile")


def main() -> int:
    """Run the sizes in BENCH_SIZES (default 100 and 1000) in one run; print and record the tables."""
    sizes = [int(size) for size in os.environ.get("BENCH_SIZES", "100 1000").split()]
    _compile_ours()
    rows = []
    load_before = os.getloadavg()
    with trash.emptied():
        # every size's pairs first: the later runs delete files (a build replaces its site), which would
        # slow the next size's cold runs (bench/trash.py)
        for count in sorted(sizes):
            print(f"benchmarking {count} entries: stages and cold pairs ...", file=sys.stderr, flush=True)
            rows.append(measure_cold(count))
            rows[-1]["load_average"] = os.getloadavg()[0]
            print(pairs.table(rows), flush=True)
        for row in rows:
            print(f"benchmarking {row['entries']} entries: warm runs, preview, search ...", file=sys.stderr, flush=True)
            measure_rest(row)
        print(table(rows), flush=True)
    RAW.write_text(json.dumps(rows, indent=1) + "\n")
    load_after = os.getloadavg()
    text = ("## Content pipeline and site build (PIPE, `make bench`)\n\n"
            f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} in one run on this 2-core machine "
            "(shared with other jobs): synthetic entries of about 3 KB YAML each (4 sections, 4 FAQ items, 3 related "
            "ids) plus the real entries. System load average (1, 5, 15 min) "
            f"{', '.join(f'{x:.1f}' for x in load_before)} at the start and "
            f"{', '.join(f'{x:.1f}' for x in load_after)} at the end: on 2 cores, anything above 2 means other "
            "jobs slowed the wall times; compare CPU times and ratios, not wall times. The project's modules are "
            "compiled to bytecode first, as installed packages are. Stages are cold (no content cache). Warm and one-change runs use the content cache (.cache/) of the run before; "
            "MkDocs itself always rebuilds every page. Search bytes are what Chromium fetched (response bodies, "
            "served uncompressed).\n\n" + table(rows))
    results.record("pipeline-bench", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
