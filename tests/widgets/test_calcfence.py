"""The ```calculator fence: body checks (input -> message pairs), the HTML it becomes, the superfences
hooks MkDocs runs, and `file:line` problems from the pipeline for broken fences in entries and pages."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html import unescape

import markdown
import pytest
import yaml
from pymdownx.superfences import SuperFencesException

from calculators import catalogue
from scripts import calcfence, calcform

from .conftest import ROOT

KNOWN_IDS = ", ".join(calcfence.specs())
LIQ_INPUTS = ", ".join(item["name"] for item in calcfence.specs()["liquidation-price"]["inputs"])

BROKEN = [
    ("id: liq", 0, f"unknown calculator id 'liq'; known ids: {KNOWN_IDS}"),
    ("id: gap_loss", 0, f"unknown calculator id 'gap_loss' (did you mean 'gap-loss'?); known ids: {KNOWN_IDS}"),
    ("defaults: {side: long}", 0, f"calculator fence needs an id; known ids: {KNOWN_IDS}"),
    ("id: liquidation-price\ndefaults: {lev: 10}", 1,
     f"liquidation-price has no input 'lev'; its inputs: {LIQ_INPUTS}"),
    ("id: liquidation-price\ndefaults:\n  side: buy", 2,
     "liquidation-price: side is 'buy'; allowed values: long, short"),
    ("id: liquidation-price\ndefaults:\n  leverage: 0", 2, "liquidation-price: leverage is 0; it must be at least 1"),
    ("id: liquidation-price\ndefaults:\n  entry_price: 0", 2,
     "liquidation-price: entry_price is 0; it must be greater than 0"),
    ("id: liquidation-price\ndefaults:\n  mmr: 1", 2, "liquidation-price: mmr is 1; it must be less than 1"),
    ("id: position-size\ndefaults: {risk_pct: 101}", 1, "position-size: risk_pct is 101; it must be at most 100"),
    ("id: liquidation-price\ndefaults:\n  qty: ten", 2, "liquidation-price: qty is 'ten'; it must be a number"),
    ("id: liquidation-price\ndefaults:\n  qty: true", 2, "liquidation-price: qty is True; it must be a number"),
    ("id: ema\ndefaults:\n  prices: [1, -2]", 2, "ema: prices[1] is -2; it must be greater than 0"),
    ("id: ema\ndefaults:\n  prices: 5", 2, "ema: prices must be a non-empty list of numbers, like [1, 2, 3]"),
    ("id: ema\ndefaults:\n  prices: []", 2, "ema: prices must be a non-empty list of numbers, like [1, 2, 3]"),
    ("id: pnl\ndefaults: [1, 2]", 1, "defaults must be a mapping like {side: long, leverage: 10}"),
    ("id: pnl\ndefault: {side: long}", 1,
     "unknown key 'default' in calculator fence (did you mean 'defaults'?); allowed keys: id, defaults, market_price"),
    ("id: liquidation-price\nmarket_price: -3", 1, "market_price is -3; it must be a number greater than 0"),
    ("- id: pnl", 0, "calculator fence must be a YAML mapping like 'id: liquidation-price'"),
    ("id: pnl\ndefaults: {side: long", 1, "calculator fence is not valid YAML: expected ',' or '}', but got '<stream end>'"),
]


@pytest.mark.parametrize("body, line, message", BROKEN)
def test_broken_fence_bodies_name_the_problem_and_its_line(body, line, message):
    with pytest.raises(calcfence.FenceError) as error:
        calcfence.parse_fence(body)
    assert (error.value.line, error.value.message) == (line, message)


def test_good_fence_becomes_an_inert_widget_container():
    fence = calcfence.parse_fence("id: liquidation-price\n"
                                  "defaults: {side: short, entry_price: 87959.91, leverage: 10}\n"
                                  "market_price: 88000.5\n")
    assert fence == {"id": "liquidation-price", "market_price": 88000.5,
                     "defaults": {"side": "short", "entry_price": 87959.91, "leverage": 10}}
    html = calcfence.widget_html(fence)
    attrs = dict(re.findall(r'(data-[a-z-]+)="([^"]*)"', html))
    assert attrs["data-calc"] == "liquidation-price"
    assert json.loads(unescape(attrs["data-defaults"])) == fence["defaults"]
    assert attrs["data-market-price"] == "88000.5"
    assert "<noscript>" in html and "Liquidation price" in html
    # the build writes the form at the fence's values and the results for them (a worked example)
    assert 'value="87959.91"' in html and 'name="side" value="short" checked' in html
    result = catalogue.compute("liquidation-price", fence["defaults"])
    assert f'data-output="liquidation_price" data-value="{result["liquidation_price"]!r}">' \
           f'{result["liquidation_price"]:,.2f} USDT</output>' in html
    assert '<figure class="mn-calc__chart" data-chart="liquidation-price">' in html


@pytest.mark.parametrize("value, text", [(20000, "20000"), (20000.0, "20000"), (0.005, "0.005"),
                                         (0.00001, "0.00001"), (1e-7, "1e-7"), (87959.91, "87959.91"),
                                         (-3.5, "-3.5"), (1e21, "1e+21"), (123456789012.5, "123456789012.5")])
def test_numbers_are_written_as_javascript_writes_them(value, text):
    assert calcform.js_number(value) == text


def test_every_calculator_renders_with_its_defaults_and_results():
    for spec in calcfence.specs().values():
        html = calcfence.widget_html({"id": spec["id"], "defaults": {}}, uid="mn-calc-7")
        assert html.startswith('<div class="mn-calc" id="mn-calc-7" data-calc="%s"' % spec["id"])
        for item in spec["inputs"]:
            assert f'data-field="{item["name"]}"' in html
        result = catalogue.compute(spec["id"], {})
        for output in spec["outputs"]:
            assert f'data-output="{output["name"]}" data-value=' in html
            assert calcform.display_value(result[output["name"]], output) in html.replace("&#x27;", "'")


def _site_markdown():
    """Python-Markdown configured with the site's superfences settings from mkdocs.yml."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/name:", lambda loader, suffix, node: suffix)
    Loader.add_constructor("!ENV", lambda loader, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    fences = next(item["pymdownx.superfences"] for item in config["markdown_extensions"]
                  if isinstance(item, dict) and "pymdownx.superfences" in item)["custom_fences"]
    calculator = next(fence for fence in fences if fence["name"] == "calculator")
    assert calculator["format"] == "scripts.calcfence.formatter"
    assert calculator["validator"] == "scripts.calcfence.validator"
    custom = [dict(calculator, format=calcfence.formatter, validator=calcfence.validator)]
    return markdown.Markdown(extensions=["pymdownx.superfences"],
                             extension_configs={"pymdownx.superfences": {"custom_fences": custom}})


def test_mkdocs_renders_the_fence_as_a_widget_container():
    html = _site_markdown().convert("Try it:\n\n```calculator\nid: pnl\ndefaults: {side: short}\n```\n")
    assert ('<div class="mn-calc" id="mn-calc-1" data-calc="pnl" data-defaults="{&quot;side&quot;:&quot;short&quot;}">'
            in html)
    two = _site_markdown().convert("```calculator\nid: pnl\n```\n\n```calculator\nid: ema\n```\n")
    assert 'id="mn-calc-1" data-calc="pnl"' in two and 'id="mn-calc-2" data-calc="ema"' in two


@pytest.mark.parametrize("body, line, message", BROKEN[:6])
def test_mkdocs_build_stops_on_a_broken_fence(body, line, message):
    with pytest.raises(SuperFencesException) as error:
        _site_markdown().convert(f"Text.\n\n```calculator\n{body}\n```\n")
    assert str(error.value) == f"calculator fence, line {line + 1} of its body: {message}"


def test_fence_options_are_refused():
    with pytest.raises(SuperFencesException, match="takes no options"):
        _site_markdown().convert('```calculator {kind="liq"}\nid: pnl\n```\n')


def test_find_problems_reports_file_lines_and_skips_fences_shown_as_code():
    text = (
        "Intro.\n"                       # line 10
        "\n"
        "````markdown\n"
        "```calculator\n"
        "id: not-checked-inside-code\n"
        "```\n"
        "````\n"
        "\n"
        "1. A list item:\n"
        "\n"
        "    ```calculator\n"            # line 20
        "    id: pnl\n"
        "    defaults:\n"
        "      leverage: 0.5\n"          # line 23
        "    ```\n"
        "\n"
        "~~~calculator\n"
        "id: nope\n"                     # line 27
        "~~~\n"
        "\n"
        "```calculator\n"
        "id: ema\n"
        "```\n"
    )
    problems = calcfence.find_problems(text, "content/entries/x.yaml", 10, "$.sections[1].body")
    assert [str(p) for p in problems] == [
        "content/entries/x.yaml:23: $.sections[1].body: pnl: leverage is 0.5; it must be at least 1",
        f"content/entries/x.yaml:27: $.sections[1].body: unknown calculator id 'nope'; known ids: {KNOWN_IDS}",
    ]
    assert calcfence.find_calculators(text) == ["ema"]


@pytest.fixture
def content_copy(tmp_path):
    """A copy of the project's content/ to break."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path


def _validate(root):
    return subprocess.run([sys.executable, "-m", "scripts", "--root", str(root), "validate"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_pipeline_reports_broken_fences_in_entries_and_pages_with_file_lines(content_copy):
    entry = content_copy / "content" / "entries" / "can-a-futures-balance-go-negative.yaml"
    text = entry.read_text(encoding="utf-8")
    assert "      id: gap-loss\n" in text, "the first entry embeds the gap-loss calculator"
    text = text.replace("      id: gap-loss\n", "      id: gap-los\n", 1)
    entry.write_text(text, encoding="utf-8")
    broken_line = text.splitlines().index("      id: gap-los") + 1
    page = content_copy / "content" / "pages" / "about.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n```calculator\nid: pnl\ndefaults: {qty: -1}\n```\n",
                    encoding="utf-8")
    page_line = len(page.read_text(encoding="utf-8").splitlines()) - 1
    run = _validate(content_copy)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    section = next(line for line in lines if line.startswith(f"content/entries/can-a-futures-balance-go-negative"
                                                              f".yaml:{broken_line}: $.sections["))
    assert section.endswith(".body: unknown calculator id 'gap-los' (did you mean 'gap-loss'?); "
                            f"known ids: {KNOWN_IDS}")
    assert f"content/pages/about.md:{page_line}: $: pnl: qty is -1; it must be greater than 0" in lines


def test_pipeline_accepts_the_real_content():
    run = _validate(ROOT)
    assert run.returncode == 0, run.stderr


def test_the_served_glue_is_the_source_without_comment_lines_and_still_parses(tmp_path):
    from scripts.pipeline.assets import GLUE_SOURCE, compact_script

    source = GLUE_SOURCE.read_text(encoding="utf-8")
    served = compact_script(source)
    assert "/*" not in served.replace('"/*"', "") and "\n//" not in served
    assert len(served) < 0.8 * len(source)
    code_lines = [line.strip() for line in source.splitlines() if line.strip() and not line.strip().startswith(
        ("//", "/*", "*"))]
    assert served.splitlines() == code_lines
    node = shutil.which("node")
    assert node, "Node.js is needed (it runs the parity tests too)"
    (tmp_path / "widgets.js").write_text(served, encoding="utf-8")
    check = subprocess.run([node, "--check", str(tmp_path / "widgets.js")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_a_calculator_with_venue_presets_gets_the_preset_select_from_the_build():
    spec = dict(calcfence.specs()["liquidation-price"])
    spec["presets"] = [{"id": "bybit:BTCUSDT", "label": "Bybit BTCUSDT", "values": {"mmr": 0.005}}]
    html = calcform.widget_html(spec, {}, "mn-calc-3")
    form = html.split('<form class="mn-calc__form"', 1)[1]
    assert form.index('class="mn-calc__field mn-calc__preset"') < form.index('data-field="side"')
    assert '<select id="mn-calc-3-venue" aria-describedby="mn-calc-3-venue-help">' in form
    assert '<option value="bybit:BTCUSDT">Bybit BTCUSDT</option>' in form
    spec.pop("presets")
    assert "mn-calc__preset" not in calcform.widget_html(spec, {}, "mn-calc-3")
