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
