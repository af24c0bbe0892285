"""Issue one credential: render a template, add status entries, sign, verify, record.

A credential is secured by a securing mechanism of :mod:`proofs.mechanism`:
a Data Integrity cryptosuite (a JSON document with a ``proof``) or an
enveloping one: a ``vc+jwt`` (VC-JOSE-COSE) or an SD-JWT VC whose subject
claims are selectively disclosable and which is bound to the holder's key
(``cnf``) when the holder's DID is a did:key or did:jwk. An enveloped
credential comes back as VC 2.0 (4.13) writes it, an
``EnvelopedVerifiableCredential`` whose ``id`` is a ``data:`` URL of the
token; :func:`enveloped_token` returns the token, which is what a holder's
wallet and ``passeport verify`` read.

Nothing leaves the issuer unverified: the signed credential goes through
:func:`verifier.verify_credential` (proof, validity period, both status
entries; a proof for the holder only, an ecdsa-sd-2023 base proof, is
confirmed as the holder's wallet does, and a disclosure derived from it
verified as a recruiter would) in an environment that serves the issuer's current status lists and,
for a did:web issuer, its DID document, exactly as a verifier would fetch them
once published. Only a credential that verifies is recorded and returned; a
status entry allocated for one that did not stays unused forever.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from passeport._json import JsonObject
from passeport.contexts import DocumentLoader, bundled_loader
from passeport.did.resolve import StaticFetcher
from passeport.did.web import did_web_url
from passeport.errors import SigningError
from passeport.issuer.profile import Profile
from passeport.issuer.registry import CredentialRecord, Registry
from passeport.issuer.statuslist import StatusSlot, allocate_status, current_lists
from passeport.issuer.templates import render, subject_id
from passeport.proofs.dates import format_datetime, utc_now
from passeport.proofs.mechanism import SecuringMechanism, mechanism_named, mechanisms
from passeport.verifier import (
    Check,
    Environment,
    Outcome,
    Policy,
    StatusListCache,
    verify_credential,
)

__all__ = [
    "Issued",
    "enveloped_token",
    "issue",
    "issue_signed",
    "issued_id",
    "new_credential_id",
    "token_credential_id",
    "verification_documents",
]


def new_credential_id() -> str:
    """Return a fresh ``urn:uuid`` credential id."""
    return f"urn:uuid:{uuid.uuid4()}"


def verification_documents(
    profile: Profile,
    registry: Registry,
    list_ids: set[int],
    *,
    at: datetime,
    loader: DocumentLoader | None = None,
) -> dict[str, bytes]:
    """Return, by URL, what a verifier fetches: the signed lists ``list_ids``, the did:web document.

    The lists are signed as they stand in the registry now, valid from ``at``.
    """
    documents = {
        url: json.dumps(document).encode("utf-8")
        for url, document in current_lists(
            profile, registry, list_ids, at=at, loader=loader
        ).items()
    }
    did_document = profile.did_document()
    if did_document is not None:
        documents[did_web_url(profile.did)] = json.dumps(did_document).encode("utf-8")
    return documents


def verification_environment(
    documents: Mapping[str, bytes], *, loader: DocumentLoader, at: datetime
) -> Environment:
    """Return an offline environment serving ``documents``, at the fixed instant ``at``."""
    return Environment(
        loader=loader,
        fetcher=StaticFetcher(dict(documents)),
        clock=lambda: at,
        status_lists=StatusListCache(),
    )


@dataclass(frozen=True, slots=True)
class Issued:
    """A credential signed and verified, and the record to keep about it."""

    credential: JsonObject
    record: CredentialRecord


def _string_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


VC_V2 = "https://www.w3.org/ns/credentials/v2"


def enveloped_token(credential: Mapping[str, Any]) -> str | None:
    """Return the token of an ``EnvelopedVerifiableCredential`` :func:`issue` made, else None.

    >>> enveloped_token({"type": "EnvelopedVerifiableCredential",
    ...                  "id": "data:application/vc+jwt,eyJh.eyJp.c2ln"})
    'eyJh.eyJp.c2ln'
    >>> enveloped_token({"type": ["VerifiableCredential"], "id": "urn:uuid:1"}) is None
    True
    """
    found = credential.get("id")
    if credential.get("type") != "EnvelopedVerifiableCredential" or not isinstance(found, str):
        return None
    for mechanism in mechanisms():
        media_type = mechanism.media_type
        if mechanism.enveloping and media_type and found.startswith(f"data:{media_type},"):
            return found[len(media_type) + 6 :]
    return None


def token_credential_id(token: str) -> str | None:
    """Return the ``id`` of the credential a vc+jwt or SD-JWT carries (read, not verified).

    The issuer keeps the credential's ``id`` in clear in an SD-JWT, so a
    holder or the issuer can name it (``passeport status revoke FILE``).
    """
    import base64
    import binascii

    from passeport._io import parse_json
    from passeport.errors import InputError

    parts = token.strip().split("~", 1)[0].split(".")
    if len(parts) != 3:
        return None
    try:
        payload = parse_json(
            base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)), where=None
        )
    except (ValueError, binascii.Error, InputError):
        return None
    found = payload.get("id") if isinstance(payload, dict) else None
    return found if isinstance(found, str) else None


def issued_id(credential: Mapping[str, Any]) -> str | None:
    """Return the ``id`` of a credential :func:`issue` returned, enveloped or not."""
    token = enveloped_token(credential)
    if token is not None:
        return token_credential_id(token)
    found = credential.get("id")
    return found if isinstance(found, str) else None


def check_suite(suite: str) -> SecuringMechanism:
    """Return the securing mechanism ``suite`` names; refuse one the issuer does not know.

    Raises:
        ValueError: no registered mechanism (cryptosuite or format) has that name.
    """
    return mechanism_named(suite)


def _holder_of(unsigned: Mapping[str, Any]) -> str | None:
    subject = unsigned.get("credentialSubject")
    holder = subject.get("id") if isinstance(subject, Mapping) else None
    return holder if isinstance(holder, str) else None


def _verified(
    signed: Mapping[str, Any] | str,
    *,
    mechanism: SecuringMechanism,
    env: Environment,
    at: datetime,
) -> list[Check]:
    """Return the verifier's checks on ``signed``, as its holder will receive it.

    A form only the holder uses (an ecdsa-sd-2023 base proof) is confirmed as
    the holder's wallet does (every statement signature), then a disclosure
    of its mandatory statements alone is verified as a recruiter would.
    """
    # Only the checks are read: reports=False skips putting the facts into words.
    receiving = Policy(at=at, receiving=True)
    received = verify_credential(signed, policy=receiving, env=env, reports=False)
    checks = list(received.checks)
    if mechanism.is_holder_form(signed):
        disclosed = mechanism.derive(signed, (), loader=env.loader)
        recruiter = verify_credential(disclosed, policy=Policy(at=at), env=env, reports=False)
        checks.extend(recruiter.checks)
    return checks


def issue_signed(
    profile: Profile,
    template: str,
    data: Mapping[str, Any],
    *,
    credential_id: str,
    slot: StatusSlot,
    suite: str,
    issued_at: datetime,
    env: Environment,
    where: str | None = None,
    row_key: str | None = None,
) -> Issued:
    """Render, add the status entries of ``slot``, sign and verify one credential (no recording).

    ``env`` must serve the status lists of ``slot`` (see :func:`verification_documents`).

    Raises:
        InputError: the data does not fit the template (naming ``where`` and a pointer).
        ContextError: a property the contexts do not define.
        SigningError: the key does not fit ``suite``, or the signed credential
            did not verify.
    """
    unsigned = render(
        template,
        data,
        issuer=profile.issuer(),
        credential_id=credential_id,
        issued_at=issued_at,
        where=where,
    )
    unsigned["credentialStatus"] = list(slot.entries())
    mechanism = check_suite(suite)
    # What a holder can never hide (type, issuer, dates, status, subjects) the
    # mechanism keeps itself (proofs.shown); the issuer adds nothing to it.
    signed = mechanism.secure(
        unsigned,
        profile.key,
        issued_at=issued_at,
        holder=_holder_of(unsigned),
        loader=env.loader,
        where=where,
    )
    checks = _verified(signed, mechanism=mechanism, env=env, at=issued_at)
    if any(check.outcome is not Outcome.PASSED for check in checks):
        problems = "; ".join(
            f"{check.code}: {check.message}"
            for check in checks
            if check.outcome is not Outcome.PASSED
        )
        raise SigningError(
            f"the signed credential did not verify, so it was not issued ({problems})",
            where=where,
        )
    record = CredentialRecord(
        id=credential_id,
        template=template,
        subject=subject_id(data),
        list_id=slot.list_id,
        revocation_index=slot.revocation_index,
        suspension_index=slot.suspension_index,
        issued=format_datetime(issued_at),
        valid_from=_string_or_none(unsigned.get("validFrom")),
        valid_until=_string_or_none(unsigned.get("validUntil")),
        row_key=row_key,
    )
    if isinstance(signed, str):
        # VC 2.0 4.13: an enveloped credential is a data: URL of the secured form.
        envelope: JsonObject = {
            "@context": VC_V2,
            "id": f"data:{mechanism.media_type},{signed}",
            "type": "EnvelopedVerifiableCredential",
        }
        return Issued(envelope, record)
    return Issued(signed, record)


def issue(
    profile: Profile,
    template: str,
    data: Mapping[str, Any],
    *,
    suite: str | None = None,
    issued_at: datetime | None = None,
    where: str | None = None,
) -> JsonObject:
    """Issue one credential from ``template`` and ``data``: signed, verified, recorded.

    Returns the signed credential, or for an enveloping mechanism (``vc-jwt``,
    ``sd-jwt``) the ``EnvelopedVerifiableCredential`` carrying the token (see
    :func:`enveloped_token`).

    Args:
        suite: a registered securing mechanism (:mod:`proofs.mechanism`): a
            Data Integrity cryptosuite, ``vc-jwt`` or ``sd-jwt`` (default: the
            profile's).
        issued_at: the issuance instant (``validFrom`` and proof date; default now).
        where: how to name the data in errors (a file name, say).

    Raises:
        InputError: the data does not fit the template (naming ``where`` and a
            pointer), or the registry cannot be written.
        ContextError: a property the contexts do not define.
        SigningError: the key does not fit ``suite``, or the credential did not verify.
        ValueError: an unknown suite.
    """
    suite = suite or profile.suite
    check_suite(suite)  # before a status entry is spent on it
    issued_at = issued_at or utc_now()
    loader = bundled_loader()
    with profile.open_registry() as registry:
        [slot] = allocate_status(profile, registry, 1, at=issued_at)
        documents = verification_documents(
            profile, registry, {slot.list_id}, at=issued_at, loader=loader
        )
        issued = issue_signed(
            profile,
            template,
            data,
            credential_id=new_credential_id(),
            slot=slot,
            suite=suite,
            issued_at=issued_at,
            env=verification_environment(documents, loader=loader, at=issued_at),
            where=where,
        )
        registry.add([issued.record])
    return issued.credential
