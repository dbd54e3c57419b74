"""Page generators: every page of the site comes from one function in :data:`GENERATORS`.

A generator takes the :class:`Site` and yields :class:`Page` objects. To add pages (calculators,
the rules index, ...), write a generator and append it to :data:`GENERATORS` with one line. Two
generators may not write the same path, except that a page marked ``fallback=True`` gives way to a
page from any other generator (used for the section index pages that other helpers replace).
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cached_property, partial
from operator import itemgetter
from typing import Callable, Iterable

from . import glossary, market
from .cache import current, digest_of
from .calcpages import calculator_pages, category_calculators
from .claims import claims_section
from .content import Content
from .drafts import draft_pages
from .entryindex import index_of
from .escape import html_text, md_link, md_text
from .handpages import read_page
from .keymemo import KeyInputs, KeyMemo
from .load import display_path, split_front_matter
from .render import entry_page, front_matter, long_date
from .rules import counted, rule_boxes, rules_index
from .twin import json_twin
from .venuepages import venue_pages

RECENT = 5
_FIRST = itemgetter(0)


class Page:
    """One generated page: its docs-relative path, its Markdown, the file an editor changes, if any.

    ``key``: a digest that determines ``text`` (with the code version), when one is known (or ``keyer``,
    a function giving it when first read). A page with
    a key may be given ``make`` instead of ``text``: a function that makes the text, called the first
    time the text is read, so a page whose key shows it unchanged costs nothing (issue 14).
    """

    __slots__ = ("path", "source", "fallback", "_key", "_keyer", "_text", "_make", "_make_data", "write")

    def __init__(self, path: str, text: str | None = None, source: str | None = None, fallback: bool = False,
                 key: str | None = None, make: Callable[[], str] | None = None,
                 make_data: Callable[[], bytes] | None = None, keyer: Callable[[], str] | None = None,
                 write: Callable | None = None):
        if text is None and make is None and make_data is None:
            raise ValueError(f"page {path}: give its text or a function that makes it")
        self.path, self.source, self.fallback, self._key, self._keyer = path, source, fallback, key, keyer
        self._text, self._make, self._make_data = text, make, make_data
        # write(target, put) -> (written, stamp): makes the docs file itself (entries.json: spliced)
        self.write = write

    @property
    def key(self) -> str | None:
        """The page's key (``keyer`` gives it when first read: ``validate`` reads no entry page's key)."""
        if self._keyer is not None:
            self._key, self._keyer = self._keyer(), None
        return self._key

    @property
    def text(self) -> str:
        """The page's Markdown (made on first read when the page was given ``make`` or ``make_data``)."""
        if self._text is None:
            self._text = self._make() if self._make else self._make_data().decode("utf-8", "surrogatepass")
            self._make = self._make_data = None
        return self._text

    def data(self) -> bytes:
        """The page's file as UTF-8 bytes (``make_data`` gives them without a text in between: entries.json)."""
        if self._text is None and self._make_data is not None:
            return self._make_data()
        return self.text.encode("utf-8")

    def __repr__(self) -> str:
        return f"Page({self.path!r}, key={self.key!r})"


class PageTexts(Mapping):
    """``{path: text}`` of pages, each text made when first read (the link check reads a few)."""

    def __init__(self, pages: dict[str, Page]):
        self.pages = pages

    def __getitem__(self, path: str) -> str:
        return self.pages[path].text

    def __contains__(self, path) -> bool:
        return path in self.pages

    def __iter__(self):
        return iter(self.pages)

    def __len__(self) -> int:
        return len(self.pages)


class Site:
    """Read-only view of validated content that page generators use.

    Which entries exist, their ids, drafts, categories, titles, summaries and dates come from each
    document's index (:mod:`.entryindex`, kept in the content cache), so listing pages and page keys
    do not decode the data of unchanged entries; :attr:`entries` (every published entry's data) is
    made only when a generator reads it (issue 14)."""

    def __init__(self, content: Content):
        self.content = content
        self.root = content.layout.root
        self.categories = content.category_list()
        self.glossary = content.glossary_list()
        self.texts = content.site_texts()
        self._docs = docs = {}
        published = []
        texts = True  # every id a text (then sorted by the ids themselves, in C)
        for doc in content.entries:
            index = doc.__dict__.get("index", False)  # (index_of, inline: 10,000 entries)
            if index is False:
                index = index_of(doc)
            if index is None:
                continue
            entry_id, draft = index["id"], index["draft"]
            if type(entry_id) is not str or type(draft) is not bool:  # not a text id, or a damaged index
                data = doc.data
                if "id" not in data:
                    continue
                entry_id, draft = data["id"], bool(data.get("draft"))
                texts = texts and type(entry_id) is str
            docs[entry_id] = doc
            if not draft:
                published.append((entry_id, doc))
        # as Content.published: by id, stable
        published.sort(key=_FIRST if texts else lambda item: str(item[0]))
        self._published = published
        self._published_ids = {entry_id for entry_id, _ in published}
        self._sources = {entry_id: doc.file for entry_id, doc in self._docs.items()}
        self._categories = {item["id"]: item for item in self.categories}
        self._terms = {item["id"]: item for item in self.glossary}

    @cached_property
    def entries(self) -> list[dict]:
        """The data of every published entry, sorted by id (:meth:`Content.published`)."""
        return [doc.data for _, doc in self._published]

    @cached_property
    def by_id(self) -> dict[str, dict]:
        """Every published entry's data by id."""
        return {entry_id: doc.data for entry_id, doc in self._published}

    @cached_property
    def rows(self) -> list[dict]:
        """``{id, title, summary, category, published, reviewed}`` of every published entry, sorted by
        id: what listing pages show, read from the entries' indexes (:meth:`field`)."""
        names = ("category", "title", "summary", "published", "reviewed")
        rows = []
        for entry_id, doc in self._published:  # one pass, each index read once (10,000 at scale)
            index = index_of(doc)
            row = {"id": entry_id}
            for name in names:
                value = index.get(name) if index is not None else None
                row[name] = value if type(value) is str else doc.data[name]
            rows.append(row)
        return rows

    def published_docs(self) -> list[tuple]:
        """``(id, document)`` of every published entry, sorted by id (no data decoded)."""
        return self._published

    def entry(self, entry_id: str) -> dict | None:
        """The published entry with this id, or None."""
        try:
            return self._docs[entry_id].data if entry_id in self._published_ids else None
        except (KeyError, TypeError):
            return None

    def field(self, entry_id, name: str):
        """The text field ``name`` (category, title, summary, published, reviewed) of the published entry
        ``entry_id``, from its index when it holds a text there, else from its data."""
        index = index_of(self._docs[entry_id])
        value = index.get(name) if index is not None else None
        return value if type(value) is str else self._docs[entry_id].data[name]

    def doc_of(self, entry_id: str):
        """The loaded document of the entry with this id (published or draft), or None."""
        return self._docs.get(entry_id)

    def category(self, category_id: str) -> dict | None:
        """The category with this id, or None."""
        return self._categories.get(category_id)

    def term(self, term_id: str) -> dict | None:
        """The glossary term with this id, or None."""
        return self._terms.get(term_id)

    def source_of(self, entry_id: str) -> str | None:
        """The repository-relative YAML file of an entry (its edit link target)."""
        return self._sources.get(entry_id)

    def extra_sections(self, entry: dict) -> str:
        """Markdown added to an entry after its sections, from :data:`ENTRY_EXTRAS` (e.g. rule boxes)."""
        return "".join(extra(entry, self) for extra in ENTRY_EXTRAS)


def entry_link(entry: dict, prefix: str = "../entries/") -> str:
    """A Markdown link to an entry page, from a page one folder deep."""
    return md_link(entry["title"], f"{prefix}{entry['id']}.md")


def entry_pages(site: Site) -> Iterable[Page]:
    """One page per published entry, at ``entries/<id>.md``. With the content cache on, each page has
    its :func:`page_key` (all computed, and their records kept for the next run, when the first is
    read), and its text is made only when read: taken from the cache when it holds the page for exactly
    these inputs, else rendered (and kept)."""
    cache = current()
    sources = site._sources
    if cache and len(site.__dict__.get("_page_keys", ())) < len(site.published_docs()):
        cache.keep_unread("pages")  # until every key is computed (_key_of), no record is dropped
    for entry_id, doc in site.published_docs():
        keyer = partial(_key_of, site, entry_id) if cache else None
        yield Page(f"entries/{entry_id}.md", None, sources.get(entry_id), False, None,
                   partial(_entry_text, doc, site, cache, keyer), keyer=keyer)


def _key_of(site: Site, entry_id: str) -> str:
    """The page key of one published entry (:func:`page_key`, computed once per site), its record kept
    for the next run, whether or not this run reads it. Until every key is computed (a render computes
    them all; ``validate`` only those of the pages whose anchors the link check reads), the cache keeps
    the page records this run did not name (:meth:`~.cache.ContentCache.keep_unread`)."""
    keys = site.__dict__.setdefault("_page_keys", {})
    key = keys.get(entry_id)
    if key is None and "_kept_keys" not in site.__dict__ and site.__dict__.get("_keying_all"):
        # a render reads every key: the kept ones are taken (and touched) at once; ``validate`` reads
        # a few and computes those (no record read)
        kept = _kept_keys(site)
        keys.update(kept)
        cache = current()
        if cache:
            for value in kept.values():
                cache.touch("pages", value)
        key = keys.get(entry_id)
        if key is not None:
            if cache and len(keys) == len(site.published_docs()):
                cache.keep_unread("pages", False)
            return key
    if key is None:
        key = site.__dict__.get("_kept_keys", {}).get(entry_id)
        if key is None:
            key = _page_key(entry_id, site, *_key_memos(site))
            site.__dict__.setdefault("_keyed", []).append(entry_id)
        keys[entry_id] = key
        cache = current()
        if cache:
            cache.touch("pages", key)
            if len(keys) == len(site.published_docs()):
                cache.keep_unread("pages", False)
    return key


def _key_inputs(site: Site) -> KeyInputs:
    """The ids, file hashes and files of every published entry, and their related ids when asked for
    (what :class:`~.keymemo.KeyMemo` compares), read from the entries' indexes."""
    inputs = site.__dict__.get("_key_inputs")
    if inputs is None:
        sources, published = site._sources, site.published_docs()
        ids = [entry_id for entry_id, _ in published]
        docs = [doc for _, doc in published]
        inputs = site.__dict__["_key_inputs"] = KeyInputs(
            ids, [doc.__dict__.get("sha256") for doc in docs], [sources.get(entry_id) for entry_id in ids],
            lambda i: _index_fields(docs[i])[0])
    return inputs


def _globals_digest(site: Site) -> str:
    """The digest of every input of entry page keys that is not an entry's own (see :mod:`.keymemo`)."""
    digest = site.__dict__.get("_key_globals")
    if digest is None:
        digest = site.__dict__["_key_globals"] = digest_of("page-key-globals", site.categories, site.glossary,
                                                           _shared_key(site))
    return digest


def _kept_keys(site: Site) -> dict[str, str]:
    """The page keys kept from the last run that are still right (:class:`~.keymemo.KeyMemo`), by id."""
    kept = site.__dict__.get("_kept_keys")
    if kept is None:
        cache = current()
        kept = {}
        if cache:
            memo = site.__dict__["_key_memo"] = KeyMemo(cache.folder.parent, cache.key)
            kept = memo.reusable(_key_inputs(site), _globals_digest(site), partial(_title_of, site))
        site.__dict__["_kept_keys"] = kept
    return kept


def save_page_keys(pages) -> None:
    """Keep the entry page keys of this run for the next (:mod:`.keymemo`) when every one was read and
    some were computed, unless the record read still serves (:meth:`~.keymemo.KeyMemo.serves`: a few
    entries' files changed, none retitled) (``pages``: what :func:`collect_pages` returned)."""
    site = getattr(pages, "site", None)
    memo = site.__dict__.get("_key_memo") if site is not None else None
    keys = site.__dict__.get("_page_keys", {}) if site is not None else {}
    if memo is None or len(keys) != len(site.published_docs()) or not memo.differs(
            keys, site.__dict__.get("_keyed", ()), _globals_digest(site)):
        return
    if memo.serves(_key_inputs(site), _globals_digest(site), partial(_title_of, site)):
        return  # a few entries changed, none retitled: the record read still serves (keymemo.STALE_LIMIT)
    memo.save(_key_inputs(site), keys, _globals_digest(site), partial(_title_of, site))


def keying_all(pages) -> None:
    """Say that this run reads every entry page's key (a render): the kept keys are then read at once
    (:mod:`.keymemo`) instead of each key computed (``pages``: what :func:`collect_pages` returned)."""
    site = getattr(pages, "site", None)
    if site is not None:
        site.__dict__["_keying_all"] = True


# True while a render's checks run (build.prepare_content): the sites made meanwhile read the kept keys
# at their first key (the link check's), as the render that follows reads every key anyway
RENDERING: ContextVar[bool] = ContextVar("RENDERING", default=False)


@contextmanager
def rendering():
    """The block is a render's checks (see :data:`RENDERING`)."""
    token = RENDERING.set(True)
    try:
        yield
    finally:
        RENDERING.reset(token)


def _title_of(site: Site, entry_id: str):
    """A published entry's title as its related entries' page keys show it (None when not text)."""
    try:
        return site.field(entry_id, "title")
    except (KeyError, TypeError):
        return None


def _entry_text(doc, site: Site, cache, keyer) -> str:
    """An entry page's text: from ``cache`` under its key when held there, else rendered (and kept)."""
    key = keyer() if keyer else None
    text = cache.record("pages", key) if cache else None
    if not isinstance(text, str):
        text = entry_page(doc.data, site)
        if cache:
            cache.keep("pages", key, text)
    return text


def page_key(entry: dict, site: Site) -> str:
    """The digest of every value an entry page shows: the entry, its category, related entries' ids and
    titles, its terms, its file's name, the site texts, and the functions that add sections (the cache's
    own key holds the code version: the model, the venue profiles and this code)."""
    return _page_key(entry["id"], site, *_key_memos(site))


def page_keys(site: Site) -> dict[str, str]:
    """:func:`page_key` of every published entry, by id (one loop: at 10,000 entries every run
    computes every key, issue 14), read from the entries' indexes (no data decoded)."""
    memos = _key_memos(site)
    return {entry_id: _page_key(entry_id, site, *memos) for entry_id, _ in site.published_docs()}


def _key_memos(site: Site) -> tuple[dict, dict, dict, str]:
    """The per-site pieces of page keys: related entries' tokens, category and term digests (by id,
    filled as met), and the digest of what every entry page shows alike."""
    return (site.__dict__.setdefault("_titles", {}), site.__dict__.setdefault("_digests_category", {}),
            site.__dict__.setdefault("_digests_term", {}), _shared_key(site))


def _index_fields(doc) -> tuple:
    """``(related, terms, category)`` of an entry as its page key reads them: from its index (items
    that are not text as None, which the key treats as the data's own would be: no such entry or
    term), else from its data when the index lacks a list."""
    index = index_of(doc)
    related = index["related"] if index is not None else None
    terms = index["terms"] if index is not None else None
    if type(related) is not list or type(terms) is not list:
        data = doc.data
        return data.get("related", ()), data.get("terms", ()), data.get("category")
    category = index["category"]
    return related, terms, category if type(category) is str else doc.data.get("category")


def _page_key(entry_id: str, site: Site, titles: dict, categories: dict, terms: dict, shared: str) -> str:
    """:func:`page_key`, made of per-site pieces (a category, a term, a related entry's id and title are
    serialised once per run, not once per page showing them) joined by separators none of them holds."""
    doc = site._docs[entry_id]
    sha = doc.__dict__.get("sha256")
    # the data is made from the file's bytes by code the cache is keyed on; else the data itself
    own = "file:" + sha if sha else digest_of(doc.data)
    related_ids, term_ids, category = _index_fields(doc)
    related = []
    for other in related_ids:
        try:
            token = titles[other]
        except KeyError:
            # repr writes no control character as it is: the separators below stay unambiguous
            token = titles[other] = repr((other, site.field(other, "title"))) \
                if other in site._published_ids else "None"
        except TypeError:  # not hashable: not an id of any entry
            token = "None"
        related.append(token)
    used = []
    for term in term_ids:
        try:
            used.append(terms[term])
        except (KeyError, TypeError):
            used.append(_digest_by_id(site, "term", term))
    try:
        category_digest = categories[category]
    except (KeyError, TypeError):
        category_digest = _digest_by_id(site, "category", category)
    parts = ("entry-page", own, category_digest, repr(site._sources.get(entry_id)), "\x1f".join(related),
             ",".join(used), shared)
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _digest_by_id(site: Site, kind: str, item_id) -> str:
    """The digest of the category or glossary term ``item_id`` (``site.category``/``site.term``),
    computed once per site: thousands of pages share a few of them."""
    memo = site.__dict__.setdefault(f"_digests_{kind}", {})
    try:
        return memo[item_id]
    except KeyError:
        pass
    except TypeError:  # not hashable: not an id of any item
        return digest_of(kind, None)
    value = memo[item_id] = digest_of(kind, site.category(item_id) if kind == "category" else site.term(item_id))
    return value


def _shared_key(site: Site) -> str:
    """The digest of what every entry page shows alike (the site texts, the functions adding sections),
    computed once per site."""
    key = site.__dict__.get("_entry_page_shared")
    if key is None:
        key = site.__dict__["_entry_page_shared"] = digest_of(
            site.texts, [f"{extra.__module__}.{extra.__qualname__}" for extra in ENTRY_EXTRAS])
    return key


def category_pages(site: Site) -> Iterable[Page]:
    """The categories index and one page per category listing its entries (each text made when read).

    With the content cache on, a category page is known by a key (the category, its calculators, and
    each member by its file and hash, which decide its id, title and summary), so a run makes only the
    pages of the categories whose members changed, or whose docs file is not as the last run left it
    (issue 14; the texts are cheap to make: none is kept in the cache)."""
    cache = current()
    for category in site.categories:
        keyer = partial(_category_key, site, category) if cache else None
        yield Page(f"categories/{category['id']}.md", make=partial(_category_text, site, category), keyer=keyer)
    yield Page("categories/index.md", make=partial(_categories_index, site))


class _Listing:
    """What the listing pages read of every published entry, from one pass over their indexes (by id):
    ``grouped`` (category id -> member ids), ``tokens`` (category id -> each member's file and hash,
    which decide what a category page shows of it), ``published`` and ``reviewed`` (``(date, id)``)."""

    __slots__ = ("grouped", "tokens", "published", "reviewed")

    def __init__(self, site: Site):
        self.grouped, self.tokens, self.published, self.reviewed = {}, {}, [], []
        grouped, tokens, published, reviewed = self.grouped, self.tokens, self.published, self.reviewed
        for entry_id, doc in site.published_docs():
            index = index_of(doc)
            if index is not None:
                category, first, last = index.get("category"), index.get("published"), index.get("reviewed")
            else:
                category = first = last = None
            if type(category) is not str:
                category = doc.data["category"]
            if type(first) is not str:
                first = doc.data["published"]
            if type(last) is not str:
                last = doc.data["reviewed"]
            sha = doc.__dict__.get("sha256")
            # repr writes no control character as it is: the separators stay unambiguous
            token = f"file\0{doc.file}\0{sha}" if type(sha) is str and type(doc.file) is str else repr(
                (entry_id, site.field(entry_id, "title"), site.field(entry_id, "summary")))
            members = grouped.get(category)
            if members is None:
                members = grouped[category] = []
                tokens[category] = []
            members.append(entry_id)
            tokens[category].append(token)
            published.append((first, entry_id))
            reviewed.append((last, entry_id))


def _listing(site: Site) -> _Listing:
    """The :class:`_Listing` of ``site`` (made once per site)."""
    listing = site.__dict__.get("_listing")
    if listing is None:
        listing = site.__dict__["_listing"] = _Listing(site)
    return listing


def _grouped_ids(site: Site) -> dict:
    """Category id -> the ids of its published entries, by id."""
    return _listing(site).grouped


def _category_key(site: Site, category: dict) -> str:
    """The key of a category page: what it shows, each member named by its file and hash when it has one."""
    members = "\n".join(_listing(site).tokens.get(category["id"], ()))
    return digest_of("category-page", category, category_calculators(category["id"]),
                     hashlib.sha256(members.encode("utf-8", "surrogatepass")).hexdigest())


def _category_text(site: Site, category: dict) -> str:
    """The Markdown of one category's page: its entries by title, then its calculators."""
    field = site.field
    members = sorted(({"id": entry_id, "title": field(entry_id, "title"), "summary": field(entry_id, "summary")}
                      for entry_id in _grouped_ids(site).get(category["id"], ())), key=lambda e: e["title"])
    body = [front_matter({"title": html_text(category["title"]), "description": html_text(category["description"])}),
            f"# {md_text(category['title'])}\n\n{md_text(category['description'])}\n\n"]
    calculators = category_calculators(category["id"])
    if members:
        body.append("## Entries\n\n" if calculators else "")
        body += [f"- {entry_link(entry, '../entries/')}: {entry['summary']}\n" for entry in members]
        body.append("\n")
    if calculators:
        body.append("## Calculators\n\n")
        body += [f"- {md_link(spec['title'], '../calculators/' + spec['id'] + '.md')}: {md_text(spec['summary'])}\n"
                 for spec in calculators]
    if not members and not calculators:
        body.append("No entries yet. Browse the [other categories](index.md).\n")
    return "".join(body)


def _categories_index(site: Site) -> str:
    """The Markdown of the categories index: each category with its number of entries and calculators."""
    lines = ["# Categories\n\n"]
    grouped = _grouped_ids(site)
    for category in site.categories:
        members = len(grouped.get(category["id"], ()))
        tools = len(category_calculators(category["id"]))
        count = f"{members} entr{'y' if members == 1 else 'ies'}" + (
            f", {tools} calculator{'' if tools == 1 else 's'}" if tools else "")
        lines.append(f"- {md_link(category['title'], category['id'] + '.md')}: {md_text(category['description'])} "
                     f"({count})\n")
    meta = front_matter({"title": "Categories", "description": "Every topic of Margin Notes, grouped."})
    return meta + "".join(lines)


def home_page(site: Site) -> Iterable[Page]:
    """The home page: introduction, categories, newest and most recently reviewed entries, search hint."""
    yield Page("index.md", make=partial(_home_text, site))


def _home_text(site: Site) -> str:
    """The home page's Markdown."""
    out = [front_matter({"title": "Margin Notes",
                         "description": "Plain answers about crypto futures margin, liquidation and "
                                        "negative balances, each rule checked on a reference model."}),
           "# Margin Notes\n\n", site.texts.get("home_intro", "").strip() + "\n\n",
           "Search every entry with the search box at the top of the page (press `/` or `S`).\n\n",
           "## Categories\n\n"]
    out += [f"- {md_link(c['title'], 'categories/' + c['id'] + '.md')}: {md_text(c['description'])}\n"
            for c in site.categories]
    newest = _latest(site, "published")
    reviewed = _latest(site, "reviewed")
    out.append("\n## Newest entries\n\n")
    out += [f"- {entry_link(e, 'entries/')} ({long_date(e['published'])})\n" for e in newest] or ["None yet.\n"]
    out.append("\n## Recently reviewed\n\n")
    out += [f"- {entry_link(e, 'entries/')} ({long_date(e['reviewed'])})\n" for e in reviewed] or ["None yet.\n"]
    out.append(market_snapshot(site))
    out.append("\nTools: [calculators](calculators/index.md) · [rules](rules/index.md) · "
               "[venues](venues/index.md) · [glossary](glossary.md) · [about](about.md)\n")
    return "".join(out)


def _latest(site: Site, name: str) -> list[dict]:
    """``{id, title, <name>}`` of the :data:`RECENT` published entries latest by the date ``name`` (then by
    id), latest first, as ``sorted(...)[:RECENT]`` of every row would give them; read from the indexes."""
    latest = heapq.nlargest(RECENT, getattr(_listing(site), name))
    return [{"id": entry_id, "title": site.field(entry_id, "title"), name: date} for date, entry_id in latest]


def market_snapshot(site: Site) -> str:
    """A line for the home page pointing at the market page, with the snapshot's time ('' if absent)."""
    data = site.content.market_snapshot()
    if not data:
        return ""
    return (f"\nThe price strip at the top of every page is a [market snapshot](market.md) of "
            f"{len(data['coins'])} coins taken at {market.time_text(data['taken_at'])}; it is not live.\n")


def market_pages(site: Site) -> Iterable[Page]:
    """The market page (every coin of the snapshot) and ``market.json``, which the strip partial reads."""
    data = site.content.market_snapshot()
    if not data:
        return
    source = site.content.market.file if site.content.market else None
    yield Page("market.md", market.market_page(data, front_matter), source)
    yield Page(market.PUBLISHED, market.published_json(data))


def glossary_page(site: Site) -> Iterable[Page]:
    """The glossary: terms grouped by first letter (each term's id is the anchor entries link to)."""
    out = [front_matter({"title": "Glossary",
                         "description": "The words of futures trading used on Margin Notes, defined in plain language."}),
           "# Glossary\n\n", glossary.glossary_markdown(site.glossary, site.term, partial(_linked_entry, site))]
    source = site.content.glossary.file if site.content.glossary else None
    yield Page("glossary.md", "".join(out), source)


def _linked_entry(site: Site, entry_id) -> dict | None:
    """``{id, title}`` of the published entry ``entry_id`` (what the glossary shows of an entry a term
    names), or None: read from its index, so no entry's data is decoded for it (issue 14)."""
    try:
        if entry_id not in site._published_ids:
            return None
    except TypeError:  # not hashable: not an id of any entry
        return None
    return {"id": entry_id, "title": site.field(entry_id, "title")}


def hand_written_pages(site: Site) -> Iterable[Page]:
    """Markdown pages written by hand in ``content/pages/`` (About, ...), with their title escaped.

    Only ``title`` and ``description`` of a page's front matter are kept (the check stage refuses
    others); both are plain text, printed by the theme as HTML, so they are escaped here.
    """
    pages_dir = site.content.layout.pages
    for path in sorted(pages_dir.rglob("*.md")):
        relative = path.relative_to(pages_dir).as_posix()
        source = display_path(path, site.root)
        doc, body, _, _ = split_front_matter(read_page(path), source)
        data = doc.data if isinstance(doc.data, dict) else {}
        meta = {key: html_text(data[key]) for key in ("title", "description") if isinstance(data.get(key), str)}
        meta["edit_source"] = source
        yield Page(relative, front_matter(meta) + body, source)


def tags_page(site: Site) -> Iterable[Page]:
    """The tag index, filled in by Material's tags plugin."""
    yield Page("tags.md", front_matter({"title": "Tags", "description": "Entries by tag."})
               + "# Tags\n\n<!-- material/tags -->\n")


def section_fallbacks(site: Site) -> Iterable[Page]:
    """Index pages for the Calculators and Rules sections until their own generators provide them."""
    yield Page("calculators/index.md", front_matter({"title": "Calculators",
                                                     "description": "Margin and liquidation calculators."})
               + "# Calculators\n\nThe calculators are being added.\n", fallback=True)
    yield Page("rules/index.md", make=partial(_rules_fallback, site), fallback=True)


def _rules_fallback(site: Site) -> str:
    """The Rules section's index page until its own generator provides it."""
    with_rules = [e for e in site.entries if e.get("rules")]
    lines = [f"- {entry_link(e)} ({counted(len(e['rules']), 'rule')})\n" for e in with_rules] or ["No rules yet.\n"]
    return (front_matter({"title": "Rules", "description": "Every checked statement about exchange behaviour."})
            + "# Rules\n\nEntries with rules checked on the reference model:\n\n" + "".join(lines))


# Markdown blocks appended to each entry after its sections: f(entry, site) -> str (the claims
# section, then the rule boxes).
ENTRY_EXTRAS: list[Callable[[dict, Site], str]] = [claims_section, rule_boxes]

# Every page of the site comes from one of these. Add a generator with one line.
GENERATORS: list[Callable[[Site], Iterable[Page]]] = [
    entry_pages,
    category_pages,
    home_page,
    glossary_page,
    hand_written_pages,
    tags_page,
    section_fallbacks,
    calculator_pages,
    rules_index,
    venue_pages,
    market_pages,
    draft_pages,
    json_twin,
]


class DuplicatePageError(Exception):
    """Two generators produced the same path."""


class PageSet(dict):
    """``{path: Page}`` of one run, with the :class:`Site` they were made from (see :func:`save_page_keys`)."""

    site: Site | None = None


def collect_pages(content: Content) -> dict[str, Page]:
    """Run every generator in :data:`GENERATORS`; return ``{path: Page}`` (fallbacks give way)."""
    site = Site(content)
    if RENDERING.get():
        site.__dict__["_keying_all"] = True
    pages = PageSet()
    pages.site = site
    for generator in GENERATORS:
        for page in generator(site):
            current = pages.get(page.path)
            if current is None or (current.fallback and not page.fallback):
                pages[page.path] = page
            elif not page.fallback:
                raise DuplicatePageError(f"two page generators write {page.path} ({generator.__name__})")
    return pages
