"""Run the citation checks of :mod:`.citations` over every entry and every venue profile.

:func:`check_citations` (a cross-check: errors) and :func:`citation_warnings` (printed, never failing)
report on the line of the offending field. Venue profiles (``calculators/model/venues/<id>.yaml``) are
read with the pipeline's own loader so their problems carry a line too. ``today`` is a parameter so
tests can fix it; by default it is the date the build runs (UTC).
"""

from __future__ import annotations

import datetime
from pathlib import Path

from .content import Content
from .errors import Problem
from .load import Document, load_file

ROOT = Path(__file__).resolve().parents[2]
_LAST: list = []  # [entries, (today, venues), findings] of the last call of all_findings


def today_utc() -> datetime.date:
    """Today's date in UTC (the default "today" of the citation checks)."""
    return datetime.datetime.now(datetime.UTC).date()


def venue_files() -> list[Path]:
    """The profile file of every venue the model knows (``calculators/model/venues/<id>.yaml``)."""
    from calculators.model.venues import VENUE_DIR, VENUE_IDS

    return [VENUE_DIR / f"{venue_id}.yaml" for venue_id in VENUE_IDS]


def _venue_sources(doc: Document):
    sources = doc.data.get("sources") if isinstance(doc.data, dict) else None
    for key, source in (sources.items() if isinstance(sources, dict) else ()):
        if isinstance(source, dict):
            yield ("sources", key), source


def _findings(docs_and_sources, today: datetime.date) -> list[tuple[bool, Problem]]:
    from .citations import url_findings  # (build1k, issue 14) here: a replayed validate run never imports it

    out, seen = [], set()
    known: dict[tuple, list] = {}  # the findings of each source by its fields (entries cite the same pages)
    for doc, sources in docs_and_sources:
        for path, source in sources:
            if id(source) in seen:
                continue  # a YAML alias (*name) of a source already checked: report it once, at its anchor
            seen.add(id(source))
            # url_findings reads only these four fields (and today); texts (or missing) are reused
            key = (source.get("url"), source.get("publisher"), source.get("kind"), source.get("accessed"))
            plain = all(value is None or type(value) is str for value in key)
            findings = known.get(key) if plain else None
            if findings is None:
                findings = url_findings(source, today)
                if plain:
                    known[key] = findings
            for finding in findings:
                out.append((finding.warning, doc.problem(path + (finding.field,), finding.message)))
    return out


def all_findings(content: Content, today: datetime.date | None = None,
                 venues: list[Path] | None = None) -> list[tuple[bool, Problem]]:
    """``(is_warning, problem)`` for every source of every entry and venue profile.

    The last result is kept, so the cross-check and the warnings share one pass over the sources: it
    is used again for the same documents holding the same data, in the same order (the per-entry
    checks hand each check a content of their own, holding the same unchecked entries: crosscheck.py).
    """
    today = today or today_utc()
    key = (today, None if venues is None else tuple(venues))
    entries = [(doc, doc.data) for doc in content.entries]
    if _LAST and _LAST[1] == key and _same(_LAST[0], entries):
        return _LAST[2]
    from .citations import entry_sources  # (build1k, issue 14) as in _findings

    docs = [(doc, entry_sources(data)) for doc, data in entries if isinstance(data, dict)]
    _LAST[:] = [entries, key, _findings(docs, today) + _venue_findings(today, venues)]
    return _LAST[2]


def _same(kept: list[tuple], entries: list[tuple]) -> bool:
    """Whether two lists of ``(document, data)`` hold the same objects in the same order."""
    return len(kept) == len(entries) and all(
        doc is other and data is other_data for (doc, data), (other, other_data) in zip(kept, entries))


def _venue_findings(today: datetime.date, venues: list[Path] | None) -> list[tuple[bool, Problem]]:
    """The findings of the venue profiles (``venues``, or every profile the model knows). The profiles
    are code (the content cache's key covers them), so with a cache their findings are kept under
    today's date, and neither the profiles nor the model that lists them are loaded again."""
    from .cache import current, digest_of

    cache = current() if venues is None else None
    key = digest_of("venue-citations", today.isoformat()) if cache else None
    rows = cache.record("checks", key) if key else None
    if isinstance(rows, list):
        try:
            found = [(warning, Problem(*problem)) for warning, problem in rows]
            if all(type(w) is bool and type(p.line) is int and all(isinstance(v, str) for v in (p.file, p.path, p.message))
                   for w, p in found):
                return found
        except (TypeError, ValueError):
            pass
    docs = []
    for path in venue_files() if venues is None else venues:
        if path.is_file():
            doc, _ = load_file(path, ROOT)  # the venue loader reports malformed files
            docs.append((doc, _venue_sources(doc)))
    found = _findings(docs, today)
    if key:
        cache.keep("checks", key, [[w, [p.file, p.line, p.path, p.message]] for w, p in found])
    return found


def check_citations(content: Content, today: datetime.date | None = None,
                    venues: list[Path] | None = None) -> list[Problem]:
    """Cited addresses that are not the page they name, and future ``accessed`` dates (errors)."""
    return [problem for warning, problem in all_findings(content, today, venues) if not warning]


def citation_warnings(content: Content, today: datetime.date | None = None,
                      venues: list[Path] | None = None) -> list[Problem]:
    """Citations worth a second look (a non-English locale path): printed, never failing."""
    return [Problem(p.file, p.line, p.path, "warning: " + p.message)
            for warning, p in all_findings(content, today, venues) if warning]
