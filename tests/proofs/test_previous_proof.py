"""``previousProof`` of the wrong JSON type fails its proof, never raises (issue 14).

Spec: https://www.w3.org/TR/vc-data-integrity/#proofs ("If present, it MUST be
a string value or an unordered list of string values") and 4.5 (proof chains).
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any, Final

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passeport.did import DidResolver
from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.errors import InputError
from passeport.proofs import EDDSA_RDFC_2022, KeySigner, Outcome, ProofOptions, add_proof
from passeport.proofs.engine import ProofExpectation, verify_proofs
from passeport.proofs.registry import DATA_INTEGRITY_SUITES
from passeport.verifier import Policy, verify_any

ED: Final = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([50]) * 32))
SIGNER: Final = KeySigner(ED.private_key, ED.verification_method)
NOW: Final = datetime(2026, 1, 15, tzinfo=UTC)
UNSIGNED: Final = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "type": ["VerifiableCredential"],
    "issuer": ED.controller,
    "credentialSubject": {"id": "did:example:camille"},
}


def _chain() -> Any:
    """Two proofs, the second chained to the first."""
    created = datetime(2025, 7, 1, tzinfo=UTC)
    first = add_proof(
        UNSIGNED,
        suite=EDDSA_RDFC_2022,
        signer=SIGNER,
        options=ProofOptions(created=created, id="urn:proof:1"),
    )
    return add_proof(
        first,
        suite=EDDSA_RDFC_2022,
        signer=SIGNER,
        options=ProofOptions(created=created, id="urn:proof:2", previous_proof="urn:proof:1"),
    )


CHAIN: Final = _chain()


def _outcomes(document: Any) -> list[tuple[str, Outcome, str | None]]:
    found = verify_proofs(
        document,
        expect=ProofExpectation(controller=ED.controller, now=NOW),
        resolver=DidResolver(),
        suites=DATA_INTEGRITY_SUITES,
    )
    return [(o.code, o.outcome, o.pointer) for o in found]


def test_a_chain_verifies() -> None:
    assert {outcome for _, outcome, _ in _outcomes(_chain())} == {Outcome.PASSED}


@pytest.mark.parametrize(
    "value", [7, 7.5, True, None, {"id": "urn:proof:1"}, [], [1], ["urn:proof:1", 2]]
)
def test_a_previous_proof_of_the_wrong_type_fails_that_proof(value: Any) -> None:
    chained = _chain()
    chained["proof"][1]["previousProof"] = value
    outcomes = _outcomes(chained)
    assert ("proof.malformed", Outcome.FAILED, "/proof/1/previousProof") in outcomes
    assert ("proof.signature", Outcome.PASSED, "/proof/0") in outcomes  # the other one holds
    result = verify_any(chained, policy=Policy(at=NOW))
    assert not result.verified


def test_a_previous_proof_naming_no_proof_fails_the_chain() -> None:
    chained = _chain()
    chained["proof"][1]["previousProof"] = "urn:proof:9"
    assert ("proof.chain", Outcome.FAILED, "/proof/1/previousProof") in _outcomes(chained)


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False)
        | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
        ),
        max_leaves=6,
    )
)
def test_any_json_value_is_an_outcome_never_an_exception(value: Any) -> None:
    chained = copy.deepcopy(CHAIN)
    chained["proof"][1]["previousProof"] = value
    outcomes = _outcomes(chained)
    if value != "urn:proof:1" and value != ["urn:proof:1"]:
        assert any(outcome is Outcome.FAILED for _, outcome, _ in outcomes)


@pytest.mark.parametrize("value", [7, {"id": "urn:proof:1"}, [], [1]])
def test_signing_with_a_wrong_previous_proof_is_refused(value: Any) -> None:
    with pytest.raises(InputError, match="previousProof"):
        add_proof(
            CHAIN,
            suite=EDDSA_RDFC_2022,
            signer=SIGNER,
            options=ProofOptions(previous_proof=value),
        )
