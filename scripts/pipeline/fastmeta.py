"""MkDocs' front-matter reading, without YAML for the front matter the pipeline writes (issue 14).

MkDocs reads each page's front matter with ``mkdocs.utils.meta.get_data`` (a YAML load): at 1,000
entries about 0.35 s of the build's CPU, for data the pipeline has just written in a narrow form
(:func:`.render.front_matter`): lines ``key: text`` (plain or single-quoted text) and
``"key": <one line of JSON>`` holding only text, lists and mappings. :func:`page_data` reads exactly
that form, and returns None for anything else (a number, a boolean, a comment, a continued line, a
character YAML treats specially...), so :func:`get_data` hands such a page to MkDocs' own reader.
Every condition below is one under which YAML reads the line as the same text, list or mapping;
tests/pipeline/test_fastmeta.py compares both readers on the site's pages and on awkward texts.

:func:`install` replaces MkDocs' reader in the process it is called in: the hook does it under
``python -m scripts build`` only (the MkDocs child of the build), never in ``mkdocs serve``.
"""

from __future__ import annotations

import json
import re

# What a one-line scalar may hold for YAML to read it as written: printable, no line break of YAML's
# (NEL, line and paragraph separators), no byte-order mark, no tab, nothing outside the BMP.
_PRINTABLE = re.compile("[\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]+")
_STARTERS = frozenset(" #,[]{}&*!|>'\"%@`?-:")  # a plain text starting with one of these: not this path
_QUOTED = re.compile(r"'(?:[^']|'')*'")
# JSON escapes YAML's double-quoted style reads the same way (no surrogate halves: YAML refuses them)
_ESCAPE = re.compile(r'\\(?:["\\bfnrt]|u(?![dD][89a-fA-F])[0-9a-fA-F]{4})')
_DECODER = json.JSONDecoder()
_MAX_KEY = 200  # YAML's simple keys end 1,024 characters after they start: stay far below
_MAX_DEPTH = 40  # LibYAML refuses deep nesting; the pipeline's JSON-LD is a few levels deep


def _implicit():
    import yaml

    return yaml.SafeLoader.yaml_implicit_resolvers  # the C loader reads with the same resolvers


def _plain(text: str, resolvers) -> bool:
    """Whether YAML reads ``text``, written plain, as this very text (not a number, date, key...)."""
    return bool(_PRINTABLE.fullmatch(text)) and text[0] not in _STARTERS and text[-1] not in " :" \
        and ": " not in text and " #" not in text and not text.startswith(("---", "...")) \
        and not any(regexp.match(text) for _, regexp in resolvers.get(text[0], ()))


def _scalar(text: str, resolvers) -> str | None:
    """The text YAML reads from ``text`` (plain or single-quoted), or None when this reader declines."""
    if text.startswith("'"):
        if _QUOTED.fullmatch(text) and _PRINTABLE.fullmatch(text):
            return text[1:-1].replace("''", "'")
        return None
    return text if _plain(text, resolvers) else None


def _text_only(value, depth: int = 0) -> bool:
    """A list or mapping of text (keys short text) all the way down, nested at most :data:`_MAX_DEPTH`."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(value, dict):
        return all(isinstance(key, str) and len(key) < _MAX_KEY and (isinstance(item, str) or _text_only(item, depth + 1))
                   for key, item in value.items())
    if isinstance(value, list):
        return all(isinstance(item, str) or _text_only(item, depth + 1) for item in value)
    return False


def _json_line(line: str) -> tuple[str, object] | None:
    """``"key": <JSON>`` read as (key, value) when YAML would read the same, else None."""
    if not _PRINTABLE.fullmatch(line) or "\\" in _ESCAPE.sub("", line):
        return None
    try:
        key, end = _DECODER.raw_decode(line)
        if not isinstance(key, str) or line[end:end + 2] != ": " or len(line[:end]) >= _MAX_KEY:
            return None
        value, stop = _DECODER.raw_decode(line, end + 2)
    except (ValueError, RecursionError):
        return None
    if stop != len(line) or not _text_only(value):
        return None
    return key, value


def page_data(doc: str, pattern) -> tuple[str, dict] | None:
    """``get_data(doc)`` (MkDocs: the body and the front matter's data) when the front matter has the
    pipeline's form, else None. ``pattern`` is MkDocs' own ``YAML_RE`` (what counts as front matter)."""
    match = pattern.match(doc)
    if not match:
        return None
    resolvers = None
    data: dict = {}
    for line in match.group(1)[:-1].split("\n"):
        if line.startswith('"'):
            pair = _json_line(line)
            if pair is None:
                return None
            data[pair[0]] = pair[1]
            continue
        key, colon, value = line.partition(": ")
        if not colon or not key or not value or len(key) >= _MAX_KEY:
            return None
        resolvers = resolvers if resolvers is not None else _implicit()
        key, value = _scalar(key, resolvers), _scalar(value, resolvers)
        if key is None or value is None:
            return None
        data[key] = value
    if not data:
        return None
    return doc[match.end():].lstrip("\n"), data


def install() -> None:
    """Make MkDocs read front matter with :func:`page_data` first (in this process)."""
    from mkdocs.utils import meta

    if getattr(meta.get_data, "_fastmeta", False):
        return
    original = meta.get_data

    def get_data(doc: str):
        return page_data(doc, meta.YAML_RE) or original(doc)

    get_data._fastmeta = True
    meta.get_data = get_data
