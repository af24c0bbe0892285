"""vc+jwt and vp+jwt (VC-JOSE-COSE) and VC 1.1 JWTs: round trips, tampering, alg confusion.

Spec: https://www.w3.org/TR/vc-jose-cose/ ; VC 1.1 JWT decoding:
https://www.w3.org/TR/vc-data-model-1.1/#jwt-decoding .
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jwcrypto import jwk as jwc_jwk
from jwcrypto import jws as jwc_jws

from passeport.did import (
    DidResolver,
    KeyAlgorithm,
    KeyPair,
    PrivateKey,
    StaticFetcher,
    did_web_document,
    private_to_jwk,
    public_to_jwk,
)
from passeport.errors import ContextError, InputError, SigningError
from passeport.proofs._jws import b64url_encode, encode_compact, json_bytes
from passeport.proofs.jose import VC_JWT, VC_JWT_11, VP_JWT, sign_vc_jwt, sign_vp_jwt, verify_jwt
from passeport.proofs.outcome import Outcome
from passeport.proofs.suite import KeySigner
from tests.conftest import FIXED_NOW, ROOT

SAMPLE = json.loads((ROOT / "passeport" / "samples" / "diploma.json").read_text("utf-8"))
ALGS = {KeyAlgorithm.ED25519: "EdDSA", KeyAlgorithm.P256: "ES256", KeyAlgorithm.P384: "ES384"}


def pair(algorithm: KeyAlgorithm, seed: int, method: str = "key") -> KeyPair:
    size = 48 if algorithm is KeyAlgorithm.P384 else 32
    key = PrivateKey.from_raw(algorithm, bytes([seed]) * size)
    return KeyPair.from_private_key(key, method=method)


ED, P256, P384 = (
    pair(KeyAlgorithm.ED25519, 41),
    pair(KeyAlgorithm.P256, 42),
    pair(KeyAlgorithm.P384, 43),
)
OTHER = pair(KeyAlgorithm.ED25519, 44)
RESOLVER = DidResolver()


def failed(result: Any) -> dict[str, str]:
    return {o.code: o.message for o in result.outcomes if o.outcome is not Outcome.PASSED}


def verify(token: str, **options: Any) -> Any:
    return verify_jwt(token, resolver=options.pop("resolver", RESOLVER), now=FIXED_NOW, **options)


def forge(header: dict[str, Any], payload: dict[str, Any], key: KeyPair) -> str:
    return encode_compact(header, json_bytes(payload), key.private_key)


def forge_raw(header: dict[str, Any], payload: dict[str, Any], key: KeyPair) -> str:
    """Sign as RFC 7515 5.1 does, without jwcrypto: for headers jwcrypto refuses to sign."""
    signing_input = f"{b64url_encode(json_bytes(header))}.{b64url_encode(json_bytes(payload))}"
    signature = key.private_key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url_encode(signature)}"


def header_of(token: str) -> dict[str, Any]:
    part = token.split(".")[0]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


def payload_of(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


@pytest.mark.parametrize("method", ["key", "jwk"])
@pytest.mark.parametrize("algorithm", list(KeyAlgorithm))
def test_round_trip_for_every_key_type(algorithm: KeyAlgorithm, method: str) -> None:
    key = pair(algorithm, 50, method)
    token = sign_vc_jwt(SAMPLE, key)
    header = header_of(token)
    assert header == {"alg": ALGS[algorithm], "kid": key.verification_method, "typ": "vc+jwt"}
    result = verify(token)
    assert result.verified, failed(result)
    assert result.media_type == VC_JWT
    assert result.payload == {**SAMPLE, "issuer": key.controller}
    assert result.verification_method == key.verification_method
    assert payload_of(token) == result.payload  # VC-JOSE-COSE 3.1.1: the payload is the VC


def test_jwcrypto_verifies_what_we_sign_and_we_verify_what_it_signs() -> None:
    for key in (ED, P256, P384):
        token = sign_vc_jwt(SAMPLE, key)
        theirs = jwc_jwk.JWK(**private_to_jwk(key.private_key))
        checked = jwc_jws.JWS()
        checked.deserialize(token)
        checked.verify(theirs, alg=ALGS[key.algorithm])
        assert json.loads(checked.payload) == {**SAMPLE, "issuer": key.controller}
        made = jwc_jws.JWS(json.dumps({**SAMPLE, "issuer": key.controller}).encode())
        protected = {"alg": ALGS[key.algorithm], "kid": key.verification_method, "typ": "vc+jwt"}
        made.add_signature(theirs, protected=json.dumps(protected))
        assert verify(made.serialize(compact=True)).verified


@pytest.mark.parametrize("key", [ED, P256, P384], ids=lambda key: str(key.algorithm))
def test_jwcrypto_signs_with_our_exact_header_and_payload_bytes(key: KeyPair) -> None:
    token = sign_vc_jwt(SAMPLE, key)
    header = {"alg": ALGS[key.algorithm], "kid": key.verification_method, "typ": "vc+jwt"}
    by_hand = forge_raw(header, {**SAMPLE, "issuer": key.controller}, key)
    if key.algorithm is KeyAlgorithm.ED25519:
        assert token == by_hand  # EdDSA is deterministic: byte for byte
    else:
        # jwcrypto's ECDSA signatures are randomized: same signed bytes, another signature.
        assert token.rsplit(".", 1)[0] == by_hand.rsplit(".", 1)[0]
        assert verify(token).verified and verify(by_hand).verified


def test_fully_specified_ed25519_alg_verifies() -> None:
    # RFC 9864: "Ed25519" names what "EdDSA" means for an Ed25519 key (jwcrypto >= 1.5.7).
    header = {"alg": "Ed25519", "kid": ED.verification_method, "typ": "vc+jwt"}
    token = forge(header, {**SAMPLE, "issuer": ED.controller}, ED)
    result = verify(token)
    assert result.verified, failed(result)
    assert verify(token, allowed_algs={"EdDSA"}).verified is False


def test_an_ecdsa_signature_padded_to_another_length_is_refused() -> None:
    token = sign_vc_jwt(SAMPLE, P256)
    head, body, signature = token.split(".")
    raw = base64.urlsafe_b64decode(signature + "==")
    padded = b64url_encode(b"\0" + raw[:32] + b"\0" + raw[32:])  # same r and s, 33 bytes each
    result = verify(f"{head}.{body}.{padded}")
    assert set(failed(result)) == {"proof.signature"}


@pytest.mark.parametrize("b64", [False, "no", None])
def test_a_b64_header_is_refused_not_read_one_way_or_another(b64: Any) -> None:
    # RFC 7797 b64 outside crit: jwcrypto would read the payload unencoded, or refuse it;
    # a token that two verifiers would read as two payloads is refused, never checked.
    header = {"alg": "EdDSA", "kid": ED.verification_method, "typ": "vc+jwt", "b64": b64}
    result = verify(forge_raw(header, {**SAMPLE, "issuer": ED.controller}, ED))
    assert set(failed(result)) == {"proof.malformed"} and not result.verified
    assert not any(o.code == "proof.signature" for o in result.outcomes)


def test_a_signer_without_its_private_key_signs_jose_itself() -> None:
    """A key in an HSM or a KMS signs the JWS signing input through sign() (issue 13)."""
    calls: list[bytes] = []

    class Remote:
        public_key = ED.public_key
        verification_method = ED.verification_method

        def sign(self, data: bytes) -> bytes:
            calls.append(data)
            return ED.private_key.sign(data)

    token = sign_vc_jwt(SAMPLE, Remote(), where="diploma.json")
    assert calls == [token.rsplit(".", 1)[0].encode("ascii")]
    assert verify(token).verified
    # The same bytes as the local key signs (Ed25519 is deterministic).
    assert token == sign_vc_jwt(SAMPLE, ED)

    class Wrong(Remote):
        def sign(self, data: bytes) -> bytes:
            return b"\0" * 10

    with pytest.raises(SigningError, match="not a raw EdDSA signature") as caught:
        sign_vc_jwt(SAMPLE, Wrong(), where="diploma.json")
    assert caught.value.where == "diploma.json"


def test_signing_pins_the_header_alg_to_the_key() -> None:
    with pytest.raises(ValueError, match="alg 'ES256' does not fit the Ed25519 key"):
        encode_compact({"alg": "ES256"}, b"{}", ED.private_key)
    with pytest.raises(ValueError, match="does not fit"):
        encode_compact({"alg": "none"}, b"{}", ED.private_key)


def test_issued_at_and_expires_are_jwt_claims_that_are_checked() -> None:
    token = sign_vc_jwt(
        SAMPLE, ED, issued_at=FIXED_NOW - timedelta(days=2), expires=FIXED_NOW - timedelta(days=1)
    )
    claims = payload_of(token)
    assert claims["iat"] == int((FIXED_NOW - timedelta(days=2)).timestamp())
    assert "proof.expired" in failed(verify(token))
    future = sign_vc_jwt(SAMPLE, ED, issued_at=FIXED_NOW + timedelta(hours=1))
    assert "proof.created" in failed(verify(future))


def test_every_changed_payload_byte_is_rejected() -> None:
    token = sign_vc_jwt(SAMPLE, ED)
    header, payload, signature = token.split(".")
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    for index in range(len(raw)):
        changed = bytearray(raw)
        changed[index] ^= 0x01
        forged = f"{header}.{b64url_encode(bytes(changed))}.{signature}"
        result = verify(forged)
        assert not result.verified, index
        assert set(failed(result)) & {"proof.signature", "proof.malformed", "proof.controller"}


def test_every_changed_token_character_is_rejected() -> None:
    token = sign_vc_jwt(SAMPLE, P256)
    for index, char in enumerate(token):
        if char == ".":
            continue
        for replacement in ("A", "_"):
            if replacement != char:
                forged = token[:index] + replacement + token[index + 1 :]
                assert not verify(forged).verified, index


@pytest.mark.parametrize(
    ("key", "forged_alg", "signer"),
    [(ED, "ES256", P256), (P256, "EdDSA", ED), (P256, "ES384", P384), (P384, "ES256", P256)],
)
def test_header_alg_must_fit_the_resolved_key(
    key: KeyPair, forged_alg: str, signer: KeyPair
) -> None:
    payload = {**SAMPLE, "issuer": key.controller}
    token = forge(
        {"alg": forged_alg, "kid": key.verification_method, "typ": "vc+jwt"}, payload, signer
    )
    reasons = failed(verify(token))
    assert "proof.alg" in reasons
    assert f'alg "{forged_alg}" does not fit the {key.algorithm} key' in reasons["proof.alg"]
    assert "proof.signature" not in {o.code for o in verify(token).outcomes}


def test_alg_none_is_refused() -> None:
    payload = {**SAMPLE, "issuer": ED.controller}
    head = b64url_encode(
        json_bytes({"alg": "none", "kid": ED.verification_method, "typ": "vc+jwt"})
    )
    token = f"{head}.{b64url_encode(json_bytes(payload))}."
    reasons = failed(verify(token))
    assert reasons["proof.alg"] == 'alg "none" is refused: the token is not signed'


@pytest.mark.parametrize("secret_form", ["raw", "jwk"])
def test_hs256_with_the_public_key_as_secret_is_refused(secret_form: str) -> None:
    payload = {**SAMPLE, "issuer": P256.controller}
    public = P256.public_key
    secret = (
        public.raw_bytes() if secret_form == "raw" else json.dumps(public_to_jwk(public)).encode()
    )
    head = b64url_encode(
        json_bytes({"alg": "HS256", "kid": P256.verification_method, "typ": "vc+jwt"})
    )
    body = b64url_encode(json_bytes(payload))
    mac = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    reasons = failed(verify(f"{head}.{body}.{b64url_encode(mac)}"))
    assert "shared-secret MAC" in reasons["proof.alg"]


def test_algorithms_can_be_narrowed_by_the_verifier() -> None:
    reasons = failed(verify(sign_vc_jwt(SAMPLE, P384), allowed_algs={"EdDSA", "ES256"}))
    assert reasons["proof.alg"] == 'alg "ES384" is not accepted here'


def test_wrong_or_missing_kid_is_rejected() -> None:
    payload = {**SAMPLE, "issuer": ED.controller}
    for kid, expected in [
        (ED.controller + "#nope", "kid names no usable key"),
        (None, "the JOSE header has no kid"),
        ("key-1", "is not a DID URL"),
    ]:
        header = {"alg": "EdDSA", "typ": "vc+jwt"} | ({"kid": kid} if kid else {})
        reasons = failed(verify(forge(header, payload, ED)))
        assert expected in reasons["proof.verification_method"], kid


def test_key_of_someone_else_is_rejected() -> None:
    payload = {**SAMPLE, "issuer": ED.controller}
    # The other party's own key, named as such: not the issuer's.
    own = forge({"alg": "EdDSA", "kid": OTHER.verification_method, "typ": "vc+jwt"}, payload, OTHER)
    assert failed(verify(own))["proof.controller"] == (
        f"signed by {OTHER.controller}, not by {ED.controller}"
    )
    # The issuer's kid, but someone else's signature.
    stolen = forge({"alg": "EdDSA", "kid": ED.verification_method, "typ": "vc+jwt"}, payload, OTHER)
    assert "proof.signature" in failed(verify(stolen))


def test_signing_refuses_an_issuer_that_is_not_the_key() -> None:
    with pytest.raises(SigningError, match="issuer is 'did:example:someone'"):
        sign_vc_jwt({**SAMPLE, "issuer": "did:example:someone"}, ED)


def test_signing_checks_the_document() -> None:
    with pytest.raises(InputError, match="VerifiableCredential"):
        sign_vc_jwt({**SAMPLE, "type": ["OpenBadgeCredential"]}, ED)
    v11 = {**SAMPLE, "@context": ["https://www.w3.org/2018/credentials/v1"]}
    with pytest.raises(SigningError, match=r"VC Data Model 2\.0"):
        sign_vc_jwt(v11, ED)
    with pytest.raises(ContextError, match="notATerm"):
        sign_vc_jwt({**SAMPLE, "notATerm": 1}, ED)
    with pytest.raises(InputError, match='"vc" member'):
        sign_vc_jwt({**SAMPLE, "vc": {}}, ED)


def test_a_signer_with_only_a_private_key_and_kid_works() -> None:
    signer = KeySigner(P256.private_key, P256.verification_method)
    assert verify(sign_vc_jwt(SAMPLE, signer)).verified


def test_iss_must_match_the_issuer() -> None:
    payload = {**SAMPLE, "issuer": ED.controller, "iss": OTHER.controller}
    token = forge({"alg": "EdDSA", "kid": ED.verification_method, "typ": "vc+jwt"}, payload, ED)
    assert "proof.issuer" in failed(verify(token))


def test_relative_kid_and_did_web_issuer() -> None:
    did = "did:web:certif.example"
    web = KeyPair(P256.private_key, did, f"{did}#key-1")
    document = did_web_document(did, P256.public_key)
    url = "https://certif.example/.well-known/did.json"
    resolver = DidResolver(fetcher=StaticFetcher({url: json.dumps(document).encode()}))
    payload = {**SAMPLE, "issuer": did}
    token = forge({"alg": "ES256", "kid": "#key-1", "typ": "vc+jwt"}, payload, web)
    result = verify(token, resolver=resolver)
    assert result.verified, failed(result)
    assert result.verification_method == f"{did}#key-1"
    offline = verify(token)
    assert [o.outcome for o in offline.outcomes] == [Outcome.UNCHECKED]
    assert not offline.verified
    document["assertionMethod"] = []
    narrowed = DidResolver(fetcher=StaticFetcher({url: json.dumps(document).encode()}))
    assert (
        'not listed under "assertionMethod"'
        in failed(verify(token, resolver=narrowed))["proof.verification_method"]
    )


def vc11_claims(key: KeyPair) -> dict[str, Any]:
    return {
        "iss": key.controller,
        "sub": "did:example:camille",
        "jti": "urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5",
        "nbf": 1767225600,  # 2026-01-01T00:00:00Z
        "exp": 1798761600,  # 2027-01-01T00:00:00Z
        "vc": {
            "@context": ["https://www.w3.org/2018/credentials/v1"],
            "type": ["VerifiableCredential"],
            "credentialSubject": {"degree": {"type": "BachelorDegree"}},
        },
    }


def test_vc_1_1_jwt_is_accepted_and_rebuilt() -> None:
    token = forge(
        {"alg": "ES256", "typ": "JWT", "kid": P256.verification_method}, vc11_claims(P256), P256
    )
    result = verify(token)
    assert result.verified, failed(result)
    assert result.media_type == VC_JWT_11
    assert result.payload == {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": "did:example:camille", "degree": {"type": "BachelorDegree"}},
        "issuer": P256.controller,
        "id": "urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5",
        "issuanceDate": "2026-01-01T00:00:00Z",
        "expirationDate": "2027-01-01T00:00:00Z",
    }


def test_vc_1_1_jwt_from_jwcrypto_without_typ() -> None:
    theirs = jwc_jwk.JWK(**private_to_jwk(ED.private_key))
    made = jwc_jws.JWS(json.dumps(vc11_claims(ED)).encode())
    made.add_signature(
        theirs, protected=json.dumps({"alg": "EdDSA", "kid": ED.verification_method})
    )
    assert verify(made.serialize(compact=True)).verified


def test_vc_1_1_claims_that_contradict_the_credential_fail() -> None:
    claims = vc11_claims(ED)
    claims["vc"]["issuer"] = {"id": OTHER.controller, "name": "Someone"}
    claims["vc"]["issuanceDate"] = "2025-01-01T00:00:00Z"
    token = forge({"alg": "EdDSA", "typ": "JWT", "kid": ED.verification_method}, claims, ED)
    result = verify(token)
    assert result.payload is not None and result.payload["issuer"]["id"] == ED.controller
    messages = [o.message for o in result.outcomes if o.code == "proof.claims"]
    assert len(messages) == 2 and 'JWT claim "iss"' in messages[0]


def test_vc_1_1_expiry_is_left_to_the_credential_dates() -> None:
    claims = vc11_claims(ED) | {"exp": 1700000000}
    token = forge({"alg": "EdDSA", "typ": "JWT", "kid": ED.verification_method}, claims, ED)
    result = verify(token)
    assert result.verified  # the verifier's validity check reads expirationDate
    assert result.payload is not None and result.payload["expirationDate"] == "2023-11-14T22:13:20Z"


def test_typ_confusion_is_refused() -> None:
    payload = {**SAMPLE, "issuer": ED.controller}
    for header, reason in [
        ({"typ": "kb+jwt"}, 'typ "kb+jwt" is not'),
        ({"typ": "dc+sd-jwt"}, 'typ "dc+sd-jwt" is not'),
        ({}, "neither typ"),
    ]:
        token = forge({"alg": "EdDSA", "kid": ED.verification_method} | header, payload, ED)
        assert reason in failed(verify(token))["proof.typ"]
    with_vc = forge(
        {"alg": "EdDSA", "kid": ED.verification_method, "typ": "vc+jwt"}, payload | {"vc": {}}, ED
    )
    assert "must not carry" in failed(verify(with_vc))["proof.typ"]
    app = forge(
        {"alg": "EdDSA", "kid": ED.verification_method, "typ": "application/vc+jwt"}, payload, ED
    )
    assert verify(app).verified
    assert (
        "a credential where a presentation"
        in failed(verify(app, expect="presentation"))["proof.typ"]
    )


def test_critical_headers_are_not_understood() -> None:
    payload = {**SAMPLE, "issuer": ED.controller}
    header = {"alg": "EdDSA", "kid": ED.verification_method, "typ": "vc+jwt", "crit": ["exp"]}
    with pytest.raises(SigningError, match="crit and b64 header parameters are not supported"):
        forge(header, payload, ED)
    result = verify(forge_raw(header, payload, ED))
    assert failed(result)["proof.malformed"] == "critical header parameters are not understood"
    assert "proof.signature" not in {o.code for o in result.outcomes}
    assert not result.verified


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("not a jwt", "3"),
        ("a.b", "2 dot-separated parts"),
        ("e30=.e30.", "not base64url"),
        ("e31.e30.", "not canonical"),
        ("bm9wZQ.e30.", "not UTF-8 JSON"),
        ("WzFd.e30.", "header is not a JSON object"),
        (b64url_encode(b'{"alg":"EdDSA","alg":"none"}') + ".e30.", "appears twice"),
    ],
)
def test_unreadable_tokens_fail_without_raising(token: str, reason: str) -> None:
    result = verify(token)
    assert reason in failed(result)["proof.malformed"]
    assert result.payload is None and not result.verified


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet='abcAB019-_.~=+/{}"é', max_size=120))
def test_garbage_never_raises(text: str) -> None:
    assert not verify(text).verified


def presentation(key: KeyPair) -> dict[str, Any]:
    credential = sign_vc_jwt(SAMPLE, ED)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": key.controller,
        "verifiableCredential": [
            {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["EnvelopedVerifiableCredential"],
                "id": f"data:application/vc+jwt,{credential}",
            }
        ],
    }


def test_vp_jwt_round_trip_with_nonce_and_audience() -> None:
    token = sign_vp_jwt(presentation(P256), P256, nonce="n-123", audience="https://rh.example")
    result = verify(token, nonce="n-123", audience="https://rh.example", expect="presentation")
    assert result.verified, failed(result)
    assert result.media_type == VP_JWT
    assert header_of(token)["typ"] == "vp+jwt"
    assert {o.code for o in result.outcomes} >= {"proof.challenge", "proof.domain"}


def test_vp_jwt_with_wrong_nonce_or_audience_is_rejected() -> None:
    token = sign_vp_jwt(presentation(P256), P256, nonce="n-123", audience="https://rh.example")
    assert failed(verify(token, nonce="n-999", audience="https://rh.example")) == {
        "proof.challenge": "nonce is 'n-123', expected \"n-999\""
    }
    assert set(failed(verify(token, nonce="n-123", audience="https://other.example"))) == {
        "proof.domain"
    }
    bare = sign_vp_jwt(presentation(P256), P256)
    assert set(failed(verify(bare, nonce="n-123", audience="https://rh.example"))) == {
        "proof.challenge",
        "proof.domain",
    }


def test_vp_jwt_signed_by_someone_other_than_the_holder() -> None:
    vp = presentation(P256)
    token = forge({"alg": "EdDSA", "kid": OTHER.verification_method, "typ": "vp+jwt"}, vp, OTHER)
    assert "proof.controller" in failed(verify(token))
    with pytest.raises(SigningError, match="holder is"):
        sign_vp_jwt(vp, OTHER)


def test_vp_jwt_requires_enveloped_credentials() -> None:
    vp = presentation(P256)
    vp["verifiableCredential"] = [copy.deepcopy(SAMPLE)]
    with pytest.raises(InputError, match="EnvelopedVerifiableCredential") as caught:
        sign_vp_jwt(vp, P256)
    assert caught.value.pointer == "/verifiableCredential/0"


def test_vc_1_1_presentation_jwt() -> None:
    claims = {
        "iss": ED.controller,
        "aud": "https://rh.example",
        "nonce": "n-1",
        "vp": {
            "@context": ["https://www.w3.org/2018/credentials/v1"],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [sign_vc_jwt(SAMPLE, P256)],
        },
    }
    token = forge({"alg": "EdDSA", "typ": "JWT", "kid": ED.verification_method}, claims, ED)
    result = verify(token, nonce="n-1", audience="https://rh.example")
    assert result.verified, failed(result)
    assert result.payload is not None and result.payload["holder"] == ED.controller


def test_not_before_in_the_future() -> None:
    payload = {
        **SAMPLE,
        "issuer": ED.controller,
        "nbf": int((FIXED_NOW + timedelta(days=1)).timestamp()),
    }
    token = forge({"alg": "EdDSA", "kid": ED.verification_method, "typ": "vc+jwt"}, payload, ED)
    assert "not valid before" in failed(verify(token))["proof.not_yet_valid"]
    payload["nbf"] = "tomorrow"
    token = forge({"alg": "EdDSA", "kid": ED.verification_method, "typ": "vc+jwt"}, payload, ED)
    assert "NumericDate" in failed(verify(token))["proof.malformed"]


# Issue 10, hole 7: a vp+jwt is dated by iat (else nbf), bounded by the verifier's
# max_age and the holder's exp; a credential token gets no presentation age.


def ages(result: Any) -> list[tuple[Outcome, str]]:
    return [(o.outcome, o.message) for o in result.outcomes if o.code == "presentation.age"]


def test_a_vp_jwt_shows_its_age_and_meets_max_age() -> None:
    made = FIXED_NOW - timedelta(days=3)
    token = sign_vp_jwt(presentation(P256), P256, issued_at=made, nonce="n-1")
    result = verify(token, nonce="n-1")
    assert result.verified, failed(result)
    assert ages(result) == [(Outcome.PASSED, "presented 3 days ago (2026-01-12 12:00 UTC)")]
    assert "replay" in ages(verify(token))[0][1]
    assert set(failed(verify(token, nonce="n-1", max_age=timedelta(days=2)))) == {
        "presentation.age"
    }
    assert verify(token, nonce="n-1", max_age=timedelta(days=4)).verified
    assert ages(verify(sign_vc_jwt(SAMPLE, ED, issued_at=made), max_age=timedelta(days=1))) == []


def test_a_vp_jwt_is_dated_by_nbf_without_iat() -> None:
    vp = presentation(ED) | {"nbf": int((FIXED_NOW - timedelta(hours=5)).timestamp())}
    token = forge({"alg": "EdDSA", "kid": ED.verification_method, "typ": "vp+jwt"}, vp, ED)
    assert ages(verify(token))[0][1].startswith("presented 5 hours ago")
    assert set(failed(verify(token, max_age=timedelta(hours=1)))) == {"presentation.age"}


def test_an_undated_vp_jwt_fails_a_max_age() -> None:
    token = sign_vp_jwt(presentation(ED), ED)
    assert "not dated" in ages(verify(token))[0][1]
    assert "not dated" in failed(verify(token, max_age=timedelta(days=365)))["presentation.age"]


def test_the_holders_exp_ends_a_vp_jwt() -> None:
    made = FIXED_NOW - timedelta(days=3)
    lapsed = sign_vp_jwt(presentation(ED), ED, issued_at=made, expires=made + timedelta(days=1))
    assert set(failed(verify(lapsed))) == {"proof.expired"}
    live = sign_vp_jwt(presentation(ED), ED, issued_at=made, expires=made + timedelta(days=7))
    assert "valid until 2026-01-19 12:00 UTC" in ages(verify(live))[0][1]


@pytest.mark.parametrize("claim", ["iat", "nbf", "exp"])
def test_an_unreadable_vp_jwt_date_is_malformed_not_aged(claim: str) -> None:
    vp = presentation(ED) | {claim: "yesterday"}
    token = forge({"alg": "EdDSA", "kid": ED.verification_method, "typ": "vp+jwt"}, vp, ED)
    result = verify(token, max_age=timedelta(days=1))
    assert set(failed(result)) == {"proof.malformed"}


def test_the_dates_of_a_vp_jwt_are_signed() -> None:
    made = FIXED_NOW - timedelta(days=3)
    token = sign_vp_jwt(presentation(ED), ED, issued_at=made)
    head, _, signature = token.split(".")
    claims = payload_of(token) | {"iat": int(FIXED_NOW.timestamp())}
    refreshed = f"{head}.{b64url_encode(json_bytes(claims))}.{signature}"
    assert "proof.signature" in failed(verify(refreshed, max_age=timedelta(days=1)))
