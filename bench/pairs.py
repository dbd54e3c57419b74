"""The full build against MkDocs + Pagefind, as alternated pairs (issue 14's headline ratio).

``make bench`` builds several pairs, each a cold full build and ``mkdocs build`` + Pagefind on the
same pages, and reports the median ratio with its range, user and system CPU apart.

Nothing is deleted while pairs are measured: earlier outputs are moved aside (bench/trash.py says
why), and which side runs first alternates between pairs (:func:`build_first`), so what is left of
any order effect falls on both.
"""

from __future__ import annotations

import os
import statistics

PAIRS_ENV = "BENCH_PAIRS"
PARTS = ("build", "mkdocs", "pagefind")


def count(entries: int) -> int:
    """How many pairs to build at ``entries``: ``BENCH_PAIRS`` when set, else 5 up to 2,000 entries
    (a pair takes under a minute there; user CPU alone still moves by a few per cent between runs)
    and 2 above (a pair at 10,000 takes about six minutes; two, so each side runs first once)."""
    given = os.environ.get(PAIRS_ENV, "").strip()
    if given:
        if not given.isdigit() or int(given) < 1:
            raise SystemExit(f"{PAIRS_ENV}={given!r}: give a whole number of pairs, 1 or more")
        return int(given)
    return 5 if entries <= 2000 else 2


def build_first(index: int) -> bool:
    """Whether pair ``index`` (from 0) runs the full build before MkDocs + Pagefind: every other one."""
    return index % 2 == 0


def ratios(pair: dict) -> dict:
    """One pair's ratios: full build CPU over MkDocs + Pagefind CPU (user + system, and user alone),
    and over MkDocs alone."""
    cpu = {part: pair[f"{part}_user"] + pair[f"{part}_sys"] for part in PARTS}
    return {"ratio": cpu["build"] / (cpu["mkdocs"] + cpu["pagefind"]),
            "ratio_user": pair["build_user"] / (pair["mkdocs_user"] + pair["pagefind_user"]),
            "ratio_mkdocs": cpu["build"] / cpu["mkdocs"]}


def summary(pairs: list[dict]) -> dict:
    """Medians over ``pairs`` of every time and ratio, plus each ratio's smallest and largest value."""
    if not pairs:
        raise ValueError("no pair was measured")
    out: dict = {"pair_count": len(pairs)}
    for key in pairs[0]:
        out[key] = statistics.median(pair[key] for pair in pairs)
    for part in PARTS:
        out[f"{part}_cpu"] = out[f"{part}_user"] + out[f"{part}_sys"]
    each = [ratios(pair) for pair in pairs]
    for key in each[0]:
        values = [ratio[key] for ratio in each]
        out[key], out[f"{key}_min"], out[f"{key}_max"] = statistics.median(values), min(values), max(values)
    return out


def _spread(row: dict, key: str) -> str:
    if row["pair_count"] == 1:
        return f"{row[key]:.2f}x"
    return f"{row[key]:.2f}x ({row[key + '_min']:.2f}-{row[key + '_max']:.2f})"


def table(rows: list[dict]) -> str:
    """The pairs' Markdown table: medians, CPU as user + system seconds, ratios with their range."""
    lines = ["Full build against MkDocs + Pagefind of the same pages (medians of alternated pairs; CPU is "
             "user + system seconds; ratios are CPU, median and range over the pairs):", "",
             "| entries | pairs | full build wall / CPU | mkdocs build (same pages) wall / CPU | Pagefind wall / CPU "
             "| full / (mkdocs + Pagefind), CPU | same, user CPU only | full / mkdocs, CPU |", "|" + "---|" * 8]
    for r in rows:
        cells = [f"{r['entries']:,}", str(r["pair_count"])]
        for part in PARTS:
            cells.append(f"{r[part + '_s']:.1f} / {r[part + '_user']:.1f} + {r[part + '_sys']:.1f}")
        cells += [_spread(r, "ratio"), _spread(r, "ratio_user"), _spread(r, "ratio_mkdocs")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
