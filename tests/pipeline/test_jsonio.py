"""jsonio.loads reads what json.loads reads, value for value and type for type, including the values
orjson alone would get wrong (integers beyond 64 bits, NaN, Infinity, lone surrogates)."""

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.pipeline import jsonio

_scalars = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-2**70, max_value=2**70)
            | st.floats(allow_nan=True, allow_infinity=True) | st.text())
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
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
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


@settings(max_examples=400, deadline=None)
@given(_values, st.booleans())
def test_reads_what_json_reads(value, ascii_only):
    text = json.dumps(value, ensure_ascii=ascii_only, separators=(",", ":"))
    data = text.encode("utf-8", "surrogatepass")
    assert _same(jsonio.loads(data), json.loads(data))
    assert _same(jsonio.loads(text), json.loads(text))


@pytest.mark.parametrize("value", [2**64, -2**63 - 1, 10**30, float("nan"), float("inf"), "\ud800", {"a": [2**100]}])
def test_values_orjson_alone_gets_wrong(value):
    data = json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")
    assert _same(jsonio.loads(data), json.loads(data))
    assert _same(jsonio.loads(data), value)


@pytest.mark.parametrize("data", [b"", b"{", b"[1,]", b"\xff\xfe", b'{"a":1}x'])
def test_not_json_raises_value_error(data):
    with pytest.raises(ValueError):
        jsonio.loads(data)
