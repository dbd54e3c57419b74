"""Writing a file of the cache under ``.cache/`` in one step, so a reader never sees half of it."""

from __future__ import annotations

import os
from pathlib import Path

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def write_atomically(path: Path, data: bytes) -> bool:
    """Replace ``path`` with ``data`` through a temporary file renamed over it, creating its folder.

    Returns False when the file system refuses (a read-only checkout: the run is still right, only
    slower next time). Plain ``os`` calls, the folder made only when the temporary file cannot be
    (a cold save writes 256 shards into one folder: issue 14)."""
    path = Path(path)
    target, temporary = os.fspath(path), os.fspath(path.with_suffix(f".{os.getpid()}.tmp"))
    try:
        try:
            handle = os.open(temporary, _FLAGS, 0o666)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(temporary) or ".", exist_ok=True)
            handle = os.open(temporary, _FLAGS, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view):]
        finally:
            os.close(handle)
        os.replace(temporary, target)
        return True
    except OSError:
        return False
