"""A presentation may name no holder (VC 2.0); the binding then reads who signed it (issue 14).

Spec: https://www.w3.org/TR/vc-data-model-2.0/#verifiable-presentations
(``holder`` is optional). Without ``holder``, a credential about a DID is
bound to its presenter only when a key of that DID signed the presentation
(for ``authentication``, every check of that proof passing); a credential
about someone else is never verified as the presenter's.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import pytest

from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.proofs import EDDSA_RDFC_2022, KeySigner, ProofOptions, add_proof
from passeport.proofs._jws import (
    alg_for,
    encode_compact,
    json_bytes,
    signer_of,
    verification_method_of,
)
from passeport.proofs.jose import sign_vc_jwt
from passeport.proofs.sign import sign_document
from passeport.verifier import Policy, VerificationResult, verify_any, verify_presentation

VC_V2: Final = "https://www.w3.org/ns/credentials/v2"
EXAMPLES_V2: Final = "https://www.w3.org/ns/credentials/examples/v2"
ISSUER, HOLDER, ATTACKER = (
    KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([seed]) * 32))
    for seed in (45, 46, 47)
)
SIGNED_AT: Final = datetime(2025, 7, 1, tzinfo=UTC)
NOW: Final = datetime(2026, 1, 15, tzinfo=UTC)
POLICY: Final = Policy(at=NOW, challenge="offre-42", domain="rh.example")


def _credential(subject_id: str | None = HOLDER.controller) -> dict[str, Any]:
    subject: dict[str, Any] = {"name": "Camille"}
    if subject_id is not None:
        subject["id"] = subject_id
    document = {
        "@context": [VC_V2, EXAMPLES_V2],
        "type": ["VerifiableCredential"],
        "issuer": ISSUER.controller,
        "validFrom": "2025-07-01T00:00:00Z",
        "credentialSubject": subject,
    }
    return dict(sign_document(document, ISSUER, created=SIGNED_AT))


def _presentation(*credentials: Any, signer: KeyPair, **options: Any) -> Any:
    """A presentation without holder, signed by ``signer`` (the engine fills in nothing)."""
    vp = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": list(credentials),
    }
    options = {"challenge": "offre-42", "domain": "rh.example", "created": NOW, **options}
    return add_proof(
        vp,
        suite=EDDSA_RDFC_2022,
        signer=KeySigner(signer.private_key, signer.verification_method),
        options=ProofOptions(proof_purpose="authentication", **options),
    )


def _outcomes(result: VerificationResult) -> list[tuple[str, str]]:
    return [(c.code, str(c.outcome)) for c in result.checks if c.code.startswith("holder.")]


def test_a_holder_presenting_their_own_credential_needs_not_name_themselves() -> None:
    result = verify_presentation(_presentation(_credential(), signer=HOLDER), policy=POLICY)
    assert result.verified, result.failures()
    assert _outcomes(result) == [("holder.binding", "passed")]
    assert "who signed the presentation" in next(
        c.message for c in result.checks if c.code == "holder.binding"
    )


def test_someone_elses_credential_presented_without_holder_is_not_verified() -> None:
    result = verify_presentation(_presentation(_credential(), signer=ATTACKER), policy=POLICY)
    assert not result.verified
    assert _outcomes(result) == [("holder.binding", "failed")]
    (binding,) = [c for c in result.checks if c.code == "holder.binding"]
    assert ATTACKER.controller in binding.message and binding.credential == 0


def test_the_policy_may_accept_it_as_presented_on_someone_elses_behalf() -> None:
    lenient = Policy(
        at=NOW, challenge="offre-42", domain="rh.example", require_holder_binding=False
    )
    result = verify_presentation(_presentation(_credential(), signer=ATTACKER), policy=lenient)
    assert result.verified and _outcomes(result) == []
    assert [w for w in result.warnings if "not bound to who presents it" in w]


def test_a_bearer_credential_needs_no_holder() -> None:
    vp = _presentation(_credential(subject_id=None), signer=ATTACKER)
    result = verify_presentation(vp, policy=POLICY)
    assert result.verified and _outcomes(result) == []


@pytest.mark.parametrize(
    "policy",
    [
        Policy(at=NOW, challenge="another", domain="rh.example"),
        Policy(at=NOW, challenge="offre-42", domain="rh.example", max_age=timedelta(seconds=1)),
    ],
    ids=["replayed", "too old"],
)
def test_a_proof_that_fails_shows_no_presenter(policy: Policy) -> None:
    vp = _presentation(_credential(), signer=HOLDER, created=NOW - timedelta(hours=1))
    result = verify_presentation(vp, policy=policy)
    assert not result.verified
    assert _outcomes(result) == [("holder.binding", "failed")]


def test_a_tampered_presentation_binds_nobody() -> None:
    vp = _presentation(_credential(), signer=HOLDER)
    tampered = copy.deepcopy(vp)
    tampered["verifiableCredential"].append(_credential(subject_id=None))
    result = verify_presentation(tampered, policy=POLICY)
    assert ("proof.signature", "failed") in [(c.code, str(c.outcome)) for c in result.checks]
    assert _outcomes(result) == [("holder.binding", "failed")]


def test_an_unsigned_presentation_binds_nobody() -> None:
    vp = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [_credential()],
    }
    result = verify_presentation(vp, policy=POLICY)
    assert not result.verified
    assert ("holder.binding", "failed") in _outcomes(result)


def test_a_presentation_that_names_a_holder_still_binds_to_it() -> None:
    # The holder named wins over who signed: the proof must then be the holder's.
    vp = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "holder": ATTACKER.controller,
        "verifiableCredential": [_credential()],
    }
    signed = sign_document(vp, ATTACKER, challenge="offre-42", domain="rh.example", created=NOW)
    result = verify_presentation(signed, policy=POLICY)
    assert not result.verified and ("holder.binding", "failed") in _outcomes(result)


def _vp_jwt(payload: dict[str, Any], signer: KeyPair) -> str:
    """A ``vp+jwt`` signed as any JOSE library would, holder or not."""
    private = signer_of(signer)
    header = {
        "alg": alg_for(private.public_key),
        "kid": verification_method_of(signer),
        "typ": "vp+jwt",
    }
    return encode_compact(header, json_bytes(payload), private)


def _enveloped_jwt_credential(subject_id: str | None) -> dict[str, Any]:
    document = {
        "@context": [VC_V2, EXAMPLES_V2],
        "type": ["VerifiableCredential"],
        "issuer": ISSUER.controller,
        "validFrom": "2025-07-01T00:00:00Z",
        "credentialSubject": {"name": "Camille"}
        | ({"id": subject_id} if subject_id is not None else {}),
    }
    token = sign_vc_jwt(document, ISSUER, issued_at=SIGNED_AT)
    return {
        "@context": VC_V2,
        "type": "EnvelopedVerifiableCredential",
        "id": f"data:application/vc+jwt,{token}",
    }


@pytest.mark.parametrize(
    ("subject_id", "verified"), [(HOLDER.controller, False), (None, True)], ids=["DID", "bearer"]
)
def test_a_vp_jwt_without_holder(subject_id: str | None, verified: bool) -> None:
    # The envelope's signer is not read here: a credential about a DID cannot be bound.
    payload = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "nonce": "offre-42",
        "aud": "rh.example",
        "iat": int(NOW.timestamp()),
        "verifiableCredential": [_enveloped_jwt_credential(subject_id)],
    }
    result = verify_any(_vp_jwt(payload, ATTACKER), policy=POLICY)
    assert result.verified is verified, result.failures()
    assert _outcomes(result) == ([] if verified else [("holder.binding", "failed")])
