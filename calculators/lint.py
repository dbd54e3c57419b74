"""Lint for the portable subset the formula functions are written in (see calculators/formulas/__init__.py).

Each rule exists because PScript compiles the construct to JS that behaves differently from Python
(measured in shared/reference/feasibility.md §4) or because the model calls the formulas with ``Decimal``.
Problems print as ``path:line: message``. Run ``python -m calculators.lint``; exit 1 on any problem.
"""

import ast
import sys
from pathlib import Path

FORMULAS_DIR = Path(__file__).resolve().parent / "formulas"
ROOT = FORMULAS_DIR.parent.parent

BANNED_CALLS = {
    "round": "round() rounds half to even in Python and half up in JS",
    "sorted": "sorted() sorts numbers as strings in JS; write an explicit insertion sort",
    "sum": "sum() of an empty list fails in JS; add in a loop",
    "str": "str() of a number differs in JS (1.0 -> '1')",
    "format": "format() is not portable",
    "int": "int() truncates differently in JS; use checks.floor_non_negative",
    "float": "float() of a bad string gives NaN in JS instead of raising",
    "isinstance": "isinstance() on numbers differs in JS",
}


class _Linter(ast.NodeVisitor):
    def __init__(self, filename):
        self.filename = filename
        self.problems = []

    def report(self, node, message):
        self.problems.append((node.lineno, f"{self.filename}:{node.lineno}: {message}"))

    def visit_Module(self, node):
        for index, statement in enumerate(node.body):
            docstring = index == 0 and isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            if not (docstring or isinstance(statement, (ast.FunctionDef, ast.ImportFrom, ast.Import))):
                self.report(statement, "only imports and functions at module level (globals are not compiled to JS)")
        self.generic_visit(node)

    def visit_FunctionDef(self, node):
        if not node.name.startswith("_") and ast.get_docstring(node) is None:
            self.report(node, f"{node.name}() needs a docstring (formula, units and source for a calculator)")
        self.generic_visit(node)

    def visit_Import(self, node):
        self.report(node, "import is not allowed; import only from sibling formula modules (from .x import y)")

    def visit_ImportFrom(self, node):
        sibling = node.level == 1 and node.module is not None
        absolute = node.level == 0 and (node.module or "").startswith("calculators.formulas.")
        if not (sibling or absolute):
            self.report(node, f"import from {node.module or '.'} is not allowed; only sibling formula modules")

    def visit_BinOp(self, node):
        self._check_operator(node, node.op)
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._check_operator(node, node.op)
        self.generic_visit(node)

    def _check_operator(self, node, op):
        if isinstance(op, ast.Mod):
            self.report(node, "% is not allowed: JS remainder differs on negatives, and %-formatting is not portable")
        if isinstance(op, ast.FloorDiv):
            self.report(node, "// is not allowed: JS floor of a float quotient differs; use checks.floor_non_negative")

    def visit_Constant(self, node):
        if isinstance(node.value, (float, complex)):
            self.report(node, f"float literal {node.value!r} is not allowed (formulas must also work on Decimal)")

    def visit_JoinedStr(self, node):
        self.report(node, "f-strings are not allowed: number formatting differs in JS")

    def visit_Name(self, node):
        if node.id == "math":
            self.report(node, "math is not available in JS")
        self.generic_visit(node)

    def visit_Call(self, node):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if node.keywords:
            self.report(node, "keyword arguments are not allowed: compiled functions take positional arguments only")
        if name in BANNED_CALLS:
            self.report(node, f"{name}() is not allowed: {BANNED_CALLS[name]}")
        if name in ("min", "max"):
            single = len(node.args) < 2
            listy = any(isinstance(arg, (ast.Starred, ast.List, ast.ListComp, ast.GeneratorExp)) for arg in node.args)
            if single or listy:
                self.report(node, f"{name}() of a list is not allowed (an empty list fails in JS); compare two numbers")
        if isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            self.report(node, ".format() is not allowed: number formatting differs in JS")
        self.generic_visit(node)


def lint_source(source, filename="<snippet>"):
    """Return the problems in one module's source, each as ``filename:line: message``."""
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as error:
        return [f"{filename}:{error.lineno}: syntax error: {error.msg}"]
    linter = _Linter(filename)
    linter.visit(tree)
    linter.problems.sort(key=lambda problem: problem[0])
    return [text for _, text in linter.problems]


def lint_files(paths):
    """Lint every file in ``paths``; names are shown relative to the repository root when possible."""
    problems = []
    for path in paths:
        path = Path(path)
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        problems.extend(lint_source(path.read_text(encoding="utf-8"), str(shown)))
    return problems


def pscript_problems():
    """Problems PScript reports when compiling all formulas (names undefined in the JS bundle)."""
    from calculators.jsbuild import BundleError, compile_parts

    try:
        _, _, _, unknown = compile_parts()
    except BundleError as error:
        return [f"calculators/formulas: {error}"]
    return [f"calculators/formulas: PScript reports unknown name {name}" for name in sorted(unknown)]


def lint_formulas():
    """Lint every module in calculators/formulas/ and check the PScript compilation; return the problems."""
    return lint_files(sorted(FORMULAS_DIR.glob("*.py"))) + pscript_problems()


def main():
    """Print every problem; exit 1 if there is any."""
    problems = lint_formulas()
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
