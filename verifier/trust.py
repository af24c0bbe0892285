"""Issuer trust lists: which issuers a recruiter accepts, for which types and codes.

A signature proves who signed a credential, not that the signer may attest what
it states. A trust list names the accredited issuers and, per issuer, the
credential types and the certification codes (RNCP or RS codes of France
Compétences) it may attest. A credential from an issuer absent from the list is
reported as *untrusted*, never as forged: its proof is checked elsewhere.

Accreditation rests only on what the credential discloses. A holder may show
part of a credential (ecdsa-sd-2023, SD-JWT): the checks then see only the
disclosed claims, and a type or code that was withheld is never assumed. When
the issuer's entry lists codes, its accreditation is for those certifications
only, so a credential that discloses no code cannot show it; when the entry
lists types, the credential must disclose one of them.

The file format is described in :mod:`verifier.trustlist`.

Checks, made only when a trust list is given (without one nothing is reported
here, and :func:`standing` says ``"unknown"``):

- ``trust.self_issued``: the credential's issuer is its subject. What it
  states is the holder's own declaration; no other trust check is made, so
  that a declaration is never shown as an accreditation nor as a certifier's
  failure. FAILED by default; PASSED, as a declaration, when the policy
  accepts self-issued credentials (``Policy.accept_self_issued``).
- ``trust.issuer`` FAILED: the issuer is not on the list, or its entry has
  expired; PASSED: it is on the list (the message names it).
- ``trust.type`` (only when the entry lists ``types``) FAILED: a credential
  type the issuer may not attest, or no type it may attest disclosed; PASSED:
  every type is allowed and one of the entry's types is disclosed.
- ``trust.code`` FAILED / PASSED: one check per certification code the
  credential discloses (:func:`certification_codes`), accredited or not.
  When the entry lists ``codes``, also FAILED when the credential discloses
  no code at all, or shows an achievement without its code: accreditation
  for a code that is not shown cannot be shown.

With a trust list, a FAILED trust check makes the verdict "not verified": the
recruiter asked that everything be guaranteed by an accredited body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from passeport._json import id_of
from passeport.proofs.dates import format_datetime, utc_now
from passeport.verifier.result import Check, Outcome
from passeport.verifier.trustlist import CODE_IN_TEXT, TrustedIssuer, TrustList, normalize_code

__all__ = [
    "TrustList",
    "TrustedIssuer",
    "certification_codes",
    "is_self_issued",
    "normalize_code",
    "standing",
    "trust_checks",
]

# https://www.francecompetences.fr/recherche/rncp/37674/ and .../rs/5678
_CODE_IN_URL = re.compile(r"/(rncp|rs)/(\d+)(?![0-9])", re.IGNORECASE)


def _codes_in(text: str) -> Iterator[str]:
    for pattern in (_CODE_IN_URL, CODE_IN_TEXT):
        for match in pattern.finditer(text):
            yield f"{match[1].upper()}{int(match[2])}"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _achievements(credential: Mapping[str, Any], base: str) -> Iterator[tuple[Any, str]]:
    """Yield (achievement, pointer) for each achievement of each subject, as written."""
    subject_value = credential.get("credentialSubject")
    subject_many = isinstance(subject_value, list)
    for s_pos, subject in enumerate(_as_list(subject_value)):
        if not isinstance(subject, Mapping):
            continue
        at = f"{base}/credentialSubject" + (f"/{s_pos}" if subject_many else "")
        value = subject.get("achievement")
        many = isinstance(value, list)
        for a_pos, achievement in enumerate(_as_list(value)):
            yield achievement, f"{at}/achievement" + (f"/{a_pos}" if many else "")


def _codes_of(achievement: Any, at: str) -> Iterator[tuple[str, str]]:
    """Yield (code, pointer) for each code an achievement shows (alignments first)."""

    def read(value: Any, pointer: str) -> Iterator[tuple[str, str]]:
        if isinstance(value, str):
            for code in _codes_in(value):
                yield code, pointer

    if isinstance(achievement, str):  # a reference to the achievement: its id
        yield from read(achievement, at)
        return
    if not isinstance(achievement, Mapping):
        return
    alignment = achievement.get("alignment")
    many = isinstance(alignment, list)
    for a_pos, align in enumerate(_as_list(alignment)):
        if not isinstance(align, Mapping):
            continue
        a_at = f"{at}/alignment" + (f"/{a_pos}" if many else "")
        for key in ("targetCode", "targetName", "targetUrl"):
            yield from read(align.get(key), f"{a_at}/{key}")
    yield from read(achievement.get("id"), f"{at}/id")
    yield from read(achievement.get("humanCode"), f"{at}/humanCode")
    criteria = achievement.get("criteria")
    criteria_at = f"{at}/criteria" + ("/id" if isinstance(criteria, Mapping) else "")
    yield from read(id_of(criteria), criteria_at)


def _code_claims(
    credential: Mapping[str, Any], base: str
) -> tuple[list[tuple[str, str]], list[str]]:
    """Return (code, pointer) of each code disclosed, and the achievements disclosing none."""
    found: dict[str, str] = {}
    silent: list[str] = []
    for achievement, at in _achievements(credential, base):
        shown = False
        for code, pointer in _codes_of(achievement, at):
            shown = True
            found.setdefault(code, pointer)
        if not shown:
            silent.append(at)
    return list(found.items()), silent


def certification_codes(credential: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the RNCP/RS codes a credential claims, normalized, in order of appearance.

    Looks at the Open Badges 3.0 ``credentialSubject.achievement``: each
    ``alignment``'s ``targetCode``, ``targetName`` and ``targetUrl``, then its
    ``id``, ``humanCode`` and ``criteria.id``
    (``https://www.francecompetences.fr/recherche/rncp/37674/`` reads as
    ``RNCP37674``). Only what the credential holds is read: a code its holder
    did not disclose is not returned.
    """
    return tuple(code for code, _ in _code_claims(credential, "")[0])


def _issuer_id(credential: Mapping[str, Any]) -> str | None:
    return id_of(credential.get("issuer"))


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
    accept_self_issued: bool = False,
) -> list[Check]:
    """Check a credential's issuer against a trust list; see the module for the codes.

    Args:
        credential: the credential (its proof is checked elsewhere).
        trust: the trust list; None makes no check at all.
        index: the credential's index in a presentation (None when alone).
        base: the JSON pointer of the credential in the input.
        self_issued: the issuer is the subject (or the holder): a declaration.
        now: the time to judge an accreditation's ``validUntil`` at (default: now).
        accept_self_issued: a declaration passes (as a declaration) instead of failing.
    """
    if trust is None:
        return []
    issuer_id = _issuer_id(credential)
    issuer_at = f"{base}/issuer"
    if self_issued:
        accepted = " (accepted as a declaration)" if accept_self_issued else ""
        return [
            Check(
                "trust.self_issued",
                Outcome.PASSED if accept_self_issued else Outcome.FAILED,
                f"self-declared: issued by {issuer_id or 'its own holder'} about itself; "
                "what it states is the holder's declaration, not guaranteed by an accredited "
                f"body{accepted}",
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
    claims, silent = _code_claims(credential, base)
    for code, pointer in claims:
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
    if entry.codes:
        checks.extend(_withheld_code_checks(entry, claims, silent, index, base))
    return checks


def _withheld_code_checks(
    entry: TrustedIssuer,
    claims: list[tuple[str, str]],
    silent: list[str],
    index: int | None,
    base: str,
) -> list[Check]:
    """Fail a credential that shows no code, or an achievement without its code.

    The entry accredits its issuer for some certifications only; a code the
    holder withheld (selective disclosure) is never taken as one of them.
    """
    if not claims:
        return [
            Check(
                "trust.code",
                Outcome.FAILED,
                "the credential discloses no certification code, so the accreditation of "
                f"{entry.name} for it cannot be shown (a withheld code is never taken as "
                "accredited)",
                index,
                silent[0] if silent else f"{base}/credentialSubject",
            )
        ]
    return [
        Check(
            "trust.code",
            Outcome.FAILED,
            "an achievement is shown without its certification code, so the accreditation of "
            f"{entry.name} for it cannot be shown (a withheld code is never taken as accredited)",
            index,
            pointer,
        )
        for pointer in silent
    ]


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
    if not any(t in entry.types for t in types):
        allowed = ", ".join(sorted(entry.types)) or "(none)"
        return [
            Check(
                "trust.type",
                Outcome.FAILED,
                f"the credential discloses no type that {entry.name} may attest ({allowed}), "
                f"only {', '.join(types) or '(none)'}: its accreditation for it cannot be shown",
                index,
                f"{base}/type",
            )
        ]
    return [
        Check(
            "trust.type",
            Outcome.PASSED,
            f"{entry.name} may attest credentials of type {', '.join(types)}",
            index,
            f"{base}/type",
        )
    ]


def standing(
    credential: Mapping[str, Any], trust: TrustList | None, *, now: datetime | None = None
) -> str:
    """Return how far a credential is guaranteed, for display.

    One of ``"self-declared"`` (its issuer is its subject, whatever the list),
    ``"unknown"`` (no trust list), ``"accredited"`` (every trust check passed:
    the issuer is on the list for the types and codes the credential
    discloses) or ``"not-accredited"`` (the issuer is absent or its entry
    ended, or the credential shows a type or code the issuer may not attest,
    or withholds the type or code its accreditation would rest on).
    """
    if is_self_issued(credential):
        return "self-declared"
    if trust is None:
        return "unknown"
    checks = trust_checks(credential, trust, index=None, base="", self_issued=False, now=now)
    passed = all(check.outcome is Outcome.PASSED for check in checks)
    return "accredited" if passed else "not-accredited"
