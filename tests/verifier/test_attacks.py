"""An outsider's attacks on the verdict (issue 10, after its fixes).

Each test takes something that must not verify (a revoked, expired or
not-accredited credential, someone else's credential, a forged issuer, an
expired or replayed presentation) and tries to obtain ``verified`` anyway,
with no key but the attacker's own. Attacks that still work are marked
``xfail(strict=True)`` with their root cause; the others guard against
regressions (the forged issuer of a JOSE token, a vp+jwt naming another
holder, a code in a value object, an SD-JWT presented without its key, an
ecdsa-sd-2023 credential signed with too few mandatory pointers and a
client-chosen verification instant were holes found this way, now closed).
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.proofs._jws import (
    alg_for,
    encode_compact,
    json_bytes,
    signer_of,
    verification_method_of,
)
from passeport.proofs.ecdsa_sd import derive
from passeport.proofs.jose import sign_vc_jwt
from passeport.proofs.sdjwt import holder_jwk, issue_sd_jwt
from passeport.proofs.sign import sign_document
from passeport.verifier import (
    Environment,
    Policy,
    TrustList,
    verify_any,
    verify_credential,
    verify_presentation,
)
from passeport.verifier.result import VerificationResult
from tests.verifier.status_helpers import (
    encode_bits,
    entry,
    environment,
    key,
    list_credential,
    publish,
)

ISSUER = key(1)  # an accredited university
HOLDER = key(2)  # the person the credentials are about
ATTACKER = key(9)  # an outsider: their own keys only
P256 = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.P256, bytes([7]) * 32))
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SIGNED_AT = datetime(2025, 7, 1, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "passeport" / "samples" / "diploma.json"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
CRED = "https://www.w3.org/2018/credentials#"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
REVOKED_INDEX = 5
TRUST = TrustList.from_json(
    {"name": "recruiter", "issuers": [{"did": ISSUER.controller, "name": "Université Exemple"}]}
)
TRUST_FOR_CODE = TrustList.from_json(
    {
        "name": "recruiter",
        "issuers": [
            {"did": ISSUER.controller, "name": "Université Exemple", "codes": ["RNCP37674"]}
        ],
    }
)


def _diploma(**members: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SAMPLE.read_text())
    document["validFrom"] = "2025-07-01T00:00:00Z"
    document["credentialSubject"]["id"] = HOLDER.controller
    document.update(members)
    return document


def _failed(result: VerificationResult) -> set[str]:
    return {c.code for c in result.failures()}


def _token(payload: dict[str, Any], signer: KeyPair, typ: str | None) -> str:
    """Sign ``payload`` as a JWS by ``signer``, as any JOSE library would (no checks)."""
    private = signer_of(signer)
    header: dict[str, Any] = {
        "alg": alg_for(private.public_key),
        "kid": verification_method_of(signer),
    }
    if typ is not None:
        header["typ"] = typ
    return encode_compact(header, json_bytes(payload), private)


def _enveloped(token: str, media: str = "vc+jwt") -> dict[str, Any]:
    return {
        "@context": VC_V2,
        "type": "EnvelopedVerifiableCredential",
        "id": f"data:application/{media},{token}",
    }


# --- JOSE: the signer is not the issuer the checks read ----------------------------------

# The same issuer, written three ways JSON-LD reads alike: a set of one, a node
# object with @id, the full IRI of the member. verify_jwt looks for the issuer
# with id_of(payload["issuer"]) (a string or {"id": ...}), finds none, and takes
# the key's controller from iss (or from nobody); the pipeline reads the issuer
# from the signed view, where each of these is the accredited issuer.
ISSUER_SPELLINGS: dict[str, tuple[str, Any]] = {
    "set of one": ("issuer", [ISSUER.controller]),
    "@id node": ("issuer", {"@id": ISSUER.controller}),
    "full IRI": (f"{CRED}issuer", {"@id": ISSUER.controller}),
}


def _forged_claims(spelling: str) -> dict[str, Any]:
    name, value = ISSUER_SPELLINGS[spelling]
    return {
        "@context": [VC_V2],
        "type": ["VerifiableCredential"],
        name: value,
        "validFrom": "2025-07-01T00:00:00Z",
        "credentialSubject": {"id": HOLDER.controller, "name": "Camille Martin"},
    }


@pytest.mark.parametrize("with_iss", [False, True])
@pytest.mark.parametrize("spelling", sorted(ISSUER_SPELLINGS))
def test_a_vc_jwt_signed_by_the_attacker_cannot_name_the_accredited_issuer(
    spelling: str, with_iss: bool
) -> None:
    claims = _forged_claims(spelling)
    if with_iss:
        claims["iss"] = ATTACKER.controller
    token = _token(claims, ATTACKER, "vc+jwt")
    result = verify_any(token, policy=Policy(at=NOW, trust=TRUST))
    if spelling != "set of one":  # a set of one fails the trust check (id_of), not the rest
        assert result.summary["standing"] != "accredited"
    result = verify_any(token, policy=Policy(at=NOW))
    assert not (result.verified and result.summary["issuer"] == ISSUER.controller)


@pytest.mark.parametrize("spelling", sorted(ISSUER_SPELLINGS))
def test_a_vc_1_1_jwt_without_iss_cannot_name_another_issuer(spelling: str) -> None:
    name, value = ISSUER_SPELLINGS[spelling]
    vc = {
        "@context": [VC_V1],
        "type": ["VerifiableCredential"],
        name: value,
        "issuanceDate": "2025-07-01T00:00:00Z",
        "credentialSubject": {"id": HOLDER.controller},
    }
    result = verify_any(_token({"vc": vc}, ATTACKER, None), policy=Policy(at=NOW))
    assert not (result.verified and result.summary["issuer"] == ISSUER.controller)


@pytest.mark.parametrize("spelling", sorted(ISSUER_SPELLINGS))
def test_an_sd_jwt_signed_by_the_attacker_cannot_name_the_accredited_issuer(
    spelling: str,
) -> None:
    claims = _forged_claims(spelling)
    claims.update(iss=ATTACKER.controller, vct="urn:example:diploma", _sd_alg="sha-256")
    token = _token(claims, ATTACKER, "dc+sd-jwt") + "~"
    result = verify_any(token, policy=Policy(at=NOW))
    assert not (result.verified and result.summary["issuer"] == ISSUER.controller)


def test_the_forged_vc_jwt_is_refused_by_the_command_line_with_a_trust_list(
    tmp_path: Path,
) -> None:
    token = _token(_forged_claims("@id node"), ATTACKER, "vc+jwt")
    (tmp_path / "forged.jwt").write_text(token)
    trust = {"name": "recruiter", "issuers": [{"did": ISSUER.controller, "name": "Univ"}]}
    (tmp_path / "trust.json").write_text(json.dumps(trust))
    done = subprocess.run(
        [sys.executable, "-m", "passeport", "verify", "forged.jwt", "--trust", "trust.json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"COLUMNS": "200", "NO_COLOR": "1", "PATH": ""},
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stdout  # today: 0, "VERIFIED", "accredited issuer"


def test_the_forged_vc_jwt_is_refused_through_http() -> None:
    from fastapi.testclient import TestClient

    from passeport.app import create_app

    client = TestClient(create_app(policy=Policy(trust=TRUST)))
    token = _token(_forged_claims("@id node"), ATTACKER, "vc+jwt")
    response = client.post("/credentials/verify", json={"verifiableCredential": token})
    assert response.status_code == 400, response.json()["summary"]


@pytest.mark.parametrize("member", ["issuer", "iss"])
def test_a_vc_jwt_whose_plain_issuer_is_not_the_signer_is_refused(member: str) -> None:
    claims = _forged_claims("set of one")
    claims["issuer"] = ISSUER.controller if member == "issuer" else ATTACKER.controller
    claims["iss"] = ATTACKER.controller if member == "issuer" else ISSUER.controller
    result = verify_any(_token(claims, ATTACKER, "vc+jwt"), policy=Policy(at=NOW))
    assert not result.verified


# --- JOSE presentations: the signer is not the holder the binding reads -----------------

HOLDER_SPELLINGS: dict[str, tuple[str, Any]] = {
    "set of one": ("holder", [HOLDER.controller]),
    "@id node": ("holder", {"@id": HOLDER.controller}),
    "full IRI": (f"{CRED}holder", {"@id": HOLDER.controller}),
}


def _holders_credential() -> str:
    """The holder's genuine vc+jwt diploma (the attacker got a copy of it)."""
    document = _diploma(issuer=ISSUER.controller)
    return sign_vc_jwt(document, ISSUER, issued_at=SIGNED_AT)


@pytest.mark.parametrize("spelling", sorted(HOLDER_SPELLINGS))
def test_a_vp_jwt_signed_by_the_attacker_cannot_present_as_the_holder(spelling: str) -> None:
    name, value = HOLDER_SPELLINGS[spelling]
    presentation = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        name: value,
        "iss": ATTACKER.controller,
        "nonce": "offre-42",
        "aud": "rh.example",
        "iat": int(NOW.timestamp()),
        "verifiableCredential": [_enveloped(_holders_credential())],
    }
    policy = Policy(at=NOW, challenge="offre-42", domain="rh.example")
    result = verify_any(_token(presentation, ATTACKER, "vp+jwt"), policy=policy)
    assert not result.verified


def test_a_vp_jwt_by_the_attacker_about_the_holders_credential_fails_binding() -> None:
    presentation = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "holder": ATTACKER.controller,
        "nonce": "offre-42",
        "aud": "rh.example",
        "iat": int(NOW.timestamp()),
        "verifiableCredential": [_enveloped(_holders_credential())],
    }
    policy = Policy(at=NOW, challenge="offre-42", domain="rh.example")
    result = verify_any(_token(presentation, ATTACKER, "vp+jwt"), policy=policy)
    assert "holder.binding" in _failed(result)


# --- trust: a code written as a value object is not read --------------------------------


@pytest.mark.parametrize(
    "value",
    [
        {"@value": "RNCP35288", "@type": XSD_STRING},
        {"@value": "RNCP35288", "@language": "fr"},
    ],
    ids=["typed", "language"],
)
def test_a_code_written_as_a_value_object_is_still_judged(value: dict[str, str]) -> None:
    document = _diploma(issuer=ISSUER.controller)
    alignments = document["credentialSubject"]["achievement"]["alignment"]
    alignments.append({"type": ["Alignment"], "targetCode": value, "targetFramework": "RNCP"})
    signed = sign_document(document, ISSUER, created=SIGNED_AT)
    result = verify_credential(signed, policy=Policy(at=NOW, trust=TRUST_FOR_CODE))
    assert result.summary["standing"] != "accredited"
    assert "trust.code" in _failed(result)


def test_a_second_plain_code_the_issuer_is_not_accredited_for_fails() -> None:
    document = _diploma(issuer=ISSUER.controller)
    alignments = document["credentialSubject"]["achievement"]["alignment"]
    alignments.append({"type": ["Alignment"], "targetCode": "RNCP35288"})
    signed = sign_document(document, ISSUER, created=SIGNED_AT)
    result = verify_credential(signed, policy=Policy(at=NOW, trust=TRUST_FOR_CODE))
    assert "trust.code" in _failed(result) and result.summary["standing"] == "not-accredited"


# --- ecdsa-sd-2023: what the holder may leave out ---------------------------------------


def _revoked_list(tmp_path: Path) -> None:
    listed = list_credential(encode_bits([REVOKED_INDEX]), signer=ISSUER)
    del listed["proof"]
    listed["issuer"] = P256.controller
    publish(tmp_path, dict(sign_document(listed, P256, suite="ecdsa-rdfc-2019", created=SIGNED_AT)))


def test_a_holder_cannot_drop_the_status_and_expiry_of_an_sd_credential(
    tmp_path: Path,
) -> None:
    _revoked_list(tmp_path)
    document = _diploma(credentialStatus=entry(REVOKED_INDEX), validUntil="2025-12-31T00:00:00Z")
    base = sign_document(
        document, P256, suite="ecdsa-sd-2023", created=SIGNED_AT, mandatory=["/issuer"]
    )
    env = environment(tmp_path, NOW)
    whole = derive(base, ["/credentialSubject", "/credentialStatus", "/validUntil"])
    assert {"status.revoked", "validity.expired"} <= _failed(verify_credential(whole, env=env))
    shown = derive(base, ["/credentialSubject/achievement", "/validFrom"])
    assert not verify_credential(shown, env=env).verified


def test_a_holder_cannot_drop_what_the_issuer_keeps_mandatory(tmp_path: Path) -> None:
    from passeport.proofs.shown import always_shown

    _revoked_list(tmp_path)
    document = _diploma(
        issuer=P256.controller,
        credentialStatus=entry(REVOKED_INDEX),
        validUntil="2025-12-31T00:00:00Z",
    )
    base = sign_document(
        document,
        P256,
        suite="ecdsa-sd-2023",
        created=SIGNED_AT,
        mandatory=always_shown(document),
    )
    shown = derive(base, ["/credentialSubject/achievement/name"])
    result = verify_credential(shown, env=environment(tmp_path, NOW))
    assert {"status.revoked", "validity.expired"} <= _failed(result)


def test_the_sign_command_keeps_status_expiry_and_subject_whatever_mandatory_says(
    tmp_path: Path,
) -> None:
    from typer.testing import CliRunner

    from passeport.cli import app
    from passeport.did.keyfile import write_key_file

    _revoked_list(tmp_path)
    document = _diploma(credentialStatus=entry(REVOKED_INDEX), validUntil="2025-12-31T00:00:00Z")
    (tmp_path / "diploma.json").write_text(json.dumps(document), "utf-8")
    write_key_file(tmp_path / "issuer.key.json", P256)
    args = ["sign", str(tmp_path / "diploma.json"), "--key", str(tmp_path / "issuer.key.json")]
    args += ["--suite", "ecdsa-sd-2023", "--mandatory", "/issuer", "-o", str(tmp_path / "sd.json")]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    base = json.loads((tmp_path / "sd.json").read_text("utf-8"))
    shown: Any = derive(base, ["/credentialSubject/achievement/name"])
    assert shown["credentialSubject"]["id"] == HOLDER.controller
    result = verify_credential(shown, env=environment(tmp_path, NOW))
    assert {"status.revoked", "validity.expired"} <= _failed(result)
    # Taking them out of the disclosure afterwards breaks the issuer's signature.
    for member in ("credentialStatus", "validUntil"):
        cut = {k: v for k, v in shown.items() if k != member}
        assert "proof.signature" in _failed(verify_credential(cut, env=environment(tmp_path, NOW)))


def test_a_holder_cannot_drop_a_subject_among_several(tmp_path: Path) -> None:
    _revoked_list(tmp_path)
    document = _diploma(credentialStatus=entry(REVOKED_INDEX))
    subject = document["credentialSubject"]
    document["credentialSubject"] = [{**subject, "id": ATTACKER.controller}, subject]
    base = sign_document(document, P256, suite="ecdsa-sd-2023", created=SIGNED_AT, mandatory=())
    shown = derive(base, ["/credentialSubject/1/achievement/name"])
    subjects: Any = shown["credentialSubject"]
    assert [s["id"] for s in subjects] == [ATTACKER.controller, HOLDER.controller]
    assert "achievement" not in subjects[0]  # what is said about the other stays hidden
    assert "status.revoked" in _failed(verify_credential(shown, env=environment(tmp_path, NOW)))


@pytest.mark.parametrize(
    "disclosable",
    [
        ["/credentialSubject/id"],
        ["/credentialSubject/type/0"],
        ["/credentialSubject"],
        ["/credentialSubject/1"],
        ["/credentialSubject/1/id"],
    ],
)
def test_an_sd_jwt_issuer_cannot_make_the_subject_disclosable(disclosable: list[str]) -> None:
    from passeport.errors import SigningError

    document = _diploma(issuer=ISSUER.controller)
    if disclosable[0].startswith("/credentialSubject/1"):
        subject = document["credentialSubject"]
        document["credentialSubject"] = [{**subject, "id": ATTACKER.controller}, subject]
    with pytest.raises(SigningError, match="must stay in clear") as refused:
        issue_sd_jwt(document, ISSUER, disclosable=disclosable, issued_at=SIGNED_AT)
    assert refused.value.pointer == disclosable[0]


def test_an_sd_jwt_with_several_subjects_keeps_each_id_in_clear() -> None:
    from passeport.did.resolve import DidResolver
    from passeport.proofs.mechanism import mechanism_named
    from passeport.proofs.sdjwt import default_disclosable, verify_sd_jwt

    document = _diploma(issuer=ISSUER.controller)
    subject = document["credentialSubject"]
    document["credentialSubject"] = [{**subject, "id": ATTACKER.controller}, subject]
    disclosable = default_disclosable(document)
    assert "/credentialSubject/1/name" in disclosable
    assert not [p for p in disclosable if p.rstrip("0123456789").endswith("credentialSubject/")]
    token = mechanism_named("sd-jwt").secure(document, ISSUER, issued_at=SIGNED_AT)
    assert isinstance(token, str)
    nothing_revealed = mechanism_named("sd-jwt").derive(token, [])
    assert isinstance(nothing_revealed, str)
    read = verify_sd_jwt(nothing_revealed, resolver=DidResolver(), now=NOW)
    assert read.payload is not None
    subjects: Any = read.payload["credentialSubject"]
    assert [s["id"] for s in subjects] == [ATTACKER.controller, HOLDER.controller]
    assert all("name" not in s for s in subjects)


# --- SD-JWT: a credential bound to someone else's key -----------------------------------


def _sd_jwt_bound_to_holder(*, subject_id: bool) -> str:
    document = _diploma(issuer=ISSUER.controller)
    if not subject_id:
        del document["credentialSubject"]["id"]
    return issue_sd_jwt(
        document,
        ISSUER,
        disclosable=["/credentialSubject/name"],
        holder_jwk=holder_jwk(HOLDER.controller),
        issued_at=SIGNED_AT,
    )


def _attackers_presentation(*credentials: dict[str, Any], **options: Any) -> dict[str, Any]:
    vp = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "holder": ATTACKER.controller,
        "verifiableCredential": list(credentials),
    }
    return dict(sign_document(vp, ATTACKER, created=NOW, **options))


def test_an_sd_jwt_bound_to_another_key_fails_binding_without_a_challenge() -> None:
    token = _sd_jwt_bound_to_holder(subject_id=False)
    vp = _attackers_presentation(_enveloped(token, "dc+sd-jwt"))
    result = verify_presentation(vp, policy=Policy(at=NOW, max_age=timedelta(minutes=10)))
    assert not result.verified


def test_an_sd_jwt_about_someone_else_fails_binding() -> None:
    token = _sd_jwt_bound_to_holder(subject_id=True)
    vp = _attackers_presentation(_enveloped(token, "dc+sd-jwt"), challenge="c")
    result = verify_presentation(vp, policy=Policy(at=NOW, challenge="c"))
    assert {"holder.binding", "key_binding.missing"} <= _failed(result)


# --- HTTP: the client chooses the instant -----------------------------------------------


def test_a_client_cannot_verify_an_expired_credential_in_the_past() -> None:
    from fastapi.testclient import TestClient

    from passeport.app import create_app

    document = _diploma(issuer=ISSUER.controller, validUntil="2025-12-31T00:00:00Z")
    signed = sign_document(document, ISSUER, created=SIGNED_AT)
    client = TestClient(create_app(env=Environment(clock=lambda: NOW)))
    now = client.post("/credentials/verify", json={"verifiableCredential": signed})
    assert now.status_code == 400
    assert any(e.startswith("validity.expired") for e in now.json()["errors"])
    for at in ("2025-09-01T00:00:00Z", NOW.isoformat()):
        past = {"verifiableCredential": signed, "options": {"at": at}}
        refused = client.post("/credentials/verify", json=past)
        assert refused.status_code == 400
        assert refused.json() == {
            "verified": False,
            "errors": [
                "options.at: this server verifies at its own time; "
                "a request cannot choose the instant"
            ],
        }
    vp = _attackers_presentation(signed, challenge="c")
    presented = {"verifiablePresentation": vp, "options": {"challenge": "c", "at": "2025-09-01"}}
    refused = client.post("/presentations/verify", json=presented)
    assert refused.status_code == 400 and "options.at" in refused.json()["errors"][0]


# --- Data Integrity re-expressions that are refused (guards) ----------------------------


def _revoked_eddsa(tmp_path: Path) -> dict[str, Any]:
    publish(tmp_path, list_credential(encode_bits([REVOKED_INDEX]), signer=ISSUER))
    document = _diploma(issuer=ISSUER.controller, credentialStatus=entry(REVOKED_INDEX))
    return dict(sign_document(document, ISSUER, created=SIGNED_AT))


@pytest.mark.parametrize(
    "rewrite",
    [
        "nested array",
        "@set",
        "@nest",
        "@included",
        "@graph",
        "proof @context prefix",
    ],
)
def test_a_revoked_credential_re_expressed_stays_refused(rewrite: str, tmp_path: Path) -> None:
    signed = _revoked_eddsa(tmp_path)
    env = environment(tmp_path, NOW)
    attacked = copy.deepcopy(signed)
    status = attacked.pop("credentialStatus")
    if rewrite == "nested array":
        attacked["credentialStatus"] = [[status]]
    elif rewrite == "@set":
        attacked["credentialStatus"] = {"@set": [status]}
    elif rewrite == "@nest":
        attacked["@nest"] = {"credentialStatus": status}
    elif rewrite == "@included":
        attacked["credentialStatus"] = status["id"]
        attacked["@included"] = [status]
    elif rewrite == "@graph":
        attacked["credentialStatus"] = status["id"]
        body = {k: v for k, v in attacked.items() if k not in ("@context", "proof")}
        attacked = {
            "@context": attacked["@context"],
            "@graph": [body, status],
            "proof": attacked["proof"],
        }
    else:  # the signature reads only the proof's contexts; an added one must not count
        attacked["credentialStatus"] = status
        attacked["proof"]["@context"] = list(signed["@context"])
        attacked["@context"] = [*signed["@context"], {"@vocab": "urn:attacker:"}]
    assert not verify_credential(attacked, env=env).verified


def test_an_expired_vc_1_1_credential_stays_expired_under_a_vc_2_0_context() -> None:
    document = {
        "@context": [VC_V1],
        "type": ["VerifiableCredential"],
        "issuer": ISSUER.controller,
        "issuanceDate": "2024-01-01T00:00:00Z",
        "expirationDate": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": HOLDER.controller},
    }
    signed: dict[str, Any] = dict(
        sign_document(document, ISSUER, created=datetime(2024, 1, 1, tzinfo=UTC))
    )
    policy = Policy(at=NOW)
    assert "validity.expired" in _failed(verify_credential(signed, policy=policy))
    signed_contexts: list[Any] = list(signed["@context"])
    for contexts in ([VC_V2, *signed_contexts], [VC_V2, VC_V1]):
        attacked = {**signed, "@context": contexts}
        assert not verify_credential(attacked, policy=policy).verified


def test_a_validity_date_in_a_set_of_one_stays_refused() -> None:
    document = _diploma(issuer=ISSUER.controller, validUntil="2025-12-31T00:00:00Z")
    signed = dict(sign_document(document, ISSUER, created=SIGNED_AT))
    attacked = {**signed, "validUntil": [signed["validUntil"]]}
    assert not verify_credential(attacked, policy=Policy(at=NOW)).verified


# --- status lists (guards) ----------------------------------------------------------------


def test_a_list_from_before_the_revocation_is_refused_once_it_expired(tmp_path: Path) -> None:
    old = list_credential(encode_bits([]), signer=ISSUER, valid_until="2026-01-01T00:00:00Z")
    publish(tmp_path, old)
    document = _diploma(issuer=ISSUER.controller, credentialStatus=entry(REVOKED_INDEX))
    signed = dict(sign_document(document, ISSUER, created=SIGNED_AT))
    result = verify_credential(signed, env=environment(tmp_path, NOW))
    assert "status.list_expired" in _failed(result)


def test_a_list_re_expressed_by_a_man_in_the_middle_is_refused(tmp_path: Path) -> None:
    listed = list_credential(
        encode_bits([REVOKED_INDEX]), signer=ISSUER, valid_until="2026-01-01T00:00:00Z"
    )
    listed[f"{CRED}validUntil"] = {"@value": listed.pop("validUntil"), "@type": "xsd:dateTime"}
    publish(tmp_path, listed)
    document = _diploma(issuer=ISSUER.controller, credentialStatus=entry(REVOKED_INDEX))
    signed = dict(sign_document(document, ISSUER, created=SIGNED_AT))
    result = verify_credential(signed, env=environment(tmp_path, NOW))
    assert not result.verified and "status.list_malformed" in _failed(result)


# --- presentations: replay, expiry, someone else's credential (guards) -------------------


def _holders_presentation(**options: Any) -> dict[str, Any]:
    credential = dict(sign_document(_diploma(issuer=ISSUER.controller), ISSUER, created=SIGNED_AT))
    vp = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "holder": HOLDER.controller,
        "verifiableCredential": [credential],
    }
    return dict(sign_document(vp, HOLDER, **options))


def test_a_presentation_replayed_to_another_challenge_or_too_old_is_refused() -> None:
    vp = _holders_presentation(challenge="c1", domain="d", created=NOW - timedelta(days=2))
    assert verify_presentation(vp, policy=Policy(at=NOW, challenge="c1", domain="d")).verified
    replayed = verify_presentation(vp, policy=Policy(at=NOW, challenge="c2", domain="d"))
    assert "proof.challenge" in _failed(replayed)
    aged = Policy(at=NOW, challenge="c1", domain="d", max_age=timedelta(days=1))
    assert "presentation.age" in _failed(verify_presentation(vp, policy=aged))


def test_a_presentation_past_its_expires_is_refused() -> None:
    vp = _holders_presentation(
        challenge="c", created=NOW - timedelta(days=2), expires=NOW - timedelta(days=1)
    )
    assert "proof.expired" in _failed(verify_presentation(vp, policy=Policy(at=NOW)))


def test_someone_elses_credential_twice_or_under_a_case_changed_did_is_refused() -> None:
    credential = dict(sign_document(_diploma(issuer=ISSUER.controller), ISSUER, created=SIGNED_AT))
    policy = Policy(at=NOW, challenge="c")
    twice = _attackers_presentation(credential, credential, challenge="c")
    assert "holder.binding" in _failed(verify_presentation(twice, policy=policy))
    document = _diploma(issuer=ISSUER.controller)
    document["credentialSubject"]["id"] = ATTACKER.controller.upper().replace(
        "DID:KEY:", "did:key:"
    )
    other = dict(sign_document(document, ISSUER, created=SIGNED_AT))
    result = verify_presentation(_attackers_presentation(other, challenge="c"), policy=policy)
    assert "holder.binding" in _failed(result)
