"""The YAML loader: data, the line of every value, and problems instead of exceptions."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.pipeline.load import ParsedDocument, load_bytes, load_file, load_text

TEXT = """\
id: x
faq:
  - question: First?
    answer: One.
  - question: Second?
    answer: |
      Line one
      line two.
published: 2026-01-10
numbers: [1, 2.5, true, null]
"""


def test_data_and_lines():
    doc, problems = load_text(TEXT, "f.yaml")
    assert problems == []
    assert doc.data["faq"][1]["answer"] == "Line one\nline two.\n"
    assert doc.data["published"] == "2026-01-10"  # dates stay text for the schema
    assert doc.data["numbers"] == [1, 2.5, True, None]
    assert doc.line(()) == 1
    assert doc.line(("faq",)) == 2
    assert doc.line(("faq", 1)) == 5
    assert doc.line(("faq", 1, "answer")) == 6
    assert doc.text_line(("faq", 1, "answer")) == 7
    assert doc.line(("faq", 1, "answer", "deeper", 3)) == 6  # nearest known ancestor
    assert doc.line(("numbers", 3)) == 10


def test_problem_formatting():
    doc, _ = load_text(TEXT, "f.yaml")
    assert str(doc.problem(("faq", 0, "answer"), "too short")) == "f.yaml:4: $.faq[0].answer: too short"
    assert str(doc.problem(("odd key",), "m")) == "f.yaml:1: $['odd key']: m"


def test_broken_yaml_reports_its_line():
    _, problems = load_text("id: x\ntitle: [unclosed\nsummary: y\n", "f.yaml")
    assert [str(p) for p in problems] == ["f.yaml:2: $: invalid YAML: the list in brackets [ ... ] that starts on this line is not closed; "
                                           "add the closing ]"]


def test_duplicate_keys_are_problems():
    doc, problems = load_text("id: a\ntitle: t\nid: b\n", "f.yaml")
    assert [str(p) for p in problems] == ["f.yaml:3: $.id: key 'id' appears twice (first on line 1); keep one"]
    assert doc.data["id"] == "a"


def test_unusual_yaml_is_reported_not_raised():
    cases = {
        "a: !!python/object:os.system echo\n": "f.yaml:1: $.a: unsupported YAML tag '!!python/object:os.system'; remove it and write plain values",
        "a: 1\n---\nb: 2\n": "f.yaml:2: $: invalid YAML: expected a single document in the stream, but found another document",
        "a: b\x07\n": "f.yaml:1: $: invalid YAML: character '\\x07' is not allowed",
        "": "f.yaml:1: $: the file is empty",
        "? [a, b]\n: c\n": "f.yaml:1: $: keys must be plain words",
        "a: &x [1]\nb: *x\n<<: {c: 1}\n": "f.yaml:3: $: keys must be plain words",
    }
    for text, expected in cases.items():
        _, problems = load_text(text, "f.yaml")
        assert [str(p) for p in problems] == [expected], text


def test_deep_nesting_and_aliases_do_not_explode():
    _, problems = load_text("a: " + "[" * 5000 + "]" * 5000 + "\n", "f.yaml")
    assert len(problems) == 1 and problems[0].path == "$"
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
    started = time.perf_counter()
    doc, problems = load_text(laughs, "f.yaml")
    assert time.perf_counter() - started < 1
    assert [str(p) for p in problems] == [
        "f.yaml:6: $: this file's aliases (*name) expand to more than 100,000 values; "
        "write the values out instead of repeating aliases"]
    doc, problems = load_text("a: &a [x, y]\nb: [*a, *a]\n", "f.yaml")  # a few aliases are fine
    assert problems == [] and doc.data["b"][0] is doc.data["a"]  # shared, not copied


def test_non_utf8_file(tmp_path: Path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"title: caf\xe9\n")
    _, problems = load_file(path, tmp_path)
    assert [str(p) for p in problems] == ["x.yaml:1: $: the file is not UTF-8 text (byte 0xe9 cannot be read); save it as UTF-8"]


def test_lines_count_like_an_editor_despite_unusual_line_breaks():
    text = "a: 'x\u2028y'\nb: [1\nc: 2\n"
    _, problems = load_text(text, "f.yaml")
    assert [p.line for p in problems] == [2]  # where the unclosed bracket opens
    doc, problems = load_text("a: 'x\u2028y'\nb: 1\nc: [1, 2]\n", "f.yaml")
    assert problems == [] and doc.line(("c",)) == 3 and doc.line(("c", 1)) == 3


_LAZY_CASES = [TEXT, TEXT + "id: twice\n", TEXT + "tagged: !!python/name:os.system x\n", TEXT + "big: 1e999999\n",
               TEXT + "n: 0x1F\nb: yes\nt: ~\nkey: &a [1]\n", "a: {b: [c, {d: |\n  e\n  }]}\n",
               "1: one\ntrue: t\n", "<<: {a: 1}\n", "? [a]\n: b\n", "x: !!seq []\n", "just text\n",
               "[" * 40 + "]" * 40 + "\n", "[" * 41 + "]" * 41 + "\n", "a: " + "[" * 39 + "x" + "]" * 39 + "\n",
               "a: &x [1, b]\nc: *x\nbold: '**not an alias**'\n", "a: &x [*x]\n", "s: &s text\nt: *s\n",
               "bold: '**strong** words'\nlist: [a, b]\n",
               "a: *x\nb: '*'\n", "a: ['**'" + ", [" * 40 + "]" * 40 + "]\n", "p: 'P&L *x'\nq: [*, &]\n",
               "a: &a [x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: [*c, *c, *c, *c]\n"]


def _typed(value):
    """``value`` with the type of every scalar, so True and 1 (equal in Python) differ."""
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return (type(value).__name__, value)


def test_lazy_line_maps_give_what_the_full_builder_gives():
    """A document loaded with lazy line maps has the same data (types too), problems, lines and block
    text lines as a fully built one; only a file without problems comes back lazy (keys that are not
    plain text, such as ``1:``, take the full builder)."""
    good = (Path(__file__).parent / "fixtures" / "good-entry.yaml").read_text(encoding="utf-8")
    lazy_count = 0
    for text in _LAZY_CASES + [good]:
        data = text.encode("utf-8")
        full, full_problems = load_bytes(data, "f.yaml")
        lazy, lazy_problems = load_bytes(data, "f.yaml", lazy_lines=True)
        assert lazy_problems == full_problems, text
        assert _typed(lazy.data) == _typed(full.data), text
        if isinstance(lazy, ParsedDocument):  # lazy only when the full builder found no problem
            assert not full_problems and full.data is not None, text
        lazy_count += isinstance(lazy, ParsedDocument)
        assert (lazy.lines, lazy.text_lines) == (full.lines, full.text_lines), text
    assert isinstance(lazy, ParsedDocument)  # the good entry (the last case) is built lazily
    assert lazy_count >= 5


def _shared(value, seen=None, path=()):
    """``value`` with the type of every scalar and, for a list or mapping met again (an alias shares
    it), the path where it was first met: two documents give the same result only when they share alike."""
    seen = {} if seen is None else seen
    if isinstance(value, (dict, list)):
        if id(value) in seen:
            return ("shared", seen[id(value)])
        seen[id(value)] = path
        items = value.items() if isinstance(value, dict) else enumerate(value)
        return (type(value).__name__, [(key, _shared(item, seen, path + (key,))) for key, item in items])
    return (type(value).__name__, value)


_ANCHORED = st.sampled_from(["[1, b]", "{c: d}", "text", "yes", "3", "[*a0]", "{e: *a1}", "[[x], {y: z}]", "~"])
_VALUE = st.one_of(
    st.tuples(st.sampled_from(["a0", "a1", "a2"]), _ANCHORED).map(lambda pair: f"&{pair[0]} {pair[1]}"),
    st.sampled_from(["*a0", "*a1", "*a2", "[*a0, *a1]", "{k: *a0, l: [*a2]}", "'**x**'", "plain", "1.5",
                     "!!python/name:os.system x", "0x1F", "[" * 39 + "q" + "]" * 39, "&a0 [*a0]", "[&a2 [*a1, *a1, *a1]]"]))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["p", "q", "r", "s", "1"]), _VALUE), min_size=1, max_size=8))
def test_files_with_aliases_load_lazily_as_the_full_builder_loads_them(pairs):
    """The lazy path for a file with aliases (each node built once, aliases shared) gives the data,
    sharing, problems and lines of the full checks and builder; only files without problems come back lazy."""
    text = "".join(f"{key}: {value}\n" for key, value in pairs) + "bold: '*not* & alias'\n"
    data = text.encode("utf-8")
    full, full_problems = load_bytes(data, "f.yaml")
    lazy, lazy_problems = load_bytes(data, "f.yaml", lazy_lines=True)
    assert lazy_problems == full_problems
    assert _shared(lazy.data) == _shared(full.data)
    if isinstance(lazy, ParsedDocument):
        assert not full_problems and full.data is not None
    assert (lazy.lines, lazy.text_lines) == (full.lines, full.text_lines)


def test_a_real_file_with_aliases_loads_lazily():
    """The real entries that share sources through aliases take the lazy path too."""
    path = Path(__file__).parents[2] / "content" / "entries" / "can-a-futures-balance-go-negative.yaml"
    data = path.read_bytes()
    assert b"&off-fund" in data
    lazy, problems = load_bytes(data, path.name, lazy_lines=True)
    full, _ = load_bytes(data, path.name)
    assert problems == [] and isinstance(lazy, ParsedDocument)
    assert _shared(lazy.data) == _shared(full.data)
