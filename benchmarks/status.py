"""Status checks against a 1,000,000-entry Bitstring Status List.

The first check fetches, verifies and decodes the list; every later one in the
same environment is a bit lookup. The ratio compares checked credentials per
second with raw Ed25519 signatures per second, measured in the same run.
"""

from __future__ import annotations

import base64
import gzip
import json
import time
from datetime import UTC, datetime
from typing import Any

from passeport.contexts.loader import DocumentLoader
from passeport.did.fetch import StaticFetcher
from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.proofs.sign import sign_document
from passeport.verifier import Environment, Policy
from passeport.verifier.status import status_checks

__all__ = ["bench_status"]

URL = "https://university.example/status/big"


def _encoded(length: int, revoked: range) -> str:
    data = bytearray(length // 8)
    for index in revoked:
        data[index >> 3] |= 0x80 >> (index & 7)
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(data), mtime=0)).decode().rstrip("=")


def bench_status(*, entries: int = 1_000_000, lookups: int = 10_000) -> dict[str, Any]:
    """Return the cost of the first status check and of each later one."""
    issuer = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([61]) * 32))
    listed = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.controller,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{URL}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": _encoded(entries, range(0, entries, 1009)),
        },
    }
    body = json.dumps(sign_document(listed, issuer)).encode()
    env = Environment(  # a loader of its own: the list was never canonicalized by it
        loader=DocumentLoader(),
        fetcher=StaticFetcher({URL: body}),
        clock=lambda: datetime.now(UTC),
    )
    policy = Policy()

    def check(index: int) -> None:
        document = {
            "issuer": issuer.controller,
            "credentialStatus": {
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": str(index),
                "statusListCredential": URL,
            },
        }
        status_checks(document, credential=None, base="", policy=policy, env=env)

    start = time.perf_counter()
    check(0)
    first = time.perf_counter() - start
    start = time.perf_counter()
    for n in range(lookups):
        check((n * 7919) % entries)
    later = (time.perf_counter() - start) / lookups
    key = PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes(range(32)))
    start, signed = time.perf_counter(), 0
    while time.perf_counter() - start < 0.5:
        key.sign(body[:1000])
        signed += 1
    sign_rate = signed / (time.perf_counter() - start)
    return {
        "entries": entries,
        "first_check_s": round(first, 4),
        "later_check_us": round(later * 1e6, 1),
        "checks_per_s": round(1 / later),
        "ratio_to_raw_sign": round((1 / later) / sign_rate, 3),
        "decodes": env.status_lists.decodes,
        "verifications": env.status_lists.verifications,
    }
