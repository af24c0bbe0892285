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
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final, Literal
from urllib.parse import unquote

from passeport._json import JsonObject, id_of
from passeport.contexts import DocumentLoader, expand
from passeport.errors import ContextError, PasseportError
from passeport.proofs._jws import b64url_decode
from passeport.proofs.jose import VC_JWT_11, VP_JWT_11, JwtVerification, verify_jwt
from passeport.proofs.outcome import Outcome
from passeport.proofs.sdjwt import verify_sd_jwt
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
]

# The names a Policy lists to accept these forms (next to the Data Integrity suites).
ENVELOPED_SUITES: Final = frozenset({"vc-jwt", "sd-jwt"})
CREDENTIAL_MEDIA_TYPES: Final = {
    "application/vc+jwt": "vc-jwt",
    "application/dc+sd-jwt": "sd-jwt",
    "application/vc+sd-jwt": "sd-jwt",
}
PRESENTATION_MEDIA_TYPES: Final = {"application/vp+jwt": "vc-jwt"}
# JWT claims that secure the document but are not part of it (RFC 7519 4.1, RFC 9901,
# SD-JWT VC 3.2.2.2); left in, they would be undefined terms of the JSON-LD document.
_ENVELOPE_CLAIMS: Final = (
    "iss",
    "sub",
    "aud",
    "exp",
    "nbf",
    "iat",
    "jti",
    "cnf",
    "nonce",
    "vct",
    "vct#integrity",
    "aka_vcts",
    "status",
)

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


def _peek_typ(token: str) -> tuple[str, JsonObject]:
    """Read (unverified) a JWT's ``typ`` and claims, only to route it; ("", {}) if unreadable."""
    try:
        header_text, payload_text = token.split(".")[:2]
        header = json.loads(b64url_decode(header_text, what="header"))
        claims = json.loads(b64url_decode(payload_text, what="payload"))
    except (PasseportError, ValueError, TypeError, RecursionError):
        return "", {}
    typ = header.get("typ") if isinstance(header, dict) else None
    normal = typ.lower().removeprefix("application/") if isinstance(typ, str) else ""
    return normal, claims if isinstance(claims, dict) else {}


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
    if not isinstance(value, str) or not value.strip() or value.lstrip().startswith("{"):
        return None
    token = value.strip()
    if "~" in token:
        return "credential"
    typ, claims = _peek_typ(token)
    return "presentation" if typ == "vp+jwt" or "vp" in claims else "credential"


def _checks(result: JwtVerification, credential: int | None, pointer: str | None) -> list[Check]:
    return [Check(o.code, o.outcome, o.message, credential, pointer) for o in result.outcomes]


def _document(
    result: JwtVerification, loader: DocumentLoader, credential: int | None, pointer: str | None
) -> tuple[JsonObject | None, list[Check]]:
    """Return the secured document without the envelope's claims, and its JSON-LD check."""
    payload = result.payload
    if payload is None or result.media_type in (VC_JWT_11, VP_JWT_11):
        return payload, []
    checks: list[Check] = []
    if isinstance(payload.get("status"), Mapping):
        checks.append(
            Check(
                "status.unsupported",
                Outcome.UNCHECKED,
                "the token's status claim (IETF status list) is not checked here",
                credential,
                pointer,
            )
        )
    if "@context" not in payload:
        return payload, checks  # not JSON-LD: the pipeline reports it as such
    document = {k: v for k, v in payload.items() if k not in _ENVELOPE_CLAIMS}
    # VC-JOSE-COSE 7: the verified document must be well-formed JSON-LD.
    try:
        expand(document, loader)
    except ContextError as exc:
        message = f"the secured document is not well-formed JSON-LD: {exc}"
        checks.append(Check("input.terms", Outcome.FAILED, message, credential, pointer))
    return document, checks


def _signer_checks(
    result: JwtVerification,
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
    if document is None or result.verification_method is None:
        return []
    signer = result.verification_method.split("#", 1)[0]
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


def _bound_to_a_key(token: str) -> bool:
    """Tell whether an SD-JWT names its holder's key (``cnf``): only that key may present it."""
    return "cnf" in _peek_typ(token.split("~", 1)[0])[1]


def _unwrap(
    value: str | Mapping[str, Any],
    kinds: Mapping[str, str],
    envelope: str,
    credential: int | None,
    base: str,
) -> tuple[str | None, str | None, str | None, list[Check]]:
    """Return (token, suite, pointer, checks) for a token or an enveloping object."""
    if isinstance(value, str):
        token = value.strip()
        suite = "sd-jwt" if "~" in token else "vc-jwt"
        return token, suite, base or None, []
    pointer = f"{base}/id"
    if envelope not in _types(value):
        message = f'type does not include "{envelope}"'
        return (
            None,
            None,
            pointer,
            [Check("input.envelope", Outcome.FAILED, message, credential, f"{base}/type")],
        )
    found = _data_url(value.get("id"))
    if found is None or found[0] not in kinds:
        accepted = ", ".join(sorted(kinds))
        message = f"id is not a data: URL of a supported media type ({accepted})"
        return (
            None,
            None,
            pointer,
            [Check("input.envelope", Outcome.FAILED, message, credential, pointer)],
        )
    media, token = found
    return token.strip(), kinds[media], pointer, []


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
    not accepted (``policy.suites`` names ``vc-jwt`` and ``sd-jwt``). An
    SD-JWT must carry a KB-JWT bound to ``policy.challenge`` and
    ``policy.domain`` when the policy asks for either (or when
    ``require_key_binding`` says so); a KB-JWT's age is bounded by
    ``policy.max_age`` and its ``exp``. ``credential`` and ``base`` place the
    checks inside a presentation.
    """
    token, suite, pointer, checks = _unwrap(
        value, CREDENTIAL_MEDIA_TYPES, "EnvelopedVerifiableCredential", credential, base
    )
    if token is None or suite is None:
        return checks, None, "enveloped"
    if suite not in policy.suites:
        message = f'"{suite}" is not accepted here'
        return [Check("proof.suite", Outcome.FAILED, message, credential, pointer)], None, suite
    if suite == "sd-jwt":
        if require_key_binding is None:
            # Inside a presentation, a credential bound to a key is presented by that key.
            require_key_binding = (
                policy.challenge is not None
                or policy.domain is not None
                or (credential is not None and _bound_to_a_key(token))
            )
        result = verify_sd_jwt(
            token,
            resolver=env.resolver(),
            now=now,
            nonce=policy.challenge,
            audience=policy.domain,
            require_key_binding=require_key_binding,
            max_age=policy.max_age,
            max_clock_skew=policy.max_clock_skew,
        )
    else:
        result = verify_jwt(
            token,
            resolver=env.resolver(),
            now=now,
            expect="credential",
            max_clock_skew=policy.max_clock_skew,
        )
    checks = _checks(result, credential, pointer)
    document, more = _document(result, env.loader, credential, pointer)
    more += _signer_checks(result, document, "issuer", env.loader, credential, pointer)
    return checks + more, document, result.media_type or suite


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
    token, suite, pointer, checks = _unwrap(
        value, PRESENTATION_MEDIA_TYPES, "EnvelopedVerifiablePresentation", None, ""
    )
    if token is None or suite is None:
        return checks, None, "enveloped"
    if suite not in policy.suites:
        return (
            [
                Check(
                    "proof.suite", Outcome.FAILED, f'"{suite}" is not accepted here', None, pointer
                )
            ],
            None,
            suite,
        )
    result = verify_jwt(
        token,
        resolver=env.resolver(),
        now=now,
        expect="presentation",
        nonce=policy.challenge,
        audience=policy.domain,
        max_clock_skew=policy.max_clock_skew,
        max_age=policy.max_age,
    )
    document, more = _document(result, env.loader, None, pointer)
    more += _signer_checks(result, document, "holder", env.loader, None, pointer)
    return _checks(result, None, pointer) + more, document, result.media_type or suite
