"""What the per-field checks need from one document, found in one walk and kept with it.

The safety gate, the calculator-fence check, the link check and the placeholder check each looked at
every string of every document. Most strings concern none of them: a Markdown field without ``<``,
``&``, ``{``, ``[`` or ``]`` makes no markup and no link (:func:`.safety.needs_render`), and one
without the word ``calculator`` holds no calculator fence. :func:`doc_facts` walks a document once and
lists the paths of the fields that do matter; the content cache stores that list with the document,
so an unchanged file is not walked again (scripts/pipeline/cache.py).
"""

from __future__ import annotations

from functools import lru_cache

from .content import iter_strings
from .drafts import PLACEHOLDER
from .load import source_bytes
from .safety import ANY, MARKDOWN_FIELDS, is_markdown, needs_render

KINDS = ("entry", "glossary", "site")


def _walk(doc, kind: str) -> dict:
    if _quick(doc):
        markdown = [list(path) for path, text in field_strings(doc.data, MARKDOWN_FIELDS.get(kind, []))
                    if needs_render(text)]
        return {"kind": kind, "markdown": markdown, "todo": [], "calc": []}
    return full_walk(doc, kind)


def full_walk(doc, kind: str) -> dict:
    """The facts of ``doc`` from a walk over every string (what :func:`_walk` does when no shortcut holds)."""
    markdown, todo, calc = [], [], []
    for path, text in iter_strings(doc.data):
        if is_markdown(kind, path) and (needs_render(text) or "calculator" in text):
            markdown.append(list(path))
        if PLACEHOLDER.search(text):
            todo.append(list(path))
        if "calculator" in text:  # any string: the calculator pages list the entries that embed one
            calc.append(list(path))
    return {"kind": kind, "markdown": markdown, "todo": todo, "calc": calc}


def _quick(doc) -> bool:
    """Whether no string of ``doc`` can hold a placeholder or the word ``calculator``, told from the bytes
    its data was built from (:func:`.load.source_bytes`): then only its Markdown fields need a look.

    Without a backslash (YAML's escapes) every character of a string stands in the file, and a string
    is pieces of the file joined by a space, a line break or a quote, none of which these words hold;
    any match of :data:`.drafts.PLACEHOLDER` (case aside) holds ``todo`` or ``example.com``, letters
    that no other character matches without case.
    """
    source = source_bytes(doc)
    if source is None or b"\\" in source or b"calculator" in source:
        return False
    lowered = source.lower()
    return b"todo" not in lowered and b"example.com" not in lowered


def field_strings(data, patterns: list[tuple]) -> list[tuple[tuple, str]]:
    """``(path, text)`` of the strings of ``data`` at a path one of ``patterns`` names (see
    :data:`.safety.MARKDOWN_FIELDS`; ``ANY`` matches any key or index), in the order of
    :func:`.content.iter_strings`: the walk goes down only where a pattern leads."""
    out: list[tuple[tuple, str]] = []
    _collect(data, _trie(tuple(patterns)), (), out)
    return out


_END = object()  # in a pattern trie: a pattern ends here


@lru_cache(maxsize=64)
def _trie(patterns: tuple) -> dict:
    root: dict = {}
    for pattern in patterns:
        node = root
        for part in pattern:
            node = node.setdefault(part, {})
        node[_END] = True
    return root


def _merged(one: dict, other: dict) -> dict:
    out = dict(one)
    for key, node in other.items():
        out[key] = _merged(out[key], node) if isinstance(out.get(key), dict) and isinstance(node, dict) else node
    return out


def _collect(value, node: dict, path: tuple, out: list) -> None:
    if isinstance(value, str):
        if _END in node:
            out.append((path, value))
        return
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    anything = node.get(ANY)
    for key, item in items:
        child = node.get(key)
        if anything is not None:
            child = anything if child is None else _merged(child, anything)
        if child is not None:
            _collect(item, child, path + (key,), out)




def doc_facts(doc, kind: str) -> dict:
    """``{"kind", "markdown": [paths], "todo": [paths], "calc": [paths]}`` of a document read as ``kind``
    (kept on it): Markdown fields the gate or fence check must see, placeholders, strings naming a calculator."""
    facts = doc.__dict__.get("facts")
    if not (isinstance(facts, dict) and facts.get("kind") == kind):
        facts = _walk(doc, kind)
        doc.__dict__["facts"] = facts
    return facts


def value_at(data, path):
    """The value at ``path`` inside loaded data."""
    for part in path:
        data = data[part]
    return data


def markdown_strings(doc, kind: str):
    """``(path tuple, text)`` of the Markdown fields of ``doc`` that the gate or the fence check must see."""
    for path in doc_facts(doc, kind)["markdown"]:
        yield tuple(path), value_at(doc.data, path)


def placeholder_paths(doc) -> list[tuple]:
    """The paths of the strings of an entry that hold a placeholder (as :func:`.drafts.placeholders`)."""
    return [tuple(path) for path in doc_facts(doc, "entry")["todo"]]


def calculator_strings(doc) -> list[str]:
    """Every string of an entry that holds the word ``calculator`` (where a calculator fence can be)."""
    return [value_at(doc.data, path) for path in doc_facts(doc, "entry")["calc"]]
