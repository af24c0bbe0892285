"""The Data Integrity cryptosuites this toolkit implements, by spec id.

Every securing mechanism, these suites and the enveloping formats alike, is
registered in :mod:`proofs.mechanism`; roles ask that registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from passeport.did.keys import KeyAlgorithm
from passeport.proofs.ecdsa import ECDSA_JCS_2019, ECDSA_RDFC_2019
from passeport.proofs.ecdsa_sd import ECDSA_SD_2023
from passeport.proofs.eddsa import EDDSA_JCS_2022, EDDSA_RDFC_2022
from passeport.proofs.suite import Cryptosuite

__all__ = ["DATA_INTEGRITY_SUITES", "DEFAULT_SUITE", "DEFAULT_SUITE_FOR", "suite_named"]

DATA_INTEGRITY_SUITES: Final[Mapping[str, Cryptosuite]] = MappingProxyType(
    {
        suite.name: suite
        for suite in (
            EDDSA_RDFC_2022,
            EDDSA_JCS_2022,
            ECDSA_RDFC_2019,
            ECDSA_JCS_2019,
            ECDSA_SD_2023,
        )
    }
)
DEFAULT_SUITE: Final = EDDSA_RDFC_2022.name
DEFAULT_SUITE_FOR: Final[Mapping[KeyAlgorithm, str]] = MappingProxyType(
    {
        KeyAlgorithm.ED25519: EDDSA_RDFC_2022.name,
        KeyAlgorithm.P256: ECDSA_RDFC_2019.name,
        KeyAlgorithm.P384: ECDSA_RDFC_2019.name,
    }
)
"""The suite a key signs with when nobody chose one (a presentation, a new profile)."""


def suite_named(name: str) -> Cryptosuite:
    """Return the Data Integrity cryptosuite called ``name``.

    Raises:
        ValueError: no such suite here (the CLI turns this into a usage error).
    """
    try:
        return DATA_INTEGRITY_SUITES[name]
    except KeyError:
        known = ", ".join(sorted(DATA_INTEGRITY_SUITES))
        raise ValueError(f'unknown cryptosuite "{name}" (known: {known})') from None
