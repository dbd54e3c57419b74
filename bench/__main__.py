"""Pipeline and site-build benchmarks; results go to bench/RESULTS.md (section "Content pipeline").

``python -m bench`` runs 100 and 1,000 entries; ``BENCH_SIZES="100 1000 10000"`` adds 10,000
(a few minutes on 2 cores). Each size: generate synthetic entries into bench/out/, then measure
in-process load+validate (check), render and docs writing, then the full ``python -m scripts build``
(pipeline + ``mkdocs build --strict``) as a subprocess, then MkDocs alone on the same docs.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench.generate import REPO, make_project
from scripts.pipeline.assets import calculator_assets
from scripts.pipeline.build import check, run_mkdocs, write_tree
from scripts.pipeline.content import Layout
from scripts.pipeline.render import render

OUT = REPO / "bench" / "out"
RESULTS = REPO / "bench" / "RESULTS.md"
RAW = REPO / "bench" / "pipeline-results.json"
BEGIN, END = "<!-- pipeline-bench:begin -->", "<!-- pipeline-bench:end -->"


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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


def measure(count: int) -> dict:
    """Every number for one project size."""
    root = OUT / f"n{count}"
    start = time.perf_counter()
    layout = Layout(make_project(root, count))
    generate = time.perf_counter() - start

    start, cpu = time.perf_counter(), time.process_time()
    content, problems = check(layout)
    t_check, c_check = time.perf_counter() - start, time.process_time() - cpu
    if problems:
        raise SystemExit(f"synthetic content has problems: {problems[:3]}")
    start, cpu = time.perf_counter(), time.process_time()
    pages = render(content)
    t_render, c_render = time.perf_counter() - start, time.process_time() - cpu
    assets, _ = calculator_assets()
    start = time.perf_counter()
    write_tree({**assets, **pages}, root / "docs")
    t_write = time.perf_counter() - start

    site = root / "site"
    cpu = _child_cpu()
    build_wall, build_peak, _ = _timed([sys.executable, "-m", "scripts", "--root", str(root), "--docs", str(root / "docs"),
                               "build", "--site", str(site)], REPO)
    c_build = _child_cpu() - cpu
    if count <= 1000:
        start, cpu = time.perf_counter(), _child_cpu()
        passed, output = run_mkdocs(REPO / "mkdocs.yml", root / "docs", root / "site-mkdocs")
        t_mkdocs, c_mkdocs = time.perf_counter() - start, _child_cpu() - cpu
        if not passed:
            raise SystemExit(output[-3000:])
    else:  # a second 10,000-page MkDocs run costs many minutes: derive it from the full build instead
        t_mkdocs = build_wall - (t_check + t_render + t_write)
        c_mkdocs = c_build - (c_check + c_render)
    site_bytes = _size(site)
    entry_bytes = _size(site / "entries")
    return {
        "entries": count, "generate_s": generate, "check_s": t_check, "render_s": t_render, "write_s": t_write,
        "build_s": build_wall, "mkdocs_s": t_mkdocs, "build_cpu": c_build, "check_cpu": c_check,
        "render_cpu": c_render, "mkdocs_cpu": c_mkdocs, "pipeline_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "build_peak_mb": build_peak / 1024, "site_mb": site_bytes / 1e6, "per_entry_kb": entry_bytes / count / 1e3,
        "search_index_mb": (site / "search/search_index.json").stat().st_size / 1e6,
    }


def table(rows: list[dict]) -> str:
    """The results as a Markdown table plus the derived ratios (wall time / CPU time in seconds)."""
    lines = ["| entries | full build wall / CPU | check (load+validate+cross-check+verify) wall / CPU "
             "| validated per CPU second | render wall / CPU | mkdocs alone wall / CPU "
             "| (check+render) / mkdocs, CPU | in-process pipeline peak RSS | full build peak RSS (largest process) "
             "| site | per entry page "
             "| search index |",
             "|" + "---|" * 11]
    for r in rows:
        lines.append(
            f"| {r['entries']:,} | {r['build_s']:.1f} s / {r['build_cpu']:.1f} s "
            f"| {r['check_s']:.2f} s / {r['check_cpu']:.2f} s | {r['entries'] / r['check_cpu']:,.0f} "
            f"| {r['render_s']:.2f} s / {r['render_cpu']:.2f} s | {r['mkdocs_s']:.1f} s / {r['mkdocs_cpu']:.1f} s "
            f"| {(r['check_cpu'] + r['render_cpu']) / r['mkdocs_cpu']:.1%} | {r['pipeline_peak_mb']:.0f} MB "
            f"| {r['build_peak_mb']:.0f} MB | {r['site_mb']:.1f} MB | {r['per_entry_kb']:.1f} KB "
            f"| {r['search_index_mb']:.1f} MB |")
    by_size = {r["entries"]: r for r in rows}
    if 1000 in by_size and 10000 in by_size:
        big, small = by_size[10000], by_size[1000]
        lines.append(f"\nFull-build ratio 10k/1k: {big['build_s'] / small['build_s']:.1f} wall, "
                     f"{big['build_cpu'] / small['build_cpu']:.1f} CPU (linear is 10).")
    return "\n".join(lines)


def record(text: str) -> None:
    """Replace this benchmark's section of bench/RESULTS.md, keeping every other section."""
    section = f"{BEGIN}\n{text}\n{END}"
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    if BEGIN in current and END in current:
        current = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: section, current, flags=re.S)
    else:
        current = current.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(current, encoding="utf-8")


def main() -> int:
    """Run the sizes in BENCH_SIZES (default 100 and 1000), print and record the table."""
    sizes = [int(size) for size in os.environ.get("BENCH_SIZES", "100 1000").split()]
    earlier = {row["entries"]: row for row in json.loads(RAW.read_text())} if RAW.exists() else {}
    rows = []
    load_before = os.getloadavg()[0]
    for count in sorted(sizes):
        print(f"benchmarking {count} entries ...", file=sys.stderr, flush=True)
        rows.append(measure(count))
        print(table(rows), flush=True)
    for row in rows:
        row["load_average"] = os.getloadavg()[0]
        earlier[row["entries"]] = row
    RAW.write_text(json.dumps([earlier[size] for size in sorted(earlier)], indent=1) + "\n")
    rows = [earlier[size] for size in sorted(earlier)]
    text = ("## Content pipeline and site build (PIPE, `make bench`)\n\n"
            f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on this 2-core machine (shared with "
            "other jobs), synthetic entries of about 3 KB YAML each (4 sections, 4 FAQ items, 3 related ids). "
            "Targets: 1,000 entries built in at most 5 s, 10,000 in at most 60 s; validating 10,000 in at most "
            "2 s; load + validate + render at most 10% of the MkDocs time. For 10,000 entries MkDocs alone is "
            "derived as full build minus the pipeline stages (a second 10,000-page run takes many minutes). "
            f"System load average (1 min) {load_before:.1f} at the start and {os.getloadavg()[0]:.1f} at the end: "
            "on 2 cores, anything above 2 means the other jobs slowed the wall times down; CPU times "
            "(user + system, this process or its children) are less affected.\n\n" + table(rows))
    record(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
