"""Property: any change to any signed value makes verification fail."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from did.keyfile import KeyPair
from did.keys import KeyAlgorithm, PrivateKey
from proofs.sign import sign_document
from tests.conftest import DBJS, load_json
from verifier import Policy, verify_credential

UNSIGNED = load_json(DBJS / "inputs" / "diploma-ob3-v2.json")
POLICY = Policy(at=datetime(2026, 1, 1, tzinfo=UTC))


def _pair(algorithm: KeyAlgorithm, seed: int) -> KeyPair:
    size = {KeyAlgorithm.ED25519: 32, KeyAlgorithm.P256: 32, KeyAlgorithm.P384: 48}[algorithm]
    secret = bytes([seed]) * size
    return KeyPair.from_private_key(PrivateKey.from_raw(algorithm, secret))


def _signed(suite: str, algorithm: KeyAlgorithm) -> dict[str, Any]:
    pair = _pair(algorithm, 7)
    document = copy.deepcopy(UNSIGNED)
    document["issuer"]["id"] = pair.controller
    return sign_document(document, pair, suite=suite, created=datetime(2025, 7, 1, tzinfo=UTC))


SIGNED = {
    "eddsa-rdfc-2022": _signed("eddsa-rdfc-2022", KeyAlgorithm.ED25519),
    "eddsa-jcs-2022": _signed("eddsa-jcs-2022", KeyAlgorithm.ED25519),
    "ecdsa-rdfc-2019": _signed("ecdsa-rdfc-2019", KeyAlgorithm.P256),
}


def leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Return the paths of every scalar value (and empty container) in ``value``."""
    if isinstance(value, dict) and value:
        return [p for k, v in value.items() for p in leaves(v, (*path, k))]
    if isinstance(value, list) and value:
        return [p for i, v in enumerate(value) for p in leaves(v, (*path, i))]
    return [path]


def _parent(document: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        document = document[step]
    return document


def _different(original: Any) -> st.SearchStrategy[Any]:
    """Values whose meaning differs from ``original`` even after JSON-LD coercion."""
    text = json.dumps(original, ensure_ascii=False)
    return st.one_of(
        st.text(min_size=1, max_size=12).filter(lambda s: s != str(original) and s.strip() != ""),
        st.integers(-(10**6), 10**6).filter(lambda i: str(i) != str(original)),
        st.booleans().filter(
            lambda b: json.dumps(b) != text and str(b).lower() != str(original).lower()
        ),
    )


@pytest.mark.parametrize("suite", sorted(SIGNED))
def test_untouched_credential_verifies(suite: str) -> None:
    result = verify_credential(SIGNED[suite], policy=POLICY)
    assert result.verified, result.failures()


@pytest.mark.parametrize("suite", sorted(SIGNED))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_change_to_a_signed_value_fails(suite: str, data: st.DataObject) -> None:
    signed = SIGNED[suite]
    path = data.draw(st.sampled_from(leaves(signed)), label="path")
    tampered = copy.deepcopy(signed)
    parent = _parent(tampered, path)
    original = parent[path[-1]]
    action = data.draw(st.sampled_from(["replace", "delete", "add"]), label="action")
    if action == "replace":
        parent[path[-1]] = data.draw(_different(original), label="value")
    elif action == "delete":
        del parent[path[-1]]
    else:
        container = _parent(tampered, path) if path else tampered
        if isinstance(container, dict):
            name = data.draw(
                st.sampled_from(["extra", "name", "description", "foo", "id"]), label="key"
            )
            if name in container:
                name = f"{name}Extra"
            container[name] = data.draw(_different(None), label="value")
        else:
            container.append(data.draw(_different(None), label="value"))
    result = verify_credential(tampered, policy=POLICY)
    assert not result.verified, f"{action} at {path} went unnoticed"
