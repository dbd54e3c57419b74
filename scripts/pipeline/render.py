"""Render validated content as Markdown pages for MkDocs (or any Python-Markdown based engine).

Plain Python, no MkDocs import: :func:`render` returns ``{docs-relative path: Markdown text}`` (a
mapping that makes each text when it is first read). Page generators live in
:mod:`scripts.pipeline.pages`; this module holds the pieces they share (front matter, JSON-LD, the
entry page itself).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Mapping
from functools import lru_cache, partial
from typing import Callable

import nh3
import yaml

from .content import Content
from .escape import html_text, md_link, md_text
from .cache import current, digest_of
from .glossary import Abbreviations, abbreviate, definitions

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"(\*\*|__|`|~~|==|\^\^)")
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")

DIFFICULTY = {"beginner": "Beginner", "intermediate": "Intermediate", "advanced": "Advanced"}


def _json_shaped(value) -> bool:
    """True for a list or mapping holding only text, lists and mappings with text keys."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not (isinstance(item, str) or _json_shaped(item)):
                return False
        return True
    if isinstance(value, list):
        for item in value:
            if not (isinstance(item, str) or _json_shaped(item)):
                return False
        return True
    return False


_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps(value, ensure_ascii=False), built once


def _flow(value) -> str:
    """A list or mapping of text as one line of JSON that YAML reads back as the same value.

    JSON is YAML's flow style; the characters a YAML reader refuses or reads as a line break (C1
    controls, DEL, NEL, line and paragraph separators, U+FEFF, U+FFFE, U+FFFF) are written as escapes.
    """
    return _flow_text(_JSON.encode(value))


def _flow_text(text: str) -> str:
    """:func:`_flow` of the value whose JSON is ``text``."""
    if text.isascii() and "\x7f" not in text:  # (O(1), then one memchr) the only such ASCII is DEL
        return text
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# How LibYAML's emitter (the dumper's) writes a one-line text of printable characters as a key or value
# of a block mapping: as it is (plain) when nothing in it starts YAML syntax and a reader takes it for
# text, else in single quotes ('2026-11-28', 'yes', 'a: b'). Line breaks, tabs, controls and a few
# other characters (astral ones too) make it choose other styles: those texts go through the dumper itself.
_PRINTABLE = re.compile("[\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]+")
_STARTERS = frozenset("#,[]{}&*!|>'\"%@`")  # indicators at the start of a scalar
_IMPLICIT = _Dumper.yaml_implicit_resolvers  # the resolver the dumper asks whether plain reads back as text


@lru_cache(maxsize=65536)  # keys and many values (dates, categories) repeat from page to page
def _scalar_text(text: str) -> str | None:
    return _scalar(text)


def _scalar(text) -> str | None:
    """``text`` as the YAML dumper writes it as a key or value of a block mapping, or None when this
    shortcut leaves it to the dumper (tests/pipeline/test_coldpath.py compares the two)."""
    if type(text) is not str or not text or len(text) > 4000 or None in _IMPLICIT or not _PRINTABLE.fullmatch(text):
        return None
    first = text[0]
    plain = not (first == " " or text[-1] == " " or first in _STARTERS
                 or (first in "?-" and (len(text) == 1 or text[1] == " "))
                 or text.startswith(("---", "...")) or text[-1] == ":" or ": " in text or " #" in text)
    if plain and not any(regexp.match(text) for _, regexp in _IMPLICIT.get(first, ())):
        return text
    return "'" + text.replace("'", "''") + "'"


def _plain_block(plain: dict) -> str:
    """``yaml.dump`` of ``plain`` (block style, keys in order): line by line when every key and value
    is text the dumper writes as it is (:func:`_scalar`), else by the dumper."""
    lines = []
    for key, value in plain.items():
        key_text = _scalar_text(key) if type(key) is str else None
        value_text = _scalar_text(value) if type(value) is str else None
        if key_text is None or value_text is None or len(key) > 100:
            return yaml.dump(plain, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)
        lines.append(f"{key_text}: {value_text}\n")
    return "".join(lines)


def front_matter(meta: dict) -> str:
    """YAML front matter for ``meta`` (safe for any text), fenced with ``---`` lines.

    Nested values (the JSON-LD) are written as one line of JSON: the same data for any YAML reader,
    and several times faster to write than YAML's block style (a test reads both back). Text values
    the dumper would write as they are skip the dumper (:func:`_plain_block`).
    """
    nested = {key: value for key, value in meta.items() if _json_shaped(value) and value}
    plain = {key: value for key, value in meta.items() if key not in nested}
    head = _plain_block(plain) if plain else ""
    return "---\n" + head + "".join(f"{json.dumps(key)}: {_flow(value)}\n" for key, value in nested.items()) + "---\n\n"


def link_text(text: str) -> str:
    """``text`` safe inside Markdown link brackets (``[...]``): same as :func:`~.escape.md_text`."""
    return md_text(text)


@lru_cache(maxsize=4096)
def long_date(iso: str) -> str:
    """``2026-11-28`` as ``28 November 2026``."""
    day = datetime.date.fromisoformat(iso)
    return f"{day.day} {day.strftime('%B')} {day.year}"


def indent(text: str, spaces: int = 4) -> str:
    """Indent every non-empty line of ``text`` (for bodies inside admonitions and details)."""
    pad = " " * spaces
    lines = text.strip("\n").splitlines()
    if len(lines) == 1:  # most answers and bodies of one paragraph: no join
        return pad + lines[0] if lines[0].strip() else ""
    return "\n".join([pad + line if line.strip() else "" for line in lines])


def plain_text(markdown_text: str) -> str:
    """A Markdown text reduced to safe plain text: links become their words, marks go, tags are removed."""
    return _plain_text(markdown_text)[0]


def _plain_text(markdown_text: str) -> tuple[str, bool]:
    """:func:`plain_text`, and whether it is printable ASCII (no control character: JSON escapes none
    of its characters but quotes and backslashes)."""
    text = _MD_LINK.sub(r"\1", markdown_text) if "[" in markdown_text else markdown_text
    # each mark starts with one of these characters (six memchr passes beat one regex scan)
    if "*" in text or "_" in text or "`" in text or "~" in text or "=" in text or "^" in text:
        text = _MD_MARKS.sub("", text)
    if not _HTML_TEXT.fullmatch(text):
        return " ".join(nh3.clean(text, tags=set()).split()), False
    if "  " not in text and "\n" not in text and "\t" not in text and text[:1] != " " and text[-1:] != " ":
        return text, True  # _HTML_TEXT's only white space is " ", tab and line feed: split() finds single spaces
    return " ".join(text.split()), True  # without its tabs and line feeds: printable ASCII


def _plain_json(markdown_text: str) -> str:
    """``json.encoder.encode_basestring(plain_text(markdown_text))``, which for printable ASCII without
    quotes and backslashes is the text in quotes (no pass over each character)."""
    text, printable = _plain_text(markdown_text)
    if printable and '"' not in text and "\\" not in text:
        return '"' + text + '"'
    return _STRING(text)


# Text nh3.clean(text, tags=set()) gives back as it is: printable ASCII without < > & (which it escapes
# or reads as tags), tabs and line breaks (tests/pipeline/test_coldpath.py compares the two).
_HTML_TEXT = re.compile(r"[\t\n\x20-\x25\x27-\x3b\x3d\x3f-\x7e]*")


def json_ld(entry: dict) -> dict:
    """Schema.org JSON-LD for an entry: an ``Article`` plus a ``FAQPage`` for its questions."""
    article = {
        "@type": "Article",
        "headline": entry["title"],
        "description": entry["summary"],
        "datePublished": entry["published"],
        "dateModified": entry["reviewed"],
        "inLanguage": "en",
        "keywords": ", ".join(entry.get("tags", [])),
        "author": {"@type": "Organization", "name": "Margin Notes"},
        "publisher": {"@type": "Organization", "name": "Margin Notes"},
        "citation": [source["url"] for source in entry.get("sources", [])],
    }
    graph = [article]
    if entry.get("faq"):
        graph.append({
            "@type": "FAQPage",
            "mainEntity": [
                {"@type": "Question", "name": item["question"],
                 "acceptedAnswer": {"@type": "Answer", "text": plain_text(item["answer"])}}
                for item in entry["faq"]
            ],
        })
    return {"@context": "https://schema.org", "@graph": graph}


# Texts html_text gives back as they are: no white space but single spaces between other characters, no
# control character, nothing HTML escapes (tests/pipeline/test_pagetext.py compares the two).
_HTML_PLAIN = re.compile(r"(?:[^\s&<>\"'\x00-\x1f\x7f]++ )*+[^\s&<>\"'\x00-\x1f\x7f]++")


def _html_text(text) -> str:
    """:func:`~.escape.html_text` of ``text``, which most titles and summaries are already."""
    return text if type(text) is str and _HTML_PLAIN.fullmatch(text) else html_text(text)


_STRING = json.encoder.encode_basestring  # how _JSON writes a text (ensure_ascii=False), in C
_ORGANIZATION = '{"@type": "Organization", "name": "Margin Notes"}'


def _json_ld_text(entry: dict) -> str | None:
    """``_JSON.encode(json_ld(entry))`` written directly, each text by the encoder's own string writer
    (no dict built, no walk of it), when every value :func:`json_ld` takes from ``entry`` is text
    (tests/pipeline/test_pagetext.py compares the two); else None (then :func:`json_ld` decides)."""
    try:
        title, summary, published, reviewed = entry["title"], entry["summary"], entry["published"], entry["reviewed"]
        if not (type(title) is str and type(summary) is str and type(published) is str and type(reviewed) is str):
            return None
        keywords = ", ".join(entry.get("tags", []))
        urls = [source["url"] for source in entry.get("sources", [])]
        if not all(type(url) is str for url in urls):
            return None
        out = ['{"@context": "https://schema.org", "@graph": [{"@type": "Article", "headline": ', _STRING(title),
               ', "description": ', _STRING(summary), ', "datePublished": ', _STRING(published),
               ', "dateModified": ', _STRING(reviewed), ', "inLanguage": "en", "keywords": ', _STRING(keywords),
               ', "author": ', _ORGANIZATION, ', "publisher": ', _ORGANIZATION, ', "citation": [',
               ", ".join(map(_STRING, urls)), "]}"]
        if entry.get("faq"):
            out.append(', {"@type": "FAQPage", "mainEntity": [')
            for index, item in enumerate(entry["faq"]):
                question = item["question"]
                if type(question) is not str:
                    return None
                out += [', {"@type": "Question", "name": ' if index else '{"@type": "Question", "name": ',
                        _STRING(question), ', "acceptedAnswer": {"@type": "Answer", "text": ',
                        _plain_json(item["answer"]), "}}"]
            out.append("]}")
    except (KeyError, TypeError, AttributeError):  # json_ld raises its own error for these
        return None
    out.append("]}")
    return "".join(out)


def _entry_front_matter(entry: dict, site, category: dict | None) -> str:
    """The front matter of an entry page: ``front_matter`` of its title, description, tags, edit link,
    JSON-LD, review date and search category. When the tags are text and :func:`_json_ld_text` can
    write the JSON-LD, both nested values are written without building and walking them."""
    tags = entry.get("tags", [])
    if type(tags) is list and tags and all(type(tag) is str for tag in tags):
        ld = _json_ld_text(entry)
        if ld is not None:
            head = _plain_block({
                "title": _html_text(entry["title"]), "description": _html_text(entry["summary"]),
                "edit_source": site.source_of(entry["id"]), "reviewed": entry["reviewed"],
                "search_category": category["title"] if category else entry["category"]})
            return f'---\n{head}"tags": {_flow_text(_JSON.encode(tags))}\n"jsonld": {_flow_text(ld)}\n---\n\n'
    meta = {
        "title": html_text(entry["title"]),
        "description": html_text(entry["summary"]),
        "tags": list(entry.get("tags", [])),
        "edit_source": site.source_of(entry["id"]),
        "jsonld": json_ld(entry),
        "reviewed": entry["reviewed"],  # the sitemap's lastmod (scripts/mkdocs_hook.py)
        "search_category": category["title"] if category else entry["category"],  # shown in search results
    }
    return front_matter(meta)


def entry_page(entry: dict, site) -> str:
    """The Markdown page of one entry: every part an editor wrote, plus dates, links and disclaimer."""
    category = site.category(entry["category"])
    out = [_entry_front_matter(entry, site, category), f"# {md_text(entry['title'])}\n\n", f"{entry['summary']}\n\n"]
    facts = [DIFFICULTY.get(entry["difficulty"], entry["difficulty"]),
             _site_link(category["title"], f"../categories/{category['id']}.md") if category else md_text(entry["category"]),
             f"Last reviewed {long_date(entry['reviewed'])}",
             f"first published {long_date(entry['published'])}"]
    if entry.get("venue"):
        from .venuepages import all_venues, venue_link  # venuepages imports this module; import at use
        known = entry["venue"] in all_venues()
        facts.append(f"venue: {venue_link(entry['venue']) if known else md_text(entry['venue'])}")
    out.append(" · ".join(facts) + "\n{ .mn-facts }\n\n")
    takeaways = "\n".join(f"- {line}" for line in entry["key_takeaways"])
    out.append('!!! abstract "Key takeaways"\n\n' + indent(takeaways) + "\n\n")
    for section in entry["sections"]:
        out.append(f"## {md_text(section['heading'])}\n\n{section['body'].strip()}\n\n")
    out.append(site.extra_sections(entry))
    if entry.get("faq"):
        out.append("## Frequently asked questions\n\n")
        for item in entry["faq"]:
            answer = item["answer"].strip()
            if item.get("rules"):
                from .rules import faq_badge  # rules imports this module; import at use
                answer += "\n\n" + "\n\n".join(faq_badge(rule, site) for rule in item["rules"])
            out.append(f'??? question "{md_text(item["question"])}"\n\n{indent(answer)}\n\n')
    out.append("## Sources\n\n")
    for number, source in enumerate(entry["sources"], start=1):
        kind = " (third-party source)" if source.get("third_party") else ""
        out.append(f"{number}. {md_link(source['title'], source['url'])}, {md_text(source['publisher'])}{kind}; "
                   f"read on {long_date(source['accessed'])}.\n")
    out.append("\n")
    related = [site.entry(other) for other in entry.get("related", [])]
    related = [item for item in related if item]
    if related:
        out.append("## Related entries\n\n")
        out += [f"- {_site_link(item['title'], item['id'] + '.md')}\n" for item in related]
        out.append("\n")
    terms = [site.term(term) for term in entry.get("terms", [])]
    terms = [term for term in terms if term]
    if terms:
        out.append("## Terms used\n\n")
        out.append(", ".join([_site_link(term["term"], f"../glossary.md#{term['id']}") for term in terms]) + "\n\n")
    out.append(f"*Last reviewed {long_date(entry['reviewed'])}.*\n\n")
    disclaimer = site.texts.get("disclaimer", "")
    out.append(_disclaimer(disclaimer) if type(disclaimer) is str else _disclaimer.__wrapped__(disclaimer))
    return "".join(out)


@lru_cache(maxsize=16384, typed=True)
def _cached_link(text, url) -> str:
    return md_link(text, url)


def _site_link(text, url) -> str:
    """:func:`~.escape.md_link` of a link many pages show alike (a category, a related entry, a term),
    made once per run."""
    try:
        return _cached_link(text, url)
    except TypeError:  # not hashable (never text): made each time, or md_link's own error
        return md_link(text, url)


@lru_cache(maxsize=16)
def _disclaimer(text: str) -> str:
    """The disclaimer box closing every entry page (the same text on each)."""
    return '!!! warning "Educational content, not trading advice"\n\n' + indent(text) + "\n"


def kept_page(path: str, cache, key, make: Callable[[], str], source: str | None = None):
    """A :class:`~.pages.Page` whose text ``make`` makes from what ``key`` names (the cache's own key
    holds the code, the calculator catalogue, the model and the venue profiles): with the content
    ``cache``, known by ``key`` and its text kept under it (section "pages"), so a run in which it is
    unchanged never makes it (issue 14: the catalogue and the model are not even imported). ``key``
    may be a function giving it, called when the key is first read (``validate`` reads none)."""
    from .pages import Page  # pages imports this module

    if not cache:
        return Page(path, source=source, make=make)
    keyer = partial(_touched, cache, key if callable(key) else (lambda: key))
    return Page(path, None, source, False, None, partial(_kept_text, cache, keyer, make), keyer=keyer)


def _touched(cache, keyer: Callable[[], str]) -> str:
    """The key ``keyer`` gives, its record kept for the next run whether or not this run reads it."""
    key = keyer()
    cache.touch("pages", key)
    return key


def _kept_text(cache, keyer: Callable[[], str], make: Callable[[], str]) -> str:
    """The text kept under the page's key, or made by ``make`` (and kept)."""
    key = keyer()
    text = cache.record("pages", key)
    if not isinstance(text, str):
        text = make()
        cache.keep("pages", key, text)
    return text


class RenderedPages(Mapping):
    """``{docs-relative path: text}`` of every page, each text made when first read (and kept): the
    docs folder's writer reads only the pages whose key shows them changed (issue 14). ``files``: texts
    made already (the calculator assets), listed first; a page of the same path wins over one.

    Each text is made by its function in ``makers``, else from ``pages`` (``{path: Page}``): a
    Markdown page whose abbreviations key ``abbr`` holds through ``markdown(page, key)``, any other
    page as its text (no function made per page: 20,000 at 10,000 entries)."""

    def __init__(self, makers: dict[str, Callable[[], str]], files: dict[str, str] | None = None,
                 data: dict[str, Callable[[], bytes]] | None = None, writers: dict[str, Callable] | None = None,
                 pages: dict | None = None, abbr: dict[str, str] | None = None, markdown=None,
                 markdown_data=None):
        self._makers = makers
        self._data = data or {}  # paths whose bytes can be made without their text
        self.writers = writers or {}  # paths whose page writes its docs file itself (Page.write)
        self._pages, self._abbr, self._markdown = pages or {}, abbr or {}, markdown
        self._markdown_data = markdown_data  # markdown(page, key) as UTF-8 bytes
        files = files or {}
        self._texts: dict[str, str] = {path: text for path, text in files.items()
                                       if path not in makers and path not in self._pages}
        self._order = list(files) + [path for path in makers if path not in files] + [
            path for path in self._pages if path not in files and path not in makers]

    def __getitem__(self, path: str) -> str:
        try:
            return self._texts[path]
        except KeyError:
            pass
        maker = self._makers.get(path)
        if maker is not None:
            text = maker()
        else:
            page = self._pages[path]
            key = self._abbr.get(path)
            text = self._markdown(page, key) if key is not None else page.text
        self._texts[path] = text
        return text

    def __contains__(self, path) -> bool:
        return path in self._texts or path in self._makers or path in self._pages

    def __iter__(self):
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def data(self, path: str) -> bytes:
        """The file of ``path`` as UTF-8 bytes (a page may give them without making its text)."""
        text = self._texts.get(path)
        if text is None:
            if path in self._data:
                return self._data[path]()
            if path not in self._makers and path in self._pages:
                key = self._abbr.get(path)
                if key is None:
                    return self._pages[path].data()
                if self._markdown_data is not None:
                    return self._markdown_data(self._pages[path], key)
        return self[path].encode("utf-8")

    def with_files(self, files: dict[str, str]) -> "RenderedPages":
        """``files`` (listed first) plus these pages, which win over a file of the same path."""
        out = RenderedPages(self._makers, files, self._data, self.writers, self._pages, self._abbr, self._markdown,
                            self._markdown_data)
        out._texts.update(self._texts)
        return out


def render(content: Content, keys: dict[str, str] | None = None) -> RenderedPages:
    """Render every page of the site: ``{docs-relative path: text}`` (runs all page generators); each
    text is made when first read.

    With the content cache on, ``keys`` (when given) gains, for each page whose text a digest
    determines, that digest (see :class:`~.docstamps.DocStamps`)."""
    from .pages import collect_pages, keying_all

    pages = content.pages if content.pages is not None else collect_pages(content)
    keying_all(pages)  # every page's key is read below
    glossary = content.glossary_list()
    made: list[Abbreviations] = []

    cache = current()

    def terms() -> Abbreviations:  # every glossary term explains itself on hover; built when first needed
        if not made:
            made.append(Abbreviations(glossary, _kept_definitions(cache, glossary) if cache else None))
        return made[0]

    if cache is None:
        return RenderedPages({path: (lambda page=page: terms().apply(page.text)) if path.endswith(".md")
                              else (lambda page=page: page.text) for path, page in pages.items()})
    # A page's definitions depend only on its text and the glossary: kept in the content cache under
    # their digest, so an unchanged page is not searched again (issue 14: one change, one page's work).
    # A page with a key (an entry page: the page cache's key of its text) is known by it, not hashed.
    glossary_key = digest_of("abbreviations", glossary).encode()

    def markdown(page, key: str) -> str:
        text = page.text
        block = cache.record("abbr", key)
        if not isinstance(block, str):
            block = terms().block(text)
            cache.keep("abbr", key, block)
        return abbreviate(text, block)

    def markdown_data(page, key: str) -> bytes:  # markdown(page, key).encode(): the text encoded once
        text = page.text
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # the error the whole page's encoding raises
            return markdown(page, key).encode("utf-8")
        block = cache.record("abbr", key)
        if not isinstance(block, str):
            block = terms().block_data(text, data)
            cache.keep("abbr", key, block)
        if not block:
            return data
        if text[-1:] == "\n" and text[-2:-1] != "\n":  # what abbreviate gives: text + block
            try:
                return data + block.encode("utf-8")
            except UnicodeEncodeError:  # the error the whole page's encoding raises
                pass
        return abbreviate(text, block).encode("utf-8")

    keys = {} if keys is None else keys
    abbr, writers = {}, {}
    sha256, touch, prefix = hashlib.sha256, cache.touch, b"page:" + glossary_key + b":"
    for path, page in pages.items():  # one pass, no function made per page (20,000 at 10,000 entries)
        own = page.key
        if path.endswith(".md"):
            if own:  # the page's own key determines its text: no need to hash the text itself
                key = sha256(prefix + own.encode()).hexdigest()
            else:
                key = sha256(glossary_key + page.text.encode("utf-8", "surrogatepass")).hexdigest()
            touch("abbr", key)  # kept for the next run, whether or not this run reads it
            abbr[path] = keys[path] = key
            continue
        if page.write is not None:
            writers[path] = page.write
        if own:
            keys[path] = own
    return RenderedPages({}, writers=writers, pages=pages, abbr=abbr, markdown=markdown, markdown_data=markdown_data)


def _kept_definitions(cache, glossary: list[dict]) -> dict[str, str]:
    """The glossary's ``{spelling: definition}`` (:func:`~.glossary.definitions`: every definition
    rendered as Markdown), kept in ``cache`` (section "memo") under the glossary's digest, so a run
    that abbreviates one changed page renders no definition (issue 14). A damaged record is made again."""
    key = digest_of("glossary-definitions", glossary)
    kept = cache.record("memo", key)
    if type(kept) is dict and all(type(text) is str for text in kept.values()):
        return kept
    found = definitions(glossary)
    cache.keep("memo", key, found)
    return found
