"""The embeddable verifier: check credentials and presentations, offline by default.

>>> from verifier import Policy, verify_any
>>> result = verify_any('{"@context": "https://www.w3.org/ns/credentials/v2"}')
>>> result.verified
False
"""

from verifier.env import DEFAULT_SUITES, Environment, Policy
from verifier.pipeline import verify_any, verify_credential, verify_presentation
from verifier.result import Check, Outcome, VerificationResult

__all__ = [
    "DEFAULT_SUITES",
    "Check",
    "Environment",
    "Outcome",
    "Policy",
    "VerificationResult",
    "verify_any",
    "verify_credential",
    "verify_presentation",
]
