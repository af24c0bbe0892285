"""The wallet's side of enveloped credentials (vc+jwt, SD-JWT...): verified, described, presented.

Specs: https://www.w3.org/TR/vc-jose-cose/ (vc+jwt), RFC 9901 and SD-JWT VC
(``dc+sd-jwt``, Key Binding), https://www.w3.org/TR/vc-data-model-2.0/#enveloped-verifiable-credentials
(how a presentation carries them: ``EnvelopedVerifiableCredential`` with a
``data:`` URL).

Verification is the verifier's (:func:`verifier.enveloped.secured_credential`
for the envelope, then the checks every credential gets on the document
inside: validity, status, trust, schema). At import an SD-JWT carries no
Key Binding JWT: the holder adds one, bound to the verifier's challenge and
domain, when presenting it.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Final

from passeport._io import parse_json
from passeport._json import JsonObject, JsonValue
from passeport.did.jwk import public_from_jwk
from passeport.did.keyfile import KeyPair
from passeport.errors import InputError, KeyFormatError, WalletError
from passeport.proofs.mechanism import SecuringMechanism, mechanism_for, mechanism_named
from passeport.verifier import Environment, Policy, VerificationResult, verify_credential
from passeport.wallet._records import CredentialFormat, Flag, HeldCredential
from passeport.wallet._subjects import binding_flags

__all__ = ["disclose_jose", "token_binding_flags", "token_claims", "verify_token"]

VC_V2: Final = "https://www.w3.org/ns/credentials/v2"


def token_claims(token: str) -> JsonObject:
    """Return the issuer JWT's payload (verified elsewhere): vct, cnf, iss stay in clear."""
    jwt = token.strip().split("~", 1)[0]
    try:
        payload = jwt.split(".")[1]
        value = parse_json(
            base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)), where=None
        )
    except (IndexError, ValueError, binascii.Error, InputError):
        return {}
    return value if isinstance(value, dict) else {}


def verify_token(
    kind: CredentialFormat, token: str, policy: Policy, env: Environment
) -> tuple[VerificationResult, JsonObject | None]:
    """Verify a vc+jwt or SD-JWT as its holder receives it; return the result and the document.

    The envelope's checks replace the Data Integrity proof checks; the
    document inside gets every other check. The holder receives it
    (:attr:`verifier.Policy.receiving`): every enveloping mechanism is
    accepted whatever ``policy.suites`` lists, and no Key Binding is
    expected (there is no verifier yet).
    """
    from passeport.verifier.enveloped import secured_credential

    holder_policy = replace(policy, receiving=True, challenge=None, domain=None)
    now = policy.at or env.clock()
    checks, document, _ = secured_credential(
        token, env=env, policy=holder_policy, now=now, require_key_binding=False
    )
    if document is None or "@context" not in document:
        return VerificationResult(tuple(checks), policy.unchecked_is_failure), document
    inner = verify_credential(document, policy=policy, env=env)
    others = [c for c in inner.checks if not c.code.startswith("proof.")]
    result = VerificationResult(
        (*checks, *others), policy.unchecked_is_failure, inner.summary, inner.warnings
    )
    return result, document


def token_binding_flags(
    kind: CredentialFormat, token: str, subjects: Sequence[str], holder: KeyPair
) -> tuple[Flag, ...]:
    """Flag a token bound to another key (``cnf``), or, bound to no key, as a Data Integrity one.

    ``subjects`` are the subject DIDs (``sub`` included); see
    :func:`wallet._subjects.binding_flags`.
    """
    if kind is CredentialFormat.SD_JWT:
        confirmation = token_claims(token).get("cnf")
        jwk = confirmation.get("jwk") if isinstance(confirmation, dict) else None
        if isinstance(jwk, dict):
            try:
                bound = public_from_jwk(jwk) == holder.public_key
            except KeyFormatError:
                bound = False
            return () if bound else (Flag.OTHER_HOLDER,)
    return binding_flags(subjects, holder.controller)


def _envelope(mechanism: SecuringMechanism, token: str) -> JsonObject:
    # VC 2.0 4.13: an enveloped credential is a data: URL of the secured form.
    return {
        "@context": VC_V2,
        "id": f"data:{mechanism.media_type},{token}",
        "type": "EnvelopedVerifiableCredential",
    }


def token_mechanism(held: HeldCredential) -> SecuringMechanism:
    """Return the mechanism that secures a held token (named in its ``suites`` when stored).

    Raises:
        WalletError: the token's mechanism is not registered (any more).
    """
    try:
        if held.info.suites:
            return mechanism_named(held.info.suites[0])
    except ValueError:
        pass
    found = mechanism_for(str(held.credential))
    if found is None or not found.enveloping:
        raise WalletError(f"credential {held.id} is secured by no mechanism known here")
    return found


def disclose_jose(
    held: HeldCredential,
    reveal: list[str] | None,
    *,
    holder: KeyPair,
    challenge: str,
    domain: str,
    now: datetime,
    expires: datetime | None = None,
) -> tuple[JsonValue, str, list[str]]:
    """Return the enveloped credential to present, how it was disclosed, and notes.

    A deriving mechanism (SD-JWT) keeps only the disclosures ``reveal``
    needs (all with None) and gets a KB-JWT (``nonce`` = challenge, ``aud``
    = domain, ``exp`` = ``expires`` when given) when it is bound to the
    holder's key; any other (a vc+jwt) goes whole. The disclosure is named
    after the mechanism (``sd-jwt``), or ``whole``.
    """
    token = str(held.credential).strip()
    label = held.info.title or held.id
    notes: list[str] = []
    mechanism = token_mechanism(held)
    if not mechanism.derives:
        if reveal:
            notes.append(
                f"{label} ({held.id}) is presented whole: "
                f"a {mechanism.label} cannot be partially disclosed"
            )
        return _envelope(mechanism, token), "whole", notes

    pointers: list[str] = [""] if reveal is None else list(reveal)
    confirmation: Any = token_claims(token).get("cnf")
    key = holder if isinstance(confirmation, dict) else None
    if key is None:
        notes.append(
            f"{label} ({held.id}) is bound to no key: presented without Key Binding, "
            "a verifier asking for a challenge will refuse it"
        )
    presented = mechanism.derive(
        token,
        pointers,
        holder=key,
        nonce=challenge,
        audience=domain,
        issued_at=now,
        expires=expires if key is not None else None,  # an unbound one has no KB-JWT to date
    )
    return _envelope(mechanism, str(presented)), mechanism.name, notes
