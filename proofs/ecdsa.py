"""The ECDSA cryptosuites ``ecdsa-rdfc-2019`` and ``ecdsa-jcs-2019`` (P-256, P-384).

Spec: https://www.w3.org/TR/vc-di-ecdsa/ (sections 3.2 and 3.3). With a
P-384 key every hash is SHA-384, including the one inside RDFC-1.0; the
combined hash is signed with ECDSA (which hashes it again) and the signature
is the raw r||s, encoded as multibase base58btc.
"""

from __future__ import annotations

from typing import Final

from passeport.did.keys import KeyAlgorithm
from passeport.proofs.suite import (
    HashAndSignSuite,
    jcs_transform,
    rdfc_config_transform,
    rdfc_transform,
)

__all__ = ["ECDSA_JCS_2019", "ECDSA_RDFC_2019"]

_CURVES = frozenset({KeyAlgorithm.P256, KeyAlgorithm.P384})

ECDSA_RDFC_2019: Final = HashAndSignSuite(
    "ecdsa-rdfc-2019", _CURVES, rdfc_transform, rdfc_config_transform
)
ECDSA_JCS_2019: Final = HashAndSignSuite("ecdsa-jcs-2019", _CURVES, jcs_transform)
