"""Multikey encoding: multibase base58btc (``z``) over a multicodec-prefixed raw key.

Spec: https://www.w3.org/TR/cid-1.0/#Multikey (Controlled Identifiers 1.0, 2.2.2)
and https://www.w3.org/TR/vc-di-ecdsa/#multikey. Public keys are the raw Ed25519
key or the compressed SEC1 point; secret keys the Ed25519 seed or the EC scalar.
The unsigned varint of the multicodec prefix is coded here, as multiformats
codes it (at most 9 bytes, minimally encoded): importing ``multiformats``
loads its whole codec table, a tenth of a cold ``passeport verify`` (issue 17);
tests check that both agree.
"""

from __future__ import annotations

from typing import Final

from passeport.did.keys import KeyAlgorithm, PrivateKey, PublicKey
from passeport.errors import KeyFormatError

__all__ = [
    "decode_base58btc",
    "decode_private",
    "decode_public",
    "encode_base58btc",
    "encode_private",
    "encode_public",
]

# multicodec code -> (algorithm, raw length)
_PUBLIC_CODECS: Final[dict[int, tuple[KeyAlgorithm, int]]] = {
    0xED: (KeyAlgorithm.ED25519, 32),
    0x1200: (KeyAlgorithm.P256, 33),
    0x1201: (KeyAlgorithm.P384, 49),
}
_PRIVATE_CODECS: Final[dict[int, tuple[KeyAlgorithm, int]]] = {
    0x1300: (KeyAlgorithm.ED25519, 32),
    0x1306: (KeyAlgorithm.P256, 32),
    0x1307: (KeyAlgorithm.P384, 48),
}
_PUBLIC_CODE_OF: Final = {alg: code for code, (alg, _) in _PUBLIC_CODECS.items()}
_PRIVATE_CODE_OF: Final = {alg: code for code, (alg, _) in _PRIVATE_CODECS.items()}


def _shown(value: object) -> str:
    """Return ``value`` quoted and truncated, safe to put in a one-line message."""
    if not isinstance(value, str):
        return f"a {type(value).__name__}"
    text = value if len(value) <= 24 else value[:20] + "..."
    return repr(text)


# Base58btc (the Bitcoin alphabet) is coded here rather than through multiformats,
# whose run-time type validation made it the largest cost of verifying a proof
# after canonicalization; tests check that both agree on every input.
_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_DIGIT = {c: i for i, c in enumerate(_ALPHABET)}
_MAX_BASE58 = 8192  # far above any key or signature; bounds the quadratic decoding


def _b58encode(data: bytes) -> str:
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, rest = divmod(number, 58)
        digits.append(_ALPHABET[rest])
    return "1" * zeros + "".join(reversed(digits))


def _b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + _DIGIT[char]  # KeyError outside the alphabet
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def encode_base58btc(data: bytes) -> str:
    """Encode ``data`` as multibase base58btc (a string starting with ``z``)."""
    return "z" + _b58encode(bytes(data))


def decode_base58btc(value: str, *, where: str | None = None) -> bytes:
    """Decode a multibase base58btc string (``z...``) to bytes.

    Raises:
        KeyFormatError: not a string, no ``z`` prefix, or a character outside base58.
    """
    return _decode(value, _shown(value), where)


def _decode(value: str, shown: str, where: str | None) -> bytes:
    if not isinstance(value, str):
        raise KeyFormatError(
            f"expected a multibase string, got {type(value).__name__}", where=where
        )
    if not value.startswith("z"):
        raise KeyFormatError(
            f"{shown} is not multibase base58btc (it must start with 'z')", where=where
        )
    if len(value) < 2:
        raise KeyFormatError(f"{shown} is empty after its multibase prefix", where=where)
    if len(value) > _MAX_BASE58:
        raise KeyFormatError(f"{shown} is longer than {_MAX_BASE58} characters", where=where)
    try:
        return _b58decode(value[1:])
    except KeyError as exc:
        raise KeyFormatError(f"{shown} is not valid base58btc", where=where) from exc


_MAX_VARINT = 9  # bytes, as multiformats and the unsigned-varint spec allow


def _varint(number: int) -> bytes:
    """Encode ``number`` (>= 0) as an unsigned LEB128 varint."""
    out = bytearray()
    while True:
        low, number = number & 0x7F, number >> 7
        out.append(low | (0x80 if number else 0))
        if not number:
            return bytes(out)


def _read_varint(data: bytes) -> tuple[int, int]:
    """Return the varint at the start of ``data`` and its length in bytes.

    Raises:
        ValueError: truncated, longer than 9 bytes, or not minimally encoded.
    """
    number = 0
    for index, byte in enumerate(data[:_MAX_VARINT]):
        number |= (byte & 0x7F) << (7 * index)
        if not byte & 0x80:
            if index and number < 1 << (7 * index):
                raise ValueError("not minimally encoded")
            return number, index + 1
    raise ValueError("truncated or too long")


def _unwrap(
    value: str, table: dict[int, tuple[KeyAlgorithm, int]], kind: str, where: str | None
) -> tuple[KeyAlgorithm, bytes]:
    # A secret is never echoed, not even truncated: its first characters carry key bits.
    shown = "the secret key value" if kind == "secret" else _shown(value)
    data = _decode(value, shown, where)
    try:
        code, prefix_length = _read_varint(data)
    except ValueError as exc:
        raise KeyFormatError(f"{shown} has no valid multicodec prefix", where=where) from exc
    if code not in table:
        raise KeyFormatError(
            f"{shown} has multicodec 0x{code:x}, not a supported {kind} key", where=where
        )
    algorithm, length = table[code]
    raw = data[prefix_length:]
    if len(raw) != length:
        raise KeyFormatError(
            f"{shown} holds {len(raw)} bytes, but a {algorithm} {kind} key has {length}",
            where=where,
        )
    return algorithm, raw


def encode_public(key: PublicKey) -> str:
    """Return the Multikey ``publicKeyMultibase`` of ``key`` (``z6Mk...``, ``zDn...``, ``z82...``).

    The prefixes are those of Ed25519, P-256 and P-384 keys respectively.
    """
    return encode_base58btc(_varint(_PUBLIC_CODE_OF[key.algorithm]) + key.raw_bytes())


def decode_public(value: str, *, where: str | None = None) -> PublicKey:
    """Decode a Multikey ``publicKeyMultibase``.

    Raises:
        KeyFormatError: bad multibase, unknown multicodec, wrong length, or a point off the curve.
    """
    if isinstance(value, str):
        known = _DECODED.get(value)
        if known is not None:
            return known
    algorithm, raw = _unwrap(value, _PUBLIC_CODECS, "public", where)
    try:
        key = PublicKey.from_raw(algorithm, raw)
    except KeyFormatError as exc:
        raise KeyFormatError(f"{_shown(value)}: {exc.message}", where=where) from exc
    if len(_DECODED) >= _DECODED_MAX:
        _DECODED.clear()  # bounded; a dict's get and set are atomic, so threads may share it
    _DECODED[value] = key
    return key


_DECODED: dict[str, PublicKey] = {}
"""Public keys decoded lately, by their exact Multikey text (a pure function of it).

Every credential of an issuer names the same key; decoding it (base58, the
point check on the curve) was a tenth of checking a vc+jwt. Only keys that
decoded are kept, and a key is immutable.
"""
_DECODED_MAX: Final = 1024


def encode_private(key: PrivateKey) -> str:
    """Return the Multikey ``secretKeyMultibase`` of ``key``. Treat the result as a secret."""
    return encode_base58btc(_varint(_PRIVATE_CODE_OF[key.algorithm]) + key.raw_bytes())


def decode_private(value: str, *, where: str | None = None) -> PrivateKey:
    """Decode a Multikey ``secretKeyMultibase``.

    Raises:
        KeyFormatError: bad multibase, unknown multicodec, wrong length, or a scalar out of range.
            The message never contains the secret beyond its first characters.
    """
    algorithm, raw = _unwrap(value, _PRIVATE_CODECS, "secret", where)
    try:
        return PrivateKey.from_raw(algorithm, raw)
    except KeyFormatError as exc:
        raise KeyFormatError(exc.message, where=where) from exc
