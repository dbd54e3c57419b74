"""The safety gate for Markdown fields: only what Markdown itself makes may reach a page.

Which strings are Markdown is listed in :data:`MARKDOWN_FIELDS`; every other string is plain text and
is escaped at output (:mod:`scripts.pipeline.escape`). A Markdown field is rendered alone with the
site's own extensions, and the HTML is compared with what nh3 keeps of it under an allow-list
(:func:`check_markdown`): anything nh3 would remove (a tag, an attribute, a comment, a CDATA section, a
``javascript:`` link) is a problem on the field's line, so an unsafe entry never builds. Three things
that are harmless in one field but not across fields of one page are refused as well: link reference
definitions (``[a]: address``, usable from another field), attribute lists (``{ onclick=... }``) and
raw HTML.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from typing import TYPE_CHECKING

import nh3

from .escape import SAFE_SCHEMES, unsafe_scheme

if TYPE_CHECKING:
    import markdown

# The Markdown extensions the site uses (mkdocs.yml markdown_extensions); a test keeps them in step.
SITE_EXTENSIONS = [
    "abbr", "admonition", "attr_list", "def_list", "footnotes", "md_in_html", "tables", "toc",
    "pymdownx.details", "pymdownx.superfences", "pymdownx.highlight", "pymdownx.inlinehilite",
    "pymdownx.tasklist", "pymdownx.tilde", "pymdownx.caret", "pymdownx.mark",
]

ANY = object()  # matches any list index or key in MARKDOWN_FIELDS

# The fields whose text is Markdown, by kind of document; every other string is plain text.
# Another kind of document adds its own line (e.g. "venue": [("notes",)]).
MARKDOWN_FIELDS: dict[str, list[tuple]] = {
    "entry": [("summary",), ("key_takeaways", ANY), ("sections", ANY, "body"), ("faq", ANY, "answer"),
              ("claims", ANY, "claim"), ("claims", ANY, "note")],
    "glossary": [(ANY, "definition")],
    "site": [("home_intro",), ("disclaimer",)],
    "catalogue": [("formula",), ("conventions",)],
    "page": [()],  # a hand-written page under content/pages/: the whole body
}

# What nh3 keeps: the tags and attributes the site's Markdown extensions produce, nothing else.
ALLOWED_TAGS = {
    "p", "a", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "span", "div", "details",
    "summary", "sup", "sub", "del", "ins", "mark", "abbr", "dl", "dt", "dd", "label", "input", "img",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"align", "style", "colspan", "rowspan"},
    "td": {"align", "style", "colspan", "rowspan"},
    "details": {"open"},
    "label": {"for"},
    "input": {"checked", "disabled"},
}
_ATTRIBUTE_VALUES = {"input": {"type": {"checkbox"}}}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "background"}

RAW_HTML = "raw HTML is not allowed; write Markdown instead"
_STYLE_SPACE = re.compile(r"[\s;]+")


def needs_render(text: str) -> bool:
    """Whether ``text`` holds one of ``< & { [ ]``: without one, no tag, entity, attribute list or link
    can start, and the gate has nothing to render. Five substring tests, each a scan in C, several
    times quicker than a search for the class ``[<&{\\[\\]]`` (issue 14: 5 MB of Markdown fields at
    1,000 entries)."""
    return "<" in text or "&" in text or "{" in text or "[" in text or "]" in text


@lru_cache(maxsize=None)
def _converter(attr_list: bool = True, raw_html: bool = True) -> markdown.Markdown:
    """The Markdown converter of the site's extensions (without attribute lists, or without raw HTML),
    made on first use: building one loads the pymdownx extensions, which a check whose verdicts are all
    in the content cache never needs (issue 14). Markdown itself is imported here for the same reason.
    The site's converter also notes whether attribute lists could act on a text (:func:`_brace_watch`)."""
    import markdown

    if not attr_list:
        return markdown.Markdown(extensions=[name for name in SITE_EXTENSIONS if name != "attr_list"])
    md = markdown.Markdown(extensions=SITE_EXTENSIONS)
    if not raw_html:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.parser.blockprocessors.deregister("markdown_block")
    else:
        md.treeprocessors.register(_brace_watch(md), BRACE_WATCH, _WATCH_PRIORITY)
    return md


BRACE_WATCH = "margin_notes_brace_watch"
# Just before attr_list's tree processor (priority 8); no other processor of the site's extensions
# runs between the two (the one above is prettify, at 10: it only adds line breaks). A test checks it.
_WATCH_PRIORITY = 9


def _brace_watch(md: markdown.Markdown):
    """A tree processor that changes nothing and notes, in its ``seen``, whether any text or tail of
    the tree attr_list's processor is about to read holds ``{``. Every attribute list starts with
    ``{`` (the extension's patterns all begin with ``\\{``) and the processor reads only texts and
    tails, so when ``seen`` is False it changes nothing, and the tree is the one a converter without
    attr_list builds."""
    from markdown.treeprocessors import Treeprocessor

    class BraceWatch(Treeprocessor):
        seen = True  # until a run says otherwise

        def run(self, root):
            self.seen = any("{" in (elem.text or "") or "{" in (elem.tail or "") for elem in root.iter())

    return BraceWatch(md)


@dataclass
class MarkdownCheck:
    """The outcome of checking one Markdown text: problems (messages) and the links it makes."""

    problems: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)


class _Tokens(HTMLParser):
    """An HTML fragment as comparable tokens, plus messages for what the site does not allow."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple] = []
        self.found: list[str] = []
        self.links: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs):
        pairs = []
        for name, value in attrs:
            value = value or ""
            if name == "style":
                value = _STYLE_SPACE.sub(" ", value).strip()
            pairs.append((name, value))
        self.tokens.append(("start", tag, tuple(sorted(pairs))))
        if tag not in ALLOWED_TAGS:
            self.found.append(f"HTML <{tag}> is not allowed; write Markdown instead")
        allowed = ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(tag, set()) | set(_ATTRIBUTE_VALUES.get(tag, {}))
        for name, value in pairs:
            if name in URL_ATTRIBUTES:
                problem = unsafe_url(value)
                if problem:
                    self.found.append(problem)
                elif tag == "a" and name == "href":
                    self.links.append(value)
                elif tag == "img" and name == "src":
                    self.images.append(value)
            if name.startswith("on"):
                self.found.append(f"event-handler attribute {name!r} is not allowed")
            elif name not in allowed and name not in URL_ATTRIBUTES:
                self.found.append(f"attribute {name!r} is not allowed")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr", "img", "input"):
            self.tokens.append(("end", tag))

    def handle_endtag(self, tag):
        self.tokens.append(("end", tag))

    def handle_data(self, data):
        if self.tokens and self.tokens[-1][0] == "data":
            self.tokens[-1] = ("data", self.tokens[-1][1] + data)
        else:
            self.tokens.append(("data", data))

    def handle_comment(self, data):
        self.tokens.append(("comment", data))
        self.found.append("HTML comments (<!-- -->) are not allowed")

    def handle_decl(self, decl):
        self.tokens.append(("decl", decl))
        self.found.append("HTML declarations (<!...>) are not allowed")

    def unknown_decl(self, data):
        self.tokens.append(("decl", data))
        self.found.append("CDATA sections and other <![...]> markup are not allowed")

    def handle_pi(self, data):
        self.tokens.append(("pi", data))
        self.found.append("HTML processing instructions (<?...>) are not allowed")


def _tokens(fragment: str) -> _Tokens:
    parser = _Tokens()
    parser.feed(fragment)
    parser.close()
    return parser


def unsafe_url(url: str) -> str | None:
    """Why ``url`` may not appear in a link or image, or None when it is a safe one."""
    scheme = unsafe_scheme(html.unescape(url))
    if scheme:
        return f"link to a {scheme}: address is not allowed; use https:// or a relative link"
    return None


def _raw_html(text: str, rendered: str, original: _Tokens) -> list[str]:
    """Messages for the HTML tags in ``text`` that Markdown passed through rather than made."""
    if "<" not in text:
        return []
    plain = render_markdown(text, raw_html=False)[0]
    if plain == rendered:
        return []
    made = [token[1] for token in _tokens(plain).tokens if token[0] == "start"]
    found = []
    for token in original.tokens:
        if token[0] == "start":
            if token[1] in made:
                made.remove(token[1])
            else:
                found.append(f"raw HTML <{token[1]}> is not allowed; write Markdown instead")
    return found or [RAW_HTML]


def render_markdown(text: str, attr_list: bool = True, raw_html: bool = True) -> tuple[str, dict]:
    """``text`` rendered alone with the site's extensions: (HTML, link reference definitions).

    ``attr_list=False`` renders without attribute lists, ``raw_html=False`` with raw HTML shown as
    text: a field whose HTML changes either way uses that feature.
    """
    md = _converter() if attr_list and raw_html else _converter(False) if raw_html else _converter(True, False)
    md.reset()
    if attr_list and raw_html:
        md.treeprocessors[BRACE_WATCH].seen = True  # (a blank text is converted without tree processors)
    out = md.convert(text)
    return out, dict(md.references)


def _attribute_lists_idle(text: str) -> bool:
    """Whether rendering ``text`` without attr_list is known to give the HTML the last
    :func:`render_markdown` of ``text`` with the site's converter gave, without rendering it again.

    The two converters differ in two places only: attr_list's tree processor, which did nothing when
    no text of the tree held ``{`` (:func:`_brace_watch`), and pymdownx.superfences, which reads
    attributes only from a fence's opening line written ``{ ... }`` after the fence (so a line holding
    both a fence and ``{``). A Hypothesis test in tests/pipeline/test_safety_screen.py compares both
    renders on texts rich in braces and fences whenever this says yes.
    """
    watch = _converter().treeprocessors[BRACE_WATCH]
    if watch.seen:
        return False
    # (lines cut at line feeds only: Markdown's lines, or several of them joined at a lone CR)
    return not any("{" in line and ("```" in line or "~~~" in line) for line in text.split("\n"))


def allowed_html(fragment: str) -> str:
    """What the allow-list keeps of an HTML fragment (nh3: tags, attributes and URL schemes above)."""
    return nh3.clean(fragment, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     tag_attribute_values=_ATTRIBUTE_VALUES, url_schemes=set(SAFE_SCHEMES),
                     link_rel=None, strip_comments=True, filter_style_properties={"text-align"})


# Verdicts from the content cache (scripts/pipeline/cache.py): text digest -> [problems, links, images].
_stored: dict | None = None
_used: dict = {}
_added = [False]


def use_verdicts(stored: dict | None) -> None:
    """Take the verdicts read from the content cache (None: keep none between runs)."""
    global _stored
    _stored = stored
    _used.clear()
    _added[0] = False
    check_markdown.cache_clear()


def used_verdicts() -> tuple[dict, bool]:
    """The verdicts asked for since :func:`use_verdicts`, and whether any was new."""
    return _used, _added[0]


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


@lru_cache(maxsize=None)  # every field's verdict, once per process (the cross-checks and the link check ask)
def check_markdown(text: str) -> MarkdownCheck:
    """Check one Markdown text through the gate; return its problems and the links it makes.

    Cached by text in the process, and between runs by the content cache; treat the result as read-only.
    """
    if not needs_render(text):
        return MarkdownCheck()  # as _check_markdown: nothing to render, and as quick as a look-up
    if _stored is None:
        return _check_markdown(text)
    key = _digest(text)
    record = _stored.get(key)
    if isinstance(record, list) and len(record) == 3 and all(
            isinstance(part, list) and all(isinstance(item, str) for item in part) for part in record):
        _used[key] = record
        return MarkdownCheck(list(record[0]), list(record[1]), list(record[2]))
    result = _check_markdown(text)
    _used[key] = [result.problems, result.links, result.images]
    _added[0] = True
    return result


def _check_markdown(text: str) -> MarkdownCheck:
    """:func:`check_markdown` without its caches."""
    if not needs_render(text):
        return MarkdownCheck()  # no tag, entity, attribute list or link can start without one of < & { [ ]
    screened = plain_with_links(text)
    if screened is not None:
        return screened
    return _rendered_check(text)


# The pre-screen (plain_with_links): words, single spaces, full stops, commas, line breaks and inline
# links whose text is words and whose address is letters, digits and . / # - only.
_SCREEN_LINK = r"\[[A-Za-z0-9 ]+\]\(([A-Za-z0-9./#-]+)\)"
# Possessive (no backtracking): a run of these characters and a link never share a character, so the
# text splits into them one way only, and the match is that of (?:[A-Za-z0-9.,\n ]|link)*.
_SCREEN = re.compile(rf"(?:[A-Za-z0-9.,\n ]++|{_SCREEN_LINK})*+")
_SCREEN_LINKS = re.compile(_SCREEN_LINK)


def plain_with_links(text: str) -> MarkdownCheck | None:
    """The gate's verdict on ``text`` when it is plain prose with simple inline links, else None.

    Why this verdict is the one rendering would give (a Hypothesis test in tests/pipeline/
    test_safety_screen.py compares it with :func:`_rendered_check` on texts rich in Markdown and HTML
    syntax): outside links the text holds only ASCII letters, digits, single spaces, ``.``, ``,`` and
    line breaks, and no line starts with a space. That rules out every construct of the site's
    extensions except paragraphs, line breaks and ordered lists (``1. ``), whose tags (p, ol with
    start, li) are allowed: no ``<`` (HTML, autolinks, comments), no ``&`` (entities), no ``{``
    (attribute lists), no ``:`` (reference, footnote and abbreviation definitions, schemes), no
    backquote, tilde or indentation (code), no ``* _ ~ ^ = | ! ? #`` or ``-`` at a line's start
    (emphasis, tables, admonitions, headings, rules, lists), and a ``[`` only as the start of
    ``[words](address)``, which is always an inline link (no brackets or line break inside it, so no
    footnote, task box, ``[TOC]`` or reference link). The address has no colon, quote, space,
    ampersand or parenthesis, so Markdown copies it unchanged into ``href`` (links in text order) and it
    names no scheme; :func:`unsafe_url` is still asked, and any doubt returns None so the text is
    rendered. nh3 keeps such HTML as it is, so the allow-list comparison finds nothing either.
    """
    if "  " in text or "\n " in text or text.startswith(" ") or not _SCREEN.fullmatch(text):
        return None
    links = _SCREEN_LINKS.findall(text)
    if any(unsafe_url(link) for link in links):
        return None
    return MarkdownCheck(links=links)


def _rendered_check(text: str) -> MarkdownCheck:
    """The full gate: render ``text``, compare its HTML with the allow-list's, look for raw HTML,
    reference definitions and attribute lists."""
    result = MarkdownCheck()
    rendered, references = render_markdown(text)
    idle = "{" in text and _attribute_lists_idle(text)  # read now, right after the render it describes
    original = _tokens(rendered)
    raw = _raw_html(text, rendered, original)
    found = (raw if raw != [RAW_HTML] or not original.found else []) + original.found
    if not found:  # when nh3 keeps the HTML unchanged, its tokens are the same: no second parse
        allowed = allowed_html(rendered)
        if allowed != rendered and original.tokens != _tokens(allowed).tokens:
            found.append("this text makes markup the site does not allow; write plain Markdown")
    if references:
        name = next(iter(references))
        found.append(f"link reference definitions ([{name}]: address) are not allowed; "
                     "write the link inline as [text](address)")
    if "{" in text and not idle and render_markdown(text, attr_list=False)[0] != rendered:
        found.append("attribute lists ({ ... } after a paragraph, heading or link) are not allowed; "
                     "remove the braces")
    found = [m for m in found if not (m.startswith("HTML <") and "raw " + m in found)]
    result.problems = list(dict.fromkeys(found))
    result.links, result.images = original.links, original.images
    return result


def markdown_problems(text: str) -> list[str]:
    """Everything unsafe in one Markdown text, as messages (empty when it is safe)."""
    return check_markdown(text).problems


@lru_cache(maxsize=65536)
def is_markdown(kind: str, path: tuple) -> bool:
    """Whether the string at ``path`` of a ``kind`` document (see :data:`MARKDOWN_FIELDS`) is Markdown."""
    for pattern in MARKDOWN_FIELDS.get(kind, []):
        if len(pattern) == len(path) and all(p is ANY or p == q for p, q in zip(pattern, path)):
            return True
    return False


def plain_html(text: str) -> str:
    """Render Markdown to HTML and clean it with nh3 down to basic formatting (for JSON-LD answers)."""
    md = _converter()
    md.reset()
    rendered = md.convert(text)
    return nh3.clean(rendered, tags={"p", "a", "em", "strong", "ul", "ol", "li", "br", "code"},
                     attributes={"a": {"href"}}, url_schemes=set(SAFE_SCHEMES), link_rel=None).strip()
