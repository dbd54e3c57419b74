"""The cold path's shortcuts give exactly what the plain code they replace gives (issue 14).

Each shortcut is compared with the reference it stands for, on texts drawn by Hypothesis from
alphabets rich in the characters that matter to it: the glossary's one-pass search with ``in`` for
each spelling, the visible text with the lazy front-matter match and the multi-line search, front
matter written without the YAML dumper with the dumper, the facts of a document told from its file's
bytes with the walk over every string, the possessive safety screen with the plain one, and the
escaping shortcuts with the full escapes (and nh3).
"""

from __future__ import annotations

import re
from urllib.parse import quote

import nh3
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import yaml

from scripts.pipeline import escape, facts, glossary, render, safety
from scripts.pipeline.content import iter_strings
from scripts.pipeline.load import load_bytes

TERMS = [
    {"id": "mark-price", "term": "Mark price", "definition": "A fair price."},
    {"id": "adl", "term": "Auto-deleveraging (ADL)", "definition": "Closing winners."},
    {"id": "pnl", "term": "Profit and loss (P&L)", "definition": "What a trade made."},
    {"id": "note", "term": "Note taker", "aliases": ["Note", "Question", "ße 😀"], "definition": "Writes."},
    {"id": "margin", "term": "Margin", "aliases": ["margin call"], "definition": "Money held."},
]
PIECES = ["mark", "Mark", " price", "prices", "ADL", "AD", "auto-deleveraging", "P&L", "Note", "note taker",
          "s", "margin", " call", "ße", "😀", "\n", " ", "\\", "é", "\ud800"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=30).map("".join))
def test_the_glossary_finds_each_spelling_that_the_text_contains(text):
    terms = glossary.Abbreviations(TERMS)
    forms = [form for form, _ in terms._lines]
    assert len(forms) > 10
    assert terms.found(text) == {form for form in forms if form in text}


def test_a_glossary_without_terms_finds_nothing():
    assert glossary.Abbreviations([]).found("Mark price") == set()
    assert glossary.Abbreviations([]).block("Mark price") == ""


def reference_visible_text(markdown_text: str) -> str:
    """visible_text as it was written first: one lazy front-matter match and one multi-line search."""
    front = glossary._FRONT_MATTER.match(markdown_text)
    body = markdown_text[front.end():] if front else markdown_text
    extra = [body.replace("\\", "")] if "\\" in body else []
    if "!!!" in body or "???" in body:
        extra.append(" ".join(kind.capitalize() for kind in glossary._UNTITLED.findall(body)))
    return "\n".join([body, *extra]) if extra else body


LINES = ["---", "...", "--- ", "...\t", "----", "title: a", "", " ", "!!! note", "??? tip-x", "???+ question",
         "  !!! warning \"T\"", "!!!!note", "? ??? x", "a \\ b", "é", "x !!! y"]
LINE = st.lists(st.sampled_from(LINES) | st.text(max_size=3), max_size=3).map("".join)


@settings(max_examples=1000, deadline=None)
@given(st.lists(LINE, max_size=12).map("\n".join), st.booleans())
def test_the_visible_text_is_the_one_of_the_plain_searches(text, newline):
    text += "\n" if newline else ""
    assert glossary.visible_text(text) == reference_visible_text(text)


YAML_PIECES = ["2026-11-28", "yes", "No", "null", "~", "1", "0x1F", "1e3", "1_000", ".inf", "12:30", "<<", "=",
               "a", "Z", " ", "  ", ":", ": ", "#", " #", "'", '"', "-", "- ", "?", "!", "&", "*", "%", "@", "`",
               ",", "[", "]", "{", "}", "|", ">", "\\", "\t", "\n", "é", "’", "\u00a0", "\u2028", "\ufeff", "😀",
               "\x85", "&#x27;", "Title"]
YAML_TEXT = st.lists(st.sampled_from(YAML_PIECES) | st.text(max_size=2), min_size=1, max_size=12).map("".join)


@settings(max_examples=1500, deadline=None)
@given(st.dictionaries(YAML_TEXT | st.sampled_from(["title", "description", "edit_source"]),
                       YAML_TEXT, min_size=1, max_size=4))
def test_plain_front_matter_is_what_the_yaml_dumper_writes(meta):
    dumped = yaml.dump(meta, Dumper=render._Dumper, allow_unicode=True, sort_keys=False, width=10_000)
    assert render._plain_block(meta) == dumped


def test_the_front_matter_shortcut_writes_most_plain_text_itself():
    for text in ("Where is my liquidation price?", "it&#x27;s 5% (or 6%) of P&amp;L", "Déjà vu", "a  b"):
        assert render._scalar(text) == text
    for text in ("2026-11-28", "yes", "a: b", "x #y", "- item", "[link]", " lead", "trail ", "---"):
        assert render._scalar(text) == "'" + text + "'"
    for text in ("", "line\nbreak", "tab\there", "nel\x85", "bom\ufeff", "bell\x07"):
        assert render._scalar(text) is None


@settings(max_examples=3000, deadline=None)
@given(YAML_TEXT)
def test_each_text_the_shortcut_writes_is_written_as_the_dumper_writes_it(text):
    written = render._scalar(text)
    if written is not None:
        assert f"title: {written}\n" == yaml.dump({"title": text}, Dumper=render._Dumper, allow_unicode=True,
                                                 sort_keys=False, width=10_000)
        assert f"{written}: x\n" == yaml.dump({text: "x"}, Dumper=render._Dumper, allow_unicode=True,
                                             sort_keys=False, width=10_000)


def reference_facts(doc, kind: str) -> dict:
    """The facts of a document from the walk over every string (as facts._walk did first)."""
    return facts.full_walk(doc, kind)


FACT_PIECES = ["todo", "TODO", "ToDo", "to", "do", "https://example.com", "EXAMPLE.COM", "calculator", "calcul",
               "ator", "[a](b)", "<b>", "&amp;", "{x}", "ſ", "İ", "K", "µ", "\\x74odo", "\\u0074odo", "\\\\", "'", "''",
               "\\n", " ", "é", "x"]
FACT_TEXT = st.lists(st.sampled_from(FACT_PIECES) | st.text(max_size=2), max_size=8).map("".join)
FACT_DATA = st.fixed_dictionaries({}, optional={
    "summary": FACT_TEXT, "title": FACT_TEXT, "key_takeaways": st.lists(FACT_TEXT, max_size=3),
    "sections": st.lists(st.fixed_dictionaries({"heading": FACT_TEXT, "body": FACT_TEXT}), max_size=2),
    "faq": st.lists(st.dictionaries(st.sampled_from(["question", "answer", "rules"]), FACT_TEXT), max_size=2),
    "claims": st.dictionaries(st.sampled_from(["claim", "note", "x"]), FACT_TEXT | st.lists(FACT_TEXT, max_size=2)),
    "home_intro": FACT_TEXT, "tags": st.lists(FACT_TEXT | st.integers(), max_size=2)})
STYLES = ["plain", "single", "double", "literal", "flow"]


def _yaml_text(data: dict, style: str) -> str:
    """``data`` written as YAML with strings in one style (double quotes escape with backslashes)."""
    if style == "flow":
        return yaml.safe_dump(data, allow_unicode=True, default_flow_style=True, width=20)
    styles = {"plain": None, "single": "'", "double": '"', "literal": "|"}
    return yaml.safe_dump(data, allow_unicode=True, default_style=styles[style], width=20)


@settings(max_examples=1500, deadline=None)
@given(FACT_DATA | st.lists(st.dictionaries(st.sampled_from(["term", "definition"]), FACT_TEXT), max_size=3),
       st.sampled_from(STYLES), st.sampled_from(["entry", "glossary", "site"]))
def test_facts_from_the_files_bytes_are_those_of_the_walk_over_every_string(data, style, kind):
    text = _yaml_text(data, style)
    doc, problems = load_bytes(text.encode("utf-8"), "x.yaml", lazy_lines=True)
    assume(problems == [])  # (the data need not come back as it was: a NEL, say, reads as a line break)
    assert facts._walk(doc, kind) == reference_facts(doc, kind)


@pytest.mark.parametrize("text", [
    'summary: "\\x74odo [a](b)"\n', 'summary: "calcu\\\n  lator"\n', "title: \"https://\\u0065xample.com\"\n",
    "summary: |\n  TODO <b>\n", "summary: >\n  a\n  todo\n", "faq:\n- answer: 'it''s [x](y)'\n  question: calculator\n",
    "key_takeaways: [a, '[b](c)']\n", "sections:\n- body: to\n    do\n", "summary: x\ntags: [todo]\n"])
def test_facts_of_escaped_and_folded_strings(text):
    doc, problems = load_bytes(text.encode("utf-8"), "x.yaml", lazy_lines=True)
    assert problems == []
    assert facts._walk(doc, "entry") == reference_facts(doc, "entry")


NESTED = st.recursive(st.sampled_from(["t", "u", 1, None]),
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "c"]), inner,
                                                                                   max_size=3), max_leaves=12)
PATTERN = st.lists(st.sampled_from(["a", "b", safety.ANY]) | st.integers(0, 2), max_size=3).map(tuple)


@settings(max_examples=1000, deadline=None)
@given(NESTED, st.lists(PATTERN, max_size=4))
def test_the_pruned_walk_finds_the_strings_the_patterns_name(data, patterns):
    def named(path):
        return any(len(p) == len(path) and all(a is safety.ANY or a == b for a, b in zip(p, path)) for p in patterns)
    assert facts.field_strings(data, patterns) == [(path, text) for path, text in iter_strings(data) if named(path)]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["a", "Z", "0", " ", ".", ",", "\n", "[", "]", "(", ")", "#", "/", "-", ":", "[a b](c/d.md#e)",
                                 "[x](", "](y)", "!"]), max_size=20).map("".join))
def test_the_possessive_screen_matches_what_the_plain_screen_matches(text):
    plain = re.compile(rf"(?:[A-Za-z0-9.,\n ]|{safety._SCREEN_LINK})*")
    assert bool(safety._SCREEN.fullmatch(text)) == bool(plain.fullmatch(text))


ESCAPE_PIECES = ["a", "Z", "0", " ", "  ", ".", ",", ";", ":", "?", "!", "'", "(", ")", "/", "%", "+", "@", "$", "-",
                 "_", "*", "`", "[", "]", "{", "}", "#", "|", "~", "^", "=", "<", ">", "&", '"', "\\", "\t", "\n",
                 "\x00", "\x7f", "é", "\u00a0", "\u2028", "javascript:", "https://", "&amp;", "<b>", "**", "~~"]
ESCAPE_TEXT = st.lists(st.sampled_from(ESCAPE_PIECES) | st.text(max_size=2), max_size=12).map("".join)


NEAR_PLAIN = st.lists(st.text(alphabet="ab0.,;:?!'()/%+@$-_*`[]{}#|~^=<>&\"\\\t\n ", min_size=1, max_size=3),
                      max_size=4).map(" ".join)


@settings(max_examples=3000, deadline=None)
@given(ESCAPE_TEXT | NEAR_PLAIN)
def test_the_escaping_shortcuts_give_what_the_full_escapes_give(text):
    assert escape.md_text(text) == escape._SPACES.sub(" ", escape._C0.sub("\ufffd", text)).strip().translate(
        escape._MD_TABLE)
    if not escape.unsafe_scheme(text):
        assert escape.md_url(text) == quote(text, safe="/:?#&=%.,;@+~!$*-_")
    stripped = render._MD_MARKS.sub("", render._MD_LINK.sub(r"\1", text))
    assert render.plain_text(text) == " ".join(nh3.clean(stripped, tags=set()).split())


def test_the_escaping_shortcuts_take_common_text():
    assert escape._MD_PLAIN.fullmatch("Where is my liquidation price? (USDT-margined, 5%)")
    assert escape._URL_PLAIN.fullmatch("../glossary.md#mark-price")
    assert render._HTML_TEXT.fullmatch("A plain answer, with 'quotes' and \"double\" ones.\nSecond line.")


def test_the_mkdocs_hook_reads_the_names_the_pipeline_sets():
    from scripts import mkdocs_hook
    from scripts.pipeline import build

    assert (mkdocs_hook.PREPARED_ENV, mkdocs_hook.ROOT_ENV) == (build.PREPARED_ENV, build.ROOT_ENV)
