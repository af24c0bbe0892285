"""HTTP routes of the issuers: VC-API issue and status, status lists and did:web documents.

Spec: https://w3c-ccg.github.io/vc-api/ (``POST /credentials/issue``,
``POST /credentials/status``). Every issuer a server serves
(:class:`issuer.service.ServedIssuer`) has its routes under
``/issuers/{name}/``; the default one also answers them without the prefix:

- ``POST .../credentials/issue``: VC-API ``{"credential": {...}, "options":
  {...}}`` -> 201 ``{"verifiableCredential": ...}``
  (:func:`issuer.credential.issue_credential`: status entries allocated in
  the registry, signed, verified, recorded); 400 with ``errors`` for a
  credential that must not be signed. Extension: ``{"template": "diploma",
  "data": {...}}`` fills one of this toolkit's templates
  (:func:`issuer.issue.issue`).
- ``POST .../credentials/status``: VC-API ``{"credentialId": ...,
  "credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose":
  "revocation"}, "status": true}`` sets (``true``) or clears (``false``) the
  bit of that purpose -> 200; 404 for an unknown credential, 400 for a
  request the credential's entries do not fit, 409 for a change its state
  forbids (a revocation is final). Setting a status the credential already
  has changes nothing and answers 200. The earlier form
  ``{"credentialId", "credentialStatus": [{"status": "revoked"|"suspended"|"active"}],
  "reason"}`` stays (409 when the state already holds).
- ``GET .../status/{list}`` and ``GET /.well-known/did.json`` (or
  ``/issuers/{name}/did.json``): the status lists signed on request from the
  registry, and the did:web document; public, as verifiers fetch them.

Issuing and status changes need one of the issuer's bearer tokens (401
otherwise). :func:`live_environment` makes the server's own verification read
those same live lists, so that a status change is seen by the next
verification.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Header, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from passeport.did.resolve import Fetcher
from passeport.errors import PasseportError, ResolutionError
from passeport.issuer.credential import issue_credential
from passeport.issuer.issue import issue
from passeport.issuer.profile import Profile
from passeport.issuer.registry import CredentialRecord, CredentialState
from passeport.issuer.service import ServedIssuer, ServiceConfig
from passeport.issuer.statuslist import (
    LiveStatusFetcher,
    list_urls,
    reinstate,
    revoke,
    suspend,
)
from passeport.proofs.dates import parse_datetime
from passeport.verifier.env import Environment
from passeport.verifier.status import LiveFetcher

__all__ = [
    "CredentialIssueRequest",
    "IssueCredentialOptions",
    "IssueOptions",
    "IssueRequest",
    "StatusEntry",
    "StatusRequest",
    "StatusUpdate",
    "UpdateCredentialStatusRequest",
    "live_environment",
    "router",
]


class IssueOptions(BaseModel):
    """Options of a template issuing request (extension)."""

    model_config = ConfigDict(extra="forbid")

    suite: str | None = Field(default=None, description="Cryptosuite (default: the issuer's).")


class IssueRequest(BaseModel):
    """Extension of ``POST /credentials/issue``: a template name and the data it is filled from."""

    model_config = ConfigDict(extra="forbid")

    template: str = Field(description="diploma, certification, skill, experience, ...")
    data: dict[str, Any] = Field(description="The template's data, as in examples/issuer/.")
    options: IssueOptions = IssueOptions()


class StatusOption(BaseModel):
    """VC-API ``options.credentialStatus``: the kind of status entry asked for."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["BitstringStatusListEntry"]


class IssueCredentialOptions(BaseModel):
    """VC-API ``IssueCredentialOptions``, and ``created``.

    ``challenge`` and ``domain`` are accepted and ignored: they bind a
    presentation's proof to a verifier, never an issuer's.
    """

    model_config = ConfigDict(extra="forbid")

    mandatoryPointers: list[str] | None = Field(
        default=None,
        description="JSON pointers every disclosure keeps (ecdsa-sd-2023, sd-jwt).",
        max_length=256,
    )
    credentialId: str | None = Field(
        default=None,
        description="The id the credential is recorded under (default: credential.id, "
        "else a new urn:uuid written into the credential).",
    )
    created: str | None = Field(
        default=None,
        description="The proof's date (XML Schema dateTimeStamp; default now, never later).",
    )
    credentialStatus: StatusOption | None = Field(
        default=None,
        description="Every credential gets a revocation and a suspension "
        "BitstringStatusListEntry; only that type may be asked for.",
    )
    challenge: str | None = Field(default=None, description="Ignored (presentations only).")
    domain: str | None = Field(default=None, description="Ignored (presentations only).")


class CredentialIssueRequest(BaseModel):
    """VC-API ``IssueCredentialRequest``: an unsecured credential and the options."""

    model_config = ConfigDict(extra="forbid")

    credential: dict[str, Any] = Field(description="The unsecured credential to sign.")
    options: IssueCredentialOptions = IssueCredentialOptions()


class StatusUpdate(BaseModel):
    """One status change of the earlier form (``credentialStatus`` items)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["BitstringStatusListEntry"] = "BitstringStatusListEntry"
    status: Literal["revoked", "suspended", "active"]


class StatusRequest(BaseModel):
    """Earlier form of ``POST /credentials/status``: a credential id and its new state."""

    model_config = ConfigDict(extra="forbid")

    credentialId: str
    credentialStatus: list[StatusUpdate] = Field(min_length=1, max_length=1)
    reason: str | None = Field(default=None, max_length=1000)


class StatusEntry(BaseModel):
    """VC-API: the status entry of the credential to update (its purpose at least)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["BitstringStatusListEntry", "BitstringStatusList"]
    statusPurpose: Literal["revocation", "suspension"]
    id: str | None = None
    statusListIndex: str | None = None
    statusListCredential: str | None = None


class UpdateCredentialStatusRequest(BaseModel):
    """VC-API ``UpdateCredentialStatusRequest``: set (true) or clear (false) one status bit."""

    model_config = ConfigDict(extra="forbid")

    credentialId: str
    credentialStatus: StatusEntry
    status: bool = Field(
        strict=True, description="true: set the bit (revoked, suspended); false: clear it."
    )
    reason: str | None = Field(default=None, max_length=1000, description="Extension.")


@dataclass(frozen=True, slots=True)
class _LiveIssuers:
    """Several issuers' live documents (each answered by its own fetcher), then ``fallback``.

    Both :meth:`fetch` and :meth:`revision` go to the issuer that owns the
    URL: the verifier's list cache asks the revision of every list, and a
    chain of fetchers would only answer it for the first issuer's.
    """

    issuers: tuple[LiveStatusFetcher, ...]
    fallback: Fetcher | None = None

    def _owner(self, url: str) -> LiveStatusFetcher | None:
        return next((issuer for issuer in self.issuers if issuer.owns(url)), None)

    def fetch(self, url: str, *, max_bytes: int) -> bytes:
        """Return the live document at ``url``, else what ``fallback`` gives.

        Raises:
            ResolutionError: not obtained, naming ``url``.
        """
        owner = self._owner(url)
        if owner is not None:
            return owner.fetch(url, max_bytes=max_bytes)
        if self.fallback is None:
            raise ResolutionError("not one of these issuers' documents", where=url)
        return self.fallback.fetch(url, max_bytes=max_bytes)

    def revision(self, url: str) -> Hashable | None:
        """Return the revision of a live list (None: not a live URL).

        Raises:
            ResolutionError: the issuer's registry cannot be read.
        """
        owner = self._owner(url)
        if owner is not None:
            return owner.revision(url)
        if isinstance(self.fallback, LiveFetcher):
            return self.fallback.revision(url)
        return None


def live_environment(issuers: Path | Sequence[Profile], env: Environment) -> Environment:
    """Return ``env`` answering the issuers' own status lists and did:web documents live.

    Each issuer's URLs are answered from its registry as it stands (the lists
    ``GET /status/...`` serves), before ``env``'s fetcher (a cache folder, the
    network), which still answers every other URL; the verifier's list cache
    sees each status change (:class:`issuer.statuslist.LiveStatusFetcher`).
    Add any cache folder to ``env`` before, not to the result: a cache folder
    added afterwards would be read first.

    Args:
        issuers: a profile folder, or the profiles served.

    Raises:
        InputError: the folder is not an issuer profile.
    """
    profiles = [Profile.open(issuers)] if isinstance(issuers, Path) else list(issuers)
    live = [
        LiveStatusFetcher(profile=profile, clock=env.clock, loader=env.loader)
        for profile in profiles
    ]
    if len(live) == 1:
        return replace(env, fetcher=replace(live[0], fallback=env.fetcher))
    return replace(env, fetcher=_LiveIssuers(tuple(live), env.fetcher))


def _error(exc: Exception, status: int = 400) -> JSONResponse:
    return JSONResponse({"errors": [str(exc)]}, status_code=status)


def _entry_mismatch(
    issuer: ServedIssuer, record: CredentialRecord, entry: StatusEntry
) -> str | None:
    """Return why ``entry`` is not the credential's entry of its purpose, or None."""
    purpose = entry.statusPurpose
    revocation_url, suspension_url = list_urls(issuer.profile, record.list_id)
    url = revocation_url if purpose == "revocation" else suspension_url
    index = str(record.revocation_index if purpose == "revocation" else record.suspension_index)
    for member, expected in (
        ("statusListCredential", url),
        ("statusListIndex", index),
        ("id", f"{url}#{index}"),
    ):
        given = getattr(entry, member)
        if given is not None and given != expected:
            return f"credentialStatus.{member} is {given!r}, not this credential's {expected!r}"
    return None


def _set_status(issuer: ServedIssuer, request: UpdateCredentialStatusRequest) -> JSONResponse:
    """Apply a VC-API status update: set or clear one purpose's bit."""
    profile = issuer.profile
    with profile.open_registry() as registry:
        record = registry.find(request.credentialId)
    if record is None:
        return JSONResponse(
            {"errors": [f"{request.credentialId}: no such credential in this issuer's registry"]},
            status_code=404,
        )
    mismatch = _entry_mismatch(issuer, record, request.credentialStatus)
    if mismatch is not None:
        return JSONResponse({"errors": [mismatch]}, status_code=400)
    state = record.state
    revoked = state is CredentialState.REVOKED
    if request.credentialStatus.statusPurpose == "revocation":
        if not request.status:
            if revoked:
                return _error(
                    PasseportError("was revoked; revocation is final", where=record.id), 409
                )
            return _answer_state(record, changed=False)  # the bit is clear already
        if revoked:
            return _answer_state(record, changed=False)
        action: Callable[..., CredentialRecord] = revoke
    elif request.status:
        if state is CredentialState.SUSPENDED:
            return _answer_state(record, changed=False)
        if revoked:
            return _error(
                PasseportError(
                    "was revoked; a revoked credential is not suspended", where=record.id
                ),
                409,
            )
        action = suspend
    else:
        if state is not CredentialState.SUSPENDED:
            return _answer_state(record, changed=False)  # the bit is clear already
        action = reinstate
    try:
        done = action(issuer.profile, record.id, reason=request.reason)
    except PasseportError as exc:  # changed meanwhile by another request
        return _error(exc, 409)
    return _answer_state(done, changed=True)


def _answer_state(record: CredentialRecord, *, changed: bool) -> JSONResponse:
    return JSONResponse(
        {
            "credentialId": record.id,
            "status": str(record.state),
            "reason": record.reason,
            "changed": changed,
        }
    )


def _legacy_status(issuer: ServedIssuer, request: StatusRequest) -> JSONResponse:
    """Apply the earlier form: move the credential to ``revoked``, ``suspended`` or ``active``."""
    change = {"revoked": revoke, "suspended": suspend, "active": reinstate}
    action = change[request.credentialStatus[0].status]
    try:
        record = action(issuer.profile, request.credentialId, reason=request.reason)
    except PasseportError as exc:
        found = "no such credential" in exc.message
        return _error(exc, 404 if found else 409)
    return JSONResponse(
        {"credentialId": record.id, "status": str(record.state), "reason": record.reason}
    )


def _issue(
    issuer: ServedIssuer, request: CredentialIssueRequest | IssueRequest, env: Environment
) -> JSONResponse:
    """Issue what ``request`` asks of ``issuer``; 201, or 400 naming the reason."""
    now = env.clock()
    try:
        if isinstance(request, IssueRequest):
            credential = issue(
                issuer.profile,
                request.template,
                request.data,
                suite=request.options.suite or issuer.suite,
                issued_at=now,
                where="data",
            )
        else:
            options = request.options
            created: datetime | None = None
            if options.created is not None:
                created = parse_datetime(options.created, where="options.created")
            credential = issue_credential(
                issuer.profile,
                request.credential,
                suite=issuer.suite,
                mandatory=tuple(options.mandatoryPointers or ()),
                credential_id=options.credentialId,
                issued_at=created,
                now=now,
            )
    except (PasseportError, ValueError) as exc:
        return _error(exc)
    return JSONResponse({"verifiableCredential": credential}, status_code=201)


def _status_list(issuer: ServedIssuer, name: str, env: Environment) -> JSONResponse:
    profile = issuer.profile
    url = f"{profile.status_base}{name}"
    lists = LiveStatusFetcher(profile=profile, clock=env.clock, loader=env.loader)
    document = lists.document(url)
    if document is None:
        raise HTTPException(status_code=404, detail=f"no status list at {url}")
    return JSONResponse(document, media_type="application/vc+ld+json")


def _did_document(issuer: ServedIssuer) -> JSONResponse:
    document = issuer.profile.did_document()
    if document is None:
        raise HTTPException(status_code=404, detail="this issuer's DID is not a did:web")
    return JSONResponse(document, media_type="application/did+json")


def _issue_kind(body: Any) -> str:
    """Tell a template request (``template``) from a VC-API one, to report only its errors."""
    return "(template)" if isinstance(body, dict) and "template" in body else "(VC-API)"


def _status_kind(body: Any) -> str:
    """Tell the earlier status form (a list of changes) from the VC-API one."""
    earlier = isinstance(body, dict) and isinstance(body.get("credentialStatus"), list)
    return "(earlier form)" if earlier else "(VC-API)"


# The union tags start with "(": passeport.app leaves them out of an error's location.
IssueBody = Annotated[
    Annotated[CredentialIssueRequest, Tag("(VC-API)")] | Annotated[IssueRequest, Tag("(template)")],
    Discriminator(_issue_kind),
    Body(
        openapi_examples={
            "vc-api": {
                "summary": "VC-API: a credential you wrote",
                "value": {
                    "credential": {
                        "@context": ["https://www.w3.org/ns/credentials/v2"],
                        "type": ["VerifiableCredential"],
                        "credentialSubject": {"id": "did:example:camille"},
                    },
                    "options": {},
                },
            },
            "template": {
                "summary": "Extension: fill a template",
                "value": {"template": "skill", "data": {"...": "..."}},
            },
        }
    ),
]
StatusBody = Annotated[
    Annotated[UpdateCredentialStatusRequest, Tag("(VC-API)")]
    | Annotated[StatusRequest, Tag("(earlier form)")],
    Discriminator(_status_kind),
    Body(),
]


def router(
    issuers: ServiceConfig | Path,
    *,
    token: str | None = None,
    env: Environment | None = None,
) -> APIRouter:
    """Return the issuing, status, status list and did:web routes of ``issuers``.

    ``env`` gives the clock credentials and served lists are dated by
    (issuing verifies against the issuer's own lists, offline).

    Args:
        issuers: the issuers to serve; a profile folder serves that one
            alone, guarded by ``token``.

    Raises:
        InputError: the folder is not an issuer profile, or a weak token.
        ValueError: no issuer, or a folder without a token.
    """
    if isinstance(issuers, Path):
        if not token:
            raise ValueError("the issuer's routes need a non-empty bearer token")
        name = issuers.name.lower() if issuers.name else "issuer"
        issuers = ServiceConfig((ServedIssuer.open(name, issuers, tokens=[token]),))
    default = issuers.default_issuer
    if default is None:
        raise ValueError("no issuer to serve")
    served = issuers
    environment = env or Environment()
    routes = APIRouter(tags=["issue"])
    unauthorized = HTTPException(
        status_code=401,
        detail="a valid bearer token is required",
        headers={"WWW-Authenticate": "Bearer"},
    )

    def check_token(issuer: ServedIssuer, authorization: str | None) -> None:
        if authorization is None:
            raise unauthorized
        given = authorization.encode("utf-8", "surrogateescape")
        matches = [
            hmac.compare_digest(given, f"Bearer {secret}".encode()) for secret in issuer.tokens
        ]
        if not any(matches):
            raise unauthorized

    def named(name: str) -> ServedIssuer:
        found = served.named(name)
        if found is None:
            raise HTTPException(status_code=404, detail=f'no issuer named "{name}" here')
        return found

    def default_authorized(authorization: Annotated[str | None, Header()] = None) -> None:
        assert default is not None
        check_token(default, authorization)

    def named_authorized(name: str, authorization: Annotated[str | None, Header()] = None) -> None:
        check_token(named(name), authorization)

    issue_doc = {
        "status_code": 201,
        "responses": {
            400: {"description": "a credential that must not be signed (errors: the reasons)"},
            401: {"description": "no valid bearer token"},
        },
        "summary": "Issue a credential (VC-API), or fill a template (extension)",
    }
    status_doc = {
        "responses": {
            400: {"description": "the status entry given is not the credential's"},
            401: {"description": "no valid bearer token"},
            404: {"description": "no such credential"},
            409: {"description": "the credential's state forbids it (a revocation is final)"},
        },
        "summary": "Update a credential's status (revoke, suspend, reinstate)",
    }

    @routes.post(
        "/credentials/issue",
        dependencies=[Depends(default_authorized)],
        **issue_doc,  # type: ignore[arg-type]
    )
    def issue_default(request: IssueBody) -> JSONResponse:
        """Add status entries, sign, verify, record; return the credential (default issuer)."""
        assert default is not None
        return _issue(default, request, environment)

    @routes.post(
        "/issuers/{name}/credentials/issue",
        dependencies=[Depends(named_authorized)],
        **issue_doc,  # type: ignore[arg-type]
    )
    def issue_named(name: str, request: IssueBody) -> JSONResponse:
        """Add status entries, sign with this issuer's key and suite, verify, record."""
        return _issue(named(name), request, environment)

    def update(issuer: ServedIssuer, request: Any) -> JSONResponse:
        if isinstance(request, UpdateCredentialStatusRequest):
            return _set_status(issuer, request)
        return _legacy_status(issuer, request)

    @routes.post(
        "/credentials/status",
        dependencies=[Depends(default_authorized)],
        **status_doc,  # type: ignore[arg-type]
    )
    def status_default(request: StatusBody) -> JSONResponse:
        """Change a credential's status; lists served afterwards carry the change."""
        assert default is not None
        return update(default, request)

    @routes.post(
        "/issuers/{name}/credentials/status",
        dependencies=[Depends(named_authorized)],
        **status_doc,  # type: ignore[arg-type]
    )
    def status_named(name: str, request: StatusBody) -> JSONResponse:
        """Change the status of a credential of this issuer."""
        return update(named(name), request)

    @routes.get("/status/{name}", summary="A signed status list credential (default issuer)")
    def status_list(name: str) -> JSONResponse:
        """Return the status list credential at ``{statusBase}{name}``, signed now."""
        assert default is not None
        return _status_list(default, name, environment)

    @routes.get("/issuers/{name}/status/{list_name}", summary="A signed status list credential")
    def named_status_list(name: str, list_name: str) -> JSONResponse:
        """Return this issuer's status list credential at ``{statusBase}{list_name}``."""
        return _status_list(named(name), list_name, environment)

    @routes.get("/.well-known/did.json", summary="The default issuer's did:web document")
    def did_document() -> JSONResponse:
        """Return the DID document, when the default issuer's DID is a did:web."""
        assert default is not None
        return _did_document(default)

    @routes.get("/issuers/{name}/did.json", summary="An issuer's did:web document")
    def named_did_document(name: str) -> JSONResponse:
        """Return this issuer's DID document, when its DID is a did:web."""
        return _did_document(named(name))

    return routes
