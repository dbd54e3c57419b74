"""``make validate`` replayed: the last outcome, reused while none of its inputs changed.

``.cache/run.json`` holds one record: the key of a validation run and what it printed (problems,
warnings, draft notes, the entry count). The key is a digest of everything a check reads: every file
under content/ (by SHA-256 of its bytes, reused while its stat is unchanged: :mod:`.statindex`), the project's and the code's ``mkdocs.yml`` (the nav check),
the files named on the command line, the code version (:func:`.cache.code_version`: the pipeline,
the model and its venue profiles, the installed libraries), today's date (the citation checks depend
on it) and ``MARGIN_NOTES_ROOT``. Any change gives another key and a full check (which itself reuses
the content cache for unchanged files). JSON only; a missing, foreign or malformed file is ignored.

This module imports nothing heavy, so a replay costs the interpreter's start, reading the files and
hashing them.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import jsonio
from .cachefile import write_atomically
from .errors import Problem
from .statindex import StatIndex

RUN_FILE = "run.json"
REPO = Path(__file__).resolve().parents[2]


@dataclass
class Outcome:
    """What ``validate`` reports: problems (fail), warnings and draft notes (do not), entries checked."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    count: int = 0


def _tree(digest, folder: Path, stats: StatIndex | None = None) -> None:
    """Feed every file under ``folder`` (name and SHA-256 of its bytes, in a fixed order) to ``digest``."""
    update = digest.update
    for top, dirs, files in os.walk(folder):
        dirs.sort()
        update(b"D" + os.path.relpath(top, folder).encode("utf-8", "surrogateescape") + b"\0")
        base = top if top.endswith("/") else top + "/"  # os.path.join(top, name) for a plain name
        for name in sorted(files):
            update(name.encode("utf-8", "surrogateescape") + b"\0")
            known = stats.known_hash(base + name) if stats is not None else None
            if known is not None:
                update(bytes.fromhex(known))
            else:
                _file(digest, base + name)


def _file(digest, path, stats: StatIndex | None = None) -> None:
    """Feed the SHA-256 of ``path``'s bytes (taken from ``stats`` while its stat is unchanged)."""
    if stats is not None:
        known, _ = stats.read(path)
        if known is not None:
            digest.update(bytes.fromhex(known))
            return
    try:
        with open(path, "rb") as handle:
            digest.update(hashlib.sha256(handle.read()).digest())
    except OSError as error:
        digest.update(f"unreadable {error.errno}".encode())


def run_key(root: Path, files=(), stats: StatIndex | None = None) -> str:
    """The digest of every input of ``validate`` for project ``root`` and command-line ``files``.

    With ``stats``, a file whose stat is the one recorded is not read again (:mod:`.statindex`)."""
    from .cache import code_version
    from .citecheck import today_utc

    digest = hashlib.sha256(f"{code_version()}\0{today_utc().isoformat()}\0"
                            f"{os.environ.get('MARGIN_NOTES_ROOT', '')}\0".encode())
    _tree(digest, root / "content", stats)
    for path in [root / "mkdocs.yml", REPO / "mkdocs.yml"] + [Path(f) for f in files]:
        digest.update(b"F" + os.fsencode(os.path.abspath(path)) + b"\0")
        _file(digest, path, stats)
    return digest.hexdigest()


def _problems(rows) -> list[Problem]:
    out = [Problem(*row) for row in rows]
    if not all(isinstance(p.file, str) and isinstance(p.line, int) and isinstance(p.path, str)
               and isinstance(p.message, str) for p in out):
        raise ValueError("malformed problem")
    return out


def replay(root: Path, key: str) -> Outcome | None:
    """The outcome stored under ``key`` for ``root``, or None (missing, another key, malformed)."""
    try:
        raw = jsonio.loads((root / ".cache" / RUN_FILE).read_bytes())
        if not isinstance(raw, dict) or raw.get("key") != key or not isinstance(raw.get("count"), int):
            return None
        return Outcome(_problems(raw["problems"]), _problems(raw["warnings"]), _problems(raw["notes"]), raw["count"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(root: Path, key: str, outcome: Outcome) -> None:
    """Keep ``outcome`` under ``key``; a read-only checkout only makes the next run slower."""
    def rows(items):
        return [[p.file, p.line, p.path, p.message] for p in items]

    payload = {"key": key, "problems": rows(outcome.problems), "warnings": rows(outcome.warnings),
               "notes": rows(outcome.notes), "count": outcome.count}
    write_atomically(root / ".cache" / RUN_FILE, jsonio.dumps(payload))
