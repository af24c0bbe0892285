"""What the wallet lists about a credential: its title, types, issuer, subject, dates, flags.

:func:`describe` reads a verified credential (the Data Integrity document, or
the document inside a vc+jwt / SD-JWT with its JWT claims) into the
:class:`~wallet._records.CredentialInfo` sealed beside it, so that listing and
matching requests never open the credential itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from passeport._json import id_of
from passeport.contexts import DocumentLoader, expand
from passeport.did.keyfile import KeyPair
from passeport.errors import ContextError, InputError
from passeport.proofs.dates import format_datetime
from passeport.proofs.engine import proofs_of
from passeport.proofs.mechanism import mechanism_for, mechanisms
from passeport.wallet._records import CredentialFormat, CredentialInfo, Flag, Verification
from passeport.wallet._subjects import binding_flags, subject_dids

__all__ = ["as_list", "describe", "id_of", "text_of"]


def text_of(value: Any) -> str | None:
    """Return a plain text: a string, a JSON-LD ``@value``, or the first of a list."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("@value"), str):
        return str(value["@value"])
    if isinstance(value, list) and value:
        return text_of(value[0])
    return None


def as_list(value: Any) -> list[Any]:
    """Return ``value`` as a list: itself, ``[value]``, or ``[]`` for None."""
    return value if isinstance(value, list) else [] if value is None else [value]


def _title(document: Mapping[str, Any], types: Sequence[str]) -> str | None:
    """The credential's name, else its achievement's, else its most specific type."""
    name = text_of(document.get("name"))
    if name:
        return name
    for subject in as_list(document.get("credentialSubject")):
        if isinstance(subject, Mapping):
            achievement = subject.get("achievement")
            if isinstance(achievement, Mapping) and text_of(achievement.get("name")):
                return text_of(achievement.get("name"))
    specific = [t for t in types if t != "VerifiableCredential"]
    return specific[-1] if specific else None


def _expanded_types(
    document: Mapping[str, Any], loader: DocumentLoader, memo: dict[str, tuple[str, ...]]
) -> tuple[str, ...]:
    """Return the IRIs of the credential's types (expanding a stub with the same contexts)."""
    stub = {"@context": document.get("@context"), "type": document.get("type")}
    key = json.dumps(stub, sort_keys=True)
    if key not in memo:
        try:
            expanded = expand(stub, loader).expanded
            node = expanded[0] if isinstance(expanded, list) and expanded else {}
            memo[key] = tuple(t for t in node.get("@type", []) if isinstance(t, str))
        except (ContextError, InputError):
            memo[key] = ()
    return memo[key]


def _seconds_to_text(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return format_datetime(datetime.fromtimestamp(value, UTC))
    return None


def describe(
    kind: CredentialFormat,
    document: Mapping[str, Any],
    verification: Verification,
    *,
    holder: KeyPair,
    token: str | None,
    added_at: str,
    loader: DocumentLoader,
    memo: dict[str, tuple[str, ...]],
) -> CredentialInfo:
    """Return the listing metadata of a verified credential.

    Args:
        token: the vc+jwt or SD-JWT as received (None for Data Integrity).
        memo: expanded types by contexts and types, shared by one import.
    """
    types = tuple(t for t in as_list(document.get("type")) if isinstance(t, str))
    subjects = [id_of(s) for s in as_list(document.get("credentialSubject"))]
    subject = next((s for s in subjects if s), None)
    issuer = document.get("issuer")
    claims: Mapping[str, Any] = {}
    if token is None:
        suites = tuple(
            str(p.get("cryptosuite") or p.get("type")) for p in proofs_of(document) if p.get("type")
        )
        flags = list(binding_flags(subject_dids(document), holder.controller))
        # The selective-disclosure mechanism whose proof the credential carries, if any.
        disclosure = next(
            (
                m.name
                for m in mechanisms()
                if m.derives and not m.enveloping and m.recognizes(document)
            ),
            None,
        )
    else:
        from passeport.wallet._jose import token_binding_flags, token_claims

        claims = token_claims(token)
        subject = subject or id_of(claims.get("sub"))
        issuer = issuer or claims.get("iss")
        mechanism = mechanism_for(token)
        suites = (mechanism.name,) if mechanism is not None else ()
        flags = list(token_binding_flags(kind, token, subject_dids(document, claims), holder))
        disclosure = mechanism.name if mechanism is not None and mechanism.derives else None
    if any(c.startswith("proof.") for c in verification.unchecked):
        flags.append(Flag.UNVERIFIED)
    vct = text_of(claims.get("vct"))
    return CredentialInfo(
        format=kind,
        added_at=added_at,
        verification=verification,
        credential_id=id_of(document) or text_of(claims.get("jti")),
        types=types,
        expanded_types=_expanded_types(document, loader, memo) if "@context" in document else (),
        vct=vct,
        title=_title(document, types) or (vct.rsplit("/", 1)[-1] if vct else None),
        issuer=id_of(issuer),
        issuer_name=text_of(issuer.get("name")) if isinstance(issuer, Mapping) else None,
        subject=subject,
        valid_from=text_of(document.get("validFrom", document.get("issuanceDate")))
        or _seconds_to_text(claims.get("nbf")),
        valid_until=text_of(document.get("validUntil", document.get("expirationDate")))
        or _seconds_to_text(claims.get("exp")),
        flags=tuple(flags),
        disclosure=disclosure,
        suites=suites,
    )
