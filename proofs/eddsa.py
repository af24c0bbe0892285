"""The EdDSA cryptosuites ``eddsa-rdfc-2022`` and ``eddsa-jcs-2022``.

Spec: https://www.w3.org/TR/vc-di-eddsa/ (sections 3.2 and 3.3): Ed25519
over SHA-256(canonical proof config) || SHA-256(canonical document), the
signature encoded as multibase base58btc.
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

__all__ = ["EDDSA_JCS_2022", "EDDSA_RDFC_2022"]

EDDSA_RDFC_2022: Final = HashAndSignSuite(
    "eddsa-rdfc-2022", frozenset({KeyAlgorithm.ED25519}), rdfc_transform, rdfc_config_transform
)
EDDSA_JCS_2022: Final = HashAndSignSuite(
    "eddsa-jcs-2022", frozenset({KeyAlgorithm.ED25519}), jcs_transform
)
