"""Validate loaded documents against the JSON Schemas in content/schema/, with messages for people.

All schemas are loaded once into one ``referencing`` registry, and one ``Draft202012Validator`` per
schema is reused for every document (both made only when a document needs them: ``jsonschema`` and
``referencing`` are imported then, not by every run; about 0.13 s, issue 14). A compiled validator (jsonschema-rs) checks each document first;
only a document it rejects goes through ``jsonschema``, whose errors are the ones reported, so the
messages never depend on the fast path (tests/pipeline/test_fastvalidate.py compares both). jsonschema's messages are rewritten ("summary has 173
characters; at most 160") and placed on the line of the offending value.
"""

from __future__ import annotations

import difflib
import json
import re
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import jsonschema_rs

from .errors import Problem, json_path, short
from .load import Document

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from referencing import Registry

SCHEMA_BASE = "https://margin-notes.invalid/schema/"

_TYPE_NAMES = {
    "string": "text", "array": "a list", "object": "a mapping (key: value lines)",
    "integer": "a whole number", "number": "a number", "boolean": "true or false", "null": "empty",
}


def type_name(value) -> str:
    """Describe the JSON type of ``value`` the way an editor reads it."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _meta_valid(schema) -> bool:
    """Whether ``schema`` is a valid JSON Schema, by jsonschema-rs (False when it cannot tell)."""
    try:
        return jsonschema_rs.meta.is_valid(schema)
    except (ValueError, TypeError, jsonschema_rs.ReferencingError):
        return False


class SchemaSet:
    """Every schema in one folder, in one registry, with one reusable validator per schema file."""

    def __init__(self, schema_dir: Path):
        self.schema_dir = schema_dir
        self.schemas: dict[str, dict] = {}
        for path in sorted(schema_dir.glob("*.json")):
            contents = json.loads(path.read_text(encoding="utf-8"))
            if not _meta_valid(contents):  # the compiled meta-check; jsonschema's names the problem
                from jsonschema import Draft202012Validator

                Draft202012Validator.check_schema(contents)
            self.schemas[path.name] = inline_local_refs(contents)
        self._validators: dict[str, Draft202012Validator] = {}
        self._fast: dict[str, object] = {}
        self._fast_registry = None

    def fast_validator(self, name: str):
        """The compiled (jsonschema-rs) validator for schema file ``name``, built once; every one of them
        resolves references in one registry of all the schemas, built once (issue 14: a fixed cost)."""
        if name not in self._fast:
            if self._fast_registry is None:
                resources = [(SCHEMA_BASE + other, schema) for other, schema in self.schemas.items()]
                resources += [(schema["$id"], schema) for schema in self.schemas.values()
                              if isinstance(schema, dict) and schema.get("$id")
                              and schema["$id"] not in {uri for uri, _ in resources}]
                self._fast_registry = jsonschema_rs.Registry(resources)
            schema = dict(self.schemas[name])
            schema.setdefault("$id", SCHEMA_BASE + name)
            self._fast[name] = jsonschema_rs.Draft202012Validator(
                schema, validate_formats=True, registry=self._fast_registry, offline=True)
        return self._fast[name]

    @cached_property
    def registry(self) -> Registry:
        """Every schema in one ``referencing`` registry (for ``jsonschema``), made when first asked for."""
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        resources = []
        for name, contents in self.schemas.items():
            resource = Resource.from_contents(contents, default_specification=DRAFT202012)
            resources.append((SCHEMA_BASE + name, resource))
            own_id = contents.get("$id") if isinstance(contents, dict) else None
            if own_id and own_id != SCHEMA_BASE + name:
                resources.append((own_id, resource))
        return Registry().with_resources(resources)

    def is_valid(self, data, name: str) -> bool:
        """True when the compiled validator accepts ``data``; False also when it cannot take the data."""
        try:
            return self.fast_validator(name).is_valid(data)
        except (ValueError, TypeError, jsonschema_rs.ValidationError):  # a value JSON has no type for
            return False

    def validator(self, name: str) -> Draft202012Validator:
        """The reusable validator for schema file ``name`` (e.g. 'entry.schema.json')."""
        if name not in self._validators:
            from jsonschema import Draft202012Validator

            schema = dict(self.schemas[name])
            schema.setdefault("$id", SCHEMA_BASE + name)
            self._validators[name] = Draft202012Validator(
                schema, registry=self.registry, format_checker=Draft202012Validator.FORMAT_CHECKER)
        return self._validators[name]

    def validate(self, doc: Document, name: str) -> list[Problem]:
        """Check one document against schema ``name``; return every problem found."""
        if self.is_valid(doc.data, name):
            return []
        problems: list[Problem] = []
        for error in self.validator(name).iter_errors(doc.data):
            problems.extend(explain(error, doc))
        return problems


def inline_local_refs(schema):
    """Replace ``{"$ref": "#/$defs/x", ...}`` by the definition merged with its siblings.

    Same meaning, fewer reference lookups: validating 10,000 entries spends much of its time
    resolving the slug and date references otherwise. References to other files stay as they are.
    A definition is expanded once for each set of definitions being expanded around it, and the
    expansion is shared by the places that use it (schemas are only read; the rule schema's 67
    references cost every run 3.5 ms otherwise).
    """
    defs = schema.get("$defs", {}) if isinstance(schema, dict) else {}
    expanded: dict[tuple, dict] = {}

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
                inner = active | {ref}
                done = expanded.get((ref, inner))
                if done is None:
                    done = expanded[(ref, inner)] = walk(target, inner)
                merged = dict(done)
                merged.update({k: walk(v, active) for k, v in node.items() if k != "$ref"})
                return merged
        return {key: walk(value, active) if key not in ("const", "enum", "default", "examples") else value
                for key, value in node.items()}

    return walk(schema, frozenset())


@lru_cache(maxsize=8)
def schema_set(schema_dir: Path) -> SchemaSet:
    """A cached :class:`SchemaSet` for ``schema_dir`` (building it once per process)."""
    return SchemaSet(schema_dir)


def explain(error, doc: Document) -> list[Problem]:
    """Turn one jsonschema error into problems a person can act on, each on its line."""
    parts = tuple(error.absolute_path)
    kind = error.validator
    value = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    name = _field_name(parts)

    if kind == "required":
        missing = [key for key in error.validator_value if isinstance(value, dict) and key not in value]
        return [Problem(doc.file, doc.line(parts), json_path(parts + (key,)), "required field is missing")
                for key in missing]
    if kind == "additionalProperties" and isinstance(value, dict):
        allowed = sorted(schema.get("properties", {}))
        extras = [key for key in value if key not in allowed]
        problems = []
        for key in extras:
            message = f"unknown field {short(key)}"
            guess = difflib.get_close_matches(str(key), allowed, n=1)
            message += f"; did you mean {guess[0]!r}?" if guess else f"; allowed here: {', '.join(allowed)}"
            problems.append(doc.problem(parts + (key,), message))
        return problems
    if kind == "type":
        wanted = error.validator_value
        wanted = [wanted] if isinstance(wanted, str) else wanted
        names = " or ".join(_TYPE_NAMES.get(item, item) for item in wanted)
        return [doc.problem(parts, f"{name} should be {names}, not {type_name(value)} ({short(value)})")]
    if kind == "maxLength":
        return [doc.problem(parts, f"{name} has {len(value)} characters; at most {error.validator_value}")]
    if kind == "minLength":
        if len(value) == 0:
            return [doc.problem(parts, f"{name} is empty; write at least {error.validator_value} characters")]
        return [doc.problem(parts, f"{name} has {len(value)} characters; at least {error.validator_value}")]
    if kind == "maxItems":
        return [doc.problem(parts, f"{name} has {len(value)} items; at most {error.validator_value}")]
    if kind == "minItems":
        return [doc.problem(parts, f"{name} has {len(value)} items; at least {error.validator_value}")]
    if kind == "uniqueItems":
        seen, dupes = [], []
        for item in value:
            (dupes if item in seen else seen).append(item)
        return [doc.problem(parts, f"{name} lists {short(dupes[0])} more than once")]
    if kind == "enum":
        options = [str(option) for option in error.validator_value]
        message = f"{short(value)} is not one of: {', '.join(options)}"
        guess = difflib.get_close_matches(str(value), options, n=1)
        return [doc.problem(parts, message + (f"; did you mean {guess[0]!r}?" if guess else ""))]
    if kind == "const":
        def shown(item):  # YAML spells booleans true/false
            return str(item).lower() if isinstance(item, bool) else short(item)
        return [doc.problem(parts, f"{name} must be {shown(error.validator_value)}, not {shown(value)}")]
    if kind == "format" and isinstance(value, str) and schema.get("pattern") \
            and not re.search(schema["pattern"], value):
        return []  # the pattern error for the same value already says what is wrong
    if kind in ("pattern", "format"):
        hint = schema.get("x-hint")
        if kind == "format":
            base = f"{short(value)} is not a valid {error.validator_value}"
        else:
            base = f"{short(value)} is not in the expected form"
        return [doc.problem(parts, f"{base}; {hint}" if hint else f"{base} ({error.validator_value})")]
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {"minimum": "at least", "maximum": "at most",
                 "exclusiveMinimum": "greater than", "exclusiveMaximum": "less than"}
        return [doc.problem(parts, f"{name} is {short(value)}; it must be {words[kind]} {error.validator_value}")]
    if kind == "dependentRequired" and isinstance(value, dict):
        problems = []
        for key, needed in error.validator_value.items():
            for other in needed if key in value else []:
                if other not in value:
                    problems.append(doc.problem(parts, _needs(key, other, value[key], schema)))
        return problems
    if kind in ("oneOf", "anyOf") and error.context:
        # the branch that fits the value's type says most (a mapping is judged as comparisons, not as a number)
        deepest = max(error.context, key=lambda sub: (len(sub.absolute_path), sub.validator != "type"))
        return explain(deepest, doc)
    return [doc.problem(parts, error.message.replace("\n", " ")[:200])]


def _needs(key: str, other: str, value, schema: dict) -> str:
    """The message for ``key`` written without the ``other`` key it needs, naming the allowed forms."""
    example = f"{{{key}: {value!r}, {other}: 0.01}}" if other == "tolerance" else f"{{{key}: ..., {other}: ...}}"
    forms = ""
    if other == "tolerance":
        plain = [name for name in schema.get("properties", {}) if name not in ("tolerance", "approx", "not_approx")]
        forms = (f". Allowed forms: a plain value (equal); comparisons ({' '.join(plain)}) such as {{ge: 0}} "
                 "or {gt: 1, lt: 5}; {approx: ..., tolerance: ...} or {not_approx: ..., tolerance: ...}")
    return f"{key} needs {other} beside it: write {example}{forms}"


def _field_name(parts: tuple) -> str:
    for part in reversed(parts):
        if isinstance(part, str):
            return part
    return "the value" if parts else "the file"
