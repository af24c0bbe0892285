"""The short way of the verification routes and the httptools protocol (issue 17).

A JSON object posted as ``application/json`` to a verification route skips
FastAPI (``passeport.app.DirectRoutes``); every answer must be the one
FastAPI's route gives, which ``application/ld+json`` still reaches. uvicorn
reads requests with httptools, which must keep h11's deadline and head limit.
"""

from __future__ import annotations

import asyncio
import copy
import json
import pickle
import re
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

import passeport._server
import passeport.app
from passeport._server import MAX_HEAD_BYTES, server_options
from passeport.app import DirectRoutes, create_app
from passeport.verifier import Environment
from tests.http._live import live_server
from tests.http.test_verify_api import SIGNED, _presentation

NOW = datetime(2027, 3, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(env=Environment(clock=lambda: NOW)))


def _tampered() -> dict[str, Any]:
    credential: dict[str, Any] = copy.deepcopy(SIGNED)
    credential["credentialSubject"]["name"] = "Someone Else"
    return credential


PRESENTATION = _presentation("c-1", "jobs.example")
OPTIONS = {"challenge": "c-1", "domain": "jobs.example"}

BODIES: list[tuple[str, Any]] = [
    ("/credentials/verify", {"verifiableCredential": SIGNED}),
    ("/credentials/verify", {"verifiableCredential": _tampered()}),
    ("/credentials/verify", {"verifiableCredential": SIGNED, "options": {"checks": ["proof"]}}),
    (
        "/credentials/verify",
        {"verifiableCredential": _tampered(), "options": {"returnCredential": True}},
    ),
    ("/credentials/verify", {"verifiableCredential": SIGNED, "options": {"checks": ["nope"]}}),
    ("/credentials/verify", {"verifiableCredential": SIGNED, "options": {"checks": "proof"}}),
    ("/credentials/verify", {"verifiableCredential": SIGNED, "options": {"challange": "x"}}),
    ("/credentials/verify", {"verifiableCredential": SIGNED, "options": {"at": "2020-01-01"}}),
    ("/credentials/verify", {"verifiableCredential": SIGNED, "options": OPTIONS}),
    ("/credentials/verify", {"verifiableCredential": SIGNED, "options": None}),
    ("/credentials/verify", {"verifiableCredential": PRESENTATION}),
    ("/credentials/verify", {"verifiableCredential": "not a token"}),
    ("/credentials/verify", {"verifiableCredential": "e30.e30.sig"}),
    ("/credentials/verify", {"verifiableCredential": 5}),
    ("/credentials/verify", {"verifiableCredential": [SIGNED]}),
    ("/credentials/verify", {"verifiableCredential": {"type": ["VerifiableCredential"]}}),
    ("/credentials/verify", {"credential": SIGNED}),
    ("/credentials/verify", {"query": 1, "body": 2, "verifiableCredential": SIGNED}),
    ("/credentials/verify", {f"extra{n}": n for n in range(30)}),
    ("/credentials/verify", {}),
    ("/presentations/verify", {"verifiablePresentation": PRESENTATION, "options": OPTIONS}),
    ("/presentations/verify", {"verifiablePresentation": PRESENTATION}),
    (
        "/presentations/verify",
        {"verifiablePresentation": PRESENTATION, "options": {**OPTIONS, "challenge": "c-2"}},
    ),
    (
        "/presentations/verify",
        {"verifiablePresentation": PRESENTATION, "options": {"expectedProofPurpose": "x"}},
    ),
    ("/presentations/verify", {"verifiablePresentation": SIGNED}),
    ("/presentations/verify", {"verifiableCredential": SIGNED}),
]


@pytest.fixture
def short_way(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record each body answered the short way."""
    taken: list[object] = []
    answered = passeport.app._answered

    def spy(route: Any, body: object) -> Any:
        taken.append(body)
        return answered(route, body)

    monkeypatch.setattr(passeport.app, "_answered", spy)
    return taken


@pytest.mark.parametrize(("path", "body"), BODIES, ids=[f"{i}" for i in range(len(BODIES))])
def test_the_short_way_answers_as_fastapi(
    client: TestClient, short_way: list[object], path: str, body: Any
) -> None:
    data = json.dumps(body).encode()
    short = client.post(path, content=data, headers={"content-type": "application/json"})
    assert len(short_way) == 1
    usual = client.post(path, content=data, headers={"content-type": "application/ld+json"})
    assert len(short_way) == 1  # FastAPI answered this one
    assert (short.status_code, short.json()) == (usual.status_code, usual.json())
    assert short.headers["content-type"] == usual.headers["content-type"]
    assert short.status_code in {200, 400}


def test_the_verdicts_of_the_short_way(client: TestClient, short_way: list[object]) -> None:
    verified = client.post("/credentials/verify", json={"verifiableCredential": SIGNED})
    assert verified.status_code == 200 and verified.json()["verified"] is True
    details = verified.json()["details"]
    assert details and all(set(d) >= {"code", "outcome", "message", "counted"} for d in details)
    tampered = client.post("/credentials/verify", json={"verifiableCredential": _tampered()})
    assert tampered.status_code == 400 and tampered.json()["verified"] is False
    assert any(c.startswith("proof.") for c in tampered.json()["errors"])
    body = {"verifiablePresentation": PRESENTATION, "options": {**OPTIONS, "domain": "evil"}}
    replayed = client.post("/presentations/verify", json=body)
    assert replayed.status_code == 400 and replayed.json()["verified"] is False
    assert len(short_way) == 3


@pytest.mark.parametrize(
    ("method", "path", "content", "content_type"),
    [
        ("POST", "/credentials/verify", b"[]", "application/json"),
        ("POST", "/credentials/verify", b"null", "application/json"),
        ("POST", "/credentials/verify", b"", "application/json"),
        ("POST", "/credentials/verify", b'{"verifiableCredential": 1}', "text/plain"),
        ("POST", "/credentials/verify", b'{"verifiableCredential": 1}', None),
        ("POST", "/credentials/verify/", b'{"verifiableCredential": 1}', "application/json"),
        ("PUT", "/credentials/verify", b'{"verifiableCredential": 1}', "application/json"),
        ("GET", "/credentials/verify", b"", None),
    ],
)
def test_other_requests_take_the_usual_way(
    client: TestClient,
    short_way: list[object],
    method: str,
    path: str,
    content: bytes,
    content_type: str | None,
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    answer = client.request(method, path, content=content, headers=headers, follow_redirects=False)
    assert not short_way
    assert 300 <= answer.status_code < 500


def test_a_mounted_application_takes_the_usual_way() -> None:
    seen: list[str] = []

    async def usual(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["path"])

    def route(body: object) -> Any:
        raise AssertionError("the short way was taken")

    direct = DirectRoutes(usual, {"/credentials/verify": route})
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/credentials/verify",
        "root_path": "/api",
        "headers": [(b"content-type", b"application/json")],
        passeport.app.PARSED_BODY: {"verifiableCredential": {}},
    }
    asyncio.run(direct(scope, None, None))  # type: ignore[arg-type]
    assert seen == ["/credentials/verify"]


def test_the_served_protocol_is_httptools_and_goes_to_workers() -> None:
    protocol = server_options()["http"]
    assert "httptools" in " ".join(c.__module__ for c in protocol.__mro__)
    assert pickle.loads(pickle.dumps(protocol)) is protocol  # serve --workers pickles it


@pytest.fixture(scope="module", params=["httptools", "h11"])
def port(request: pytest.FixtureRequest) -> Iterator[int]:
    """A server with passeport serve's settings, its head deadline five seconds.

    Served by httptools, and by h11 as when httptools is not installed.
    """
    app = create_app(max_body=4 * 1024 * 1024)
    with pytest.MonkeyPatch.context() as patch:
        if request.param == "h11":
            patch.setattr(passeport._server, "_FAST", None)
        options = server_options(head_timeout=5.0)
    modules = {c.__module__ for c in options["http"].__mro__}
    assert any("httptools" in m for m in modules) == (request.param == "httptools")
    with live_server(app, options) as port:
        yield port


def _read_all(sock: socket.socket, seconds: float) -> bytes:
    sock.settimeout(seconds)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except OSError:
        pass
    return data


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
@pytest.mark.parametrize("pieces", [1, 40])
def test_an_oversized_head_is_431_at_once(port: int, pieces: int) -> None:
    """Sent whole or in pieces, a head past the limit is refused well before its deadline."""
    head = b"POST /credentials/verify HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (2 * MAX_HEAD_BYTES)
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        step = -(-len(head) // pieces)
        try:
            for start in range(0, len(head), step):
                sock.sendall(head[start : start + step])
                time.sleep(0.01)
        except OSError:
            pass  # closed while sending: refused
        answer = _read_all(sock, 4.0)
    assert answer.startswith(b"HTTP/1.1 4") or answer == b""
    assert time.monotonic() - started < 3.0  # not the 5-second head deadline


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_a_large_body_and_pipelined_requests_are_served(port: int) -> None:
    """The head limit counts heads: a 1 MB body, and a request behind it, are read."""
    big = json.dumps({"verifiableCredential": {"padding": "x" * 1_000_000}}).encode()
    small = json.dumps({"verifiableCredential": SIGNED}).encode()
    raw = b""
    for body in (big, small, small):
        raw += (
            b"POST /credentials/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)
        ) + body
    answer = b""
    deadline = time.monotonic() + 20
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(raw)  # not half-closed: uvicorn drops requests after the client's EOF
        while len(re.findall(rb"HTTP/1\.1 \d{3} ", answer)) < 3 and time.monotonic() < deadline:
            answer += sock.recv(65536) or b""
    assert re.findall(rb"HTTP/1\.1 (\d{3}) ", answer) == [b"400", b"200", b"200"]


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_a_late_head_is_closed_at_its_deadline_after_a_response(port: int) -> None:
    """After one answer on a kept-alive connection, the next head has its deadline too."""
    body = json.dumps({"verifiableCredential": SIGNED}).encode()
    head = (
        b"POST /credentials/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head + body)
        sock.settimeout(10)
        first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200")
        sock.sendall(head[:20])  # and nothing more
        started = time.monotonic()
        rest = _read_all(sock, 9.0)
        waited = time.monotonic() - started
    assert b"HTTP/1.1" not in rest
    assert 4.0 < waited < 8.0
