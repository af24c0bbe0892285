"""Skills inferred from a career: from jobs held long enough and trainings; never a block."""

from __future__ import annotations

import doctest
from datetime import UTC, datetime

import pytest

from passeport.i18n import catalog
from passeport.verifier.facts import CredentialFacts, Guarantee, Kind
from passeport.wallet import career, declarations, gap, inference, referentials
from passeport.wallet._holdings import Holding
from passeport.wallet.career import Framework
from passeport.wallet.inference import MIN_MONTHS, Source, months_held
from passeport.wallet.referentials import read_job
from tests.career._helpers import CSS, JAVASCRIPT, JOB, PYTHON, SQL
from tests.conftest import FIXED_NOW


def _job(guarantee: Guarantee = Guarantee.GUARANTEED, **facts: object) -> Holding:
    values: dict[str, object] = {"rome": ("M1805",), "started": "2024-09-02", "ended": "2025-08-29"}
    values.update(facts)
    standing = "self-declared" if guarantee is Guarantee.DECLARED else "unknown"
    made = CredentialFacts(Kind.JOB, guarantee, standing, title="Développeuse web", **values)  # type: ignore[arg-type]
    return Holding("job", None, made)


def _inferred(*held: Holding, **options: object) -> dict[str, inference.InferredSkill]:
    fiches = {"M1805": read_job(JOB)}
    found = inference.infer(held, fiches, now=FIXED_NOW, **options)  # type: ignore[arg-type]
    return {skill.code: skill for skill in found}


def test_a_job_held_suggests_the_essential_skills_of_its_fiche_never_a_block() -> None:
    found = _inferred(_job())
    assert set(found) == {PYTHON, JAVASCRIPT, SQL}  # CSS is optional; blocks need a certification
    [reason] = found[SQL].reasons
    assert (reason.source, reason.months, reason.code, reason.declared) == (
        Source.JOB,
        11,
        "M1805",
        False,
    )
    document = found[SQL].to_json()
    assert document["guarantee"] == "inferred" and document["framework"] == "esco"
    assert CSS not in found


def test_a_job_held_too_briefly_or_without_a_start_suggests_nothing() -> None:
    assert _inferred(_job(started="2025-04-01")) == {}  # 4 months
    assert _inferred(_job(started=None)) == {}
    assert _inferred(_job(started="2025-04-01"), min_months=3) != {}
    assert MIN_MONTHS == 6


def test_a_current_job_counts_until_now() -> None:
    assert months_held("2025-06-15", None, FIXED_NOW) == 7
    assert set(_inferred(_job(started="2025-06-15", ended=None))) == {PYTHON, JAVASCRIPT, SQL}


def test_a_declared_job_says_so_and_a_training_gives_its_hours() -> None:
    training = Holding(
        "t",
        None,
        CredentialFacts(Kind.TRAINING, Guarantee.GUARANTEED, "unknown", title="SQL", hours=7.5),
        ((SQL, "SQL"), (CSS, "CSS")),
    )
    found = _inferred(_job(Guarantee.DECLARED), training)
    assert [r.source for r in found[SQL].reasons] == [Source.JOB, Source.TRAINING]
    assert found[SQL].reasons[0].text("fr") == (
        "du poste « Développeuse web » (M1805) que vous avez déclaré, occupé 11 mois"
    )
    assert found[CSS].reasons[0].text("fr") == "de la formation « SQL » suivie (7,5 h)"
    assert found[CSS].reasons[0].text("en") == "from the training “SQL” followed (7.5 h)"


def test_what_is_already_held_is_not_proposed_again() -> None:
    python = Holding(
        "p",
        None,
        CredentialFacts(Kind.SKILL, Guarantee.DECLARED, "self-declared", title="Python"),
        ((PYTHON, "Python"),),
    )
    assert PYTHON not in _inferred(_job(), python)


@pytest.mark.parametrize("module", [career, declarations, gap, inference, referentials])
def test_docstring_examples_run(module: object) -> None:
    failures, _ = doctest.testmod(module)  # type: ignore[arg-type]
    assert failures == 0


def test_every_word_of_the_career_services_has_its_french() -> None:
    from passeport.career_cli import CAREER_MESSAGES
    from passeport.verifier.cv import CV_MESSAGES
    from passeport.verifier.verdict import MESSAGES

    french = catalog("fr")
    spoken = (
        *gap.GAP_MESSAGES,
        *inference.INFER_MESSAGES,
        *declarations.DECLARE_MESSAGES,
        *CAREER_MESSAGES,
        *MESSAGES,
        *CV_MESSAGES,
    )
    assert [m for m in spoken if m not in french] == []


def test_months_are_whole_months() -> None:
    now = datetime(2026, 1, 15, tzinfo=UTC)
    assert months_held("2025-12-16", "2026-01-15", now) == 0
    assert months_held("2025-12-15", "2026-01-15", now) == 1
    assert months_held("2026-02-01", None, now) is None  # starts after now
    assert months_held("not a date", None, now) is None
    assert Framework.BLOCK not in {s.framework for s in _inferred(_job()).values()}


def test_a_rome_competence_kept_as_a_declared_skill_is_not_proposed_again() -> None:
    from passeport.wallet.career import JobProfile, RequiredSkill
    from passeport.wallet.gap import Route, gap_of

    fiche = JobProfile(
        "Développeur",
        (RequiredSkill(Framework.ROME, "120003", "Tester un logiciel"),),
        rome="M1805",
    )
    kept = Holding(
        "k",
        None,
        CredentialFacts(
            Kind.SKILL, Guarantee.DECLARED, "self-declared", title="tester un LOGICIEL"
        ),
    )
    assert inference.infer((_job(),), {"M1805": fiche}, now=FIXED_NOW) != ()
    assert inference.infer((_job(), kept), {"M1805": fiche}, now=FIXED_NOW) == ()
    [skill] = gap_of(fiche, (_job(), kept), now=FIXED_NOW).skills
    assert skill.status is Guarantee.DECLARED and skill.coverage[0].route is Route.DIRECT
