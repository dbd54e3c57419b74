"""The live preview behind ``python -m scripts serve``: the pipeline, then MkDocs on the changed pages.

A save under content/ re-runs the pipeline, which rewrites only the Markdown files whose text changed
(an unchanged file keeps its modification time). The pipeline renders every page from the whole
content, so the pages that show something of a changed entry (another entry's related list, its
category page, the home page, the rules and glossary pages) are rewritten with it. Then MkDocs builds
those pages only:

* the first build is a full one; MkDocs' objects of the last build (configuration, files, pages,
  navigation, templates) stay in memory, and a save that changed existing pages reads, renders and
  writes those pages alone on them (:mod:`scripts.preview_resident`), the tag index only when a title
  or a tag changed (and then only the listings of the tags whose pages changed,
  :mod:`scripts.preview_tags`), a category page that changed only in a few list items by patching its last HTML
  (:mod:`scripts.preview_patch`); a save that adds or removes a page of the navigation gets MkDocs'
  own dirty build, where the tags plugin is handed the remembered front matter, title and sitemap
  fields of the pages it does not read; a new market snapshot (on every page) rebuilds them all;
* the content cache is read once and kept in memory: a save reloads only the files whose bytes changed,
  and pages, glossary definitions and rule results whose inputs did not change come from memory; from
  the second save on, the pipeline looks only at the files the watcher saw change (it lists the entries
  folder again only when one was added or removed), trusts that nothing else writes the docs folder
  (unchanged pages are not stat'ed, the folder is not walked), and the cache is saved once the open
  pages were told; what
  stays in memory is frozen out of the cyclic garbage collector's walks, and each save's garbage is
  collected once the open pages were told (:mod:`scripts.preview_heap`);
* a dirty build logs a warning, so preview builds are not strict (``make site`` stays full and strict);
* a change outside content/ (code, templates, mkdocs.yml) rebuilds the whole site;
* the server (:mod:`scripts.preview_http`) tells each open page when a build ends and which pages it
  wrote; the open page swaps in its new content without reloading;
* while the content has problems, every page answers with the problems page
  (:func:`scripts.pipeline.preview.problems_html`); the built site is left as it was, and the next good
  save brings it back;
* search: Pagefind indexes the site after each full build only, and the search box says so;
* each rebuild logs its phases (wait for the save's events, pipeline, MkDocs' steps) for the benchmark.
"""

from __future__ import annotations

import contextlib
import html
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.livereload import _serve_url
from mkdocs.plugins import event_priority

from scripts.pipeline.build import DOCS_ENV, PREPARED_ENV, ROOT, ROOT_ENV, Written, open_cache, prepare_content
from scripts.pipeline.content import Layout
from scripts.pipeline.errors import ContentError
from scripts.pipeline.market import PUBLISHED
from scripts.pipeline.preview import problems_html
from scripts.pipeline.search import index_site
from scripts.preview_heap import Heap
from scripts.preview_http import PreviewServer
from scripts.preview_resident import Conversions, ResidentSite
from scripts.preview_tags import TagIndex

log = logging.getLogger("mkdocs.margin_notes.preview")
TAGS_PAGE = "tags.md"
PROFILE_ENV = "MN_PREVIEW_PROFILE"  # a path prefix: each save's cProfile goes to <prefix>.<n>.prof
_DIRTY_WARNING = "A 'dirty' build is being performed"


class _Clock:
    """Wall and CPU seconds of a rebuild's phases, each since the previous mark."""

    def __init__(self):
        self.last = (time.perf_counter(), time.process_time())
        self.phases: dict[str, tuple[float, float]] = {}

    def mark(self, name: str) -> None:
        """End the phase ``name`` now (a repeated name adds to it)."""
        now = (time.perf_counter(), time.process_time())
        wall, cpu = self.phases.get(name, (0.0, 0.0))
        self.phases[name] = (wall + now[0] - self.last[0], cpu + now[1] - self.last[1])
        self.last = now


class _Timing:
    """A plugin that marks the end of each step of MkDocs' build on a :class:`_Clock`."""

    def __init__(self, clock: _Clock):
        self.clock = clock

    @event_priority(-100)
    def on_pre_build(self, config):
        """MkDocs' configuration and the plugins' start of build."""
        self.clock.mark("mkdocs config")

    @event_priority(-100)
    def on_nav(self, nav, config, files):
        """Listing the docs and theme files, and the navigation."""
        self.clock.mark("mkdocs files and nav")
        return nav

    @event_priority(120)
    def on_env(self, env, config, files):
        """Reading and rendering the changed pages (and checking every page's date)."""
        self.clock.mark("mkdocs read pages")
        return env

    @event_priority(-100)
    def on_post_build(self, config):
        """The tag index and remembered pages (``on_env``), then writing the changed pages."""
        self.clock.mark("mkdocs env and write pages")


class _DirtyPages:
    """A plugin for one preview build: completes the tags plugin's view and records the pages built."""

    def __init__(self, preview: Preview, dirty: bool):
        self.preview = preview
        self.dirty = dirty
        self.built: list[str] = []
        self.addresses: list[str] = []  # the built pages' addresses, relative to the site's root
        self.total = 0
        self.files = self.nav = self.env = None  # MkDocs' objects of this build

    def on_files(self, files, config):
        """In a dirty build, mark the tag index changed: it lists every page's tags, and they may have changed."""
        self.files = files
        self.total = len(files.documentation_pages())
        tags = files.get_file_from_path(TAGS_PAGE)
        if self.dirty and tags is not None and tags.abs_src_path:
            tags.content_string = tags.content_string  # a file with content in memory counts as modified
        return files

    def on_nav(self, nav, config, files):
        """Keep the navigation (for :class:`ResidentSite`)."""
        self.nav = nav
        return nav

    @event_priority(110)  # before the tags plugin's on_env (100) turns its mappings into listings
    def on_env(self, env, config, files):
        """Compile templates once per preview; give pages a dirty build did not read their remembered meta."""
        env.bytecode_cache = self.preview.templates
        self.env = env
        if not self.dirty:
            return env
        tags = config.plugins.get("material/tags")
        for file in files.documentation_pages():
            page, record = file.page, self.preview.pages.get(file.src_uri)
            if page is None or page.markdown is not None or record is None:
                continue
            page.meta, page.title = dict(record[0]), record[1]
            # what the sitemap shows (set while reading by the hook: the entry's review date, drafts unlisted)
            page.update_date, page.abs_url, page.canonical_url = record[2]
            if tags is not None and tags.config.enabled and tags.filter(file):
                tags.mappings.add(page, "")
        return env

    @event_priority(1000)  # before any plugin changes the page's HTML
    def on_page_content(self, html, page, config, files):
        """Keep the conversion of a long page (a later save may patch it: :class:`Conversions`)."""
        self.preview.conversions.keep(page)
        return html

    def on_page_context(self, context, page, config, nav):
        """Remember the page's front matter and title for later dirty builds."""
        self.preview.pages[page.file.src_uri] = (dict(page.meta), page.title,
                                                 (page.update_date, page.abs_url, page.canonical_url))
        self.built.append(page.file.src_uri)
        self.addresses.append(page.url)
        return context


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled Jinja templates kept in memory between preview builds (a changed template compiles again)."""

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Fill ``bucket`` from memory (Jinja ignores it when the template's source changed)."""
        data = self.store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Keep the compiled template."""
        self.store[bucket.key] = bucket.bytecode_to_string()


class _ThemeListing:
    """The theme folders' file lists, kept between dirty builds (MkDocs walks every theme folder, about
    15,000 files with Material's icons, on each build to find the static files to copy).

    Inside :meth:`use`, ``jinja2.FileSystemLoader.list_templates`` answers from the list a full build
    made; a change outside content/ (templates, overrides) makes a full build, which lists them again.
    """

    def __init__(self):
        self.listed: dict[tuple, list[str]] = {}

    @contextlib.contextmanager
    def use(self, fresh: bool):
        """Answer theme listings from memory during the block (``fresh``: list again and keep that)."""
        if fresh:
            self.listed.clear()
        original = jinja2.FileSystemLoader.list_templates
        listed = self.listed

        def list_templates(loader):
            key = (tuple(os.fspath(path) for path in loader.searchpath), loader.followlinks)
            if key not in listed:
                listed[key] = original(loader)
            return list(listed[key])

        jinja2.FileSystemLoader.list_templates = list_templates
        try:
            yield
        finally:
            jinja2.FileSystemLoader.list_templates = original


class _QuietDirty(logging.Filter):
    """Drop MkDocs' warning that a dirty build is one (the preview chose it; the log stays readable)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(_DIRTY_WARNING)


def _both_forms(paths: set[str]) -> set[str]:
    """Each of ``paths`` as the watcher names it (absolute) and resolved (as the pipeline lists entries)."""
    return {form for path in paths for form in (os.path.abspath(path), os.path.realpath(path))}


def _used_by_pages(relative: str) -> bool:
    """Whether docs file ``relative`` is one that pages load or that shapes every page (not a page's own
    Markdown, nor a data export such as entries.json or rules.json that no page loads)."""
    if relative.endswith(".md"):
        return False
    return relative.startswith("assets/") or relative == PUBLISHED or not relative.endswith(".json")


class Preview:
    """Builds the preview: the pipeline, then MkDocs (dirty after the first build), then search."""

    def __init__(self, layout: Layout, config_file: Path, docs_dir: Path, port: int):
        self.layout = layout
        self.config_file = config_file
        self.docs_dir = docs_dir
        self.port = port
        self.site_dir = tempfile.mkdtemp(prefix="mn-preview-")
        # src_uri: (front matter, title, (date, address, canonical address)) of each page built
        self.pages: dict[str, tuple[dict, str | None, tuple]] = {}
        self.templates = _CompiledTemplates()
        self.theme_files = _ThemeListing()
        self.built = False  # a full MkDocs build of good content exists in site_dir
        self.server: PreviewServer | None = None
        self.last: dict = {}  # what the last build did (for the log, tests and the benchmark)
        # the content cache, read once and kept in memory: a save reloads only the files whose bytes
        # changed and writes back only the shards that changed (None: opened at the first build)
        self.cache = None
        self.written = Written()  # docs file: [page key, size, modification time, inode] as the pipeline last left it (scripts/pipeline/docstamps.py)
        self.resident: ResidentSite | None = None  # MkDocs' objects of the last build
        self.conversions = Conversions()  # the last conversion of each long page (Markdown to HTML)
        self.heap = Heap()  # when the cyclic garbage collector walks what the preview keeps
        self.watched = False  # a rebuild ran since the watcher started (see __call__)
        self.later: list = []  # what the last rebuild left for after the pages are served (finish)
        self.saves = 0  # saves profiled (MN_PREVIEW_PROFILE)

    def config(self):
        """A fresh MkDocs configuration for the preview (loading it again re-reads the hook and templates)."""
        config = load_config(str(self.config_file), site_dir=self.site_dir, strict=False,
                             dev_addr=f"127.0.0.1:{self.port}")
        config.site_url = self.serve_url(config)
        return config

    def serve_url(self, config) -> str:
        """The address the preview answers at (the path of ``site_url``, on 127.0.0.1:port)."""
        return _serve_url("127.0.0.1", self.port, urlsplit(config.site_url or "/").path)

    def __call__(self) -> None:
        """Rebuild after a change: dirty when only content/ changed, full otherwise."""
        changed, first = self.server.take_changes() if self.server else (set(), None)
        content = os.path.abspath(self.layout.content) + os.sep  # as the watcher names paths
        full = any(not path.startswith(content) for path in changed)
        if full:
            self.cache = None  # code may have changed: the cache's key is computed again
        profile = os.environ.get(PROFILE_ENV)  # a cProfile of each save, for the benchmark's questions
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            self.saves += 1
            with profiler:
                self._save(changed, first, full)
            profiler.dump_stats(f"{profile}.{self.saves}.prof")
            return
        self._save(changed, first, full)

    def _save(self, changed: set[str], first: float | None, full: bool) -> None:
        """:meth:`__call__` itself: the rebuild, the news to the open pages, then the tidying up."""
        # the pipeline trusts the watcher's list from the second save on (a save during the first build,
        # before the watcher started, is found by the first save's look at every file)
        hint, self.watched = (changed if self.watched else None), True
        with self.heap.lock:
            try:
                self.rebuild(full=full, waited=None if first is None else time.perf_counter() - first, changed=hint,
                             defer=True)
                if self.server:
                    self.server.publish()  # the open pages hear of the build now, before the tidying up
            finally:
                self.finish()
            self.heap.settle()

    def finish(self) -> None:
        """Do what the last rebuild left for after the open pages were told (the content cache's saving,
        the copying of changed data exports that no page loads)."""
        later, self.later = self.later, []
        for step in later:
            step()

    def rebuild(self, full: bool, waited: float | None = None, changed: set[str] | None = None,
                defer: bool = False) -> None:
        """Run the pipeline; on problems show them; otherwise build the changed pages (all when ``full``).

        ``waited``: the seconds from the first file event to this call (the watcher's wait for a save's
        further events), reported with the phases. ``changed``: the paths the watcher saw change since
        the last rebuild (None: unknown); the content cache kept in memory then looks only at those
        files, and lists the entries folder again only when one was added or removed
        (``ContentCache.changed_files``). ``defer``: the content cache is saved by :meth:`finish`, not
        before the pages are built.
        """
        log.info("Building documentation...")
        start = time.perf_counter()
        clock = _Clock()
        written: list[str] = []
        try:
            if self.cache is None:
                self.cache = open_cache(self.layout)
                self.cache.resident = True
                changed = None  # a new cache looks at every file
            self.cache.changed_files = None if changed is None else _both_forms(changed)
            try:
                # the docs folder is the preview's own: once written, only the pipeline's runs here change it
                self.written.trusted = bool(self.written)
                prepare_content(self.layout, self.docs_dir, log=lambda line: log.warning(line), changed_paths=written,
                                cache=self.cache, written=self.written, save_later=self.later if defer else None)
            except ContentError:
                raise
            except BaseException:
                self.cache = None  # a run that stopped half way may not have looked at every changed file
                raise
        except ContentError as error:
            if self.server:
                self.server.problems_page = problems_html(error.problems).encode("utf-8")
            print(f"{error}\nThe preview shows these problems until a save fixes them.", file=sys.stderr, flush=True)
            self.last = {"problems": len(error.problems)}
            if self.server:
                self.server.record(reload=True)
            return
        stages = time.perf_counter() - start
        clock.mark("pipeline")
        # the price strip (market.json) is on every page: a new snapshot rebuilds them all
        full = full or not self.built or PUBLISHED in written
        plugin = _DirtyPages(self, dirty=not full)
        removed = [] if full else self._drop_removed(written)
        plan = None if full or not written or self.resident is None else self.resident.plan(written, self.docs_dir)
        if plan is not None:
            plugin = self.resident.plugin
            try:
                self.resident.build(*plan, clock, later=self.later if defer else None,
                                    deferred=lambda relative: not _used_by_pages(relative))
            except BaseException:
                self.resident = None  # its pages may be half read: the next save lets MkDocs build
                raise
            clock.mark("mkdocs finish")
        elif full or written:
            self.resident = None
            self.conversions.clear()  # kept ones refer to the last build's objects; this build keeps its own
            self.heap.thaw()  # what the last build left behind may be collected now
            config = self.config()
            timing = _Timing(clock)
            config.plugins["margin-notes/preview"] = plugin
            config.plugins["margin-notes/preview-timing"] = timing
            self.built = False  # until this build completes
            tag_index = TagIndex()  # its tag listings, for the next title or tag save
            with self.theme_files.use(fresh=full), tag_index.rendering():
                mkdocs_build(config, serve_url=config.site_url, dirty=not full)
            self.resident = ResidentSite(config, plugin.files, plugin.nav, plugin.env, plugin, timing, self.conversions,
                                         tag_index)
            self.heap.freeze()  # MkDocs' objects stay: the collector need not walk them on every save
            clock.mark("mkdocs finish")
            self.built = True
            if full:
                self._index_search()
                clock.mark("search index")
        if self.server:
            # a full build may change any page, styles and scripts; a changed asset may change any page;
            # the problems page goes away
            reload = full or self.server.problems_page is not None or any(map(_used_by_pages, written))
            self.server.problems_page = None
            self.server.record(reload=reload, pages=plugin.addresses + removed)
        elapsed = time.perf_counter() - start
        self.last = {"full": full, "resident": plan is not None, "written": written, "built": plugin.built,
                     "patched": list(self.conversions.patched) if plan is not None else [],
                     "pages": plugin.total,
                     "pipeline_s": stages, "total_s": elapsed, "phases": clock.phases}
        if waited is not None:
            self.last["waited_s"] = waited
        phases = "; ".join([f"waiting for the save's events {waited:.3f} s"] if waited is not None else [])
        phases += "".join(f"; {name} {wall:.3f} s (CPU {cpu:.3f} s)" for name, (wall, cpu) in clock.phases.items())
        log.info(f"Preview: phases: {phases.lstrip('; ')}")
        shown = ", ".join(plugin.built[:8]) + (", ..." if len(plugin.built) > 8 else "")
        log.info(f"Preview: {'full' if full else 'dirty'} build: {len(written)} Markdown files rewritten, "
                 f"{len(plugin.built)} of {plugin.total} pages rebuilt ({shown}) in {elapsed:.2f} s "
                 f"(pipeline {stages:.2f} s{'; MkDocs resident' if plan is not None else ''})")

    def _drop_removed(self, written: list[str]) -> list[str]:
        """Delete the built copy of every docs file the pipeline removed (a dirty build leaves it behind);
        returns the addresses of the pages removed."""
        addresses = []
        for relative in written:
            if (self.docs_dir / relative).exists():
                continue
            if relative.endswith(".md"):
                stem = relative[:-3]
                relative = "index.html" if stem == "index" else (
                    stem[:-len("index")] + "index.html" if stem.endswith("/index") else stem + "/index.html")
                addresses.append(relative[:-len("index.html")])
            target = Path(self.site_dir, relative)
            if target.is_file():
                target.unlink()
        return addresses

    def _index_search(self) -> None:
        """Index the freshly built site with Pagefind; the search box then names the time of this index."""
        passed, output = index_site(Path(self.site_dir))
        built = time.strftime("%H:%M:%S")
        if not passed:
            log.warning(f"Search index not built: {output}")
            note = {"built": "none", "short": "Search (unavailable in this preview)",
                    "long": "Pagefind could not index the preview; search works in the built site."}
        else:
            note = {"built": built, "short": f"Search (as of {built[:5]})",
                    "long": f"Preview: search shows the site as of its last full build ({built}); "
                            f"pages saved since then show their old text in results until the next full build."}
        if self.server:
            self.server.search_note = {key: html.escape(value) for key, value in note.items()}


def _setup_logging() -> None:
    """Print MkDocs' messages (and ours) as ``mkdocs serve`` does: ``INFO    -  message``."""
    logger = logging.getLogger("mkdocs")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logging.getLogger("mkdocs.commands.build").addFilter(_QuietDirty())


def serve(root: Path, config_file: Path, docs_dir: Path, port: int) -> int:
    """Build the preview of ``root`` and serve it on 127.0.0.1:``port`` until stopped."""
    _setup_logging()
    sys.dont_write_bytecode = True  # a .pyc written under a watched folder would rebuild the whole site
    os.environ.update({DOCS_ENV: str(docs_dir.resolve()), ROOT_ENV: str(root), PREPARED_ENV: "1",
                       "NO_MKDOCS_2_WARNING": "1"})
    # MkDocs serves under site_url's path; the preview lives at the root of its own address unless the
    # caller chose a SITE_URL.
    os.environ.setdefault("SITE_URL", f"http://127.0.0.1:{port}/")
    docs_dir.mkdir(parents=True, exist_ok=True)  # MkDocs needs the folder before the first render
    preview = Preview(Layout(root), config_file, docs_dir, port)
    config = preview.config()
    config.plugins.on_startup(command="serve", dirty=True)
    server = PreviewServer(builder=preview, host="127.0.0.1", port=port, root=preview.site_dir,
                           mount_path=urlsplit(config.site_url).path)
    preview.server = server
    server.error_handler = lambda code: _error_page(preview, code)
    log.info(f"Preview site folder: {preview.site_dir}")
    try:
        preview.rebuild(full=True)
        for path in (root / "content", config_file, ROOT / "scripts", ROOT / "calculators", ROOT / "site-overrides"):
            if path.exists():
                server.watch(str(path))
        server.serve()
    finally:
        preview.heap.stop()
        server.shutdown()
        config.plugins.on_shutdown()
        shutil.rmtree(preview.site_dir, ignore_errors=True)
    return 0


def _error_page(preview: Preview, code: int) -> bytes | None:
    """The problems page while there are problems, else the site's own 404 page."""
    if preview.server and preview.server.problems_page is not None:
        return preview.server.problems_page
    page = Path(preview.site_dir, f"{code}.html")
    return page.read_bytes() if page.is_file() else None
