"""jsonio writes and reads the cache's JSON: what :func:`jsonio.dumps` wrote comes back from
:func:`jsonio.loads` value for value and type for type, including the values orjson alone gets wrong
(integers beyond 64 bits, NaN, Infinity, lone surrogates); the writer, not a scan of the text, sends
those to json's reader. Text written by ``json`` without such integers reads as ``json`` reads it."""

import json
import math
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.pipeline import cache as cache_module
from scripts.pipeline import jsonio
from scripts.pipeline.build import check
from scripts.pipeline.shardfile import parse_shard

REPO = Path(__file__).resolve().parents[2]
_ints64 = st.integers(min_value=-2**63, max_value=2**64 - 1)
_floats = st.floats(allow_nan=True, allow_infinity=True)
_exact_scalars = st.none() | st.booleans() | _ints64 | _floats | st.text()
_scalars = _exact_scalars | st.integers(min_value=-2**70, max_value=2**70) | st.integers()


def _tree(scalars):
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                        max_leaves=20)


def _same(a, b) -> bool:
    """Equal value and type, NaN equal to NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return a == b


@settings(max_examples=400, deadline=None)
@given(_tree(_scalars))
def test_what_dumps_writes_comes_back_exactly(value):
    data = jsonio.dumps(value)
    assert _same(jsonio.loads(data), value)
    assert _same(json.loads(data), value)  # still JSON that json reads as written


@settings(max_examples=300, deadline=None)
@given(_tree(_exact_scalars), st.booleans())
def test_reads_json_text_without_long_integers_as_json_reads_it(value, ascii_only):
    text = json.dumps(value, ensure_ascii=ascii_only, separators=(",", ":"))
    data = text.encode("utf-8", "surrogatepass")
    assert _same(jsonio.loads(data), json.loads(data))
    assert _same(jsonio.loads(text), json.loads(text))


@pytest.mark.parametrize("value", [2**64, -2**63 - 1, 10**30, float("nan"), float("inf"), -float("inf"), "\ud800",
                                   {"a": [2**100]}, {"n": None, "x": float("nan")}, {1: "a key that is not a string"}])
def test_values_orjson_alone_gets_wrong_go_to_json_marked(value):
    data = jsonio.dumps(value)
    assert data.startswith(jsonio.EXACT_MARK)
    assert _same(jsonio.loads(data), json.loads(data))
    expected = {"1": value[1]} if isinstance(value, dict) and 1 in value else value
    assert _same(jsonio.loads(data), expected)


@pytest.mark.parametrize("value", [{"a": None, "b": "null", "c": [1.5, -0.0, 2**64 - 1, -2**63]}, "text", [], 0])
def test_exact_values_are_written_by_orjson_unmarked(value):
    data = jsonio.dumps(value)
    assert data == orjson.dumps(value) and not data.startswith(jsonio.EXACT_MARK)
    assert _same(jsonio.loads(data), value)


def test_what_json_refuses_is_refused():
    with pytest.raises(TypeError):
        jsonio.dumps({"a": object()})


@pytest.mark.parametrize("data", [b"", b" ", b"{", b"[1,]", b"\xff\xfe", b'{"a":1}x', b' {"a":1}x'])
def test_not_json_raises_value_error(data):
    with pytest.raises(ValueError):
        jsonio.loads(data)


def test_an_entry_with_nan_infinity_and_a_long_integer_round_trips_through_the_cache(tmp_path, make_project):
    """The values reach the cache through a real entry; two cached runs give the cold run's document and problems."""
    name = "can-a-futures-balance-go-negative.yaml"
    text = (REPO / "content" / "entries" / name).read_text(encoding="utf-8")
    changed = text.replace("expect: {position_count: 0, wallet_balance: 578.22, insurance_fund: 700}",
                           "expect: {position_count: 0, wallet_balance: .nan, insurance_fund: 1180591620717411303424}", 1)
    changed = changed.replace("debt: 511}", "debt: .inf}", 1)
    assert changed.count(".nan") == 1 and changed.count(".inf}") == 1
    layout = make_project(tmp_path / "p", {name: changed})
    file = f"content/entries/{name}"

    def run():
        content, problems = check(layout)
        doc = next(d for d in content.entries if d.file == file)
        return type(doc).__name__, doc.data, problems

    kind, cold, cold_problems = run()
    assert kind == "ParsedDocument" and cold_problems
    steps = cold["rules"][0]["scenario"]["steps"][-1]["expect"], cold["rules"][1]["scenario"]["steps"][-1]["expect"]
    assert math.isnan(steps[0]["wallet_balance"]) and steps[0]["insurance_fund"] == 2**70 and steps[1]["debt"] == math.inf
    shard = tmp_path / "p" / ".cache" / "content" / f"{cache_module.doc_shard(file)}.shard"
    raw = parse_shard(shard.read_bytes())
    block = raw["docs"][file]["data"]
    assert shard.read_bytes()[block.offset:].startswith(jsonio.EXACT_MARK)  # the writer chose json's reader
    for _ in range(2):
        kind, warm, warm_problems = run()
        assert kind == "KeptDocument"
        assert _same(warm, cold) and warm_problems == cold_problems
