"""HTTP routes of an issuer: issue from a template, change a status, serve lists and did:web.

Spec: https://w3c-ccg.github.io/vc-api/ (``/credentials/issue``,
``/credentials/status``). Departure: credentials are issued from this
toolkit's templates (``{"template": "diploma", "data": {...}}``) rather than
from a credential the caller writes, so that everything an issuer signs has
passed a template's checks; the answer is VC-API's ``{"verifiableCredential": ...}``.
Issuing and status changes need the bearer token; status lists
(``GET /status/{list}``, signed on request from the registry) and the did:web
document (``GET /.well-known/did.json``) are public, as verifiers fetch them.
:func:`live_environment` makes the server's own verification read those same
live lists, so that a status change is seen by the next verification.
"""

from __future__ import annotations

import hmac
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Header, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from passeport.errors import PasseportError
from passeport.issuer.issue import issue
from passeport.issuer.profile import Profile
from passeport.issuer.statuslist import LiveStatusFetcher, reinstate, revoke, suspend
from passeport.verifier.env import Environment

__all__ = [
    "IssueOptions",
    "IssueRequest",
    "StatusRequest",
    "StatusUpdate",
    "live_environment",
    "router",
]


class IssueOptions(BaseModel):
    """Options of an issuing request."""

    model_config = ConfigDict(extra="forbid")

    suite: str | None = Field(default=None, description="Cryptosuite (default: the profile's).")


class IssueRequest(BaseModel):
    """``POST /credentials/issue``: a template name and the data it is filled from."""

    model_config = ConfigDict(extra="forbid")

    template: str = Field(description="diploma, certification, skill, experience, ...")
    data: dict[str, Any] = Field(description="The template's data, as in examples/issuer/.")
    options: IssueOptions = IssueOptions()


class StatusUpdate(BaseModel):
    """One status change, as VC-API's ``credentialStatus`` items."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["BitstringStatusListEntry"] = "BitstringStatusListEntry"
    status: Literal["revoked", "suspended", "active"]


class StatusRequest(BaseModel):
    """``POST /credentials/status``: a credential id and its new status, with a reason."""

    model_config = ConfigDict(extra="forbid")

    credentialId: str  # VC-API member name
    credentialStatus: list[StatusUpdate] = Field(min_length=1, max_length=1)
    reason: str | None = None


def live_environment(directory: Path, env: Environment) -> Environment:
    """Return ``env`` answering the issuer's own status lists and did:web document live.

    The issuer's URLs are answered from its registry as it stands (the lists
    ``GET /status/...`` serves), before ``env``'s fetcher (a cache folder, the
    network), which still answers every other URL; the verifier's list cache
    sees each status change (:class:`issuer.statuslist.LiveStatusFetcher`).
    Add any cache folder to ``env`` before, not to the result: a cache folder
    added afterwards would be read first.

    Raises:
        InputError: the folder is not an issuer profile.
    """
    fetcher = LiveStatusFetcher(
        profile=Profile.open(directory), fallback=env.fetcher, clock=env.clock, loader=env.loader
    )
    return replace(env, fetcher=fetcher)


def router(directory: Path, *, token: str, env: Environment | None = None) -> APIRouter:
    """Return the issuer's routes for the profile in ``directory``, guarded by ``token``.

    ``env`` gives the clock the served lists are signed by (issuing verifies
    against the issuer's own lists, offline).

    Raises:
        InputError: the folder is not an issuer profile.
        ValueError: an empty token.
    """
    if not token:
        raise ValueError("the issuer's routes need a non-empty bearer token")
    profile = Profile.open(directory)
    environment = env or Environment()
    lists = LiveStatusFetcher(profile=profile, clock=environment.clock, loader=environment.loader)
    expected = f"Bearer {token}".encode()

    def authorized(authorization: Annotated[str | None, Header()] = None) -> None:
        if authorization is None or not hmac.compare_digest(
            authorization.encode("utf-8", "surrogateescape"), expected
        ):
            raise HTTPException(
                status_code=401,
                detail="a valid bearer token is required",
                headers={"WWW-Authenticate": "Bearer"},
            )

    routes = APIRouter(tags=["issue"])

    @routes.post(
        "/credentials/issue",
        status_code=201,
        dependencies=[Depends(authorized)],
        summary="Issue a credential from a template",
    )
    def issue_credential(request: Annotated[IssueRequest, Body()]) -> JSONResponse:
        """Fill the template, add status entries, sign, verify, record; return the credential."""
        try:
            credential = issue(
                profile, request.template, request.data, suite=request.options.suite, where="data"
            )
        except (PasseportError, ValueError) as exc:
            return JSONResponse({"errors": [str(exc)]}, status_code=400)
        return JSONResponse({"verifiableCredential": credential}, status_code=201)

    @routes.post(
        "/credentials/status",
        dependencies=[Depends(authorized)],
        summary="Revoke, suspend or reinstate a credential",
    )
    def update_status(request: Annotated[StatusRequest, Body()]) -> JSONResponse:
        """Change a credential's status; lists served afterwards carry the change."""
        change = {"revoked": revoke, "suspended": suspend, "active": reinstate}
        action = change[request.credentialStatus[0].status]
        try:
            record = action(profile, request.credentialId, reason=request.reason)
        except PasseportError as exc:
            found = "no such credential" in exc.message
            return JSONResponse({"errors": [str(exc)]}, status_code=404 if found else 409)
        return JSONResponse(
            {"credentialId": record.id, "status": str(record.state), "reason": record.reason}
        )

    @routes.get("/status/{name}", summary="A signed status list credential")
    def status_list(name: str) -> JSONResponse:
        """Return the status list credential at ``{statusBase}{name}``, signed now."""
        url = f"{profile.status_base}{name}"
        document = lists.document(url)
        if document is None:
            raise HTTPException(status_code=404, detail=f"no status list at {url}")
        return JSONResponse(document, media_type="application/vc+ld+json")

    @routes.get("/.well-known/did.json", summary="The issuer's did:web document")
    def did_document() -> JSONResponse:
        """Return the DID document, when the issuer's DID is a did:web."""
        document = profile.did_document()
        if document is None:
            raise HTTPException(status_code=404, detail="this issuer's DID is not a did:web")
        return JSONResponse(document, media_type="application/did+json")

    return routes
