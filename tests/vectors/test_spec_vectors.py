"""The W3C cryptosuite test vectors, step by step (canonical forms, hashes, proofs)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest

from passeport.contexts import bundled_loader, canonicalize, jcs
from passeport.did.multikey import decode_private, decode_public
from passeport.did.resolve import DidResolver
from passeport.proofs import (
    ProofExpectation,
    ProofOptions,
    add_proof,
    parse_datetime,
    suite_named,
    verify_proofs,
)
from passeport.proofs.outcome import Outcome
from passeport.proofs.registry import DATA_INTEGRITY_SUITES
from passeport.proofs.suite import KeySigner
from tests.vectors.cases import VectorCase, hash_and_sign_cases

CASES = hash_and_sign_cases()
LOADER = bundled_loader()


def _canonical(case: VectorCase, document: dict[str, object]) -> str:
    if "jcs" in case.suite:
        return jcs.canonicalize(document).decode("utf-8")
    return canonicalize(document, LOADER, hash_name=case.hash_name).nquads


def _signer(case: VectorCase) -> KeySigner:
    pair = case.json("key")
    secret = pair.get("secretKeyMultibase") or pair["privateKeyMultibase"]
    private = decode_private(secret)
    assert private.public_key == decode_public(pair["publicKeyMultibase"])
    signed = case.json("signed")
    return KeySigner(private, signed["proof"]["verificationMethod"])


def test_every_suite_has_vectors() -> None:
    assert {c.suite for c in CASES} == {
        "eddsa-rdfc-2022",
        "eddsa-jcs-2022",
        "ecdsa-rdfc-2019",
        "ecdsa-jcs-2019",
    }
    assert len(CASES) == 9  # 2 eddsa-rdfc, 1 eddsa-jcs, 4 ecdsa-rdfc, 2 ecdsa-jcs


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_canonical_document_and_hash(case: VectorCase) -> None:
    canonical = _canonical(case, case.json("input"))
    assert canonical == case.text("canonicalDocument"), case.spec_section
    digest = hashlib.new(case.hash_name, canonical.encode()).hexdigest()
    assert digest == case.text("documentHashHex").strip()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_canonical_proof_options_and_hash(case: VectorCase) -> None:
    canonical = _canonical(case, case.json("proofOptions"))
    assert canonical == case.text("canonicalProofOptions"), case.spec_section
    proof_hash = hashlib.new(case.hash_name, canonical.encode()).hexdigest()
    assert proof_hash == case.text("proofOptionsHashHex").strip()
    combined = proof_hash + case.text("documentHashHex").strip()
    assert combined == case.text("combinedHashHex").strip()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_signing_reproduces_or_verifies(case: VectorCase) -> None:
    signer = _signer(case)
    expected = case.json("signed")
    options = case.json("proofOptions")
    signed: Any = add_proof(
        case.json("input"),
        suite=suite_named(case.suite),
        signer=signer,
        options=ProofOptions(
            created=parse_datetime(options["created"]), proof_purpose=options["proofPurpose"]
        ),
        loader=LOADER,
    )
    if case.deterministic:
        assert signed == expected, case.spec_section
        assert signed["proof"]["proofValue"] == case.text("signatureBase58btc").strip()
    else:
        # ECDSA signatures are randomized: ours differs but has the same shape.
        assert {k: v for k, v in signed["proof"].items() if k != "proofValue"} == {
            k: v for k, v in expected["proof"].items() if k != "proofValue"
        }
    for document in (expected, signed):
        outcomes = verify_proofs(
            document,
            expect=ProofExpectation(now=datetime(2024, 1, 1, tzinfo=UTC)),
            resolver=DidResolver(),
            loader=LOADER,
            suites=DATA_INTEGRITY_SUITES,
        )
        assert [o.outcome for o in outcomes] == [Outcome.PASSED], outcomes


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_signature_hex_matches_proof_value(case: VectorCase) -> None:
    from passeport.did.multikey import decode_base58btc

    signature = decode_base58btc(case.text("signatureBase58btc").strip())
    assert signature.hex() == case.text("signatureHex").strip().lower()
    public = decode_public(case.json("key")["publicKeyMultibase"])
    assert public.verify(signature, bytes.fromhex(case.text("combinedHashHex").strip()))
