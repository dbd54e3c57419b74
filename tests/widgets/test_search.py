"""Search in Chromium on the built site: Pagefind behind Material's search box.

Nothing of the index loads before the first query; "/" opens the box; acronyms find their glossary
entry and the articles; results show title, excerpt and an entry's category; drafts and embeds are not
indexed; the box follows dark mode.
"""

from __future__ import annotations

from scripts.pipeline.search import fragments

SEARCH_SCRIPT_LIMIT = 50_000  # bytes a page may load for search before the first query


def _results(page, query: str) -> list[dict]:
    page.fill("[data-mn-search-query]", query)
    page.wait_for_function(
        "q => document.querySelector('[data-mn-search-result] .md-search-result__meta').textContent"
        ".includes('matching document') && document.querySelector('[data-mn-search-query]').value === q", arg=query)
    return page.eval_on_selector_all("[data-mn-search-result] .md-search-result__item", """items => items.map(li => ({
        url: li.querySelector('a').getAttribute('href'), title: li.querySelector('h1').textContent,
        excerpt: li.querySelector('p').textContent, marks: li.querySelectorAll('p mark').length,
        category: (li.querySelector('.mn-search-category') || {}).textContent || ''}))""")


def test_search_loads_nothing_before_the_first_query_and_finds_the_acronyms(watched):
    requests: list[str] = []
    watched.context.on("request", lambda request: requests.append(request.url))
    page = watched.open("/")
    assert not [url for url in requests if "/pagefind/" in url]
    search_js = [url for url in requests if url.endswith("search.js") or "search.js?" in url]
    assert search_js, "the search script is on the page"
    size = len(page.request.get(search_js[0]).body())
    assert size <= SEARCH_SCRIPT_LIMIT, size
    page.keyboard.press("/")
    assert page.evaluate("document.getElementById('__search').checked")
    assert page.evaluate("document.activeElement.matches('[data-mn-search-query]')")
    for query, glossary_anchor in (("ADL", "auto-deleveraging"), ("IF", "insurance-fund"), ("ROI", "roi")):
        results = _results(page, query)
        urls = [result["url"] for result in results]
        assert any("/glossary/" in url for url in urls), (query, urls)
        assert all(result["title"] and result["excerpt"] for result in results), results
        if query != "ROI":  # ADL and the insurance fund have articles of their own
            assert any("/entries/" in url for url in urls), (query, urls)
    results = _results(page, "auto-deleveraging")
    entry = next(result for result in results if "/entries/" in result["url"])
    assert entry["category"] and entry["marks"] >= 1, entry
    assert [url for url in requests if "/pagefind/" in url]
    page.keyboard.press("Escape")
    assert not page.evaluate("document.getElementById('__search').checked")


def test_drafts_and_embeds_are_not_indexed(built_site):
    urls = [record["url"] for record in fragments(built_site)]
    assert len(urls) > 20 and any(url.startswith("/entries/") for url in urls)
    assert not [url for url in urls if url.startswith("/embed/")]
    drafts = [path.parent.name for path in (built_site / "entries").glob("*/index.html")
              if "Draft: not published" in path.read_text(encoding="utf-8")]
    assert not [url for url in urls if any(f"/entries/{draft}/" == url for draft in drafts)]


def test_the_search_box_follows_dark_mode(browser, base_url):
    colours = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(base_url + "/", wait_until="load")
        page.keyboard.press("/")
        colours[scheme] = page.eval_on_selector(".md-search__form", "node => getComputedStyle(node).backgroundColor")
        context.close()
    assert colours["light"] != colours["dark"], colours
