"""The build's front-matter reader (scripts/pipeline/fastmeta.py) against MkDocs' own (a YAML load).

Wherever the fast reader answers, its answer must be MkDocs' to the last type and key order; where the
front matter is not in the pipeline's form it must decline. tests/pipeline/test_memdocs.py compares
whole built sites (pack, read with this reader, against a docs folder read by MkDocs alone).
"""

from __future__ import annotations

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.utils import meta

from scripts.pipeline import fastmeta
from scripts.pipeline.render import front_matter


def _same_as_mkdocs(doc: str) -> bool:
    """Whether the fast reader answered (True) or declined (False); an answer must equal MkDocs'."""
    fast = fastmeta.page_data(doc, meta.YAML_RE)
    if fast is None:
        return False
    body, data = meta.get_data(doc)
    assert fast[0] == body
    assert repr(fast[1]) == repr(data)  # values, types and key order
    return True


AWKWARD = ["yes", "no", "on", "null", "~", "2026-11-28", "12", "0x1F", "1e5", ".inf", "a: b", "a #b", "#a",
           " lead", "trail ", "it's", "'quoted'", '"double"', "-", "- a", "? a", "--- a", "... a", "a:", ":a",
           "tab\there", "nel\x85here", "line\u2028sep", "bom\ufeff", "emoji \U0001F600", "back\\slash",
           "<<", "=", "&anchor", "*alias", "!tag", "%dir", "@at", "`tick", "{brace", "[list", "|", ">",
           "x" * 300, "é à ü", "\x7f", "a\nb", ""]


def test_the_pipelines_front_matter_is_read_as_mkdocs_reads_it():
    answered = 0
    for text in AWKWARD:
        for meta_data in ({"title": text}, {text or "k": "value"}, {"tags": [text, "b"]},
                          {"jsonld": {"@graph": [{"name": text, text or "k": ["x", {"y": text}]}]}},
                          {"title": "T", "reviewed": text, "nested": {"a": [text]}}):
            answered += _same_as_mkdocs(front_matter(meta_data) + "# Body\n\ntext\n")
    assert answered > 150  # the reader takes the ordinary cases, not only declines


def test_other_front_matter_is_left_to_mkdocs():
    for head in ["draft: true", "weight: 3", "date: 2026-11-28", "title: a  # comment", "title:", "title: a\n  b",
                 "search:\n  exclude: true", "# comment\ntitle: a", '"n": [1, 2]', '"n": {"a": null}',
                 '"s": "\\ud800"', '"deep": ' + "[" * 5000 + "]" * 5000, '"deep": ' + "[" * 60 + '"a"' + "]" * 60, '"x": ["a"] # c', "title: a ", "'a': b c: d", "title:  two"]:
        doc = f"---\n{head}\n---\n\nbody\n"
        assert fastmeta.page_data(doc, meta.YAML_RE) is None, head
    assert fastmeta.page_data("no front matter\n", meta.YAML_RE) is None


def test_single_quotes_and_json_escapes_read_back():
    doc = "---\ntitle: 'it''s: here'\n\"k\": [\"a\\\"b\", \"c\\\\d\", \"\\u00e9\\n\\t\"]\n---\n\nbody\n"
    assert _same_as_mkdocs(doc)
    assert fastmeta.page_data(doc, meta.YAML_RE)[1] == {"title": "it's: here", "k": ['a"b', "c\\d", "é\n\t"]}


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
_NESTED = st.recursive(_TEXT, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
                       max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_TEXT.filter(bool), _TEXT | _NESTED, min_size=1, max_size=4))
def test_any_rendered_front_matter_reads_back_the_same(data):
    _same_as_mkdocs(front_matter(data) + "body\n")


def test_install_keeps_mkdocs_answers():
    fastmeta.install()
    fastmeta.install()  # twice: no second wrapper
    doc = "---\ntitle: A\ndate: 2026-11-28\n---\n\nbody\n"
    assert meta.get_data(doc) == ("body\n", {"title": "A", "date": datetime.date(2026, 11, 28)})
    assert meta.get_data("---\ntitle: A\n---\n\nbody\n") == ("body\n", {"title": "A"})
