"""The market snapshot: its file and schema, the strip's text, the market page, market:<id> defaults."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
import yaml

from scripts import calcfence
from scripts.pipeline import market
from scripts.pipeline.build import check
from scripts.pipeline.render import render

REPO = Path(__file__).resolve().parents[2]
# The snapshot as first committed (the seed's figures), so that `make market` never breaks these tests.
SEED = Path(__file__).resolve().parent / "fixtures" / "market-snapshot.yaml"
SEED_IDS = ["bitcoin", "ethereum", "tether", "ripple", "binancecoin", "solana", "usd-coin", "tron", "dogecoin", "cardano",
            "hyperliquid", "bitcoin-cash", "chainlink", "leo-token", "zcash"]
PRICES = {"bitcoin": 87959.907984, "tether": 0.999775, "dogecoin": 0.150904}


@pytest.fixture
def seeded(project):
    """The test project with the seed snapshot (tests/pipeline/fixtures/market-snapshot.yaml)."""
    (project.content / "market" / "snapshot.yaml").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    return project


def test_the_snapshot_holds_the_fifteen_assets_of_the_seed_strip():
    data = yaml.safe_load((REPO / "content" / "market" / "snapshot.yaml").read_text(encoding="utf-8"))
    assert [coin["id"] for coin in data["coins"]] == SEED_IDS
    assert data["source"] == "CoinGecko" and data["currency"] == "usd"
    assert all(set(coin) == {"id", "symbol", "name", "usd", "usd_24h_change", "last_updated_at"}
               for coin in data["coins"])
    assert not (REPO / "content" / "market" / "snapshot.json").exists()
    seed = yaml.safe_load(SEED.read_text(encoding="utf-8"))  # the seed article's figures, as first committed
    assert [(c["usd"], c["usd_24h_change"]) for c in seed["coins"][:2]] == [(87959.907984, 1.34), (2920.497338, 3.04)]
    assert seed["coins"][7]["usd_24h_change"] == -1.53 and seed["coins"][-1]["usd"] == 521.483386


@pytest.mark.parametrize("usd,text,value", [
    (87959.907984, "87,959.91", 87959.91), (2.237324, "2.24", 2.24), (0.999775, "0.9998", 0.9998),
    (0.150904, "0.1509", 0.1509), (0.0000123456, "0.00001235", 0.00001235),
])
def test_prices_show_two_decimals_from_a_dollar_and_four_digits_below(usd, text, value):
    assert market.price_text(usd) == text
    assert market.price_value(usd) == value


@pytest.mark.parametrize("percent,text,direction", [
    (1.34, "+1.34%", "up"), (-1.53, "\u22121.53%", "down"), (0.0, "0.00%", "flat"), (-0.004, "0.00%", "flat"),
])
def test_the_change_is_text_with_its_sign(percent, text, direction):
    assert market.change_text(percent) == (text, direction)


def _strip_html(context) -> str:
    loader = jinja2.FileSystemLoader(str(REPO / "site-overrides"))
    env = jinja2.Environment(loader=loader)  # MkDocs' theme environment does not autoescape either
    env.filters["url"] = lambda value: value
    return env.get_template("partials/market-strip.html").render(mn_market=context)


def test_the_strip_lists_every_coin_with_its_date_and_escapes_every_value():
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    context = market.strip_context(data)
    assert context["date"] == "5 Feb 2026" and context["time"] == "5 February 2026, 04:05 UTC"
    html = _strip_html(context)
    assert html.count('<li class="mn-strip__coin"') == 15
    assert '<time datetime="2026-02-05T04:05:02Z"' in html and ">5 Feb 2026</time>" in html
    assert ">$87,959.91</span>" in html and "\u22121.53%<span class=\"mn-sr\"> in 24 hours</span>" in html
    assert 'class="mn-strip__change mn-strip__change--down"' in html
    data["coins"][0]["name"] = '<img src=x onerror=alert(1)>"'
    data["source"] = '"><script>alert(1)</script>'
    html = _strip_html(market.strip_context(data))
    assert "<img" not in html and "<script" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;&#34;" in html


def test_no_snapshot_no_strip():
    assert market.strip_context(None) is None
    assert _strip_html(None).strip() == ""


def test_market_page_and_published_json(seeded):
    content, problems = check(seeded)
    assert problems == []
    pages = render(content)
    page = pages["market.md"]
    assert page.count("\n| ") == 15 + 2  # header, rule, 15 coins
    assert "| Bitcoin | BTC | 87,959.91 | +1.34% | 5 February 2026, 04:05 UTC |" in page
    assert "not live prices" in page
    assert yaml.safe_load(pages["market.json"])["coins"][0]["id"] == "bitcoin"
    assert "[market snapshot](market.md) of 15 coins taken at 5 February 2026, 04:05 UTC" in pages["index.md"]
    assert "entry_price: market:bitcoin" in pages["calculators/liquidation-price.md"]


def test_market_page_escapes_the_note(seeded):
    path = seeded.content / "market" / "snapshot.yaml"
    path.write_text(path.read_text().replace("Illustrative only.", "[x](javascript:alert(1)) <b>bold</b> | *y*"))
    content, problems = check(seeded)
    assert problems == []
    page = render(content)["market.md"]
    # escaped by scripts.pipeline.escape.md_text: every mark a character reference, so it renders as text
    assert "&#91;x&#93;(javascript:alert(1)) &#60;b&#62;bold&#60;/b&#62; &#124; &#42;y&#42;" in page


def test_a_missing_time_names_file_and_line(seeded):
    path = seeded.content / "market" / "snapshot.yaml"
    path.write_text(path.read_text().replace('taken_at: "2026-02-05T04:05:02Z"\n', ""))
    assert [str(p) for p in check(seeded)[1]] == [
        "content/market/snapshot.yaml:4: $.taken_at: required field is missing"]


def test_a_coin_listed_twice_names_file_and_line(seeded):
    path = seeded.content / "market" / "snapshot.yaml"
    path.write_text(path.read_text().replace("  - id: ethereum", "  - id: bitcoin", 1))
    assert [str(p) for p in check(seeded)[1]] == [
        "content/market/snapshot.yaml:19: $.coins[1].id: coin 'bitcoin' is already listed as coins[0]; keep one"]


def test_market_defaults_resolve_to_the_snapshot_price():
    fence = calcfence.parse_fence("id: liquidation-price\ndefaults: {side: long, entry_price: market:bitcoin}\n"
                                  "market_price: market:dogecoin\n", prices=PRICES)
    assert fence["defaults"]["entry_price"] == 87959.91
    assert fence["market_price"] == 0.1509


@pytest.mark.parametrize("body,line,message", [
    ("id: liquidation-price\ndefaults: {entry_price: market:bitcoi}", 1,
     "liquidation-price: entry_price is 'market:bitcoi', but content/market/snapshot.yaml has no coin 'bitcoi'; "
     "did you mean 'market:bitcoin'?"),
    ("id: liquidation-price\ndefaults: {side: market:bitcoin}", 1,
     "liquidation-price: side is 'market:bitcoin', but a market price can only be the default of a single number input"),
    ("id: liquidation-price\nmarket_price: market:zzz", 1,
     "market_price is 'market:zzz', but content/market/snapshot.yaml has no coin 'zzz' (its coins: bitcoin, tether, dogecoin)"),
])
def test_unknown_market_references_are_fence_errors(body, line, message):
    with pytest.raises(calcfence.FenceError) as caught:
        calcfence.parse_fence(body, prices=PRICES)
    assert caught.value.line == line
    assert message in caught.value.message


def test_an_entry_with_an_unknown_coin_fails_validation_on_its_line(project, good_text):
    text = good_text.replace("id: good-entry", "id: market-entry")
    fence = ("      ```calculator\n      id: liquidation-price\n      defaults: {entry_price: market:etherium}\n"
             "      ```\n")
    marker = "    body: |\n"
    assert marker in text
    text = text.replace(marker, marker + fence + "\n", 1)
    (project.entries / "market-entry.yaml").write_text(text)
    line = text.splitlines().index("      defaults: {entry_price: market:etherium}") + 1
    problems = [str(p) for p in check(project)[1] if p.file.endswith("market-entry.yaml")]
    assert len(problems) == 1
    assert problems[0].startswith(f"content/entries/market-entry.yaml:{line}: $.sections[0].body: ")
    assert problems[0].endswith("has no coin 'etherium'; did you mean 'market:ethereum'? (its coins: "
                                + ", ".join(SEED_IDS) + ")")
    (project.entries / "market-entry.yaml").write_text(text.replace("market:etherium", "market:ethereum"))
    assert check(project)[1] == []


def test_without_a_snapshot_the_site_has_no_strip_page_and_market_defaults_fail(project, good_text):
    (project.content / "market" / "snapshot.yaml").unlink()
    content, problems = check(project)
    assert problems == []
    pages = render(content)
    assert "market.md" not in pages and "market.json" not in pages
    assert "market snapshot" not in pages["index.md"]
    assert "market:" not in pages["calculators/liquidation-price.md"]
    with pytest.raises(calcfence.FenceError, match="needs the market snapshot content/market/snapshot.yaml"):
        calcfence.parse_fence("id: liquidation-price\ndefaults: {entry_price: market:bitcoin}", prices={})
