"""The wallet's cryptography: a passphrase-derived key (scrypt) and AES-256-GCM records.

Specs: RFC 7914 (scrypt), NIST SP 800-38D (GCM), RFC 5869 (HKDF).

The passphrase gives a key-encryption key through scrypt, with the cost
parameters and salt stored beside the data. That key unwraps a random 256-bit
data key, itself stored AES-GCM-sealed: a wrong passphrase fails the
authentication tag of that one record, which is the "wrong passphrase" check,
and never yields garbage. Every record is sealed under the data key with a
fresh random 96-bit nonce and associated data that binds it to its place (its
record id and what it is, and for a credential's metadata the row's blind
indexes), so records cannot be swapped, nor indexes changed, undetected. The only
module that touches ``cryptography`` for the wallet, and the only one that
catches its ``InvalidTag``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass, field
from typing import Final, Self

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from passeport._json import JsonObject
from passeport.errors import WalletError

__all__ = ["DataKey", "KdfParams", "open_sealed", "seal", "unwrap_key", "wrap_key"]

KEY_BYTES: Final = 32
NONCE_BYTES: Final = 12
SALT_BYTES: Final = 16
_WRAP_AAD: Final = b"passeport-wallet/data-key"
_INDEX_INFO: Final = b"passeport-wallet/index"
# Cost bounds accepted from a file: enough for any sane setting, not a memory bomb.
_MAX_N: Final = 2**20
_MAX_RP: Final = 64


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: object, what: str) -> bytes:
    """Decode base64url as :func:`_b64` wrote it, refusing any other spelling of the bytes.

    A lenient decoder skips stray characters and ignores the unused bits of
    the last one, so a changed character could go unnoticed.
    """
    if not isinstance(text, str):
        raise WalletError(f"corrupt store: {what} is not a string")
    try:
        data = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except ValueError:
        raise WalletError(f"corrupt store: {what} is not base64url") from None
    if _b64(data) != text:
        raise WalletError(f"corrupt store: {what} is not base64url")
    return data


@dataclass(frozen=True, slots=True)
class KdfParams:
    """scrypt parameters and salt (RFC 7914); stored with the data they protect.

    The default cost (N = 2**17, r = 8, p = 1: 128 MiB, about half a second)
    is OWASP's recommendation for scrypt; tests pass a cheaper ``n``.
    """

    salt: bytes
    n: int = 2**17
    r: int = 8
    p: int = 1

    @classmethod
    def fresh(cls, *, n: int = 2**17, r: int = 8, p: int = 1) -> Self:
        """Return parameters with a new random salt."""
        return cls(salt=os.urandom(SALT_BYTES), n=n, r=r, p=p)

    def to_json(self) -> JsonObject:
        """Return the parameters as stored: ``{"name": "scrypt", "n", "r", "p", "salt"}``."""
        return {"name": "scrypt", "n": self.n, "r": self.r, "p": self.p, "salt": _b64(self.salt)}

    @classmethod
    def from_json(cls, value: object) -> Self:
        """Read stored parameters, refusing unknown algorithms and absurd costs.

        Raises:
            WalletError: not scrypt parameters, or out of bounds.
        """
        if not isinstance(value, dict) or value.get("name") != "scrypt":
            raise WalletError("corrupt store: the key derivation is not scrypt")
        n, r, p = value.get("n"), value.get("r"), value.get("p")
        if type(n) is not int or type(r) is not int or type(p) is not int:
            raise WalletError("corrupt store: scrypt parameters are not integers")
        if n < 2 or n > _MAX_N or n & (n - 1) or not 1 <= r <= _MAX_RP or not 1 <= p <= _MAX_RP:
            raise WalletError(
                f"corrupt store: scrypt parameters out of bounds (n={n}, r={r}, p={p})"
            )
        salt = _unb64(value.get("salt"), "the scrypt salt")
        if len(salt) < 8:
            raise WalletError("corrupt store: the scrypt salt is too short")
        return cls(salt=salt, n=n, r=r, p=p)

    def derive(self, passphrase: str) -> bytes:
        """Return the 256-bit key-encryption key of ``passphrase`` (RFC 7914)."""
        if not passphrase:
            raise WalletError("the passphrase is empty")
        kdf = Scrypt(salt=self.salt, length=KEY_BYTES, n=self.n, r=self.r, p=self.p)
        return kdf.derive(passphrase.encode("utf-8"))


def seal(key: bytes, plaintext: bytes, associated: bytes) -> bytes:
    """Return ``nonce || AES-256-GCM(key, plaintext, associated)`` with a random nonce."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated)


def open_sealed(key: bytes, sealed: bytes, associated: bytes, *, what: str) -> bytes:
    """Return the plaintext of :func:`seal`'s output.

    Raises:
        WalletError: the record was altered, moved, or sealed under another key.
    """
    if len(sealed) < NONCE_BYTES + 16:
        raise WalletError(f"corrupt store: {what} is truncated")
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)
    except InvalidTag:
        raise WalletError(f"corrupt store: {what} fails its integrity check") from None


def wrap_key(passphrase: str, params: KdfParams, data_key: bytes) -> str:
    """Seal ``data_key`` under the passphrase's key; the result is also the passphrase check."""
    return _b64(seal(params.derive(passphrase), data_key, _WRAP_AAD))


def unwrap_key(passphrase: str, params: KdfParams, wrapped: object) -> bytes:
    """Return the data key that ``wrapped`` seals under ``passphrase``.

    Raises:
        WalletError: "wrong passphrase" (the tag does not verify), or a corrupt record.
    """
    sealed = _unb64(wrapped, "the wrapped data key")
    try:
        key = open_sealed(params.derive(passphrase), sealed, _WRAP_AAD, what="the data key")
    except WalletError:
        raise WalletError("wrong passphrase") from None
    if len(key) != KEY_BYTES:
        raise WalletError("corrupt store: the data key has the wrong length")
    return key


@dataclass(frozen=True, slots=True, repr=False)
class DataKey:
    """The unwrapped data key: seals records and computes blind index values.

    Its ``repr`` never shows the key.
    """

    secret: bytes
    _aead: AESGCM = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_aead", AESGCM(self.secret))  # built once, used per record

    @classmethod
    def generate(cls) -> Self:
        """Return a new random data key."""
        return cls(os.urandom(KEY_BYTES))

    def seal(self, plaintext: bytes, associated: bytes) -> bytes:
        """Seal a record (see :func:`seal`)."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, associated)

    def open(self, sealed: bytes, associated: bytes, *, what: str) -> bytes:
        """Open a record (see :func:`open_sealed`)."""
        if len(sealed) < NONCE_BYTES + 16:
            raise WalletError(f"corrupt store: {what} is truncated")
        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)
        except InvalidTag:
            raise WalletError(f"corrupt store: {what} fails its integrity check") from None

    def blind(self, value: bytes) -> bytes:
        """Return a keyed digest of ``value`` (HMAC-SHA-256 under an HKDF subkey).

        Used to find duplicates without storing credential ids or hashes in clear.
        """
        subkey = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INDEX_INFO).derive(
            self.secret
        )
        return hmac.new(subkey, value, hashlib.sha256).digest()

    def __repr__(self) -> str:
        return "DataKey(...)"
