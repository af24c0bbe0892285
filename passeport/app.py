"""The HTTP service: assembles each role's routes into one FastAPI application.

``create_app`` mounts the verifier's open routes (VC-API verify), the
holder's derive route, and the routes of each issuer it serves (VC-API issue
and status, behind the issuer's bearer tokens); such a server verifies its
issuers' credentials against the live lists it serves, never a stale copy.
A request of the wrong shape is answered 400 with one line per problem
(VC-API's status for invalid input). Every request body is limited in size
(413 beyond), before any of it is parsed, and a JSON body is read first by
the one JSON reader (``passeport._io.parse_json``: depth, duplicate members;
422 when refused).
The OpenAPI document is served at ``/openapi.json`` and is the contract.

The two verification routes, the service's busiest, take a short way when
their body is a JSON object posted as ``application/json``
(:class:`DirectRoutes`): the object the body reader parsed goes straight to
the route's function (:func:`passeport.verifier.api.json_routes`), without
FastAPI's second parse, dependency solving and middleware stack; the answers
are those of the FastAPI routes, which take every other request (and declare
the routes in the OpenAPI document). When the environment reads nothing from
the network, a body of at most :data:`INLINE_MAX_BYTES` is verified on the
event loop's own thread: in one process the threads only take turns holding
the interpreter, and handing each request to one and back cost a third of the
served overhead (issue 17). A verification that takes more than
:data:`INLINE_BUDGET` seconds of CPU sends the following ones to threads for
a pause (:data:`INLINE_PAUSE`) that doubles at each further one, so that a
costly document sent again and again cannot hold the loop; larger bodies,
chunked ones, and every body when verifying may wait on the network (a
status list or a did:web document over HTTPS, an issuer's registry) are
verified in threads.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Final

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from passeport._io import parse_json
from passeport.errors import InputError
from passeport.issuer.service import ServedIssuer, ServiceConfig
from passeport.verifier import Environment, Policy
from passeport.verifier import api as verifier_api
from passeport.wallet import api as wallet_api

__all__ = [
    "DEFAULT_BODY_TIMEOUT",
    "DEFAULT_MAX_BODY",
    "INLINE_BUDGET",
    "INLINE_MAX_BYTES",
    "INLINE_MAX_PAUSE",
    "INLINE_PAUSE",
    "PARSED_BODY",
    "BodyLimit",
    "DirectRoutes",
    "create_app",
]

DEFAULT_MAX_BODY = 1024 * 1024
DEFAULT_BODY_TIMEOUT = 10.0
"""Seconds a client has to send a whole request body, from when its headers arrived."""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Asgi = Callable[[Scope, Receive, Send], Awaitable[None]]

PARSED_BODY: Final = "passeport.parsed_body"
"""The scope key under which :class:`BodyLimit` leaves the JSON body it parsed."""

INLINE_MAX_BYTES: Final = 16 * 1024
"""The largest body :class:`DirectRoutes` verifies on the event loop's thread (when offline).

A credential or a presentation of one or two credentials; a verification
of that size takes one to three milliseconds of CPU here.
"""
INLINE_BUDGET: Final = 0.05
"""Seconds of CPU a verification on the event loop's thread may take before threads take over.

Above the first verification of a kind in a new process (25 ms for
``ecdsa-sd-2023``), below a document at the canonicalization's work limit (0.2 s).
"""
INLINE_PAUSE: Final = 1.0
"""Seconds the short way verifies in threads after a verification over :data:`INLINE_BUDGET`.

Doubled at each further one, up to :data:`INLINE_MAX_PAUSE`, until none came
for :data:`INLINE_MAX_PAUSE` seconds: a document costly to verify, sent again
and again, holds the loop less and less often (0.2 s every 5 minutes at worst),
while the first verifications of a new process, slower, only delay the short
way's use of the loop by a few seconds.
"""
INLINE_MAX_PAUSE: Final = 300.0
"""The longest pause of the short way's verifications on the loop (seconds)."""


class BodyLimit:
    """ASGI middleware answering 413 to a request body larger than ``max_bytes``.

    A declared ``Content-Length`` over the limit is refused at once; a chunked
    body is read as it arrives and refused as soon as it passes the limit, so
    the application never sees an oversized body. A body that has not all
    arrived ``body_timeout`` seconds after the request's headers (a client
    sending slowly, or stopping half-way) is answered 408 and its connection
    closed: the server's own timeouts stop at the headers. A JSON body (or one
    without a content type, which FastAPI reads as JSON) that
    :func:`parse_json` refuses, too deep or with a member twice, is answered
    422 with the reason.
    """

    def __init__(
        self,
        app: Asgi,
        *,
        max_bytes: int = DEFAULT_MAX_BODY,
        body_timeout: float = DEFAULT_BODY_TIMEOUT,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.body_timeout = body_timeout

    async def _refuse(
        self, send: Send, *, status: int = 413, detail: str | None = None, unread: bool = True
    ) -> None:
        reason = detail or f"request body larger than {self.max_bytes} bytes (refused)"
        body = json.dumps({"detail": reason}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        if unread:  # the rest of the body is not read: the connection cannot carry another
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _receive_body(self, receive: Receive) -> tuple[list[bytes], Message | None, str]:
        """Read the body by its deadline: its chunks, a message other than a body, a refusal.

        The refusal is ``"late"``, ``"large"`` or ``""`` (none).
        """
        chunks: list[bytes] = []
        received = 0
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:  # not asyncio (trio): anyio's deadlines
            loop = None
        deadline = (loop.time() if loop else anyio.current_time()) + self.body_timeout
        while True:
            try:
                if loop is not None:  # asyncio's own deadline costs a third of anyio's
                    async with asyncio.timeout_at(deadline):
                        message = await receive()
                else:
                    with anyio.fail_after(max(deadline - anyio.current_time(), 0.0)):
                        message = await receive()
            except TimeoutError:
                return chunks, None, "late"
            if message["type"] != "http.request":
                return [], message, ""
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_bytes:
                return chunks, None, "large"
            chunks.append(chunk)
            if not message.get("more_body", False):
                return chunks, None, ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, counting its body."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        json_body = True
        typed = False
        for name, value in scope.get("headers", []):
            if name == b"content-type" and not typed:  # the first one, as FastAPI reads it
                typed = True
                json_body = _json_media(value)
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.max_bytes + 1
                if declared > self.max_bytes:
                    await self._refuse(send)
                    return
        # Read the whole body first (at most max_bytes, by its deadline), then replay it.
        chunks, other, refused = await self._receive_body(receive)
        if refused == "late":
            late = f"request body not received within {self.body_timeout:g} s (refused)"
            await self._refuse(send, status=408, detail=late)
            return
        if refused:
            await self._refuse(send)
            return
        if other is not None:
            await self.app(scope, _replay([], other, receive), send)
            return
        body = b"".join(chunks)
        if json_body and body.strip():
            try:
                scope[PARSED_BODY] = parse_json(
                    body, where="request body", max_bytes=self.max_bytes
                )
            except InputError as exc:
                await self._refuse(send, status=422, detail=str(exc), unread=False)
                return
        await self.app(scope, _replay([body], None, receive), send)


def _json_media(content_type: bytes) -> bool:
    """Tell whether FastAPI reads a body of this content type as JSON.

    ``application/json`` or ``application/*+json``, parameters aside, or no
    media type at all (an empty header).
    """
    media = content_type.split(b";", 1)[0].strip().lower()
    if not media:
        return True
    kind, _, subtype = media.partition(b"/")
    subtype = subtype.strip()
    return kind.strip() == b"application" and (subtype == b"json" or subtype.endswith(b"+json"))


def _replay(chunks: list[bytes], first: Message | None, receive: Receive) -> Receive:
    """Return a receive callable giving ``chunks`` as one body, then what ``receive`` gives."""
    pending: list[Message] = [first] if first is not None else []
    if first is None:
        pending.append({"type": "http.request", "body": b"".join(chunks), "more_body": False})

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


_ROUTE_THREADS: Final = ThreadPoolExecutor(max_workers=40, thread_name_prefix="passeport-route")
"""The threads the short-way routes verify in (as many as FastAPI's for its routes)."""


def _plain_json(headers: Sequence[tuple[bytes, bytes]], max_bytes: int) -> tuple[bool, bool]:
    """Tell whether the request's (first) content type is ``application/json``, parameters aside.

    And whether its ``Content-Length`` declares at most ``max_bytes`` (no
    length, a chunked body, is not small).
    """
    plain = small = False
    typed = sized = False
    for name, value in headers:
        if name == b"content-type" and not typed:
            typed = True
            plain = value.split(b";", 1)[0].strip().lower() == b"application/json"
        elif name == b"content-length" and not sized:
            sized = True
            small = value.isdigit() and int(value) <= max_bytes
    return plain, small


class DirectRoutes:
    """ASGI middleware answering ``POST`` routes from the JSON object :class:`BodyLimit` parsed.

    ``routes`` maps a path to a function of the parsed body returning the
    response (raising :class:`pydantic.ValidationError` for a body of the
    wrong shape, answered 400 as FastAPI's refusals are). Only a JSON object
    posted as ``application/json`` at the application's root takes this way;
    anything else goes to ``app``. A body whose ``Content-Length`` is at most
    ``inline_max_bytes`` is answered on the event loop's thread, except
    during a pause after one of these took more than :data:`INLINE_BUDGET`
    seconds of CPU (:data:`INLINE_PAUSE`); other bodies in a thread. The
    routes must then never wait on I/O: give ``inline_max_bytes=0`` (every
    body in a thread, the default) when they may.
    """

    def __init__(
        self,
        app: Asgi,
        routes: Mapping[str, Callable[[object], JSONResponse]],
        *,
        inline_max_bytes: int = 0,
    ) -> None:
        self.app = app
        self.routes = dict(routes)
        self.inline_max_bytes = inline_max_bytes
        self.threads_until = 0.0
        """The monotonic time until which every body is verified in a thread."""
        self.costly = 0
        """Verifications over budget on the loop since the last :data:`INLINE_MAX_PAUSE` clean."""
        self.costly_at = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a request for one of ``routes``, pass any other on."""
        route = self.routes.get(scope.get("path", "")) if scope["type"] == "http" else None
        body = scope.get(PARSED_BODY)
        if route is None or scope["method"] != "POST" or scope.get("root_path"):
            await self.app(scope, receive, send)
            return
        plain, small = _plain_json(scope.get("headers", ()), self.inline_max_bytes)
        if not plain or not isinstance(body, dict):
            await self.app(scope, receive, send)
            return
        if small and time.monotonic() >= self.threads_until:
            started = time.thread_time()
            response = _answered(route, body)
            if time.thread_time() - started > INLINE_BUDGET:
                self._pause()
        else:
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:  # not asyncio (trio): FastAPI's threads
                response = await anyio.to_thread.run_sync(_answered, route, body)
            else:
                response = await running.run_in_executor(_ROUTE_THREADS, _answered, route, body)
        await response(scope, receive, send)

    def _pause(self) -> None:
        """Verify in threads for a while, twice as long as the last time if it was recent."""
        now = time.monotonic()
        if now - self.costly_at > INLINE_MAX_PAUSE:
            self.costly = 0
        self.costly_at = now
        self.threads_until = now + min(INLINE_PAUSE * 2**self.costly, INLINE_MAX_PAUSE)
        self.costly = min(self.costly + 1, 16)


def _answered(route: Callable[[object], JSONResponse], body: object) -> JSONResponse:
    """Return ``route``'s answer to ``body``, or the 400 of a body of the wrong shape."""
    try:
        return route(body)
    except ValidationError as exc:
        errors = [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        return JSONResponse({"verified": False, **_refusals(errors)}, status_code=400)


def create_app(
    *,
    env: Environment | None = None,
    policy: Policy | None = None,
    issuer: Path | None = None,
    token: str | None = None,
    issuers: ServiceConfig | None = None,
    max_body: int = DEFAULT_MAX_BODY,
) -> Any:
    """Return the ASGI application: verification and derive routes, and the issuers' routes.

    Args:
        env: where verification data comes from (default: offline).
        policy: what verification accepts (each request adds challenge and domain).
        issuer: an issuer profile folder (``passeport issuer init``) to serve
            alone, guarded by ``token``.
        token: the bearer token of ``issuer``'s issuing and status routes.
        issuers: the issuers to serve (:mod:`issuer.service`), each under
            ``/issuers/{name}/``, the default one also without the prefix;
            their status lists and did:web documents are then answered, for
            verification too, from their registries as they stand, before
            ``env``'s fetcher (:func:`issuer.api.live_environment`).
        max_body: the largest request body accepted, in bytes.

    Raises:
        ValueError: ``issuer`` without a ``token``.
        InputError: ``issuer`` is not a profile folder, or ``token`` is too weak.
    """
    app = FastAPI(
        title="passeport",
        summary="Issue, verify, derive and publish W3C Verifiable Credentials (VC-API).",
        version="0.1.0",
    )
    app.add_exception_handler(RequestValidationError, _bad_request)
    environment = env or Environment()
    served = issuers or ServiceConfig()
    if issuer is not None:
        if not token:
            raise ValueError("serving an issuer needs a bearer token")
        name = issuer.resolve().name.lower() or "issuer"
        served = ServiceConfig((ServedIssuer.open(name, issuer, tokens=[token]),)).merged(served)
    issuer_routes = None
    if served.issuers:
        from passeport.issuer import api as issuer_api

        profiles = [served_issuer.profile for served_issuer in served.issuers]
        environment = issuer_api.live_environment(profiles, environment)
        issuer_routes = issuer_api.router(served, env=environment)
    app.include_router(verifier_api.router(env=environment, policy=policy))
    direct = verifier_api.json_routes(env=environment, policy=policy)
    from passeport import upload  # GET / and POST /: the verification page for people

    app.include_router(upload.router(env=environment, policy=policy))
    app.include_router(wallet_api.router(loader=environment.loader))
    if issuer_routes is not None:
        app.include_router(issuer_routes)
    inline = INLINE_MAX_BYTES if _offline(environment.fetcher) else 0
    return BodyLimit(DirectRoutes(app, direct, inline_max_bytes=inline), max_bytes=max_body)


def _offline(fetcher: object) -> bool:
    """Tell whether ``fetcher`` answers from memory or local files, never waiting on a network."""
    from passeport.did.fetch import CacheDirFetcher, NoNetwork, StaticFetcher

    if isinstance(fetcher, CacheDirFetcher):
        return fetcher.fallback is None or _offline(fetcher.fallback)
    return isinstance(fetcher, NoNetwork | StaticFetcher)


def _location(parts: Sequence[Any]) -> str:
    """Return where in the request a validation error is: ``options.checks.0``, say."""
    shown = [str(part) for part in parts]
    if shown and shown[0] in {"body", "query", "path", "header"}:
        shown = shown[1:]
    # A tagged union's tag, "(VC-API)" say, names which form was read, not a member.
    return ".".join(part for part in shown if not part.startswith("(")) or "request body"


async def _bad_request(request: Request, exc: Exception) -> JSONResponse:
    """Answer 400 (VC-API's status for invalid input) to a request of the wrong shape.

    Each problem is one line naming its place (``options.challange: Extra
    inputs are not permitted``); a union (VC-API or template request, say)
    names each alternative's problems.
    """
    assert isinstance(exc, RequestValidationError)
    body = _refusals(exc.errors())
    if request.url.path.endswith("/verify"):
        body = {"verified": False, **body}
    return JSONResponse(body, status_code=400)


def _refusals(problems: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Return the body refusing a request of the wrong shape: one line per problem, at most 20."""
    errors: list[str] = []
    for error in problems:
        line = f"{_location(error.get('loc', ()))}: {error.get('msg', 'invalid')}"
        if line not in errors:
            errors.append(line)
    return {"errors": errors[:20]}
