"""Keep raw HTML and unsafe links out of the site.

Markdown in YAML is rendered with the site's own Markdown extensions and the resulting HTML is
inspected: only the tags Markdown itself produces are allowed, no event-handler or style attributes,
and links only to http(s), mailto or relative addresses. Anything else is a problem on the field's
line, so an unsafe entry never builds. Text bound for JSON-LD is cleaned with nh3 on top.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import markdown
import nh3

# The Markdown extensions the site uses (mkdocs.yml markdown_extensions); a test keeps them in step.
SITE_EXTENSIONS = [
    "abbr", "admonition", "attr_list", "def_list", "footnotes", "md_in_html", "tables", "toc",
    "pymdownx.details", "pymdownx.superfences", "pymdownx.highlight", "pymdownx.inlinehilite",
    "pymdownx.tasklist", "pymdownx.tilde", "pymdownx.caret", "pymdownx.mark",
]

ALLOWED_TAGS = {
    "p", "a", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "span", "div", "details",
    "summary", "sup", "sub", "del", "ins", "mark", "abbr", "dl", "dt", "dd", "label", "input",
}
ALLOWED_ATTRIBUTES = {"href", "title", "id", "class", "align", "colspan", "rowspan", "open",
                      "type", "checked", "disabled", "for", "rel"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "background"}
SAFE_SCHEMES = {"http", "https", "mailto"}

_NEEDS_CHECK = re.compile(r"[<&{]|\]\s*[(:\[]")
_MARKUP = re.compile(r"[<&{]")
_LINK_TARGET = re.compile(r"\]\s*[(:]\s*([^\s)]*)")
_PLAIN_TARGET = re.compile(r"^(?:https?://|mailto:|[^:]*$)", re.IGNORECASE)
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")

_md = markdown.Markdown(extensions=SITE_EXTENSIONS)


class _Inspector(HTMLParser):
    """Collects what is not allowed in one HTML fragment."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.found.append(f"raw HTML <{tag}> is not allowed; write Markdown instead")
        elif tag == "input" and dict(attrs).get("type") != "checkbox":
            self.found.append("raw HTML <input> is not allowed; write Markdown instead")
        for name, value in attrs:
            name = name.lower()
            if name in URL_ATTRIBUTES:
                problem = unsafe_url(value or "")
                if problem:
                    self.found.append(problem)
            if name.startswith("on"):
                self.found.append(f"event-handler attribute {name!r} is not allowed")
            elif name not in ALLOWED_ATTRIBUTES and name not in URL_ATTRIBUTES:
                self.found.append(f"attribute {name!r} is not allowed")

    handle_startendtag = handle_starttag

    def handle_comment(self, data):
        self.found.append("HTML comments are not allowed")

    def handle_decl(self, decl):
        self.found.append("HTML declarations are not allowed")

    def handle_pi(self, data):
        self.found.append("HTML processing instructions are not allowed")


def unsafe_url(url: str) -> str | None:
    """Why ``url`` may not appear in a link, or None when it is a safe one."""
    cleaned = _CONTROL.sub("", url).lower()
    match = _SCHEME.match(cleaned)
    if match and match.group(1) not in SAFE_SCHEMES:
        return f"link to a {match.group(1)}: address is not allowed; use https:// or a relative link"
    return None


def markdown_problems(text: str) -> list[str]:
    """Everything unsafe in one Markdown text, as messages (empty when it is safe)."""
    if not _NEEDS_CHECK.search(text):
        return []
    if not _MARKUP.search(text) and "][" not in text and all(
            _PLAIN_TARGET.match(target) for target in _LINK_TARGET.findall(text)):
        return []  # only plain links to http(s), mailto or relative addresses: nothing to render
    _md.reset()
    inspector = _Inspector()
    inspector.feed(_md.convert(text))
    inspector.close()
    return list(dict.fromkeys(inspector.found))


def plain_html(text: str) -> str:
    """Render Markdown to HTML and clean it with nh3 down to basic formatting (for JSON-LD answers)."""
    _md.reset()
    html = _md.convert(text)
    return nh3.clean(html, tags={"p", "a", "em", "strong", "ul", "ol", "li", "br", "code"},
                     attributes={"a": {"href"}}, url_schemes=SAFE_SCHEMES, link_rel=None).strip()
