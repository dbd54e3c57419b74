"""Generated assets: the compiled calculator bundle, the calculator catalogue as JSON, the widget glue.

The first two come from the ``calculators`` package (the CALC helper's ``jsbuild.build_bundle`` and
``catalogue.to_json``); the glue is ``site-overrides/assets/javascripts/widgets.js`` without its comment
lines (a file in the docs folder takes the place of the theme's file of the same path). The build writes
them into the docs folder so MkDocs copies them.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from .errors import Problem

BUNDLE_PATH = "assets/javascripts/mncalc.js"
CATALOGUE_PATH = "assets/javascripts/catalogue.json"
GLUE_PATH = "assets/javascripts/widgets.js"
GLUE_SOURCE = Path(__file__).resolve().parents[2] / "site-overrides" / GLUE_PATH


def compact_script(text: str) -> str:
    """JavaScript without its whole-line comments, blank lines and indentation (about a fifth smaller
    gzipped). Code lines are kept as they are, so no parser is needed as long as no comment opens after
    code on a line and no multi-line string starts a line with ``//`` or ``/*`` (a test runs the result
    through ``node --check``)."""
    out, in_comment = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if in_comment:
            in_comment = "*/" not in stripped
            continue
        if stripped.startswith("/*"):
            in_comment = "*/" not in stripped
            continue
        if stripped and not stripped.startswith("//"):
            out.append(stripped)
    return "\n".join(out) + "\n"


def _function(module: str, name: str, file: str):
    try:
        return getattr(importlib.import_module(module), name), None
    except (ImportError, AttributeError) as error:
        return None, Problem(file, 1, "$", f"{module}.{name}() is not available ({error}); "
                                           "the calculator assets cannot be built")


def calculator_assets(root: Path | None = None) -> tuple[dict[str, str], list[Problem]]:
    """``{docs-relative path: text}`` for the JS bundle and the catalogue, or problems saying why not.

    With a project ``root``, the compiled bundle and catalogue are kept in ``root/.cache/assets.json``
    under the code version (they are made from the calculators' Python code only) and reused.
    """
    glue = compact_script(GLUE_SOURCE.read_text(encoding="utf-8"))
    stored = _stored(root)
    if stored:
        return {**stored, GLUE_PATH: glue}, []
    build_bundle, problem_a = _function("calculators.jsbuild", "build_bundle", "calculators/jsbuild.py")
    to_json, problem_b = _function("calculators.catalogue", "to_json", "calculators/catalogue.py")
    problems = [p for p in (problem_a, problem_b) if p]
    if problems:
        return {}, problems
    try:
        bundle = build_bundle()
        catalogue = json.dumps(to_json(), indent=1, ensure_ascii=False, allow_nan=False)
    except Exception as error:  # a failing compiler must stop the build with its message, not a traceback
        first = (str(error).splitlines() or [type(error).__name__])[0]
        return {}, [Problem("calculators/jsbuild.py", 1, "$", f"building the calculator assets failed: {first}")]
    made = {BUNDLE_PATH: bundle, CATALOGUE_PATH: catalogue + "\n"}
    _store(root, made)
    return {**made, GLUE_PATH: glue}, []


def _stored(root: Path | None) -> dict[str, str] | None:
    """The compiled assets kept for this code version under ``root``, or None."""
    from .cache import CACHE_DIR, code_version

    if root is None:
        return None
    try:
        raw = json.loads((root / CACHE_DIR / "assets.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = raw.get("files") if isinstance(raw, dict) and raw.get("key") == code_version() else None
    if isinstance(files, dict) and set(files) == {BUNDLE_PATH, CATALOGUE_PATH} \
            and all(isinstance(text, str) for text in files.values()):
        return files
    return None


def _store(root: Path | None, files: dict[str, str]) -> None:
    from .cache import CACHE_DIR, code_version
    from .cachefile import write_atomically

    if root is None:
        return
    payload = json.dumps({"key": code_version(), "files": files}, ensure_ascii=False)
    write_atomically(root / CACHE_DIR / "assets.json", payload.encode("utf-8"))
