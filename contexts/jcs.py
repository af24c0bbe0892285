"""JSON Canonicalization Scheme (RFC 8785), used by the ``*-jcs-*`` cryptosuites.

Spec: https://www.rfc-editor.org/rfc/rfc8785 .
"""

from __future__ import annotations

from typing import Any

import rfc8785

from passeport.errors import InputError

__all__ = ["canonicalize"]


def canonicalize(value: Any, *, where: str | None = None) -> bytes:
    """Return the RFC 8785 canonical UTF-8 bytes of a JSON value.

    Raises:
        InputError: the value has no canonical form (NaN, infinity, an integer
            outside the IEEE 754 double range, a non-string key).
    """
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise InputError(f"cannot canonicalize with JCS (RFC 8785): {exc}", where=where) from exc
