"""The reference exchange model: venue profiles, an exact closed exchange, and the scenario runner.

Public names: ``Exchange``, ``Result``, ``REASON_CODES``, ``STATE_FIELDS``, ``VENUES``, ``VENUE_IDS``,
``load_venue``, ``POLICIES`` (``calculators.model.policies``), and from ``calculators.model.scenario``: ``run_scenario``, ``ScenarioRun``,
``ScenarioFailure``, ``ScenarioError``, ``STEP_NAMES``, ``negate_expectation``.
"""

from .exchange import Exchange
from .policies import POLICIES
from .snapshot import STATE_FIELDS
from .state import REASON_CODES, Result
from .venues import VENUE_IDS, VENUES, load_venue

__all__ = ["Exchange", "Result", "REASON_CODES", "STATE_FIELDS", "VENUES", "VENUE_IDS", "load_venue", "POLICIES"]
