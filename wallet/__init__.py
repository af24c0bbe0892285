"""The holder's wallet: an encrypted store, verified imports, presentations on request.

A wallet is one SQLite file (mode 0600) whose every credential is sealed with
AES-256-GCM under a key derived from the passphrase (scrypt). Credentials are
verified before they are stored (:func:`add`), listed from sealed metadata,
chosen by id or by answering a DCQL or Presentation Exchange request
(:func:`answer`), disclosed selectively when their issuer allows it, and
presented in a presentation signed by the holder (:func:`present`), or in
a CV, HTML or PDF, that carries it (:func:`make_cv`).

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

from __future__ import annotations

from typing import TYPE_CHECKING

from passeport._lazy import lazy_package

if TYPE_CHECKING:
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
    from passeport.wallet.career import Catalogue, JobProfile, RequiredSkill
    from passeport.wallet.cv import CvDocument, make_cv
    from passeport.wallet.declarations import (
        Link,
        declare,
        preferred,
        validation_request,
        validations,
    )
    from passeport.wallet.gap import Gap, skills_gap
    from passeport.wallet.importing import AddOutcome, add, add_files, credential_sources, refresh
    from passeport.wallet.inference import InferredSkill, infer
    from passeport.wallet.present import (
        Presentation,
        PresentationRefused,
        PresentedCredential,
        present,
    )
    from passeport.wallet.query import Answer, Match, UnmetRequest, answer
    from passeport.wallet.referentials import read_catalogue, read_job
    from passeport.wallet.store import Wallet

__all__ = [
    "AddOutcome",
    "Answer",
    "Catalogue",
    "CredentialFormat",
    "CredentialInfo",
    "CvDocument",
    "Flag",
    "Gap",
    "HeldCredential",
    "InferredSkill",
    "JobProfile",
    "KdfParams",
    "Link",
    "Match",
    "Presentation",
    "PresentationRefused",
    "PresentedCredential",
    "RequiredSkill",
    "Stored",
    "UnmetRequest",
    "Verification",
    "Wallet",
    "WalletEntry",
    "add",
    "add_files",
    "answer",
    "credential_sources",
    "declare",
    "infer",
    "make_cv",
    "preferred",
    "present",
    "read_catalogue",
    "read_job",
    "refresh",
    "skills_gap",
    "validation_request",
    "validations",
]

_SOURCES: dict[str, str] = {
    "AddOutcome": "importing",
    "Answer": "query",
    "Catalogue": "career",
    "CredentialFormat": "_records",
    "CredentialInfo": "_records",
    "CvDocument": "cv",
    "Flag": "_records",
    "Gap": "gap",
    "HeldCredential": "_records",
    "InferredSkill": "inference",
    "JobProfile": "career",
    "KdfParams": "_crypto",
    "Link": "declarations",
    "Match": "query",
    "Presentation": "present",
    "PresentationRefused": "present",
    "PresentedCredential": "present",
    "RequiredSkill": "career",
    "Stored": "_records",
    "UnmetRequest": "query",
    "Verification": "_records",
    "Wallet": "store",
    "WalletEntry": "_records",
    "add": "importing",
    "add_files": "importing",
    "answer": "query",
    "credential_sources": "importing",
    "declare": "declarations",
    "infer": "inference",
    "make_cv": "cv",
    "preferred": "declarations",
    "present": "present",
    "read_catalogue": "referentials",
    "read_job": "referentials",
    "refresh": "importing",
    "skills_gap": "gap",
    "validation_request": "declarations",
    "validations": "declarations",
}
"""The module defining each public name ("jcs:" for a submodule itself)."""


lazy_package(__name__, _SOURCES, shadowed=frozenset({"present"}))
