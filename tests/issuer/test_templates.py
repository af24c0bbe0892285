"""Credential templates: examples render, sign and verify; each kind of bad input is named."""

from __future__ import annotations

import copy
import csv
import doctest
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passeport.contexts import bundled_loader, expand
from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.errors import ContextError, InputError
from passeport.issuer import templates
from passeport.issuer.templates import TEMPLATE_NAMES, columns, data_from_row, render, subject_id
from passeport.proofs import derive
from passeport.proofs.sign import sign_document
from passeport.verifier import Policy, certification_codes, verify_credential
from tests.conftest import FIXED_NOW, ROOT

EXAMPLES = ROOT / "examples" / "issuer"
CONTEXT_URL = "https://w3id.org/passeport/v1"
VOCAB = "https://w3id.org/passeport/vocab#"
ISSUER_KEY = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([41]) * 32))
ISSUER = {
    "id": ISSUER_KEY.controller,
    "name": "Université Exemple",
    "url": "https://univ.example",
    "email": "scolarite@univ.example",
}
CREDENTIAL_ID = "urn:uuid:0b6f2d7e-3c1a-4f5e-9d2b-7a8c6e4f1d30"
HOLDER_DID = "did:key:z6MktsLs7ByDkjGWBmDQMgZin2gPpd2H4i8PWmz1qVua7dmq"
STATUS = [
    {
        "id": f"https://univ.example/status/1#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": "https://univ.example/status/1",
    }
    for index, purpose in ((94567, "revocation"), (23452, "suspension"))
]


def example(template: str) -> dict[str, Any]:
    """Return the data of ``examples/issuer/<template>.json``."""
    data: dict[str, Any] = json.loads((EXAMPLES / f"{template}.json").read_text("utf-8"))
    return data


def build(template: str, data: Any, *, where: str | None = "data.json", **options: Any) -> Any:
    """Render with the test issuer at FIXED_NOW."""
    arguments: dict[str, Any] = {
        "issuer": ISSUER,
        "credential_id": CREDENTIAL_ID,
        "issued_at": FIXED_NOW,
        "where": where,
    }
    arguments.update(options)
    return render(template, data, **arguments)


def signed_and_verified(document: dict[str, Any]) -> dict[str, Any]:
    """Sign with the issuer's key and assert that it verifies with no warning."""
    signed = sign_document(document, ISSUER_KEY, created=FIXED_NOW)
    result = verify_credential(signed, policy=Policy(at=FIXED_NOW))
    assert result.verified, [(c.code, c.message) for c in result.failures()]
    assert result.warnings == ()
    return signed


# Every template, from its example -----------------------------------------------------------


@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_example_renders_signs_and_verifies(template: str) -> None:
    document = build(template, example(template))
    assert "proof" not in document and "credentialStatus" not in document
    assert document["id"] == CREDENTIAL_ID
    assert document["validFrom"] == "2026-01-15T12:00:00Z"
    assert document["issuer"] == {**ISSUER, "type": ["Profile"]}
    assert expand(document, bundled_loader()).warnings == ()
    signed = signed_and_verified(document)
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"


@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_two_status_entries_still_expand_cleanly(template: str) -> None:
    document = build(template, example(template))
    document["credentialStatus"] = copy.deepcopy(STATUS)
    assert expand(document, bundled_loader()).warnings == ()
    signed = sign_document(document, ISSUER_KEY, created=FIXED_NOW)
    assert signed["credentialStatus"] == STATUS


def test_template_names_are_those_of_the_cli() -> None:
    assert TEMPLATE_NAMES == (
        "diploma",
        "certification",
        "skill",
        "experience",
        "prevention",
        "endorsement",
        "training",
    )


def test_diploma_is_an_open_badge_with_its_code_level_and_blocks() -> None:
    document = build("diploma", example("diploma"))
    assert document["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["awardedDate"] == "2025-07-04T00:00:00Z"
    subject = document["credentialSubject"]
    assert subject["id"] == HOLDER_DID
    assert subject["type"] == ["AchievementSubject"]
    identities = {i["identityType"]: i["identityHash"] for i in subject["identifier"]}
    assert identities == {
        "name": "Camille Martin",
        "ext:dateOfBirth": "2003-04-12",
        "emailAddress": "camille.martin@etu.univ.example",
    }
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["achievementType"] == "BachelorDegree"
    assert achievement["humanCode"] == "RNCP35288"
    assert achievement["criteria"] == {
        "id": "https://www.francecompetences.fr/recherche/rncp/35288/"
    }
    assert achievement["creditsAvailable"] == 60
    codes = [(a["targetType"], a.get("targetCode")) for a in achievement["alignment"]]
    assert codes == [
        ("ext:Certification", "RNCP35288"),
        ("ext:EQFLevel", "6"),
        ("ext:SkillBlock", "RNCP35288BC01"),
        ("ext:SkillBlock", "RNCP35288BC02"),
        ("ext:SkillBlock", "RNCP35288BC03"),
        ("ext:SkillBlock", "RNCP35288BC04"),
    ]
    assert certification_codes(document) == ("RNCP35288",)


def test_achievement_id_is_stable_per_issuer_and_code() -> None:
    first = build("diploma", example("diploma"))
    other = example("diploma")
    other["holder"] = {"name": "Léa Dubois"}
    second = build("diploma", other, credential_id="urn:uuid:11111111-2222-4333-8444-555555555555")
    achievement = first["credentialSubject"]["achievement"]["id"]
    assert achievement.startswith("urn:uuid:")
    assert second["credentialSubject"]["achievement"]["id"] == achievement
    given_id = example("diploma")
    given_id["achievement"]["id"] = "https://univ.example/achievements/lp-info"
    explicit = build("diploma", given_id)["credentialSubject"]["achievement"]["id"]
    assert explicit == "https://univ.example/achievements/lp-info"


def test_certification_completes_short_block_codes_and_keeps_the_narrative() -> None:
    document = build("certification", example("certification"))
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "Certificate"
    alignments = achievement["alignment"]
    blocks = [a["targetCode"] for a in alignments if a["targetType"] == "ext:SkillBlock"]
    assert blocks == ["RNCP37674BC01", "RNCP37674BC02"]
    assert achievement["criteria"]["narrative"].startswith("Mise en situation")
    assert "validUntil" not in document
    assert certification_codes(document) == ("RNCP37674",)


@pytest.mark.parametrize(
    ("written", "normalized"),
    [
        ("rncp 37674", "RNCP37674"),
        ("RNCP-37674", "RNCP37674"),
        ("RNCP037674", "RNCP37674"),
        ("rs5678", "RS5678"),
    ],
)
def test_certification_codes_are_normalized(written: str, normalized: str) -> None:
    data = example("certification")
    data["achievement"]["code"] = written
    data["achievement"].pop("blocks")
    if normalized.startswith("RS"):
        data["achievement"].pop("level")
    achievement = build("certification", data)["credentialSubject"]["achievement"]
    assert achievement["humanCode"] == normalized
    framework = "RS" if normalized.startswith("RS") else "RNCP"
    assert achievement["alignment"][0]["targetFramework"] == framework


def test_skill_is_a_competency_aligned_to_esco_and_rome() -> None:
    document = build("skill", example("skill"))
    subject = document["credentialSubject"]
    assert subject["role"] == "Développeuse web en alternance"
    achievement = subject["achievement"]
    assert achievement["achievementType"] == "Competency"
    assert [(a["targetFramework"], a["targetUrl"]) for a in achievement["alignment"]] == [
        ("ESCO", "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"),
        ("ROME", "https://candidat.francetravail.fr/metierscope/fiche-metier/M1805"),
    ]
    lower = example("skill")
    lower["achievement"]["rome"] = "m1805"
    lower["achievement"].pop("esco")
    only = build("skill", lower)["credentialSubject"]["achievement"]["alignment"]
    assert [a["targetCode"] for a in only] == ["M1805"]


def test_experience_uses_the_project_context() -> None:
    document = build("experience", example("experience"))
    assert document["@context"][-1] == CONTEXT_URL
    assert document["type"] == ["VerifiableCredential", "EmploymentCredential"]
    assert document["name"] == "Développeuse web en alternance, Atelier Numérique Lyonnais SARL"
    subject = document["credentialSubject"]
    assert subject["name"] == "Camille Martin"
    job = subject["employment"]
    assert job["type"] == ["Employment"]
    assert job["employer"]["type"] == ["Profile"]
    assert (job["startDate"], job["endDate"]) == ("2024-09-02", "2025-08-29")
    assert len(job["tasks"]) == 4
    expanded = json.dumps(expand(document, bundled_loader()).expanded)
    for term in (
        "employment",
        "jobTitle",
        "employer",
        "startDate",
        "endDate",
        "tasks",
        "contractType",
        "workLocation",
        "EmploymentCredential",
        "Employment",
    ):
        assert f'"{VOCAB}{term}"' in expanded, term


def test_experience_defaults_the_employer_to_the_issuer_and_allows_a_current_job() -> None:
    data = example("experience")
    del data["employment"]["employer"], data["employment"]["endDate"]
    document = build("experience", data)
    job = signed_and_verified(document)["credentialSubject"]["employment"]
    assert job["employer"] == {"id": ISSUER["id"], "type": ["Profile"], "name": ISSUER["name"]}
    assert "endDate" not in job


def test_prevention_expires_after_its_validity() -> None:
    document = build("prevention", example("prevention"))
    assert document["awardedDate"] == "2026-01-15T12:00:00Z"
    assert document["validUntil"] == "2028-01-15T00:00:00Z"
    subject = document["credentialSubject"]
    assert subject["licenseNumber"] == "SST-2025-004217"
    assert subject["source"]["id"] == "did:web:formation.example"
    expired = verify_credential(
        sign_document(document, ISSUER_KEY, created=FIXED_NOW),
        policy=Policy(at=datetime(2028, 1, 16, tzinfo=UTC)),
    )
    assert "validity.expired" in {c.code for c in expired.failures()}


@pytest.mark.parametrize(
    ("awarded", "validity", "until"),
    [
        ("2025-03-10", "P24M", "2027-03-10T00:00:00Z"),
        ("2024-02-29", "P2Y", "2026-02-28T00:00:00Z"),
        ("2025-10-31", "P1Y4M", "2027-02-28T00:00:00Z"),
        ("2025-12-20", "P3W", "2026-01-10T00:00:00Z"),
    ],
)
def test_validity_is_counted_in_calendar_months_from_the_award(
    awarded: str, validity: str, until: str
) -> None:
    data = example("prevention")
    data.update(awardedDate=awarded, validity=validity)
    if until <= "2026-01-15":
        with pytest.raises(InputError) as caught:
            build("prevention", data)
        assert caught.value.pointer == "/validity"
        return
    assert build("prevention", data)["validUntil"] == until


def test_an_explicit_valid_until_date_lasts_the_whole_day() -> None:
    data = example("prevention")
    del data["validity"]
    data["validUntil"] = "2027-06-30"
    assert build("prevention", data)["validUntil"] == "2027-06-30T23:59:59Z"
    data["validUntil"] = "2027-06-30T18:00:00+02:00"
    assert build("prevention", data)["validUntil"] == "2027-06-30T16:00:00Z"


def test_endorsement_endorses_a_claim() -> None:
    document = build("endorsement", example("endorsement"))
    assert document["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert document["credentialSubject"] == {
        "id": "urn:uuid:2f9c8a64-5b1e-4c7d-9a3f-6e0b1d2c4a58",
        "type": ["EndorsementSubject"],
        "endorsementComment": example("endorsement")["comment"],
    }
    unnamed = example("endorsement")
    del unnamed["name"]
    assert build("endorsement", unnamed)["name"] == "Recommandation de Université Exemple"


def test_a_holder_can_leave_the_birth_date_out_of_a_disclosure() -> None:
    key = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.P256, bytes([42]) * 32))
    document = build("diploma", example("diploma"), issuer={"id": key.controller, "name": "U"})
    mandatory = ["/issuer", "/validFrom", "/awardedDate", "/credentialSubject/achievement"]
    base = sign_document(
        document, key, suite="ecdsa-sd-2023", created=FIXED_NOW, mandatory=mandatory
    )
    disclosed: Any = derive(base, ["/credentialSubject/id", "/credentialSubject/identifier/0"])
    identities = disclosed["credentialSubject"]["identifier"]
    assert [i["identityType"] for i in identities] == ["name"]
    assert "2003-04-12" not in json.dumps(disclosed)
    result = verify_credential(disclosed, policy=Policy(at=FIXED_NOW))
    assert result.verified, [(c.code, c.message) for c in result.failures()]


def test_subject_id_finds_the_holder_did() -> None:
    assert subject_id(example("diploma")) == HOLDER_DID
    assert subject_id({"holder": {"name": "Camille Martin"}}) is None
    assert subject_id(example("endorsement")) is None
    assert subject_id({"endorsed": HOLDER_DID, "comment": "x"}) == HOLDER_DID
    assert subject_id({}) is None


# The graduating class -----------------------------------------------------------------------


def class_rows() -> list[dict[str, str]]:
    with (EXAMPLES / "class.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_class_csv_renders_signs_and_verifies_every_row() -> None:
    rows = class_rows()
    assert len(rows) == 12
    assert set(rows[0]) <= set(columns("diploma"))
    holders = set()
    for number, row in enumerate(rows, start=2):
        data: Any = data_from_row("diploma", row, where=f"class.csv row {number}")
        assert data["achievement"]["level"] == 6 and data["achievement"]["credits"] == 60
        document = build("diploma", data, where=f"class.csv row {number}")
        signed_and_verified(document)
        holders.add(subject_id(data))
        assert certification_codes(document) == ("RNCP35288",)
    assert None in holders and len(holders) == 11


def test_csv_lists_blocks_and_decimal_commas() -> None:
    row = {
        "holder.name": "Jade Simon",
        "achievement.name": "Titre professionnel Développeur web et web mobile",
        "achievement.code": "RNCP37674",
        "achievement.blocks": "BC01: Développer le front | RNCP37674BC02: Développer le back",
        "achievement.credits": "7,5",
        "validity": "",
    }
    data = data_from_row("certification", row, where="titres.csv row 2")
    assert data == {
        "holder": {"name": "Jade Simon"},
        "achievement": {
            "name": "Titre professionnel Développeur web et web mobile",
            "code": "RNCP37674",
            "blocks": [
                {"code": "BC01", "name": "Développer le front"},
                {"code": "RNCP37674BC02", "name": "Développer le back"},
            ],
            "credits": 7.5,
        },
    }
    signed_and_verified(build("certification", data))
    tasks: Any = data_from_row(
        "experience",
        {
            "holder.name": "Théo Nguyen",
            "employment.jobTitle": "Technicien",
            "employment.startDate": "2023-01-02",
            "employment.tasks": "Accueil | | Facturation ",
        },
        where="jobs.csv row 2",
    )
    assert tasks["employment"]["tasks"] == ["Accueil", "Facturation"]


# Bad input: every kind is refused, naming where and the pointer ------------------------------


def refused(template: str, data: Any, **options: Any) -> InputError:
    with pytest.raises(InputError) as caught:
        build(template, data, where="data.json", **options)
    error = caught.value
    assert error.where == "data.json"
    text = str(error)
    assert "\n" not in text and text.startswith(f"data.json: {error.pointer}")
    return error


def changed(template: str, pointer: str, value: Any) -> dict[str, Any]:
    """Return the template's example with the member at ``pointer`` set (or removed: ``...``)."""
    data = example(template)
    *parents, last = pointer.strip("/").split("/")
    target: Any = data
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    key: Any = int(last) if isinstance(target, list) else last
    if value is ...:
        del target[key]
    else:
        target[key] = value
    return data


BAD = [
    # missing required field
    ("diploma", "/holder/name", ..., "/holder/name", 'missing required field "name"'),
    ("diploma", "/achievement", ..., "/achievement", "missing required field"),
    ("certification", "/achievement/code", ..., "/achievement/code", "missing required field"),
    ("experience", "/employment/startDate", ..., "/employment/startDate", "missing"),
    ("endorsement", "/comment", ..., "/comment", "missing required field"),
    # wrong type
    ("diploma", "/achievement/level", "6", "/achievement/level", "expected an integer"),
    ("diploma", "/achievement/level", 9, "/achievement/level", "not from 1 to 8"),
    ("diploma", "/holder", ["Camille"], "/holder", "expected an object, got a list"),
    ("diploma", "/achievement/name", 42, "/achievement/name", "expected a text, got a number"),
    ("diploma", "/achievement/credits", True, "/achievement/credits", "expected a number"),
    ("experience", "/employment/tasks", "Accueil", "/employment/tasks", "expected a list"),
    ("experience", "/employment/tasks/1", "  ", "/employment/tasks/1", "must not be empty"),
    ("diploma", "/achievement/blocks/1", "BC02", "/achievement/blocks/1", "expected an object"),
    (
        "diploma",
        "/achievement/achievementType",
        "Diplome",
        "/achievement/achievementType",
        "not an Open Badges 3.0 achievement type",
    ),
    # bad date
    ("diploma", "/awardedDate", "04/07/2025", "/awardedDate", "not an ISO 8601 date"),
    ("diploma", "/awardedDate", "2025-02-30", "/awardedDate", "not a valid calendar date"),
    ("diploma", "/awardedDate", "2025-07-04T10:00", "/awardedDate", "needs its time zone"),
    ("diploma", "/awardedDate", "0001-01-01T00:00:00+01:00", "/awardedDate", "not a valid"),
    ("diploma", "/holder/birthDate", "2003-04-12T00:00:00Z", "/holder/birthDate", "not a date"),
    ("experience", "/employment/endDate", "2025", "/employment/endDate", "not a date"),
    # end before start, and dates after issuance
    (
        "experience",
        "/employment/endDate",
        "2024-08-31",
        "/employment/endDate",
        "ends (2024-08-31) before it starts (2024-09-02)",
    ),
    (
        "experience",
        "/employment/startDate",
        "2026-02-01",
        "/employment/startDate",
        "after the issue date",
    ),
    (
        "experience",
        "/employment/endDate",
        "2026-06-30",
        "/employment/endDate",
        "leave endDate out for a current job",
    ),
    ("diploma", "/awardedDate", "2026-07-04", "/awardedDate", "after the credential's issue date"),
    # bad certification codes
    ("certification", "/achievement/code", "RNCP", "/achievement/code", "not an RNCP or RS code"),
    ("certification", "/achievement/code", "37674", "/achievement/code", "not an RNCP or RS code"),
    ("certification", "/achievement/code", "RNCP37674X", "/achievement/code", "RNCP or RS"),
    ("certification", "/achievement/code", "RNCP0", "/achievement/code", "RNCP or RS"),
    ("diploma", "/achievement/code", "RS5678", "/achievement/code", "registered in the RNCP"),
    (
        "certification",
        "/achievement/blocks/0/code",
        "RNCP35288BC01",
        "/achievement/blocks/0/code",
        "not a block of RNCP37674",
    ),
    (
        "certification",
        "/achievement/blocks/0/code",
        "B01",
        "/achievement/blocks/0/code",
        "not a bloc de compétences code",
    ),
    ("diploma", "/achievement/code", ..., "/achievement/blocks", "give achievement.code"),
    # bad ESCO URI / ROME code
    (
        "skill",
        "/achievement/esco",
        "https://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d",
        "/achievement/esco",
        "not an ESCO skill URI",
    ),
    (
        "skill",
        "/achievement/esco",
        "http://data.europa.eu/esco/occupation/c40a2919-48a9-40ea-b506-1f34f693496d",
        "/achievement/esco",
        "not an ESCO skill URI",
    ),
    (
        "experience",
        "/employment/esco",
        "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d",
        "/employment/esco",
        "not an ESCO occupation URI",
    ),
    ("skill", "/achievement/rome", "M180", "/achievement/rome", "not a ROME code"),
    ("skill", "/achievement/rome", "Z1805", "/achievement/rome", "not a ROME code"),
    # bad holder DID
    (
        "diploma",
        "/holder/id",
        "z6MktsLs7ByDkjGWBmDQMgZin2gPpd2H4i8PWmz1qVua7dmq",
        "/holder/id",
        "not a DID",
    ),
    ("diploma", "/holder/id", f"{HOLDER_DID}#key-1", "/holder/id", "not a DID"),
    ("diploma", "/holder/id", "did:Key:z6Mk", "/holder/id", "not a DID"),
    # bad email
    ("diploma", "/holder/email", "camille.martin@", "/holder/email", "not an email address"),
    ("diploma", "/holder/email", "camille martin@univ.example", "/holder/email", "not an email"),
    # bad URIs
    ("endorsement", "/endorsed", "credential 42", "/endorsed", "not an absolute URI"),
    ("prevention", "/trainingBody/url", "formation.example", "/trainingBody/url", "http(s) URL"),
    # unknown extra fields, named
    ("diploma", "/holder/nmae", "Camille", "/holder/nmae", 'unknown field "nmae"'),
    (
        "diploma",
        "/achievement/esco",
        "http://data.europa.eu/esco/skill/S1",
        "/achievement/esco",
        "unknown field",
    ),
    ("experience", "/holder/birthDate", "2003-04-12", "/holder/birthDate", "unknown field"),
    ("endorsement", "/validUntil", "2030-01-01", "/validUntil", "unknown field"),
    # validity
    ("prevention", "/validity", ..., "/validity", "a safety training expires"),
    ("prevention", "/validUntil", "2027-01-01", "/validUntil", "not both"),
    ("prevention", "/validity", "P0M", "/validity", "zero duration"),
    ("prevention", "/validity", "2 ans", "/validity", "not an ISO 8601 duration"),
    ("prevention", "/validity", "PT24H", "/validity", "not an ISO 8601 duration"),
    ("prevention", "/validity", "P200Y", "/validity", "longer than a hundred years"),
    ("certification", "/validUntil", "9999-12-31T23:59:59-05:00", "/validUntil", "not a valid"),
    ("certification", "/validUntil", "2025-12-31", "/validUntil", "expire"),
    # cross-field rules
    ("skill", "/achievement/esco", ..., "/achievement/esco", ...),
    ("prevention", "/achievement/criteria", ..., "/achievement/criteria", ...),
    ("certification", "/achievement/code", "RS5678", "/achievement/level", "RS have no level"),
]


@pytest.mark.parametrize(
    ("template", "at", "value", "pointer", "message"),
    BAD,
    ids=[f"{t}:{at}={v!r}"[:80] for t, at, v, _, _ in BAD],
)
def test_bad_input_is_refused_naming_where_and_pointer(
    template: str, at: str, value: Any, pointer: str, message: Any
) -> None:
    data = changed(template, at, value)
    if template == "skill" and value is ...:
        data["achievement"].pop("rome")
    if template == "prevention" and at == "/achievement/criteria":
        data["achievement"].pop("code")
    if template == "certification" and value == "RS5678":
        data["achievement"].pop("blocks")
    error = refused(template, data)
    assert error.pointer == pointer
    if message is not ...:
        assert message in error.message


def test_unknown_fields_are_all_named() -> None:
    data = example("diploma")
    data["holder"].update(nmae="x", emial="y")
    error = refused("diploma", data)
    assert error.pointer == "/holder/nmae"
    assert 'unknown fields "nmae", "emial"' in error.message
    assert "birthDate, email, id, name" in error.message


def test_data_that_is_not_an_object_is_refused_at_the_root() -> None:
    error = refused("diploma", ["not", "an", "object"])
    assert error.pointer == ""
    assert str(error) == "data.json: (document root): expected an object, got a list"


def test_unknown_template_is_refused() -> None:
    with pytest.raises(InputError, match='unknown template "diplome"'):
        build("diplome", example("diploma"))
    with pytest.raises(InputError, match="unknown template"):
        data_from_row("diplome", {}, where="class.csv row 2")


def test_a_bad_issuer_profile_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        build("diploma", example("diploma"), issuer={**ISSUER, "id": "https://univ.example"})
    assert (caught.value.where, caught.value.pointer) == ("issuer profile", "/id")


def test_misuse_raises_value_error() -> None:
    with pytest.raises(ValueError, match="urn:uuid"):
        build("diploma", example("diploma"), credential_id="https://univ.example/1")
    with pytest.raises(ValueError, match="timezone"):
        build("diploma", example("diploma"), issued_at=datetime(2026, 1, 15))


@pytest.mark.parametrize(
    ("row", "pointer", "message"),
    [
        ({"holder.name": "A", "holder.nmae": "B"}, "/holder/nmae", 'unknown column "holder.nmae"'),
        ({"holder.name": "A", "holder": "B"}, "/holder", "unknown column"),
        ({"holder.name": "A", "achievement.level": "six"}, "/achievement/level", "not an integer"),
        (
            {"holder.name": "A", "achievement.credits": "60 ECTS"},
            "/achievement/credits",
            "not a number",
        ),
        (
            {"holder.name": "A", "achievement.blocks": "BC01 Usages"},
            "/achievement/blocks/0",
            '"CODE: name"',
        ),
    ],
)
def test_bad_csv_rows_are_refused_naming_the_row(
    row: dict[str, str], pointer: str, message: str
) -> None:
    with pytest.raises(InputError) as caught:
        data_from_row("diploma", row, where="class.csv row 7")
    assert (caught.value.where, caught.value.pointer) == ("class.csv row 7", pointer)
    assert message in caught.value.message
    assert str(caught.value).startswith(f"class.csv row 7: {pointer}: ")


def test_a_byte_order_mark_before_the_first_column_is_ignored() -> None:
    data = data_from_row("diploma", {"\ufeffholder.name": "Jade Simon"}, where="class.csv row 2")
    assert data == {"holder": {"name": "Jade Simon"}}


def test_a_csv_row_with_more_cells_than_columns_is_refused() -> None:
    row: dict[Any, Any] = {"holder.name": "A", None: ["extra"]}
    with pytest.raises(InputError, match="more cells than the header"):
        data_from_row("diploma", row, where="class.csv row 7")


def test_csv_errors_in_values_point_into_the_data() -> None:
    row = next(iter(class_rows()))
    row = {**row, "holder.id": "camille"}
    data = data_from_row("diploma", row, where="class.csv row 2")
    with pytest.raises(InputError) as caught:
        build("diploma", data, where="class.csv row 2")
    assert str(caught.value).startswith("class.csv row 2: /holder/id: ")


# The project context ------------------------------------------------------------------------


def test_project_context_is_bundled_and_pinned() -> None:
    bundled = ROOT / "contexts" / "bundled"
    manifest = json.loads((bundled / "manifest.json").read_text("utf-8"))
    entry = manifest[CONTEXT_URL]
    data = (bundled / entry["file"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    assert bundled_loader().load(CONTEXT_URL) == json.loads(data)


def _iris(value: Any) -> list[str]:
    found: list[str] = []
    if isinstance(value, dict):
        for key, child in value.items():
            if key == "@id" or (isinstance(child, str) and key not in ("@type", "@container")):
                found.append(child)
            found.extend(_iris(child))
    return found


def test_project_context_is_protected_and_in_its_vocabulary() -> None:
    context: Any = bundled_loader().load(CONTEXT_URL)["@context"]
    assert context["@protected"] is True and context["@version"] == 1.1
    assert context["Employment"]["@context"]["@protected"] is True
    iris = [iri for iri in _iris(context) if not iri.startswith("@")]
    assert iris and all(iri.startswith(VOCAB) for iri in iris), iris


def test_project_terms_cannot_be_redefined() -> None:
    document = build("experience", example("experience"))
    document["@context"] = [*document["@context"], {"employment": "https://evil.example/job"}]
    with pytest.raises(ContextError):
        expand(document, bundled_loader())


def test_employment_terms_are_scoped_to_employment() -> None:
    document = build("experience", example("experience"))
    document["credentialSubject"]["jobTitle"] = "Développeuse"
    with pytest.raises(ContextError, match="jobTitle"):
        expand(document, bundled_loader())


# Optional fields, present or absent: never an undefined term --------------------------------

OPTIONAL: dict[str, tuple[str, ...]] = {
    "diploma": (
        "/holder/id",
        "/holder/birthDate",
        "/holder/email",
        "/achievement/description",
        "/achievement/achievementType",
        "/achievement/level",
        "/achievement/blocks",
        "/achievement/fieldOfStudy",
        "/achievement/specialization",
        "/achievement/credits",
        "/awardedDate",
    ),
    "certification": (
        "/holder/id",
        "/holder/birthDate",
        "/achievement/description",
        "/achievement/level",
        "/achievement/blocks",
        "/achievement/criteria",
        "/achievement/achievementType",
        "/awardedDate",
    ),
    "skill": (
        "/holder/id",
        "/achievement/description",
        "/achievement/rome",
        "/role",
        "/awardedDate",
    ),
    "experience": (
        "/holder/id",
        "/employment/employer",
        "/employment/endDate",
        "/employment/tasks",
        "/employment/contractType",
        "/employment/workLocation",
        "/employment/rome",
        "/employment/esco",
    ),
    "prevention": (
        "/holder/id",
        "/achievement/description",
        "/achievement/code",
        "/trainingBody",
        "/trainingBody/id",
        "/trainingBody/url",
        "/licenseNumber",
    ),
    "endorsement": ("/name",),
    "training": (
        "/holder/id",
        "/achievement/description",
        "/achievement/skills",
        "/awardedDate",
        "/modality",
        "/cpf",
        "/prepares",
        "/prepares/name",
        "/trainingBody",
        "/trainingBody/nda",
        "/trainingBody/qualiopi",
        "/validates",
    ),
}
EXTRA: dict[str, dict[str, Any]] = {
    "diploma": {
        "/achievement/criteria": "Soutenance du projet tuteuré et stage de 16 semaines.",
        "/achievement/id": "https://univ.example/achievements/lp-info",
    },
    "certification": {"/validity": "P5Y"},
    "skill": {"/achievement/id": "urn:uuid:5d0c1f7a-8f7e-4f7b-9c0a-2b3c4d5e6f70"},
    "prevention": {
        "/awardedDate": "2025-12-01T09:30:00+01:00",
        "/holder/birthDate": "1999-02-01",
        "/achievement/achievementType": "License",
    },
    "experience": {"/employment/employer/id": "did:web:atelier-numerique.example"},
    "endorsement": {},
    "training": {
        "/awardedDate": "2025-10-24T17:00:00+02:00",
        "/holder/email": "camille@example.org",
        "/trainingBody/siret": "123 456 789 00012",
        "/validates": {
            "id": "urn:uuid:5d0c1f7a-8f7e-4f7b-9c0a-2b3c4d5e6f70",
            "digestMultibase": "uEiAs8k26X7CjDiboOyrFueKeGxYeXB-nQl5zBDNik4uYJA",
        },
    },
}


def _set(data: dict[str, Any], pointer: str, value: Any) -> None:
    *parents, last = pointer.strip("/").split("/")
    target = data
    for part in parents:
        target = target[part]
    target[last] = value


def _drop(data: dict[str, Any], pointer: str) -> None:
    *parents, last = pointer.strip("/").split("/")
    target: Any = data
    for part in parents:
        if part not in target:
            return
        target = target[part]
    target.pop(last, None)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_optional_fields_present_or_absent_never_emit_undefined_terms(data: st.DataObject) -> None:
    template = data.draw(st.sampled_from(TEMPLATE_NAMES))
    full = example(template)
    for pointer, value in EXTRA[template].items():
        _set(full, pointer, value)
    absent = data.draw(st.sets(st.sampled_from(OPTIONAL[template])))
    for pointer in sorted(absent):
        _drop(full, pointer)
    document = build(template, full)
    assert expand(document, bundled_loader()).warnings == ()
    document["credentialStatus"] = copy.deepcopy(STATUS)
    assert expand(document, bundled_loader()).warnings == ()


def test_columns_list_every_data_path() -> None:
    assert columns("experience") == (
        "holder.id",
        "holder.name",
        "employment.jobTitle",
        "employment.employer.name",
        "employment.employer.id",
        "employment.employer.url",
        "employment.startDate",
        "employment.endDate",
        "employment.tasks",
        "employment.contractType",
        "employment.workLocation",
        "employment.rome",
        "employment.esco",
        "validates.id",
        "validates.digestMultibase",
    )
    assert "achievement.blocks" in columns("diploma")


def test_docstring_examples_run() -> None:
    failures, tried = doctest.testmod(templates)
    assert tried > 0 and failures == 0


def test_examples_folder_has_one_file_per_template() -> None:
    names = {path.stem for path in Path(EXAMPLES).glob("*.json")}
    assert names == set(TEMPLATE_NAMES)


# Fuzz: corrupted data gives InputError, never another exception -----------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
TEXTS = st.text(max_size=40) | st.sampled_from(["2025-07-04", "RNCP37674", "M1805", "P24M", "6"])


def _pointers(value: Any, prefix: str = "") -> list[str]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_pointers(child, f"{prefix}/{key}"))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_pointers(child, f"{prefix}/{index}"))
    return found


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_corrupted_data_raises_input_error_only(data: st.DataObject) -> None:
    template = data.draw(st.sampled_from(TEMPLATE_NAMES))
    document = example(template)
    pointer = data.draw(st.sampled_from(_pointers(document)))
    value = data.draw(JSON | TEXTS)
    try:
        rendered = build(template, changed(template, pointer, value))
    except InputError as error:
        assert error.where == "data.json" and error.pointer is not None
    else:
        assert expand(rendered, bundled_loader()).warnings == ()


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_corrupted_csv_rows_raise_input_error_only(data: st.DataObject) -> None:
    template = data.draw(st.sampled_from(TEMPLATE_NAMES))
    names = st.sampled_from(columns(template)) | st.text(max_size=12)
    row = data.draw(st.dictionaries(names, TEXTS, max_size=6))
    try:
        build(template, data_from_row(template, row, where="rows.csv row 3"))
    except InputError as error:
        assert error.where in ("rows.csv row 3", "data.json")
