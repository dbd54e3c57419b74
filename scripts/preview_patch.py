"""The HTML of a long list page after a few of its items changed, without converting the whole page
again (used by :mod:`scripts.preview_resident`).

A category page lists every entry of its category, one line each (``- [title](../entries/id.md):
summary``): at 10,000 entries some 1,670 lines, about 0.35 s of Python-Markdown for a save that changed
one of them. When the Markdown before and after a save differ only in a few runs of consecutive simple
list items, each with an unchanged simple list item on either side (a retitled entry moves in a list
sorted by title: one run where it was, one where it goes), each run's items are converted alone (with
those two neighbours, as a list of their own) and their HTML replaces the old items' HTML in the page
kept from its last conversion. Anything else returns None, and the page is converted as a whole.

Python-Markdown turns each line of a tight list (no blank lines, no continuation lines) into one
``<li>...</li>`` line on its own; what could make one item's HTML depend on the rest of the page is
refused: footnotes and link reference definitions anywhere in the page, abbreviation definitions
anywhere but in one block at the page's end (the glossary's; they are converted with the items, as
they apply to the whole page), and in the changed items raw HTML, attribute lists, anchors (the page's links to anchors are kept as they were)
and task list markers (they change the list's own class). The two neighbours must come out as they
were in the page, and the old items' HTML must appear exactly once in it.
"""

from __future__ import annotations

import difflib
import re
from typing import Callable

_ITEM = re.compile(r"- (?!\[[ xX]\])[^\s<>{}#].*")  # a one-line list item that is not a task
_REFUSED_ITEM = re.compile(r"[<>{}#]|\[\^|  $|\\$")  # raw HTML, attribute lists, anchors, footnotes, hard breaks
# page-wide definitions whose effect crosses items: footnotes, link references
_DEFINITIONS = re.compile(r"^ {0,3}(?:\[\^[^\]]*\]:|\[[^\]]+\]:)", re.MULTILINE)
_ABBREVIATION = re.compile(r"\*\[[^\]]+\]: .*")  # one whole definition line
# pages with fewer list items are converted as a whole (fast anyway) and not kept: an entry page lists a
# few dozen at most, a category page every entry of its category
MIN_ITEMS = 100
MAX_HUNKS = 8  # more runs of changed lines than this: the page is converted whole
_SHORT = 4  # a changed middle this short (lines, on either side) is one run


def list_items(markdown_text: str) -> int:
    """About how many list items ``markdown_text`` has (lines that start with ``- ``)."""
    return markdown_text.count("\n- ") + markdown_text.startswith("- ")


def _simple(line: str) -> bool:
    """Whether ``line`` is a one-line list item whose HTML depends on nothing else in the page."""
    return _ITEM.fullmatch(line) is not None and _REFUSED_ITEM.search(line) is None


def _abbreviations(lines: list[str]) -> list[str] | None:
    """The block of abbreviation definitions that ends the page (blank lines and definitions only;
    empty when there is none), or None when a definition stands anywhere else."""
    first = next((n for n, line in enumerate(lines) if line.startswith("*[")), len(lines))
    tail = lines[first:]
    if not all(not line.strip() or _ABBREVIATION.fullmatch(line) for line in tail):
        return None
    return tail


def _items_html(html: str) -> list[str] | None:
    """The ``<li>`` lines of a converted one-list document, or None if it is not one tight list."""
    lines = html.split("\n")
    if len(lines) < 3 or lines[0] != "<ul>" or lines[-1] != "</ul>":
        return None
    items = lines[1:-1]
    if not all(item.startswith("<li>") and item.endswith("</li>") and item.count("<li>") == 1 for item in items):
        return None
    return items


def _hunks(old: list[str], new: list[str], start: int, end: int) -> list[tuple[int, int, int, int]]:
    """The changed runs of lines between the first ``start`` and the last ``end`` lines (equal in both),
    as (old start, old end, new start, new end): one run, or the runs ``difflib`` finds when the changed
    middle is long (an item moved far: its old place and its new one, not every item in between)."""
    i2, j2 = len(old) - end, len(new) - end
    if min(i2 - start, j2 - start) <= _SHORT:
        return [(start, i2, start, j2)]
    matcher = difflib.SequenceMatcher(None, old[start:i2], new[start:j2], autojunk=False)
    return [(start + a1, start + a2, start + b1, start + b2)
            for tag, a1, a2, b1, b2 in matcher.get_opcodes() if tag != "equal"]


def patched(old_markdown: str, old_html: str, new_markdown: str, convert: Callable[[str], str]) -> str | None:
    """The HTML ``new_markdown`` converts to, made from ``old_html`` (what ``old_markdown`` converted
    to) and ``convert`` of the changed list items alone; None when that is not safe (see the module).

    Each run of changed lines (at most :data:`MAX_HUNKS`) is converted with its two unchanged
    neighbours and replaced on its own, the last run first (a neighbour two runs share comes out as it
    was, so the earlier run still finds it)."""
    if _DEFINITIONS.search(new_markdown) or _DEFINITIONS.search(old_markdown):
        return None
    old, new = old_markdown.split("\n"), new_markdown.split("\n")
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0  # lines equal at the end
    while end < limit - start and old[-1 - end] == new[-1 - end]:
        end += 1
    if start < 2 or end < 2:
        return None  # a change at the very start or end: not inside a list
    if start == len(old) - end and start == len(new) - end:
        return None
    definitions = _abbreviations(new)
    if definitions is None or definitions != _abbreviations(old) or len(definitions) >= end:
        return None  # (the changed lines lie before the definitions)
    tail = "\n".join(["", "", *definitions])
    hunks = _hunks(old, new, start, end)
    if len(hunks) > MAX_HUNKS:
        return None
    html = old_html
    for i1, i2, j1, j2 in reversed(hunks):
        old_mid, new_mid = old[i1:i2], new[j1:j2]
        if not all(map(_simple, [*old_mid, *new_mid])):
            return None
        lead = [old[i1 - 1]] if _simple(old[i1 - 1]) else []  # else the list's first item changed
        trail = [old[i2]] if _simple(old[i2]) else []  # else its last one
        if not lead and not _list_edge(old, new, i1 - 1, j1 - 1, -1) or \
                not trail and not _list_edge(old, new, i2, j2, 1) or not lead and not trail:
            return None
        old_items = _items_html(convert("\n".join([*lead, *old_mid, *trail]) + tail).strip())
        new_items = _items_html(convert("\n".join([*lead, *new_mid, *trail]) + tail).strip())
        sides = len(lead) + len(trail)
        if old_items is None or new_items is None or len(old_items) != len(old_mid) + sides or \
                len(new_items) != len(new_mid) + sides or (lead and old_items[0] != new_items[0]) or \
                (trail and old_items[-1] != new_items[-1]):
            return None
        opening, closing = "\n" if lead else "<ul>\n", "\n" if trail else "\n</ul>"
        run = opening + "\n".join(old_items) + closing
        if html.count(run) != 1:
            return None
        html = html.replace(run, opening + "\n".join(new_items) + closing)
    return html


def _list_edge(old: list[str], new: list[str], i: int, j: int, step: int) -> bool:
    """Whether line ``i`` of ``old`` (``j`` of ``new``) is a blank line between a list and a heading,
    unchanged: before the list (``step`` -1) or after it (``step`` 1). Then the list starts or ends
    there for Python-Markdown whatever its items are (a list item beyond the blank line would make it
    loose, a paragraph might continue into it)."""
    if old[i] != "" or new[j] != "" or not (0 <= i + step < len(old) and 0 <= j + step < len(new)):
        return False
    return old[i + step] == new[j + step] and old[i + step].startswith("#")
