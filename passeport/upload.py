"""The routes of the verification page: ``GET /`` (the form) and ``POST /`` (the verdict).

A recruiter drops a CV (HTML or PDF) or a presentation file on the form,
which posts it as ``multipart/form-data`` (no JavaScript); the answer is the
verdict as a page (:mod:`passeport.verifier.page`), in French unless
``?lang=en``. The request body is limited like every other (the
application's :class:`~passeport.app.BodyLimit`, 413 beyond), and nothing is
stored: the upload is read into memory (parts of up to 1 MiB, the default
limit of a body, never leave it; a larger limit may spool a part to a
temporary file that is deleted when the request ends), verified and
forgotten. A file that cannot be read is answered 400 with the page saying
why; a file that reads is answered 200 whatever its verdict.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import HTMLResponse

from passeport._io import MAX_INPUT_BYTES
from passeport.errors import PasseportError
from passeport.verifier import Environment, Policy, verify_any
from passeport.verifier.page import error_page, form_page, verdict_page

__all__ = ["router"]

_HEADERS = {
    # The page loads nothing and runs nothing; it may not be framed by another site.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


def _language(lang: str | None) -> str:
    return "en" if lang == "en" else "fr"


def _name(upload: UploadFile | None) -> str:
    name = (upload.filename if upload is not None else None) or "file"
    name = "".join(c if c.isprintable() else " " for c in name.rsplit("/", 1)[-1])
    return " ".join(name.split())[:120] or "file"


def router(*, env: Environment, policy: Policy | None = None) -> APIRouter:
    """Return the routes of the page; ``policy`` is the server's (its trust list), ``env`` its data.

    Each upload adds the challenge and domain the recruiter typed, if any.
    """
    routes = APIRouter(tags=["verification page"])
    base = policy or Policy()

    @routes.get("/", response_class=HTMLResponse, summary="The verification page (a form)")
    def page(lang: Annotated[str | None, Query()] = None) -> HTMLResponse:
        return HTMLResponse(form_page(_language(lang)), headers=_HEADERS)

    @routes.post("/", response_class=HTMLResponse, summary="Verify an uploaded CV or presentation")
    def check(
        file: Annotated[UploadFile | None, File(description="A CV or a presentation")] = None,
        challenge: Annotated[str, Form(max_length=500)] = "",
        domain: Annotated[str, Form(max_length=500)] = "",
        lang: Annotated[str | None, Query()] = None,
    ) -> HTMLResponse:
        language = _language(lang)
        if file is None:
            from passeport.i18n import translator

            message = translator(language)("No file was sent.")
            return HTMLResponse(error_page(message, language), 400, headers=_HEADERS)
        name = _name(file)
        data = file.file.read(MAX_INPUT_BYTES + 1)
        if len(data) > MAX_INPUT_BYTES:
            reason = f"{name}: larger than {MAX_INPUT_BYTES} bytes (refused)"
            return HTMLResponse(error_page(reason, language), 413, headers=_HEADERS)
        rules = replace(base, challenge=challenge.strip() or None, domain=domain.strip() or None)
        try:
            result = verify_any(data, policy=rules, env=env, where=name)
        except PasseportError as exc:
            return HTMLResponse(error_page(str(exc), language), 400, headers=_HEADERS)
        return HTMLResponse(verdict_page(result, name, language), headers=_HEADERS)

    return routes
