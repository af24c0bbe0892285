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
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from passeport._json import JsonObject
from passeport.contexts import DocumentLoader, bundled_loader, expand
from passeport.did.jwk import public_from_jwk, public_to_jwk
from passeport.did.keys import PrivateKey
from passeport.did.resolve import DidResolver
from passeport.errors import InputError, KeyFormatError, ResolutionError, SigningError
from passeport.proofs._disclosures import (
    DC_SD_JWT,
    DEFAULT_HASH,
    KB_JWT,
    VC_SD_JWT,
    conceal,
    decode_all,
    digest_of,
    escape,
    hash_name_of,
    is_prefix,
    parse_pointer,
    process,
    resolve_pointer,
    split_sd_jwt,
)
from passeport.proofs._jws import (
    alg_for,
    b64url_encode,
    encode_compact,
    json_bytes,
    parse_compact,
    signer_of,
    verification_method_of,
)
from passeport.proofs._sdjwt_verifier import verify_sd_jwt
from passeport.proofs.dates import utc_now
from passeport.proofs.jose import prepare_document
from passeport.proofs.shown import always_shown
from passeport.proofs.suite import Signer, controller_of

__all__ = [
    "DC_SD_JWT",
    "KB_JWT",
    "NEVER_DISCLOSABLE",
    "VC_SD_JWT",
    "credential_vct",
    "default_disclosable",
    "holder_jwk",
    "issue_sd_jwt",
    "present_sd_jwt",
    "verify_sd_jwt",
]

# SD-JWT VC 3.2.2.2: never in disclosures; VC-JOSE-COSE 3.2.1: what a verifier needs of a VC.
NEVER_DISCLOSABLE: Final = frozenset(
    {"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status", "aka_vcts", "_sd_alg"}
    | {"@context", "type", "issuer", "credentialStatus", "credentialSchema", "relatedResource"}
    | {"validFrom", "validUntil", "issuanceDate", "expirationDate"}
)

_IN_CLEAR: Final = frozenset({"id", "type", "@context", "@id", "@type"})
_VC_TYPE: Final = "https://www.w3.org/2018/credentials#VerifiableCredential"


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


def credential_vct(credential: Mapping[str, Any], *, loader: DocumentLoader | None = None) -> str:
    """Return a ``vct`` for a VC 2.0 credential: the IRI of its most specific type.

    That is the last ``type`` other than ``VerifiableCredential``, expanded by
    the credential's contexts (``OpenBadgeCredential`` becomes
    ``https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential``):
    a collision-resistant name, as SD-JWT VC 3.2.2.1 asks of ``vct``.

    Raises:
        InputError: the credential has no type.
        ContextError: a context is unknown or a term undefined.
    """
    expanded = expand(credential, loader or bundled_loader()).expanded
    found = expanded[0].get("@type", []) if expanded and isinstance(expanded[0], dict) else []
    types = [t for t in found if isinstance(t, str)]
    specific = [t for t in types if t != _VC_TYPE] or types
    if not specific:
        raise InputError("the credential has no type to name its vct", pointer="/type")
    return specific[-1]


def default_disclosable(claims: Mapping[str, Any], *, mandatory: Sequence[str] = ()) -> list[str]:
    """Return the pointers an issuer makes disclosable when it names none itself.

    For a credential (claims with ``@context``), every member and array
    element inside ``credentialSubject``; for other claims, every claim but
    the registered ones that stay in clear. ``id`` and ``type`` members stay
    in clear, and so does everything at, above or below a ``mandatory``
    pointer or, in a credential, a claim a verifier's checks read
    (:func:`proofs.shown.always_shown`, each subject of a list too): the
    holder will always show those. Nested claims are disclosable one by one
    (recursive disclosures, RFC 9901 4.2.6).

    Raises:
        InputError: a mandatory pointer that names no claim.
    """
    kept = [parse_pointer(pointer) for pointer in mandatory]
    for pointer, path in zip(mandatory, kept, strict=True):
        if not resolve_pointer(dict(claims), path):
            raise InputError("no such claim", pointer=pointer)
    if "@context" in claims:
        kept.extend(parse_pointer(pointer) for pointer in always_shown(claims))
    found: list[str] = []

    def walk(value: Any, path: tuple[str, ...]) -> None:
        if isinstance(value, Mapping):
            children = [(name, item) for name, item in value.items() if name not in _IN_CLEAR]
        elif isinstance(value, list):
            children = [(str(index), item) for index, item in enumerate(value)]
        else:
            return
        for name, item in children:
            child = (*path, name)
            if any(is_prefix(head, child) for head in kept):
                continue  # at or below a mandatory claim: shown as a whole
            if not path and name in NEVER_DISCLOSABLE:
                continue
            if not any(is_prefix(child, head) for head in kept):
                found.append("".join(f"/{escape(token)}" for token in child))
            walk(item, child)

    if "@context" in claims:
        walk(claims.get("credentialSubject"), ("credentialSubject",))
    else:
        walk(claims, ())
    return found


def holder_jwk(did: str, *, resolver: DidResolver | None = None) -> JsonObject:
    """Return the public JWK of ``did``'s first ``authentication`` key, for ``cnf``.

    A did:key or did:jwk resolves offline; a did:web needs the resolver's
    fetcher. The holder later signs KB-JWTs with that key.

    Raises:
        ResolutionError: the DID cannot be resolved or lists no authentication key.
        KeyFormatError: the key cannot be decoded.
    """
    document = (resolver or DidResolver()).resolve(did)
    entries = document.document.get("authentication")
    for entry in entries if isinstance(entries, list) else []:
        ref = entry.get("id") if isinstance(entry, dict) else entry
        if isinstance(ref, str):
            method = document.verification_method(document.absolute(ref))
            return public_to_jwk(method.public_key)
    raise ResolutionError(f"{did[:80]} lists no authentication key to bind to")


def issue_sd_jwt(
    claims: Mapping[str, Any],
    key: Signer,
    *,
    vct: str | None = None,
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
    disclosure (:func:`default_disclosable` proposes a set). ``vct`` defaults,
    for a credential, to :func:`credential_vct`. ``iss`` is the key's DID and
    ``kid`` its verification method;
    claims that are a VC 2.0 credential get their ``issuer`` filled or
    checked and their terms checked against their contexts. ``holder_jwk``
    (public) becomes ``cnf`` for Key Binding. ``salt`` returns fresh salts
    (tests inject fixed ones); ``decoys`` adds decoy digests to each ``_sd``.

    Raises:
        InputError: claims not an object, a pointer that names nothing, or a
            bad holder JWK.
        SigningError: a claim that must stay in clear made disclosable (a
            registered one or, in a credential, one a verifier's checks read:
            :func:`proofs.shown.always_shown`), a reserved name in the claims,
            ``issuer``/``iss``/``vct`` contradicting the key or ``vct``.
        ContextError: a credential term not defined by its contexts.
    """
    try:
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
        if vct is None:
            if "@context" not in unsigned:
                raise InputError(
                    "vct is needed: the claims are not a VC 2.0 credential", where=where
                )
            vct = credential_vct(unsigned, loader=loader)
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
            raise InputError(
                "vct must be a non-empty string naming the credential type", where=where
            )
        if "cnf" in unsigned:
            raise SigningError("cnf comes from holder_jwk", where=where, pointer="/cnf")
        paths: set[tuple[str, ...]] = set()
        shown = [parse_pointer(p) for p in always_shown(unsigned)] if "@context" in claims else []
        for pointer in disclosable:
            path = parse_pointer(pointer, where=where)
            if (
                not path
                or path[0] in NEVER_DISCLOSABLE
                or any(is_prefix(path, head) or is_prefix(head, path) for head in shown)
            ):
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
            unsigned, paths, salt=salt or _random_salt, hash_name=DEFAULT_HASH, decoys=decoys
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
        payload["_sd_alg"] = DEFAULT_HASH
        try:
            header = {
                "alg": alg_for(key.public_key),
                "kid": verification_method_of(key),
                "typ": DC_SD_JWT,
            }
            jwt = encode_compact(header, json_bytes(payload), signer_of(key))
        except (InputError, SigningError) as exc:
            raise exc.located(where) if where else exc from None
        return "~".join([jwt, *disclosures, ""])
    except RecursionError:
        raise InputError("the claims are nested too deeply", where=where) from None


def present_sd_jwt(
    sd_jwt: str,
    reveal: Sequence[str],
    *,
    holder_key: Signer | PrivateKey | None = None,
    nonce: str | None = None,
    audience: str | None = None,
    issued_at: datetime | None = None,
    expires: datetime | None = None,
) -> str:
    """Keep the disclosures that ``reveal`` needs; with ``holder_key``, add a KB-JWT.

    A pointer reveals the claim it names, what is inside it, and the
    disclosures that lead to it (RFC 9901 7.2 step 2: each one must connect
    to the issuer-signed JWT). Pointers are read against the claims with every
    disclosure applied. Disclosures not chosen are left out of the result
    entirely. The KB-JWT (``typ`` ``kb+jwt``) carries ``iat``, ``aud``
    (``audience``), ``nonce`` and ``sd_hash`` and is signed by the key of the
    credential's ``cnf``; ``expires`` adds an ``exp`` claim (RFC 9901 4.3
    allows further claims): the holder's word on until when the presentation
    holds, which a verifier enforces.

    Raises:
        InputError: not an SD-JWT, already bound to a verifier, a pointer that
            names no claim, a KB-JWT asked for without nonce and audience, or
            ``expires`` without ``holder_key``.
        SigningError: the holder key is not the one in ``cnf``, or ``expires``
            is not after ``issued_at``.
    """
    jwt, texts, kb = split_sd_jwt(sd_jwt)
    if kb:
        raise InputError("this SD-JWT already ends with a Key Binding JWT; present the original")
    payload = parse_compact(jwt, what="issuer-signed JWT").claims()
    hash_name = hash_name_of(payload)
    by_digest = decode_all(texts, hash_name)
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
        if expires is not None:
            raise InputError("an expiry is carried by a Key Binding JWT: give the holder key")
        return presented
    if not nonce or not audience:
        raise InputError("a Key Binding JWT needs the verifier's nonce and audience")
    created = issued_at or utc_now()
    if expires is not None and _seconds(expires) <= _seconds(created):
        raise SigningError("the Key Binding JWT would expire before it is issued (expires)")
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
    kb_payload: JsonObject = {
        "iat": _seconds(created),
        "aud": audience,
        "nonce": nonce,
        "sd_hash": digest_of(presented, hash_name),
    }
    if expires is not None:
        kb_payload["exp"] = _seconds(expires)
    header = {"alg": alg_for(signer.public_key), "typ": KB_JWT}
    return presented + encode_compact(header, json_bytes(kb_payload), signer)
