"""SD-JWT VC: issue, present (with Key Binding) and verify selectively disclosable credentials.

Specs: RFC 9901 Selective Disclosure for JSON Web Tokens,
https://www.rfc-editor.org/rfc/rfc9901 (4 formats, 4.3 Key Binding JWT, 7.1-7.3
verification) and SD-JWT-based Verifiable Credentials,
https://datatracker.ietf.org/doc/draft-ietf-oauth-sd-jwt-vc/ (``typ``
``dc+sd-jwt``, ``vct``, ``cnf``; ``iss``, ``nbf``, ``exp``, ``cnf``, ``vct``
and ``status`` are never selectively disclosable).

The roles follow the spec: the issuer (:func:`issue_sd_jwt`) signs a payload
where the chosen claims are replaced by digests and hands the holder every
disclosure; the holder (:func:`present_sd_jwt`) keeps those it wants to show
and may bind them to a verifier's nonce and audience with a KB-JWT signed by
the key in ``cnf``; the verifier (:func:`verify_sd_jwt`) checks all of it.
The issuer is a DID in ``iss`` and ``kid`` is one of its verification methods
(assertionMethod). Claims that are a VC Data Model 2.0 credential keep the
members a verifier needs (``@context``, ``type``, ``issuer``, status, schema,
validity dates) in clear.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from contexts import DocumentLoader
from did.jwk import public_from_jwk, public_to_jwk
from did.keyfile import KeyPair
from did.keys import PrivateKey, PublicKey
from did.resolve import DidResolver
from passeport.errors import InputError, KeyFormatError, PasseportError, SigningError
from proofs._disclosures import (
    Disclosure,
    conceal,
    decode_disclosure,
    digest_of,
    is_prefix,
    parse_pointer,
    process,
    resolve_pointer,
)
from proofs._jws import (
    DEFAULT_ALGORITHMS,
    CompactJws,
    alg_for,
    alg_problem,
    b64url_encode,
    encode_compact,
    json_bytes,
    numeric_date,
    parse_compact,
    resolve_key,
    signer_of,
    verification_method_of,
)
from proofs.checks import ProofOutcome
from proofs.dates import format_datetime, utc_now
from proofs.jose import (
    JwtVerification,
    controller_of,
    jwt_time_outcomes,
    party_id,
    prepare_document,
)
from proofs.outcome import Outcome
from proofs.suite import Signer

__all__ = [
    "DC_SD_JWT",
    "KB_JWT",
    "NEVER_DISCLOSABLE",
    "VC_SD_JWT",
    "issue_sd_jwt",
    "present_sd_jwt",
    "verify_sd_jwt",
]

DC_SD_JWT: Final = "dc+sd-jwt"
VC_SD_JWT: Final = "vc+sd-jwt"  # VC-JOSE-COSE's name for a VC 2.0 credential secured as SD-JWT
KB_JWT: Final = "kb+jwt"
SUITE: Final = "sd-jwt"
HASH_NAME: Final = "sha-256"
# SD-JWT VC 3.2.2.2: never in disclosures; VC-JOSE-COSE 3.2.1: what a verifier needs of a VC.
NEVER_DISCLOSABLE: Final = frozenset(
    {"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status", "aka_vcts", "_sd_alg"}
    | {"@context", "type", "issuer", "credentialStatus", "credentialSchema", "relatedResource"}
    | {"validFrom", "validUntil", "issuanceDate", "expirationDate"}
)
_REGISTERED_CLEAR: Final = frozenset({"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"})


def _random_salt() -> str:
    # RFC 9901 9.3: 128 bits of cryptographically secure randomness, base64url.
    return b64url_encode(secrets.token_bytes(16))


def _seconds(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return int(moment.timestamp())


def _reserved_members(value: Any, pointer: str = "") -> str | None:
    if isinstance(value, Mapping):
        for name, item in value.items():
            if name in ("_sd", "...", "_sd_alg"):
                return f"{pointer}/{name}"
            found = _reserved_members(item, f"{pointer}/{name}")
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _reserved_members(item, f"{pointer}/{index}")
            if found:
                return found
    return None


def issue_sd_jwt(
    claims: Mapping[str, Any],
    key: KeyPair | Signer,
    *,
    vct: str,
    disclosable: Sequence[str] = (),
    holder_jwk: Mapping[str, Any] | None = None,
    salt: Callable[[], str] | None = None,
    decoys: int = 0,
    issued_at: datetime | None = None,
    expires: datetime | None = None,
    loader: DocumentLoader | None = None,
    where: str | None = None,
) -> str:
    """Issue an SD-JWT VC (``typ`` ``dc+sd-jwt``) over ``claims``; return ``<jwt>~<disc>~...~``.

    Every claim named by a JSON pointer of ``disclosable`` (object members and
    array elements such as ``/credentialSubject/skills/1``) becomes a
    disclosure. ``iss`` is the key's DID and ``kid`` its verification method;
    claims that are a VC 2.0 credential get their ``issuer`` filled or
    checked and their terms checked against their contexts. ``holder_jwk``
    (public) becomes ``cnf`` for Key Binding. ``salt`` returns fresh salts
    (tests inject fixed ones); ``decoys`` adds decoy digests to each ``_sd``.

    Raises:
        InputError: claims not an object, a pointer that names nothing, or a
            bad holder JWK.
        SigningError: a claim that must stay in clear made disclosable, a
            reserved name in the claims, or ``issuer``/``iss``/``vct``
            contradicting the key or ``vct``.
        ContextError: a credential term not defined by its contexts.
    """
    if not isinstance(claims, Mapping):
        raise InputError("the claims must be a JSON object", where=where)
    if "@context" in claims:
        unsigned = prepare_document(claims, key, kind="credential", loader=loader, where=where)
    else:
        unsigned = copy.deepcopy(dict(claims))
    reserved = _reserved_members(unsigned)
    if reserved is not None:
        raise SigningError(
            "_sd, _sd_alg and ... are reserved by SD-JWT", where=where, pointer=reserved
        )
    issuer = controller_of(key)
    for name, expected in (("iss", issuer), ("vct", vct)):
        if name in unsigned and unsigned[name] != expected:
            raise SigningError(
                f"{name} is {str(unsigned[name])[:80]!r}, expected {expected!r}",
                where=where,
                pointer=f"/{name}",
            )
        unsigned.pop(name, None)
    if not isinstance(vct, str) or not vct:
        raise InputError("vct must be a non-empty string naming the credential type", where=where)
    if "cnf" in unsigned:
        raise SigningError("cnf comes from holder_jwk", where=where, pointer="/cnf")
    paths: set[tuple[str, ...]] = set()
    for pointer in disclosable:
        path = parse_pointer(pointer, where=where)
        if not path or path[0] in NEVER_DISCLOSABLE:
            raise SigningError(
                "this claim must stay in clear for the credential to be verified",
                where=where,
                pointer=pointer,
            )
        if not resolve_pointer(unsigned, path):
            raise InputError("no such claim", where=where, pointer=pointer)
        paths.add(path)
    # RFC 9901 4.2: conceal the chosen claims, deepest first.
    payload, disclosures = conceal(
        unsigned, paths, salt=salt or _random_salt, hash_name=HASH_NAME, decoys=decoys
    )
    # SD-JWT VC 3.2.2.2: iss, iat, exp, vct and cnf stay in clear.
    payload["iss"] = issuer
    payload["iat"] = _seconds(issued_at or utc_now())
    if expires is not None:
        payload["exp"] = _seconds(expires)
    payload["vct"] = vct
    if holder_jwk is not None:
        try:
            payload["cnf"] = {"jwk": public_to_jwk(public_from_jwk(holder_jwk))}
        except KeyFormatError as exc:
            raise InputError(f"holder key: {exc.message}", where=where) from None
    payload["_sd_alg"] = HASH_NAME
    signer = signer_of(key)
    header = {
        "alg": alg_for(signer.public_key),
        "kid": verification_method_of(key),
        "typ": DC_SD_JWT,
    }
    try:
        jwt = encode_compact(header, json_bytes(payload), signer)
    except InputError as exc:
        raise exc.located(where) if where else exc from None
    return "~".join([jwt, *disclosures, ""])


def _split(token: str) -> tuple[str, list[str], str]:
    """Split ``<jwt>~<d1>~...~<dn>~[<kb-jwt>]`` (RFC 9901 4)."""
    if not isinstance(token, str):
        raise InputError("an SD-JWT is a string")
    parts = token.strip().split("~")
    if len(parts) < 2:
        raise InputError("an SD-JWT has at least one ~ (after the issuer-signed JWT)")
    jwt, disclosures, kb = parts[0], parts[1:-1], parts[-1]
    if any(not d for d in disclosures):
        raise InputError("an SD-JWT has an empty disclosure (two ~ in a row)")
    return jwt, disclosures, kb


def _hash_name(payload: Mapping[str, Any]) -> str:
    # RFC 9901 4.1.1: sha-256 when _sd_alg is absent.
    name = payload.get("_sd_alg", HASH_NAME)
    if name != HASH_NAME and name not in ("sha-384", "sha-512"):
        raise InputError(f"_sd_alg {str(name)[:40]!r} is not supported")
    return str(name)


def _decode_all(texts: Sequence[str], hash_name: str) -> dict[str, Disclosure]:
    found: dict[str, Disclosure] = {}
    for index, text in enumerate(texts):
        try:
            disclosure = decode_disclosure(text)
        except InputError as exc:
            raise InputError(f"disclosure {index + 1}: {exc.message}") from None
        found[digest_of(text, hash_name)] = disclosure
    return found


def present_sd_jwt(
    sd_jwt: str,
    reveal: Sequence[str],
    *,
    holder_key: KeyPair | Signer | PrivateKey | None = None,
    nonce: str | None = None,
    audience: str | None = None,
    issued_at: datetime | None = None,
) -> str:
    """Keep the disclosures that ``reveal`` needs; with ``holder_key``, add a KB-JWT.

    A pointer reveals the claim it names, what is inside it, and the
    disclosures that lead to it (RFC 9901 7.2 step 2: each one must connect
    to the issuer-signed JWT). Pointers are read against the claims with every
    disclosure applied. Disclosures not chosen are left out of the result
    entirely. The KB-JWT (``typ`` ``kb+jwt``) carries ``iat``, ``aud``
    (``audience``), ``nonce`` and ``sd_hash`` and is signed by the key of the
    credential's ``cnf``.

    Raises:
        InputError: not an SD-JWT, already bound to a verifier, a pointer that
            names no claim, or a KB-JWT asked for without nonce and audience.
        SigningError: the holder key is not the one in ``cnf``.
    """
    jwt, texts, kb = _split(sd_jwt)
    if kb:
        raise InputError("this SD-JWT already ends with a Key Binding JWT; present the original")
    payload = parse_compact(jwt, what="issuer-signed JWT").claims()
    hash_name = _hash_name(payload)
    by_digest = _decode_all(texts, hash_name)
    full = process(payload, by_digest)
    if full.problems:
        code, message = full.problems[0]
        raise InputError(f"the SD-JWT does not hold together ({code}): {message}")
    wanted = [parse_pointer(pointer) for pointer in reveal]
    for pointer, path in zip(reveal, wanted, strict=True):
        if not resolve_pointer(full.payload, path):
            raise InputError("no such claim in the credential", pointer=pointer)
    chosen = {
        digest
        for digest, placed in full.placed.items()
        if any(
            is_prefix(parse_pointer(placed), path) or is_prefix(path, parse_pointer(placed))
            for path in wanted
        )
    }
    kept = [disclosure.text for digest, disclosure in by_digest.items() if digest in chosen]
    presented = "~".join([jwt, *kept, ""])
    if holder_key is None:
        return presented
    if not nonce or not audience:
        raise InputError("a Key Binding JWT needs the verifier's nonce and audience")
    signer = signer_of(holder_key)
    bound = payload.get("cnf")
    jwk = bound.get("jwk") if isinstance(bound, Mapping) else None
    try:
        matches = isinstance(jwk, Mapping) and public_from_jwk(jwk) == signer.public_key
    except KeyFormatError:
        matches = False
    if not matches:
        raise SigningError("the holder key is not the key this credential is bound to (cnf)")
    # RFC 9901 4.3: header typ kb+jwt; payload iat, aud, nonce, sd_hash.
    kb_payload = {
        "iat": _seconds(issued_at or utc_now()),
        "aud": audience,
        "nonce": nonce,
        "sd_hash": digest_of(presented, hash_name),
    }
    header = {"alg": alg_for(signer.public_key), "typ": KB_JWT}
    return presented + encode_compact(header, json_bytes(kb_payload), signer)


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
    max_kb_age: timedelta = timedelta(minutes=5),
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
    ``require_key_binding``, it must be signed by the ``cnf`` key, fresh
    (``iat`` within ``max_kb_age``), bound to this presentation (``sd_hash``)
    and, when given, to ``nonce`` and ``audience``. Nothing raises for a bad
    token.
    """
    # RFC 9901 7.3 step 3 / 7.1 step 1: separate the parts.
    try:
        jwt_text, texts, kb_text = _split(token)
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
    if "crit" in header:
        outcomes.append(_fail("proof.malformed", "critical header parameters are not understood"))
    # RFC 9901 7.1 step 2: the issuer-signed JWT, its algorithm, issuer and key.
    iss = payload.get("iss")
    vm_id = _issuer_signature(jws, iss, resolver, allowed_algs, issuer_keys, outcomes)
    # RFC 9901 7.1 step 2.5: a hash algorithm this verifier knows.
    try:
        hash_name = _hash_name(payload)
    except InputError as exc:
        outcomes.append(_fail("disclosure.hash_alg", exc.message, vm_id))
        return JwtVerification(media, None, header, vm_id, tuple(outcomes))
    try:
        by_digest = _decode_all(texts, hash_name)
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
        message = f"{count} disclosure{'s' if count != 1 else ''} match the issuer's digests"
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
                max_age=max_kb_age,
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
    elif key.verify(jws.signature, jws.signing_input):
        outcomes.append(
            _pass("proof.signature", f"{alg} signature verifies, by a key of {owner}", vm_id)
        )
    else:
        message = f"{alg} signature does not verify: the issuer-signed JWT changed since signing"
        outcomes.append(_fail("proof.signature", message, vm_id))
    return vm_id


def _key_binding(
    kb_text: str,
    presented: str,
    claims: Mapping[str, Any],
    hash_name: str,
    *,
    now: datetime,
    nonce: str | None,
    audience: str | None,
    max_age: timedelta,
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
    elif holder.verify(kb.signature, kb.signing_input):
        outcomes.append(_pass("key_binding.signature", "signed by the holder's key (cnf)"))
    else:
        outcomes.append(_fail("key_binding.signature", "the KB-JWT is not signed by the cnf key"))
    # Step 5.5: iat within the acceptable window.
    try:
        made = numeric_date(kb_claims.get("iat"), name="iat")
        if made > now + skew:
            outcomes.append(
                _fail("key_binding.iat", f"KB-JWT made in the future ({format_datetime(made)})")
            )
        elif made < now - max_age - skew:
            message = f"KB-JWT made at {format_datetime(made)}, older than {max_age} (replayed?)"
            outcomes.append(_fail("key_binding.iat", message))
        else:
            outcomes.append(_pass("key_binding.iat", f"KB-JWT made at {format_datetime(made)}"))
    except InputError as exc:
        outcomes.append(_fail("key_binding.iat", f"KB-JWT {exc.message}"))
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
