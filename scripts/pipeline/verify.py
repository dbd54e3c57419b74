"""Verify every rule of every entry on the reference exchange model.

This is the stage between cross-checks and rendering. Each rule's scenario runs with
:func:`calculators.model.scenario.run_scenario`; a failing expectation becomes a problem on the step's
line, e.g. ``content/entries/x.yaml:41: $.rules[0].scenario.steps[5]: rule withdrawal-blocked-while-negative,
step 6 (expect): wallet is 12.5, expected < 0``. A false rule stops the build.

A rule's verdict is kept in the content cache (section "rules") under a digest of the rule and its
index; the cache's own key holds the code version, which covers the model's code and the venue
profiles, so a changed profile or model file runs every rule again.
"""

from __future__ import annotations

from .cache import current, digest_of
from .errors import Problem
from .load import Document


class _Recorder:
    """Stands in for a document while a rule runs, noting which value each problem names."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.made: list[tuple[tuple, Problem]] = []

    def problem(self, parts, message: str) -> Problem:
        problem = self.doc.problem(parts, message)
        self.made.append((tuple(parts), problem))
        return problem

    def __getattr__(self, name):
        return getattr(self.doc, name)


def _replayed(doc: Document, record) -> Problem | None | bool:
    """The problem a cached verdict stands for, None when the rule held, False when the record is unusable."""
    if record == {"ok": True}:
        return None
    if isinstance(record, dict) and isinstance(record.get("parts"), list) and isinstance(record.get("message"), str) \
            and all(isinstance(part, (str, int)) for part in record["parts"]):
        return doc.problem(tuple(record["parts"]), record["message"])
    return False


def verify(entries: list[Document]) -> list[Problem]:
    """Return a problem for every rule whose scenario the reference model contradicts or cannot run."""
    from .rules import check_rule  # the model: imported when a rule has to run

    cache = current()
    problems = []
    for doc in entries:
        rules = doc.data.get("rules") if isinstance(doc.data, dict) else None
        for index, rule in enumerate(rules if isinstance(rules, list) else []):
            if not isinstance(rule, dict):
                continue
            key = digest_of("rule", index, rule) if cache else ""
            replayed = _replayed(doc, cache.record("rules", key)) if cache else False
            if replayed is not False:
                problems += [replayed] if replayed else []
                continue
            recorder = _Recorder(doc)
            problem = check_rule(recorder, index, rule).problem
            if cache:
                parts = next((parts for parts, made in recorder.made if made is problem), None)
                if problem is None:
                    cache.keep("rules", key, {"ok": True})
                elif parts is not None:
                    cache.keep("rules", key, {"parts": list(parts), "message": problem.message})
            if problem:
                problems.append(problem)
    return problems
