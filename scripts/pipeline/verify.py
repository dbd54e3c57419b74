"""Verify every rule of every entry on the reference exchange model.

This is the stage between cross-checks and rendering. Each rule's scenario runs with
:func:`calculators.model.scenario.run_scenario`; a failing expectation becomes a problem on the step's
line, e.g. ``content/entries/x.yaml:41: $.rules[0].scenario.steps[5]: rule withdrawal-blocked-while-negative,
step 6 (expect): wallet is 12.5, expected < 0``. A false rule stops the build.

Verdicts are kept in the content cache (section "rules"), each under a digest of the rule, its index
and its file's hash (so a kept problem's line is still right); the cache's own key holds the code
version, which covers the model's code and the venue profiles. When every rule has a kept verdict,
none runs; otherwise every rule runs once through :func:`.rules.check_rules`, whose runs the rule
boxes and the rules index reuse in the same build.
"""

from __future__ import annotations

from .cache import current
from .entryindex import rule_keys
from .errors import Problem
from .load import Document


def _keys(entries: list[Document]) -> list[tuple[Document, str]] | None:
    """``(document, key)`` of every rule, or None when a document with rules has no file hash (the
    keys come from each entry's index, kept with an unchanged entry: :mod:`.entryindex`)."""
    out = []
    for doc in entries:
        index = doc.__dict__.get("index")
        if type(index) is dict and index.get("rule_keys") == []:
            continue  # no rule (most entries): its index says so without a call
        keys = rule_keys(doc)
        if keys is None:
            return None
        out += [(doc, key) for key in keys]
    return out


def _replayed(record) -> Problem | None | bool:
    """The problem a kept verdict stands for, None when the rule held, False when the record is unusable."""
    if record == {"ok": True}:
        return None
    if isinstance(record, list) and len(record) == 4 and isinstance(record[1], int) \
            and all(isinstance(record[i], str) for i in (0, 2, 3)):
        return Problem(*record)
    return False


def verify(entries: list[Document]) -> list[Problem]:
    """Return a problem for every rule whose scenario the reference model contradicts or cannot run."""
    cache = current()
    keys = _keys(entries) if cache else None
    if keys is not None:
        replayed = [_replayed(cache.record("rules", key)) for _, key in keys]
        if all(verdict is not False for verdict in replayed):
            return [verdict for verdict in replayed if verdict]
    from .rules import check_rules  # the model: imported when a rule has to run

    checks = check_rules(entries)
    if keys is not None and len(keys) == len(checks):
        for (_, key), check in zip(keys, checks):
            problem = check.problem
            cache.keep("rules", key, {"ok": True} if problem is None else
                       [problem.file, problem.line, problem.path, problem.message])
    return [check.problem for check in checks if check.problem]
