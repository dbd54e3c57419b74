"""Citations that hold: every cited address must be the page it names.

:func:`url_findings` looks at one source (title, url, publisher, accessed, optional ``kind``) and
returns what is wrong with it: a testnet, staging or mirror host, a search-results page, a source file
on a code host (unless the source is ``kind: code``), a bare home page, an ``accessed`` date after
today (errors); a non-English locale in the path of a publisher that has English pages (a warning).
Each message says how to fix it. :func:`entry_sources` finds every source of an entry (its sources,
its rules' sources, its claims' source and official sources); :mod:`.citecheck` runs the
checks over every entry and venue profile.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qsl, urlsplit

# Hosts that serve copies of Bybit's help centre (shared/reference/exchange-mechanics.md, conventions).
BYBIT_MIRRORS = ("bybitglobal.com", "bybit.global", "bybit-global.com", "bytick.com", "kbybit.com",
                 "bybit.nl", "bybit.kz", "byhkbit.com", "bybitx.global")

# Publisher (first word of ``publisher``, lower case) -> the domains it publishes on (a domain covers
# its subdomains; test and staging hosts are caught first). A source of a listed publisher on any other
# host is not the canonical page; the first host named is where to look instead.
CANONICAL_HOSTS = {
    "bybit": ("www.bybit.com", "bybit.com", "bybit-exchange.github.io"),
    "binance": ("www.binance.com", "binance.com", "binance-docs.github.io"),
    "kraken": ("support.kraken.com", "kraken.com"),
}
# Where each publisher's English pages live, for the advice in a locale warning.
ENGLISH_SEGMENT = {"bybit": "en", "binance": "en", "kraken": "en-us"}

_LOCALE = re.compile(r"^([a-z]{2,3})[-_]([a-z]{2}|[a-z]{4}|\d{3})$", re.IGNORECASE)
_LOCALE_ANYWHERE = re.compile(r"/[a-z]{2,3}[-_](?:[a-z]{2}|[a-z]{4}|\d{3})(?:/|$)", re.IGNORECASE)
_SEARCH_PATH = re.compile(r"(?:^|/)(?:search|search-results?|searchresults?)(?:/|$)", re.IGNORECASE)
_SEARCH_KEYS = {"q", "query", "keyword", "keywords", "search", "s", "term"}
_TEST_HOST = re.compile(r"testnet|staging")
_MIRROR_HOST = re.compile(r"(?:^|\.)(" + "|".join(re.escape(m) for m in BYBIT_MIRRORS) + r")$")
_BYBIT_HOST = re.compile(r"(?:^|\.)(?:bybit\.com|" + "|".join(re.escape(m) for m in BYBIT_MIRRORS) + r")$")
_CODE_HOSTS = ("github.com", "raw.githubusercontent.com", "gitlab.com")
_BYBIT_ARTICLE = re.compile(r"/help-center/(?:s/)?article/([^/?#]+)")
_BYBIT_DOCS_SOURCE = re.compile(r"^/bybit-exchange/docs/blob/[^/]+/docs/(.+?)\.mdx?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a source: the field it is about, the message, and whether it only warns."""

    field: str
    message: str
    warning: bool = False


@dataclass(frozen=True)
class Address:
    """A cited address split once: the text, its parts and its lower-case host."""

    url: str
    parts: SplitResult
    host: str

    @classmethod
    def parse(cls, url: str) -> Address:
        """Split ``url``; raises ValueError for an address urllib cannot read."""
        parts = urlsplit(url)
        return cls(url, parts, (parts.hostname or "").casefold())


def publisher_key(publisher) -> str:
    """The publisher's first word in lower case (``Bybit API documentation`` -> ``bybit``)."""
    words = str(publisher or "").split()
    return words[0].casefold().strip(".,:;") if words else ""


def canonical_suggestion(address: Address) -> str:
    """The canonical address of a mirrored or test-host page, when it can be derived (else '')."""
    if _BYBIT_HOST.search(address.host):
        match = _BYBIT_ARTICLE.search(address.parts.path)
        if match:
            return f"https://www.bybit.com/en/help-center/article/{match.group(1)}"
    if address.host == "github.com":
        match = _BYBIT_DOCS_SOURCE.match(address.parts.path)
        if match:
            return f"https://bybit-exchange.github.io/docs/{match.group(1)}"
    return ""


def _fix(address: Address, fallback: str) -> str:
    suggestion = canonical_suggestion(address)
    return f"cite {suggestion} instead" if suggestion else fallback


def host_findings(address: Address, publisher) -> list[Finding]:
    """Testnet, staging, mirror and non-canonical hosts."""
    host = address.host
    if _TEST_HOST.search(host):
        kind = "a testnet" if "testnet" in host else "a staging"
        return [Finding("url", f"{host} is {kind} host, not the published page; "
                               + _fix(address, "cite the same page on the publisher's main site"))]
    if _MIRROR_HOST.search(host):
        return [Finding("url", f"{host} is a mirror of Bybit's site; "
                               + _fix(address, "cite the same page on www.bybit.com"))]
    allowed = CANONICAL_HOSTS.get(publisher_key(publisher))
    if allowed and not any(host == domain or host.endswith("." + domain) for domain in allowed[1:]):
        if host in _CODE_HOSTS:
            return []  # a code host: code_findings says what to do
        return [Finding("url", f"{host} is not where {publisher} publishes its pages "
                               f"({', '.join(allowed[1:])}); " + _fix(address, f"cite the page on {allowed[0]}"))]
    return []


def search_findings(address: Address) -> list[Finding]:
    """Search-results pages: a ``search`` path segment or a search query parameter."""
    query = address.parts.query
    keys = {key.casefold() for key, _ in parse_qsl(query, keep_blank_values=True)} if query else set()
    if _SEARCH_PATH.search(address.parts.path) or keys & _SEARCH_KEYS:
        return [Finding("url", "this is a search-results page, which changes over time; open the article "
                               "the listing points to and cite its own address")]
    return []


def code_findings(address: Address, kind) -> list[Finding]:
    """Source files on code hosts, unless the source says ``kind: code``."""
    host, path = address.host, address.parts.path
    if kind == "code" or host not in _CODE_HOSTS:
        return []
    is_source = (host == "raw.githubusercontent.com" or "/blob/" in path or "/raw/" in path
                 or (host == "github.com" and re.search(r"\.mdx?$", path, re.IGNORECASE) is not None))
    if not is_source:
        return []
    return [Finding("url", "this is a source file on a code host, not a published page; "
                           + _fix(address, "cite the rendered documentation page")
                           + " (or add kind: code to the source when you mean the code itself)")]


def home_page_findings(address: Address) -> list[Finding]:
    """A bare home page (empty path or ``/``, no query) cited for a specific claim."""
    if address.parts.path in ("", "/") and not address.parts.query:
        return [Finding("url", "this is the site's home page, not the page that says it; cite the "
                               "address of the article itself")]
    return []


def locale_findings(address: Address, publisher) -> list[Finding]:
    """A warning for a non-English locale segment when the publisher has English pages."""
    path = address.parts.path
    if not _LOCALE_ANYWHERE.search(path):
        return []
    english = ENGLISH_SEGMENT.get(publisher_key(publisher))
    if english is None:
        if not _BYBIT_HOST.search(address.host):
            return []
        english = "en"
    segments = path.split("/")
    for index, segment in enumerate(segments):
        match = _LOCALE.match(segment)
        if match and match.group(1).casefold() != "en":
            fixed = address.parts._replace(path="/".join(segments[:index] + [english] + segments[index + 1:]))
            return [Finding("url", f"the address is in the {segment} locale; {publisher} publishes this page "
                                   f"in English: cite {fixed.geturl()} (check that it opens)", warning=True)]
    return []


def date_findings(accessed, today: datetime.date) -> list[Finding]:
    """An ``accessed`` date after today."""
    if not isinstance(accessed, str) or not _ISO_DATE.match(accessed) or accessed <= today.isoformat():
        return []  # the schema reports malformed dates; ISO dates compare as text
    try:
        datetime.date.fromisoformat(accessed)
    except ValueError:
        return []
    return [Finding("accessed", f"accessed {accessed} is after today ({today.isoformat()}); write the date "
                                "you read the page")]


def url_findings(source: dict, today: datetime.date) -> list[Finding]:
    """Everything wrong with one source (see the module docstring); empty when it holds."""
    findings = date_findings(source.get("accessed"), today)
    url = source.get("url")
    if not isinstance(url, str) or not url.startswith("https://"):
        return findings  # the schema reports a missing or malformed address
    try:
        address = Address.parse(url)
    except ValueError as error:  # e.g. an unclosed "[" read as an IPv6 host
        return findings + [Finding("url", f"the address cannot be read ({error}); copy it again from the "
                                          "browser's address bar")]
    publisher = source.get("publisher")
    url_problems = (host_findings(address, publisher) + search_findings(address)
                    + code_findings(address, source.get("kind")) + home_page_findings(address))
    return findings + (url_problems or locale_findings(address, publisher))


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
