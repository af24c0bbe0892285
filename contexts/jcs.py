"""JSON Canonicalization Scheme (RFC 8785), used by the ``*-jcs-*`` cryptosuites.

Spec: https://www.rfc-editor.org/rfc/rfc8785 . RFC 8785 reads every JSON
number as an IEEE 754 double (section 3.2.2.3): an integer such as ``1e16`` or
``2**53``, which a double represents exactly, is serialized as that double is
(``10000000000000000``), as the JavaScript implementations sign it. An
integer that no double represents exactly (``2**53 + 1``) has no canonical
form: a JavaScript signer would have signed its neighbour, so it is refused.

Most documents hold only objects with ASCII member names, arrays, strings,
safe integers, booleans and null: for those, Python's own JSON encoder
(sorted members, no spaces, no ASCII escaping) writes exactly the RFC 8785
bytes, several times faster than the general serializer, which every other
value goes through (see :func:`_plain`).
"""

from __future__ import annotations

import json
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


_PLAIN_DEPTH = 64


def _plain(value: Any, depth: int = 0) -> bool:
    """Tell whether ``json.dumps`` writes ``value`` as RFC 8785 does (then it is faster).

    That holds for exact ``dict``, ``list``, ``str``, ``bool``, ``None`` and
    ``int`` values within +-(2**53 - 1), nested at most :data:`_PLAIN_DEPTH`
    deep, whose member names are ASCII: both escape the same characters of a
    string the same way (``"``, backslash, and U+0000..U+001F, five of them
    by their short form, the rest as lower-case ``\\u00xx``) and write the
    rest raw; ASCII names sort the same by code point as by UTF-16 code unit
    (RFC 8785 3.2.3). Floats (ECMAScript's number form), other types, larger
    integers, other names and deeper values take the general serializer.
    """
    kind = type(value)
    if kind is dict:
        if depth >= _PLAIN_DEPTH:
            return False
        for key, item in value.items():
            if type(key) is not str or not key.isascii():
                return False
            if type(item) is not str and not _plain(item, depth + 1):
                return False
        return True
    if kind is list:
        if depth >= _PLAIN_DEPTH:
            return False
        for item in value:  # noqa: SIM110 (a loop is faster than all() over a generator)
            if type(item) is not str and not _plain(item, depth + 1):
                return False
        return True
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return bool(-_SAFE <= value <= _SAFE)
    return False


def canonicalize(value: Any, *, where: str | None = None) -> bytes:
    """Return the RFC 8785 canonical UTF-8 bytes of a JSON value.

    Raises:
        InputError: the value has no canonical form (NaN, infinity, an integer
            no IEEE 754 double represents exactly, a lone surrogate, a
            non-string key).
    """
    if _plain(value):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: the general serializer names the error
    return _canonicalize(value, where)


def _canonicalize(value: Any, where: str | None) -> bytes:
    """Serialize ``value`` with the general RFC 8785 serializer (``rfc8785``)."""
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
