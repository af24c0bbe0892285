"""The verdict: what a lenient policy may let through, and what it never does."""

from __future__ import annotations

import pytest

from passeport.verifier import Check, Environment, Outcome, Policy, VerificationResult, verify_any
from tests.conftest import DBJS, FIXED_NOW, load_json

LENIENT = Policy(unchecked_is_failure=False)
ENV = Environment(clock=lambda: FIXED_NOW)


def _result(*checks: tuple[str, Outcome], strict: bool = True) -> VerificationResult:
    return VerificationResult(tuple(Check(code, outcome, "x") for code, outcome in checks), strict)


def test_no_check_is_no_verdict() -> None:
    assert not _result().verified
    assert not _result(strict=False).verified


@pytest.mark.parametrize("code", ["status.unchecked", "schema.unavailable", "status.list_proof"])
def test_a_lenient_policy_accepts_an_unknown_status_or_schema(code: str) -> None:
    checks = (("proof.signature", Outcome.PASSED), (code, Outcome.UNCHECKED))
    assert not _result(*checks).verified
    assert _result(*checks, strict=False).verified
    assert not _result(("proof.signature", Outcome.PASSED), (code, Outcome.FAILED)).verified


@pytest.mark.parametrize(
    "code",
    ["proof.verification_method", "proof.signature", "key_binding.signature", "holder.binding"],
)
def test_a_lenient_policy_never_accepts_a_signature_it_could_not_check(code: str) -> None:
    checks = (("validity.period", Outcome.PASSED), (code, Outcome.UNCHECKED))
    assert not _result(*checks, strict=False).verified
    assert not _result(*checks).verified


def test_a_tampered_did_web_credential_is_not_verified_offline_even_when_lenient() -> None:
    # The issuer's did:web document is not at hand: the signature was never checked.
    tampered = load_json(DBJS / "outputs" / "diploma-eddsa-rdfc-2022-didweb-tampered.json")
    result = verify_any(tampered, policy=LENIENT, env=ENV)
    assert [(c.code, c.outcome) for c in result.failures()] == [
        ("proof.verification_method", Outcome.UNCHECKED)
    ]
    assert not result.verified


def test_to_json_names_every_check() -> None:
    result = _result(("proof.signature", Outcome.PASSED), ("status.unchecked", Outcome.UNCHECKED))
    data = result.to_json()
    assert data["verified"] is False
    assert data["checks"] == [
        {
            "code": "proof.signature",
            "outcome": "passed",
            "message": "x",
            "credential": None,
            "pointer": None,
        },
        {
            "code": "status.unchecked",
            "outcome": "unchecked",
            "message": "x",
            "credential": None,
            "pointer": None,
        },
    ]
