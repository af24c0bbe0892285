"""vc+jwt, SD-JWT and vp+jwt through verify_any: the envelope checks, then the usual pipeline."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passeport.did import public_to_jwk
from passeport.errors import InputError, PasseportError
from passeport.proofs._jws import b64url_encode
from passeport.proofs.jose import sign_vc_jwt, sign_vp_jwt
from passeport.proofs.sdjwt import issue_sd_jwt, present_sd_jwt
from passeport.verifier import Policy, verify_any, verify_credential
from tests.verifier.test_enveloped import HOLDER, ISSUER, SUITES, credential_for, envelope

NOW = datetime(2026, 9, 1, tzinfo=UTC)
POLICY = Policy(suites=SUITES, at=NOW)
VC_V2 = "https://www.w3.org/ns/credentials/v2"


def test_vc_jwt_through_verify_any() -> None:
    result = verify_any(sign_vc_jwt(credential_for(), ISSUER) + "\n", policy=POLICY)
    assert result.verified, result.failures()
    assert result.summary["proofs"] == ["vc+jwt"]
    assert result.summary["issuer"] == ISSUER.controller


def test_an_expired_vc_jwt_fails_on_its_validity() -> None:
    token = sign_vc_jwt(credential_for(validUntil="2025-01-01T00:00:00Z"), ISSUER)
    assert {c.code for c in verify_any(token, policy=POLICY).failures()} == {"validity.expired"}


def test_sd_jwt_with_key_binding_through_verify_any() -> None:
    issued = issue_sd_jwt(
        credential_for(),
        ISSUER,
        vct="urn:x",
        disclosable=["/credentialSubject/name"],
        holder_jwk=public_to_jwk(HOLDER.public_key),
        issued_at=NOW - timedelta(days=1),
    )
    shown = present_sd_jwt(
        issued,
        ["/credentialSubject/name"],
        holder_key=HOLDER,
        nonce="c",
        audience="d",
        issued_at=NOW,
    )
    policy = Policy(suites=SUITES, at=NOW, challenge="c", domain="d")
    result = verify_any(shown, policy=policy)
    assert result.verified, result.failures()
    replayed = verify_any(shown, policy=Policy(suites=SUITES, at=NOW, challenge="x", domain="d"))
    assert {c.code for c in replayed.failures()} == {"key_binding.nonce"}
    enveloped = verify_any(envelope("application/dc+sd-jwt", shown), policy=policy)
    assert enveloped.verified, enveloped.failures()


def test_vp_jwt_through_verify_any() -> None:
    vc = sign_vc_jwt(credential_for(), ISSUER)
    vp = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [envelope("application/vc+jwt", vc)],
    }
    token = sign_vp_jwt(vp, HOLDER, nonce="c", audience="d")
    policy = Policy(suites=SUITES, at=NOW, challenge="c", domain="d", require_holder_binding=True)
    result = verify_any(token, policy=policy)
    assert result.verified, result.failures()
    other = Policy(suites=SUITES, at=NOW, challenge="other", domain="d")
    assert {c.code for c in verify_any(token, policy=other).failures()} == {"proof.challenge"}
    wrapped = envelope("application/vp+jwt", token, kind="EnvelopedVerifiablePresentation")
    assert verify_any(wrapped, policy=policy).verified
    forged = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    assert "proof.signature" in {c.code for c in verify_any(forged, policy=policy).failures()}


def test_a_policy_without_vc_jwt_refuses_jwts() -> None:
    token = sign_vc_jwt(credential_for(), ISSUER)
    narrow = Policy(at=NOW, suites=frozenset({"eddsa-rdfc-2022"}))
    assert {c.code for c in verify_any(token, policy=narrow).failures()} == {"proof.suite"}
    assert verify_any(token, policy=Policy(at=NOW)).verified  # the default suites accept it


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("hello world", "1 dot-separated parts"),
        ("abc.def.ghi", "header is not UTF-8 JSON"),
        ("eyJhbGciOiJFZERTQSJ9.bm9wZQ.c2ln", "payload is not UTF-8 JSON"),
        ("garbage~~", "1 dot-separated parts"),
    ],
)
def test_an_unreadable_token_is_bad_input_for_verify_any(text: str, reason: str) -> None:
    with pytest.raises(InputError) as refused:
        verify_any(text, policy=POLICY, where="cv.jwt")
    assert str(refused.value).startswith("cv.jwt: not a readable JWT or SD-JWT: ")
    assert reason in str(refused.value)
    # The library's verify_credential reports it as a failed check instead.
    result = verify_credential(text, policy=POLICY)
    assert [c.code for c in result.failures()] == ["proof.malformed"]


def test_a_readable_token_that_does_not_verify_is_a_result() -> None:
    header = b64url_encode(b'{"alg":"none","typ":"vc+jwt"}')
    payload = b64url_encode(json.dumps(credential_for()).encode())
    result = verify_any(f"{header}.{payload}.", policy=POLICY, where="cv.jwt")
    assert "proof.alg" in {c.code for c in result.failures()}
    assert not result.verified


def _tokens() -> dict[str, str]:
    credential = credential_for()
    issued = issue_sd_jwt(
        credential,
        ISSUER,
        vct="urn:x",
        disclosable=["/credentialSubject/name", "/name"],
        holder_jwk=public_to_jwk(HOLDER.public_key),
        issued_at=NOW - timedelta(days=1),
    )
    shown = present_sd_jwt(
        issued,
        ["/credentialSubject/name"],
        holder_key=HOLDER,
        nonce="c",
        audience="d",
        issued_at=NOW,
    )
    vp = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [envelope("application/vc+jwt", sign_vc_jwt(credential, ISSUER))],
    }
    return {
        "vc+jwt": sign_vc_jwt(credential, ISSUER),
        "sd-jwt+kb": shown,
        "vp+jwt": sign_vp_jwt(vp, HOLDER, nonce="c", audience="d"),
    }


TOKENS = _tokens()
BOUND = Policy(suites=SUITES, at=NOW, challenge="c", domain="d")


@pytest.mark.parametrize("form", sorted(TOKENS))
def test_each_token_form_verifies_untouched(form: str) -> None:
    result = verify_any(TOKENS[form], policy=BOUND)
    assert result.verified, result.failures()


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_a_corrupted_token_raises_only_our_errors_and_never_verifies(data: st.DataObject) -> None:
    form = data.draw(st.sampled_from(sorted(TOKENS)), label="form")
    token = TOKENS[form]
    index = data.draw(st.integers(0, len(token) - 1), label="index")
    replacement = data.draw(st.sampled_from("A_-~.e=Z0{"), label="character")
    corrupted = token[:index] + replacement + token[index + 1 :]
    wrapped = data.draw(st.booleans(), label="enveloped")
    if wrapped and form != "vp+jwt":
        media = "application/dc+sd-jwt" if "~" in token else "application/vc+jwt"
        document: Any = envelope(media, corrupted)
    else:
        document = corrupted
    try:
        result = verify_any(document, policy=BOUND, where="token")
    except PasseportError:
        return
    assert corrupted == token or not result.verified, (form, index, replacement)
