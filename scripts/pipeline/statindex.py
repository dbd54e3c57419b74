"""File hashes reused while a file's stat is unchanged, as git's index does (issue 14: one change).

``.cache/stat.json`` maps a file's absolute path to ``[size, mtime_ns, inode, ctime_ns, sha256]``. A
file whose stat is exactly the recorded one is not read again: its recorded SHA-256 stands for its
bytes. Any write changes the modification time (and the change time, even when a tool sets the
modification time back), so a changed file is read and hashed again.

The racy case (git's "racy clean"): a file rewritten within the file system's clock tick after it was
hashed keeps the same modification time. A hash is therefore recorded only for a file whose
modification time is at least :data:`SLACK_NS` older than the moment its stat was taken; a younger
file is hashed again on every run until it is old enough. JSON only; a missing, foreign or malformed
file is an empty index (every file is hashed), never trusted in part.

One stat pass per run: what :meth:`StatIndex.read` found for a file (its hash, and its bytes when it
read them) is handed once to :meth:`StatIndex.take`, so ``validate``'s run key and the load that
follows stat, read and hash each file once. The same index, kept in memory by the live preview's
content cache between saves, is what tells it which files changed (no second map of stamps).

(preview hook, issue 14) A run told which files a watcher saw change (:meth:`StatIndex.begin`'s
``watched``: the resident preview, from its second save on) takes the recorded hash of any other file
without a stat, when that file's row was confirmed by a stat in this process and has not been doubted
since; a reported file, and a file without such a row, is stat'ed as always. The command line has no
watcher: it stats every file.

This module imports nothing heavy: :mod:`.runcache` uses it to replay ``validate``.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from . import jsonio
from .cachefile import write_atomically

STAT_FILE = "stat.json"
FORMAT = 1
SLACK_NS = 2_000_000_000  # 2 s: coarse file system clocks lag the system clock by a tick at most


def _stat_key(stat: os.stat_result) -> list:
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns]


class StatIndex:
    """The stat-keyed hashes of one project root (see the module's text)."""

    def __init__(self, root: Path, enabled: bool = True):
        self.path = Path(root) / ".cache" / STAT_FILE
        self.enabled = enabled
        self.files: dict[str, list] = {}
        self.changed = False
        self.taken: dict[str, tuple] = {}  # this run's reads not yet taken: name -> (size, digest, bytes)
        # the files a watcher saw change since the last run, or None (unknown: every file is stat'ed)
        self.watched: set[str] | None = None
        # names whose row a stat in this process matched or recorded (and no later stat doubted): the rows
        # a run told ``watched`` reuses without a stat. A set of names beside the rows, no second stamp map.
        self.confirmed: set[str] = set()
        if enabled:
            self._read()

    def _read(self) -> None:
        try:
            raw = jsonio.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return
        files = raw.get("files") if isinstance(raw, dict) and raw.get("format") == FORMAT else None
        if isinstance(files, dict):
            self.files = {name: row for name, row in files.items()  # (the test inline: no call per row)
                          if type(row) is list and len(row) == 5 and type(row[0]) is int and type(row[1]) is int
                          and type(row[2]) is int and type(row[3]) is int and type(row[4]) is str
                          and len(row[4]) == 64}

    def known(self, path, stat: os.stat_result) -> str | None:
        """The recorded SHA-256 (hex) of ``path`` when ``stat`` is the one recorded with it, else None."""
        row = self.files.get(os.fspath(path)) if self.enabled else None
        if row is not None and row[:4] == _stat_key(stat):
            self.confirmed.add(os.fspath(path))
            return row[4]
        return None

    def record(self, path, stat: os.stat_result, digest: str, now_ns: int | None = None) -> None:
        """Remember ``digest`` for ``path`` as it was when ``stat`` was taken (before its bytes were
        read), unless the file is too young to be told apart from a rewrite in the same clock tick."""
        if not self.enabled:
            return
        now_ns = time.time_ns() if now_ns is None else now_ns
        name = os.fspath(path)
        if stat.st_mtime_ns > now_ns - SLACK_NS or stat.st_ctime_ns > now_ns - SLACK_NS:
            # forgotten here; the row written before may stay on disk until the next write: it holds a
            # stat this file can no longer have (its change time moved on), so it never vouches for it
            self.files.pop(name, None)
            self.confirmed.discard(name)
            return
        row = _stat_key(stat) + [digest]
        self.confirmed.add(name)
        if self.files.get(name) != row:
            self.files[name] = row
            self.changed = True

    def read(self, path, max_bytes: int | None = None) -> tuple[str | None, bytes | None]:
        """``(SHA-256 hex, bytes)`` of ``path``: bytes None when the recorded hash was reused;
        ``(None, None)`` when the file cannot be read or has more than ``max_bytes``. What it found
        is kept for one :meth:`take` of the same path in this run."""
        size, digest, data = self._stat_read(path, max_bytes)
        if digest is not None and self.enabled:
            self.taken[os.fspath(path)] = (size, digest, data)
        return digest, data

    def known_hash(self, path: str) -> str | None:
        """:meth:`read` for a file named by a string whose stat is the recorded one (the common case,
        made without a call per step: ``validate`` asks it of every file under content/); else the
        hash :meth:`read` gives (None when the file cannot be read)."""
        try:
            stat = os.stat(path)
        except OSError:
            return None
        row = self.files.get(path) if self.enabled else None
        if (row is not None and row[0] == stat.st_size and row[1] == stat.st_mtime_ns and row[2] == stat.st_ino
                and row[3] == stat.st_ctime_ns):
            self.taken[path] = (stat.st_size, row[4], None)
            return row[4]
        return self.read(path)[0]

    def take(self, path, max_bytes: int | None = None) -> tuple[str | None, bytes | None]:
        """:meth:`read`, answered by the read of the same path earlier in this run when there was one
        (that answer is used once: a later call stats the file again). In a run told ``watched``
        (:meth:`begin`), a file not among them whose row is confirmed is answered by its row, unstat'ed."""
        name = os.fspath(path)
        kept = self.taken.pop(name, None)
        if kept is None:
            watched = self.watched
            if watched is not None and name not in watched and name in self.confirmed:
                row = self.files[name]
                if max_bytes is not None and row[0] > max_bytes:
                    return None, None
                return row[4], None
            return self._stat_read(path, max_bytes)[1:]
        size, digest, data = kept
        if max_bytes is not None and size > max_bytes:
            return None, None
        return digest, data

    def unchanged(self, names, max_bytes: int | None = None) -> dict[str, str]:
        """``{name: recorded SHA-256}`` of the files among ``names`` (strings) whose stat is their recorded
        one and whose size is at most ``max_bytes``: :meth:`take` of each, made in one loop (issue 14: no
        call per file of 10,000); a read of this run that vouched for a file's hash without its bytes
        (:meth:`known_hash`) answers for it, once. A file left out is to be taken as usual; in a run told
        ``watched`` (:meth:`begin`), every file is (empty answer)."""
        if not self.enabled or self.watched is not None:
            return {}
        files, stat, taken, out = self.files, os.stat, self.taken, {}
        for name in names:
            if taken:
                kept = taken.get(name)
                if kept is not None:
                    if kept[2] is None and (max_bytes is None or kept[0] <= max_bytes):
                        del taken[name]
                        out[name] = kept[1]
                    continue
            row = files.get(name)
            if row is None:
                continue
            try:
                st = stat(name)
            except OSError:
                continue
            if (row[1] == st.st_mtime_ns and row[0] == st.st_size and row[2] == st.st_ino and row[3] == st.st_ctime_ns
                    and (max_bytes is None or st.st_size <= max_bytes)):
                out[name] = row[4]
        self.confirmed.update(out)
        return out

    def begin(self, watched: set[str] | None = None) -> None:
        """Start another run: reads of the last one are not taken any more (the files may have changed).
        ``watched``: the paths (as :meth:`take` is given them) a watcher saw change since the last run
        with this index in this process, or None (unknown: every file is stat'ed, as on the command line)."""
        self.taken = {}
        self.watched = watched

    def _stat_read(self, path, max_bytes: int | None) -> tuple[int, str | None, bytes | None]:
        """``(size, SHA-256 hex, bytes)``: see :meth:`read`."""
        self.confirmed.discard(os.fspath(path))  # confirmed again below when its stat matches or is recorded
        try:
            stat = os.stat(path)
        except OSError:
            return 0, None, None
        if max_bytes is not None and stat.st_size > max_bytes:
            return stat.st_size, None, None
        digest = self.known(path, stat)
        if digest is not None:
            return stat.st_size, digest, None
        try:
            with open(path, "rb") as handle:
                data = handle.read()
                after = os.fstat(handle.fileno())
        except OSError:
            return stat.st_size, None, None
        digest = hashlib.sha256(data).hexdigest()
        if _stat_key(after) == _stat_key(stat):  # not rewritten while read
            self.record(path, stat, digest)
        return len(data), digest, data

    def save(self) -> None:
        """Write the index when it changed; a read-only checkout only makes the next run slower."""
        if not self.enabled or not self.changed:
            return
        if write_atomically(self.path, jsonio.dumps({"format": FORMAT, "files": self.files})):
            self.changed = False
