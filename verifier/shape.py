"""The form the VC Data Model requires of a credential or presentation, as failed checks.

The rules are those the signer refuses (:mod:`proofs.model`), so that what
passeport would not sign does not verify either: the first ``@context`` is
the VC base context (``[examples/v2, v2]`` is no credential, nor
presentation); a credential names a subject, not an empty one; each
``credentialStatus``, ``termsOfUse``, ``evidence``, ``refreshService`` and
``credentialSchema`` says its ``type``.

Specs: https://www.w3.org/TR/vc-data-model-2.0/#contexts ,
https://www.w3.org/TR/vc-data-model-2.0/#credential-subject ("A verifiable
credential MUST contain a credentialSubject property") and the sections of
each member; https://www.w3.org/TR/vc-data-model-1.1/ for VC 1.1. A
disclosure derived from a selective-disclosure credential (``ecdsa-sd-2023``)
reveals only what the holder chose: one that reveals no subject is not a
credential (the JavaScript reference refuses it too).

The ``@context`` is read as written (it is syntax, and the signed view
replaces it with the verifier's own); every other member as the signature
reads it (:func:`verifier.view.signed_view`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from passeport.proofs.model import Problem, context_problem, subject_problems, typed_member_problems
from passeport.proofs.outcome import Outcome
from passeport.verifier.result import Check

__all__ = ["shape_checks", "subject_checks"]


def _checks(problems: list[Problem], credential: int | None, base: str) -> list[Check]:
    return [
        Check(problem.code, Outcome.FAILED, problem.message, credential, f"{base}{problem.pointer}")
        for problem in problems
    ]


def subject_checks(document: Mapping[str, Any], credential: int | None, base: str) -> list[Check]:
    """Return an ``input.subject`` failure per subject problem of the credential, else nothing.

    ``document`` is the credential as its signature reads it (the signed
    view); ``credential`` and ``base`` place the check inside a presentation.
    """
    return _checks(subject_problems(document), credential, base)


def shape_checks(
    signed: Mapping[str, Any],
    view: Mapping[str, Any],
    *,
    credential: int | None,
    base: str,
    presentation: bool = False,
) -> list[Check]:
    """Return a failed check per rule of the data model broken (none for a well-formed document).

    Codes: ``input.context`` (read on ``signed``, the document as handed
    over), ``input.subject`` (a credential) and ``input.member`` (read on
    ``view``, its signed view). ``credential`` and ``base`` place the checks
    inside a presentation.
    """
    problems: list[Problem] = []
    found = context_problem(signed)
    if found is not None:
        problems.append(found)
    if not presentation:
        problems.extend(subject_problems(view))
    problems.extend(typed_member_problems(view, presentation=presentation))
    return _checks(problems, credential, base)
