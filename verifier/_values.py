"""Small readers shared by the pipeline and the status checks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from proofs.engine import ProofExpectation
from verifier.env import Environment, Policy

__all__ = ["assertion_expectation", "id_of", "now_of"]


def id_of(value: Any) -> str | None:
    """Return ``value`` if it is a string, else its ``id`` member if that is one."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


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
