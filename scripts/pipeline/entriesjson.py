"""Writing ``entries.json`` (60 MB at 10,000 entries) by splicing: only the changed twins' bytes are made.

When ``entries.json`` is written (or found to hold what it should), where each twin lies in it is
recorded in ``.cache/twins.json``: the twins' cache keys (each determines its bytes) and the offset
where each one ends, with the file's (size, modification time, inode) and the code's key. The next
run whose docs folder still holds that file, as its stamp vouches, copies the unchanged twins' bytes
from it and writes from the first changed twin on, in place: no 10,000 records read from the cache,
no 60 MB joined and compared (issue 14).

The record is trusted only when everything in it agrees: the same code (the content cache's key),
the same file, its stamp (size, modification and change times, inode), offsets that rise and end
where the file does, a record whose own checksum matches, and every twin copied starting with
its entry's address. Like git's "racy clean"
files, a file modified less than ``docstamps.RACY_NS`` (as for the other docs files' stamps) before
the record was made could have been edited again within the clock's tick, keeping its stamp: its
CRC-32 (recorded too, 20 ms for 60 MB) must then match as well. Anything else
(a missing, truncated, foreign or malformed record, a file edited by hand) rebuilds the file whole.
"""

from __future__ import annotations

import mmap
import os
import time
import zlib
from pathlib import Path
from typing import Callable

from . import jsonio
from . import docstamps
from .cachefile import write_atomically

FILE = "twins.json"
FORMAT = 1
KEY_LENGTH = 64  # a twin's key: a SHA-256 in hex
TWIN_START = b'{"url":"entries/'
TAIL = b"]}\n"


class TwinRecord:
    """Where each twin lies in one ``entries.json``, as recorded by the last run that wrote or verified it."""

    def __init__(self, path: Path, code_key: str, target: str):
        self.path, self.code_key, self.target = path, code_key, target
        self.keys: list[str] = []
        self.ends: list[int] = []
        self.head = 0
        self.stamp: list[int] | None = None
        self.at = 0
        self.crc = -1
        self._read()

    def _read(self) -> None:
        """Take the record from its file when it is whole and about this file under this code; else none."""
        try:
            check, _, body = self.path.read_bytes().partition(b"\n")
            if check != b"%08x" % zlib.crc32(body):  # the record's own checksum: damage is never read
                return
            raw = jsonio.loads(body)
            keys, ends, head, stamp, at, crc = raw["keys"], raw["ends"], raw["head"], raw["stamp"], raw["at"], raw["crc"]
            if raw["format"] != FORMAT or raw["code"] != self.code_key or raw["target"] != self.target:
                return
            if type(keys) is not str or len(keys) % KEY_LENGTH or type(ends) is not list \
                    or len(ends) != len(keys) // KEY_LENGTH or type(head) is not int or type(at) is not int \
                    or type(crc) is not int \
                    or type(stamp) is not list or len(stamp) != 4 or not all(type(n) is int for n in stamp):
                return
            previous = head - 1  # each twin starts one byte (its comma) after the previous one ends
            for end in ends:
                if type(end) is not int or end <= previous + 1:
                    return
                previous = end
            if not ends or ends[-1] + len(TAIL) != stamp[0]:
                return
        except (OSError, ValueError, KeyError, TypeError):
            return
        self.keys = [keys[i:i + KEY_LENGTH] for i in range(0, len(keys), KEY_LENGTH)]
        self.ends, self.head, self.stamp, self.at, self.crc = ends, head, stamp, at, crc

    def matches(self, stat: os.stat_result, crc: Callable[[], int]) -> bool:
        """True when the file of ``stat`` is the recorded one: the same stamp, and when it was modified
        within ``docstamps.RACY_NS`` of the record, the same CRC-32 (``crc()`` gives the file's; see the
        module)."""
        if self.stamp is None or _stamp(stat) != self.stamp:
            return False
        return not self.racy(stat) or crc() == self.crc

    def racy(self, stat: os.stat_result) -> bool:
        """True when the file of ``stat`` was modified too shortly before the record to trust its stamp."""
        limit = self.at - docstamps.RACY_NS
        return stat.st_mtime_ns >= limit or stat.st_ctime_ns >= limit

    def save(self, keys: list[str], ends: list[int], head: int, stamp: list[int], crc: int) -> None:
        """Record the twins now in the file (never fails the run)."""
        payload = {"format": FORMAT, "code": self.code_key, "target": self.target, "keys": "".join(keys),
                   "ends": ends, "head": head, "stamp": stamp, "at": time.time_ns(), "crc": crc}
        body = jsonio.dumps(payload)
        write_atomically(self.path, b"%08x\n" % zlib.crc32(body) + body)

    def forget(self) -> None:
        """Remove the record (the file is about to change in a way it does not describe)."""
        try:
            os.unlink(self.path)
        except OSError:
            pass


def write_entries_json(target: str, record: TwinRecord, keys: list[str], ids: list[str], head: bytes,
                       twin: Callable[[int], bytes], put: Callable[[str, bytes], tuple]) -> tuple[bool, tuple]:
    """Make the file ``target`` hold ``entries.json``: ``head``, then the twins (``twin(i)`` gives the
    bytes of the ``i``-th, whose key is ``keys[i]``, of the entry ``ids[i]``) joined by commas, then its end. Splices into the
    file when ``record`` vouches for it, else makes it whole through ``put`` (which compares before
    writing); returns ``(whether the file was written, its stamp)`` and records the twins' places."""
    if keys and all(keys) and record.stamp is not None:
        done = _splice(target, record, keys, ids, head, twin)
        if done is not None:
            return done
    parts = [twin(i) for i in range(len(keys))]
    ends, position = [], len(head)
    for part in parts:
        position += len(part)
        ends.append(position)
        position += 1
    data = head + b",".join(parts) + TAIL
    wrote, stamp = put(target, data)
    try:
        full = _stamp(os.stat(target))
    except OSError:
        full = None
    if keys and all(keys) and full is not None and full[0] == len(data):
        record.save(keys, ends, len(head), full, zlib.crc32(data))
    else:
        record.forget()
    return wrote, stamp


def _splice(target: str, record: TwinRecord, keys: list[str], ids: list[str], head: bytes,
            twin: Callable[[int], bytes]) -> tuple[bool, tuple] | None:
    """Write only what changed, from the first twin that moved or changed on; None when the file does
    not look as the record says (the caller then makes it whole). Runs of twins that follow each other
    in the old file as in the new one are copied as one slice, checked at their ends: the first
    twin's address, the closing brace of the last."""
    old_keys, old_ends = record.keys, record.ends
    where = {key: index for index, key in enumerate(old_keys)}
    if len(where) != len(old_keys):
        return None  # the same twin twice: a record no run writes
    first = 0  # the first twin not at its recorded place with its recorded bytes
    if len(head) == record.head:
        limit = min(len(keys), len(old_keys))
        while first < limit and keys[first] == old_keys[first]:
            first += 1
    try:
        with open(target, "r+b") as handle:
            stat = os.fstat(handle.fileno())
            if _stamp(stat) != record.stamp:
                return None
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as old, memoryview(old) as view:
                if old[:record.head] != head:
                    first = 0
                offset = old_ends[first - 1] if first else 0  # written from here on
                with view[:offset] as prefix:  # no copy of the 60 MB: slices of the mapped file
                    prefix_crc = zlib.crc32(prefix)
                with view[offset:] as rest:
                    if not record.matches(stat, lambda: zlib.crc32(rest, prefix_crc)):
                        return None
                if first == len(keys) == len(old_keys):  # nothing changed
                    if record.racy(stat):  # verified by its CRC-32 now: recorded again, no longer racy
                        record.save(old_keys, old_ends, record.head, record.stamp, record.crc)
                    return False, (stat.st_size, stat.st_mtime_ns, stat.st_ino)
                changes = _same_length(record, keys, first, twin) if old[:record.head] == head else None
                if changes is not None:  # only the changed twins' bytes are written, in place
                    crc, position = prefix_crc, offset
                    for start, data in changes:
                        with view[position:start] as kept:
                            crc = zlib.crc32(data, zlib.crc32(kept, crc))
                        position = start + len(data)
                    with view[position:] as kept:
                        crc = zlib.crc32(kept, crc)
                    data, ends = None, old_ends
                else:
                    data, ends = _tail(old, view, record, keys, ids, first, head, twin, where)
                    if data is None:
                        return None
            if changes is not None:
                for start, part in changes:
                    handle.seek(start)
                    handle.write(part)
                handle.flush()
                after = os.fstat(handle.fileno())
                record.save(keys, ends, record.head, _stamp(after), crc)
                return True, (after.st_size, after.st_mtime_ns, after.st_ino)
            handle.seek(offset)
            handle.write(data)
            handle.truncate()
            handle.flush()
            after = os.fstat(handle.fileno())
    except (OSError, ValueError, IndexError):
        return None
    record.save(keys, ends, len(head), _stamp(after), zlib.crc32(data, prefix_crc))
    return True, (after.st_size, after.st_mtime_ns, after.st_ino)


def _same_length(record: TwinRecord, keys: list[str], first: int,
                 twin: Callable[[int], bytes]) -> list[tuple[int, bytes]] | None:
    """``[(offset, bytes), ...]`` of the changed twins (from ``first`` on), when the file keeps its
    twins and only some changed, each to bytes of its old length (a summary's digit edited): they are
    then written over the old ones, in place. None otherwise."""
    old_keys, old_ends = record.keys, record.ends
    if len(keys) != len(old_keys):
        return None
    changes = []
    for index in [i for i in range(first, len(keys)) if keys[i] != old_keys[i]]:
        start = old_ends[index - 1] + 1 if index else record.head  # after the comma, or the head
        data = twin(index)
        if len(data) != old_ends[index] - start:
            return None
        changes.append((start, data))
    return changes


def _tail(old, view: memoryview, record: TwinRecord, keys: list[str], ids: list[str], first: int, head: bytes,
          twin: Callable[[int], bytes], where: dict[str, int]) -> tuple[bytes | None, list[int]]:
    """The bytes from the first changed twin on (with the comma before it, or from the file's start
    when ``first`` is 0) and every twin's end offset in the new file; None when a copied run does not
    start and end as a twin of its entry does."""
    old_ends = record.ends
    starts = [record.head] + [end + 1 for end in old_ends[:-1]]
    ends = old_ends[:first]
    position = old_ends[first - 1] + 1 if first else len(head)
    pieces: list = [b","] if first else [head]
    index, count = first, len(keys)
    while index < count:
        old_index = where.get(keys[index])
        if old_index is None:
            data = twin(index)
            pieces += [data, b","]
            position += len(data) + 1
            ends.append(position - 1)
            index += 1
            continue
        start_index, stop = old_index, index + 1
        while stop < count and old_index + 1 < len(old_ends) and keys[stop] == record.keys[old_index + 1]:
            old_index += 1
            stop += 1
        start, end = starts[start_index], old_ends[old_index]
        address = b'%s%s/"' % (TWIN_START, str(ids[index]).encode("utf-8", "surrogatepass"))
        if old[start:start + len(address)] != address or old[end - 1] != 0x7D:  # "}" ends every twin
            return None, []
        shift = position - start
        ends += [end + shift for end in old_ends[start_index:old_index + 1]]
        pieces += [(start, end), b","]
        position += end - start + 1
        index = stop
    if len(pieces) > 1:
        pieces.pop()  # no comma after the last twin
    elif first:  # twins only removed at the end: no comma either
        pieces = []
    pieces.append(TAIL)
    parts = [view[piece[0]:piece[1]] if type(piece) is tuple else piece for piece in pieces]
    data = b"".join(parts)  # the one copy of the bytes kept
    for part in parts:
        if type(part) is memoryview:
            part.release()  # else the mapping could not be closed
    return data, ends


def _stamp(stat: os.stat_result) -> list[int]:
    """What the record keeps of a file's stat: size, modification and change times, inode (a change time
    cannot be set back by hand, unlike a modification time)."""
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
