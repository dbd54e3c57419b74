"""Venue pages: ``/venues/`` and one page per venue profile, every fact with the page it comes from.

A venue profile (``calculators/model/venues/<id>.yaml``, loaded by :mod:`calculators.model.venues`)
holds the parameters, risk-limit tiers and policies the reference model runs a rule with. Its page
lists every :meth:`Venue.facts` row with its source link, publisher and the date the page was read; a
profile that models a third-party page's description is labelled so at the top and on every row.
:func:`venue_link` is the venue's human name linking to its page, used by rule boxes and ``/rules/``.
"""

from __future__ import annotations

import dataclasses
from functools import partial
from collections.abc import Iterable

from .entryindex import may_have_rules
from .escape import html_text
from .mdtext import link_url, md_text
from .render import front_matter, kept_page, link_text, long_date

SECTION_TITLES = {"parameters": "Parameters", "tiers": "Risk-limit tiers", "policies": "Policies"}
THIRD_PARTY_MARK = '<span class="mn-third-party">Third-party description</span>'


def all_venues() -> dict:
    """The venue profiles by id (``calculators.model.venues.VENUES``)."""
    from calculators.model.venues import VENUES

    return VENUES


def venue_name(venue_id: str) -> str:
    """The venue's human name (the id itself when no profile has it)."""
    venue = all_venues().get(venue_id)
    return venue.name if venue else venue_id


def venue_link(venue_id: str, prefix: str = "../venues/") -> str:
    """The venue's human name as a Markdown link to its page, from a page one folder deep."""
    return f"[{link_text(venue_name(venue_id))}]({prefix}{venue_id}.md)"


def source_link(source) -> str:
    """A profile source as ``[title](url), publisher, read on <date>`` (third-party marked)."""
    third = ", third-party source" if source.third_party else ""
    return (f"[{link_text(source.title)}]({link_url(source.url)}), {md_text(source.publisher)}{third}, "
            f"read on {long_date(source.accessed)}")


def fact_item(fact, third_party: bool) -> str:
    """One fact as a list item: label and value, what the source says, and the source links."""
    mark = f"{THIRD_PARTY_MARK} " if third_party else ""
    says = md_text(fact.says.strip())
    if fact.assumption:
        origin = "*Not from a published page.*" if fact.says.lower().startswith("model assumption") else \
            "*Not from a published page: a model assumption.*"
    else:
        origin = "Source: " + "; ".join(source_link(source) for source in fact.sources) + "."
    return f"- {mark}**{md_text(fact.label)}: {md_text(fact.value)}.** {says} {origin}\n"


def tier_item(fact, venue) -> str:
    """A risk-limit tier fact: the list item, then the venue's table for that symbol (when it has one)."""
    rows = getattr(venue, "tiers", {}).get(fact.name)
    if not rows:
        return fact_item(fact, venue.third_party)
    item = fact_item(dataclasses.replace(fact, value="see the table"), venue.third_party)
    lines = ["| Up to (USDT) | Maint. rate | Max lev. | Deduction (USDT) |", "|---:|---:|---:|---:|"]
    for tier in rows:
        lines.append(f"| {_grouped(tier.limit)} | {_grouped(tier.mmr * 100)}% | {_grouped(tier.max_leverage)}x | "
                     f"{_grouped(tier.mm_deduction)} |")
    return f'{item}\n<div class="mn-tiers" markdown>\n\n' + "\n".join(lines) + "\n\n</div>\n\n"


def _grouped(value) -> str:
    text = format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)
    whole, _, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    return sign + f"{int(whole.lstrip('-')):,}" + (f".{fraction}" if fraction else "")


def rules_on(site, venue_id: str) -> list[tuple[dict, dict]]:
    """``(entry, rule)`` for every rule of a published entry that runs on this venue."""
    by_venue = site.__dict__.get("_rules_by_venue")
    if by_venue is None:  # one pass over the entries per site, not one per venue
        by_venue = site.__dict__["_rules_by_venue"] = {}
        for _, doc in site.published_docs():
            if not may_have_rules(doc):  # the index shows no rule: the data is not decoded
                continue
            entry = doc.data
            for rule in _venue_rules(entry):
                by_venue.setdefault(rule.get("venue"), []).append((entry, rule))
    return list(by_venue.get(venue_id, []))


def _venue_rules(entry: dict) -> list[dict]:
    """The rules of ``entry`` that can name a venue: mappings whose venue is hashable (a list, a mapping
    or a set is no venue's id), in order; what :func:`rules_on` and the venue pages' keys both list."""
    return [rule for rule in entry.get("rules") or [] if isinstance(rule, dict) and _hashable(rule.get("venue"))]


def _hashable(value) -> bool:
    """Whether ``value`` can be a key of a mapping (what a venue id must be)."""
    try:
        hash(value)
    except TypeError:
        return False
    return True


def venue_page(venue, site) -> str:
    """The Markdown page of one venue profile."""
    out = [front_matter({"title": html_text(venue.name), "description": html_text(venue.summary.strip())}),
           f"# {md_text(venue.name)}\n\n"]
    if venue.third_party:
        out.append('!!! warning "Third-party description"\n\n'
                   "    This profile models the exchange as a third-party page describes it, not as the "
                   "exchange's own documents do. Where that page is silent, a row takes the exchange's own page, "
                   "named as its source. Every rule run on this profile is marked \"Third-party source only\".\n\n")
    out.append(f"{md_text(venue.summary.strip())}\n\n")
    out.append(f"Publisher of the pages it models: {md_text(venue.publisher)}. Every figure and behaviour "
               "the reference model uses for this venue is listed below with the page it comes from and the "
               "date we read it; a model assumption is marked as one.\n\n")
    sections: dict[str, list] = {}
    for fact in venue.facts():
        sections.setdefault(fact.section, []).append(fact)
    for section, facts in sections.items():
        out.append(f"## {SECTION_TITLES.get(section, section.replace('_', ' ').capitalize())}\n\n")
        out += [tier_item(fact, venue) if section == "tiers" else fact_item(fact, venue.third_party)
                for fact in facts]
        out.append("\n")
    rules = rules_on(site, venue.id)
    out.append("## Rules checked on this venue\n\n")
    if rules:
        out += [f"- [{link_text(rule.get('title') or rule['statement'])}](../entries/{entry['id']}.md#rule-{rule['id']})\n"
                for entry, rule in rules]
    else:
        out.append("None yet.\n")
    out.append("\n[All venues](index.md) · [All rules](../rules/index.md)\n")
    return "".join(out)


def venue_ids() -> list[str]:
    """The ids of the venue profiles, in their order: kept in the content cache (section "memo"; its
    key holds the model and the profiles), so a run that reads no venue page imports no model."""
    from .cache import current, digest_of

    cache = current()
    key = digest_of("venue-ids")
    kept = cache.record("memo", key) if cache else None
    if type(kept) is list and all(type(item) is str for item in kept):
        return kept
    ids = list(all_venues())
    if cache:
        cache.keep("memo", key, ids)
    return ids


def venue_pages(site) -> Iterable:
    """``venues/index.md`` and ``venues/<id>.md`` for every venue profile (each text made when read)."""
    # (pagesout hook, issue 14) with the content cache on, each page is known by a key (the rules it
    # lists; the cache's key holds the model and the profiles) and kept, so a run whose venue pages
    # are unchanged imports no model (render.kept_page)
    from .cache import current, digest_of

    def key(venue_id: str) -> str:  # (pagesfast hook, issue 14) from the entries' notes: no data decoded
        return digest_of("venue-page", venue_id, [row[1:] for row in _venue_rows(site) if row[0] == venue_id])

    cache = current()
    for venue_id in venue_ids():
        yield kept_page(f"venues/{venue_id}.md", cache, partial(key, venue_id),
                        lambda venue_id=venue_id: venue_page(all_venues()[venue_id], site))
    yield kept_page("venues/index.md", cache, lambda: digest_of("venues-index", [
        [venue_id, sum(row[0] == venue_id for row in _venue_rows(site))] for venue_id in venue_ids()]),
        lambda: venues_index(site))


VENUE_NOTE = "venue-rules"  # (pagesfast hook, issue 14) the note of an entry's document: its rules' venues


def _venue_rows(site) -> list[list]:
    """``[venue, entry id, rule id, rule title or statement]`` of every rule of a published entry whose
    venue is an id (what the venue pages' keys show), as :func:`rules_on` lists them. With the content
    cache, each entry's rows are kept as a note of its document (they go with its file and hash), so
    the venue pages' keys decode no entry's data (issue 14)."""
    from .cache import current

    rows = site.__dict__.get("_venue_rows")
    if rows is not None:
        return rows
    cache, rows = current(), []
    for _, doc in site.published_docs():
        if not may_have_rules(doc):
            continue
        note = cache.note(doc.file, VENUE_NOTE) if cache else None
        if type(note) is not list or not all(type(row) is list and len(row) == 4 for row in note):
            entry = doc.data
            note = [[rule.get("venue"), entry.get("id"), rule.get("id"), rule.get("title") or rule.get("statement")]
                    for rule in _venue_rules(entry)]
            if cache and type(doc.__dict__.get("sha256")) is str:
                cache.set_note(doc.file, VENUE_NOTE, note)
        rows += note
    site.__dict__["_venue_rows"] = rows
    return rows


def venues_index(site) -> str:
    """The Markdown of ``venues/index.md``."""
    venues = all_venues()
    out = [front_matter({"title": "Venues",
                         "description": "The exchange profiles Margin Notes checks its rules on, every figure "
                                        "and behaviour with its source."}),
           "# Venues\n\n",
           "Every rule on Margin Notes is run on the reference exchange model with one venue profile: the "
           "fees, risk-limit tiers and behaviours of one exchange as its documents describe them, each with "
           "its source. A profile built from a third-party page is labelled as such.\n\n"]
    for venue in venues.values():
        count = len(rules_on(site, venue.id))
        mark = f"{THIRD_PARTY_MARK} " if venue.third_party else ""
        rules = f"{count} rule{'' if count == 1 else 's'}"
        out.append(f"- {mark}[{link_text(venue.name)}]({venue.id}.md): {md_text(venue.summary.strip())} "
                   f"({rules})\n")
    return "".join(out)
