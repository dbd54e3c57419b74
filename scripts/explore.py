"""The scenario explorer: ``python -m scripts rule <id> [--venue ...]`` (``make rule RULE=<id>``).

Runs one rule's scenario on the reference model and prints the state after every step, so an author
writes expectations from what the model does (then checks them against the sources). An expectation
that does not hold is reported on its row and the run goes on, so every later state is shown too.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from calculators.model.scenario import (STATE_FIELDS, TABLE_COLUMNS, ScenarioError, format_value,
                                        run_scenario)
from calculators.model.snapshot import TEXT_FIELDS
from calculators.model.venues import VENUE_IDS, VENUES

from .pipeline.content import Layout
from .pipeline.load import Document, load_file

TITLES = {"available_balance": "available", "insurance_fund": "insurance fund"}
MAX_STEP = 60


class ExploreError(Exception):
    """The rule cannot be explored (unknown id or venue, malformed scenario); the message says why."""


@dataclass
class FoundRule:
    """A rule and where it is written."""

    rule: dict
    doc: Document
    index: int

    @property
    def where(self) -> str:
        """``file:line`` of the rule's id."""
        return f"{self.doc.file}:{self.doc.line(('rules', self.index, 'id'))}"


def all_rules(layout: Layout) -> dict[str, FoundRule]:
    """Every rule of every entry file, by id (the first one wins if an id is repeated)."""
    found: dict[str, FoundRule] = {}
    for path in layout.entry_files():
        doc, _ = load_file(path, layout.root)
        rules = doc.data.get("rules") if isinstance(doc.data, dict) else None
        for index, rule in enumerate(rules if isinstance(rules, list) else []):
            if isinstance(rule, dict) and isinstance(rule.get("id"), str):
                found.setdefault(rule["id"], FoundRule(rule, doc, index))
    return found


def find_rule(layout: Layout, rule_id: str) -> FoundRule:
    """The rule with this id; :class:`ExploreError` with the closest ids when there is none."""
    rules = all_rules(layout)
    if rule_id in rules:
        return rules[rule_id]
    close = difflib.get_close_matches(rule_id, list(rules), n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else \
        f"; {len(rules)} rules are defined (see /rules/ on the site or grep 'id:' in content/entries)"
    raise ExploreError(f"no rule has the id {rule_id!r}{hint}")


def explore(scenario: dict, venue: str) -> tuple[list[dict], list[str]]:
    """Run ``scenario`` on ``venue``, going on past failed expectations.

    Returns one row per step (``index``, ``step``, ``result``, ``detail``, ``state``) and the failure
    messages. Raises :class:`ExploreError` for a malformed scenario or an unknown venue.
    """
    if venue not in VENUE_IDS:
        close = difflib.get_close_matches(venue, VENUE_IDS, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ExploreError(f"unknown venue {venue!r}; {hint}known: {', '.join(VENUE_IDS)}")
    steps = list(scenario.get("steps") or []) if isinstance(scenario, dict) else []
    skipped: dict[int, str] = {}  # 1-based step index -> failure message of an expectation taken out
    while True:
        kept = [i for i in range(1, len(steps) + 1) if i not in skipped]
        trial = dict(scenario, steps=[steps[i - 1] for i in kept])
        try:
            run = run_scenario(trial, venue)
        except ScenarioError as error:
            step = kept[error.step_index - 1] if error.step_index else 0
            raise ExploreError(f"step {step} ({error.step_name}): {error.key}: {error.message}") from None
        if run.ok:
            break
        skipped[kept[run.failure.step_index - 1]] = run.failure.message
    by_step = {kept[row.index - 1]: row for row in run.rows}
    rows, previous = [], None
    for index in range(1, len(steps) + 1):
        if index in skipped:
            name = next(iter(steps[index - 1]))
            rows.append({"index": index, "step": _step(steps[index - 1]), "result": "FAILED",
                         "detail": skipped[index], "state": previous, "name": name})
            continue
        row = by_step[index]
        previous = row.state
        rows.append({"index": index, "step": row.text, "result": row.result, "detail": row.detail,
                     "state": row.state, "name": row.name})
    return rows, [f"step {i}: {message}" for i, message in sorted(skipped.items())]


def _step(step) -> str:
    from calculators.model.scenario import step_text

    name, args = next(iter(step.items()))
    return step_text(name, args)


def columns_for(scenario: dict, extra=()) -> list[str]:
    """The state columns to show: the usual ones, every field an ``expect`` checks, and ``extra``."""
    wanted = list(TABLE_COLUMNS)
    for step in scenario.get("steps") or []:
        if isinstance(step, dict) and isinstance(step.get("expect"), dict):
            wanted += [key for key in step["expect"] if key in STATE_FIELDS]
    wanted += [key for key in extra if key in STATE_FIELDS]
    return list(dict.fromkeys(wanted))


def short_number(text: str, places: int = 8) -> str:
    """A long decimal rounded for reading: ``20318.72509960159362549800797`` -> ``≈20318.7250996``."""
    whole, dot, fraction = text.partition(".")
    if not dot or len(fraction) <= places or not whole.lstrip("-").isdigit() or not fraction.isdigit():
        return text
    rounded = format(round(float(text), places), f".{places}f").rstrip("0").rstrip(".")
    return "≈" + rounded


def table(rows: list[dict], columns: list[str]) -> str:
    """Rows as an aligned text table: step, result, one column per number; text fields and the
    operation's detail go on the lines under a row (a text field only when it changed)."""
    numbers = [c for c in columns if c not in TEXT_FIELDS]
    texts = [c for c in columns if c in TEXT_FIELDS]
    head = ["#", "step", "result"] + [TITLES.get(c, c.replace("_", " ")) for c in numbers]
    body, shown = [], {}
    for row in rows:
        state = row["state"] or {}
        step = row["step"] if len(row["step"]) <= MAX_STEP else row["step"][: MAX_STEP - 1] + "…"
        cells = [str(row["index"]), step, row["result"]]
        cells += [short_number(format_value(state.get(c))) for c in numbers]
        notes = [f"↳ {row['detail']}"] if row["detail"] else []
        for field in texts:
            value = format_value(state.get(field))
            if shown.get(field) != value:
                notes.append(f"· {field}: {value}")
                shown[field] = value
        body.append((cells, notes))
    widths = [max(len(line[i]) for line in [head] + [cells for cells, _ in body]) for i in range(len(head))]
    numeric = set(range(3, len(head)))

    def fmt(cells):
        return "  ".join(cell.rjust(w) if i in numeric or i == 0 else cell.ljust(w)
                         for i, (cell, w) in enumerate(zip(cells, widths))).rstrip()

    lines = [fmt(head), "  ".join("-" * w for w in widths)]
    for cells, notes in body:
        lines.append(fmt(cells))
        lines += [" " * (widths[0] + 2) + note for note in notes]
    return "\n".join(lines)


def report(layout: Layout, rule_id: str, venue: str | None = None, extra=()) -> tuple[str, bool]:
    """The explorer's whole output for one rule, and whether every expectation held."""
    found = find_rule(layout, rule_id)
    rule = found.rule
    venue = venue or rule.get("venue")
    scenario = rule.get("scenario") if isinstance(rule.get("scenario"), dict) else {}
    rows, failures = explore(scenario, venue)
    given = scenario.get("given") or {}
    out = [f"rule {rule_id} ({found.where})",
           f"statement: {' '.join(str(rule.get('statement', '')).split())}",
           f"venue: {venue} ({VENUES[venue].title})" + ("" if venue == rule.get("venue")
                                                                 else f"; the rule names {rule.get('venue')}"),
           "given: " + (", ".join(f"{k} {format_value(v)}" for k, v in given.items()) or "defaults"),
           "", table(rows, columns_for(scenario, extra)), ""]
    if failures:
        out.append(f"{len(failures)} expectation{'s' if len(failures) != 1 else ''} did not hold:")
        out += [f"  {line}" for line in failures]
    else:
        checks = sum(1 for row in rows if row["name"] == "expect")
        out.append(f"All {checks} expectation{'s' if checks != 1 else ''} held. "
                   "Amounts in USDT; check every number against the sources.")
    return "\n".join(out), not failures

