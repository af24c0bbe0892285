"""Checks read what was signed: a re-spelled property never improves the verdict (issue 10).

Each attack takes a credential that must not verify (revoked, expired, about
someone else, a code its issuer is not accredited for, an expired
presentation) and re-spells, without changing its RDF, the property that
makes it fail: full IRI, compact IRI, alias term, keyword. The signature
still verifies (asserted), and the verdict must not change.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.proofs.ecdsa_sd import derive
from passeport.proofs.sign import sign_document
from passeport.verifier import (
    Environment,
    Policy,
    TrustList,
    verify_credential,
    verify_presentation,
)
from passeport.verifier.result import VerificationResult
from passeport.verifier.view import KEYWORD_ALIASES, is_plain, signed_view
from tests.verifier.respell import WAYS, respell
from tests.verifier.status_helpers import (
    encode_bits,
    entry,
    environment,
    key,
    list_credential,
    publish,
)

ISSUER = key(1)
HOLDER = key(2)
SOMEONE = key(3)
P256 = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.P256, bytes([7]) * 32))
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SAMPLE = Path(__file__).resolve().parents[2] / "passeport" / "samples" / "diploma.json"
REVOKED_INDEX = 5


def _diploma(**members: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SAMPLE.read_text())
    document["validFrom"] = "2025-07-01T00:00:00Z"
    document["credentialSubject"]["id"] = HOLDER.controller
    document.update(members)
    return document


def _sign(document: dict[str, Any], suite: str) -> dict[str, Any]:
    signer = P256 if suite.startswith("ecdsa") else ISSUER
    created = datetime(2025, 7, 1, tzinfo=UTC)
    mandatory = ["/issuer", "/type"] if suite == "ecdsa-sd-2023" else []
    signed = dict(
        sign_document(document, signer, suite=suite, created=created, mandatory=mandatory)
    )
    if suite == "ecdsa-sd-2023":
        members = ("credentialSubject", "credentialStatus", "validFrom", "validUntil")
        reveal = [f"/{m}" for m in members if m in document]
        signed = dict(derive(signed, reveal))
    return signed


def _status_list(signer: KeyPair) -> dict[str, Any]:
    listed = list_credential(encode_bits([REVOKED_INDEX]), signer=ISSUER)
    del listed["proof"]
    listed["issuer"] = signer.controller
    suite = "ecdsa-rdfc-2019" if signer is P256 else "eddsa-rdfc-2022"
    return dict(
        sign_document(listed, signer, suite=suite, created=datetime(2025, 7, 1, tzinfo=UTC))
    )


def _revoked(suite: str, tmp_path: Path) -> tuple[dict[str, Any], Environment]:
    signer = P256 if suite.startswith("ecdsa") else ISSUER
    publish(tmp_path, _status_list(signer))
    signed = _sign(_diploma(credentialStatus=entry(REVOKED_INDEX)), suite)
    return signed, environment(tmp_path, NOW)


def _failed(result: VerificationResult) -> set[str]:
    return {c.code for c in result.failures()}


def _signature_holds(result: VerificationResult) -> bool:
    return any(c.code == "proof.signature" and c.outcome == "passed" for c in result.checks)


def _presentation(credential: dict[str, Any], *, holder: KeyPair = HOLDER) -> dict[str, Any]:
    vp = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": holder.controller,
        "verifiableCredential": [credential],
    }
    return dict(sign_document(vp, holder, challenge="c", domain="d", created=NOW))


SUITES = ["eddsa-rdfc-2022", "ecdsa-rdfc-2019", "ecdsa-sd-2023"]


# --- hole 1: the status --------------------------------------------------------------------


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("way", WAYS)
def test_a_revoked_credential_stays_revoked_whatever_the_spelling_of_its_status(
    suite: str, way: str, tmp_path: Path
) -> None:
    signed, env = _revoked(suite, tmp_path)
    assert "status.revoked" in _failed(verify_credential(signed, env=env))
    attacked = respell(signed, [], "credentialStatus", way)
    result = verify_credential(attacked, env=env)
    assert _signature_holds(result), result.failures()
    assert not result.verified
    assert "status.revoked" in _failed(result)


@pytest.mark.parametrize("suite", SUITES)
def test_a_status_entry_respelled_inside_stays_revoked(suite: str, tmp_path: Path) -> None:
    signed, env = _revoked(suite, tmp_path)
    for member in ("type", "id"):
        attacked = respell(signed, ["credentialStatus"], member, "keyword")
        result = verify_credential(attacked, env=env)
        assert _signature_holds(result) and "status.revoked" in _failed(result)


# --- hole 1: the validity period -----------------------------------------------------------


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize(
    ("member", "value", "code"),
    [
        ("validUntil", "2025-12-31T00:00:00Z", "validity.expired"),
        ("validFrom", "2026-06-01T00:00:00Z", "validity.not_yet_valid"),
    ],
)
def test_an_expired_or_future_credential_stays_so_as_a_typed_value(
    suite: str, way: str, member: str, value: str, code: str
) -> None:
    signed = _sign(_diploma(**{member: value}), suite)
    policy = Policy(at=NOW)
    assert code in _failed(verify_credential(signed, policy=policy))
    attacked = respell(signed, [], member, way)
    assert "@value" in json.dumps(attacked)  # the date is now a typed value object
    result = verify_credential(attacked, policy=policy)
    assert _signature_holds(result) and code in _failed(result)


# --- hole 1 and 3: someone else's credential -----------------------------------------------


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("target", [([], "credentialSubject"), (["credentialSubject"], "id")])
def test_someone_elses_credential_stays_someone_elses(
    suite: str, way: str, target: tuple[list[str | int], str]
) -> None:
    document = _diploma()
    document["credentialSubject"]["id"] = SOMEONE.controller
    signed = _sign(document, suite)
    policy = Policy(challenge="c", domain="d", at=NOW)
    assert "holder.binding" in _failed(verify_presentation(_presentation(signed), policy=policy))
    path, member = target
    attacked = respell(signed, path, member, way)
    result = verify_presentation(_presentation(attacked), policy=policy)
    assert _signature_holds(result) and "holder.binding" in _failed(result)


def test_with_several_subjects_the_holder_must_be_one_of_them() -> None:
    document = _diploma()
    document["credentialSubject"] = [
        {"id": SOMEONE.controller, "name": "Dominique"},
        {"id": HOLDER.controller, "name": "Camille"},
    ]
    document["type"] = ["VerifiableCredential"]
    policy = Policy(challenge="c", domain="d", at=NOW)
    signed = _sign(document, "eddsa-rdfc-2022")
    assert verify_presentation(_presentation(signed), policy=policy).verified
    intruder = _presentation(signed, holder=key(4))
    assert "holder.binding" in _failed(verify_presentation(intruder, policy=policy))


def test_the_odrl_uid_alias_of_a_subject_id_is_read_as_its_id() -> None:
    document = {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://www.w3.org/2018/credentials/examples/v1",
        ],
        "type": ["VerifiableCredential"],
        "issuer": ISSUER.controller,
        "issuanceDate": "2025-07-01T00:00:00Z",
        "credentialSubject": {"id": SOMEONE.controller, "alumniOf": "Université Exemple"},
    }
    signed = _sign(document, "eddsa-rdfc-2022")
    attacked = json.loads(json.dumps(signed))
    attacked["credentialSubject"]["uid"] = attacked["credentialSubject"].pop("id")
    policy = Policy(challenge="c", domain="d", at=NOW)
    result = verify_presentation(_presentation(attacked), policy=policy)
    assert _signature_holds(result) and "holder.binding" in _failed(result)


# --- hole 1: the certification code a trust list reads -------------------------------------


def _trust() -> TrustList:
    return TrustList.from_json(
        {
            "name": "Recruteur",
            "issuers": [
                {"did": ISSUER.controller, "name": "Organisme", "codes": ["RNCP00001"]},
                {"did": P256.controller, "name": "Organisme P-256", "codes": ["RNCP00001"]},
            ],
        }
    )


ACHIEVEMENT = ["credentialSubject", "achievement"]
CODE_TARGETS: list[tuple[list[str | int], str]] = [
    (["credentialSubject"], "achievement"),
    (ACHIEVEMENT, "alignment"),
    ([*ACHIEVEMENT, "alignment", 0], "targetCode"),
    (ACHIEVEMENT, "id"),
]


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("target", CODE_TARGETS)
def test_a_code_the_issuer_is_not_accredited_for_stays_visible(
    suite: str, way: str, target: tuple[list[str | int], str]
) -> None:
    signed = _sign(_diploma(), suite)
    policy = Policy(at=NOW, trust=_trust())
    before = verify_credential(signed, policy=policy)
    assert "trust.code" in _failed(before)
    path, member = target
    attacked = respell(signed, path, member, way)
    result = verify_credential(attacked, policy=policy)
    assert _signature_holds(result) and "trust.code" in _failed(result)
    assert result.summary["standing"] != "accredited"


# --- hole 1: proof options and the presentation --------------------------------------------


@pytest.mark.parametrize("way", ["iri", "alias"])
def test_a_proof_option_under_another_name_is_refused(way: str) -> None:
    vp = _presentation(_sign(_diploma(), "eddsa-rdfc-2022"))
    vp["proof"]["expires"] = "2026-01-01T00:00:00Z"  # before NOW: the holder's word
    # Unsigned now, but the name matters first: a renamed option is never read.
    name = "https://w3id.org/security#expiration" if way == "iri" else "zzexp"
    vp["proof"][name] = vp["proof"].pop("expires")
    if way == "alias":
        vp["@context"] = [*vp["@context"], {"zzexp": "https://w3id.org/security#expiration"}]
    result = verify_presentation(vp, policy=Policy(challenge="c", domain="d", at=NOW))
    assert "proof.malformed" in _failed(result)


def test_an_expired_presentation_renamed_expires_still_fails() -> None:
    credential = _sign(_diploma(), "eddsa-rdfc-2022")
    vp = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": HOLDER.controller,
        "verifiableCredential": [credential],
    }
    signed = dict(
        sign_document(
            vp,
            HOLDER,
            challenge="c",
            domain="d",
            created=NOW - timedelta(days=2),
            expires=NOW - timedelta(days=1),
        )
    )
    policy = Policy(challenge="c", domain="d", at=NOW)
    assert not verify_presentation(signed, policy=policy).verified
    signed["proof"]["https://w3id.org/security#expiration"] = signed["proof"].pop("expires")
    assert not verify_presentation(signed, policy=policy).verified


@pytest.mark.parametrize("way", WAYS)
def test_a_presentation_holder_respelled_is_still_its_holder(way: str) -> None:
    credential = _sign(_diploma(), "eddsa-rdfc-2022")
    vp = _presentation(credential)
    policy = Policy(challenge="c", domain="d", at=NOW)
    assert verify_presentation(vp, policy=policy).verified
    unsigned = {k: v for k, v in vp.items() if k != "proof"}
    respelled = respell(unsigned, [], "holder", way)
    signed = dict(sign_document(respelled, HOLDER, challenge="c", domain="d", created=NOW))
    result = verify_presentation(signed, policy=policy)
    assert result.verified, result.failures()
    assert result.summary["holder"] == HOLDER.controller


def test_credentials_under_another_name_in_a_presentation_are_refused() -> None:
    other = _diploma()
    other["credentialSubject"]["id"] = SOMEONE.controller
    vp = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": HOLDER.controller,
        "verifiableCredential": [_sign(other, "eddsa-rdfc-2022")],
    }
    respelled = respell(vp, [], "verifiableCredential", "iri")
    signed = dict(sign_document(respelled, HOLDER, challenge="c", domain="d", created=NOW))
    result = verify_presentation(signed, policy=Policy(challenge="c", domain="d", at=NOW))
    assert not result.verified and "input.shape" in _failed(result)


# --- the property: no re-spelling improves a verdict ---------------------------------------

Scenario = Callable[[Path], tuple[dict[str, Any], Callable[[dict[str, Any]], VerificationResult]]]


def _scenarios(suite: str) -> dict[str, tuple[Scenario, list[tuple[list[str | int], str]]]]:
    def revoked(tmp: Path) -> tuple[dict[str, Any], Callable[[dict[str, Any]], VerificationResult]]:
        signed, env = _revoked(suite, tmp)
        return signed, lambda doc: verify_credential(doc, env=env)

    def expired(tmp: Path) -> tuple[dict[str, Any], Callable[[dict[str, Any]], VerificationResult]]:
        signed = _sign(_diploma(validUntil="2025-12-31T00:00:00Z"), suite)
        return signed, lambda doc: verify_credential(doc, policy=Policy(at=NOW))

    def others(tmp: Path) -> tuple[dict[str, Any], Callable[[dict[str, Any]], VerificationResult]]:
        document = _diploma()
        document["credentialSubject"]["id"] = SOMEONE.controller
        policy = Policy(challenge="c", domain="d", at=NOW)
        return _sign(document, suite), lambda doc: verify_presentation(
            _presentation(doc), policy=policy
        )

    def untrusted(
        tmp: Path,
    ) -> tuple[dict[str, Any], Callable[[dict[str, Any]], VerificationResult]]:
        policy = Policy(at=NOW, trust=_trust())
        return _sign(_diploma(), suite), lambda doc: verify_credential(doc, policy=policy)

    top: list[tuple[list[str | int], str]] = [
        ([], m) for m in ("credentialSubject", "issuer", "type", "validFrom", "id")
    ]
    subject: list[tuple[list[str | int], str]] = [(["credentialSubject"], "id")]
    return {
        "revoked": (revoked, [*top, ([], "credentialStatus"), (["credentialStatus"], "type")]),
        "expired": (expired, [*top, ([], "validUntil")]),
        "someone else's": (others, [*top, *subject]),
        "not accredited": (untrusted, [*top, *CODE_TARGETS]),
    }


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_no_respelling_of_a_checked_property_improves_the_verdict(
    data: st.DataObject, tmp_path: Path
) -> None:
    suite = data.draw(st.sampled_from(SUITES), label="suite")
    name = data.draw(st.sampled_from(["revoked", "expired", "someone else's", "not accredited"]))
    build, targets = _scenarios(suite)[name]
    signed, check = build(tmp_path)
    before = check(signed)
    assert not before.verified
    attacked = signed
    for _ in range(data.draw(st.integers(1, 3), label="how many")):
        path, member = data.draw(st.sampled_from(targets), label="member")
        way = data.draw(st.sampled_from(WAYS), label="way")
        try:
            attacked = respell(attacked, path, member, way)
        except (KeyError, IndexError, TypeError):
            continue  # that member is already spelled otherwise
    result = check(attacked)
    assert not result.verified, f"{name}: verified after re-spelling"
    assert _failed(before) <= _failed(result) | {"input.shape"}, (name, result.failures())


# --- the view itself -----------------------------------------------------------------------


def test_plain_documents_are_their_own_view_at_no_cost() -> None:
    signed = _sign(_diploma(), "eddsa-rdfc-2022")
    assert is_plain(signed)
    view = signed_view(signed, Environment().loader)
    assert not view.reexpressed and view.document == signed


def test_a_respelled_document_says_so_in_the_warnings() -> None:
    signed = _sign(_diploma(validUntil="2030-01-01T00:00:00Z"), "eddsa-rdfc-2022")
    attacked = respell(signed, [], "validUntil", "iri")
    result = verify_credential(attacked, policy=Policy(at=NOW))
    assert result.verified
    assert any("checked as its signature reads it" in w for w in result.warnings)
    assert result.summary["validUntil"] == "2030-01-01T00:00:00Z"


def test_the_keyword_aliases_of_the_bundle_are_all_known() -> None:
    from passeport.contexts import bundled_documents
    from passeport.contexts.loader import _bundled_document  # the bundle, read as the loader does

    found: set[str] = set()

    def walk(context: Any) -> None:
        if isinstance(context, list):
            for item in context:
                walk(item)
        elif isinstance(context, dict):
            for term, definition in context.items():
                target = definition.get("@id") if isinstance(definition, dict) else definition
                if isinstance(target, str) and target.startswith("@") and not term.startswith("@"):
                    found.add(term)
                if isinstance(definition, dict) and "@context" in definition:
                    walk(definition["@context"])

    for url in bundled_documents():
        walk(_bundled_document(url).get("@context"))
    assert found - {"id", "type"} == set(KEYWORD_ALIASES)
