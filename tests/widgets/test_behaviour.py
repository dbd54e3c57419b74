"""Widget behaviour in Chromium: bad input, reset, permalink, embed code, instant navigation, embed pages,
charts, and the DOM contract (name= on inputs, data-output= on outputs)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from calculators import catalogue
from scripts import calcfence

from .conftest import ROOT, wait_ready
from .display import EMPTY, enter_and_read, expected_outputs, field_message, read_widget, type_inputs
from .strategies import SPECS

pytestmark = pytest.mark.browser


DOM_CONTRACT = """(root) => {
  const node = document.querySelector(root);
  const fields = {};
  node.querySelectorAll('[data-field]').forEach(field => {
    fields[field.dataset.field] = {
      named: field.querySelectorAll(`[name="${field.dataset.field}"]`).length,
      live_errors: field.querySelectorAll('.mn-calc__error[aria-live=polite]').length,
      text: field.innerText,
    };
  });
  const outputs = {};
  node.querySelectorAll('[data-output]').forEach(el => { outputs[el.dataset.output] = (outputs[el.dataset.output] || 0) + 1; });
  return {fields, outputs, names: Array.from(node.querySelectorAll('[name]')).map(el => el.name)};
}"""


@pytest.mark.parametrize("calc_id", list(SPECS))
def test_dom_contract_and_defaults(calc_id, shared_pages):
    spec = SPECS[calc_id]
    page = shared_pages(calc_id)
    seen = page.evaluate(DOM_CONTRACT, ".mn-calc")
    inputs = {item["name"]: item for item in spec["inputs"]}
    assert set(seen["names"]) == set(inputs)
    for name, item in inputs.items():
        field = seen["fields"][name]
        assert field["named"] == (len(item["choices"]) if item["kind"] == "choice" else 1), name
        assert field["live_errors"] == 1, name
        assert item["label"] in field["text"], name
    assert seen["outputs"] == {output["name"]: 1 for output in spec["outputs"]}
    # the page opened with the catalogue's defaults (and the page's fence defaults) and their results
    preset = json.loads(page.locator(".mn-calc").first.get_attribute("data-defaults"))
    opened = shared_pages.initial[calc_id]
    assert opened["inputs"] == {item["name"]: _text(preset.get(item["name"], item["default"]))
                                for item in spec["inputs"]}
    assert opened["outputs"] == expected_outputs(spec, catalogue.compute(calc_id, preset))
    assert shared_pages.session.problems == []


def bad_cases(spec):
    """(input, typed text, expected message) for every kind of bad input the catalogue's limits allow."""
    cases = []
    for item in spec["inputs"]:
        if item["kind"] == "choice":
            continue
        name, unit = item["name"], item.get("unit")
        suffix = f" {unit}" if unit and unit != "%" else (unit or "")
        cases.append((name, "", "Enter at least one value." if item["kind"] == "list" else "Enter a value."))
        if item["kind"] == "list":
            good = _text(item["default"][0])
            cases.append((name, f"{good}, 2x, {good}", "Value 2 (2x): \u201c2x\u201d is not a number."))
            continue
        cases.append((name, "abc", "\u201cabc\u201d is not a number."))
        cases.append((name, "1e999", "This number is too large."))
        low, high = item.get("min"), item.get("max")
        if low is not None:
            if item["min_exclusive"]:
                cases.append((name, f"{low:g}", f"Must be greater than {low:g}{suffix}."))
            cases.append((name, f"{low - 1:g}", f"Must be {'greater than' if item['min_exclusive'] else 'at least'} "
                                                f"{low:g}{suffix}."))
        if high is not None:
            if item["max_exclusive"]:
                cases.append((name, f"{high:g}", f"Must be less than {high:g}{suffix}."))
            cases.append((name, f"{high + 1:g}", f"Must be {'less than' if item['max_exclusive'] else 'at most'} "
                                                 f"{high:g}{suffix}."))
    return cases


@pytest.mark.parametrize("calc_id", list(SPECS))
def test_bad_input_is_shown_next_to_its_field(calc_id, shared_pages):
    spec = SPECS[calc_id]
    page = shared_pages(calc_id)
    defaults = {item["name"]: _text(item["default"]) for item in spec["inputs"]}
    cases = bad_cases(spec)
    assert cases
    # one case typed with the keyboard-level fill, the rest entered in one round trip each
    enter_and_read(page, defaults)
    page.locator(f'.mn-calc [name="{cases[0][0]}"]').fill(cases[0][1])
    assert read_widget(page)["errors"][cases[0][0]] == cases[0][2]
    for name, text, message in cases:
        enter_and_read(page, defaults)
        seen = enter_and_read(page, {name: text})
        assert seen["errors"][name] == message, (calc_id, name, text)
        assert seen["invalid"] == [name], (calc_id, name, text)
        assert set(seen["outputs"].values()) == {EMPTY}, (calc_id, name, text)
        assert "NaN" not in seen["text"] and "Infinity" not in seen["text"]
    # fixing the field clears the message and brings the results back
    seen = enter_and_read(page, defaults)
    assert not any(seen["errors"].values())
    assert seen["outputs"] == expected_outputs(spec, catalogue.compute(calc_id, {}))
    assert shared_pages.session.problems == []


def _text(value) -> str:
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return value if isinstance(value, str) else repr(value)


# Formula rejections (ValueError) land on the field their message names, in the reader's words.
FORMULA_ERRORS = [
    ("ema", {"prices": "10, 11, 12", "period": "5"}, "period",
     "Period must be at most the number of prices."),
    ("ema", {"period": "2.5"}, "period", "Period must be a whole number."),
    ("average-entry", {"qtys": "1, 2, 3", "prices": "100, 200"}, None, None),
    ("position-size", {"entry_price": "100", "stop_price": "100"}, "stop_price",
     "Stop price must differ from entry price."),
    ("gap-loss", {"margin_mode": "isolated", "wallet_balance": "10"}, "wallet_balance",
     "Wallet balance must be at least the position margin in isolated mode."),
]


@pytest.mark.parametrize("calc_id, texts, field, message", FORMULA_ERRORS)
def test_formula_rejections_are_shown_on_the_named_field(calc_id, texts, field, message, shared_pages):
    spec = SPECS[calc_id]
    page = shared_pages(calc_id)
    defaults = {item["name"]: _text(item["default"]) for item in spec["inputs"]}
    values = {item["name"]: item["default"] for item in spec["inputs"]}
    for name, text in texts.items():
        values[name] = [float(v) for v in text.split(",")] if isinstance(values[name], list) else (
            text if isinstance(values[name], str) else float(text))
    with pytest.raises(ValueError) as python_error:
        catalogue.compute(calc_id, values)
    named = str(python_error.value).split(" ")[0]
    assert field in (None, named)
    seen = enter_and_read(page, {**defaults, **texts})
    assert seen["errors"][named] == field_message(spec, str(python_error.value))[1]
    assert not any("_" in item["name"] and item["name"] in seen["errors"][named] for item in spec["inputs"])
    if message:
        assert seen["errors"][named] == message
    assert seen["invalid"] == [named]
    assert set(seen["outputs"].values()) == {EMPTY}
    enter_and_read(page, defaults)
    assert shared_pages.session.problems == []


def test_reset_restores_the_defaults(watched):
    spec = SPECS["pnl"]
    page = watched.open("/calculators/pnl/")
    start = read_widget(page)
    type_inputs(page, spec, {"side": "short", "entry_price": "123", "qty": "abc"})
    assert read_widget(page)["inputs"]["side"] == "short"
    page.get_by_role("button", name="Reset").click()
    after = read_widget(page)
    assert after["inputs"] == start["inputs"]
    assert after["outputs"] == expected_outputs(spec, catalogue.compute("pnl", {}))
    assert not any(after["errors"].values())


def test_permalink_restores_the_inputs(watched):
    spec = SPECS["liquidation-price"]
    texts = {"side": "short", "entry_price": "87959.91", "qty": "0.5", "leverage": "12.5", "mmr": "0.01",
             "mm_deduction": "12", "extra_margin": "-3", "formula": "binance"}
    page = watched.open("/calculators/liquidation-price/")
    type_inputs(page, spec, texts)
    shown = read_widget(page)
    page.get_by_role("button", name="Copy link").click()
    page.wait_for_function("() => document.querySelector('.mn-calc__status').textContent !== ''")
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == page.url
    query = parse_qs(urlsplit(link).query)
    assert query["calc"] == ["liquidation-price"]
    carried = {name: values[0] for name, values in query.items() if name != "calc"}
    assert set(carried) == {item["name"] for item in spec["inputs"]}  # every input, typed or not
    assert {name: carried[name] for name in texts} == texts
    other = watched.open(urlsplit(link).path + "?" + urlsplit(link).query)
    restored = read_widget(other)
    assert restored["inputs"] == carried
    assert restored["outputs"] == shown["outputs"]
    # a reset forgets the link's inputs
    other.get_by_role("button", name="Reset").click()
    assert urlsplit(other.url).query == ""


def test_markdown_fence_is_a_valid_fence_with_the_current_inputs(watched):
    spec = SPECS["ema"]
    page = watched.open("/calculators/ema/")
    type_inputs(page, spec, {"prices": "1\n2\n3\n4.5", "period": "2", "seed": "first"})
    page.get_by_role("button", name="Copy Markdown fence").click()
    page.wait_for_function("() => document.querySelector('.mn-calc__status').textContent !== ''")
    code = page.evaluate("navigator.clipboard.readText()")
    assert code.startswith("```calculator\n") and code.endswith("```\n")
    body = code.split("\n", 1)[1].rsplit("```", 1)[0]
    fence = calcfence.parse_fence(body)
    assert fence == {"id": "ema", "defaults": {"prices": [1, 2, 3, 4.5], "period": 2, "seed": "first"},
                     "market_price": None}
    assert calcfence.find_problems(code, "article.md", 1) == []


def test_fence_defaults_preset_the_widget_in_an_article(watched):
    path = "/entries/can-a-futures-balance-go-negative/"
    page = watched.open(path)
    root = page.locator('.mn-calc[data-calc="gap-loss"]')
    defaults = calcfence.parse_fence("id: gap-loss\ndefaults: " + root.get_attribute("data-defaults"))["defaults"]
    assert defaults, "the first entry embeds gap-loss with defaults"
    seen = read_widget(page, '.mn-calc[data-calc="gap-loss"]')
    assert seen["inputs"] == {name: _text(value) for name, value in
                              {**{i["name"]: i["default"] for i in SPECS["gap-loss"]["inputs"]}, **defaults}.items()}
    assert seen["outputs"] == expected_outputs(SPECS["gap-loss"], catalogue.compute("gap-loss", defaults))


def test_widget_works_after_instant_navigation(watched):
    page = watched.open("/")
    page.evaluate("window.__no_reload = true")
    page.locator(".md-tabs a", has_text="Calculators").click()
    page.wait_for_url("**/calculators/")
    page.locator("article a", has_text="Position size by risk").first.click()
    page.wait_for_url("**/calculators/position-size/")
    page.locator(".mn-calc[data-calc]").first.wait_for(state="attached")  # swapped in (see below)
    wait_ready(page)
    assert page.evaluate("window.__no_reload") is True, "the page was reloaded, not switched instantly"
    spec = SPECS["position-size"]
    texts = {"equity": "5000", "risk_pct": "2", "entry_price": "250", "stop_price": "240", "leverage": "3"}
    type_inputs(page, spec, texts)
    values = {name: float(text) for name, text in texts.items()}
    assert read_widget(page)["outputs"] == expected_outputs(spec, catalogue.compute("position-size", values))
    # and back to an article with a widget, still instantly
    page.go_back()
    page.wait_for_url("**/calculators/")
    page.locator(".mn-calc[data-calc]").first.wait_for(state="detached")  # the list, with no calculator, is in
    page.go_forward()
    page.wait_for_url("**/calculators/position-size/")
    # going forward, the address changes before Material has fetched and swapped in the page, and
    # wait_ready holds at once on a page with no calculator: wait for the widget to be there first
    page.locator(".mn-calc[data-calc]").first.wait_for(state="attached")
    wait_ready(page)
    assert page.locator(".mn-calc[data-state=ready]").count() == 1


def test_embed_page_is_the_widget_alone(watched):
    page = watched.open("/embed/pnl/")
    assert page.locator("header, nav, .md-header").count() == 0
    assert page.locator(".mn-calc[data-state=ready]").count() == 1
    assert page.get_by_role("button", name="Copy embed code").count() == 0
    spec = SPECS["pnl"]
    type_inputs(page, spec, {"side": "short", "exit_price": "6800"})
    assert read_widget(page)["outputs"] == expected_outputs(
        spec, catalogue.compute("pnl", {"side": "short", "exit_price": 6800.0}))
    page.get_by_role("button", name="Copy link").click()
    page.wait_for_function("() => document.querySelector('.mn-calc__status').textContent !== ''")
    link = page.evaluate("navigator.clipboard.readText()")
    assert urlsplit(link).path == "/calculators/pnl/"
    assert parse_qs(urlsplit(link).query)["exit_price"] == ["6800"]


CHARTS = {
    "liquidation-price": "mn-chart__mark--liquidation",
    "gap-loss": "mn-chart__bar--loss",
    "ema": "mn-chart__series--ema",
    "volume-profile": "mn-chart__bar--poc",
}


@pytest.mark.parametrize("calc_id, part", CHARTS.items())
def test_charts_are_described_svg(calc_id, part, shared_pages):
    page = shared_pages(calc_id)
    spec = SPECS[calc_id]
    enter_and_read(page, {item["name"]: _text(item["default"]) for item in spec["inputs"]})
    svg = page.locator(".mn-calc__chart svg")
    assert svg.count() == 1
    assert svg.get_attribute("role") == "img"
    title, desc = svg.locator("title").text_content(), svg.locator("desc").text_content()
    assert title and desc and "NaN" not in desc
    assert svg.locator(f".{part}").count() >= 1
    # no result, no chart, but its box keeps its place (nothing below moves)
    box = page.locator(".mn-calc__chart").bounding_box()
    first_number = next(item for item in spec["inputs"] if item["kind"] != "choice")
    page.locator(f'.mn-calc [name="{first_number["name"]}"]').fill("")
    assert page.locator(".mn-calc__chart svg").count() == 0
    assert page.locator(".mn-calc__chart-note").is_visible()
    assert page.locator(".mn-calc__chart").bounding_box() == box
    assert shared_pages.session.problems == []


def test_liquidation_ladder_scales_to_the_position_and_marks_the_market_off_scale(watched):
    page = watched.open("/calculators/liquidation-price/")
    page.locator(".mn-calc").first.evaluate("node => node.setAttribute('data-market-price', '20200')")
    spec = SPECS["liquidation-price"]
    enter_and_read(page, {"entry_price": "20000", "leverage": "10"})
    desc = page.locator(".mn-calc svg desc").text_content()
    assert "Market price 20,200.00 USDT" in desc
    assert "Entry price 20,000.00 USDT" in desc
    result = catalogue.compute("liquidation-price", {"entry_price": 20000, "leverage": 10})
    assert f"Liquidation price {result['liquidation_price']:,.2f} USDT" in desc
    assert page.locator(".mn-chart__mark--market").count() == 1
    # a market price far from the position is an arrow at the edge with its value; the axis keeps the
    # position's own prices apart (entry and liquidation at least 40 px apart, all labels inside)
    page.locator(".mn-calc").first.evaluate("node => node.setAttribute('data-market-price', '87959.91')")
    enter_and_read(page, {"entry_price": "20000", "leverage": "50"})
    svg = page.locator(".mn-calc svg")
    assert "market price 87,959.91 USDT, off the scale above" in svg.locator("desc").text_content()
    assert page.locator(".mn-chart__mark--market").count() == 0
    assert page.locator(".mn-chart__offscale").count() == 1
    assert svg.locator("text", has_text="87,959.91 USDT").count() == 1
    marks = page.evaluate("""() => Object.fromEntries(Array.from(document.querySelectorAll('.mn-chart__mark'))
      .map(line => [line.classList[1], line.getBoundingClientRect().top]))""")
    assert abs(marks["mn-chart__mark--entry"] - marks["mn-chart__mark--liquidation"]) >= 40
    box = svg.bounding_box()
    for text in svg.locator("text").all():
        inner = text.bounding_box()
        assert box["y"] <= inner["y"] and inner["y"] + inner["height"] <= box["y"] + box["height"] + 1
        assert box["x"] <= inner["x"] and inner["x"] + inner["width"] <= box["x"] + box["width"] + 1
    enter_and_read(page, {item["name"]: _text(item["default"]) for item in spec["inputs"]})


def test_numbers_typed_with_separators_or_pasted_as_columns_are_read(shared_pages):
    page = shared_pages("liquidation-price")
    spec = SPECS["liquidation-price"]
    type_inputs(page, spec, {"entry_price": " 87,959.91 ", "qty": "1e-1", "leverage": "+20"})
    values = {"entry_price": 87959.91, "qty": 0.1, "leverage": 20.0}
    expected = expected_outputs(spec, catalogue.compute("liquidation-price", values))
    assert read_widget(page)["outputs"] == expected
    enter_and_read(page, {item["name"]: _text(item["default"]) for item in spec["inputs"]})
    page = shared_pages("average-entry")
    spec = SPECS["average-entry"]
    type_inputs(page, spec, {"qtys": "0.5\t0.25\n1 ,2", "prices": "100\n200\n300\n400\n"})
    values = {"qtys": [0.5, 0.25, 1, 2], "prices": [100, 200, 300, 400]}
    assert read_widget(page)["outputs"] == expected_outputs(spec, catalogue.compute("average-entry", values))
    assert shared_pages.session.problems == []


def test_liquidation_page_marks_the_market_snapshot_price(shared_pages):
    snapshot = yaml.safe_load((ROOT / "content" / "market" / "snapshot.yaml").read_text(encoding="utf-8"))
    bitcoin = round(next(coin["usd"] for coin in snapshot["coins"] if coin["id"] == "bitcoin"), 2)
    page = shared_pages("liquidation-price")
    assert page.locator(".mn-calc").first.get_attribute("data-market-price") == repr(bitcoin)
    assert shared_pages.initial["liquidation-price"]["inputs"]["entry_price"] == f"{bitcoin:.2f}"
    # at the page's start values the entry is the market price: the market line is drawn
    spec = SPECS["liquidation-price"]
    enter_and_read(page, {**{item["name"]: _text(item["default"]) for item in spec["inputs"]},
                          "entry_price": f"{bitcoin:.2f}"})
    assert f"Market price {bitcoin:,.2f} USDT" in page.locator(".mn-calc__chart svg desc").text_content()
    assert page.locator(".mn-chart__mark--market").count() == 1
    # at the catalogue's entry price of 20,000 the market is far off: an off-scale marker instead
    enter_and_read(page, {item["name"]: _text(item["default"]) for item in spec["inputs"]})
    assert f"market price {bitcoin:,.2f} USDT, off the scale above" in page.locator(
        ".mn-calc__chart svg desc").text_content()
    assert page.locator(".mn-chart__offscale").count() == 1


def test_an_unknown_calculator_says_so_and_spares_the_others(watched):
    page = watched.open("/calculators/pnl/")
    page.evaluate("""() => {
      const node = document.createElement('div');
      node.className = 'mn-calc'; node.id = 'unknown';
      node.setAttribute('data-calc', 'no-such-calculator');
      document.querySelector('article').prepend(node);
      window.mnWidgets.mount();
    }""")
    page.wait_for_selector("#unknown[data-state=failed]")
    assert page.locator("#unknown").inner_text() == "This calculator is not available."
    assert page.locator('.mn-calc[data-calc="pnl"][data-state=ready]').count() == 1
