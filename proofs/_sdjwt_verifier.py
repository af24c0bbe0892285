"""SD-JWT verification: the verifier's role of RFC 9901 7.1 and 7.3, with SD-JWT VC rules.

Spec: https://www.rfc-editor.org/rfc/rfc9901#section-7 and
https://datatracker.ietf.org/doc/draft-ietf-oauth-sd-jwt-vc/ (3.4 verification;
registered claims never disclosed). Public through :mod:`proofs.sdjwt`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from passeport.did.jwk import public_from_jwk
from passeport.did.keys import PublicKey
from passeport.did.resolve import DidResolver
from passeport.errors import InputError, PasseportError
from passeport.proofs._disclosures import (
    DC_SD_JWT,
    KB_JWT,
    VC_SD_JWT,
    decode_all,
    digest_of,
    hash_name_of,
    process,
    split_sd_jwt,
)
from passeport.proofs._jws import (
    DEFAULT_ALGORITHMS,
    CompactJws,
    alg_problem,
    jwt_time_outcomes,
    numeric_date,
    parse_compact,
    resolve_key,
    unsupported_header,
    verify_signature,
)
from passeport.proofs._jwt_verifier import JwtVerification, party_id
from passeport.proofs.checks import ProofOutcome
from passeport.proofs.dates import AGE_CHECK, format_datetime, presentation_age
from passeport.proofs.outcome import Outcome

__all__ = ["verify_sd_jwt"]

SUITE: Final = "sd-jwt"
# SD-JWT VC 3.2.2.2: registered claims that must never come from a disclosure.
_REGISTERED_CLEAR: Final = frozenset({"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"})


def _fail(code: str, message: str, vm_id: str | None = None) -> ProofOutcome:
    return ProofOutcome(code, Outcome.FAILED, message, None, SUITE, vm_id)


def _pass(code: str, message: str, vm_id: str | None = None) -> ProofOutcome:
    return ProofOutcome(code, Outcome.PASSED, message, None, SUITE, vm_id)


def verify_sd_jwt(
    token: str,
    *,
    resolver: DidResolver,
    now: datetime,
    nonce: str | None = None,
    audience: str | None = None,
    require_key_binding: bool = False,
    max_age: timedelta | None = None,
    max_clock_skew: timedelta = timedelta(minutes=5),
    expected_typ: Collection[str] = (DC_SD_JWT, VC_SD_JWT),
    allowed_algs: Collection[str] = DEFAULT_ALGORITHMS,
    issuer_keys: Mapping[str, PublicKey] | None = None,
) -> JwtVerification:
    """Verify an SD-JWT or SD-JWT+KB; return the processed claims and every outcome.

    The issuer-signed JWT must verify with the key ``kid`` names in the DID
    document of ``iss`` (``assertionMethod``), or with ``issuer_keys[iss]``
    when the verifier knows a non-DID issuer's key. Every disclosure must be
    referenced exactly once. When a KB-JWT is present, or
    ``require_key_binding``, it must be signed by the ``cnf`` key, bound to
    this presentation (``sd_hash``) and, when given, to ``nonce`` and
    ``audience``; its ``iat`` dates the presentation (``presentation.age``
    shows the age, failed beyond ``max_age``; None sets no bound) and its
    optional ``exp`` is the holder's word on until when it holds. Nothing
    raises for a bad token.
    """
    # RFC 9901 7.3 step 3 / 7.1 step 1: separate the parts.
    try:
        jwt_text, texts, kb_text = split_sd_jwt(token)
        jws = parse_compact(jwt_text, what="issuer-signed JWT")
        payload = jws.claims(what="issuer-signed JWT payload")
    except InputError as exc:
        return JwtVerification(None, None, {}, None, (_fail("proof.malformed", exc.message),))
    header = jws.header
    outcomes: list[ProofOutcome] = []
    typ = header.get("typ")
    media = typ.lower().removeprefix("application/") if isinstance(typ, str) else None
    if media not in expected_typ:
        outcomes.append(
            _fail("proof.typ", f"typ is {str(typ)[:40]!r}, not {' or '.join(expected_typ)}")
        )
    unsupported = unsupported_header(header)
    if unsupported is not None:
        outcomes.append(_fail("proof.malformed", unsupported))
    # RFC 9901 7.1 step 2: the issuer-signed JWT, its algorithm, issuer and key.
    iss = payload.get("iss")
    vm_id = _issuer_signature(jws, iss, resolver, allowed_algs, issuer_keys, outcomes)
    # RFC 9901 7.1 step 2.5: a hash algorithm this verifier knows.
    try:
        hash_name = hash_name_of(payload)
    except InputError as exc:
        outcomes.append(_fail("disclosure.hash_alg", exc.message, vm_id))
        return JwtVerification(media, None, header, vm_id, tuple(outcomes))
    try:
        by_digest = decode_all(texts, hash_name)
    except InputError as exc:
        outcomes.append(_fail("disclosure.malformed", exc.message, vm_id))
        return JwtVerification(media, None, header, vm_id, tuple(outcomes))
    if len(by_digest) != len(texts):
        outcomes.append(_fail("disclosure.duplicate", "the same disclosure is sent twice", vm_id))
    # RFC 9901 7.1 step 3-5.
    processed = process(payload, by_digest)
    for code, message in processed.problems:
        outcomes.append(_fail(code, message, vm_id))
    for name in sorted(processed.top_level & _REGISTERED_CLEAR):
        message = f'"{name}" must not be selectively disclosed (SD-JWT VC 3.2.2.2)'
        outcomes.append(_fail("disclosure.reserved", message, vm_id))
    if not processed.problems and len(by_digest) == len(texts):
        count = len(by_digest)
        agree = "s match" if count != 1 else " matches"
        message = f"{count} disclosure{agree} the issuer's digests"
        outcomes.append(_pass("disclosure.digests", message, vm_id))
    claims = processed.payload
    if media == DC_SD_JWT and not isinstance(claims.get("vct"), str):
        outcomes.append(_fail("input.vct", "an SD-JWT VC needs a vct claim naming its type", vm_id))
    issuer = party_id(claims.get("issuer"))
    if issuer is not None and issuer != iss:
        message = f"iss is {str(iss)[:80]!r}, but the credential's issuer is {issuer}"
        outcomes.append(_fail("proof.issuer", message, vm_id))
    # RFC 9901 7.1 step 6: validity claims of the processed payload.
    outcomes.extend(
        jwt_time_outcomes(
            claims,
            names=("exp", "nbf", "iat"),
            now=now,
            skew=max_clock_skew,
            suite=SUITE,
            vm_id=vm_id,
        )
    )
    # RFC 9901 7.3 step 1-2, 5: Key Binding, when required or offered.
    if kb_text:
        presented = token.strip()[: -len(kb_text)]
        outcomes.extend(
            _key_binding(
                kb_text,
                presented,
                claims,
                hash_name,
                now=now,
                nonce=nonce,
                audience=audience,
                max_age=max_age,
                skew=max_clock_skew,
                allowed_algs=allowed_algs,
            )
        )
    elif require_key_binding:
        message = "the holder did not bind this presentation to the verifier (no KB-JWT)"
        outcomes.append(_fail("key_binding.missing", message, vm_id))
    return JwtVerification(media, claims, header, vm_id, tuple(outcomes))


def _issuer_signature(
    jws: CompactJws,
    iss: Any,
    resolver: DidResolver,
    allowed_algs: Collection[str],
    issuer_keys: Mapping[str, PublicKey] | None,
    outcomes: list[ProofOutcome],
) -> str | None:
    alg = jws.header.get("alg")
    refused = alg_problem(alg, None, allowed_algs)
    if refused is not None:
        outcomes.append(_fail("proof.alg", refused))
        return None
    if not isinstance(iss, str) or not iss:
        outcomes.append(_fail("proof.issuer", "the SD-JWT names no issuer (iss)"))
        return None
    if issuer_keys is not None and iss in issuer_keys:
        key, vm_id, owner = issuer_keys[iss], iss, iss
    else:
        method, found = resolve_key(
            jws.header.get("kid"),
            base=iss,
            controller=iss,
            relationship="assertionMethod",
            resolver=resolver,
            suite=SUITE,
        )
        outcomes.extend(found)
        if method is None:
            return None
        key, vm_id, owner = method.public_key, method.id, method.controller
    mismatch = alg_problem(alg, key, allowed_algs)
    if mismatch is not None:
        outcomes.append(_fail("proof.alg", mismatch, vm_id))
    elif unsupported_header(jws.header) is not None:
        pass  # refused by the caller: a token read in another way is never checked
    elif verify_signature(jws, key, alg=str(alg)):
        outcomes.append(
            _pass("proof.signature", f"{alg} signature verifies, by a key of {owner}", vm_id)
        )
    else:
        message = f"{alg} signature does not verify: the issuer-signed JWT changed since signing"
        outcomes.append(_fail("proof.signature", message, vm_id))
    return vm_id


def _freshness(
    kb_claims: Mapping[str, Any],
    *,
    now: datetime,
    max_age: timedelta | None,
    skew: timedelta,
    nonce: str | None,
) -> list[ProofOutcome]:
    """Date the presentation by the KB-JWT's ``iat``, bounded by ``max_age`` and its ``exp``."""
    # RFC 9901 7.3 step 5.5: iat within an acceptable window, which is the
    # verifier's max_age and the holder's exp (a further claim, RFC 9901 4.3).
    outcomes: list[ProofOutcome] = []
    made: datetime | None = None
    try:
        made = numeric_date(kb_claims.get("iat"), name="iat")
    except InputError as exc:
        outcomes.append(_fail("key_binding.iat", f"KB-JWT {exc.message}"))
    if made is not None and made - now > skew:
        outcomes.append(
            _fail("key_binding.iat", f"KB-JWT made in the future ({format_datetime(made)})")
        )
    expires: datetime | None = None
    if "exp" in kb_claims:
        try:
            expires = numeric_date(kb_claims["exp"], name="exp")
        except InputError as exc:
            outcomes.append(_fail("key_binding.expired", f"KB-JWT {exc.message}"))
        else:
            if now - expires >= skew:
                message = f"the holder's presentation expired at {format_datetime(expires)} (exp)"
                outcomes.append(_fail("key_binding.expired", message))
    if made is not None:
        found = presentation_age(
            made,
            now=now,
            max_age=max_age,
            skew=skew,
            expires=expires,
            challenged=nonce is not None,
        )
        if found is not None:
            outcomes.append(ProofOutcome(AGE_CHECK, found[0], found[1], None, SUITE, None))
    return outcomes


def _key_binding(
    kb_text: str,
    presented: str,
    claims: Mapping[str, Any],
    hash_name: str,
    *,
    now: datetime,
    nonce: str | None,
    audience: str | None,
    max_age: timedelta | None,
    skew: timedelta,
    allowed_algs: Collection[str],
) -> list[ProofOutcome]:
    # RFC 9901 7.3 step 5.1: the holder's key is the cnf claim's.
    cnf = claims.get("cnf")
    jwk = cnf.get("jwk") if isinstance(cnf, Mapping) else None
    if not isinstance(jwk, Mapping):
        return [_fail("key_binding.cnf", "a KB-JWT is present but the credential has no cnf jwk")]
    try:
        holder = public_from_jwk(jwk)
        kb = parse_compact(kb_text, what="KB-JWT")
        kb_claims = kb.claims(what="KB-JWT payload")
    except PasseportError as exc:
        return [_fail("key_binding.malformed", exc.message)]
    outcomes: list[ProofOutcome] = []
    # Step 5.4: explicitly typed kb+jwt.
    if kb.header.get("typ") != KB_JWT:
        outcomes.append(
            _fail("key_binding.typ", f"KB-JWT typ is {str(kb.header.get('typ'))[:40]!r}")
        )
    # Step 5.2-5.3: algorithm pinned to the cnf key, then the signature.
    refused = alg_problem(kb.header.get("alg"), holder, allowed_algs)
    if refused is not None:
        outcomes.append(_fail("key_binding.alg", refused))
    elif verify_signature(kb, holder, alg=str(kb.header["alg"])):
        outcomes.append(_pass("key_binding.signature", "signed by the holder's key (cnf)"))
    else:
        outcomes.append(_fail("key_binding.signature", "the KB-JWT is not signed by the cnf key"))
    outcomes.extend(_freshness(kb_claims, now=now, max_age=max_age, skew=skew, nonce=nonce))
    # Step 5.6: bound to this transaction and this verifier.
    for name, expected, code in (
        ("nonce", nonce, "key_binding.nonce"),
        ("aud", audience, "key_binding.audience"),
    ):
        found = kb_claims.get(name)
        if not isinstance(found, str):
            outcomes.append(_fail(code, f"KB-JWT {name} is not a string"))
        elif expected is not None and found != expected:
            outcomes.append(_fail(code, f"KB-JWT {name} is {found[:80]!r}, expected {expected!r}"))
        elif expected is not None:
            outcomes.append(_pass(code, f"KB-JWT {name} is the expected one"))
    # Step 5.7: sd_hash over the issuer-signed JWT and the disclosures presented.
    if kb_claims.get("sd_hash") != digest_of(presented, hash_name):
        outcomes.append(
            _fail("key_binding.sd_hash", "sd_hash does not match the disclosures presented")
        )
    else:
        outcomes.append(_pass("key_binding.sd_hash", "sd_hash covers exactly what was presented"))
    return outcomes
