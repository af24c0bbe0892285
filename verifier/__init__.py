"""The embeddable verifier: check credentials and presentations, offline by default.

>>> from passeport.verifier import Policy, verify_any
>>> result = verify_any('{"@context": "https://www.w3.org/ns/credentials/v2"}')
>>> result.verified
False
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from passeport._lazy import lazy_package

if TYPE_CHECKING:
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

_SOURCES: dict[str, str] = {
    "Bitstring": "bitstring",
    "Check": "result",
    "DEFAULT_SUITES": "env",
    "Environment": "env",
    "Outcome": "result",
    "Policy": "env",
    "StatusListCache": "bitstring",
    "TrustList": "trust",
    "TrustedIssuer": "trust",
    "VerificationResult": "result",
    "VerifiedList": "bitstring",
    "certification_codes": "trust",
    "decode_status_list": "bitstring",
    "standing": "trust",
    "verify_any": "pipeline",
    "verify_credential": "pipeline",
    "verify_presentation": "pipeline",
}
"""The module defining each public name ("jcs:" for a submodule itself)."""


lazy_package(__name__, _SOURCES)
