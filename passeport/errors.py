"""The one error tree of passeport.

Exceptions are for input that cannot be read at all, for refusals while
signing, and for misuse. Verification outcomes are results, not exceptions.

::

    PasseportError (where: str | None, pointer: str | None)
    ├── InputError      malformed JSON/CSV, bad pointer, oversized input
    ├── ContextError    remote, unknown or tampered context; undefined term
    ├── KeyFormatError  bad multibase/multicodec/JWK; key type the suite refuses
    ├── ResolutionError DID, verification method or status list unobtainable
    ├── SigningError    the suite or engine refuses to sign
    └── WalletError     wrong passphrase, corrupt store

``str(exc)`` is always a single line that names where the problem is, for
example ``diploma.json: /credentialSubject/foo: term "foo" is not defined``.
"""

from __future__ import annotations

__all__ = [
    "ContextError",
    "InputError",
    "KeyFormatError",
    "PasseportError",
    "ResolutionError",
    "SigningError",
    "WalletError",
]


class PasseportError(Exception):
    """Base of every error that passeport raises on purpose.

    Args:
        message: what is wrong, one sentence, no trailing period needed.
        where: the file, URL or row the error is about, when known.
        pointer: an RFC 6901 JSON pointer inside ``where``, when known.
    """

    def __init__(self, message: str, *, where: str | None = None, pointer: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.pointer = pointer

    def located(self, where: str) -> PasseportError:
        """Return this error with ``where`` set when it was not known yet (same class)."""
        if self.where is None:
            self.where = where
        return self

    def __str__(self) -> str:
        parts = [p for p in (self.where,) if p]
        if self.pointer is not None:
            parts.append(self.pointer or "(document root)")
        text = " ".join(self.message.split())
        return ": ".join([*parts, text])


class InputError(PasseportError):
    """Input that cannot be read: malformed JSON or CSV, bad pointer, oversized input."""


class ContextError(PasseportError):
    """A JSON-LD context problem: remote, unknown or tampered context; undefined term."""


class KeyFormatError(PasseportError):
    """A key that cannot be decoded, or a key type that the operation refuses."""


class ResolutionError(PasseportError):
    """A DID, verification method or status list that cannot be obtained."""


class SigningError(PasseportError):
    """The engine or a suite refuses to sign."""


class WalletError(PasseportError):
    """Wrong passphrase or corrupt wallet store."""
