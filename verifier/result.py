"""Verification results: one check per thing verified, never a bare boolean."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Final

from passeport._json import JsonObject
from passeport.proofs.checks import ProofOutcome
from passeport.proofs.outcome import Outcome

if TYPE_CHECKING:
    from passeport.verifier.verdict import CredentialReport

__all__ = ["LENIENT_AREAS", "Check", "Outcome", "VerificationResult"]

# The checks a lenient policy may leave unchecked: facts fetched from elsewhere
# about the credential's current state or shape (status lists, JSON Schemas).
# A proof, a key binding or a holder binding that could not be checked always
# blocks the verdict: nobody knows who signed.
LENIENT_AREAS: Final = ("status.", "schema.")


@dataclass(frozen=True, slots=True)
class Check:
    """One check: a stable code, its outcome and a sentence for a person.

    ``credential`` is the index of the credential inside a presentation
    (None for the presentation itself or a lone credential); ``pointer`` is an
    RFC 6901 pointer into the input.
    """

    code: str
    outcome: Outcome
    message: str
    credential: int | None = None
    pointer: str | None = None

    @classmethod
    def of(
        cls, outcome: ProofOutcome, credential: int | None = None, *, at: str | None = None
    ) -> Check:
        """Return the check a proof outcome makes, placed at ``at`` or else at its own pointer."""
        return cls(
            outcome.code,
            outcome.outcome,
            outcome.message,
            credential,
            at if at is not None else outcome.pointer,
        )


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """The checks made on one credential or presentation, and their verdict.

    ``credentials`` says, for each credential, what it proves and the word a
    recruiter acts on (:class:`~passeport.verifier.verdict.CredentialReport`:
    typed facts, a verdict, a sentence in French or English); ``summary``
    carries the same as plain JSON, with the kind, issuer, subject, types and
    dates; ``warnings`` what did not fail but should be known (terms of the
    issuer-dependent vocabulary, a presentation open to replay, for instance).
    """

    checks: tuple[Check, ...]
    unchecked_is_failure: bool = True
    summary: JsonObject = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    credentials: tuple[CredentialReport, ...] = ()

    @property
    def verified(self) -> bool:
        """True when at least one check ran and none blocks the verdict.

        A failed check blocks it; so does an unchecked one, unless
        ``unchecked_is_failure`` is off and the check is about status or
        schema (:data:`LENIENT_AREAS`).
        """
        return bool(self.checks) and not any(self._blocks(c) for c in self.checks)

    def _blocks(self, check: Check) -> bool:
        if check.outcome is Outcome.FAILED:
            return True
        if check.outcome is not Outcome.UNCHECKED:
            return False
        return self.unchecked_is_failure or not check.code.startswith(LENIENT_AREAS)

    def failures(self) -> tuple[Check, ...]:
        """Return the checks that did not pass (failed or unchecked)."""
        return tuple(c for c in self.checks if c.outcome is not Outcome.PASSED)

    def to_json(self) -> JsonObject:
        """Return the result as JSON: verdict, summary, warnings and every check."""
        checks: list[JsonObject] = []
        for check in self.checks:
            item = asdict(check)
            item["outcome"] = str(check.outcome)
            checks.append(item)
        return {
            "verified": self.verified,
            "summary": self.summary,
            "credentials": [report.to_json() for report in self.credentials],
            "warnings": list(self.warnings),
            "checks": checks,  # type: ignore[dict-item]
        }
