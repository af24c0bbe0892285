"""did.jwk: JWK round trips, the interop JWKs, and bad JWKs."""

from __future__ import annotations

from pathlib import Path

import pytest

from passeport.did import (
    KeyAlgorithm,
    decode_private,
    private_from_jwk,
    private_to_jwk,
    public_from_jwk,
    public_to_jwk,
)
from passeport.errors import KeyFormatError
from tests.did._data import ALGORITHMS, INTEROP_KEYS, fixed_key, load_json


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_round_trip(algorithm: KeyAlgorithm) -> None:
    key = fixed_key(algorithm)
    jwk = public_to_jwk(key.public_key)
    assert "d" not in jwk
    assert public_from_jwk(jwk) == key.public_key
    assert private_from_jwk(private_to_jwk(key)) == key
    assert public_from_jwk(private_to_jwk(key)) == key.public_key  # "d" is ignored


@pytest.mark.parametrize("path", sorted(INTEROP_KEYS.glob("*.json")), ids=lambda p: p.stem)
def test_interop_jwks(path: Path) -> None:
    data = load_json(path)
    private = decode_private(data["secretKeyMultibase"])
    assert public_to_jwk(private.public_key) == data["publicKeyJwk"]
    assert private_to_jwk(private) == data["secretKeyJwk"]
    assert private_from_jwk(data["secretKeyJwk"]) == private


P256 = public_to_jwk(fixed_key(KeyAlgorithm.P256).public_key)
ED = public_to_jwk(fixed_key(KeyAlgorithm.ED25519).public_key)


@pytest.mark.parametrize(
    ("jwk", "fragment"),
    [
        ({"kty": "RSA", "n": "AQAB", "e": "AQAB"}, "unsupported JWK"),
        ({**P256, "crv": "P-521"}, "unsupported JWK"),
        ({**ED, "crv": "X25519"}, "unsupported JWK"),
        ({"kty": "EC", "crv": "P-256", "x": P256["x"]}, "no 'y'"),
        ({**P256, "y": P256["x"]}, "not a valid point"),
        ({**ED, "x": "AAAA"}, "holds 3 bytes"),
        ({**ED, "x": "not base64!"}, "not base64url"),
        ({**ED, "x": 12}, "not a string"),
    ],
)
def test_bad_public_jwk(jwk: dict[str, object], fragment: str) -> None:
    with pytest.raises(KeyFormatError) as caught:
        public_from_jwk(jwk, where="issuer.json")
    assert str(caught.value).startswith("issuer.json: ")
    assert fragment in str(caught.value)


def test_private_jwk_must_match_its_public_members() -> None:
    mixed = {**private_to_jwk(fixed_key(KeyAlgorithm.P256)), "x": P256["x"]}
    mixed.update(private_to_jwk(fixed_key(KeyAlgorithm.P256, seed=9)))
    mixed["x"], mixed["y"] = P256["x"], P256["y"]
    with pytest.raises(KeyFormatError, match="does not match"):
        private_from_jwk(mixed)
    with pytest.raises(KeyFormatError, match="no 'd'"):
        private_from_jwk(P256)


def test_not_an_object() -> None:
    with pytest.raises(KeyFormatError):
        public_from_jwk(["kty"])  # type: ignore[arg-type]
