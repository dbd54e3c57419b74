"""Verified rules: run every rule's scenario on the reference model and show how it was checked.

A rule is a statement plus a scenario (``given`` / ``steps`` with ``expect``) in an entry's YAML. This
module runs the scenarios with :func:`calculators.model.scenario.run_scenario`, turns failures into
:class:`~scripts.pipeline.errors.Problem` lines that name the rule, the step and the state, and renders
the "verified rule" boxes, the rules index and ``rules.json``. The verifier is the only judge: a page
shows a rule only after its scenario passed in the same build.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from . import venuepages
from .entryindex import may_have_rules
from .errors import Problem
from .escape import md_link, md_text
from .load import Document
from .render import front_matter, indent, link_text
from .venuepages import venue_link, venue_name

TOPIC_TITLES = {
    "liquidation": "Liquidation",
    "insurance-fund": "Insurance fund",
    "negative-balance": "Negative balance",
    "margin-modes": "Margin modes",
    "position-modes": "Position modes",
    "funding": "Funding",
    "interest": "Interest on debt",
    "withdrawals": "Withdrawals",
    "fees": "Fees",
    "risk": "Risk per trade",
}
COLUMN_TITLES = {"wallet_balance": "Wallet balance", "equity": "Equity", "available_balance": "Available balance",
                 "position_margin": "Position margin", "position": "Position", "insurance_fund": "Insurance fund"}
# The reference model (and, through it, the venue profiles it validates on import) is imported the
# first time a rule runs or a rule box is drawn, not with this module: a check whose verdicts are all in
# the content cache never needs it (issue 14). ``_model()`` binds these names as module globals.
_MODEL_NAMES = {
    "calculators.model.scenario": ("TABLE_COLUMNS", "ScenarioError", "ScenarioRun", "format_value", "run_scenario"),
    "calculators.model.state": ("to_decimal",),
    "calculators.model.policies": ("POLICIES",),
    "calculators.model.venues": ("VENUES",),
}

if TYPE_CHECKING:  # what _model() binds at run time, named here for readers and linters
    from calculators.model.policies import POLICIES
    from calculators.model.scenario import TABLE_COLUMNS, ScenarioError, ScenarioRun, format_value, run_scenario
    from calculators.model.state import to_decimal
    from calculators.model.venues import VENUES


def _model() -> None:
    """Import the reference model once and bind its names here (a name already bound, e.g. by a test's
    monkeypatch, is kept)."""
    if "_model_loaded" in globals():
        return
    import importlib

    for module, names in _MODEL_NAMES.items():
        loaded = importlib.import_module(module)
        for name in names:
            globals().setdefault(name, getattr(loaded, name))
    globals()["_model_loaded"] = True


def __getattr__(name: str):
    """``rules.run_scenario`` and the other model names, imported on first use (see :func:`_model`)."""
    if any(name in names for names in _MODEL_NAMES.values()):
        _model()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


THIRD_PARTY_ONLY = '<span class="mn-third-party">Third-party source only</span>'


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``1 expectation``, ``3 expectations`` (``plural`` when adding an s is wrong)."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


@dataclass
class RuleCheck:
    """One rule of one entry, with its scenario's run (None if malformed) and its problem, if any."""

    doc: Document
    index: int
    rule: dict
    run: ScenarioRun | None
    problem: Problem | None

    @property
    def rule_id(self) -> str:
        """The rule's id."""
        return self.rule["id"]


def check_rule(doc: Document, index: int, rule: dict) -> RuleCheck:
    """Run one rule's scenario; a failing expectation or a malformed step becomes a problem on its line."""
    _model()
    rule_id = rule.get("id", f"#{index + 1}")
    try:
        run = run_scenario(rule.get("scenario"), rule.get("venue"))
    except ScenarioError as error:
        parts = ("rules", index, "scenario") if error.step_index == 0 else \
            ("rules", index, "scenario", "steps", error.step_index - 1)
        message = f"rule {rule_id}, step {error.step_index} ({error.step_name}): {error.key}: {error.message}"
        return RuleCheck(doc, index, rule, None, doc.problem(parts, message))
    problem = None
    if not run.ok:
        failure = run.failure
        problem = doc.problem(("rules", index, "scenario", "steps", failure.step_index - 1),
                              f"rule {rule_id}, step {failure.step_index} ({failure.step_name}): "
                              f"{failure.message}")
    else:
        problem = unsourced_policy(doc, index, rule_id, run)
    return RuleCheck(doc, index, rule, run, problem)


def unsourced_policy(doc: Document, index: int, rule_id: str, run: ScenarioRun) -> Problem | None:
    """A problem at the rule's ``venue`` line for the first exercised policy its venue does not source."""
    _model()
    venue = VENUES[run.venue]
    for policy in run.exercised:
        if not venue.policy_sources(policy):
            return doc.problem(("rules", index, "venue"),
                               f"rule {rule_id} relies on {POLICIES[policy]} (policy {policy}), which venue "
                               f"{venue.name} does not source; cite it in calculators/model/venues/{venue.id}.yaml "
                               "or use a venue that documents it")
    return None


# The checks of the documents of the last call: id(document) -> (document, its data, its checks). The
# build verifies every rule, then renders the rule boxes from the same documents: each scenario runs
# once. An entry holds its document, so the id cannot be reused while it is here, and each call keeps
# only its own documents (one content's worth, also under ``mkdocs serve``).
_CHECKED: dict[int, tuple[Document, object, list]] = {}


def check_rules(entries: list[Document]) -> list[RuleCheck]:
    """Run the scenario of every rule of every loaded entry, in file order (reusing the last call's runs)."""
    kept: dict[int, tuple[Document, object, list]] = {}
    out: list[RuleCheck] = []
    for doc in entries:
        hit = _CHECKED.get(id(doc))
        if hit is None or hit[0] is not doc or hit[1] is not doc.data:
            rules = doc.data.get("rules") if isinstance(doc.data, dict) else None
            hit = (doc, doc.data, [check_rule(doc, index, rule)
                                   for index, rule in enumerate(rules if isinstance(rules, list) else [])
                                   if isinstance(rule, dict)])
        kept[id(doc)] = hit
        out += hit[2]
    _CHECKED.clear()
    _CHECKED.update(kept)
    return out


# ----- rendering --------------------------------------------------------------------------------------

_RUNS: WeakKeyDictionary = WeakKeyDictionary()


def _published_docs(site) -> list[Document]:
    """The documents of the published entries, in the content's order (no data decoded: Site's index)."""
    published = {id(doc) for _, doc in site.published_docs()}
    return [doc for doc in site.content.entries if id(doc) in published]


def site_checks(site) -> dict[str, RuleCheck]:
    """The rule checks of the site's published entries by rule id (computed once per site)."""
    if site not in _RUNS:
        _RUNS[site] = {check.rule_id: check for check in check_rules(list(filter(may_have_rules, _published_docs(site))))}
    return _RUNS[site]


_ONE: WeakKeyDictionary = WeakKeyDictionary()  # site -> (checks by rule id, filled one entry at a time; owners)


def rule_check(site, rule_id: str) -> RuleCheck:
    """The check of one rule of a published entry: runs only the scenarios of the entry that states it
    (an entry page regenerated after one change does not run every rule of the site)."""
    if site in _RUNS:
        return _RUNS[site][rule_id]
    if site not in _ONE:  # ({rule id: its check}, {rule id: the first published entry stating it})
        owners: dict = {}
        for doc in filter(may_have_rules, _published_docs(site)):
            rules = doc.data.get("rules")
            for rule in rules if isinstance(rules, list) else ():
                if isinstance(rule, dict):
                    owners.setdefault(rule.get("id"), doc)
        _ONE[site] = ({}, owners)
    found, owners = _ONE[site]
    if rule_id not in found and rule_id in owners:
        doc = owners[rule_id]
        rules = doc.data["rules"]
        hit = _CHECKED.get(id(doc))  # run by the verification of this content
        checks = hit[2] if hit is not None and hit[0] is doc and hit[1] is doc.data else [
            check_rule(doc, index, rule) for index, rule in enumerate(rules) if isinstance(rule, dict)]
        found.update((check.rule_id, check) for check in checks)
    return found[rule_id]


def exercised(check: RuleCheck) -> tuple[str, ...]:
    """The policies the rule's scenario exercised (empty when it did not run)."""
    return tuple(check.run.exercised) if check.run else ()


def third_party_only(check: RuleCheck) -> bool:
    """True when the rule rests on third-party pages alone.

    That is when its venue profile is a third-party description, or when a policy the scenario
    exercised is sourced by the profile only with third-party pages (one such policy is enough: the
    rule then states something no exchange document gives).
    """
    venue = venuepages.all_venues().get(check.rule.get("venue"))
    if venue is None:
        return False
    if venue.third_party:
        return True
    for policy in exercised(check):
        sources = venue.policy_sources(policy)
        if sources and all(source.third_party for source in sources):
            return True
    return False


def rule_title(rule: dict) -> str:
    """The rule's short title, or its statement when it has none."""
    return rule.get("title") or rule["statement"]


def anchor(rule_id: str) -> str:
    """The HTML id of a rule's box on its entry page."""
    return f"rule-{rule_id}"


def _cell(text: str) -> str:
    return md_text(text) or "–"


_LONG_DECIMAL = re.compile(r"(\d+\.\d*?)0+\b")


def number(value) -> str:
    """A number as people read it: thousands separators, no trailing zeros (``20,000``, ``0.5``)."""
    _model()
    text = format_value(to_decimal("value", value))
    whole, _, fraction = text.lstrip("-").partition(".")
    sign = "-" if text.startswith("-") else ""
    return sign + f"{int(whole):,}" + (f".{fraction}" if fraction else "")


def _tidy(detail: str) -> str:
    """A model detail sentence with ``600.00000000`` written as ``600``."""
    return _LONG_DECIMAL.sub(lambda m: m.group(1).rstrip("."), detail)


_OPS = {"eq": "=", "ne": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥", "approx": "≈", "not_approx": "≉"}


def _expectation(field: str, want) -> str:
    if field == "refused":
        return "the operation succeeded" if want is None else f"the operation was refused ({want})"
    label = field.replace("_", " ")
    checks = want if isinstance(want, dict) else {"eq": want}
    parts = []
    for op, value in checks.items():
        if op == "tolerance":
            continue
        shown = value if isinstance(value, str) or value is None else number(value)
        tolerance = f" ± {number(checks['tolerance'])}" if op in ("approx", "not_approx") else ""
        parts.append(f"{label} {_OPS[op]} {shown}{tolerance}")
    return " and ".join(parts)


def describe_step(name: str, args) -> str:
    """A scenario step in words, e.g. ``Open long 1 BTCUSDT at 20,000 (50x, cross)``."""
    if name == "expect":
        return "Check: " + "; ".join(_expectation(field, want) for field, want in args.items())
    if name in ("deposit", "withdraw"):
        return f"{name.capitalize()} {number(args)}"
    if name == "advance_hours":
        return f"Wait {number(args)} hours"
    if name == "set_position_mode":
        return f"Switch to {args.replace('_', '-')} position mode"
    if name == "use_account":
        return f"Switch to account {args}"
    if name == "open_account":
        account = args if isinstance(args, str) else args["name"]
        user = "" if isinstance(args, str) or not args.get("user") else f" for user {args['user']}"
        return f"Open a second account, {account}{user}, and switch to it"
    if name == "open":
        options = [f"{number(args['leverage'])}x" if "leverage" in args else "",
                   args.get("margin_mode", "cross")]
        return (f"Open {args['side']} {number(args['qty'])} {args['symbol']} at {number(args['price'])} "
                f"({', '.join(o for o in options if o)})")
    if name == "open_at_risk":
        options = [f"{number(args['leverage'])}x" if "leverage" in args else "",
                   args.get("margin_mode", "cross")]
        return (f"Open {args['side']} {args['symbol']} at {number(args['price'])}, sized to lose "
                f"{number(args['risk_pct'])}% of equity at a stop of {number(args['stop'])} "
                f"({', '.join(o for o in options if o)})")
    if name == "close":
        what = number(args["qty"]) if "qty" in args else "all of"
        leg = f" ({args['side']} leg)" if "side" in args else ""
        return f"Close {what} {args['symbol']}{leg} at {number(args['price'])}"
    if name == "mark":
        fill = (f"; the market trades at {number(args['fill'])} (liquidations and stops fill there)"
                if "fill" in args else "")
        return f"Mark price of {args['symbol']} moves to {number(args['price'])}{fill}"
    if name == "stop":
        kind = args.get("kind", "stop_loss").replace("_", "-")
        what = number(args["qty"]) if "qty" in args else "all"
        leg = f" {args['side']}" if "side" in args else ""
        price = "last traded" if args.get("trigger_by") == "last" else "mark"
        return (f"Place a {kind} on{leg} {args['symbol']} ({what}): a market close when the {price} price "
                f"reaches {number(args['trigger_price'])}")
    if name in ("add_margin", "remove_margin"):
        verb = "Add" if name == "add_margin" else "Remove"
        return f"{verb} {number(args['amount'])} of isolated margin on {args['symbol']}"
    if name == "set_leverage":
        return f"Set {args['symbol']} leverage to {number(args['leverage'])}x"
    if name == "funding":
        return f"Funding settles on {args['symbol']} at a rate of {number(args['rate'])}"
    return f"{name}: {args}"


def checked_table(run: ScenarioRun, steps: list) -> str:
    """The scenario's ``steps`` in words with the model's state after each, as a Markdown table."""
    _model()
    head = ["#", "Step", "Outcome"] + [COLUMN_TITLES.get(name, name.replace("_", " ").capitalize())
                                       for name in TABLE_COLUMNS]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in run.rows:
        cells = row.cells()
        args = steps[row.index - 1][row.name]
        if row.name == "expect":
            outcome = "✓ held" if row.result == "passed" else f"✗ {row.detail}"
        elif row.result == "ok":
            outcome = "done" + (f": {_tidy(row.detail)}" if row.detail else "")
        else:
            outcome = f"{row.result}"
        values = [str(row.index), describe_step(row.name, args), outcome]
        values += [_shown(cells[column]) for column in TABLE_COLUMNS]
        lines.append("| " + " | ".join(_cell(value) for value in values) + " |")
    return "\n".join(lines)


def _shown(value) -> str:
    """A state cell as the table shows it: a number as people read it (:func:`number`), else as it is."""
    if type(value) is str:
        return _shown_text(value)
    return number(value) if _numeric(value) else value


@lru_cache(maxsize=8192)
def _shown_text(text: str) -> str:
    """:func:`_shown` of a text, made once per run (tables repeat the same amounts row after row)."""
    return number(text) if _numeric(text) else text


def _numeric(text: str) -> bool:
    _model()
    try:
        to_decimal("value", text)
    except ValueError:
        return False
    return text != ""


def given_text(rule: dict) -> str:
    """The scenario's starting state in words."""
    given = rule["scenario"].get("given") or {}
    parts = [f"wallet {number(given.get('wallet', 0))} USDT",
             f"insurance fund {number(given.get('insurance_fund', 0))} USDT",
             f"{given.get('position_mode', 'one_way').replace('_', '-')} position mode"]
    if given.get("collateral"):
        parts.append(f"other collateral worth {number(given['collateral'])} USDT")
    for trader in given.get("traders", []):
        held = "; ".join(f"{o['side']} {number(o['qty'])} {o['symbol']} at {number(o['price'])}"
                         for o in trader.get("positions", []))
        parts.append(f"another trader, {trader['name']}, with {number(trader.get('wallet', 0))} USDT"
                     + (f" holding {held}" if held else ""))
    return "Starting state: " + ", ".join(parts) + "."


def rule_box(check: RuleCheck) -> str:
    """One "verified rule" box: titled by the rule, with venue, sources and the collapsible check."""
    rule = check.rule
    sources = "; ".join(f"{md_link(source['title'], source['url'])} ({md_text(source['publisher'])}"
                        f"{', third-party' if source.get('third_party') else ''})" for source in rule["sources"])
    topic = TOPIC_TITLES.get(rule.get("topic", ""), "")
    facts = f"**Venue:** {venue_link(rule['venue'])}"
    if topic:
        facts += f" · **Topic:** {topic}"
    steps = len(check.run.rows)
    checks = sum(len(step["expect"]) for step in rule["scenario"]["steps"]
                 if isinstance(step, dict) and isinstance(step.get("expect"), dict))
    held = "the expectation held" if checks == 1 else f"all {checks} expectations held"
    how = (f"{given_text(rule)} The reference model ran {counted(steps, 'step')} and {held}. "
           "Amounts are in USDT; fees are the venue's taker fee.\n\n" + checked_table(check.run, rule["scenario"]["steps"]))
    lead = f"{THIRD_PARTY_ONLY}\n\n" if third_party_only(check) else ""
    statement = f"{md_text(rule['statement'])}\n\n" if rule.get("title") else ""
    body = (f"{lead}{statement}{facts}\n\n**Sources:** {sources}\n\n"
            f'??? info "How this was checked"\n\n{indent(how)}')
    title = rule_title(rule).replace('"', "&quot;")
    return (f'<div class="mn-rule" id="{anchor(check.rule_id)}" markdown>\n\n'
            f'!!! success "{title}"\n\n{indent(body)}\n\n</div>\n\n')


def rule_boxes(entry: dict, site) -> str:
    """The "Verified rules" section of an entry page (empty when the entry states no rules)."""
    if not entry.get("rules"):
        return ""
    out = ["## Verified rules\n\n",
           "Each statement below was checked by running the scenario under it on Margin Notes' reference "
           "model of a futures exchange, using only what the named venue's profile sources. The model "
           "simplifies: one price path, and market orders only. "
           "[All rules](../rules/index.md)\n\n"]
    out += [rule_box(rule_check(site, rule["id"])) for rule in entry["rules"]]
    return "".join(out)


def faq_badge(rule_id: str, site) -> str:
    """The Markdown badge linking an FAQ answer to the rule it relies on (third-party marked)."""
    check = rule_check(site, rule_id)
    mark = f" {THIRD_PARTY_ONLY}" if third_party_only(check) else ""
    return (f'[✓ Verified rule: {link_text(rule_title(check.rule))}](#{anchor(rule_id)})'
            '{ .mn-rule-badge }' + mark)


def rules_index(site):
    """The rules index page (every rule by topic, with venue and entry) and ``rules.json``.

    Both are kept in the content cache under a digest of every entry's rules, id, title and review
    date (what they show; the cache's own key holds the model and venue profiles), so a change that
    touches no rule runs no scenario here.
    """
    from .cache import current, digest_of
    from .pages import Page

    cache = current()
    # (pagesfast hook, issue 14) an entry with a file hash is named by its file and hash, which decide its
    # rules, id, title and review date: no entry's data is decoded for the key
    key = digest_of("rules-index", [
        ["file", doc.file, doc.__dict__["sha256"]] if type(doc.__dict__.get("sha256")) is str else
        [doc.data["id"], doc.data.get("title"), doc.data.get("reviewed"), doc.data["rules"]]
        for doc in filter(may_have_rules, _published_docs(site))
        if type(doc.__dict__.get("sha256")) is str or doc.data.get("rules")]) if cache else ""
    kept = cache.record("pages", key) if cache else None
    if isinstance(kept, list) and len(kept) == 2 and all(isinstance(text, str) for text in kept):
        yield Page("rules/index.md", kept[0])
        yield Page("rules.json", kept[1])
        return
    pages = list(_rules_index(site))
    if cache:
        cache.keep("pages", key, [page.text for page in pages])
    yield from pages


def _rules_index(site):
    from .pages import Page

    checks = sorted(site_checks(site).values(), key=lambda c: (c.rule.get("topic", "~"), c.rule_id))
    by_topic: dict[str, list[RuleCheck]] = {}
    for check in checks:
        by_topic.setdefault(check.rule.get("topic", "other"), []).append(check)
    out = [front_matter({"title": "Verified rules",
                         "description": "Every statement about exchange behaviour on Margin Notes, "
                                        "each checked on a reference model, by topic."}),
           "# Verified rules\n\n",
           f"{counted(len(checks), 'rule')}, each run as a scenario on the reference exchange model at every build "
           "with one [venue profile](../venues/index.md): an exchange's documented figures and behaviours, each "
           "with its source. Machine-readable: [rules.json](../rules.json).\n\n"]
    for topic, items in by_topic.items():
        out.append(f"## {TOPIC_TITLES.get(topic, topic.replace('-', ' ').capitalize())}\n\n")
        out.append("| Rule | Venue | Entry |\n|---|---|---|\n")
        for check in items:
            entry = check.doc.data
            mark = f"{THIRD_PARTY_ONLY} " if third_party_only(check) else ""
            # md_text (_cell) escapes | too, so plain text and the generated links are safe in a table cell
            link = f"{mark}[{_cell(rule_title(check.rule))}](../entries/{entry['id']}.md#{anchor(check.rule_id)})"
            out.append(f"| {link} | {venue_link(check.rule['venue'])} | "
                       f"[{_cell(entry['title'])}](../entries/{entry['id']}.md) |\n")
        out.append("\n")
    yield Page("rules/index.md", "".join(out))
    yield Page("rules.json", json.dumps(rules_json(checks), indent=2, ensure_ascii=False) + "\n")


def rules_json(checks: list[RuleCheck]) -> dict:
    """The machine-readable list of verified rules."""
    return {"rules": [{
        "id": check.rule_id,
        "title": rule_title(check.rule),
        "statement": check.rule["statement"],
        "venue": check.rule["venue"],
        "venue_name": venue_name(check.rule["venue"]),
        "policies": list(exercised(check)),
        "third_party_only": third_party_only(check),
        "topic": check.rule.get("topic"),
        "entry": check.doc.data["id"],
        "url": f"entries/{check.doc.data['id']}/#{anchor(check.rule_id)}",
        "sources": check.rule["sources"],
        "scenario": check.rule["scenario"],
        "verified": check.problem is None,
        "reviewed": check.doc.data.get("reviewed"),
    } for check in checks]}
