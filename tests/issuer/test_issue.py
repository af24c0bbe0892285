"""Issuing one credential: every template signs, verifies, carries status entries, is recorded."""

from __future__ import annotations

import importlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.errors import InputError, SigningError
from passeport.issuer.issue import issue
from passeport.issuer.profile import Profile
from passeport.issuer.registry import CredentialState
from passeport.issuer.statuslist import publish_status, revoke
from passeport.issuer.templates import TEMPLATE_NAMES
from passeport.verifier import verify_credential
from tests.issuer._helpers import HOST, ISSUED_AT, diploma, example, make_profile, offline

# The package's ``issue`` function hides its ``issue`` module as an attribute.
issue_module = importlib.import_module("passeport.issuer.issue")


@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_every_template_issues_a_credential_that_verifies(tmp_path: Path, template: str) -> None:
    profile = make_profile(tmp_path / "univ")
    credential: dict[str, Any] = issue(profile, template, example(template), issued_at=ISSUED_AT)
    assert credential["issuer"]["id"] == profile.did
    assert credential["validFrom"] == "2026-01-15T12:00:00Z"
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    entries = credential["credentialStatus"]
    assert isinstance(entries, list)
    assert [e["statusPurpose"] for e in entries] == ["revocation", "suspension"]
    assert entries[0]["statusListCredential"] == f"https://{HOST}/status/revocation-1"

    public = tmp_path / "public"
    publish_status(profile, public, at=ISSUED_AT)
    result = verify_credential(credential, env=offline(public))
    assert result.verified, result.to_json()
    assert {c.code for c in result.checks} >= {"proof.signature", "status.revocation"}

    with profile.open_registry() as registry:
        record = registry.find(str(credential["id"]))
    assert record is not None
    assert record.template == template
    assert record.state is CredentialState.ACTIVE
    assert record.issued == "2026-01-15T12:00:00Z"
    assert record.valid_until == credential.get("validUntil")
    assert (record.revocation_index, record.suspension_index) == (
        int(entries[0]["statusListIndex"]),
        int(entries[1]["statusListIndex"]),
    )
    holder = example(template).get("holder", {})
    if "id" in holder:
        assert record.subject == holder["id"]


def _decoded(part: str) -> Any:
    import base64

    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _payload(token: str) -> dict[str, Any]:
    value: dict[str, Any] = _decoded(token.split("~", 1)[0].split(".")[1])
    return value


def _disclosed(token: str) -> str:
    """The claims an SD-JWT's disclosures carry, as text."""
    parts = [p for p in token.split("~")[1:] if p and "." not in p]  # no KB-JWT
    return json.dumps([_decoded(p) for p in parts], ensure_ascii=False)


@pytest.mark.parametrize("suite", ["vc-jwt", "sd-jwt"])
def test_enveloped_credentials_verify_and_follow_their_status(tmp_path: Path, suite: str) -> None:
    from passeport.issuer.issue import enveloped_token, issued_id

    profile = make_profile(tmp_path / "univ")
    data = example("diploma")
    envelope: dict[str, Any] = issue(profile, "diploma", data, suite=suite, issued_at=ISSUED_AT)
    assert envelope["type"] == "EnvelopedVerifiableCredential"
    token = enveloped_token(envelope)
    assert token is not None and envelope["id"].endswith(f",{token}")
    payload = _payload(token)
    credential_id = issued_id(envelope)
    assert credential_id is not None and credential_id == payload["id"]
    assert credential_id.startswith("urn:uuid:")
    assert [e["statusPurpose"] for e in payload["credentialStatus"]] == ["revocation", "suspension"]
    public = tmp_path / "public"
    publish_status(profile, public, at=ISSUED_AT)
    assert verify_credential(token, env=offline(public)).verified
    assert verify_credential(envelope, env=offline(public)).verified
    with profile.open_registry() as registry:
        record = registry.find(credential_id)
    assert record is not None and record.subject == data["holder"]["id"]
    revoke(profile, credential_id, at=ISSUED_AT)
    publish_status(profile, public, at=ISSUED_AT)
    revoked = verify_credential(token, env=offline(public))
    assert not revoked.verified
    assert "status.revoked" in {c.code for c in revoked.failures()}


def test_an_sd_jwt_hides_the_subject_and_binds_to_the_holder(tmp_path: Path) -> None:
    from passeport.did.jwk import public_from_jwk
    from passeport.did.multikey import encode_public
    from passeport.did.resolve import DidResolver
    from passeport.issuer.issue import enveloped_token
    from passeport.proofs.sdjwt import present_sd_jwt

    profile = make_profile(tmp_path / "univ")
    data = example("diploma")
    envelope = issue(profile, "diploma", data, suite="sd-jwt", issued_at=ISSUED_AT)
    token = enveloped_token(envelope)
    assert token is not None
    payload = _payload(token)
    in_clear = json.dumps(payload, ensure_ascii=False)
    for personal in (data["holder"]["birthDate"], data["holder"]["name"], "RNCP35288BC01"):
        assert personal not in in_clear and personal in _disclosed(token)
    assert payload["credentialSubject"]["id"] == data["holder"]["id"]  # the holder, in clear
    holder_key: Any = DidResolver().resolve(data["holder"]["id"]).document["verificationMethod"]
    holder_key = holder_key[0]
    assert encode_public(public_from_jwk(payload["cnf"]["jwk"])) == holder_key["publicKeyMultibase"]
    shown = present_sd_jwt(token, ["/credentialSubject/achievement/achievementType"])
    assert "BachelorDegree" in _disclosed(shown)
    assert data["holder"]["birthDate"] not in _disclosed(shown)
    assert data["holder"]["name"] not in _disclosed(shown)


def test_an_enveloping_suite_unknown_to_the_issuer_spends_no_status_entry(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    with pytest.raises(ValueError, match="rsa-1999"):
        issue(profile, "skill", example("skill"), suite="rsa-1999", issued_at=ISSUED_AT)
    with profile.open_registry() as registry:
        assert registry.lists() == []


def test_an_expiring_training_keeps_its_end_date(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    credential: dict[str, Any] = issue(
        profile, "prevention", example("prevention"), issued_at=ISSUED_AT
    )
    assert credential["validUntil"] == "2028-01-15T00:00:00Z"
    publish_status(profile, tmp_path / "public", at=ISSUED_AT + timedelta(days=799))
    later = offline(tmp_path / "public", ISSUED_AT + timedelta(days=800))
    assert [c.code for c in verify_credential(credential, env=later).failures()] == [
        "validity.expired"
    ]


@pytest.mark.parametrize(
    ("key_type", "suite"),
    [
        (KeyAlgorithm.ED25519, "eddsa-jcs-2022"),
        (KeyAlgorithm.P256, "ecdsa-rdfc-2019"),
        (KeyAlgorithm.P256, "ecdsa-jcs-2019"),
    ],
)
def test_other_suites(tmp_path: Path, key_type: KeyAlgorithm, suite: str) -> None:
    profile = make_profile(tmp_path / "univ", key_type=key_type)
    credential: dict[str, Any] = issue(
        profile, "skill", example("skill"), suite=suite, issued_at=ISSUED_AT
    )
    assert credential["proof"]["cryptosuite"] == suite
    publish_status(profile, tmp_path / "public", at=ISSUED_AT)
    assert verify_credential(credential, env=offline(tmp_path / "public")).verified


def test_selective_disclosure_credentials_keep_the_essentials_mandatory(tmp_path: Path) -> None:
    from passeport.proofs.ecdsa_sd import derive

    profile = make_profile(tmp_path / "univ", key_type=KeyAlgorithm.P256)
    credential: dict[str, Any] = issue(
        profile, "diploma", example("diploma"), suite="ecdsa-sd-2023", issued_at=ISSUED_AT
    )
    assert credential["proof"]["cryptosuite"] == "ecdsa-sd-2023"
    publish_status(profile, tmp_path / "public", at=ISSUED_AT)
    env = offline(tmp_path / "public")
    assert [c.code for c in verify_credential(credential, env=env).failures()] == ["proof.base"]
    shown: dict[str, Any] = derive(credential, ["/credentialSubject/achievement/name"])
    result = verify_credential(shown, env=env)
    assert result.verified, result.failures()
    for member in ("issuer", "validFrom", "credentialStatus", "type"):
        assert member in shown, member  # mandatory: the holder cannot hide them
    assert shown["credentialSubject"]["id"] == example("diploma")["holder"]["id"]
    assert "identifier" not in shown["credentialSubject"]  # the holder's name and birth date


def test_a_did_key_issuer(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "co", did="key", status_base="https://jobs.example/status/")
    credential: dict[str, Any] = issue(
        profile, "experience", example("experience"), issued_at=ISSUED_AT
    )
    publish_status(profile, tmp_path / "public", at=ISSUED_AT)
    assert verify_credential(credential, env=offline(tmp_path / "public")).verified


def test_credentials_get_distinct_ids_and_indexes(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    issued: list[dict[str, Any]] = [
        issue(profile, "diploma", diploma(n), issued_at=ISSUED_AT) for n in range(6)
    ]
    assert len({c["id"] for c in issued}) == 6
    indexes = [c["credentialStatus"][0]["statusListIndex"] for c in issued]
    assert len(set(indexes)) == 6 and indexes != sorted(indexes, key=int)
    publish_status(profile, tmp_path / "public", at=ISSUED_AT)
    revoke(profile, str(issued[2]["id"]), reason="fraud", at=ISSUED_AT)
    publish_status(profile, tmp_path / "public", at=ISSUED_AT)
    env = offline(tmp_path / "public")
    verdicts = [verify_credential(c, env=env).verified for c in issued]
    assert verdicts == [True, True, False, True, True, True]


def test_bad_data_is_named_and_nothing_is_recorded(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    data = example("diploma")
    data["achievement"]["code"] = "ABC"
    with pytest.raises(InputError) as caught:
        issue(profile, "diploma", data, issued_at=ISSUED_AT, where="diploma.json")
    assert str(caught.value).startswith("diploma.json: /achievement/code: ")
    with profile.open_registry() as registry:
        assert registry.count() == 0
        # The index it was given is spent: never handed out again.
        assert registry.lists()[0].allocated == 1


def test_a_credential_that_does_not_verify_is_not_issued(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = make_profile(tmp_path / "univ")
    real = issue_module.verification_documents

    def without_lists(*args: object, **kwargs: object) -> dict[str, bytes]:
        documents = real(*args, **kwargs)
        return {url: body for url, body in documents.items() if "/status/" not in url}

    monkeypatch.setattr(issue_module, "verification_documents", without_lists)
    with pytest.raises(SigningError, match=r"did not verify, so it was not issued \(status"):
        issue(profile, "diploma", diploma(1), issued_at=ISSUED_AT)
    with profile.open_registry() as registry:
        assert registry.count() == 0


def test_a_suite_that_does_not_fit_the_key(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ", key_type=KeyAlgorithm.P256)
    with pytest.raises(SigningError, match="cannot sign with a P-256 key"):
        issue(profile, "skill", example("skill"), suite="eddsa-rdfc-2022", issued_at=ISSUED_AT)
    with pytest.raises(ValueError, match="unknown cryptosuite"):
        issue(profile, "skill", example("skill"), suite="rsa-1999", issued_at=ISSUED_AT)
    with profile.open_registry() as registry:
        assert registry.count() == 0


def test_the_registry_keeps_no_personal_data(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    data = example("diploma")
    issue(profile, "diploma", data, issued_at=ISSUED_AT)
    stored = (tmp_path / "univ" / "registry.sqlite").read_bytes()
    for wal in (tmp_path / "univ").glob("registry.sqlite-*"):
        stored += wal.read_bytes()
    for personal in (data["holder"]["name"], data["holder"]["birthDate"], data["holder"]["email"]):
        assert personal.encode() not in stored
    assert data["holder"]["id"].encode() in stored
    assert json.dumps(data["holder"]["name"]).encode() not in stored


@pytest.mark.parametrize(
    ("key_type", "suite"),
    [(KeyAlgorithm.ED25519, "eddsa-jcs-2022"), (KeyAlgorithm.P256, "ecdsa-jcs-2019")],
)
def test_a_jcs_profile_signs_its_status_lists_so_that_they_verify(
    tmp_path: Path, key_type: KeyAlgorithm, suite: str
) -> None:
    # A JCS proof repeats the document's @context: the list is still in plain form.
    profile = Profile.create(
        tmp_path / "univ",
        name="Université Exemple",
        did="web:univ.example",
        private_key=PrivateKey.from_raw(key_type, bytes([7]) * 32),
        secret=bytes([8]) * 32,
        suite=suite,
    )
    credential: dict[str, Any] = issue(profile, "skill", example("skill"), issued_at=ISSUED_AT)
    assert credential["proof"]["cryptosuite"] == suite
    publish_status(profile, tmp_path / "public", at=ISSUED_AT)
    listed = json.loads(next((tmp_path / "public").rglob("revocation*")).read_text())
    assert listed["proof"]["cryptosuite"] == suite and "@context" in listed["proof"]
    result = verify_credential(credential, env=offline(tmp_path / "public"))
    assert result.verified, result.failures()
