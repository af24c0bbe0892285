"""HTTP routes of the verifier: the VC-API ``/credentials/verify`` and ``/presentations/verify``.

Spec: https://w3c-ccg.github.io/vc-api/#verify-credential and
https://w3c-ccg.github.io/vc-api/#verify-presentation . The answer carries the
VC-API members (``checks`` as the names of the checks that passed,
``warnings``, ``errors``) and, besides them, our full result (``verified``,
``summary`` and every check with its outcome, message and pointer). A
credential or presentation that does not verify is answered with status 400,
as the VC-API test suites expect; the body still holds every check.
Verification endpoints are open: they only read what they are sent.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from passeport.errors import InputError, PasseportError
from passeport.verifier.env import Environment, Policy
from passeport.verifier.pipeline import verify_any
from passeport.verifier.result import VerificationResult

__all__ = [
    "CredentialVerifyRequest",
    "PresentationVerifyRequest",
    "VerifyOptions",
    "VerifyResponse",
    "router",
]


class VerifyOptions(BaseModel):
    """Options of one verification request."""

    model_config = ConfigDict(extra="forbid")

    challenge: str | None = Field(
        default=None, description="The challenge the presentation must carry."
    )
    domain: str | None = Field(default=None, description="The domain the presentation must carry.")
    at: datetime | None = Field(
        default=None,
        description="Refused (400): an open route verifies at the server's time, never at an "
        "instant the caller chooses, which would make an expired credential verify.",
    )


class CredentialVerifyRequest(BaseModel):
    """``POST /credentials/verify``: a credential (JSON, vc+jwt or SD-JWT) and options."""

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


class VerifyResponse(BaseModel):
    """The verdict: VC-API members first, then the full result."""

    verified: bool
    checks: list[str] = Field(description="VC-API: the codes of the checks that passed.")
    warnings: list[str]
    errors: list[str] = Field(description="VC-API: one line per check that did not pass.")
    summary: dict[str, Any]
    results: list[CheckModel] = Field(description="Every check, passed or not.")


def _answer(result: VerificationResult) -> JSONResponse:
    full = result.to_json()
    body = VerifyResponse(
        verified=result.verified,
        checks=[c.code for c in result.checks if str(c.outcome) == "passed"],
        warnings=list(result.warnings),
        errors=[f"{c.code}: {c.message}" for c in result.failures()],
        summary=dict(full["summary"]),  # type: ignore[arg-type]
        results=[CheckModel.model_validate(item) for item in full["checks"]],  # type: ignore[union-attr]
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if result.verified else 400)


def _policy(base: Policy, options: VerifyOptions) -> Policy:
    """Return ``base`` with the request's challenge and domain; refuse a request's instant.

    Raises:
        InputError: ``options.at`` is set.
    """
    if options.at is not None:
        raise InputError(
            "this server verifies at its own time; a request cannot choose the instant",
            where="options.at",
        )
    return replace(base, challenge=options.challenge, domain=options.domain)


def _refusal(exc: PasseportError) -> JSONResponse:
    return JSONResponse({"verified": False, "errors": [str(exc)]}, status_code=400)


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

    def answer(value: dict[str, Any] | str, options: VerifyOptions, kind: str) -> JSONResponse:
        """Verify ``value`` as a ``kind`` (credential or presentation) and answer."""
        try:
            result = verify_any(
                value,
                policy=_policy(base, options),
                env=environment,
                where=f"verifiable{kind.capitalize()}",
            )
        except PasseportError as exc:
            return _refusal(exc)
        got = result.summary.get("kind")
        if got != kind:
            return _refusal(
                PasseportError(f"expected a Verifiable{kind.capitalize()}, not a {got}")
            )
        return _answer(result)

    @routes.post(
        "/credentials/verify",
        response_model=VerifyResponse,
        responses={400: {"model": VerifyResponse, "description": "not verified"}},
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
        responses={400: {"model": VerifyResponse, "description": "not verified"}},
        summary="Verify a presentation",
    )
    def verify_presentation(
        request: Annotated[PresentationVerifyRequest, Body()],
    ) -> JSONResponse:
        """Verify a presentation: its holder's proof, challenge, domain, and each credential."""
        return answer(request.verifiablePresentation, request.options, "presentation")

    return routes
