"""The market-snapshot updater: ``make market`` / ``python -m scripts market``.

Asks CoinGecko's ``/simple/price`` for the coins of ``content/market/snapshot.yaml`` (their ids, in
their order), checks the answer (every coin present, every field a number), writes the new snapshot
text, validates that text against ``content/schema/market.schema.json``, and only then replaces the
file atomically (a temporary file beside it, then ``os.replace``). Symbols and names are kept from the
old file. Any failure (network, HTTP status including 429 with its Retry-After, malformed JSON, a
missing coin, a null or non-numeric field, a schema problem) prints what went wrong, leaves the file
exactly as it was and returns 1.

The API address can be changed with ``MARGIN_NOTES_COINGECKO_URL`` (tests point it at 127.0.0.1); a
CoinGecko demo key in ``COINGECKO_DEMO_API_KEY``, if set, is sent as ``x-cg-demo-api-key`` (the keyless
API works too, with a lower rate limit). Standard library only (urllib).
"""

from __future__ import annotations

import datetime
import http.client
import json
import math
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .pipeline.content import Layout
from .pipeline.load import load_text
from .pipeline.market import SNAPSHOT, change_text, check_market, price_text, time_text
from .pipeline.validate import schema_set

API_ENV = "MARGIN_NOTES_COINGECKO_URL"
KEY_ENV = "COINGECKO_DEMO_API_KEY"
DEFAULT_API = "https://api.coingecko.com/api/v3"
TIMEOUT = 20  # seconds
MAX_BYTES = 1_000_000
FIELDS = ("usd", "usd_24h_change", "last_updated_at")
NOTE = "Fetched from CoinGecko's /simple/price by make market (python -m scripts market)."
HEADER = ("# The price strip shown on every page and the prices calculators may start from (market:<id>).\n"
          "# Refresh with `make market` (python -m scripts market); it rewrites this file, keeping symbol and name.\n"
          "# Schema: content/schema/market.schema.json. Not live data, not a quote.\n")


class UpdateError(Exception):
    """Why the snapshot was not updated (one readable sentence)."""


def request_url(base: str, ids: list[str]) -> str:
    """The ``/simple/price`` address for ``ids`` in US dollars with the 24-hour change and update time."""
    query = urllib.parse.urlencode({"ids": ",".join(ids), "vs_currencies": "usd", "include_24hr_change": "true",
                                    "include_last_updated_at": "true"}, safe=",")
    return base.rstrip("/") + "/simple/price?" + query


def _retry_after(value: str | None) -> str:
    if not value:
        return "it gave no Retry-After"
    value = value.strip()
    if value.isdigit():
        return f"it asks to wait {int(value)} seconds (Retry-After: {value})"
    return f"it asks to wait until {value} (Retry-After)"


def fetch(url: str, timeout: float = TIMEOUT) -> bytes:
    """The body of a GET of ``url``; raise :class:`UpdateError` on any network or HTTP problem."""
    headers = {"Accept": "application/json", "User-Agent": "margin-notes-market-updater/1"}
    if os.environ.get(KEY_ENV):
        headers["x-cg-demo-api-key"] = os.environ[KEY_ENV]
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        status = f"HTTP {error.code} {error.reason}".strip()
        error.close()
        if error.code == 429:
            raise UpdateError(f"CoinGecko answered {status}: too many requests; "
                              f"{_retry_after(error.headers.get('Retry-After'))}") from None
        raise UpdateError(f"CoinGecko answered {status}") from None
    except urllib.error.URLError as error:
        raise UpdateError(f"could not reach CoinGecko: {error.reason}") from None
    except (http.client.HTTPException, OSError) as error:  # timeouts, resets, truncated answers
        raise UpdateError(f"could not read CoinGecko's answer: {type(error).__name__}: {error}") from None
    if len(body) > MAX_BYTES:
        raise UpdateError(f"CoinGecko's answer is larger than {MAX_BYTES:,} bytes; expected a small JSON object")
    return body


def _number(value, coin: str, field: str, positive: bool = False) -> float:
    if value is None:
        raise UpdateError(f"CoinGecko's answer has no value for {coin} {field} (null)")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise UpdateError(f"CoinGecko's answer has {value!r} for {coin} {field}; expected a number")
    if positive and value <= 0:
        raise UpdateError(f"CoinGecko's answer has {value!r} for {coin} {field}; expected a number above 0")
    return value


def parse_answer(body: bytes, ids: list[str]) -> dict[str, dict]:
    """``{id: {usd, usd_24h_change, last_updated_at}}`` from the answer; raise :class:`UpdateError`."""
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise UpdateError("CoinGecko's answer is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise UpdateError(f"CoinGecko's answer is not valid JSON ({error.msg} at line {error.lineno} "
                          f"column {error.colno})") from None
    if not isinstance(data, dict):
        raise UpdateError(f"CoinGecko's answer is a JSON {type(data).__name__}; expected an object of coins")
    missing = [coin for coin in ids if not isinstance(data.get(coin), dict)]
    if missing:
        raise UpdateError(f"CoinGecko's answer has no price for {', '.join(missing)}")
    found = {}
    for coin in ids:
        item = data[coin]
        absent = [field for field in FIELDS if field not in item]
        if absent:
            raise UpdateError(f"CoinGecko's answer for {coin} lacks {', '.join(absent)}")
        found[coin] = {"usd": _number(item["usd"], coin, "usd", positive=True),
                       "usd_24h_change": _number(item["usd_24h_change"], coin, "usd_24h_change"),
                       "last_updated_at": _number(item["last_updated_at"], coin, "last_updated_at", positive=True)}
    return found


def _utc(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(int(seconds), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_snapshot(old: dict, answer: dict[str, dict], now: datetime.datetime) -> dict:
    """The new snapshot: the old coins in their order, with symbol and name, and the answer's figures."""
    coins = []
    for coin in old["coins"]:
        figures = answer[coin["id"]]
        coins.append({"id": coin["id"], "symbol": coin["symbol"], "name": coin["name"],
                      "usd": figures["usd"], "usd_24h_change": round(figures["usd_24h_change"], 4),
                      "last_updated_at": _utc(figures["last_updated_at"])})
    return {"source": "CoinGecko", "taken_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "note": NOTE,
            "currency": "usd", "coins": coins}


def snapshot_text(data: dict) -> str:
    """The YAML text of a snapshot (strings quoted as JSON, which YAML reads as it is)."""
    out = [HEADER, f"source: {json.dumps(data['source'])}\n", f"taken_at: {json.dumps(data['taken_at'])}\n"]
    if data.get("note"):
        out.append(f"note: {json.dumps(data['note'], ensure_ascii=False)}\n")
    out.append(f"currency: {data['currency']}\ncoins:\n")
    for coin in data["coins"]:
        out.append(f"  - id: {json.dumps(coin['id'])}\n    symbol: {json.dumps(coin['symbol'])}\n"
                   f"    name: {json.dumps(coin['name'], ensure_ascii=False)}\n"
                   f"    usd: {coin['usd']!r}\n    usd_24h_change: {coin['usd_24h_change']!r}\n"
                   f"    last_updated_at: {json.dumps(coin['last_updated_at'])}\n")
    return "".join(out)


def load_snapshot(layout: Layout, text: str, file: str) -> dict:
    """Parse and validate snapshot ``text``; raise :class:`UpdateError` listing its problems."""
    from .pipeline.content import Content

    doc, problems = load_text(text, file)
    if doc.data is not None:
        problems += schema_set(layout.schemas.resolve()).validate(doc, "market.schema.json")
    if not problems:
        problems += check_market(Content(layout, market=doc))
    if problems:
        raise UpdateError("; ".join(str(problem) for problem in sorted(problems)))
    return doc.data


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` at once: a temporary file in the same folder, then ``os.replace``."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def summary(old: dict, new: dict) -> list[str]:
    """One line per coin (old -> new price, its change, the 24-hour change) and a closing count."""
    before = {coin["id"]: coin for coin in old["coins"]}
    width = max(len(coin["id"]) for coin in new["coins"])
    lines, changed = [], 0
    for coin in new["coins"]:
        was = before[coin["id"]]
        if coin["usd"] == was["usd"]:
            move = "unchanged"
        else:
            changed += 1
            move = change_text((coin["usd"] / was["usd"] - 1) * 100)[0].replace("\u2212", "-")
        day_was, day_now = (change_text(c["usd_24h_change"])[0].replace("\u2212", "-") for c in (was, coin))
        lines.append(f"  {coin['id']:<{width}}  {price_text(was['usd'])} -> {price_text(coin['usd'])} USD "
                     f"({move}); 24 h {day_was} -> {day_now}")
    lines.append(f"{len(new['coins'])} coins, {changed} price{'' if changed == 1 else 's'} changed; taken at "
                 f"{time_text(new['taken_at'])} (was {time_text(old['taken_at'])}).")
    return lines


def update(layout: Layout, base_url: str | None = None, out=print, err=print,
           now: datetime.datetime | None = None) -> int:
    """Refresh the snapshot of ``layout``; 0 when it was rewritten, 1 (file untouched) otherwise."""
    path = layout.content / SNAPSHOT
    shown = f"content/{SNAPSHOT.as_posix()}"
    base_url = base_url or os.environ.get(API_ENV) or DEFAULT_API
    try:
        if not path.is_file():
            raise UpdateError(f"{shown} does not exist; it lists the coins to ask for")
        old = load_snapshot(layout, path.read_text(encoding="utf-8"), shown)
        ids = [coin["id"] for coin in old["coins"]]
        url = request_url(base_url, ids)
        out(f"Asking CoinGecko for {len(ids)} coins: {url}")
        answer = parse_answer(fetch(url), ids)
        new = new_snapshot(old, answer, now or datetime.datetime.now(datetime.timezone.utc))
        text = snapshot_text(new)
        load_snapshot(layout, text, shown + " (new)")  # the exact text that will be written is valid
        write_atomically(path, text)
    except UpdateError as error:
        err(f"make market: {error}. {shown} was left as it was.")
        return 1
    out(f"Updated {shown}:")
    for line in summary(old, new):
        out(line)
    return 0
