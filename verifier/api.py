"""HTTP routes of the verifier: the VC-API ``/credentials/verify`` and ``/presentations/verify``.

Spec: https://w3c-ccg.github.io/vc-api/#verify-credential and
https://w3c-ccg.github.io/vc-api/#verify-presentation . A request is
``{"verifiableCredential": ..., "options": {...}}`` (or
``verifiablePresentation``); the credential is a JSON object, an
``EnvelopedVerifiableCredential``, or a ``vc+jwt``/SD-JWT token given as a
string. A string holding JSON (or anything but a token) is refused as not a
credential: a credential is never read out of text here.

Options: ``challenge`` and ``domain`` (presentations: their proof must carry
them; refused on ``/credentials/verify``, where no proof would check them),
``checks`` (:class:`verifier.vcapi.CheckSelection`: which checks decide
``verified``; every check still runs and is reported), ``expectedProofPurpose``
(``assertionMethod`` for credentials, ``authentication`` for presentations:
the purposes these routes check; another one is refused), ``returnCredential``
and ``returnPresentation`` (echo the input), ``returnResults`` and
``returnProblemDetails`` (accepted: both are always returned). An unknown
option is refused (400): a misspelt ``challenge`` silently ignored would let a
replayed presentation verify. ``at`` is refused: the server verifies at its
own time.

The answer is the VC-API ``VerificationResult`` (``verified``,
``problemDetails``, ``results``, and ``credential`` or
``verifiablePresentation`` when asked), the earlier VC-API members
(``checks``: the codes that passed, ``warnings``, ``errors``), and this
toolkit's verdict (``summary``; ``credentials``: what each credential proves,
typed, with a sentence in French and English; ``details``: every check with
its outcome, message and pointer, and whether it ``counted``). Status 200
when verified, 400 otherwise (the body still holds every check), as the
VC-API test suites expect; 400 with ``errors`` alone for input that is not a
credential or presentation at all. Verification endpoints are open: they only
read what they are sent.

:func:`router` declares these routes to FastAPI (the OpenAPI document, and any
request the application does not take the short way); :func:`json_routes`
gives the same answers as plain functions of a request body already parsed,
which :func:`passeport.app.create_app` calls without FastAPI's machinery for a
JSON object posted as ``application/json``, the usual request (issue 17).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from passeport._json import JsonObject, JsonValue
from passeport.errors import InputError, PasseportError
from passeport.proofs.outcome import Outcome
from passeport.verifier.env import Environment, Policy
from passeport.verifier.pipeline import verify_any
from passeport.verifier.result import VerificationResult
from passeport.verifier.vcapi import CHECK_NAMES, CheckSelection, problem_details, vcapi_results

__all__ = [
    "CredentialVerifyRequest",
    "PresentationVerifyRequest",
    "VerifyOptions",
    "VerifyResponse",
    "json_routes",
    "router",
]

# A vc+jwt (three base64url parts) or an SD-JWT (a JWT, then "~"-separated parts).
_TOKEN: Final = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*(~[A-Za-z0-9_.-]*)*")
_PURPOSE: Final = {"credential": "assertionMethod", "presentation": "authentication"}


class VerifyOptions(BaseModel):
    """VC-API verification options (``VerifyCredentialOptions``, ``VerifyPresentationOptions``)."""

    model_config = ConfigDict(extra="forbid")

    challenge: str | None = Field(
        default=None, description="The challenge the presentation's proof must carry."
    )
    domain: str | None = Field(
        default=None, description="The domain the presentation's proof must carry."
    )
    checks: list[str] | None = Field(
        default=None,
        max_length=32,
        description="The checks that decide `verified` (default: every one): "
        + ", ".join(CHECK_NAMES)
        + ". Proofs, bindings, challenge and domain always count; every check is reported.",
    )
    expectedProofPurpose: str | None = Field(
        default=None,
        description="assertionMethod (credentials) or authentication (presentations).",
    )
    proofPurpose: str | None = Field(
        default=None, description="Earlier name of expectedProofPurpose."
    )
    returnCredential: bool = Field(default=False, description="Echo the credential verified.")
    returnPresentation: bool = Field(default=False, description="Echo the presentation verified.")
    returnResults: bool | None = Field(default=None, description="Accepted; always returned.")
    returnProblemDetails: bool | None = Field(
        default=None, description="Accepted; always returned."
    )
    at: datetime | None = Field(
        default=None,
        description="Refused (400): an open route verifies at the server's time, never at an "
        "instant the caller chooses, which would make an expired credential verify.",
    )


# Built afresh for each request that has none, rather than a default instance pydantic
# would deep-copy for each; the OpenAPI document still shows the default.
_NO_OPTIONS: Final[Any] = Field(
    default_factory=VerifyOptions,
    json_schema_extra={"default": {"returnCredential": False, "returnPresentation": False}},
)


class CredentialVerifyRequest(BaseModel):
    """``POST /credentials/verify``: a credential (JSON, enveloped, or a token) and options."""

    model_config = ConfigDict(extra="forbid")

    verifiableCredential: dict[str, Any] | str
    options: VerifyOptions = _NO_OPTIONS


class PresentationVerifyRequest(BaseModel):
    """``POST /presentations/verify``: a presentation and the challenge and domain expected."""

    model_config = ConfigDict(extra="forbid")

    verifiablePresentation: dict[str, Any] | str
    options: VerifyOptions = _NO_OPTIONS


class CheckModel(BaseModel):
    """One check of the result."""

    code: str
    outcome: str
    message: str
    credential: int | None = None
    pointer: str | None = None
    counted: bool = Field(description="Whether it decided `verified` (see options.checks).")


class VerifyResponse(BaseModel):
    """The verdict: the VC-API members, then this toolkit's."""

    verified: bool
    problemDetails: list[dict[str, Any]] = Field(
        description="VC-API: one ProblemDetails (type, title, detail) per counted check that "
        "did not pass."
    )
    results: dict[str, Any] = Field(
        description="VC-API: per proof, status entry, validity date, schema (credential), or "
        "proof, challenge, domain, holder (presentation)."
    )
    credential: dict[str, Any] | str | None = Field(
        default=None, description="VC-API: the credential verified, with returnCredential."
    )
    verifiablePresentation: dict[str, Any] | str | None = Field(
        default=None, description="VC-API: the presentation verified, with returnPresentation."
    )
    checks: list[str] = Field(description="Earlier VC-API: the codes of the checks that passed.")
    warnings: list[str]
    errors: list[str] = Field(description="Earlier VC-API: one line per counted check not passed.")
    summary: dict[str, Any]
    credentials: list[dict[str, Any]] = Field(
        description="What each credential proves: verdict, typed facts, a sentence (fr, en)."
    )
    details: list[CheckModel] = Field(description="Every check, passed or not, counted or not.")


def _refusal(exc: PasseportError) -> JSONResponse:
    return JSONResponse({"verified": False, "errors": [str(exc)]}, status_code=400)


def _policy(
    base: Policy, options: VerifyOptions, kind: Literal["credential", "presentation"]
) -> Policy:
    """Return ``base`` with the request's challenge and domain; refuse what cannot be honoured.

    Raises:
        InputError: ``options.at`` is set, a challenge or domain on a
            credential, or a proof purpose these routes do not check.
    """
    if options.at is not None:
        raise InputError(
            "this server verifies at its own time; a request cannot choose the instant",
            where="options.at",
        )
    purpose = options.expectedProofPurpose or options.proofPurpose
    if purpose is not None and purpose != _PURPOSE[kind]:
        raise InputError(
            f"this route checks {_PURPOSE[kind]} proofs on a {kind}, not {purpose}",
            where="options.expectedProofPurpose",
        )
    if kind == "credential" and (options.challenge is not None or options.domain is not None):
        raise InputError(
            "a challenge and a domain bind a presentation's proof: send the presentation "
            "to /presentations/verify",
            where="options.challenge" if options.challenge is not None else "options.domain",
        )
    if (base.challenge, base.domain) == (options.challenge, options.domain):
        return base
    return replace(base, challenge=options.challenge, domain=options.domain)


def _readable(value: dict[str, Any] | str, where: str) -> dict[str, Any] | str:
    """Return ``value`` if it is a JSON object or a token; refuse text that is anything else.

    Raises:
        InputError: a string that is not a vc+jwt or SD-JWT token.
    """
    if isinstance(value, str) and not _TOKEN.fullmatch(value.strip()):
        raise InputError(
            "not a credential: a string here must be a vc+jwt or SD-JWT token; "
            "send a JSON credential as a JSON object, not as text",
            where=where,
        )
    return value


def _answer(
    kind: Literal["credential", "presentation"],
    value: dict[str, Any] | str,
    full: VerificationResult,
    options: VerifyOptions,
    selection: CheckSelection,
) -> JSONResponse:
    """Return the response body for ``full``, judged on the checks ``selection`` counts."""
    counted, left_out = selection.apply(full)
    body: JsonObject = {
        "verified": counted.verified,
        "problemDetails": problem_details(counted.checks),  # type: ignore[dict-item]
        "results": vcapi_results(
            kind, value, full, selection, challenge=options.challenge, domain=options.domain
        ),
    }
    if kind == "credential" and options.returnCredential:
        body["credential"] = value
    if kind == "presentation" and options.returnPresentation:
        body["verifiablePresentation"] = value
    # Each check as VerificationResult.to_json() writes it, and whether it counted.
    details: list[JsonValue] = [
        {
            "code": check.code,
            "outcome": str(check.outcome),
            "message": check.message,
            "credential": check.credential,
            "pointer": check.pointer,
            "counted": selection.counts(check.code),
        }
        for check in full.checks
    ]
    body.update(
        {
            "checks": [c.code for c in counted.checks if c.outcome is Outcome.PASSED],
            "warnings": [*full.warnings, *left_out],
            "errors": [f"{c.code}: {c.message}" for c in counted.failures()],
            "summary": full.summary,
            "credentials": [report.to_json() for report in full.credentials],
            "details": details,
        }
    )
    return JSONResponse(body, status_code=200 if counted.verified else 400)


class _Verifier:
    """The verification routes' work: verify in one environment under one base policy."""

    def __init__(self, env: Environment | None, policy: Policy | None) -> None:
        self.env = env or Environment()
        self.policy = policy or Policy()

    def answer(
        self,
        value: dict[str, Any] | str,
        options: VerifyOptions,
        kind: Literal["credential", "presentation"],
    ) -> JSONResponse:
        """Verify ``value`` as a ``kind`` (credential or presentation) and answer."""
        where = f"verifiable{kind.capitalize()}"
        try:
            selection = CheckSelection.of(options.checks)
            result = verify_any(
                _readable(value, where),
                policy=_policy(self.policy, options, kind),
                env=self.env,
                where=where,
            )
        except PasseportError as exc:
            return _refusal(exc)
        got = result.summary.get("kind")
        if got != kind:
            return _refusal(
                PasseportError(f"expected a Verifiable{kind.capitalize()}, not a {got}")
            )
        return _answer(kind, value, result, options, selection)

    def credential(self, body: object) -> JSONResponse:
        """Answer a ``/credentials/verify`` body (parsed); ValidationError if ill-shaped."""
        # from_attributes as FastAPI validates a body, so that its refusals read the same.
        request = CredentialVerifyRequest.model_validate(body, from_attributes=True)
        return self.answer(request.verifiableCredential, request.options, "credential")

    def presentation(self, body: object) -> JSONResponse:
        """Answer a ``/presentations/verify`` body (parsed); ValidationError if ill-shaped."""
        request = PresentationVerifyRequest.model_validate(body, from_attributes=True)
        return self.answer(request.verifiablePresentation, request.options, "presentation")


def json_routes(
    *, env: Environment | None = None, policy: Policy | None = None
) -> dict[str, Callable[[object], JSONResponse]]:
    """Return the verification routes as functions of a parsed JSON body, by path.

    Each answers exactly as :func:`router`'s route of the same path does to
    that body, and raises :class:`pydantic.ValidationError` (its locations
    relative to the body) for a request of the wrong shape, which FastAPI
    would refuse. They verify: call them off the event loop.
    """
    verifier = _Verifier(env, policy)
    return {
        "/credentials/verify": verifier.credential,
        "/presentations/verify": verifier.presentation,
    }


def router(*, env: Environment | None = None, policy: Policy | None = None) -> APIRouter:
    """Return the verification routes, verifying in ``env`` under ``policy``.

    ``policy`` gives what the server accepts (trust list, suites, strictness);
    each request adds its own challenge and domain. The instant is the
    server's (``env``'s clock, or ``policy.at``): a request naming one is
    refused, since verifying in the past would make an expired or since
    revoked credential verify.
    """
    verifier = _Verifier(env, policy)
    routes = APIRouter(tags=["verify"])
    responses: dict[int | str, dict[str, Any]] = {
        400: {"model": VerifyResponse, "description": "not verified, or not readable"}
    }

    @routes.post(
        "/credentials/verify",
        response_model=VerifyResponse,
        responses=responses,
        summary="Verify a credential",
    )
    def verify_credential(
        request: Annotated[CredentialVerifyRequest, Body()],
    ) -> JSONResponse:
        """Verify a credential: proofs, validity, status, trust, schema."""
        return verifier.answer(request.verifiableCredential, request.options, "credential")

    @routes.post(
        "/presentations/verify",
        response_model=VerifyResponse,
        responses=responses,
        summary="Verify a presentation",
    )
    def verify_presentation(
        request: Annotated[PresentationVerifyRequest, Body()],
    ) -> JSONResponse:
        """Verify a presentation: its holder's proof, challenge, domain, and each credential."""
        return verifier.answer(request.verifiablePresentation, request.options, "presentation")

    return routes
