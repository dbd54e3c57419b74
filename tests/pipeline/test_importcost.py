"""What a command imports before it needs it (issue 14: without .pyc files every module compiles from
source on every run, so each import costs a replayed ``validate`` or a one-change ``render``)."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from scripts.pipeline import cache

ROOT = Path(__file__).resolve().parents[2]


def test_library_versions_are_those_importlib_metadata_reads():
    for name in cache.LIBRARIES:
        assert cache._version(name) == metadata.version(name)
    assert cache._version("no-such-project-anywhere") == "none"


def test_the_checks_modules_import_neither_metadata_nor_markdown_nor_citations():
    code = ("import sys, json; import scripts.pipeline.cache, scripts.pipeline.runcache, scripts.pipeline.citecheck, "
            "scripts.pipeline.crosscheck, scripts.pipeline.glossary, scripts.pipeline.safety; "
            "print(json.dumps(sorted(m for m in ('importlib.metadata', 'markdown', 'scripts.pipeline.citations') "
            "if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []


def test_the_safety_gate_and_glossary_still_render_when_asked():
    from scripts.pipeline.glossary import title
    from scripts.pipeline.safety import render_markdown

    assert title({"term": "ADL", "definition": "**Auto**-deleveraging"}) == "Auto-deleveraging"
    assert render_markdown("a *b*")[0] == "<p>a <em>b</em></p>"
