"""The docs folder handed to MkDocs in memory: ``build`` writes one file instead of 20,000 (issue 14).

At 10,000 entries, writing the generated docs folder (20,118 files) cost the full build 3-5 s of
kernel time, and MkDocs then read every file back. ``python -m scripts build`` instead packs the
pages (:func:`pack`, ``marshal`` records ``(docs-relative path, bytes)``), feeds the pack to MkDocs
through a pipe (:class:`Handover`; a 257 MB file cost about 1 s of kernel time to write and remove),
points MkDocs at an empty docs folder, and the MkDocs hook (``scripts/mkdocs_hook.py``, ``on_files``)
turns the pack into MkDocs files (:func:`mkdocs_files`) exactly as MkDocs would have listed and read
them from a docs folder holding those bytes:

* the same order (:func:`walk_key`: ``get_files``' walk: a folder's files, ``index``/``README`` first,
  before its sub-folders, both sorted), theme files after them unless a page takes their path;
* a Markdown page's text is what MkDocs reads from its file (:func:`text_as_read`: UTF-8 with an
  optional byte-order mark, universal newlines); any other file is copied as its bytes.

``render`` and the preview still write the docs folder. A page set with a ``README`` page
(MkDocs's README-versus-index rule) is written to the docs folder as before (:func:`packable`).
tests/pipeline/test_memdocs.py compares both ways, down to every byte of the built site.
"""

from __future__ import annotations

import marshal
import os
import posixpath
import tempfile
import threading
from collections.abc import Mapping

PAGES_ENV = "MARGIN_NOTES_PAGES"  # the pack's path, set by build.run_mkdocs for the hook
_FIRST = ("index", "README")


def packable(pages) -> bool:
    """Whether MkDocs can take ``pages`` from a pack (no page is a README, see the module's text)."""
    return not any(posixpath.splitext(posixpath.basename(path))[0] == "README" for path in pages)


def encoded(pages: Mapping[str, str]) -> list[tuple[str, bytes]]:
    """``(docs-relative path, bytes)`` of each page: the bytes ``write_tree`` would write into the docs
    folder (``pages.data(path)`` when the pages give them, else the text as UTF-8; a text UTF-8 cannot
    hold fails here, as it failed there)."""
    if isinstance(pages, Encoded):
        return pages.records
    data = getattr(pages, "data", None)
    if callable(data):
        return [(path, data(path)) for path in pages]
    return [(path, pages[path].encode("utf-8")) for path in pages]


class Encoded(Mapping):
    """Pages held as the bytes of their files, made at once (``build`` makes them before the content
    cache is saved, which keeps the texts made meanwhile); read as ``{path: text}`` they decode."""

    def __init__(self, pages: Mapping[str, str]):
        self.records = encoded(pages)
        self._index = dict(self.records)

    def __getitem__(self, path: str) -> str:
        return self._index[path].decode("utf-8")

    def __iter__(self):
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def data(self, path: str) -> bytes:
        """The bytes of the file of ``path``."""
        return self._index[path]


def pack(pages: Mapping[str, str]) -> bytes:
    """The bytes of the pack of ``pages`` (``{docs-relative path: text}``): one ``marshal`` record
    ``(path, bytes)`` per page (:func:`encoded`), then ``None``."""
    return b"".join(map(marshal.dumps, encoded(pages))) + marshal.dumps(None)


def unpack(source: str) -> dict[str, bytes]:
    """The pages of the pack (``{docs-relative path: bytes}``) read from ``source``: ``fd:<n>``, a pipe
    this process inherited (:class:`Handover`), or a file's path."""
    target = int(source[3:]) if source.startswith("fd:") else source
    pages: dict[str, bytes] = {}
    with open(target, "rb") as handle:
        while (record := marshal.load(handle)) is not None:
            if not (isinstance(record, tuple) and len(record) == 2 and isinstance(record[1], bytes)):
                raise ValueError(f"{source}: not a pack of pages")
            pages[record[0]] = record[1]
    return pages


class Handover:
    """``with Handover(pages) as handover:`` an empty docs folder (:attr:`folder`) and a pipe whose read
    end (:attr:`source` for :func:`unpack`, :attr:`fds` to pass to the MkDocs process) a thread feeds
    the pack into while MkDocs runs. On leaving, the parent's read end is closed first, so the feeding
    thread ends even when MkDocs stopped before reading everything; the folder is removed."""

    def __init__(self, pages: Mapping[str, str]):
        self.data = encoded(pages)  # here, not in the thread: a text UTF-8 cannot hold fails the build

    def __enter__(self) -> "Handover":
        self.folder = tempfile.mkdtemp(prefix="margin-notes-docs-")
        self._read, write = os.pipe()
        self.source, self.fds = f"fd:{self._read}", (self._read,)
        self._thread = threading.Thread(target=_feed, args=(write, self.data), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        os.close(self._read)
        self._thread.join()
        self.data = []
        os.rmdir(self.folder)


def _feed(fd: int, records: list[tuple[str, bytes]]) -> None:
    """Write the pack's records one by one (no copy of the whole pack: 257 MB at 10,000 entries)."""
    try:
        with open(fd, "wb") as handle:
            for record in records:
                marshal.dump(record, handle)
            marshal.dump(None, handle)
    except (BrokenPipeError, OSError):  # MkDocs ended without reading the whole pack: its output says why
        pass


def walk_key(path: str) -> tuple:
    """The sort key giving the order in which MkDocs' ``get_files`` meets ``path`` in a docs folder:
    ``os.walk`` top-down with sorted folder names, and in each folder its files first, sorted with
    ``index`` and ``README`` ahead of the others."""
    *folders, name = path.split("/")
    return (*((1, folder) for folder in folders), (0, posixpath.splitext(name)[0] not in _FIRST, name))


def text_as_read(data: bytes) -> str:
    """The text MkDocs reads from a file holding ``data`` (``open(..., encoding='utf-8-sig')``:
    a leading byte-order mark dropped, CR LF and lone CR read as LF)."""
    text = data.decode("utf-8-sig", errors="strict")
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def mkdocs_files(pages: dict[str, bytes], files, config):
    """MkDocs' ``Files`` for ``pages`` and the theme files in ``files`` (the hook's ``on_files`` is given
    the theme's files only: the docs folder is empty), as ``get_files`` and ``add_files_from_theme`` list
    them for a docs folder holding ``pages``."""
    from mkdocs.structure.files import File, Files
    from mkdocs.utils import is_markdown_file

    listed = []
    for path in sorted(pages, key=walk_key):
        data = pages[path]
        listed.append(File.generated(config, path, content=text_as_read(data) if is_markdown_file(path) else data))
    taken = {file.src_uri for file in listed}
    listed += [file for file in files if file.src_uri not in taken]  # a docs file takes the theme's place
    return Files(listed)
