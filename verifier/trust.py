"""Issuer trust lists: which issuers a recruiter accepts, for which types and codes.

A signature proves who signed a credential, not that the signer may attest what
it states. A trust list names the accredited issuers and, per issuer, the
credential types and the certification codes (RNCP or RS codes of France
Compétences) it may attest. A credential from an issuer absent from the list is
reported as *untrusted*, never as forged: its proof is checked elsewhere.

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
  ``VerifiableCredential`` is always allowed. Absent means any type.
- ``codes`` (optional): the certification codes the issuer is accredited for;
  ``"RNCP 37674"`` and ``"rncp37674"`` both read as ``RNCP37674``. Absent or
  empty means none: a credential claiming a code is then not accredited.
- ``validUntil`` (optional): an XML Schema dateTime after which the
  accreditation has ended.
- ``description`` (optional) on the list and on an issuer; no other member is
  accepted, so that a misspelt ``code`` does not silently deny every code.

Checks, made only when a trust list is given (without one nothing is reported
here, and :func:`standing` says ``"unknown"``):

- ``trust.self_issued`` FAILED: the credential's issuer is its subject. What
  it states is the holder's own declaration; no other trust check is made,
  so that a declaration is never shown as an accreditation nor as a
  certifier's failure.
- ``trust.issuer`` FAILED: the issuer is not on the list, or its entry has
  expired; PASSED: it is on the list (the message names it).
- ``trust.type`` FAILED / PASSED: a credential type the issuer may not attest /
  all its types are allowed (only when the entry lists ``types``).
- ``trust.code`` FAILED / PASSED: one check per certification code the
  credential claims (:func:`certification_codes`), accredited or not.

With a trust list, a FAILED trust check makes the verdict "not verified": the
recruiter asked that everything be guaranteed by an accredited body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from passeport._io import read_json_file
from passeport.errors import InputError
from proofs.dates import format_datetime, parse_datetime, utc_now
from verifier.result import Check, Outcome

__all__ = [
    "TrustList",
    "TrustedIssuer",
    "certification_codes",
    "is_self_issued",
    "normalize_code",
    "standing",
    "trust_checks",
]

_BASE_TYPE = "VerifiableCredential"
_LIST_MEMBERS = frozenset({"name", "description", "issuers"})
_ISSUER_MEMBERS = frozenset({"did", "name", "description", "types", "codes", "validUntil"})
# "RNCP37674", "RNCP 37674", "RS-5678", inside a longer text too.
_CODE_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])(RNCP|RS)[ \-]?(\d+)(?![0-9])", re.IGNORECASE)
# https://www.francecompetences.fr/recherche/rncp/37674/ and .../rs/5678
_CODE_IN_URL = re.compile(r"/(rncp|rs)/(\d+)(?![0-9])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class TrustedIssuer:
    """One accredited issuer: its DID and name, what it may attest, until when.

    ``types`` is None when any credential type is allowed; ``codes`` holds
    normalized certification codes (``RNCP37674``).
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
    match = _CODE_IN_TEXT.fullmatch(text)
    return f"{match[1].upper()}{int(match[2])}" if match else text


def _codes_in(text: str) -> Iterator[str]:
    for pattern in (_CODE_IN_URL, _CODE_IN_TEXT):
        for match in pattern.finditer(text):
            yield f"{match[1].upper()}{int(match[2])}"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _code_claims(credential: Mapping[str, Any], base: str) -> list[tuple[str, str]]:
    """Return (code, pointer) for each code claimed, at its first place (alignments first)."""
    found: dict[str, str] = {}

    def note(value: Any, pointer: str) -> None:
        if isinstance(value, str):
            for code in _codes_in(value):
                found.setdefault(code, pointer)

    subject_value = credential.get("credentialSubject")
    subject_many = isinstance(subject_value, list)
    for s_pos, subject in enumerate(_as_list(subject_value)):
        if not isinstance(subject, Mapping):
            continue
        at = f"{base}/credentialSubject" + (f"/{s_pos}" if subject_many else "")
        achievement = subject.get("achievement")
        if not isinstance(achievement, Mapping):
            continue
        at = f"{at}/achievement"
        alignment = achievement.get("alignment")
        many = isinstance(alignment, list)
        for a_pos, align in enumerate(_as_list(alignment)):
            if not isinstance(align, Mapping):
                continue
            a_at = f"{at}/alignment" + (f"/{a_pos}" if many else "")
            for key in ("targetCode", "targetName", "targetUrl"):
                note(align.get(key), f"{a_at}/{key}")
        note(achievement.get("id"), f"{at}/id")
    return list(found.items())


def certification_codes(credential: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the RNCP/RS codes a credential claims, normalized, in order of appearance.

    Looks at the Open Badges 3.0 ``credentialSubject.achievement``: its ``id``
    and each ``alignment``'s ``targetCode``, ``targetName`` and ``targetUrl``
    (``https://www.francecompetences.fr/recherche/rncp/37674/`` reads as
    ``RNCP37674``).
    """
    return tuple(code for code, _ in _code_claims(credential, ""))


def _issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
        return str(issuer["id"])
    return None


def is_self_issued(credential: Mapping[str, Any]) -> bool:
    """Return True when the credential's issuer is one of its subjects (a declaration)."""
    issuer = _issuer_id(credential)
    return issuer is not None and any(
        isinstance(subject, Mapping) and subject.get("id") == issuer
        for subject in _as_list(credential.get("credentialSubject"))
    )


def trust_checks(
    credential: Mapping[str, Any],
    trust: TrustList | None,
    *,
    index: int | None,
    base: str,
    self_issued: bool,
    now: datetime | None = None,
) -> list[Check]:
    """Check a credential's issuer against a trust list; see the module for the codes.

    Args:
        credential: the credential (its proof is checked elsewhere).
        trust: the trust list; None makes no check at all.
        index: the credential's index in a presentation (None when alone).
        base: the JSON pointer of the credential in the input.
        self_issued: the issuer is the subject (or the holder): a declaration.
        now: the time to judge an accreditation's ``validUntil`` at (default: now).
    """
    if trust is None:
        return []
    issuer_id = _issuer_id(credential)
    issuer_at = f"{base}/issuer"
    if self_issued:
        return [
            Check(
                "trust.self_issued",
                Outcome.FAILED,
                f"self-declared: issued by {issuer_id or 'its own holder'} about itself; "
                "what it states is the holder's declaration, not guaranteed by an accredited body",
                index,
                issuer_at,
            )
        ]
    entry = trust.issuer(issuer_id) if issuer_id is not None else None
    if entry is None:
        return [
            Check(
                "trust.issuer",
                Outcome.FAILED,
                f"issuer {issuer_id or '(none)'} is not on the trust list {trust.name}: "
                "what it states is not guaranteed by an accredited body (untrusted, not forged)",
                index,
                issuer_at,
            )
        ]
    moment = now or utc_now()
    if entry.valid_until is not None and entry.expired(moment):
        return [
            Check(
                "trust.issuer",
                Outcome.FAILED,
                f"the accreditation of {entry.name} ({entry.did}) on the trust list {trust.name} "
                f"ended on {format_datetime(entry.valid_until)}",
                index,
                issuer_at,
            )
        ]
    checks = [
        Check(
            "trust.issuer",
            Outcome.PASSED,
            f"issuer {entry.name} ({entry.did}) is on the trust list {trust.name}",
            index,
            issuer_at,
        )
    ]
    checks.extend(_type_checks(credential, entry, index, base))
    for code, pointer in _code_claims(credential, base):
        if entry.accredited_for(code):
            checks.append(
                Check(
                    "trust.code",
                    Outcome.PASSED,
                    f"{entry.name} is accredited for the certification {code}",
                    index,
                    pointer,
                )
            )
        else:
            checks.append(
                Check(
                    "trust.code",
                    Outcome.FAILED,
                    f"{entry.name} is not accredited for the certification {code} that the "
                    "credential claims: the claim is not guaranteed (untrusted, not forged)",
                    index,
                    pointer,
                )
            )
    return checks


def _type_checks(
    credential: Mapping[str, Any], entry: TrustedIssuer, index: int | None, base: str
) -> list[Check]:
    if entry.types is None:
        return []
    types = [t for t in _as_list(credential.get("type")) if isinstance(t, str)]
    refused = [t for t in types if not entry.allows_type(t)]
    if refused:
        return [
            Check(
                "trust.type",
                Outcome.FAILED,
                f"{entry.name} may not attest credentials of type {', '.join(refused)}",
                index,
                f"{base}/type",
            )
        ]
    return [
        Check(
            "trust.type",
            Outcome.PASSED,
            f"{entry.name} may attest credentials of type {', '.join(types) or '(none)'}",
            index,
            f"{base}/type",
        )
    ]


def standing(
    credential: Mapping[str, Any], trust: TrustList | None, *, now: datetime | None = None
) -> str:
    """Return how far a credential is guaranteed, for display.

    One of ``"self-declared"`` (its issuer is its subject, whatever the list),
    ``"unknown"`` (no trust list), ``"accredited"`` (every trust check passed)
    or ``"not-accredited"``.
    """
    if is_self_issued(credential):
        return "self-declared"
    if trust is None:
        return "unknown"
    checks = trust_checks(credential, trust, index=None, base="", self_issued=False, now=now)
    passed = all(check.outcome is Outcome.PASSED for check in checks)
    return "accredited" if passed else "not-accredited"
