"""Helpers shared by the tests that compare a docs folder with a cold build's."""

from __future__ import annotations

from pathlib import Path

from scripts.pipeline.build import prepare
from scripts.pipeline.content import Layout


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, by its relative POSIX path, with its bytes."""
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def cold_tree(layout: Layout, folder: Path, monkeypatch) -> dict[str, bytes]:
    """The docs folder a build with the content cache turned off writes to ``folder``."""
    with monkeypatch.context() as patch:
        patch.setenv("MARGIN_NOTES_CACHE", "0")
        prepare(layout, folder, assets=False)
    return tree(folder)


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in the file with ``new`` (``old`` must be there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
