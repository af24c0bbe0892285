"""did.keys: raw keys, signing and verification, and the ECDSA/EdDSA spec signatures."""

from __future__ import annotations

import pytest

from passeport.did import KeyAlgorithm, PrivateKey, PublicKey, decode_private
from passeport.errors import KeyFormatError
from tests.did._data import ALGORITHMS, VECTORS, fixed_key, load_json

SIGNATURE_SIZES = {KeyAlgorithm.ED25519: 64, KeyAlgorithm.P256: 64, KeyAlgorithm.P384: 96}
PUBLIC_SIZES = {KeyAlgorithm.ED25519: 32, KeyAlgorithm.P256: 33, KeyAlgorithm.P384: 49}


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_sign_then_verify(algorithm: KeyAlgorithm) -> None:
    key = fixed_key(algorithm)
    signature = key.sign(b"diploma")
    assert len(signature) == SIGNATURE_SIZES[algorithm]
    assert key.public_key.verify(signature, b"diploma")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_tampered_data_or_signature_does_not_verify(algorithm: KeyAlgorithm) -> None:
    key = fixed_key(algorithm)
    signature = key.sign(b"diploma")
    public = key.public_key
    assert not public.verify(signature, b"diplomb")
    flipped = bytes([signature[0] ^ 1]) + signature[1:]
    assert not public.verify(flipped, b"diploma")
    assert not public.verify(b"", b"diploma")
    assert not public.verify(b"\x00" * len(signature), b"diploma")
    assert not public.verify(b"\xff" * len(signature), b"diploma")
    assert not public.verify(signature + b"\x00", b"diploma")
    assert not fixed_key(algorithm, seed=9).public_key.verify(signature, b"diploma")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_raw_round_trips(algorithm: KeyAlgorithm) -> None:
    key = fixed_key(algorithm)
    assert PrivateKey.from_raw(algorithm, key.raw_bytes()) == key
    raw_public = key.public_key.raw_bytes()
    assert len(raw_public) == PUBLIC_SIZES[algorithm]
    public = PublicKey.from_raw(algorithm, raw_public)
    assert public == key.public_key
    assert hash(public) == hash(key.public_key)
    assert public.algorithm is algorithm
    assert key.algorithm is algorithm


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_generate_gives_distinct_working_keys(algorithm: KeyAlgorithm) -> None:
    first, second = PrivateKey.generate(algorithm), PrivateKey.generate(algorithm)
    assert first != second
    assert first.public_key.verify(first.sign(b"x"), b"x")


def test_repr_never_shows_the_secret() -> None:
    key = PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes(range(32)))
    assert bytes(range(32)).hex() not in repr(key)
    assert "public=" in repr(key)


def test_keys_of_different_algorithms_differ() -> None:
    assert fixed_key(KeyAlgorithm.P256).public_key != fixed_key(KeyAlgorithm.ED25519).public_key
    assert fixed_key(KeyAlgorithm.P256).public_key != "not a key"


@pytest.mark.parametrize(
    ("algorithm", "secret"),
    [
        (KeyAlgorithm.ED25519, bytes(31)),
        (KeyAlgorithm.P256, bytes(32)),  # zero scalar
        (KeyAlgorithm.P256, b"\xff" * 32),  # above the group order
        (KeyAlgorithm.P384, bytes([1]) * 32),  # P-384 scalars are 48 bytes
        ("RSA", bytes(32)),
    ],
)
def test_bad_secret_is_a_key_format_error(algorithm: str, secret: bytes) -> None:
    with pytest.raises(KeyFormatError):
        PrivateKey.from_raw(algorithm, secret)


@pytest.mark.parametrize(
    ("algorithm", "data"),
    [
        (KeyAlgorithm.ED25519, bytes(33)),
        (KeyAlgorithm.P256, b"\x02" + b"\xff" * 32),  # x >= p: not on the curve
        (KeyAlgorithm.P256, b"\x05" + bytes(32)),
        (KeyAlgorithm.P384, bytes(49)),
    ],
)
def test_bad_public_key_is_a_key_format_error(algorithm: KeyAlgorithm, data: bytes) -> None:
    with pytest.raises(KeyFormatError):
        PublicKey.from_raw(algorithm, data)


@pytest.mark.parametrize(
    ("folder", "key_file", "stem"),
    [
        ("eddsa-rdfc-2022", "keyPair.json", "DataInt"),
        ("ecdsa-rdfc-2019-p256", "p256KeyPair.json", "ECDSAP256"),
        ("ecdsa-rdfc-2019-p384", "p384KeyPair.json", "ECDSAP384"),
    ],
)
def test_spec_vector_signature_is_reproduced(folder: str, key_file: str, stem: str) -> None:
    """ECDSA signing is deterministic (RFC 6979), so the spec signatures come out byte for byte."""
    pair = load_json(VECTORS / folder / key_file)
    secret = pair.get("secretKeyMultibase", pair.get("privateKeyMultibase"))
    key = decode_private(secret)
    combined = bytes.fromhex((VECTORS / folder / f"combinedHash{stem}.txt").read_text().strip())
    expected = bytes.fromhex((VECTORS / folder / f"sigHex{stem}.txt").read_text().strip())
    assert key.public_key.verify(expected, combined)
    assert key.sign(combined) == expected
