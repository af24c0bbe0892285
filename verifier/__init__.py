"""The embeddable verifier: check credentials and presentations, offline by default.

>>> from passeport.verifier import Policy, verify_any
>>> result = verify_any('{"@context": "https://www.w3.org/ns/credentials/v2"}')
>>> result.verified
False
"""

from passeport.verifier.bitstring import (
    Bitstring,
    StatusListCache,
    VerifiedList,
    decode_status_list,
)
from passeport.verifier.env import DEFAULT_SUITES, Environment, Policy
from passeport.verifier.pipeline import verify_any, verify_credential, verify_presentation
from passeport.verifier.result import Check, Outcome, VerificationResult
from passeport.verifier.trust import TrustedIssuer, TrustList, certification_codes, standing

__all__ = [
    "DEFAULT_SUITES",
    "Bitstring",
    "Check",
    "Environment",
    "Outcome",
    "Policy",
    "StatusListCache",
    "TrustList",
    "TrustedIssuer",
    "VerificationResult",
    "VerifiedList",
    "certification_codes",
    "decode_status_list",
    "standing",
    "verify_any",
    "verify_credential",
    "verify_presentation",
]
