"""Synthetic entries for the benchmarks: realistic size and shape, valid against the schema."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
WORDS = ("margin position price liquidation balance fund insurance leverage funding mark index order "
         "fee taker maker wallet equity loss profit exchange trader contract perpetual isolated cross "
         "maintenance initial rate tier risk limit deficit deposit withdraw interest loan").split()


def _sentence(rng: random.Random, words: int = 12) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(4))


def entry(index: int, count: int, categories: list[str], rng: random.Random) -> dict:
    """One synthetic entry (about 3 KB of YAML, like the real ones)."""
    entry_id = f"entry-{index:05d}"
    related = sorted({f"entry-{rng.randrange(count):05d}" for _ in range(3)} - {entry_id})
    day = 1 + index % 28
    return {
        "id": entry_id,
        "title": f"Synthetic question number {index} about {rng.choice(WORDS)}?",
        "summary": _sentence(rng, 14)[:150],
        "category": categories[index % len(categories)],
        "tags": sorted({rng.choice(WORDS) for _ in range(3)}),
        "difficulty": rng.choice(["beginner", "intermediate", "advanced"]),
        "published": f"2025-{1 + index % 12:02d}-{day:02d}",
        "reviewed": f"2026-{1 + index % 11:02d}-{day:02d}",
        "key_takeaways": [_sentence(rng, 10) for _ in range(4)],
        "sections": [{"heading": f"Section {n}: {rng.choice(WORDS)} and {rng.choice(WORDS)}",
                      "body": _paragraph(rng) + "\n\n" + _paragraph(rng)
                      + ("\n\n- " + "\n- ".join(_sentence(rng, 6) for _ in range(4)) if n == 1 else "")
                      + (" See [the glossary](../glossary.md#margin)." if n == 2 else "")}
                     for n in range(4)],
        "faq": [{"question": f"Question {n} about {rng.choice(WORDS)} {rng.choice(WORDS)}?",
                 "answer": _paragraph(rng)} for n in range(4)],
        "sources": [{"title": "Insurance Fund", "url": "https://www.bybit.com/en/help-center/article/Insurance-Fund",
                     "publisher": "Bybit", "accessed": "2026-11-28"}],
        "related": related,
        "terms": ["margin", "liquidation-price"],
    }


def make_project(root: Path, count: int, seed: int = 1) -> Path:
    """A project folder with the real content/ and ``count`` synthetic entries added to its entries.

    The real entries stay: the glossary and the hand-written pages link to them.
    """
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(REPO / "content", root / "content")
    entries = root / "content" / "entries"
    categories = [c["id"] for c in yaml.safe_load((REPO / "content/categories.yaml").read_text())]
    rng = random.Random(seed)
    for index in range(count):
        data = entry(index, count, categories, rng)
        (entries / f"{data['id']}.yaml").write_text(
            yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")
    return root
