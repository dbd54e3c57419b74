"""Plain text and addresses placed into generated Markdown without becoming markup.

Kept for the modules that import it (claims, venue pages); both names are the one escaping of
:mod:`scripts.pipeline.escape`: :func:`md_text` makes every Markdown and HTML mark a character
reference, :func:`link_url` percent-encodes what could end a link and refuses unsafe schemes.
"""

from __future__ import annotations

from .escape import md_text, md_url

__all__ = ["md_text", "link_url"]


def link_url(url: str) -> str:
    """An address safe inside Markdown link parentheses (:func:`scripts.pipeline.escape.md_url`)."""
    return md_url(url)
