"""The did:jwk method: a DID that is a base64url-encoded public JWK.

Spec: https://github.com/quartzjer/did-jwk/blob/main/spec.md. The verification
method is ``did#0`` of type ``JsonWebKey`` (Controlled Identifiers 1.0, with the
``https://w3id.org/security/jwk/v1`` context) carrying ``publicKeyJwk``.
"""

from __future__ import annotations

import json
from typing import Final

from passeport._io import parse_json
from passeport._json import JsonObject
from passeport.did._document import JWK_V1, SIGNING_RELATIONSHIPS, single_key_document
from passeport.did.jwk import b64url_decode, b64url_encode, public_from_jwk, public_to_jwk
from passeport.did.keys import PublicKey
from passeport.errors import InputError, KeyFormatError, ResolutionError

__all__ = ["did_jwk", "did_jwk_document", "did_jwk_public_key"]

_PREFIX: Final = "did:jwk:"
_PRIVATE_MEMBERS: Final = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


def did_jwk(public: PublicKey) -> str:
    """Return the did:jwk DID of ``public``.

    did:jwk 2.1 steps 1-3: the public JWK, serialized as compact JSON with sorted
    members (the JCS form, as every member is ASCII), encoded base64url without padding.
    """
    jwk = public_to_jwk(public)
    compact = json.dumps(jwk, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _PREFIX + b64url_encode(compact.encode("utf-8"))


def _decode_jwk(did: str) -> JsonObject:
    if not isinstance(did, str) or not did.startswith(_PREFIX):
        raise ResolutionError(f"{did!r} is not a did:jwk DID")
    value = did[len(_PREFIX) :]
    if not value or any(c in value for c in "#?/:="):
        raise ResolutionError(f"{did[:40]!r} is not a plain did:jwk DID")
    # did:jwk 2.2 steps 1-2: base64url-decode, then parse the JSON.
    data = b64url_decode(value, where=did[:40], what="did:jwk value")
    try:
        jwk = parse_json(data, where=did[:40])
    except InputError as exc:
        reason = f"did:jwk value is not a JSON object: {exc.message}"
        raise KeyFormatError(reason, where=did[:40]) from None
    if not isinstance(jwk, dict):
        raise KeyFormatError("did:jwk value is not a JSON object", where=did[:40])
    if _PRIVATE_MEMBERS & jwk.keys():
        raise KeyFormatError("did:jwk value holds private key material", where=did[:40])
    return jwk


def did_jwk_public_key(did: str) -> PublicKey:
    """Return the public key that a did:jwk DID encodes.

    Raises:
        ResolutionError: not a did:jwk DID.
        KeyFormatError: not a supported public JWK (or one with private members).
    """
    return public_from_jwk(_decode_jwk(did), where=did[:40])


def did_jwk_document(did: str) -> JsonObject:
    """Resolve a did:jwk DID to its DID document (did:jwk 2.2).

    A JWK with ``"use": "sig"`` gets the four signing relationships; ``"use": "enc"``
    only ``keyAgreement``; no ``use`` both, as the spec says.

    Raises:
        ResolutionError: not a did:jwk DID.
        KeyFormatError: not a supported public JWK (or one with private members).
    """
    jwk = _decode_jwk(did)
    public_from_jwk(jwk, where=did[:40])  # reject keys we cannot use before describing them
    method: JsonObject = {
        "id": f"{did}#0",
        "type": "JsonWebKey",
        "controller": did,
        "publicKeyJwk": jwk,
    }
    # did:jwk 2.2 step 3: relationships follow the JWK's "use" member.
    use = jwk.get("use")
    relationships: tuple[str, ...] = ()
    if use != "enc":
        relationships += SIGNING_RELATIONSHIPS
    if use != "sig":
        relationships += ("keyAgreement",)
    return single_key_document(did, context=JWK_V1, method=method, relationships=relationships)
