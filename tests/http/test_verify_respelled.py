"""POST /credentials/verify reads what was signed, however it is spelled (issue 10, hole 1).

A revoked credential whose ``credentialStatus`` is renamed to its full IRI,
and an expired one whose ``validUntil`` is the full IRI with a typed
``@value``, keep the same RDF (their signature still verifies) and must still
be answered 400, not verified.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from passeport.app import create_app
from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.proofs.sign import sign_document
from tests.verifier.respell import CRED, respell
from tests.verifier.status_helpers import (
    encode_bits,
    entry,
    environment,
    key,
    list_credential,
    publish,
)

ED25519 = key(1)
P256 = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.P256, bytes([7]) * 32))
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SIGNED_AT = datetime(2025, 7, 1, tzinfo=UTC)
SAMPLE = Path(__file__).resolve().parents[2] / "passeport" / "samples" / "diploma.json"
REVOKED_INDEX = 5
SUITES: dict[str, KeyPair] = {"eddsa-rdfc-2022": ED25519, "ecdsa-rdfc-2019": P256}


def _signed(suite: str, **members: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SAMPLE.read_text())
    document["validFrom"] = "2025-07-01T00:00:00Z"
    document.update(members)
    return dict(sign_document(document, SUITES[suite], suite=suite, created=SIGNED_AT))


def _client(tmp_path: Path, suite: str) -> TestClient:
    signer = SUITES[suite]
    listed = list_credential(encode_bits([REVOKED_INDEX]), signer=ED25519)
    del listed["proof"]
    listed["issuer"] = signer.controller
    publish(tmp_path, dict(sign_document(listed, signer, suite=suite, created=SIGNED_AT)))
    return TestClient(create_app(env=environment(tmp_path, NOW)))


def _verify(client: TestClient, credential: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = client.post("/credentials/verify", json={"verifiableCredential": credential})
    return response.status_code, response.json()


def _signature_holds(body: dict[str, Any]) -> bool:
    return any(r["code"] == "proof.signature" and r["outcome"] == "passed" for r in body["details"])


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_a_revoked_credential_with_its_status_under_the_full_iri_is_refused(
    suite: str, tmp_path: Path
) -> None:
    client = _client(tmp_path, suite)
    signed = _signed(suite, credentialStatus=entry(REVOKED_INDEX))
    status, body = _verify(client, signed)
    assert status == 400 and any(e.startswith("status.revoked") for e in body["errors"])
    attacked = respell(signed, [], "credentialStatus", "iri")
    assert "credentialStatus" not in attacked and f"{CRED}credentialStatus" in attacked
    status, body = _verify(client, attacked)
    assert _signature_holds(body), body["errors"]
    assert status == 400 and body["verified"] is False
    assert any(e.startswith("status.revoked") for e in body["errors"])


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_an_expired_credential_with_a_typed_valid_until_under_the_full_iri_is_refused(
    suite: str, tmp_path: Path
) -> None:
    client = _client(tmp_path, suite)
    signed = _signed(suite, validUntil="2025-12-31T00:00:00Z")
    status, body = _verify(client, signed)
    assert status == 400 and any(e.startswith("validity.expired") for e in body["errors"])
    attacked = respell(signed, [], "validUntil", "iri")
    value = attacked[f"{CRED}validUntil"]
    assert (
        "validUntil" not in attacked
        and "@value" in json.dumps(value)
        and "@type" in (json.dumps(value))
    )
    status, body = _verify(client, attacked)
    assert _signature_holds(body), body["errors"]
    assert status == 400 and body["verified"] is False
    assert any(e.startswith("validity.expired") for e in body["errors"])
