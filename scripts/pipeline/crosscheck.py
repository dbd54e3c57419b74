"""Checks that look across fields and files, beyond what a JSON Schema can say.

Each check takes the loaded :class:`~scripts.pipeline.content.Content` and returns problems; the
list :data:`CHECKS` runs them in order. Every check tolerates schema-invalid data (it skips values
of the wrong type), so one broken field never hides the other problems of a file.
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import operator
import re
from functools import lru_cache

from .citecheck import check_citations, citation_warnings
from .content import Content
from .drafts import check_placeholders
from .entryindex import index_of, kept_cross, texts
from .entryindex import text as index_text
from .errors import Problem, json_path
from .facts import markdown_strings
from .glossary import check_glossary
from .handpages import PAGE_KEYS, check_pages_in_nav, hand_written_pages
from .load import Document
from .market import check_market, prices
from .safety import markdown_problems

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _entries(content: Content):
    for doc in content.entries:
        if isinstance(doc.data, dict):
            yield doc, doc.data


@lru_cache(maxsize=None)
def _stem(file: str) -> str:
    """``PurePosixPath(file).stem`` (the file name without its last suffix), without building a path."""
    name = file.rstrip("/").rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def _suggest(word: str, options) -> str:
    guess = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    return f"; did you mean {guess[0]!r}?" if guess else ""


def _ids(items) -> list:
    return [item.get("id") for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)]


def _indexed(content: Content) -> list[tuple]:
    """``(document, index, id or None)`` of every entry whose data is a mapping (:mod:`.entryindex`:
    the facts checks across entries read, kept with an unchanged entry so its data is not decoded);
    made once per content."""
    memo, entries = _INDEXED, content.entries
    if memo and memo[0] is content and len(memo[1]) == len(entries) and all(map(operator.is_, memo[1], entries)):
        return memo[2]
    out = []
    for doc in entries:
        index = index_of(doc)
        if index is not None:
            out.append((doc, index, index_text(index, "id")))
    memo[:] = [content, list(entries), out]
    return out


_INDEXED: list = []  # [content, its entries then, _indexed(content)]


def check_ids(content: Content) -> list[Problem]:
    """The id equals the file name, and no two entries share an id (a copy that kept it is told so)."""
    problems = []
    docs = [(doc, entry_id) for doc, _, entry_id in _indexed(content) if entry_id is not None]
    stems = {_stem(doc.file): doc for doc, _ in docs}
    # an id belongs to the file named after it; otherwise to the first file that uses it
    owner = {entry_id: doc for doc, entry_id in docs if _stem(doc.file) == entry_id}
    for doc, entry_id in docs:
        owner.setdefault(entry_id, doc)
    for doc, entry_id in docs:
        stem = _stem(doc.file)
        if owner[entry_id] is not doc:
            problems.append(doc.problem(("id",), f"id {entry_id!r} belongs to {owner[entry_id].file}; choose a "
                                        f"new id for this entry, set it here and rename the file to match"
                                        + (f" (e.g. id: {stem})" if stem not in owner else "")))
        elif entry_id != stem:
            rename = f"rename the file to {entry_id}.yaml or " \
                if _SLUG.match(entry_id) and entry_id not in stems else ""
            problems.append(doc.problem(("id",), f"id {entry_id!r} differs from the file name; "
                                        f"{rename}set id: {stem}"))
    return problems


def check_related(content: Content) -> list[Problem]:
    """Related ids name existing, published entries other than the entry itself."""
    problems = []
    known = {entry_id: index for _, index, entry_id in _indexed(content) if entry_id is not None}
    broken = _broken_stems(content)  # their own problems are reported; do not blame the entries that link them
    for doc, index, entry_id in _indexed(content):
        related = texts(index, "related")
        if related is None:
            continue
        for position, other in enumerate(related):
            if other is None:
                continue
            where = ("related", position)
            if other == entry_id:
                problems.append(doc.problem(where, "an entry cannot be related to itself"))
            elif other in broken and other not in known:
                continue
            elif other not in known:
                problems.append(doc.problem(where, f"no entry has the id {other!r}{_suggest(other, known)}"))
            elif known[other]["draft"] and not index["draft"]:
                problems.append(doc.problem(where, f"entry {other!r} is a draft and is not published"))
    return problems


def _broken_stems(content: Content) -> set[str]:
    """File names (without .yaml) of entries that did not load or have no usable id."""
    with_id = {id(doc) for doc, _, entry_id in _indexed(content) if entry_id is not None}
    return {_stem(doc.file) for doc in content.entries if id(doc) not in with_id}


def _side_file_broken(doc: Document | None) -> bool:
    """Whether a side file (categories, glossary) failed to load as a list: checks against it would mislead."""
    return doc is None or not isinstance(doc.data, list)


def check_dates(content: Content) -> list[Problem]:
    """``reviewed`` is not earlier than ``published``."""
    problems = []
    for doc, data in _entries(content):
        published, reviewed = _date(data.get("published")), _date(data.get("reviewed"))
        if published and reviewed:
            if reviewed < published:
                problems.append(doc.problem(("reviewed",), f"reviewed ({reviewed}) is earlier than "
                                            f"published ({published})"))
    return problems


def _date(value) -> str | None:
    """``value`` when it is a real YYYY-MM-DD date, else None (the schema reports bad dates)."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            datetime.date.fromisoformat(value)
            return value
        except ValueError:
            return None
    return None


def _normal(text: str) -> str:
    return " ".join(text.casefold().split()).rstrip("?!. ")


def check_faq(content: Content) -> list[Problem]:
    """No question is asked twice in one entry, and FAQ rule ids name rules of the entry."""
    problems = []
    for doc, data in _entries(content):
        faq = data.get("faq")
        rules = data.get("rules") if isinstance(data.get("rules"), list) else []
        rule_ids = _ids(rules)
        if not isinstance(faq, list):
            continue
        seen = {}
        for index, item in enumerate(faq):
            if not isinstance(item, dict):
                continue
            question = item.get("question")
            if isinstance(question, str):
                key = _normal(question)
                if key in seen:
                    problems.append(doc.problem(("faq", index, "question"),
                                                f"the same question is already asked in faq[{seen[key]}]"))
                else:
                    seen[key] = index
            for r_index, rule_id in enumerate(item.get("rules") or [] if isinstance(item.get("rules"), list) else []):
                if isinstance(rule_id, str) and rule_id not in rule_ids:
                    problems.append(doc.problem(("faq", index, "rules", r_index),
                                                f"this entry has no rule {rule_id!r}{_suggest(rule_id, rule_ids)}"))
    return problems


def check_claims(content: Content) -> list[Problem]:
    """Rule ids a claim lists name rules of the entry."""
    problems = []
    for doc, data in _entries(content):
        claims = data.get("claims")
        rule_ids = _ids(data.get("rules") if isinstance(data.get("rules"), list) else [])
        for index, claim in enumerate(claims if isinstance(claims, list) else []):
            listed = claim.get("rules") if isinstance(claim, dict) else None
            for r_index, rule_id in enumerate(listed if isinstance(listed, list) else []):
                if isinstance(rule_id, str) and rule_id not in rule_ids:
                    problems.append(doc.problem(("claims", index, "rules", r_index),
                                                f"this entry has no rule {rule_id!r}{_suggest(rule_id, rule_ids)}"))
    return problems


def check_rule_ids(content: Content) -> list[Problem]:
    """Rule ids are unique across the site (a rule's page anchor and its test are named by its id)."""
    problems, owner = [], {}
    for doc, facts, _ in _indexed(content):
        for index, rule_id in enumerate(texts(facts, "rules") or []):
            if rule_id is None:
                continue
            if rule_id not in owner:
                owner[rule_id] = doc
            elif owner[rule_id] is doc:
                problems.append(doc.problem(("rules", index, "id"), f"rule id {rule_id!r} is used twice"))
            else:
                problems.append(doc.problem(("rules", index, "id"),
                                            f"rule id {rule_id!r} is already used in {owner[rule_id].file}"))
    return problems


def check_categories(content: Content) -> list[Problem]:
    """Every entry names a listed category; category ids are unique."""
    problems = []
    categories = _ids(content.category_list())
    problems += _duplicates(content.categories, content.category_list(), "category")
    if _side_file_broken(content.categories):
        return problems  # categories.yaml's own problem is reported; entries are not to blame
    for doc, index, _ in _indexed(content):
        category = index_text(index, "category")
        if category is not None and category not in categories:
            problems.append(doc.problem(("category",), f"unknown category {category!r}{_suggest(category, categories)}"
                                        f" (categories are listed in content/categories.yaml)"))
    return problems


def check_terms(content: Content) -> list[Problem]:
    """Glossary terms an entry lists, and glossary cross-references, are defined; term ids are unique."""
    problems = []
    terms = _ids(content.glossary_list())
    problems += _duplicates(content.glossary, content.glossary_list(), "term")
    if _side_file_broken(content.glossary):
        return problems  # glossary.yaml's own problem is reported; entries are not to blame
    for doc, facts, _ in _indexed(content):
        for index, term in enumerate(texts(facts, "terms") or []):
            if term is not None and term not in terms:
                problems.append(doc.problem(("terms", index), f"the glossary has no term {term!r}{_suggest(term, terms)}"))
    for index, item in enumerate(content.glossary_list()):
        see_also = item.get("see_also")
        for s_index, term in enumerate(see_also if isinstance(see_also, list) else []):
            if isinstance(term, str) and term not in terms:
                problems.append(content.glossary.problem((index, "see_also", s_index),
                                                         f"the glossary has no term {term!r}{_suggest(term, terms)}"))
    return problems


def _duplicates(doc: Document | None, items: list[dict], noun: str) -> list[Problem]:
    problems, seen = [], set()
    for index, item in enumerate(items):
        item_id = item.get("id")
        if isinstance(item_id, str):
            if item_id in seen:
                problems.append(doc.problem((index, "id"), f"{noun} id {item_id!r} is listed twice"))
            seen.add(item_id)
    return problems


def markdown_fields(content: Content):
    """The Markdown fields of the loaded YAML (see safety.MARKDOWN_FIELDS) that the safety gate or the
    calculator check must see: ``(document, path, text)``. A field with none of ``< & { [ ]`` and no
    ``calculator`` gives neither check anything to find, so it is left out (scripts/pipeline/facts.py)."""
    kinds = [("entry", doc) for doc in content.entries]
    kinds += [(kind, doc) for kind, doc in (("glossary", content.glossary), ("site", content.site)) if doc]
    for kind, doc in kinds:
        for path, text in markdown_strings(doc, kind):
            yield doc, path, text


def check_safety(content: Content) -> list[Problem]:
    """No raw HTML, attribute lists, reference definitions or unsafe links in any Markdown field.

    Covers entries, the glossary, site texts, the calculator catalogue and content/pages/; plain-text
    fields are escaped when pages are rendered instead (scripts.pipeline.escape).
    """
    problems = []
    for doc, path, text in markdown_fields(content):
        for message in markdown_problems(text):
            problems.append(doc.problem(path, message))
    problems += _catalogue_problems()
    for _, file, doc, body, line, found in hand_written_pages(content):
        problems += found
        data = doc.data if isinstance(doc.data, dict) else {}
        for key, value in data.items():
            if key not in PAGE_KEYS:
                problems.append(doc.problem((key,), f"front matter key {key!r} is not allowed in a page; "
                                                    f"use only: {', '.join(sorted(PAGE_KEYS))}"))
            elif not isinstance(value, str):
                problems.append(doc.problem((key,), f"{key} should be text"))
        if "\ufffd" in body and b"\xef\xbf\xbd" not in (content.layout.root / file).read_bytes():
            problems.append(Problem(file, 1, "$", "the file is not UTF-8 text; save it as UTF-8"))
        for message in markdown_problems(body):
            problems.append(Problem(file, line, "$", message))
    return problems


def _catalogue_problems() -> list[Problem]:
    """The safety problems of the calculator catalogue's Markdown. The catalogue is code, so with a
    content cache (keyed by the code version) they are kept there and the catalogue is not imported."""
    from .cache import current

    cache = current()
    kept = cache.record("checks", CATALOGUE_KEY) if cache else None
    if isinstance(kept, list) and all(isinstance(row, list) and len(row) == 2 and all(isinstance(v, str) for v in row)
                                      for row in kept):
        return [Problem("calculators/catalogue.py", 1, path, message) for path, message in kept]
    problems = []
    for spec_id, spec in _catalogue().items():
        for key in ("formula", "conventions"):
            for message in markdown_problems(spec.get(key) or ""):
                problems.append(Problem("calculators/catalogue.py", 1, json_path((spec_id, key)), message))
    if cache:
        cache.keep("checks", CATALOGUE_KEY, [[p.path, p.message] for p in problems])
    return problems


# The record of the catalogue's findings in the cache's "checks" section (a fixed key: the cache's own
# key holds the code version, which covers the catalogue).
CATALOGUE_KEY = hashlib.sha256(b"catalogue-safety").hexdigest()


def _catalogue() -> dict:
    try:
        from scripts.calcfence import specs
    except ImportError:
        return {}
    return specs()


def check_calculators(content: Content) -> list[Problem]:
    """Calculator fences in every Markdown field and hand-written page name real calculators."""
    try:
        from scripts.calcfence import find_problems
    except ImportError:  # the widget fence is not installed: nothing to check
        return []
    problems = []
    known = prices(content.market_snapshot())  # for market:<id> defaults
    for doc, path, text in markdown_fields(content):
        if "calculator" in text:  # lines counted from 0, shifted to the field's line only for a problem
            problems += [Problem(p.file, p.line + doc.text_line(path), p.path, p.message)
                         for p in find_problems(text, doc.file, 0, json_path(path), prices=known)]
    for _, file, _, body, line, _ in hand_written_pages(content):
        if "calculator" in body:
            problems += find_problems(body, file, line, prices=known)
    return problems


CHECKS = [check_ids, check_related, check_dates, check_faq, check_claims, check_rule_ids, check_categories, check_terms,
          check_safety, check_calculators, check_pages_in_nav, check_market, check_glossary, check_placeholders,
          check_citations]
# Checks whose findings are printed but never fail the build.
WARNINGS = [citation_warnings]


# Checks that judge each entry alone (plus side files that are not entries): an entry's findings depend
# only on its own bytes, its file name, today's date (citations) and the market snapshot (calculator
# defaults). With a content cache they are kept per entry under a digest of exactly those, so a run
# checks only the entries that changed; the checks still run once for the glossary, the site texts,
# the calculator catalogue, the hand-written pages and the venue profiles.
PER_ENTRY = {check_dates, check_faq, check_claims, check_safety, check_calculators, check_placeholders,
             check_citations, citation_warnings}
_PER_ENTRY_NAMES = tuple(sorted(check.__name__ for check in PER_ENTRY))
CLEAN = "clean"  # the kept record of an entry in which no per-entry check found anything


def crosscheck(content: Content) -> list[Problem]:
    """Run every check in :data:`CHECKS` and return all their problems.

    With a content cache, the :data:`PER_ENTRY` checks take an unchanged entry's findings from it
    (:func:`run_check`): the same problems in the same order as running every check on every entry.
    """
    problems = []
    for check in CHECKS:
        problems.extend(run_check(check, content))
    return problems


def warnings(content: Content) -> list[Problem]:
    """Run every check in :data:`WARNINGS`; their findings are shown, not failed on."""
    found = []
    for check in WARNINGS:
        found.extend(run_check(check, content))
    return found


# Checks across entries that read only the entries' indexes (ids, drafts, categories, related ids,
# terms, rule ids: entryindex.py) and the categories and glossary files. With a content cache their
# findings are kept under a digest of exactly those (:class:`_AcrossFindings`), so an edit that changes
# none of them (a summary, a section, a date) runs none of these checks over 10,000 entries again.
ACROSS = {check_ids, check_related, check_rule_ids, check_categories, check_terms}


def run_check(check, content: Content) -> list[Problem]:
    """``check(content)``; for a :data:`PER_ENTRY` check with a content cache, only on the entries
    whose findings the cache does not hold, the others' taken from it, in the order of the entries;
    for an :data:`ACROSS` check, its kept findings while none of its inputs changed."""
    from .cache import current

    cache = current()
    if cache is None or (check not in PER_ENTRY and check not in ACROSS):
        return check(content)
    if check in ACROSS:
        return _AcrossFindings.of(content, cache).run(check)
    return _EntryFindings.of(content, cache).run(check)


class _OncePerContent:
    """Findings made once per content and cache: :meth:`of` hands back the last one made while both
    are the same objects (each subclass keeps its own ``_last``)."""

    _last: list  # [content, cache, instance], one list in each subclass

    @classmethod
    def of(cls, content: Content, cache):
        """The findings of ``content`` (made once per content and cache)."""
        last = cls._last
        if not last or last[0] is not content or last[1] is not cache:
            last[:] = [content, cache, cls(content, cache)]
        return last[2]


class _AcrossFindings(_OncePerContent):
    """The findings of the :data:`ACROSS` checks on one content, kept in the cache's "checks" section
    as one record ``{"files": {file: sha256}, check name: [[file, line, path, message], ...]}`` under a
    digest of every entry's file name and the index fields those checks read, in order, and of the
    categories' and glossary's bytes. A finding's line depends on its file's bytes too: the record is
    used only while every file a finding names still has the hash recorded for it."""

    _last: list = []  # [content, cache, instance]

    def __init__(self, content: Content, cache):
        from .cache import digest_of

        self.content, self.cache, self.key, self.record = content, cache, None, {}
        self._shas: dict[str, str] | None = None
        rows = []
        add = rows.append
        for doc in content.entries:
            held = doc.__dict__
            if type(held.get("sha256")) is not str:
                return  # a file that could not be read: no key, the checks run
            index = held.get("index", False)
            # kept_cross(index), without a call per entry when the index holds its digest
            cross = index.get("cross") if type(index) is dict else None
            add(f"{doc.file}\0{cross if type(cross) is str else kept_cross(index_of(doc))}\n")
        side = []
        for doc in (content.categories, content.glossary):
            sha = doc.__dict__.get("sha256") if doc is not None else None
            if doc is not None and type(sha) is not str:
                return
            side.append(sha)
        self.key = digest_of("across-checks", side, hashlib.sha256(
            "".join(rows).encode("utf-8", "surrogatepass")).hexdigest())
        record = cache.record("checks", self.key)
        if type(record) is dict and type(record.get("files")) is dict:
            self.record = {**record, "files": dict(record["files"])}

    @property
    def shas(self) -> dict[str, str]:
        """``{file: SHA-256}`` of every entry, the categories and the glossary (made when first read:
        a record without findings never needs it)."""
        if self._shas is None:
            docs = list(self.content.entries) + [d for d in (self.content.categories, self.content.glossary) if d]
            self._shas = {doc.file: doc.__dict__.get("sha256") for doc in docs}
        return self._shas

    def _kept(self, name: str) -> list[Problem] | None:
        rows, files = self.record.get(name), self.record.get("files")
        if type(rows) is not list or type(files) is not dict:
            return None
        if not rows:
            return []
        try:
            problems = [Problem(file, line, path, message) for file, line, path, message in rows]
        except (TypeError, ValueError):
            return None
        for problem in problems:
            if not (type(problem.file) is str and type(problem.line) is int and type(problem.path) is str
                    and type(problem.message) is str) or files.get(problem.file) != self.shas.get(problem.file, 0):
                return None  # malformed, or a finding's file changed (its line may have moved)
        return problems

    def run(self, check) -> list[Problem]:
        """The problems of ``check``: kept ones while its inputs are unchanged, else found and kept."""
        if self.key is None:
            return check(self.content)
        name = check.__name__
        kept = self._kept(name)
        if kept is not None:
            self.cache.touch("checks", self.key)
            return kept
        found = check(self.content)
        if not all(problem.file in self.shas for problem in found):
            return found  # a finding on a file the key does not cover: never kept
        files = self.record.get("files") if type(self.record.get("files")) is dict else {}
        files.update({problem.file: self.shas[problem.file] for problem in found})
        self.record["files"] = files
        self.record[name] = [[p.file, p.line, p.path, p.message] for p in found]
        self.cache.keep("checks", self.key, dict(self.record))
        return found


class _EntryFindings(_OncePerContent):
    """The per-entry findings of one content: one record per entry, ``{check name: [[line, path,
    message], ...]}``, valid for the entry's file name, its bytes' hash, today's date and the market
    snapshot. An entry kept as a document in the content cache keeps its record as a note of that
    document (``[context, record]``: the document's record holds its hash, and the context digest
    today and the market), so no key is made per entry; any other entry's record is kept in the
    cache's "checks" section under a digest of all four. The record of an entry every check found
    nothing in (nearly all of them) is kept as the text :data:`CLEAN`."""

    _last: list = []  # [content, cache, instance]: crosscheck and warnings share one

    def __init__(self, content: Content, cache):
        from .cache import digest_of, entry_key
        from .citecheck import today_utc

        self.content, self.cache = content, cache
        # (64 bits of the digest: it tells one day or market from another, kept with every entry)
        context = self.context = digest_of("entry-checks", today_utc().isoformat(), content.market_snapshot())[:16]
        self.keys: dict[int, str] = {}  # id(doc) -> its file (a note) or its key in "checks"
        self.noted: set[str] = set()  # the keys that are files (the record is a note of the document)
        self.records: dict[str, dict] = {}
        self.checked: dict[str, int] = {}  # check name -> how many entries it ran on (the others were kept)
        clean = self._shared = dict.fromkeys(_PER_ENTRY_NAMES, ())  # every clean record, until one is written
        keys, records, used, noted = self.keys, self.records, cache.used, self.noted
        # the entries whose record is the shared clean one (nearly all), and the others in order: clean()
        # then needs no second pass over every entry
        shared, others = self._shared_ids, self._others = [], []
        for doc in content.entries:
            sha = doc.__dict__.get("sha256")
            if type(sha) is not str:
                others.append(doc)
                continue
            file = doc.file
            held = used.get(file)
            if held is not None and held.get("sha256") == sha:  # kept as a document: its note
                index = held.get("index")  # (cache.note(file, "checks"), without a call per entry)
                notes = index.get("notes") if type(index) is dict else None
                note = notes.get("checks") if type(notes) is dict else None
                record = note[1] if type(note) is list and len(note) == 2 and note[0] == context else None
                key = keys[id(doc)] = file
                noted.add(file)
            else:
                key = keys[id(doc)] = entry_key(file, context, sha)
                record = cache.record("checks", key)
            if record == CLEAN:
                records[key] = clean
                shared.append(id(doc))
            else:
                records[key] = dict(record) if type(record) is dict else {}
                others.append(doc)
        self._clean: set[int] | None = None
        self._unclean: list | None = None

    def _keep(self, key: str, value) -> None:
        """Keep an entry's record: as a note of its document, or in the "checks" section."""
        if key in self.noted:
            self.cache.set_note(key, "checks", [self.context, value])
        else:
            self.cache.keep("checks", key, value)

    def clean(self) -> set[int]:
        """``id`` of the entries whose every per-entry check is kept with no finding (nearly all of
        them): each check skips them outright. Found at the first check, from the records as kept."""
        if self._clean is None:
            shared, empty = self._shared, ([], ())
            whole = all(shared.get(name) in empty for name in _PER_ENTRY_NAMES)  # not changed meanwhile
            others = self._others if whole else self.content.entries  # (else every entry is looked at)
            clean = {id(doc) for doc in others
                     if (record := self.records.get(self.keys.get(id(doc)))) is not None and record is not shared
                     and all(record.get(name) in empty for name in _PER_ENTRY_NAMES)}
            if whole:
                clean.update(self._shared_ids)
            self._clean = clean
            self._unclean = [doc for doc in others if id(doc) not in clean]
        return self._clean

    def _kept(self, doc, name: str) -> list[Problem] | None:
        key = self.keys.get(id(doc))
        rows = self.records[key].get(name) if key is not None else None
        if rows == [] or rows == ():  # most entries: nothing found
            return []
        if not isinstance(rows, list):
            return None
        try:
            problems = [Problem(doc.file, line, path, message) for line, path, message in rows]
        except (TypeError, ValueError):
            return None
        if all(type(p.line) is int and isinstance(p.path, str) and isinstance(p.message, str) for p in problems):
            return problems
        return None

    def run(self, check) -> list[Problem]:
        """The problems of ``check`` (see :func:`run_check`)."""
        name = check.__name__
        self.clean()
        entries = self._unclean  # clean ones add nothing
        kept = {id(doc): self._kept(doc, name) for doc in entries}
        todo = [doc for doc in entries if kept[id(doc)] is None]
        self.checked[name] = len(todo)
        part = Content(self.content.layout, entries=todo, categories=self.content.categories,
                       glossary=self.content.glossary, site=self.content.site, market=self.content.market)
        found = check(part)
        files = {doc.file for doc in todo}
        by_file: dict[str, list[Problem]] = {file: [] for file in files}
        others = []
        for problem in found:
            (by_file[problem.file] if problem.file in files else others).append(problem)
        if any(problem.file in self._files() for problem in others):
            return check(self.content)  # a finding on an entry it was not run on: not per entry after all
        out = []
        for doc in entries:
            problems = kept[id(doc)]
            if problems is None:
                problems = by_file[doc.file]
                key = self.keys.get(id(doc))
                if key is not None:
                    record = self.records[key]
                    if record is self._shared:  # shared by the clean records read: copied before written
                        record = self.records[key] = dict(record)
                    record[name] = [[p.line, p.path, p.message] for p in problems]
                    # (a record missing a check's findings is not whole: cold, every check but the last)
                    whole = not problems and len(record) >= len(_PER_ENTRY_NAMES) and all(
                        record.get(n) == [] for n in _PER_ENTRY_NAMES)
                    self._keep(key, CLEAN if whole else dict(record))
            out += problems
        return out + others

    def _files(self) -> set[str]:
        files = self.__dict__.get("files")
        if files is None:
            files = self.__dict__["files"] = {doc.file for doc in self.content.entries}
        return files
