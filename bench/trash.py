"""Folders a benchmark no longer needs are moved aside while it measures, and deleted at its end.

The disk of RESULTS.md's machine is ext4 without a journal. There, to allocate an inode, ext4 skips
every inode of the group freed in the last 60 s (300 s while its table block is dirty), reading that
block for each one (``recently_deleted`` in fs/ext4/ialloc.c). A run started right after thousands of
files were deleted therefore paid seconds of system time creating its own files: ``perf`` put
``find_get_block_common``, ``recently_deleted`` and ``find_inode_bit`` at the top of the kernel's
share, and in alternated pairs whichever side ran first after the deletion paid it (2026-11-30).
Renaming a folder frees no inode, so moving it into :data:`TRASH` keeps that cost out of every
measured run; :func:`emptied` deletes the trash when measuring is over.
"""

from __future__ import annotations

import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from bench.generate import REPO

TRASH = REPO / "bench" / "out" / ".trash"


def set_aside(folder: Path, into: Path = TRASH) -> None:
    """Move ``folder``, when it exists, into the trash folder ``into`` (made when needed) under a new name."""
    if folder.exists():
        into.mkdir(parents=True, exist_ok=True)
        folder.rename(into / f"{folder.name.lstrip('.')}-{time.time_ns()}")


@contextmanager
def emptied(folder: Path = TRASH):
    """Delete the trash ``folder`` (with what an interrupted run left there) when the block ends, however
    it ends."""
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
