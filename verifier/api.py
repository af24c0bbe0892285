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
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from passeport._json import JsonObject
from passeport.errors import InputError, PasseportError
from passeport.verifier.env import Environment, Policy
from passeport.verifier.pipeline import verify_any
from passeport.verifier.result import VerificationResult
from passeport.verifier.vcapi import CHECK_NAMES, CheckSelection, problem_details, vcapi_results

__all__ = [
    "CredentialVerifyRequest",
    "PresentationVerifyRequest",
    "VerifyOptions",
    "VerifyResponse",
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


class CredentialVerifyRequest(BaseModel):
    """``POST /credentials/verify``: a credential (JSON, enveloped, or a token) and options."""

    model_config = ConfigDict(extra="forbid")

    verifiableCredential: dict[str, Any] | str
    options: VerifyOptions = VerifyOptions()


class PresentationVerifyRequest(BaseModel):
    """``POST /presentations/verify``: a presentation and the challenge and domain expected."""

    model_config = ConfigDict(extra="forbid")

    verifiablePresentation: dict[str, Any] | str
    options: VerifyOptions = VerifyOptions()


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
    verdict = full.to_json()
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
    details: list[JsonObject] = []
    for check, item in zip(full.checks, verdict["checks"], strict=True):  # type: ignore[arg-type]
        details.append({**item, "counted": selection.counts(check.code)})  # type: ignore[dict-item]
    body.update(
        {
            "checks": [c.code for c in counted.checks if str(c.outcome) == "passed"],
            "warnings": [*full.warnings, *left_out],
            "errors": [f"{c.code}: {c.message}" for c in counted.failures()],
            "summary": verdict["summary"],
            "credentials": verdict["credentials"],
            "details": details,  # type: ignore[dict-item]
        }
    )
    return JSONResponse(body, status_code=200 if counted.verified else 400)


def router(*, env: Environment | None = None, policy: Policy | None = None) -> APIRouter:
    """Return the verification routes, verifying in ``env`` under ``policy``.

    ``policy`` gives what the server accepts (trust list, suites, strictness);
    each request adds its own challenge and domain. The instant is the
    server's (``env``'s clock, or ``policy.at``): a request naming one is
    refused, since verifying in the past would make an expired or since
    revoked credential verify.
    """
    environment = env or Environment()
    base = policy or Policy()
    routes = APIRouter(tags=["verify"])

    def answer(
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
                policy=_policy(base, options, kind),
                env=environment,
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
        return answer(request.verifiableCredential, request.options, "credential")

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
        return answer(request.verifiablePresentation, request.options, "presentation")

    return routes
