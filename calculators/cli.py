"""Command line for the calculators: ``python -m calculators list | <id> [--input value ...] [--json]``.

Options are the catalogue input names with dashes for underscores (``--entry-price 20000``); a list input is
comma separated (``--prices 1,2,3``). Bad input prints one line naming the input and its limit on stderr and
exits with code 2, without a traceback.
"""

import argparse
import difflib
import json
import sys

from calculators import catalogue, presets

EXIT_BAD_INPUT = 2


class BadInput(Exception):
    """A command-line problem reported as one line on stderr, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors become one-line ``BadInput`` instead of usage text and ``SystemExit``."""

    def error(self, message):
        raise BadInput(message)


def option_name(input_name):
    """``entry_price`` -> ``--entry-price``."""
    return "--" + input_name.replace("_", "-")


def describe_limits(item):
    """The limits of an input in words, for ``--help`` (for example ``> 0``, ``>= 0 and < 1``)."""
    parts = []
    if item.min is not None:
        parts.append(("> " if item.min_exclusive else ">= ") + _number(item.min))
    if item.max is not None:
        parts.append(("< " if item.max_exclusive else "<= ") + _number(item.max))
    if item.kind == "list" and parts:
        return "each " + " and ".join(parts)
    return " and ".join(parts)


def _number(value):
    return repr(value) if isinstance(value, float) else str(value)


def _default_text(item):
    if item.kind == "list":
        return ",".join(_number(v) for v in item.default)
    return _number(item.default)


def input_help(item):
    """One input's help line: help text, unit, default and limits."""
    bits = [item.help]
    if item.unit:
        bits.append(f"Unit: {item.unit}.")
    if item.kind == "choice":
        bits.append("One of: " + ", ".join(item.choices) + ".")
    limits = describe_limits(item)
    if limits:
        bits.append(f"Limits: {limits}.")
    bits.append(f"Default: {_default_text(item)}.")
    return " ".join(bits)


def build_parser(calc):
    """The argument parser of one calculator, generated from its catalogue entry."""
    parser = _Parser(
        prog=f"python -m calculators {calc.id}",
        description=f"{calc.title}: {calc.summary}",
        epilog="Outputs: " + ", ".join(f"{o.name} ({o.unit})" if o.unit else o.name for o in calc.outputs) + ".",
    )
    for item in calc.inputs:
        metavar = "A,B,..." if item.kind == "list" else ("|".join(item.choices) if item.kind == "choice" else "NUMBER")
        # argparse %-formats help strings: escape the percent signs in units and help texts
        help_text = input_help(item).replace("%", "%%")
        parser.add_argument(option_name(item.name), dest=item.name, metavar=metavar, help=help_text)
    if presets.applies(calc):
        known = ", ".join(preset.id for preset in presets.presets())
        parser.add_argument("--venue", dest="venue", metavar="VENUE:SYMBOL",
                            help=f"Fill fee rates, formula and tier table from a venue profile ({known}) and check "
                                 "its leverage and risk limits; typed inputs still override.")
    parser.add_argument("--json", action="store_true", help="Print one JSON object keyed by output name.")
    return parser


def parse_number(name, text, in_list=False):
    """Parse a number given on the command line; ``BadInput`` naming the input if it is not one."""
    try:
        value = float(text)
    except ValueError:
        what = "hold only numbers" if in_list else "be a number"
        raise BadInput(f"{name} must {what}, got {text!r}") from None
    return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value


def parse_value(item, text):
    """Convert the text of one option to the value the entry function expects."""
    if item.kind == "choice":
        return text
    if item.kind == "list":
        parts = [part.strip() for part in text.split(",") if part.strip() != ""]
        return [parse_number(item.name, part, True) for part in parts]
    return parse_number(item.name, text)


def format_value(value, decimals):
    """A number with thousands separators and the output's decimals."""
    return f"{value:,.{decimals}f}"


def format_list(output, value):
    """Lines for a list output: numbers on one line, volume-profile rows as an aligned table."""
    unit = f" ({output.unit})" if output.unit else ""
    if value and isinstance(value[0], dict):
        cells = [[format_value(row[key], output.decimals) for key in ("low", "high", "volume")] for row in value]
        widths = [max(len(cell[i]) for cell in cells) for i in range(3)]
        header = f"{output.label}:"
        return [header] + [f"  {c[0].rjust(widths[0])} - {c[1].rjust(widths[1])}  {c[2].rjust(widths[2])}" for c in cells]
    return [f"{output.label}{unit}:", "  " + ", ".join(format_value(v, output.decimals) for v in value)]


def render_table(calc, result):
    """Aligned ``label  value  unit`` lines for the numbers, then each list output below them."""
    numbers = [o for o in calc.outputs if o.kind != "list"]
    lines = []
    if numbers:
        values = [format_value(result[o.name], o.decimals) for o in numbers]
        label_width = max(len(o.label) for o in numbers)
        value_width = max(len(value) for value in values)
        for output, value in zip(numbers, values):
            lines.append(f"{output.label.ljust(label_width)}  {value.rjust(value_width)}  {output.unit or ''}".rstrip())
    for output in calc.outputs:
        if output.kind == "list":
            lines.extend(format_list(output, result[output.name]))
    return "\n".join(lines)


def list_calculators():
    """The ``list`` command's text: id and summary of every calculator."""
    width = max(len(calc.id) for calc in catalogue.CATALOGUE)
    return "\n".join(f"{calc.id.ljust(width)}  {calc.summary}" for calc in catalogue.CATALOGUE)


def unknown_calculator(name):
    """The one-line message for an unknown calculator id, with the closest id if there is one."""
    close = difflib.get_close_matches(name, catalogue.ids(), n=1, cutoff=0.4)
    hint = f"; did you mean {close[0]}?" if close else "; run: python -m calculators list"
    return f"unknown calculator {name!r}{hint}"


def run(argv):
    """Run the command line on ``argv`` (without the program name); return ``(exit_code, stdout_text)``.

    Raises ``BadInput`` for anything the user must fix.
    """
    if not argv or argv[0] in ("-h", "--help"):
        return 0, "usage: python -m calculators list | <id> --help | <id> [--input value ...] [--json]\n\n" + \
            list_calculators()
    if argv[0] == "list":
        return 0, list_calculators()
    calc_id = argv[0]
    try:
        calc = catalogue.get(calc_id)
    except KeyError:
        raise BadInput(unknown_calculator(calc_id)) from None
    parser = build_parser(calc)
    if any(arg in ("-h", "--help") for arg in argv[1:]):
        return 0, parser.format_help().rstrip()
    options = parser.parse_args(argv[1:])
    values = {}
    for item in calc.inputs:
        text = getattr(options, item.name)
        if text is not None:
            values[item.name] = parse_value(item, text)
    preset = None
    if getattr(options, "venue", None):
        try:
            preset = presets.get(options.venue)
        except KeyError as error:
            raise BadInput(error.args[0]) from None
        values = presets.fill(calc, preset, values)
    try:
        result = catalogue.compute(calc_id, values)
    except ValueError as error:
        raise BadInput(str(error)) from None
    if preset is not None:
        every = {item.name: item.default for item in calc.inputs}
        every.update(values)
        message = presets.problem(calc_id, preset, every, result)
        if message:
            raise BadInput(message)
    if options.json:
        return 0, json.dumps(result)
    return 0, render_table(calc, result)


def main(argv=None):
    """Entry point: print the result, or one line on stderr and exit 2."""
    try:
        code, text = run(sys.argv[1:] if argv is None else argv)
    except BadInput as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(text)
    return code
