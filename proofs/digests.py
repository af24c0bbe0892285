"""Digests that pin a related resource: ``digestSRI`` and ``digestMultibase``.

Specs: https://www.w3.org/TR/vc-data-model-2.0/#integrity-of-related-resources
(a ``relatedResource`` entry carries either or both),
https://www.w3.org/TR/SRI/#the-integrity-attribute (``digestSRI``: one or more
``hash-expression`` separated by white space, ``sha256``, ``sha384`` or
``sha512`` then ``-`` and the base64 digest) and
https://www.w3.org/TR/vc-data-integrity/#resource-integrity
(``digestMultibase``: one string or a list, each a multibase-encoded
multihash).

The rules when matching bytes against a claim:

- ``digestSRI`` follows SRI: only the expressions of the strongest algorithm
  given count, and one of them must match. An expression of an algorithm SRI
  does not define is ignored, as SRI says, but a value with none that we can
  compute is refused (SRI would let anything through).
- every ``digestMultibase`` value must match. Only the SHA-2 and SHA-3
  functions of 256 bits and more are accepted, with their full length
  (a truncated or identity multihash pins nothing).

This is the one module that decodes multibase and multihash values (the
``multiformats`` library); its errors become :class:`~passeport.errors.InputError`.

>>> claim = related_digests(digest_sri=sri_of(b"hello"))
>>> claim.matches(b"hello"), claim.matches(b"hullo")
(True, False)
>>> multibase_of(b"hello", "sha2-256")
'uEiAs8k26X7CjDiboOyrFueKeGxYeXB-nQl5zBDNik4uYJA'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from passeport.errors import InputError

__all__ = [
    "MULTIHASH_FUNCTIONS",
    "SRI_ALGORITHMS",
    "Digest",
    "RelatedDigests",
    "multibase_of",
    "related_digests",
    "sri_of",
]

SRI_ALGORITHMS: Final = ("sha256", "sha384", "sha512")
"""The hash algorithms of SRI, weakest first (SRI picks the strongest given)."""

MULTIHASH_FUNCTIONS: Final = (
    "sha2-256",
    "sha2-384",
    "sha2-512",
    "sha3-256",
    "sha3-384",
    "sha3-512",
)
"""The multihash functions accepted in ``digestMultibase``."""

_HASHES: Final[dict[str, Callable[[bytes], bytes]]] = {
    "sha256": lambda data: hashlib.sha256(data).digest(),
    "sha384": lambda data: hashlib.sha384(data).digest(),
    "sha512": lambda data: hashlib.sha512(data).digest(),
    "sha2-256": lambda data: hashlib.sha256(data).digest(),
    "sha2-384": lambda data: hashlib.sha384(data).digest(),
    "sha2-512": lambda data: hashlib.sha512(data).digest(),
    "sha3-256": lambda data: hashlib.sha3_256(data).digest(),
    "sha3-384": lambda data: hashlib.sha3_384(data).digest(),
    "sha3-512": lambda data: hashlib.sha3_512(data).digest(),
}
_SIZES: Final = {name: len(hash_of(b"")) for name, hash_of in _HASHES.items()}
# SRI hash-expression: hash-algo "-" base64-value [ "?" option ]; CSP's base64-value
# takes both alphabets (base64 and base64url), with up to two "=".
_SRI_EXPRESSION: Final = re.compile(r"([A-Za-z0-9]+)-([A-Za-z0-9+/_\-]+={0,2})(?:\?.*)?")
_MAX_VALUES: Final = 16
_SHOWN: Final = 60


def _shown(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…")


@dataclass(frozen=True, slots=True)
class Digest:
    """One digest: the hash function's name (``sha384``, ``sha2-256``...) and its value."""

    algorithm: str
    value: bytes

    def matches(self, data: bytes) -> bool:
        """Tell whether ``data`` hashes to this digest (in constant time)."""
        return hmac.compare_digest(_HASHES[self.algorithm](data), self.value)


@dataclass(frozen=True, slots=True)
class RelatedDigests:
    """What one resource is claimed to hash to: its SRI and multibase digests."""

    sri: tuple[Digest, ...] = ()
    multibase: tuple[Digest, ...] = ()

    def matches(self, data: bytes) -> bool:
        """Tell whether ``data`` is the resource claimed (see the module for the rules)."""
        if not self.sri and not self.multibase:
            return False
        if self.sri:
            strongest = max(SRI_ALGORITHMS.index(d.algorithm) for d in self.sri)
            chosen = [d for d in self.sri if SRI_ALGORITHMS.index(d.algorithm) == strongest]
            if not any(digest.matches(data) for digest in chosen):
                return False
        return all(digest.matches(data) for digest in self.multibase)


def _strings(value: Any, member: str) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) for item in items):
        raise InputError(f"{member} must be a string or a list of strings")
    if len(items) > _MAX_VALUES:
        raise InputError(f"{member} holds more than {_MAX_VALUES} values")
    return [str(item) for item in items]


def _sri(value: Any) -> tuple[Digest, ...]:
    found: list[Digest] = []
    for text in _strings(value, "digestSRI"):
        for token in text.split():
            match = _SRI_EXPRESSION.fullmatch(token)
            if match is None:
                raise InputError(
                    f"digestSRI {_shown(token)} is not an SRI hash expression "
                    '(like "sha384-" then the base64 digest)'
                )
            algorithm = match[1].lower()
            if algorithm not in SRI_ALGORITHMS:
                continue  # SRI: an unknown algorithm is ignored
            encoded = match[2].replace("-", "+").replace("_", "/")
            try:
                raw = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
            except (binascii.Error, ValueError):
                raise InputError(f"digestSRI {_shown(token)} is not valid base64") from None
            if len(raw) != _SIZES[algorithm]:
                raise InputError(
                    f"digestSRI {_shown(token)} holds {len(raw)} bytes, "
                    f"not the {_SIZES[algorithm]} of {algorithm}"
                )
            found.append(Digest(algorithm, raw))
    if not found:
        raise InputError(
            f"digestSRI {_shown(value)} holds no digest of {', '.join(SRI_ALGORITHMS)}"
        )
    return tuple(found)


def _multibase(value: Any) -> tuple[Digest, ...]:
    from multiformats import multibase, multihash  # lazy: only a related resource needs it

    found: list[Digest] = []
    for text in _strings(value, "digestMultibase"):
        try:
            raw = multibase.decode(text)
            function = multihash.from_digest(raw).name
            _code, digest = multihash.unwrap_raw(raw)
        except Exception as exc:  # multiformats and bases raise many kinds; all are wrapped
            detail = " ".join(str(exc).split())[:120] or type(exc).__name__
            raise InputError(
                f"digestMultibase {_shown(text)} is not a multibase multihash ({detail})"
            ) from None
        if function not in MULTIHASH_FUNCTIONS:
            raise InputError(
                f"digestMultibase {_shown(text)} uses {function}; accepted: "
                f"{', '.join(MULTIHASH_FUNCTIONS)}"
            )
        if len(digest) != _SIZES[function]:
            raise InputError(
                f"digestMultibase {_shown(text)} is a truncated {function} digest "
                f"({len(digest)} bytes, not {_SIZES[function]})"
            )
        found.append(Digest(function, bytes(digest)))
    return tuple(found)


def related_digests(*, digest_sri: Any = None, digest_multibase: Any = None) -> RelatedDigests:
    """Read the ``digestSRI`` and ``digestMultibase`` values of one entry (None: absent).

    Raises:
        InputError: neither is given, or one is not a well-formed value of an
            accepted algorithm (the message quotes it).
    """
    if digest_sri is None and digest_multibase is None:
        raise InputError("no digestSRI nor digestMultibase")
    return RelatedDigests(
        sri=_sri(digest_sri) if digest_sri is not None else (),
        multibase=_multibase(digest_multibase) if digest_multibase is not None else (),
    )


def sri_of(data: bytes, algorithm: str = "sha384") -> str:
    """Return the ``digestSRI`` value of ``data`` (``sha384`` by default, as VC 2.0 advises).

    Raises:
        ValueError: ``algorithm`` is not one of :data:`SRI_ALGORITHMS`.
    """
    if algorithm not in SRI_ALGORITHMS:
        raise ValueError(f"unknown SRI algorithm {algorithm!r} (known: {SRI_ALGORITHMS})")
    return f"{algorithm}-{base64.b64encode(_HASHES[algorithm](data)).decode('ascii')}"


def multibase_of(data: bytes, function: str = "sha2-384") -> str:
    """Return the ``digestMultibase`` value of ``data``: a base64url (``u``) multihash.

    Raises:
        ValueError: ``function`` is not one of :data:`MULTIHASH_FUNCTIONS`.
    """
    if function not in MULTIHASH_FUNCTIONS:
        raise ValueError(f"unknown multihash function {function!r} (known: {MULTIHASH_FUNCTIONS})")
    from multiformats import multibase, multihash

    wrapped = multihash.wrap(_HASHES[function](data), function)
    return str(multibase.encode(wrapped, "base64url"))
