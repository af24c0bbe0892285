"""Second round of attacks: the signed view of plain documents, the verdict in words, the registry.

Each test tries to make ``passeport verify`` say something false about a
credential (its sentence, its mark, its verdict) with no key but the
attacker's own. Attacks that work are ``xfail(strict=True)`` with their root
cause; refused attempts are kept as passing guards.
"""

from __future__ import annotations

import copy
import json
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from passeport.proofs.sdjwt import holder_jwk, issue_sd_jwt
from passeport.proofs.sign import sign_document
from passeport.verifier import Policy, TrustList, verify_credential, verify_presentation
from passeport.verifier.cli import render
from passeport.verifier.result import VerificationResult
from passeport.verifier.view import is_plain
from tests.verifier.status_helpers import key

ISSUER = key(1)  # an accredited university
HOLDER = key(2)  # the person the credentials are about
ATTACKER = key(9)  # an outsider: their own keys only
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SIGNED_AT = datetime(2025, 7, 1, tzinfo=UTC)
SAMPLE = Path(__file__).resolve().parents[2] / "passeport" / "samples" / "diploma.json"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
POLICY = Policy(at=NOW, challenge="c", domain="d")
TRUST_FOR_CODE = TrustList.from_json(
    {
        "name": "recruiter",
        "issuers": [
            {"did": ISSUER.controller, "name": "Université Exemple", "codes": ["RNCP37674"]}
        ],
    }
)


def _unsigned(signer: Any = ISSUER, **members: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SAMPLE.read_text("utf-8"))
    document["validFrom"] = "2025-07-01T00:00:00Z"
    document["credentialSubject"]["id"] = HOLDER.controller
    document["issuer"] = {"id": signer.controller, "name": "Université Exemple"}
    document.update(members)
    return document


def _sign(document: dict[str, Any], signer: Any = ISSUER) -> dict[str, Any]:
    return dict(sign_document(document, signer, suite="eddsa-rdfc-2022", created=SIGNED_AT))


def _presentation(credentials: list[Any], holder: Any = HOLDER) -> dict[str, Any]:
    vp = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "holder": holder.controller,
        "verifiableCredential": credentials,
    }
    return dict(sign_document(vp, holder, challenge="c", domain="d", created=NOW))


def _printed(result: VerificationResult, capsys: pytest.CaptureFixture[str]) -> str:
    render(result, as_json=False, source="cv.json", lang="fr")
    return capsys.readouterr().out


# --- the verdict in words: the presentation's failure is not the credential's -------------


@pytest.mark.parametrize("attack", ["tampered proof", "replayed to another recruiter"])
def test_a_presentation_that_fails_never_marks_its_credentials_authentic(
    attack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    vp = _presentation([_sign(_unsigned())])
    policy = POLICY
    if attack == "tampered proof":
        vp["proof"]["challenge"] = "another"
    else:
        policy = Policy(at=NOW, challenge="my-own-challenge", domain="d")
    result = verify_presentation(vp, policy=policy)
    assert not result.verified
    out = _printed(result, capsys)
    # Was: "NON VÉRIFIÉ" then "✔ Diplôme ... : authentique." and not a word on why.
    assert "authentique" not in out and "✔" not in out, out
    assert "la présentation :" in out and "PRÉSENTATION NON VALABLE" in out, out


def test_a_credential_that_cannot_be_read_still_has_its_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    garbage = {
        "@context": [VC_V2],
        "type": ["EnvelopedVerifiableCredential"],
        "id": "data:application/vc+jwt,eyJhbGciOiJFZERTQSJ9.e30.AAAA",
    }
    result = verify_presentation(_presentation([_sign(_unsigned()), garbage]), policy=POLICY)
    assert not result.verified
    out = _printed(result, capsys)
    # Was: one line, "✔ ... authentique.", under NON VÉRIFIÉ.
    assert len(result.credentials) == 2 and "✘" in out, out


def test_each_credential_of_a_presentation_keeps_its_own_verdict() -> None:
    revoked_like = _sign(_unsigned(validUntil="2025-12-01T00:00:00Z"))  # expired
    good = _sign(_unsigned())
    result = verify_presentation(_presentation([good, revoked_like, good]), policy=POLICY)
    assert [(r.index, str(r.verdict)) for r in result.credentials] == [
        (0, "authentic"),
        (1, "expired"),
        (2, "authentic"),
    ]


def test_someone_elses_credential_in_a_presentation_is_not_authentic_for_the_presenter() -> None:
    victims = _sign(_unsigned())
    result = verify_presentation(_presentation([victims], holder=ATTACKER), policy=POLICY)
    assert [str(r.verdict) for r in result.credentials] == ["not-the-holder"]


# --- the verdict in words: who the issuer is ---------------------------------------------


def test_without_a_trust_list_a_stranger_cannot_sign_as_the_university() -> None:
    forged = _sign(_unsigned(signer=ATTACKER), signer=ATTACKER)
    result = verify_credential(forged, policy=Policy(at=NOW))
    said = result.credentials[0].sentence("fr")
    # Today: "... par Université Exemple : authentique." for the attacker's own did:key.
    assert "par Université Exemple : authentique" not in said, said


def test_with_a_trust_list_the_stranger_is_an_unknown_issuer() -> None:
    forged = _sign(_unsigned(signer=ATTACKER), signer=ATTACKER)
    result = verify_credential(forged, policy=Policy(at=NOW, trust=TRUST_FOR_CODE))
    assert not result.verified
    assert str(result.credentials[0].verdict) == "unknown-issuer"


# --- the verdict in words: the signer's text on a terminal --------------------------------

# Characters that draw nothing (or a blank) on a terminal and are neither
# spaces, controls nor format characters, so facts._clean keeps them.
BLANKS = ["\u2800", "\u3164", "\u115f", "\u1160", "\uffa0"]


def _expired_with(title: str | None = None, issuer_name: str | None = None) -> dict[str, Any]:
    document = _unsigned(signer=ATTACKER, validUntil="2025-12-01T00:00:00Z")
    if title is not None:
        document["credentialSubject"]["achievement"]["name"] = title
    if issuer_name is not None:
        document["issuer"]["name"] = issuer_name
    return _sign(document, signer=ATTACKER)


@pytest.mark.parametrize("blank", BLANKS)
def test_blank_drawing_characters_cannot_push_a_fake_verdict_onto_its_own_line(
    blank: str,
) -> None:
    fake = "✔ Diplôme Master (RNCP35288, niveau 7) : authentique, non révoqué."
    result = verify_credential(
        _expired_with(title="Licence" + blank * 70 + fake + blank * 80), policy=Policy(at=NOW)
    )
    said = result.credentials[0].sentence("fr")
    assert blank not in said


def test_a_very_long_title_cannot_push_the_verdict_off_the_screen() -> None:
    result = verify_credential(
        _expired_with(title="Master " + "très " * 4000), policy=Policy(at=NOW)
    )
    said = result.credentials[0].sentence("fr")
    assert len(said) < 600, len(said)


def test_an_issuer_name_cannot_write_the_verdict_words() -> None:
    result = verify_credential(
        _expired_with(issuer_name="Université Exemple : authentique, non révoqué."),
        policy=Policy(at=NOW),
    )
    said = result.credentials[0].sentence("fr")
    assert str(result.credentials[0].verdict) == "expired"
    # Was: "... par Université Exemple : authentique, non révoqué. : EXPIRÉ depuis ...".
    # The signer's words are quoted and said unverified; the verdict comes last, after them.
    assert "« Université Exemple : authentique, non révoqué. » (nom non vérifié)" in said, said
    assert said.endswith("EXPIRÉ depuis le 1er décembre 2025."), said


@pytest.mark.parametrize(
    "trick",
    ["\n✔ Master : authentique.", "\u202e.euqitnehtua", "\u200b\u200b", "\x1b[32mOK\x1b[0m"],
)
def test_controls_bidi_and_zero_width_are_stripped_from_the_sentence(trick: str) -> None:
    result = verify_credential(_expired_with(title="Licence" + trick), policy=Policy(at=NOW))
    said = result.credentials[0].sentence("fr")
    assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in said), said


def test_combining_marks_stay_on_the_signers_own_text() -> None:
    # A combining overlay (U+0336) after the title strikes the title's last letter only;
    # it cannot reach the verdict words, which come after the issuer and a colon.
    result = verify_credential(_expired_with(title="Licence\u0336" * 3), policy=Policy(at=NOW))
    said = result.credentials[0].sentence("fr")
    assert said.endswith("EXPIRÉ depuis le 1er décembre 2025.")


# --- facts from what was not disclosed -----------------------------------------------------


def test_an_sd_jwt_name_not_disclosed_is_not_in_the_sentence() -> None:
    document = _unsigned()
    document["credentialSubject"]["name"] = "Camille Martin"
    token = issue_sd_jwt(
        document,
        ISSUER,
        disclosable=["/credentialSubject/name"],
        holder_jwk=holder_jwk(HOLDER.controller),
        issued_at=SIGNED_AT,
    )
    issuer_jwt = token.split("~", 1)[0] + "~"  # every disclosure withheld
    result = verify_credential(issuer_jwt, policy=Policy(at=NOW))
    said = result.credentials[0].sentence("fr")
    assert "Camille" not in said


# --- the registry: a document cannot choose a weaker path --------------------------------


def test_an_sd_jwt_enveloped_as_a_vc_jwt_does_not_escape_its_key_binding() -> None:
    document = _unsigned()
    token = issue_sd_jwt(
        document,
        ISSUER,
        disclosable=["/credentialSubject/name"],
        holder_jwk=holder_jwk(HOLDER.controller),
        issued_at=SIGNED_AT,
    )
    issuer_jwt = token.split("~", 1)[0]
    for media, inner in (("vc+jwt", issuer_jwt), ("vc+jwt", token), ("vc", issuer_jwt)):
        enveloped = {
            "@context": [VC_V2],
            "type": ["EnvelopedVerifiableCredential"],
            "id": f"data:application/{media},{inner}",
        }
        vp = _presentation([enveloped], holder=ATTACKER)
        result = verify_presentation(vp, policy=Policy(at=NOW))
        assert not result.verified, (media, [c.code for c in result.failures()])


def test_an_enveloping_mechanism_name_is_no_data_integrity_cryptosuite() -> None:
    signed = _sign(_unsigned())
    for name in ("vc-jwt", "sd-jwt"):
        respelled = copy.deepcopy(signed)
        respelled["proof"]["cryptosuite"] = name
        result = verify_credential(respelled, policy=Policy(at=NOW))
        assert not result.verified, name
        assert str(result.credentials[0].verdict) == "forged"


def test_policy_suites_refuse_an_enveloped_credential_not_listed() -> None:
    from passeport.proofs.jose import sign_vc_jwt

    token = sign_vc_jwt(_unsigned(), ISSUER)
    policy = Policy(at=NOW, suites=frozenset({"eddsa-rdfc-2022"}))
    result = verify_credential(token, policy=policy)
    assert not result.verified
    assert "proof.suite" in {c.code for c in result.failures()}


# --- plain documents: JSON and RDF read alike ---------------------------------------------


def test_a_subject_split_in_two_copies_still_shows_its_code() -> None:
    # Same RDF (one node, did:...), the achievement moved to a second copy of the
    # subject: the signature holds, and the code is still judged.
    document = _unsigned(
        credentialSubject=[],
    )
    subject = json.loads(SAMPLE.read_text("utf-8"))["credentialSubject"]
    subject["id"] = HOLDER.controller
    document["credentialSubject"] = subject
    signed = _sign(document)
    bare = {k: v for k, v in subject.items() if k != "achievement"}
    signed["credentialSubject"] = [bare, subject]
    assert is_plain(signed)
    trust = TrustList.from_json(
        {"name": "r", "issuers": [{"did": ISSUER.controller, "name": "U", "codes": ["RNCP1"]}]}
    )
    result = verify_credential(signed, policy=Policy(at=NOW, trust=trust))
    assert any(c.code == "proof.signature" and c.outcome == "passed" for c in result.checks)
    assert not result.verified
    assert "trust.code" in {c.code for c in result.failures()}


def test_a_credential_without_context_inside_a_presentation_cannot_be_signed() -> None:
    # It would inherit the presentation's context and read otherwise alone: its
    # terms are undefined there (VerifiableCredential's scoped context does not
    # reach into the presentation's graph), so nothing signs it.
    from passeport.errors import ContextError

    credential = _sign(_unsigned())
    del credential["@context"]
    with pytest.raises(ContextError, match="credentialSubject"):
        _presentation([credential])


def test_a_proof_context_does_not_reach_the_credential() -> None:
    # A proof carrying an @context that aliases validUntil: is_plain skips the
    # proof, and the alias is scoped to it; the expired credential stays expired.
    signed = _sign(_unsigned(validUntil="2025-12-01T00:00:00Z"))
    signed["proof"]["@context"] = [
        VC_V2,
        {"until": "https://www.w3.org/2018/credentials#validUntil"},
    ]
    result = verify_credential(signed, policy=Policy(at=NOW))
    assert "validity.expired" in {c.code for c in result.failures()}
