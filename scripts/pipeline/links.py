"""Links and images in Markdown fields, checked against the site's pages and anchors before MkDocs runs.

Every Markdown field lands on a known page (an entry's fields on ``entries/<id>.md``, a glossary
definition on ``glossary.md``, ...); a relative link in it is resolved from that page, as MkDocs does,
and must name a page of the site (by its ``.md`` file) and, after ``#``, an anchor on it. A problem is
reported on the field's YAML line. :func:`explain_mkdocs` maps a MkDocs warning that still happens back
to the entry and field that produced the page.
"""

from __future__ import annotations

import html
from hashlib import sha256
import posixpath
import re
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from markdown.extensions.toc import slugify, unique

from .cache import current, doc_shard
from .content import Content, iter_strings
from .entryindex import index_of
from .errors import Problem, json_path
from .handpages import hand_written_pages
from .facts import markdown_strings
from .safety import check_markdown

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*$", re.MULTILINE)
_ATTR_ID = re.compile(r"\{[^}\n]*#([\w:.-]+)[^}\n]*\}\s*$")
_HTML_ID = re.compile(r"""\bid=["']([^"']+)["']""")
_MARKS = re.compile(r"[*_`~=^]|\[([^\]]*)\]\([^)]*\)|<[^>]*>")


def anchors(markdown_text: str) -> set[str]:
    """The anchors a generated or hand-written page offers: heading ids (as the toc extension makes
    them, with ``_1`` for repeats), ``{ #id }`` attribute lists and ``id="..."`` in its HTML."""
    found: set[str] = set(_HTML_ID.findall(markdown_text))
    counters: dict[str, int] = {}
    for match in _HEADING.finditer(markdown_text):
        text = match.group(2).rstrip("#").rstrip()
        explicit = _ATTR_ID.search(text)
        if explicit:
            found.add(explicit.group(1))
            continue
        words = html.unescape(_MARKS.sub(lambda m: m.group(1) or "", text))
        found.add(unique(slugify(words, "-"), found, counters))
    return found


class LinkChecker:
    """Resolves links from a page against the rendered pages ``{path: Markdown text}``."""

    def __init__(self, pages: dict[str, str]):
        self.pages = pages
        self._anchors = lru_cache(maxsize=None)(lambda path: anchors(self.pages[path]))
        self._seen: dict[tuple, str | None] = {}
        self._parts: dict = {}  # address -> urlsplit(address): 10,000 entries link the same few addresses

    def problem(self, href: str, page: str, image: bool = False) -> str | None:
        """Why ``href`` (a link or image address on ``page``) does not resolve, or None when it does.

        An address with a path gives the same answer from every page of one folder (thousands of
        entries link ``../glossary.md#...``): each is resolved once per folder."""
        parts = self._parts.get(href)
        if parts is None:
            parts = self._parts[href] = urlsplit(href)
        if parts.path:
            head, sep, _ = page.rpartition("/")  # posixpath.dirname(page), as it is for "entries/<id>.md"
            folder = head if sep and head and head[-1] != "/" and page[0] != "/" else posixpath.dirname(page)
        key = (href, folder if parts.path else page, image)
        try:
            return self._seen[key]
        except KeyError:
            found = self._seen[key] = self._problem(parts, href, page, image)
            return found

    def _problem(self, parts, href: str, page: str, image: bool) -> str | None:
        if parts.scheme or parts.netloc:
            if image:
                return f"image {href!r} is not a file of the site; put images on the site and link them relatively"
            return None
        target = page
        if parts.path:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path)))
            if target not in self.pages:
                hint = " (link to the page's .md file, e.g. ../glossary.md)" if not target.endswith(".md") else ""
                return f"{'image' if image else 'link'} {href!r} points to no page of the site{hint}"
        if parts.fragment and target in self.pages and target.endswith(".md") \
                and unquote(parts.fragment) not in self._anchors(target):
            return f"link {href!r}: the page {target} has no anchor #{parts.fragment}"
        return None


def check_links(content: Content, pages: dict[str, str]) -> list[Problem]:
    """Every link and image of every Markdown field and hand-written page, checked against ``pages``."""
    checker = LinkChecker(pages)
    problems = []
    cache = current()
    problem = checker.problem
    used = cache.used if cache is not None else {}
    for doc in content.entries:  # each entry's kept (or found) links resolved as they are read
        kept = _noted(doc, used)
        page, rows = kept if kept is not None else _entry_links(doc, cache)
        mark = len(problems)
        for row in rows:
            # rows kept in a note are checked as they are read (a damaged note: the fields walked again)
            if kept is not None and (type(row) is not list or len(row) != 3 or type(row[1]) is not str
                                     or type(row[2]) is not bool):
                break
            path, href, image = row
            message = problem(href, page, image)
            if message:
                if kept is not None and not _valid_rows([row]):
                    break
                where = doc.problem(tuple(path), "")
                problems.append(Problem(where.file, where.line, where.path, message))
        else:
            continue
        del problems[mark:]  # a damaged note: this entry's links found and resolved again
        page, rows = _entry_links(doc, cache)
        for path, href, image in rows:
            message = problem(href, page, image)
            if message:
                where = doc.problem(tuple(path), "")
                problems.append(Problem(where.file, where.line, where.path, message))
    links = []  # (document or Problem, path or None, address, image, page)
    fields = []  # (document, path, text, page): a line is looked up for a problem only
    for kind, doc, page in (("glossary", content.glossary, "glossary.md"), ("site", content.site, None)):
        for path, text in markdown_strings(doc, kind) if doc else ():
            fields.append((doc, path, text, page or ("index.md" if path == ("home_intro",) else "entries/index.md")))
    pages_dir = content.layout.pages
    for path, file, _, body, line, _ in hand_written_pages(content):
        fields.append((Problem(file, line, "$", ""), None, body, path.relative_to(pages_dir).as_posix()))
    for doc, path, text, page in fields:
        links += [(doc, path, href, image, page) for href, image in _addresses(text)]
    for doc, path, href, image, page in links:
        message = checker.problem(href, page, image=image)
        if message:
            where = doc if path is None else doc.problem(path, "")
            problems.append(Problem(where.file, where.line, where.path, message))
    return problems


def _addresses(text: str) -> list[tuple[str, bool]]:
    """``(address, is an image)`` of every link, then every image, of a Markdown text."""
    result = check_markdown(text)
    return [(href, False) for href in result.links] + [(src, True) for src in result.images]


NOTE = "links"  # the note of a document holding its links (see ContentCache.note)


def _noted(doc, used: dict) -> tuple[str, list] | None:
    """``(page, rows)`` of an entry as kept in the note of its cached document (``used``: the content
    cache's documents of this run, by file), or None when there is none; the rows are checked by
    :func:`check_links` as it reads them."""
    record = used.get(doc.file)
    if record is None or record.get("sha256") != doc.__dict__.get("sha256"):
        return None
    index = record.get("index")  # (cache.note(file, NOTE), without a call per entry)
    notes = index.get("notes") if type(index) is dict else None
    note = notes.get(NOTE) if type(notes) is dict else None
    if type(note) is not list or len(note) != 2 or type(note[0]) is not str or type(note[1]) is not list:
        return None
    return note


def _entry_links(doc, cache) -> tuple[str, list]:
    """``(page, [(path, address, image), ...])``: the page of an entry and the links of its Markdown
    fields in the order :func:`check_links` resolves them (a path as a list or a tuple). With a content
    cache they are kept per entry: as a note of its cached document (:data:`NOTE`, read back by
    :func:`_noted`: the note goes with the document's file and hash, which decide every field
    and the page's path), else in section "links" under its file's name and hash, so an unchanged
    entry's fields are not walked again; only resolving them (against this run's pages) is."""
    held = doc.__dict__
    sha = held.get("sha256")
    index = held.get("index", False)
    if index is False:
        index = index_of(doc)
    if cache is not None and type(sha) is str and index is not None and doc.file not in cache.used:
        file = doc.file  # entry_key(file, "entry-links", sha)
        key = (cache.shard_of.get(file) or doc_shard(file)) + sha256(
            f"entry-links\0{sha}\0{file}".encode("utf-8", "surrogatepass")).hexdigest()[2:]
    else:
        key = None
    kept = cache.record("links", key) if key else None
    if type(kept) is dict:
        page, rows = kept.get("page"), kept.get("links")
        if type(page) is str and type(rows) is list and (not rows or _valid_rows(rows)):
            return page, rows
    if not isinstance(doc.data, dict):
        return "", []
    page = f"entries/{doc.data.get('id')}.md"
    out = [(path, href, image) for path, text in markdown_strings(doc, "entry") for href, image in _addresses(text)]
    rows = [[list(path), href, image] for path, href, image in out]
    if key:
        cache.keep("links", key, {"page": page, "links": rows})
    elif cache is not None and type(sha) is str and index is not None \
            and cache.used.get(doc.file, {}).get("sha256") == sha:
        cache.set_note(doc.file, NOTE, [page, rows])
    return page, out


def _valid_rows(rows: list) -> bool:
    """Whether the kept links ``rows`` are ``[[path, address, image], ...]`` as JSON gives them back
    (a damaged cache's are not used: the fields are walked again)."""
    for row in rows:
        if type(row) is not list or len(row) != 3:
            return False
        path, href, image = row
        if type(path) is not list or type(href) is not str or type(image) is not bool:
            return False
        for part in path:
            if type(part) is not str and type(part) is not int:
                return False
    return True


_MKDOCS_DOC = re.compile(r"Doc file '([^']+)' contains a link '([^']+)'")


def explain_mkdocs(output: str, content: Content, sources: dict[str, str | None]) -> list[str]:
    """MkDocs output with every warning about a generated page traced to its source file and field.

    ``sources`` maps a docs-relative page path to the file an editor changes (``Page.source``).
    """
    lines = []
    docs = {doc.file: doc for doc in content.entries}
    docs.update({doc.file: doc for doc in (content.glossary, content.site, content.categories) if doc})
    for line in output.splitlines():
        match = _MKDOCS_DOC.search(line)
        source = sources.get(match.group(1)) if match else None
        if match and source:
            doc = docs.get(source)
            where = next(((doc.line(path), json_path(path)) for path, text in iter_strings(doc.data)
                          if match.group(2) in text), None) if doc else None
            line_no, field = where or (1, "$")
            message = line.split(" - ", 1)[-1].strip()
            lines.append(str(Problem(source, line_no, field, f"MkDocs: {message}")))
        else:
            lines.append(line)
    return lines
