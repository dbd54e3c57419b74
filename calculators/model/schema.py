"""Build ``content/schema/rule.schema.json`` from the model's own names (steps, state fields, reason codes,
venues), so the schema cannot drift from the scenario runner. ``python -m calculators.model.schema``
rewrites the file; a test checks that the committed file equals ``build_rule_schema()``.
"""

import json
import sys
from pathlib import Path

from .scenario import COMPARISONS, GIVEN_FIELDS, ORDER_FIELDS, STEP_HELP, STEP_SPECS, SYMBOL
from .snapshot import STATE_FIELD_HELP, TEXT_FIELDS
from .state import POSITION_MODES, REASON_CODES
from .venues import VENUE_IDS, VENUES

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "content" / "schema" / "rule.schema.json"
TOPICS = ("liquidation", "insurance-fund", "negative-balance", "margin-modes", "position-modes",
          "funding", "interest", "withdrawals", "fees", "risk")

ARGUMENTS = {
    "symbol": ({"$ref": "#/$defs/symbol"}, "the contract, e.g. BTCUSDT"),
    "side": ({"enum": ["long", "short"]}, "long or short"),
    "qty": ({"$ref": "#/$defs/positive"}, "quantity in coins"),
    "price": ({"$ref": "#/$defs/positive"}, "price in USDT (a multiple of the venue's tick size)"),
    "fill": ({"$ref": "#/$defs/positive"}, "price the market trades at on this step (the last traded price): "
             "liquidations and triggered stops fill there, e.g. in a gap; default the mark"),
    "trigger_price": ({"$ref": "#/$defs/positive"}, "price at which the stop fires (a multiple of the tick size)"),
    "kind": ({"enum": ["stop_loss", "take_profit"]},
             "stop_loss (default: fires when the price moves against the position) or take_profit"),
    "trigger_by": ({"enum": ["mark", "last"]},
                   "the price that triggers the stop: mark (default) or last (the price the step trades at)"),
    "stop": ({"$ref": "#/$defs/positive"}, "the planned stop price, below price for a long and above it for a short"),
    "risk_pct": ({"type": "number", "exclusiveMinimum": 0, "maximum": 100},
                 "share of the account's equity lost if the stop is hit, in % (1 = 1%)"),
    "leverage": ({"type": "number", "minimum": 1}, "leverage, at least 1 and at most the venue's maximum"),
    "margin_mode": ({"enum": ["cross", "isolated"]}, "cross (default) or isolated"),
    "amount": ({"$ref": "#/$defs/positive"}, "amount in USDT"),
    "rate": ({"type": "number", "exclusiveMinimum": -1, "exclusiveMaximum": 1},
             "funding rate as a fraction (0.0001 = 0.01%); positive: longs pay shorts"),
    "hours": ({"type": "integer", "minimum": 1, "maximum": 100000}, "whole hours"),
    "mode": ({"enum": list(POSITION_MODES)}, "one_way or hedge"),
    "name": ({"$ref": "#/$defs/account_name"}, "account name"),
    "user": ({"$ref": "#/$defs/account_name"}, "user the account belongs to (default: the current user)"),
}
GIVEN = {
    "wallet": ({"type": "number", "minimum": 0}, "first deposit into the starting account, USDT (default 0)"),
    "insurance_fund": ({"type": "number", "minimum": 0}, "the insurance fund's starting balance, USDT (default 0)"),
    "position_mode": ({"enum": list(POSITION_MODES)}, "position mode of the starting account (default one_way)"),
    "user": ({"$ref": "#/$defs/account_name"}, "user owning the starting account (default alice)"),
    "account": ({"$ref": "#/$defs/account_name"}, "name of the starting account (default main)"),
    "collateral": ({"type": "number", "minimum": 0},
                   "USDT value of other coins (e.g. USDC) backing the starting account, as in a Unified "
                   "Trading Account: it counts towards margin but is never spent or withdrawn (default 0)"),
    "traders": ({"type": "array", "items": {"$ref": "#/$defs/trader"}},
                "other traders set up before the steps, each in an account (and user) of its own name: "
                "the opposing positions auto-deleveraging can close. Check one with use_account: <name> "
                "then expect (e.g. realised_pnl), and use_account: main to switch back"),
}


SCENARIO_EXAMPLE = {  # shown on hover; a test runs it on the model
    "given": {"wallet": 1000, "insurance_fund": 0},
    "steps": [{"withdraw": 400}, {"expect": {"refused": None}}, {"withdraw": 5000},
              {"expect": {"refused": "insufficient_available_balance"}}],
}


def _venue_help():
    """Markdown hover text for ``venue``: each profile id with its title."""
    lines = [f"- `{venue_id}`: {VENUES[venue_id].title}" for venue_id in VENUE_IDS]
    return ("The venue profile (`calculators/model/venues/<id>.yaml`) whose sourced parameters and policies the "
            "rule relies on:\n\n" + "\n".join(lines))


def _with_description(schema, description):
    return {"description": description, **schema}


def _step_body(name):
    spec = STEP_SPECS[name]
    if name == "expect":
        return {"description": f"expect: {STEP_HELP[name]}", "$ref": "#/$defs/expect"}
    if isinstance(spec, str):
        schema, text = ARGUMENTS[spec]
        return _with_description(schema, f"{name}: {STEP_HELP[name]}. The value is the {spec}: {text}.")
    required, optional = spec
    body = {
        "description": f"{name}: {STEP_HELP[name]}",
        "type": "object",
        "additionalProperties": False,
        "required": list(required),
        "properties": {key: _with_description(ARGUMENTS[key][0], ARGUMENTS[key][1])
                       for key in required + optional},
    }
    if name == "open_account":
        return {"description": body["description"], "anyOf": [{"$ref": "#/$defs/account_name"}, body]}
    return body


def _step_schema():
    return {
        "description": "One step: a mapping with exactly one key, the step name.",
        "markdownDescription": "One step: a mapping with **exactly one key**, the step name:\n\n"
                               + "\n".join(f"- `{name}`: {STEP_HELP[name]}" for name in STEP_SPECS),
        "type": "object",
        "minProperties": 1,
        "maxProperties": 1,
        "additionalProperties": False,
        "properties": {name: _step_body(name) for name in STEP_SPECS},
    }


def _trader_schema():
    required, optional = ORDER_FIELDS
    order = {
        "description": "a position the trader opens (a market order at price, as the open step)",
        "type": "object",
        "additionalProperties": False,
        "required": list(required),
        "properties": {key: _with_description(ARGUMENTS[key][0], ARGUMENTS[key][1]) for key in required + optional},
    }
    return {
        "description": "another trader: an account and user of this name, a deposit and open positions",
        "type": "object",
        "additionalProperties": False,
        "required": ["name"],
        "properties": {
            "name": {"description": "account and user name", "$ref": "#/$defs/account_name"},
            "wallet": {"description": "the trader's deposit, USDT", "type": "number", "minimum": 0},
            "positions": {"description": "positions opened in order", "type": "array", "items": order},
        },
    }


def _comparison_schema():
    properties = {}
    for op in COMPARISONS:
        value = {"type": ["number", "string", "null"]}
        properties[op] = _with_description(value, f"the field must be {SYMBOL[op]} this value")
    properties["tolerance"] = {"description": "allowed difference for approx / not_approx", "type": "number",
                               "minimum": 0}
    return {
        "description": "one or more comparisons that must all hold",
        "type": "object",
        "additionalProperties": False,
        "minProperties": 1,
        "properties": properties,
        "dependentRequired": {"approx": ["tolerance"], "not_approx": ["tolerance"]},
    }


def _expect_schema():
    properties = {}
    for field, help_text in STATE_FIELD_HELP.items():
        plain = {"type": "string"} if field in TEXT_FIELDS else {"type": ["number", "null"]}
        properties[field] = {"description": f"{help_text}: a value (equal) or comparisons",
                             "anyOf": [plain, {"$ref": "#/$defs/comparison"}]}
    properties["refused"] = {"description": "the latest operation was refused with this reason code, "
                                            "or null: it succeeded",
                             "enum": [*REASON_CODES, None]}
    return {"description": "checks on the state after the latest operation", "type": "object",
            "additionalProperties": False, "minProperties": 1, "properties": properties}


def build_rule_schema():
    """The rule schema as a dict (JSON Schema 2020-12)."""
    symbols = sorted({s for venue in VENUES.values() for s in venue.symbols})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Verified rule",
        "description": "A statement about how a venue behaves, with a scenario the reference exchange model "
                       "(calculators/model) runs at build and test time. Generated by "
                       "`python -m calculators.model.schema`; do not edit by hand.",
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "statement", "venue", "sources", "scenario"],
        "properties": {
            "id": {"description": "The rule's slug, unique across the site (e.g. "
                                  "'withdrawal-blocked-while-negative').", "$ref": "#/$defs/slug",
                   "markdownDescription": "The rule's slug, **unique across the site**; the page anchor is "
                                          "`#rule-<id>` and `make rule RULE=<id>` runs it.",
                   "examples": ["withdrawal-blocked-while-negative"]},
            "statement": {"description": "The rule in one plain sentence, stated as what is true.",
                          "type": "string", "minLength": 10, "maxLength": 300,
                          "examples": ["While your futures wallet balance is below zero, withdrawals are refused."]},
            "title": {"description": "Optional: a short title for the rule's box (plain text, one line); "
                                     "the statement is the title when there is none.",
                      "type": "string", "minLength": 5, "maxLength": 90, "pattern": "^[^\\n{}<>\"]*$",
                      "x-hint": "write one line of plain text without {, }, <, > or double quotes"},
            "venue": {"description": "The venue profile (calculators/model/venues/<id>.yaml) whose sourced "
                                     "parameters and policies the rule relies on; every policy the scenario "
                                     "exercises must be sourced there.",
                      "markdownDescription": _venue_help(), "enum": list(VENUE_IDS)},
            "topic": {"description": "Optional topic for the rules index.", "enum": list(TOPICS)},
            "sources": {"description": "Where the rule comes from; same shape as an entry's sources.",
                        "$ref": "entry.schema.json#/properties/sources"},
            "scenario": {
                "description": "The check: a starting state and steps run on the model.",
                "markdownDescription": "The check: a starting state (`given`) and `steps` run in order on the "
                                       "reference model. `make rule RULE=<id>` prints the state after every step.",
                "examples": [SCENARIO_EXAMPLE],
                "type": "object",
                "additionalProperties": False,
                "required": ["steps"],
                "properties": {
                    "given": {
                        "description": "The starting state (every key optional).",
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {k: _with_description(GIVEN[k][0], GIVEN[k][1]) for k in GIVEN_FIELDS},
                    },
                    "steps": {
                        "description": "Operations and expectations, run in order; each a one-key mapping.",
                        "type": "array",
                        "minItems": 1,
                        "items": {"$ref": "#/$defs/step"},
                    },
                },
            },
        },
        "$defs": {
            "slug": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 80},
            "positive": {"type": "number", "exclusiveMinimum": 0},
            "symbol": {"enum": symbols},
            "account_name": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,40}$"},
            "trader": _trader_schema(),
            "comparison": _comparison_schema(),
            "expect": _expect_schema(),
            "step": _step_schema(),
        },
    }


def schema_text():
    """The schema file's text (2-space JSON, trailing newline)."""
    return json.dumps(build_rule_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv=None):
    """Write the schema file; with ``--check`` exit 1 if the file differs."""
    argv = sys.argv[1:] if argv is None else argv
    text = schema_text()
    if "--check" in argv:
        same = SCHEMA_PATH.read_text(encoding="utf-8") == text
        print(f"{SCHEMA_PATH}: {'up to date' if same else 'out of date; run python -m calculators.model.schema'}")
        return 0 if same else 1
    SCHEMA_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
