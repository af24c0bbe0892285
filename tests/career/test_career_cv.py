"""The CV shows a training followed in its own section, a declaration as declared, and the
validated line instead of the declared one."""

from __future__ import annotations

from pathlib import Path

from passeport.issuer.declared import read_request, validation_data
from passeport.verifier.cv import Mark
from passeport.wallet import make_cv, present
from passeport.wallet.declarations import preferred, validation_request, validations
from tests.career._helpers import DECLARED_SKILL, INTERNSHIP, LATER, Career, example, offline


def _cv(career: Career, ids: list[str]) -> tuple[str, tuple[Mark, ...]]:
    presented = present(career.wallet, ids, challenge="c-18", domain="rh.example", now=LATER)
    made = make_cv(presented, career.wallet, env=offline(career.public), now=LATER)
    return made.html(), made.settings.marks


def test_the_cv_says_trainings_and_declarations_apart(tmp_path: Path) -> None:
    career = Career(tmp_path)
    training = career.issue(
        career.trainer, "training", {**example("issuer", "training.json"), "holder": career.person}
    )
    [kept] = career.keep(training)
    declared = career.declare("skill", DECLARED_SKILL)
    assert kept.id is not None
    page, marks = _cv(career, [kept.id, declared])
    assert "Formations suivies" in page
    assert "Bases de données relationnelles et langage SQL" in page
    assert marks == (Mark.ISSUER, Mark.DECLARED)
    assert "Déclaré par le titulaire" in page


def test_the_cv_prefers_the_validated_line(tmp_path: Path) -> None:
    career = Career(tmp_path)
    record = career.declare("experience", INTERNSHIP)
    asked = read_request(validation_request(career.wallet, record), env=offline())
    [outcome] = career.keep(
        career.issue(career.employer, "experience", validation_data(asked, "experience"))
    )
    chosen = preferred([record], validations(career.wallet))
    assert chosen == [outcome.id]
    page, marks = _cv(career, chosen)
    assert marks == (Mark.ISSUER,)
    assert "Déclaré par le titulaire" not in page
    assert "Développeuse web (stage)" in page


def test_present_and_cv_commands_show_the_validated_line(tmp_path: Path) -> None:
    from passeport.wallet.cli import build_presentation

    career = Career(tmp_path)
    record = career.declare("experience", INTERNSHIP)
    asked = read_request(validation_request(career.wallet, record), env=offline())
    [outcome] = career.keep(
        career.issue(career.employer, "experience", validation_data(asked, "experience"))
    )
    built = build_presentation(
        career.wallet,
        [record[:8]],
        reveal=None,
        request=None,
        challenge="c-18",
        domain="rh.example",
        valid_for=None,
        allow_unverified=True,
        allow_other_subject=False,
    )
    assert [item.id for item in built.credentials] == [outcome.id]
