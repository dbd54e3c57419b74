"""bench/RESULTS.md: each benchmark owns one marked section and replaces only that section."""

from __future__ import annotations

import re

from bench.generate import REPO

RESULTS = REPO / "bench" / "RESULTS.md"


def record(name: str, text: str) -> None:
    """Replace the section marked ``<!-- name:begin -->`` ... ``<!-- name:end -->`` (appended when absent)."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    section = f"{begin}\n{text}\n{end}"
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    if begin in current and end in current:
        current = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: section, current, flags=re.S)
    else:
        current = current.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(current, encoding="utf-8")
