"""The ``ecdsa-sd-2023`` proof value codec: base and derived ``proofValue`` strings.

Spec: https://www.w3.org/TR/vc-di-ecdsa/#selective-disclosure-functions
(VC-DI-ECDSA 3.5.2, 3.5.3, 3.5.7, 3.5.8). A proof value is ``u`` (multibase
base64url, no padding) followed by a three-byte header (``0xd95d00`` for a
base proof, ``0xd95d01`` for a derived one) and an untagged CBOR array of
five components. Parsing checks the shape of every component and raises
:class:`InputError` naming what is wrong; cbor2's exceptions never leak.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import cbor2

from passeport.errors import InputError
from passeport.proofs._sd_labels import (
    compress_label_map,
    decode_base64url,
    decompress_label_map,
    encode_base64url,
)

__all__ = [
    "BASE_HEADER",
    "DERIVED_HEADER",
    "P256_PUBLIC",
    "BaseProofValue",
    "DerivedProofValue",
    "parse_proof_value",
    "serialize_proof_value",
]

BASE_HEADER: Final = b"\xd9\x5d\x00"
DERIVED_HEADER: Final = b"\xd9\x5d\x01"
P256_PUBLIC: Final = b"\x80\x24"  # multicodec p256-pub (0x1200) as a varint


@dataclass(frozen=True, slots=True)
class BaseProofValue:
    """The five components of a base proof value (VC-DI-ECDSA 3.5.2)."""

    base_signature: bytes
    public_key: bytes  # proof-scoped P-256 key, Multikey bytes (0x8024 + compressed point)
    hmac_key: bytes
    signatures: tuple[bytes, ...]
    mandatory_pointers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DerivedProofValue:
    """The five components of a derived (disclosure) proof value (VC-DI-ECDSA 3.5.7)."""

    base_signature: bytes
    public_key: bytes
    signatures: tuple[bytes, ...]
    label_map: Mapping[str, str]  # verifier's c14nN -> HMAC label u...
    mandatory_indexes: tuple[int, ...]


def serialize_proof_value(value: BaseProofValue | DerivedProofValue) -> str:
    """Encode a proof value: ``u`` + base64url(header + untagged CBOR array) (3.5.2, 3.5.7)."""
    if isinstance(value, BaseProofValue):
        header = BASE_HEADER
        items: list[Any] = [
            value.base_signature,
            value.public_key,
            value.hmac_key,
            list(value.signatures),
            list(value.mandatory_pointers),
        ]
    else:
        header = DERIVED_HEADER
        items = [
            value.base_signature,
            value.public_key,
            list(value.signatures),
            compress_label_map(value.label_map),
            list(value.mandatory_indexes),
        ]
    return "u" + encode_base64url(header + cbor2.dumps(items))


def _bytes(value: Any, sizes: Sequence[int], what: str) -> bytes:
    if not isinstance(value, bytes) or len(value) not in sizes:
        lengths = " or ".join(str(n) for n in sizes)
        raise InputError(f"proofValue: {what} must be a byte string of {lengths} bytes")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise InputError(f"proofValue: {what} must be an array")
    return value


_MAX_CBOR_DEPTH: Final = 3
"""A proofValue is an array of byte strings, arrays and one map: never deeper than this."""


def _check_cbor_form(payload: bytes) -> None:
    """Refuse, before decoding, CBOR that no ecdsa-sd-2023 proofValue can be.

    Walked without recursion: nesting deeper than :data:`_MAX_CBOR_DEPTH`,
    a length longer than what is left, indefinite lengths, tags, floats and
    simple values (a proofValue has none) are refused, so a crafted value
    costs its length and nothing more.

    Raises:
        InputError: naming what is not allowed.
    """
    size = len(payload)
    position = 0
    pending = [1]  # items still to read at each open level; the top holds one value
    while pending:
        if pending[-1] == 0:
            pending.pop()
            continue
        pending[-1] -= 1
        if position >= size:
            raise InputError("proofValue: the CBOR value is truncated")
        initial = payload[position]
        position += 1
        major, info = initial >> 5, initial & 0x1F
        if info < 24:
            argument = info
        elif info <= 27:
            width = 1 << (info - 24)
            if position + width > size:
                raise InputError("proofValue: the CBOR value is truncated")
            argument = int.from_bytes(payload[position : position + width], "big")
            position += width
        else:
            raise InputError("proofValue: indefinite or reserved CBOR lengths are not allowed")
        if major in (0, 1):
            continue
        if major in (2, 3):
            if argument > size - position:
                raise InputError("proofValue: a CBOR string is longer than the value")
            position += argument
            continue
        if major in (4, 5):
            if len(pending) > _MAX_CBOR_DEPTH:
                raise InputError(f"proofValue: CBOR nested deeper than {_MAX_CBOR_DEPTH} levels")
            count = argument * (2 if major == 5 else 1)
            if count > size - position:  # each item takes one byte at least
                raise InputError("proofValue: a CBOR array or map is longer than the value")
            pending.append(count)
            continue
        raise InputError("proofValue: CBOR tags, floats and simple values are not allowed")


def parse_proof_value(proof_value: Any) -> BaseProofValue | DerivedProofValue:
    """Decode a base or derived ``proofValue`` and check the shape of its components.

    Raises:
        InputError: not ``u`` + base64url, an unknown header, or malformed CBOR.
    """
    # VC-DI-ECDSA 3.5.3 / 3.5.8 step 1-3: multibase base64url, then the header.
    if not isinstance(proof_value, str) or not proof_value.startswith("u"):
        raise InputError("proofValue is not multibase base64url (it must start with 'u')")
    data = decode_base64url(proof_value[1:], what="proofValue")
    header, payload = data[:3], data[3:]
    if header not in (BASE_HEADER, DERIVED_HEADER):
        raise InputError("proofValue has no ecdsa-sd-2023 header (0xd95d00 or 0xd95d01)")
    _check_cbor_form(payload)
    stream = io.BytesIO(payload)
    try:
        items = cbor2.CBORDecoder(stream, allow_duplicate_keys=False).decode()
    except (cbor2.CBORError, ValueError, TypeError, RecursionError) as exc:
        raise InputError(f"proofValue is not valid CBOR: {exc}") from exc
    if stream.tell() != len(payload):
        raise InputError("proofValue has bytes after its CBOR value")
    if not isinstance(items, list) or len(items) != 5:
        raise InputError("proofValue must hold an array of five components")
    signature = _bytes(items[0], (64, 96), "the base signature")
    public_key = _bytes(items[1], (35,), "the proof-scoped public key")
    if not public_key.startswith(P256_PUBLIC):
        raise InputError("proofValue: the proof-scoped public key is not a P-256 Multikey")
    if header == BASE_HEADER:
        hmac_key = _bytes(items[2], (32, 48), "the HMAC key")
        signatures = [_bytes(s, (64,), "each signature") for s in _list(items[3], "signatures")]
        pointers = _list(items[4], "mandatory pointers")
        if not all(isinstance(p, str) for p in pointers):
            raise InputError("proofValue: mandatory pointers must be strings")
        return BaseProofValue(signature, public_key, hmac_key, tuple(signatures), tuple(pointers))
    signatures = [_bytes(s, (64,), "each signature") for s in _list(items[2], "signatures")]
    labels = items[3]
    if not isinstance(labels, dict) or not all(
        isinstance(k, int) and not isinstance(k, bool) and k >= 0 for k in labels
    ):
        raise InputError("proofValue: the label map must map integers to byte strings")
    compressed = {k: _bytes(v, (32, 48), "each label") for k, v in labels.items()}
    indexes = _list(items[4], "mandatory indexes")
    if not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in indexes):
        raise InputError("proofValue: mandatory indexes must be non-negative integers")
    return DerivedProofValue(
        signature,
        public_key,
        tuple(signatures),
        decompress_label_map(compressed),
        tuple(indexes),
    )
