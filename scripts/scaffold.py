"""The new-entry scaffolder: ``python -m scripts new <id> --title "..."`` (``make new ID=... TITLE=...``).

Writes ``content/entries/<id>.yaml`` with every required field, a comment on each, one example rule
whose id is not used anywhere yet, and ``draft: true``. The file validates and builds as it is; ``make
validate`` then lists each placeholder still to replace.
"""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import yaml

from calculators.model.scenario import TABLE_COLUMNS, format_value, run_scenario
from calculators.model.venues import VENUE_IDS

from .pipeline.content import Layout

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
TITLE_OK = re.compile(r"^[^\n{}<>]{5,120}$")
SCHEMA_COMMENT = "# yaml-language-server: $schema=../schema/entry.schema.json"


class ScaffoldError(Exception):
    """The entry cannot be created; the message says why and what to do."""


def suggest_slug(text: str) -> str:
    """A slug made from any text: ``What is ADL?`` -> ``what-is-adl``."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:80].strip("-")


def used_rule_ids(layout: Layout) -> set[str]:
    """Every rule id in the entries (read leniently: a broken file only hides its own ids)."""
    ids = set()
    for path in layout.entry_files():
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, OSError, UnicodeDecodeError):
            continue
        rules = data.get("rules") if isinstance(data, dict) else None
        for rule in rules if isinstance(rules, list) else []:
            if isinstance(rule, dict) and isinstance(rule.get("id"), str):
                ids.add(rule["id"])
    return ids


def fresh_rule_id(entry_id: str, used: set[str]) -> str:
    """``<entry-id>-rule-1`` (or -2, -3, ...), shortened to fit 80 characters, not in ``used``."""
    number = 1
    while True:
        suffix = f"-rule-{number}"
        candidate = entry_id[: 80 - len(suffix)].rstrip("-") + suffix
        if candidate not in used:
            return candidate
        number += 1


def categories(layout: Layout) -> list[str]:
    """The category ids listed in content/categories.yaml, in order."""
    try:
        data = yaml.safe_load((layout.content / "categories.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return []
    return [item["id"] for item in data or [] if isinstance(item, dict) and isinstance(item.get("id"), str)]


def example_scenario() -> tuple[str, dict]:
    """The example rule's venue and scenario; its expectation is what the reference model computes."""
    venue = VENUE_IDS[0]
    field = TABLE_COLUMNS[0]  # the wallet balance column, whatever the model calls it
    scenario = {"given": {"wallet": 1000, "insurance_fund": 0}, "steps": [{"withdraw": 400}]}
    state = run_scenario(scenario, venue).rows[-1].state
    scenario["steps"].append({"expect": {"refused": None, field: format_value(state[field])}})
    return venue, scenario


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def entry_text(entry_id: str, title: str, category: str, rule_id: str, today: str,
               category_ids: list[str]) -> str:
    """The text of a new draft entry file."""
    listed = ", ".join(category_ids) or "see content/categories.yaml"
    venue, scenario = example_scenario()
    (field, value), = [(k, v) for k, v in scenario["steps"][-1]["expect"].items() if k != "refused"]
    return f"""{SCHEMA_COMMENT}
# A new Margin Notes entry. Replace every TODO, check it with
#   make validate FILES=content/entries/{entry_id}.yaml
# and remove `draft: true` when it is ready. CONTRIBUTING.md explains each part.

# The slug: equal to this file's name without .yaml; the page is /entries/{entry_id}/.
id: {entry_id}
# The page title, usually the question a reader types (5 to 120 characters, one line).
title: {_q(title)}
# One or two sentences that answer the title (20 to 160 characters): meta description and search snippet.
summary: "TODO: answer the title in one or two sentences, the answer first."
# One category id: {listed}.
category: {category}
# 1 to 12 lowercase keywords joined by hyphens, e.g. [liquidation, insurance-fund, bybit].
tags: [todo]
# beginner, intermediate or advanced.
difficulty: beginner
# First published (YYYY-MM-DD, quoted).
published: "{today}"
# Last checked against the sources (YYYY-MM-DD, quoted); not before published.
reviewed: "{today}"
# true keeps the entry off every list, out of search and the sitemap; remove the line to publish.
draft: true
# 3 to 5 short lines a reader could act on (Markdown, one line each).
key_takeaways:
  - "TODO: the first thing a reader should remember."
  - "TODO: the second one."
  - "TODO: the third one."
# The body, in reading order: a heading (plain text) and a Markdown body each. A calculator block
# (```calculator with id and defaults) may go in any body; `python -m calculators list` names them.
sections:
  - heading: "TODO: the short answer"
    body: |
      TODO: answer first, in your own words, in short paragraphs.
# Questions readers type; each answer starts with the answer ("Yes.", "No, ..."). `rules:` links the
# rules an answer relies on, e.g. rules: [{rule_id}].
faq:
  - question: "TODO: a question a reader would type?"
    answer: "TODO: the answer in two to four sentences."
# Where the facts come from, the exchange's own pages first. accessed: the date you read the page.
# Mark pages not written by the exchange with third_party: true.
sources:
  - title: "TODO: the page's title as shown on the page"
    url: https://example.com/todo-replace-with-the-source
    publisher: "TODO: who publishes it, e.g. Bybit"
    accessed: "{today}"
# Optional: related: [other-entry-id] and terms: [glossary-term-id].
# Verified rules: a statement plus a scenario the reference exchange model runs at every build.
# `make rule RULE={rule_id}` prints the model's state after each step, to write the expectations from.
rules:
  - id: {rule_id}  # unique across the site; the page anchor is #rule-<id>
    venue: {venue}  # one of {", ".join(VENUE_IDS)}
    statement: "TODO: one plain sentence stating what is true, e.g. a withdrawal reduces the wallet by its amount."
    sources:
      - title: "TODO: the page that states the rule"
        url: https://example.com/todo-replace-with-the-source
        publisher: "TODO: who publishes it"
        accessed: "{today}"
    scenario:
      given: {{wallet: 1000, insurance_fund: 0}}
      steps:
        - withdraw: 400
        - expect: {{refused: null, {field}: {value}}}
"""


def new_entry(layout: Layout, entry_id: str, title: str | None = None, category: str | None = None,
              today: str | None = None) -> Path:
    """Write the draft entry ``entry_id``; raise :class:`ScaffoldError` when it cannot be created."""
    if not SLUG.match(entry_id or "") or len(entry_id) > 80:
        hint = suggest_slug(entry_id or "") or "what-is-adl"
        raise ScaffoldError(f"{entry_id!r} is not a slug: use lowercase letters and digits joined by single "
                            f"hyphens, at most 80 characters, e.g. {hint!r}")
    path = layout.entries / f"{entry_id}.yaml"
    if path.exists() or (layout.entries / f"{entry_id}.yml").exists():
        raise ScaffoldError(f"{path.relative_to(layout.root).as_posix()} already exists; edit it, "
                            "or choose another id")
    title = title or "TODO: the question a reader types"
    if not TITLE_OK.match(title):
        raise ScaffoldError(f"title {title!r} must be one line of 5 to 120 characters without {{, }}, < or >")
    category_ids = categories(layout)
    category = category or (category_ids[0] if category_ids else "todo")
    if category_ids and category not in category_ids:
        raise ScaffoldError(f"no category {category!r}; use one of: {', '.join(category_ids)}")
    today = today or datetime.date.today().isoformat()
    text = entry_text(entry_id, title, category, fresh_rule_id(entry_id, used_rule_ids(layout)), today,
                      category_ids)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
