"""One freshness rule for every presentation format (issue 10, hole 7).

The holder says until when a presentation holds (``expires`` in a Data
Integrity proof, ``exp`` in an SD-JWT Key Binding JWT or a ``vp+jwt``), the
verifier's ``Policy.max_age`` bounds how old it may be (from ``created`` or
``iat``), and the verdict shows its age in a ``presentation.age`` check, which
also says plainly when, without a challenge, the presentation could be a replay.
A CV sent by e-mail and opened days later still verifies.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from passeport.did import KeyAlgorithm, KeyPair, PrivateKey, public_to_jwk
from passeport.errors import InputError
from passeport.proofs import EDDSA_RDFC_2022, KeySigner, ProofOptions, add_proof
from passeport.proofs.dates import format_duration, parse_duration
from passeport.proofs.jose import sign_vc_jwt, sign_vp_jwt
from passeport.proofs.outcome import Outcome
from passeport.proofs.sdjwt import issue_sd_jwt, present_sd_jwt
from passeport.proofs.sign import sign_document
from passeport.verifier import Policy, VerificationResult, verify_any, verify_presentation
from passeport.verifier.result import Check
from tests.conftest import FIXED_NOW, ROOT

SAMPLE = json.loads((ROOT / "passeport" / "samples" / "diploma.json").read_text("utf-8"))
V2 = "https://www.w3.org/ns/credentials/v2"


def pair(seed: int) -> KeyPair:
    return KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([seed]) * 32))


ISSUER, HOLDER = pair(91), pair(92)
MADE = FIXED_NOW - timedelta(days=3)  # the candidate sent the CV three days ago
AT = Policy(at=FIXED_NOW)
CREDENTIAL: dict[str, Any] = {
    **{k: v for k, v in SAMPLE.items() if k != "validFrom"},
    "credentialSubject": {**SAMPLE["credentialSubject"], "id": HOLDER.controller},
}
SD_JWT = issue_sd_jwt(
    CREDENTIAL,
    ISSUER,
    vct="https://passeport.example/vct/diploma",
    disclosable=["/credentialSubject/name"],
    holder_jwk=public_to_jwk(HOLDER.public_key),
    issued_at=FIXED_NOW - timedelta(days=30),
)


def enveloped(media: str, token: str, kind: str = "EnvelopedVerifiableCredential") -> Any:
    return {"@context": V2, "type": kind, "id": f"data:{media},{token}"}


def bound_sd_jwt(made: Any = MADE, **options: Any) -> str:
    """The holder's SD-JWT disclosure with a KB-JWT, as ``wallet present`` makes it."""
    options.setdefault("nonce", "n-1")
    options.setdefault("audience", "https://rh.example")
    reveal = ["/credentialSubject/name"]
    return present_sd_jwt(SD_JWT, reveal, holder_key=HOLDER, issued_at=made, **options)


def cv(made: Any = MADE, *, kb_made: Any = MADE, **options: Any) -> Any:
    """A Data Integrity presentation holding an SD-JWT, as a CV page embeds one."""
    presentation = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [
            enveloped("application/dc+sd-jwt", bound_sd_jwt(kb_made)),
        ],
    }
    return sign_document(presentation, HOLDER, created=made, **options)


def vp_jwt(**claims: Any) -> str:
    presentation = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [enveloped("application/vc+jwt", sign_vc_jwt(CREDENTIAL, ISSUER))],
    }
    return sign_vp_jwt(presentation, HOLDER, **claims)


def failed(result: VerificationResult) -> dict[tuple[str, int | None], str]:
    return {(c.code, c.credential): c.message for c in result.failures()}


def ages(result: VerificationResult) -> dict[int | None, Check]:
    found = [c for c in result.checks if c.code == "presentation.age"]
    by_place = {c.credential: c for c in found}
    assert len(by_place) == len(found), "one age per presentation"
    return by_place


def test_a_cv_sent_by_email_still_verifies_days_later() -> None:
    # Before: the SD-JWT's Key Binding went stale after five fixed minutes.
    result = verify_any(cv(), policy=AT)
    assert result.verified, failed(result)
    shown = ages(result)
    assert set(shown) == {None, 0}  # the presentation's proof, and the SD-JWT's key binding
    for check in shown.values():
        assert check.outcome is Outcome.PASSED
        assert check.message.startswith("presented 3 days ago (2026-01-12 12:00 UTC)")
    assert shown[None].pointer == "/proof/created"


def test_the_verdict_shows_until_when_the_holder_said_it_holds() -> None:
    result = verify_any(cv(expires=MADE + timedelta(days=30)), policy=AT)
    assert result.verified, failed(result)
    assert "valid until 2026-02-11 12:00 UTC" in ages(result)[None].message


def test_without_a_challenge_the_verdict_says_it_could_be_a_replay() -> None:
    bare = verify_any(cv(), policy=AT)
    assert all("replay" in check.message for check in ages(bare).values())
    asked = Policy(at=FIXED_NOW, challenge="n-1", domain="https://rh.example")
    signed = cv(challenge="n-1", domain="https://rh.example")
    answered = verify_presentation(signed, policy=asked)
    assert answered.verified, failed(answered)
    assert all("replay" not in check.message for check in ages(answered).values())


def test_the_holders_expires_ends_a_data_integrity_presentation() -> None:
    lapsed = cv(expires=MADE + timedelta(days=1))
    result = verify_any(lapsed, policy=AT)
    assert not result.verified
    assert "expired at" in failed(result)[("proof.expired", None)]


def test_the_holders_exp_ends_an_sd_jwt_key_binding() -> None:
    token = bound_sd_jwt(expires=MADE + timedelta(days=1))
    result = verify_any(token, policy=AT)
    assert not result.verified
    assert set(failed(result)) == {("key_binding.expired", None)}
    lasting = verify_any(bound_sd_jwt(expires=MADE + timedelta(days=30)), policy=AT)
    assert lasting.verified, failed(lasting)


def test_max_age_bounds_a_data_integrity_presentation() -> None:
    # Needs the pipeline to pass Policy.max_age on to ProofExpectation.max_age.
    young = cv(kb_made=FIXED_NOW - timedelta(hours=1), made=FIXED_NOW - timedelta(hours=1))
    assert verify_any(young, policy=Policy(at=FIXED_NOW, max_age=timedelta(days=1))).verified
    old = cv(kb_made=FIXED_NOW - timedelta(hours=1))
    result = verify_any(old, policy=Policy(at=FIXED_NOW, max_age=timedelta(days=1)))
    assert not result.verified
    assert set(failed(result)) == {("presentation.age", None)}
    assert (
        "older than the 1 day this verifier accepts" in failed(result)[("presentation.age", None)]
    )


def test_max_age_bounds_an_sd_jwt_key_binding_inside_a_fresh_presentation() -> None:
    # A fresh proof around an old key binding: each is bounded on its own.
    wrapped = cv(made=FIXED_NOW - timedelta(hours=1), kb_made=MADE)
    result = verify_any(wrapped, policy=Policy(at=FIXED_NOW, max_age=timedelta(days=1)))
    assert not result.verified
    assert ("presentation.age", 0) in failed(result)
    assert ages(result)[0].pointer == "/verifiableCredential/0/id"


def test_max_age_bounds_a_lone_sd_jwt_presentation() -> None:
    token = bound_sd_jwt()
    assert verify_any(token, policy=Policy(at=FIXED_NOW, max_age=timedelta(days=4))).verified
    result = verify_any(token, policy=Policy(at=FIXED_NOW, max_age=timedelta(days=2)))
    assert set(failed(result)) == {("presentation.age", None)}


def test_a_vp_jwt_follows_the_same_rule() -> None:
    token = vp_jwt(issued_at=MADE)
    result = verify_any(token, policy=AT)
    assert result.verified, failed(result)
    assert ages(result)[None].message.startswith("presented 3 days ago (2026-01-12 12:00 UTC)")
    bounded = verify_any(token, policy=Policy(at=FIXED_NOW, max_age=timedelta(days=2)))
    assert set(failed(bounded)) == {("presentation.age", None)}
    lapsed = verify_any(vp_jwt(issued_at=MADE, expires=MADE + timedelta(days=1)), policy=AT)
    assert set(failed(lapsed)) == {("proof.expired", None)}
    future = verify_any(vp_jwt(issued_at=FIXED_NOW + timedelta(hours=1)), policy=AT)
    assert set(failed(future)) == {("proof.created", None)}


def test_an_undated_vp_jwt_cannot_meet_a_max_age() -> None:
    token = vp_jwt()
    shown = verify_any(token, policy=AT)
    assert shown.verified, failed(shown)
    assert "not dated" in ages(shown)[None].message
    result = verify_any(token, policy=Policy(at=FIXED_NOW, max_age=timedelta(days=30)))
    assert set(failed(result)) == {("presentation.age", None)}


def test_an_undated_data_integrity_presentation_cannot_meet_a_max_age() -> None:
    # Needs the pipeline to pass Policy.max_age on to ProofExpectation.max_age.
    presentation = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "holder": HOLDER.controller,
    }
    undated = add_proof(
        presentation,
        suite=EDDSA_RDFC_2022,
        signer=KeySigner(HOLDER.private_key, HOLDER.verification_method),
        options=ProofOptions(proof_purpose="authentication", include_created=False),
    )
    assert "not dated" in ages(verify_any(undated, policy=AT))[None].message
    result = verify_any(undated, policy=Policy(at=FIXED_NOW, max_age=timedelta(days=30)))
    assert ("presentation.age", None) in failed(result)


@pytest.mark.parametrize("days", [1, 29])
def test_the_verifiers_bound_holds_whatever_the_holder_says(days: int) -> None:
    token = bound_sd_jwt(expires=MADE + timedelta(days=365))
    result = verify_any(token, policy=Policy(at=FIXED_NOW, max_age=timedelta(days=days)))
    assert (("presentation.age", None) in failed(result)) is (days < 3)


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("30d", timedelta(days=30)),
        (" 12H ", timedelta(hours=12)),
        ("90m", timedelta(minutes=90)),
        ("1d12h", timedelta(hours=36)),
        ("2w", timedelta(weeks=2)),
        ("45s", timedelta(seconds=45)),
    ],
)
def test_durations_read_for_max_age(text: str, span: timedelta) -> None:
    assert parse_duration(text) == span


@pytest.mark.parametrize(
    "text", ["", "30", "d", "0d", "0h0m", "-1d", "1.5d", "3 days", "999999999w"]
)
def test_bad_durations_are_input_errors_naming_where(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_duration(text, where="--max-age")
    assert str(caught.value).startswith("--max-age: ")


def test_ages_are_said_in_words() -> None:
    assert format_duration(timedelta(days=30)) == "30 days"
    assert format_duration(timedelta(hours=36)) == "36 hours"
    assert format_duration(timedelta(minutes=1)) == "1 minute"
