"""write_atomically: the whole file or nothing, its folder made when missing, False when refused."""

from __future__ import annotations

import os

from scripts.pipeline.cachefile import write_atomically


def test_writes_creates_folder_and_replaces(tmp_path):
    """A missing folder is made; a second write replaces the file; no temporary file is left."""
    path = tmp_path / "a" / "b" / "00.shard"
    assert write_atomically(path, b"one")
    assert path.read_bytes() == b"one"
    big = bytes(range(256)) * 40_000  # 10 MB: written whole even if the system writes it in parts
    assert write_atomically(path, big)
    assert path.read_bytes() == big
    assert sorted(os.listdir(path.parent)) == ["00.shard"]


def test_refused_write_returns_false(tmp_path):
    """A folder that cannot be made (a file stands in its place) gives False, not an exception."""
    (tmp_path / "a").write_bytes(b"")
    assert write_atomically(tmp_path / "a" / "x.json", b"{}") is False
    assert (tmp_path / "a").read_bytes() == b""
