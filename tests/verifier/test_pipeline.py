"""Presentation and validity checks of the pipeline, passing and failing."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.proofs.sign import sign_document
from passeport.verifier import Policy, verify_credential, verify_presentation
from tests.cli.test_cli import SAMPLE


def _pair(seed: int) -> KeyPair:
    return KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([seed]) * 32))


ISSUER, HOLDER, OTHER = _pair(31), _pair(32), _pair(33)
WHEN = datetime(2026, 9, 1, tzinfo=UTC)


def _credential(**changes: Any) -> dict[str, Any]:
    document = json.loads(SAMPLE.read_text())
    document["credentialSubject"]["id"] = HOLDER.controller
    document.update(changes)
    return sign_document(document, ISSUER, created=datetime(2026, 7, 1, tzinfo=UTC))


def _presentation(credential: dict[str, Any], signer: KeyPair = HOLDER) -> dict[str, Any]:
    vp = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": HOLDER.controller,
        "verifiableCredential": [credential],
    }
    unsigned = dict(vp)
    if signer is not HOLDER:
        unsigned.pop("holder")
    signed = sign_document(
        unsigned, signer, challenge="c", domain="d", created=datetime(2026, 8, 1, tzinfo=UTC)
    )
    signed["holder"] = HOLDER.controller
    return signed


POLICY = Policy(challenge="c", domain="d", at=WHEN)


def _failed(result: Any) -> set[str]:
    return {c.code for c in result.failures()}


def test_valid_presentation() -> None:
    result = verify_presentation(_presentation(_credential()), policy=POLICY)
    assert result.verified, result.failures()


def test_presentation_signed_by_someone_else_than_the_holder() -> None:
    result = verify_presentation(_presentation(_credential(), signer=OTHER), policy=POLICY)
    assert "proof.controller" in _failed(result)
    assert not result.verified


def test_tampered_credential_inside_a_valid_presentation_is_caught() -> None:
    credential = _credential()
    vp = _presentation(credential)
    vp_tampered = copy.deepcopy(vp)
    vp_tampered["verifiableCredential"][0]["credentialSubject"]["name"] = "Someone Else"
    # The presentation proof covers the credential too: both fail, each named.
    result = verify_presentation(vp_tampered, policy=POLICY)
    failed = [(c.code, c.credential) for c in result.failures()]
    assert ("proof.signature", 0) in failed and ("proof.signature", None) in failed


def test_not_yet_valid_and_expired() -> None:
    future = _credential(validFrom="2027-01-01T00:00:00Z")
    assert _failed(verify_credential(future, policy=Policy(at=WHEN))) == {"validity.not_yet_valid"}
    past = _credential(validUntil="2026-08-01T00:00:00Z")
    assert _failed(verify_credential(past, policy=Policy(at=WHEN))) == {"validity.expired"}
    assert verify_credential(past, policy=Policy(at=datetime(2026, 7, 15, tzinfo=UTC))).verified


def test_credential_about_someone_else_fails_unless_the_policy_relaxes_binding() -> None:
    document = json.loads(SAMPLE.read_text())
    document["credentialSubject"]["id"] = OTHER.controller
    credential = sign_document(document, ISSUER, created=datetime(2026, 7, 1, tzinfo=UTC))
    assert _failed(verify_presentation(_presentation(credential), policy=POLICY)) == {
        "holder.binding"
    }
    lenient = Policy(challenge="c", domain="d", at=WHEN, require_holder_binding=False)
    relaxed = verify_presentation(_presentation(credential), policy=lenient)
    assert relaxed.verified and any("not bound" in w for w in relaxed.warnings)


def test_issuer_dependent_terms_are_reported_as_warnings() -> None:
    unsigned = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/undefined-terms/v2",
        ],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": HOLDER.controller, "couleurPreferee": "bleu"},
    }
    signed = sign_document(unsigned, ISSUER, created=datetime(2026, 7, 1, tzinfo=UTC))
    alone = verify_credential(signed, policy=Policy(at=WHEN))
    assert alone.verified, alone.failures()
    [warning] = alone.warnings
    assert warning.startswith('/credentialSubject/couleurPreferee: term "couleurPreferee"')
    assert "issuer-dependent" in warning
    presented = verify_presentation(_presentation(signed), policy=POLICY)
    assert presented.verified, presented.failures()
    assert any(
        w.startswith("credential 0: /credentialSubject/couleurPreferee") for w in presented.warnings
    )


def test_a_credential_with_only_defined_terms_has_no_warning() -> None:
    assert verify_credential(_credential(), policy=Policy(at=WHEN)).warnings == ()


def _codes(result: Any) -> list[tuple[str, str, int | None, str | None]]:
    return [(c.code, str(c.outcome), c.credential, c.pointer) for c in result.failures()]


def test_a_well_formed_credential_and_presentation_pass_the_input_checks() -> None:
    result = verify_presentation(_presentation(_credential()), policy=POLICY)
    assert not [c for c in result.checks if c.code.startswith(("input.", "holder.missing"))]
    assert ("holder.binding", "passed") in [(c.code, str(c.outcome)) for c in result.checks]
    assert [c.code for c in result.checks if c.code.startswith("validity.")] == ["validity.period"]


def test_what_is_not_a_credential_is_named() -> None:
    unsigned = json.loads(SAMPLE.read_text())
    unsigned["@context"][0] = "https://www.w3.org/ns/credentials/examples/v2"
    unsigned["type"] = ["OpenBadgeCredential"]
    unsigned.pop("issuer", None)
    found = {(code, pointer) for code, _, _, pointer in _codes(verify_credential(unsigned))}
    assert found >= {
        ("input.context", "/@context"),
        ("input.type", "/type"),
        ("input.issuer", "/issuer"),
    }


def test_an_unreadable_credential_inside_a_presentation_hides_nothing_else() -> None:
    vp = _presentation(_credential())
    vp["verifiableCredential"] = [vp["verifiableCredential"][0], 42]
    result = verify_presentation(vp, policy=POLICY)
    assert ("input.credential", "failed", 1, "/verifiableCredential/1") in _codes(result)
    assert ("proof.signature", "passed") in [
        (c.code, str(c.outcome)) for c in result.checks if c.credential == 0
    ]


def test_a_presentation_without_holder_or_its_type() -> None:
    vp = _presentation(_credential())
    del vp["holder"]
    vp["type"] = ["Presentation"]
    found = {code for code, _, _, _ in _codes(verify_presentation(vp, policy=POLICY))}
    # holder is optional (VC 2.0): only the type is named as missing.
    assert "input.type" in found and "holder.missing" not in found


def test_unreadable_dates_are_malformed_not_expired(monkeypatch: pytest.MonkeyPatch) -> None:
    # The issuer refuses such dates (contexts/portable.py); sign them anyway to check the verifier.
    monkeypatch.setattr("passeport.proofs.engine.check_portable", lambda *_a, **_k: None)
    odd = _credential(validFrom="the first of July")
    assert _codes(verify_credential(odd, policy=Policy(at=WHEN))) == [
        ("validity.malformed", "failed", None, "/validFrom")
    ]
    v1 = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "issuer": ISSUER.controller,
        "credentialSubject": {"id": HOLDER.controller},
    }
    signed = sign_document(v1, ISSUER, created=datetime(2026, 7, 1, tzinfo=UTC))
    assert ("validity.malformed", "failed", None, "/issuanceDate") in _codes(
        verify_credential(signed, policy=Policy(at=WHEN))
    )
    dated = sign_document(
        {**v1, "issuanceDate": "2026-07-01T00:00:00Z"},
        ISSUER,
        created=datetime(2026, 7, 1, tzinfo=UTC),
    )
    assert verify_credential(dated, policy=Policy(at=WHEN)).verified
