"""Generated assets: the compiled calculator bundle and the calculator catalogue as JSON.

Both come from the ``calculators`` package (the CALC helper's ``jsbuild.build_bundle`` and
``catalogue.to_json``); the build writes them into the docs folder so MkDocs copies them.
"""

from __future__ import annotations

import importlib
import json

from .errors import Problem

BUNDLE_PATH = "assets/javascripts/mncalc.js"
CATALOGUE_PATH = "assets/javascripts/catalogue.json"


def _function(module: str, name: str, file: str):
    try:
        return getattr(importlib.import_module(module), name), None
    except (ImportError, AttributeError) as error:
        return None, Problem(file, 1, "$", f"{module}.{name}() is not available ({error}); "
                                           "the calculator assets cannot be built")


def calculator_assets() -> tuple[dict[str, str], list[Problem]]:
    """``{docs-relative path: text}`` for the JS bundle and the catalogue, or problems saying why not."""
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
    return {BUNDLE_PATH: bundle, CATALOGUE_PATH: catalogue + "\n"}, []
