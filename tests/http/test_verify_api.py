"""The verification routes of the HTTP service, through FastAPI's TestClient."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from passeport.app import create_app
from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.proofs.sign import sign_document
from tests.cli.test_cli import SAMPLE


def _pair(seed: int) -> KeyPair:
    return KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([seed]) * 32))


ISSUER, HOLDER = _pair(41), _pair(42)
SIGNED = sign_document(json.loads(SAMPLE.read_text()), ISSUER)


def _presentation(challenge: str, domain: str) -> dict[str, Any]:
    vp = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [SIGNED],
    }
    return dict(
        sign_document(vp, HOLDER, challenge=challenge, domain=domain, created=datetime.now(UTC))
    )


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(max_body=64 * 1024))


def test_a_valid_credential_verifies(client: TestClient) -> None:
    response = client.post("/credentials/verify", json={"verifiableCredential": SIGNED})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["verified"] is True and body["errors"] == []
    assert "proof.signature" in body["checks"] or any(c.startswith("proof") for c in body["checks"])
    assert body["summary"]["issuer"] == ISSUER.controller
    assert all(r["outcome"] == "passed" for r in body["details"])


def test_a_tampered_credential_is_400_with_every_check(client: TestClient) -> None:
    tampered = copy.deepcopy(SIGNED)
    tampered["credentialSubject"]["name"] = "Someone Else"
    response = client.post("/credentials/verify", json={"verifiableCredential": tampered})
    assert response.status_code == 400
    body = response.json()
    assert body["verified"] is False
    assert any(e.startswith("proof.") for e in body["errors"])


def test_a_presentation_with_the_right_challenge(client: TestClient) -> None:
    vp = _presentation("c-123", "jobs.example")
    options = {"challenge": "c-123", "domain": "jobs.example"}
    response = client.post(
        "/presentations/verify", json={"verifiablePresentation": vp, "options": options}
    )
    assert response.status_code == 200, response.json()["errors"]
    wrong = {"challenge": "c-999", "domain": "jobs.example"}
    replay = client.post(
        "/presentations/verify", json={"verifiablePresentation": vp, "options": wrong}
    )
    assert replay.status_code == 400
    assert any("challenge" in e for e in replay.json()["errors"])


def test_a_presentation_sent_to_the_credential_route_is_refused(client: TestClient) -> None:
    vp = _presentation("c", "d")
    response = client.post("/credentials/verify", json={"verifiableCredential": vp})
    assert response.status_code == 400
    assert "presentation" in response.json()["errors"][0]


def test_requests_of_the_wrong_shape_are_400_naming_the_place(client: TestClient) -> None:
    """VC-API answers 400 to invalid input; JSON the reader refuses stays 422 (passeport.app)."""
    wrong = client.post("/credentials/verify", json={"credential": SIGNED})
    assert wrong.status_code == 400
    assert wrong.json()["verified"] is False
    assert "verifiableCredential: Field required" in wrong.json()["errors"]
    bad_options = {"verifiableCredential": SIGNED, "options": {"challange": "x"}}
    typo = client.post("/credentials/verify", json=bad_options)
    assert typo.status_code == 400
    assert typo.json()["errors"] == ["options.challange: Extra inputs are not permitted"]
    response = client.post(
        "/credentials/verify", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422


def test_an_unknown_context_is_a_clear_400(client: TestClient) -> None:
    credential = copy.deepcopy(SIGNED)
    credential["@context"] = [*credential["@context"], "https://unknown.example/context"]
    response = client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert response.status_code == 400
    assert any("unknown.example" in e for e in response.json()["errors"])


def test_an_oversized_body_is_413_before_parsing(client: TestClient) -> None:
    big = {"verifiableCredential": {"padding": "x" * 100_000}}
    response = client.post("/credentials/verify", json=big)
    assert response.status_code == 413
    assert "larger than 65536 bytes" in response.json()["detail"]


def test_an_oversized_chunked_body_is_413() -> None:
    app = create_app(max_body=1000)
    client = TestClient(app)

    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b" " * 500

    response = client.post(
        "/credentials/verify", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


def test_the_openapi_document_is_served(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert {"/credentials/verify", "/presentations/verify"} <= set(document["paths"])
