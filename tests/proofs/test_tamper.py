"""Property: any change to any signed or disclosed value makes verification fail.

Data Integrity credentials of every single-signature suite, an ecdsa-sd-2023
credential as its holder derived it, and an SD-JWT VC presentation with its
key binding: replace, delete or add a value anywhere and the verdict is no.
"""

from __future__ import annotations

import base64
import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passeport.did import DidResolver, public_to_jwk
from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.proofs import derive
from passeport.proofs._jws import b64url_encode
from passeport.proofs.sdjwt import default_disclosable, issue_sd_jwt, present_sd_jwt, verify_sd_jwt
from passeport.proofs.sign import sign_document
from passeport.verifier import Policy, verify_credential
from tests.conftest import DBJS, load_json

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


def _mutate(document: Any, data: st.DataObject, paths: list[tuple[Any, ...]]) -> tuple[str, Any]:
    """Replace, delete or add a sibling at one of ``paths`` (in place); return what was done."""
    path = data.draw(st.sampled_from(paths), label="path")
    parent = _parent(document, path)
    action = data.draw(st.sampled_from(["replace", "delete", "add"]), label="action")
    if action == "replace":
        parent[path[-1]] = data.draw(_different(parent[path[-1]]), label="value")
    elif action == "delete":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        name = data.draw(st.sampled_from(["extra", "name", "description", "id"]), label="key")
        parent[name if name not in parent else f"{name}Extra"] = data.draw(_different(None))
    else:
        parent.append(data.draw(_different(None), label="value"))
    return action, path


# --- ecdsa-sd-2023: every value a holder disclosed is still covered by the issuer -------------

SD_ISSUER = _pair(KeyAlgorithm.P256, 9)
SD_BASE = sign_document(
    {**copy.deepcopy(UNSIGNED), "issuer": {**UNSIGNED["issuer"], "id": SD_ISSUER.controller}},
    SD_ISSUER,
    suite="ecdsa-sd-2023",
    created=datetime(2025, 7, 1, tzinfo=UTC),
    mandatory=("/issuer", "/validFrom"),
)
SD_DERIVED: dict[str, Any] = derive(
    SD_BASE,
    [
        "/credentialSubject/name",
        "/credentialSubject/achievement/name",
        "/credentialSubject/achievement/criteria/narrative",
        "/credentialSubject/creditsEarned",
    ],
)


def test_the_derived_credential_verifies_untouched() -> None:
    result = verify_credential(SD_DERIVED, policy=POLICY)
    assert result.verified, result.failures()
    assert "description" not in SD_DERIVED["credentialSubject"]["achievement"]


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_any_change_to_a_disclosed_value_of_a_derived_credential_fails(
    data: st.DataObject,
) -> None:
    tampered = copy.deepcopy(SD_DERIVED)
    action, path = _mutate(tampered, data, leaves(SD_DERIVED))
    result = verify_credential(tampered, policy=POLICY)
    assert not result.verified, f"{action} at {path} went unnoticed"


# --- SD-JWT VC: every disclosed value, every clear claim, the key binding ---------------------

JWT_ISSUER, JWT_HOLDER = _pair(KeyAlgorithm.P256, 10), _pair(KeyAlgorithm.ED25519, 11)
SD_JWT_NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)
SD_JWT_CLAIMS: dict[str, Any] = {
    "given_name": "Camille",
    "birthdate": "1990-05-04",
    "address": {"locality": "Lyon", "country": "FR"},
    "skills": ["Python", "SQL", "Soudure TIG"],
    "diploma": {"title": "Master", "year": 2025},
}
SD_JWT = present_sd_jwt(
    issue_sd_jwt(
        SD_JWT_CLAIMS,
        JWT_ISSUER,
        vct="https://passeport.example/vct/skills",
        disclosable=default_disclosable(SD_JWT_CLAIMS),
        holder_jwk=public_to_jwk(JWT_HOLDER.public_key),
        issued_at=SD_JWT_NOW - timedelta(days=3),
    ),
    ["/given_name", "/address/locality", "/skills/0", "/skills/2", "/diploma/title"],
    holder_key=JWT_HOLDER,
    nonce="n-1",
    audience="https://rh.example",
    issued_at=SD_JWT_NOW - timedelta(seconds=10),
)


def _verify_sd_jwt(token: str) -> Any:
    return verify_sd_jwt(
        token, resolver=DidResolver(), now=SD_JWT_NOW, nonce="n-1", audience="https://rh.example"
    )


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_the_sd_jwt_presentation_verifies_untouched() -> None:
    result = _verify_sd_jwt(SD_JWT)
    assert result.verified, result.outcomes
    assert result.payload["diploma"] == {"title": "Master"}
    assert result.payload["skills"] == ["Python", "Soudure TIG"]


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_change_to_a_disclosed_value_of_an_sd_jwt_presentation_fails(
    data: st.DataObject,
) -> None:
    jwt, *disclosures, kb = SD_JWT.split("~")
    parts = [*jwt.split("."), *disclosures, *kb.split(".")]
    # The JSON pieces: JWT header and payload, each disclosure, KB-JWT header and payload.
    json_indexes = [0, 1, *range(3, 3 + len(disclosures)), len(parts) - 3, len(parts) - 2]
    index = data.draw(st.sampled_from(json_indexes), label="piece")
    piece = json.loads(b64decode(parts[index]))
    action, path = _mutate(piece, data, leaves(piece))
    parts[index] = b64url_encode(json.dumps(piece).encode("utf-8"))
    head, rest = ".".join(parts[:3]), parts[3:]
    token = "~".join([head, *rest[: len(disclosures)], ".".join(rest[len(disclosures) :])])
    result = _verify_sd_jwt(token)
    assert not result.verified, f"{action} at {path} of piece {index} went unnoticed"
