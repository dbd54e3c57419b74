"""Raw HTML, event handlers and javascript:/data: links never reach the site."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.pipeline.build import build
from scripts.pipeline.render import plain_text
from scripts.pipeline.safety import markdown_problems

CONFIG = Path(__file__).resolve().parents[2] / "mkdocs.yml"
RAW = "raw HTML <{}> is not allowed; write Markdown instead"
LINK = "link to a {}: address is not allowed; use https:// or a relative link"
ATTR_LIST = "attribute lists ({ ... } after a paragraph, heading or link) are not allowed; remove the braces"
REFERENCE = ("link reference definitions ([a]: address) are not allowed; "
             "write the link inline as [text](address)")

PAYLOADS = [
    ("<script>alert(1)</script>", [RAW.format("script")]),
    ("Text <script src=https://evil.example/x.js></script>", [RAW.format("script")]),
    ("<img src=x onerror=alert(1)>", [RAW.format("img"), "event-handler attribute 'onerror' is not allowed"]),
    ("<svg onload=alert(1)>", [RAW.format("svg"), "event-handler attribute 'onload' is not allowed"]),
    ('A paragraph.\n{: onclick="alert(1)" }', ["event-handler attribute 'onclick' is not allowed", ATTR_LIST]),
    ('A paragraph.\n{: style="position:fixed" }', ["attribute 'style' is not allowed", ATTR_LIST]),
    ("A paragraph.\n{: .md-button }", [ATTR_LIST]),
    ("[click](javascript:alert(1))", [LINK.format("javascript")]),
    ("[click](JaVaScRiPt:alert(1))", [LINK.format("javascript")]),
    ("[click](java&#115;cript:alert(1))", [LINK.format("javascript")]),
    ("[click](<javascript:alert(1)>)", [LINK.format("javascript")]),
    ("[x][a]\n\n[a]: javascript:alert(1)", [LINK.format("javascript"), REFERENCE]),
    ("[a]: https://example.com/", [REFERENCE]),
    ('<a href="javascript:alert(1)">x</a>', [RAW.format("a"), LINK.format("javascript")]),
    ('<a href="https://example.com/">x</a>', [RAW.format("a")]),
    ("[click](data:text/html;base64,PHNjcmlwdD4=)", [LINK.format("data")]),
    ("[click](vbscript:msgbox(1))", [LINK.format("vbscript")]),
    ('<iframe src="https://example.com"></iframe>', [RAW.format("iframe")]),
    ("x <style>p{}</style>", [RAW.format("style")]),
    ("<!-- hidden -->", ["HTML comments (<!-- -->) are not allowed"]),
    ("<![CDATA[<script>alert(1)</script>]]>", ["CDATA sections and other <![...]> markup are not allowed"]),
]

SAFE = [
    "Plain text with a [link](https://www.bybit.com/) and [mail](mailto:team@example.com).",
    "Code is fine: `<script>alert(1)</script>` stays text.",
    "Escaped &lt;script&gt; and a relative [link](../glossary.md#margin).",
    "A list:\n\n- one\n- two\n\n> a quote",
]


@pytest.mark.parametrize("text, expected", PAYLOADS, ids=[p[0][:30] for p in PAYLOADS])
def test_unsafe_markdown_is_rejected(text, expected):
    assert markdown_problems(text) == expected


@pytest.mark.parametrize("text", SAFE)
def test_safe_markdown_passes(text):
    assert markdown_problems(text) == []


@pytest.mark.parametrize("field, old", [
    ("sections[1].body", "    body: Another paragraph."),
    ("faq[0].answer", "    answer: Yes. It is the first one."),
    ("key_takeaways[0]", "  - The first takeaway line."),
])
def test_payload_in_any_field_stops_the_build(tmp_path, make_project, good_text, cli, field, old):
    prefix = old.split(":")[0] + ": " if ":" in old else "  - "
    for payload, expected in [("'<img src=x onerror=alert(1)>'", "onerror"),
                              ("'[x](javascript:alert(1))'", "javascript:"),
                              ("'[x](data:text/html,hi)'", "data:")]:
        layout = make_project(tmp_path / f"p{abs(hash(payload))}", {"good-entry.yaml": good_text.replace(old, prefix + payload)})
        site = layout.root / "site"
        messages = []
        assert build(layout, site, CONFIG, layout.root / "docs", log=messages.append) == 1
        assert not site.exists()
        first = messages[0].splitlines()[0]
        assert first.startswith("content/entries/good-entry.yaml:") and f"$.{field}:" in first and expected in first


def test_title_with_markup_is_rejected_by_the_schema(project, good_text, cli):
    (project.entries / "good-entry.yaml").write_text(
        good_text.replace("title: What is a good entry?", "title: What is <script>alert(1)</script>?"))
    code, _, err = cli("--root", project.root, "validate")
    assert code == 1
    assert err.splitlines()[0].startswith("content/entries/good-entry.yaml:2: $.title: 'What is <script>")


def test_json_ld_answer_text_is_cleaned_by_nh3():
    assert plain_text("Yes. <script>alert(1)</script> See [the fund](https://x.example/f).") == \
        "Yes. See the fund."
    assert plain_text("**Bold** and `code` & more") == "Bold and code &amp; more"
