"""The holder's wallet: an encrypted store, verified imports, presentations on request.

A wallet is one SQLite file (mode 0600) whose every credential is sealed with
AES-256-GCM under a key derived from the passphrase (scrypt). Credentials are
verified before they are stored (:func:`add`), listed from sealed metadata,
chosen by id or by answering a DCQL or Presentation Exchange request
(:func:`answer`), disclosed selectively when their issuer allows it, and
presented in a presentation signed by the holder (:func:`present`), or in
an HTML CV that embeds it (:func:`render_cv`).

>>> import pathlib, tempfile
>>> from passeport.wallet import KdfParams, Wallet
>>> path = pathlib.Path(tempfile.mkdtemp()) / "wallet.sqlite"
>>> mine = Wallet.create(path, "a long passphrase", kdf=KdfParams.fresh(n=2**10))
>>> mine.did.startswith("did:key:z6Mk"), mine.entries()
(True, [])
>>> oct(path.stat().st_mode & 0o777)
'0o600'
>>> Wallet.open(path, "a wrong one")  # doctest: +ELLIPSIS
Traceback (most recent call last):
    ...
passeport.errors.WalletError: .../wallet.sqlite: wrong passphrase
"""

from passeport.wallet._crypto import KdfParams
from passeport.wallet._records import (
    CredentialFormat,
    CredentialInfo,
    Flag,
    HeldCredential,
    Stored,
    Verification,
    WalletEntry,
)
from passeport.wallet.cv import render_cv
from passeport.wallet.importing import AddOutcome, add, add_files, credential_sources, refresh
from passeport.wallet.present import Presentation, PresentationRefused, PresentedCredential, present
from passeport.wallet.query import Answer, Match, UnmetRequest, answer
from passeport.wallet.store import Wallet

__all__ = [
    "AddOutcome",
    "Answer",
    "CredentialFormat",
    "CredentialInfo",
    "Flag",
    "HeldCredential",
    "KdfParams",
    "Match",
    "Presentation",
    "PresentationRefused",
    "PresentedCredential",
    "Stored",
    "UnmetRequest",
    "Verification",
    "Wallet",
    "WalletEntry",
    "add",
    "add_files",
    "answer",
    "credential_sources",
    "present",
    "refresh",
    "render_cv",
]
