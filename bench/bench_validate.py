"""Validation and incremental benchmarks (issue 14, items 1 and 2); results in bench/RESULTS.md.

``python -m bench.bench_validate`` measures 1,000 and 10,000 synthetic entries (``BENCH_SIZES`` to
change), each in one run, CPU seconds (user + system), every command a fresh process as an editor
runs it:

- cold load + schema validation in this process (the issue's "entries per CPU second", goal 3,000);
- ``validate`` cold (no content cache), then warm (nothing changed: goal 1 s at 10,000), then after one
  entry changed;
- ``render`` (every stage of ``make site`` before MkDocs: check, render, write the docs folder) warm and
  after one entry changed (goal 1 s).

With ``BENCH_BASELINE=<checkout>`` (e.g. ``/work/main``), every step also runs with that checkout's code
(its own working directory, its own copy of the project), interleaved step by step, so the table sets
this code beside the baseline's under the same load.

The load average is recorded: on 2 shared cores, compare numbers of one run, not across runs.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench import results
from bench import trash
from bench.generate import REPO, make_project

OUT = REPO / "bench" / "out"
RAW = REPO / "bench" / "validate-results.json"


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(root: Path, *args: str, cache: bool = True, tree: Path = REPO) -> float:
    """CPU seconds of ``python -m scripts --root root ...`` run in ``tree`` (fails loudly on a non-zero exit)."""
    env = dict(_env(tree), NO_MKDOCS_2_WARNING="1", MARGIN_NOTES_CACHE="1" if cache else "0")
    before = _child_cpu()
    result = subprocess.run([sys.executable, "-m", "scripts", "--root", str(root), "--docs", str(root / "docs"), *args],
                            cwd=tree, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{args}: exit {result.returncode}\n{result.stderr[-2000:]}")
    return _child_cpu() - before


def _env(tree: Path) -> dict:
    """The environment of a run in ``tree``. Another checkout must not gain files: without
    PYTHONDONTWRITEBYTECODE, its bytecode would be written into it, so the baseline is refused then."""
    if tree != REPO and os.environ.get("PYTHONDONTWRITEBYTECODE") != "1":
        raise SystemExit("BENCH_BASELINE: set PYTHONDONTWRITEBYTECODE=1 (both trees then compile alike)")
    return dict(os.environ)


def _load_validate_cpu(root: Path, tree: Path = REPO) -> float:
    """CPU seconds of load + schema validation of every file, cold, in a fresh process."""
    code = ("import sys,time;from pathlib import Path;from scripts.pipeline.build import load_content;"
            "from scripts.pipeline.cache import ContentCache;from scripts.pipeline.content import Layout;"
            f"layout=Layout(Path({str(root)!r}));t=time.process_time();"
            "c,p=load_content(layout,(),ContentCache(layout.root,layout.schemas,enabled=False));"
            "assert not p,p[:3];print(time.process_time()-t)")
    result = subprocess.run([sys.executable, "-c", code], cwd=tree, env=_env(tree), capture_output=True, text=True,
                            check=True)
    return float(result.stdout.strip())


def _change(root: Path, count: int) -> None:
    """Change the summary of the middle entry: "Changed N." with N one more than it held (mod 10), so
    every call changes the file, whatever an earlier, interrupted run left in it."""
    path = sorted((root / "content" / "entries").glob("entry-*.yaml"))[count // 2]
    text = path.read_text(encoding="utf-8")
    held = re.search(r"^summary: Changed (\d+)\. ", text, flags=re.M)
    number = (int(held.group(1)) + 1) % 10 if held else 1
    path.write_text(re.sub(r"^summary: (Changed \d+\. )?", f"summary: Changed {number}. ", text, count=1, flags=re.M),
                    encoding="utf-8")


def _trees() -> dict[str, Path]:
    """The code to measure: this checkout, and the baseline's when ``BENCH_BASELINE`` names one."""
    trees = {"this": REPO}
    baseline = os.environ.get("BENCH_BASELINE")
    if baseline:
        trees["baseline"] = Path(baseline).resolve()
    return trees


def measure(count: int) -> list[dict]:
    """Every number for one size: one row per tree of :func:`_trees`, their steps interleaved."""
    source = OUT / f"validate-{count}"
    if not (source / "content" / "entries" / f"entry-{count - 1:05d}.yaml").is_file():
        trash.set_aside(source)
        make_project(source, count)
    roots, rows = {}, {}
    for name, tree in _trees().items():
        root = source if name == "this" else OUT / f"validate-{count}-{name}"
        if root != source:  # nothing is deleted while measuring (bench/trash.py)
            trash.set_aside(root)
            shutil.copytree(source / "content", root / "content")
        for stale in (root / ".cache", root / "docs"):
            trash.set_aside(stale)
        roots[name] = root
        rows[name] = {"entries": count, "code": name if name == "this" else f"baseline ({tree})"}
    steps = [("load_validate_cpu", None, None), ("validate_cold_cpu", "validate", None),
             ("validate_first_cpu", "validate", None), ("validate_warm_cpu", "validate", None),
             ("validate_change_cpu", "validate", 1), ("render_first_cpu", "render", None),
             ("render_warm_cpu", "render", None), ("render_change_cpu", "render", 2)]
    for field, command, change in steps:
        for name, tree in _trees().items():
            rows[name].setdefault("load", os.getloadavg()[0])
            if change:
                _change(roots[name], count)
            if command is None:
                rows[name][field] = _load_validate_cpu(roots[name], tree)
            else:  # the cold run writes no cache (MARGIN_NOTES_CACHE=0); the next one writes them
                rows[name][field] = _run(roots[name], command, cache=field != "validate_cold_cpu", tree=tree)
    return list(rows.values())


def table(rows: list[dict]) -> str:
    """The results as one Markdown table (CPU seconds)."""
    lines = ["| entries | code | load avg | load+validate (cold, in process) | entries/CPU s | validate cold | "
             "validate first cached run | validate warm | validate one change | render warm | render one change |",
             "|" + "---|" * 11]
    for r in rows:
        lines.append(f"| {r['entries']:,} | {r.get('code', 'this')} | {r['load']:.1f} | {r['load_validate_cpu']:.2f} | "
                     f"{r['entries'] / r['load_validate_cpu']:,.0f} | {r['validate_cold_cpu']:.2f} | "
                     f"{r['validate_first_cpu']:.2f} | {r['validate_warm_cpu']:.2f} | {r['validate_change_cpu']:.2f} | "
                     f"{r['render_warm_cpu']:.2f} | {r['render_change_cpu']:.2f} |")
    return "\n".join(lines)




def main() -> int:
    """Run every size in BENCH_SIZES (default 1000 10000); print and record the table."""
    sizes = sorted(int(size) for size in os.environ.get("BENCH_SIZES", "1000 10000").split())
    before = os.getloadavg()
    rows = []
    with trash.emptied():
        for count in sizes:
            print(f"validate benchmark: {count} entries ...", file=sys.stderr, flush=True)
            rows.extend(measure(count))
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
