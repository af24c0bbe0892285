"""The passeport product shell: the ``passeport`` command and the HTTP app.

The library itself is imported by role: ``verifier``, ``issuer``, ``wallet``,
``proofs``, ``did`` and ``contexts``.
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
