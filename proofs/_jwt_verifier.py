"""Verifying VC-JOSE-COSE tokens: ``vc+jwt``, ``vp+jwt`` and VC 1.1 JWTs.

Spec: https://www.w3.org/TR/vc-jose-cose/ 6.1 (verifying with JOSE: RFC 7515
5.2, then the payload is the document), 4.1 (``kid`` is a DID URL, ``iss``
must match ``issuer``), RFC 8725 3.1 and 3.11 (algorithm pinned to the
resolved key, explicit typing) and
https://www.w3.org/TR/vc-data-model-1.1/#jwt-decoding for the 1.1 form.
Public through :mod:`proofs.jose`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from passeport._json import JsonObject
from passeport._json import id_of as party_id
from passeport.did.resolve import DidResolver
from passeport.errors import InputError
from passeport.proofs._jws import (
    DEFAULT_ALGORITHMS,
    alg_problem,
    jwt_time_outcomes,
    numeric_date,
    read_jwt,
    resolve_key,
    unsupported_header,
    verify_signature,
)
from passeport.proofs._vc11 import decode_vc11
from passeport.proofs.checks import ProofOutcome
from passeport.proofs.dates import AGE_CHECK, presentation_age
from passeport.proofs.outcome import Outcome

__all__ = [
    "SUITE",
    "VC_JWT",
    "VC_JWT_11",
    "VP_JWT",
    "VP_JWT_11",
    "JwtVerification",
    "party_id",
    "verify_jwt",
]

VC_JWT: Final = "vc+jwt"
VP_JWT: Final = "vp+jwt"
VC_JWT_11: Final = "jwt-vc-1.1"  # VC Data Model 1.1 JWT with a "vc" claim
VP_JWT_11: Final = "jwt-vp-1.1"  # VC Data Model 1.1 JWT with a "vp" claim
SUITE: Final = "vc-jwt"


@dataclass(frozen=True, slots=True)
class JwtVerification:
    """What verifying a JOSE-secured credential or presentation found.

    ``payload`` is the document (for a VC 1.1 JWT, the credential rebuilt from
    its claims; for an SD-JWT, the processed payload), present whenever it could
    be decoded, even if a check failed: read ``verified`` or the outcomes
    before trusting it. ``media_type`` names the form that was read.
    """

    media_type: str | None
    payload: JsonObject | None
    header: JsonObject
    verification_method: str | None
    outcomes: tuple[ProofOutcome, ...]

    @property
    def verified(self) -> bool:
        """True when the signature verified and no check failed or was left unchecked."""
        signed = any(
            o.code == "proof.signature" and o.outcome is Outcome.PASSED for o in self.outcomes
        )
        return signed and all(o.outcome is Outcome.PASSED for o in self.outcomes)


def _fail(code: str, message: str, vm_id: str | None = None, suite: str = SUITE) -> ProofOutcome:
    return ProofOutcome(code, Outcome.FAILED, message, None, suite, vm_id)


def _pass(code: str, message: str, vm_id: str | None, suite: str = SUITE) -> ProofOutcome:
    return ProofOutcome(code, Outcome.PASSED, message, None, suite, vm_id)


def _media_type(header: Mapping[str, Any], claims: Mapping[str, Any]) -> tuple[str | None, str]:
    typ = header.get("typ")
    if typ is not None and not isinstance(typ, str):
        return None, "the JOSE header typ is not a string"
    normal = typ.lower().removeprefix("application/") if typ else None
    if normal in (VC_JWT, VP_JWT):
        if "vc" in claims or "vp" in claims:
            return None, f'a {normal} payload must not carry a "vc" or "vp" claim'
        return normal, ""
    if normal in (None, "jwt"):
        if "vc" in claims and "vp" not in claims:
            return VC_JWT_11, ""
        if "vp" in claims and "vc" not in claims:
            return VP_JWT_11, ""
        return None, "neither typ vc+jwt/vp+jwt nor a VC 1.1 vc/vp claim: not a credential JWT"
    return None, f'typ "{str(typ)[:40]}" is not vc+jwt, vp+jwt or JWT'


def verify_jwt(
    token: str,
    *,
    resolver: DidResolver,
    now: datetime,
    expect: Literal["credential", "presentation"] | None = None,
    nonce: str | None = None,
    audience: str | None = None,
    allowed_algs: Collection[str] = DEFAULT_ALGORITHMS,
    max_clock_skew: timedelta = timedelta(minutes=5),
    max_age: timedelta | None = None,
) -> JwtVerification:
    """Verify a ``vc+jwt``/``vp+jwt`` token or a VC 1.1 JWT; return the document and outcomes.

    Nothing raises for a bad token: unreadable parts, a refused ``alg``, an
    unknown ``kid``, a key of someone else or a bad signature are failed
    outcomes; a DID document that cannot be obtained offline is unchecked.
    ``nonce`` and ``audience``, when given, must be the presentation's
    ``nonce`` and ``aud`` claims (the verifier's challenge and domain). A
    presentation is dated by its ``iat`` (else ``nbf``): ``presentation.age``
    shows its age, failed beyond ``max_age`` (None sets no bound but the
    holder's ``exp``).
    """
    # VC-JOSE-COSE 6.1 step 1 / RFC 7515 5.2 steps 1-7: parse the compact form.
    try:
        jws, claims = read_jwt(token)
    except InputError as exc:
        return JwtVerification(
            None, None, {}, None, (_fail("proof.malformed", f"unreadable JWT: {exc.message}"),)
        )
    header = jws.header
    # RFC 8725 3.11: explicit typing keeps other JWTs (KB-JWTs, ID tokens) out.
    media, problem = _media_type(header, claims)
    if media is None:
        return JwtVerification(None, None, header, None, (_fail("proof.typ", problem),))
    kind = "presentation" if media in (VP_JWT, VP_JWT_11) else "credential"
    outcomes: list[ProofOutcome] = []
    if expect is not None and kind != expect:
        outcomes.append(_fail("proof.typ", f"a {kind} where a {expect} is expected"))
    unsupported = unsupported_header(header)
    if unsupported is not None:
        outcomes.append(_fail("proof.malformed", unsupported))
    if media in (VC_JWT_11, VP_JWT_11):
        document, decoded = decode_vc11(claims, kind)
        outcomes.extend(decoded)
        if document is None:
            return JwtVerification(media, None, header, None, tuple(outcomes))
    else:
        document = claims
    member = "holder" if kind == "presentation" else "issuer"
    party = party_id(document.get(member))
    # VC-JOSE-COSE 4.1.2: iss, when present, must match issuer (holder).
    for where, iss in (("header", header.get("iss")), ("claims", claims.get("iss"))):
        if iss is not None and party is not None and iss != party:
            message = f"iss in the JWT {where} is {str(iss)[:80]!r}, but the {member} is {party}"
            outcomes.append(_fail("proof.issuer", message))
    controller = party or party_id(claims.get("iss"))
    alg = header.get("alg")
    refused = alg_problem(alg, None, allowed_algs)
    vm_id: str | None = None
    if refused is not None:
        outcomes.append(_fail("proof.alg", refused))
    else:
        relationship = "authentication" if kind == "presentation" else "assertionMethod"
        method, found = resolve_key(
            header.get("kid"),
            base=controller,
            controller=controller,
            relationship=relationship,
            resolver=resolver,
            suite=SUITE,
        )
        outcomes.extend(found)
        if method is not None:
            vm_id = method.id
            mismatch = alg_problem(alg, method.public_key, allowed_algs)
            if mismatch is not None:
                outcomes.append(_fail("proof.alg", mismatch, vm_id))
            elif unsupported_header(header) is not None:
                pass  # refused above: a token read in another way is never checked
            elif verify_signature(jws, method.public_key, alg=str(alg)):
                message = f"{alg} signature verifies, by a key of {method.controller}"
                outcomes.append(_pass("proof.signature", message, vm_id))
            else:
                message = f"{alg} signature does not verify: the token changed since signing"
                outcomes.append(_fail("proof.signature", message, vm_id))
    # RFC 7519 4.1.4-6: exp and nbf of a VC 1.1 credential became its dates instead.
    times = ("iat",) if media == VC_JWT_11 else ("exp", "nbf", "iat")
    outcomes.extend(
        jwt_time_outcomes(
            claims, names=times, now=now, skew=max_clock_skew, suite=SUITE, vm_id=vm_id
        )
    )
    if kind == "presentation":
        outcomes.extend(_replay_outcomes(claims, nonce, audience, vm_id))
        outcomes.extend(_age(claims, now, max_age, max_clock_skew, nonce, vm_id))
    return JwtVerification(media, document, header, vm_id, tuple(outcomes))


def _age(
    claims: Mapping[str, Any],
    now: datetime,
    max_age: timedelta | None,
    skew: timedelta,
    nonce: str | None,
    vm_id: str | None,
) -> list[ProofOutcome]:
    """Date a presentation by ``iat`` (else ``nbf``); unreadable dates are proof.malformed."""
    moments: dict[str, datetime] = {}
    for name in ("iat", "nbf", "exp"):
        if name in claims:
            try:
                moments[name] = numeric_date(claims[name], name=name)
            except InputError:
                return []  # proof.malformed, from jwt_time_outcomes
    found = presentation_age(
        moments.get("iat", moments.get("nbf")),
        now=now,
        max_age=max_age,
        skew=skew,
        expires=moments.get("exp"),
        challenged=nonce is not None,
    )
    if found is None:
        return []  # dated in the future: proof.created or proof.not_yet_valid
    return [ProofOutcome(AGE_CHECK, found[0], found[1], None, SUITE, vm_id)]


def _replay_outcomes(
    claims: Mapping[str, Any], nonce: str | None, audience: str | None, vm_id: str | None
) -> list[ProofOutcome]:
    outcomes: list[ProofOutcome] = []
    if nonce is not None:
        found = claims.get("nonce")
        if found == nonce:
            outcomes.append(
                _pass("proof.challenge", "the presentation answers the challenge", vm_id)
            )
        else:
            shown = "absent" if found is None else repr(found)[:80]
            message = f'nonce is {shown}, expected "{nonce}"'
            outcomes.append(_fail("proof.challenge", message, vm_id))
    if audience is not None:
        aud = claims.get("aud")
        if aud == audience or (isinstance(aud, list) and audience in aud):
            message = "the presentation is meant for this verifier (aud)"
            outcomes.append(_pass("proof.domain", message, vm_id))
        else:
            shown = "absent" if aud is None else repr(aud)[:80]
            outcomes.append(_fail("proof.domain", f'aud is {shown}, expected "{audience}"', vm_id))
    return outcomes
