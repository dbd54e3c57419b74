"""Calculator bundle benchmark: size of the compiled formulas and how fast Node runs them.

``python -m bench.bench_bundle`` builds ``mncalc.js`` with ``calculators.jsbuild.build_bundle()``, measures
its size raw and gzipped (level 9), the share taken by PScript's standard-library helpers, the largest
compiled functions, the catalogue JSON, the build time, and the calls per second of every calculator's
defaults in one persistent Node process. Results replace the "Calculator bundle" section of
bench/RESULTS.md (its own section, through bench/results.py; other sections are left alone).
"""

from __future__ import annotations

import datetime
import gzip
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from bench import results
from calculators import jsbuild
from calculators.catalogue import CATALOGUE, positional_args, to_json

REPO = Path(__file__).resolve().parent.parent
CALLS = 20000

NODE_TIMER = r"""
const lib = require(process.argv[2]);
const jobs = JSON.parse(require("fs").readFileSync(process.argv[3], "utf8"));
const out = {};
for (const [id, fn, args, n] of jobs) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) lib[fn](...args);
  out[id] = Number(process.hrtime.bigint() - t) / 1e9;
}
console.log(JSON.stringify(out));
"""


def gz(text: str) -> int:
    """Gzipped size (level 9) of ``text`` in bytes."""
    return len(gzip.compress(text.encode("utf-8"), compresslevel=9))


def measure() -> dict:
    """Build the bundle and return the measurements."""
    started = time.perf_counter()
    bundle = jsbuild.build_bundle()
    build_seconds = time.perf_counter() - started
    parts, std_functions, std_methods, _ = jsbuild.compile_parts()
    from pscript import stdlib

    helpers = stdlib.get_partial_std_lib(std_functions, std_methods, indent=0)
    functions = sorted(((len(str(part)), fn.__name__) for part, fn in zip(parts, jsbuild.formula_functions())),
                       reverse=True)
    catalogue_json = json.dumps(to_json(), ensure_ascii=False)
    with tempfile.TemporaryDirectory() as tmp:
        bundle_path, jobs_path, timer = Path(tmp, "mncalc.js"), Path(tmp, "jobs.json"), Path(tmp, "timer.js")
        bundle_path.write_text(bundle, encoding="utf-8")
        timer.write_text(NODE_TIMER, encoding="utf-8")
        jobs = [[c.id, c.function.__name__, positional_args(c, {}), CALLS] for c in CATALOGUE]
        jobs_path.write_text(json.dumps(jobs), encoding="utf-8")
        done = subprocess.run(["node", str(timer), str(bundle_path), str(jobs_path)], capture_output=True,
                              text=True, check=True, timeout=300)
        node_seconds = json.loads(done.stdout)
    return {
        "bundle": bundle, "build_seconds": build_seconds, "helpers": helpers, "functions": functions,
        "catalogue_json": catalogue_json, "node_seconds": node_seconds,
    }


def report(m: dict) -> str:
    """The Markdown section for RESULTS.md."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0]
    lines = [
        "## Calculator bundle (CALC, `python -m bench.bench_bundle`)",
        "",
        f"Measured {now} on this 2-core machine (load average {load:.1f}: other jobs were running). "
        "`mncalc.js` is every function in calculators/formulas/ compiled by PScript 0.8.1 into one UMD module, "
        "standard-library helpers included once, docstrings and indentation left out.",
        "",
        "| file | bytes | gzipped (level 9) |",
        "|---|---|---|",
        f"| mncalc.js (whole bundle) | {len(m['bundle']):,} | {gz(m['bundle']):,} |",
        f"| of which PScript helpers | {len(m['helpers']):,} | {gz(m['helpers']):,} |",
        f"| catalogue.json | {len(m['catalogue_json'].encode('utf-8')):,} | {gz(m['catalogue_json']):,} |",
        "",
        f"Build time (compile all {len(m['functions'])} functions and assemble): {m['build_seconds'] * 1000:.0f} ms. "
        "Largest compiled functions: "
        + ", ".join(f"{name} {size:,} B" for size, name in m["functions"][:4]) + ".",
        "",
        f"Node 20, one process, each calculator's defaults called {CALLS:,} times:",
        "",
        "| calculator | calls per second |",
        "|---|---|",
    ]
    for calc in CATALOGUE:
        lines.append(f"| {calc.id} | {CALLS / m['node_seconds'][calc.id]:,.0f} |")
    return "\n".join(lines)



def main() -> None:
    """Measure, print and record."""
    section = report(measure())
    print(section)
    results.record("bundle-bench", section.strip("\n"))


if __name__ == "__main__":
    main()
