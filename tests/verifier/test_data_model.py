"""What the VC Data Model forbids does not verify, however it was signed (issue 14).

The signer refuses these documents (``tests/proofs/test_model.py``); another
implementation may sign them anyway, so they are signed here with the bare
proof engine (:func:`proofs.add_proof`, which does not judge the data model)
and must fail, each under its code and pointer.

Spec: https://www.w3.org/TR/vc-data-model-2.0/ .
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any, Final

import pytest

from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.proofs import EDDSA_RDFC_2022, KeySigner, ProofOptions, add_proof
from passeport.proofs.model import TYPED_MEMBERS, VC_V2
from passeport.proofs.sign import sign_document
from passeport.verifier import (
    Environment,
    Policy,
    VerificationResult,
    verify_credential,
    verify_presentation,
)

ISSUER: Final = KeyPair.from_private_key(
    PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([42]) * 32)
)
HOLDER: Final = KeyPair.from_private_key(
    PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([43]) * 32)
)
EXAMPLES_V2: Final = "https://www.w3.org/ns/credentials/examples/v2"
CRED: Final = "https://www.w3.org/2018/credentials#"
SIGNED_AT: Final = datetime(2025, 7, 1, tzinfo=UTC)
ENV: Final = Environment(clock=lambda: datetime(2026, 1, 15, tzinfo=UTC))


def _unsigned(**members: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": [VC_V2, EXAMPLES_V2],
        "type": ["VerifiableCredential"],
        "issuer": ISSUER.controller,
        "validFrom": "2025-07-01T00:00:00Z",
        "credentialSubject": {"id": HOLDER.controller, "name": "Camille"},
    }
    document.update(members)
    return {k: v for k, v in document.items() if v is not None}


def _engine_signed(document: dict[str, Any], pair: KeyPair = ISSUER, **options: Any) -> Any:
    """Sign with the bare engine, as another implementation could."""
    return add_proof(
        document,
        suite=EDDSA_RDFC_2022,
        signer=KeySigner(pair.private_key, pair.verification_method),
        options=ProofOptions(created=SIGNED_AT, **options),
    )


def _failed(result: VerificationResult) -> list[tuple[str, str | None]]:
    return [(c.code, c.pointer) for c in result.failures()]


def test_a_well_formed_credential_verifies_as_signed_by_the_engine() -> None:
    assert verify_credential(_engine_signed(_unsigned()), env=ENV).verified


@pytest.mark.parametrize(
    ("subject", "pointer"),
    [(None, "/credentialSubject"), ({}, "/credentialSubject"), ([{}], "/credentialSubject/0")],
)
def test_no_subject_or_an_empty_one_fails(subject: Any, pointer: str) -> None:
    document = _unsigned(credentialSubject=subject)  # None: left out
    result = verify_credential(_engine_signed(document), env=ENV)
    assert _failed(result) == [("input.subject", pointer)]


def test_a_credential_whose_first_context_is_examples_fails() -> None:
    signed = _engine_signed(_unsigned(**{"@context": [EXAMPLES_V2, VC_V2]}))
    assert _failed(verify_credential(signed, env=ENV)) == [("input.context", "/@context")]


def test_a_reexpressed_credential_is_judged_on_its_own_first_context() -> None:
    # Its view is compacted against the verifier's contexts (VC 2.0 first): the rule
    # must read the context as written, or a member spelled by IRI would hide it.
    document = _unsigned(**{"@context": [EXAMPLES_V2, VC_V2]})
    document[f"{CRED}validUntil"] = {
        "@value": "2030-01-01T00:00:00Z",
        "@type": "http://www.w3.org/2001/XMLSchema#dateTimeStamp",
    }
    result = verify_credential(_engine_signed(document), env=ENV)
    assert ("input.context", "/@context") in _failed(result) and not result.verified


def test_a_presentation_whose_first_context_is_examples_fails() -> None:
    credential = sign_document(_unsigned(), ISSUER, created=SIGNED_AT)
    vp = {
        "@context": [EXAMPLES_V2, VC_V2],
        "type": ["VerifiablePresentation"],
        "holder": HOLDER.controller,
        "verifiableCredential": [credential],
    }
    signed = _engine_signed(vp, HOLDER, proof_purpose="authentication", challenge="c")
    result = verify_presentation(signed, policy=Policy(challenge="c"), env=ENV)
    assert _failed(result) == [("input.context", "/@context")]
    well_formed = copy.deepcopy(vp)
    well_formed["@context"] = [VC_V2]
    signed = _engine_signed(well_formed, HOLDER, proof_purpose="authentication", challenge="c")
    assert verify_presentation(signed, policy=Policy(challenge="c"), env=ENV).verified


@pytest.mark.parametrize("member", TYPED_MEMBERS)
def test_each_typed_member_without_type_fails(member: str) -> None:
    value = [
        {"id": "https://univ.example/x", "type": "ExampleType"},
        {"id": "https://univ.example/y"},
    ]
    result = verify_credential(_engine_signed(_unsigned(**{member: value})), env=ENV)
    assert ("input.member", f"/{member}/1/type") in _failed(result)
    assert not result.verified


def test_a_typed_member_written_under_its_iri_is_judged_too() -> None:
    document = _unsigned()
    document[f"{CRED}evidence"] = {"@id": "https://univ.example/evidence/1"}
    result = verify_credential(_engine_signed(document), env=ENV)
    assert ("input.member", "/evidence") in _failed(result)


def test_terms_of_use_of_a_presentation_need_a_type() -> None:
    credential = sign_document(_unsigned(), ISSUER, created=SIGNED_AT)
    vp = {
        "@context": [VC_V2, EXAMPLES_V2],
        "type": ["VerifiablePresentation"],
        "holder": HOLDER.controller,
        "termsOfUse": {"id": "https://rh.example/terms"},
        "verifiableCredential": [credential],
    }
    signed = _engine_signed(vp, HOLDER, proof_purpose="authentication")
    result = verify_presentation(signed, env=ENV)
    assert _failed(result) == [("input.member", "/termsOfUse/type")]


def test_the_rules_apply_to_each_credential_of_a_presentation() -> None:
    bad = _engine_signed(_unsigned(termsOfUse={"id": "https://univ.example/t"}))
    vp = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "holder": HOLDER.controller,
        "verifiableCredential": [bad],
    }
    signed = sign_document(vp, HOLDER, created=SIGNED_AT)
    result = verify_presentation(signed, env=ENV)
    assert [(c.code, c.credential, c.pointer) for c in result.failures()] == [
        ("input.member", 0, "/verifiableCredential/0/termsOfUse/type")
    ]


@pytest.mark.parametrize("member", ["validFrom", "validUntil"])
def test_a_date_without_time_zone_is_malformed(
    member: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The signer refuses it (contexts/portable.py); sign it anyway to check the verifier.
    monkeypatch.setattr("passeport.proofs.engine.check_portable", lambda *_a, **_k: None)
    signed = _engine_signed(_unsigned(**{member: "2025-07-01T00:00:00"}))
    assert _failed(verify_credential(signed, env=ENV)) == [("validity.malformed", f"/{member}")]


def test_a_vc_1_1_date_without_time_zone_is_still_a_date_time() -> None:
    # VC 1.1 asks for an XML Schema dateTime, whose time zone is optional.
    document = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "issuer": ISSUER.controller,
        "issuanceDate": "2025-07-01T00:00:00Z",
        "credentialSubject": {"id": HOLDER.controller},
    }
    signed = sign_document(document, ISSUER, created=SIGNED_AT)
    assert verify_credential(signed, env=ENV).verified
