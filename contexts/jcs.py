"""JSON Canonicalization Scheme (RFC 8785), used by the ``*-jcs-*`` cryptosuites.

Spec: https://www.rfc-editor.org/rfc/rfc8785 . RFC 8785 reads every JSON
number as an IEEE 754 double (section 3.2.2.3): an integer such as ``1e16`` or
``2**53``, which a double represents exactly, is serialized as that double is
(``10000000000000000``), as the JavaScript implementations sign it. An
integer that no double represents exactly (``2**53 + 1``) has no canonical
form: a JavaScript signer would have signed its neighbour, so it is refused.
"""

from __future__ import annotations

from typing import Any

import rfc8785

from passeport.errors import InputError

__all__ = ["canonicalize", "exact_double"]

_SAFE = 2**53 - 1


def exact_double(number: int) -> float | None:
    """Return the double equal to ``number``, or None when no double is."""
    try:
        double = float(number)
    except OverflowError:
        return None
    return double if int(double) == number else None


def _as_doubles(value: Any, where: str | None) -> Any:
    """Return ``value`` with every integer outside the safe range as its exact double."""
    if isinstance(value, dict):
        return {key: _as_doubles(item, where) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_as_doubles(item, where) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _SAFE:
        double = exact_double(value)
        if double is None:
            raise InputError(
                f"cannot canonicalize with JCS (RFC 8785): {value} is not exactly an IEEE 754 "
                "double (a JSON number is one there)",
                where=where,
            )
        return double
    return value


def canonicalize(value: Any, *, where: str | None = None) -> bytes:
    """Return the RFC 8785 canonical UTF-8 bytes of a JSON value.

    Raises:
        InputError: the value has no canonical form (NaN, infinity, an integer
            no IEEE 754 double represents exactly, a lone surrogate, a
            non-string key).
    """
    try:
        return rfc8785.dumps(value)
    except rfc8785.IntegerDomainError:
        pass  # an integer beyond 2**53 - 1: read as the double it is, below
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise InputError(f"cannot canonicalize with JCS (RFC 8785): {exc}", where=where) from exc
    try:
        return rfc8785.dumps(_as_doubles(value, where))
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise InputError(f"cannot canonicalize with JCS (RFC 8785): {exc}", where=where) from exc
