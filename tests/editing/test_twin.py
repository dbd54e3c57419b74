"""The JSON twin: /entries/<id>.json and /entries.json validate against the schemas published beside them."""

from __future__ import annotations

import json

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from scripts.pipeline.build import check
from scripts.pipeline.render import render

BASE = "https://margin-notes.test/"
CLAIMS = """\
claims:
  - text: A made-up claim for the twin test.
"""


@pytest.fixture
def rendered(project):
    content, problems = check(project)
    assert problems == []
    return render(content)


def _validator(pages: dict, name: str, document_path: str) -> Draft202012Validator:
    """A validator that finds the published schemas by their site address (as another tool would)."""
    registry = Registry().with_resources(
        (BASE + path, Resource.from_contents(json.loads(text), default_specification=DRAFT202012))
        for path, text in pages.items() if path.startswith("schema/"))
    schema = json.loads(pages[f"schema/{name}"])
    Draft202012Validator.check_schema(schema)
    document = json.loads(pages[document_path])
    assert (BASE + document_path).rsplit("/", 1)[0] + "/" + document["$schema"] in {
        BASE + "schema/" + name, BASE + "entries/../schema/" + name}
    return Draft202012Validator({**schema, "$id": BASE + f"schema/{name}"}, registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_each_entry_twin_validates_and_holds_the_entry(rendered, project):
    validator = _validator(rendered, "entry.json.schema.json", "entries/good-entry.json")
    for path in [p for p in rendered if p.startswith("entries/") and p.endswith(".json")]:
        twin = json.loads(rendered[path])
        assert list(validator.iter_errors(twin)) == [], path
        source = yaml.safe_load((project.entries / f"{twin['id']}.yaml").read_text(encoding="utf-8"))
        assert {k: v for k, v in twin.items() if k not in ("$schema", "url")} == json.loads(json.dumps(source))
        assert twin["url"] == f"entries/{twin['id']}/"


def test_the_set_validates_lists_every_published_entry_and_keeps_rules_json(rendered):
    validator = _validator(rendered, "entries.json.schema.json", "entries.json")
    data = json.loads(rendered["entries.json"])
    assert list(validator.iter_errors(data)) == []
    ids = [entry["id"] for entry in data["entries"]]
    assert ids == sorted(ids) and data["count"] == len(ids) and "good-entry" in ids
    assert ids == sorted(p[len("entries/"):-5] for p in rendered if p.startswith("entries/") and p.endswith(".json"))
    with_rules = [entry for entry in data["entries"] if entry.get("rules")]
    assert with_rules and all(rule["scenario"]["steps"] and rule["sources"] for e in with_rules for rule in e["rules"])
    assert all(entry["sources"] for entry in data["entries"])
    assert "rules" in json.loads(rendered["rules.json"])


def test_drafts_stay_out_and_claims_are_carried_when_present(project, good_text):
    (project.entries / "good-entry.yaml").write_text(good_text + "draft: true\n", encoding="utf-8")
    pages = render(check(project)[0])
    assert "entries/good-entry.json" not in pages
    assert "good-entry" not in [e["id"] for e in json.loads(pages["entries.json"])["entries"]]
    from scripts.pipeline.twin import twin  # claims are not in every branch's schema: test the function

    entry = {**yaml.safe_load(good_text), **yaml.safe_load(CLAIMS)}
    assert twin(entry)["claims"] == [{"text": "A made-up claim for the twin test."}]
    assert "draft" not in twin({**entry, "draft": False})


def test_a_twin_that_breaks_the_schema_is_caught(rendered):
    validator = _validator(rendered, "entry.json.schema.json", "entries/good-entry.json")
    twin = json.loads(rendered["entries/good-entry.json"])
    assert not validator.is_valid({**twin, "url": "/elsewhere"})
    assert not validator.is_valid({k: v for k, v in twin.items() if k != "sources"})
