"""JWS signatures checked against another implementation: jwcrypto is the oracle.

We sign and verify JWS with ``cryptography`` ourselves (``proofs/_jws.py``).
jwcrypto must accept every token we sign, and agree with our verdict on
every token we alter: a signature bit flipped, the payload or the header
changed, the other half of an ECDSA signature negated, a key of another type.
"""

from __future__ import annotations

import json
from itertools import product

import pytest
from jwcrypto.common import JWException
from jwcrypto.jwk import JWK
from jwcrypto.jws import JWS

from passeport.did.jwk import public_to_jwk
from passeport.did.keys import KeyAlgorithm, PrivateKey, PublicKey
from passeport.proofs._jws import (
    b64url_decode,
    b64url_encode,
    encode_compact,
    parse_compact,
    verify_signature,
)

ALGS = {KeyAlgorithm.ED25519: "EdDSA", KeyAlgorithm.P256: "ES256", KeyAlgorithm.P384: "ES384"}
ORDERS = {
    KeyAlgorithm.P256: 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    KeyAlgorithm.P384: int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
        16,
    ),
}
SIZES = {KeyAlgorithm.ED25519: 32, KeyAlgorithm.P256: 32, KeyAlgorithm.P384: 48}


def _key(algorithm: KeyAlgorithm, seed: int) -> PrivateKey:
    return PrivateKey.from_raw(algorithm, (seed + 1).to_bytes(SIZES[algorithm], "big"))


def _jwcrypto_accepts(token: str, key: PublicKey, alg: str) -> bool:
    checked = JWS()
    checked.allowed_algs = [alg]
    try:
        checked.deserialize(token)
        checked.verify(JWK(**public_to_jwk(key)), alg=alg)
    except (JWException, ValueError, TypeError, KeyError):
        return False
    return True


def _ours_accepts(token: str, key: PublicKey, alg: str) -> bool:
    try:
        parsed = parse_compact(token)
    except Exception:  # a token we cannot even read is refused
        return False
    return verify_signature(parsed, key, alg=alg)


def _altered(token: str, algorithm: KeyAlgorithm) -> list[str]:
    header, payload, signature = token.split(".")
    raw = b64url_decode(signature, what="signature")
    flipped = [
        b64url_encode(raw[:i] + bytes([raw[i] ^ (1 << bit)]) + raw[i + 1 :])
        for i, bit in product((0, len(raw) // 2, len(raw) - 1), (0, 7))
    ]
    body = json.loads(b64url_decode(payload, what="payload"))
    body["name"] = "Doctorat"
    other_payload = b64url_encode(json.dumps(body).encode())
    other_header = b64url_encode(b'{"alg":"' + ALGS[algorithm].encode() + b'","typ":"JWT"}')
    found = [f"{header}.{payload}.{s}" for s in flipped]
    found += [f"{header}.{other_payload}.{signature}", f"{other_header}.{payload}.{signature}"]
    if algorithm in ORDERS:  # (r, n - s) is valid ECDSA too: both must agree on it
        size = SIZES[algorithm]
        r, s = raw[:size], int.from_bytes(raw[size:], "big")
        negated = r + (ORDERS[algorithm] - s).to_bytes(size, "big")
        found.append(f"{header}.{payload}.{b64url_encode(negated)}")
    return found


@pytest.mark.parametrize("algorithm", list(ALGS))
def test_jwcrypto_accepts_what_we_sign_and_agrees_with_what_we_refuse(
    algorithm: KeyAlgorithm,
) -> None:
    alg = ALGS[algorithm]
    for seed in range(3):
        key = _key(algorithm, seed)
        payload = json.dumps({"name": f"Licence {seed}", "n": seed}).encode()
        token = encode_compact({"alg": alg, "typ": "vc+jwt"}, payload, key)
        public = key.public_key
        assert _ours_accepts(token, public, alg) and _jwcrypto_accepts(token, public, alg)
        for altered in _altered(token, algorithm):
            assert _ours_accepts(altered, public, alg) == _jwcrypto_accepts(altered, public, alg)
        stranger = _key(algorithm, seed + 10).public_key
        assert not _ours_accepts(token, stranger, alg)
        assert not _jwcrypto_accepts(token, stranger, alg)
