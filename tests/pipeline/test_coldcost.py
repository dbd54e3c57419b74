"""Shortcuts of the cold run's fixed costs (issue 14) give what the plain code gave.

A file's bytes are hashed once: the hash the stat index took while reading them is the one the
content cache and the pages key the document by. The schemas' local references are inlined with
each definition expanded once per context, as the plain walk expands them everywhere.
"""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.pipeline.build import load_content, open_cache
from scripts.pipeline.validate import inline_local_refs


def test_each_document_carries_the_hash_of_its_files_bytes(project):
    for run in range(2):  # cold, then with the cache and the stat index of the first run
        cache = open_cache(project)
        content, problems = load_content(project, (), cache)
        cache.save()
        assert problems == []
        by_file = {doc.file: doc for doc in content.entries}
        assert len(by_file) > 5
        for path in project.entries.glob("*.yaml"):
            doc = by_file[f"content/entries/{path.name}"]
            assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest(), (run, path.name)


def reference_inline(schema):
    """inline_local_refs as written first: every reference expanded again where it is used."""
    defs = schema.get("$defs", {}) if isinstance(schema, dict) else {}

    def walk(node, active: frozenset):
        if isinstance(node, list):
            return [walk(item, active) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and ref[8:] in defs and ref not in active:
            target = defs[ref[8:]]
            if isinstance(target, dict) and "$ref" not in target and "$id" not in target \
                    and not set(target) & (set(node) - {"$ref", "description"}):
                merged = dict(walk(target, active | {ref}))
                merged.update({k: walk(v, active) for k, v in node.items() if k != "$ref"})
                return merged
        return {key: walk(value, active) if key not in ("const", "enum", "default", "examples") else value
                for key, value in node.items()}

    return walk(schema, frozenset())


_REF = st.sampled_from(["#/$defs/a", "#/$defs/b", "#/$defs/c", "#/$defs/missing", "other.json"])
_NODE = st.recursive(
    st.sampled_from([{"type": "string"}, {"minimum": 1}, {"const": {"$ref": "#/$defs/a"}}, 3, "x"]),
    lambda inner: st.one_of(
        st.builds(lambda ref, extra: {"$ref": ref, **extra}, _REF,
                  st.dictionaries(st.sampled_from(["description", "type", "items"]), inner, max_size=2)),
        st.dictionaries(st.sampled_from(["properties", "items", "anyOf", "enum", "p", "q"]), inner, max_size=3),
        st.lists(inner, max_size=3)),
    max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["a", "b", "c"]), _NODE, max_size=3), _NODE)
def test_inlining_each_definition_once_gives_the_schema_of_the_plain_walk(defs, body):
    schema = {"$defs": defs, "properties": {"x": body, "y": {"$ref": "#/$defs/a", "description": "d"}}}
    assert inline_local_refs(schema) == reference_inline(schema)


def test_the_real_schemas_inline_as_the_plain_walk_inlines_them():
    import json
    from pathlib import Path

    for path in sorted((Path(__file__).parents[2] / "content" / "schema").glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert json.dumps(inline_local_refs(schema)) == json.dumps(reference_inline(schema)), path.name
