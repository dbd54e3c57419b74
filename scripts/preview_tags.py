"""The tag index of the live preview, rendered again from what its last rendering made (used by
:mod:`scripts.preview_resident`).

When a saved entry's title or tags change, Material's tags plugin fills the tag index (tags.md) again
from every page's tags: at 10,000 entries it renders some 90 tag listings of 29,000 links with Jinja
and writes tags.json with Python's pure-Python JSON encoder, about 0.5 s of CPU for one changed page.
:class:`TagIndex` keeps both results and lets the plugin's own code run on them:

* a listing's tag trees start from the pages placed in them last time whose mapping (their tags) is
  the same, in the site's order; only a page read again (it gets a new mapping) is matched by the
  plugin's ``Listing.add`` and moved to its place in that order (the plugin matches every page's tags
  against the listing, 10,000 times); listings with nested tags, or sorted by more than the tag's
  name, are filled by the plugin alone;
* a tag's listing (``fragments/tags/<layout>/listing.html``) is rendered again only when what it
  shows changed: its heading, or the address or title of one of its pages, in order (a listing with
  nested tags is always rendered);
* tags.json is the JSON the plugin's export writes (``json.dump`` of ``{"mappings": [...]}``), made
  from each page's part, encoded again only for a page whose mapping or title changed.

What the page and tags.json hold is what the plugin makes (tests/editing/test_preview_tags.py).
"""

from __future__ import annotations

import bisect
import contextlib
import json
import os

from material.plugins.tags import plugin as tags_plugin
from material.plugins.tags import tag_name
from material.plugins.tags.structure.listing import Listing
from material.plugins.tags.structure.listing.tree import ListingTree
from material.plugins.tags.structure.mapping.storage import _mapping_to_json


class TagIndex:
    """The tag listings and tags.json parts of the last rendering of the tag index."""

    def __init__(self):
        self.listings: dict[str, tuple[tuple, str]] = {}  # tag name: (what its listing shows, its HTML)
        self.exported: dict[str, tuple[object, object, str]] = {}  # page address: (mapping, title, JSON)
        self.rendered = self.reused = 0  # listings of the last rendering (for tests and the log)
        # per listing (its page, place, settings, whether hidden tags show): {id(mapping): (the mapping,
        # the tags it was listed under)}, for a listing without nested tags
        self.placed: dict[tuple, dict[int, tuple[object, tuple]]] = {}
        self._filling: dict[int, _Filling] = {}  # id(listing): the listing being filled, during a rendering
        self._mappings = None  # the tags plugin's mappings, during a rendering
        self.matched = 0  # mappings matched by the plugin in the last rendering (for tests)

    @contextlib.contextmanager
    def rendering(self, plugin=None):
        """During the block, the tags plugin renders listings through :meth:`render`; with ``plugin``
        (the tags plugin, its listings sorted by tag name), pages are placed in them through :meth:`place`."""
        original = tags_plugin.Renderer
        index = self

        class Renderer(original):
            def render(self, page, name, **kwargs):
                return index.render(lambda: original.render(self, page, name, **kwargs), page, name, kwargs)

        add = Listing.add

        def place(listing, mapping, *, hidden=True):
            index.place(add, listing, mapping, hidden)

        self.rendered = self.reused = self.matched = 0
        flat_sort = plugin is not None and plugin.config.listings_tags_sort_by is tag_name and \
            not plugin.config.tags_hierarchy
        self._mappings, self._filling = (plugin.mappings if flat_sort else None), {}
        tags_plugin.Renderer, Listing.add = Renderer, place
        try:
            yield
        finally:
            tags_plugin.Renderer, Listing.add = original, add
            for filling in self._filling.values():
                if filling.placed is None:
                    self.placed.pop(filling.which, None)
                else:
                    self.placed[filling.which] = filling.placed
            self._mappings, self._filling = None, {}

    def place(self, add, listing, mapping, hidden: bool) -> None:
        """``add(listing, mapping, hidden=hidden)``, the tags plugin's ``Listing.add``, for each page of
        the site in order. At the first page, every page listed last time with the same mapping is put
        back under the tags it was listed under, in the site's order; each later call for such a page
        does nothing, and a changed page is added by ``add`` and moved to its place in the site's order."""
        filling = self._filling.get(id(listing))
        if filling is None or filling.listing is not listing:
            which = (listing.page.url, listing.id, repr(dict(listing.config)), hidden)
            filling = self._filling[id(listing)] = _Filling(listing, which, self.placed.get(which), self._mappings)
        key = id(mapping)
        if key in filling.kept:
            return
        add(listing, mapping, hidden=hidden)
        self.matched += 1
        leaves = tuple(leaf for leaf in listing & mapping if hidden or not leaf.hidden)
        if filling.placed is None or any(leaf.parent is not None for leaf in leaves):
            filling.placed = None  # nested tags: not kept
            return
        filling.placed[key] = (mapping, leaves)
        if filling.order is not None:
            order = filling.order
            for leaf in leaves:
                mappings = listing.tags[leaf].mappings
                if mappings[-1] is mapping:  # (added last:) its place in the site's order
                    mappings.pop()
                    bisect.insort(mappings, mapping, key=lambda item: order[id(item)])


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


class _Filling:
    """A listing being filled by the tags plugin during one rendering of the tag index."""

    def __init__(self, listing, which: tuple, last: dict | None, mappings):
        self.listing, self.which = listing, which
        self.placed: dict | None = {}  # as TagIndex.placed for this listing (None: not kept)
        self.kept: set[int] = set()  # the mappings put back (the plugin's calls for them do nothing)
        self.order: dict[int, int] | None = None  # id(mapping): its place in the site's order
        if not last or mappings is None:
            return
        current = list(mappings)
        self.order = {id(mapping): n for n, mapping in enumerate(current)}
        trees = listing.tags
        for mapping in current:
            entry = last.get(id(mapping))
            if entry is None or entry[0] is not mapping:
                continue
            for leaf in entry[1]:
                tree = trees.get(leaf)
                if tree is None:
                    tree = trees[leaf] = ListingTree(leaf)
                tree.mappings.append(mapping)
            self.placed[id(mapping)] = entry
        self.kept = set(self.placed)
