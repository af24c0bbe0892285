"""The multicodec prefix's varint, coded in did/multikey.py, agrees with multiformats (issue 17)."""

from __future__ import annotations

import random

import pytest
from multiformats import varint

from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.did.multikey import _read_varint, _varint, decode_public, encode_base58btc
from passeport.errors import KeyFormatError

NUMBERS = [0, 1, 0x7F, 0x80, 0xED, 0x1200, 0x1201, 0x1300, 0x1306, 0x1307, 2**63 - 1]


def _theirs(data: bytes) -> tuple[int, int] | None:
    try:
        number, length, _ = varint.decode_raw(data)
    except ValueError:
        return None
    return number, length


def _ours(data: bytes) -> tuple[int, int] | None:
    try:
        return _read_varint(data)
    except ValueError:
        return None


@pytest.mark.parametrize("number", NUMBERS)
def test_encoding_agrees(number: int) -> None:
    assert _varint(number) == varint.encode(number)
    assert _read_varint(_varint(number) + b"\x01\x02") == (number, len(_varint(number)))


def test_decoding_agrees_on_random_and_crafted_bytes() -> None:
    rng = random.Random(17)
    cases = [
        b"",
        b"\x80",  # truncated
        b"\xed\x81\x00",  # 0xED with a needless zero group: not minimal
        b"\x80\x00",
        b"\xff" * 9 + b"\x01",  # ten bytes
        b"\xff" * 8 + b"\x7f",  # nine bytes, the longest allowed
        b"\xff" * 8 + b"\x00",
    ]
    cases += [bytes(rng.randrange(256) for _ in range(rng.randrange(12))) for _ in range(3000)]
    # bytes with the continuation bit mostly set, to reach the long and non-minimal forms
    cases += [
        bytes(rng.choice((0x80, 0x81, 0xFF, 0x00, 0x01)) for _ in range(rng.randrange(1, 12)))
        for _ in range(3000)
    ]
    for data in cases:
        assert _ours(data) == _theirs(data), data.hex()


def test_a_non_minimal_prefix_is_refused() -> None:
    key = PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes(32)).public_key
    padded = encode_base58btc(b"\xed\x81\x00" + key.raw_bytes())
    with pytest.raises(KeyFormatError, match="no valid multicodec prefix"):
        decode_public(padded)
