"""Presentations: chosen by request or by id, disclosed as little as allowed, verified."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from passeport.errors import InputError
from passeport.proofs.outcome import Outcome
from passeport.verifier import Environment, Policy, VerificationResult, verify_presentation
from passeport.wallet import (
    Flag,
    Presentation,
    PresentationRefused,
    UnmetRequest,
    Wallet,
    add,
    present,
    refresh,
)
from tests.conftest import FIXED_NOW
from tests.verifier.status_helpers import encode_bits, entry, list_credential, publish
from tests.wallet._helpers import (
    HOLDER,
    SOMEONE_ELSE,
    UNIVERSITY,
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


# --- what the wallet refuses to present (issue 10, holes 3 and 6) ---------------------------


def _revocation_env(tmp_path: Path, revoked: list[int]) -> Environment:
    cache = tmp_path / "cache"
    publish(cache, list_credential(encode_bits(revoked), signer=UNIVERSITY))
    return Environment(clock=lambda: FIXED_NOW).with_cache(cache)


def test_a_revoked_credential_is_refused_unless_allowed_and_then_said(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    offline = _revocation_env(tmp_path, [7])
    sources = [("r.json", json.dumps(signed(diploma_document(status=entry(7)))))]
    (kept,) = add(wallet, sources, policy=policy(), env=offline, keep_unverified=True)
    assert kept.status == "kept"
    record = str(kept.id)
    with pytest.raises(PresentationRefused) as caught:
        present(wallet, [record], challenge=CHALLENGE, domain=DOMAIN, now=FIXED_NOW)
    assert caught.value.credentials == (record,)
    assert str(caught.value) == (
        f"Titre professionnel Développeur web et web mobile ({record}) is revoked: "
        "not presented without --allow-unverified"
    )
    allowed = present(
        wallet,
        [record],
        challenge=CHALLENGE,
        domain=DOMAIN,
        now=FIXED_NOW,
        allow_unverified=True,
    )
    assert allowed.credentials[0].flags == (Flag.REVOKED,)
    assert allowed.summary()["credentials"][0]["flags"] == ["revoked"]  # type: ignore[index,call-overload]
    (note,) = allowed.notes
    assert f"({record}) is revoked, and presented as asked: a verifier will refuse it" in note
    verdict = verify_presentation(
        allowed.document,
        policy=Policy(challenge=CHALLENGE, domain=DOMAIN, at=FIXED_NOW),
        env=offline,
    )
    assert not verdict.verified
    assert [c.code for c in verdict.failures()] == ["status.revoked"]


def test_what_became_invalid_since_it_was_added_is_refused(tmp_path: Path) -> None:
    """The stored verdict is read with the clock (expiry) and after a refresh (revocation)."""
    wallet = new_wallet(tmp_path)
    offline = _revocation_env(tmp_path, [])
    documents = [
        signed(first_aid_document(valid_until="2026-02-01T00:00:00Z")),
        signed(diploma_document(status=entry(5))),
    ]
    sources = [(f"c{i}.json", json.dumps(d)) for i, d in enumerate(documents)]
    first_aid, diploma = (str(o.id) for o in add(wallet, sources, policy=policy(), env=offline))
    later = FIXED_NOW.replace(month=3)
    present(wallet, [first_aid], challenge=CHALLENGE, domain=DOMAIN, now=FIXED_NOW)
    with pytest.raises(PresentationRefused, match=rf"\({first_aid}\) is expired: not presented"):
        present(wallet, [first_aid], challenge=CHALLENGE, domain=DOMAIN, now=later)
    present(wallet, [diploma], challenge=CHALLENGE, domain=DOMAIN, now=FIXED_NOW)
    refresh(wallet, policy=policy(), env=_revocation_env(tmp_path, [5]))
    with pytest.raises(PresentationRefused, match=rf"\({diploma}\) is revoked: not presented"):
        present(wallet, [diploma], challenge=CHALLENGE, domain=DOMAIN, now=FIXED_NOW)
    refresh(wallet, policy=policy(), env=env())  # offline, no cache: status unknown
    with pytest.raises(PresentationRefused, match="is of unknown status"):
        present(wallet, [diploma], challenge=CHALLENGE, domain=DOMAIN, now=FIXED_NOW)


def test_every_refusal_is_named_at_once_and_nothing_is_signed(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    documents = [
        signed(first_aid_document(valid_until="2025-12-31T23:59:59Z")),
        signed(diploma_document(subject=SOMEONE_ELSE.controller)),
        signed(diploma_document(number=2)),
    ]
    sources = [(f"c{i}.json", json.dumps(d)) for i, d in enumerate(documents)]
    outcomes = add(wallet, sources, policy=policy(), env=env(), keep_unverified=True)
    expired, theirs, mine = (str(o.id) for o in outcomes)
    with pytest.raises(PresentationRefused) as caught:
        present(wallet, [mine, expired, theirs], challenge=CHALLENGE, domain=DOMAIN, now=FIXED_NOW)
    assert caught.value.credentials == (expired, theirs)
    first, second = caught.value.reasons
    assert f"({expired}) is expired: not presented without --allow-unverified" in first
    assert second.endswith(
        f"({theirs}) is about {SOMEONE_ELSE.controller}, not the holder {HOLDER.controller}: "
        "not presented without --allow-other-subject"
    )
    assert "\n" not in str(caught.value)
    with pytest.raises(PresentationRefused) as only_theirs:  # one permission is not the other
        present(
            wallet,
            [expired, theirs],
            challenge=CHALLENGE,
            domain=DOMAIN,
            now=FIXED_NOW,
            allow_unverified=True,
        )
    assert only_theirs.value.credentials == (theirs,)


def test_a_request_never_picks_a_revoked_credential_and_refuses_an_unknown_one(
    tmp_path: Path,
) -> None:
    wallet = new_wallet(tmp_path)
    offline = _revocation_env(tmp_path, [7])
    unknown = entry(3, url="https://elsewhere.example/status/9")
    documents = [
        signed(diploma_document(number=1, status=entry(7))),
        signed(first_aid_document(number=100)),
    ]
    sources = [(f"c{i}.json", json.dumps(d)) for i, d in enumerate(documents)]
    add(wallet, sources, policy=policy(), env=offline, keep_unverified=True)
    with pytest.raises(UnmetRequest, match="unusable \\(revoked\\)"):
        present(wallet, request=DCQL, challenge=CHALLENGE, domain=DOMAIN, now=FIXED_NOW)
    source = [("u.json", json.dumps(signed(diploma_document(number=2, status=unknown))))]
    (unknown_one,) = add(wallet, source, policy=policy(), env=offline, keep_unverified=True)
    with pytest.raises(PresentationRefused) as caught:
        present(wallet, request=DCQL, challenge=CHALLENGE, domain=DOMAIN, now=FIXED_NOW)
    assert caught.value.credentials == (unknown_one.id,)


@pytest.mark.parametrize("selectively", [False, True], ids=["eddsa", "ecdsa-sd"])
def test_someone_elses_credential_is_refused_unless_allowed(
    tmp_path: Path, selectively: bool
) -> None:
    wallet = new_wallet(tmp_path)
    secure = selective if selectively else signed
    (theirs,) = _fill(wallet, secure(diploma_document(subject=SOMEONE_ELSE.controller)))
    with pytest.raises(PresentationRefused, match="not presented without --allow-other-subject"):
        present(wallet, [theirs], challenge=CHALLENGE, domain=DOMAIN, now=FIXED_NOW)
    name = "/credentialSubject/achievement/name"
    allowed = present(
        wallet,
        [theirs],
        reveal=[name],
        challenge=CHALLENGE,
        domain=DOMAIN,
        now=FIXED_NOW,
        allow_other_subject=True,
    )
    assert allowed.credentials[0].flags == (Flag.OTHER_HOLDER,)
    assert any("presented as asked" in note for note in allowed.notes)
    (shown,) = _vp(allowed)["verifiableCredential"]
    # Derived or whole, the subject's id stays visible: the verifier sees whose it is.
    assert shown["credentialSubject"]["id"] == SOMEONE_ELSE.controller
    verdict = _verify(allowed.document)
    assert not verdict.verified
    assert [c.code for c in verdict.failures()] == ["holder.binding"]


@pytest.mark.parametrize(
    ("subjects", "refused"),
    [
        ([SOMEONE_ELSE.controller, HOLDER.controller], False),
        ([SOMEONE_ELSE.controller, f"{HOLDER.controller}#key-1"], False),
        ([SOMEONE_ELSE.controller, "did:example:third"], True),
        ([None], False),  # bearer: no subject id
        (["urn:uuid:7f2c0c8e-8b5a-4d4e-9d59-0c1d2b3a4f50"], False),  # names no DID
    ],
    ids=["holder-second", "holder-did-url", "two-others", "bearer", "not-a-did"],
)
def test_with_several_subjects_the_holder_must_be_one(
    tmp_path: Path, subjects: list[str | None], refused: bool
) -> None:
    wallet = new_wallet(tmp_path)
    document = diploma_document(subject=None)
    template = document["credentialSubject"]
    items = [{**template, "id": s} if s else dict(template) for s in subjects]
    document["credentialSubject"] = items if len(items) > 1 else items[0]
    (record,) = _fill(wallet, signed(document))
    if refused:
        with pytest.raises(PresentationRefused, match="did:example:third, not the holder"):
            present(wallet, [record], challenge=CHALLENGE, domain=DOMAIN, now=FIXED_NOW)
    else:
        result = present(wallet, [record], challenge=CHALLENGE, domain=DOMAIN, now=FIXED_NOW)
        assert result.credentials[0].flags == ()


def test_an_ecdsa_sd_credential_reveals_the_holders_subject_id_among_several(
    tmp_path: Path,
) -> None:
    wallet = new_wallet(tmp_path)
    document = diploma_document(subject=None)
    template = document["credentialSubject"]
    document["credentialSubject"] = [
        {**template, "id": SOMEONE_ELSE.controller},
        {**template, "id": HOLDER.controller},
    ]
    (record,) = _fill(wallet, selective(document))
    result = present(
        wallet,
        [record],
        reveal=["/credentialSubject/1/achievement/name"],
        challenge=CHALLENGE,
        domain=DOMAIN,
        now=FIXED_NOW,
    )
    (shown,) = _vp(result)["verifiableCredential"]
    other, own = shown["credentialSubject"]
    assert own["id"] == HOLDER.controller and "achievement" in own
    # Every subject's id and type are always shown (proofs.shown): a claim never comes
    # apart from whom it is about. What is said about the other subject stays hidden.
    assert other == {"id": SOMEONE_ELSE.controller, "type": ["AchievementSubject"]}


@pytest.mark.parametrize(
    "rename",
    [
        "https://www.w3.org/2018/credentials#credentialSubject",
        "cred:credentialSubject",
    ],
    ids=["full-iri", "compact-iri"],
)
def test_a_subject_written_another_way_is_still_someone_else(tmp_path: Path, rename: str) -> None:
    """Renaming credentialSubject keeps the signature: the wallet reads the subject as signed."""
    wallet = new_wallet(tmp_path)
    document = signed(diploma_document(subject=SOMEONE_ELSE.controller))
    document[rename] = document.pop("credentialSubject")
    if rename.startswith("cred:"):
        document["@context"] = [
            *document["@context"],
            {"cred": "https://www.w3.org/2018/credentials#"},
        ]
    sources = [("renamed.json", json.dumps(document))]
    (outcome,) = add(wallet, sources, policy=policy(), env=env(), keep_unverified=True)
    assert outcome.status in ("added", "kept"), outcome.reason
    with pytest.raises(PresentationRefused, match="not presented without --allow-other-subject"):
        present(
            wallet,
            [str(outcome.id)],
            challenge=CHALLENGE,
            domain=DOMAIN,
            now=FIXED_NOW,
            allow_unverified=True,
        )


# --- until when the presentation holds (issue 10, hole 7) ----------------------------------


def test_valid_for_sets_the_proofs_expires_and_the_verifier_holds_to_it(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    (diploma,) = _fill(wallet, signed(diploma_document(valid_until="2030-01-01T00:00:00Z")))
    result = present(
        wallet,
        [diploma],
        challenge=CHALLENGE,
        domain=DOMAIN,
        now=FIXED_NOW,
        valid_for=timedelta(days=30),
    )
    proof = _vp(result)["proof"]
    assert proof["created"] == "2026-01-15T12:00:00Z"
    assert proof["expires"] == "2026-02-14T12:00:00Z"
    assert _verify(result.document, at=FIXED_NOW + timedelta(days=29)).verified
    late = _verify(result.document, at=FIXED_NOW + timedelta(days=31))
    assert [c.code for c in late.failures()] == ["proof.expired"]
    plain = present(wallet, [diploma], challenge=CHALLENGE, domain=DOMAIN, now=FIXED_NOW)
    assert "expires" not in _vp(plain)["proof"]  # without valid_for: as before


@pytest.mark.parametrize(
    ("age", "message"),
    [
        (timedelta(0), "positive"),
        (timedelta(minutes=-5), "positive"),
        (timedelta(days=999_999_999), "beyond the year 9999"),
    ],
)
def test_valid_for_must_be_positive_and_sane(tmp_path: Path, age: timedelta, message: str) -> None:
    wallet = new_wallet(tmp_path)
    (diploma,) = _fill(wallet, signed(diploma_document()))
    with pytest.raises(ValueError, match=message):
        present(wallet, [diploma], challenge=CHALLENGE, domain=DOMAIN, valid_for=age)
