"""The file format of a content cache shard (``.cache/content/<xx>.shard``, :mod:`.cache`).

JSON and UTF-8 text only: reading a shard cannot run code.
"""

from __future__ import annotations

import json

# A shard's file: one line of JSON (the header), a newline, then the text block: the UTF-8 bytes of
# the page texts and definition blocks (TEXT_SECTIONS), which make most of a cache's size. The header's
# "texts" maps each section to {key: [offset, length]} in the block. Parsing JSON strings full of escaped
# newlines and quotes cost most of reading the cache; the block's texts are decoded only when used.
TEXT_SECTIONS = ("pages", "abbr")
FORMAT = "mn-cache-2"


class TextRecord:
    """A text record not decoded yet: ``length`` bytes at ``offset`` of a shard's text block."""

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


def parse_shard(data: bytes) -> dict:
    """A shard file's records (texts as :class:`TextRecord`); ValueError when it is not a shard."""
    end = data.find(b"\n")
    if end < 0:
        raise ValueError("no header")
    raw = json.loads(data[:end])
    if not isinstance(raw, dict) or raw.get("format") != FORMAT or not isinstance(raw.get("texts"), dict):
        raise ValueError("not a shard of this format")
    block, size = data[end + 1:], len(data) - end - 1
    for name, refs in raw["texts"].items():
        section = raw.get(name)
        if name not in TEXT_SECTIONS or not isinstance(refs, dict) or not isinstance(section, dict):
            raise ValueError("malformed texts")
        for key, ref in refs.items():
            if not (isinstance(ref, list) and len(ref) == 2 and all(type(n) is int and n >= 0 for n in ref)
                    and ref[0] + ref[1] <= size):
                raise ValueError("malformed text reference")
            section[key] = TextRecord(block, ref[0], ref[1])
    return raw


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
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    return b"".join([head, b"\n"] + parts)
