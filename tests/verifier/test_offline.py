"""Offline verification opens no socket, and only our errors escape on corrupted input."""

from __future__ import annotations

import copy
import json
import socket
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passeport.errors import PasseportError
from passeport.verifier import Environment, verify_any
from tests.conftest import DBJS, FIXED_NOW, load_json

SIGNED = load_json(DBJS / "outputs" / "diploma-eddsa-rdfc-2022.json")


def test_offline_verification_opens_no_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        opened.append(args)
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    result = verify_any(SIGNED, env=Environment(clock=lambda: FIXED_NOW))
    assert result.verified
    didweb = load_json(DBJS / "outputs" / "diploma-eddsa-rdfc-2022-didweb.json")
    assert not verify_any(didweb, env=Environment(clock=lambda: FIXED_NOW)).verified
    assert opened == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(key=st.sampled_from(sorted(SIGNED)), value=json_values)
def test_only_passeport_errors_escape_on_corrupted_input(key: str, value: Any) -> None:
    corrupted = copy.deepcopy(SIGNED)
    corrupted[key] = value
    try:
        result = verify_any(json.dumps(corrupted), env=Environment(clock=lambda: FIXED_NOW))
    except PasseportError:
        return
    assert not result.verified or corrupted[key] == SIGNED[key]


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=40))
def test_arbitrary_text_is_an_input_error_or_a_failed_result(text: str) -> None:
    try:
        result = verify_any(text)
    except PasseportError:
        return
    assert not result.verified
