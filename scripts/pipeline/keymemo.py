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


def _plain(text) -> bool:
    """True for an id or file name the record can hold (text without the separators it uses)."""
    return type(text) is str and bool(text) and "\n" not in text and " " not in text


class KeyMemo:
    """The kept page keys of one project (see the module)."""

    def __init__(self, folder: Path, code_key: str):
        self.path = Path(folder) / FILE
        self.code_key = code_key
        self.old: dict[str, tuple] | None = None  # id -> (hash, file, key, related, title)
        self.globals = ""

    def _read(self) -> None:
        """Take the record when it is whole and of this code; else keep none."""
        self.old = {}
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
        self.old = {entry_id: (hashes[i * HEX:(i + 1) * HEX], files[i], keys[i * HEX:(i + 1) * HEX], related[i],
                               titles[i]) for i, entry_id in enumerate(ids)}

    def reusable(self, entries: list[tuple[str, str | None, str | None, object]], globals_digest: str,
                 title_of) -> dict:
        """``{id: key}`` of the kept keys still right. ``entries``: ``(id, file hash, file name,
        related ids)`` of every published entry now; ``title_of(id)``: an entry's title now (read only
        for the entries whose file changed)."""
        if self.old is None:
            self._read()
        old = self.old
        if not old or globals_digest != self.globals:
            return {}
        changed = set(old)  # ids whose title or publication may differ: removed, added or retitled
        same = []
        for entry_id, sha, file, related in entries:
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
        if self.old is None or globals_digest != self.globals or len(keys) != len(self.old):
            return True
        old = self.old
        return any(old.get(entry_id, "")[2:3] != (keys[entry_id],) for entry_id in computed)

    def save(self, entries: list[tuple[str, str | None, str | None, object]], keys: dict[str, str],
             globals_digest: str, title_of) -> None:
        """Record the key of every published entry (``entries`` and ``title_of`` as for :meth:`reusable`);
        entries that the record cannot hold (no file hash, an unusual id, file name, title or related
        list) are left out, so they are keyed on every run. Never fails the run."""
        old = self.old or {}
        ids, hashes, files, kept_keys, related_lists, titles = [], [], [], [], [], []
        for entry_id, sha, file, related in entries:
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
        payload = {"format": FORMAT, "code": self.code_key, "globals": globals_digest, "ids": "\n".join(ids),
                   "hashes": "".join(hashes), "files": "\n".join(files), "keys": "".join(kept_keys),
                   "related": "\n".join(related_lists), "titles": titles}
        body = jsonio.dumps(payload)
        write_atomically(self.path, b"%08x\n" % zlib.crc32(body) + body)
