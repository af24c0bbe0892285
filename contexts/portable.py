"""What an issuer refuses to sign because other implementations would read it differently.

A verifier follows the specifications; an issuer must also make sure that
what it signs verifies everywhere. Found by running generated credentials
through the JavaScript reference (``tests/data/interop/dbjs/differential``):

- numbers: an integer of 2**53 and above (JavaScript parsers round it, and
  RFC 8785 libraries refuse it), one that no IEEE 754 double represents
  exactly, NaN or infinity, and a number below 1e-6 in magnitude written with
  an exponent (jsonld.js canonicalizes ``1e-7`` as the integer 0, not as the
  ``xsd:double`` JSON-LD 1.1 prescribes). Write such a value as a string;
- ``id`` values that are blank-node identifiers (``_:b1``) or relative IRIs
  (VC 2.0 ids are URLs), or IRIs with a character N-Quads forbids;
- ``@direction`` (canonicalization drops it, so it would not be signed);
- ``validFrom``/``validUntil`` (``issuanceDate``/``expirationDate`` in VC 1.1)
  that are not an XML Schema ``dateTimeStamp`` (``2020-01-01`` and
  ``2020-01-01t00:00:00z`` are refused by the verifiers, this one included),
  and a VC 1.1 credential without ``issuanceDate``.

Specs: https://www.rfc-editor.org/rfc/rfc8785#section-3.2.2.3 (numbers),
https://www.rfc-editor.org/rfc/rfc7493#section-2.2 (I-JSON),
https://www.w3.org/TR/vc-data-model-2.0/#identifiers and
https://www.w3.org/TR/vc-data-model-2.0/#validity-period .
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from passeport.contexts import _pyld
from passeport.contexts.jcs import exact_double
from passeport.errors import SigningError

__all__ = ["check_portable"]

_SAFE: Final = 2**53 - 1
_SMALLEST: Final = 1e-6
# JSON-LD 1.1 reads an integer-valued number below 1e21 as an xsd:integer.
_DOUBLE_FROM: Final = 1e21
_NOT_IN_IRIREF: Final = re.compile(r'[\x00-\x20<>"{}|^`\\]')
# XML Schema dateTimeStamp: a time zone is required; T and Z are upper case.
_DATE_TIME_STAMP: Final = re.compile(
    r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})"
)
_DATES: Final = ("validFrom", "validUntil", "issuanceDate", "expirationDate")
_VC_V1: Final = "https://www.w3.org/2018/credentials/v1"
_CONTEXT: Final = {"@context"}  # embedded contexts are not data
# An absolute IRI with none of the characters N-Quads forbids: the usual id, fast.
_GOOD_ID: Final = re.compile(r'[A-Za-z][A-Za-z0-9+\-.]*:[^\s\x00-\x20<>"{}|^`\\]*')


def _number_problem(value: int | float) -> str | None:
    if isinstance(value, int):
        if abs(value) <= _SAFE:
            return None
        if exact_double(value) is None:
            return f"{value} is not exactly an IEEE 754 double, which a JSON number is elsewhere"
        return (
            f"{value} is an integer of 2**53 or more, which JavaScript parsers may round "
            "and JCS libraries refuse"
        )
    if not math.isfinite(value):
        return f"{value} is not a JSON number"
    if value != 0 and abs(value) < _SMALLEST:
        return (
            f"{value!r} is below 1e-6 and written with an exponent, which jsonld.js "
            "canonicalizes as the integer 0"
        )
    if value.is_integer() and 2**53 <= abs(value) < _DOUBLE_FROM:
        return (
            f"{value!r} is an integer of 2**53 or more, which JavaScript parsers may round "
            "and JCS libraries refuse"
        )
    return None


def _id_problem(value: str) -> str | None:
    if value.startswith("_:"):
        return f'"{value}" is a blank-node identifier; an id must be a URL'
    if not _pyld.is_absolute_iri(value):
        return f'"{value}" is not an absolute IRI; an id must be a URL'
    bad = _NOT_IN_IRIREF.search(value)
    if bad is not None:
        return f'"{value}" holds {bad.group()!r}, which an IRI cannot hold; percent-encode it'
    return None


def _date_problem(value: Any) -> str | None:
    if isinstance(value, str) and _DATE_TIME_STAMP.fullmatch(value):
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return None
    return (
        f"{value!r} is not an XML Schema dateTimeStamp "
        '(like "2025-07-01T00:00:00Z": a date, a "T", a time and a time zone)'
    )


def check_portable(document: Mapping[str, Any], *, where: str | None = None) -> None:
    """Refuse to sign ``document`` when other implementations would read it differently.

    The ``@context`` is not read, nor, in a presentation, the credentials it
    carries (their issuers signed them).

    Raises:
        SigningError: what is refused and why, naming the JSON pointer.
    """
    types = document.get("type", [])
    presentation = "VerifiablePresentation" in (types if isinstance(types, list) else [types])
    if not presentation:
        context = document.get("@context")
        first = context[0] if isinstance(context, list) and context else context
        if first == _VC_V1 and "issuanceDate" not in document:
            raise SigningError(
                "a VC 1.1 credential needs an issuanceDate; it cannot be signed without one",
                where=where,
                pointer="/issuanceDate",
            )
        for member in _DATES:
            wrong = _date_problem(document[member]) if member in document else None
            if wrong is not None:
                raise SigningError(
                    f"{wrong}; it cannot be signed", where=where, pointer=f"/{member}"
                )
    skip = {"@context", "verifiableCredential"} if presentation else _CONTEXT
    found = _first_problem(document, [], skip)
    if found is not None:
        path, problem = found
        pointer = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)
        raise SigningError(f"{problem}; it cannot be signed", where=where, pointer=pointer)


def _member_problem(key: str | None, value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        problem = _number_problem(value)
        return None if problem is None else problem + "; write it as a string"
    if key in ("id", "@id") and isinstance(value, str):
        return _id_problem(value)
    if key == "@direction":
        return "a base direction (@direction) would be dropped by canonicalization and not signed"
    return None


def _first_problem(
    value: Any, path: list[str | int], skip: set[str]
) -> tuple[list[str | int], str] | None:
    """Return the path and reason of the first member refused, depth first (cheap when none)."""
    items: Any = value.items() if isinstance(value, Mapping) else enumerate(value)
    for key, child in items:
        if key in skip:
            continue
        if isinstance(child, Mapping | list):
            path.append(key)
            found = _first_problem(child, path, _CONTEXT)
            if found is not None:
                return found
            path.pop()
            continue
        kind = type(child)
        if kind is str:
            if (key == "id" or key == "@id") and _GOOD_ID.fullmatch(child):
                continue
            if key != "id" and key != "@id" and key != "@direction":
                continue
        elif kind is int:
            if -_SAFE <= child <= _SAFE:
                continue
        elif kind is float:
            if child == 0 or _SMALLEST <= abs(child) < 2**53:
                continue
        elif key != "@direction":
            continue
        problem = _member_problem(key if isinstance(key, str) else None, child)
        if problem is not None:
            return [*path, key], problem
    return None
