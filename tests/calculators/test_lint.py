"""The portable-subset lint: the real formulas are clean, and each banned construct is caught with its line."""

import textwrap

import pytest

from calculators.lint import lint_formulas, lint_source, main


def test_formulas_are_clean():
    assert lint_formulas() == []


def test_main_exit_code(capsys):
    assert main() == 0
    assert capsys.readouterr().out == ""


CLEAN = '''
"""Doc."""

from .margin import side_sign


def f(a, b, xs):
    """Doc."""
    total = 0
    for x in xs:
        total = total + x
    return max(a, b) + min(a, 2) + abs(total) + side_sign("long") / 100
'''


def test_clean_snippet_passes():
    assert lint_source(textwrap.dedent(CLEAN), "ok.py") == []


@pytest.mark.parametrize("body, fragment", [
    ("return round(a)", "round() is not allowed"),
    ("return round(a, 2)", "round() is not allowed"),
    ("return a % b", "% is not allowed"),
    ("a %= b\n    return a", "% is not allowed"),
    ("return a // b", "// is not allowed"),
    ("return sorted(a)", "sorted() is not allowed"),
    ("return math.sqrt(a)", "math is not available"),
    ("return g(a, b=b)", "keyword arguments are not allowed"),
    ("return f'{a}'", "f-strings are not allowed"),
    ("return f'{a:.2f}'", "f-strings are not allowed"),
    ("return '{:.2f}'.format(a)", ".format() is not allowed"),
    ("return format(a, '.2f')", "format() is not allowed"),
    ("return 'x' % a", "% is not allowed"),
    ("return str(a)", "str() is not allowed"),
    ("return a * 0.5", "float literal 0.5 is not allowed"),
    ("return a * 1e3", "float literal 1000.0 is not allowed"),
    ("return min(a)", "min() of a list is not allowed"),
    ("return max(*a)", "max() of a list is not allowed"),
    ("return max([a, b])", "max() of a list is not allowed"),
    ("return sum(a)", "sum() is not allowed"),
    ("return int(a)", "int() is not allowed"),
    ("return float(a)", "float() is not allowed"),
])
def test_banned_construct_is_reported_with_its_line(body, fragment):
    source = f'"""Doc."""\n\n\ndef f(a, b):\n    """Doc."""\n    {body}\n'
    problems = lint_source(source, "calculators/formulas/x.py")
    assert problems, body
    assert any(p.startswith("calculators/formulas/x.py:6: ") and fragment in p for p in problems), problems


@pytest.mark.parametrize("statement, fragment", [
    ("import math", "import is not allowed"),
    ("from math import sqrt", "import from math is not allowed"),
    ("from decimal import Decimal", "import from decimal is not allowed"),
    ("RATE = 2", "only imports and functions at module level"),
])
def test_module_level_rules(statement, fragment):
    problems = lint_source(f'"""Doc."""\n{statement}\n', "m.py")
    assert any(p.startswith("m.py:2: ") and fragment in p for p in problems), problems


def test_public_function_needs_a_docstring():
    problems = lint_source('"""Doc."""\n\n\ndef f(a):\n    return a\n', "m.py")
    assert problems == ["m.py:4: f() needs a docstring (formula, units and source for a calculator)"]


def test_sibling_imports_are_allowed():
    assert lint_source("from .checks import require_finite\nfrom calculators.formulas.margin import side_sign\n") == []


def test_syntax_error_is_reported():
    assert lint_source("def f(:\n", "bad.py")[0].startswith("bad.py:1: syntax error")
