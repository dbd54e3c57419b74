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
        self.old_tree: dict | None = None  # the folder as the last run left it (see :meth:`tree_unchanged`)
        self.tree: dict | None = None
        if memory is not None and memory.get(MEMORY_KEY) == (code_key, self.docs):
            self.old = memory
        if self.path is not None:
            try:
                raw = jsonio.loads(self.path.read_bytes())
                if isinstance(raw, dict) and raw.get("code") == code_key and raw.get("docs") == self.docs \
                        and isinstance(raw.get("files"), dict):
                    self.on_disk = raw["files"]
                    self.old_tree = raw.get("tree") if _valid_tree(raw.get("tree")) else None
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
        last = self.old.get(relative)  # (_recorded, inline: called for each of 20,000 files)
        if type(last) is not list or len(last) != 4:
            return False
        key = self.keys.get(relative)
        if key is None or last[0] != key:
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

    def tree_unchanged(self, pages_digest: str) -> list[str] | None:
        """The folders under the docs folder (relative, "" for itself) when it certainly holds exactly the
        files the last run left and that run wrote the same pages (``pages_digest``: a digest of this run's
        page paths): each folder still has the (modification time, inode) recorded then, which any file
        created, removed or renamed in it would change, and every stamp was recorded at least
        :data:`RACY_NS` after it was made. None otherwise (the folder is then walked)."""
        tree = self.old_tree
        if tree is None or tree["pages"] != pages_digest:
            return None
        for relative, stamp in tree["dirs"].items():
            try:
                stat = os.stat(os.path.join(self.docs, relative) if relative else self.docs)
            except OSError:
                return None
            if [stat.st_mtime_ns, stat.st_ino] != stamp:
                return None
        return list(tree["dirs"])

    def note_tree(self, folders: list[str], pages_digest: str) -> None:
        """Record the folders under the docs folder (relative, "" for itself) as this run leaves them,
        holding exactly the pages of ``pages_digest``. When one was modified too recently to vouch for
        the next run (a change within its clock's tick would keep its stamp), the last record stays, as
        a racy file's does: a folder changed since shows a stamp it can never show again, so it
        vouches for nothing, while the folders it still describes hold what they held."""
        limit = time.time_ns() - RACY_NS
        dirs = {}
        self.tree = self.old_tree
        for relative in folders:
            try:
                stat = os.stat(os.path.join(self.docs, relative) if relative else self.docs)
            except OSError:
                return
            if stat.st_mtime_ns >= limit:
                return
            dirs[relative] = [stat.st_mtime_ns, stat.st_ino]
        self.tree = {"pages": pages_digest, "dirs": dirs}

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
        if files == on_disk and self.tree == self.old_tree:
            return
        record = {"code": self.code_key, "docs": self.docs, "files": files}
        if self.tree is not None:
            record["tree"] = self.tree
        write_atomically(self.path, jsonio.dumps(record))


def _valid_tree(tree) -> bool:
    """Whether ``tree`` is a record :meth:`DocStamps.note_tree` makes (a damaged one is not used)."""
    return type(tree) is dict and type(tree.get("pages")) is str and type(tree.get("dirs")) is dict and all(
        type(relative) is str and type(stamp) is list and len(stamp) == 2 and all(type(n) is int for n in stamp)
        for relative, stamp in tree["dirs"].items())
