"""Published worked examples as data: one YAML file per venue in this folder.

Each file holds ``venue`` and ``examples``, a list of mappings with:

* ``id`` (unique across files), ``calculator`` (a catalogue id), ``inputs`` (input name -> value);
* ``source``: ``title``, ``url`` (the publisher's canonical address: no testnet or mirror host),
  ``publisher``, ``accessed`` (YYYY-MM-DD), optional ``read_at`` (where the stored copy was read) and
  ``note``;
* ``published``: output name -> the figure as the source prints it (a string, so no digit is lost);
* ``rounding``: output name (or ``"*"`` for all) -> ``{places: N, mode: half-up | down | up}``, or
  ``{step: "0.5", mode: up | down}`` for prices rounded to a tick;
* optional ``source_errors``: output name -> ``{published, explanation}`` for a printed figure that is an
  error in the source (the test checks it really does not reproduce, and the explanation says why).

``load_examples()`` returns every example, checked; a problem raises ``ExampleError`` naming
``file:line: example id: field`` (the line where the example starts) and what to change.
"""

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal
from pathlib import Path
from urllib.parse import urlsplit

import yaml

EXAMPLES_DIR = Path(__file__).resolve().parent
MODES = {"half-up": ROUND_HALF_UP, "down": ROUND_DOWN, "up": ROUND_UP}
# Hosts that serve copies of an exchange's help centre, or its test environment: never cited.
MIRROR_MARKERS = ("testnet", "bybitglobal", "bybit.global", "bybitx", "bytick", "kbybit", "bybit.nl", "bybit.kz",
                  "bybit-global", "test.deribit", "mirror")


class ExampleError(Exception):
    """A published-example file is malformed."""


@dataclass(frozen=True)
class Example:
    """One published worked example."""

    id: str
    venue: str
    calculator: str
    inputs: dict
    published: dict
    rounding: dict
    source: dict
    source_errors: dict
    file: str

    def rounding_for(self, output):
        """The rounding spec for ``output`` (its own, else the ``"*"`` one)."""
        return self.rounding.get(output, self.rounding.get("*"))


def round_as_published(value, spec):
    """``value`` (a number) rounded the way the source rounds, as a ``Decimal``."""
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    mode = MODES[spec["mode"]]
    if "step" in spec:
        step = Decimal(str(spec["step"]))
        return (number / step).quantize(Decimal(1), rounding=mode) * step
    return number.quantize(Decimal(1).scaleb(-int(spec["places"])), rounding=mode)


def _problem(file, example_id, field, message):
    return ExampleError(f"{file}: {example_id}: {field}: {message}")


def _compose(text):
    """``yaml.compose`` by libyaml, or by PyYAML's own parser for a text libyaml refuses (its error)."""
    fast = getattr(yaml, "CSafeLoader", None)
    try:
        return yaml.compose(text, Loader=fast) if fast else yaml.compose(text)
    except yaml.YAMLError:
        return yaml.compose(text)


def _load(text):
    """``yaml.safe_load`` by libyaml, or by PyYAML's own parser for a text libyaml refuses (its error)."""
    fast = getattr(yaml, "CSafeLoader", None)
    try:
        return yaml.load(text, Loader=fast) if fast else yaml.safe_load(text)  # noqa: S506 (a safe loader)
    except yaml.YAMLError:
        return yaml.safe_load(text)


def _example_lines(text):
    """1-based line where each item of ``examples`` starts (empty if the file has no such list)."""
    root = _compose(text)
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == "examples" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _check_source(file, example_id, source):
    for key in ("title", "url", "publisher", "accessed"):
        if not isinstance(source.get(key), str) or not source[key].strip():
            raise _problem(file, example_id, f"source.{key}", "missing; give the source's " + key)
    parts = urlsplit(source["url"])
    if parts.scheme != "https" or not parts.netloc:
        raise _problem(file, example_id, "source.url", "must be an https address")
    if any(marker in parts.netloc for marker in MIRROR_MARKERS):
        raise _problem(file, example_id, "source.url", f"{parts.netloc} is a mirror or test host; cite the "
                       "publisher's canonical address (same article slug) and put the copy in read_at")


def _check_example(file, raw, catalogue):
    example_id = raw.get("id", "?")
    for key in ("id", "calculator", "inputs", "published", "rounding", "source"):
        if key not in raw:
            raise _problem(file, example_id, key, "missing")
    if raw["calculator"] not in catalogue:
        raise _problem(file, example_id, "calculator", f"no calculator {raw['calculator']!r}")
    calc = catalogue[raw["calculator"]]
    inputs = {item.name for item in calc.inputs}
    outputs = {item.name for item in calc.outputs}
    for name in raw["inputs"]:
        if name not in inputs:
            raise _problem(file, example_id, f"inputs.{name}", f"not an input of {calc.id}")
    errors = raw.get("source_errors") or {}
    for name, value in list(raw["published"].items()) + list(errors.items()):
        if name not in outputs:
            raise _problem(file, example_id, f"published.{name}", f"not an output of {calc.id}")
    for name, value in raw["published"].items():
        if not isinstance(value, str):
            raise _problem(file, example_id, f"published.{name}", "write the figure as a quoted string")
        if name not in raw["rounding"] and "*" not in raw["rounding"]:
            raise _problem(file, example_id, f"rounding.{name}", "say how the source rounds this figure")
    for name, spec in raw["rounding"].items():
        if spec.get("mode") not in MODES or ("places" in spec) == ("step" in spec):
            raise _problem(file, example_id, f"rounding.{name}", "needs mode (half-up, down, up) and places or step")
    for name, error in errors.items():
        if not error.get("explanation") or not isinstance(error.get("published"), str):
            raise _problem(file, example_id, f"source_errors.{name}", "needs published (a string) and explanation")
    _check_source(file, example_id, raw["source"])
    return Example(raw["id"], "", raw["calculator"], dict(raw["inputs"]), dict(raw["published"]),
                   dict(raw["rounding"]), dict(raw["source"]), dict(errors), file)


def load_examples(directory=EXAMPLES_DIR):
    """Every example in ``directory/*.yaml``, in file then list order; ids must be unique."""
    from calculators.catalogue import CATALOGUE

    catalogue = {calc.id: calc for calc in CATALOGUE}
    examples, seen = [], set()
    for path in sorted(Path(directory).glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        data = _load(text)
        if not isinstance(data, dict) or "venue" not in data or not isinstance(data.get("examples"), list):
            raise ExampleError(f"{path.name}:1: needs venue and a list of examples")
        for raw, line in zip(data["examples"], _example_lines(text)):
            name = f"{path.name}:{line}"
            example = _check_example(name, raw, catalogue)
            if example.id in seen:
                raise _problem(name, example.id, "id", "used twice; ids are unique across files")
            seen.add(example.id)
            examples.append(Example(**{**example.__dict__, "venue": data["venue"]}))
    return examples


def by_calculator(examples=None):
    """Calculator id -> its examples."""
    found = {}
    for example in load_examples() if examples is None else examples:
        found.setdefault(example.calculator, []).append(example)
    return found
