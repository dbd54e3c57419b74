"""The index of an entry: the few facts that checks across entries read, without the entry's data.

Ids, drafts, related ids, the category, glossary terms, rule ids and the keys of the rules' kept
verdicts decide every check that looks at more than one entry (crosscheck: ids, related entries, rule
ids, categories, terms; the glossary's entry links; draft notes; verify). The content cache keeps the
index with each document (cache.py), so a run whose entries did not change reads these facts instead
of decoding every document's data (issue 14, one change). The title, summary and dates are what the
pages listing entries and the entry pages' keys show of other entries (pages.py). A list keeps every position of its field
(None where an item is not a string), so a problem names the same index as a check of the data would.
"cross" is a digest of the fields the checks across entries read; "notes" holds what later stages keep
with this version of the entry (its per-entry findings: :meth:`.cache.ContentCache.note`), None at first.
"""

from __future__ import annotations

from .cache import digest_of

# index field -> the type of its value (lists: of str or None)
_FIELDS = {"id": str, "draft": bool, "is_draft": bool, "category": str, "related": list, "terms": list,
           "rules": list, "rule_keys": list, "title": str, "summary": str, "published": str, "reviewed": str,
           "cross": str, "notes": dict}
_TEXTS = ("title", "summary", "published", "reviewed")


def _strings(value) -> list | None:
    return [item if isinstance(item, str) else None for item in value] if isinstance(value, list) else None


def entry_index(data, sha: str | None) -> dict | None:
    """The index of an entry's loaded ``data`` (None when it is not a mapping); ``sha``: its file's hash,
    which keys its rules' verdicts (verify.py)."""
    if not isinstance(data, dict):
        return None
    rules = data.get("rules")
    rules = rules if isinstance(rules, list) else []
    index = {
        "id": data.get("id") if isinstance(data.get("id"), str) else None,
        "draft": bool(data.get("draft")),
        "is_draft": data.get("draft") is True,
        "category": data.get("category") if isinstance(data.get("category"), str) else None,
        "related": _strings(data.get("related")),
        "terms": _strings(data.get("terms")),
        "rules": [rule.get("id") if isinstance(rule, dict) and isinstance(rule.get("id"), str) else None
                  for rule in rules],
        "rule_keys": _rule_keys(rules, sha),
        **{name: data.get(name) if isinstance(data.get(name), str) else None for name in _TEXTS},
        "notes": None,
    }
    index["cross"] = cross_digest(index)
    return index


def _rule_keys(rules: list, sha: str | None) -> list | None:
    """``[[index, key], ...]`` of every rule (a mapping) under which verify.py keeps its verdict; None
    when there are rules but no file hash to key them by."""
    ruled = [(index, rule) for index, rule in enumerate(rules) if isinstance(rule, dict)]
    if ruled and not sha:
        return None
    return [[index, digest_of("rule", sha, index, rule)] for index, rule in ruled]


def valid_index(value) -> bool:
    """Whether ``value`` has the fields :func:`entry_index` gives. Their values are not checked here (that
    would cost as much as the index saves): every reader takes a value only when it has the right type,
    as the checks do with an entry's data, so a damaged index never crashes a run."""
    return type(value) is dict and value.keys() == _FIELDS.keys()


def index_of(doc) -> dict | None:
    """The index of an entry's document: the one kept with it, else made from its data (once)."""
    index = doc.__dict__.get("index", False)
    if index is False:
        index = doc.__dict__["index"] = entry_index(doc.data, doc.__dict__.get("sha256"))
    return index


def cross_digest(index: dict | None) -> str:
    """A digest of the index fields the checks across entries read (crosscheck.ACROSS): id, draft,
    category, related ids, terms and rule ids; "" for an entry without an index. The index keeps it
    (field "cross"), so a run makes the key of those checks' findings without a walk per entry."""
    if index is None:
        return ""
    return digest_of("cross", index["id"], index["draft"], index["category"], index["related"], index["terms"],
                     index["rules"])[:32]


def kept_cross(index: dict | None) -> str:
    """The "cross" digest an index keeps (:func:`cross_digest`), made again when it is not a text."""
    cross = index["cross"] if index is not None else ""
    return cross if type(cross) is str else cross_digest(index)


def text(index: dict, name: str) -> str | None:
    """The text field ``name`` of an index (None when it is not a string)."""
    value = index[name]
    return value if type(value) is str else None


def texts(index: dict, name: str) -> list | None:
    """The list field ``name`` of an index, every item not a string as None (None when not a list)."""
    value = index[name]
    if type(value) is not list:
        return None
    for item in value:
        if type(item) is not str:
            return [item if type(item) is str else None for item in value]
    return value


def may_have_rules(doc) -> bool:
    """False when ``doc``'s index shows its entry has no rule (an empty list), so its data need not be
    decoded to find its rules; True when it has rules or the index cannot tell."""
    index = index_of(doc)
    rules = index["rules"] if index is not None else None
    return type(rules) is not list or len(rules) > 0


def rule_keys(doc) -> list[str] | None:
    """The keys of the kept verdicts of ``doc``'s rules (see :func:`_rule_keys`); [] without rules."""
    index = index_of(doc)
    if index is None:
        return []
    keys = index["rule_keys"]
    if type(keys) is list and all(type(pair) is list and len(pair) == 2 and type(pair[1]) is str for pair in keys):
        return [pair[1] for pair in keys]
    if keys is None:
        return None
    fresh = entry_index(doc.data, doc.__dict__.get("sha256"))  # a damaged kept index: made again
    return [pair[1] for pair in fresh["rule_keys"]] if fresh and fresh["rule_keys"] is not None else None


def entry_ids(entries) -> set[str]:
    """The ids of the entry documents ``entries`` (those whose data is a mapping with a text id)."""
    out = set()
    for index in map(index_of, entries):
        if index is not None and type(index["id"]) is str:
            out.add(index["id"])
    return out
