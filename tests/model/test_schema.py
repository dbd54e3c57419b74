"""content/schema/rule.schema.json: generated from the model, no drift, described, and it validates."""

import json
from pathlib import Path

import jsonschema
import pytest
import referencing
from referencing.jsonschema import DRAFT202012

from calculators.model import REASON_CODES, STATE_FIELDS, VENUE_IDS
from calculators.model.schema import SCHEMA_PATH, build_rule_schema, main, schema_text
from calculators.model.scenario import STEP_NAMES

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "content" / "schema"

RULE = {
    "id": "withdrawal-blocked-while-negative",
    "statement": "Withdrawals are refused while the futures balance is below zero.",
    "venue": "seed-article",
    "topic": "withdrawals",
    "sources": [{"title": "Can you get a negative balance on Bybit futures?", "url": "https://www.kdj.com/x",
                 "publisher": "kdj.com", "accessed": "2026-11-28", "third_party": True}],
    "scenario": {
        "given": {"wallet": 1000, "insurance_fund": 0},
        "steps": [
            {"open": {"symbol": "BTCUSDT", "side": "long", "qty": 1, "price": 20000, "leverage": 50,
                      "margin_mode": "cross"}},
            {"mark": {"symbol": "BTCUSDT", "price": 18500, "fill": 18500}},
            {"expect": {"wallet_balance": {"lt": 0}}},
            {"withdraw": 1},
            {"expect": {"refused": "withdrawal_blocked_negative_balance"}},
            {"open_account": "second"},
            {"open_account": {"name": "b", "user": "bob"}},
            {"deposit": 600},
            {"withdraw": 1},
            {"expect": {"refused": None, "position": "none", "liquidation_price": None,
                        "equity": {"approx": 599, "tolerance": 1}}},
        ],
    },
}


@pytest.fixture(scope="module")
def validator():
    # the schemas name each other by file name (no $id: editors resolve a $ref beside the file)
    registry = referencing.Registry().with_resources(
        [(p.name, DRAFT202012.create_resource(json.loads(p.read_text(encoding="utf-8"))))
         for p in SCHEMA_DIR.glob("*.json")])
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, registry=registry)


def test_committed_schema_is_the_generated_one():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text()
    assert main(["--check"]) == 0


def test_schema_enums_equal_the_model_names():
    schema = build_rule_schema()
    expect = schema["$defs"]["expect"]["properties"]
    assert tuple(k for k in expect if k != "refused") == STATE_FIELDS
    assert tuple(expect["refused"]["enum"]) == (*REASON_CODES, None)
    assert tuple(schema["$defs"]["step"]["properties"]) == STEP_NAMES
    assert tuple(schema["properties"]["venue"]["enum"]) == VENUE_IDS


def _properties(node, path="$"):
    if isinstance(node, dict):
        for name, child in (node.get("properties") or {}).items():
            yield f"{path}.{name}", child
        for key, child in node.items():
            yield from _properties(child, f"{path}.{key}")
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _properties(child, f"{path}[{i}]")


def test_every_property_has_a_description_and_objects_are_closed():
    schema = build_rule_schema()
    missing = [path for path, child in _properties(schema) if "description" not in child]
    assert missing == []

    def objects(node):
        if isinstance(node, dict):
            if node.get("type") == "object":
                yield node
            for child in node.values():
                yield from objects(child)
        elif isinstance(node, list):
            for child in node:
                yield from objects(child)

    assert all(obj.get("additionalProperties") is False for obj in objects(schema))


def test_a_good_rule_validates_and_runs(validator):
    assert list(validator.iter_errors(RULE)) == []
    from calculators.model.scenario import run_scenario

    assert run_scenario(RULE["scenario"], RULE["venue"]).ok


@pytest.mark.parametrize(
    "step, path",
    [
        ({"fly": 1}, []),
        ({"expect": {"walet": 1}}, ["expect"]),
        ({"expect": {"refused": "nope"}}, ["expect", "refused"]),
        ({"expect": {"wallet_balance": {"approx": 1}}}, ["expect", "wallet_balance"]),
        ({"open": {"symbol": "BTCUSDT", "side": "up", "qty": 1, "price": 1}}, ["open", "side"]),
        ({"withdraw": -1}, ["withdraw"]),
        ({"deposit": 1, "withdraw": 1}, []),
    ],
)
def test_bad_steps_are_schema_errors(validator, step, path):
    rule = json.loads(json.dumps(RULE))
    rule["scenario"]["steps"].append(step)
    errors = list(validator.iter_errors(rule))
    assert errors
    index = len(rule["scenario"]["steps"]) - 1
    assert any(list(e.absolute_path) == ["scenario", "steps", index, *path] for e in errors), \
        [list(e.absolute_path) for e in errors]


def test_rule_fields_are_checked(validator):
    for change in ({"venue": "okx"}, {"id": "Bad Id"}, {"colour": 1}, {"topic": "astrology"}):
        assert list(validator.iter_errors({**RULE, **change}))


def test_main_writes_the_file(tmp_path, monkeypatch, capsys):
    target = tmp_path / "rule.schema.json"
    monkeypatch.setattr("calculators.model.schema.SCHEMA_PATH", target)
    assert main([]) == 0 and target.read_text(encoding="utf-8") == schema_text()
    target.write_text("{}", encoding="utf-8")
    assert main(["--check"]) == 1
    assert "out of date" in capsys.readouterr().out
