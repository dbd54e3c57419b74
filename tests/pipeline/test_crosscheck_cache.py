"""Per-entry cross-checks kept in the content cache (issue 14, one change): after every edit in a table
of edits, the checks that reuse unchanged entries' findings report exactly what running every check on
every entry reports (same problems and warnings, same order), and they ran only on what changed."""

from __future__ import annotations

import datetime

import pytest

from scripts.pipeline import citecheck
from scripts.pipeline import crosscheck as crosscheck_module
from scripts.pipeline.build import load_content, open_cache
from scripts.pipeline.crosscheck import CHECKS, PER_ENTRY, WARNINGS, crosscheck, warnings

GOOD = "content/entries/good-entry.yaml"
FUTURE = datetime.date(2026, 1, 5)  # before the good entry's "accessed" dates: they become future dates


def _full(content):
    """Every check on every entry, no cache: what the kept findings must reproduce."""
    return [p for check in CHECKS for p in check(content)], [w for check in WARNINGS for w in check(content)]


def _incremental(layout):
    """One run as ``check`` does it: cache opened, cross-checks and warnings, cache saved."""
    cache = open_cache(layout)
    content, _ = load_content(layout, (), cache)
    found = crosscheck(content), warnings(content)
    ran = dict(crosscheck_module._EntryFindings.of(content, cache).checked)
    cache.save()
    return content, found, ran


def _edit(layout, file, old, new):
    path = layout.root / file
    text = path.read_text(encoding="utf-8")
    assert old in text, (file, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# (file, old text, new text, a substring of a message the edit brings, or None when it fixes one)
EDITS = [
    (GOOD, "Is there a second question?", "Is this the first question?", "the same question is already asked"),
    (GOOD, "  - The second takeaway line.", "  - The second <b>bold</b> takeaway line.", "HTML"),
    (GOOD, 'reviewed: "2026-02-20"', 'reviewed: "2025-02-20"', "earlier than published"),
    (GOOD, "Another paragraph.", "Another paragraph. TODO", "placeholder text"),
    (GOOD, "      - two\n", "      - two\n\n      ```calculator\n      id: no-such-calculator\n      ```\n",
     "no-such-calculator"),
    (GOOD, 'accessed: "2026-01-10"\n    third_party: true', 'accessed: "2099-01-10"\n    third_party: true',
     "2099-01-10"),
    (GOOD, "verdict: contradicted", "verdict: contradicted\n    rules: [no-such-rule]", "no rule 'no-such-rule'"),
    ("content/glossary.yaml", "The money you set aside as collateral", "The money you <i>set</i> aside", "HTML"),
    (GOOD, "Is this the first question?\n    answer: >-", "Is there a second question?\n    answer: >-", None),
    (GOOD, "The second <b>bold</b> takeaway", "The second takeaway", None),
]


def test_kept_findings_equal_a_full_check_after_every_edit(project, monkeypatch):
    monkeypatch.setattr(citecheck, "today_utc", lambda: datetime.date(2026, 11, 29))
    content, found, _ = _incremental(project)
    assert found == _full(content)
    content, found, ran = _incremental(project)  # warm: nothing runs on an entry
    assert found == _full(content)
    assert ran and set(ran.values()) == {0}, ran
    assert set(ran) == {check.__name__ for check in PER_ENTRY}
    for file, old, new, expected in EDITS:
        _edit(project, file, old, new)
        content, found, ran = _incremental(project)
        assert found == _full(content), (file, new)
        messages = " ".join(p.message for p in found[0] + found[1])
        assert expected is None or expected in messages, (new, messages)
        assert set(ran.values()) == ({1} if file.startswith("content/entries/") else {0}), (new, ran)


def test_a_change_of_day_or_market_checks_every_entry_again(project, monkeypatch):
    monkeypatch.setattr(citecheck, "today_utc", lambda: datetime.date(2026, 11, 29))
    _incremental(project)
    content, found, ran = _incremental(project)
    assert set(ran.values()) == {0} and not any("future" in p.message for p in found[0])
    monkeypatch.setattr(citecheck, "today_utc", lambda: FUTURE)  # the good entry's dates lie ahead now
    content, found, ran = _incremental(project)
    assert found == _full(content)
    assert any(p.file == GOOD and "2026-01-10" in p.message for p in found[0]), found[0]
    assert set(ran.values()) == {len(content.entries)}
    market = project.root / "content" / "market" / "snapshot.yaml"
    if market.is_file():
        text = market.read_text(encoding="utf-8")
        market.write_text(text + "\n", encoding="utf-8")  # another snapshot file, same prices
        content, found, ran = _incremental(project)
        assert found == _full(content)


def test_the_same_bytes_under_another_name_are_checked_under_that_name(project, monkeypatch):
    monkeypatch.setattr(citecheck, "today_utc", lambda: datetime.date(2026, 11, 29))
    _edit(project, GOOD, "Is there a second question?", "Is this the first question?")
    _incremental(project)
    text = (project.root / GOOD).read_text(encoding="utf-8")
    (project.entries / "copy.yaml").write_text(text, encoding="utf-8")
    content, found, ran = _incremental(project)
    assert found == _full(content)
    assert {p.file for p in found[0] if "same question" in p.message} == {GOOD, "content/entries/copy.yaml"}


@pytest.mark.parametrize("rows", [[["x", "$", "m"]], [[1, "$"]], "nope", [[1, 2, 3]], [[True, "$", "m"]]])
def test_a_malformed_kept_finding_is_checked_again(project, monkeypatch, rows):
    monkeypatch.setattr(citecheck, "today_utc", lambda: datetime.date(2026, 11, 29))
    _edit(project, GOOD, "Is there a second question?", "Is this the first question?")
    _incremental(project)
    cache = open_cache(project)
    content, _ = load_content(project, (), cache)
    findings = crosscheck_module._EntryFindings.of(content, cache)
    for record in findings.records.values():
        record["check_faq"] = rows
    assert crosscheck(content) == _full(content)[0]
    assert findings.checked["check_faq"] == len(content.entries)
    cache.save()
