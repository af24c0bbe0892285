"""Small readers shared by the pipeline and the status checks."""

from __future__ import annotations

from datetime import datetime

from passeport._json import id_of
from passeport.proofs.engine import ProofExpectation
from passeport.verifier.env import Environment, Policy

__all__ = ["assertion_expectation", "id_of", "now_of"]


def now_of(policy: Policy, env: Environment) -> datetime:
    """Return the instant to verify at: the policy's, else the environment's clock."""
    return policy.at or env.clock()


def assertion_expectation(issuer: str | None, policy: Policy, now: datetime) -> ProofExpectation:
    """Return what an issuer's ``assertionMethod`` proof must satisfy under ``policy``."""
    return ProofExpectation(
        proof_purpose="assertionMethod",
        controller=issuer,
        now=now,
        max_clock_skew=policy.max_clock_skew,
        suites=policy.suites,
    )
