"""Slow and partial requests (issue 11): no connection stays open past its deadlines.

500 connections sending half a body stayed open more than 40 s: uvicorn
bounds idle keep-alive connections only. Here a real uvicorn, on 127.0.0.1,
runs ``passeport serve``'s settings with deadlines of one second.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from passeport._server import HEAD_TIMEOUT, MAX_CONNECTIONS, MAX_HEAD_BYTES, server_options
from passeport.app import DEFAULT_BODY_TIMEOUT, BodyLimit, create_app
from tests.http._live import live_server

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

BODY = json.dumps({"verifiableCredential": {"type": ["VerifiableCredential"]}}).encode()
HEAD = (
    b"POST /credentials/verify HTTP/1.1\r\nHost: localhost\r\n"
    b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(BODY)
)


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    """A server with passeport serve's settings, its deadlines shortened to one second."""
    app = create_app()
    app.body_timeout = 1.0
    options = {**server_options(head_timeout=1.0), "limit_concurrency": 2_000}
    with live_server(app, options) as port:
        yield port


def _wait_closed(sockets: list[socket.socket], seconds: float) -> tuple[int, set[bytes]]:
    """Read until each socket is closed by the server or ``seconds`` pass; return how many
    are still open and the status lines received."""
    for sock in sockets:
        sock.setblocking(False)
    open_ = set(range(len(sockets)))
    lines: set[bytes] = set()
    deadline = time.monotonic() + seconds
    while open_ and time.monotonic() < deadline:
        for index in list(open_):
            try:
                data = sockets[index].recv(4096)
            except BlockingIOError:
                continue
            except ConnectionError:
                data = b""
            if data.startswith(b"HTTP/"):
                lines.add(data.split(b"\r\n", 1)[0])
            elif not data:
                open_.discard(index)
        time.sleep(0.02)
    return len(open_), lines


def _response(sock: socket.socket) -> bytes:
    """Read one HTTP/1.1 response (its head, then as many bytes as its Content-Length)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _request(port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(raw)
        return _response(sock)


def test_half_sent_bodies_and_heads_are_closed_within_their_deadlines(port: int) -> None:
    sockets = []
    try:
        for index in range(500):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            # Half the connections stop inside the body, half inside the head.
            sock.sendall(HEAD + BODY[:10] if index % 2 else HEAD[:30])
            sockets.append(sock)
        started = time.monotonic()
        still_open, lines = _wait_closed(sockets, 10.0)
        assert still_open == 0  # every one stayed open for ever before
        assert time.monotonic() - started < 6.0
        assert lines == {b"HTTP/1.1 408 Request Timeout"}
    finally:
        for sock in sockets:
            sock.close()
    answer = _request(port, HEAD + BODY)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]  # served again at once


def test_a_head_sent_a_byte_at_a_time_is_cut_at_its_deadline(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        started = time.monotonic()
        closed = False
        for byte in HEAD:
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                closed = True
                break
            time.sleep(0.1)
            if time.monotonic() - started > 5:
                break
        sock.settimeout(5)
        try:
            closed = closed or sock.recv(100) == b""
        except TimeoutError:
            pass  # still open
        except OSError:
            closed = True
        assert closed and time.monotonic() - started < 5


def test_an_oversized_head_is_refused(port: int) -> None:
    answer = _request(port, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * MAX_HEAD_BYTES)
    assert answer.startswith(b"HTTP/1.1 4") or answer == b""


def test_keep_alive_still_serves_several_requests(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        for _ in range(3):
            sock.sendall(HEAD + BODY)
            answer = _response(sock)
            assert answer.startswith(b"HTTP/1.1 400"), answer[:100]
            time.sleep(0.3)


def test_serve_s_settings() -> None:
    options = server_options()
    assert options["timeout_keep_alive"] <= 5
    assert options["limit_concurrency"] == MAX_CONNECTIONS
    assert options["h11_max_incomplete_event_size"] == MAX_HEAD_BYTES
    assert options["http"].head_timeout == HEAD_TIMEOUT == DEFAULT_BODY_TIMEOUT


def test_the_body_deadline_at_the_asgi_level() -> None:
    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope)

    async def slow_receive() -> dict[str, Any]:
        await asyncio.sleep(0.05)
        return {"type": "http.request", "body": b" ", "more_body": True}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "headers": [(b"content-type", b"application/json")]}
    started = time.monotonic()
    asyncio.run(BodyLimit(app, body_timeout=0.3)(scope, slow_receive, send))
    assert 0.25 < time.monotonic() - started < 2.0
    assert sent[0]["status"] == 408 and not seen
    assert (b"connection", b"close") in sent[0]["headers"]
    assert json.loads(sent[1]["body"])["detail"].startswith("request body not received within")
