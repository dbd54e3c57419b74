"""The claims section of an entry: what a third-party page says, and what the exchange documents.

An entry's optional ``claims:`` list holds each claim of a third-party page in our words, the page
making it, a verdict reached by reading the exchange's own documents (confirmed, contradicted,
not-found), the official pages checked, a note on what they say and the entry's rules modelling each
side. :func:`claims_section` renders it as one block per claim (a list reads better than a table on
a 390 px screen), each led by its verdict in words and as a badge.
"""

from __future__ import annotations

from .mdtext import link_url, md_text
from .render import link_text, long_date

HEADING = "What the article says, and what the exchange documents"

# verdict -> (badge mark, badge word, sentence after the badge)
VERDICTS = {
    "confirmed": ("✓", "Confirmed", "The exchange's own documents say the same."),
    "contradicted": ("✗", "Contradicted", "The exchange's own documents say otherwise."),
    "not-found": ("?", "Not found", "The exchange's own documents we checked do not say this."),
}


def cite(source: dict) -> str:
    """A source as a Markdown citation: linked title, publisher, third-party mark, date read."""
    third = ", third-party source" if source.get("third_party") else ""
    return (f"[{link_text(source['title'])}]({link_url(source['url'])}), {md_text(source['publisher'])}"
            f"{third}; read on {long_date(source['accessed'])}")


def verdict_badge(verdict: str) -> str:
    """The verdict as a badge: a mark and the word (the word carries the meaning, not the colour)."""
    mark, word, _ = VERDICTS[verdict]
    return f'<span class="mn-verdict mn-verdict--{verdict}">{mark} {word}</span>'


def _rule_links(rule_ids: list, entry: dict) -> str:
    rules = {rule["id"]: rule for rule in entry.get("rules", []) if isinstance(rule, dict)}
    links = [f"[{link_text(rules[rule_id].get('title') or rules[rule_id]['statement'])}](#rule-{rule_id})"
             for rule_id in rule_ids if rule_id in rules]
    return "; ".join(links)


def claim_block(claim: dict, entry: dict) -> str:
    """One claim as a block: verdict badge, the claim and its source, the official side, the rules."""
    _, _, sentence = VERDICTS[claim["verdict"]]
    parts = [f"{verdict_badge(claim['verdict'])} {sentence}",
             f"**The article says:** {claim['claim'].strip()}\n({cite(claim['source'])})"]
    official = "; ".join(cite(source) for source in claim["official"])
    note = claim.get("note", "").strip()
    parts.append(f"**What the exchange documents:** {note + ' ' if note else ''}(checked: {official})")
    rules = _rule_links(claim.get("rules", []), entry)
    if rules:
        parts.append(f"**Rules modelling each side:** {rules}")
    body = "\n\n".join(parts)
    return f'<div class="mn-claim mn-claim--{claim["verdict"]}" markdown>\n\n{body}\n\n</div>\n\n'


def claims_section(entry: dict, site) -> str:
    """The claims section of an entry page ('' when the entry lists no claims)."""
    claims = entry.get("claims")
    if not claims:
        return ""
    count = f"{len(claims)} claim{'' if len(claims) == 1 else 's'}"
    out = [f"## {HEADING}\n\n",
           f"{count} of third-party pages, in our words, each checked against the exchange's own documents.\n\n"]
    out += [claim_block(claim, entry) for claim in claims]
    return "".join(out)
