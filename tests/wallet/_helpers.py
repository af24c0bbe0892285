"""Credentials, keys and wallets for the wallet tests: fixed seeds, a fixed clock."""

from __future__ import annotations

import copy
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.proofs.sign import sign_document
from passeport.verifier import Environment, Policy
from passeport.wallet import KdfParams, Wallet
from tests.conftest import FIXED_NOW

VC_V2: Final = "https://www.w3.org/ns/credentials/v2"
OB_V3: Final = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CREATED: Final = datetime.fromisoformat("2025-07-01T12:00:00+00:00")
PASSPHRASE: Final = "correct horse battery staple"
# Cheap scrypt for tests (the default costs ~0.5 s per unlock).
FAST_KDF: Final = KdfParams(salt=b"passeport-tests!", n=2**10, r=8, p=1)


def ed25519(n: int) -> KeyPair:
    """The Ed25519 did:key pair whose secret is ``n`` repeated 32 times."""
    return KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([n]) * 32))


def p256(n: int) -> KeyPair:
    """The P-256 did:key pair whose secret is ``n`` repeated 32 times."""
    return KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.P256, bytes([n]) * 32))


UNIVERSITY: Final = ed25519(21)
TRAINER: Final = p256(22)  # signs ecdsa-sd-2023 credentials
HOLDER: Final = ed25519(23)
SOMEONE_ELSE: Final = ed25519(24)


def env(now: datetime = FIXED_NOW) -> Environment:
    """An offline environment at a fixed time."""
    return Environment(clock=lambda: now)


def policy(now: datetime = FIXED_NOW) -> Policy:
    """A policy verifying at a fixed time."""
    return Policy(at=now)


def new_wallet(tmp_path: Path, *, name: str = "wallet.sqlite", key: KeyPair = HOLDER) -> Wallet:
    """A fresh wallet for the holder, with cheap scrypt."""
    return Wallet.create(tmp_path / name, PASSPHRASE, key=key, kdf=FAST_KDF)


def diploma_document(
    *,
    number: int = 1,
    subject: str | None = HOLDER.controller,
    title: str = "Développeur web et web mobile",
    level: int = 5,
    code: str = "RNCP37674",
    birth_date: str = "1999-04-02",
    valid_until: str | None = None,
    status: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An unsigned OB 3.0 diploma shaped as issuer/templates.py shapes them."""
    subject_doc: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": "Camille Martin",
                "identityType": "name",
                "hashed": False,
            },
            {
                "type": "IdentityObject",
                "identityHash": birth_date,
                "identityType": "ext:BirthDate",
                "hashed": False,
            },
        ],
        "achievement": {
            "id": f"https://www.francecompetences.fr/recherche/rncp/{code[4:]}/",
            "type": ["Achievement"],
            "achievementType": "Diploma",
            "name": title,
            "description": f"Titre professionnel de niveau {level}.",
            "criteria": {"narrative": "Validation des blocs de compétences devant un jury."},
            "alignment": [
                {
                    "type": ["Alignment"],
                    "targetType": "ext:Certification",
                    "targetFramework": "RNCP",
                    "targetCode": code,
                    "targetName": title,
                    "targetUrl": f"https://www.francecompetences.fr/recherche/rncp/{code[4:]}/",
                },
                {
                    "type": ["Alignment"],
                    "targetType": "ext:EQFLevel",
                    "targetFramework": "EQF",
                    "targetCode": str(level),
                    "targetName": f"Niveau {level} (cadre européen des certifications)",
                    "targetUrl": "https://europa.eu/europass/en/description-eight-eqf-levels",
                },
            ],
        },
    }
    if subject is not None:
        subject_doc["id"] = subject
    document: dict[str, Any] = {
        "@context": [VC_V2, OB_V3],
        "id": f"urn:uuid:00000000-0000-4000-8000-{number:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"Titre professionnel {title}",
        "validFrom": "2025-07-01T00:00:00Z",
        "credentialSubject": subject_doc,
    }
    if valid_until is not None:
        document["validUntil"] = valid_until
    if status is not None:
        document["credentialStatus"] = status
    return document


def first_aid_document(
    *,
    number: int = 100,
    subject: str | None = HOLDER.controller,
    name: str = "Sauveteur Secouriste du Travail",
    valid_until: str = "2027-07-01T23:59:59Z",
) -> dict[str, Any]:
    """An unsigned OB 3.0 workplace first-aid training certificate (expires)."""
    document = diploma_document(number=number, subject=subject, title=name)
    achievement = document["credentialSubject"]["achievement"]
    achievement["achievementType"] = "Certificate"
    achievement["description"] = "Formation aux gestes de premiers secours au travail."
    del achievement["alignment"]
    document["name"] = name
    document["validUntil"] = valid_until
    return document


def signed(
    document: dict[str, Any],
    *,
    signer: KeyPair = UNIVERSITY,
    suite: str = "eddsa-rdfc-2022",
    mandatory: tuple[str, ...] = (),
) -> dict[str, Any]:
    """``document`` signed by ``signer`` at a fixed time."""
    return dict(
        sign_document(
            copy.deepcopy(document), signer, suite=suite, created=CREATED, mandatory=mandatory
        )
    )


def selective(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` signed with an ecdsa-sd-2023 base proof by the training body."""
    return signed(
        document, signer=TRAINER, suite="ecdsa-sd-2023", mandatory=("/issuer", "/validFrom")
    )
