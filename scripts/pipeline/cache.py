"""The content cache: loaded, schema-valid documents and Markdown safety verdicts kept between runs.

One JSON file, ``.cache/content.json`` under the project root (JSON, never pickle: reading it cannot
run code). It is keyed by the code's version (every Python file of the pipeline and the model, the
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
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .load import Document

CACHE_DIR = ".cache"
CACHE_FILE = "content.json"
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
        try:
            digest.update(f"{name}=={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}==none\0".encode())
    return digest.hexdigest()


def schema_digest(schema_dir: Path) -> str:
    """A digest of every schema file in ``schema_dir``."""
    digest = hashlib.sha256()
    for path in sorted(schema_dir.glob("*.json")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _json_safe(value) -> bool:
    """Whether ``value`` comes back from JSON as it went in (string keys only, no other types)."""
    if isinstance(value, dict):
        return all(isinstance(key, str) and _json_safe(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_json_safe(item) for item in value)
    return value is None or isinstance(value, (str, int, float, bool))


def _paths(pairs) -> dict:
    return {tuple(path): line for path, line in pairs}


class ContentCache:
    """The cache of one project root; :meth:`save` writes it back when anything was added."""

    def __init__(self, root: Path, schema_dir: Path, enabled: bool = True):
        self.path = root / CACHE_DIR / CACHE_FILE
        self.key = f"{code_version()}:{schema_digest(schema_dir)}" if enabled else ""
        self.enabled = enabled
        self.docs: dict[str, dict] = {}
        self.used: dict[str, dict] = {}
        self.changed = False
        from . import safety  # Markdown and nh3: imported only when a check runs

        markdown: dict = {}
        if enabled:
            stored = self._read()
            if stored is not None:
                self.docs, markdown = stored
        safety.use_verdicts(markdown if enabled else None)

    def _read(self):
        """``(docs, markdown verdicts)`` from the file, or None when it is missing, foreign or malformed."""
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(raw, dict) or raw.get("key") != self.key:
            return None
        docs, markdown = raw.get("docs"), raw.get("markdown")
        if not isinstance(docs, dict) or not isinstance(markdown, dict):
            return None
        return docs, markdown

    def document(self, file: str, data: bytes) -> tuple[str, Document | None]:
        """``(digest of data, the cached document of file or None)``."""
        digest = hashlib.sha256(data).hexdigest()
        entry = self.docs.get(file) if self.enabled else None
        try:
            if entry and entry["sha256"] == digest:
                doc = Document(file, entry["data"], _paths(entry["lines"]), _paths(entry["text_lines"]))
                self.used[file] = entry
                return digest, doc
        except (KeyError, TypeError, ValueError):
            pass  # a malformed record: load the file again
        return digest, None

    def store(self, digest: str, doc: Document) -> None:
        """Keep a document that loaded and passed its schema."""
        if not self.enabled or not _json_safe(doc.data):
            return
        self.used[doc.file] = {"sha256": digest, "data": doc.data,
                               "lines": [[list(path), line] for path, line in doc.lines.items()],
                               "text_lines": [[list(path), line] for path, line in doc.text_lines.items()]}
        self.changed = True

    def save(self) -> None:
        """Write the documents used in this run and the verdicts asked for; never fail the run over it."""
        from . import safety

        verdicts = safety.used_verdicts()
        if not self.enabled or not (self.changed or verdicts[1] or set(self.used) != set(self.docs)):
            return
        payload = {"key": self.key, "docs": self.used, "markdown": verdicts[0]}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError:
            pass  # a read-only checkout: the run is still right, only slower next time
