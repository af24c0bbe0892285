"""Declarations: signed by the holder, always read as declared; validated, then linked."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from passeport.errors import InputError, WalletError
from passeport.issuer._evidence import declaration_digest
from passeport.issuer.declared import declaration, read_request, review, validation_data
from passeport.proofs.sign import sign_document
from passeport.verifier import Policy, TrustList, verify_credential
from passeport.verifier.facts import Guarantee
from passeport.verifier.verdict import Verdict
from passeport.wallet.declarations import (
    LinkKind,
    declare,
    is_declaration,
    link_notes,
    preferred,
    validation_request,
    validations,
)
from tests.career._helpers import DECLARED_SKILL, INTERNSHIP, LATER, Career, offline
from tests.conftest import FIXED_NOW
from tests.wallet._helpers import SOMEONE_ELSE, ed25519


@pytest.fixture
def career(tmp_path: Path) -> Career:
    return Career(tmp_path)


# Declaring --------------------------------------------------------------------------------


def test_a_declaration_is_read_as_declared_by_every_verifier(career: Career) -> None:
    record = career.declare("experience", INTERNSHIP)
    assert is_declaration(career.wallet.credential(record).info)
    document = career.document(record)
    assert document["issuer"]["id"] == career.wallet.did
    assert document["credentialSubject"]["id"] == career.wallet.did
    assert "credentialStatus" not in document
    alone = verify_credential(document, policy=Policy(at=LATER))
    [report] = alone.credentials
    assert alone.verified and report.facts.guarantee is Guarantee.DECLARED
    assert report.facts.standing == "self-declared"
    assert report.sentence("fr").endswith(
        "(déclaré par le titulaire lui-même) : déclaratif, non garanti (la signature du "
        "titulaire est authentique)."
    )
    assert "declarative, not guaranteed" in report.sentence("en")
    assert "authentique." not in report.sentence("fr")
    trust = TrustList.from_json(
        {"name": "R", "issuers": [{"did": "did:web:x.example", "name": "X"}]}
    )
    listed = verify_credential(document, policy=Policy(at=LATER, trust=trust))
    assert not listed.verified and listed.credentials[0].verdict is Verdict.SELF_DECLARED
    accepted = verify_credential(
        document, policy=Policy(at=LATER, trust=trust, accept_self_issued=True)
    )
    assert accepted.verified
    assert accepted.credentials[0].facts.guarantee is Guarantee.DECLARED


def test_a_tampered_declaration_is_refused_not_called_declared(career: Career) -> None:
    document = career.document(career.declare("skill", DECLARED_SKILL))
    document["credentialSubject"]["achievement"]["name"] = "Rust"
    result = verify_credential(document, policy=Policy(at=LATER))
    assert not result.verified
    assert result.credentials[0].facts.guarantee is Guarantee.UNVERIFIABLE


def test_a_declaration_is_about_its_holder_and_names_who_employed_them(career: Career) -> None:
    other = copy.deepcopy(INTERNSHIP)
    other["holder"]["id"] = SOMEONE_ELSE.controller
    with pytest.raises(InputError, match="is not your DID") as caught:
        career.declare("experience", other)
    assert caught.value.pointer == "/holder/id"
    unnamed = copy.deepcopy(INTERNSHIP)
    del unnamed["employment"]["employer"]
    with pytest.raises(InputError, match="names its employer"):
        career.declare("experience", unnamed)
    with pytest.raises(InputError, match="cannot be declared"):
        career.declare("diploma", {"holder": {"name": "X"}})
    training = {"holder": {"name": "C"}, "achievement": {"name": "T"}, "startDate": "2025-01-06"}
    with pytest.raises(InputError, match="names its training body"):
        career.declare("training", training)


def test_the_wallet_signs_only_its_holders_declarations(career: Career) -> None:
    unsigned = declaration(
        "skill",
        DECLARED_SKILL,
        holder=career.wallet.did,
        credential_id="urn:uuid:5d0c1f7a-8f7e-4f7b-9c0a-2b3c4d5e6f70",
        issued_at=FIXED_NOW,
    )
    forged = {**unsigned, "issuer": {"id": SOMEONE_ELSE.controller, "name": "Employeur"}}
    with pytest.raises(InputError, match="issuer of a declaration is its holder"):
        declare(career.wallet, forged, env=offline())
    about_other = copy.deepcopy(unsigned)
    about_other["credentialSubject"]["id"] = SOMEONE_ELSE.controller
    with pytest.raises(InputError, match="about its holder"):
        declare(career.wallet, about_other, env=offline())
    with pytest.raises(InputError, match="without a status entry"):
        declare(career.wallet, {**unsigned, "credentialStatus": []}, env=offline())
    assert career.wallet.entries() == []


# Asking for a validation ------------------------------------------------------------------


def test_the_request_carries_the_declaration_and_who_asks(career: Career) -> None:
    record = career.declare("experience", INTERNSHIP)
    request = validation_request(career.wallet, record, to="Employeur", now=FIXED_NOW)
    assert request["format"] == "passeport-validation-request/1"
    assert request["requestedBy"] == {"id": career.wallet.did, "name": "Camille Martin"}
    assert request["declaration"] == career.document(record)
    asked = read_request(json.loads(json.dumps(request)), where="req.json", env=offline())
    assert asked.template == "experience" and asked.holder == career.wallet.did
    assert asked.digest == declaration_digest(career.document(record))


def test_only_a_declaration_is_sent_for_validation(career: Career) -> None:
    credential = career.issue(career.employer, "skill", _skill(career))
    [outcome] = career.keep(credential)
    assert outcome.id is not None
    with pytest.raises(InputError, match="not one of your declarations"):
        validation_request(career.wallet, outcome.id)
    with pytest.raises(WalletError, match="no credential"):
        validation_request(career.wallet, "urn:uuid:nothing-here")


def _skill(career: Career) -> dict[str, Any]:
    return {
        "holder": career.person,
        "achievement": {
            "name": "Programmation Python",
            "esco": "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d",
            "criteria": "Observée en production.",
        },
    }


@pytest.mark.parametrize(
    "change",
    ["tamper", "signer", "format", "not-self-issued", "no-declaration"],
)
def test_the_issuer_refuses_a_request_that_does_not_hold(career: Career, change: str) -> None:
    record = career.declare("experience", INTERNSHIP)
    request: dict[str, Any] = json.loads(
        json.dumps(validation_request(career.wallet, record, now=FIXED_NOW))
    )
    if change == "tamper":
        request["declaration"]["credentialSubject"]["employment"]["jobTitle"] = "Directrice"
        words = "does not verify"
    elif change == "signer":
        request["requestedBy"]["id"] = SOMEONE_ELSE.controller
        words = "not by"
    elif change == "format":
        request["format"] = "other/1"
        words = "not a validation request"
    elif change == "not-self-issued":
        unsigned = {k: v for k, v in request["declaration"].items() if k != "proof"}
        unsigned["credentialSubject"] = {**unsigned["credentialSubject"], "id": "did:example:x"}
        issuer = ed25519(60)
        unsigned["issuer"] = {"id": issuer.controller, "name": "X"}
        request["declaration"] = sign_document(unsigned, issuer, created=FIXED_NOW)
        request["requestedBy"]["id"] = issuer.controller
        words = "not a declaration"
    else:
        del request["declaration"]
        words = "holds no declaration"
    with pytest.raises(InputError, match=words) as caught:
        read_request(request, where="req.json", env=offline())
    assert caught.value.where == "req.json"


def test_the_issuer_reviews_and_corrects_what_it_signs(career: Career) -> None:
    record = career.declare("experience", INTERNSHIP)
    asked = read_request(validation_request(career.wallet, record), env=offline())
    corrections = {"employment": {"endDate": "2024-08-23", "tasks": None}}
    data = validation_data(asked, "experience", corrections=corrections)
    assert data["employment"]["endDate"] == "2024-08-23" and "tasks" not in data["employment"]
    assert data["validates"] == {"id": asked.id, "digestMultibase": asked.digest}
    lines = {line.path: line for line in review(asked, data)}
    assert lines["employment.endDate"].corrected
    assert lines["employment.endDate"].declared == "2024-08-30"
    assert lines["employment.tasks"].value is None and lines["employment.tasks"].corrected
    assert not lines["employment.jobTitle"].corrected
    with pytest.raises(InputError, match="cannot be corrected"):
        validation_data(asked, "experience", corrections={"holder": {"id": "did:example:x"}})
    with pytest.raises(InputError, match="is a experience"):
        validation_data(asked, "skill")
    endorsement = validation_data(asked, "endorsement", corrections={"comment": "Confirmé."})
    assert endorsement["endorsed"] == asked.id and endorsement["comment"] == "Confirmé."


# The validated credential, linked ---------------------------------------------------------


def _validated(career: Career, record: str, template: str = "experience") -> str:
    asked = read_request(validation_request(career.wallet, record), env=offline())
    credential = career.issue(career.employer, template, validation_data(asked, template))
    [outcome] = career.keep(credential)
    assert outcome.status == "added" and outcome.id is not None
    return outcome.id


def test_the_validated_credential_names_the_declaration_and_supersedes_it(career: Career) -> None:
    record = career.declare("experience", INTERNSHIP)
    by = _validated(career, record)
    document = career.document(by)
    [evidence] = document["evidence"]
    assert evidence["id"] == career.document(record)["id"]
    assert evidence["digestMultibase"] == declaration_digest(career.document(record))
    result = verify_credential(document, env=offline(career.public))
    assert result.verified and result.credentials[0].facts.guarantee is Guarantee.GUARANTEED
    [link] = validations(career.wallet)
    assert (link.declared, link.by, link.kind) == (record, by, LinkKind.VALIDATED)
    assert preferred([record], [link]) == [by]
    assert preferred([record[:6], by], [link], career.wallet.entries()) == [by]
    notes = link_notes([link], "fr")
    assert notes == {record: [f"validée par {by}"], by: [f"valide {record}"]}


def test_an_endorsement_of_a_declaration_vouches_beside_it(career: Career) -> None:
    record = career.declare("skill", DECLARED_SKILL)
    by = _validated(career, record, "endorsement")
    [link] = validations(career.wallet)
    assert (link.declared, link.by, link.kind) == (record, by, LinkKind.ENDORSED)
    assert preferred([record], [link]) == [record]  # the declaration stays, endorsed


def test_no_link_without_the_very_words_the_issuer_read(career: Career) -> None:
    """A validation of another version of the declaration (digest differs) links nothing."""
    record = career.declare("experience", INTERNSHIP)
    asked = read_request(validation_request(career.wallet, record), env=offline())
    data = validation_data(asked, "experience")
    data["validates"]["digestMultibase"] = declaration_digest({"something": "else"})
    career.keep(career.issue(career.employer, "experience", data))
    assert validations(career.wallet) == ()


def test_no_link_from_the_holders_own_claim_of_validation(career: Career) -> None:
    """The holder cannot validate their own declaration by declaring it validated."""
    record = career.declare("experience", INTERNSHIP)
    asked = read_request(validation_request(career.wallet, record), env=offline())
    data = validation_data(asked, "experience")
    unsigned = declaration(
        "experience",
        data,
        holder=career.wallet.did,
        credential_id="urn:uuid:5d0c1f7a-8f7e-4f7b-9c0a-2b3c4d5e6f71",
        issued_at=FIXED_NOW,
    )
    declare(career.wallet, unsigned, env=offline(), issued_at=FIXED_NOW)
    assert validations(career.wallet) == ()


def test_no_link_from_a_validation_about_someone_else(career: Career) -> None:
    record = career.declare("experience", INTERNSHIP)
    asked = read_request(validation_request(career.wallet, record), env=offline())
    data = validation_data(asked, "experience")
    data["holder"] = {"id": SOMEONE_ELSE.controller, "name": "Quelqu'un"}
    career.keep(career.issue(career.employer, "experience", data))
    assert validations(career.wallet) == ()


def test_no_link_from_a_validation_that_does_not_verify(career: Career) -> None:
    """Kept although its status could not be read, it validates nothing until it verifies."""
    from passeport._io import dump_json
    from passeport.wallet import add

    record = career.declare("experience", INTERNSHIP)
    asked = read_request(validation_request(career.wallet, record), env=offline())
    credential = career.issue(career.employer, "experience", validation_data(asked, "experience"))
    [kept] = add(
        career.wallet, [("v.json", dump_json(credential))], env=offline(), keep_unverified=True
    )
    assert kept.status == "kept"
    assert validations(career.wallet) == ()
