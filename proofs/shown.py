"""What a holder can never hide: the claims a verifier's checks read.

A securing mechanism that lets its holder disclose a part of a credential
(``ecdsa-sd-2023``, SD-JWT VC) keeps these claims in every disclosure,
whatever mandatory pointers its caller gives: what kind of credential it is
(``/type``), who vouches for it (``/issuer``), when it holds (``/validFrom``,
``/validUntil``), where its status is read (``/credentialStatus``) and about
whom (each subject's ``id`` and ``type``). A holder who could drop them would
present a revoked or expired credential, or someone else's, and it would
verify. :func:`proofs.sign.sign_document` (every Data Integrity signing of
the registry and of ``passeport sign``) adds them to the caller's mandatory
pointers; :func:`proofs.sdjwt.default_disclosable` keeps them in clear and
:func:`proofs.sdjwt.issue_sd_jwt` refuses to make them disclosable.

>>> always_shown({
...     "type": ["VerifiableCredential"],
...     "issuer": "did:example:school",
...     "credentialSubject": [{"id": "did:example:camille"}, {"name": "Camille"}],
... })
('/type', '/issuer', '/credentialSubject/0/id')
>>> with_always_shown({"issuer": "did:example:school"}, ["/name", "/issuer"])
('/name', '/issuer')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

__all__ = ["ALWAYS_SHOWN", "always_shown", "with_always_shown"]

ALWAYS_SHOWN: Final = ("type", "issuer", "validFrom", "validUntil", "credentialStatus")
"""The credential's members every disclosure keeps, when present."""

_SUBJECT_SHOWN: Final = ("id", "type")


def _subject_pointers(subject: Any, pointer: str) -> list[str]:
    """Return the pointers of one subject's ``id`` and ``type`` (the whole subject if an IRI)."""
    if isinstance(subject, str):
        return [pointer]
    if not isinstance(subject, Mapping):
        return []
    return [f"{pointer}/{name}" for name in _SUBJECT_SHOWN if name in subject]


def always_shown(credential: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the JSON pointers of the claims of ``credential`` no disclosure may leave out.

    Only the claims present are named; with several subjects (a
    ``credentialSubject`` list), those of each one.
    """
    found = [f"/{name}" for name in ALWAYS_SHOWN if name in credential]
    subject = credential.get("credentialSubject")
    if isinstance(subject, list):
        for index, item in enumerate(subject):
            found.extend(_subject_pointers(item, f"/credentialSubject/{index}"))
    else:
        found.extend(_subject_pointers(subject, "/credentialSubject"))
    return tuple(found)


def with_always_shown(
    credential: Mapping[str, Any], mandatory: Sequence[str] = ()
) -> tuple[str, ...]:
    """Return ``mandatory`` (in its order, without repeats), then the claims always shown."""
    return tuple(dict.fromkeys([*mandatory, *always_shown(credential)]))
