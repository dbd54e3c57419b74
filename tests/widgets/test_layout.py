"""The reader's view in Chromium at a phone (390×844) and a desktop (1280×900) size, light and dark:
the page does not move while it loads (cumulative layout shift from the Layout Instability API), nothing
scrolls sideways, a key result stays in view while the reader types into any field, and chart text is
at least 12 px. Also: the widget works without JavaScript (form, worked example, formula)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import Watched, wait_ready
from .strategies import SPECS

pytestmark = pytest.mark.browser

# Sums every layout shift not caused by recent input, from the first paint on (buffered entries).
CLS_INIT = """
window.__cls = 0;
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value;
}).observe({type: 'layout-shift', buffered: true});
"""

# Whether the first result or the key result (first summary output, also in the sticky summary) is shown,
# uncovered, between the header and the bottom of the window.
RESULT_IN_VIEW = """(root) => {
  const widget = document.querySelector(root);
  const key = widget.querySelector('[data-summary]').getAttribute('data-summary');
  const header = document.querySelector('.md-header');
  const top = header ? header.getBoundingClientRect().bottom : 0;
  const shown = [widget.querySelector('[data-output]'), ...widget.querySelectorAll(`[data-output="${key}"], [data-summary="${key}"]`)];
  return shown.some(node => {
    const box = node.getBoundingClientRect();
    if (!box.width || box.top < top - 0.5 || box.bottom > innerHeight + 0.5) return false;
    if (getComputedStyle(node).visibility !== 'visible') return false;
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return hit !== null && (hit.contains(node) || node.contains(hit));
  });
}"""

# Three animation frames: a scroll event fires in one, the handler's own frame comes next, then one to spare.
FRAMES = ("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame("
          "() => requestAnimationFrame(() => done()))))")

CHART_TEXT_SIZES = """() => Array.from(document.querySelectorAll('.mn-calc__chart svg')).flatMap(svg => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return Array.from(svg.querySelectorAll('text')).map(text => parseFloat(getComputedStyle(text).fontSize) * scale);
})"""

CHART_TEXT_OUTSIDE = """() => Array.from(document.querySelectorAll('.mn-calc__chart svg')).flatMap(svg => {
  const box = svg.getBoundingClientRect();
  return Array.from(svg.querySelectorAll('text')).filter(text => {
    const inner = text.getBoundingClientRect();
    return inner.left < box.left - 1 || inner.right > box.right + 1 || inner.top < box.top - 1 || inner.bottom > box.bottom + 1;
  }).map(text => text.textContent);
})"""

# Lines and bars that carry data (not the shaded zones) against the widget's background: at least 3:1
# (WCAG 1.4.11 for graphics), in both palettes.
CHART_CONTRAST = """() => {
  const rgb = text => text.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  return Array.from(document.querySelectorAll('.mn-calc__chart svg')).flatMap(svg => {
    const back = rgb(getComputedStyle(svg.closest('.mn-calc')).backgroundColor);
    const parts = svg.querySelectorAll('.mn-chart__mark, .mn-chart__series, .mn-chart__bar--poc, .mn-chart__bar--total, .mn-chart__bar--loss, .mn-chart__bar--gain');
    return Array.from(parts).map(node => {
      const style = getComputedStyle(node);
      const colour = node.tagName === 'rect' ? style.fill : style.stroke;
      return [node.getAttribute('class'), ratio(rgb(colour), back)];
    }).filter(([name, value]) => value < 3).map(([name, value]) => name + ' ' + value.toFixed(2));
  });
}"""

ENTRIES = ["/entries/can-a-futures-balance-go-negative/", "/entries/where-is-my-liquidation-price/"]
CHART_PAGES = ["liquidation-price", "gap-loss", "ema", "volume-profile"]
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def _pages(scheme: str, site) -> list[str]:
    # The dark palette changes colours only: its run covers the pages with charts and two entries.
    calculators = SPECS if scheme == "light" else CHART_PAGES
    entries = sorted(f"/entries/{path.parent.name}/" for path in (site / "entries").glob("*/index.html"))
    return [f"/calculators/{calc_id}/" for calc_id in calculators] + (entries if scheme == "light" else ENTRIES)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", list(SIZES))
def test_pages_hold_still_fit_the_width_and_keep_a_result_in_view(size, scheme, browser, base_url, built_site):
    session = Watched(browser, base_url, viewport=SIZES[size], color_scheme=scheme)
    session.context.add_init_script(CLS_INIT)
    found = {}
    try:
        page = session.context.new_page()
        for path in _pages(scheme, built_site):
            session.open(path, page)
            page.wait_for_timeout(300)  # let anything late (a chart, a font, an image) land
            problems = []
            cls = page.evaluate("window.__cls")
            if cls >= 0.05:
                problems.append(f"layout shift {cls:.3f}")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                problems.append(f"scrolls sideways by {overflow}px")
            small = [size for size in page.evaluate(CHART_TEXT_SIZES) if size < 12]
            if small:
                problems.append(f"chart text at {min(small):.1f}px")
            faint = page.evaluate(CHART_CONTRAST)
            if faint:
                problems.append(f"chart parts below 3:1: {sorted(set(faint))}")
            outside = page.evaluate(CHART_TEXT_OUTSIDE)
            if outside:
                problems.append(f"chart text cut off: {outside}")
            widgets = page.locator(".mn-calc[data-calc]")
            for index in range(widgets.count()):
                root = f"#{widgets.nth(index).get_attribute('id')}"
                calc_id = widgets.nth(index).get_attribute("data-calc")
                fields = [item for item in SPECS[calc_id]["inputs"] if item["kind"] != "choice"]
                if path.startswith("/calculators/") and scheme == "light":
                    page.evaluate("window.scrollTo(0, 0)")
                    if size == "desktop":
                        fields = fields[:1] + fields[-1:]  # side by side: the results column sticks
                else:
                    fields = fields[:1]  # colours do not move anything: the first field is enough
                for item in fields:
                    control = page.locator(f'{root} [name="{item["name"]}"]')
                    control.fill(control.input_value())
                    # the summary follows scrolling in the frame after the scroll event: wait for frames,
                    # not a time (a busy machine drew later than a fixed 60 ms once)
                    page.evaluate(FRAMES)
                    if not page.evaluate(RESULT_IN_VIEW, root):
                        problems.append(f"{calc_id}: no result in view while typing into {item['name']}")
            if problems:
                found[path] = problems
        # the measurement itself works: a block pushed in above the content, with no input, counts
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(600)  # shifts within 500 ms of an input do not count
        page.evaluate("""() => { const block = document.createElement('div'); block.style.height = '300px';
                                 document.querySelector('article').prepend(block); }""")
        # the shift is reported once a frame shows it: wait for that (a busy machine draws late), up to 10 s
        page.wait_for_function("window.__cls > 0.05", timeout=10_000)
        assert page.evaluate("window.__cls") > 0.05
    finally:
        session.close()
    assert found == {}
    assert session.problems == []


def test_without_javascript_the_reader_sees_the_form_a_worked_example_and_the_formula(browser, base_url):
    context = browser.new_context(java_script_enabled=False, viewport=SIZES["phone"])
    try:
        page = context.new_page()
        page.goto(base_url + "/calculators/liquidation-price/")
        widget = page.locator(".mn-calc")
        assert widget.locator('input[name="entry_price"]').is_visible()
        shown = widget.locator('[data-output="liquidation_price"]').inner_text()
        assert shown.endswith(" USDT") and shown[0].isdigit()
        assert page.locator(".mn-calc__noscript").is_visible()
        assert page.locator(".mn-calc__chart").is_hidden() and page.locator(".mn-calc__actions").is_hidden()
        assert page.locator("h2", has_text="Formula").is_visible()
        assert page.locator("h2", has_text="Worked example").is_visible()
        assert shown in page.locator("article").inner_text().split("Worked example", 1)[1]
    finally:
        context.close()


def test_calculator_pages_link_a_skip_to_the_calculator(watched):
    page = watched.open("/calculators/pnl/")
    skip = page.locator("a.md-skip", has_text="Skip to calculator")
    assert skip.count() == 1
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to calculator"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#mn-calc-1"
    # after instant navigation to a page without a calculator the link goes away
    page.locator(".md-tabs a", has_text="Glossary").click()
    page.wait_for_url("**/glossary/")
    page.wait_for_selector("article h1:has-text('Glossary')")
    expect(page.locator("a.md-skip", has_text="Skip to calculator")).to_have_count(0)
    # and back on a calculator page it is there again
    page.go_back()
    page.wait_for_url("**/calculators/pnl/**")
    wait_ready(page)
    expect(page.locator("a.md-skip", has_text="Skip to calculator")).to_have_count(1)
