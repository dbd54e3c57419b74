"""The ```calculator fence: embed a calculator widget in any Markdown page.

An author writes::

    ```calculator
    id: liquidation-price
    defaults: {side: long, entry_price: 87959.91, leverage: 10}
    ```

The body is YAML with ``id`` (a catalogue id), optional ``defaults`` (input name -> value) and optional
``market_price`` (a price the liquidation ladder marks as "Market"). A number default or ``market_price``
may be ``market:<coin id>``: that coin's price in ``content/market/snapshot.yaml``
(:mod:`scripts.pipeline.market`). It is checked against the calculator catalogue twice:

* :func:`find_problems` runs in the pipeline before MkDocs, over entry section bodies and hand-written
  pages, and reports ``file:line: $.path: message`` problems (superfences cannot know the file line);
* :func:`formatter`, registered as a ``pymdownx.superfences`` custom fence, raises
  ``SuperFencesException`` on the same problems, so even a page the pipeline did not scan cannot build
  with a broken calculator (superfences silently swallows any other exception).

The fence becomes the widget's whole HTML (:mod:`scripts.calcform`: the form, the results for the start
values and a box for the chart), which ``site-overrides/assets/javascripts/widgets.js`` wires up::

    <div class="mn-calc" id="mn-calc-1" data-calc="<id>" data-defaults="{...json...}">...</div>

mkdocs.yml::

    markdown_extensions:
      - pymdownx.superfences:
          custom_fences:
            - name: calculator
              class: mn-calc
              format: !!python/name:scripts.calcfence.formatter
              validator: !!python/name:scripts.calcfence.validator
"""

from __future__ import annotations

import difflib
import math
import re
from functools import lru_cache

import yaml

from scripts.pipeline import market
from scripts.pipeline.errors import Problem

FENCE_NAME = "calculator"
KEYS = ("id", "defaults", "market_price")

# A fence opener: indentation (list items, quotes), 3+ backticks or tildes, then the info string.
_OPEN = re.compile(r"^(?P<indent>[ \t>]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*)$")


class FenceError(Exception):
    """A problem inside one fence body: ``line`` counts from the body's first line (0-based)."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@lru_cache(maxsize=1)
def specs() -> dict[str, dict]:
    """The calculator catalogue as JSON-ready dicts keyed by id (cached for the process)."""
    from calculators import catalogue

    return {spec["id"]: spec for spec in catalogue.to_json()}


def _closest(word: str, choices) -> str:
    match = difflib.get_close_matches(str(word), list(choices), n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _line(node) -> int:
    return node.start_mark.line


def _construct(node):
    """The Python value of a YAML node, built by the safe loader's constructors."""
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _limit_problem(name: str, spec_input: dict, value) -> str | None:
    low, high = spec_input.get("min"), spec_input.get("max")
    if low is not None:
        if spec_input.get("min_exclusive") and not value > low:
            return f"{name} is {value}; it must be greater than {low}"
        if not spec_input.get("min_exclusive") and not value >= low:
            return f"{name} is {value}; it must be at least {low}"
    if high is not None:
        if spec_input.get("max_exclusive") and not value < high:
            return f"{name} is {value}; it must be less than {high}"
        if not spec_input.get("max_exclusive") and not value <= high:
            return f"{name} is {value}; it must be at most {high}"
    return None


def check_default(spec_input: dict, value) -> str | None:
    """Return why ``value`` is not a valid default for the catalogue input ``spec_input``, or None."""
    name = spec_input["name"]
    kind = spec_input["kind"]
    if kind == "choice":
        if value not in spec_input["choices"]:
            allowed = ", ".join(spec_input["choices"])
            return f"{name} is {value!r}; allowed values: {allowed}"
        return None
    if kind == "list":
        if not isinstance(value, list) or not value:
            return f"{name} must be a non-empty list of numbers, like [1, 2, 3]"
        for i, item in enumerate(value):
            if not _is_number(item):
                return f"{name}[{i}] is {item!r}; it must be a number"
            problem = _limit_problem(f"{name}[{i}]", spec_input, item)
            if problem:
                return problem
        return None
    if not _is_number(value):
        return f"{name} is {value!r}; it must be a number"
    return _limit_problem(name, spec_input, value)


def _market(value, node, what: str, prices: dict[str, float] | None):
    """``value``, or the price a ``market:<id>`` value stands for (FenceError when the coin is unknown)."""
    if not market.is_reference(value):
        return value
    try:
        return market.resolve(value, market.default_prices() if prices is None else prices)
    except market.MarketReferenceError as error:
        raise FenceError(_line(node), f"{what} is {value!r}, but {error}") from None


def parse_fence(source: str, catalogue: dict[str, dict] | None = None,
                prices: dict[str, float] | None = None) -> dict:
    """Check one fence body and return ``{"id", "defaults", "market_price"}``.

    Raise :class:`FenceError` (with the 0-based body line) on the first problem: YAML errors, a body that
    is not a mapping, unknown keys, an unknown id, unknown inputs, or defaults outside the input's limits.
    ``market:<id>`` values become the coin's price from ``prices`` (default: the site's snapshot).
    """
    catalogue = specs() if catalogue is None else catalogue
    try:
        try:
            root = yaml.compose(source, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:  # parse again with PyYAML's own parser: its message is the one reported
            root = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = getattr(error, "problem", None) or str(error)
        raise FenceError(mark.line if mark else 0, f"calculator fence is not valid YAML: {reason}") from None
    if not isinstance(root, yaml.MappingNode):
        raise FenceError(0, "calculator fence must be a YAML mapping like 'id: liquidation-price'")
    fields = {}
    for key_node, value_node in root.value:
        key = _construct(key_node)
        if key not in KEYS:
            raise FenceError(_line(key_node), f"unknown key {key!r} in calculator fence{_closest(key, KEYS)}; "
                                              f"allowed keys: {', '.join(KEYS)}")
        fields[key] = (key_node, value_node)
    if "id" not in fields:
        raise FenceError(0, f"calculator fence needs an id; known ids: {', '.join(catalogue)}")
    id_node = fields["id"][1]
    calc_id = _construct(id_node)
    if calc_id not in catalogue:
        raise FenceError(_line(id_node), f"unknown calculator id {calc_id!r}{_closest(calc_id, catalogue)}; "
                                         f"known ids: {', '.join(catalogue)}")
    spec = catalogue[calc_id]
    inputs = {item["name"]: item for item in spec["inputs"]}
    defaults = {}
    if "defaults" in fields:
        node = fields["defaults"][1]
        if isinstance(node, yaml.ScalarNode) and _construct(node) is None:
            node = yaml.MappingNode("tag:yaml.org,2002:map", [], node.start_mark, node.end_mark)
        if not isinstance(node, yaml.MappingNode):
            raise FenceError(_line(node), "defaults must be a mapping like {side: long, leverage: 10}")
        for key_node, value_node in node.value:
            name = _construct(key_node)
            if name not in inputs:
                raise FenceError(_line(key_node), f"{calc_id} has no input {name!r}{_closest(name, inputs)}; "
                                                  f"its inputs: {', '.join(inputs)}")
            value = _construct(value_node)
            if market.is_reference(value) and inputs[name]["kind"] in ("choice", "list"):
                raise FenceError(_line(value_node), f"{calc_id}: {name} is {value!r}, but a market price can only "
                                                    "be the default of a single number input")
            value = _market(value, value_node, f"{calc_id}: {name}", prices)
            problem = check_default(inputs[name], value)
            if problem:
                raise FenceError(_line(value_node), f"{calc_id}: {problem}")
            defaults[name] = value
    market_price = None
    if "market_price" in fields:
        node = fields["market_price"][1]
        market_price = _market(_construct(node), node, "market_price", prices)
        if not _is_number(market_price) or market_price <= 0:
            raise FenceError(_line(node), f"market_price is {market_price!r}; it must be a number greater than 0")
    return {"id": calc_id, "defaults": defaults, "market_price": market_price}


def widget_html(fence: dict, catalogue: dict[str, dict] | None = None, embed: bool = False,
                uid: str = "mn-calc-1") -> str:
    """The widget's whole HTML (form, results for the start values, chart box), from
    :func:`scripts.calcform.widget_html`; ``uid`` is the root's id, unique within the page."""
    from scripts import calcform

    catalogue = specs() if catalogue is None else catalogue
    return calcform.widget_html(catalogue[fence["id"]], fence["defaults"], uid, fence.get("market_price"), embed)


def _next_uid(md) -> str:
    """``mn-calc-1``, ``mn-calc-2``, ... per Markdown instance (MkDocs makes one per page)."""
    count = getattr(md, "mn_calc_count", 0) + 1 if md is not None else 1
    if md is not None:
        md.mn_calc_count = count
    return f"mn-calc-{count}"


def validator(language, inputs, options, attrs, md) -> bool:
    """Superfences validator: the fence takes no header options (everything goes in the YAML body)."""
    from pymdownx.superfences import SuperFencesException

    if inputs:
        raise SuperFencesException(
            f"calculator fence takes no options ({', '.join(inputs)}); put id and defaults in the body"
        )
    return True


def formatter(source, language, css_class, options, md, **kwargs) -> str:
    """Superfences formatter: check the body and return the widget container HTML.

    Raises ``SuperFencesException`` on a bad body so the MkDocs build stops instead of showing a
    broken widget (superfences would swallow any other exception and print the fence as code).
    """
    from pymdownx.superfences import SuperFencesException

    try:
        fence = parse_fence(source)
    except FenceError as error:
        raise SuperFencesException(f"calculator fence, line {error.line + 1} of its body: {error}") from None
    return widget_html(fence, uid=_next_uid(md))


def iter_fences(markdown_text: str):
    """Yield ``(opening line index, body text, info)`` for every top-level fenced block in the text.

    Fences inside other fences (for example a ```calculator shown as an example inside a ````markdown
    block) are not yielded, matching how superfences renders them.
    """
    lines = markdown_text.split("\n")
    i = 0
    while i < len(lines):
        match = _OPEN.match(lines[i])
        if not match or (match["fence"][0] == "`" and "`" in match["info"]):
            i += 1
            continue
        indent, fence = match["indent"], match["fence"]
        closing = re.compile(r"^[ \t>]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$")
        body = []
        j = i + 1
        while j < len(lines) and not closing.match(lines[j]):
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j].lstrip(" >"))
            j += 1
        yield i, "\n".join(body), match["info"].strip()
        i = j + 1


def fence_language(info: str) -> str:
    """The language of a fence info string: ``calculator`` from ``calculator`` or ``{ .calculator }``."""
    info = info.strip()
    if info.startswith("{"):
        match = re.search(r"\.([\w-]+)", info)
        return match[1] if match else ""
    return info.split()[0] if info else ""


def find_calculators(markdown_text: str) -> list[str]:
    """Ids of the calculators a Markdown text embeds (valid fences only), in order of appearance."""
    found = []
    for _, body, info in iter_fences(markdown_text):
        if fence_language(info) == FENCE_NAME:
            try:
                found.append(parse_fence(body)["id"])
            except FenceError:
                continue
    return found


def find_problems(markdown_text: str, file: str, first_line: int, path: str = "$",
                  prices: dict[str, float] | None = None) -> list[Problem]:
    """Every broken ```calculator fence in ``markdown_text`` as a :class:`Problem` with its file line.

    ``first_line`` is the file line holding the text's first line (for a YAML block scalar, the line
    after ``body: |``); ``path`` is the JSON path of the field that holds the text; ``prices`` are the
    snapshot's prices for ``market:<id>`` values (default: the site's snapshot).
    """
    problems = []
    for start, body, info in iter_fences(markdown_text):
        if fence_language(info) != FENCE_NAME:
            continue
        try:
            if info.strip() not in (FENCE_NAME, "{." + FENCE_NAME + "}", "{ ." + FENCE_NAME + " }"):
                raise FenceError(-1, "calculator fence takes no options; put id and defaults in the body")
            parse_fence(body, prices=prices)
        except FenceError as error:
            problems.append(Problem(file, first_line + start + 1 + error.line, path, error.message))
    return problems
