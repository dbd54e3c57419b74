"""Plain text and addresses placed into generated Markdown without becoming markup.

For text that is plain by contract (a publisher's name, a venue's summary, a paraphrase from a venue
profile): :func:`md_text` escapes HTML and the Markdown characters that would make links, emphasis,
code or attribute lists. :func:`link_url` makes an address safe inside ``[text](...)``. Link text
itself goes through :func:`scripts.pipeline.render.link_text`.
"""

from __future__ import annotations

import html
import re

_MARKDOWN_CHARS = re.compile(r"([\\`*_\[\]{}])")


def md_text(text: str) -> str:
    """``text`` shown as it is: ``<``, ``&`` and Markdown's link/emphasis/code/attribute marks escaped."""
    return _MARKDOWN_CHARS.sub(r"\\\1", html.escape(text, quote=False))


def link_url(url: str) -> str:
    """An address safe inside Markdown link parentheses (spaces, parentheses and angle brackets encoded)."""
    return (url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
            .replace("<", "%3C").replace(">", "%3E"))
