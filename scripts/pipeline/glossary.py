"""Glossary: the grouped glossary page, and the definitions every page shows on its terms.

Each term of ``content/glossary.yaml`` becomes Python-Markdown ``abbr`` definitions
(``*[mark price]: A fair price ...``) appended to every generated page by :class:`Abbreviations`, so
each place a term appears is wrapped in ``<abbr title="definition">`` without changing the text. A
page carries only the definitions of the spellings its own text holds (:func:`visible_text`): the
others could not match anywhere on it, and each definition is a block MkDocs parses on every page. This is
the pipeline's equivalent of an auto-appended snippets file (pymdownx.snippets is not enabled: it
would let entry text include files). The ``abbr`` extension leaves code, fences and link targets
alone; Material's ``content.tooltips`` shows the title on hover and focus, and
``assets/javascripts/glossary.js`` makes the first place of each term on a page focusable.

Which words match: the term without a parenthesised abbreviation ("Auto-deleveraging"), with a small
first letter ("auto-deleveraging"), both with a plural "s"; the abbreviation ("ADL"); and ``aliases``.
A one-word term matches only in small letters ("margin"), so names such as "Margin Notes" stay plain.
"""

from __future__ import annotations

import re
from operator import itemgetter

import ahocorasick_rs
import nh3

from .content import Content
from .errors import Problem
from .escape import md_text

_PAREN = re.compile(r"\s*\(([^()]*)\)\s*$")
_UNSAFE = re.compile(r"[\[\]\\<>\x00-\x1f\x7f]")
# MkDocs' front matter (mkdocs.utils.meta.YAML_RE): not part of the rendered body.
_FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)
# An admonition or details block without a title gets its type as the title ("!!! note" -> "Note").
_UNTITLED = re.compile(r"^[ \t]*(?:!!!|\?\?\?\+?)[ \t]*([\w-]+)", re.MULTILINE)
_OPENING = re.compile(r"-{3}[ \t]*\n")  # _FRONT_MATTER's parts, searched for separately
_CLOSING = re.compile(r"\n(?:\.{3}|-{3})[ \t]*\n")
_FIRST_KIND = re.compile(r"[ \t]*(?:!!!|\?\?\?\+?)[ \t]*([\w-]+)")  # _UNTITLED at the text's start
_LINE_KIND = re.compile(r"\n[ \t]*(?:!!!|\?\?\?\+?)[ \t]*([\w-]+)")  # _UNTITLED after a line break
_FIRST = itemgetter(0)


def link_text(text: str) -> str:
    """``text`` safe inside Markdown link brackets (:func:`scripts.pipeline.escape.md_text`)."""
    return md_text(text)


def _plural(word: str) -> str:
    return word if word.endswith("s") else word + "s"


def abbreviation(item: dict) -> str | None:
    """The term's abbreviation: the field ``abbreviation``, else an all-capitals '(ADL)' in the term."""
    if item.get("abbreviation"):
        return item["abbreviation"]
    match = _PAREN.search(item["term"])
    return match[1] if match and match[1].isupper() else None


def forms(item: dict) -> list[str]:
    """Every spelling of one term that gets its definition on the page (longest matched first by abbr)."""
    names = [_PAREN.sub("", item["term"]).strip()] + list(item.get("aliases") or [])
    found: list[str] = []
    for name in names:
        variants = [name]
        if name[:1].isupper() and not name[1:2].isupper():
            lower = name[0].lower() + name[1:]
            variants = [lower] if " " not in name else [name, lower]
        for variant in variants:
            found += [variant, _plural(variant)]
    short = abbreviation(item)
    if short:
        found.append(short)
    return [form for form in dict.fromkeys(found) if form.strip() and not _UNSAFE.search(form)]


def title(item: dict, converter=None) -> str:
    """The definition as one line of plain text: rendered, then every tag dropped (links become their
    words, emphasis goes, raw HTML goes with script and style content); ``<`` and ``&`` stay escaped.
    ``converter``: a ``markdown.Markdown()`` to reuse (reset first: what ``markdown.markdown`` gives,
    without building a converter for each definition)."""
    if converter is None:
        import markdown  # here: a run that renders no glossary title (a replayed or cached one) never needs it

        rendered = markdown.markdown(item["definition"])
    else:
        rendered = converter.reset().convert(item["definition"])
    return " ".join(nh3.clean(rendered, tags=set()).split())


def definitions(terms: list[dict]) -> dict[str, str]:
    """``{spelling: definition}`` for every term (the first term to claim a spelling keeps it)."""
    found: dict[str, str] = {}
    converter = None
    for item in terms:
        if not isinstance(item.get("term"), str) or not isinstance(item.get("definition"), str):
            continue
        if converter is None:
            import markdown

            converter = markdown.Markdown()
        text = title(item, converter)
        for form in forms(item):
            found.setdefault(form, text)
    return found


def abbreviation_block(terms: list[dict]) -> str:
    """The ``*[spelling]: definition`` lines appended to every page ('' without terms).

    One block per definition: in a single block of all of them, Markdown's block processors search the
    whole remaining block once per definition (about 0.4 s per page with our glossary, 25x slower).
    """
    lines = [f"*[{form}]: {text}" for form, text in definitions(terms).items() if text]
    return ("\n\n" + "\n\n".join(lines) + "\n") if lines else ""


def abbreviate(text: str, block: str) -> str:
    """A Markdown page with the glossary definitions appended."""
    if not block:
        return text
    if text[-1:] == "\n" and text[-2:-1] != "\n":  # what rstrip and one line feed would give: one copy
        return text + block
    return text.rstrip("\n") + "\n" + block


def visible_text(markdown_text: str) -> str:
    """A superset of the text the ``abbr`` extension can search on the page made from ``markdown_text``.

    ``abbr`` wraps a spelling only where it stands in one text node of the rendered page, and a text
    node is a piece of the page's body (escapes and entities are placeholders by then; the front
    matter, cut as MkDocs cuts it, is not rendered), so a spelling absent from the body matches
    nowhere. For safety the body also counts with backslashes dropped, plus the titles extensions
    write themselves (an admonition without a title shows its type, "Note").
    """
    return "\n".join(visible_parts(markdown_text))


def visible_parts(markdown_text: str) -> list[str]:
    """:func:`visible_text` in its parts (body, body without backslashes, untitled blocks' types); no
    spelling holds a line break (:func:`forms`), so none spans two parts."""
    body = markdown_text[_front_matter_end(markdown_text):]
    parts = [body]
    if "\\" in body:
        parts.append(body.replace("\\", ""))
    kinds = _untitled_kinds(body)
    if kinds or "!!!" in body or "???" in body:
        parts.append(" ".join(kind.capitalize() for kind in kinds))
    return parts


def _front_matter_end(text: str) -> int:
    """Where the body starts: after the front matter :data:`_FRONT_MATTER` matches, else 0.

    The same match found by two quick searches (the opening line, then the first closing line after
    it) instead of a lazy scan over the front matter.
    """
    opening = _OPENING.match(text)
    if not opening:
        return 0
    closing = _CLOSING.search(text, opening.end())
    return closing.end() if closing else 0


def _untitled_kinds(body: str, start: int = 0) -> list[str]:
    """``_UNTITLED.findall(body[start:])``: the type words after ``!!!`` or ``???`` at a line's start
    (after spaces or tabs only), found from each line break (:data:`_LINE_KIND`: a regular expression
    that starts with a line break is searched from one to the next, several times faster than ``^``
    tried at every place), plus the first line's; ``start``: where the text begins (no copy made)."""
    first = _FIRST_KIND.match(body, start)
    kinds = _LINE_KIND.findall(body, start)
    if first:
        kinds.insert(0, first.group(1))
    return kinds


def _anchor(form: str) -> str:
    """A piece of ``form`` that its capitalised, small-letter and plural spellings all contain."""
    core = form[1:] if len(form) > 2 else form
    return core[:-1] if core.endswith("s") and len(core) > 2 else core


class Abbreviations:
    """The glossary's ``abbr`` definitions, appended to each page for the spellings it can show."""

    def __init__(self, terms: list[dict], found: dict[str, str] | None = None):
        # Every spelling in one Aho-Corasick automaton: one pass over a page finds every spelling it
        # contains (issue 14: one search per spelling over each page cost 4 s at 10,000 entries).
        # Lines in the order pages always had: spellings grouped by a piece they all contain (the
        # spelling without its first letter and plural s: "Mark price", "mark prices" -> "ark price").
        # (pagesfast hook, issue 14) ``found``: definitions(terms) kept from an earlier run (render.py)
        groups: dict[str, list[tuple[str, str]]] = {}
        for form, text in (definitions(terms) if found is None else found).items():
            if text:
                groups.setdefault(_anchor(form), []).append((form, f"*[{form}]: {text}"))
        self._lines: list[tuple[str, str]] = [pair for group in groups.values() for pair in group]
        self._forms = [form for form, _ in self._lines]
        self._automaton = _automaton(self._forms) if self._forms else None
        self._data_automaton: list = []  # the same over UTF-8 bytes (block_data), built when first needed
        # a spelling holds no backslash (forms: _UNSAFE), so every one found in a body is also found in
        # the body without its backslashes: only that one is searched (see :meth:`block_data`)
        self._no_backslash = not any("\\" in form for form in self._forms)

    def _indexes(self, text: str) -> set[int]:
        """The indexes (in ``_lines``) of the spellings that occur in ``text``."""
        if self._automaton is not None:
            try:
                return set(map(_FIRST, self._automaton.find_matches_as_indexes(text, overlapping=True)))
            except UnicodeEncodeError:  # a lone surrogate: the automaton reads UTF-8
                pass
        return {index for index, form in enumerate(self._forms) if form in text}

    def found(self, text: str) -> set[str]:
        """The spellings that occur in ``text`` (as ``spelling in text`` would tell, each one)."""
        forms = self._forms
        return {forms[index] for index in self._indexes(text)}

    def block(self, markdown_text: str) -> str:
        """The definitions ``markdown_text`` needs, as blocks ('' when it uses no term).

        Same HTML as :func:`abbreviation_block` of every term (tests/pipeline/test_lighter.py), since a
        definition whose spelling is not in :func:`visible_text` matches nothing on the page.
        """
        return self.block_data(markdown_text, None)

    def block_data(self, markdown_text: str, data: bytes | None) -> str:
        """:meth:`block` of ``markdown_text``, searched in ``data``, its UTF-8 bytes, when given (the page's
        file, made anyway: its body is searched where it lies, not copied out of the text first; a
        spelling's UTF-8 bytes occur in a text's exactly where the spelling occurs in the text)."""
        if not self._forms:
            return ""
        start = _front_matter_end(markdown_text)  # the parts of visible_parts, searched one by one
        if markdown_text.find("\\", start) != -1:  # the body, and the body without backslashes
            body = markdown_text[start:]
            parts = [body.replace("\\", "")]
            if not self._no_backslash:  # else the body without backslashes holds every spelling the body holds
                parts.append(body)
            seen = set().union(*map(self._indexes, parts))
        elif data is not None and self._bytes_automaton() is not None:
            offset = start if markdown_text.isascii() else len(markdown_text[:start].encode("utf-8"))
            found = self._data_automaton[0].find_matches_as_indexes(memoryview(data)[offset:], overlapping=True)
            seen = set(map(_FIRST, found))
        else:
            seen = self._indexes(markdown_text[start:])
        kinds = _untitled_kinds(markdown_text, start)
        if kinds:
            seen |= self._indexes(" ".join(kind.capitalize() for kind in kinds))
        if not seen:
            return ""
        lines = self._lines
        return "\n\n" + "\n\n".join([lines[index][1] for index in sorted(seen)]) + "\n"

    def _bytes_automaton(self):
        """The automaton of the spellings' UTF-8 bytes (None when a spelling has none: a lone surrogate)."""
        if not self._data_automaton:
            self._data_automaton.append(_automaton(self._forms, data=True) if self._automaton is not None else None)
        return self._data_automaton[0]

    def apply(self, markdown_text: str) -> str:
        """``markdown_text`` with the definitions it needs appended."""
        return abbreviate(markdown_text, self.block(markdown_text))


def _automaton(forms: list[str], data: bool = False):
    """One Aho-Corasick automaton of ``forms`` (pattern ``i`` is ``forms[i]``), a DFA when it can be
    built (about 4x faster over a page than a trie walk), or None when a spelling is no UTF-8 (a lone
    surrogate: then each spelling is searched with ``in``); over UTF-8 bytes with ``data``."""
    try:
        encoded = [form.encode("utf-8") for form in forms]
    except UnicodeEncodeError:
        return None
    for kind in (ahocorasick_rs.Implementation.DFA, None):
        try:
            if data:
                return ahocorasick_rs.BytesAhoCorasick(encoded, implementation=kind)
            return ahocorasick_rs.AhoCorasick(forms, implementation=kind)
        except ValueError:  # too many spellings for a DFA: the automaton chooses its own kind
            continue
    return None


def heading_text(text: str) -> str:
    """``text`` safe as the words of a Markdown heading (:func:`scripts.pipeline.escape.md_text`)."""
    return md_text(text)


def glossary_markdown(terms: list[dict], term_lookup, entry_lookup) -> str:
    """The body of ``glossary.md``: terms grouped under their first letter, A to Z, with a letter index."""
    groups: dict[str, list[dict]] = {}
    for item in sorted(terms, key=lambda t: t["term"].casefold()):
        first = item["term"][:1].upper()
        groups.setdefault(first if first.isalpha() else "#", []).append(item)
    letters = sorted(groups, key=lambda letter: (letter == "#", letter))
    out = ["Each term below also explains itself wherever it appears on the site: point at it or move "
           "the keyboard focus to it to read its definition.\n\n",
           " · ".join(f"[{letter}](#letter-{'other' if letter == '#' else letter.lower()})" for letter in letters)
           + "\n{ .mn-glossary-index }\n\n"]
    for letter in letters:
        anchor = "other" if letter == "#" else letter.lower()
        out.append(f"## {heading_text(letter)} {{ #letter-{anchor} }}\n\n")
        for item in groups[letter]:
            out.append(f"### {heading_text(item['term'])} {{ #{item['id']} }}\n\n{item['definition'].strip()}\n\n")
            entry = entry_lookup(item["entry"]) if item.get("entry") else None
            if entry:
                out.append(f"Explained in [{link_text(entry['title'])}](entries/{entry['id']}.md).\n\n")
            see_also = [term_lookup(t) for t in item.get("see_also", [])]
            see_also = [t for t in see_also if t]
            if see_also:
                out.append("See also: " + ", ".join(f"[{link_text(t['term'])}](#{t['id']})" for t in see_also) + ".\n\n")
    return "".join(out)


def check_glossary(content: Content) -> list[Problem]:
    """A term's ``entry`` names an entry, and no spelling belongs to two terms."""
    from difflib import get_close_matches

    doc = content.glossary
    problems: list[Problem] = []
    from .entryindex import entry_ids  # hook (owner: checks): the ids from each entry's kept index, not its data

    entries = entry_ids(content.entries)
    owner: dict[str, str] = {}
    clashes: set[tuple[str, str]] = set()
    for index, item in enumerate(content.glossary_list()):
        entry = item.get("entry")
        if isinstance(entry, str) and entry not in entries:
            guess = get_close_matches(entry, list(entries), n=1)
            hint = f"; did you mean {guess[0]!r}?" if guess else ""
            problems.append(doc.problem((index, "entry"), f"no entry has the id {entry!r}{hint}"))
        if not isinstance(item.get("term"), str) or not isinstance(item.get("id"), str):
            continue
        for form in forms(item):
            if owner.setdefault(form, item["id"]) != item["id"] and (owner[form], item["id"]) not in clashes:
                clashes.add((owner[form], item["id"]))
                problems.append(doc.problem((index, "term"), f"{form!r} already stands for the term "
                                            f"{owner[form]!r}; give one of them another wording or alias"))
    return problems
