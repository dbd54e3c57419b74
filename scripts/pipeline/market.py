"""Market snapshot: the price strip on every page, the market page, and ``market:<id>`` prices.

``content/market/snapshot.yaml`` (schema ``market.schema.json``) holds a fixed set of prices with the
time they were taken; ``python -m scripts market`` refreshes it. This module only reads it:

* :func:`strip_context` formats it for the template partial ``partials/market-strip.html`` (every
  value plain text, escaped by the partial);
* :func:`market_page` writes the Markdown of the market page (all coins, source, time);
* :func:`resolve` turns a calculator default ``market:bitcoin`` into bitcoin's price, with a message
  naming the closest coin id when the id is unknown.
"""

from __future__ import annotations

import datetime
import difflib
import json
import math
import os
from pathlib import Path

from .content import Content
from .errors import Problem
from .escape import md_text

SNAPSHOT = Path("market") / "snapshot.yaml"  # inside content/
PUBLISHED = "market.json"  # the snapshot as rendered into the docs folder (read by the MkDocs hook)
PREFIX = "market:"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def decimals(usd: float) -> int:
    """Decimal places that show a price well: 2 from one dollar up, else four significant digits."""
    if usd >= 1:
        return 2
    return min(10, 3 - math.floor(math.log10(usd)))


def price_text(usd: float) -> str:
    """A price as the strip shows it: ``87,959.91``, ``0.1509``."""
    return f"{usd:,.{decimals(usd)}f}"


def price_value(usd: float) -> float:
    """The number a ``market:<id>`` default stands for: the price rounded as the strip shows it."""
    return round(usd, decimals(usd))


def change_text(percent: float) -> tuple[str, str]:
    """``(text, direction)`` for a 24-hour change: ``("+1.34%", "up")``, ``("-1.53%", "down")``."""
    shown = round(percent, 2)
    if shown > 0:
        return f"+{shown:.2f}%", "up"
    if shown < 0:
        return f"\u2212{abs(shown):.2f}%", "down"
    return "0.00%", "flat"


def parse_time(iso: str) -> datetime.datetime:
    """``2026-02-05T04:05:02Z`` as an aware UTC datetime."""
    return datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)


def time_text(iso: str) -> str:
    """``2026-02-05T04:05:02Z`` as ``5 February 2026, 04:05 UTC``."""
    when = parse_time(iso)
    return f"{when.day} {when:%B} {when.year}, {when:%H:%M} UTC"


def strip_context(data: dict | None) -> dict | None:
    """What the strip partial shows, every value plain text (None when there is no snapshot)."""
    if not isinstance(data, dict) or not data.get("coins"):
        return None
    items = []
    for coin in data["coins"]:
        change, direction = change_text(coin["usd_24h_change"])
        items.append({"id": coin["id"], "symbol": coin["symbol"], "name": coin["name"],
                      "price": "$" + price_text(coin["usd"]), "change": change, "direction": direction})
    when = parse_time(data["taken_at"])
    return {"taken_at": data["taken_at"], "date": f"{when.day} {_MONTHS[when.month - 1]} {when.year}",
            "time": time_text(data["taken_at"]), "source": data["source"], "coins": items}




def _cell(text) -> str:
    """Plain text safe in a Markdown table cell or paragraph (tags escaped, Markdown marks escaped)."""
    return md_text(str(text))


def market_page(data: dict, front_matter) -> str:
    """The Markdown of ``market.md``: every coin of the snapshot with its time and source."""
    meta = {"title": "Market snapshot",
            "description": "The prices of the strip at the top of every page: what they are and when they were taken."}
    out = [front_matter(meta), "# Market snapshot\n\n",
           "The strip at the top of every page shows these prices in US dollars (source: "
           f"{_cell(data['source'])}), taken at {time_text(data['taken_at'])}. They are a snapshot, not live "
           "prices and not a quote: an exchange's own price differs, and a futures contract has its own mark "
           "price.\n\n"]
    if data.get("note"):
        out.append(f"*{_cell(data['note'])}*\n\n")
    out.append("| Coin | Symbol | Price (USD) | 24-hour change | Updated by the source |\n"
               "| --- | --- | ---: | ---: | --- |\n")
    for coin in data["coins"]:
        change, _ = change_text(coin["usd_24h_change"])
        out.append(f"| {_cell(coin['name'])} | {_cell(coin['symbol'])} | {price_text(coin['usd'])} | {change} | "
                   f"{time_text(coin['last_updated_at'])} |\n")
    out.append("\nA calculator on this site may start from one of these prices; its page then says so.\n")
    return "".join(out)


def published_json(data: dict) -> str:
    """The snapshot as JSON, written to the docs folder as ``market.json`` (and so to the site)."""
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def check_market(content: Content) -> list[Problem]:
    """No coin id appears twice in the snapshot."""
    doc = content.market
    coins = doc.data.get("coins") if doc and isinstance(doc.data, dict) else None
    problems, seen = [], {}
    for index, coin in enumerate(coins if isinstance(coins, list) else []):
        coin_id = coin.get("id") if isinstance(coin, dict) else None
        if isinstance(coin_id, str):
            if coin_id in seen:
                problems.append(doc.problem((("coins", index, "id")), f"coin {coin_id!r} is already listed "
                                            f"as coins[{seen[coin_id]}]; keep one"))
            seen.setdefault(coin_id, index)
    return problems


def prices(data) -> dict[str, float]:
    """``{coin id: USD price}`` of a loaded snapshot (empty when it is missing or malformed)."""
    coins = data.get("coins") if isinstance(data, dict) else None
    return {coin["id"]: coin["usd"] for coin in coins or []
            if isinstance(coin, dict) and isinstance(coin.get("id"), str)
            and isinstance(coin.get("usd"), (int, float)) and not isinstance(coin.get("usd"), bool)
            and coin["usd"] > 0}


_cache: dict[tuple, dict[str, float]] = {}


def default_prices() -> dict[str, float]:
    """The prices of the current build: the docs folder's ``market.json`` while MkDocs builds, else the
    project's snapshot (``MARGIN_NOTES_ROOT`` or this repository). Empty when there is none."""
    docs = os.environ.get("MARGIN_NOTES_DOCS_DIR")
    published = Path(docs) / PUBLISHED if docs else None
    if published and published.is_file():
        path = published
    else:
        root = Path(os.environ.get("MARGIN_NOTES_ROOT") or Path(__file__).resolve().parents[2])
        path = root / "content" / SNAPSHOT
    if not path.is_file():
        return {}
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _cache:
        import yaml  # JSON is YAML too

        text = path.read_text(encoding="utf-8")
        try:
            try:  # libyaml (10x faster); PyYAML's own parser decides a text libyaml refuses
                data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (safe)
            except yaml.YAMLError:
                data = yaml.safe_load(text)
            _cache[key] = prices(data)
        except yaml.YAMLError:
            _cache[key] = {}
    return _cache[key]


class MarketReferenceError(ValueError):
    """A ``market:<id>`` reference that names no coin of the snapshot."""


def is_reference(value) -> bool:
    """True for a string like ``market:bitcoin``."""
    return isinstance(value, str) and value.startswith(PREFIX)


def resolve(value: str, known: dict[str, float]) -> float:
    """The price ``market:<id>`` stands for; raise :class:`MarketReferenceError` saying how to fix it."""
    coin_id = value[len(PREFIX):].strip()
    if coin_id in known:
        return price_value(known[coin_id])
    where = f"content/{SNAPSHOT.as_posix()}"
    if not known:
        raise MarketReferenceError(f"{value!r} needs the market snapshot {where}, which has no prices")
    guess = difflib.get_close_matches(coin_id, list(known), n=1, cutoff=0.6)
    hint = f"; did you mean 'market:{guess[0]}'?" if guess else ""
    raise MarketReferenceError(f"{where} has no coin {coin_id!r}{hint} (its coins: {', '.join(known)})")
