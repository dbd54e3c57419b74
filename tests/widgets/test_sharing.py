"""Sharing and crawling: the iframe embed code works from another origin and fits the frame to its
content; the built site names its configured address (never a placeholder host), lists only indexable
pages in the sitemap, has robots.txt, sharing cards on every page and a helpful 404 page."""

from __future__ import annotations

import functools
import gzip
import http.server
import re
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import _QuietHandler, site_url, wait_ready

HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A blog</title></head>
<body><h1>My post</h1><p>Try the calculator:</p>
{snippet}
<p>After the frame.</p></body></html>"""


@pytest.fixture
def other_origin(tmp_path):
    """A second local server (another port, so another origin) serving pages written into a temp folder."""
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.mark.browser
def test_embed_code_loads_the_widget_on_another_origin_and_the_frame_fits(watched, built_site, other_origin):
    page = watched.open("/calculators/pnl/")
    page.locator('.mn-calc [name="exit_price"]').fill("6800")
    page.locator('.mn-calc input[name="side"][value="short"]').check()
    page.get_by_role("button", name="Copy embed code").click()
    page.wait_for_function("() => document.querySelector('.mn-calc__status').textContent !== ''")
    snippet = page.evaluate("navigator.clipboard.readText()")
    configured = site_url(built_site)
    src = re.search(r'<iframe src="([^"]+)"', snippet)[1].replace("&amp;", "&")
    assert src.startswith(configured + "embed/pnl/?")  # absolute, from the configured address
    assert parse_qs(urlsplit(src).query) == {"calc": ["pnl"], "side": ["short"], "exit_price": ["6800"]}
    assert f'e.origin!=="{_origin(configured)}"' in snippet
    # served from this test's server instead of the public address, on a page of another origin
    local = snippet.replace(configured.rstrip("/"), watched.base_url).replace(_origin(configured), watched.base_url)
    folder, host = other_origin
    (folder / "post.html").write_text(HOST_PAGE.format(snippet=local), encoding="utf-8")
    watched.context.route(lambda url: url.startswith(host), lambda route: route.continue_())
    blog = watched.context.new_page()
    blog.goto(host + "/post.html", wait_until="load")
    frame_element = blog.locator("iframe[data-margin-notes-embed]")
    frame = frame_element.content_frame
    frame.locator(".mn-calc[data-state=ready]").wait_for()
    assert frame.locator('[data-output="pnl"]').inner_text() == "40.00 USDT"  # short 0.2 from 7,000 to 6,800

    def fits() -> bool:
        inner = frame.locator("body").evaluate("body => Math.ceil(body.getBoundingClientRect().height + 1)")
        return abs(frame_element.bounding_box()["height"] - inner) <= 1

    blog.wait_for_timeout(300)  # the frame reports its height on load and on every resize
    assert fits()
    before = frame_element.bounding_box()["height"]
    # the content grows (error messages under three fields): the frame follows
    for name in ("entry_price", "exit_price", "qty"):
        frame.locator(f'.mn-calc [name="{name}"]').fill("oops")
    blog.wait_for_timeout(300)
    assert frame_element.bounding_box()["height"] > before
    assert fits()
    assert blog.evaluate("document.documentElement.scrollWidth <= innerWidth")
    wait_ready(page)


def _html_files(site: Path):
    return [path for path in site.rglob("*.html")]


def test_no_output_file_names_a_placeholder_host(built_site):
    offenders = [str(path.relative_to(built_site)) for path in built_site.rglob("*")
                 if path.is_file() and path.suffix in {".html", ".xml", ".txt", ".json", ".js", ".css"}
                 and ".invalid" in path.read_text(encoding="utf-8", errors="replace")]
    assert offenders == []
    assert not re.search(r"\.(invalid|example|test|localhost)/", site_url(built_site))


def test_sitemap_lists_every_indexable_page_and_no_noindex_page(built_site):
    # sitemap.xml.gz as built (the test server rewrites sitemap.xml to its own address)
    listed = re.findall(r"<loc>([^<]+)</loc>", gzip.decompress((built_site / "sitemap.xml.gz").read_bytes()).decode())
    base = site_url(built_site)
    assert listed and all(url.startswith(base) for url in listed)
    noindex, indexable = set(), set()
    for path in _html_files(built_site):
        if path.name == "404.html":
            continue
        url = base + str(path.relative_to(built_site).parent.as_posix() + "/").lstrip("./")
        text = path.read_text(encoding="utf-8")
        (noindex if re.search(r'<meta name="robots" content="[^"]*noindex', text) else indexable).add(url)
    assert base + "embed/pnl/" in noindex
    assert noindex.isdisjoint(listed)
    assert indexable == set(listed)
    robots = (built_site / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {base}sitemap.xml" in robots.splitlines()


def test_every_page_has_sharing_cards_and_a_single_title(built_site):
    for path in _html_files(built_site):
        text = path.read_text(encoding="utf-8")
        if 'name="robots" content="noindex"' in text:
            continue
        for tag in ('property="og:title"', 'property="og:description"', 'property="og:image"',
                    'name="twitter:card"', 'name="twitter:title"', 'name="twitter:image"'):
            assert tag in text, f"{path.relative_to(built_site)} has no {tag}"
        image = re.search(r'property="og:image" content="([^"]+)"', text)[1]
        assert image == site_url(built_site) + "assets/images/social.png"
    assert (built_site / "assets" / "images" / "social.png").stat().st_size > 1000
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert re.search(r"<title>([^<]+)</title>", home)[1] == "Margin Notes"


def test_the_404_page_offers_search_and_the_main_sections(built_site):
    text = (built_site / "404.html").read_text(encoding="utf-8")
    assert "<title>Page not found - Margin Notes</title>" in text
    assert 'for="__search"' in text
    for section in ("Home", "Categories", "Calculators", "Rules", "Glossary", "About"):
        assert re.search(rf'<li><a href="[^"]+">{section}</a></li>', text), section
