"""Verify every rule of every entry on the reference exchange model (issue 5).

This is the stage between cross-checks and rendering. The rules verifier plugs in here: it runs each
rule's scenario with ``calculators.model.scenario.run_scenario`` and turns a ``ScenarioFailure`` into a
:class:`~scripts.pipeline.errors.Problem` on the rule's line. Until it is written, no rule is checked.
"""

from __future__ import annotations

from .errors import Problem
from .load import Document


def verify(entries: list[Document]) -> list[Problem]:
    """Return a problem for every rule whose scenario the reference model contradicts.

    ``entries`` are the loaded entry documents (schema-valid, cross-checked); use
    ``doc.problem(("rules", i, "scenario"), message)`` to point at a rule. Not implemented yet: the
    lead fills this in for issue 5, so it returns no problems.
    """
    return []
