"""The enveloped forms (vc+jwt, VC 1.1 JWT, SD-JWT, Enveloped* objects) read for the pipeline."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from passeport.did import KeyAlgorithm, KeyPair, PrivateKey, public_to_jwk
from passeport.proofs._jws import encode_compact, json_bytes
from passeport.proofs.jose import sign_vc_jwt, sign_vp_jwt
from passeport.proofs.outcome import Outcome
from passeport.proofs.sdjwt import issue_sd_jwt, present_sd_jwt
from passeport.verifier.env import DEFAULT_SUITES, Environment, Policy
from passeport.verifier.enveloped import (
    ENVELOPED_SUITES,
    secured_credential,
    secured_kind,
    secured_presentation,
)
from passeport.verifier.result import Check
from tests.conftest import FIXED_NOW, ROOT

SAMPLE = json.loads((ROOT / "passeport" / "samples" / "diploma.json").read_text("utf-8"))
V2 = "https://www.w3.org/ns/credentials/v2"


def pair(algorithm: KeyAlgorithm, seed: int) -> KeyPair:
    size = 48 if algorithm is KeyAlgorithm.P384 else 32
    return KeyPair.from_private_key(PrivateKey.from_raw(algorithm, bytes([seed]) * size))


ISSUER, HOLDER = pair(KeyAlgorithm.ED25519, 81), pair(KeyAlgorithm.P256, 82)
ENV = Environment()
SUITES = DEFAULT_SUITES | ENVELOPED_SUITES
POLICY = Policy(suites=SUITES, at=FIXED_NOW)
BOUND = Policy(suites=SUITES, at=FIXED_NOW, challenge="c-7", domain="https://rh.example")


def credential_for(**changes: Any) -> dict[str, Any]:
    return {
        **SAMPLE,
        "credentialSubject": {**SAMPLE["credentialSubject"], "id": HOLDER.controller},
    } | changes


VC_JWT = sign_vc_jwt(credential_for(), ISSUER)
SD_JWT = issue_sd_jwt(
    credential_for(),
    ISSUER,
    vct="https://passeport.example/vct/diploma",
    disclosable=["/credentialSubject/name", "/name"],
    holder_jwk=public_to_jwk(HOLDER.public_key),
    issued_at=FIXED_NOW - timedelta(days=1),
)


def check(value: Any, policy: Policy = POLICY, **options: Any) -> tuple[list[Check], Any, str]:
    return secured_credential(value, env=ENV, policy=policy, now=FIXED_NOW, **options)


def failed(checks: list[Check]) -> dict[str, Check]:
    return {c.code: c for c in checks if c.outcome is not Outcome.PASSED}


def envelope(media: str, token: str, kind: str = "EnvelopedVerifiableCredential") -> dict[str, Any]:
    return {"@context": [V2], "type": [kind], "id": f"data:{media},{token}"}


def test_vc_jwt_token() -> None:
    checks, document, form = check(VC_JWT)
    assert not failed(checks) and checks
    assert form == "vc+jwt"
    assert document == credential_for(issuer=ISSUER.controller)
    assert {c.pointer for c in checks} == {None}


@pytest.mark.parametrize("base64_form", [False, True])
def test_enveloped_verifiable_credential(base64_form: bool) -> None:
    if base64_form:
        value = envelope("application/vc+jwt;base64", base64.b64encode(VC_JWT.encode()).decode())
    else:
        value = envelope("application/vc+jwt", VC_JWT)
    checks, document, form = check(value, credential=2, base="/verifiableCredential/2")
    assert not failed(checks), failed(checks)
    assert document is not None and document["issuer"] == ISSUER.controller
    assert {(c.credential, c.pointer) for c in checks} == {(2, "/verifiableCredential/2/id")}
    assert form == "vc+jwt"


def test_envelope_problems() -> None:
    wrong_type = envelope("application/vc+jwt", VC_JWT, kind="VerifiableCredential")
    checks, document, _ = check(wrong_type)
    assert failed(checks)["input.envelope"].pointer == "/type" and document is None
    for media in ("application/vc+cose", "text/plain"):
        checks, document, _ = check(envelope(media, VC_JWT))
        assert "supported media type" in failed(checks)["input.envelope"].message
    checks, _, _ = check({"type": ["EnvelopedVerifiableCredential"], "id": "https://x.example/1"})
    assert "input.envelope" in failed(checks)


def test_suite_must_be_accepted_by_the_policy() -> None:
    checks, document, _ = check(VC_JWT, Policy(suites=DEFAULT_SUITES - ENVELOPED_SUITES))
    assert failed(checks)["proof.suite"].message == '"vc-jwt" is not accepted here'
    assert document is None
    checks, _, _ = check(SD_JWT, Policy(suites=frozenset({"vc-jwt"})))
    assert failed(checks)["proof.suite"].message == '"sd-jwt" is not accepted here'


def test_tampered_token() -> None:
    head, body, signature = VC_JWT.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["validFrom"] = "2020-01-01T00:00:00Z"
    forged = ".".join(
        [head, base64.urlsafe_b64encode(json_bytes(claims)).decode().rstrip("="), signature]
    )
    checks, document, _ = check(forged)
    assert "proof.signature" in failed(checks)
    assert document is not None and document["validFrom"] == "2020-01-01T00:00:00Z"


def test_vc_1_1_jwt() -> None:
    claims = {
        "iss": ISSUER.controller,
        "nbf": 1767225600,
        "jti": "urn:uuid:0b4e1a70-8b1c-4b8e-9d6e-0c1e5b0a3f11",
        "sub": HOLDER.controller,
        "vc": {
            "@context": ["https://www.w3.org/2018/credentials/v1"],
            "type": ["VerifiableCredential"],
            "credentialSubject": {},
        },
    }
    header = {"alg": "EdDSA", "typ": "JWT", "kid": ISSUER.verification_method}
    checks, document, form = check(encode_compact(header, json_bytes(claims), ISSUER.private_key))
    assert not failed(checks), failed(checks)
    assert form == "jwt-vc-1.1"
    assert document is not None and document["issuanceDate"] == "2026-01-01T00:00:00Z"
    assert document["credentialSubject"] == {"id": HOLDER.controller}


def test_jwt_claims_are_not_left_in_the_credential() -> None:
    token = sign_vc_jwt(credential_for(), ISSUER, issued_at=FIXED_NOW - timedelta(hours=1))
    checks, document, _ = check(token)
    assert not failed(checks)
    assert document is not None and "iat" not in document


def test_undefined_terms_in_a_forged_payload_fail_as_json_ld() -> None:
    payload = credential_for(issuer=ISSUER.controller, favouriteColour="blue")
    header = {"alg": "EdDSA", "typ": "vc+jwt", "kid": ISSUER.verification_method}
    checks, _, _ = check(encode_compact(header, json_bytes(payload), ISSUER.private_key))
    assert "favouriteColour" in failed(checks)["input.terms"].message
    assert not {c.code for c in checks} - {"proof.signature", "input.terms"}


def test_sd_jwt_without_key_binding_when_none_is_asked() -> None:
    checks, document, form = check(present_sd_jwt(SD_JWT, ["/credentialSubject/name"]))
    assert not failed(checks), failed(checks)
    assert form == "dc+sd-jwt"
    assert document is not None
    assert document["credentialSubject"]["name"] == "Camille Martin" and "name" not in document
    assert not {"iss", "vct", "cnf", "iat", "_sd_alg", "_sd"} & set(document)
    assert document["issuer"] == ISSUER.controller


def test_sd_jwt_key_binding_follows_the_policy() -> None:
    unbound = present_sd_jwt(SD_JWT, [])
    assert "key_binding.missing" in failed(check(unbound, BOUND)[0])
    assert not failed(check(unbound, BOUND, require_key_binding=False)[0])
    bound = present_sd_jwt(
        SD_JWT,
        [],
        holder_key=HOLDER,
        nonce="c-7",
        audience="https://rh.example",
        issued_at=FIXED_NOW,
    )
    assert not failed(check(bound, BOUND)[0])
    other = Policy(suites=SUITES, challenge="c-8", domain="https://rh.example")
    assert set(failed(check(bound, other)[0])) == {"key_binding.nonce"}
    checks, document, _ = check(envelope("application/dc+sd-jwt", bound), BOUND)
    assert not failed(checks) and document is not None
    assert {c.pointer for c in checks} == {"/id"}


def test_sd_jwt_vc_that_is_not_a_vcdm_credential() -> None:
    token = issue_sd_jwt(
        {
            "given_name": "Camille",
            "status": {"status_list": {"idx": 1, "uri": "https://s.example/1"}},
        },
        ISSUER,
        vct="urn:example:pid",
        issued_at=FIXED_NOW,
    )
    checks, document, _ = check(token)
    assert set(failed(checks)) == {"status.unsupported"}
    assert document is not None and document["vct"] == "urn:example:pid"


def test_status_claim_of_a_vcdm_sd_jwt_is_unchecked() -> None:
    claims: dict[str, Any] = {
        "iss": ISSUER.controller,
        "vct": "urn:x",
        "@context": [V2],
        "type": ["VerifiableCredential"],
    }
    claims |= {
        "status": {"status_list": {"idx": 1, "uri": "https://s.example/1"}},
        "credentialSubject": {},
    }
    header = {"alg": "EdDSA", "typ": "dc+sd-jwt", "kid": ISSUER.verification_method}
    token = encode_compact(header, json_bytes(claims), ISSUER.private_key) + "~"
    checks, _, _ = check(token)
    assert failed(checks)["status.unsupported"].outcome is Outcome.UNCHECKED


def presentation() -> dict[str, Any]:
    return {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [envelope("application/vc+jwt", VC_JWT)],
    }


def test_vp_jwt_presentation() -> None:
    token = sign_vp_jwt(presentation(), HOLDER, nonce="c-7", audience="https://rh.example")
    for value in (
        token,
        envelope("application/vp+jwt", token, kind="EnvelopedVerifiablePresentation"),
    ):
        checks, document, form = secured_presentation(value, env=ENV, policy=BOUND, now=FIXED_NOW)
        assert not failed(checks), failed(checks)
        assert form == "vp+jwt"
        assert document is not None and document["holder"] == HOLDER.controller
        assert "nonce" not in document and "aud" not in document
        assert document["verifiableCredential"] == presentation()["verifiableCredential"]
    wrong = Policy(suites=SUITES, challenge="c-8", domain="https://other.example")
    checks, _, _ = secured_presentation(token, env=ENV, policy=wrong, now=FIXED_NOW)
    assert set(failed(checks)) == {"proof.challenge", "proof.domain"}
    checks, document, _ = secured_presentation(VC_JWT, env=ENV, policy=POLICY, now=FIXED_NOW)
    assert "a credential where a presentation is expected" in failed(checks)["proof.typ"].message


def test_routing() -> None:
    token = sign_vp_jwt(presentation(), HOLDER)
    assert secured_kind(VC_JWT) == "credential"
    assert secured_kind(SD_JWT) == "credential"
    assert secured_kind(f"  {token}\n") == "presentation"
    assert secured_kind(envelope("application/vc+jwt", VC_JWT)) == "credential"
    kind = "EnvelopedVerifiablePresentation"
    assert secured_kind(envelope("application/vp+jwt", token, kind=kind)) == "presentation"
    assert secured_kind(SAMPLE) is None
    assert secured_kind('{"type": "VerifiableCredential"}') is None
    assert secured_kind("not.a.jwt") == "credential"  # then fails as a credential, with reasons
    assert "proof.malformed" in failed(check("not.a.jwt")[0])


def test_sd_jwt_key_binding_age_follows_the_policy_not_five_minutes() -> None:
    made = FIXED_NOW - timedelta(days=3)
    bound = present_sd_jwt(
        SD_JWT, [], holder_key=HOLDER, nonce="c-7", audience="https://rh.example", issued_at=made
    )
    checks, _, _ = check(envelope("application/dc+sd-jwt", bound), BOUND)
    assert not failed(checks), failed(checks)
    (age,) = [c for c in checks if c.code == "presentation.age"]
    assert age.message == "presented 3 days ago (2026-01-12 12:00 UTC)" and age.pointer == "/id"
    bounded = Policy(suites=SUITES, challenge="c-7", domain="https://rh.example")
    checks, _, _ = check(bound, replace(bounded, max_age=timedelta(days=1)))
    assert set(failed(checks)) == {"presentation.age"}


def test_vp_jwt_presentation_age_follows_the_policy() -> None:
    made = FIXED_NOW - timedelta(days=3)
    token = sign_vp_jwt(
        presentation(),
        HOLDER,
        nonce="c-7",
        audience="https://rh.example",
        issued_at=made,
        expires=made + timedelta(days=30),
    )
    checks, _, _ = secured_presentation(token, env=ENV, policy=BOUND, now=FIXED_NOW)
    assert not failed(checks), failed(checks)
    (age,) = [c for c in checks if c.code == "presentation.age"]
    assert age.message == (
        "presented 3 days ago (2026-01-12 12:00 UTC), valid until 2026-02-11 12:00 UTC"
    )
    strict = replace(BOUND, max_age=timedelta(days=2))
    checks, _, _ = secured_presentation(token, env=ENV, policy=strict, now=FIXED_NOW)
    assert set(failed(checks)) == {"presentation.age"}
