"""A credential must have a credentialSubject (VC 2.0 4.8), derived or not (issue 20)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from passeport.contexts import bundled_loader
from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.proofs import derive
from passeport.proofs.sign import sign_document
from passeport.verifier import Policy, verify_credential
from passeport.verifier.shape import subject_checks

LOADER = bundled_loader()
P256 = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.P256, bytes([23]) * 32))
CREATED = datetime(2025, 1, 1, tzinfo=UTC)
POLICY = Policy(at=datetime(2026, 1, 15, tzinfo=UTC))


def _credential(**members: Any) -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "type": ["VerifiableCredential"],
        "issuer": P256.controller,
        **members,
    }


def test_a_disclosure_of_the_issuer_alone_does_not_verify() -> None:
    signed = sign_document(
        _credential(credentialSubject={"p": "x"}),
        P256,
        suite="ecdsa-sd-2023",
        loader=LOADER,
        created=CREATED,
    )
    issuer_only = verify_credential(derive(signed, ["/issuer"], loader=LOADER), policy=POLICY)
    assert [(c.code, c.pointer) for c in issuer_only.failures()] == [
        ("input.subject", "/credentialSubject")
    ]
    with_subject = derive(signed, ["/issuer", "/credentialSubject"], loader=LOADER)
    assert verify_credential(with_subject, policy=POLICY).verified


@pytest.mark.parametrize(
    ("subject", "at"),
    [(None, ""), ([], ""), ({}, ""), ([{"p": "x"}, {}], "/1"), ([{"p": "x"}, 7], "/1")],
)
def test_a_missing_or_empty_subject_fails(subject: Any, at: str) -> None:
    document = _credential() if subject is None else _credential(credentialSubject=subject)
    (check,) = subject_checks(document, 2, "/verifiableCredential/2")
    assert (check.code, str(check.outcome), check.credential, check.pointer) == (
        "input.subject",
        "failed",
        2,
        f"/verifiableCredential/2/credentialSubject{at}",
    )


@pytest.mark.parametrize("subject", [{"id": "did:example:1"}, [{"p": "x"}], "did:example:1"])
def test_a_subject_passes(subject: Any) -> None:
    assert subject_checks(_credential(credentialSubject=subject), None, "") == []
