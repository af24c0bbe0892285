"""How ``passeport serve`` runs uvicorn: limits and timeouts against slow and idle clients.

uvicorn closes an idle keep-alive connection (``timeout_keep_alive``) but waits
for ever for a request whose head (request line and headers) comes slowly or
never, and the application for a body that stops half-way: 500 such
connections stayed open for more than 40 s. Here:

- a request's head must arrive within :data:`HEAD_TIMEOUT` seconds of the
  connection (or of the previous response), else the connection is closed;
- its body within :data:`passeport.app.DEFAULT_BODY_TIMEOUT` seconds of its
  head (:class:`passeport.app.BodyLimit` answers 408);
- a head is at most :data:`MAX_HEAD_BYTES` bytes;
- beyond :data:`MAX_CONNECTIONS` open connections, requests are answered 503
  at once rather than queued.

Requests are read by uvicorn's httptools protocol (llhttp, in C) when
httptools is installed, as it is with passeport: h11, in Python, took
about a third of a millisecond of CPU per request, as much as verifying a
JCS credential (issue 17). The same deadlines and limits hold on both; h11
serves if httptools cannot be imported. With httptools, a response's head is
written together with its body (:class:`_HeadWithBody`): one system call
rather than two.

The shell imports this module only to serve: it imports uvicorn.
"""

from __future__ import annotations

import asyncio
from importlib.util import find_spec
from typing import Any, Final

from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = [
    "HEAD_TIMEOUT",
    "KEEP_ALIVE_TIMEOUT",
    "MAX_CONNECTIONS",
    "MAX_HEAD_BYTES",
    "head_deadline_protocol",
    "server_options",
]

HEAD_TIMEOUT: Final = 10.0
"""Seconds a client has to send a request's line and headers."""
KEEP_ALIVE_TIMEOUT: Final = 5
"""Seconds an idle connection is kept open after a response."""
MAX_CONNECTIONS: Final = 256
"""Open connections (or running requests) beyond which a request is answered 503."""
MAX_HEAD_BYTES: Final = 16 * 1024
"""The largest request head (request line and headers) read, in bytes."""


class _HeadTimer(asyncio.Protocol):
    """The request-head deadline of both protocols below (mixed in before uvicorn's).

    uvicorn's keep-alive timer is cancelled by any byte received, so a client
    sending one byte a second keeps it open for ever; this timer runs from
    the moment a request head is awaited until the head is complete, and
    closes the connection if the request it awaited is still the current one.
    """

    head_timeout: float = HEAD_TIMEOUT
    _head_timer: asyncio.TimerHandle | None = None
    _head_cycle: Any = None
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    cycle: Any

    def _await_head(self) -> None:
        self._stop_head_timer()
        self._head_cycle = self.cycle
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_late)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_late(self) -> None:
        self._head_timer = None
        if self.cycle is self._head_cycle and not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)


class _HeadDeadline(_HeadTimer, H11Protocol):
    """uvicorn's HTTP/1.1 protocol (h11), closing a connection whose request head is late."""

    def handle_events(self) -> None:
        super().handle_events()
        if self._head_timer is not None and self.cycle is not self._head_cycle:
            self._stop_head_timer()  # a new request's head has arrived

    def on_response_complete(self) -> None:
        # Armed first: uvicorn then reads a pipelined request, which stops it.
        if not self.transport.is_closing():
            self._await_head()
        super().on_response_complete()


_HEAD_TOO_LARGE: Final = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 32\r\nconnection: close\r\n\r\nrequest head too large (refused)"
)


class _HeadWithBody:
    """The transport of one response: its head is written with the body, in one ``send``.

    uvicorn writes a response's head and its body separately: two system
    calls, and on loopback two wake-ups of the client, where one does (about
    a tenth of a millisecond per request, issue 17). The first write (the
    head) is held until the next one, or until the transport is closed.
    Only for a response that has a body (not ``HEAD``), to a request that
    does not wait for ``100 Continue``.
    """

    __slots__ = ("head", "transport")

    def __init__(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        self.head: bytes | None = None

    def write(self, data: bytes) -> None:
        """Hold the head; write it with the next bytes."""
        if self.head is None:
            self.head = data
            return
        if self.head:
            data, self.head = self.head + data, b""
        self.transport.write(data)

    def close(self) -> None:
        """Write the head if held, then close."""
        if self.head:
            self.transport.write(self.head)
            self.head = b""
        self.transport.close()

    def is_closing(self) -> bool:
        """Tell whether the connection is closing."""
        return self.transport.is_closing()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


_FAST: type[asyncio.Protocol] | None = None
"""The httptools protocol below, None when httptools is not installed (h11 serves)."""

if find_spec("httptools") is not None:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class _FastHeadDeadline(_HeadTimer, HttpToolsProtocol):
        """uvicorn's httptools protocol, with :class:`_HeadDeadline`'s deadline and a head limit.

        The head timer runs from the moment a request head is awaited (the
        connection made, or a response sent with no complete head waiting behind
        it) until a head is complete. A head is at most :data:`MAX_HEAD_BYTES`
        bytes: counted by the chunks read while it is incomplete, except a chunk
        that also ended the request before (pipelined), which is at most one read
        of the socket (256 KiB); beyond, 431 and the connection is closed.
        """

        max_head_bytes: int = MAX_HEAD_BYTES
        _in_head = False
        _head_bytes = 0
        _ended = False

        def data_received(self, data: bytes) -> None:
            self._ended = False
            super().data_received(data)
            if not self._in_head or self.transport.is_closing():
                return
            if not self._ended:  # the whole chunk is this head's (or bytes before it)
                self._head_bytes += len(data)
            if self._head_bytes > self.max_head_bytes:
                self._stop_head_timer()
                self.transport.write(_HEAD_TOO_LARGE)
                self.transport.close()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._in_head, self._head_bytes = True, 0

        def on_headers_complete(self) -> None:
            self._in_head = False
            self._stop_head_timer()
            before = self.cycle
            super().on_headers_complete()
            cycle = self.cycle
            if (
                cycle is not None
                and cycle is not before
                and self.scope["method"] != "HEAD"
                and not self.expect_100_continue
            ):
                cycle.transport = _HeadWithBody(self.transport)

        def on_message_complete(self) -> None:
            self._ended = True
            super().on_message_complete()

        def on_response_complete(self) -> None:
            # A pipelined request whose head is complete starts now: no head is awaited.
            if not self.transport.is_closing() and not self.pipeline:
                self._await_head()
            super().on_response_complete()

    _FAST = _FastHeadDeadline


def head_deadline_protocol(head_timeout: float = HEAD_TIMEOUT) -> type[asyncio.Protocol]:
    """Return uvicorn's HTTP/1.1 protocol closing connections whose request head is late.

    httptools' when it is installed, else h11's; both refuse a head larger
    than :data:`MAX_HEAD_BYTES`.
    """
    chosen = _FAST or _HeadDeadline
    if head_timeout == HEAD_TIMEOUT:
        return chosen
    return type(chosen.__name__, (chosen,), {"head_timeout": head_timeout})


def server_options(*, head_timeout: float = HEAD_TIMEOUT) -> dict[str, Any]:
    """Return the uvicorn settings of ``passeport serve`` (keyword arguments of ``uvicorn.run``)."""
    return {
        "http": head_deadline_protocol(head_timeout),
        "timeout_keep_alive": KEEP_ALIVE_TIMEOUT,
        "limit_concurrency": MAX_CONNECTIONS,
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,  # when h11 serves
        "timeout_graceful_shutdown": 5,
    }
