"""The file format of a content cache shard (``.cache/content/<xx>.shard``, :mod:`.cache`).

JSON and UTF-8 text only: reading a shard cannot run code.
"""

from __future__ import annotations

import gc
import json

# A shard's file: one line of JSON (the header), a newline, then the text block: the UTF-8 bytes of
# the page texts and definition blocks (TEXT_SECTIONS) and the JSON of each document's data, which make
# most of a cache's size. The header's "texts" maps each section to {key: [offset, length]} in the block,
# and "docs" to the [offset, length] of one JSON object {file: data} (:class:`DocsBlock`). Parsing JSON strings full of escaped
# newlines and quotes cost most of reading the cache; the block's texts are decoded only when used, and
# a document's data only when a stage reads it (a check that needs only the documents' index does not).
TEXT_SECTIONS = ("pages", "abbr")
DOCS = "docs"
FORMAT = "mn-cache-3"


class TextRecord:
    """A text record not decoded yet: ``length`` bytes at ``offset`` of a shard's file."""

    __slots__ = ("block", "offset", "length")

    def __init__(self, block: bytes, offset: int, length: int):
        self.block, self.offset, self.length = block, offset, length

    def raw(self) -> bytes:
        """The record's UTF-8 bytes."""
        return self.block[self.offset:self.offset + self.length]

    def text(self) -> str | None:
        """The record's text, or None when its bytes are not UTF-8 (a damaged shard)."""
        try:
            return self.raw().decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            return None



MISSING = object()  # a document's data that its shard's block does not hold (a damaged shard)


class DocsBlock:
    """The data of every document of one shard: one JSON object ``{file: data}`` in the text block,
    decoded as a whole the first time any of its documents' data is read (one decode per shard, as
    fast as the header's; a run that reads no document's data never decodes it)."""

    __slots__ = ("block", "offset", "length", "_values")

    def __init__(self, block: bytes, offset: int, length: int):
        self.block, self.offset, self.length = block, offset, length
        self._values: dict | None = None

    def value_for(self, file: str):
        """The data of ``file``, or :data:`MISSING` when the block does not hold it or is not JSON."""
        if self._values is None:
            # decoded with the cyclic collector paused, then out of its sight, as loading does
            # (build._gc_paused: documents hold no cycles, and a collection in the middle of decoding
            # thousands of them would traverse them again and again)
            was_on = gc.isenabled()
            gc.disable()
            try:
                values = json.loads(self.block[self.offset:self.offset + self.length])
            except ValueError:
                values = None
            finally:
                if was_on:
                    gc.freeze()
                    gc.enable()
            self._values = values if isinstance(values, dict) else {}
        return self._values.get(file, MISSING)


def parse_shard(data) -> dict:
    """A shard file's records (texts as :class:`TextRecord`); ValueError when it is not a shard.

    ``data``: the file's bytes, or a read-only memory map of it (cache.py), of which the records keep
    a reference: a text or a document's data is read from the file only when used."""
    end = data.find(b"\n")
    if end < 0:
        raise ValueError("no header")
    raw = json.loads(data[:end])
    if not isinstance(raw, dict) or raw.get("format") != FORMAT or not isinstance(raw.get("texts"), dict):
        raise ValueError("not a shard of this format")
    block, base, size = data, end + 1, len(data) - end - 1  # records point into data: no copy of the block
    for name, refs in raw["texts"].items():
        section = raw.get(name)
        if name == DOCS:  # the documents' data: one block, decoded when read (cache.KeptDocument)
            if not _reference(refs, size) or not isinstance(section, dict):
                raise ValueError("malformed document data")
            docs = DocsBlock(block, base + refs[0], refs[1])
            for record in section.values():
                if not isinstance(record, dict) or "data" in record:
                    raise ValueError("malformed document record")
                record["data"] = docs
            continue
        if name not in TEXT_SECTIONS or not isinstance(refs, dict) or not isinstance(section, dict):
            raise ValueError("malformed texts")
        for key, ref in refs.items():
            if not _reference(ref, size):
                raise ValueError("malformed text reference")
            section[key] = TextRecord(block, base + ref[0], ref[1])
    return raw


def _reference(ref, size: int) -> bool:
    """Whether ``ref`` is ``[offset, length]`` inside a text block of ``size`` bytes."""
    if type(ref) is not list or len(ref) != 2:
        return False
    offset, length = ref
    return type(offset) is int and type(length) is int and offset >= 0 and length >= 0 and offset + length <= size


def shard_bytes(payload: dict) -> bytes:
    """The file of one shard: :func:`parse_shard` reads it back (texts go to the text block)."""
    parts: list[bytes] = []
    offset = 0
    texts: dict[str, dict] = {}
    header = dict(payload, format=FORMAT, texts=texts)
    for name in TEXT_SECTIONS:
        kept, refs = {}, {}
        for key, value in payload.get(name, {}).items():
            if type(value) is TextRecord:
                data = value.raw()
            elif isinstance(value, str):
                data = value.encode("utf-8", "surrogatepass")
            else:
                kept[key] = value
                continue
            refs[key] = [offset, len(data)]
            parts.append(data)
            offset += len(data)
        header[name], texts[name] = kept, refs
    docs, values = {}, {}
    for file, record in payload.get(DOCS, {}).items():
        value = record.get("data", MISSING)
        if type(value) is DocsBlock:
            value = value.value_for(file)
        if value is MISSING:
            continue  # a record without data is never used: not written
        values[file] = value
        docs[file] = {key: item for key, item in record.items() if key != "data"}
    data = json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    header[DOCS], texts[DOCS] = docs, [offset, len(data)]
    parts.append(data)
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    return b"".join([head, b"\n"] + parts)
