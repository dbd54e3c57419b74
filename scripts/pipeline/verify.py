"""Verify every rule of every entry on the reference exchange model.

This is the stage between cross-checks and rendering. Each rule's scenario runs with
:func:`calculators.model.scenario.run_scenario`; a failing expectation becomes a problem on the step's
line, e.g. ``content/entries/x.yaml:41: $.rules[0].scenario.steps[5]: rule withdrawal-blocked-while-negative,
step 6 (expect): wallet is 12.5, expected < 0``. A false rule stops the build.
"""

from __future__ import annotations

from .errors import Problem
from .load import Document
from .rules import check_rules


def verify(entries: list[Document]) -> list[Problem]:
    """Return a problem for every rule whose scenario the reference model contradicts or cannot run."""
    return [check.problem for check in check_rules(entries) if check.problem]
