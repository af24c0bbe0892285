"""An issuer's proof by another DID's key: refused by default, accepted when the policy says so.

Spec: https://www.w3.org/TR/vc-data-integrity/#verify-proof (the verification
method must be controlled by the expected party). Deployments exist whose
issuer is an ``https`` identifier signing with a ``did:key``:
``Policy(issuer_delegation=...)`` names that key's DID for that issuer, on
purpose (issue 14).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.proofs import EDDSA_RDFC_2022, KeySigner, ProofOptions, add_proof
from passeport.verifier import Policy, VerificationResult, verify_credential

SITE: Final = "https://univ.example"
KEY, OTHER = (
    KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([seed]) * 32))
    for seed in (48, 49)
)
NOW: Final = datetime(2026, 1, 15, tzinfo=UTC)


def _signed(issuer: Any = SITE, signer: KeyPair = KEY) -> Any:
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2025-07-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:camille"},
    }
    return add_proof(
        document,
        suite=EDDSA_RDFC_2022,
        signer=KeySigner(signer.private_key, signer.verification_method),
        options=ProofOptions(created=datetime(2025, 7, 1, tzinfo=UTC)),
    )


def _failed(result: VerificationResult) -> list[str]:
    return [c.code for c in result.failures()]


def test_by_default_the_issuer_must_control_the_key() -> None:
    result = verify_credential(_signed(), policy=Policy(at=NOW))
    assert _failed(result) == ["proof.controller"]
    assert not any("delegation" in w for w in result.warnings)


def test_a_delegation_the_policy_states_is_accepted_and_said() -> None:
    policy = Policy(at=NOW, issuer_delegation={SITE: KEY.controller})
    result = verify_credential(_signed(), policy=policy)
    assert result.verified, result.failures()
    assert [w for w in result.warnings if SITE in w and KEY.controller in w and "delegation" in w]


def test_the_issuer_written_as_an_object_is_the_same_issuer() -> None:
    policy = Policy(at=NOW, issuer_delegation={SITE: KEY.controller})
    assert verify_credential(_signed({"id": SITE, "name": "Université"}), policy=policy).verified


def test_a_delegation_names_one_did_only() -> None:
    policy = Policy(at=NOW, issuer_delegation={SITE: KEY.controller})
    result = verify_credential(_signed(signer=OTHER), policy=policy)
    assert _failed(result) == ["proof.controller"]


def test_a_delegation_is_for_its_issuer_only() -> None:
    policy = Policy(at=NOW, issuer_delegation={"https://elsewhere.example": KEY.controller})
    assert _failed(verify_credential(_signed(), policy=policy)) == ["proof.controller"]
    # Nor does it let the delegate's key sign for a DID issuer.
    policy = Policy(at=NOW, issuer_delegation={SITE: KEY.controller})
    assert _failed(verify_credential(_signed(OTHER.controller), policy=policy)) == [
        "proof.controller"
    ]
