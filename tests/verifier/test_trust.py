"""Issuer trust lists: the file format, the codes a credential claims, the checks."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from passeport.errors import InputError
from passeport.verifier.result import Outcome
from passeport.verifier.trust import (
    TrustedIssuer,
    TrustList,
    certification_codes,
    is_self_issued,
    normalize_code,
    standing,
    trust_checks,
)
from tests.conftest import FIXED_NOW, ROOT, load_json

EXAMPLE = ROOT / "examples" / "trust" / "trust-list.json"
UNIV = "did:web:univ.example"
LIST_JSON: dict[str, Any] = {
    "name": "Test list",
    "issuers": [
        {
            "did": UNIV,
            "name": "Université Exemple",
            "types": ["OpenBadgeCredential"],
            "codes": ["RNCP37674", "rs 5678"],
        },
        {"did": "did:web:old.example", "name": "Ancien", "validUntil": "2020-01-01T00:00:00Z"},
        {"did": "did:web:employer.example", "name": "Employeur"},
    ],
}


@pytest.fixture
def trust() -> TrustList:
    return TrustList.from_json(LIST_JSON, where="list.json")


@pytest.fixture
def diploma() -> dict[str, Any]:
    document: dict[str, Any] = load_json(ROOT / "passeport" / "samples" / "diploma.json")
    document["issuer"] = {"id": UNIV, "name": "Université Exemple"}
    document["credentialSubject"]["id"] = "did:key:z6MkHolder"
    return document


def check(document: dict[str, Any], trust: TrustList | None, **kwargs: Any) -> list[Any]:
    options: dict[str, Any] = {"index": None, "base": "", "self_issued": False, "now": FIXED_NOW}
    options.update(kwargs)
    return trust_checks(document, trust, **options)


def codes_and_outcomes(checks: list[Any]) -> list[tuple[str, Outcome]]:
    return [(c.code, c.outcome) for c in checks]


# --- the file format ---------------------------------------------------------


def test_example_trust_list_loads() -> None:
    trust = TrustList.read(EXAMPLE)
    assert trust.name.startswith("Certificateurs")
    univ = trust.issuer(UNIV)
    assert univ is not None
    assert univ.name == "Université Exemple"
    assert "RNCP37674" in univ.codes
    employer = trust.issuer("did:web:employeur.example")
    assert employer is not None and employer.types is None and employer.codes == frozenset()
    assert trust.issuer("did:web:unknown.example") is None


def test_example_trust_list_accredits_the_sample_diploma(diploma: dict[str, Any]) -> None:
    trust = TrustList.read(EXAMPLE)
    assert standing(diploma, trust, now=FIXED_NOW) == "accredited"


def test_from_json_normalizes_codes_and_dates(trust: TrustList) -> None:
    univ = trust.issuer(UNIV)
    assert univ == TrustedIssuer(
        UNIV,
        "Université Exemple",
        frozenset({"OpenBadgeCredential"}),
        frozenset({"RNCP37674", "RS5678"}),
    )
    old = trust.issuer("did:web:old.example")
    assert old is not None and old.valid_until == datetime(2020, 1, 1, tzinfo=UTC)
    assert [item.did for item in trust.issuers] == [
        UNIV,
        "did:web:old.example",
        "did:web:employer.example",
    ]


@pytest.mark.parametrize(
    ("mutate", "pointer"),
    [
        (lambda d: d.pop("name"), "/name"),
        (lambda d: d.__setitem__("issuers", {}), "/issuers"),
        (lambda d: d.__setitem__("extra", 1), "/extra"),
        (lambda d: d["issuers"].append("did:web:x"), "/issuers/3"),
        (lambda d: d["issuers"][0].pop("did"), "/issuers/0/did"),
        (lambda d: d["issuers"][0].__setitem__("did", "https://univ.example"), "/issuers/0/did"),
        (lambda d: d["issuers"][1].__setitem__("did", UNIV), "/issuers/1/did"),
        (lambda d: d["issuers"][0].__setitem__("name", ""), "/issuers/0/name"),
        (lambda d: d["issuers"][0].__setitem__("codes", "RNCP1"), "/issuers/0/codes"),
        (lambda d: d["issuers"][0].__setitem__("types", ["A", 3]), "/issuers/0/types/1"),
        (lambda d: d["issuers"][0].__setitem__("code", ["RNCP1"]), "/issuers/0/code"),
        (lambda d: d["issuers"][1].__setitem__("validUntil", "soon"), "/issuers/1/validUntil"),
        (lambda d: d["issuers"][1].__setitem__("description", 5), "/issuers/1/description"),
    ],
)
def test_from_json_names_the_bad_member(mutate: Any, pointer: str) -> None:
    value = copy.deepcopy(LIST_JSON)
    mutate(value)
    with pytest.raises(InputError) as info:
        TrustList.from_json(value, where="list.json")
    assert info.value.pointer == pointer
    assert str(info.value).startswith(f"list.json: {pointer}: ")


def test_from_json_refuses_a_non_object() -> None:
    with pytest.raises(InputError, match="JSON object"):
        TrustList.from_json([], where="list.json")


def test_read_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{", "utf-8")
    with pytest.raises(InputError) as info:
        TrustList.read(path)
    assert info.value.where == str(path)
    with pytest.raises(InputError, match="no such file"):
        TrustList.read(tmp_path / "missing.json")
    path.write_text(json.dumps({"name": "x", "issuers": [{"did": "did:x"}]}), "utf-8")
    with pytest.raises(InputError) as info:
        TrustList.read(path)
    assert str(info.value) == f"{path}: /issuers/0/name: expected a non-empty string"


# --- certification codes -------------------------------------------------------


def test_certification_codes_of_the_sample(diploma: dict[str, Any]) -> None:
    assert certification_codes(diploma) == ("RNCP37674",)


def test_certification_codes_from_every_place() -> None:
    document = {
        "credentialSubject": [
            {
                "achievement": {
                    "id": "https://www.francecompetences.fr/recherche/rs/5678/",
                    "alignment": [
                        {"targetName": "Habilitation (RS 1234)"},
                        {"targetUrl": "https://www.francecompetences.fr/recherche/rncp/35288"},
                        {"targetCode": "rncp-37674"},
                        {"targetCode": "ESCO-1234", "targetName": "CRS99 COURSE"},
                        "not an object",
                    ],
                }
            },
            {"achievement": {"alignment": {"targetCode": "RS5678"}}},
            "not an object",
            {"achievement": "not an object"},
        ]
    }
    assert certification_codes(document) == ("RS1234", "RNCP35288", "RNCP37674", "RS5678")


def test_certification_codes_none() -> None:
    assert certification_codes({"credentialSubject": {"id": "did:x"}}) == ()
    assert certification_codes({}) == ()


def test_normalize_code() -> None:
    assert normalize_code(" rncp 037674 ") == "RNCP37674"
    assert normalize_code("RS-5678") == "RS5678"
    assert normalize_code("ESCO-1") == "ESCO-1"


# --- checks ----------------------------------------------------------------------


def test_no_trust_list_no_check(diploma: dict[str, Any]) -> None:
    assert check(diploma, None) == []
    assert check(diploma, None, self_issued=True) == []
    assert standing(diploma, None) == "unknown"


def test_accredited_issuer_type_and_code(diploma: dict[str, Any], trust: TrustList) -> None:
    checks = check(diploma, trust, index=2, base="/verifiableCredential/2")
    assert codes_and_outcomes(checks) == [
        ("trust.issuer", Outcome.PASSED),
        ("trust.type", Outcome.PASSED),
        ("trust.code", Outcome.PASSED),
    ]
    assert "Université Exemple" in checks[0].message
    assert all(c.credential == 2 for c in checks)
    assert checks[0].pointer == "/verifiableCredential/2/issuer"
    assert checks[2].pointer == (
        "/verifiableCredential/2/credentialSubject/achievement/alignment/0/targetCode"
    )
    assert standing(diploma, trust, now=FIXED_NOW) == "accredited"


def test_issuer_as_a_string(diploma: dict[str, Any], trust: TrustList) -> None:
    diploma["issuer"] = UNIV
    assert check(diploma, trust)[0].outcome is Outcome.PASSED


def test_issuer_absent_is_untrusted_not_forged(diploma: dict[str, Any], trust: TrustList) -> None:
    diploma["issuer"] = "did:web:diploma-mill.example"
    [only] = check(diploma, trust)
    assert (only.code, only.outcome) == ("trust.issuer", Outcome.FAILED)
    assert "did:web:diploma-mill.example is not on the trust list Test list" in only.message
    assert "not guaranteed by an accredited body" in only.message
    assert standing(diploma, trust) == "not-accredited"


def test_no_issuer(diploma: dict[str, Any], trust: TrustList) -> None:
    del diploma["issuer"]
    [only] = check(diploma, trust)
    assert (only.code, only.outcome) == ("trust.issuer", Outcome.FAILED)


def test_code_not_accredited(diploma: dict[str, Any], trust: TrustList) -> None:
    alignment = diploma["credentialSubject"]["achievement"]["alignment"]
    alignment.append({"type": ["Alignment"], "targetCode": "RNCP99999"})
    checks = check(diploma, trust)
    assert codes_and_outcomes(checks)[-2:] == [
        ("trust.code", Outcome.PASSED),
        ("trust.code", Outcome.FAILED),
    ]
    assert "RNCP99999" in checks[-1].message
    assert checks[-1].pointer == "/credentialSubject/achievement/alignment/1/targetCode"
    assert standing(diploma, trust, now=FIXED_NOW) == "not-accredited"


def test_issuer_without_codes_claiming_one(diploma: dict[str, Any], trust: TrustList) -> None:
    diploma["issuer"] = "did:web:employer.example"
    assert codes_and_outcomes(check(diploma, trust)) == [
        ("trust.issuer", Outcome.PASSED),
        ("trust.code", Outcome.FAILED),
    ]


def test_type_not_allowed(diploma: dict[str, Any], trust: TrustList) -> None:
    diploma["type"] = ["VerifiableCredential", "EmploymentCredential"]
    checks = check(diploma, trust)
    assert ("trust.type", Outcome.FAILED) in codes_and_outcomes(checks)
    failed = next(c for c in checks if c.code == "trust.type")
    assert "EmploymentCredential" in failed.message and "VerifiableCredential" not in failed.message
    assert failed.pointer == "/type"


def test_accreditation_expired(diploma: dict[str, Any], trust: TrustList) -> None:
    diploma["issuer"] = "did:web:old.example"
    [only] = check(diploma, trust)
    assert (only.code, only.outcome) == ("trust.issuer", Outcome.FAILED)
    assert "ended on 2020-01-01T00:00:00Z" in only.message
    before = check(diploma, trust, now=datetime(2019, 6, 1, tzinfo=UTC))
    assert before[0].outcome is Outcome.PASSED


def test_self_issued_is_a_declaration(diploma: dict[str, Any], trust: TrustList) -> None:
    diploma["issuer"] = "did:key:z6MkHolder"
    assert is_self_issued(diploma)
    [only] = check(diploma, trust, self_issued=True)
    assert (only.code, only.outcome) == ("trust.self_issued", Outcome.FAILED)
    assert "self-declared" in only.message and "did:key:z6MkHolder" in only.message
    assert standing(diploma, trust) == "self-declared"
    assert standing(diploma, None) == "self-declared"


def test_is_self_issued_false(diploma: dict[str, Any]) -> None:
    assert not is_self_issued(diploma)
    assert not is_self_issued({"credentialSubject": {"id": "did:x"}})


# --- what is disclosed, and only that (issue 10, hole 2) ---------------------------------


def test_certification_codes_from_human_code_and_criteria() -> None:
    document = {
        "credentialSubject": {
            "achievement": [
                {"humanCode": "RNCP 35288", "criteria": {"id": "urn:x"}},
                {"criteria": {"id": "https://www.francecompetences.fr/recherche/rs/5678/"}},
                {"criteria": "https://www.francecompetences.fr/recherche/rncp/37674/"},
                "https://www.francecompetences.fr/recherche/rs/1234/",
            ]
        }
    }
    assert certification_codes(document) == ("RNCP35288", "RS5678", "RNCP37674", "RS1234")


def test_a_code_not_disclosed_is_never_accredited(
    diploma: dict[str, Any], trust: TrustList
) -> None:
    del diploma["credentialSubject"]["achievement"]["alignment"]
    diploma["credentialSubject"]["achievement"]["id"] = (
        "urn:uuid:0b5e4c3a-0000-4000-8000-000000000001"
    )
    checks = check(diploma, trust, index=1, base="/verifiableCredential/1")
    assert codes_and_outcomes(checks) == [
        ("trust.issuer", Outcome.PASSED),
        ("trust.type", Outcome.PASSED),
        ("trust.code", Outcome.FAILED),
    ]
    assert "discloses no certification code" in checks[-1].message
    assert "cannot be shown" in checks[-1].message
    assert checks[-1].pointer == "/verifiableCredential/1/credentialSubject/achievement"
    assert standing(diploma, trust, now=FIXED_NOW) == "not-accredited"


def test_no_achievement_disclosed_from_an_issuer_accredited_by_code(
    diploma: dict[str, Any], trust: TrustList
) -> None:
    del diploma["credentialSubject"]["achievement"]
    failed = check(diploma, trust)[-1]
    assert (failed.code, failed.outcome) == ("trust.code", Outcome.FAILED)
    assert failed.pointer == "/credentialSubject"
    assert standing(diploma, trust, now=FIXED_NOW) == "not-accredited"


def test_each_achievement_shown_must_show_its_code(
    diploma: dict[str, Any], trust: TrustList
) -> None:
    shown = diploma["credentialSubject"]
    diploma["credentialSubject"] = [
        shown,
        {"id": shown["id"], "achievement": {"type": ["Achievement"], "name": "Master"}},
    ]
    checks = check(diploma, trust)
    assert codes_and_outcomes(checks)[-2:] == [
        ("trust.code", Outcome.PASSED),
        ("trust.code", Outcome.FAILED),
    ]
    assert checks[-1].pointer == "/credentialSubject/1/achievement"
    assert "without its certification code" in checks[-1].message
    assert standing(diploma, trust, now=FIXED_NOW) == "not-accredited"


def test_an_issuer_accredited_for_no_code_may_attest_without_one(
    diploma: dict[str, Any], trust: TrustList
) -> None:
    diploma["issuer"] = "did:web:employer.example"
    del diploma["credentialSubject"]["achievement"]
    assert codes_and_outcomes(check(diploma, trust)) == [("trust.issuer", Outcome.PASSED)]
    assert standing(diploma, trust, now=FIXED_NOW) == "accredited"


@pytest.mark.parametrize("types", [["VerifiableCredential"], [], "VerifiableCredential"])
def test_a_type_the_issuer_may_attest_must_be_disclosed(
    diploma: dict[str, Any], trust: TrustList, types: Any
) -> None:
    diploma["type"] = types
    checks = check(diploma, trust)
    failed = next(c for c in checks if c.code == "trust.type")
    assert failed.outcome is Outcome.FAILED
    assert "discloses no type that Université Exemple may attest (OpenBadgeCredential)" in (
        failed.message
    )
    assert failed.pointer == "/type"
    assert standing(diploma, trust, now=FIXED_NOW) == "not-accredited"


def test_an_empty_types_list_allows_no_type(diploma: dict[str, Any]) -> None:
    value = copy.deepcopy(LIST_JSON)
    value["issuers"][0]["types"] = []
    for types in (["VerifiableCredential"], ["VerifiableCredential", "OpenBadgeCredential"]):
        diploma["type"] = types
        outcomes = codes_and_outcomes(check(diploma, TrustList.from_json(value)))
        assert ("trust.type", Outcome.FAILED) in outcomes
