"""JSON Web Keys (RFC 7517/7518/8037) for Ed25519 (``OKP``), P-256 and P-384 (``EC``).

Public JWKs carry ``kty``, ``crv``, ``x`` (and ``y`` for EC); private JWKs add ``d``.
Members are base64url without padding, fixed-length as RFC 7518 6.2 requires.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Final

from cryptography.hazmat.primitives.asymmetric import ec

from passeport._json import JsonObject
from passeport.did.keys import KeyAlgorithm, PrivateKey, PublicKey
from passeport.errors import KeyFormatError

__all__ = ["private_from_jwk", "private_to_jwk", "public_from_jwk", "public_to_jwk"]

_SIZES: Final = {KeyAlgorithm.ED25519: 32, KeyAlgorithm.P256: 32, KeyAlgorithm.P384: 48}
_CURVES: Final[dict[KeyAlgorithm, ec.EllipticCurve]] = {
    KeyAlgorithm.P256: ec.SECP256R1(),
    KeyAlgorithm.P384: ec.SECP384R1(),
}


def b64url_encode(data: bytes) -> str:
    """Encode ``data`` as base64url without padding (RFC 7515 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(value: str, *, where: str | None = None, what: str = "value") -> bytes:
    """Decode base64url with or without padding; reject anything else.

    Raises:
        KeyFormatError: not a string, or not base64url.
    """
    if not isinstance(value, str) or not value.isascii():
        raise KeyFormatError(f"{what} is not a base64url string", where=where)
    if "=" in value.rstrip("=") or "+" in value or "/" in value:
        raise KeyFormatError(f"{what} is not base64url", where=where)
    try:
        return base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
    except (binascii.Error, ValueError) as exc:
        raise KeyFormatError(f"{what} is not base64url", where=where) from exc


def _algorithm_of(jwk: Mapping[str, object], where: str | None) -> KeyAlgorithm:
    if not isinstance(jwk, Mapping):
        raise KeyFormatError("a JWK must be a JSON object", where=where)
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty == "OKP" and crv == "Ed25519":
        return KeyAlgorithm.ED25519
    if kty == "EC" and crv in ("P-256", "P-384"):
        return KeyAlgorithm(str(crv))
    raise KeyFormatError(
        f"unsupported JWK kty={kty!r} crv={crv!r} (expected OKP/Ed25519, EC/P-256 or EC/P-384)",
        where=where,
    )


def _member(jwk: Mapping[str, object], name: str, size: int, where: str | None) -> bytes:
    raw = jwk.get(name)
    if raw is None:
        raise KeyFormatError(f"JWK has no {name!r} member", where=where)
    if not isinstance(raw, str):
        raise KeyFormatError(f"JWK member {name!r} is not a string", where=where)
    value = b64url_decode(raw, where=where, what=f"JWK member {name!r}")
    if len(value) != size:
        raise KeyFormatError(
            f"JWK member {name!r} holds {len(value)} bytes, expected {size}", where=where
        )
    return value


def public_to_jwk(key: PublicKey) -> JsonObject:
    """Return the public JWK of ``key``: ``{"kty", "crv", "x"[, "y"]}``."""
    if key.algorithm is KeyAlgorithm.ED25519:
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(key.raw_bytes())}
    size = _SIZES[key.algorithm]
    point = ec.EllipticCurvePublicKey.from_encoded_point(_CURVES[key.algorithm], key.raw_bytes())
    numbers = point.public_numbers()
    return {
        "kty": "EC",
        "crv": str(key.algorithm),
        "x": b64url_encode(numbers.x.to_bytes(size, "big")),
        "y": b64url_encode(numbers.y.to_bytes(size, "big")),
    }


def private_to_jwk(key: PrivateKey) -> JsonObject:
    """Return the private JWK of ``key`` (the public members plus ``d``). Treat it as a secret."""
    jwk = public_to_jwk(key.public_key)
    jwk["d"] = b64url_encode(key.raw_bytes())
    return jwk


def public_from_jwk(jwk: Mapping[str, object], *, where: str | None = None) -> PublicKey:
    """Load the public key of a JWK; a private member ``d``, if present, is ignored.

    Raises:
        KeyFormatError: unknown ``kty``/``crv``, bad or missing members, point off the curve.
    """
    algorithm = _algorithm_of(jwk, where)
    size = _SIZES[algorithm]
    x = _member(jwk, "x", size, where)
    if algorithm is KeyAlgorithm.ED25519:
        return PublicKey.from_raw(algorithm, x)
    y = _member(jwk, "y", size, where)
    try:
        return PublicKey.from_raw(algorithm, b"\x04" + x + y)
    except KeyFormatError as exc:
        raise KeyFormatError(exc.message, where=where) from exc


def private_from_jwk(jwk: Mapping[str, object], *, where: str | None = None) -> PrivateKey:
    """Load the private key of a JWK and check that ``x``/``y`` belong to it.

    Raises:
        KeyFormatError: no ``d``, bad members, or public members that do not match ``d``.
    """
    public = public_from_jwk(jwk, where=where)
    algorithm = public.algorithm
    secret = _member(jwk, "d", _SIZES[algorithm], where)
    try:
        private = PrivateKey.from_raw(algorithm, secret)
    except KeyFormatError as exc:
        raise KeyFormatError(exc.message, where=where) from exc
    if private.public_key != public:
        raise KeyFormatError("JWK private member 'd' does not match its public key", where=where)
    return private
