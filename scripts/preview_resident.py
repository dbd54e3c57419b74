"""MkDocs kept resident between the live preview's builds (used by :mod:`scripts.preview_server`).

MkDocs' dirty build still does, for every file of the site, what a full build does before it renders:
it loads the configuration, walks the docs folder, makes a File and a Page per file, matches each
against the exclusion patterns, builds the navigation, compares each page's dates twice, hands every
page to the tags plugin and checks every page's anchors. At 10,000 entries that is seconds per save for
three pages rebuilt. This module keeps the objects of the last build (configuration, files, pages,
navigation, template environment) and, when a save changed existing pages only, runs MkDocs' own
steps (``_populate_page``, the ``env`` event, ``_build_page``) on those pages alone:

* a changed page is reset to what MkDocs' ``Page()`` gives before reading, then read and rendered;
  a long page whose Markdown changed only in a few list items (a category page listing thousands of
  entries) takes its last conversion with those items converted again (:mod:`scripts.preview_patch`);
* the tag index is read and rendered again only when a changed page's title or tags changed (it shows
  titles and addresses per tag); its listing otherwise stays as the last build made it;
* a changed data file or asset is copied as MkDocs copies static files;
* the sitemap is built again when a page was added or removed, or a changed page's address, date or
  ``robots`` changed (the 404 page shows the navigation, which a change handled here cannot change);
* a file added takes its place in the file list (where MkDocs' walk of the docs folder puts it) with a
  new page; a file removed leaves it, and the tag index is rebuilt;
* anything else (a page of the navigation added or removed, a build that failed half way) is left to
  MkDocs' dirty build, and its objects are kept instead.

A page's HTML is the one a full build makes (tests/editing/test_preview_dirty.py compares them byte
for byte). Pages keep their front matter, title, table of contents and anchors between builds; their
Markdown and HTML are dropped once written, so memory holds no copy of the site (but the last conversion
of each page with 100 list items or more: a few category pages, some 10 MB at 10,000 entries).
"""

from __future__ import annotations

import copy
import os

from mkdocs.commands.build import _build_page, _build_theme_template, _populate_page
from mkdocs.structure.files import File, InclusionLevel, set_exclusions
from mkdocs.structure.pages import Page
from mkdocs.utils import get_build_date

from scripts.preview_patch import MIN_ITEMS, list_items, patched
from scripts.preview_tags import TagIndex

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


def _walk_order(src_uri: str) -> tuple:
    """Where MkDocs' walk of the docs folder lists ``src_uri``: folders depth first in name order, a
    folder's own files (index and README first, then by name) before its subfolders'."""
    *folders, name = src_uri.split("/")
    return tuple(folders), os.path.splitext(name)[0] not in ("index", "README"), name


def _tags_of(page) -> tuple:
    """What the tag index shows of ``page``: its title and tags."""
    tags = page.meta.get("tags") if isinstance(page.meta, dict) else None
    return page.title, tuple(map(str, tags)) if isinstance(tags, list) else tags


def sitemap_of(page) -> tuple:
    """What the sitemap shows of ``page`` (site-overrides/sitemap.xml; its date also dates the .gz)."""
    robots = page.meta.get("robots") if isinstance(page.meta, dict) else None
    return page.is_link, page.abs_url, page.canonical_url, page.update_date, robots


class Conversions:
    """The last conversion of each long page, kept to patch its next one (see :func:`patched`)."""

    def __init__(self, min_items: int = MIN_ITEMS):
        self.min_items = min_items  # pages with fewer list items are converted whole and not kept
        self.kept: dict[str, tuple] = {}  # src_uri: (Markdown, HTML, toc, title, anchor ids, links to anchors)
        self.patched: list[str] = []  # the pages the last build patched (for the log and tests)

    def clear(self) -> None:
        """Forget every conversion (before MkDocs builds: its configuration, file list and code may differ)."""
        self.kept.clear()

    def keep(self, page) -> None:
        """Remember ``page``'s conversion (call before any plugin changes ``page.content``)."""
        if page.markdown is not None and list_items(page.markdown) >= self.min_items:
            self.kept[page.file.src_uri] = (page.markdown, page.content, page.toc, page._title_from_render,
                                            page.present_anchor_ids, page.links_to_anchors)
        else:
            self.kept.pop(page.file.src_uri, None)

    def render(self, page, config, files) -> None:
        """``page.render(config, files)``, from the page's kept conversion when only list items changed."""
        kept = self.kept.get(page.file.src_uri)
        html = None if kept is None else patched(kept[0], kept[1], page.markdown,
                                                 lambda text: _convert(page, text, config, files))
        if html is None:
            Page.render(page, config, files)
            return
        page.content = html
        page.toc, page._title_from_render, page.present_anchor_ids, page.links_to_anchors = kept[2:]
        self.patched.append(page.file.src_uri)


def _convert(page, text: str, config, files) -> str:
    """The HTML ``text`` converts to as the Markdown of ``page`` (MkDocs' own ``Page.render``, on a copy)."""
    other = copy.copy(page)
    other.markdown = text
    Page.render(other, config, files)
    return other.content


class ResidentSite:
    """The MkDocs objects of the last preview build, and the dirty builds made with them."""

    def __init__(self, config, files, nav, env, plugin, timing, conversions: Conversions | None = None,
                 tag_index: TagIndex | None = None):
        self.config, self.files, self.nav, self.env = config, files, nav, env
        self.conversions = conversions or Conversions()
        self.tag_index = tag_index or TagIndex()  # the tag listings this build rendered (may be empty)
        self.plugin, self.timing = plugin, timing  # the preview's own plugins, registered in config.plugins
        self.titles = nav_titles(config.nav)
        index = files.get_file_from_path(TAGS_PAGE)
        if index is not None and index.abs_src_path is None:  # a dirty build kept its text in memory
            index._content = None
            index.abs_src_path = os.path.normpath(os.path.join(config.docs_dir, index.src_uri))
        self._pages = self._list_pages()
        self.release(self._pages[0])

    def _list_pages(self) -> tuple[list, list]:
        """The file list's pages, and those served (kept between builds: listing 10,000 files takes a while)."""
        return (self.files.documentation_pages(),
                self.files.documentation_pages(inclusion=InclusionLevel.is_in_serve))

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

    def plan(self, written: list[str], docs_dir: str) -> tuple[list, list, list, list] | None:
        """What ``written`` asks of :meth:`build`: (changed pages, other changed files, files added, files
        removed), or None when MkDocs must build instead (a page of the navigation added or removed)."""
        pages, others, added, removed = [], [], [], []
        for relative in written:
            file = self.files.get_file_from_path(relative)
            present = os.path.isfile(os.path.join(docs_dir, relative))
            if file is None and not present:
                continue  # neither known nor there
            if file is None:
                file = File(relative, self.config.docs_dir, self.config.site_dir, self.config.use_directory_urls)
                set_exclusions([file], self.config)
                if file.inclusion.is_in_nav() or not file.inclusion.is_included():
                    return None  # the navigation would list it (or it is excluded)
                added.append(file)
            elif not present:
                if file.page is not None and (file.inclusion.is_in_nav() or file.page in self.nav.pages):
                    return None
                removed.append(file)
            elif file.is_documentation_page():
                if file.page is None or not file.inclusion.is_included():
                    return None
                pages.append(file)
            else:
                others.append(file)
        return pages, others, added, removed

    def _add(self, file) -> None:
        """Put ``file`` into the file list where MkDocs' walk of the docs folder puts it."""
        docs = os.path.normpath(self.config.docs_dir) + os.sep
        key = _walk_order(file.src_uri)
        items = list(self.files)
        at = 0
        for index, other in enumerate(items):
            if other.abs_src_path and other.abs_src_path.startswith(docs):
                if _walk_order(other.src_uri) < key:
                    at = index + 1
        items.insert(at, file)
        self.files._src_uris = {item.src_uri: item for item in items}
        if file.is_documentation_page():
            Page(None, file, self.config)

    def build(self, pages: list, others: list, added: list, removed: list, clock, later: list | None = None,
              deferred=None) -> list[str]:
        """Rebuild ``pages``, copy ``others``, add the files ``added`` and forget those ``removed`` (from
        :meth:`plan`); returns the pages built (docs paths). With ``later``, the copying of each file
        whose docs path ``deferred`` accepts (a data export no page loads: entries.json has 60 MB at
        10,000 entries) and the writing of tags.json are appended to it instead, to be done once the
        open pages were told."""
        config, files = self.config, self.files
        tags = config.plugins.get("material/tags")
        for file in removed:
            if file.page is not None and tags is not None:
                tags.mappings.data.pop(file.page.url, None)
            files.remove(file)
        for file in added:
            self._add(file)
        pages = pages + [file for file in added if file.is_documentation_page()]
        others = others + [file for file in added if not file.is_documentation_page()]
        plugin = self.plugin
        plugin.dirty = False  # every page already has its front matter
        plugin.built, plugin.addresses = [], []
        self.conversions.patched = []
        if added or removed:
            self._pages = self._list_pages()
        plugin.total = len(self._pages[0])
        self.timing.clock = clock
        tagging = tags is not None and tags.config.enabled
        index = files.get_file_from_path(TAGS_PAGE) if tagging else None
        before = {file.src_uri: None if file in added else _tags_of(file.page) for file in pages}
        mapped = {file.src_uri: sitemap_of(file.page) for file in pages if file not in added}
        listed = {file.page.url for file in pages if tagging and file.page.url in tags.mappings.data}
        self._read(pages, tags if index in pages else None)
        if tagging:
            self._follow_tags(tags, pages, listed)
        if index is not None and index.page is not None and index not in pages and (removed or any(
                _tags_of(file.page) != before[file.src_uri] for file in pages)):
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
        else:  # the tag index is rendered again, from its last listings and tags.json parts
            export = tagging and tags.config.export
            if export:
                tags.config.export = False  # written below, from the parts that did not change
            try:
                with self.tag_index.rendering(tags if tagging else None):
                    env = config.plugins.on_env(self.env, config=config, files=files)
            finally:
                if export:
                    tags.config.export = True
            if export and later is not None:  # tags.json: no page loads it
                later.append(lambda: self.tag_index.export(tags, config))
            elif export:
                self.tag_index.export(tags, config)
        for file in others:
            if later is not None and deferred is not None and deferred(file.src_uri):
                later.append(file.copy_file)
            else:
                file.copy_file()
        doc_files = self._pages[1]
        for file in pages:
            _build_page(file.page, config, doc_files, self.nav, env, excluded=file.inclusion.is_excluded())
        for file in pages:
            file.page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
        if "sitemap.xml" in config.theme.static_templates and (added or removed or any(
                sitemap_of(file.page) != mapped.get(file.src_uri) for file in pages if file.src_uri in mapped)):
            _build_theme_template("sitemap.xml", env, files, config, self.nav)
        config.plugins.on_post_build(config=config)
        self.release(pages)
        return [file.src_uri for file in pages]

    def _read(self, pages: list, tags) -> None:
        """Reset and read ``pages`` as MkDocs does; with ``tags``, the tag index is among them and the
        tags plugin starts a new listing for it."""
        if tags is not None:
            tags.listings = type(tags.listings)(tags.config, tags.listings.depth)
        conversions = self.conversions
        for file in pages:
            page = file.page
            self._reset(page)
            page.render = lambda config, files, page=page: conversions.render(page, config, files)
            try:
                _populate_page(page, self.config, self.files)
            finally:
                del page.render

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
