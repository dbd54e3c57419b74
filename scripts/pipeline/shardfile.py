"""The file format of a content cache shard (``.cache/content/<xx>.shard``, :mod:`.cache`).

JSON and UTF-8 text only: reading a shard cannot run code.
"""

from __future__ import annotations

import gc
import os
import zlib

from . import jsonio

# A shard's file: one line of JSON (the header), a newline, then the text block: the UTF-8 bytes of
# the page texts and definition blocks (TEXT_SECTIONS) and the JSON of each document's data, which make
# most of a cache's size. The header's "texts" maps each section to {key: [offset, length]} in the block,
# and "docs" to the [offset, length] of one JSON object {file: data} (:class:`DocsBlock`). Parsing JSON strings full of escaped
# newlines and quotes cost most of reading the cache; the block's texts are decoded only when used, and
# a document's data only when a stage reads it (a check that needs only the documents' index does not).
TEXT_SECTIONS = ("pages", "abbr")
DOCS = "docs"
FORMAT = "mn-cache-3"
# The header ends with its own checksum, ``,"crc":"<8 hex digits>"}``: the CRC-32 of the header's bytes
# without it (then "}"). A header that does not match was damaged after it was written: the shard is
# not read. What the writer checked before writing (cache._write: each record's facts and index) is
# then trusted by the reader, without a check per document on every run (issue 14: one change).
_SEAL_START = b',"crc":"'
_SEAL_LENGTH = len(_SEAL_START) + 8 + 2  # then 8 hex digits, '"}'


class FileBlock:
    """A shard file whose bytes are read the first time a record in it is used (a run that uses none
    of its texts or documents reads only its header). The file must still be the one whose header was
    read (same inode, size and modification time): a shard replaced since gives no bytes, and its
    records are misses, never another file's bytes."""

    __slots__ = ("path", "stamp", "_data")

    def __init__(self, path, stamp: tuple):
        self.path, self.stamp, self._data = path, stamp, None

    def data(self) -> bytes | None:
        """The file's bytes, or None when it changed or cannot be read."""
        if self._data is None:
            try:
                with open(self.path, "rb") as handle:
                    stat = os.fstat(handle.fileno())
                    data = handle.read() if file_stamp(stat) == self.stamp else b""
            except OSError:
                data = b""
            self._data = data if len(data) == self.stamp[1] else b""
        return self._data or None


def file_stamp(stat: os.stat_result) -> tuple:
    """What tells one version of a shard file from another: (inode, size, modification time)."""
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def _slice(block, offset: int, length: int) -> bytes | None:
    if type(block) is not bytes:
        block = block.data()
        if block is None:
            return None
    return block[offset:offset + length]


class TextRecord:
    """A text record not decoded yet: ``length`` bytes at ``offset`` of a shard's file."""

    __slots__ = ("block", "offset", "length")

    def __init__(self, block, offset: int, length: int):
        self.block, self.offset, self.length = block, offset, length

    def raw(self) -> bytes | None:
        """The record's UTF-8 bytes (None when its file changed since its header was read)."""
        return _slice(self.block, self.offset, self.length)

    def text(self) -> str | None:
        """The record's text, or None when its bytes are not UTF-8 or gone (a damaged or replaced shard)."""
        raw = self.raw()
        try:
            return raw.decode("utf-8", "surrogatepass") if raw is not None else None
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
                raw = _slice(self.block, self.offset, self.length)
                values = jsonio.loads(raw) if raw is not None else None
            except ValueError:
                values = None
            finally:
                if was_on:
                    gc.freeze()
                    gc.enable()
            self._values = values if isinstance(values, dict) else {}
        return self._values.get(file, MISSING)


def parse_shard(data: bytes, block: FileBlock | None = None) -> dict:
    """A shard file's records (texts as :class:`TextRecord`); ValueError when it is not a shard.

    ``data``: the file's bytes; or, with ``block`` (the file, read when a record is used), its first
    bytes up to and including the header's line break (:func:`read_header`)."""
    end = data.find(b"\n")
    if end < 0:
        raise ValueError("no header")
    line = data[:end]
    if not _sealed(line):
        raise ValueError("the header does not match its checksum")
    raw = jsonio.loads(line)
    if not isinstance(raw, dict) or raw.get("format") != FORMAT or not isinstance(raw.get("texts"), dict):
        raise ValueError("not a shard of this format")
    total = block.stamp[1] if block is not None else len(data)
    base, size = end + 1, total - end - 1  # records point into the file: no copy of its block
    block = block if block is not None else data
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


def _seal(head: bytes) -> bytes:
    """The header ``head`` (a JSON object's text) with its checksum as a last field (see :data:`_SEAL_START`)."""
    return head[:-1] + _SEAL_START + b"%08x" % zlib.crc32(head) + b'"}'


def _sealed(line: bytes) -> bool:
    """Whether the header ``line`` ends with the checksum of the rest of it."""
    cut = len(line) - _SEAL_LENGTH
    if cut < 1 or line[cut:cut + len(_SEAL_START)] != _SEAL_START or line[-2:] != b'"}':
        return False
    digits = line[cut + len(_SEAL_START):-2]
    crc = zlib.crc32(b"}", zlib.crc32(memoryview(line)[:cut]))
    return digits == b"%08x" % crc


def read_header(path) -> tuple[bytes, FileBlock]:
    """The first bytes of a shard file, up to and including its header's line break, and the file as
    a :class:`FileBlock` (OSError when it cannot be read)."""
    with open(path, "rb") as handle:
        stamp = file_stamp(os.fstat(handle.fileno()))
        parts = []
        while True:
            chunk = handle.read(1 << 16)
            parts.append(chunk)
            if not chunk or b"\n" in chunk:
                break
    return b"".join(parts), FileBlock(path, stamp)


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
    header = {key: value for key, value in payload.items() if key != "crc"}  # (a payload read back holds one)
    header.update(format=FORMAT, texts=texts)
    for name in TEXT_SECTIONS:
        kept, refs = {}, {}
        for key, value in payload.get(name, {}).items():
            if type(value) is TextRecord:
                data = value.raw()
                if data is None:
                    continue  # its shard was replaced meanwhile: not kept
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
    data = jsonio.dumps(values)
    header[DOCS], texts[DOCS] = docs, [offset, len(data)]
    parts.append(data)
    head = _seal(jsonio.dumps(header))
    return b"".join([head, b"\n"] + parts)
