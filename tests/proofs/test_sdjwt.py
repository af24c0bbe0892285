"""SD-JWT VC: the RFC 9901 examples reproduced and verified, then every way to cheat refused.

Spec data in ``data/sdjwt/`` comes from RFC 9901 (https://www.rfc-editor.org/rfc/rfc9901),
sections 4.2, 5 and appendices A.3 and A.5, as rendered by the OAuth working group
(each file names its ``source`` and ``source_text``).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passeport.did import (
    DidResolver,
    KeyAlgorithm,
    KeyPair,
    PrivateKey,
    public_from_jwk,
    public_to_jwk,
)
from passeport.errors import InputError, PasseportError, ResolutionError, SigningError
from passeport.proofs._disclosures import decode_disclosure, digest_of, process
from passeport.proofs._jws import b64url_encode, encode_compact, json_bytes, parse_compact
from passeport.proofs.outcome import Outcome
from passeport.proofs.sdjwt import (
    credential_vct,
    default_disclosable,
    holder_jwk,
    issue_sd_jwt,
    present_sd_jwt,
    verify_sd_jwt,
)
from tests.conftest import FIXED_NOW, ROOT

DATA = Path(__file__).parent / "data" / "sdjwt"
SECTION4 = json.loads((DATA / "rfc9901-section4.json").read_text("utf-8"))
SECTION5 = json.loads((DATA / "rfc9901-section5.json").read_text("utf-8"))
APPENDIX_A3 = json.loads((DATA / "rfc9901-appendix-a3.json").read_text("utf-8"))
SPEC_NONCE, SPEC_AUDIENCE = "1234567890", "https://verifier.example.org"
SECTION5_POINTERS = [
    "/given_name",
    "/family_name",
    "/email",
    "/phone_number",
    "/phone_number_verified",
    "/address",
    "/birthdate",
    "/updated_at",
    "/nationalities/0",
    "/nationalities/1",
]
A3_POINTERS = [
    *("/given_name", "/family_name", "/birthdate"),
    *(f"/address/{name}" for name in ("street_address", "locality", "postal_code", "country")),
    *("/address", "/nationalities", "/sex", "/birth_family_name"),
    *("/place_of_birth/locality", "/place_of_birth/country", "/place_of_birth"),
    *(f"/age_equal_or_over/{age}" for age in ("12", "14", "16", "18", "21", "65")),
    *("/age_equal_or_over", "/age_in_years", "/age_birth_year", "/issuance_date"),
    *("/expiry_date", "/issuing_authority", "/issuing_country"),
]


def pair(algorithm: KeyAlgorithm, seed: int) -> KeyPair:
    size = 48 if algorithm is KeyAlgorithm.P384 else 32
    return KeyPair.from_private_key(PrivateKey.from_raw(algorithm, bytes([seed]) * size))


ISSUER = pair(KeyAlgorithm.P256, 61)
HOLDER = pair(KeyAlgorithm.ED25519, 62)
STRANGER = pair(KeyAlgorithm.ED25519, 63)
RESOLVER = DidResolver()
VCT = "https://passeport.example/vct/skills"
CLAIMS: dict[str, Any] = {
    "given_name": "Camille",
    "family_name": "Martin",
    "birthdate": "1990-05-04",
    "address": {"locality": "Lyon", "country": "FR"},
    "skills": ["Python", "SQL", "Soudure TIG"],
}
DISCLOSABLE = ["/given_name", "/family_name", "/birthdate", "/address", "/skills/0", "/skills/1"]
DISCLOSABLE += ["/skills/2", "/address/locality"]
ISSUED_AT = FIXED_NOW - timedelta(days=30)
NOW = FIXED_NOW


def salts(prefix: str) -> Any:
    counter = iter(range(1000))
    return lambda: f"{prefix}-salt-{next(counter):04d}"


def issue(claims: dict[str, Any] | None = None, *, prefix: str = "a", **options: Any) -> str:
    return issue_sd_jwt(
        claims if claims is not None else CLAIMS,
        options.pop("key", ISSUER),
        vct=VCT,
        disclosable=options.pop("disclosable", DISCLOSABLE),
        holder_jwk=public_to_jwk(HOLDER.public_key),
        salt=salts(prefix),
        issued_at=ISSUED_AT,
        **options,
    )


def present(token: str, reveal: list[str], **options: Any) -> str:
    options.setdefault("holder_key", HOLDER)
    options.setdefault("nonce", "n-1")
    options.setdefault("audience", "https://rh.example")
    options.setdefault("issued_at", NOW - timedelta(seconds=20))
    return present_sd_jwt(token, reveal, **options)


def verify(token: str, **options: Any) -> Any:
    options.setdefault("nonce", "n-1")
    options.setdefault("audience", "https://rh.example")
    return verify_sd_jwt(token, resolver=RESOLVER, now=options.pop("now", NOW), **options)


def failed(result: Any) -> dict[str, str]:
    return {o.code: o.message for o in result.outcomes if o.outcome is not Outcome.PASSED}


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def decoded_parts(token: str) -> list[bytes]:
    """Every base64url piece of an SD-JWT(+KB), decoded: JWT parts and disclosures."""
    pieces = [piece for part in token.split("~") for piece in part.split(".") if piece]
    return [b64decode(piece) for piece in pieces]


def forge_issuer_jwt(
    payload: dict[str, Any], *, key: KeyPair = ISSUER, typ: str = "dc+sd-jwt"
) -> str:
    header = {"alg": "ES256", "kid": key.verification_method, "typ": typ}
    if key.algorithm is not KeyAlgorithm.P256:
        # jwcrypto signs ES256 with a P-256 key only: forge the confused token by hand.
        signing_input = f"{b64url_encode(json_bytes(header))}.{b64url_encode(json_bytes(payload))}"
        signature = key.private_key.sign(signing_input.encode("ascii"))
        return f"{signing_input}.{b64url_encode(signature)}"
    return encode_compact(header, json_bytes(payload), key.private_key)


def disclosure(contents: list[Any]) -> str:
    return b64url_encode(json.dumps(contents).encode())


# --- The RFC's examples ---------------------------------------------------------------


def test_spec_disclosure_digests_reproduce_byte_for_byte() -> None:
    for example in (SECTION4["object_property"], SECTION4["array_element"]):
        assert digest_of(example["disclosure"], "sha-256") == example["digest"]
        assert decode_disclosure(example["disclosure"]).text == example["disclosure"]
    for data in (SECTION5, APPENDIX_A3):
        for item in data["disclosures"]:
            assert digest_of(item["disclosure"], "sha-256") == item["digest"], item["claim"]
            found = decode_disclosure(item["disclosure"])
            assert [found.salt, found.name, found.value] == item["contents"] or [
                found.salt,
                found.value,
            ] == item["contents"]


def test_spec_equivalent_encodings_decode_alike_but_hash_apart() -> None:
    example = SECTION4["object_property"]
    digests = {example["digest"]}
    for text in example["equivalent_encodings"]:
        found = decode_disclosure(text)
        assert (found.salt, found.name, found.value) == tuple(example["contents"])
        digests.add(digest_of(text, "sha-256"))
    assert len(digests) == 4


def test_spec_array_element_embedding() -> None:
    example = SECTION4["array_element"]
    by_digest = {example["digest"]: decode_disclosure(example["disclosure"])}
    assert process(example["sd_jwt_payload"], {}).payload == example["processed_without"]
    assert process(example["sd_jwt_payload"], by_digest).payload == example["processed_with"]


@pytest.mark.parametrize(
    ("data", "pointers"), [(SECTION5, SECTION5_POINTERS), (APPENDIX_A3, A3_POINTERS)]
)
def test_issuer_reproduces_the_spec_disclosures_and_digests(
    data: dict[str, Any], pointers: list[str]
) -> None:
    claims = {k: v for k, v in data["user_claims"].items() if k != "iss"}
    spec_salts = iter(item["contents"][0] for item in data["disclosures"])
    token = issue_sd_jwt(
        claims, ISSUER, vct=claims.get("vct", VCT), disclosable=pointers, salt=spec_salts.__next__
    )
    jwt, *texts, last = token.split("~")
    assert last == ""
    assert texts == [item["disclosure"] for item in data["disclosures"]]
    payload = parse_compact(jwt).claims()
    expected = data["sd_jwt_payload"]
    assert payload["_sd"] == expected["_sd"]
    assert payload.get("nationalities") == expected.get("nationalities")


@pytest.mark.parametrize(
    ("data", "typ"), [(SECTION5, "example+sd-jwt"), (APPENDIX_A3, "dc+sd-jwt")]
)
def test_spec_presentation_verifies_with_the_spec_keys(data: dict[str, Any], typ: str) -> None:
    issuer_keys = {data["sd_jwt_payload"]["iss"]: public_from_jwk(data["issuer_public_jwk"])}
    made = datetime.fromtimestamp(data["kb_jwt_payload"]["iat"], UTC)
    options: dict[str, Any] = {"expected_typ": (typ,), "issuer_keys": issuer_keys}
    options |= {"nonce": SPEC_NONCE, "audience": SPEC_AUDIENCE, "require_key_binding": True}
    result = verify(data["presentation"], now=made + timedelta(seconds=30), **options)
    assert result.verified, failed(result)
    assert result.payload == data["processed_payload"]
    # The issued SD-JWT, with every disclosure, gives back the input claims.
    issued = verify(data["sd_jwt"], now=made, expected_typ=(typ,), issuer_keys=issuer_keys)
    assert issued.verified, failed(issued)
    assert issued.payload is not None
    assert {k: issued.payload[k] for k in data["user_claims"]} == data["user_claims"]
    # The same KB-JWT replayed elsewhere, or later, is refused.
    replayed = verify(
        data["presentation"],
        now=made,
        nonce="other",
        audience="https://evil.example",
        **{k: v for k, v in options.items() if k not in ("nonce", "audience")},
    )
    assert {"key_binding.nonce", "key_binding.audience"} <= set(failed(replayed))
    later = made + timedelta(hours=1)
    assert verify(data["presentation"], now=later, **options).verified  # no fixed window
    stale = verify(data["presentation"], now=later, max_age=timedelta(minutes=5), **options)
    assert "older than" in failed(stale)["presentation.age"]


def test_spec_presentation_without_the_issuer_key_is_not_verified() -> None:
    result = verify(APPENDIX_A3["presentation"], now=FIXED_NOW)
    assert "kid" in failed(result)["proof.verification_method"]
    assert not result.verified


# --- Issue, present, verify -------------------------------------------------------------


@pytest.mark.parametrize("issuer_alg", list(KeyAlgorithm))
@pytest.mark.parametrize("holder_alg", list(KeyAlgorithm))
def test_round_trip_for_every_key_type(issuer_alg: KeyAlgorithm, holder_alg: KeyAlgorithm) -> None:
    issuer, holder = pair(issuer_alg, 70), pair(holder_alg, 71)
    token = issue_sd_jwt(
        CLAIMS,
        issuer,
        vct=VCT,
        disclosable=DISCLOSABLE,
        holder_jwk=public_to_jwk(holder.public_key),
        issued_at=ISSUED_AT,
    )
    header = parse_compact(token.split("~")[0]).header
    assert header["typ"] == "dc+sd-jwt" and header["kid"] == issuer.verification_method
    shown = present(token, ["/given_name", "/skills/1"], holder_key=holder)
    result = verify(shown, require_key_binding=True)
    assert result.verified, failed(result)
    assert result.payload is not None
    assert {k: v for k, v in result.payload.items() if k not in ("iss", "iat", "vct", "cnf")} == {
        "given_name": "Camille",
        "skills": ["SQL"],
    }
    assert result.payload["iss"] == issuer.controller


def test_undisclosed_values_are_nowhere_in_the_presented_bytes() -> None:
    token = issue()
    shown = present(token, ["/given_name", "/skills/2"])
    everything = b"".join(decoded_parts(shown)) + shown.encode()
    for secret in ("Martin", "1990-05-04", "Lyon", "Python", "SQL", "family_name", "birthdate"):
        assert secret.encode() not in everything, secret
    presented = set(shown.split("~")[1:-1])
    assert len(presented) == 2
    for text in token.split("~")[1:-1]:
        salt = decode_disclosure(text).salt.encode()
        assert (salt in everything) == (text in presented), salt
    assert b"Camille" in everything and b"Soudure TIG" in everything


def test_reveal_takes_what_leads_to_the_claim_and_what_is_inside() -> None:
    token = issue()
    inner = verify(present(token, ["/address/locality"]))
    assert inner.payload is not None and inner.payload["address"] == {
        "locality": "Lyon",
        "country": "FR",
    }
    whole = verify(present(token, ["/address"]))
    assert whole.payload is not None and whole.payload["address"] == {
        "locality": "Lyon",
        "country": "FR",
    }
    nothing = verify(present(token, []))
    assert nothing.verified and nothing.payload is not None
    assert "address" not in nothing.payload and nothing.payload["skills"] == []


def test_decoys_hide_the_number_of_claims() -> None:
    token = issue(decoys=3)
    payload = parse_compact(token.split("~")[0]).claims()
    digests = payload["_sd"]
    assert isinstance(digests, list) and len(digests) == 4 + 3
    assert verify(present(token, ["/family_name"])).verified


def test_vcdm_credential_as_sd_jwt_vc() -> None:
    credential = json.loads((ROOT / "passeport" / "samples" / "diploma.json").read_text("utf-8"))
    token = issue(
        credential,
        disclosable=[
            "/name",
            "/credentialSubject/name",
            "/credentialSubject/achievement/alignment/0",
        ],
    )
    payload = parse_compact(token.split("~")[0]).claims()
    assert payload["issuer"] == payload["iss"] == ISSUER.controller
    result = verify(present(token, ["/credentialSubject/name"]))
    assert result.verified, failed(result)
    assert result.payload is not None
    assert result.payload["credentialSubject"]["name"] == "Camille Martin"
    assert result.payload["credentialSubject"]["achievement"]["alignment"] == []
    assert "name" not in result.payload


# --- Cheating -------------------------------------------------------------------------


def test_tampered_disclosed_value_is_rejected() -> None:
    token = issue()
    shown = present(token, ["/given_name"], holder_key=None)
    jwt, text, _ = shown.split("~")
    salt = decode_disclosure(text).salt
    forged = f"{jwt}~{disclosure([salt, 'given_name', 'Dominique'])}~"
    result = verify(forged)
    assert "disclosure.unreferenced" in failed(result)
    assert result.payload is not None and "given_name" not in result.payload
    bound = present(token, ["/given_name"])
    swapped = bound.replace(text, disclosure([salt, "given_name", "Dominique"]))
    assert {"disclosure.unreferenced", "key_binding.sd_hash"} <= set(failed(verify(swapped)))


def test_disclosure_digests_pass_only_when_each_disclosure_is_referenced_once() -> None:
    shown = present(issue(), ["/given_name", "/skills/1"])
    passed = {o.code: o.message for o in verify(shown).outcomes if o.outcome is Outcome.PASSED}
    assert passed["disclosure.digests"] == "2 disclosures match the issuer's digests"
    jwt, text, *_ = shown.split("~")
    stray = f"{jwt}~{text}~{disclosure(['s9', 'nickname', 'Cam'])}~"
    outcomes = {o.code: o.outcome for o in verify(stray).outcomes}
    assert outcomes["disclosure.unreferenced"] is Outcome.FAILED
    assert "disclosure.digests" not in outcomes


def test_disclosure_swapped_from_another_credential_is_rejected() -> None:
    mine = issue(prefix="mine")
    other = issue({**CLAIMS, "birthdate": "1970-01-01"}, prefix="other")
    other_birthdate = next(
        t for t in other.split("~")[1:-1] if decode_disclosure(t).name == "birthdate"
    )
    shown = present(mine, ["/given_name"], holder_key=None)
    result = verify(shown[:-1] + "~" + other_birthdate + "~")
    assert "disclosure.unreferenced" in failed(result)
    assert result.payload is not None and "birthdate" not in result.payload


def test_duplicate_disclosure_is_rejected() -> None:
    shown = present(issue(), ["/given_name"], holder_key=None)
    jwt, text, _ = shown.split("~")
    assert "disclosure.duplicate" in failed(verify(f"{jwt}~{text}~{text}~"))


def test_duplicate_digest_in_the_payload_is_rejected() -> None:
    text = disclosure(["s1", "given_name", "Camille"])
    digest = digest_of(text, "sha-256")
    payload = {"_sd": [digest], "nested": {"_sd": [digest]}, "iss": ISSUER.controller, "vct": VCT}
    token = f"{forge_issuer_jwt(payload)}~{text}~"
    assert "appears more than once" in failed(verify(token))["disclosure.duplicate"]


@pytest.mark.parametrize(
    ("payload_extra", "disclosures", "code"),
    [
        ({}, [["s1", "_sd", ["x"]]], "disclosure.reserved"),
        ({}, [["s1", "...", 1]], "disclosure.reserved"),
        ({}, [["s1", "exp", 1]], "disclosure.reserved"),
        ({"given_name": "Clear"}, [["s1", "given_name", "Hidden"]], "disclosure.conflict"),
        ({"x": {"...": "abc"}}, [], "disclosure.reserved"),
        ({"x": {"_sd_alg": "sha-256"}}, [], "disclosure.reserved"),
        ({"x": [{"...": "abc", "y": 1}]}, [], "disclosure.reserved"),
        ({}, [["s1", "Camille"]], "disclosure.malformed"),
    ],
)
def test_reserved_names_and_wrong_shapes_are_rejected(
    payload_extra: dict[str, Any], disclosures: list[list[Any]], code: str
) -> None:
    texts = [disclosure(contents) for contents in disclosures]
    payload = {"iss": ISSUER.controller, "vct": VCT, **payload_extra}
    if texts:
        payload["_sd"] = [digest_of(t, "sha-256") for t in texts]
    token = "~".join([forge_issuer_jwt(payload), *texts, ""])
    assert code in failed(verify(token))


def test_unknown_hash_algorithm_and_bad_disclosures() -> None:
    payload = {"iss": ISSUER.controller, "vct": VCT, "_sd_alg": "md5"}
    assert "disclosure.hash_alg" in failed(verify(forge_issuer_jwt(payload) + "~"))
    good = forge_issuer_jwt({"iss": ISSUER.controller, "vct": VCT})
    assert "disclosure.malformed" in failed(verify(good + "~bm90IGpzb24~"))
    assert "empty disclosure" in failed(verify(good + "~~x~"))["proof.malformed"]


def test_missing_key_binding_when_required() -> None:
    shown = present(issue(), ["/given_name"], holder_key=None)
    assert verify(shown).verified  # a bearer SD-JWT, when the verifier accepts it
    assert "key_binding.missing" in failed(verify(shown, require_key_binding=True))


def test_key_binding_replayed_with_another_nonce_or_audience() -> None:
    shown = present(issue(), ["/given_name"])
    assert set(failed(verify(shown, nonce="n-2"))) == {"key_binding.nonce"}
    assert set(failed(verify(shown, audience="https://other.example"))) == {"key_binding.audience"}


def ages(result: Any) -> list[tuple[Outcome, str]]:
    return [(o.outcome, o.message) for o in result.outcomes if o.code == "presentation.age"]


def test_a_key_binding_is_not_stale_after_five_fixed_minutes() -> None:
    # Issue 10, hole 7: a CV sent by e-mail must not break after five minutes.
    old = present(issue(), ["/given_name"], issued_at=NOW - timedelta(days=3))
    result = verify(old)
    assert result.verified, failed(result)
    assert ages(result) == [(Outcome.PASSED, "presented 3 days ago (2026-01-12 12:00 UTC)")]


def test_stale_or_future_key_binding_is_rejected() -> None:
    token = issue()
    old = present(token, ["/given_name"], issued_at=NOW - timedelta(minutes=30))
    assert (
        "older than the 10 minutes"
        in failed(verify(old, max_age=timedelta(minutes=10)))["presentation.age"]
    )
    assert verify(old, max_age=timedelta(hours=1)).verified
    future = present(token, ["/given_name"], issued_at=NOW + timedelta(minutes=30))
    assert "in the future" in failed(verify(future))["key_binding.iat"]
    assert "presentation.age" not in {o.code for o in verify(future).outcomes}


def test_the_clock_skew_is_tolerated_on_the_age_bound() -> None:
    token = issue()
    edge = present(token, ["/given_name"], issued_at=NOW - timedelta(minutes=14))
    assert verify(edge, max_age=timedelta(minutes=10)).verified  # within 5 minutes of skew
    beyond = present(token, ["/given_name"], issued_at=NOW - timedelta(minutes=16))
    assert "presentation.age" in failed(verify(beyond, max_age=timedelta(minutes=10)))


def test_the_holders_exp_bounds_the_key_binding() -> None:
    token = issue()
    made = NOW - timedelta(hours=2)
    lapsed = present(token, ["/given_name"], issued_at=made, expires=made + timedelta(hours=1))
    assert "expired at" in failed(verify(lapsed))["key_binding.expired"]
    live = present(token, ["/given_name"], issued_at=made, expires=made + timedelta(days=30))
    result = verify(live)
    assert result.verified, failed(result)
    assert "valid until 2026-02-14 10:00 UTC" in ages(result)[0][1]
    # The verifier's bound holds whatever the holder says.
    assert "presentation.age" in failed(verify(live, max_age=timedelta(hours=1)))


def test_the_kb_jwt_exp_is_signed_by_the_holder() -> None:
    made = NOW - timedelta(hours=2)
    lapsed = present(issue(), ["/given_name"], issued_at=made, expires=made + timedelta(hours=1))
    jwt, kb = lapsed.rsplit("~", 1)
    header, payload, signature = kb.split(".")
    claims = json.loads(b64decode(payload))
    claims["exp"] = int((NOW + timedelta(days=1)).timestamp())
    stretched = f"{jwt}~{header}.{b64url_encode(json_bytes(claims))}.{signature}"
    assert "key_binding.signature" in failed(verify(stretched))
    claims.pop("exp")
    dropped = f"{jwt}~{header}.{b64url_encode(json_bytes(claims))}.{signature}"
    assert "key_binding.signature" in failed(verify(dropped))


def holder_resigned(shown: str, **changes: Any) -> str:
    """Re-sign a presentation's KB-JWT with the holder's key, its claims changed (None drops)."""
    jwt, kb = shown.rsplit("~", 1)
    header, payload, _ = kb.split(".")
    claims = json.loads(b64decode(payload)) | changes
    claims = {name: value for name, value in claims.items() if value is not None}
    key = HOLDER.private_key
    return f"{jwt}~{encode_compact(json.loads(b64decode(header)), json_bytes(claims), key)}"


@pytest.mark.parametrize("value", ["tomorrow", True, [1], 1e300])
def test_an_unreadable_kb_exp_fails(value: Any) -> None:
    forged = holder_resigned(present(issue(), ["/given_name"]), exp=value)
    assert "key_binding.expired" in failed(verify(forged))


def test_an_undated_key_binding_fails_and_says_so() -> None:
    forged = holder_resigned(present(issue(), ["/given_name"]), iat=None)
    assert "key_binding.iat" in failed(verify(forged))
    assert "key_binding.iat" in failed(verify(forged, max_age=timedelta(days=1)))


def test_without_a_nonce_the_age_check_warns_of_replay() -> None:
    shown = present(issue(), ["/given_name"])
    ((outcome, message),) = ages(verify(shown, nonce=None))
    assert outcome is Outcome.PASSED and "replay" in message
    ((outcome, message),) = ages(verify(shown))
    assert outcome is Outcome.PASSED and "replay" not in message


def test_the_holder_cannot_sign_an_exp_before_iat() -> None:
    with pytest.raises(SigningError, match="expire before"):
        present(issue(), ["/given_name"], issued_at=NOW, expires=NOW - timedelta(seconds=1))
    with pytest.raises(InputError, match="Key Binding"):
        present(issue(), ["/given_name"], holder_key=None, expires=NOW + timedelta(days=1))


def test_wrong_sd_hash_is_rejected() -> None:
    token = issue()
    first = present(token, ["/given_name"])
    second = present(token, ["/given_name", "/birthdate"], holder_key=None)
    kb = first.split("~")[-1]
    assert set(failed(verify(second + kb))) == {"key_binding.sd_hash"}


def test_key_binding_by_another_key_or_badly_typed() -> None:
    token = issue()
    presented = present(token, ["/given_name"], holder_key=None)
    kb_payload = {"iat": int(NOW.timestamp()), "aud": "https://rh.example", "nonce": "n-1"}
    kb_payload["sd_hash"] = digest_of(presented, "sha-256")
    stranger = encode_compact(
        {"alg": "EdDSA", "typ": "kb+jwt"}, json_bytes(kb_payload), STRANGER.private_key
    )
    assert set(failed(verify(presented + stranger))) == {"key_binding.signature"}
    untyped = encode_compact(
        {"alg": "EdDSA", "typ": "JWT"}, json_bytes(kb_payload), HOLDER.private_key
    )
    assert set(failed(verify(presented + untyped))) == {"key_binding.typ"}
    head = b64url_encode(json_bytes({"alg": "none", "typ": "kb+jwt"}))
    unsigned = f"{head}.{b64url_encode(json_bytes(kb_payload))}."
    assert "not signed" in failed(verify(presented + unsigned))["key_binding.alg"]
    confused = encode_compact(
        {"alg": "ES256", "typ": "kb+jwt"}, json_bytes(kb_payload), ISSUER.private_key
    )
    assert "does not fit the Ed25519 key" in failed(verify(presented + confused))["key_binding.alg"]


def test_key_binding_without_cnf_is_rejected() -> None:
    token = issue_sd_jwt(CLAIMS, ISSUER, vct=VCT, disclosable=["/given_name"], issued_at=NOW)
    presented = present_sd_jwt(token, ["/given_name"])
    kb = encode_compact(
        {"alg": "EdDSA", "typ": "kb+jwt"}, json_bytes({"iat": 1}), HOLDER.private_key
    )
    assert "key_binding.cnf" in failed(verify(presented + kb))
    with pytest.raises(SigningError, match="cnf"):
        present(token, ["/given_name"])


def test_issuer_signature_key_and_type_are_checked() -> None:
    token = issue()
    jwt, rest = token.split("~", 1)
    head, body, signature = jwt.split(".")
    claims = json.loads(b64decode(body))
    claims["vct"] = "https://evil.example/vct"
    forged = f"{head}.{b64url_encode(json_bytes(claims))}.{signature}~{rest}"
    assert "proof.signature" in failed(verify(forged))
    payload = {**parse_compact(jwt).claims()}
    by_stranger = forge_issuer_jwt(payload, key=STRANGER)
    assert "proof.alg" in failed(verify(f"{by_stranger}~{rest}"))
    stranger_kid = encode_compact(
        {"alg": "EdDSA", "kid": STRANGER.verification_method, "typ": "dc+sd-jwt"},
        json_bytes(payload),
        STRANGER.private_key,
    )
    assert "proof.controller" in failed(verify(f"{stranger_kid}~{rest}"))
    assert "proof.typ" in failed(verify(f"{forge_issuer_jwt(payload, typ='JWT')}~{rest}"))
    no_vct = forge_issuer_jwt({k: v for k, v in payload.items() if k != "vct"})
    assert "input.vct" in failed(verify(f"{no_vct}~{rest}"))


def test_expired_sd_jwt_is_rejected() -> None:
    token = issue(expires=NOW - timedelta(days=1))
    assert "proof.expired" in failed(verify(present(token, [])))


def test_issuing_refuses_what_must_stay_in_clear() -> None:
    with pytest.raises(SigningError, match="stay in clear") as caught:
        issue(disclosable=["/vct"])
    assert caught.value.pointer == "/vct"
    credential = json.loads((ROOT / "passeport" / "samples" / "diploma.json").read_text("utf-8"))
    for pointer in ("/type", "/issuer", "/validFrom", "/@context"):
        with pytest.raises(SigningError, match="stay in clear"):
            issue(credential, disclosable=[pointer])
    with pytest.raises(InputError, match="no such claim"):
        issue(disclosable=["/skills/3"])
    with pytest.raises(SigningError, match="reserved"):
        issue({**CLAIMS, "_sd": []})
    with pytest.raises(SigningError, match="iss is"):
        issue({**CLAIMS, "iss": "did:example:other"})
    with pytest.raises(InputError, match="holder key"):
        issue_sd_jwt(CLAIMS, ISSUER, vct=VCT, holder_jwk={"kty": "oct", "k": "c2VjcmV0"})


def test_jose_signing_takes_a_signer_without_its_private_key() -> None:
    """Issuer and holder keys kept in an HSM sign through sign() (issue 13); P-256 raw r||s."""

    class Remote:
        def __init__(self, pair: Any) -> None:
            self.public_key = pair.public_key
            self.verification_method = pair.verification_method
            self._pair = pair

        def sign(self, data: bytes) -> bytes:
            return bytes(self._pair.private_key.sign(data))

    token = issue(key=Remote(ISSUER))
    assert verify(token, nonce=None, audience=None).verified
    bound = present(token, ["/given_name"], holder_key=Remote(HOLDER))
    assert verify(bound).verified


def test_holder_private_key_never_reaches_the_credential() -> None:
    jwk = public_to_jwk(HOLDER.public_key) | {"d": b64url_encode(HOLDER.private_key.raw_bytes())}
    token = issue_sd_jwt(CLAIMS, ISSUER, vct=VCT, holder_jwk=jwk)
    assert parse_compact(token.split("~")[0]).claims()["cnf"] == {
        "jwk": public_to_jwk(HOLDER.public_key)
    }


def test_presenting_refuses_bad_requests() -> None:
    token = issue()
    with pytest.raises(InputError, match="no such claim") as caught:
        present(token, ["/nickname"])
    assert caught.value.pointer == "/nickname"
    with pytest.raises(InputError, match="already ends with a Key Binding JWT"):
        present(present(token, []), [])
    with pytest.raises(InputError, match="nonce and audience"):
        present(token, [], nonce=None)
    with pytest.raises(SigningError, match="not the key this credential is bound to"):
        present(token, [], holder_key=STRANGER)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="eyJabc019-_.~=", max_size=160))
def test_garbage_never_raises(text: str) -> None:
    assert not verify(text).verified


def test_sha256_is_the_digest_named_in_the_payload() -> None:
    payload = parse_compact(issue().split("~")[0]).claims()
    assert payload["_sd_alg"] == "sha-256"
    text = issue().split("~")[1]
    expected = b64url_encode(hashlib.sha256(text.encode("ascii")).digest())
    digests = payload["_sd"]
    assert isinstance(digests, list) and expected in digests


def test_default_disclosable_and_vct_for_a_credential() -> None:
    credential = json.loads((ROOT / "passeport" / "samples" / "diploma.json").read_text("utf-8"))
    vct = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"
    assert credential_vct(credential) == vct
    pointers = default_disclosable(credential, mandatory=["/credentialSubject/achievement/name"])
    assert "/credentialSubject/name" in pointers
    assert "/credentialSubject/achievement/alignment/0/targetCode" in pointers
    for clear in ("/credentialSubject/achievement", "/credentialSubject/achievement/name"):
        assert clear not in pointers
    assert not [p for p in pointers if p.endswith(("/type", "/id"))]
    token = issue_sd_jwt(
        credential,
        ISSUER,
        disclosable=pointers,
        holder_jwk=public_to_jwk(HOLDER.public_key),
        issued_at=ISSUED_AT,
    )
    assert parse_compact(token.split("~")[0]).claims()["vct"] == vct
    result = verify(present(token, ["/credentialSubject/achievement/alignment/0/targetCode"]))
    assert result.verified, failed(result)
    assert result.payload is not None
    achievement = result.payload["credentialSubject"]["achievement"]
    assert achievement["name"] == "Développeur web et web mobile"
    assert achievement["alignment"] == [{"type": ["Alignment"], "targetCode": "RNCP37674"}]
    assert "description" not in achievement and "name" not in result.payload["credentialSubject"]


def test_default_disclosable_for_plain_claims_and_vct_needed() -> None:
    claims = {"given_name": "Camille", "iss": "x", "address": {"locality": "Lyon"}, "n": [1]}
    assert default_disclosable(claims) == [
        "/given_name",
        "/address",
        "/address/locality",
        "/n",
        "/n/0",
    ]
    with pytest.raises(InputError, match="no such claim"):
        default_disclosable(claims, mandatory=["/nickname"])
    with pytest.raises(InputError, match="vct is needed"):
        issue_sd_jwt(CLAIMS, ISSUER)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_corrupted_sd_jwt_raises_only_our_errors(data: st.DataObject) -> None:
    token = present(issue(), ["/given_name", "/skills/0"])
    index = data.draw(st.integers(0, len(token) - 1))
    corrupted = token[:index] + data.draw(st.sampled_from("A_-~.e=")) + token[index + 1 :]
    result = verify(corrupted)
    assert corrupted == token or not result.verified
    unbound = corrupted.rsplit("~", 1)[0] + "~"
    pointer = data.draw(st.sampled_from(["/given_name", "/skills/0", "/x"]))
    with contextlib.suppress(PasseportError):
        present_sd_jwt(unbound, [pointer])


def test_holder_jwk_comes_from_the_holders_did() -> None:
    assert holder_jwk(HOLDER.controller) == public_to_jwk(HOLDER.public_key)
    jwk_did = KeyPair.from_private_key(HOLDER.private_key, method="jwk").controller
    assert holder_jwk(jwk_did) == public_to_jwk(HOLDER.public_key)
    with pytest.raises(ResolutionError, match="not available offline"):
        holder_jwk("did:web:wallet.example")


def test_issuer_must_be_named_and_agree() -> None:
    anonymous = forge_issuer_jwt({"vct": VCT})
    assert failed(verify(anonymous + "~"))["proof.issuer"] == "the SD-JWT names no issuer (iss)"
    payload = {"iss": ISSUER.controller, "vct": VCT, "issuer": STRANGER.controller}
    reasons = failed(verify(forge_issuer_jwt(payload) + "~"))
    assert f"the credential's issuer is {STRANGER.controller}" in reasons["proof.issuer"]


def test_not_yet_valid_and_unreadable_key_binding() -> None:
    payload = {
        "iss": ISSUER.controller,
        "vct": VCT,
        "nbf": int((NOW + timedelta(days=1)).timestamp()),
    }
    assert "proof.not_yet_valid" in failed(verify(forge_issuer_jwt(payload) + "~"))
    shown = present(issue(), ["/given_name"], holder_key=None)
    assert "key_binding.malformed" in failed(verify(shown + "not-a-jwt"))
