"""Verification results: one check per thing verified, never a bare boolean."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from passeport._json import JsonObject
from proofs.outcome import Outcome

__all__ = ["Check", "Outcome", "VerificationResult"]


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


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """The checks made on one credential or presentation, and their verdict.

    ``summary`` carries what a reader wants to see besides the checks (kind,
    issuer, subject, types, dates); ``warnings`` what did not fail but should
    be known (terms of the issuer-dependent vocabulary, for instance).
    """

    checks: tuple[Check, ...]
    unchecked_is_failure: bool = True
    summary: JsonObject = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def verified(self) -> bool:
        """True when at least one check ran and none blocks the verdict."""
        blocking = {Outcome.FAILED}
        if self.unchecked_is_failure:
            blocking.add(Outcome.UNCHECKED)
        return bool(self.checks) and all(c.outcome not in blocking for c in self.checks)

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
            "warnings": list(self.warnings),
            "checks": checks,  # type: ignore[dict-item]
        }
