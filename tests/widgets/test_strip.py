"""The price strip at 390 px (no page scroll, no layout shift, focusable, both palettes) and the
glossary tooltips on hover and keyboard focus, in Chromium on the built site."""

from __future__ import annotations

import pytest
import yaml

from scripts.pipeline.market import strip_context

from .conftest import ROOT, Watched
from .test_accessibility import axe_violations

pytestmark = pytest.mark.browser

SNAPSHOT = yaml.safe_load((ROOT / "content" / "market" / "snapshot.yaml").read_text(encoding="utf-8"))
STRIP = strip_context(SNAPSHOT)  # what the strip shows (values as formatted by the pipeline)
GLOSSARY = {item["id"]: item for item in yaml.safe_load((ROOT / "content" / "glossary.yaml").read_text(encoding="utf-8"))}
ENTRY = "/entries/where-is-my-liquidation-price/"

# Layout shifts from the first paint on, as Chromium reports them (buffered entries included).
WATCH_SHIFTS = """(() => { window.__shifts = [];
  new PerformanceObserver(list => { for (const e of list.getEntries()) window.__shifts.push(
    {value: e.value, sources: (e.sources || []).map(s => s.node ? (s.node.className || s.node.nodeName) : '')}); })
  .observe({type: 'layout-shift', buffered: true}); })();"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_strip_at_390px_fits_scrolls_inside_and_does_not_shift(scheme, browser, base_url):
    session = Watched(browser, base_url, color_scheme=scheme, reduced_motion="reduce")
    try:
        page = session.context.new_page()
        page.set_viewport_size({"width": 390, "height": 844})
        page.add_init_script(WATCH_SHIFTS)
        for path in ("/", ENTRY, "/glossary/"):
            session.open(path, page)
            page.wait_for_timeout(300)
            strip = page.locator(".mn-strip")
            assert strip.count() == 1 and strip.is_visible()
            items = page.locator(".mn-strip__coin")
            assert items.count() == len(SNAPSHOT["coins"]) == 15
            assert page.locator(".mn-strip time").text_content() == STRIP["date"]
            assert page.locator(".mn-strip time").get_attribute("datetime") == SNAPSHOT["taken_at"]
            for index, coin in enumerate(STRIP["coins"]):
                arrow = {"up": "▲", "down": "▼", "flat": "●"}[coin["direction"]]  # the sign is text, not colour only
                assert " ".join(items.nth(index).text_content().split()) == \
                    f"{coin['symbol']} ({coin['name']}) {coin['price']} {arrow}{coin['change']} in 24 hours"
            sizes = page.evaluate("""() => { const list = document.querySelector('.mn-strip__list');
              const strip = document.querySelector('.mn-strip');
              return {page: document.documentElement.scrollWidth, view: window.innerWidth,
                      listScroll: list.scrollWidth, listWidth: list.clientWidth, height: strip.offsetHeight,
                      rem: parseFloat(getComputedStyle(document.documentElement).fontSize),
                      animations: strip.getAnimations({subtree: true}).length,
                      tab: list.tabIndex, marquee: document.querySelectorAll('marquee').length}; }""")
            assert sizes["page"] <= sizes["view"], f"{path}: the page scrolls sideways ({sizes})"
            assert sizes["listScroll"] > sizes["listWidth"], "at 390 px the list scrolls inside the strip"
            assert sizes["height"] == round(2 * sizes["rem"]), "the strip keeps its reserved height"
            assert sizes["animations"] == 0 and sizes["marquee"] == 0 and sizes["tab"] == 0
            shifts = page.evaluate("window.__shifts")
            assert sum(s["value"] for s in shifts) < 0.001, f"{path}: layout shifts {shifts}"
        # the list scrolls by keyboard once focused, and the page itself still does not
        page.focus(".mn-strip__list")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("document.querySelector('.mn-strip__list').scrollLeft > 0")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert axe_violations(page, ".mn-strip") == []
    finally:
        session.close()
    assert session.problems == []


def test_glossary_terms_show_their_definition_on_hover_and_focus(watched):
    page = watched.open(ENTRY)
    page.wait_for_timeout(300)
    definition = " ".join(GLOSSARY["liquidation-price"]["definition"].split())
    titles = page.evaluate("""() => Array.from(document.querySelectorAll('.md-content abbr[tabindex="0"]'))
                                  .map(a => a.getAttribute('title'))""")
    assert len(titles) == len(set(titles)) >= 3, "one focus stop per term"
    assert page.locator(".md-content abbr").count() > len(titles)
    # keyboard focus on a term opens a tooltip holding its definition
    found = page.locator(f'.md-content abbr[tabindex="0"][title="{definition}"]')
    assert found.count() == 1 and found.inner_text().lower() == "liquidation price"
    term = found.element_handle()  # the tooltip takes the title away while it shows
    term.focus()
    tooltip = page.locator(".md-tooltip2--active")
    tooltip.wait_for(state="visible")
    assert " ".join(tooltip.inner_text().split()) == definition
    described = term.get_attribute("aria-describedby")
    assert described and page.locator(f"#{described}").inner_text().strip() == definition
    page.keyboard.press("Tab")  # focus moves on (to the next term): this tooltip goes
    page.wait_for_function(f"!document.querySelector('#{described}.md-tooltip2--active')", timeout=3000)
    page.mouse.move(0, 0)
    page.evaluate("document.activeElement.blur()")
    # hovering another place of a term (not focusable itself) shows the definition too
    mark = " ".join(GLOSSARY["margin"]["definition"].split())
    other = page.locator(f'.md-content p abbr[tabindex="-1"][title="{mark}"]').first.element_handle()
    other.scroll_into_view_if_needed()
    other.hover()
    page.locator(".md-tooltip2--active").wait_for(state="visible")
    assert " ".join(page.locator(".md-tooltip2--active").inner_text().split()) == mark
    assert axe_violations(page, ".md-content") == []


def test_a_tap_on_any_place_of_a_term_shows_its_definition(browser, base_url):
    session = Watched(browser, base_url, has_touch=True, is_mobile=True)
    try:
        page = session.context.new_page()
        page.set_viewport_size({"width": 390, "height": 844})
        session.open(ENTRY, page)
        page.wait_for_timeout(300)
        mark = " ".join(GLOSSARY["margin"]["definition"].split())
        later = page.locator(f'.md-content p abbr[tabindex="-1"][title="{mark}"]')
        assert later.count() >= 2  # every other place of the term: out of the Tab order, focusable by a tap
        term = later.nth(1).element_handle()
        term.scroll_into_view_if_needed()
        term.tap()
        page.locator(".md-tooltip2--active").wait_for(state="visible")
        assert " ".join(page.locator(".md-tooltip2--active").inner_text().split()) == mark
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        session.close()
    assert session.problems == []
