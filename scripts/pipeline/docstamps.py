"""Stamps of the docs folder's files, kept between runs so an unchanged page is neither encoded nor read.

A page is known by a key that determines its text: the key the page stages give it (its
abbreviations' cache key, or the JSON twin's), or, for a page without one, a digest of its text. It
is skipped by :func:`~.build.write_tree` when its file still has the (size, modification time,
inode) recorded the last time its text was written or verified under the same key, by the same code
(the cache's key) and for the same docs folder.

One mechanism, two memories. Across processes the stamps are kept in ``.cache/docstamps.json``:
like git's index, a stamp is recorded there only for a file last modified at least :data:`RACY_NS`
before the record is made, so a later edit of the file always changes its stamp; a missing, foreign
or malformed file is ignored (every page is then compared as before) and rewritten. A process that
runs again and again (the preview) also hands a dict (``memory``) in which the stamps of its last
run are kept as they are, the racy ones too, as the files it wrote itself.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from . import jsonio
from .cache import CACHE_DIR
from .cachefile import write_atomically
from .statindex import SLACK_NS

FILE = "docstamps.json"
RACY_NS = SLACK_NS  # a file modified this recently is compared again next run (as in the stat index)
MEMORY_KEY = "\0docstamps"  # the entry of ``memory`` that holds the code and folder its stamps are for


def text_key(text: str) -> str:
    """The key of a page without one: a digest of its text."""
    return "text:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class DocStamps:
    """The recorded stamps of one docs folder, and the keys of the pages of this run. ``root`` None:
    kept in ``memory`` only (no file)."""

    def __init__(self, root: Path | None, docs_dir: Path, code_key: str, keys: dict[str, str],
                 memory: dict | None = None):
        self.path = Path(root) / CACHE_DIR / FILE if root is not None else None
        self.docs = os.path.abspath(docs_dir)
        self.code_key = code_key
        self.keys = keys
        self.memory = memory
        self.old: dict = {}
        self.new: dict[str, list] = {}
        self.on_disk: dict = {}
        if memory is not None and memory.get(MEMORY_KEY) == (code_key, self.docs):
            self.old = memory
        if self.path is not None:
            try:
                raw = jsonio.loads(self.path.read_bytes())
                if isinstance(raw, dict) and raw.get("code") == code_key and raw.get("docs") == self.docs \
                        and isinstance(raw.get("files"), dict):
                    self.on_disk = raw["files"]
            except (OSError, ValueError):
                pass
            if self.old is not memory:
                self.old = self.on_disk

    def key_of(self, relative: str, text) -> str:
        """The key of ``relative``: its page's, else (``text()`` made now) its text's digest."""
        key = self.keys.get(relative)
        if key is None:
            key = self.keys[relative] = text_key(text())
        return key

    def _recorded(self, relative: str) -> list | None:
        """The recorded [key, size, modification time, inode] of ``relative`` when its key is this run's."""
        key = self.keys.get(relative)
        last = self.old.get(relative)
        if key is None or not isinstance(last, list) or len(last) != 4 or last[0] != key:
            return None
        return last

    def kept(self, relative: str) -> bool:
        """(preview hook, issue 14) For a docs folder only this process writes: True when the file of
        ``relative`` was last left with this run's key; its stamp is then kept, without a stat."""
        last = self._recorded(relative)
        if last is None:
            return False
        self.new[relative] = last
        return True

    def unchanged(self, relative: str, target: str) -> bool:
        """True when the file ``target`` (docs-relative ``relative``) holds this run's text of the page,
        as its key and recorded stamp vouch; the stamp is then kept for the next run."""
        last = self._recorded(relative)
        if last is None:
            return False
        try:
            stat = os.stat(target)
        except OSError:
            return False
        if last[2] != stat.st_mtime_ns or last[1] != stat.st_size or last[3] != stat.st_ino:
            return False
        self.new[relative] = last
        return True

    def seen(self, relative: str, stamp: tuple[int, int, int]) -> None:
        """Record that the file of ``relative`` now holds this run's text, with ``stamp`` (size,
        modification time, inode); pages without a key are not recorded."""
        key = self.keys.get(relative)
        if key is not None:
            self.new[relative] = [key, *stamp]

    def save(self) -> None:
        """Keep the stamps of this run: all of them in ``memory``, those not racy in the file (never
        fails the run)."""
        if self.memory is not None:
            self.memory.clear()
            self.memory.update(self.new)
            self.memory[MEMORY_KEY] = (self.code_key, self.docs)
        if self.path is None:
            return
        limit = time.time_ns() - RACY_NS
        # a racy stamp is not recorded; the file's last record stays instead: it names the stamp the
        # file had before this run wrote it, which the file can never show again, so it vouches for nothing
        # but spares rewriting the record for a few changed files
        on_disk = self.on_disk
        files = {relative: value if value[2] < limit else on_disk.get(relative) for relative, value in self.new.items()}
        files = {relative: value for relative, value in files.items() if value is not None}
        if files == on_disk:
            return
        write_atomically(self.path, jsonio.dumps({"code": self.code_key, "docs": self.docs, "files": files}))
