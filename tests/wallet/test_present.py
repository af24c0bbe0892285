"""Presentations: chosen by request or by id, disclosed as little as allowed, verified."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from passeport.errors import InputError
from proofs.outcome import Outcome
from tests.conftest import FIXED_NOW
from tests.wallet._helpers import (
    HOLDER,
    diploma_document,
    env,
    first_aid_document,
    new_wallet,
    p256,
    policy,
    selective,
    signed,
)
from tests.wallet.test_query import DCQL, PE
from verifier import Policy, VerificationResult, verify_presentation
from wallet import Presentation, Wallet, add, present

CHALLENGE = "c-8f2d41"
DOMAIN = "recrutement.example"
UNDISCLOSED = (
    "1999-04-02",  # birth date
    "Camille Martin",  # name
    "RNCP37674",  # the fiche's code (not asked)
    "Titre professionnel de niveau",  # description
    "Validation des blocs",  # criteria
    "premiers secours au travail",  # the training's description
)


def _fill(wallet: Wallet, *documents: dict[str, Any]) -> list[str]:
    sources = [(f"c{i}.json", json.dumps(d)) for i, d in enumerate(documents)]
    outcomes = add(wallet, sources, policy=policy(), env=env())
    assert all(o.status == "added" for o in outcomes), [o.reason for o in outcomes]
    return [str(o.id) for o in outcomes]


def _vp(result: Presentation) -> dict[str, Any]:
    document: dict[str, Any] = result.document
    return document


def _verify(document: dict[str, Any], **changes: Any) -> VerificationResult:
    rules = {"challenge": CHALLENGE, "domain": DOMAIN, "at": FIXED_NOW, **changes}
    return verify_presentation(document, policy=Policy(**rules), env=env())


@pytest.fixture
def selective_wallet(tmp_path: Path) -> tuple[Wallet, list[str]]:
    wallet = new_wallet(tmp_path)
    ids = _fill(wallet, selective(diploma_document()), selective(first_aid_document()))
    return wallet, ids


def test_dcql_presentation_discloses_only_what_is_asked(
    selective_wallet: tuple[Wallet, list[str]],
) -> None:
    wallet, (diploma, first_aid) = selective_wallet
    result = present(wallet, request=DCQL, challenge=CHALLENGE, domain=DOMAIN, now=FIXED_NOW)
    vp = _vp(result)
    verdict = _verify(vp)
    assert verdict.verified, verdict.failures()
    bindings = [c for c in verdict.checks if c.code == "holder.binding"]
    assert [c.outcome for c in bindings] == [Outcome.PASSED, Outcome.PASSED]
    text = json.dumps(vp, ensure_ascii=False)
    for secret in UNDISCLOSED:
        assert secret not in text, secret
    shown_diploma, shown_training = vp["verifiableCredential"]
    achievement = shown_diploma["credentialSubject"]["achievement"]
    assert achievement["name"] == "Développeur web et web mobile"
    assert achievement["achievementType"] == "Diploma"
    assert achievement["alignment"] == [
        {"type": ["Alignment"], "targetFramework": "EQF", "targetCode": "5"}
    ]
    assert shown_diploma["credentialSubject"]["id"] == HOLDER.controller
    assert shown_training["validUntil"] == "2027-07-01T23:59:59Z"
    assert "criteria" not in shown_training["credentialSubject"]["achievement"]
    assert [(c.id, c.queries, c.disclosure) for c in result.credentials] == [
        (diploma, ("diploma",), "derived"),
        (first_aid, ("first_aid",), "derived"),
    ]
    assert result.submission is None and result.notes == ()
    summary: dict[str, Any] = result.summary()
    assert [(c["id"], c["queries"], c["disclosure"]) for c in summary["credentials"]] == [
        (diploma, ["diploma"], "derived"),
        (first_aid, ["first_aid"], "derived"),
    ]
    assert summary["credentials"][0]["revealed"] == list(result.credentials[0].revealed or ())
    assert vp["holder"] == HOLDER.controller
    assert vp["proof"]["proofPurpose"] == "authentication"


def test_pe_presentation_comes_with_its_submission(
    selective_wallet: tuple[Wallet, list[str]],
) -> None:
    wallet, _ = selective_wallet
    result = present(wallet, request=PE, challenge=CHALLENGE, domain=DOMAIN, now=FIXED_NOW)
    assert _verify(result.document).verified
    submission: dict[str, Any] | None = result.submission
    assert submission is not None
    assert submission["definition_id"] == "job-application-web-developer"
    assert submission["descriptor_map"] == [
        {
            "id": "diploma",
            "format": "ldp_vp",
            "path": "$",
            "path_nested": {
                "id": "diploma",
                "format": "ldp_vc",
                "path": "$.verifiableCredential[0]",
            },
        },
        {
            "id": "first_aid",
            "format": "ldp_vp",
            "path": "$",
            "path_nested": {
                "id": "first_aid",
                "format": "ldp_vc",
                "path": "$.verifiableCredential[1]",
            },
        },
    ]
    text = json.dumps(result.document, ensure_ascii=False)
    for secret in UNDISCLOSED:
        assert secret not in text, secret
    level = _vp(result)["verifiableCredential"][0]["credentialSubject"]["achievement"]
    assert level["alignment"][0]["targetCode"] == "5"


def test_challenge_and_domain_bind_the_presentation(
    selective_wallet: tuple[Wallet, list[str]],
) -> None:
    wallet, _ = selective_wallet
    vp = _vp(present(wallet, request=DCQL, challenge=CHALLENGE, domain=DOMAIN, now=FIXED_NOW))
    replayed = _verify(vp, challenge="another-challenge")
    assert not replayed.verified
    assert any(c.code == "proof.challenge" and c.outcome is Outcome.FAILED for c in replayed.checks)
    assert not _verify(vp, domain="elsewhere.example").verified


def test_explicit_ids_with_reveal(selective_wallet: tuple[Wallet, list[str]]) -> None:
    wallet, (diploma, _) = selective_wallet
    name = "/credentialSubject/achievement/name"
    result = present(
        wallet, [diploma[:6]], reveal=[name], challenge=CHALLENGE, domain=DOMAIN, now=FIXED_NOW
    )
    assert _verify(result.document).verified
    (shown,) = _vp(result)["verifiableCredential"]
    assert shown["credentialSubject"]["achievement"] == {
        "id": "https://www.francecompetences.fr/recherche/rncp/37674/",
        "type": ["Achievement"],
        "name": "Développeur web et web mobile",
    }
    with pytest.raises(InputError, match="names no claim") as caught:
        present(
            wallet,
            [diploma],
            reveal=["/credentialSubject/nope"],
            challenge=CHALLENGE,
            domain=DOMAIN,
        )
    assert caught.value.pointer == "/credentialSubject/nope"


def test_ordinary_credentials_are_presented_whole_and_said_so(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    (diploma,) = _fill(wallet, signed(diploma_document()))
    original = wallet.credential(diploma).credential
    result = present(
        wallet,
        [diploma],
        reveal=["/credentialSubject/achievement/name"],
        challenge=CHALLENGE,
        domain=DOMAIN,
        now=FIXED_NOW,
    )
    assert result.document["verifiableCredential"] == [original]
    assert result.credentials[0].disclosure == "whole"
    assert len(result.notes) == 1 and "presented whole" in result.notes[0]
    assert "eddsa-rdfc-2022 cannot be partially disclosed" in result.notes[0]
    assert _verify(result.document).verified
    plain = present(wallet, [diploma], challenge=CHALLENGE, domain=DOMAIN, now=FIXED_NOW)
    assert plain.notes == ()


def test_a_p256_holder_signs_with_ecdsa(tmp_path: Path) -> None:
    holder = p256(40)
    wallet = new_wallet(tmp_path, key=holder)
    (diploma,) = _fill(wallet, signed(diploma_document(subject=holder.controller)))
    vp = _vp(present(wallet, [diploma], challenge=CHALLENGE, domain=DOMAIN, now=FIXED_NOW))
    assert vp["proof"]["cryptosuite"] == "ecdsa-rdfc-2019"
    assert _verify(vp).verified


def test_misuse_is_refused(selective_wallet: tuple[Wallet, list[str]]) -> None:
    wallet, (diploma, _) = selective_wallet
    with pytest.raises(InputError, match="challenge and domain"):
        present(wallet, [diploma], challenge="", domain=DOMAIN)
    with pytest.raises(InputError, match="name the credentials"):
        present(wallet, challenge=CHALLENGE, domain=DOMAIN)
    with pytest.raises(InputError, match="--reveal applies"):
        present(wallet, request=DCQL, reveal=["/x"], challenge=CHALLENGE, domain=DOMAIN)
