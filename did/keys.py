"""Ed25519, P-256 and P-384 keys as typed objects with named constructors.

This module is the only place that touches pyca/cryptography key objects and the
only place that catches its ``InvalidSignature``. Signatures are raw: Ed25519
signatures are 64 bytes (RFC 8032); ECDSA signatures are ``r || s``, each
left-padded to the curve size (IEEE P1363), as Data Integrity and JOSE use them.
ECDSA hashes ``data`` itself: SHA-256 on P-256, SHA-384 on P-384; signing is
deterministic (RFC 6979).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Self

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from passeport.errors import KeyFormatError

__all__ = ["KeyAlgorithm", "PrivateKey", "PublicKey"]


class KeyAlgorithm(StrEnum):
    """The signature algorithms passeport supports, named as JWK ``crv`` names them."""

    ED25519 = "Ed25519"
    P256 = "P-256"
    P384 = "P-384"


_CURVES: Final[dict[KeyAlgorithm, ec.EllipticCurve]] = {
    KeyAlgorithm.P256: ec.SECP256R1(),
    KeyAlgorithm.P384: ec.SECP384R1(),
}
_HASHES: Final[dict[KeyAlgorithm, type[hashes.HashAlgorithm]]] = {
    KeyAlgorithm.P256: hashes.SHA256,
    KeyAlgorithm.P384: hashes.SHA384,
}
_SIZES: Final[dict[KeyAlgorithm, int]] = {
    KeyAlgorithm.ED25519: 32,
    KeyAlgorithm.P256: 32,
    KeyAlgorithm.P384: 48,
}

_PyPublic = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey
_PyPrivate = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey


def _algorithm(value: KeyAlgorithm | str) -> KeyAlgorithm:
    try:
        return KeyAlgorithm(value)
    except ValueError:
        raise KeyFormatError(f"unsupported key algorithm {value!r}") from None


def _algorithm_of(key: _PyPublic | _PyPrivate) -> KeyAlgorithm:
    if isinstance(key, ed25519.Ed25519PublicKey | ed25519.Ed25519PrivateKey):
        return KeyAlgorithm.ED25519
    for algorithm, curve in _CURVES.items():
        if key.curve.name == curve.name:
            return algorithm
    raise KeyFormatError(f"unsupported elliptic curve {key.curve.name}")


@dataclass(frozen=True, slots=True, eq=False)
class PublicKey:
    """A public key; compare keys with ``==`` (same algorithm, same bytes).

    Build one with :meth:`from_raw` or from :attr:`PrivateKey.public_key`.
    """

    _key: _PyPublic

    @classmethod
    def from_raw(cls, algorithm: KeyAlgorithm | str, data: bytes) -> Self:
        """Load a raw public key: 32 bytes for Ed25519, an SEC1 point for P-256/P-384.

        Raises:
            KeyFormatError: wrong length, or a point that is not on the curve.
        """
        alg = _algorithm(algorithm)
        try:
            if alg is KeyAlgorithm.ED25519:
                if len(data) != 32:
                    raise KeyFormatError(f"Ed25519 public key must be 32 bytes, not {len(data)}")
                return cls(ed25519.Ed25519PublicKey.from_public_bytes(bytes(data)))
            return cls(ec.EllipticCurvePublicKey.from_encoded_point(_CURVES[alg], bytes(data)))
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise KeyFormatError(f"{alg} public key is not a valid point on the curve") from exc

    @property
    def algorithm(self) -> KeyAlgorithm:
        """The key's algorithm."""
        return _algorithm_of(self._key)

    def raw_bytes(self) -> bytes:
        """Return 32 bytes for Ed25519, the compressed SEC1 point for P-256/P-384."""
        if isinstance(self._key, ed25519.Ed25519PublicKey):
            return self._key.public_bytes_raw()
        return self._key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )

    def verify(self, signature: bytes, data: bytes) -> bool:
        """Return whether ``signature`` is a valid raw signature of ``data`` by this key.

        Never raises on a bad or malformed signature: it returns False.
        """
        try:
            if isinstance(self._key, ed25519.Ed25519PublicKey):
                if len(signature) != 64:
                    return False
                self._key.verify(bytes(signature), bytes(data))
                return True
            alg = self.algorithm
            size = _SIZES[alg]
            if len(signature) != 2 * size:
                return False
            r = int.from_bytes(signature[:size], "big")
            s = int.from_bytes(signature[size:], "big")
            if r == 0 or s == 0:
                return False
            der = encode_dss_signature(r, s)
            self._key.verify(der, bytes(data), ec.ECDSA(_HASHES[alg]()))
            return True
        except (InvalidSignature, ValueError, TypeError):
            return False

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PublicKey):
            return NotImplemented
        return self.algorithm is other.algorithm and self.raw_bytes() == other.raw_bytes()

    def __hash__(self) -> int:
        return hash((self.algorithm, self.raw_bytes()))

    def __repr__(self) -> str:
        return f"PublicKey({self.algorithm}, {self.raw_bytes().hex()})"


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class PrivateKey:
    """A private (signing) key. Its ``repr`` never shows the secret.

    Build one with :meth:`generate` or :meth:`from_raw`.
    """

    _key: _PyPrivate

    @classmethod
    def generate(cls, algorithm: KeyAlgorithm | str) -> Self:
        """Generate a fresh random key for ``algorithm``."""
        alg = _algorithm(algorithm)
        if alg is KeyAlgorithm.ED25519:
            return cls(ed25519.Ed25519PrivateKey.generate())
        return cls(ec.generate_private_key(_CURVES[alg]))

    @classmethod
    def from_raw(cls, algorithm: KeyAlgorithm | str, secret: bytes) -> Self:
        """Load a secret: the 32-byte Ed25519 seed, or the big-endian EC scalar (32 or 48 bytes).

        Raises:
            KeyFormatError: wrong length, or a scalar outside ``[1, n-1]``.
        """
        alg = _algorithm(algorithm)
        size = _SIZES[alg]
        if len(secret) != size:
            raise KeyFormatError(f"{alg} secret key must be {size} bytes, not {len(secret)}")
        try:
            if alg is KeyAlgorithm.ED25519:
                return cls(ed25519.Ed25519PrivateKey.from_private_bytes(bytes(secret)))
            return cls(ec.derive_private_key(int.from_bytes(secret, "big"), _CURVES[alg]))
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise KeyFormatError(f"{alg} secret key is out of range") from exc

    @property
    def algorithm(self) -> KeyAlgorithm:
        """The key's algorithm."""
        return _algorithm_of(self._key)

    @property
    def public_key(self) -> PublicKey:
        """The matching public key."""
        return PublicKey(self._key.public_key())

    def raw_bytes(self) -> bytes:
        """Return the secret: the Ed25519 seed or the fixed-length big-endian EC scalar."""
        if isinstance(self._key, ed25519.Ed25519PrivateKey):
            return self._key.private_bytes_raw()
        size = _SIZES[self.algorithm]
        return self._key.private_numbers().private_value.to_bytes(size, "big")

    def sign(self, data: bytes) -> bytes:
        """Sign ``data``; return a raw signature (64 bytes, or ``r || s`` of 64/96 bytes)."""
        if isinstance(self._key, ed25519.Ed25519PrivateKey):
            return self._key.sign(bytes(data))
        alg = self.algorithm
        size = _SIZES[alg]
        der = self._key.sign(bytes(data), ec.ECDSA(_HASHES[alg](), deterministic_signing=True))
        r, s = decode_dss_signature(der)
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PrivateKey):
            return NotImplemented
        return self.algorithm is other.algorithm and hmac.compare_digest(
            self.raw_bytes(), other.raw_bytes()
        )

    def __hash__(self) -> int:
        return hash((self.algorithm, self.public_key.raw_bytes()))

    def __repr__(self) -> str:
        return f"PrivateKey({self.algorithm}, public={self.public_key.raw_bytes().hex()})"
