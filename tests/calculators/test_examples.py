"""Every published worked example (calculators/examples/*.yaml) reproduces, rounded the way its source rounds,
in Python on exact Decimal inputs, in Python on floats and in the compiled JavaScript under Node. A figure the
source prints wrongly is listed as a source error, and must really not reproduce."""

from decimal import Decimal

import pytest

from calculators import catalogue
from calculators.examples import ExampleError, load_examples, round_as_published
from calculators.examples import _check_source as check_source

EXAMPLES = load_examples()


def exact(value):
    if isinstance(value, list):
        return [exact(v) for v in value]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return Decimal(str(value))


def node_result(node, example):
    calc = catalogue.get(example.calculator)
    args = catalogue.positional_args(calc, example.inputs)
    answer = node.call(calc.function.__name__, args)
    assert "ok" in answer, answer
    return answer["ok"]


def results(example, node):
    """(how, outputs) for exact Python, float Python and Node."""
    calc = catalogue.get(example.calculator)
    every = {**{item.name: item.default for item in calc.inputs}, **example.inputs}
    return [
        ("python-decimal", catalogue.compute(example.calculator, {k: exact(v) for k, v in every.items()})),
        ("python-float", catalogue.compute(example.calculator, example.inputs)),
        ("node", node_result(node, example)),
    ]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_published_example_reproduces(example, node):
    for how, outputs in results(example, node):
        for name, figure in example.published.items():
            ours = round_as_published(outputs[name], example.rounding_for(name))
            assert ours == Decimal(figure), f"{example.file}: {example.id}: {name} ({how}): {ours} vs {figure}"


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.source_errors], ids=lambda e: e.id)
def test_source_errors_really_differ(example, node):
    for how, outputs in results(example, node):
        for name, error in example.source_errors.items():
            printed = Decimal(error["published"])
            places = -printed.as_tuple().exponent
            ours = round_as_published(outputs[name], {"places": places, "mode": "half-up"})
            assert ours != printed, f"{example.id}: {name} now matches the printed figure; move it to published"


def test_enough_examples_from_enough_venues():
    venues = {e.venue for e in EXAMPLES}
    assert len(EXAMPLES) >= 30 and len(venues) >= 4, (len(EXAMPLES), venues)
    inverse = [e for e in EXAMPLES if e.calculator.startswith("inverse-")]
    assert len({e.venue for e in inverse}) >= 3


def test_rounding_modes():
    assert round_as_published(0.018181818, {"places": 5, "mode": "up"}) == Decimal("0.01819")
    assert round_as_published(71.0767, {"places": 2, "mode": "down"}) == Decimal("71.07")
    assert round_as_published(7735.372549, {"step": "0.5", "mode": "up"}) == Decimal("7735.5")
    assert round_as_published(Decimal("2.5"), {"places": 0, "mode": "half-up"}) == 3


@pytest.mark.parametrize("url, problem", [
    ("https://testnet.bybit.com/en/help-center/article/Order-Cost-USDT-Contract", "mirror or test host"),
    ("https://bybitglobal.com/en/help-center/article/x", "mirror or test host"),
    ("http://www.bybit.com/en/help-center/article/x", "must be an https address"),
])
def test_mirror_and_test_hosts_are_refused(url, problem):
    with pytest.raises(ExampleError, match=problem) as error:
        check_source("bybit.yaml", "x", {"title": "t", "url": url, "publisher": "Bybit", "accessed": "2026-11-29"})
    assert str(error.value).startswith("bybit.yaml: x: source.url: ")


def test_a_broken_file_names_file_example_and_field(tmp_path):
    (tmp_path / "v.yaml").write_text(
        "venue: V\nexamples:\n  - id: e1\n    calculator: pnl\n    inputs: {entry_ice: 1}\n    published: {}\n"
        "    rounding: {}\n    source: {title: t, url: 'https://x.example', publisher: p, accessed: '2026-11-29'}\n",
        encoding="utf-8")
    with pytest.raises(ExampleError, match=r"^v\.yaml:3: e1: inputs\.entry_ice: not an input of pnl$"):
        load_examples(tmp_path)


def test_calculator_page_shows_the_count_and_links_every_source():
    from scripts import calcfence
    from scripts.pipeline.calcpages import calculator_page

    examples = [e for e in EXAMPLES if e.calculator == "inverse-pnl"]
    page = calculator_page(calcfence.specs()["inverse-pnl"], [], None, examples)
    assert f"Checked against {len(examples)} published examples" in page
    for example in examples:
        assert f"]({example.source['url']})" in page
    assert "printed 0.00071425 (a slip in the source)" in page  # Deribit's exit fee
    assert "No worked example published by an exchange checks this calculator yet." in calculator_page(
        calcfence.specs()["ema"], [], None, [])
