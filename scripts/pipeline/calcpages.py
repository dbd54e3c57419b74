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

from functools import partial
from typing import TYPE_CHECKING, Iterable

from scripts import calcfence, calcform

from . import market
from .cache import current, digest_of, entry_key
from .content import iter_strings
from .facts import calculator_strings, doc_facts
from .escape import html_text, md_link, md_text
from .render import front_matter, kept_page

if TYPE_CHECKING:  # pages.py imports this module to register the generator
    from .pages import Page, Site


def embedding_entries(site: Site) -> dict[str, list[dict]]:
    """Calculator id -> ``{id, title}`` of the published entries whose Markdown embeds it (sorted by
    title), read from their indexes: no entry's data is decoded for it (issue 14)."""
    found: dict[str, list[dict]] = {}
    cache = current()
    for entry_id, doc in site.published_docs():
        for calc_id in _embedded(doc, cache):
            found.setdefault(calc_id, []).append({"id": entry_id, "title": site.field(entry_id, "title")})
    return {key: sorted(value, key=lambda entry: entry["title"]) for key, value in found.items()}


# The categories (content/categories.yaml) each calculator belongs to; their pages link it.
CATEGORIES = {
    "liquidation-price": ("margin-and-liquidation",),
    "inverse-liquidation-price": ("margin-and-liquidation",),
    "cross-liquidation-price": ("margin-and-liquidation", "position-modes"),
    "inverse-cross-liquidation-price": ("margin-and-liquidation", "position-modes"),
    "initial-margin-mark": ("margin-and-liquidation",),
    "size-scaled-margin": ("margin-and-liquidation",),
    "inverse-order-cost": ("margin-and-liquidation", "fees-and-funding"),
    "inverse-pnl": ("margin-and-liquidation", "fees-and-funding"),
    "inverse-target-price": ("margin-and-liquidation",),
    "inverse-average-entry": ("position-modes",),
    "funding-period": ("fees-and-funding",),
    "order-cost": ("margin-and-liquidation", "fees-and-funding"),
    "pnl": ("margin-and-liquidation", "fees-and-funding"),
    "target-price": ("margin-and-liquidation",),
    "max-position": ("margin-and-liquidation",),
    "average-entry": ("position-modes",),
    "maintenance-margin": ("margin-and-liquidation",),
    "funding-fee": ("fees-and-funding",),
    "gap-loss": ("balances-and-debt", "position-modes"),
    "position-size": ("margin-and-liquidation",),
    "ema": ("indicators",),
    "volume-profile": ("indicators",),
}


def category_calculators(category_id: str) -> list[dict]:
    """``{id, title, summary}`` of the calculators in one category, in catalogue order: what category
    pages show of them. Kept in the content cache (section "memo"; its key holds the catalogue's code,
    like :func:`calculator_ids`), so a run whose category pages change builds no catalogue: building
    it imports the exchange model and its venue profiles (0.1-0.2 s, issue 14)."""
    return _calculators_by_category().get(category_id, [])


def _calculators_by_category() -> dict[str, list[dict]]:
    """``{category id: [{id, title, summary}, ...]}`` for every category that has calculators."""
    cache = current()
    key = digest_of("category-calculators")
    kept = cache.record("memo", key) if cache else None
    if _valid_listing(kept):
        return kept
    listing: dict[str, list[dict]] = {}
    for spec in calcfence.specs().values():
        for category_id in CATEGORIES.get(spec["id"], ()):
            listing.setdefault(category_id, []).append({name: spec[name] for name in ("id", "title", "summary")})
    if cache:
        cache.keep("memo", key, listing)
    return listing


def _valid_listing(kept) -> bool:
    """True for a kept :func:`_calculators_by_category` value of the right shape (a damaged record is
    made again, never shown)."""
    return type(kept) is dict and all(
        type(category) is str and type(items) is list and all(
            type(item) is dict and set(item) == {"id", "title", "summary"}
            and all(type(value) is str for value in item.values()) for item in items)
        for category, items in kept.items())


# Calculators whose chart marks the market price, and the snapshot coin their page uses for it.
MARKET_COINS = {"liquidation-price": "bitcoin"}


def _fence(calc_id: str, defaults: dict | None = None, market_price: float | str | None = None) -> str:
    lines = ["```calculator", f"id: {calc_id}"]
    if defaults:
        lines.append("defaults: {" + ", ".join(f"{name}: {value}" for name, value in defaults.items()) + "}")
    if market_price is not None:
        lines.append(f"market_price: {market_price}")
    return "\n".join(lines) + "\n```\n"


def _embedded(doc, cache) -> list[str]:
    """The ids of the calculators an entry document embeds. The strings holding "calculator" are
    listed once per document (scripts/pipeline/facts.py): an entry naming none is not decoded. With
    the content ``cache``, the ids are kept under the entry's file and hash (section "memo"), so an
    unchanged entry's fences are not parsed against the catalogue again, nor its data decoded."""
    fenced = calcfence.FENCE_NAME == "calculator"  # then the facts list the strings that can hold one
    if fenced and not doc_facts(doc, "entry")["calc"]:
        return []
    sha = doc.__dict__.get("sha256")
    key = entry_key(doc.file, "entry-calculators", sha) if cache is not None and isinstance(sha, str) else None
    kept = cache.record("memo", key) if key else None
    if type(kept) is list and all(type(item) is str for item in kept):
        return kept
    texts = calculator_strings(doc) if fenced else [text for _, text in iter_strings(doc.data)]
    ids: set[str] = set()
    for text in texts:
        if calcfence.FENCE_NAME in text:
            ids.update(calcfence.find_calculators(text))
    out = sorted(ids)
    if key:
        cache.keep("memo", key, out)
    return out


def calculator_ids() -> list[str]:
    """The ids of the calculators in catalogue order: kept in the content cache (section "memo"; its
    key holds the catalogue's code), so a run that reads no calculator page builds no catalogue."""
    cache = current()
    key = digest_of("calculator-ids")
    kept = cache.record("memo", key) if cache else None
    if type(kept) is list and all(type(item) is str for item in kept):
        return kept
    ids = list(calcfence.specs())
    if cache:
        cache.keep("memo", key, ids)
    return ids


def market_price(site: Site, calc_id: str) -> tuple[str, str] | None:
    """(``market:<id>`` reference, sentence) for a calculator whose chart marks the market; else None."""
    coin_id = MARKET_COINS.get(calc_id)
    snapshot = site.content.market_snapshot() if coin_id else None
    coin = next((c for c in (snapshot or {}).get("coins", []) if c.get("id") == coin_id), None)
    if not coin:
        return None
    return market.PREFIX + coin_id, (
        f"The ladder's *Market* line is {md_text(coin['name'])}'s price in the site's "
        f"[market snapshot](../market.md) ({market.price_text(coin['usd'])} US dollars at "
        f"{md_text(market.time_text(snapshot['taken_at']))}, close to the same figure in USDT), and the entry price "
        "starts there. It is a snapshot, not a live price.")


def _limits(item: dict) -> str:
    """The Allowed column: ``> 0 USDT``, ``≥ 0, < 1``, ``Long or Short``."""
    unit = f" {item['unit']}" if item.get("unit") and item["unit"] != "%" else (item.get("unit") or "")
    parts = []
    if item.get("min") is not None:
        parts.append(f"{'>' if item.get('min_exclusive') else '≥'} {calcform.plain_number(item['min'])}{unit}")
    if item.get("max") is not None:
        parts.append(f"{'<' if item.get('max_exclusive') else '≤'} {calcform.plain_number(item['max'])}{unit}")
    if item["kind"] == "choice":
        parts.append(" or ".join(calcform.choice_word(item, choice) for choice in item["choices"]))
    text = ", ".join(parts) or "any number"
    return text + (" (each value)" if item["kind"] == "list" else "")


def shown_value(item: dict, value) -> str:
    """A value as a reader reads it: ``87,959.91``, ``Long``, ``10, 11, 12``."""
    if item["kind"] == "choice":
        return calcform.choice_word(item, value)
    if isinstance(value, (list, tuple)):
        return ", ".join(calcform.plain_number(v) for v in value)
    return calcform.plain_number(value)


def _cell(text) -> str:
    return md_text(str(text))


def _label(item: dict) -> str:
    return _cell(item["label"]) + (f" ({_cell(item['unit'])})" if item.get("unit") else "")


def worked_example(spec: dict, values: dict) -> str:
    """The start values and their results in words (what the widget opens with, and what a reader without
    JavaScript reads)."""
    result = calcform.compute(spec, values)
    if result is None:
        return ""
    def value(item):
        text, unit = shown_value(item, values[item["name"]]), item.get("unit") if item["kind"] != "choice" else None
        return text + unit if unit == "x" else calcform.with_unit(text, unit)

    inputs = " · ".join(f"{_cell(item['label'])} {_cell(value(item))}" for item in spec["inputs"])
    outputs = [(o, calcform.display_value(result[o["name"]], o)) for o in spec["outputs"] if o["kind"] == "number"]
    shown = " · ".join(f"{_cell(o['label'])} **{_cell(text)}**" for o, text in outputs if text)
    return f"## Worked example\n\nWith {inputs}:\n\n{shown}.\n\n"


def examples_section(spec: dict, examples: list) -> str:
    """"Checked against N published examples" and a table linking each example's source."""
    labels = {o["name"]: o["label"] for o in spec["outputs"]}
    count = len(examples)
    out = ["## Checked against published examples\n\n"]
    if not examples:
        return "".join(out + ["No worked example published by an exchange checks this calculator yet.\n\n"])
    out.append(f"Checked against {count} published example{'s' if count != 1 else ''}: the tests run each "
               "through these formulas, in Python and in the browser's JavaScript, and round as the source does.\n\n")
    out.append("| Venue | Figures the source prints | Source |\n| --- | --- | --- |\n")
    for example in examples:
        figures = "; ".join(f"{labels[name]} {value}" for name, value in example.published.items())
        slips = "; ".join(f"{labels[name]} printed {error['published']} (a slip in the source)"
                          for name, error in example.source_errors.items())
        source = example.source
        out.append(f"| {_cell(example.venue)} | {_cell(figures + ('; ' + slips if slips else ''))} | "
                   f"{md_link(source['title'], source['url'])}, {_cell(source['publisher'])}, "
                   f"read {_cell(source['accessed'])} |\n")
    return "".join(out) + "\n"


def calculator_page(spec: dict, entries: list[dict], market: tuple[str, str] | None = None,
                    examples: list | None = None) -> str:
    """The Markdown of ``calculators/<id>.md`` (``market``: reference and sentence from :func:`market_price`;
    ``examples``: its published worked examples from ``calculators/examples``)."""
    meta = {"title": html_text(spec["title"]), "description": html_text(spec["summary"])}
    out = [front_matter(meta), f"# {md_text(spec['title'])}\n\n", f"{md_text(spec['summary'])}\n\n"]
    fence = _fence(spec["id"], {"entry_price": market[0]}, market[0]) if market else _fence(spec["id"])
    out += [fence, "\n", market[1] + "\n\n"] if market else [fence, "\n"]
    # the widget's start values, market references resolved as the fence resolves them
    start = calcform.start_values(spec, calcfence.parse_fence(fence.split("\n", 1)[1].rsplit("```", 1)[0])["defaults"])
    out.append("## What it computes\n\n")
    out += [f"- {_label(o)}\n" for o in spec["outputs"]]
    out.append("\n| Input | Allowed | Starts at |\n| --- | --- | --- |\n")
    for item in spec["inputs"]:
        shown = shown_value(item, start[item["name"]]) if item["kind"] == "choice" else calcform.value_text(start[item["name"]])
        out.append(f"| {_label(item)} | {_limits(item)} | {_cell(shown)} |\n")
    out.append("\n" + worked_example(spec, start))
    out.append("## Formula\n\n" + spec["formula"].strip() + "\n\n")
    if spec.get("conventions", "").strip():
        out.append("## Conventions\n\n" + spec["conventions"].strip() + "\n\n")
    if spec.get("variants"):
        out.append("Variants: " + ", ".join(calcform.CHOICE_WORDS.get(v, v) for v in spec["variants"]) + ".\n\n")
    out.append(examples_section(spec, examples or []))
    out.append("## Sources\n\n")
    out += [f"{n}. {md_link(s['title'], s['url'])}, {md_text(s['publisher'])}.\n" for n, s in enumerate(spec["sources"], 1)]
    out.append("\n## Articles that use it\n\n")
    if entries:
        out += [f"- {md_link(entry['title'], '../entries/' + entry['id'] + '.md')}\n" for entry in entries]
    else:
        out.append("No article embeds this calculator yet.\n")
    names = "\n".join(f"    | {_cell(item['label'])} | `{item['name']}` |" for item in spec["inputs"])
    out.append("\n## Embed it\n\n"
               "On any web page: set the inputs above, press **Copy embed code** and paste the code into the "
               "page's HTML. It is an iframe of the [standalone widget]"
               f"(../embed/{spec['id']}.md) with a few lines of script that fit the frame to its content.\n\n"
               "In an article on this site: press **Copy Markdown fence**, or write the fence by hand; "
               "`defaults:` presets any input by its name:\n\n"
               f"````markdown\n{_fence(spec['id'])}````\n\n"
               '??? note "Input names for defaults:"\n\n'
               f"    | Input | Name |\n    | --- | --- |\n{names}\n\n")
    out.append('!!! warning "Educational content, not trading advice"\n\n'
               "    The results follow the published formulas named above; an exchange's own figure can "
               "differ (tiers, fees, mark price). Check the exchange before you act.\n")
    return "".join(out)


def embed_page(spec: dict) -> str:
    """The Markdown of ``embed/<id>.md``: the widget alone, for iframes on other sites (noindex)."""
    meta = {"title": html_text(spec["title"]), "description": html_text(spec["summary"]),
            "template": "embed.html", "robots": "noindex", "search": {"exclude": True}}
    return (front_matter(meta) + calcform.widget_html(spec, {}, "mn-calc-1", embed=True) + "\n\n"
            f"[{md_text(spec['title'])} on Margin Notes: formula, conventions and sources](../calculators/{spec['id']}.md)"
            "{ .mn-embed__source target=_blank rel=noopener }\n")


def index_page(specs: list[dict]) -> str:
    """The Markdown of ``calculators/index.md``."""
    meta = {"title": "Calculators",
            "description": "Margin, liquidation, fee and indicator calculators that run the site's checked formulas."}
    out = [front_matter(meta), "# Calculators\n\n",
           "Each calculator runs the same formulas as the rest of the site, compiled for your browser; "
           "nothing you type leaves the page. Every page shows the formula, its conventions and sources.\n\n"]
    out += [f"- {md_link(spec['title'], spec['id'] + '.md')}: {md_text(spec['summary'])}\n" for spec in specs]
    return "".join(out)


def calculator_pages(site: Site) -> Iterable[Page]:
    """The calculators index, one page per calculator and one embed page per calculator.

    With the content cache on, a calculator page is known by a key (the entries that embed it, by id
    and title, and its market reference; the code version covers the rest, the published examples
    too) and made only when read: a run whose calculator pages are all unchanged does not load the
    examples (issue 14)."""
    from .pages import Page

    cache = current()
    users = embedding_entries(site)
    loaded: list[dict] = []

    def examples() -> dict:
        if not loaded:
            from calculators.examples import by_calculator

            loaded.append(by_calculator())
        return loaded[0]

    yield kept_page("calculators/index.md", cache, partial(digest_of, "calculators-index"),
                    lambda: index_page(list(calcfence.specs().values())), "calculators/catalogue.py")
    for calc_id in calculator_ids():
        embedding, market_ref = users.get(calc_id, []), market_price(site, calc_id)
        key = digest_of("calculator-page", calc_id, [[entry["id"], entry["title"]] for entry in embedding],
                        market_ref) if cache else None
        if cache:
            cache.touch("pages", key)
        yield Page(f"calculators/{calc_id}.md", None, "calculators/catalogue.py", False, key,
                   partial(_calculator_text, calc_id, embedding, market_ref, examples, cache, key))
        yield kept_page(f"embed/{calc_id}.md", cache, partial(digest_of, "embed-page", calc_id),
                        lambda calc_id=calc_id: embed_page(calcfence.specs()[calc_id]), "calculators/catalogue.py")


def _calculator_text(calc_id: str, embedding: list[dict], market_ref, examples, cache, key: str | None) -> str:
    """A calculator page's text: from ``cache`` under ``key`` when held there, else made (and kept)."""
    text = cache.record("pages", key) if cache else None
    if not isinstance(text, str):
        spec = calcfence.specs()[calc_id]
        text = calculator_page(spec, embedding, market_ref, examples().get(calc_id, []))
        if cache:
            cache.keep("pages", key, text)
    return text
