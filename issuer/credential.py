"""Issue a credential its caller wrote (VC-API): status entries, sign, verify, record.

Spec: https://w3c-ccg.github.io/vc-api/#issue-credential . The caller sends
an unsecured credential and options (``mandatoryPointers``, ``credentialId``);
the issuer adds its two status entries (revocation and suspension, allocated
in its registry), secures the credential with the profile's mechanism, checks
it as its holder and a verifier will, records it and returns it: the same
path as a template's (:func:`issuer.issue.issue`), only the credential is
the caller's instead of a template's.

A credential that must not be signed is refused before anything is spent
(:class:`~passeport.errors.InputError`, or what signing raises): not a
credential, already secured, an ``issuer`` that is not this issuer, status
entries of its own (the issuer's are the ones it can change), an id already
issued. A VC 1.1 credential gets the Bitstring Status List context
(:data:`STATUS_V1`) after its own, which lacks the terms of the status
entries. One whose signed form does not verify is refused too
(:class:`~passeport.errors.SigningError`, naming the failed checks). Its
validity period is the caller's: a credential valid from next month or
already expired is signed as written (a verifier judges the period), but
dates that are not XML Schema ``dateTimeStamp`` values are refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from passeport._json import JsonObject, id_of
from passeport.contexts import bundled_loader
from passeport.errors import InputError, SigningError
from passeport.issuer.issue import (
    VC_V2,
    _holder_of,
    _verified,
    check_suite,
    new_credential_id,
    verification_documents,
    verification_environment,
)
from passeport.issuer.profile import Profile
from passeport.issuer.registry import CredentialRecord
from passeport.issuer.statuslist import allocate_status
from passeport.proofs.dates import format_datetime, utc_now
from passeport.proofs.outcome import Outcome

__all__ = ["STATUS_V1", "VC_API_TEMPLATE", "issue_credential"]

VC_API_TEMPLATE: Final = "vc-api"
"""What the registry records as the template of a credential its caller wrote."""

VC_V1: Final = "https://www.w3.org/2018/credentials/v1"
STATUS_V1: Final = "https://www.w3.org/ns/credentials/status/v1"
"""The Bitstring Status List context, added to a VC 1.1 credential for its status entries."""

_MAX_ID: Final = 2048
_FUTURE_SKEW: Final = timedelta(minutes=5)
# Checks whose failure at issuance says the caller chose the period, not that the
# credential is broken: it is signed as written, and verifiers judge the period.
_PERIOD: Final = frozenset({"validity.expired", "validity.not_yet_valid"})
# Fetched from elsewhere (a JSON Schema), possibly not available offline here.
_ELSEWHERE: Final = ("schema.",)


def _check_id(value: Any, where: str) -> str:
    if (
        not isinstance(value, str)
        or not value
        or len(value) > _MAX_ID
        or any(c.isspace() or not c.isprintable() for c in value)
    ):
        raise InputError(
            f"must be a URI of at most {_MAX_ID} characters, without spaces", where=where
        )
    return value


def _types(credential: Mapping[str, Any]) -> list[Any]:
    value = credential.get("type", [])
    return value if isinstance(value, list) else [value]


def _refuse_unsignable(credential: Mapping[str, Any], profile: Profile, where: str) -> None:
    """Refuse, before a status entry is spent, what this issuer must not sign."""
    types = _types(credential)
    if "VerifiablePresentation" in types:
        raise InputError("a presentation is signed by its holder, not issued", where=where)
    if "VerifiableCredential" not in types:
        raise InputError('type must include "VerifiableCredential"', where=where, pointer="/type")
    if "proof" in credential:
        raise InputError(
            "already has a proof: send the credential without it", where=where, pointer="/proof"
        )
    if "credentialStatus" in credential:
        raise InputError(
            "this issuer adds its own status entries (revocation and suspension), the ones "
            "it can change: leave credentialStatus out",
            where=where,
            pointer="/credentialStatus",
        )
    if "issuer" in credential and id_of(credential["issuer"]) != profile.did:
        named = id_of(credential["issuer"]) or credential["issuer"]
        raise InputError(
            f"the issuer is {named!r}, not this issuer's {profile.did}; "
            "leave it out or name this issuer",
            where=where,
            pointer="/issuer",
        )


def _define_status_terms(unsigned: JsonObject) -> None:
    """Add the status context to a VC 1.1 credential, whose own context lacks its terms.

    The VC 2.0 context defines ``BitstringStatusListEntry`` and its members;
    the VC 1.1 one does not, and Bitstring Status List 1.0 gives them in
    :data:`STATUS_V1` for such credentials.
    """
    context = unsigned.get("@context")
    contexts = context if isinstance(context, list) else [context]
    if contexts and contexts[0] == VC_V1 and STATUS_V1 not in contexts:
        unsigned["@context"] = [*contexts, STATUS_V1]


def _subject(credential: Mapping[str, Any]) -> str | None:
    subject = credential.get("credentialSubject")
    first = subject[0] if isinstance(subject, list) and subject else subject
    found = id_of(first) if isinstance(first, Mapping) else None
    return found if found and found.startswith("did:") else None


def _blocking(checks: Sequence[Any]) -> list[str]:
    """Return ``code: message`` of the checks that forbid issuing (see the module docstring)."""
    problems = []
    for check in checks:
        if check.outcome is Outcome.PASSED or check.code in _PERIOD:
            continue
        if check.outcome is Outcome.UNCHECKED and check.code.startswith(_ELSEWHERE):
            continue
        problems.append(f"{check.code}: {check.message}")
    return problems


def issue_credential(
    profile: Profile,
    credential: Mapping[str, Any],
    *,
    suite: str | None = None,
    mandatory: Sequence[str] = (),
    credential_id: str | None = None,
    issued_at: datetime | None = None,
    now: datetime | None = None,
    where: str = "credential",
) -> JsonObject:
    """Issue ``credential`` as written, with the issuer's status entries: signed, checked, recorded.

    The credential is recorded under ``credential_id`` (VC-API
    ``options.credentialId``), else its own ``id``; with neither, it gets a
    new ``urn:uuid`` id, so that its status can be changed later. ``issuer``
    is filled with the profile's DID when absent.

    Args:
        suite: a registered securing mechanism (default: the profile's).
        mandatory: JSON pointers every disclosure keeps (``ecdsa-sd-2023``,
            ``sd-jwt``; VC-API ``options.mandatoryPointers``).
        issued_at: the proof's ``created`` (VC-API ``options.created``;
            default now). It may be in the past, not in the future.
        now: the current instant (default: the system clock).
        where: how to name the credential in errors.

    Raises:
        InputError: not a credential this issuer may sign (see the module
            docstring), mandatory pointers the suite does not take, an id
            already recorded, or a registry that cannot be written.
        ContextError: a term the contexts do not define, or a remote context.
        SigningError: the key does not fit the suite, or the signed credential
            did not verify (naming the checks).
        ValueError: an unknown suite.
    """
    if not isinstance(credential, Mapping):
        raise InputError("not a credential: expected a JSON object", where=where)
    _refuse_unsignable(credential, profile, where)
    suite = suite or profile.suite
    mechanism = check_suite(suite)
    if mandatory and not mechanism.takes_mandatory:
        raise InputError(
            f"{suite} takes no mandatory pointers: its proof covers the whole credential",
            where="options.mandatoryPointers",
        )
    own_id = credential.get("id")
    if own_id is not None:
        _check_id(own_id, f"{where}: /id")
    if credential_id is not None:
        _check_id(credential_id, "options.credentialId")
        if own_id is not None and own_id != credential_id:
            raise InputError(
                f"differs from the credential's id {own_id!r}; give one of them",
                where="options.credentialId",
            )
    current = now or utc_now()
    issued_at = issued_at or current
    if issued_at.tzinfo is None:
        raise InputError("a proof date needs a time zone", where="options.created")
    if issued_at > current + _FUTURE_SKEW:
        raise InputError(
            f"{format_datetime(issued_at)} is in the future: a proof is dated when it is made",
            where="options.created",
        )
    unsigned: JsonObject = dict(credential)
    _define_status_terms(unsigned)
    record_id = credential_id or own_id or new_credential_id()
    if credential_id is None and own_id is None:
        unsigned["id"] = record_id
    loader = bundled_loader()
    with profile.open_registry() as registry:
        if registry.find(record_id) is not None:
            raise InputError("a credential with this id was already issued", where=record_id)
        [slot] = allocate_status(profile, registry, 1, at=issued_at)
        unsigned["credentialStatus"] = list(slot.entries())
        documents = verification_documents(
            profile, registry, {slot.list_id}, at=issued_at, loader=loader
        )
        env = verification_environment(documents, loader=loader, at=issued_at)
        signed = mechanism.secure(
            unsigned,
            profile.key,
            issued_at=issued_at,
            mandatory=tuple(mandatory),
            holder=_holder_of(unsigned),
            loader=loader,
            where=where,
        )
        problems = _blocking(_verified(signed, mechanism=mechanism, env=env, at=issued_at))
        if problems:
            raise SigningError(
                "the signed credential did not verify, so it was not issued ("
                + "; ".join(problems)
                + ")",
                where=where,
            )
        valid_from = unsigned.get("validFrom")
        valid_until = unsigned.get("validUntil")
        registry.add(
            [
                CredentialRecord(
                    id=record_id,
                    template=VC_API_TEMPLATE,
                    subject=_subject(unsigned),
                    list_id=slot.list_id,
                    revocation_index=slot.revocation_index,
                    suspension_index=slot.suspension_index,
                    issued=format_datetime(issued_at),
                    valid_from=valid_from if isinstance(valid_from, str) else None,
                    valid_until=valid_until if isinstance(valid_until, str) else None,
                )
            ]
        )
    if isinstance(signed, str):
        # VC 2.0 4.13: an enveloped credential is a data: URL of the secured form.
        return {
            "@context": VC_V2,
            "id": f"data:{mechanism.media_type},{signed}",
            "type": "EnvelopedVerifiableCredential",
        }
    return signed
