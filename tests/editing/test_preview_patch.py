"""Patching a long list page's HTML after a few items changed (scripts/preview_patch.py): the result is
Python-Markdown's conversion of the whole new page, or None when that cannot be promised."""

from __future__ import annotations

import markdown
import pytest

from scripts.preview_patch import patched

EXTENSIONS = ["abbr", "attr_list", "footnotes", "pymdownx.tasklist"]


def _convert(text: str) -> str:
    return markdown.markdown(text, extensions=EXTENSIONS)


def _page(items: list[str], tail: str = "\n*[margin]: Money set aside for a position.\n") -> str:
    return "# Margin\n\nEntries about margin.\n\n" + "".join(f"- {item}\n" for item in items) + tail


ITEMS = [f"[Question {n} about margin?](../entries/e{n}.md): Summary {n}, with *emphasis*." for n in range(10)]


@pytest.mark.parametrize("new_items", [
    ITEMS[:4] + ["[Question 4 about margin?](../entries/e4.md): A new summary ~~struck~~."] + ITEMS[5:],  # one item
    ITEMS[:3] + ITEMS[4:7] + [ITEMS[3].replace("Question 3", "Renamed 3")] + ITEMS[7:],  # an item moved
    ITEMS[:5] + ["[Added](../entries/added.md): Added, about margin."] + ITEMS[5:],  # an item added
    ITEMS[:5] + ITEMS[6:],  # an item removed
])
def test_changed_items_are_patched_into_the_whole_pages_conversion(new_items):
    old, new = _page(ITEMS), _page(new_items)
    result = patched(old, _convert(old), new, _convert)
    assert result is not None and result == _convert(new)
    assert "<abbr" in result  # the page's own abbreviations apply to the patched items too


@pytest.mark.parametrize("new_items, tail", [
    ([ITEMS[0].replace("Summary 0", "Changed")] + ITEMS[1:], None),  # the first item: no neighbour before it
    (ITEMS[:-1] + [ITEMS[-1].replace("Summary 9", "Changed")], None),  # the last item
    (ITEMS[:4] + [ITEMS[4] + "[^1]"] + ITEMS[5:], "\n[^1]: A footnote.\n"),  # footnotes number across items
    (ITEMS[:4] + [ITEMS[4] + " {: .wide }"] + ITEMS[5:], None),  # an attribute list
    (ITEMS[:4] + ["[x] done " + ITEMS[4]] + ITEMS[5:], None),  # a task marker changes the list's class
    (ITEMS[:4] + [ITEMS[4] + " <b>raw</b>"] + ITEMS[5:], None),  # raw HTML
    (ITEMS[:4] + [ITEMS[4].replace(".md)", ".md#anchor)")] + ITEMS[5:], None),  # a link to an anchor
    (ITEMS[:4] + [ITEMS[4] + " [ref][r]"] + ITEMS[5:], "\n[r]: https://example.org\n"),  # link references
])
def test_changes_whose_html_may_depend_on_the_rest_of_the_page_are_not_patched(new_items, tail):
    old = _page(ITEMS, tail) if tail else _page(ITEMS)
    new = _page(new_items, tail) if tail else _page(new_items)
    assert patched(old, _convert(old), new, _convert) is None


def test_a_change_outside_the_list_or_in_the_definitions_is_not_patched():
    old = _page(ITEMS)
    assert patched(old, _convert(old), old.replace("Entries about", "Pages about"), _convert) is None
    assert patched(old, _convert(old), old.replace("Money set aside", "Funds kept"), _convert) is None
    assert patched(old, _convert(old), old + "\n*[leverage]: A multiple.\n", _convert) is None


def test_an_item_moved_far_in_a_long_list_is_patched_in_two_short_runs():
    items = [f"[Question {n:04d}?](../entries/e{n}.md): Summary {n}." for n in range(400)]
    moved = items[:10] + items[11:350] + [items[10].replace("Question 0010", "Question 0349b")] + items[350:]
    old, new = _page(items), _page(moved)
    converted: list[str] = []

    def convert(text: str) -> str:
        converted.append(text)
        return _convert(text)

    result = patched(old, _convert(old), new, convert)
    assert result is not None and result == _convert(new)
    assert len(converted) == 4 and max(text.count("\n- ") + 1 for text in converted) <= 3  # two runs, old and new


def test_too_many_changed_runs_are_not_patched():
    items = [f"[Question {n:04d}?](../entries/e{n}.md): Summary {n}." for n in range(400)]
    changed = [item.replace("Summary", "Changed") if n % 40 == 20 else item for n, item in enumerate(items)]
    old = _page(items)
    assert patched(old, _convert(old), _page(changed), _convert) is None  # ten runs
    fewer = [item.replace("Summary", "Changed") if n % 80 == 20 else item for n, item in enumerate(items)]
    assert patched(old, _convert(old), _page(fewer), _convert) == _convert(_page(fewer))  # five runs


def test_the_first_or_last_item_of_a_list_between_headings_is_patched():
    def page(items):
        return "# Fees\n\nAbout fees.\n\n## Entries\n\n" + "".join(f"- {item}\n" for item in items) + "\n## More\n\nText.\n"

    for new_items in ([ITEMS[0].replace("Summary 0", "Changed")] + ITEMS[1:],  # the first item
                      ITEMS[:-1] + [ITEMS[-1].replace("Summary 9", "Changed")],  # the last item
                      ["[Added](../entries/added.md): First now."] + ITEMS,  # an item added before the first
                      ITEMS[1:],  # the first removed
                      ITEMS[1:6] + [ITEMS[0].replace("Question 0", "Question 5b")] + ITEMS[6:]):  # the first moved
        old, new = page(ITEMS), page(new_items)
        result = patched(old, _convert(old), new, _convert)
        assert result is not None and result == _convert(new), new_items
    loose = "# Fees\n\n## Entries\n\n- " + "\n- ".join(ITEMS) + "\n\n- Another list item after a blank line.\n"
    assert patched(loose, _convert(loose), loose.replace("Summary 9", "Changed"), _convert) is None
