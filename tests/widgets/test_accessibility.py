"""axe-core (npm, pinned in tests/widgets/package.json) finds no violations on the calculator pages.

The pages are checked whole (Material's chrome included), in the light and the dark palette, with a
result shown and with an inline error shown.
"""

from __future__ import annotations

import pytest

from .conftest import AXE
from .display import enter_and_read
from .strategies import SPECS

pytestmark = pytest.mark.browser

RUN_AXE = """async (context) => {
  const results = await axe.run(context || document, {resultTypes: ['violations']});
  return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary)}));
}"""


def axe_violations(page, context: str | None = None) -> list[dict]:
    """Violations axe-core reports for the page as it is now (or for the elements ``context`` selects)."""
    if not AXE.is_file():
        pytest.fail(f"axe-core is not installed ({AXE}); run: npm ci --prefix tests/widgets", pytrace=False)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE, context)


# The dark palette changes colours only: check it where the most colours are (the charts) and on /embed/.
DARK_PAGES = ["liquidation-price", "gap-loss", "ema", "volume-profile"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_calculator_pages_have_no_axe_violations(scheme, browser, base_url):
    from .conftest import Watched

    session = Watched(browser, base_url, color_scheme=scheme)
    try:
        page = session.context.new_page()
        found = {}
        for calc_id in SPECS if scheme == "light" else DARK_PAGES:
            session.open(f"/calculators/{calc_id}/", page)
            found[calc_id] = axe_violations(page)
            # the widget again with an inline error on its first number input
            first = next(item for item in SPECS[calc_id]["inputs"] if item["kind"] != "choice")
            assert enter_and_read(page, {first["name"]: "oops"})["errors"][first["name"]]
            found[calc_id + " (error shown)"] = axe_violations(page, ".mn-calc")
        if scheme == "light":
            session.open("/calculators/", page)
            found["calculators index"] = axe_violations(page)
        session.open("/embed/liquidation-price/", page)
        found["embed page"] = axe_violations(page)
    finally:
        session.close()
    assert {name: v for name, v in found.items() if v} == {}
    assert session.problems == []


# Pages beyond the calculators, checked with every <details> open (rule boxes, their step tables, FAQ).
READER_PAGES = ["/", "/entries/can-a-futures-balance-go-negative/", "/entries/where-is-my-liquidation-price/",
                "/categories/", "/categories/indicators/", "/glossary/", "/rules/", "/calculators/liquidation-price/"]

OPEN_DETAILS = """() => { document.querySelectorAll('details').forEach(d => { d.open = true; }); }"""


# Every page on a light desktop; the pages with rule boxes and FAQ badges also dark on a phone (the dark
# badge once failed contrast; a phone makes the step tables scroll sideways).
READER_RUNS = {"desktop-light": ({"width": 1280, "height": 900}, "light", READER_PAGES),
               "phone-dark": ({"width": 390, "height": 844}, "dark", READER_PAGES[1:3] + ["/rules/"])}


@pytest.mark.parametrize("run", list(READER_RUNS))
def test_reader_pages_with_details_open_have_no_axe_violations(run, browser, base_url):
    from .conftest import Watched

    size, scheme, paths = READER_RUNS[run]
    session = Watched(browser, base_url, viewport=size, color_scheme=scheme)
    try:
        page = session.context.new_page()
        found = {}
        for path in paths:
            session.open(path, page)
            page.evaluate(OPEN_DETAILS)
            page.wait_for_timeout(100)  # reader.js marks tables that now scroll sideways
            found[path] = axe_violations(page)
            # every region that scrolls can be reached with the keyboard
            unreachable = page.evaluate("""() => Array.from(document.querySelectorAll('article *')).filter(node => {
              const style = getComputedStyle(node);
              const scrolls = (node.scrollWidth > node.clientWidth + 1 && /(auto|scroll)/.test(style.overflowX)) ||
                              (node.scrollHeight > node.clientHeight + 1 && /(auto|scroll)/.test(style.overflowY));
              return scrolls && node.tabIndex < 0 && !node.querySelector('a, button, input, select, textarea, [tabindex]');
            }).map(node => node.className || node.tagName)""")
            if unreachable:
                found[path + " (scrolling, not focusable)"] = unreachable
    finally:
        session.close()
    assert {name: v for name, v in found.items() if v} == {}
    assert session.problems == []
