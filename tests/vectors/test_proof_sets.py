"""The "Proof Sets and Chains" vectors of VC-DI-EDDSA, reproduced byte for byte."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from passeport.contexts import bundled_loader
from passeport.did.multikey import decode_private
from passeport.did.resolve import DidResolver
from passeport.proofs import (
    EDDSA_RDFC_2022,
    ProofExpectation,
    ProofOptions,
    add_proof,
    parse_datetime,
    verify_proofs,
)
from passeport.proofs.outcome import Outcome
from passeport.proofs.registry import DATA_INTEGRITY_SUITES
from passeport.proofs.suite import KeySigner
from tests.conftest import VECTORS, load_json

INDEX = load_json(VECTORS / "index.json")
CASE = next(c for c in INDEX["cases"] if c["id"] == "eddsa-proof-set-chain")
KEYS = load_json(VECTORS / CASE["keys"])
STEPS = CASE["steps"]


def _without_last_proof(document: dict[str, Any]) -> dict[str, Any]:
    proofs = document["proof"] if isinstance(document["proof"], list) else [document["proof"]]
    base = {k: v for k, v in document.items() if k != "proof"}
    rest = proofs[:-1]
    if rest:
        base["proof"] = rest if len(rest) > 1 else rest[0]
    return base


@pytest.mark.parametrize("step", STEPS, ids=[s["result"].rsplit("/", 1)[-1] for s in STEPS])
def test_proof_set_and_chain_step(step: dict[str, Any]) -> None:
    result = load_json(VECTORS / step["result"])
    options = load_json(VECTORS / step["proofOptions"])
    pair = KEYS[step["key"]]
    secret = pair.get("privateKeyMultibase") or pair["secretKeyMultibase"]
    signer = KeySigner(decode_private(secret), options["verificationMethod"])
    signed: Any = add_proof(
        _without_last_proof(result),
        suite=EDDSA_RDFC_2022,
        signer=signer,
        options=ProofOptions(
            created=parse_datetime(options["created"]),
            id=options.get("id"),
            previous_proof=options.get("previousProof"),
        ),
        loader=bundled_loader(),
    )
    expected_last = load_json(VECTORS / step["signedProof"])
    last = signed["proof"][-1] if isinstance(signed["proof"], list) else signed["proof"]
    assert last["proofValue"] == expected_last["proofValue"]
    assert json.dumps(signed, sort_keys=True) == json.dumps(result, sort_keys=True)
    outcomes = verify_proofs(
        result,
        expect=ProofExpectation(now=datetime(2024, 1, 1, tzinfo=UTC)),
        resolver=DidResolver(),
        suites=DATA_INTEGRITY_SUITES,
    )
    assert all(o.outcome is Outcome.PASSED for o in outcomes), outcomes
