"""Regressions found by attacking the served verification routes (issue 17's short way).

The body limit (``passeport.app.BodyLimit``) reads a JSON body with the one
strict reader before any route sees it. It chose whether a body is JSON from
the request's *last* ``Content-Type`` header, and from the word "json"
anywhere in it; Starlette and FastAPI read the *first* one, and only its
media type. See each test.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from passeport.app import create_app
from passeport.verifier import Environment
from tests.http.test_verify_api import SIGNED

NOW = datetime(2027, 3, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(env=Environment(clock=lambda: NOW)))


def _twice(credential: object) -> bytes:
    """A body naming ``verifiableCredential`` twice: a token first, then ``credential``."""
    text = json.dumps({"verifiableCredential": credential})
    return ('{"verifiableCredential": "e30.e30.sig", ' + text[1:]).encode()


@pytest.mark.parametrize(
    "types",
    [
        ["application/json", "text/plain"],
        ["application/json", "application/octet-stream"],
        ["application/json; charset=utf-8", "text/plain; x=y"],
    ],
)
def test_a_member_twice_is_refused_whatever_content_types_follow(
    client: TestClient, types: list[str]
) -> None:
    """Two ``Content-Type`` headers, JSON first: FastAPI read the body with plain json.loads.

    The body limit looked at the last header (not JSON) and skipped the strict
    reader; FastAPI took the first (JSON) and kept the last of the two
    members: the credential verified (200), where the same body with one
    header is refused (422, "appears twice").
    """
    body = _twice(SIGNED)
    alone = client.post(
        "/credentials/verify", content=body, headers={"content-type": "application/json"}
    )
    assert alone.status_code == 422 and "appears twice" in alone.text
    headers = [("content-type", kind) for kind in types]
    answer = client.post("/credentials/verify", content=body, headers=headers)
    assert answer.status_code == 422, answer.text[:300]
    assert "appears twice" in answer.text


def test_nesting_past_the_limit_is_refused_whatever_content_types_follow(
    client: TestClient,
) -> None:
    """The depth limit (100) is the strict reader's: skipped too with a second header."""
    body = b'{"verifiableCredential": {"a": ' + b"[" * 150 + b"]" * 150 + b"}}"
    headers = [("content-type", "application/json"), ("content-type", "text/plain")]
    answer = client.post("/credentials/verify", content=body, headers=headers)
    assert answer.status_code == 422, answer.text[:300]
    assert "nested more than 100 levels" in answer.text


def test_an_upload_whose_boundary_spells_json_is_read_as_an_upload(client: TestClient) -> None:
    """A multipart boundary holding "json" (a browser's random one may) made a 422.

    The body limit took any content type containing "json" for JSON, so the
    verification page refused the upload as malformed JSON instead of
    verifying the file.
    """
    boundary = "----FormBoundaryJsoNx7Qm2"
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="credential.json"\r\n'
        "Content-Type: application/json\r\n\r\n"
        f"{json.dumps(SIGNED)}\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    headers = {"content-type": f"multipart/form-data; boundary={boundary}"}
    answer = client.post("/", content=body, headers=headers)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"].startswith("text/html")
