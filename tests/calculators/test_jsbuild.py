"""The bundle builder: one UMD module, helpers once, every entry exported, unknown names fail the build."""

import importlib
import sys
import textwrap

import pytest

from calculators import jsbuild
from calculators.catalogue import CATALOGUE


def test_bundle_exports_every_entry_function(node):
    exported = node.call_many([("calc_ema", [[1, 2, 3], 2, "sma"])])
    assert exported == [{"ok": {"ema": [1.5, 2.5], "last": 2.5}}]
    bundle = jsbuild.build_bundle()
    for calc in CATALOGUE:
        assert f"{calc.function.__name__} = function" in bundle


def test_stdlib_helpers_are_included_once():
    bundle = jsbuild.build_bundle()
    assert bundle.count("var _pyfunc_op_add = function") == 1
    assert bundle.count("var _pyfunc_op_mult = function") == 1


def test_bundle_is_a_umd_module_named_mncalc():
    bundle = jsbuild.build_bundle()
    assert 'define("mncalc", [], factory);' in bundle  # AMD
    assert "module.exports = factory();" in bundle      # CommonJS / Node
    assert "root.mncalc = factory();" in bundle         # browser global window.mncalc


def test_unknown_name_fails_the_build(tmp_path, monkeypatch):
    module_dir = tmp_path / "badformulas"
    module_dir.mkdir()
    (module_dir / "__init__.py").write_text("")
    (module_dir / "bad.py").write_text(textwrap.dedent('''
        import math

        def uses_math(x):
            """Square root through math, which does not exist in JS."""
            return math.sqrt(x)
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    bad = importlib.import_module("badformulas.bad")
    try:
        monkeypatch.setattr(jsbuild, "formula_functions", lambda: [bad.uses_math])
        monkeypatch.setattr(jsbuild, "entry_names", lambda: ["uses_math"])
        with pytest.raises(jsbuild.BundleError, match="unknown names: math"):
            jsbuild.build_bundle()
    finally:
        sys.modules.pop("badformulas.bad", None)
        sys.modules.pop("badformulas", None)


def test_duplicate_function_names_across_modules_fail(monkeypatch):
    from calculators.formulas import checks, margin

    monkeypatch.setattr(jsbuild, "formula_modules", lambda: [margin, checks, margin])
    with pytest.raises(jsbuild.BundleError, match="defined in both"):
        jsbuild.formula_functions()
