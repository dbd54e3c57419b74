"""Static scan of built pages: what could run a script, and what a page shows as text."""

from __future__ import annotations

import json
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path

from scripts.pipeline.escape import unsafe_scheme

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "background", "srcdoc"}
LIVE_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}
_SCOPE = re.compile(r'new URL\("[^"]*",location\)')


class _Scan(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict, str]] = []
        self.live: list[str] = []
        self.text: list[str] = []
        self._script: dict | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script":
            self._script, self._buffer = values, []
        if tag in LIVE_TAGS:
            self.live.append(f"<{tag}>")
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            self.live.append("<meta http-equiv=refresh>")
        for name, value in attrs:
            if name.startswith("on"):
                self.live.append(f"<{tag} {name}=...>")
            if name in URL_ATTRIBUTES and value and unsafe_scheme(value):
                if not (tag == "link" and values.get("rel") == "icon" and value == "data:,"):
                    self.live.append(f"<{tag} {name}={value[:40]!r}>")

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._buffer)))
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._buffer.append(data)
        else:
            self.text.append(data)


def _scan(path: Path) -> _Scan:
    scan = _Scan()
    scan.feed(path.read_text(encoding="utf-8"))
    scan.close()
    return scan


TEMPLATES = Path(__file__).resolve().parents[3] / "site-overrides"
_INLINE = re.compile(r"<script>(.*?)</script>", re.S)


def own_inline_scripts(site: Path) -> set[str]:
    """The site's own inline scripts: the theme's (from 404.html, which holds no content) and those
    written literally in the templates of site-overrides/ (e.g. embed.html's iframe height script)."""
    found = {_SCOPE.sub('new URL("",location)', text) for attrs, text in _scan(site / "404.html").scripts
             if "src" not in attrs and "type" not in attrs}
    for template in TEMPLATES.rglob("*.html"):
        found.update(text for text in _INLINE.findall(template.read_text(encoding="utf-8")) if "{" + "{" not in text)
    return found


def asset_path(src: str, folder: str) -> str:
    """The site-relative path of a script address on a page in ``folder`` (absolute ones may carry the
    site's path prefix, e.g. /margin-notes/assets/...)."""
    if src.startswith("/"):
        return src[src.find("/assets/") + 1:] if "/assets/" in src else src.lstrip("/")
    return posixpath.normpath(posixpath.join(folder, src))


def live_markup(path: Path, site: Path) -> list[str]:
    """Everything on one built page that could run a script and is not the site's own."""
    scan = _scan(path)
    found = list(scan.live)
    own = own_inline_scripts(site)
    folder = posixpath.dirname(path.relative_to(site).as_posix())
    for attrs, text in scan.scripts:
        if "src" in attrs:
            target = asset_path(attrs["src"], folder)
            if not target.startswith("assets/javascripts/") or not (site / target).is_file():
                found.append(f"<script src={attrs['src']!r}>")
        elif attrs.get("type") in ("application/json", "application/ld+json"):
            try:
                json.loads(text)
            except ValueError:
                found.append(f"<script type={attrs['type']}> that is not one JSON value")
        elif _SCOPE.sub('new URL("",location)', text) not in own:
            found.append(f"inline <script>: {text[:60]!r}")
    return found


def page_text(path: Path) -> str:
    """The text of a page outside scripts, with runs of whitespace as single spaces."""
    return " ".join("".join(_scan(path).text).split())
