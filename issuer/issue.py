"""Issue one credential: render a template, add status entries, sign, verify, record.

Nothing leaves the issuer unverified: the signed credential goes through
:func:`verifier.verify_credential` (proof, validity period, both status
entries) in an environment that serves the issuer's current status lists and,
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

from contexts import DocumentLoader, bundled_loader
from did.resolve import StaticFetcher
from did.web import did_web_url
from issuer.profile import Profile
from issuer.registry import CredentialRecord, Registry
from issuer.statuslist import StatusSlot, allocate_status, current_lists
from issuer.templates import render, subject_id
from passeport._json import JsonObject
from passeport.errors import SigningError
from proofs.dates import format_datetime, utc_now
from proofs.ecdsa_sd import derive, verify_base
from proofs.engine import ProofExpectation
from proofs.sign import sign_document
from verifier import Check, Environment, Outcome, Policy, StatusListCache, verify_credential

__all__ = [
    "Issued",
    "issue",
    "issue_signed",
    "mandatory_pointers",
    "new_credential_id",
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


SELECTIVE_SUITE = "ecdsa-sd-2023"
# What a holder can never hide from an ecdsa-sd-2023 credential: who vouches,
# for what kind of claim, when, about whom, and where its status is read.
_ALWAYS_SHOWN = (
    "/type",
    "/issuer",
    "/validFrom",
    "/validUntil",
    "/credentialStatus",
    "/credentialSubject/id",
    "/credentialSubject/type",
)


def mandatory_pointers(unsigned: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the ecdsa-sd-2023 mandatory pointers of a rendered credential (those present)."""
    subject = unsigned.get("credentialSubject")
    present = []
    for pointer in _ALWAYS_SHOWN:
        parts = pointer.split("/")[1:]
        holder: Any = unsigned if parts[0] != "credentialSubject" else subject
        key = parts[-1]
        if isinstance(holder, Mapping) and key in holder:
            present.append(pointer)
    return tuple(present)


def _verified(
    signed: Mapping[str, Any],
    *,
    suite: str,
    mandatory: tuple[str, ...],
    env: Environment,
    at: datetime,
) -> list[Check]:
    """Return the verifier's checks on ``signed``; a base proof is checked as its holder will.

    An ecdsa-sd-2023 base proof is not for verifiers: the issuer confirms it as
    the holder's wallet does (every statement signature), then verifies, as a
    recruiter would, a disclosure of the mandatory statements.
    """
    if suite != SELECTIVE_SUITE:
        return list(verify_credential(signed, policy=Policy(at=at), env=env).checks)
    issuer = signed.get("issuer")
    controller = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    expect = ProofExpectation(
        controller=controller if isinstance(controller, str) else None, now=at
    )
    confirmed = verify_base(signed, resolver=env.resolver(), loader=env.loader, expect=expect)
    checks = [Check(o.code, o.outcome, o.message, None, o.pointer) for o in confirmed]
    disclosed = derive(signed, mandatory, loader=env.loader)
    checks.extend(verify_credential(disclosed, policy=Policy(at=at), env=env).checks)
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
    mandatory = mandatory_pointers(unsigned) if suite == SELECTIVE_SUITE else ()
    signed = sign_document(
        unsigned,
        profile.key,
        suite=suite,
        created=issued_at,
        loader=env.loader,
        where=where,
        mandatory=mandatory,
    )
    checks = _verified(signed, suite=suite, mandatory=mandatory, env=env, at=issued_at)
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
        valid_from=_string_or_none(signed.get("validFrom")),
        valid_until=_string_or_none(signed.get("validUntil")),
        row_key=row_key,
    )
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

    Args:
        suite: the cryptosuite (default: the profile's).
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
    issued_at = issued_at or utc_now()
    loader = bundled_loader()
    with Registry.open(profile.registry_path) as registry:
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
