"""The shortcuts that make every page's text faster give exactly what the plain code gives (issue 14).

Each is compared with the code it stands for, on texts drawn by Hypothesis from alphabets rich in the
characters that matter to it: the glossary block (one search of the body without backslashes, the
automaton's indexes) with ``in`` for each spelling over the visible text, and the JSON flow values
without the escaping pass with the pass.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.pipeline import glossary, render, twin

TERMS = [
    {"id": "mark-price", "term": "Mark price", "definition": "A fair price."},
    {"id": "adl", "term": "Auto-deleveraging (ADL)", "definition": "Closing winners."},
    {"id": "note", "term": "Note taker", "aliases": ["Note", "Question", "ße 😀"], "definition": "Writes."},
    {"id": "margin", "term": "Margin", "aliases": ["margin call"], "definition": "Money held."},
]
PIECES = ["mark", "Mark", " price", "prices", "ADL", "AD", "auto-deleveraging", "Note", "note taker", "margin",
          "mar\\gin", "\\", "\\\\", " call", "ße", "😀", "\n", " ", "\t", "!!! note", "??? question", "???+ note",
          "!!!!", "---\n", "...\n", "title: a\n", "é", "\ud800"]
TEXT = st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=30).map("".join)


def reference_block(terms: glossary.Abbreviations, text: str) -> str:
    """The block as written first: every line whose spelling ``in`` the visible text finds."""
    visible = glossary.visible_text(text)
    lines = [line for form, line in terms._lines if form in visible]
    return ("\n\n" + "\n\n".join(lines) + "\n") if lines else ""


@settings(max_examples=1500, deadline=None)
@given(TEXT)
def test_the_glossary_block_is_the_one_of_a_search_for_each_spelling(text):
    terms = glossary.Abbreviations(TERMS)
    assert terms.block(text) == reference_block(terms, text)
    assert terms.apply(text) == glossary.abbreviate(text, reference_block(terms, text))


def test_a_body_with_backslashes_gets_the_spellings_they_split():
    terms = glossary.Abbreviations(TERMS)
    assert "*[margin]:" in terms.block("A mar\\gin call")
    assert "*[margin call]:" in terms.block("A mar\\gin call")
    assert terms.block("No term here \\ at all") == ""


def test_spellings_of_a_lone_surrogate_are_searched_one_by_one():
    terms = glossary.Abbreviations([], {"x\ud800": "Odd.", "margin": "Money held."})
    assert terms.found("a x\ud800 margin") == {"x\ud800", "margin"}
    assert terms.found("margin") == {"margin"}


JSON_PIECES = ["a", "é", "\x7f", "\x85", "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff", "\ud800", "\"", "\\",
               "\n", "😀", " "]
JSON_TEXT = st.lists(st.sampled_from(JSON_PIECES) | st.text(max_size=2), max_size=8).map("".join)
JSON_VALUE = st.recursive(JSON_TEXT, lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(JSON_TEXT, inner, max_size=3), max_leaves=8)


@settings(max_examples=1500, deadline=None)
@given(JSON_VALUE)
def test_flow_values_are_escaped_as_the_full_pass_escapes_them(value):
    text = render._JSON.encode(value)
    assert render._flow(value) == render._YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


FIELD = st.lists(st.sampled_from(JSON_PIECES + ["**b**", "[l](u)", "<i>", "&amp;", "2026-11-28", "yes", "a: b", "  "])
                 | st.text(max_size=2), max_size=6).map("".join)
ENTRY = st.fixed_dictionaries(
    {"id": st.sampled_from(["a", "b"]), "title": FIELD, "summary": FIELD, "published": FIELD, "reviewed": FIELD,
     "category": FIELD},
    optional={"tags": st.lists(FIELD, max_size=3),
              "sources": st.lists(st.fixed_dictionaries({"url": FIELD}), max_size=3),
              "faq": st.lists(st.fixed_dictionaries({"question": FIELD, "answer": FIELD}), max_size=3)})


class _Site:
    """What the entry front matter reads of a site: the entry's source file."""

    def __init__(self, source):
        self.source = source

    def source_of(self, entry_id):
        return self.source


def reference_front_matter(entry: dict, site, category) -> str:
    """The entry page's front matter as written first: the meta mapping through front_matter."""
    return render.front_matter({
        "title": render.html_text(entry["title"]), "description": render.html_text(entry["summary"]),
        "tags": list(entry.get("tags", [])), "edit_source": site.source_of(entry["id"]),
        "jsonld": render.json_ld(entry), "reviewed": entry["reviewed"],
        "search_category": category["title"] if category else entry["category"]})


@settings(max_examples=1500, deadline=None)
@given(ENTRY, st.sampled_from([None, "content/entries/a.yaml", "x: y"]),
       st.sampled_from([None, {"title": "Risk"}, {"title": "2026-11-28"}]))
def test_the_entry_front_matter_is_the_one_front_matter_writes(entry, source, category):
    site = _Site(source)
    assert _outcome(render._json_ld_text, entry) == _outcome(lambda: render._JSON.encode(render.json_ld(entry)))
    assert _outcome(render._entry_front_matter, entry, site, category) == \
        _outcome(reference_front_matter, entry, site, category)


def _outcome(function, *args):
    """What ``function(*args)`` returns, or the type of what it raises (YAML refuses lone surrogates)."""
    try:
        return function(*args)
    except Exception as error:  # noqa: BLE001 - the comparison is the point
        return type(error)


def test_values_that_are_not_text_take_the_general_path():
    entry = {"id": "a", "title": "T", "summary": "S", "published": "2026-01-01", "reviewed": "2026-01-02",
             "category": "c", "tags": ["x", 5], "sources": [{"url": 7}]}
    assert render._json_ld_text(entry) is None
    assert _outcome(render._entry_front_matter, entry, _Site("f"), None) is TypeError  # json_ld's join
    entry["tags"] = ["x"]
    assert render._json_ld_text(entry) is None
    written = render._entry_front_matter(entry, _Site("f"), None)
    assert written == reference_front_matter(entry, _Site("f"), None)
    assert '"citation": [7]' not in written and "citation:\n" in written  # the dumper's block style


HTML_TEXT = st.lists(st.sampled_from(["a", "Bybit's", " ", "  ", "\t", "\n", "\x00", "\x1f", "\x7f", "\x85", "\xa0",
                                      "\u2028", "\u3000", "&", "<", ">", "\"", "'", "é", "😀", "\ud800"])
                     | st.text(max_size=2), max_size=8).map("".join)


@settings(max_examples=3000, deadline=None)
@given(HTML_TEXT)
def test_text_the_html_shortcut_keeps_is_what_html_text_gives(text):
    assert render._html_text(text) == render.html_text(text)


TWIN_VALUE = st.recursive(
    JSON_TEXT | st.booleans() | st.none() | st.integers(min_value=-(1 << 70), max_value=1 << 70)
    | st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([1e-05, 1e16, 2.5e-07, 0.1, -0.0, 1 << 64]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(JSON_TEXT, inner, max_size=3), max_leaves=10)


@settings(max_examples=3000, deadline=None)
@given(TWIN_VALUE)
def test_twins_written_by_orjson_are_what_json_writes(value):
    assert twin.twin_text(value) == twin.dumps(value)


def test_twins_orjson_cannot_write_exactly_go_to_json():
    assert not twin._orjson_exact({"a": [1.5]}) and not twin._orjson_exact({1: "a"})
    assert twin._orjson_exact({"a": [True, None, -(1 << 63), (1 << 64) - 1, "é"]})
    assert not twin._orjson_exact([1 << 64])
    assert twin.twin_text({"a": 1e-05}) == '{"a":1e-05}'
    assert twin.twin_text(["\ud800"]) == twin.dumps(["\ud800"])
    deep = "x"
    for _ in range(300):  # past orjson's nesting limit
        deep = [deep]
    assert twin.twin_text(deep) == twin.dumps(deep)


DEFINITION = st.lists(st.sampled_from(["A fair price", "[ref]", "[ref]: https://x.example/a", "\n", "\n\n", "*em*",
                                       "**b**", "<b>x</b>", "<script>x</script>", "&amp;", "`c`", "[l](u)", "    code",
                                       "> q", "- item", "# H", "é"]) | st.text(max_size=2),
                      max_size=8).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(DEFINITION, min_size=1, max_size=4))
def test_definitions_through_one_converter_are_those_of_one_converter_each(texts):
    terms = [{"id": f"t{i}", "term": f"Term{i}", "definition": text} for i, text in enumerate(texts)]
    assert glossary.definitions(terms) == {form: glossary.title(item) for item in reversed(terms)
                                           for form in glossary.forms(item)}


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(["a", "\n", "\r", " "]), max_size=6).map("".join), st.sampled_from(["", "\n\n*[a]: b\n"]))
def test_abbreviate_appends_as_it_did(text, block):
    assert glossary.abbreviate(text, block) == (text.rstrip("\n") + "\n" + block if block else text)


@settings(max_examples=1500, deadline=None)
@given(TEXT)
def test_the_block_searched_in_the_pages_bytes_is_the_one_searched_in_its_text(text):
    terms = glossary.Abbreviations(TERMS)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return
    assert terms.block_data(text, data) == reference_block(terms, text)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(["a", "\n", "\r", "\u2028", " ", "\t", "\x0b"]), max_size=8).map("".join),
       st.sampled_from([2, 4]))
def test_indent_is_what_the_line_by_line_join_gives(text, spaces):
    pad = " " * spaces
    expected = "\n".join(pad + line if line.strip() else "" for line in text.strip("\n").splitlines())
    assert render.indent(text, spaces) == expected


def test_a_twin_file_from_orjsons_bytes_is_the_one_from_its_text():
    value = {"url": "entries/a/", "id": "a", "title": "Déjà \"vu\" 😀", "tags": ["x"], "draft": None}
    data = twin._orjson_data(value)
    assert data is not None and data.decode("utf-8") == twin.dumps(value)
    assert twin._twin_file_data(data) == twin._twin_file(lambda: twin.dumps(value)).encode("utf-8")
    assert twin._orjson_data({"a": 0.1}) is None and twin._orjson_data(["\ud800"]) is None


PLAIN = st.lists(st.sampled_from(["a b", "  ", "\t", "\n", "\"", "\\", "*x*", "[l](u)", "<b>", "&", "é", "\x01", "\x7f",
                                  "`c`", "_", "~", "=", "^"]) | st.text(max_size=2), max_size=8).map("".join)


@settings(max_examples=3000, deadline=None)
@given(PLAIN)
def test_plain_text_as_json_is_what_the_string_writer_writes(text):
    assert render._plain_json(text) == render._STRING(render.plain_text(text))


def test_the_snapshot_prices_are_those_of_pyyamls_own_loader(tmp_path, monkeypatch):
    import yaml

    from scripts.pipeline import market

    snapshot = (Path(__file__).resolve().parents[2] / "content" / market.SNAPSHOT).read_text(encoding="utf-8")
    (tmp_path / "content" / market.SNAPSHOT).parent.mkdir(parents=True)
    (tmp_path / "content" / market.SNAPSHOT).write_text(snapshot, encoding="utf-8")
    monkeypatch.delenv("MARGIN_NOTES_DOCS_DIR", raising=False)
    monkeypatch.setenv("MARGIN_NOTES_ROOT", str(tmp_path))
    assert market.default_prices() == market.prices(yaml.safe_load(snapshot))
    assert market.default_prices()
