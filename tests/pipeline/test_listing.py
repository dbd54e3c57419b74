"""The one listing of entry files: ``Layout.entry_files`` and the loader's ``entry_listing`` name the
same files in the same order (every ``*.yaml`` by name, then every ``*.yml``), links resolved."""

from __future__ import annotations

import os

from scripts.pipeline.build import entry_listing
from scripts.pipeline.content import Layout
from scripts.pipeline.load import display_path


def test_both_listings_agree(tmp_path):
    entries = tmp_path / "content" / "entries"
    entries.mkdir(parents=True)
    for name in ["b.yml", "a.yml", "z.yaml", "c.yaml", ".hidden.yaml", "notes.txt", "x.yaml.bak", "B.yaml"]:
        (entries / name).write_text("id: x\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text("id: y\n", encoding="utf-8")
    os.symlink(elsewhere, entries / "linked.yaml")
    layout = Layout(tmp_path)
    names = [path.name for path in layout.entry_files()]
    assert names == [".hidden.yaml", "B.yaml", "c.yaml", "linked.yaml", "z.yaml", "a.yml", "b.yml"]
    listing = entry_listing(layout)
    assert list(listing) == [path.resolve() for path in layout.entry_files()]
    assert list(listing.values()) == [display_path(path.resolve(), tmp_path) for path in layout.entry_files()]
    assert listing[elsewhere.resolve()] == "elsewhere.yaml"


def test_a_missing_folder_lists_nothing(tmp_path):
    layout = Layout(tmp_path)
    assert layout.entry_files() == [] and entry_listing(layout) == {}
