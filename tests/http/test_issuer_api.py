"""The issuer's routes: issue from a template, change a status, serve lists and did:web."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from passeport.app import create_app
from passeport.did.fetch import StaticFetcher
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.issuer import Profile
from passeport.verifier import Environment, verify_credential
from tests.conftest import ROOT

TOKEN = "s3cret-token-of-the-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DIPLOMA = json.loads((ROOT / "examples" / "issuer" / "diploma.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    folder = tmp_path_factory.mktemp("issuer") / "univ"
    Profile.create(
        folder,
        name="Université Exemple",
        did="web:univ.example",
        private_key=PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([71]) * 32),
    )
    return TestClient(create_app(issuer=folder, token=TOKEN))


def _published(client: TestClient, credential: dict[str, Any]) -> Environment:
    """Return an environment serving what the issuer's routes publish right now."""
    documents = {"https://univ.example/.well-known/did.json": client.get("/.well-known/did.json")}
    for entry in credential["credentialStatus"]:
        url = entry["statusListCredential"]
        documents[url] = client.get("/status/" + url.rsplit("/", 1)[1])
    for url, response in documents.items():
        assert response.status_code == 200, (url, response.text)
    return Environment(fetcher=StaticFetcher({u: r.content for u, r in documents.items()}))


def test_issuing_needs_the_token(client: TestClient) -> None:
    request = {"template": "diploma", "data": DIPLOMA}
    assert client.post("/credentials/issue", json=request).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert client.post("/credentials/issue", json=request, headers=wrong).status_code == 401
    status = {"credentialId": "urn:uuid:x", "credentialStatus": [{"status": "revoked"}]}
    assert client.post("/credentials/status", json=status).status_code == 401


def test_issue_verify_revoke_through_the_routes(client: TestClient) -> None:
    response = client.post(
        "/credentials/issue", json={"template": "diploma", "data": DIPLOMA}, headers=AUTH
    )
    assert response.status_code == 201, response.text
    credential = response.json()["verifiableCredential"]
    assert credential["issuer"]["id"] == "did:web:univ.example"
    assert verify_credential(credential, env=_published(client, credential)).verified

    change = {
        "credentialId": credential["id"],
        "credentialStatus": [{"type": "BitstringStatusListEntry", "status": "revoked"}],
        "reason": "fraude",
    }
    done = client.post("/credentials/status", json=change, headers=AUTH)
    assert done.status_code == 200 and done.json()["status"] == "revoked"
    result = verify_credential(credential, env=_published(client, credential))
    assert [c.code for c in result.failures()] == ["status.revoked"]
    again = client.post("/credentials/status", json=change, headers=AUTH)
    assert again.status_code == 409 and "revoked" in again.json()["errors"][0]


def test_bad_template_data_is_a_400_naming_the_place(client: TestClient) -> None:
    data = {k: v for k, v in DIPLOMA.items() if k != "achievement"}
    response = client.post(
        "/credentials/issue", json={"template": "diploma", "data": data}, headers=AUTH
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error.startswith("data: /achievement"), error


def test_unknown_credential_and_list_are_404(client: TestClient) -> None:
    change = {"credentialId": "urn:uuid:nobody", "credentialStatus": [{"status": "suspended"}]}
    assert client.post("/credentials/status", json=change, headers=AUTH).status_code == 404
    assert client.get("/status/revocation-999").status_code == 404


def test_the_openapi_document_lists_the_issuer_routes(client: TestClient) -> None:
    paths = set(client.get("/openapi.json").json()["paths"])
    assert {"/credentials/issue", "/credentials/status", "/status/{name}"} <= paths


def test_an_issuer_without_a_token_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="token"):
        create_app(issuer=tmp_path, token=None)
