"""Escaping for every plain-text string the pipeline writes into a page: one function per output.

Plain-text fields (titles, terms, publishers, labels, questions) are never Markdown and never HTML.
Page generators put them into generated Markdown only through these functions:

* :func:`md_text` for text inside generated Markdown (headings, list items, table cells, link texts,
  admonition titles): it renders to exactly the characters given, as text;
* :func:`md_url` for a link destination, and :func:`md_link` for a whole ``[text](destination)``;
* :func:`html_text` for front matter values the theme prints as HTML (``title``, ``description``:
  MkDocs and Material treat a page title as HTML and print it unescaped in the header, the ``<title>``,
  the navigation and the tag index).

JSON-LD needs no escaping here: ``main.html`` prints it with Jinja's ``tojson``, which escapes ``<``,
``>``, ``&`` and ``'``. The search index escapes headings itself (Material's search plugin).
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

# Characters Markdown or one of the site's extensions reads as syntax anywhere in a line (emphasis,
# code, links, attribute lists, tables, strike/mark/insert, HTML, entities, admonition titles; ``#``
# because trailing hashes end a heading). Each becomes a numeric character reference, which
# Python-Markdown passes through as text and the browser shows as the character. Syntax that only
# counts at the start of a line (``-``, ``+``, ``1.``, ``!!!``, ``:``) cannot start one: the text is a
# single line and generated Markdown always puts something before it.
_MD_SPECIAL = set("\\`*_{}[]#|~^=<>&\"")
_MD_TABLE = {ord(char): f"&#{ord(char)};" for char in _MD_SPECIAL}
_SPACES = re.compile(r"\s+")
_C0 = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
SAFE_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
# Texts md_text leaves as they are (letters, digits, single spaces and punctuation that is no syntax,
# no space at either end), and addresses quote() leaves as they are (its always-safe characters and
# the ones md_url keeps): the shortcuts of the two functions (tests/pipeline/test_coldpath.py).
_MD_PLAIN = re.compile(r"(?:[A-Za-z0-9.,;:?!'()/%+@$-]++ )*+[A-Za-z0-9.,;:?!'()/%+@$-]++")
_URL_PLAIN = re.compile(r"[A-Za-z0-9_.~/:?#&=%,;@+!$*-]*")


def md_text(text: str) -> str:
    """``text`` as inline Markdown that renders to exactly that text (one line, nothing live).

    Every character Markdown or an extension could read as syntax becomes a character reference, so no
    link, emphasis, attribute list (``{ onclick=... }``), HTML tag, comment or CDATA marker can start,
    and no generated link around the text can be closed early. Line breaks become spaces; control
    characters become U+FFFD.
    """
    if type(text) is str and _MD_PLAIN.fullmatch(text):
        return text  # what the line below gives such a text: itself
    return _SPACES.sub(" ", _C0.sub("\ufffd", str(text))).strip().translate(_MD_TABLE)


def unsafe_scheme(url: str) -> str | None:
    """The scheme of ``url`` when it is not http(s) or mailto (e.g. ``'javascript'``), else None.

    Control characters and spaces are ignored first, as browsers do (``java\\tscript:``).
    """
    match = _SCHEME.match(_CONTROL.sub("", url))
    if match and match.group(1).lower() not in SAFE_SCHEMES:
        return match.group(1).lower()
    return None


def md_url(url: str) -> str:
    """A link destination for generated Markdown: percent-encodes what could end or break the link.

    Raises ``ValueError`` for a scheme other than http(s) or mailto: validation refuses those before
    anything is rendered, so reaching it is a bug, not a content problem.
    """
    scheme = unsafe_scheme(url)
    if scheme:
        raise ValueError(f"refusing to link to a {scheme}: address")
    if type(url) is str and _URL_PLAIN.fullmatch(url):
        return url  # every character is one quote() keeps
    return quote(str(url), safe="/:?#&=%.,;@+~!$*-_")


def md_link(text: str, url: str) -> str:
    """A Markdown link ``[text](url)`` with ``text`` as plain text and ``url`` escaped (see above)."""
    return f"[{md_text(text)}]({md_url(url)})"


def html_text(text: str) -> str:
    """``text`` escaped for HTML text and double- or single-quoted attributes (one line)."""
    return html.escape(_SPACES.sub(" ", _C0.sub("\ufffd", str(text))).strip(), quote=True)
