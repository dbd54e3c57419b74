"""Venue pages, venue names on rule boxes and /rules/, third-party marks and rules.json fields.

The venue registry is replaced by profiles built here in the shape of the venue contract
(SPEC-venues.md §1), so these tests pin the site side whatever figures the real profiles hold.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from calculators.model.policies import POLICIES
from calculators.model.venues import Source, VenueFact
from scripts.pipeline import venuepages
from scripts.pipeline.build import check
from scripts.pipeline.render import render
from scripts.pipeline.rules import counted, third_party_only

REPO = Path(__file__).resolve().parents[2]
RULE_VENUES = json.loads((REPO / "content/schema/rule.schema.json").read_text())["properties"]["venue"]["enum"]


@dataclass
class Venue:
    id: str
    name: str
    publisher: str
    third_party: bool
    summary: str
    policies: dict = field(default_factory=dict)
    tiers: dict = field(default_factory=lambda: {"BTCUSDT": (
        SimpleNamespace(limit=Decimal("2000000"), mmr=Decimal("0.005"), max_leverage=Decimal("100"),
                        mm_deduction=Decimal("0")),
        SimpleNamespace(limit=Decimal("2600000"), mmr=Decimal("0.0056"), max_leverage=Decimal("90"),
                        mm_deduction=Decimal("1200.00")))})

    def facts(self):
        """Two parameters (one an assumption), a tier table and the policies, in file order."""
        fee = Source("Order Cost (USDT Contract)", "https://www.bybit.com/en/help-center/article/Order-Cost-USDT-Contract",
                     self.publisher, "2026-11-28", self.third_party)
        rows = [VenueFact("parameters", "taker_fee", "Taker fee", "0.055%",
                          "The page's example charges 0.055% [per] side.", (fee,), False),
                VenueFact("parameters", "tick_size", "Tick size", "0.1 USDT", "Prices move in 0.1 USDT steps.", (), True),
                VenueFact("tiers", "BTCUSDT", "BTCUSDT risk-limit tiers", "2 tiers up to 2,600,000 USDT",
                          "Tier 2 is 0.56% MMR at 90x.", (fee,), False)]
        rows += [VenueFact("policies", name, name.replace("_", " ").capitalize(), "yes", f"Says {name}.", sources, False)
                 for name, sources in self.policies.items()]
        return rows

    def policy_sources(self, policy):
        return self.policies.get(policy, ())


OFFICIAL = Source("Insurance Fund", "https://www.bybit.com/en/help-center/article/Insurance-Fund", "Bybit", "2026-11-28")
ARTICLE = Source("Negative balance on Bybit futures",
                 "https://www.kdj.com/Cryptocurrency-Encyclopedia/Contract/negative-balance-bybit-futures.html",
                 "kdj.com", "2026-11-28", True)


def fake_venues(third_party_ids=(), policies=None) -> dict:
    """A profile for every venue id the rule schema allows; ``third_party_ids`` are third-party profiles.

    By default every policy is sourced by an official page.
    """
    policies = policies or {name: (OFFICIAL,) for name in POLICIES}
    return {vid: Venue(vid, f"Venue {vid.upper()}", "Bybit", vid in third_party_ids, f"What {vid} models.",
                       dict(policies))
            for vid in RULE_VENUES}


@pytest.fixture
def venues(monkeypatch):
    """Install fake venue profiles; the first rule venue id is a third-party profile."""
    registry = fake_venues(third_party_ids=RULE_VENUES[:1])
    monkeypatch.setattr(venuepages, "all_venues", lambda: registry)
    return registry


@pytest.fixture
def rendered(project, venues):
    content, problems = check(project)
    assert problems == []
    return render(content), content


def test_venue_page_lists_every_fact_with_its_source(rendered, venues):
    pages, _ = rendered
    official = RULE_VENUES[1]
    page = pages[f"venues/{official}.md"]
    assert f"# Venue {official.upper()}\n\nWhat {official} models.\n\n" in page
    assert "Third-party" not in page
    assert ("- **Taker fee: 0.055%.** The page's example charges 0.055% &#91;per&#93; side. Source: "
            "[Order Cost (USDT Contract)](https://www.bybit.com/en/help-center/article/Order-Cost-USDT-Contract), "
            "Bybit, read on 28 November 2026.\n") in page
    assert "- **Tick size: 0.1 USDT.** Prices move in 0.1 USDT steps. *Not from a published page: a model assumption.*\n" in page
    assert ("- **BTCUSDT risk-limit tiers: see the table.** Tier 2 is 0.56% MMR at 90x. Source: [Order Cost"
            in page)
    assert ('\n<div class="mn-tiers" markdown>\n\n'
            "| Up to (USDT) | Maint. rate | Max lev. | Deduction (USDT) |\n"
            "|---:|---:|---:|---:|\n"
            "| 2,000,000 | 0.5% | 100x | 0 |\n"
            "| 2,600,000 | 0.56% | 90x | 1,200 |\n\n</div>\n") in page
    assert page.index("## Parameters") < page.index("## Risk-limit tiers") < page.index("## Policies")
    assert ("- **Deficit to wallet: yes.** Says deficit&#95;to&#95;wallet. Source: [Insurance Fund]"
            "(https://www.bybit.com/en/help-center/article/Insurance-Fund), Bybit, read on 28 November 2026.\n") in page
    facts = len(venues[official].facts())
    assert len(re.findall(r"^- \*\*", page, re.MULTILINE)) == facts


def test_third_party_profile_is_labelled_at_the_top_and_on_every_row(rendered, venues):
    pages, _ = rendered
    third = RULE_VENUES[0]
    page = pages[f"venues/{third}.md"]
    top = page.index('!!! warning "Third-party description"')
    assert top < page.index("## Parameters")
    rows = re.findall(r"^- .*$", page[:page.index("## Rules checked")], re.MULTILINE)
    assert len(rows) == len(venues[third].facts())
    assert all(row.startswith('- <span class="mn-third-party">Third-party description</span> **') for row in rows)


def test_venues_index_lists_every_profile_with_its_rule_count(rendered, project):
    pages, content = rendered
    index = pages["venues/index.md"]
    for vid in RULE_VENUES:
        count = sum(1 for doc in content.entries for rule in doc.data.get("rules", []) if rule["venue"] == vid)
        assert f"[Venue {vid.upper()}]({vid}.md): What {vid} models. ({counted(count, 'rule')})" in index
    assert f'- <span class="mn-third-party">Third-party description</span> [Venue {RULE_VENUES[0].upper()}]' in index


def test_rule_boxes_show_title_venue_name_and_counts(rendered):
    pages, content = rendered
    doc = next(d for d in content.entries if d.data.get("rules"))
    page = pages[f"entries/{doc.data['id']}.md"]
    rule = doc.data["rules"][0]
    assert f'!!! success "{rule["statement"]}"' in page
    assert "Verified rule ·" not in page
    assert f"**Venue:** [Venue {rule['venue'].upper()}](../venues/{rule['venue']}.md)" in page
    assert f"(`{rule['venue']}`)" not in page
    assert not re.search(r"\b1 (steps|expectations|rules)\b", page)
    assert "all 1 expectations" not in page


def test_rule_title_field_titles_the_box(project, venues):
    real = project.entries / "where-is-my-liquidation-price.yaml"
    text = real.read_text()
    first = text.index("  - id: ", text.index("\nrules:"))
    line_end = text.index("\n", first) + 1
    real.write_text(text[:line_end] + "    title: Liquidation price, long\n" + text[line_end:])
    content, problems = check(project)
    assert problems == []
    pages = render(content)
    page = pages["entries/where-is-my-liquidation-price.md"]
    rule = next(d for d in content.entries if d.data["id"] == "where-is-my-liquidation-price").data["rules"][0]
    assert '!!! success "Liquidation price, long"' in page
    assert f"    {rule['statement']}\n" in page  # the statement moves into the box
    data = json.loads(pages["rules.json"])
    item = next(r for r in data["rules"] if r["id"] == rule["id"])
    assert item["title"] == "Liquidation price, long"


def test_rules_index_and_json_name_the_venue_and_mark_third_party(rendered):
    pages, content = rendered
    index = pages["rules/index.md"]
    third = RULE_VENUES[0]
    assert "`bybit" not in index and "`never" not in index  # no venue ids in code spans
    data = json.loads(pages["rules.json"])["rules"]
    assert data, "the real content has rules"
    for item in data:
        assert item["venue_name"] == f"Venue {item['venue'].upper()}"
        assert isinstance(item["policies"], list)
        assert item["third_party_only"] is (item["venue"] == third)
        row = next(line for line in index.splitlines() if f"#rule-{item['id']})" in line)
        assert f"[Venue {item['venue'].upper()}](../venues/{item['venue']}.md)" in row
        assert row.startswith('| <span class="mn-third-party">Third-party source only</span>') is item["third_party_only"]
    if any(item["third_party_only"] for item in data):
        entry = next(i["entry"] for i in data if i["third_party_only"])
        assert '<span class="mn-third-party">Third-party source only</span>' in pages[f"entries/{entry}.md"]
    assert re.search(r"^\d+ rules?, each run", index.split("# Verified rules\n\n")[1])


def rule_check(venue_id: str, policies: tuple):
    """A stand-in for a RuleCheck whose scenario exercised ``policies``."""
    return SimpleNamespace(rule={"venue": venue_id}, run=SimpleNamespace(exercised=policies))


@pytest.mark.parametrize("policies, expected", [
    ((), False),                                           # nothing exercised, official profile
    (("fund_covers_deficit",), False),                     # official source
    (("deficit_to_wallet",), True),                        # third-party source only
    (("fund_covers_deficit", "deficit_to_wallet"), True),  # one policy resting on a third-party page is enough
    (("never_negative",), False),                          # unsourced: the verifier fails the rule, not this mark
])
def test_third_party_only(monkeypatch, policies, expected):
    registry = fake_venues(RULE_VENUES[:1], {"fund_covers_deficit": (OFFICIAL,), "deficit_to_wallet": (ARTICLE,)})
    monkeypatch.setattr(venuepages, "all_venues", lambda: registry)
    assert third_party_only(rule_check(RULE_VENUES[1], policies)) is expected
    assert third_party_only(rule_check(RULE_VENUES[0], policies)) is True  # a third-party profile


def test_mixed_sources_for_one_policy_are_not_third_party_only(monkeypatch):
    registry = {"v": Venue("v", "V", "Bybit", False, "S.", {"deficit_to_adl": (ARTICLE, OFFICIAL)})}
    monkeypatch.setattr(venuepages, "all_venues", lambda: registry)
    assert third_party_only(rule_check("v", ("deficit_to_adl",))) is False


def test_source_link_marks_third_party_and_keeps_markup_out():
    assert venuepages.source_link(ARTICLE) == (
        "[Negative balance on Bybit futures](https://www.kdj.com/Cryptocurrency-Encyclopedia/Contract/"
        "negative-balance-bybit-futures.html), kdj.com, third-party source, read on 28 November 2026")
    odd = Source("A [page]", "https://www.example.com/a(b) c", "<b>Pub</b> *x*", "2026-11-28")
    assert venuepages.source_link(odd) == (
        "[A &#91;page&#93;](https://www.example.com/a%28b%29%20c), &#60;b&#62;Pub&#60;/b&#62; &#42;x&#42;, read on 28 November 2026")


def test_entry_venue_is_named_and_linked(rendered):
    pages, content = rendered
    doc = next(d for d in content.entries if d.data.get("venue") in RULE_VENUES)
    venue = doc.data["venue"]
    assert f"venue: [Venue {venue.upper()}](../venues/{venue}.md)" in pages[f"entries/{doc.data['id']}.md"]


def test_faq_badge_of_a_third_party_rule_carries_the_mark(rendered):
    pages, content = rendered
    third = RULE_VENUES[0]
    found = 0
    for doc in content.entries:
        rules = {rule["id"]: rule for rule in doc.data.get("rules", [])}
        page = pages[f"entries/{doc.data['id']}.md"]
        for item in doc.data["faq"]:
            for rule_id in item.get("rules", []):
                badge = re.search(rf"\(#rule-{re.escape(rule_id)}\)\{{ \.mn-rule-badge \}}(.*)$", page, re.MULTILINE)
                assert badge, rule_id
                marked = badge.group(1) == ' <span class="mn-third-party">Third-party source only</span>'
                assert marked is (rules[rule_id]["venue"] == third)
                found += 1
    assert found
