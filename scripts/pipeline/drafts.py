"""Draft entries: rendered with a banner (outside search and the sitemap), and what they still lack.

An entry with ``draft: true`` passes every check like any other, but it is listed nowhere (home,
categories, rules index, JSON twin) and its page carries a "Draft" banner. ``make validate`` prints a
note for each placeholder a draft still holds (the scaffolder's ``TODO`` texts and ``example.com``
sources); the same placeholders in a published entry are problems.
"""

from __future__ import annotations

import re
from functools import partial

import yaml

from .content import Content, iter_strings
from .entryindex import index_of
from .errors import Problem, json_path
from .render import entry_page, front_matter

PLACEHOLDER = re.compile(r"\btodo\b|https://example\.com\b", re.IGNORECASE)
BANNER = ('!!! danger mn-draft "Draft: not published"\n\n'
          "    This entry is a draft. It is not listed on the site, in search or in the sitemap. "
          "Remove `draft: true` from its file to publish it.\n\n")


def is_draft(data) -> bool:
    """True for the loaded data of an entry marked ``draft: true``."""
    return isinstance(data, dict) and data.get("draft") is True


def placeholders(data) -> list[tuple]:
    """The paths of every string in ``data`` that still holds a placeholder (``TODO``, example.com)."""
    return [path for path, text in iter_strings(data) if PLACEHOLDER.search(text)]


def draft_notes(content: Content, files=()) -> list[Problem]:
    """Notes (not failures) on what each draft still lacks; limited to ``files`` when given."""
    from .entryindex import index_of  # an entry's kept index tells a draft without decoding its data

    wanted = set(files)
    notes = []
    for doc in content.entries:
        if (index_of(doc) or {}).get("is_draft") is not True or (wanted and doc.file not in wanted):
            continue
        for path in placeholders(doc.data):
            notes.append(doc.problem(path, "still a placeholder; write the real text"))
        notes.append(doc.problem(("draft",), "draft: remove this line to publish the entry"))
    return sorted(notes)


def check_placeholders(content: Content) -> list[Problem]:
    """A published entry holds no placeholder text (``TODO``, example.com) left from the scaffolder."""
    from .facts import placeholder_paths  # facts imports this module

    problems = []
    for doc in content.entries:
        if isinstance(doc.data, dict) and not is_draft(doc.data):
            problems += [Problem(doc.file, doc.line(path), json_path(path),
                                 "placeholder text in a published entry; write the real text or set draft: true")
                         for path in placeholder_paths(doc)]
    return problems


def drafts_of(content: Content) -> list[dict]:
    """The data of every draft entry, sorted by id."""
    items = [doc.data for doc in content.entries if _draft_doc(doc) and isinstance(doc.data.get("id"), str)]
    return sorted(items, key=lambda data: data["id"])


def _draft_doc(doc) -> bool:
    """:func:`is_draft` of a document's data, read from its index when that tells (no data decoded)."""
    index = index_of(doc)
    flag = index["is_draft"] if index is not None else False
    return flag if type(flag) is bool else is_draft(doc.data)


class _DraftView:
    """The site as one draft sees it: the draft's own rules are checked and shown, nothing else changes."""

    def __init__(self, site, entry: dict):
        self._site = site
        self.entries = [entry]

    def __getattr__(self, name):
        return getattr(self._site, name)

    def published_docs(self) -> list[tuple]:
        """``(id, document)`` of the draft alone (as :attr:`entries`)."""
        entry_id = self.entries[0]["id"]
        doc = self._site.doc_of(entry_id)
        return [(entry_id, doc)] if doc is not None else []

    def extra_sections(self, entry: dict) -> str:
        """The blocks appended to an entry (rule boxes), computed for this draft."""
        from .pages import ENTRY_EXTRAS  # pages imports this module

        return "".join(extra(entry, self) for extra in ENTRY_EXTRAS)


def draft_page(entry: dict, site) -> str:
    """The entry page of a draft: banner under the title, excluded from search, marked ``draft``."""
    text = entry_page(entry, _DraftView(site, entry))
    end = text.index("\n---\n", 4)
    meta, body = yaml.safe_load(text[4: end + 1]), text[end + 5:].lstrip("\n")
    meta.pop("tags", None)  # a draft stays off the tag index
    meta.update(draft=True, search={"exclude": True}, robots="noindex")  # robots: the site's noindex meta
    title_end = body.index("\n", body.index("# ")) + 1
    return front_matter(meta) + body[:title_end] + "\n" + BANNER + body[title_end:]


def draft_pages(site):
    """One page per draft entry at ``entries/<id>.md`` (linked from nowhere)."""
    from .pages import Page  # pages imports this module

    for entry in drafts_of(site.content):
        yield Page(f"entries/{entry['id']}.md", source=site.source_of(entry["id"]), make=partial(draft_page, entry, site))
