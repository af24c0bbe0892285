"""VC-JOSE-COSE: credentials and presentations secured as JWS (``vc+jwt``, ``vp+jwt``).

Spec: https://www.w3.org/TR/vc-jose-cose/ , 3.1.1 (the unsecured credential is
the JWS payload, ``typ`` ``vc+jwt``), 3.1.2 (presentations, ``vp+jwt``, whose
credentials are ``EnvelopedVerifiableCredential`` objects), 4.1 (``kid`` is a
DID URL, ``iss`` must match ``issuer``) and 6.1 (verifying with JOSE: RFC 7515
5.2 then the payload is the document). ``alg`` is pinned to the resolved key
(:mod:`proofs._jws`).

On verification the VC Data Model 1.1 JWT encoding is accepted as well
(https://www.w3.org/TR/vc-data-model-1.1/#jwt-decoding): the ``vc`` or ``vp``
claim becomes the document and ``iss``, ``nbf``, ``exp``, ``jti`` and ``sub``
set ``issuer`` (``holder``), ``issuanceDate``, ``expirationDate``, ``id`` and
``credentialSubject.id``; a claim that contradicts the member it maps to fails.
Verification lives in :mod:`proofs._jwt_verifier`; its public names are
re-exported here.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final, Literal

from passeport._json import JsonObject
from passeport.contexts import DocumentLoader, bundled_loader, expand
from passeport.errors import InputError, SigningError
from passeport.proofs._jws import (
    alg_for,
    encode_compact,
    json_bytes,
    signer_of,
    verification_method_of,
)
from passeport.proofs._jwt_verifier import (
    VC_JWT,
    VC_JWT_11,
    VP_JWT,
    VP_JWT_11,
    JwtVerification,
    party_id,
    verify_jwt,
)
from passeport.proofs.model import model_problems
from passeport.proofs.suite import Signer, controller_of

__all__ = [
    "VC_JWT",
    "VC_JWT_11",
    "VP_JWT",
    "VP_JWT_11",
    "JwtVerification",
    "party_id",
    "sign_vc_jwt",
    "sign_vp_jwt",
    "verify_jwt",
]

VC_V2: Final = "https://www.w3.org/ns/credentials/v2"


def _types(document: Mapping[str, Any]) -> list[Any]:
    value = document.get("type", [])
    return list(value) if isinstance(value, list) else [value]


def prepare_document(
    document: Mapping[str, Any],
    key: Signer,
    *,
    kind: Literal["credential", "presentation"],
    loader: DocumentLoader | None,
    where: str | None,
) -> JsonObject:
    """Return a copy of ``document`` ready to be secured by ``key``.

    ``issuer`` (credential) or ``holder`` (presentation) is filled with the
    key's DID when absent and refused when it names someone else, as
    :func:`proofs.sign.sign_document` does; every term must be defined by
    the contexts (nothing signed that is not understood).

    Raises:
        InputError: not a VC 2.0 credential or presentation object.
        SigningError: ``issuer``/``holder`` names someone else, or the
            document breaks a rule of the VC Data Model (:mod:`proofs.model`).
        ContextError: a term is not defined by the document's contexts.
    """
    if not isinstance(document, Mapping):
        raise InputError("expected a JSON object", where=where)
    wanted = "VerifiablePresentation" if kind == "presentation" else "VerifiableCredential"
    if wanted not in _types(document):
        raise InputError(f'type must include "{wanted}"', where=where, pointer="/type")
    context = document.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    if first != VC_V2:
        raise SigningError(
            f"JOSE securing applies to VC Data Model 2.0: the first @context must be {VC_V2}",
            where=where,
            pointer="/@context",
        )
    for claim in ("vc", "vp"):
        if claim in document:
            raise InputError(
                f'a VC 2.0 document must not have a "{claim}" member',
                where=where,
                pointer=f"/{claim}",
            )
    member = "holder" if kind == "presentation" else "issuer"
    try:
        unsigned: JsonObject = copy.deepcopy(dict(document))
    except RecursionError:
        raise InputError("the document is nested too deeply", where=where) from None
    controller = controller_of(key)
    present = party_id(unsigned.get(member))
    if member not in unsigned:
        unsigned[member] = controller
    elif present != controller:
        raise SigningError(
            f"{member} is {present!r} but the key belongs to {controller}; "
            "sign with that key or remove the member",
            where=where,
            pointer=f"/{member}",
        )
    problems = model_problems(unsigned)  # what a verifier fails is not signed (issue 14)
    if problems:
        raise SigningError(
            f"{problems[0].message}; it cannot be signed", where=where, pointer=problems[0].pointer
        )
    expand(unsigned, loader or bundled_loader(), where=where)
    return unsigned


def _sign(
    document: JsonObject,
    key: Signer,
    typ: str,
    extra: Mapping[str, Any],
    where: str | None,
) -> str:
    payload = dict(document)
    for name, value in extra.items():
        if value is not None:
            payload[name] = value
    try:
        header = {
            "alg": alg_for(key.public_key),
            "kid": verification_method_of(key),
            "typ": typ,
        }
        return encode_compact(header, json_bytes(payload), signer_of(key))
    except (InputError, SigningError) as exc:
        raise exc.located(where) if where else exc from None


def _seconds(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return int(moment.timestamp())


def sign_vc_jwt(
    credential: Mapping[str, Any],
    key: Signer,
    *,
    issued_at: datetime | None = None,
    expires: datetime | None = None,
    loader: DocumentLoader | None = None,
    where: str | None = None,
) -> str:
    """Secure ``credential`` as a ``vc+jwt`` JWS (VC-JOSE-COSE 3.1.1); return the token.

    The payload is the credential itself. ``issued_at``/``expires`` add the JWT
    ``iat``/``exp`` claims, which date the signature, not the credential
    (its ``validFrom``/``validUntil`` do that). The header carries ``alg``
    (EdDSA, ES256 or ES384 by key type), ``kid`` (the verification method)
    and ``typ``.

    Raises:
        InputError: not a VC 2.0 credential object.
        SigningError: ``issuer`` names someone other than the key's controller.
        ContextError: a term is not defined by the credential's contexts.
    """
    unsigned = prepare_document(credential, key, kind="credential", loader=loader, where=where)
    extra = {"iat": _seconds(issued_at), "exp": _seconds(expires)}
    return _sign(unsigned, key, VC_JWT, extra, where)


def sign_vp_jwt(
    presentation: Mapping[str, Any],
    key: Signer,
    *,
    nonce: str | None = None,
    audience: str | None = None,
    issued_at: datetime | None = None,
    expires: datetime | None = None,
    loader: DocumentLoader | None = None,
    where: str | None = None,
) -> str:
    """Secure ``presentation`` as a ``vp+jwt`` JWS (VC-JOSE-COSE 3.1.2); return the token.

    ``nonce`` (the verifier's challenge) and ``audience`` (its domain) become
    the ``nonce`` and ``aud`` claims that protect against replay. Credentials
    inside must be ``EnvelopedVerifiableCredential`` objects, as the spec
    requires for ``vp+jwt``.

    Raises:
        InputError: not a VC 2.0 presentation, or a credential inside that is
            not enveloped.
        SigningError: ``holder`` names someone other than the key's controller.
        ContextError: a term is not defined by the presentation's contexts.
    """
    unsigned = prepare_document(presentation, key, kind="presentation", loader=loader, where=where)
    raw = unsigned.get("verifiableCredential", [])
    items = raw if isinstance(raw, list) else [raw]
    for index, item in enumerate(items):
        if not isinstance(item, Mapping) or "EnvelopedVerifiableCredential" not in _types(item):
            pointer = (
                f"/verifiableCredential/{index}"
                if isinstance(raw, list)
                else "/verifiableCredential"
            )
            raise InputError(
                "a vp+jwt presentation holds EnvelopedVerifiableCredential objects only",
                where=where,
                pointer=pointer,
            )
    extra = {
        "nonce": nonce,
        "aud": audience,
        "iat": _seconds(issued_at),
        "exp": _seconds(expires),
    }
    return _sign(unsigned, key, VP_JWT, extra, where)
