"""MkDocs kept resident between the live preview's builds (used by :mod:`scripts.preview_server`).

MkDocs' dirty build still does, for every file of the site, what a full build does before it renders:
it loads the configuration, walks the docs folder, makes a File and a Page per file, matches each
against the exclusion patterns, builds the navigation, compares each page's dates twice, hands every
page to the tags plugin and checks every page's anchors. At 10,000 entries that is seconds per save for
three pages rebuilt. This module keeps the objects of the last build (configuration, files, pages,
navigation, template environment) and, when a save changed existing pages only, runs MkDocs' own
steps (``_populate_page``, the ``env`` event, ``_build_page``) on those pages alone:

* a changed page is reset to what MkDocs' ``Page()`` gives before reading, then read and rendered;
* the tag index is read and rendered again only when a changed page's title or tags changed (it shows
  titles and addresses per tag); its listing otherwise stays as the last build made it;
* a changed data file or asset is copied as MkDocs copies static files;
* anything else (a file added or removed, a page in the navigation whose title comes from its text) is
  left to MkDocs' dirty build, and its objects are kept instead.

A page's HTML is the one a full build makes (tests/editing/test_preview_dirty.py compares them byte
for byte). Pages keep their front matter, title, table of contents and anchors between builds; their
Markdown and HTML are dropped once written, so memory holds no copy of the site.
"""

from __future__ import annotations

import os

from mkdocs.commands.build import _build_page, _populate_page
from mkdocs.structure.files import InclusionLevel
from mkdocs.utils import get_build_date

TAGS_PAGE = "tags.md"


def nav_titles(nav_config) -> dict[str, str]:
    """``{docs path: title}`` of the pages the ``nav:`` setting names with a title."""
    titles: dict[str, str] = {}

    def walk(item, title=None):
        if isinstance(item, dict):
            for key, value in item.items():
                walk(value, key)
        elif isinstance(item, list):
            for value in item:
                walk(value)
        elif isinstance(item, str) and title is not None:
            titles[item] = title

    walk(nav_config or [])
    return titles


def _tags_of(page) -> tuple:
    """What the tag index shows of ``page``: its title and tags."""
    tags = page.meta.get("tags") if isinstance(page.meta, dict) else None
    return page.title, tuple(map(str, tags)) if isinstance(tags, list) else tags


class ResidentSite:
    """The MkDocs objects of the last preview build, and the dirty builds made with them."""

    def __init__(self, config, files, nav, env, plugin, timing):
        self.config, self.files, self.nav, self.env = config, files, nav, env
        self.plugin, self.timing = plugin, timing  # the preview's own plugins, registered in config.plugins
        self.titles = nav_titles(config.nav)
        index = files.get_file_from_path(TAGS_PAGE)
        if index is not None and index.abs_src_path is None:  # a dirty build kept its text in memory
            index._content = None
            index.abs_src_path = os.path.normpath(os.path.join(config.docs_dir, index.src_uri))
        self.release(files.documentation_pages())

    @staticmethod
    def release(files) -> None:
        """Drop the Markdown and HTML of written pages (their title, meta, toc and anchors stay)."""
        for file in files:
            page = file.page
            if page is None or page.markdown is None:
                continue
            page.title = page.title  # keep the title it has now (it is computed from the Markdown)
            page.markdown, page.content = "", None

    def _reset(self, page) -> None:
        """Put ``page`` back in the state a fresh ``Page(title, file, config)`` has (navigation links kept)."""
        config = self.config
        page.__dict__.pop("title", None)
        if page.file.src_uri in self.titles:
            page.title = self.titles[page.file.src_uri]
        page.markdown = page.content = None
        page.toc, page.meta = [], {}
        page._title_from_render = None
        page.present_anchor_ids = page.links_to_anchors = None
        page.update_date = get_build_date()
        page._set_canonical_url(config.get("site_url", None))
        page._set_edit_url(config.get("repo_url", None), config.get("edit_uri"), config.get("edit_uri_template"))

    def plan(self, written: list[str], docs_dir: str) -> tuple[list, list] | None:
        """The changed files (pages, other files) of ``written``, or None when MkDocs must build instead."""
        pages, others = [], []
        for relative in written:
            file = self.files.get_file_from_path(relative)
            if file is None or not os.path.isfile(os.path.join(docs_dir, relative)):
                return None  # added or removed: the file list and navigation change
            if file.is_documentation_page():
                if file.page is None or not file.inclusion.is_included():
                    return None
                pages.append(file)
            else:
                others.append(file)
        return pages, others

    def build(self, pages: list, others: list, clock) -> list[str]:
        """Rebuild ``pages`` and copy ``others`` (from :meth:`plan`); returns the pages built (docs paths)."""
        config, files = self.config, self.files
        plugin = self.plugin
        plugin.dirty = False  # every page already has its front matter
        plugin.built, plugin.addresses = [], []
        plugin.total = len(files.documentation_pages())
        self.timing.clock = clock
        tags = config.plugins.get("material/tags")
        tagging = tags is not None and tags.config.enabled
        index = files.get_file_from_path(TAGS_PAGE) if tagging else None
        before = {file.src_uri: _tags_of(file.page) for file in pages}
        listed = {file.page.url for file in pages if tagging and file.page.url in tags.mappings.data}
        self._read(pages, tags if index in pages else None)
        if tagging:
            self._follow_tags(tags, pages, listed)
        if index is not None and index.page is not None and index not in pages and any(
                _tags_of(file.page) != before[file.src_uri] for file in pages):
            self._read([index], tags)
            pages = pages + [index]
        clock.mark("mkdocs read pages")
        if tagging and index not in pages:
            # the tag index keeps its listing and its export (tags.json): the tags plugin must not fill
            # them again (the index page was not read, and no title or tag changed)
            kept, tags.listings = tags.listings, type(tags.listings)(tags.config, tags.listings.depth)
            export, tags.config.export = tags.config.export, False
            try:
                env = config.plugins.on_env(self.env, config=config, files=files)
            finally:
                tags.listings, tags.config.export = kept, export
        else:
            env = config.plugins.on_env(self.env, config=config, files=files)
        for file in others:
            file.copy_file()
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
        for file in pages:
            _build_page(file.page, config, doc_files, self.nav, env, excluded=file.inclusion.is_excluded())
        for file in pages:
            file.page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
        config.plugins.on_post_build(config=config)
        self.release(pages)
        return [file.src_uri for file in pages]

    def _read(self, pages: list, tags) -> None:
        """Reset and read ``pages`` as MkDocs does; with ``tags``, the tag index is among them and the
        tags plugin starts a new listing for it."""
        if tags is not None:
            tags.listings = type(tags.listings)(tags.config, tags.listings.depth)
        for file in pages:
            self._reset(file.page)
            _populate_page(file.page, self.config, self.files)

    def _follow_tags(self, tags, pages: list, listed: set[str]) -> None:
        """Keep the tags plugin's mappings as a full build has them: a page without tags has none, and a
        page that gained tags takes its place in the site's order (``listed``: the pages that had tags)."""
        data = tags.mappings.data
        grew = False
        for file in pages:
            page = file.page
            if not page.meta.get(tags.config.tags_name_property, []):
                data.pop(page.url, None)
            elif page.url not in listed:
                grew = True
        if grew:
            order = [file.page.url for file in self.files.documentation_pages() if file.page is not None]
            tags.mappings.data = {url: data[url] for url in order if url in data}
