"""The members a verifiable credential must have, beyond its context, type and issuer.

Spec: https://www.w3.org/TR/vc-data-model-2.0/#credential-subject ("A
verifiable credential MUST contain a credentialSubject property") and
https://www.w3.org/TR/vc-data-model-1.1/#credential-subject . A disclosure
derived from a selective-disclosure credential (``ecdsa-sd-2023``) reveals
only what the holder chose: one that reveals no subject is not a credential
(the JavaScript reference refuses it too).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from passeport.proofs.outcome import Outcome
from passeport.verifier.result import Check

__all__ = ["subject_checks"]


def _problem(subject: Any) -> str | None:
    if subject is None:
        return "the credential has no credentialSubject (a verifiable credential must have one)"
    items = subject if isinstance(subject, list) else [subject]
    if not items:
        return "the credentialSubject is empty (a verifiable credential must name a subject)"
    for item in items:
        if isinstance(item, Mapping) and not item:
            return "a credentialSubject is an empty object (it makes no claim about anyone)"
    return None


def subject_checks(document: Mapping[str, Any], credential: int | None, base: str) -> list[Check]:
    """Return an ``input.subject`` failure when the credential has no subject, else nothing.

    ``document`` is the credential as its signature reads it (the signed
    view); ``credential`` and ``base`` place the check inside a presentation.
    """
    problem = _problem(document.get("credentialSubject"))
    if problem is None:
        return []
    return [
        Check("input.subject", Outcome.FAILED, problem, credential, f"{base}/credentialSubject")
    ]
