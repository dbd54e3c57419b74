"""The machine-readable twin of the knowledge base: ``/entries/<id>.json``, ``/entries.json`` and schemas.

Each published entry is also written as JSON: its validated data (FAQ, rules with their scenarios,
claims when present, sources, ...) plus its page address. ``/entries.json`` holds them all. The JSON
Schemas that describe them are published under ``/schema/``: the content schemas as they are, and two
generated from the entry schema (``entry.json.schema.json``, ``entries.json.schema.json``), so the twin
can never drift from what editors write. Rules only reach a page after they passed, so every rule here
is verified. ``/rules.json`` (:mod:`scripts.pipeline.rules`) stays as it is.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from functools import partial
from pathlib import Path
from typing import Iterable

import orjson

from .entriesjson import FILE as TWINS_FILE
from .entriesjson import TwinRecord, write_entries_json

TWIN_SCHEMA = "entry.json.schema.json"
SET_SCHEMA = "entries.json.schema.json"
FORMAT_VERSION = 1


def twin(entry: dict) -> dict:
    """The JSON twin of one published entry: its page address, then the entry's own fields."""
    data = {"url": f"entries/{entry['id']}/"}
    data.update(entry)  # an entry's own "url" takes the value, not the place, as {"url": ..., **entry} does
    data.pop("draft", None)
    return data


def twin_schema(entry_schema: dict) -> dict:
    """The schema of an entry's twin, derived from the entry schema (adds ``$schema`` and ``url``)."""
    schema = copy.deepcopy(entry_schema)
    schema["title"] = "Margin Notes entry (JSON twin)"
    schema["description"] = ("A published Margin Notes entry as JSON: the fields of entry.schema.json plus the "
                             "page address. Every rule in it passed on the reference model in the same build.")
    schema.pop("markdownDescription", None)
    properties = schema["properties"]
    properties.pop("draft", None)
    schema["properties"] = {
        "$schema": {"description": "This document's schema.", "type": "string"},
        "url": {"description": "The entry's page, relative to the site's address (e.g. 'entries/<id>/').",
                "type": "string", "pattern": "^entries/[a-z0-9]+(-[a-z0-9]+)*/$"},
        **properties,
    }
    schema["required"] = ["url", *schema.get("required", [])]
    return schema  # its #/$defs/ references resolve in the copy; rule.schema.json sits beside it


def set_schema() -> dict:
    """The schema of ``/entries.json``."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Margin Notes entries (JSON twin)",
        "description": "Every published Margin Notes entry, sorted by id.",
        "type": "object",
        "additionalProperties": False,
        "required": ["version", "count", "entries"],
        "properties": {
            "$schema": {"type": "string"},
            "version": {"description": "Format version of this file.", "const": FORMAT_VERSION},
            "count": {"description": "The number of entries.", "type": "integer", "minimum": 0},
            "entries": {"type": "array", "items": {"$ref": TWIN_SCHEMA}},
        },
    }


def _twin_text(doc, cache, key: str | None, made: dict, made_data: dict | None = None) -> str:
    """An entry document's compact twin text, made once per run (``made``: by entry id): from
    ``cache`` under ``key`` when held there, else serialised from its data (decoded only now) and kept.
    ``made_data``: gains the twin's UTF-8 bytes (by entry id) when orjson wrote them."""
    entry = doc.data
    text = made.get(entry["id"])
    if text is None:
        text = cache.record("pages", key) if key else None
        if not isinstance(text, str):
            text, data = _text_and_data(twin(entry))
            if data is not None and made_data is not None:
                made_data[entry["id"]] = data
            if key:
                cache.keep("pages", key, text)
        made[entry["id"]] = text
    return text


def _twin_file(make) -> str:
    """The file ``entries/<id>.json``: the twin with its schema first."""
    return f'{{"$schema":"../schema/{TWIN_SCHEMA}",{make()[1:]}\n'


_FILE_HEAD = f'{{"$schema":"../schema/{TWIN_SCHEMA}",'.encode("utf-8")


def _twin_file_data(data: bytes) -> bytes:
    """The bytes of :func:`_twin_file` for a twin whose UTF-8 bytes are ``data`` (no text in between)."""
    return b"".join((_FILE_HEAD, memoryview(data)[1:], b"\n"))


def entries_json_head(count: int) -> bytes:
    """The bytes of ``entries.json`` before its first twin."""
    head = dumps({"$schema": f"schema/{SET_SCHEMA}", "version": FORMAT_VERSION, "count": count})
    return f'{head[:-1]},"entries":['.encode("utf-8")


def entries_json_bytes(parts: list[bytes]) -> bytes:
    """The file ``entries.json`` holding the twins whose compact JSON bytes are ``parts`` (in order)."""
    start, end = entries_json_head(len(parts)), b"]}\n"
    if not parts:
        return start + end
    parts[0] = start + parts[0]  # one join: the 60 MB are copied once
    parts[-1] = parts[-1] + end  # (the same part as the first when there is one twin)
    return b",".join(parts)


_TWIN_START = b'{"url":"entries/'


def _kept_twin(cache, key: str | None):
    """The bytes of the twin kept under ``key``, or None (no key, no record, or a record that is not
    a twin's JSON object: a damaged cache text is made again, never copied into entries.json)."""
    data = cache.raw("pages", key) if key else None
    if data is None or data[:len(_TWIN_START)] != _TWIN_START or data[-1:] != b"}":
        return None
    return data


def dumps(value) -> str:
    """Compact JSON text, the same bytes for the same data (key order as written, UTF-8)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def twin_text(value) -> str:
    """:func:`dumps` of ``value``, written by orjson (4x faster) when it writes the same text: a value of
    text, lists, mappings with text keys, booleans, None and integers of 64 bits (orjson writes floats
    in its own way, e.g. ``1e-5`` where json writes ``1e-05``; tests/pipeline/test_pagetext.py compares)."""
    return _text_and_data(value)[0]


def _text_and_data(value) -> tuple[str, bytes | None]:
    """:func:`twin_text` of ``value``, and its UTF-8 bytes when orjson wrote them (else None)."""
    data = _orjson_data(value)
    return (dumps(value), None) if data is None else (data.decode("utf-8"), data)


def _orjson_data(value) -> bytes | None:
    """The UTF-8 bytes of :func:`dumps` of ``value`` when orjson writes them (see :func:`twin_text`), else None."""
    try:
        if _orjson_exact(value):
            return orjson.dumps(value)
    except (orjson.JSONEncodeError, RecursionError):  # a lone surrogate, nesting past orjson's limit
        pass
    return None


def _orjson_exact(value) -> bool:
    """Whether ``value`` holds only what orjson writes as :func:`dumps` does (see :func:`twin_text`)."""
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or (type(item) is not str and not _orjson_exact(item)):
                return False
        return True
    if kind is list:
        for item in value:
            if type(item) is not str and not _orjson_exact(item):
                return False
        return True
    if kind is str or kind is bool or value is None:
        return True
    return kind is int and -(1 << 63) <= value < (1 << 64)


def pretty(value) -> str:
    """Indented JSON text for the published schemas (small, read by people)."""
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def json_twin(site) -> Iterable:
    """Pages: ``entries/<id>.json`` per published entry, ``entries.json``, and ``schema/*.json``.

    With the content cache on, a twin's key is its file's hash (the twin is made from the entry alone)
    and its text is made only when read (a twin whose docs file is unchanged is never serialised)."""
    from .cache import current
    from .pages import Page  # pages imports this module

    cache = current()
    published = site.published_docs()  # no entry's data decoded until its twin is read
    ids = [entry_id for entry_id, _ in published]  # the entry of each twin
    docs = [doc for _, doc in published]
    keys: list = [None] * len(ids)  # the cache key of each twin (None when it has none)
    if cache:  # the twin is made from the entry alone, the entry from its file's bytes: kept by their hash
        sha256, touch = hashlib.sha256, cache.touch
        keys = [sha256(b"json-twin:" + sha.encode()).hexdigest() if type(sha) is str and sha else None
                for sha in [doc.__dict__.get("sha256") for doc in docs]]  # no JSON: 10,000 of them
        for key in keys:
            if key is not None:
                touch("pages", key)
    made: dict[str, str] = {}  # each twin serialised once, for its own file and for the set
    made_data: dict[str, bytes] = {}  # the bytes orjson wrote of those it wrote (by id): never encoded again

    def text(index: int) -> str:
        return _twin_text(docs[index], cache, keys[index], made, made_data)

    def twin_file(index: int) -> str:
        return _twin_file(partial(text, index))

    def twin_file_data(index: int) -> bytes:  # twin_file(index).encode("utf-8"), from orjson's bytes when made so
        made_text = text(index)
        data = made_data.get(ids[index])
        return _twin_file(lambda: made_text).encode("utf-8") if data is None else _twin_file_data(data)

    for index, entry_id in enumerate(ids):
        yield Page(f"entries/{entry_id}.json", None, None, False, keys[index], partial(twin_file, index),
                   partial(twin_file_data, index))
    # every twin's text kept by key: the set is known by them all (joined: 10,000 keys, no JSON)
    whole = hashlib.sha256(("entries-json\0" + "\n".join(keys)).encode()).hexdigest() \
        if keys and all(keys) else None

    def entries_json() -> bytes:  # the twins' bytes as the cache holds them: 60 MB at 10,000, never decoded
        return entries_json_bytes([made_data.get(ids[index]) or _kept_twin(cache, key) or text(index).encode("utf-8")
                                   for index, key in enumerate(keys)])

    def twin_bytes(index: int) -> bytes:
        return made_data.get(ids[index]) or _kept_twin(cache, keys[index]) or text(index).encode("utf-8")

    def write(target: str, put) -> tuple[bool, tuple]:  # spliced into the file left by the last run
        record = TwinRecord(Path(cache.folder).parent / TWINS_FILE, cache.key, os.path.abspath(target))
        return write_entries_json(target, record, keys, ids, entries_json_head(len(keys)), twin_bytes, put)

    yield Page("entries.json", key=whole, make_data=entries_json, write=write if whole else None)
    schemas = {}
    for path in sorted(site.content.layout.schemas.glob("*.json")):
        schemas[path.name] = json.loads(path.read_text(encoding="utf-8"))
        yield Page(f"schema/{path.name}", pretty(schemas[path.name]))
    if "entry.schema.json" in schemas:
        yield Page(f"schema/{TWIN_SCHEMA}", pretty(twin_schema(schemas["entry.schema.json"])))
    yield Page(f"schema/{SET_SCHEMA}", pretty(set_schema()))
