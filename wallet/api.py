"""HTTP route of the holder's side: VC-API ``POST /credentials/derive``.

Spec: https://w3c-ccg.github.io/vc-api/#derive-credential . The request is
``{"verifiableCredential": {...}, "options": {"selectivePointers": [...]}}``:
a credential with a selective-disclosure base proof (``ecdsa-sd-2023``), and
the JSON pointers to disclose besides the issuer's mandatory ones. The
answer is 201 with the derived credential itself (VC-API's
``DeriveCredentialResponse`` is the credential, not wrapped), or 400 naming
why it cannot be derived (no base proof, a pointer that selects nothing).

The route is open, like verification: deriving uses no secret of the
server's (the HMAC key it needs travels in the base proof) and changes
nothing; it is the holder who decides to send their credential there. An
SD-JWT is disclosed by its holder's wallet (``passeport derive``,
``passeport wallet present``), where the Key Binding key lives.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from passeport.contexts import DocumentLoader, bundled_loader
from passeport.errors import PasseportError
from passeport.proofs.mechanism import mechanism_for

__all__ = ["DeriveCredentialOptions", "DeriveCredentialRequest", "router"]


class DeriveCredentialOptions(BaseModel):
    """VC-API ``DeriveCredentialOptions``."""

    model_config = ConfigDict(extra="forbid")

    selectivePointers: list[str] = Field(
        default_factory=list,
        max_length=1024,
        description="JSON pointers to disclose, besides the issuer's mandatory ones.",
    )


class DeriveCredentialRequest(BaseModel):
    """VC-API ``DeriveCredentialRequest``: a credential with a base proof, and the options."""

    model_config = ConfigDict(extra="forbid")

    verifiableCredential: dict[str, Any] | str
    options: DeriveCredentialOptions = DeriveCredentialOptions()


def _refusal(message: str) -> JSONResponse:
    return JSONResponse({"errors": [message]}, status_code=400)


def router(*, loader: DocumentLoader | None = None) -> APIRouter:
    """Return the derive route, reading contexts with ``loader`` (default: the bundled ones)."""
    contexts = loader or bundled_loader()
    routes = APIRouter(tags=["derive"])

    @routes.post(
        "/credentials/derive",
        status_code=201,
        responses={400: {"description": "cannot be derived (errors: the reason)"}},
        summary="Derive a selective disclosure of a credential",
    )
    def derive_credential(request: Annotated[DeriveCredentialRequest, Body()]) -> JSONResponse:
        """Keep the selected claims and the mandatory ones, with a derived proof."""
        credential = request.verifiableCredential
        where = "verifiableCredential"
        if not isinstance(credential, dict):
            return _refusal(
                f"{where}: not a credential: a Data Integrity credential is a JSON object "
                "(an SD-JWT is disclosed by its holder's wallet)"
            )
        mechanism = mechanism_for(credential)
        if mechanism is None or not mechanism.derives or mechanism.enveloping:
            return _refusal(
                f"{where}: its proof cannot disclose a part (a selective-disclosure base "
                "proof, ecdsa-sd-2023, can)"
            )
        if not mechanism.is_holder_form(credential):
            return _refusal(
                f"{where}: its proof is not a base proof (a disclosure already, or a damaged "
                "proofValue); derive from the credential its issuer gave"
            )
        try:
            derived = mechanism.derive(
                credential, tuple(request.options.selectivePointers), loader=contexts
            )
        except (PasseportError, ValueError) as exc:
            located = exc.located(where) if isinstance(exc, PasseportError) else exc
            return _refusal(str(located))
        return JSONResponse(derived, status_code=201)

    return routes
