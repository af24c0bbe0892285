"""The did:key method for Ed25519, P-256 and P-384 Multikeys.

Spec: https://w3c-ccg.github.io/did-key-spec/ (did:key v0.7). The DID is
``did:key:`` followed by the key's ``publicKeyMultibase``; resolution expands it
to a document with one ``Multikey`` verification method ``did#<multikey>``.
"""

from __future__ import annotations

from passeport._json import JsonObject
from passeport.did._document import MULTIKEY_V1, SIGNING_RELATIONSHIPS, single_key_document
from passeport.did.keys import PublicKey
from passeport.did.multikey import decode_public, encode_public
from passeport.errors import ResolutionError

__all__ = ["did_key", "did_key_document", "did_key_public_key"]

_PREFIX = "did:key:"


def did_key(public: PublicKey) -> str:
    """Return the did:key DID of ``public``."""
    return _PREFIX + encode_public(public)


def did_key_public_key(did: str) -> PublicKey:
    """Return the public key that a did:key DID encodes.

    Raises:
        ResolutionError: ``did`` is not a did:key DID (or carries a fragment or path).
        KeyFormatError: the encoded key is not a supported Multikey.
    """
    if not isinstance(did, str) or not did.startswith(_PREFIX):
        raise ResolutionError(f"{did!r} is not a did:key DID")
    value = did[len(_PREFIX) :]
    if any(c in value for c in "#?/:"):
        raise ResolutionError(f"{did!r} is not a plain did:key DID")
    return decode_public(value, where=did)


def did_key_document(did: str) -> JsonObject:
    """Resolve a did:key DID to its DID document (did:key 3.1.1, Multikey form).

    Raises:
        ResolutionError: not a did:key DID.
        KeyFormatError: the encoded key is not a supported Multikey.
    """
    # did:key 3.1.1 step 2-3: decode the multibase value and check it is a known public key.
    public = did_key_public_key(did)
    multikey = encode_public(public)
    # Step 5-7: one Multikey verification method, listed under every signing relationship.
    method: JsonObject = {
        "id": f"{did}#{multikey}",
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": multikey,
    }
    return single_key_document(
        did, context=MULTIKEY_V1, method=method, relationships=SIGNING_RELATIONSHIPS
    )
