"""Calculator pages: the calculators index, one page per calculator and the /embed/ pages.

Page generator (registered in :data:`scripts.pipeline.pages.GENERATORS`):

* ``calculators/index.md``: every calculator with its summary;
* ``calculators/<id>.md``: the widget, what it computes, its inputs, formula, conventions, sources,
  the entries that embed it and how to embed it;
* ``embed/<id>.md``: the widget alone, rendered with ``site-overrides/embed.html`` for iframes.

The fences themselves are checked before MkDocs runs by ``crosscheck.check_calculators`` (which calls
:func:`scripts.calcfence.find_problems`) and again by the superfences formatter during the build.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Iterable

from scripts import calcfence, calcform

from .content import iter_strings
from .render import front_matter

if TYPE_CHECKING:  # pages.py imports this module to register the generator
    from .pages import Page, Site


def embedding_entries(site: Site) -> dict[str, list[dict]]:
    """Calculator id -> the published entries whose Markdown embeds it (sorted by title)."""
    found: dict[str, list[dict]] = {}
    for entry in site.entries:
        ids = set()
        for _, text in iter_strings(entry):
            if calcfence.FENCE_NAME in text:
                ids.update(calcfence.find_calculators(text))
        for calc_id in ids:
            found.setdefault(calc_id, []).append(entry)
    return {key: sorted(value, key=lambda entry: entry["title"]) for key, value in found.items()}


# Calculators whose chart marks the market price, and the snapshot coin their page uses for it.
MARKET_COINS = {"liquidation-price": "bitcoin"}


def _fence(calc_id: str, defaults: dict | None = None, market_price: float | None = None) -> str:
    lines = ["```calculator", f"id: {calc_id}"]
    if defaults:
        lines.append("defaults: {" + ", ".join(f"{name}: {value}" for name, value in defaults.items()) + "}")
    if market_price is not None:
        lines.append(f"market_price: {market_price!r}")
    return "\n".join(lines) + "\n```\n"


def market_price(site: Site, calc_id: str) -> tuple[float, str] | None:
    """(price, sentence) for a calculator whose chart marks the market, from content/market; else None."""
    coin_id = MARKET_COINS.get(calc_id)
    snapshot = site.content.market_snapshot() if coin_id else None
    coin = next((c for c in (snapshot or {}).get("coins", []) if c.get("id") == coin_id), None)
    if not coin:
        return None
    return coin["usd"], (f"The ladder's *Market* line is {coin_id}'s price in the site's market snapshot "
                         f"({coin['usd']:,.2f} US dollars, close to the same figure in USDT), and the entry price "
                         f"starts there: {snapshot['as_of_note']}")


def _limits(item: dict) -> str:
    unit = f" {item['unit']}" if item.get("unit") and item["unit"] != "%" else (item.get("unit") or "")
    parts = []
    if item.get("min") is not None:
        parts.append(f"{'>' if item.get('min_exclusive') else '≥'} {item['min']:g}{unit}")
    if item.get("max") is not None:
        parts.append(f"{'<' if item.get('max_exclusive') else '≤'} {item['max']:g}{unit}")
    if item["kind"] == "choice":
        parts.append(" or ".join(f"`{choice}`" for choice in item["choices"]))
    text = ", ".join(parts) or "any number"
    return text + (" (each value)" if item["kind"] == "list" else "")


def _default(item: dict) -> str:
    value = item["default"]
    if isinstance(value, list):
        return "`" + ", ".join(f"{v:g}" for v in value) + "`"
    return f"`{value:g}`" if isinstance(value, (int, float)) else f"`{value}`"


def _cell(text) -> str:
    return html.escape(str(text), quote=False).replace("|", "\\|").replace("\n", " ")


def calculator_page(spec: dict, entries: list[dict], market: tuple[float, str] | None = None) -> str:
    """The Markdown of ``calculators/<id>.md`` (``market``: price and sentence from :func:`market_price`)."""
    meta = {"title": spec["title"], "description": html.escape(spec["summary"], quote=True)}
    out = [front_matter(meta), f"# {spec['title']}\n\n", f"{spec['summary']}\n\n"]
    if market:
        out += [_fence(spec["id"], {"entry_price": f"{market[0]:.2f}"}, market[0]), "\n", market[1] + "\n\n"]
    else:
        out += [_fence(spec["id"]), "\n"]
    out.append("## What it computes\n\n")
    out += [f"- **{_cell(o['label'])}**" + (f" ({o['unit']})" if o.get("unit") else "") + f": `{o['name']}`\n"
            for o in spec["outputs"]]
    out.append("\n| Input | Name | Unit | Allowed | Default |\n| --- | --- | --- | --- | --- |\n")
    for item in spec["inputs"]:
        out.append(f"| {_cell(item['label'])} | `{item['name']}` | {_cell(item.get('unit') or '')} | "
                   f"{_limits(item)} | {_default(item)} |\n")
    out.append("\n## Formula\n\n" + spec["formula"].strip() + "\n\n")
    if spec.get("conventions", "").strip():
        out.append("## Conventions\n\n" + spec["conventions"].strip() + "\n\n")
    if spec.get("variants"):
        out.append("Variants: " + ", ".join(f"`{v}`" for v in spec["variants"]) + ".\n\n")
    out.append("## Sources\n\n")
    out += [f"{n}. [{s['title']}]({s['url']}), {s['publisher']}.\n" for n, s in enumerate(spec["sources"], 1)]
    out.append("\n## Articles that use it\n\n")
    if entries:
        out += [f"- [{entry['title']}](../entries/{entry['id']}.md)\n" for entry in entries]
    else:
        out.append("No article embeds this calculator yet.\n")
    out.append("\n## Embed it\n\nIn an article on this site, a fenced block gives the widget; add "
               "`defaults:` with any input names above to preset them:\n\n"
               f"````markdown\n{_fence(spec['id'])}````\n\n"
               f"On another site, put the [standalone widget](../embed/{spec['id']}.md) in an iframe "
               "(its address ends in "
               f"`/embed/{spec['id']}/`).\n\n")
    out.append('!!! warning "Educational content, not trading advice"\n\n'
               "    The results follow the published formulas named above; an exchange's own figure can "
               "differ (tiers, fees, mark price). Check the exchange before you act.\n")
    return "".join(out)


def embed_page(spec: dict) -> str:
    """The Markdown of ``embed/<id>.md``: the widget alone, for iframes on other sites (noindex)."""
    meta = {"title": spec["title"], "description": html.escape(spec["summary"], quote=True),
            "template": "embed.html", "robots": "noindex", "search": {"exclude": True}}
    return (front_matter(meta) + calcform.widget_html(spec, {}, "mn-calc-1", embed=True) + "\n\n"
            f"[{spec['title']} on Margin Notes: formula, conventions and sources](../calculators/{spec['id']}.md)"
            "{ .mn-embed__source target=_blank rel=noopener }\n")


def index_page(specs: list[dict]) -> str:
    """The Markdown of ``calculators/index.md``."""
    meta = {"title": "Calculators",
            "description": "Margin, liquidation, fee and indicator calculators that run the site's checked formulas."}
    out = [front_matter(meta), "# Calculators\n\n",
           "Each calculator runs the same formulas as the rest of the site, compiled for your browser; "
           "nothing you type leaves the page. Every page shows the formula, its conventions and sources.\n\n"]
    out += [f"- [{spec['title']}]({spec['id']}.md): {spec['summary']}\n" for spec in specs]
    return "".join(out)


def calculator_pages(site: Site) -> Iterable[Page]:
    """The calculators index, one page per calculator and one embed page per calculator."""
    from .pages import Page

    specs = list(calcfence.specs().values())
    users = embedding_entries(site)
    yield Page("calculators/index.md", index_page(specs), "calculators/catalogue.py")
    for spec in specs:
        page = calculator_page(spec, users.get(spec["id"], []), market_price(site, spec["id"]))
        yield Page(f"calculators/{spec['id']}.md", page, "calculators/catalogue.py")
        yield Page(f"embed/{spec['id']}.md", embed_page(spec), "calculators/catalogue.py")
