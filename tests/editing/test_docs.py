"""The rule examples in README.md and CONTRIBUTING.md hold on the model, as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from calculators.model.scenario import run_scenario

ROOT = Path(__file__).resolve().parents[2]


def _rule_examples():
    for name in ("README.md", "CONTRIBUTING.md"):
        for block in re.findall(r"```yaml\n(.*?)```", (ROOT / name).read_text(encoding="utf-8"), re.S):
            data = yaml.safe_load(block)
            if isinstance(data, dict) and "rules" in data:
                for rule in data["rules"]:
                    yield pytest.param(rule, id=f"{name}:{rule['id']}")


@pytest.mark.parametrize("rule", list(_rule_examples()))
def test_documented_rule_holds(rule):
    run = run_scenario(rule["scenario"], rule["venue"])
    assert run.ok, str(run.failure)


def test_both_documents_carry_a_rule_example():
    assert {p.id.split(":")[0] for p in _rule_examples()} == {"README.md", "CONTRIBUTING.md"}
