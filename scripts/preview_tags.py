"""The tag index of the live preview, rendered again from what its last rendering made (used by
:mod:`scripts.preview_resident`).

When a saved entry's title or tags change, Material's tags plugin fills the tag index (tags.md) again
from every page's tags: at 10,000 entries it renders some 90 tag listings of 29,000 links with Jinja
and writes tags.json with Python's pure-Python JSON encoder, about 0.5 s of CPU for one changed page.
:class:`TagIndex` keeps both results and lets the plugin's own code run on them:

* a page's mapping (its tags) is placed in the listing's tag trees where it was placed last time, when
  it is the same mapping (a page read again gets a new one; its tags are then matched as the plugin
  does): the plugin's ``Listing.add`` matches every page's tags against the listing, 10,000 times;
* a tag's listing (``fragments/tags/<layout>/listing.html``) is rendered again only when what it
  shows changed: its heading, or the address or title of one of its pages, in order (a listing with
  nested tags is always rendered);
* tags.json is the JSON the plugin's export writes (``json.dump`` of ``{"mappings": [...]}``), made
  from each page's part, encoded again only for a page whose mapping or title changed.

What the page and tags.json hold is what the plugin makes (tests/editing/test_preview_tags.py).
"""

from __future__ import annotations

import contextlib
import json
import os

from material.plugins.tags import plugin as tags_plugin
from material.plugins.tags.structure.listing import Listing
from material.plugins.tags.structure.listing.tree import ListingTree
from material.plugins.tags.structure.mapping.storage import _mapping_to_json


class TagIndex:
    """The tag listings and tags.json parts of the last rendering of the tag index."""

    def __init__(self):
        self.listings: dict[str, tuple[tuple, str]] = {}  # tag name: (what its listing shows, its HTML)
        self.exported: dict[str, tuple[object, object, str]] = {}  # page address: (mapping, title, JSON)
        self.rendered = self.reused = 0  # listings of the last rendering (for tests and the log)
        # ((listing's page, place, settings), hidden tags shown, id(mapping)): (the mapping, its tags' paths)
        self.placed: dict[tuple, tuple[object, list[tuple[tuple, object]]]] = {}
        self._last_placed: dict = {}  # the placements of the last rendering, during one
        self._listings: dict = {}  # id(listing): (listing, what identifies it), during a rendering
        self.matched = 0  # mappings matched by the plugin in the last rendering (for tests)

    @contextlib.contextmanager
    def rendering(self):
        """During the block, the tags plugin renders listings through :meth:`render` and places pages in
        them through :meth:`place`."""
        original = tags_plugin.Renderer
        index = self

        class Renderer(original):
            def render(self, page, name, **kwargs):
                return index.render(lambda: original.render(self, page, name, **kwargs), page, name, kwargs)

        add = Listing.add

        def place(listing, mapping, *, hidden=True):
            index.place(add, listing, mapping, hidden)

        self.rendered = self.reused = self.matched = 0
        last, self.placed = self.placed, {}
        self._last_placed, self._listings = last, {}
        tags_plugin.Renderer, Listing.add = Renderer, place
        try:
            yield
        finally:
            tags_plugin.Renderer, Listing.add = original, add
            if not self.placed:  # no listing was filled: the placements stay for the next one
                self.placed = last
            self._last_placed, self._listings = {}, {}

    def place(self, add, listing, mapping, hidden: bool) -> None:
        """``add(listing, mapping, hidden=hidden)``, the tags plugin's ``Listing.add``: the mapping goes
        into the tag trees of ``listing`` along the paths it took last time, when it is the same mapping
        in the same listing (else ``add`` matches its tags, and the paths it took are kept)."""
        which = self._listings.get(id(listing))
        if which is None or which[0] is not listing:  # its page, place and settings
            which = self._listings[id(listing)] = (listing, (listing.page.url, listing.id, repr(dict(listing.config))))
        key = (which[1], hidden, id(mapping))
        last = self._last_placed.get(key)
        if last is not None and last[0] is mapping:
            for chain, leaf in last[1]:
                tree = listing.tags
                for tag in chain:  # as Listing.add does
                    if tag not in tree:
                        tree[tag] = ListingTree(tag)
                    if tag == leaf:
                        tree[tag].mappings.append(mapping)
                    else:
                        tree = tree[tag].children
        else:
            add(listing, mapping, hidden=hidden)
            self.matched += 1
            last = (mapping, [(tuple(reversed([*leaf])), leaf) for leaf in listing & mapping
                              if hidden or not leaf.hidden])
        self.placed[key] = last

    def render(self, make, page, name: str, kwargs: dict) -> str:
        """The template ``name`` rendered for ``page`` (``make()`` renders it), from memory when it is a
        listing without nested tags that shows what it showed last time."""
        tree = kwargs.get("listing")
        if not name.endswith("/listing.html") or tree is None or tree.children or set(kwargs) != {"listing"}:
            return make()
        shown = (page.url, name, tree.content, tuple((m.item.url, m.item.title) for m in tree.mappings))
        tag = str(tree.tag)
        kept = self.listings.get(tag)
        if kept is not None and kept[0] == shown:
            self.reused += 1
            return kept[1]
        html = make()
        self.listings[tag] = (shown, html)
        self.rendered += 1
        return html

    def export(self, tags, config) -> None:
        """Write tags.json as the tags plugin's export does (``tags``: the plugin, with its mappings)."""
        path = os.path.normpath(os.path.join(config.site_dir, tags.config.export_file))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        kept, parts = self.exported, {}
        for mapping in tags.mappings:
            item = mapping.item
            last = kept.get(item.url)
            if last is None or last[0] is not mapping or last[1] != item.title:
                # (a page read again gets a new mapping: its tags are the new mapping's)
                last = (mapping, item.title, json.dumps(_mapping_to_json(mapping)))
            parts[item.url] = last
        self.exported = parts
        with open(path, "w", encoding="utf-8") as handle:
            handle.write('{"mappings": [' + ", ".join(part[2] for part in parts.values()) + "]}")
