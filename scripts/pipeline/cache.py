"""The content cache: loaded, schema-valid documents and Markdown safety verdicts kept between runs.

Files ``.cache/content/<xx>.shard`` under the project root (a line of JSON, then a block of UTF-8
texts: see :mod:`.shardfile`; never pickle: reading them cannot run code), 256 shards so that one changed file rewrites only the shards its records fall in. It is keyed by the code's version (every Python file of the pipeline and the model, the
Markdown configuration and the installed versions of the libraries that parse and check) and by the
hash of the schemas; a file written under another key is ignored, never trusted. A document is reused
only when its file's SHA-256 is the one stored with it, and only documents that loaded and passed their
schema are stored. Anything unreadable or malformed (a truncated write, hand edits) is treated as an
empty cache and rewritten. ``make clean`` removes the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from functools import lru_cache
from pathlib import Path

from .cachefile import write_atomically
from .load import CachedDocument, Document, load_bytes
from .shardfile import MISSING, DocsBlock, TextRecord, parse_shard, read_header, shard_bytes
from .statindex import StatIndex

CACHE_DIR = ".cache"
SHARD_DIR = "content"  # .cache/content/<xx>.shard
SHARD_SUFFIX = ".shard"
REPO = Path(__file__).resolve().parents[2]
# The libraries whose behaviour decides a load, a schema verdict or a Markdown verdict.
LIBRARIES = ("PyYAML", "jsonschema", "jsonschema-rs", "Markdown", "pymdown-extensions", "nh3")


@lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of the code and libraries that produce what the cache holds (computed once per process)."""
    digest = hashlib.sha256(sys.version.encode())
    # the model's data too: venue profiles (YAML) and their schema decide rule results and venue pages
    files = sorted((REPO / "scripts").rglob("*.py")) + sorted(
        path for path in (REPO / "calculators").rglob("*") if path.suffix in (".py", ".yaml", ".json"))
    for path in files + [REPO / "mkdocs.yml"]:
        digest.update(path.relative_to(REPO).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for name in LIBRARIES:
        digest.update(f"{name}=={_version(name)}\0".encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _dist_infos() -> dict[str, str]:
    """``{normalized project name: version}`` of the ``.dist-info`` folders on ``sys.path`` (the first
    folder naming a project wins, as for ``importlib.metadata``)."""
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in names:
            if entry.endswith(".dist-info") and "-" in entry:
                project, _, version = entry[:-len(".dist-info")].partition("-")
                if version and "-" not in version:
                    found.setdefault(re.sub(r"[-_.]+", "_", project).lower(), version)
    return found


def _version(name: str) -> str:
    """``importlib.metadata.version(name)`` ("none" when not installed), read from the name of its
    ``<name>-<version>.dist-info`` folder on ``sys.path`` when there is one (build1k, issue 14: importing
    ``importlib.metadata`` cost every command 20-45 ms); any other layout asks the library."""
    version = _dist_infos().get(re.sub(r"[-_.]+", "_", name).lower())
    if version:
        return version
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "none"


def schema_digest(schema_dir: Path) -> str:
    """A digest of every schema file in ``schema_dir``."""
    digest = hashlib.sha256()
    for path in sorted(schema_dir.glob("*.json")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class _KeptData:
    """``KeptDocument.data``: decoded on first use, then kept in the document's own attributes, which
    Python looks up before this (non-data) descriptor, so later reads cost an attribute read."""

    def __get__(self, doc, owner=None):
        if doc is None:
            return self
        value = doc._record.get("data")
        if type(value) is DocsBlock:
            value = value.value_for(doc.file)
            if value is MISSING:
                value = load_bytes(doc._bytes(), doc.file)[0].data
            doc._record["data"] = value
        doc.__dict__["data"] = value
        return value


class KeptDocument(CachedDocument):
    """A document from the content cache whose data is decoded from its shard the first time a stage
    reads it (a check that needs only the entries' index never does: :mod:`.entryindex`). The data is
    decoded into the cache's record itself, so the record and the document keep holding one object.
    A record whose bytes are not JSON (a damaged shard) gives the data of the file's bytes instead,
    which the cache matched by hash."""

    def __init__(self, file: str, record: dict, source: bytes, path: Path | None = None):
        self.file = file
        self._record = record
        self._source = source
        self._path = path
        self._maps = None

    data = _KeptData()

    def holds(self, record: dict) -> bool:
        """Whether this document's data is the one of the cache's ``record`` (the same object, decoded or not)."""
        if "data" in self.__dict__:  # read (or set) already
            return self.__dict__["data"] is record.get("data")
        return self._record is record or self._record.get("data") is record.get("data")

    def _bytes(self) -> bytes:
        if not self._source and self._path is not None:
            try:
                with open(self._path, "rb") as handle:
                    self._source = handle.read()
            except OSError:
                self._source = b""
        return self._source


class UnreadDocument(KeptDocument):
    """A cached document whose file was not read (its stat matched the stat index): the bytes are
    read the first time a message needs a line."""

    def __init__(self, file: str, record: dict, path: Path):
        self.file, self._record, self._source, self._path, self._maps = file, record, b"", path, None

    def _line_maps(self) -> tuple[dict, dict]:
        if self._maps is None:
            try:
                with open(self._path, "rb") as handle:
                    self._source = handle.read()
            except OSError:
                self._source = b""
        return super()._line_maps()


def _valid_facts(record, sequences: tuple = (list,)) -> bool:
    """Whether ``record`` (decoded from JSON) has the shape :func:`.facts.doc_facts` makes: checked here,
    without importing :mod:`.facts` (it imports this module through drafts and entryindex), and
    without a generator per path. ``sequences``: the types a list may have (facts made in this run
    hold tuples, which JSON gives back as lists)."""
    if type(record) is not dict or record.get("kind") not in _FACT_KINDS:
        return False
    for key in ("markdown", "todo", "calc"):
        paths = record.get(key)
        if type(paths) not in sequences:
            return False
        for path in paths:
            if type(path) not in sequences:
                return False
            for part in path:
                if type(part) is not str and type(part) is not int:
                    return False
    return True


_FACT_KINDS = ("entry", "glossary", "site")  # facts.KINDS (a test keeps them in step)


def _valid_index(value) -> bool:
    """:func:`.entryindex.valid_index` (imported on first use: entryindex imports this module)."""
    from .entryindex import valid_index

    globals()["_valid_index"] = valid_index
    return valid_index(value)


def _checked(record: dict) -> dict:
    """A document's ``record`` as written: without facts or an index of the wrong shape, which the
    document then makes again. The reader trusts what a shard whose header matches its checksum holds
    (:meth:`ContentCache.document`): the check is made once per write, not per document on every run."""
    facts, index = record.get("facts"), record.get("index", False)
    if (facts is None or _written_facts(facts)) and (index is None or index is False or _valid_index(index)):
        return record
    return {key: value for key, value in record.items()
            if (key != "facts" or _written_facts(value)) and (key != "index" or value is None or _valid_index(value))}


def _written_facts(facts) -> bool:
    """:func:`_valid_facts` of ``facts`` as JSON gives them back (facts made in this run hold tuples)."""
    return _valid_facts(facts, (list, tuple))


def _hold_record(doc: "KeptDocument", entry: dict, digest: str, factless: set) -> None:
    """Give the cached ``doc`` its file's hash ``digest`` and the facts and index of its record ``entry``
    as the writer checked them (:func:`_checked`; the shard's header matched its checksum). A record
    without facts is noted in ``factless``."""
    held = doc.__dict__
    held["sha256"] = digest
    facts = entry.get("facts")
    if facts is not None:
        held["facts"] = facts
    else:
        factless.add(doc.file)
    index = entry.get("index", False)
    if index is not False:
        held["index"] = index


def _notes(record: dict | None) -> dict:
    """The notes kept in the index of a document's ``record`` (empty when it has none or they are damaged)."""
    index = record.get("index") if record is not None else None
    notes = index.get("notes") if type(index) is dict else None
    return notes if type(notes) is dict else {}


def _holds(doc: Document, record: dict) -> bool:
    """Whether ``doc`` holds the data of the cache's ``record`` (without decoding it)."""
    return doc.holds(record) if isinstance(doc, KeptDocument) else doc.data is record.get("data")


def _json_safe(value) -> bool:
    """Whether ``value`` comes back from JSON as it went in (string keys only, no other types)."""
    if isinstance(value, dict):
        return all(isinstance(key, str) and _json_safe(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_json_safe(item) for item in value)
    return value is None or isinstance(value, (str, int, float, bool))


# Records kept besides documents, each under a digest of everything it depends on: "rules" (a rule's
# verdict, keyed by the rule and the code version, which covers the model and the venue profiles) and
# "pages" (an entry page's Markdown, keyed by every value the page shows), "abbr" (the glossary
# definitions a page needs, keyed by the page's text and the glossary), "checks" (the findings of the
# checks across entries and of an entry that is not kept as a document: crosscheck.run_check; a kept
# document's index holds its per-entry findings as a note, see ContentCache.note), "links" (the link
# and image addresses of an entry's Markdown fields, keyed by its file and hash: links.check_links),
# "memo" (small facts the code and an entry decide, so a run that shows none of them imports no model:
# the venue profiles' and the calculators' ids, the calculators an entry embeds).
SECTIONS = ("rules", "pages", "abbr", "checks", "links", "memo")
_CURRENT: list = [None]


def current() -> "ContentCache | None":
    """The cache of the check running now (None outside a check, or with the cache turned off)."""
    cache = _CURRENT[0]
    return cache if cache is not None and cache.enabled else None


def digest_of(*parts) -> str:
    """A SHA-256 of JSON values (in order): the key of a record."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=repr).encode(
        "utf-8", "surrogatepass")).hexdigest()


@lru_cache(maxsize=65536)
def doc_shard(file: str) -> str:
    """The shard (two hex digits) that holds the record of the file shown as ``file``."""
    return hashlib.sha256(file.encode("utf-8", "surrogatepass")).hexdigest()[:2]


def entry_key(file: str, *parts: str) -> str:
    """The key of a record of the entry shown as ``file`` (digest of ``parts`` and ``file``), in the
    entry's own shard (:func:`doc_shard`): one changed entry rewrites one shard for its document, its
    kept findings and its links, not three."""
    digest = hashlib.sha256("\0".join(parts + (file,)).encode("utf-8", "surrogatepass")).hexdigest()
    return doc_shard(file) + digest[2:]


def _valid_shard(raw, key: str) -> bool:
    return isinstance(raw, dict) and raw.get("key") == key and all(
        isinstance(raw.get(name, {}), dict) for name in ("docs", "markdown") + SECTIONS) and isinstance(raw.get("docs"), dict)


class ContentCache:
    """The cache of one project root, in shards ``.cache/content/<xx>.shard`` (a record's shard is the
    first two hex digits of its key, or of the SHA-256 of a document's file name). :meth:`save` writes
    back only the shards that gained or changed a record, so one changed file rewrites a few small
    files, not the whole cache; a shard that is unreadable, foreign or malformed is ignored and
    rewritten."""

    def __init__(self, root: Path, schema_dir: Path, enabled: bool = True, stats: StatIndex | None = None):
        self.folder = root / CACHE_DIR / SHARD_DIR
        self.key = f"{code_version()}:{schema_digest(schema_dir)}" if enabled else ""
        self.enabled = enabled
        self.docs: dict[str, dict] = {}
        self.used: dict[str, dict] = {}
        self.objects: dict[str, Document] = {}  # the documents of self.used, whose facts are kept too
        self.markdown: dict = {}
        self.records: dict[str, dict] = {name: {} for name in SECTIONS}
        self.records_used: dict[str, dict] = {name: {} for name in SECTIONS}
        self.dirty: set[str] = set()  # shards to write: a record added or changed, or the shard unusable
        self.partial: set[str] = set()  # sections this run did not list in full (see :meth:`keep_unread`)
        self.notes: dict[str, dict] = {}  # notes set this run: file -> {name: value} (see :meth:`note`)
        # the shard a document's record was read from: doc_shard(file) without a hash per file (a record
        # found in another shard than its own only puts the keys made from it there: never a wrong hit)
        self.shard_of: dict[str, str] = {}
        self._saved: dict | None = None  # the verdicts of the last save, until the next run begins
        self.factless: set[str] = set()  # documents of this run without kept facts (facts.py may make them)
        # kept in memory between runs (set by the preview; informative only): which files changed is
        # told by the stat index, the same one a command-line run reads from disk (statindex.py)
        self.resident = False
        # (preview hook, issue 14) with a resident cache, the resolved paths of the files the preview's
        # watcher saw change since the last run with this cache, or None (unknown): see build._entry_files
        self.changed_files: set[str] | None = None
        self.listing: dict | None = None  # the entry listing of the last run (build._entry_files)
        # the files' hashes, reused while their stat is unchanged (saved with the cache)
        self.stats = stats if stats is not None else StatIndex(root, enabled)
        from . import safety  # Markdown and nh3: imported only when a check runs

        if enabled:
            self._read()
        safety.use_verdicts(self.markdown if enabled else None)
        _CURRENT[0] = self

    def begin(self) -> "ContentCache":
        """Start another run with this cache, kept in memory since the last :meth:`save` (the preview
        keeps one between saves, so a save reads and writes only what changed). Returns the cache.

        What a run froze out of the cyclic collector's sight (build._gc_paused) is given back by the
        process that keeps the cache: the preview's :class:`scripts.preview_heap.Heap`.
        """
        from . import safety

        self._merge_saved()
        self.used, self.records_used, self.partial, self.notes = {}, {name: {} for name in SECTIONS}, set(), {}
        self.factless = set()
        # (statskip hook, issue 14) the files the preview's watcher reported: others keep their confirmed row
        self.stats.begin(self.changed_files if self.resident else None)
        safety.use_verdicts(self.markdown if self.enabled else None)
        _CURRENT[0] = self
        return self

    def _read(self) -> None:
        """Merge every usable shard; note the unusable ones (to be rewritten)."""
        try:
            paths = sorted(self.folder.glob("*" + SHARD_SUFFIX))
        except OSError:
            return
        for path in paths:
            shard = path.stem
            try:
                raw = parse_shard(*read_header(path))
            except (OSError, ValueError):
                raw = None
            if len(shard) != 2 or not _valid_shard(raw, self.key):
                self.dirty.add(shard)
                continue
            self.docs.update(raw["docs"])
            self.shard_of.update(dict.fromkeys(raw["docs"], shard))
            self.markdown.update(raw.get("markdown", {}))
            for name in SECTIONS:
                self.records[name].update(raw.get(name, {}))

    def record(self, section: str, key: str):
        """The record kept under ``key`` in ``section``, or None."""
        value = self.records[section].get(key) if self.enabled else None
        if type(value) is TextRecord:  # kept as bytes in its shard's text block: decoded on first use
            value = value.text()
            if value is None:
                del self.records[section][key]
            else:
                self.records[section][key] = value
        if value is not None:
            self.records_used[section][key] = value
        return value

    def touch(self, section: str, key: str) -> None:
        """Keep the record under ``key`` in ``section`` for the next run without reading it (hook of the
        page stages, issue 14: a page whose docs file is unchanged is not read, yet its text stays)."""
        value = self.records[section].get(key) if self.enabled else None
        if value is not None:
            self.records_used[section][key] = value

    def raw(self, section: str, key: str) -> bytes | None:
        """The UTF-8 bytes of the text record under ``key`` in ``section`` (kept for the next run), or
        None; not decoded (hook of the page stages, issue 14: entries.json joins 10,000 twins' bytes)."""
        value = self.records[section].get(key) if self.enabled else None
        if value is None:
            return None
        self.records_used[section][key] = value
        if type(value) is TextRecord:
            return value.raw()
        return value.encode("utf-8", "surrogatepass") if isinstance(value, str) else None

    def note(self, file: str, name: str):
        """The note ``name`` kept with the document of ``file`` as this run loaded it (the record its
        hash matched, or the one stored for it this run), or None. Notes live in the index of the
        document's own record (field "notes"), so they go with it: an edited file starts without any."""
        pending = self.notes.get(file)
        if pending is not None and name in pending:
            return pending[name]
        return _notes(self.used.get(file)).get(name)

    def set_note(self, file: str, name: str, value) -> bool:
        """Keep ``value`` (JSON) as the note ``name`` of the document of ``file``; False (nothing kept)
        when this run has no cached document of ``file`` (one that did not load or pass its schema)."""
        if not self.enabled or file not in self.used:
            return False
        self.notes.setdefault(file, {})[name] = value
        return True

    def keep_unread(self, section: str, unread: bool = True) -> None:
        """Say whether this run leaves records of ``section`` it would use unnamed (hook of the page
        stages, issue 14: ``validate`` computes no entry page's key unless the link check reads the
        page): a shard written meanwhile then keeps its stored records of the section besides the
        ones this run used, instead of only those."""
        if unread:
            self.partial.add(section)
        else:
            self.partial.discard(section)

    def keep(self, section: str, key: str, value) -> None:
        """Keep ``value`` (JSON) under ``key`` in ``section``."""
        if self.enabled and value is not None:
            self.records_used[section][key] = value
            stored = self.records[section].get(key)
            if (stored.text() if type(stored) is TextRecord else stored) != value:
                self.dirty.add(key[:2])

    def document(self, file: str, data: bytes | None, digest: str | None = None,
                 path: Path | None = None) -> tuple[str, Document | None]:
        """``(digest of data, the cached document of file or None)``.

        ``data`` may be None when ``digest`` is given (the stat index vouched for the file's hash):
        the document then reads its file at ``path`` only if a message needs a line. A ``digest`` given
        with ``data`` is its SHA-256 (the stat index hashed the bytes it read; not hashed twice).
        """
        digest = hashlib.sha256(data).hexdigest() if data is not None and digest is None else digest
        entry = self.docs.get(file) if self.enabled else None
        try:
            if entry and entry["sha256"] == digest and "data" in entry:
                self.used[file] = entry
                kept = self.objects.get(file)
                if kept is not None and kept.__dict__.get("sha256") == digest and _holds(kept, entry):
                    if "facts" not in kept.__dict__:
                        self.factless.add(file)
                    return digest, kept  # in memory since the last run (the preview): the same object
                doc = KeptDocument(file, entry, data) if data is not None else UnreadDocument(file, entry, path)
                _hold_record(doc, entry, digest, self.factless)
                self.objects[file] = doc
                return digest, doc
        except (KeyError, TypeError, ValueError):
            pass  # a malformed record: load the file again
        return digest, None

    def unread_documents(self, found: dict[str, str], shown: dict[str, str]) -> dict[str, "UnreadDocument"]:
        """``{path: document}`` of the files ``found`` (``{path: SHA-256}`` the stat index vouched for,
        :meth:`.StatIndex.unchanged`) whose cached record has that hash: :meth:`document` of each
        without a call per file. ``shown``: each path's display name. A file left out (no record, another
        hash, a document this cache already holds) goes through :meth:`document` as usual."""
        if not self.enabled:
            return {}
        docs, used, objects, factless, out = self.docs, self.used, self.objects, self.factless, {}
        for path, digest in found.items():
            file = shown[path]
            entry = docs.get(file)
            if type(entry) is not dict or entry.get("sha256") != digest or "data" not in entry or file in objects:
                continue
            doc = UnreadDocument(file, entry, path)
            _hold_record(doc, entry, digest, factless)
            used[file] = entry
            objects[file] = doc
            out[path] = doc
        return out

    def store(self, digest: str, doc: Document) -> None:
        """Keep a document that loaded and passed its schema."""
        from .entryindex import index_of

        if not self.enabled or not (doc.__dict__.get("json_safe") or _json_safe(doc.data)):
            return
        # lines: rebuilt when needed; the index: what checks across entries read (entryindex.py)
        self.used[doc.file] = {"sha256": digest, "data": doc.data, "index": index_of(doc)}
        self.objects[doc.file] = doc
        self.factless.add(doc.file)
        self.dirty.add(doc_shard(doc.file))

    def save(self) -> None:
        """Write the shards that gained or changed a record; never fail the run over it.

        A shard written keeps the records this run used (documents, verdicts, and of each section the
        run looked at), so records of deleted files and old versions go when their shard is rewritten.
        """
        from . import safety

        self._merge_saved()  # a second save in one run compares with what the first wrote
        self.stats.save()
        verdicts = safety.used_verdicts()[0]
        if _CURRENT[0] is self:
            _CURRENT[0] = None
        if not self.enabled:
            return
        objects, used = self.objects, self.used
        made = [(file, record, facts) for file in self.factless  # the facts facts.py made this run
                if (record := used.get(file)) is not None and (doc := objects.get(file)) is not None
                and (facts := doc.__dict__.get("facts")) is not None and facts is not record.get("facts")]
        self.factless = set()
        for file, record, facts in made:
            if record.get("facts") != facts:
                self.used[file] = {**record, "facts": facts}
                self.dirty.add(doc_shard(file))
        for file, new in self.notes.items():
            record = self.used.get(file)
            index = record.get("index") if record is not None else None
            old = _notes(record)
            if type(index) is dict and any(old.get(name) != value for name, value in new.items()):
                self.used[file] = {**record, "index": {**index, "notes": {**old, **new}}}
                self.dirty.add(doc_shard(file))
        self.notes = {}
        self.dirty.update(key[:2] for key in verdicts if key not in self.markdown)
        dirty, self.dirty = self.dirty, set()
        self._write(dirty, verdicts)
        self._saved = verdicts  # merged into what the next run in this process reads (see :meth:`begin`)

    def _merge_saved(self) -> None:
        """Make the records read by this cache what the shards now hold, after a :meth:`save`: done when
        another run begins (a command-line run ends after its one save and never pays for it)."""
        verdicts, self._saved = self._saved, None
        if verdicts is None:
            return
        self.docs.update(self.used)
        self.objects = {file: doc for file, doc in self.objects.items() if file in self.used}
        self.markdown.update(verdicts)
        for name in SECTIONS:
            self.records[name].update(self.records_used[name])

    def _write(self, dirty: set[str], verdicts: dict) -> None:
        """Write the shards named in ``dirty`` from this run's records."""
        if not dirty:
            return
        shards: dict[str, dict] = {shard: {"key": self.key, "docs": {}, "markdown": {}, **{n: {} for n in SECTIONS}}
                                   for shard in dirty}
        used, shard_of = self.used, self.shard_of
        for file, record in used.items():
            # a record read from a shard lies in its own shard (a sealed header is this writer's): no hash per file
            shard = shards.get(shard_of.get(file) or doc_shard(file))
            if shard is not None:
                shard["docs"][file] = used[file] = _checked(record)
        for name, kept, stored in [("markdown", verdicts, self.markdown)] + [
                (n, self.records_used[n], self.records[n]) for n in SECTIONS]:
            # a section this run never asked keeps its records; one it did not list in full keeps both
            chosen = {**stored, **kept} if name in self.partial and kept else (kept if kept else stored)
            for key, value in chosen.items():
                shard = shards.get(key[:2])
                if shard is not None:
                    shard[name][key] = value
        for shard, payload in shards.items():
            if not write_atomically(self.folder / f"{shard}{SHARD_SUFFIX}", shard_bytes(payload)):
                return  # a read-only checkout: the run is still right, only slower next time
        try:
            for legacy in self.folder.glob("??.json"):  # shards of the JSON-only format: never read again
                legacy.unlink()
        except OSError:
            pass
