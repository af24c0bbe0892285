"""JCS through Python's JSON encoder gives exactly the RFC 8785 bytes (issue 17).

:func:`contexts.jcs.canonicalize` writes "plain" values (ASCII member names,
strings, safe integers, booleans, null) with ``json.dumps``; everything else
goes through the ``rfc8785`` serializer. Both paths must give the same bytes,
or the same refusal, for any JSON value.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Final

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from passeport.contexts import jcs
from passeport.errors import InputError

SAFE: Final = 2**53 - 1
DIPLOMA: Final = json.loads(
    resources.files("passeport").joinpath("samples", "diploma.json").read_text("utf-8")
)

# Every code point, lone surrogates included; names mostly ASCII, some not.
TEXT: Final = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=12)
NAMES: Final = st.text(st.characters(min_codepoint=0, max_codepoint=0x7F), max_size=6) | TEXT
SCALARS: Final = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-SAFE, max_value=SAFE)
    | st.integers(min_value=-(2**64), max_value=2**64)
    | st.sampled_from([SAFE, -SAFE, SAFE + 1, -SAFE - 1, 2**53, 10**16, 0])
    | st.floats(allow_nan=True, allow_infinity=True)
    | TEXT
)
JSON: Final = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(NAMES, children, max_size=4),
    max_leaves=20,
)


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def _general(value: Any) -> tuple[str, Any]:
    """The general serializer alone (the path every value took before): bytes or refusal."""
    try:
        return "ok", jcs._canonicalize(value, None)
    except InputError:
        return "error", None


def _either(value: Any) -> tuple[str, Any]:
    try:
        return "ok", jcs.canonicalize(value)
    except InputError:
        return "error", None


@settings(max_examples=1500, deadline=None)
@given(value=JSON)
def test_any_json_value_canonicalizes_as_the_general_serializer_does(value: Any) -> None:
    assert _either(value) == _general(value)


@pytest.mark.parametrize(
    "value",
    [
        DIPLOMA,
        {"b": 1, "a": [True, False, None, "", "\x00\x1f\x7f\u2028\ud7ff\ue000"]},
        {"\u00e9": 1, "e": 2, "z": 3},  # a non-ASCII name: the general path sorts it
        {"\U0001f600": 1, "\ufb01": 2},  # UTF-16 order differs from code point order here
        {"a": "\ud800"},  # a lone surrogate: refused either way
        _nested(70),  # deeper than the fast path goes
        {"n": SAFE, "m": -SAFE, "big": 10**16, "f": 1.5},
    ],
)
def test_edge_values_canonicalize_as_the_general_serializer_does(value: Any) -> None:
    assert _either(value) == _general(value)


def test_plain_values_take_the_fast_path_and_others_do_not() -> None:
    assert jcs._plain(DIPLOMA)
    assert jcs._plain({"n": SAFE, "l": [None, True, "x"]})
    assert not jcs._plain({"f": 1.0})
    assert not jcs._plain({"n": SAFE + 1})
    assert not jcs._plain({"\ufb01": 1})
    assert not jcs._plain({1: "x"})
    assert not jcs._plain(("a",))
    assert jcs.canonicalize({"\U0001f600": 1, "\ufb01": 2}) == rfc8785.dumps(
        {"\U0001f600": 1, "\ufb01": 2}
    )
    assert jcs.canonicalize({"\U0001f600": 1, "\ufb01": 2}).index(b"\xf0") < 3  # UTF-16 order
