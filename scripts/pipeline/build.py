"""The whole pipeline: check content, render pages, build with MkDocs, swap the result into place.

``check`` runs load -> schema validation -> cross-checks -> verification and returns every problem.
``prepare`` renders the pages into the docs folder. ``build`` adds ``mkdocs build --strict`` into a
temporary folder beside ``site/`` and replaces ``site/`` only when every step passed.
"""

from __future__ import annotations

import gc
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path

from .assets import calculator_assets
from .cache import ContentCache
from .content import Content, Layout
from .crosscheck import crosscheck, warnings
from .docstamps import MEMORY_KEY, DocStamps
from .errors import ContentError, Problem
from .links import check_links, explain_mkdocs
from .load import MAX_BYTES, display_path, load_bytes, load_file, resolved
from .memdocs import PAGES_ENV, Encoded, Handover, packable
from .mkdocsfork import MkDocsFork
from .pages import PageTexts, collect_pages, rendering, save_page_keys
from .render import RenderedPages, render
from .search import index_site
from .validate import schema_set
from .verify import verify

ROOT = Path(__file__).resolve().parents[2]
DOCS_ENV = "MARGIN_NOTES_DOCS_DIR"
PREPARED_ENV = "MARGIN_NOTES_PREPARED"
ROOT_ENV = "MARGIN_NOTES_ROOT"
CACHE_ENV = "MARGIN_NOTES_CACHE"  # "0": no content cache (read or written)

# attribute of Content: (file inside content/, schema, required)
_SIDE_FILES = {
    "categories": ("categories.yaml", "categories.schema.json", True),
    "glossary": ("glossary.yaml", "glossary.schema.json", True),
    "site": ("site.yaml", "site.schema.json", True),
    "market": ("market/snapshot.yaml", "market.schema.json", False),
}


def load_content(layout: Layout, extra_files=(), cache: ContentCache | None = None) -> tuple[Content, list[Problem]]:
    """Load every entry (plus ``extra_files``) and the side files, validating each against its schema.

    With a ``cache``, a file whose bytes are those of a cached, valid document is not parsed again.
    The cyclic garbage collector is paused meanwhile (see :func:`_gc_paused`).
    """
    with _gc_paused():
        return _load_content(layout, extra_files, cache)


@contextmanager
def _gc_paused():
    """Pause Python's cyclic garbage collector for the block (reference counting still frees memory),
    then move every object alive at its end out of the collector's sight (``gc.freeze``).

    Loading keeps every document, so the collector would otherwise traverse the growing set of
    documents again and again (about 15% of a cold load at 10,000 entries, issue 14), and after the
    load every later collection would traverse them again: at 10,000 entries a one-change ``render``
    spent about 0.6-1 s of CPU there. Documents hold no reference cycles, so freezing them loses
    nothing: reference counting frees them as usual once they are dropped (the preview drops a
    changed file's document). Cyclic garbage alive at the block's end (a recursive alias the loader
    rejected, at most 256 KB per file) is not collected in this process.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.freeze()
            gc.enable()


def _load_content(layout: Layout, extra_files, cache: ContentCache | None) -> tuple[Content, list[Problem]]:
    """:func:`load_content` itself, with the collector paused by the caller."""
    schemas = schema_set(layout.schemas.resolve())
    cache = cache or ContentCache(layout.root, layout.schemas, enabled=False)
    content = Content(layout)
    problems: list[Problem] = []
    files = _entry_files(layout, cache)
    for path in dict.fromkeys(resolved(Path(f)) for f in extra_files):
        if os.fspath(path) not in files:
            files[os.fspath(path)] = display_path(path, layout.root)
    entries = content.entries
    # the unchanged files (stat as recorded, hash as cached) in one loop each; the others one by one
    unread = cache.unread_documents(cache.stats.unchanged(files, MAX_BYTES), files)
    for path, shown in files.items():
        doc = unread.get(path)
        if doc is not None:
            entries.append(doc)
            continue
        doc, found = _load(path, shown, layout, "entry.schema.json", schemas, cache)
        entries.append(doc)
        if found:
            problems += found
    for name, (relative, schema, required) in _SIDE_FILES.items():
        path = layout.content / relative
        if not required and not path.exists():
            continue
        doc, found = _load(os.fspath(path), display_path(path, layout.root), layout, schema, schemas, cache)
        setattr(content, name, doc)
        problems += found
    return content, problems


def entry_listing(layout: Layout) -> dict[Path, str]:
    """``{resolved path: display path}`` of every entry file, in :meth:`Layout.entry_names` order."""
    return {Path(path): shown for path, shown in _entry_paths(layout).items()}


def _entry_paths(layout: Layout) -> dict[str, str]:
    """:func:`entry_listing` with each path as a string (what the loader uses: no path object per file).

    The folder is resolved once; a file in it that is not a symbolic link resolves to the folder's
    path plus its name, so only links are resolved one by one (issue 14: each path resolved once).
    """
    folder = resolved(layout.entries)
    shown = display_path(folder, layout.root)
    try:
        names = layout.entry_names()
    except OSError:
        return {}
    base = os.fspath(folder)
    prefix = shown.rstrip("/") + "/"
    out: dict[str, str] = {}
    for name, link in names:
        if link:
            path = resolved(folder / name)
            out[os.fspath(path)] = display_path(path, layout.root)
        else:
            out[f"{base}/{name}" if base != "/" else f"/{name}"] = prefix + name
    return out


def _entry_files(layout: Layout, cache: ContentCache) -> dict[str, str]:
    """:func:`_entry_paths` (a copy: the caller adds to it), or (preview hook, issue 14) with a resident
    cache told which files changed (:attr:`ContentCache.changed_files`), the last run's listing when
    none of them was added to or removed from the entries folder (the folder is not listed again)."""
    changed, last = cache.changed_files, cache.listing
    if not cache.resident or changed is None or last is None or any(
            path.endswith((".yaml", ".yml")) and os.path.dirname(path) == last["folder"] and
            (path in last["files"]) != os.path.exists(path) for path in changed):
        files = _entry_paths(layout)
        cache.listing = {"folder": os.fspath(resolved(layout.entries)), "files": dict(files)} if cache.resident else None
        return files
    return dict(last["files"])


def _load(path: str, shown: str, layout: Layout, schema: str, schemas, cache: ContentCache):
    """One file (at ``path``, shown as ``shown``) loaded and validated, or taken from ``cache`` when its
    bytes have not changed. The stat index tells that without reading the file while its stat is the
    recorded one; it also serves the preview, whose cache is kept in memory between saves: the kept
    document of an unchanged file is the same object (:meth:`.ContentCache.document`)."""
    digest, data = cache.stats.take(path, MAX_BYTES)
    hashed = data is not None  # digest is the hash of data (not hashed again by cache.document)
    if digest is not None and data is None:  # the stat index vouches for the hash: the file is not read
        digest, doc = cache.document(shown, None, digest, path)
        if doc is not None:  # (its sha256 is the digest: set by cache.document)
            return doc, ()
        data = _read(path)
    if data is None:
        doc, found = load_file(Path(path), layout.root)
    else:
        digest, doc = cache.document(shown, data, digest if hashed else None)
        if doc is not None:
            doc.sha256 = digest  # the file's hash: what the page cache keys an entry's own data by
            return doc, ()
        doc, found = load_bytes(data, shown, lazy_lines=True)
        doc.sha256 = digest
    if doc.data is not None:
        found += schemas.validate(doc, schema)
    if data is not None and not found:
        cache.store(digest, doc)
    return doc, found


def _read(path: str) -> bytes | None:
    """The bytes of ``path`` when it can be read and has at most ``MAX_BYTES``, else None."""
    try:
        with open(path, "rb") as handle:
            return handle.read() if os.fstat(handle.fileno()).st_size <= MAX_BYTES else None
    except OSError:
        return None


def open_cache(layout: Layout, stats=None) -> ContentCache:
    """The content cache of ``layout`` (disabled when ``MARGIN_NOTES_CACHE=0``); ``stats``: a
    :class:`~.statindex.StatIndex` already read in this process (``validate`` hashed every file).
    Its documents are read with the collector paused, as loading does (:func:`_gc_paused`)."""
    with _gc_paused():
        return ContentCache(layout.root, layout.schemas, enabled=os.environ.get(CACHE_ENV, "1") != "0", stats=stats)


def check(layout: Layout, files=(), cache: ContentCache | None = None, stats=None) -> tuple[Content, list[Problem]]:
    """Run every check; problems are limited to ``files`` when given (others still take part).

    Without ``cache`` a cache is opened (with the stat index ``stats`` when given) and saved here; a
    given ``cache`` is left for the caller to save (after rendering, whose glossary definitions it
    keeps too).
    """
    owned = cache is None
    cache = open_cache(layout, stats) if owned else cache.begin()
    content, problems = load_content(layout, files, cache)
    problems += crosscheck(content)
    content.warnings = warnings(content)
    if not problems:
        problems += verify(content.entries)
    if not problems:  # links need the pages, and pages need verified rules
        content.pages = collect_pages(content)
        # (pages hook, issue 14) each page's text is made only if the link check reads it
        problems += check_links(content, PageTexts(content.pages))
    if files:
        wanted = {display_path(Path(f), layout.root) for f in files}
        problems = [p for p in problems if p.file in wanted]
        content.warnings = [p for p in content.warnings if p.file in wanted]
    content.warnings = sorted(set(content.warnings))
    if owned:
        cache.save()
    return content, sorted(set(problems))


def write_tree(pages: Mapping[str, str], folder: Path, changed_paths: list[str] | None = None,
               written: dict | None = None, stamps: "DocStamps | None" = None) -> int:
    """Make ``folder`` hold exactly ``pages``; write only changed files (keeps ``mkdocs serve`` calm).

    An unchanged file keeps its modification time, so MkDocs' dirty build skips it. Returns the number
    of files written or removed; their folder-relative paths are appended to ``changed_paths`` when given.
    ``pages`` may make each text when it is read (:class:`~.render.RenderedPages`): a page that a key
    and a stamp show unchanged is never read. ``stamps`` (:class:`~.docstamps.DocStamps`) holds each
    file's key and (size, modification time, inode) as a run left it: a file with the same key and
    stamp is skipped. ``written`` (a dict the preview keeps between runs) is where they are kept in
    memory (``stamps`` made on it when not given: no file).

    (preview hook, issue 14) ``written`` a :class:`Written` marked ``trusted``: nothing but this
    process's earlier calls with it changed ``folder`` since the first of them (the live preview's own
    docs folder): a file whose key is the one kept in that memory is not stat'ed, and the stale files
    are those the memory holds that are no page any more (the folder is not walked).
    """
    changed = 0
    base = os.fspath(folder)
    os.makedirs(base, exist_ok=True)
    plain = not base.endswith("/")  # then base + "/" + relative is os.path.join's result for a relative path
    own = stamps is None and written is not None
    if own:
        stamps = DocStamps(None, folder, "", {}, written)
    keys = stamps.keys if stamps is not None else {}
    writers = pages.writers if isinstance(pages, RenderedPages) else {}
    # (preview hook) trusted only with the memory of this process's own last run (not the file's records)
    trusted = getattr(written, "trusted", False) and stamps is not None and stamps.old is written

    unchanged = stamps.unchanged if stamps is not None else None
    prefix = base + "/"
    for relative in pages:  # plain os calls: 20,000 files at 10,000 entries
        target = prefix + relative if plain and relative[:1] != "/" else os.path.join(base, relative)
        if unchanged is not None:
            if relative not in keys:  # a page without a key: known by its text's digest
                stamps.key_of(relative, lambda: pages[relative])
            if trusted and stamps.kept(relative):
                continue
            if unchanged(relative, target):
                continue
        writer = writers.get(relative)
        if writer is not None:  # the page writes its file itself (entries.json: only what changed)
            wrote, stamp = writer(target, _put)
        else:
            data = pages.data(relative) if isinstance(pages, RenderedPages) else pages[relative].encode("utf-8")
            wrote, stamp = _put(target, data)
        if stamps is not None:
            stamps.seen(relative, stamp)
        if not wrote:
            continue
        changed += 1
        if changed_paths is not None:
            changed_paths.append(relative)
    if trusted:
        changed += _drop_unwritten(pages, base, written, changed_paths)
        if own:
            stamps.save()
        return changed
    recorded = stamps is not None and stamps.path is not None  # the folder's own stamps kept on disk
    digest = hashlib.sha256("\n".join(pages).encode("utf-8", "surrogatepass")).hexdigest() if recorded else ""
    kept = stamps.tree_unchanged(digest) if recorded else None
    if kept is not None:  # it holds exactly the pages: no file to remove, no folder to walk
        stamps.note_tree(kept, digest)
        if own:
            stamps.save()
        return changed
    wanted = set(pages)
    normal: set[str] | None = None  # every page's path as os.path.normpath writes it, made if needed
    stale, folders = [], []
    for top, dirs, files in os.walk(base):
        inside = os.path.relpath(top, base)
        prefix = "" if inside == "." else inside + "/"
        folders += [prefix + name for name in dirs]
        for name in files:
            relative = prefix + name
            if relative not in wanted:
                if normal is None:
                    normal = {os.path.normpath(path) for path in pages}
                if os.path.normpath(relative) not in normal:
                    stale.append(relative)
    for relative in sorted(stale, key=lambda path: tuple(path.split("/")), reverse=True):
        changed += _unlink(base, relative, changed_paths)
    left = [""]  # the folders the walk leaves (for the next run's check, stamps.tree_unchanged)
    for relative in sorted(folders, key=lambda path: tuple(path.split("/")), reverse=True):  # deepest first
        path = os.path.join(base, relative)
        if os.path.isdir(path) and not os.path.islink(path) and not os.listdir(path):
            os.rmdir(path)
        else:
            left.append(relative)
    if recorded:
        stamps.note_tree(left, digest)
    if own:
        stamps.save()
    return changed


class Written(dict):
    """(preview hook, issue 14) :func:`write_tree`'s ``written`` memory, kept by the live preview, whose
    docs folder only :func:`write_tree` changes: once ``trusted`` (after a first call made the folder
    hold exactly its pages), unchanged files are not stat'ed and the folder is not walked."""

    trusted = False


def _unlink(base: str, relative: str, changed_paths: list[str] | None) -> int:
    """Remove the stale file ``relative`` under ``base`` if it is one (noted in ``changed_paths``): 1 if removed."""
    path = os.path.join(base, relative)
    if not os.path.isfile(path):
        return 0
    os.unlink(path)
    if changed_paths is not None:
        changed_paths.append(relative)
    return 1


def _drop_unwritten(pages: Mapping[str, str], base: str, written: dict, changed_paths: list[str] | None) -> int:
    """(preview hook, issue 14) :func:`write_tree`'s removal of stale files when it is ``trusted``:
    remove each file ``written`` holds that is no page any more, and its folders left empty."""
    stale = sorted((relative for relative in written if relative != MEMORY_KEY and relative not in pages),
                   key=lambda path: tuple(path.split("/")), reverse=True)
    removed = 0
    for relative in stale:
        del written[relative]
        removed += _unlink(base, relative, changed_paths)
        folder = os.path.dirname(os.path.join(base, relative))
        while len(folder) > len(base) and os.path.isdir(folder) and not os.listdir(folder):
            os.rmdir(folder)
            folder = os.path.dirname(folder)
    return removed


def _put(target: str, data: bytes) -> tuple[bool, tuple[int, int, int]]:
    """Make the file ``target`` hold ``data``: (whether it was written, its stamp afterwards). A file
    that holds them already is left as it is; one that differs is rewritten in place (cheaper than a
    truncated file's new blocks: entries.json has 60 MB at 10,000 entries)."""
    try:
        handle = open(target, "r+b")
    except OSError:
        handle = None  # missing, read-only, or not a file: writing it reports why
        try:
            with open(target, "rb") as reader:
                if os.fstat(reader.fileno()).st_size == len(data) and reader.read() == data:
                    return False, _stamp(os.fstat(reader.fileno()))
        except OSError:
            pass
    if handle is not None:
        with handle:
            if os.fstat(handle.fileno()).st_size == len(data) and handle.read() == data:
                return False, _stamp(os.fstat(handle.fileno()))
            handle.seek(0)
            handle.write(data)
            handle.truncate()
            handle.flush()
            return True, _stamp(os.fstat(handle.fileno()))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as handle:
        handle.write(data)
        handle.flush()
        return True, _stamp(os.fstat(handle.fileno()))


def _stamp(stat: os.stat_result) -> tuple[int, int, int]:
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


def prepare(layout: Layout, docs_dir: Path, assets: bool = True, log=None) -> Mapping[str, str]:
    """Check the content and write the rendered docs; raise :class:`ContentError` on any problem.

    Warnings (problems that do not fail) go to ``log``, one per line, when it is given.
    """
    return prepare_content(layout, docs_dir, assets, log)[1]


def prepare_content(layout: Layout, docs_dir: Path, assets: bool = True, log=None,
                    changed_paths: list[str] | None = None,
                    cache: ContentCache | None = None, written: dict | None = None,
                    write: bool = True, save_later: list | None = None) -> tuple[Content, Mapping[str, str]]:
    """:func:`prepare`, also returning the checked content (its ``pages`` name each page's source).

    The docs-relative paths of the files written or removed are appended to ``changed_paths`` when given.
    A ``cache`` kept by the caller (the preview keeps one in memory between saves) is used and saved;
    ``written`` is :func:`write_tree`'s memory of the files it wrote, kept by the preview too.
    With ``write`` False the docs folder is left alone (:func:`build` hands MkDocs the pages in memory).
    (preview hook, issue 14) ``save_later``: the saving of the cache, the doc stamps and the page keys
    is appended to it as functions to call, instead of being done here (the preview saves them once
    the page is served).
    """
    cache = cache or open_cache(layout)
    stamps = None
    save = save_later.append if save_later is not None else _call  # now, or once the preview served the page
    try:
        with rendering():  # every page key is read after the checks: kept ones read at once (keymemo)
            content, problems = check(layout, cache=cache)
        for warning in content.warnings if log else ():
            log(str(warning))
        built: dict[str, str] = {}
        if assets and not problems:
            cached = os.environ.get(CACHE_ENV, "1") != "0"
            built, problems = calculator_assets(layout.root if cached else None)
        if problems:
            raise ContentError(problems)
        keys: dict[str, str] = {}
        files = render(content, keys).with_files(built)
        if write:  # one memory of the docs files: on disk (cache on), and the preview's in ``written``
            stamps = DocStamps(layout.root if cache.enabled else None, docs_dir, cache.key, keys, written) \
                if cache.enabled or written is not None else None
            write_tree(files, docs_dir, changed_paths, written, stamps)  # makes the texts of changed pages
            save(lambda: save_page_keys(content.pages))
        else:  # every page's bytes, made before the cache is saved (it keeps the texts made meanwhile)
            files = Encoded(files)
    finally:
        save(cache.save)  # after the writing: the texts made meanwhile are kept
    if stamps is not None:
        save(stamps.save)
    return content, files


def _call(function) -> None:
    """Call ``function`` (what :func:`prepare_content` does with a saving step when none is deferred)."""
    function()


def run_mkdocs(config: Path, docs_dir: Path, out_dir: Path, pages: dict[str, str] | None = None,
               fork: MkDocsFork | None = None) -> tuple[bool, str]:
    """``mkdocs build --strict`` of ``docs_dir`` into ``out_dir``; returns (passed, its output).

    With ``pages`` (``{docs-relative path: text}``), MkDocs builds those pages instead, fed to it through
    a pipe while it runs, with an empty docs folder (:mod:`.memdocs`); ``docs_dir`` is not read.
    With ``fork`` (:mod:`.mkdocsfork`), MkDocs runs in that forked child instead of a new process.
    """
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", **{DOCS_ENV: str(docs_dir.resolve()), PREPARED_ENV: "1"})
    env.pop(PAGES_ENV, None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "-f", str(config), "-d", str(out_dir)]
    if fork is not None:  # (build1k, issue 14) the same command, without starting Python and its imports again
        code, out, err = fork.run(command[3:], config.parent, env, pages, DOCS_ENV)
        return code == 0, (out + err).strip()
    if pages is None:
        result = subprocess.run(command, cwd=config.parent, env=env, capture_output=True, text=True)
    else:
        with Handover(pages) as handover:
            env.update({DOCS_ENV: handover.folder, PAGES_ENV: handover.source})
            result = subprocess.run(command, cwd=config.parent, env=env, capture_output=True, text=True,
                                    pass_fds=handover.fds)
    return result.returncode == 0, (result.stdout + result.stderr).strip()


def swap_into_place(new: Path, site_dir: Path) -> None:
    """Replace ``site_dir`` by ``new`` with two renames (the old tree is removed afterwards)."""
    old = None
    if site_dir.exists():
        old = site_dir.parent / f".site-old-{os.getpid()}"
        shutil.rmtree(old, ignore_errors=True)
        site_dir.rename(old)
    new.rename(site_dir)
    if old:
        shutil.rmtree(old, ignore_errors=True)


def build(layout: Layout, site_dir: Path, config: Path, docs_dir: Path | None = None,
          assets: bool = True, log=print) -> int:
    """The full build. Returns 0 and a new ``site_dir`` on success; 1 with ``site_dir`` untouched otherwise."""
    fork = MkDocsFork.start()  # (build1k, issue 14) MkDocs' process, forked before the pipeline runs
    try:
        return _build(layout, site_dir, config, docs_dir, assets, log, fork)
    finally:
        if fork is not None:
            fork.close()


def _build(layout: Layout, site_dir: Path, config: Path, docs_dir: Path | None, assets: bool, log,
           fork: MkDocsFork | None) -> int:
    """:func:`build` itself, MkDocs run in ``fork`` when given."""
    docs_dir = docs_dir or layout.root / ".build" / "docs"
    try:
        content, pages = prepare_content(layout, docs_dir, assets, log=log, write=False)
    except ContentError as error:
        log(str(error))
        return 1
    if not packable(pages):  # MkDocs reads these pages from the docs folder (see memdocs)
        write_tree(pages, docs_dir)
        pages = None
    docs_dir.mkdir(parents=True, exist_ok=True)  # plain ``mkdocs build`` needs it to exist (README)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    out_dir = Path(tempfile.mkdtemp(prefix=".site-", dir=site_dir.parent))
    try:
        passed, output = run_mkdocs(config, docs_dir, out_dir, pages, fork)
        if not passed:
            sources = {path: page.source for path, page in (content.pages or {}).items()}
            log("\n".join(explain_mkdocs(output, content, sources)))
            log(f"MkDocs build failed; {site_dir} was left as it was.")
            return 1
        passed, output = index_site(out_dir)
        if not passed:
            log(output)
            log(f"Search indexing (Pagefind) failed; {site_dir} was left as it was.")
            return 1
        swap_into_place(out_dir, site_dir)
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    return 0
