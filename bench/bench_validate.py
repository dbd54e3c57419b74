"""Validation and incremental benchmarks (issue 14, items 1 and 2); results in bench/RESULTS.md.

``python -m bench.bench_validate`` measures 1,000 and 10,000 synthetic entries (``BENCH_SIZES`` to
change), each in one run, CPU seconds (user + system), every command a fresh process as an editor
runs it:

- cold load + schema validation in this process (the issue's "entries per CPU second", goal 3,000);
- ``validate`` cold (no content cache), then warm (nothing changed: goal 1 s at 10,000), then after one
  entry changed;
- ``render`` (every stage of ``make site`` before MkDocs: check, render, write the docs folder) warm and
  after one entry changed (goal 1 s).

The load average is recorded: on 2 shared cores, compare numbers of one run, not across runs.
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

from bench import results
from bench.generate import REPO, make_project

OUT = REPO / "bench" / "out"
RAW = REPO / "bench" / "validate-results.json"


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(root: Path, *args: str, cache: bool = True) -> float:
    """CPU seconds of ``python -m scripts --root root ...`` (fails loudly on a non-zero exit)."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", MARGIN_NOTES_CACHE="1" if cache else "0")
    before = _child_cpu()
    result = subprocess.run([sys.executable, "-m", "scripts", "--root", str(root), "--docs", str(root / "docs"), *args],
                            cwd=REPO, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{args}: exit {result.returncode}\n{result.stderr[-2000:]}")
    return _child_cpu() - before


def _load_validate_cpu(root: Path) -> float:
    """CPU seconds of load + schema validation of every file, cold, in a fresh process."""
    code = ("import sys,time;from pathlib import Path;from scripts.pipeline.build import load_content;"
            "from scripts.pipeline.cache import ContentCache;from scripts.pipeline.content import Layout;"
            f"layout=Layout(Path({str(root)!r}));t=time.process_time();"
            "c,p=load_content(layout,(),ContentCache(layout.root,layout.schemas,enabled=False));"
            "assert not p,p[:3];print(time.process_time()-t)")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return float(result.stdout.strip())


def _change(root: Path, count: int, n: int) -> None:
    path = sorted((root / "content" / "entries").glob("entry-*.yaml"))[count // 2]
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^summary: (Changed \d+\. )?", f"summary: Changed {n}. ", text, count=1, flags=re.M),
                    encoding="utf-8")


def measure(count: int) -> dict:
    """Every number for one size."""
    root = OUT / f"validate-{count}"
    if not (root / "content" / "entries" / f"entry-{count - 1:05d}.yaml").is_file():
        make_project(root, count)
    for stale in (root / ".cache", root / "docs"):
        subprocess.run(["rm", "-rf", str(stale)], check=True)
    row = {"entries": count, "load": os.getloadavg()[0]}
    row["load_validate_cpu"] = _load_validate_cpu(root)
    row["validate_cold_cpu"] = _run(root, "validate", cache=False)
    row["validate_first_cpu"] = _run(root, "validate")  # writes the caches
    row["validate_warm_cpu"] = _run(root, "validate")
    _change(root, count, 1)
    row["validate_change_cpu"] = _run(root, "validate")
    row["render_first_cpu"] = _run(root, "render")
    row["render_warm_cpu"] = _run(root, "render")
    _change(root, count, 2)
    row["render_change_cpu"] = _run(root, "render")
    return row


def table(rows: list[dict]) -> str:
    """The results as one Markdown table (CPU seconds)."""
    lines = ["| entries | load avg | load+validate (cold, in process) | entries/CPU s | validate cold | "
             "validate first cached run | validate warm | validate one change | render warm | render one change |",
             "|" + "---|" * 10]
    for r in rows:
        lines.append(f"| {r['entries']:,} | {r['load']:.1f} | {r['load_validate_cpu']:.2f} | "
                     f"{r['entries'] / r['load_validate_cpu']:,.0f} | {r['validate_cold_cpu']:.2f} | "
                     f"{r['validate_first_cpu']:.2f} | {r['validate_warm_cpu']:.2f} | {r['validate_change_cpu']:.2f} | "
                     f"{r['render_warm_cpu']:.2f} | {r['render_change_cpu']:.2f} |")
    return "\n".join(lines)




def main() -> int:
    """Run every size in BENCH_SIZES (default 1000 10000); print and record the table."""
    sizes = sorted(int(size) for size in os.environ.get("BENCH_SIZES", "1000 10000").split())
    before = os.getloadavg()
    rows = []
    for count in sizes:
        print(f"validate benchmark: {count} entries ...", file=sys.stderr, flush=True)
        rows.append(measure(count))
        print(table(rows), flush=True)
    RAW.write_text(json.dumps(rows, indent=1) + "\n")
    after = os.getloadavg()
    results.record("validate-bench", "## Validation and the content cache (`python -m bench.bench_validate`)\n\n"
           f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on this 2-core machine, shared: load "
           f"average (1, 5, 15 min) {', '.join(f'{x:.1f}' for x in before)} at the start and "
           f"{', '.join(f'{x:.1f}' for x in after)} at the end (the table gives the 1-minute load at each size). "
           "CPU seconds (user + system), each command a fresh process. Goals (issue 14): ≥ 3,000 entries per CPU "
           "second cold; `validate` warm ≤ 1 s at 10,000; `render` (our stages before MkDocs) after one change "
           "≤ 1 s.\n\n" + table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
