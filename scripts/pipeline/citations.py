"""Citations that hold: every cited address must be the page it names.

:func:`url_findings` looks at one source (title, url, publisher, accessed, optional ``kind``) and
returns what is wrong with it: a testnet, staging or mirror host, a search-results page, a source file
on a code host (unless the source is ``kind: code``), a bare home page, an ``accessed`` date after
today (errors); a non-English locale in the path of a publisher that has English pages (a warning).
Each message says how to fix it. :func:`entry_sources` finds every source of an entry (its sources,
its rules' sources, its claims' source and official sources); :mod:`.venuecheck` applies the same
checks to the venue profiles.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

# Hosts that serve copies of Bybit's help centre (shared/reference/exchange-mechanics.md, conventions).
BYBIT_MIRRORS = ("bybitglobal.com", "bybit.global", "bybit-global.com", "bytick.com", "kbybit.com",
                 "bybit.nl", "bybit.kz", "byhkbit.com", "bybitx.global")

# Publisher (first word of ``publisher``, lower case) -> hosts it publishes on. A source of a listed
# publisher on any other host is not the canonical page. "www.example.com" also covers "example.com".
CANONICAL_HOSTS = {
    "bybit": ("www.bybit.com", "learn.bybit.com", "announcements.bybit.com", "blog.bybit.com",
              "bybit-exchange.github.io"),
    "binance": ("www.binance.com", "developers.binance.com", "academy.binance.com"),
    "kraken": ("support.kraken.com", "www.kraken.com", "docs.kraken.com", "blog.kraken.com"),
}
# Where each publisher's English pages live, for the advice in a locale warning.
ENGLISH_SEGMENT = {"bybit": "en", "binance": "en", "kraken": "en-us"}

_LOCALE = re.compile(r"^([a-z]{2,3})[-_]([a-z]{2}|[a-z]{4}|\d{3})$", re.IGNORECASE)
_SEARCH_SEGMENTS = re.compile(r"^(search|search-results?|searchresults?)$", re.IGNORECASE)
_SEARCH_KEYS = {"q", "query", "keyword", "keywords", "search", "s", "term"}
_BYBIT_ARTICLE = re.compile(r"/help-center/(?:s/)?article/([^/?#]+)")
_BYBIT_DOCS_SOURCE = re.compile(r"^/bybit-exchange/docs/blob/[^/]+/docs/(.+?)\.mdx?$")


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a source: the field it is about, the message, and whether it only warns."""

    field: str
    message: str
    warning: bool = False


def publisher_key(publisher) -> str:
    """The publisher's first word in lower case (``Bybit API documentation`` -> ``bybit``)."""
    words = str(publisher or "").split()
    return words[0].casefold().strip(".,:;") if words else ""


def _labels(host: str) -> list[str]:
    return [label for label in host.casefold().split(".") if label]


def _on(host: str, domain: str) -> bool:
    """``host`` is ``domain`` or one of its subdomains."""
    host = host.casefold()
    return host == domain or host.endswith("." + domain)


def canonical_suggestion(url: str) -> str:
    """The canonical address of a mirrored or test-host page, when it can be derived (else '')."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if _is_bybit_family(host):
        match = _BYBIT_ARTICLE.search(parts.path)
        if match:
            return f"https://www.bybit.com/en/help-center/article/{match.group(1)}"
    if host == "github.com":
        match = _BYBIT_DOCS_SOURCE.match(parts.path)
        if match:
            return f"https://bybit-exchange.github.io/docs/{match.group(1)}"
    return ""


def _is_bybit_family(host: str) -> bool:
    return _on(host, "bybit.com") or any(_on(host, mirror) for mirror in BYBIT_MIRRORS)


def _fix(url: str, fallback: str) -> str:
    suggestion = canonical_suggestion(url)
    return f"cite {suggestion} instead" if suggestion else fallback


def host_findings(url: str, publisher) -> list[Finding]:
    """Testnet, staging, mirror and non-canonical hosts."""
    host = (urlsplit(url).hostname or "").casefold()
    labels = _labels(host)
    key = publisher_key(publisher)
    if any("testnet" in label or "staging" in label for label in labels):
        kind = "a testnet" if any("testnet" in label for label in labels) else "a staging"
        return [Finding("url", f"{host} is {kind} host, not the published page; "
                               + _fix(url, "cite the same page on the publisher's main site"))]
    mirror = next((m for m in BYBIT_MIRRORS if _on(host, m)), None)
    if mirror:
        return [Finding("url", f"{host} is a mirror of Bybit's site; "
                               + _fix(url, "cite the same page on www.bybit.com"))]
    allowed = CANONICAL_HOSTS.get(key)
    if allowed and not any(host == item or (item.startswith("www.") and host == item[4:]) for item in allowed):
        if host in ("github.com", "raw.githubusercontent.com", "gitlab.com"):
            return []  # a code host: code_findings says what to do
        return [Finding("url", f"{host} is not where {publisher} publishes its pages ({', '.join(allowed)}); "
                               + _fix(url, f"cite the page on {allowed[0]}"))]
    return []


def search_findings(url: str) -> list[Finding]:
    """Search-results pages: a ``search`` path segment or a search query parameter."""
    parts = urlsplit(url)
    segments = [segment for segment in parts.path.split("/") if segment]
    keys = {key.casefold() for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    if any(_SEARCH_SEGMENTS.match(segment) for segment in segments) or keys & _SEARCH_KEYS:
        return [Finding("url", "this is a search-results page, which changes over time; open the article "
                               "the listing points to and cite its own address")]
    return []


def code_findings(url: str, kind) -> list[Finding]:
    """Source files on code hosts, unless the source says ``kind: code``."""
    if kind == "code":
        return []
    parts = urlsplit(url)
    host = (parts.hostname or "").casefold()
    path = parts.path
    is_source = (host == "raw.githubusercontent.com"
                 or (host in ("github.com", "gitlab.com") and ("/blob/" in path or "/raw/" in path))
                 or (host == "github.com" and re.search(r"\.mdx?$", path, re.IGNORECASE) is not None))
    if not is_source:
        return []
    return [Finding("url", "this is a source file on a code host, not a published page; "
                           + _fix(url, "cite the rendered documentation page")
                           + " (or add kind: code to the source when you mean the code itself)")]


def home_page_findings(url: str) -> list[Finding]:
    """A bare home page (empty path or ``/``, no query) cited for a specific claim."""
    parts = urlsplit(url)
    if parts.path in ("", "/") and not parts.query:
        return [Finding("url", "this is the site's home page, not the page that says it; cite the "
                               "address of the article itself")]
    return []


def locale_findings(url: str, publisher) -> list[Finding]:
    """A warning for a non-English locale segment when the publisher has English pages."""
    key = publisher_key(publisher)
    english = ENGLISH_SEGMENT.get(key)
    if english is None and not _is_bybit_family(urlsplit(url).hostname or ""):
        return []
    english = english or "en"
    parts = urlsplit(url)
    segments = parts.path.split("/")
    for index, segment in enumerate(segments):
        match = _LOCALE.match(segment)
        if match and match.group(1).casefold() != "en":
            path = "/".join(segments[:index] + [english] + segments[index + 1:])
            fixed = parts._replace(path=path).geturl()
            return [Finding("url", f"the address is in the {segment} locale; {publisher} publishes this page "
                                   f"in English: cite {fixed} (check that it opens)", warning=True)]
    return []


def date_findings(accessed, today: datetime.date) -> list[Finding]:
    """An ``accessed`` date after today."""
    if not isinstance(accessed, str):
        return []
    try:
        day = datetime.date.fromisoformat(accessed)
    except ValueError:
        return []  # the schema reports malformed dates
    if day > today:
        return [Finding("accessed", f"accessed {accessed} is after today ({today.isoformat()}); write the date "
                                    "you read the page")]
    return []


def url_findings(source: dict, today: datetime.date) -> list[Finding]:
    """Everything wrong with one source (see the module docstring); empty when it holds."""
    findings = date_findings(source.get("accessed"), today)
    url = source.get("url")
    if not isinstance(url, str) or not url.startswith("https://"):
        return findings  # the schema reports a missing or malformed address
    try:
        urlsplit(url)
    except ValueError as error:  # e.g. an unclosed "[" read as an IPv6 host
        return findings + [Finding("url", f"the address cannot be read ({error}); copy it again from the "
                                          "browser's address bar")]
    publisher = source.get("publisher")
    findings += host_findings(url, publisher)
    findings += search_findings(url)
    findings += code_findings(url, source.get("kind"))
    findings += home_page_findings(url)
    if not any(finding.field == "url" for finding in findings):
        findings += locale_findings(url, publisher)
    return findings


def entry_sources(data: dict):
    """Every source of one entry with its path: ``(("rules", 0, "sources", 1), {...})``."""
    def listed(items, path):
        for index, source in enumerate(items if isinstance(items, list) else []):
            if isinstance(source, dict):
                yield path + (index,), source

    yield from listed(data.get("sources"), ("sources",))
    for r_index, rule in enumerate(data.get("rules") if isinstance(data.get("rules"), list) else []):
        if isinstance(rule, dict):
            yield from listed(rule.get("sources"), ("rules", r_index, "sources"))
    for c_index, claim in enumerate(data.get("claims") if isinstance(data.get("claims"), list) else []):
        if not isinstance(claim, dict):
            continue
        if isinstance(claim.get("source"), dict):
            yield ("claims", c_index, "source"), claim["source"]
        yield from listed(claim.get("official"), ("claims", c_index, "official"))
