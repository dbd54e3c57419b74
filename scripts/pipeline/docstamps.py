"""Stamps of the docs folder's files, kept between runs so an unchanged page is neither encoded nor read.

A page whose text a key determines (the page stages give one: its abbreviations' cache key, or the
JSON twin's) is skipped by :func:`~.build.write_tree` when the file still has the (size, modification
time, inode) recorded the last time its text was written or verified under the same key, by the same
code (the cache's key) and for the same docs folder. Like git's index, a stamp is recorded only for
a file last modified at least :data:`RACY_NS` before the record is made, so a later edit of the file
always changes its stamp. The file ``.cache/docstamps.json`` is plain JSON; a missing, foreign or
malformed one is ignored (every page is then compared as before) and rewritten.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from .cache import CACHE_DIR
from .cachefile import write_atomically
from .statindex import SLACK_NS

FILE = "docstamps.json"
RACY_NS = SLACK_NS  # a file modified this recently is compared again next run (as in the stat index)


class DocStamps:
    """The recorded stamps of one docs folder, and the keys of the pages of this run."""

    def __init__(self, root: Path, docs_dir: Path, code_key: str, keys: dict[str, str]):
        self.path = Path(root) / CACHE_DIR / FILE
        self.docs = os.path.abspath(docs_dir)
        self.code_key = code_key
        self.keys = keys
        self.old: dict = {}
        self.new: dict[str, list] = {}
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(raw, dict) and raw.get("code") == code_key and raw.get("docs") == self.docs \
                    and isinstance(raw.get("files"), dict):
                self.old = raw["files"]
        except (OSError, ValueError):
            pass

    def unchanged(self, relative: str, target: str) -> bool:
        """True when the file ``target`` (docs-relative ``relative``) holds this run's text of the page,
        as its key and recorded stamp vouch; the stamp is then kept for the next run."""
        key = self.keys.get(relative)
        last = self.old.get(relative)
        if key is None or not isinstance(last, list) or len(last) != 4 or last[0] != key:
            return False
        try:
            stat = os.stat(target)
        except OSError:
            return False
        if [stat.st_size, stat.st_mtime_ns, stat.st_ino] != last[1:]:
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
        """Write the stamps of this run (never fails the run); recent files are left out (racy)."""
        limit = time.time_ns() - RACY_NS
        files = {relative: value for relative, value in self.new.items() if value[2] < limit}
        if files == self.old:
            return
        payload = json.dumps({"code": self.code_key, "docs": self.docs, "files": files}, separators=(",", ":"))
        write_atomically(self.path, payload.encode("utf-8"))
