"""Securing mechanisms behind one interface: Data Integrity cryptosuites.

Implemented: ``eddsa-rdfc-2022``, ``eddsa-jcs-2022``, ``ecdsa-rdfc-2019`` and
``ecdsa-jcs-2019`` (P-256 and P-384), driven by one proof engine, and the
selective-disclosure suite ``ecdsa-sd-2023``: the issuer signs a base proof
(:func:`add_proof` with ``mandatory=``), the holder checks it with
:func:`verify_base` and hands out :func:`derive`-d disclosures.
Enveloping proofs: ``vc+jwt``/``vp+jwt`` (:func:`sign_vc_jwt`, :func:`verify_jwt`)
and SD-JWT VC (:func:`issue_sd_jwt`, :func:`present_sd_jwt`, :func:`verify_sd_jwt`).
Every one is a :class:`SecuringMechanism` in one registry (:mod:`proofs.mechanism`:
:func:`mechanism_named`, :func:`mechanisms`, :func:`register`), which the issuer,
the wallet and the verifier ask instead of naming suites. Signing recipes take
any :class:`Signer` (a key file's key, or a key in an HSM or a cloud KMS).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from passeport._lazy import lazy_package

if TYPE_CHECKING:
    from passeport.proofs.ecdsa import ECDSA_JCS_2019, ECDSA_RDFC_2019
    from passeport.proofs.ecdsa_sd import ECDSA_SD_2023, derive, verify_base
    from passeport.proofs.eddsa import EDDSA_JCS_2022, EDDSA_RDFC_2022
    from passeport.proofs.engine import (
        ProofExpectation,
        ProofOptions,
        ProofOutcome,
        add_proof,
        format_datetime,
        parse_datetime,
        proofs_of,
        verify_proofs,
    )
    from passeport.proofs.jose import JwtVerification, sign_vc_jwt, sign_vp_jwt, verify_jwt
    from passeport.proofs.mechanism import (
        SecuringMechanism,
        Verified,
        mechanism_named,
        mechanisms,
        register,
        unregister,
    )
    from passeport.proofs.outcome import Outcome
    from passeport.proofs.registry import DATA_INTEGRITY_SUITES, DEFAULT_SUITE, suite_named
    from passeport.proofs.sdjwt import issue_sd_jwt, present_sd_jwt, verify_sd_jwt
    from passeport.proofs.suite import Cryptosuite, HashAndSignSuite, KeySigner, Signer

__all__ = [
    "DATA_INTEGRITY_SUITES",
    "DEFAULT_SUITE",
    "ECDSA_JCS_2019",
    "ECDSA_RDFC_2019",
    "ECDSA_SD_2023",
    "EDDSA_JCS_2022",
    "EDDSA_RDFC_2022",
    "Cryptosuite",
    "HashAndSignSuite",
    "JwtVerification",
    "KeySigner",
    "Outcome",
    "ProofExpectation",
    "ProofOptions",
    "ProofOutcome",
    "SecuringMechanism",
    "Signer",
    "Verified",
    "add_proof",
    "derive",
    "format_datetime",
    "issue_sd_jwt",
    "mechanism_named",
    "mechanisms",
    "parse_datetime",
    "present_sd_jwt",
    "proofs_of",
    "register",
    "sign_vc_jwt",
    "sign_vp_jwt",
    "suite_named",
    "unregister",
    "verify_base",
    "verify_jwt",
    "verify_proofs",
    "verify_sd_jwt",
]

_SOURCES: dict[str, str] = {
    "Cryptosuite": "suite",
    "DATA_INTEGRITY_SUITES": "registry",
    "DEFAULT_SUITE": "registry",
    "ECDSA_JCS_2019": "ecdsa",
    "ECDSA_RDFC_2019": "ecdsa",
    "ECDSA_SD_2023": "ecdsa_sd",
    "EDDSA_JCS_2022": "eddsa",
    "EDDSA_RDFC_2022": "eddsa",
    "HashAndSignSuite": "suite",
    "JwtVerification": "jose",
    "KeySigner": "suite",
    "Outcome": "outcome",
    "ProofExpectation": "engine",
    "ProofOptions": "engine",
    "ProofOutcome": "engine",
    "SecuringMechanism": "mechanism",
    "Signer": "suite",
    "Verified": "mechanism",
    "add_proof": "engine",
    "derive": "ecdsa_sd",
    "format_datetime": "engine",
    "issue_sd_jwt": "sdjwt",
    "mechanism_named": "mechanism",
    "mechanisms": "mechanism",
    "parse_datetime": "engine",
    "present_sd_jwt": "sdjwt",
    "proofs_of": "engine",
    "register": "mechanism",
    "sign_vc_jwt": "jose",
    "sign_vp_jwt": "jose",
    "suite_named": "registry",
    "unregister": "mechanism",
    "verify_base": "ecdsa_sd",
    "verify_jwt": "jose",
    "verify_proofs": "engine",
    "verify_sd_jwt": "sdjwt",
}
"""The module defining each public name ("jcs:" for a submodule itself)."""


lazy_package(__name__, _SOURCES)
