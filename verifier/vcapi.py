"""A verification result in the VC-API shapes: the checks asked for, results, problem details.

Spec: https://w3c-ccg.github.io/vc-api/#verify-credential (``VerifyCredentialOptions``,
``VerificationResult``: ``verified``, ``problemDetails``, ``results``) and the
earlier members test suites still read (``checks``, ``warnings``,
``errors``). The verifier always runs every check; a request's
``options.checks`` chooses which of them decide ``verified``
(:class:`CheckSelection`):

- ``credentialStatus`` (or ``status``): the status list checks (``status.*``);
- ``validFrom``, ``validUntil``, ``expiration`` (or ``validity``): the
  validity period (``validity.*``);
- ``credentialSchema`` (or ``schema``): the JSON Schema checks (``schema.*``);
- ``proof``: the proofs. They always count, named or not, as does every other
  check (the form of the input, disclosures, key and holder bindings,
  challenge and domain, the server's trust list): a credential whose
  signature does not hold, or a presentation replayed, proves nothing
  whatever the caller asks.

A check left out still runs and is reported (a warning names each one that
did not pass); only the verdict ignores it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, Literal, Self

from passeport._json import JsonObject, JsonValue
from passeport.errors import InputError
from passeport.proofs.outcome import Outcome
from passeport.verifier.enveloped import secured_kind
from passeport.verifier.result import Check, VerificationResult

__all__ = [
    "CHECK_NAMES",
    "CheckSelection",
    "problem_details",
    "vcapi_results",
]

CHECK_NAMES: Final[Mapping[str, tuple[str, ...]]] = {
    "proof": (),
    "credentialStatus": ("status.",),
    "status": ("status.",),
    "validFrom": ("validity.",),
    "validUntil": ("validity.",),
    "expiration": ("validity.",),
    "validity": ("validity.",),
    "credentialSchema": ("schema.",),
    "schema": ("schema.",),
}
"""The names ``options.checks`` accepts, and the check areas each one selects."""

_OPTIONAL: Final = ("status.", "validity.", "schema.")

# VC Data Model 2.0 7.x, VC Data Integrity 1.0 "Processing Errors" and Bitstring
# Status List 1.0 "Processing Errors": the problem types a failed check maps to.
_VCDM: Final = "https://www.w3.org/TR/vc-data-model#"
_DI: Final = "https://w3id.org/security#"
_BSL: Final = "https://www.w3.org/ns/credentials/status-list#"
_PROBLEM_TYPES: Final[tuple[tuple[str, str], ...]] = (
    ("input.jsonld", f"{_VCDM}PARSING_ERROR"),
    ("input.", f"{_VCDM}MALFORMED_VALUE_ERROR"),
    ("proof.malformed", f"{_DI}MALFORMED_PROOF_ERROR"),
    ("proof.purpose", f"{_DI}MISMATCHED_PROOF_PURPOSE_ERROR"),
    ("proof.challenge", f"{_DI}INVALID_CHALLENGE_ERROR"),
    ("proof.domain", f"{_DI}INVALID_DOMAIN_ERROR"),
    ("proof.verification_method", f"{_DI}INVALID_VERIFICATION_METHOD"),
    ("proof.", f"{_DI}PROOF_VERIFICATION_ERROR"),
    ("disclosure.", f"{_DI}PROOF_VERIFICATION_ERROR"),
    ("key_binding.", f"{_DI}PROOF_VERIFICATION_ERROR"),
    ("status.list_too_short", f"{_BSL}STATUS_LIST_LENGTH_ERROR"),
    ("status.unchecked", f"{_BSL}STATUS_RETRIEVAL_ERROR"),
    ("status.", f"{_BSL}STATUS_VERIFICATION_ERROR"),
    ("validity.malformed", f"{_VCDM}MALFORMED_VALUE_ERROR"),
    ("validity.", f"{_VCDM}RANGE_ERROR"),
)
_OTHER_PROBLEM: Final = "https://w3id.org/passeport#"


@dataclass(frozen=True, slots=True)
class CheckSelection:
    """The checks that decide a verdict: every one (``areas`` None) or the always-on and ``areas``.

    >>> selection = CheckSelection.of(["proof"])
    >>> selection.counts("proof.signature"), selection.counts("status.revoked")
    (True, False)
    >>> CheckSelection.of(None).counts("status.revoked")
    True
    """

    areas: frozenset[str] | None = None

    @classmethod
    def of(cls, names: Sequence[str] | None) -> Self:
        """Return the selection ``options.checks`` names (None: every check).

        Raises:
            InputError: a name that is not in :data:`CHECK_NAMES`.
        """
        if names is None:
            return cls()
        areas: set[str] = set()
        for name in names:
            if name not in CHECK_NAMES:
                known = ", ".join(CHECK_NAMES)
                raise InputError(f"unknown check {name!r} (known: {known})", where="options.checks")
            areas.update(CHECK_NAMES[name])
        return cls(frozenset(areas))

    def counts(self, code: str) -> bool:
        """Tell whether the check ``code`` decides the verdict."""
        if self.areas is None or not code.startswith(_OPTIONAL):
            return True
        return code.startswith(tuple(self.areas))

    def apply(self, result: VerificationResult) -> tuple[VerificationResult, list[str]]:
        """Return ``result`` with only the counted checks, and a warning per one left out.

        Only a check that did not pass is worth a warning: it would have
        changed the verdict.
        """
        if self.areas is None:
            return result, []
        kept = tuple(c for c in result.checks if self.counts(c.code))
        left = [
            f"{c.code}: not counted (not in options.checks): {c.message}"
            for c in result.checks
            if not self.counts(c.code) and c.outcome is not Outcome.PASSED
        ]
        return replace(result, checks=kept), left


def problem_details(checks: Sequence[Check]) -> list[JsonObject]:
    """Return a VC-API ``ProblemDetails`` object per check that did not pass."""
    found: list[JsonObject] = []
    for check in checks:
        if check.outcome is Outcome.PASSED:
            continue
        kind = next(
            (uri for prefix, uri in _PROBLEM_TYPES if check.code.startswith(prefix)),
            f"{_OTHER_PROBLEM}{check.code}",
        )
        found.append({"type": kind, "title": check.code, "detail": check.message})
    return found


def _own(checks: Sequence[Check], area: str, pointer: str) -> list[Check]:
    """Return the checks of the input itself in ``area`` placed at ``pointer`` or inside it."""
    return [
        c
        for c in checks
        if c.credential is None
        and c.code.startswith(area)
        and c.pointer is not None
        and (c.pointer == pointer or c.pointer.startswith(pointer + "/"))
    ]


def _items(document: Mapping[str, Any], member: str) -> list[tuple[str, Any]]:
    """Return ``(pointer, value)`` of each item of ``member`` (an object or a list)."""
    value = document.get(member)
    if isinstance(value, list):
        return [(f"/{member}/{i}", item) for i, item in enumerate(value)]
    return [] if value is None else [(f"/{member}", value)]


def _held(checks: Sequence[Check]) -> bool:
    return bool(checks) and all(c.outcome is Outcome.PASSED for c in checks)


def _proofs(
    document: Any, checks: Sequence[Check], key: Literal["verified", "valid"]
) -> list[JsonValue]:
    if not isinstance(document, Mapping) or secured_kind(document) is not None:
        # An enveloped credential or presentation: its one proof is the envelope.
        envelope = [c for c in checks if c.credential is None and c.code.startswith("proof.")]
        return [{key: _held(envelope), "input": document}]
    return [
        {key: _held(_own(checks, "proof.", pointer)), "input": proof}
        for pointer, proof in _items(document, "proof")
    ]


def _status_value(checks: Sequence[Check]) -> int | None:
    if any(c.code in {"status.revoked", "status.suspended"} for c in checks):
        return 1
    return 0 if _held(checks) else None


def vcapi_results(
    kind: Literal["credential", "presentation"],
    document: Any,
    result: VerificationResult,
    selection: CheckSelection,
    *,
    challenge: str | None = None,
    domain: str | None = None,
) -> JsonObject:
    """Return the VC-API ``results`` object of ``result`` on ``document``.

    A credential's has ``proof``, ``credentialStatus``, ``validFrom``,
    ``validUntil`` and ``credentialSchema`` (each ``verified``, with its
    ``input``), the last four when present and counted; a presentation's its
    ``proof``, ``challenge``, ``domain`` and ``holder`` (each ``valid``).
    """
    checks = result.checks
    if kind == "presentation":
        found: JsonObject = {"proof": _proofs(document, checks, "valid")}
        for name, given in (("challenge", challenge), ("domain", domain)):
            if given is not None:
                own = [c for c in checks if c.credential is None and c.code == f"proof.{name}"]
                found[name] = {"valid": _held(own), "input": given}
        holder = document.get("holder") if isinstance(document, Mapping) else None
        if isinstance(holder, str | Mapping):
            own = [c for c in checks if c.credential is None and c.code.startswith("holder.")]
            found["holder"] = {
                "valid": all(c.outcome is Outcome.PASSED for c in own),
                "input": holder if isinstance(holder, str) else dict(holder),
            }
        return found
    found = {"proof": _proofs(document, checks, "verified")}
    if not isinstance(document, Mapping):
        return found
    if selection.counts("status."):
        entries: list[JsonValue] = []
        for pointer, entry in _items(document, "credentialStatus"):
            own = _own(checks, "status.", pointer)
            item: JsonObject = {"verified": _held(own), "input": entry}
            value = _status_value(own)
            if value is not None:
                item["value"] = value
            entries.append(item)
        found["credentialStatus"] = entries
    if selection.counts("validity."):
        period = [c for c in checks if c.credential is None and c.code.startswith("validity.")]
        for member, broken in (("validFrom", "not_yet_valid"), ("validUntil", "expired")):
            value = document.get(member)
            if value is None:
                continue
            failed = any(
                c.outcome is not Outcome.PASSED
                and (c.code == f"validity.{broken}" or (c.pointer or "").endswith(member))
                for c in period
            )
            found[member] = {"verified": not failed, "input": value}
    if selection.counts("schema."):
        found["credentialSchema"] = [
            {"verified": _held(_own(checks, "schema.", pointer)), "input": schema}
            for pointer, schema in _items(document, "credentialSchema")
        ]
    return found
