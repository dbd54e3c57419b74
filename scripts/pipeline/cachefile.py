"""Writing a file of the cache under ``.cache/`` in one step, so a reader never sees half of it."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> bool:
    """Replace ``path`` with ``data`` through a temporary file renamed over it, creating its folder.

    Returns False when the file system refuses (a read-only checkout: the run is still right, only
    slower next time)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)
        return True
    except OSError:
        return False
