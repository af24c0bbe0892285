"""A served answer's head goes out with its body, in one write (issue 17).

uvicorn writes the head and the body of a response separately: two system
calls, and on loopback two wake-ups of the client. ``passeport serve``'s
httptools protocol holds the head until the body comes, except for a ``HEAD``
request (no body follows) and a request waiting for ``100 Continue``.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from passeport._server import _HeadWithBody, server_options
from passeport.app import create_app
from tests.http._live import live_server
from tests.http.test_verify_api import SIGNED


class _Transport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str) -> str:
        return name


def test_the_head_is_written_with_the_body() -> None:
    transport = _Transport()
    held = _HeadWithBody(transport)  # type: ignore[arg-type]
    held.write(b"HTTP/1.1 200 OK\r\n\r\n")
    assert transport.writes == []
    held.write(b"{}")
    held.write(b"more")
    assert transport.writes == [b"HTTP/1.1 200 OK\r\n\r\n{}", b"more"]
    assert held.get_extra_info("peername") == "peername"


def test_a_head_alone_is_written_when_the_connection_closes() -> None:
    transport = _Transport()
    held = _HeadWithBody(transport)  # type: ignore[arg-type]
    held.write(b"HTTP/1.1 500 Internal Server Error\r\n\r\n")
    assert not held.is_closing()
    held.close()
    assert transport.writes == [b"HTTP/1.1 500 Internal Server Error\r\n\r\n"]
    assert held.is_closing()
    empty = _Transport()
    _HeadWithBody(empty).close()  # type: ignore[arg-type]
    assert empty.writes == [] and empty.closed


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    """A server with ``passeport serve``'s settings (httptools)."""
    with live_server(create_app(), server_options()) as port:
        yield port


def _until(sock: socket.socket, marker: bytes, seconds: float = 5.0) -> bytes:
    data = b""
    deadline = time.monotonic() + seconds
    sock.settimeout(seconds)
    while marker not in data and time.monotonic() < deadline:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def _answer(sock: socket.socket) -> tuple[bytes, Any]:
    data = _until(sock, b"\r\n\r\n")
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length: ", 1)[1].split(b"\r\n", 1)[0])
    while len(body) < length:
        body += sock.recv(65536)
    return head, json.loads(body)


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_a_head_request_is_answered_at_once(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"HEAD /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n")
        head = _until(sock, b"\r\n\r\n", 3.0)
    assert head.startswith(b"HTTP/1.1 ") and head.endswith(b"\r\n\r\n")


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_continue_then_the_answer_then_another_on_the_same_connection(port: int) -> None:
    body = json.dumps({"verifiableCredential": SIGNED}).encode()
    head = (
        b"POST /credentials/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n" % len(body)
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head + b"Expect: 100-continue\r\n\r\n")
        assert _until(sock, b"\r\n\r\n", 5.0) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        status, verdict = _answer(sock)
        assert status.startswith(b"HTTP/1.1 ") and "verified" in verdict
        sock.sendall(head + b"\r\n" + body)
        again, same = _answer(sock)
    assert again.split(b"\r\n", 1)[0] == status.split(b"\r\n", 1)[0]
    assert same["verified"] == verdict["verified"]
