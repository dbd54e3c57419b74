"""The regression corpus of hostile and broken inputs (cases.yaml) and the project builder that applies it."""

from __future__ import annotations

import random
from pathlib import Path

import yaml

CASES_FILE = Path(__file__).resolve().parent / "cases.yaml"
CASES: list[dict] = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
BUILT = [case for case in CASES if case["expect"] == "built"]
REJECTED = [case for case in CASES if case["expect"] == "rejected"]

_BOMB = "lol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9))


def generated(name: str, good: str) -> bytes:
    """The bytes of a generated case file (the alias bomb, a huge file, other encodings)."""
    if name == "alias-bomb":
        return good.replace("key_takeaways:\n", _BOMB + "key_takeaways:\n").encode()
    if name == "deep-nesting":
        return good.replace("title: What is a good entry?", "title: " + "[" * 50 + "]" * 50).encode()
    if name == "huge":
        return (good + "# " + "x" * (300 * 1024 - len(good) - 3) + "\n").encode()
    if name == "latin-1":
        return good.replace("What is a good entry?", "Qu'est-ce qu'une entrée ?").encode("latin-1")
    if name == "utf-16":
        return good.encode("utf-16")
    raise KeyError(name)


def target_file(case: dict, content: Path, in_place: bool) -> Path:
    """The file a case changes: the good entry itself (in_place) or a new file named after the case."""
    target = case["target"]
    if target == "real-entry":
        return content / "entries" / case["file"]
    if target == "entry":
        return content / "entries" / ("good-entry.yaml" if in_place else f"corpus-{case['id']}.yaml")
    if target == "page":
        return content / "pages" / case.get("name", f"corpus-{case['id']}.md")
    return content / {"category": "categories.yaml", "term": "glossary.yaml", "site": "site.yaml"}[target]


def apply(case: dict, content: Path, good: str, in_place: bool) -> Path:
    """Apply one case to the project's ``content`` folder; returns the file it changed."""
    path = target_file(case, content, in_place)
    if case["target"] == "entry":
        text = good if in_place else good.replace("id: good-entry", f"id: corpus-{case['id']}", 1)
    elif case["target"] in ("category", "term", "site", "real-entry"):
        text = path.read_text(encoding="utf-8")
    else:
        text = ""
    if "generate" in case:
        path.write_bytes(generated(case["generate"], text))
        return path
    if "edit" in case:
        old, new = case["edit"]
        assert old in text, f"case {case['id']}: {old!r} is not in {path.name}"
        text = text.replace(old, new, 1)
    if "text" in case:
        text = (text.rstrip("\n") + "\n" + case["text"]) if case["target"] in ("category", "term") else case["text"]
    path.write_text(text, encoding="utf-8")
    return path


_PIECES = list("\\`*_[]()#+-!|~^=:&\"'.;/ ") + ["javascript:", "](", "<!--", "<![CDATA[", "&#106;", "&lt;",
                                               "</title>", "{ onclick=alert(1) }", "<img src=x onerror=alert(1)>",
                                               "ab", "é", "*[ab]: t", "[^1]", "\"><script>alert(1)</script>"]


def random_plain(seed: int, count: int, schema_safe: bool = False) -> list[str]:
    """``count`` random strings of Markdown and HTML syntax (without ``{}<>`` when ``schema_safe``)."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        text = "".join(rng.choice(_PIECES) for _ in range(rng.randint(3, 10)))
        if schema_safe:
            text = "".join(char for char in text if char not in "{}<>")
        out.append(("x" + " ".join(text.split()))[:70] + "x")
    return out


def random_plain_case() -> tuple[dict, dict, dict, list[str]]:
    """Random strings in every plain-text field: (entry edits, category item, term item, all strings)."""
    title, heading, question = random_plain(7, 3, schema_safe=True)
    source, publisher, category = random_plain(8, 3)
    term = "".join(char for char in random_plain(9, 1)[0] if char not in "[]\\<>")  # the glossary's wording rule
    edits = {"title: What is a good entry?": f"title: {_quoted(title)}",
             "  - heading: The first section": f"  - heading: {_quoted(heading)}",
             "  - question: Is this the first question?": f"  - question: {_quoted(question)}",
             "  - title: Insurance Fund": f"  - title: {_quoted(source)}",
             "    publisher: Bybit": f"    publisher: {_quoted(publisher)}"}
    return edits, {"id": "corpus-random", "title": category, "description": "Random text."}, \
        {"id": "corpus-random", "term": term, "definition": "Random text."}, \
        [title, heading, question, source, publisher, category, term]


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_of(case: dict) -> str:
    """The site path (folder URL) where a built case's text shows."""
    if "page" in case:
        return case["page"]
    return f"entries/corpus-{case['id']}/"
