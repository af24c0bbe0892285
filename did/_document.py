"""Build a DID document that holds a single verification method (private helper)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from passeport._json import JsonObject

DID_V1: Final = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1: Final = "https://w3id.org/security/multikey/v1"
JWK_V1: Final = "https://w3id.org/security/jwk/v1"

SIGNING_RELATIONSHIPS: Final = (
    "authentication",
    "assertionMethod",
    "capabilityDelegation",
    "capabilityInvocation",
)


def single_key_document(
    did: str,
    *,
    context: str,
    method: JsonObject,
    relationships: Sequence[str],
) -> JsonObject:
    """Return ``{"@context", "id", "verificationMethod": [method], <relationship>: [id]...}``."""
    vm_id = method["id"]
    document: JsonObject = {
        "@context": [DID_V1, context],
        "id": did,
        "verificationMethod": [method],
    }
    for relationship in relationships:
        document[relationship] = [vm_id]
    return document
