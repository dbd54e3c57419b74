"""Entry page keys kept between runs, so an entry whose inputs did not change is not keyed again (issue 14).

An entry page's key (:func:`~.pages.page_key`) is a digest of its file's hash, its file's name, its
category, its terms, the site texts (what :func:`global_digest` covers, with the code's key), and the
id and title of each related entry. ``.cache/pagekeys.json`` keeps, for the last run that keyed every
entry page, each published entry's id, file hash, file name, title, key and related ids. A run with the
same code and the same global digest reuses the key of every entry whose hash and file name are
unchanged and none of whose related entries was added, removed or retitled: the others are keyed again. The record is checked whole (its own CRC-32, lengths that agree); one that is
missing, damaged, foreign or of another version is ignored, never trusted in part, and rewritten.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from . import jsonio
from .cachefile import write_atomically

FILE = "pagekeys.json"
FORMAT = 1
HEX = 64  # a SHA-256 in hex: a file hash, a page key
STALE_LIMIT = 64  # entries whose file changed since the record, before it is rewritten (KeyMemo.serves)


def _plain(text) -> bool:
    """True for an id or file name the record can hold (text without the separators it uses)."""
    return type(text) is str and bool(text) and "\n" not in text and " " not in text


class KeyInputs:
    """What the record compares of every published entry, in publication order: ``ids``, file
    ``hashes`` and file names (``files``), three lists; ``related(i)`` gives the related ids of the
    ``i``-th entry (read only for the entries whose file changed, or when the record is rebuilt)."""

    __slots__ = ("ids", "hashes", "files", "related")

    def __init__(self, ids: list, hashes: list, files: list, related):
        self.ids, self.hashes, self.files, self.related = ids, hashes, files, related


class KeyMemo:
    """The kept page keys of one project (see the module). The record is held as its lists and joined
    strings; comparing it with this run's entries is a few C-level comparisons and one pass over the
    file hashes when the entries are the same files in the same order (issue 14: one change, one
    entry's work), else a look-up per entry."""

    def __init__(self, folder: Path, code_key: str):
        self.path = Path(folder) / FILE
        self.code_key = code_key
        self.ids: list[str] = []
        self.hashes = self.keys = ""  # joined, HEX characters an entry
        self.files: list[str] = []
        self.related: list[str] = []  # each entry's related ids joined by spaces
        self.titles: list = []
        self.globals = ""
        self._read_done = False
        self._old: dict[str, tuple] | None = None
        self._index: dict[str, int] | None = None

    def _read(self) -> None:
        """Take the record when it is whole and of this code; else keep none."""
        self._read_done = True
        try:
            check, _, body = self.path.read_bytes().partition(b"\n")
            if check != b"%08x" % zlib.crc32(body):
                return
            raw = jsonio.loads(body)
            if raw["format"] != FORMAT or raw["code"] != self.code_key or type(raw["globals"]) is not str:
                return
            ids, files, related = raw["ids"].split("\n"), raw["files"].split("\n"), raw["related"].split("\n")
            hashes, keys, titles = raw["hashes"], raw["keys"], raw["titles"]
            count = len(ids)
            if not (len(files) == len(related) == count and type(hashes) is str and type(keys) is str
                    and len(hashes) == len(keys) == count * HEX and type(titles) is list and len(titles) == count):
                return
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return
        self.globals = raw["globals"]
        self.ids, self.hashes, self.files, self.related, self.keys, self.titles = ids, hashes, files, related, keys, titles

    @property
    def old(self) -> dict[str, tuple]:
        """``{id: (hash, file, key, related, title)}`` of the record (empty when there is none)."""
        if not self._read_done:
            self._read()
        if self._old is None:
            hashes, keys, files, related, titles = self.hashes, self.keys, self.files, self.related, self.titles
            self._old = {entry_id: (hashes[i * HEX:(i + 1) * HEX], files[i], keys[i * HEX:(i + 1) * HEX], related[i],
                                    titles[i]) for i, entry_id in enumerate(self.ids)}
        return self._old

    def _moved(self, inputs: KeyInputs) -> list[int] | None:
        """The positions of the entries whose file hash differs from the record's, when ``inputs`` are
        the record's entries (ids and files, in order) with hashes of the record's form; else None."""
        if inputs.ids != self.ids or inputs.files != self.files:
            return None
        hashes = inputs.hashes
        try:
            joined = "".join(hashes)
        except TypeError:  # an entry without a hash
            return None
        if len(joined) != len(self.hashes) or set(map(len, hashes)) - {HEX}:
            return None
        if joined == self.hashes:
            return []
        old = self.hashes
        return [i for i, sha in enumerate(hashes) if old[i * HEX:(i + 1) * HEX] != sha]

    def reusable(self, inputs: KeyInputs, globals_digest: str, title_of) -> dict:
        """``{id: key}`` of the kept keys still right. ``inputs``: every published entry now;
        ``title_of(id)``: an entry's title now (read only for the entries whose file changed)."""
        if not self._read_done:
            self._read()
        if not self.ids or globals_digest != self.globals:
            return {}
        moved = self._moved(inputs)
        if moved is None:
            return self._reusable(inputs, title_of)
        ids, titles, keys = self.ids, self.titles, self.keys
        # ids whose title may differ (the same ids are published): their own pages and those relating to them
        changed = {ids[i] for i in moved if title_of(ids[i]) != titles[i]}
        reused = dict(zip(ids, [keys[i:i + HEX] for i in range(0, len(keys), HEX)]))
        for i in moved:
            del reused[ids[i]]
        if changed:
            for entry_id, related in zip(ids, self.related):
                if related and entry_id in reused and not changed.isdisjoint(related.split(" ")):
                    del reused[entry_id]  # a related entry's title may have changed
        return reused

    def _reusable(self, inputs: KeyInputs, title_of) -> dict:
        """:meth:`reusable` entry by entry (entries added, removed, renamed or moved)."""
        old = self.old
        changed = set(old)  # ids whose title or publication may differ: removed, added or retitled
        same = []
        for entry_id, sha, file in zip(inputs.ids, inputs.hashes, inputs.files):
            kept = old.get(entry_id)
            if kept is not None and kept[0] == sha and kept[1] == file:
                changed.discard(entry_id)
                same.append((entry_id, kept))
            elif kept is not None and title_of(entry_id) == kept[4]:
                changed.discard(entry_id)  # its own page is keyed again; the pages relating to it are not
            else:
                changed.add(entry_id)
        reused = {}
        for entry_id, kept in same:
            related = kept[3]
            if related and not changed.isdisjoint(related.split(" ")):
                continue  # a related entry's title or publication may have changed
            reused[entry_id] = kept[2]
        return reused

    def differs(self, keys: dict[str, str], computed, globals_digest: str) -> bool:
        """True when ``keys`` (every published entry's key now; ``computed``: the ids keyed this run,
        the others taken from this record) are not what the record holds."""
        if not self._read_done:
            self._read()
        if not self.ids or globals_digest != self.globals or len(keys) != len(self.ids):
            return True
        if self._index is None:
            self._index = dict(zip(self.ids, range(len(self.ids))))
        index, old = self._index, self.keys
        for entry_id in computed:
            i = index.get(entry_id)
            if i is None or old[i * HEX:(i + 1) * HEX] != keys[entry_id]:
                return True
        return False

    def serves(self, inputs: KeyInputs, globals_digest: str, title_of) -> bool:
        """True when the record read still serves this run's entries as well as a new one would, so it
        need not be rewritten (2.6 MB at 10,000 entries): the same code, globals, entries and files, at
        most :data:`STALE_LIMIT` whose file changed, none of them retitled. Their own keys are not
        reused from it (their hashes differ), so they are keyed again on each run until it is."""
        if not self._read_done:
            self._read()
        if not self.ids or globals_digest != self.globals:
            return False
        moved = self._moved(inputs)
        return moved is not None and len(moved) <= STALE_LIMIT and all(
            title_of(self.ids[i]) == self.titles[i] for i in moved)

    def save(self, inputs: KeyInputs, keys: dict[str, str], globals_digest: str, title_of) -> None:
        """Record the key of every published entry (``inputs`` and ``title_of`` as for :meth:`reusable`);
        entries that the record cannot hold (no file hash, an unusual id, file name, title or related
        list) are left out, so they are keyed on every run. Never fails the run."""
        if not self._read_done:
            self._read()
        payload = self._patched(inputs, keys, globals_digest, title_of) if self.ids else None
        if payload is None:
            payload = self._whole(inputs, keys, globals_digest, title_of)
        body = jsonio.dumps(payload)
        write_atomically(self.path, b"%08x\n" % zlib.crc32(body) + body)

    def _patched(self, inputs: KeyInputs, keys: dict[str, str], globals_digest: str, title_of) -> dict | None:
        """The record's payload made from the one read, when this run's entries are its entries (see
        :meth:`_moved`): only the entries whose file changed are read again; else None."""
        moved = self._moved(inputs)
        if moved is None:
            return None
        now = [keys.get(entry_id) for entry_id in inputs.ids]
        try:
            joined = "".join(now)
        except TypeError:  # an entry without a key
            return None
        if len(joined) != len(now) * HEX or set(map(len, now)) - {HEX}:
            return None
        related, titles = list(self.related), list(self.titles)
        for i in moved:
            entry_id, others = inputs.ids[i], inputs.related(i)
            title = title_of(entry_id)
            if type(others) not in (list, tuple) or not all(_plain(other) for other in others) \
                    or type(title) is not str:
                return None  # the entry leaves the record: made whole
            related[i], titles[i] = " ".join(others), title
        return {"format": FORMAT, "code": self.code_key, "globals": globals_digest, "ids": "\n".join(inputs.ids),
                "hashes": "".join(inputs.hashes), "files": "\n".join(inputs.files), "keys": joined,
                "related": "\n".join(related), "titles": titles}

    def _whole(self, inputs: KeyInputs, keys: dict[str, str], globals_digest: str, title_of) -> dict:
        """The record's payload made entry by entry."""
        old = self.old
        ids, hashes, files, kept_keys, related_lists, titles = [], [], [], [], [], []
        for i, (entry_id, sha, file) in enumerate(zip(inputs.ids, inputs.hashes, inputs.files)):
            key = keys.get(entry_id)
            kept = old.get(entry_id)
            if kept is not None and kept[0] == sha and kept[1] == file and kept[2] == key:
                ids.append(entry_id)  # as recorded (checked then): the same file gives the same fields
                hashes.append(sha)
                files.append(file)
                kept_keys.append(key)
                related_lists.append(kept[3])
                titles.append(kept[4])
                continue
            related = inputs.related(i)
            if not (_plain(entry_id) and _plain(file) and type(sha) is str and len(sha) == HEX
                    and type(key) is str and len(key) == HEX and type(related) in (list, tuple)
                    and all(_plain(other) for other in related)):
                continue
            title = title_of(entry_id)
            if type(title) is not str:
                continue
            titles.append(title)
            ids.append(entry_id)
            hashes.append(sha)
            files.append(file)
            kept_keys.append(key)
            related_lists.append(" ".join(related))
        return {"format": FORMAT, "code": self.code_key, "globals": globals_digest, "ids": "\n".join(ids),
                "hashes": "".join(hashes), "files": "\n".join(files), "keys": "".join(kept_keys),
                "related": "\n".join(related_lists), "titles": titles}
