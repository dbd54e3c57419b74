"""Fast reading and writing of the JSON files the pipeline writes for itself (``.cache/``), same values as ``json``.

orjson encodes and decodes several times faster than the standard library, which matters when a run
reads the whole content cache (issue 14). It is not a drop-in replacement: it reads an integer beyond
64 bits as a float, writes ``NaN`` and ``Infinity`` as ``null``, and rejects lone surrogates, all of
which ``json`` keeps and YAML documents may hold.

The writer decides, since it knows what it wrote (reading never scans the text): :func:`dumps` writes
with orjson when orjson writes the value exactly (it refuses integers beyond 64 bits, lone surrogates
and keys that are not strings, and the only value it silently changes, a float that is not finite,
becomes a ``null`` a check looks for). Any other value is written by ``json`` behind one leading
space (:data:`EXACT_MARK`, still JSON), which tells :func:`loads` to read it with ``json``. Text
without the mark goes to orjson; text orjson rejects (``NaN``, a lone surrogate: a file written by
hand or by older code) goes to ``json``, whose verdict stands.
"""

from __future__ import annotations

import json

import orjson

EXACT_MARK = b" "  # leading whitespace (valid JSON): the text needs json's reader
# values orjson would write in its own way where json raises or writes otherwise: refused, so json decides
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS


def dumps(value) -> bytes:
    """``value`` as compact UTF-8 JSON text that :func:`loads` reads back exactly as ``json`` would.

    Raises what :func:`json.dumps` raises for a value JSON cannot hold (TypeError, ValueError)."""
    try:
        data = orjson.dumps(value, option=_OPTIONS)
    except (orjson.JSONEncodeError, TypeError):
        return _json_dumps(value)
    if b"null" in data:  # a None, a word in a string, or a float that is not finite: only json tells
        try:
            json.dumps(value, allow_nan=False)
        except ValueError:
            return _json_dumps(value)
    return data


def _json_dumps(value) -> bytes:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return EXACT_MARK + text.encode("utf-8", "surrogatepass")


def loads(data: bytes | str):
    """The value of the JSON text ``data``: exactly what :func:`json.loads` reads for text that
    :func:`dumps` wrote, and for any text without integers beyond 64 bits.

    Raises :class:`json.JSONDecodeError` (a ``ValueError``) on text that is not JSON, as ``json`` does.
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if raw[:1] == EXACT_MARK:
        return json.loads(raw)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:  # NaN, Infinity, a lone surrogate, or not JSON at all: json decides
        return json.loads(raw)
