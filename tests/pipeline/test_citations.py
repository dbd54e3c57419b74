"""Citations that hold: input -> message pairs for every kind of address that is not the page it names."""

from __future__ import annotations

import datetime

import pytest

from scripts.pipeline.build import check, prepare
from scripts.pipeline.citations import url_findings
from scripts.pipeline.citecheck import check_citations, citation_warnings

TODAY = datetime.date(2026, 11, 29)
F = "content/entries/good-entry.yaml"


def source(url: str, publisher: str = "Bybit", accessed: str = "2026-11-28", **extra) -> dict:
    """A source with the given address (title fixed)."""
    return {"title": "A page", "url": url, "publisher": publisher, "accessed": accessed, **extra}


# (name, source, [(field, message, is warning)])
CASES = [
    ("canonical Bybit article holds",
     source("https://www.bybit.com/en/help-center/article/Insurance-Fund"), []),
    ("testnet host, with the canonical address",
     source("https://testnet.bybit.com/en-US/help-center/s/article/Liquidation-Price-USDT-Contract"),
     [("url", "testnet.bybit.com is a testnet host, not the published page; cite "
              "https://www.bybit.com/en/help-center/article/Liquidation-Price-USDT-Contract instead", False)]),
    ("testnet label on a mirror",
     source("https://testnet.bybitx.global/en/help-center/article/Auto-Deleveraging-ADL"),
     [("url", "testnet.bybitx.global is a testnet host, not the published page; cite "
              "https://www.bybit.com/en/help-center/article/Auto-Deleveraging-ADL instead", False)]),
    ("a .testnet domain of any publisher",
     source("https://docs.example.testnet/page", publisher="Example"),
     [("url", "docs.example.testnet is a testnet host, not the published page; cite the same page on the "
              "publisher's main site", False)]),
    ("staging host",
     source("https://staging.binance.com/en/support/faq/abc", publisher="Binance"),
     [("url", "staging.binance.com is a staging host, not the published page; cite the same page on the "
              "publisher's main site", False)]),
    ("Bybit mirror host",
     source("https://www.kbybit.com/en/help-center/article/Liquidation-Price-Calculation-under-Isolated-Mode"),
     [("url", "www.kbybit.com is a mirror of Bybit's site; cite "
              "https://www.bybit.com/en/help-center/article/Liquidation-Price-Calculation-under-Isolated-Mode "
              "instead", False)]),
    ("mirror host in another locale: the host error, no locale warning on top",
     source("https://bybit.nl/nl-NL/help-center/article/Borrowing-repayment"),
     [("url", "bybit.nl is a mirror of Bybit's site; cite "
              "https://www.bybit.com/en/help-center/article/Borrowing-repayment instead", False)]),
    ("mirror host that is no article",
     source("https://www.bytick.com/en/announcement"),
     [("url", "www.bytick.com is a mirror of Bybit's site; cite the same page on www.bybit.com", False)]),
    ("not the publisher's canonical host",
     source("https://www.bybitcom.net/en/help-center/article/Insurance-Fund"),
     [("url", "www.bybitcom.net is not where Bybit publishes its pages (bybit.com, bybit-exchange.github.io); "
              "cite the page on www.bybit.com", False)]),
    ("Bybit's own older help centre holds",
     source("https://help.bybit.com/hc/en-us/articles/900000031623-What-is-Auto-Deleveraging-ADL-"), []),
    ("a Kraken page off Kraken's domains",
     source("https://kraken.zendesk.com/hc/en-us/articles/360022835671", publisher="Kraken"),
     [("url", "kraken.zendesk.com is not where Kraken publishes its pages (kraken.com); cite the page on "
              "support.kraken.com", False)]),
    ("search-results page on a mirror, in another locale",
     source("https://www.bybit.global/fil-PH/help-center/search-result?page=46&pageSize=10&query=trade"),
     [("url", "www.bybit.global is a mirror of Bybit's site; cite the same page on www.bybit.com", False),
      ("url", "this is a search-results page, which changes over time; open the article the listing points "
              "to and cite its own address", False)]),
    ("search query on the canonical host",
     source("https://www.binance.com/en/support/search?q=liquidation", publisher="Binance"),
     [("url", "this is a search-results page, which changes over time; open the article the listing points "
              "to and cite its own address", False)]),
    ("?query= on any site",
     source("https://www.example.com/help?query=insurance", publisher="Example"),
     [("url", "this is a search-results page, which changes over time; open the article the listing points "
              "to and cite its own address", False)]),
    ("a .mdx file on GitHub, with the rendered page",
     source("https://github.com/bybit-exchange/docs/blob/main/docs/v5/account/unified-trans-amnt.mdx",
            publisher="Bybit API documentation"),
     [("url", "this is a source file on a code host, not a published page; cite "
              "https://bybit-exchange.github.io/docs/v5/account/unified-trans-amnt instead (or add kind: code "
              "to the source when you mean the code itself)", False)]),
    ("raw.githubusercontent.com",
     source("https://raw.githubusercontent.com/org/repo/main/README.md", publisher="Org"),
     [("url", "this is a source file on a code host, not a published page; cite the rendered documentation "
              "page (or add kind: code to the source when you mean the code itself)", False)]),
    ("a .md file on GitHub outside /blob/",
     source("https://github.com/org/repo/README.md", publisher="Org"),
     [("url", "this is a source file on a code host, not a published page; cite the rendered documentation "
              "page (or add kind: code to the source when you mean the code itself)", False)]),
    ("a code file marked kind: code holds",
     source("https://github.com/org/repo/blob/main/engine.py", publisher="Org", kind="code"), []),
    ("a GitHub repository page holds",
     source("https://github.com/bybit-exchange/docs", publisher="Bybit"), []),
    ("bare home page",
     source("https://www.kdj.com/", publisher="kdj.com", third_party=True),
     [("url", "this is the site's home page, not the page that says it; cite the address of the article "
              "itself", False)]),
    ("home page without a slash",
     source("https://www.kdj.com", publisher="kdj.com"),
     [("url", "this is the site's home page, not the page that says it; cite the address of the article "
              "itself", False)]),
    ("the kdj article holds",
     source("https://www.kdj.com/Cryptocurrency-Encyclopedia/Contract/negative-balance-bybit-futures.html",
            publisher="kdj.com", third_party=True), []),
    ("accessed in the future",
     source("https://www.bybit.com/en/help-center/article/Insurance-Fund", accessed="2026-11-30"),
     [("accessed", "accessed 2026-11-30 is after today (2026-11-29); write the date you read the page", False)]),
    ("accessed today holds",
     source("https://www.bybit.com/en/help-center/article/Insurance-Fund", accessed="2026-11-29"), []),
    ("non-English locale: a warning with the English address",
     source("https://www.binance.com/es-MX/support/faq/how-to-calculate-liquidation-price-ceccfcfb",
            publisher="Binance"),
     [("url", "the address is in the es-MX locale; Binance publishes this page in English: cite "
              "https://www.binance.com/en/support/faq/how-to-calculate-liquidation-price-ceccfcfb "
              "(check that it opens)", True)]),
    ("zh-CN locale on Bybit's own host",
     source("https://www.bybit.com/zh-CN/help-center/article/Insurance-Fund"),
     [("url", "the address is in the zh-CN locale; Bybit publishes this page in English: cite "
              "https://www.bybit.com/en/help-center/article/Insurance-Fund (check that it opens)", True)]),
    ("ar-SA as the last segment",
     source("https://www.bybit.com/ar-SA", publisher="Bybit"),
     [("url", "the address is in the ar-SA locale; Bybit publishes this page in English: cite "
              "https://www.bybit.com/en (check that it opens)", True)]),
    ("en-US is English",
     source("https://support.kraken.com/hc/en-us/articles/360022835671-Equity-Protection-Process",
            publisher="Kraken"), []),
    ("an address that cannot be read",
     source("https://[www.bybit.com/en/help-center/article/Insurance-Fund"),
     [("url", "the address cannot be read (Invalid IPv6 URL); copy it again from the browser's address bar",
       False)]),
    ("locale of a publisher we know nothing about: no warning",
     source("https://www.example.com/ro-RO/articol", publisher="Example"), []),
]


@pytest.mark.parametrize("name, given, expected", CASES, ids=[case[0] for case in CASES])
def test_citation_messages(name, given, expected):
    found = [(f.field, f.message, f.warning) for f in url_findings(given, TODAY)]
    assert found == expected


def test_problems_name_file_line_and_field(project, good_text):
    bad = good_text.replace("url: https://www.example.com/article", "url: https://www.example.com/", 1) \
                   .replace('accessed: "2026-01-10"\n  - title: A third', 'accessed: "2999-01-10"\n  - title: A third')
    (project.entries / "good-entry.yaml").write_text(bad)
    content, problems = check(project)
    assert [(p.line, p.path) for p in problems if p.file == F] == [(33, "$.sources[0].accessed"),
                                                                   (35, "$.sources[1].url")]
    assert [str(p) for p in check_citations(content, today=TODAY, venues=[]) if p.file == F] == [
        f"{F}:33: $.sources[0].accessed: accessed 2999-01-10 is after today (2026-11-29); write the date you "
        "read the page",
        f"{F}:35: $.sources[1].url: this is the site's home page, not the page that says it; cite the address "
        "of the article itself",
    ]


def test_claim_and_rule_sources_are_checked(project, good_text):
    claims = ("claims:\n"
              "  - claim: The article says the balance stays negative.\n"
              "    source: {title: An article, url: 'https://www.kdj.com/', publisher: kdj.com,\n"
              "             accessed: '2026-01-10', third_party: true}\n"
              "    verdict: contradicted\n"
              "    official:\n"
              "      - {title: ADL, url: 'https://testnet.bybit.com/en/help-center/article/Auto-Deleveraging-ADL',\n"
              "         publisher: Bybit, accessed: '2026-01-10'}\n")
    (project.entries / "good-entry.yaml").write_text(good_text.split("claims:")[0] + claims)
    content, _ = check(project)
    lines = [str(p) for p in check_citations(content, today=TODAY, venues=[]) if p.file == F]
    assert lines == [
        f"{F}:43: $.claims[0].source.url: this is the site's home page, not the page that says it; cite the "
        "address of the article itself",
        f"{F}:47: $.claims[0].official[0].url: testnet.bybit.com is a testnet host, not the published page; cite "
        "https://www.bybit.com/en/help-center/article/Auto-Deleveraging-ADL instead",
    ]
    real = project.entries / "where-is-my-liquidation-price.yaml"
    text = real.read_text()
    rules_at = text.index("\nrules:")
    anchor = "url: https://www.bybit.com/en/help-center/article/Liquidation-Price-USDT-Contract"
    at = text.index(anchor, rules_at)
    line = text.count("\n", 0, at) + 1
    real.write_text(text[:at] + "url: https://www.bybit.com/" + text[at + len(anchor):])
    content, _ = check(project)
    found = [(p.file, p.line, p.path) for p in check_citations(content, today=TODAY, venues=[]) if p.file != F]
    assert found == [("content/entries/where-is-my-liquidation-price.yaml", line, "$.rules[0].sources[0].url")]


def test_an_alias_is_reported_once_at_its_anchor(project, good_text):
    text = good_text.replace("  - title: A third-party article", "  - &kdj\n    title: A third-party article") \
                    .replace("url: https://www.example.com/article", "url: https://www.example.com/", 1)
    text = text.split("claims:")[0] + "claims:\n  - claim: The article says something checkable.\n    source: *kdj\n" \
            "    verdict: not-found\n    official:\n      - {title: Insurance Fund, url: " \
            "'https://www.bybit.com/en/help-center/article/Insurance-Fund', publisher: Bybit, accessed: '2026-01-10'}\n"
    (project.entries / "good-entry.yaml").write_text(text)
    _, problems = check(project)
    assert [str(p) for p in problems if p.file == F] == [
        f"{F}:36: $.sources[1].url: this is the site's home page, not the page that says it; cite the address "
        "of the article itself"]


def test_warnings_are_printed_and_do_not_fail(project, good_text, cli):
    text = good_text.replace("https://www.bybit.com/en/help-center/article/Insurance-Fund",
                             "https://www.bybit.com/ro-RO/help-center/article/Insurance-Fund", 1)
    (project.entries / "good-entry.yaml").write_text(text)
    code, _, err = cli("--root", project.root, "validate")
    assert code == 0, err
    assert (f"{F}:31: $.sources[0].url: warning: the address is in the ro-RO locale; Bybit publishes this page "
            "in English: cite https://www.bybit.com/en/help-center/article/Insurance-Fund (check that it opens)") in err
    content, problems = check(project)
    assert problems == []
    assert [p.path for p in content.warnings if p.file == F] == ["$.sources[0].url"]
    assert citation_warnings(content, today=TODAY, venues=[])[0].message.startswith("warning: the address is in")


def test_venue_profile_sources_are_checked(project, tmp_path):
    venue = tmp_path / "calculators" / "model" / "venues" / "demo.yaml"
    venue.parent.mkdir(parents=True)
    venue.write_text("id: demo\n"
                     "sources:\n"
                     "  adl:\n"
                     "    title: ADL\n"
                     "    url: https://testnet.bybit.com/en/help-center/article/Auto-Deleveraging-ADL\n"
                     "    publisher: Bybit\n"
                     "    accessed: \"2026-12-01\"\n")
    content, _ = check(project)
    found = [(p.line, p.path, p.message) for p in check_citations(content, today=TODAY, venues=[venue])
             if p.file.endswith("demo.yaml")]
    assert found == [
        (7, "$.sources.adl.accessed", "accessed 2026-12-01 is after today (2026-11-29); write the date you read "
                                      "the page"),
        (5, "$.sources.adl.url", "testnet.bybit.com is a testnet host, not the published page; cite "
                                 "https://www.bybit.com/en/help-center/article/Auto-Deleveraging-ADL instead"),
    ]


def test_prepare_logs_warnings(project, good_text, tmp_path):
    text = good_text.replace("https://www.bybit.com/en/help-center/article/Insurance-Fund",
                             "https://www.bybit.com/zh-CN/help-center/article/Insurance-Fund", 1)
    (project.entries / "good-entry.yaml").write_text(text)
    messages = []
    files = prepare(project, tmp_path / "docs", assets=False, log=messages.append)
    assert "entries/good-entry.md" in files
    assert messages == [f"{F}:31: $.sources[0].url: warning: the address is in the zh-CN locale; Bybit publishes "
                        "this page in English: cite https://www.bybit.com/en/help-center/article/Insurance-Fund "
                        "(check that it opens)"]


def test_repeated_sources_get_the_findings_of_each(tmp_path):
    """Sources with the same fields share one look (citecheck._findings): every source still gets exactly
    url_findings' findings, at its own document and path, non-text fields looked at one by one."""
    from scripts.pipeline.citecheck import _findings
    from scripts.pipeline.load import Document

    home = source("https://www.example.com/", publisher="Example")
    testnet = source("https://testnet.bybit.com/en/help-center/article/Auto-Deleveraging-ADL")
    odd = [source("https://www.bybit.com/", publisher=value) for value in (1, True, 1.0, -0.0, 0.0, None)]
    sources = [home, dict(home), testnet, dict(testnet), source("https://www.bybit.com/en/x", accessed="2999-01-01"),
               source("https://www.bybit.com/en/x", accessed="2999-01-01")] + odd + [dict(item) for item in odd]
    docs = [Document(f"content/entries/e{n}.yaml", {}) for n in range(3)]
    # (each document its own copies: one source object met twice is an alias, reported once)
    given = [(doc, [(("sources", index), dict(item)) for index, item in enumerate(sources)]) for doc in docs]
    expected = [(finding.warning, doc.problem(("sources", index, finding.field), finding.message))
                for doc, _ in given for index, item in enumerate(sources) for finding in url_findings(item, TODAY)]
    assert _findings(given, TODAY) == expected
    assert len(expected) > 3 * 6
