"""Build status lists, status list credentials and credentials pointing at them, for tests."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.did.resolve import CacheDirFetcher
from passeport.proofs.sign import sign_document
from passeport.verifier import Environment

VC_V2 = "https://www.w3.org/ns/credentials/v2"
LIST_URL = "https://university.example/status/1"
CREATED = datetime.fromisoformat("2025-07-01T12:00:00+00:00")


def key(n: int) -> KeyPair:
    """Return the Ed25519 did:key pair whose secret is ``n`` repeated 32 times."""
    return KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([n]) * 32))


def encode_bits(
    set_bits: Iterable[int] = (), *, length: int = 131_072, raw: bytes | None = None
) -> str:
    """Return an encodedList of ``length`` bits with ``set_bits`` set (or of ``raw`` bytes)."""
    if raw is None:
        data = bytearray(length // 8)
        for index in set_bits:
            data[index >> 3] |= 0x80 >> (index & 7)
        raw = bytes(data)
    compressed = gzip.compress(raw, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def list_credential(
    encoded_list: str,
    *,
    signer: KeyPair,
    purpose: str = "revocation",
    url: str = LIST_URL,
    valid_until: str | None = None,
    ttl: int | None = None,
) -> dict[str, Any]:
    """Return a signed BitstringStatusListCredential by the signer (``ttl`` in milliseconds)."""
    document: dict[str, Any] = {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": signer.controller,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded_list,
        },
    }
    if valid_until is not None:
        document["validUntil"] = valid_until
    if ttl is not None:
        document["credentialSubject"]["ttl"] = ttl
    return dict(sign_document(document, signer, created=CREATED))


def entry(
    index: int | str, *, purpose: str = "revocation", url: str = LIST_URL, **extra: Any
) -> dict[str, Any]:
    """Return a BitstringStatusListEntry."""
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index) if isinstance(index, int) else index,
        "statusListCredential": url,
        **extra,
    }


def credential(status: Any, *, signer: KeyPair) -> dict[str, Any]:
    """Return a signed credential with ``status`` as its credentialStatus."""
    document: dict[str, Any] = {
        "@context": [VC_V2],
        "id": "urn:uuid:00000000-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential"],
        "issuer": signer.controller,
        "validFrom": "2025-07-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:alice", "name": "Alice"},
        "credentialStatus": status,
    }
    return dict(sign_document(document, signer, created=CREATED))


def publish(root: Path, document: dict[str, Any] | bytes, *, url: str = LIST_URL) -> None:
    """Write ``document`` where the cache directory ``root`` mirrors ``url``."""
    path = CacheDirFetcher(root).path_for(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = document if isinstance(document, bytes) else json.dumps(document).encode("utf-8")
    path.write_bytes(body)


def environment(root: Path, now: datetime) -> Environment:
    """Return an offline environment reading ``root`` at the fixed time ``now``."""
    return Environment(clock=lambda: now).with_cache(root)
