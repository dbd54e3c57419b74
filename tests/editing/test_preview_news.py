"""What the preview server tells an open page after a build (scripts/preview_http.py), without a browser:
which pages changed since the page's build, and when every page must reload instead."""

from __future__ import annotations

import json

import pytest

from scripts.preview_http import PreviewServer
from scripts.preview_server import _used_by_pages


@pytest.fixture
def server(tmp_path):
    """A preview server that is never started (no socket is bound before ``serve``)."""
    server = PreviewServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    server._visible_epoch = server._wanted_epoch = 100
    yield server
    server.server_close()


def _build(server: PreviewServer, epoch: int, reload: bool, pages=()) -> None:
    """What MkDocs' build loop and the preview's builder do for one build."""
    server._wanted_epoch = epoch
    server.record(reload=reload, pages=pages)
    server._visible_epoch = epoch


def _news(server: PreviewServer, since: int) -> dict:
    with server._epoch_cond:
        return json.loads(server._news(since))


def test_a_page_learns_the_pages_every_build_since_its_own_changed(server):
    _build(server, 200, False, ["entries/a/", "categories/x/"])
    _build(server, 300, False, ["entries/b/"])
    assert _news(server, 100) == {"epoch": 300, "reload": False, "pages": ["categories/x/", "entries/a/", "entries/b/"]}
    assert _news(server, 200) == {"epoch": 300, "reload": False, "pages": ["entries/b/"]}
    _build(server, 400, True)  # a full build, or content problems: every page reloads
    assert _news(server, 300)["reload"] and _news(server, 100)["reload"]


def test_a_page_older_than_the_builds_remembered_reloads(server):
    for n in range(server.news.maxlen + 1):
        _build(server, 200 + n, False, [f"entries/e{n}/"])
    assert _news(server, 100)["reload"]  # the first build's pages are forgotten
    assert not _news(server, 201)["reload"]


def test_a_build_that_recorded_nothing_reloads_every_page(server):
    server._visible_epoch = 150  # e.g. MkDocs' own build loop after a builder that did not record
    assert _news(server, 100) == {"epoch": 150, "reload": True, "pages": []}


def test_only_files_that_pages_load_make_them_reload():
    assert not _used_by_pages("entries/a.md")
    assert not _used_by_pages("entries/a.json") and not _used_by_pages("entries.json")  # data exports
    assert not _used_by_pages("rules.json") and not _used_by_pages("schema/entry.json.schema.json")
    assert _used_by_pages("assets/javascripts/catalogue.json") and _used_by_pages("assets/javascripts/mncalc.js")
    assert _used_by_pages("market.json")  # the MkDocs hook puts it in every page's header strip


def test_a_closed_or_renamed_file_shortens_the_wait_for_more_events(server):
    assert server.build_delay == 0.05
    server.settled = True
    assert server.build_delay == 0.02
