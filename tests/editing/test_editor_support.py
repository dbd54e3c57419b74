"""Editor support: every entry names its schema, VS Code maps the files, and the schemas resolve locally."""

from __future__ import annotations

import json
from fnmatch import fnmatch
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import pytest
from jsonschema import Draft202012Validator

from scripts.scaffold import SCHEMA_COMMENT

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = sorted((ROOT / "content" / "schema").glob("*.json"))


@pytest.mark.parametrize("entry", sorted((ROOT / "content" / "entries").glob("*.yaml")), ids=lambda p: p.name)
def test_every_entry_starts_with_the_schema_comment(entry):
    assert entry.read_text(encoding="utf-8").splitlines()[0] == SCHEMA_COMMENT
    target = (entry.parent / SCHEMA_COMMENT.split("$schema=")[1]).resolve()
    assert target == ROOT / "content" / "schema" / "entry.schema.json"


def test_vscode_maps_every_content_file_to_an_existing_schema():
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapped = {}
    for schema, globs in settings["yaml.schemas"].items():
        for pattern in globs if isinstance(globs, list) else [globs]:
            mapped[pattern] = Path(schema).name
            # a schema may be missing only while no file it describes exists (venue files come with it)
            assert (ROOT / schema).is_file() or not list(ROOT.glob(pattern)), (schema, pattern)
    for path, schema in [("content/entries/x.yaml", "entry.schema.json"),
                         ("content/categories.yaml", "categories.schema.json"),
                         ("content/glossary.yaml", "glossary.schema.json"),
                         ("content/site.yaml", "site.schema.json"),
                         ("content/market/snapshot.yaml", "market.schema.json")]:
        assert [name for pattern, name in mapped.items() if fnmatch(path, pattern)] == [schema], path
    extensions = json.loads((ROOT / ".vscode" / "extensions.json").read_text(encoding="utf-8"))
    assert "redhat.vscode-yaml" in extensions["recommendations"]


def _refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for key, value in node.items():
            if key not in ("examples", "defaultSnippets", "const", "enum"):
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_schema_is_valid_and_every_reference_resolves_to_a_local_file(path):
    """An editor loads the schema from its file: every $ref must land on a file beside it, never a host."""
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    # no $id: an absolute one sends editors to a host, a relative one is read against the working folder
    assert "$id" not in schema
    base = path.as_uri()
    for ref in _refs(schema):
        target, _ = urldefrag(urljoin(base, ref))
        assert target.startswith("file://"), (path.name, ref, target)
        assert Path(target[len("file://"):]).is_file(), (path.name, ref, target)


def test_entry_fields_carry_help_for_hover():
    schema = json.loads((ROOT / "content" / "schema" / "entry.schema.json").read_text(encoding="utf-8"))
    for name, field in schema["properties"].items():
        assert field.get("description"), name
    for name in ("id", "title", "summary", "reviewed", "draft", "sources", "rules"):
        assert schema["properties"][name].get("markdownDescription"), name
    for name in ("id", "title", "published", "reviewed"):
        examples = schema["properties"][name]["examples"]
        assert examples and all(Draft202012Validator(
            {**schema["properties"][name], "$defs": schema["$defs"]}).is_valid(e) for e in examples), name
    rule = json.loads((ROOT / "content" / "schema" / "rule.schema.json").read_text(encoding="utf-8"))
    from calculators.model.venues import VENUE_IDS

    assert all(f"`{venue}`" in rule["properties"]["venue"]["markdownDescription"] for venue in VENUE_IDS)
    assert "`withdraw`" in rule["$defs"]["step"]["markdownDescription"]


def test_the_scenario_example_in_the_schema_holds_on_the_model():
    from calculators.model.scenario import run_scenario
    from calculators.model.schema import SCENARIO_EXAMPLE
    from calculators.model.venues import VENUE_IDS

    for venue in VENUE_IDS:
        run = run_scenario(SCENARIO_EXAMPLE, venue)
        assert run.ok and len(run.rows) == 4, venue
