"""The training template: a certificate of completion, signed, verified, said in words."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from passeport.errors import InputError
from passeport.issuer.templates import columns, data_from_row, render
from passeport.verifier import Policy, TrustList, certification_codes, verify_credential
from passeport.verifier.facts import Guarantee, Kind
from tests.career._helpers import SQL, Career, example, offline
from tests.conftest import FIXED_NOW
from tests.issuer.test_templates import ISSUER, ISSUER_KEY, build, signed_and_verified

TRAINING = example("issuer", "training.json")


def _with(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(TRAINING)
    data.update(changes)
    return data


def test_a_training_is_an_open_badge_certificate_of_completion() -> None:
    document = build("training", TRAINING)
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["@context"][-1] == "https://w3id.org/passeport/v1"
    subject = document["credentialSubject"]
    assert subject["achievement"]["achievementType"] == "CertificateOfCompletion"
    assert (subject["activityStartDate"], subject["activityEndDate"]) == (
        "2025-10-06",
        "2025-10-24",
    )
    assert document["awardedDate"] == "2025-10-24T00:00:00Z"  # completed: its last day
    assert subject["training"]["durationHours"] == 35
    assert subject["training"]["modality"] == "distanciel"
    assert subject["training"]["cpfFunded"] is True
    identifiers = {
        e["identifierType"]: e["identifier"] for e in subject["source"]["otherIdentifier"]
    }
    assert identifiers == {"ext:NDA": "11759999975", "ext:Qualiopi": "QUALIOPI-EXEMPLE-0001"}
    signed_and_verified(document)


def test_the_certification_prepared_is_not_one_the_training_awards() -> None:
    """A trust list reads an achievement's codes as what it awards: "prepares" stays out."""
    document = signed_and_verified(build("training", TRAINING))
    assert certification_codes(document) == ()
    trust = TrustList.from_json(
        {"name": "Recruteur", "issuers": [{"did": ISSUER["id"], "name": "OF", "codes": ["RS5678"]}]}
    )
    result = verify_credential(document, policy=Policy(at=FIXED_NOW, trust=trust))
    assert "RNCP37674" not in " ".join(c.message for c in result.checks)
    [report] = result.credentials
    assert report.facts.codes == () and report.facts.prepares == ("RNCP37674",)


def test_the_verdict_says_the_training_in_french_and_english() -> None:
    document = signed_and_verified(build("training", TRAINING))
    [report] = verify_credential(document, policy=Policy(at=FIXED_NOW)).credentials
    facts = report.facts
    assert facts.kind is Kind.TRAINING and facts.guarantee is Guarantee.GUARANTEED
    assert (facts.hours, facts.modality, facts.provider) == (
        35.0,
        "distanciel",
        "Organisme de formation Exemple",
    )
    assert report.sentence("fr") == (
        "Formation « Bases de données relationnelles et langage SQL » (35 h, à distance, "
        "prépare RNCP37674), suivie du 6 octobre 2025 au 24 octobre 2025 par Camille Martin "
        "auprès de « Organisme de formation Exemple », attestée par « Université Exemple » "
        "(nom non vérifié) : authentique."
    )
    assert report.sentence("en") == (
        "Training “Bases de données relationnelles et langage SQL” (35 h, remote, prepares "
        "RNCP37674), followed from October 6, 2025 to October 24, 2025 by Camille Martin with "
        "“Organisme de formation Exemple”, attested by “Université Exemple” (name not "
        "verified): authentic."
    )
    json_form = report.to_json()["facts"]
    assert isinstance(json_form, dict)
    assert (json_form["kind"], json_form["hours"], json_form["prepares"]) == (
        "training",
        35.0,
        ["RNCP37674"],
    )


def test_half_hours_read_with_a_decimal_comma_and_said_so_in_french() -> None:
    row = {
        "holder.name": "Camille Martin",
        "achievement.name": "Git",
        "achievement.skills": f"{SQL}: SQL",
        "startDate": "2025-11-03",
        "endDate": "2025-11-03",
        "hours": "7,5",
        "modality": "Présentiel",
        "cpf": "non",
        "trainingBody.name": "Organisme",
        "trainingBody.siret": "123 456 789 00012",
    }
    data = data_from_row("training", row, where="row 2")
    document = signed_and_verified(build("training", data))
    training = document["credentialSubject"]["training"]
    assert (training["durationHours"], training["modality"], training["cpfFunded"]) == (
        7.5,
        "presentiel",
        False,
    )
    [report] = verify_credential(document, policy=Policy(at=FIXED_NOW)).credentials
    assert "(7,5 h, en présentiel)" in report.sentence("fr")
    assert "le 3 novembre 2025" in report.sentence("fr")
    assert "trainingBody.nda" in columns("training") and "cpf" in columns("training")


@pytest.mark.parametrize(
    ("changes", "pointer", "words"),
    [
        ({"modality": "par correspondance"}, "/modality", "is not a modality"),
        ({"hours": 0}, "/hours", "is not from"),
        ({"hours": True}, "/hours", "expected a number"),
        ({"endDate": "2025-10-01"}, "/endDate", "before it starts"),
        ({"endDate": "2026-02-01"}, "/endDate", "after the issue date"),
        ({"awardedDate": "2025-09-01"}, "/awardedDate", "before it started"),
        ({"cpf": "oui"}, "/cpf", "expected true or false"),
        ({"trainingBody": {"name": "OF", "nda": "12 34"}}, "/trainingBody/nda", "11 digits"),
        ({"prepares": {"code": "RNCP"}}, "/prepares/code", "is not an RNCP or RS code"),
        ({"startDate": None}, "/startDate", "missing required field"),
        ({"duree": 35}, "/duree", "unknown field"),
    ],
)
def test_bad_training_data_is_named(changes: dict[str, Any], pointer: str, words: str) -> None:
    with pytest.raises(InputError, match=words) as caught:
        build("training", _with(**changes))
    assert caught.value.pointer == pointer and caught.value.where == "data.json"


def test_a_bad_yes_or_no_cell_is_named() -> None:
    with pytest.raises(InputError, match="is not yes or no") as caught:
        data_from_row("training", {"cpf": "peut-être"}, where="rows.csv row 4")
    assert caught.value.where == "rows.csv row 4" and caught.value.pointer == "/cpf"


def test_without_a_training_body_the_issuer_is_it() -> None:
    data = _with()
    del data["trainingBody"]
    document = render(
        "training",
        data,
        issuer=ISSUER,
        credential_id="urn:uuid:0b6f2d7e-3c1a-4f5e-9d2b-7a8c6e4f1d30",
        issued_at=FIXED_NOW,
    )
    assert document["credentialSubject"]["source"]["id"] == ISSUER_KEY.controller


def test_an_issued_training_verifies_against_its_published_status(tmp_path: Path) -> None:
    career = Career(tmp_path)
    credential = career.issue(career.trainer, "training", {**TRAINING, "holder": career.person})
    result = verify_credential(credential, env=offline(career.public))
    assert result.verified, result.failures()
    assert result.credentials[0].status_checked
