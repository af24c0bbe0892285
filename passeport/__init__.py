"""The passeport product shell: the ``passeport`` command and the HTTP app.

The library itself is imported by role, in this namespace:
``passeport.verifier``, ``passeport.issuer``, ``passeport.wallet``,
``passeport.proofs``, ``passeport.did`` and ``passeport.contexts`` (the
repository's top-level folders of the same names, linked here).
"""

from passeport.errors import (
    ContextError,
    InputError,
    KeyFormatError,
    PasseportError,
    ResolutionError,
    SigningError,
    WalletError,
)

__all__ = [
    "ContextError",
    "InputError",
    "KeyFormatError",
    "PasseportError",
    "ResolutionError",
    "SigningError",
    "WalletError",
]

__version__ = "0.1.0"
