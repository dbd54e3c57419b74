"""The docs folder handed to MkDocs in memory: ``build`` writes one file instead of 20,000 (issue 14).

At 10,000 entries, writing the generated docs folder (20,118 files) cost the full build 3-5 s of
kernel time, and MkDocs then read every file back. ``python -m scripts build`` instead packs the
pages into one file (:func:`pack`, a ``marshal`` of ``{docs-relative path: bytes}``), points MkDocs at
an empty docs folder, and the MkDocs hook (``scripts/mkdocs_hook.py``, ``on_files``) turns the pack
into MkDocs files (:func:`mkdocs_files`) exactly as MkDocs would have listed and read them from a
docs folder holding those bytes:

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
import posixpath

PAGES_ENV = "MARGIN_NOTES_PAGES"  # the pack's path, set by build.run_mkdocs for the hook
_FIRST = ("index", "README")


def packable(pages) -> bool:
    """Whether MkDocs can take ``pages`` from a pack (no page is a README, see the module's text)."""
    return not any(posixpath.splitext(posixpath.basename(path))[0] == "README" for path in pages)


def pack(pages: dict[str, str]) -> bytes:
    """The bytes of the pack of ``pages`` (``{docs-relative path: text}``): each text as UTF-8, the bytes
    ``write_tree`` would write into the docs folder."""
    return marshal.dumps({path: text.encode("utf-8") for path, text in pages.items()})


def unpack(path: str) -> dict[str, bytes]:
    """The pages of the pack at ``path`` (``{docs-relative path: bytes}``)."""
    with open(path, "rb") as handle:
        pages = marshal.load(handle)
    if not isinstance(pages, dict):
        raise ValueError(f"{path}: not a pack of pages")
    return pages


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
