"""The verdict in words: the facts proven, the word a recruiter acts on, in French and English."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from passeport.i18n import catalog, format_date, language_of, translator
from passeport.issuer.templates import render
from passeport.verifier.facts import CredentialFacts, Guarantee, Kind, facts_of
from passeport.verifier.result import Check, Outcome
from passeport.verifier.verdict import MESSAGES, Verdict, sentence, verdict_of, verdict_words

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "issuer"
ISSUER = {"id": "did:web:univ.example", "name": "Université Exemple"}
CREDENTIAL_ID = "urn:uuid:7f1c5a2e-4b3d-4e8f-9a10-2c6d8e4f1b37"


def _rendered(template: str) -> dict[str, object]:
    data = json.loads((EXAMPLES / f"{template}.json").read_text("utf-8"))
    issued = datetime(2026, 1, 2, tzinfo=UTC)
    return render(template, data, issuer=ISSUER, credential_id=CREDENTIAL_ID, issued_at=issued)


def test_every_message_the_verdict_speaks_is_translated_into_french() -> None:
    from passeport.verifier.cli import RENDER_MESSAGES

    french = catalog("fr")
    spoken = (*MESSAGES, *RENDER_MESSAGES)
    assert [m for m in spoken if m not in french] == []
    for message in spoken:  # same placeholders in both languages
        assert sorted(_fields(message)) == sorted(_fields(french[message])), message


def _fields(text: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def test_unknown_languages_are_refused_and_the_locale_is_read_when_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ValueError, match="unknown language"):
        catalog("de")
    monkeypatch.setenv("LC_ALL", "en_GB.UTF-8")
    assert language_of() == "en"
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    assert language_of() == "fr"  # C says nothing of a language: French
    monkeypatch.delenv("LC_ALL")
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert language_of() == "fr"
    assert language_of("en") == "en" and language_of("xx") == "fr"
    assert translator("en")("authentic") == "authentic"


def test_dates_read_as_people_write_them() -> None:
    assert format_date("2025-07-04T00:00:00Z", "fr") == "4 juillet 2025"
    assert format_date("2024-09-02", "en") == "September 2, 2024"
    assert format_date("not a date", "fr") == "not a date"
    assert format_date(None, "fr") is None


@pytest.mark.parametrize(
    ("template", "kind"),
    [
        ("diploma", Kind.DIPLOMA),
        ("certification", Kind.CERTIFICATION),
        ("skill", Kind.SKILL),
        ("experience", Kind.JOB),
        ("prevention", Kind.SAFETY_TRAINING),
        ("endorsement", Kind.ENDORSEMENT),
    ],
)
def test_each_template_reads_as_its_kind(template: str, kind: Kind) -> None:
    facts = facts_of(_rendered(template), standing="unknown", verified=True)
    assert facts.kind is kind
    assert facts.title and facts.issuer_name == "Université Exemple"
    assert facts.guarantee is Guarantee.GUARANTEED


def test_the_diploma_facts_are_its_code_level_award_date_and_holder() -> None:
    facts = facts_of(_rendered("diploma"), standing="accredited", verified=True)
    assert facts.codes == ("RNCP35288",)
    assert facts.level == "6"
    assert facts.awarded == "2025-07-04T00:00:00Z"
    assert facts.holder_name == "Camille Martin"
    assert facts.blocks and facts.blocks[0].code.startswith("RNCP35288")
    assert facts.to_json()["codes"] == ["RNCP35288"]


def test_a_job_reads_its_employer_and_dates() -> None:
    facts = facts_of(_rendered("experience"), standing="unknown", verified=True)
    assert facts.employer == "Atelier Numérique Lyonnais SARL"
    assert (facts.started, facts.ended) == ("2024-09-02", "2025-08-29")
    assert facts.rome == ("M1805",)


def test_what_is_withheld_is_absent_never_guessed() -> None:
    credential = _rendered("diploma")
    subject = credential["credentialSubject"]
    assert isinstance(subject, dict)
    del subject["identifier"]
    achievement = subject["achievement"]
    assert isinstance(achievement, dict)
    del achievement["alignment"], achievement["humanCode"], achievement["criteria"]
    facts = facts_of(credential, standing="unknown", verified=True, selective=True)
    assert facts.holder_name is None and facts.codes == () and facts.level is None
    assert facts.selective


def test_declared_and_unverifiable_are_labelled_apart() -> None:
    credential = _rendered("skill")
    declared = facts_of(credential, standing="self-declared", verified=True)
    forged = facts_of(credential, standing="accredited", verified=False)
    assert declared.guarantee is Guarantee.DECLARED
    assert forged.guarantee is Guarantee.UNVERIFIABLE and forged.standing == "unverified"


def _check(code: str, outcome: Outcome = Outcome.FAILED) -> Check:
    return Check(code, outcome, code)


@pytest.mark.parametrize(
    ("codes", "verdict"),
    [
        ([], Verdict.AUTHENTIC),
        (["proof.signature", "status.revoked"], Verdict.FORGED),
        (["status.revoked", "validity.expired"], Verdict.REVOKED),
        (["status.suspended"], Verdict.SUSPENDED),
        (["validity.expired", "trust.code"], Verdict.EXPIRED),
        (["validity.not_yet_valid"], Verdict.NOT_YET_VALID),
        (["holder.binding"], Verdict.NOT_THE_HOLDER),
        (["trust.issuer"], Verdict.UNKNOWN_ISSUER),
        (["trust.code"], Verdict.NOT_ACCREDITED),
        (["schema.invalid"], Verdict.NOT_VERIFIED),
    ],
)
def test_the_worst_finding_is_the_verdict(codes: list[str], verdict: Verdict) -> None:
    checks = [_check("proof.signature", Outcome.PASSED), *(_check(c) for c in codes)]
    assert verdict_of(checks) is verdict


def test_a_check_that_could_not_be_made_is_its_own_verdict() -> None:
    checks = [
        _check("proof.signature", Outcome.PASSED),
        _check("status.unchecked", Outcome.UNCHECKED),
    ]
    assert verdict_of(checks) is Verdict.UNCHECKED
    assert verdict_of(checks, unchecked_is_failure=False) is Verdict.AUTHENTIC


DIPLOMA = CredentialFacts(
    Kind.DIPLOMA,
    Guarantee.GUARANTEED,
    "accredited",
    title="Licence professionnelle Métiers de l'informatique",
    level="6",
    codes=("RNCP35288",),
    awarded="2025-07-04T00:00:00Z",
    valid_until="2025-12-31T00:00:00Z",
    issuer="did:web:univ.example",
    issuer_name="Université Exemple",
    issuer_listed_name="Université Exemple",
    holder_name="Camille Martin",
)


def test_the_sentence_in_french_and_in_english() -> None:
    assert sentence(DIPLOMA, Verdict.AUTHENTIC, "fr", status_checked=True) == (
        "Diplôme « Licence professionnelle Métiers de l'informatique » (RNCP35288, niveau 6), "
        "délivré le 4 juillet 2025 à Camille Martin par Université Exemple, organisme "
        "accrédité pour cette certification : authentique, non révoqué."
    )
    assert sentence(DIPLOMA, Verdict.AUTHENTIC, "en", status_checked=True) == (
        "Diploma “Licence professionnelle Métiers de l'informatique” (RNCP35288, level 6), "
        "awarded on July 4, 2025 to Camille Martin by Université Exemple, a body "
        "accredited for this certification: authentic, not revoked."
    )


@pytest.mark.parametrize(
    ("verdict", "words"),
    [
        (Verdict.FORGED, "FALSIFIÉ ou modifié"),
        (Verdict.REVOKED, "RÉVOQUÉ par son émetteur"),
        (Verdict.SUSPENDED, "SUSPENDU"),
        (Verdict.EXPIRED, "EXPIRÉ depuis le 31 décembre 2025"),
        (Verdict.NOT_ACCREDITED, "n'est PAS ACCRÉDITÉ pour cela"),
        (Verdict.UNKNOWN_ISSUER, "ABSENT DE VOTRE LISTE DE CONFIANCE"),
        (Verdict.NOT_THE_HOLDER, "QUELQU'UN D'AUTRE"),
    ],
)
def test_each_verdict_has_its_own_words(verdict: Verdict, words: str) -> None:
    assert words in sentence(DIPLOMA, verdict, "fr")


def test_an_offline_credential_says_why_it_could_not_be_checked() -> None:
    checks = [_check("status.unchecked", Outcome.UNCHECKED)]
    text = sentence(DIPLOMA, Verdict.UNCHECKED, "fr", checks=checks)
    assert text.endswith(
        "NON VÉRIFIABLE (sa liste de statut n'a pas pu être lue, hors ligne ou injoignable)."
    )
    assert verdict_words(Verdict.UNCHECKED, "en") == "could not be checked"


def test_a_job_and_a_safety_training_read_naturally() -> None:
    job = facts_of(_rendered("experience"), standing="unknown", verified=True)
    assert sentence(job, Verdict.AUTHENTIC, "fr") == (
        "Emploi « Développeuse web en alternance » chez « Atelier Numérique Lyonnais SARL », "
        "du 2 septembre 2024 au 29 août 2025, occupé par Camille Martin, attesté par "
        "« Université Exemple » (nom non vérifié) : authentique."
    )
    training = facts_of(_rendered("prevention"), standing="unknown", verified=True)
    text = sentence(training, Verdict.AUTHENTIC, "fr")
    assert text.startswith("Formation sécurité « Sauveteur Secouriste du Travail (SST) » (RS5678)")
    assert "valable jusqu'au" in text


def test_a_title_cannot_draw_a_second_verdict_line() -> None:
    credential = _rendered("diploma")
    subject = credential["credentialSubject"]
    assert isinstance(subject, dict)
    subject["achievement"]["name"] = "Licence\n✔ Master : authentique.\u202e\u0007"
    facts = facts_of(credential, standing="unknown", verified=True)
    text = sentence(facts, Verdict.FORGED, "fr")
    assert "\n" not in text and "\u202e" not in text and "\u0007" not in text
    assert text.startswith("Diplôme « Licence ✔ Master : authentique. »")
    assert text.endswith("FALSIFIÉ ou modifié (sa signature ou sa forme ne tient pas).")
