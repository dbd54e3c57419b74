"""Fuzz: random mutations of a valid entry end in file:line messages and exit 1, or in a clean render.

Never a traceback, never a written site. The suite runs the Hypothesis profile's example count (tests/
conftest.py: 100, or 1,000 with HYPOTHESIS_PROFILE=thorough); set MN_FUZZ_EXAMPLES=5000 for a long run.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scripts.__main__ import main
from scripts.pipeline import build as build_module
from scripts.pipeline.build import build, check
from scripts.pipeline.render import render

EXAMPLES = {"max_examples": int(os.environ["MN_FUZZ_EXAMPLES"])} if os.environ.get("MN_FUZZ_EXAMPLES") else {}
CONFIG = Path(__file__).resolve().parents[2] / "mkdocs.yml"
LINE = re.compile(r"^(content/[^:]+\.yaml):(\d+): \$.*: .+$")
SUMMARY = re.compile(r"^\d+ problems? in \d+ files?\.$")

odd_text = st.lists(
    st.one_of(st.characters(codec="utf-8"), st.sampled_from(
        ["\u200b", "\u202e", "\ufeff", "\u2028", "é", "😀", "\\", "'", '"', ":", "#", "- ", "{", "}", "[", "]",
         "&", "*", "!", "|", ">", "%", "@", "`", "\t", "\n", "<", "javascript:", "---"])),
    max_size=12).map("".join)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True),
                    odd_text, st.sampled_from(["2026-02-30", "2026-01-10", "good-entry", "https://x.y/z", ""]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(odd_text, inner, max_size=3)),
                      max_leaves=6)


def paths(value, prefix=()):
    """Every path into a nested value (dict keys and list indexes)."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, prefix + (index,))


def _parent(data, path):
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def data_mutation(draw, data):
    """Delete, retype, duplicate or garble one value somewhere in ``data``; return YAML text."""
    all_paths = [p for p in paths(data) if p]
    path = draw(st.sampled_from(all_paths))
    parent, key = _parent(data, path), path[-1]
    action = draw(st.sampled_from(["delete", "retype", "duplicate", "garble", "rename"]))
    if action == "delete":
        del parent[key]
    elif action == "retype":
        parent[key] = draw(values)
    elif action == "duplicate":
        if isinstance(parent, list):
            parent.insert(key, parent[key])
        else:
            parent[draw(odd_text)] = parent[key]
    elif action == "garble":
        current = parent[key]
        text = current if isinstance(current, str) else str(current)
        cut = draw(st.integers(0, len(text)))
        parent[key] = text[:cut] + draw(odd_text) + text[cut:]
    elif isinstance(parent, dict):
        parent[draw(odd_text)] = parent.pop(key)
    return yaml.safe_dump(data, allow_unicode=draw(st.booleans()), sort_keys=False)


@st.composite
def text_mutation(draw, text):
    """Break the YAML text itself: insert, delete, truncate, duplicate or replace lines and characters."""
    action = draw(st.sampled_from(["insert", "delete", "truncate", "line", "dupline"]))
    cut = draw(st.integers(0, len(text)))
    if action == "insert":
        return text[:cut] + draw(odd_text) + text[cut:]
    if action == "delete":
        return text[:cut] + text[cut + draw(st.integers(1, 40)):]
    if action == "truncate":
        return text[:cut]
    lines = text.splitlines(keepends=True)
    if not lines:
        return draw(odd_text)
    index = draw(st.integers(0, len(lines) - 1))
    if action == "line":
        lines[index] = draw(odd_text) + "\n"
    else:
        lines.insert(index, lines[index])
    return "".join(lines)


@st.composite
def mutated_entries(draw, good_text):
    text = good_text
    for _ in range(draw(st.integers(1, 3))):
        data = None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            pass
        if isinstance(data, (dict, list)) and data and draw(st.booleans()):
            text = draw(data_mutation(data))
        else:
            text = draw(text_mutation(text))
    return text


def _never_run_mkdocs(*args, **kwargs):
    raise AssertionError("MkDocs must not run when the content has problems")


@pytest.fixture
def small_project(tmp_path, make_project, good_text):
    """The good fixture plus a second small entry it relates to (no rules, so each example is quick)."""
    partner = (good_text.replace("id: good-entry", "id: can-a-futures-balance-go-negative")
               .replace("related: [can-a-futures-balance-go-negative]", "related: [good-entry]"))
    return make_project(tmp_path / "small", {"good-entry.yaml": good_text,
                                             "can-a-futures-balance-go-negative.yaml": partner},
                        real_entries=False)


@settings(**EXAMPLES, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                         HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_mutations_end_in_messages_or_a_clean_render(small_project, good_text, monkeypatch, data):
    project = small_project
    text = data.draw(mutated_entries(good_text))
    entry = project.entries / "good-entry.yaml"
    entry.write_bytes(text.encode("utf-8", "surrogatepass"))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--root", str(project.root), "validate"])
    output = out.getvalue() + err.getvalue()
    assert "Traceback" not in output
    line_count = text.count("\n") + 2
    if code == 1:
        lines = err.getvalue().splitlines()
        assert lines and SUMMARY.match(lines[-1]), output
        for line in lines[:-1]:
            match = LINE.match(line)
            assert match, f"not a file:line: $.path: message line: {line!r}"
            if match.group(1) == "content/entries/good-entry.yaml":
                assert 1 <= int(match.group(2)) <= line_count, line
        monkeypatch.setattr(build_module, "run_mkdocs", _never_run_mkdocs)
        site = project.root / "site"
        assert build(project, site, CONFIG, project.root / "docs", log=lambda message: None) == 1
        assert not site.exists()
    else:
        assert code == 0, output
        content, problems = check(project)
        assert problems == []
        pages = render(content)
        assert "entries/good-entry.md" in pages or any(
            isinstance(doc.data, dict) and doc.data.get("draft") for doc in content.entries)
