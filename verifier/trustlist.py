"""Trust list files: the accredited issuers, the types and the certification codes of each.

The file is JSON::

    {
      "name": "Certifiers accredited by Example Recruiting",
      "description": "optional, free text",
      "issuers": [
        {
          "did": "did:web:univ.example",
          "name": "Université Exemple",
          "types": ["OpenBadgeCredential"],
          "codes": ["RNCP37674", "RS5678"],
          "validUntil": "2030-12-31T23:59:59Z"
        }
      ]
    }

- ``name`` (required): the list's name, shown in messages.
- ``issuers`` (required): one entry per accredited issuer, each DID at most once.
- ``did``, ``name`` (required): the issuer's DID, compared exactly with the
  credential's ``issuer`` (or ``issuer.id``), and a name for people.
- ``types`` (optional): the credential types the issuer may attest;
  ``VerifiableCredential`` is always allowed besides them, and a credential
  must disclose at least one of them (an empty list allows none). Absent
  means any type.
- ``codes`` (optional): the certification codes the issuer is accredited for;
  ``"RNCP 37674"`` and ``"rncp37674"`` both read as ``RNCP37674``. When listed,
  a credential must disclose a code, and one for each achievement it shows: a
  code the holder withheld is never taken as accredited. Absent or empty means
  none: a credential claiming a code is then not accredited (one claiming none
  may be, as an issuer's attestation of work or skills).
- ``validUntil`` (optional): an XML Schema dateTime after which the
  accreditation has ended.
- ``description`` (optional) on the list and on an issuer; no other member is
  accepted, so that a misspelt ``code`` does not silently deny every code.

The checks made with a trust list are in :mod:`verifier.trust`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from passeport._io import read_json_file
from passeport.errors import InputError
from passeport.proofs.dates import parse_datetime

__all__ = ["CODE_IN_TEXT", "TrustList", "TrustedIssuer", "normalize_code"]

_BASE_TYPE = "VerifiableCredential"
_LIST_MEMBERS = frozenset({"name", "description", "issuers"})
_ISSUER_MEMBERS = frozenset({"did", "name", "description", "types", "codes", "validUntil"})
# "RNCP37674", "RNCP 37674", "RS-5678", inside a longer text too.
CODE_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])(RNCP|RS)[ \-]?(\d+)(?![0-9])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class TrustedIssuer:
    """One accredited issuer: its DID and name, what it may attest, until when.

    ``types`` is None when any credential type is allowed; ``codes`` holds
    normalized certification codes (``RNCP37674``), empty when the issuer is
    accredited for none. A credential is judged only on what it discloses
    (:mod:`verifier.trust`).
    """

    did: str
    name: str
    types: frozenset[str] | None = None
    codes: frozenset[str] = frozenset()
    valid_until: datetime | None = None

    def allows_type(self, credential_type: str) -> bool:
        """Return True when the issuer may attest credentials of this type."""
        return credential_type == _BASE_TYPE or self.types is None or credential_type in self.types

    def accredited_for(self, code: str) -> bool:
        """Return True when the issuer is accredited for this certification code."""
        return normalize_code(code) in self.codes

    def expired(self, now: datetime) -> bool:
        """Return True when the accreditation ended before ``now``."""
        return self.valid_until is not None and now > self.valid_until


class TrustList:
    """A named list of accredited issuers, looked up by DID."""

    __slots__ = ("_by_did", "name")

    def __init__(self, name: str, issuers: tuple[TrustedIssuer, ...] = ()) -> None:
        self.name = name
        self._by_did = {item.did: item for item in issuers}

    @property
    def issuers(self) -> tuple[TrustedIssuer, ...]:
        """The issuers, in the order of the list."""
        return tuple(self._by_did.values())

    def issuer(self, did: str) -> TrustedIssuer | None:
        """Return the entry of ``did``, or None when it is not on the list."""
        return self._by_did.get(did)

    def __repr__(self) -> str:
        return f"TrustList({self.name!r}, {len(self._by_did)} issuers)"

    @classmethod
    def read(cls, path: Path) -> TrustList:
        """Read a trust list file.

        Raises:
            InputError: unreadable or malformed file, naming it and the JSON pointer.
        """
        return cls.from_json(read_json_file(path), where=str(path))

    @classmethod
    def from_json(cls, value: Any, *, where: str | None = None) -> TrustList:
        """Build a trust list from its parsed JSON.

        Raises:
            InputError: a missing, misspelt or ill-typed member, naming ``where``
                and the JSON pointer.
        """
        if not isinstance(value, Mapping):
            raise InputError("a trust list must be a JSON object", where=where, pointer="")
        _refuse_unknown(value, _LIST_MEMBERS, "", where)
        name = _text(value, "name", "", where)
        raw_issuers = value.get("issuers")
        if not isinstance(raw_issuers, list):
            raise InputError("expected an array of issuers", where=where, pointer="/issuers")
        issuers: list[TrustedIssuer] = []
        seen: set[str] = set()
        for position, raw in enumerate(raw_issuers):
            item = _issuer(raw, f"/issuers/{position}", where)
            if item.did in seen:
                raise InputError(
                    f"issuer {item.did} is listed twice",
                    where=where,
                    pointer=f"/issuers/{position}/did",
                )
            seen.add(item.did)
            issuers.append(item)
        return cls(name, tuple(issuers))


def _refuse_unknown(
    value: Mapping[str, Any], allowed: frozenset[str], at: str, where: str | None
) -> None:
    for key in value:
        if key not in allowed:
            expected = ", ".join(sorted(allowed))
            raise InputError(
                f'unknown member "{key}" (expected {expected})',
                where=where,
                pointer=f"{at}/{_escape(str(key))}",
            )


def _text(value: Mapping[str, Any], key: str, at: str, where: str | None) -> str:
    item = value.get(key)
    if not isinstance(item, str) or not item.strip():
        raise InputError("expected a non-empty string", where=where, pointer=f"{at}/{key}")
    return item.strip()


def _strings(value: Any, at: str, where: str | None) -> list[str]:
    if not isinstance(value, list):
        raise InputError("expected an array of strings", where=where, pointer=at)
    result: list[str] = []
    for position, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise InputError("expected a non-empty string", where=where, pointer=f"{at}/{position}")
        result.append(item.strip())
    return result


def _issuer(raw: Any, at: str, where: str | None) -> TrustedIssuer:
    if not isinstance(raw, Mapping):
        raise InputError("expected an issuer object", where=where, pointer=at)
    _refuse_unknown(raw, _ISSUER_MEMBERS, at, where)
    did = _text(raw, "did", at, where)
    if not did.startswith("did:"):
        raise InputError(f'"{did}" is not a DID', where=where, pointer=f"{at}/did")
    name = _text(raw, "name", at, where)
    if "description" in raw and not isinstance(raw["description"], str):
        raise InputError("expected a string", where=where, pointer=f"{at}/description")
    types = frozenset(_strings(raw["types"], f"{at}/types", where)) if "types" in raw else None
    codes = frozenset(
        normalize_code(code) for code in _strings(raw.get("codes", []), f"{at}/codes", where)
    )
    valid_until = None
    if "validUntil" in raw:
        valid_until = parse_datetime(raw["validUntil"], where=where, pointer=f"{at}/validUntil")
    return TrustedIssuer(did, name, types, codes, valid_until)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def normalize_code(code: str) -> str:
    """Return an RNCP/RS code as ``RNCP37674``; any other code stripped, as written."""
    text = code.strip()
    match = CODE_IN_TEXT.fullmatch(text)
    return f"{match[1].upper()}{int(match[2])}" if match else text
