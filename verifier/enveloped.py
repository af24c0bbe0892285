"""Enveloped credentials and presentations: the JOSE and SD-JWT forms, read for the pipeline.

A credential secured by an enveloping proof arrives as a token (``vc+jwt``, a
VC 1.1 JWT, an SD-JWT with or without Key Binding) or as a VC 2.0
``EnvelopedVerifiableCredential`` whose ``id`` is a ``data:`` URL holding the
token. The functions here verify the envelope and return its checks with the
credential (or presentation) JSON inside, on which the pipeline then runs the
checks every credential gets: validity, status, trust, schema.

Specs: https://www.w3.org/TR/vc-data-model-2.0/#enveloped-verifiable-credentials
(and ``EnvelopedVerifiablePresentation``; data URLs, RFC 2397),
https://www.w3.org/TR/vc-jose-cose/ 6.1-6.2 (verifying) and 7 (validation: the
verified document is well-formed JSON-LD), RFC 9901 and SD-JWT VC.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final, Literal
from urllib.parse import unquote

from passeport._io import parse_json
from passeport._json import JsonObject, id_of
from passeport.contexts import DocumentLoader, expand
from passeport.errors import ContextError, PasseportError
from passeport.proofs._jws import b64url_decode
from passeport.proofs.checks import ProofExpectation, Verified
from passeport.proofs.mechanism import (
    SecuringMechanism,
    enveloping_names,
    mechanism_for,
    mechanism_for_media_type,
    mechanisms,
)
from passeport.proofs.outcome import Outcome
from passeport.verifier.env import Environment, Policy
from passeport.verifier.result import Check
from passeport.verifier.view import signed_view

__all__ = [
    "CREDENTIAL_MEDIA_TYPES",
    "ENVELOPED_SUITES",
    "PRESENTATION_MEDIA_TYPES",
    "secured_credential",
    "secured_kind",
    "secured_presentation",
    "token_kind",
]

# The built-in enveloping mechanisms and their media types (the registry is asked at each call).
ENVELOPED_SUITES: Final = enveloping_names()
CREDENTIAL_MEDIA_TYPES: Final = {
    media_type: m.name for m in mechanisms() if m.enveloping for media_type in m.media_types
}
PRESENTATION_MEDIA_TYPES: Final = {
    m.presentation_media_type: m.name
    for m in mechanisms()
    if m.enveloping and m.presentation_media_type is not None
}

Result = tuple[list[Check], JsonObject | None, str]


def _types(value: Mapping[str, Any]) -> list[Any]:
    found = value.get("type", [])
    return list(found) if isinstance(found, list) else [found]


def _data_url(url: Any) -> tuple[str, str] | None:
    """Return (media type, text) of a ``data:`` URL (RFC 2397), or None."""
    if not isinstance(url, str) or not url.startswith("data:") or "," not in url:
        return None
    meta, data = url[len("data:") :].split(",", 1)
    media, *parameters = meta.split(";")
    if "base64" in (p.strip().lower() for p in parameters):
        try:
            text = base64.b64decode(unquote(data), validate=True).decode("ascii")
        except (binascii.Error, ValueError):
            return None
    else:
        text = unquote(data)
    return media.strip().lower(), text


def _peek(token: str) -> tuple[JsonObject, JsonObject]:
    """Read (unverified) a JWT's header and claims, only to route it; ({}, {}) if unreadable."""
    try:
        header_text, payload_text = token.split(".")[:2]
        header = parse_json(b64url_decode(header_text, what="header"), where=None)
        claims = parse_json(b64url_decode(payload_text, what="payload"), where=None)
    except (PasseportError, ValueError, TypeError, RecursionError):
        return {}, {}
    return (
        header if isinstance(header, dict) else {},
        claims if isinstance(claims, dict) else {},
    )


def secured_kind(value: Any) -> Literal["credential", "presentation"] | None:
    """Tell whether ``value`` is an enveloped credential or presentation, or neither.

    Strings are tokens (a JWT, or an SD-JWT with ``~``); objects are
    ``EnvelopedVerifiableCredential``/``EnvelopedVerifiablePresentation``.
    Nothing is verified here: this only routes the input.
    """
    if isinstance(value, Mapping):
        types = _types(value)
        if "EnvelopedVerifiablePresentation" in types:
            return "presentation"
        return "credential" if "EnvelopedVerifiableCredential" in types else None
    if not isinstance(value, str) or not value.strip() or value.lstrip().startswith(("{", "[")):
        return None
    token = value.strip()
    if "~" in token:
        return "credential"
    header, claims = _peek(token)
    return token_kind(header, claims)


def token_kind(
    header: Mapping[str, Any], claims: Mapping[str, Any]
) -> Literal["credential", "presentation"]:
    """Tell whether a JWT with this (unverified) header and claims holds a presentation.

    Its ``typ`` names a presentation media type, or its claims have ``vp``.
    """
    typ = header.get("typ")
    normal = typ.lower().removeprefix("application/") if isinstance(typ, str) else ""
    presented = normal and mechanism_for_media_type(f"application/{normal}", presentation=True)
    return "presentation" if presented or "vp" in claims else "credential"


def _checks(
    verified: Verified, loader: DocumentLoader, credential: int | None, pointer: str | None
) -> list[Check]:
    """Return the envelope's checks, and that the document inside is well-formed JSON-LD."""
    checks = [Check.of(o, credential, at=pointer) for o in verified.outcomes]
    if verified.json_ld and verified.document is not None:
        # VC-JOSE-COSE 7: the verified document must be well-formed JSON-LD.
        try:
            expand(verified.document, loader)
        except ContextError as exc:
            message = f"the secured document is not well-formed JSON-LD: {exc}"
            checks.append(Check("input.terms", Outcome.FAILED, message, credential, pointer))
    return checks


def _signer_checks(
    verified: Verified,
    document: Mapping[str, Any] | None,
    member: str,
    loader: DocumentLoader,
    credential: int | None,
    pointer: str | None,
) -> list[Check]:
    """Refuse a token signed by a key of another party than the issuer (holder) it names.

    The token's JSON is signed as written, but whoever signs may write the
    party as a list, an ``{"@id": ...}`` object or under its IRI: the party is
    read as the pipeline reads it (:func:`~passeport.verifier.view.signed_view`),
    and the signing key must be one of its keys.
    """
    if document is None or verified.verification_method is None:
        return []
    signer = verified.verification_method.split("#", 1)[0]
    named: Any = document.get(member)
    if "@context" in document:
        try:
            named = signed_view(document, loader).document.get(member)
        except PasseportError:
            return []  # reported as input.terms
    if named is None:
        return []  # no party named: the pipeline's own check fails it
    items = named if isinstance(named, list) else [named]
    parties = {item if isinstance(item, str) else id_of(item) for item in items}
    if parties == {signer}:
        return []
    shown = ", ".join(sorted(str(party) for party in parties))
    message = f"the token is signed by a key of {signer}, not of the {member} it names ({shown})"
    return [Check("proof.controller", Outcome.FAILED, message, credential, pointer)]


def _unwrap(
    value: str | Mapping[str, Any],
    *,
    presentation: bool,
    credential: int | None,
    base: str,
) -> tuple[str | None, SecuringMechanism | None, str | None, list[Check]]:
    """Return (token, mechanism, pointer, checks) for a token or an enveloping object."""
    envelope = (
        "EnvelopedVerifiablePresentation" if presentation else "EnvelopedVerifiableCredential"
    )
    if isinstance(value, str):
        token = value.strip()
        found = mechanism_for(token)
        if found is None or not found.enveloping:
            message = "the token is secured by no mechanism known here"
            refused = Check("input.envelope", Outcome.FAILED, message, credential, base or None)
            return None, None, base or None, [refused]
        return token, found, base or None, []
    pointer = f"{base}/id"
    if envelope not in _types(value):
        message = f'type does not include "{envelope}"'
        return (
            None,
            None,
            pointer,
            [Check("input.envelope", Outcome.FAILED, message, credential, f"{base}/type")],
        )
    found_url = _data_url(value.get("id"))
    mechanism = (
        mechanism_for_media_type(found_url[0], presentation=presentation)
        if found_url is not None
        else None
    )
    if found_url is None or mechanism is None or not mechanism.enveloping:
        accepted = ", ".join(sorted(PRESENTATION_MEDIA_TYPES if presentation else _media_types()))
        message = f"id is not a data: URL of a supported media type ({accepted})"
        return (
            None,
            None,
            pointer,
            [Check("input.envelope", Outcome.FAILED, message, credential, pointer)],
        )
    return found_url[1].strip(), mechanism, pointer, []


def _media_types() -> list[str]:
    return [t for m in mechanisms() if m.enveloping for t in m.media_types]


def _refused(name: str, credential: int | None, pointer: str | None) -> list[Check]:
    message = f'"{name}" is not accepted here'
    return [Check("proof.suite", Outcome.FAILED, message, credential, pointer)]


def secured_credential(
    value: str | Mapping[str, Any],
    *,
    env: Environment,
    policy: Policy,
    now: datetime,
    credential: int | None = None,
    base: str = "",
    require_key_binding: bool | None = None,
) -> Result:
    """Verify a credential's enveloping proof; return (checks, credential JSON, format).

    ``value`` is a ``vc+jwt`` token, a VC 1.1 JWT, an SD-JWT (``dc+sd-jwt``,
    with or without KB-JWT) or an ``EnvelopedVerifiableCredential``. The
    credential JSON is None when the envelope cannot be read or its suite is
    not accepted (``policy.suites`` names the enveloping mechanisms). An
    SD-JWT must carry a KB-JWT bound to ``policy.challenge`` and
    ``policy.domain`` when the policy asks for either (or when
    ``require_key_binding`` says so); a KB-JWT's age is bounded by
    ``policy.max_age`` and its ``exp``. ``credential`` and ``base`` place the
    checks inside a presentation.
    """
    token, mechanism, pointer, checks = _unwrap(
        value, presentation=False, credential=credential, base=base
    )
    if token is None or mechanism is None:
        return checks, None, "enveloped"
    if not policy.receiving and mechanism.name not in policy.suites:
        return _refused(mechanism.name, credential, pointer), None, mechanism.name
    if policy.receiving:
        require_key_binding = False
    elif require_key_binding is None:
        # Inside a presentation, a credential bound to a key is presented by that key.
        require_key_binding = (
            policy.challenge is not None
            or policy.domain is not None
            or (credential is not None and mechanism.binds_holder_key(token))
        )
    expect = ProofExpectation(
        now=now,
        challenge=None if policy.receiving else policy.challenge,
        domain=None if policy.receiving else policy.domain,
        max_clock_skew=policy.max_clock_skew,
        max_age=policy.max_age,
    )
    verified = mechanism.verify(
        token,
        resolver=env.resolver(),
        expect=expect,
        loader=env.loader,
        require_key_binding=require_key_binding,
    )
    checks = _checks(verified, env.loader, credential, pointer)
    checks += _signer_checks(verified, verified.document, "issuer", env.loader, credential, pointer)
    return checks, verified.document, verified.form or mechanism.name


def secured_presentation(
    value: str | Mapping[str, Any],
    *,
    env: Environment,
    policy: Policy,
    now: datetime,
) -> Result:
    """Verify a ``vp+jwt`` presentation (token or ``EnvelopedVerifiablePresentation``).

    The checks cover the holder's signature, ``nonce`` against
    ``policy.challenge``, ``aud`` against ``policy.domain``, and the
    presentation's age (``iat``) against ``policy.max_age``; the returned
    presentation JSON still holds its credentials (enveloped, for the pipeline
    to verify one by one with :func:`secured_credential`).
    """
    token, mechanism, pointer, checks = _unwrap(value, presentation=True, credential=None, base="")
    if token is None or mechanism is None:
        return checks, None, "enveloped"
    if mechanism.name not in policy.suites:
        return _refused(mechanism.name, None, pointer), None, mechanism.name
    expect = ProofExpectation(
        proof_purpose="authentication",
        now=now,
        challenge=policy.challenge,
        domain=policy.domain,
        max_clock_skew=policy.max_clock_skew,
        max_age=policy.max_age,
    )
    verified = mechanism.verify(token, resolver=env.resolver(), expect=expect, loader=env.loader)
    checks = _checks(verified, env.loader, None, pointer)
    checks += _signer_checks(verified, verified.document, "holder", env.loader, None, pointer)
    return checks, verified.document, verified.form or mechanism.name
