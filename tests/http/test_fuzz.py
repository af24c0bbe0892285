"""No input gives a server error: the HTTP API fuzzed from its live OpenAPI document.

schemathesis reads ``/openapi.json`` of the application as it is built (the
verify, derive, issue and status routes, whichever exist when the test runs)
and sends each operation bodies drawn from its schema and beyond it. Every
answer must be below 500 and, when it is an error, a JSON body. The inputs
that once gave a 500 or hung a worker are kept as explicit cases below.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from passeport.app import create_app
from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.issuer import Profile
from passeport.proofs.sign import sign_document
from tests.cli.test_cli import SAMPLE

TOKEN = "fuzz-token-of-the-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ISSUER = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([41]) * 32))
SIGNED = sign_document(json.loads(SAMPLE.read_text("utf-8")), ISSUER)


def _app(folder: Path) -> Any:
    Profile.create(
        folder,
        name="Université Exemple",
        did="web:univ.example",
        private_key=PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([71]) * 32),
    )
    return create_app(issuer=folder, token=TOKEN)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return _app(tmp_path_factory.mktemp("fuzz") / "univ")


@pytest.fixture(scope="module")
def client(app: Any) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


def _assert_handled(
    status: int,
    content_type: str,
    body: bytes,
    what: str,
    documented: frozenset[str] = frozenset({"application/json"}),
) -> None:
    """An answer below 500; an error in a documented media type, JSON for the API."""
    assert status < 500, f"{what}: {status} {body[:300]!r}"
    if status >= 400:
        media_type = content_type.split(";")[0].strip()
        assert media_type in documented, f"{what}: {status} answered as {content_type}"
        if media_type == "application/json":
            json.loads(body)


def _documented(operation: Any) -> frozenset[str]:
    """Return the media types of the operation's documented responses (a page answers HTML)."""
    responses = operation.definition.raw.get("responses", {})
    return frozenset(
        media_type for answer in responses.values() for media_type in answer.get("content") or {}
    )


def _operations(app: Any) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_the_live_schema_has_the_verify_routes(app: Any) -> None:
    paths = {operation.path for operation in _operations(app)}
    assert {"/credentials/verify", "/presentations/verify", "/credentials/issue"} <= paths


# schemathesis's own pytest integration (its lazy fixture) does not run under pytest 9:
# its case strategies are driven by hypothesis here, one operation after the other.
@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode))
def test_no_operation_answers_a_server_error(app: Any, mode: Any) -> None:
    for operation in _operations(app):

        @settings(
            max_examples=15,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def fuzz(case: Any) -> None:
            response = case.call(headers=AUTH)
            content_type = response.headers.get("content-type") or [""]
            _assert_handled(
                response.status_code,
                content_type[0] if isinstance(content_type, list) else str(content_type),
                response.content,
                f"{case.method} {case.path}",
                _documented(case.operation),
            )

        try:
            fuzz()
        except Unsatisfiable:
            # An operation without parameters or body has no input outside its schema.
            assert mode is schemathesis.GenerationMode.NEGATIVE, operation.path


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def _credential(**members: Any) -> dict[str, Any]:
    return {"verifiableCredential": {**SIGNED, **members}}


def _proof(**members: Any) -> dict[str, Any]:
    return _credential(proof={**SIGNED["proof"], **members})  # type: ignore[dict-item]


VC, VP, DERIVE = "/credentials/verify", "/presentations/verify", "/credentials/derive"
END, START = "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"
# Inputs that once gave a 500 (issue 11), or that reach the costly parts of verification.
CASES: list[tuple[str, dict[str, Any]]] = [
    (VC, {"verifiableCredential": SIGNED, "options": {"at": "2020-01-01T00:00"}}),
    (VC, {"verifiableCredential": SIGNED, "options": {"at": END}}),
    (VC, {"verifiableCredential": SIGNED, "options": {"at": START}}),
    (VC, {"verifiableCredential": _deep(5000)}),
    (VC, {"verifiableCredential": "1" * 5000}),
    (VC, {"verifiableCredential": '{"a": ' + "1" * 5000 + "}"}),
    (VC, {"verifiableCredential": "1e999"}),
    (VC, {"verifiableCredential": '{"@context": 1e999}'}),
    (VC, {"verifiableCredential": "eyJ" + "A" * 4000 + ".e30.AA"}),
    (VC, _proof(expires=END)),
    (VC, _proof(created=END)),
    (VC, _proof(created=START)),
    (VC, _credential(validUntil=START)),
    (VC, _credential(validFrom=END)),
    (VC, _credential(credentialSubject={"tag": [str(i) for i in range(14_000)]})),
    (VP, {"verifiablePresentation": "1" * 5000}),
    (VP, {"verifiablePresentation": _deep(5000)}),
    (
        VP,
        {
            "verifiablePresentation": {
                "type": "VerifiablePresentation",
                "verifiableCredential": ["1" * 5000, _deep(3000), 7, None],
            }
        },
    ),
    (DERIVE, {"verifiableCredential": "1" * 5000}),
    (DERIVE, {"verifiableCredential": SIGNED, "options": {"selectivePointers": ["/" * 3000]}}),
]


@pytest.mark.parametrize(
    ("path", "body"), CASES, ids=[f"{p}-{i}" for i, (p, _) in enumerate(CASES)]
)
def test_inputs_that_once_gave_a_500_are_answered_4xx_or_a_result(
    client: TestClient, path: str, body: dict[str, Any]
) -> None:
    started = time.perf_counter()
    response = client.post(path, json=body, headers=AUTH)
    _assert_handled(
        response.status_code, response.headers.get("content-type", ""), response.content, path
    )
    assert time.perf_counter() - started < 5.0


@pytest.mark.parametrize(
    "body",
    [b"{", b'{"a": 1, "a": 2}', _deep(1000).encode(), b"\xff\xfe", b"1" * 5000, b"null", b"[]"],
)
@pytest.mark.parametrize("path", ["/credentials/verify", "/presentations/verify"])
def test_unreadable_bodies_are_json_errors(client: TestClient, path: str, body: bytes) -> None:
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    _assert_handled(
        response.status_code, response.headers.get("content-type", ""), response.content, path
    )
    assert response.status_code >= 400
