"""did.multikey: Multikey and base58btc encodings, the spec and interop keys, bad input."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passeport.did import (
    KeyAlgorithm,
    decode_base58btc,
    decode_private,
    decode_public,
    encode_base58btc,
    encode_private,
    encode_public,
)
from passeport.errors import KeyFormatError
from tests.did._data import ALGORITHMS, INTEROP_KEYS, VECTORS, fixed_key, load_json

PREFIXES = {KeyAlgorithm.ED25519: "z6Mk", KeyAlgorithm.P256: "zDn", KeyAlgorithm.P384: "z82"}


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_round_trip(algorithm: KeyAlgorithm) -> None:
    key = fixed_key(algorithm)
    public = encode_public(key.public_key)
    assert public.startswith(PREFIXES[algorithm])
    assert decode_public(public) == key.public_key
    assert decode_private(encode_private(key)) == key


@pytest.mark.parametrize(
    ("path", "algorithm"),
    [
        (VECTORS / "eddsa-rdfc-2022" / "keyPair.json", KeyAlgorithm.ED25519),
        (VECTORS / "ecdsa-rdfc-2019-p256" / "p256KeyPair.json", KeyAlgorithm.P256),
        (VECTORS / "ecdsa-rdfc-2019-p384" / "p384KeyPair.json", KeyAlgorithm.P384),
    ],
    ids=["ed25519", "p256", "p384"],
)
def test_spec_vector_keys(path: object, algorithm: KeyAlgorithm) -> None:
    pair = load_json(path)  # type: ignore[arg-type]
    secret = pair.get("secretKeyMultibase", pair.get("privateKeyMultibase"))
    private = decode_private(secret)
    assert private.algorithm is algorithm
    assert private.public_key == decode_public(pair["publicKeyMultibase"])
    assert encode_public(private.public_key) == pair["publicKeyMultibase"]
    assert encode_private(private) == secret


@pytest.mark.parametrize("path", sorted(INTEROP_KEYS.glob("*.json")), ids=lambda p: p.stem)
def test_interop_keys(path: object) -> None:
    data = load_json(path)  # type: ignore[arg-type]
    private = decode_private(data["secretKeyMultibase"])
    if data["type"] == "ed25519":
        assert private.raw_bytes() == bytes.fromhex(data["seed"])
    else:
        assert int.from_bytes(private.raw_bytes(), "big") == int(data["seed"], 16)
    assert encode_public(private.public_key) == data["publicKeyMultibase"]
    assert encode_private(private) == data["secretKeyMultibase"]


def test_base58btc_round_trip_keeps_leading_zeros() -> None:
    data = b"\x00\x00\x01proof"
    encoded = encode_base58btc(data)
    assert encoded.startswith("z11")
    assert decode_base58btc(encoded) == data


GOOD = encode_public(fixed_key(KeyAlgorithm.ED25519).public_key)
P256_PUBLIC = encode_public(fixed_key(KeyAlgorithm.P256).public_key)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (GOOD[1:], "must start with 'z'"),
        ("u" + GOOD[1:], "must start with 'z'"),
        ("", "must start with 'z'"),
        ("z", "empty"),
        (GOOD[:10] + "0" + GOOD[11:], "not valid base58btc"),
        (GOOD[:10] + "l" + GOOD[11:], "not valid base58btc"),
        (encode_base58btc(b"\x55\x12" + bytes(32)), "multicodec 0x55"),
        (encode_base58btc(b"\xed\x01" + bytes(31)), "holds 31 bytes"),
        (encode_base58btc(b"\x80\x24" + b"\x02" + b"\xff" * 32), "not a valid point"),
        (encode_base58btc(b"\x80\x24" + b"\x04" + bytes(32)), "not a valid point"),
        (encode_base58btc(b"\x80"), "multicodec"),
        (encode_private(fixed_key(KeyAlgorithm.ED25519)), "not a supported public key"),
    ],
)
def test_bad_public_multikey(value: str, fragment: str) -> None:
    with pytest.raises(KeyFormatError) as caught:
        decode_public(value, where="key.json")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("key.json: ")
    assert fragment in message


def test_error_names_a_truncated_value() -> None:
    with pytest.raises(KeyFormatError) as caught:
        decode_public("x" + GOOD[1:] * 3)
    assert "'x6Mk" in str(caught.value)
    assert len(str(caught.value)) < 120


def test_bad_secret_never_echoes_the_secret() -> None:
    secret = encode_private(fixed_key(KeyAlgorithm.P256))
    for corrupted in (secret[:-1], secret[:12] + "0" + secret[13:], P256_PUBLIC):
        with pytest.raises(KeyFormatError) as caught:
            decode_private(corrupted, where="key.json")
        assert secret[1:8] not in str(caught.value)


def test_not_a_string() -> None:
    with pytest.raises(KeyFormatError):
        decode_public(42)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(value=st.text(max_size=80) | st.binary(max_size=60).map(encode_base58btc))
def test_only_key_format_errors_escape(value: str) -> None:
    for decode in (decode_public, decode_private):
        with contextlib.suppress(KeyFormatError):
            decode(value)


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=1, max_size=120))
def test_base58btc_agrees_with_multiformats(data: bytes) -> None:
    from multiformats import multibase

    from passeport.did.multikey import decode_base58btc, encode_base58btc

    assert encode_base58btc(data) == multibase.encode(data, "base58btc")
    assert decode_base58btc(multibase.encode(data, "base58btc")) == data


def test_base58btc_refuses_characters_outside_the_alphabet_and_huge_inputs() -> None:
    from passeport.did.multikey import decode_base58btc

    for bad in ("z0OIl", "zabc+", "z" + "2" * 9000):
        with pytest.raises(KeyFormatError):
            decode_base58btc(bad)
