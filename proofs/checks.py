"""Checks on proof options: dates, challenge and domain (VC-DATA-INTEGRITY 4.4 steps 10-12)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from passeport.errors import InputError
from proofs.dates import parse_datetime
from proofs.outcome import Outcome

if TYPE_CHECKING:
    from proofs.engine import ProofExpectation

__all__ = ["ProofOutcome", "check_options", "fail"]


@dataclass(frozen=True, slots=True)
class ProofOutcome:
    """One check about one proof: a stable code, an outcome and a sentence."""

    code: str
    outcome: Outcome
    message: str
    pointer: str | None = None
    cryptosuite: str | None = None
    verification_method: str | None = None


def fail(code: str, message: str, pointer: str, proof: Mapping[str, Any]) -> ProofOutcome:
    """Return a failed outcome about ``proof`` (its cryptosuite and method kept when strings)."""
    return ProofOutcome(
        code,
        Outcome.FAILED,
        message,
        pointer,
        _str_or_none(proof.get("cryptosuite")),
        _str_or_none(proof.get("verificationMethod")),
    )


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _domain_matches(value: Any, expected: str) -> bool:
    if isinstance(value, list):
        return expected in value
    return bool(value == expected)


def check_options(
    proof: Mapping[str, Any], expect: ProofExpectation, where: str
) -> list[ProofOutcome]:
    """Check a proof's dates, challenge and domain against ``expect``; one outcome per finding.

    ``created`` in the future and ``expires`` in the past fail (beyond the
    clock skew); ``challenge`` and ``domain`` pass or fail only when
    ``expect`` names them. ``where`` is the proof's JSON pointer.
    """
    results: list[ProofOutcome] = []
    for member in ("created", "expires"):
        if member not in proof:
            continue
        try:
            moment = parse_datetime(proof[member])
        except InputError as exc:
            results.append(fail("proof.malformed", exc.message, f"{where}/{member}", proof))
            continue
        if member == "expires" and expect.now > moment + expect.max_clock_skew:
            results.append(
                fail(
                    "proof.expired",
                    f"the proof expired at {proof[member]}",
                    f"{where}/expires",
                    proof,
                )
            )
        if member == "created" and moment > expect.now + expect.max_clock_skew:
            results.append(
                fail(
                    "proof.created",
                    f"the proof claims to be created in the future ({proof[member]})",
                    f"{where}/created",
                    proof,
                )
            )
    # VC-DATA-INTEGRITY 4.4 step 11-12: challenge and domain (replay protection).
    if expect.challenge is not None:
        if proof.get("challenge") != expect.challenge:
            results.append(
                fail(
                    "proof.challenge",
                    f"challenge is {_quoted(proof.get('challenge'))}, "
                    f'expected "{expect.challenge}"',
                    f"{where}/challenge",
                    proof,
                )
            )
        else:
            results.append(
                ProofOutcome(
                    "proof.challenge",
                    Outcome.PASSED,
                    "the proof answers the expected challenge",
                    f"{where}/challenge",
                    _str_or_none(proof.get("cryptosuite")),
                    _str_or_none(proof.get("verificationMethod")),
                )
            )
    if expect.domain is not None:
        if not _domain_matches(proof.get("domain"), expect.domain):
            results.append(
                fail(
                    "proof.domain",
                    f'domain is {_quoted(proof.get("domain"))}, expected "{expect.domain}"',
                    f"{where}/domain",
                    proof,
                )
            )
        else:
            results.append(
                ProofOutcome(
                    "proof.domain",
                    Outcome.PASSED,
                    "the proof is bound to the expected domain",
                    f"{where}/domain",
                    _str_or_none(proof.get("cryptosuite")),
                    _str_or_none(proof.get("verificationMethod")),
                )
            )
    return results


def _quoted(value: Any) -> str:
    return "absent" if value is None else f'"{value}"'
