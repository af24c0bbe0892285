"""The HTTP service: assembles each role's routes into one FastAPI application.

``create_app`` mounts the verifier's open routes and, when an issuer profile
is given, the issuer's routes behind a bearer token; such a server verifies
its issuer's credentials against the live lists it serves, never a stale
copy. Every request body is limited in size (413 beyond), before any of it
is parsed, and a JSON body is read first by the one JSON reader
(``passeport._io.parse_json``: depth, duplicate members; 422 when refused).
The OpenAPI document is served at ``/openapi.json`` and is the contract.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from passeport._io import parse_json
from passeport.errors import InputError
from passeport.verifier import Environment, Policy
from passeport.verifier import api as verifier_api

__all__ = ["DEFAULT_MAX_BODY", "BodyLimit", "create_app"]

DEFAULT_MAX_BODY = 1024 * 1024

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Asgi = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyLimit:
    """ASGI middleware answering 413 to a request body larger than ``max_bytes``.

    A declared ``Content-Length`` over the limit is refused at once; a chunked
    body is read as it arrives and refused as soon as it passes the limit, so
    the application never sees an oversized body. A JSON body (or one without
    a content type, which FastAPI reads as JSON) that :func:`parse_json`
    refuses, too deep or with a member twice, is answered 422 with the reason.
    """

    def __init__(self, app: Asgi, *, max_bytes: int = DEFAULT_MAX_BODY) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, send: Send, *, status: int = 413, detail: str | None = None) -> None:
        reason = detail or f"request body larger than {self.max_bytes} bytes (refused)"
        body = json.dumps({"detail": reason}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, counting its body."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        json_body = True
        for name, value in scope.get("headers", []):
            if name == b"content-type":
                json_body = b"json" in value.lower()
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.max_bytes + 1
                if declared > self.max_bytes:
                    await self._refuse(send)
                    return
        # Read the whole body first (at most max_bytes), then replay it to the app.
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([], message, receive), send)
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_bytes:
                await self._refuse(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if json_body and body.strip():
            try:
                parse_json(body, where="request body", max_bytes=self.max_bytes)
            except InputError as exc:
                await self._refuse(send, status=422, detail=str(exc))
                return
        await self.app(scope, _replay([body], None, receive), send)


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


def create_app(
    *,
    env: Environment | None = None,
    policy: Policy | None = None,
    issuer: Path | None = None,
    token: str | None = None,
    max_body: int = DEFAULT_MAX_BODY,
) -> Any:
    """Return the ASGI application: verification routes, and the issuer's when ``issuer`` is set.

    Args:
        env: where verification data comes from (default: offline).
        policy: what verification accepts (each request adds challenge and domain).
        issuer: an issuer profile folder (``passeport issuer init``) to serve;
            its status lists and did:web document are then answered, for
            verification too, from its registry as it stands, before ``env``'s
            fetcher (:func:`issuer.api.live_environment`).
        token: the bearer token the issuing and status routes require.
        max_body: the largest request body accepted, in bytes.

    Raises:
        ValueError: ``issuer`` without a ``token``.
    """
    app = FastAPI(
        title="passeport",
        summary="Issue, verify and publish W3C Verifiable Credentials (VC-API subset).",
        version="0.1.0",
    )
    environment = env or Environment()
    issuer_routes = None
    if issuer is not None:
        if not token:
            raise ValueError("serving an issuer needs a bearer token")
        from passeport.issuer import api as issuer_api

        environment = issuer_api.live_environment(issuer, environment)
        issuer_routes = issuer_api.router(issuer, token=token, env=environment)
    app.include_router(verifier_api.router(env=environment, policy=policy))
    if issuer_routes is not None:
        app.include_router(issuer_routes)
    return BodyLimit(app, max_bytes=max_body)
