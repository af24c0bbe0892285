"""The gap to a target job: each skill covered how and how surely; what fills the rest."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from passeport.verifier.facts import Block, CredentialFacts, Guarantee, Kind
from passeport.wallet._holdings import Holding, holdings
from passeport.wallet.career import Framework
from passeport.wallet.gap import Route, gap_of, skills_gap
from passeport.wallet.referentials import read_catalogue, read_job
from tests.career._helpers import (
    CATALOGUE,
    CSS,
    DECLARED_SKILL,
    INTERNSHIP,
    JAVASCRIPT,
    JOB,
    PYTHON,
    SQL,
    Career,
    example,
    offline,
)
from tests.conftest import FIXED_NOW
from tests.wallet._helpers import SOMEONE_ELSE

G, D, INF = Guarantee.GUARANTEED, Guarantee.DECLARED, Guarantee.INFERRED


def _holding(
    record: str,
    kind: Kind,
    guarantee: Guarantee = G,
    *,
    esco: tuple[str, ...] = (),
    credential_id: str | None = None,
    endorses: tuple[str, ...] = (),
    **facts: object,
) -> Holding:
    standing = "self-declared" if guarantee is D else "unknown"
    made = CredentialFacts(kind, guarantee, standing, title=f"title {record}", **facts)  # type: ignore[arg-type]
    return Holding(record, credential_id, made, tuple((u, u) for u in esco), endorses)


HELD = (
    _holding("python", Kind.SKILL, esco=(PYTHON,)),
    _holding("js", Kind.SKILL, D, esco=(JAVASCRIPT,), credential_id="urn:js"),
    _holding("sql", Kind.TRAINING, esco=(SQL,), hours=35.0),
    _holding("job", Kind.JOB, rome=("M1805",), started="2024-09-02", ended="2025-08-29"),
)


def _gap(*held: Holding) -> dict[str, object]:
    gap = gap_of(read_job(JOB), held, catalogue=read_catalogue(CATALOGUE), now=FIXED_NOW)
    return {item.skill.code: item for item in gap.skills}


def test_each_skill_is_covered_guaranteed_declared_inferred_or_missing() -> None:
    gap = gap_of(read_job(JOB), HELD, catalogue=read_catalogue(CATALOGUE), now=FIXED_NOW)
    by = {item.skill.code: item for item in gap.skills}
    assert by[PYTHON].status is G and by[PYTHON].coverage[0].route is Route.DIRECT
    assert by[JAVASCRIPT].status is D and by[JAVASCRIPT].covered
    assert by[SQL].status is INF and not by[SQL].covered
    assert {c.route for c in by[SQL].coverage} == {Route.TRAINING, Route.JOB}
    assert by[CSS].status is None  # optional in the ROME fiche: a job does not suggest it
    assert by["RNCP37674BC01"].status is None and by["RNCP37674BC02"].status is None
    assert gap.counts() == {
        "required": 6,
        "covered": 2,
        "guaranteed": 1,
        "declared": 1,
        "inferred": 1,
        "missing": 3,
    }
    assert [s.skill.code for s in gap.missing] == [CSS, "RNCP37674BC01", "RNCP37674BC02"]
    # RNCP37674 covers the four unproven skills (CSS and SQL through its blocks), RNCP37873 SQL.
    assert [s.certification.code for s in gap.suggestions] == ["RNCP37674", "RNCP37873"]
    assert len(gap.suggestions[0].covers) == 4
    assert gap.suggestions[0].leads_to_job
    assert [s.certification.code for s in by["RNCP37674BC02"].suggestions] == ["RNCP37674"]
    assert by[PYTHON].suggestions == ()


def test_the_inferred_reason_says_which_job_and_how_long() -> None:
    [job] = [c for c in _gap(*HELD)[SQL].coverage if c.route is Route.JOB]  # type: ignore[attr-defined]
    assert job.guarantee is INF and job.reason is not None
    assert job.reason.months == 11 and job.reason.code == "M1805"
    assert job.reason.text("fr") == "du poste « title job » (M1805) occupé 11 mois"
    assert job.reason.text("en") == "from the job “title job” (M1805) held for 11 months"


def test_an_endorsement_guarantees_a_declared_skill() -> None:
    endorsed = _holding("rec", Kind.ENDORSEMENT, endorses=("urn:js",), issuer_name="Employeur")
    coverage = _gap(*HELD, endorsed)[JAVASCRIPT].coverage  # type: ignore[attr-defined]
    assert coverage[0].route is Route.ENDORSEMENT and coverage[0].guarantee is G
    assert coverage[0].credential == "rec" and coverage[0].via == "Employeur"
    assert coverage[1].guarantee is D
    # An endorsement of something else, or made by the holder, vouches for nothing.
    other = _holding("rec", Kind.ENDORSEMENT, endorses=("urn:other",))
    own = _holding("rec", Kind.ENDORSEMENT, D, endorses=("urn:js",))
    for endorsement in (other, own):
        assert _gap(*HELD, endorsement)[JAVASCRIPT].status is D  # type: ignore[attr-defined]


def test_a_listed_block_covers_itself_and_what_the_catalogue_maps_to_it() -> None:
    cert = _holding(
        "cert", Kind.CERTIFICATION, codes=("RNCP37674",), blocks=(Block("RNCP37674BC01"),)
    )
    by = _gap(cert)
    [way] = by["RNCP37674BC01"].coverage  # type: ignore[attr-defined]
    assert (way.route, way.guarantee, way.via) == (Route.BLOCK, G, "RNCP37674BC01")
    assert by[CSS].coverage[0].via == "RNCP37674BC01"  # type: ignore[attr-defined]
    assert by["RNCP37674BC02"].status is None  # type: ignore[attr-defined]  # not listed: not awarded


def test_a_whole_certification_awards_each_of_its_blocks() -> None:
    whole = _holding("titre", Kind.CERTIFICATION, codes=("RNCP37674",))
    by = _gap(whole)
    for block in ("RNCP37674BC01", "RNCP37674BC02"):
        [way] = by[block].coverage  # type: ignore[attr-defined]
        assert (way.route, way.guarantee, way.via) == (Route.CERTIFICATION, G, "RNCP37674")
    assert by[SQL].status is G  # type: ignore[attr-defined]  # BC02 covers SQL (catalogue)


def test_a_training_never_awards_what_it_prepares() -> None:
    prepares = _holding("prep", Kind.TRAINING, codes=("RNCP37674",), prepares=("RNCP37674",))
    by = _gap(prepares)
    assert by["RNCP37674BC01"].status is None  # type: ignore[attr-defined]


def test_a_short_job_suggests_nothing() -> None:
    short = _holding("job", Kind.JOB, rome=("M1805",), started="2025-10-01", ended="2025-12-01")
    assert _gap(short)[SQL].status is None  # type: ignore[attr-defined]


def test_the_gap_in_words_and_in_json() -> None:
    gap = gap_of(read_job(JOB), HELD, catalogue=read_catalogue(CATALOGUE), now=FIXED_NOW)
    french = gap.lines("fr")
    assert french[0] == (
        "Écart au poste « Développeur / Développeuse web » (ROME M1805) : 2 compétences "
        "requises couvertes sur 6 — garanties : 1, déclaratives : 1, déduites : 1, "
        "manquantes : 3."
    )
    assert "✔ Python (programmation informatique) — garanti : « title python »" in french
    assert "○ JavaScript — déclaratif : « title js »" in french
    assert "~ SQL — déduit : du poste « title job » (M1805) occupé 11 mois" in french
    assert (
        "✘ Développer la partie back-end d'une application web ou web mobile sécurisée "
        "— manquant" in french
    )
    assert (
        "    → RNCP37674 « Développeur web et web mobile » (niveau 5), bloc RNCP37674BC02" in french
    )
    assert (
        "  1. RNCP37674 « Développeur web et web mobile » (niveau 5) : 4 compétence(s) à "
        "prouver, mène à ce métier" in french
    )
    english = gap.lines("en")
    assert english[0].startswith("Skills gap to “Développeur / Développeuse web” (ROME M1805)")
    assert "~ SQL — inferred: from the job “title job” (M1805) held for 11 months" in english
    document = json.loads(json.dumps(gap.to_json()))
    statuses = {
        s["skill"].get("esco") or s["skill"].get("block"): s["status"] for s in document["skills"]
    }
    assert statuses[PYTHON] == "guaranteed" and statuses[JAVASCRIPT] == "declared"
    assert statuses[SQL] == "inferred" and statuses["RNCP37674BC02"] == "missing"
    assert [m.get("esco") or m.get("block") for m in document["missing"]] == [
        CSS,
        "RNCP37674BC01",
        "RNCP37674BC02",
    ]
    assert document["missing"][0] == {"esco": CSS, "label": "CSS", "essential": False}
    assert document["counts"]["missing"] == 3
    assert document["suggestions"][0]["code"] == "RNCP37674"


def test_without_a_catalogue_the_gap_says_where_to_find_suggestions() -> None:
    gap = gap_of(read_job(JOB), HELD, now=FIXED_NOW)
    assert gap.suggestions == ()
    assert gap.lines("en")[-1].startswith("Give a catalogue (--catalogue)")


def test_nothing_missing_is_said() -> None:
    job = read_job(JOB)
    everything = _holding(
        "all",
        Kind.CERTIFICATION,
        esco=(PYTHON, JAVASCRIPT, SQL, CSS),
        codes=("RNCP37674",),
    )
    gap = gap_of(job, (everything,), catalogue=read_catalogue(CATALOGUE), now=FIXED_NOW)
    assert gap.missing == () and gap.suggestions == ()
    assert gap.lines("fr")[-1] == "Rien ne manque : chaque compétence requise est couverte."


# Through the wallet: what still holds, about the holder, validated first --------------------


@pytest.fixture
def career(tmp_path: Path) -> Career:
    return Career(tmp_path)


def test_the_wallet_gap_shows_the_three_labels(career: Career) -> None:
    person = career.person
    python = career.issue(
        career.employer, "skill", {**example("issuer", "skill.json"), "holder": person}
    )
    training = career.issue(
        career.trainer, "training", {**example("issuer", "training.json"), "holder": person}
    )
    career.keep(python, training)
    career.declare("skill", DECLARED_SKILL)
    gap = skills_gap(
        career.wallet, read_job(JOB), catalogue=read_catalogue(CATALOGUE), now=FIXED_NOW
    )
    by = {item.skill.code: item for item in gap.skills}
    assert (by[PYTHON].status, by[JAVASCRIPT].status, by[SQL].status) == (G, D, INF)
    assert by[SQL].coverage[0].route is Route.TRAINING
    assert by["RNCP37674BC02"].status is None


def test_what_no_longer_holds_or_is_about_someone_else_is_left_out(career: Career) -> None:
    data = {
        **example("issuer", "skill.json"),
        "holder": {"id": SOMEONE_ELSE.controller, "name": "X"},
    }
    career.keep(career.issue(career.employer, "skill", data))
    expired = {**example("issuer", "certification.json"), "holder": career.person}
    expired["validUntil"] = "2026-01-20"
    career.keep(career.issue(career.employer, "certification", expired))
    held, _ = holdings(career.wallet, now=FIXED_NOW)
    assert [h.facts.kind for h in held] == [Kind.CERTIFICATION]
    later, _ = holdings(career.wallet, now=datetime(2026, 2, 1, tzinfo=UTC))
    assert later == ()


def test_a_validated_declaration_gives_way_to_its_validation(career: Career) -> None:
    from passeport.issuer.declared import read_request, validation_data
    from passeport.wallet.declarations import validation_request

    record = career.declare("experience", INTERNSHIP)
    asked = read_request(validation_request(career.wallet, record), env=offline())
    [outcome] = career.keep(
        career.issue(career.employer, "experience", validation_data(asked, "experience"))
    )
    held, links = holdings(career.wallet, now=FIXED_NOW)
    assert [h.id for h in held] == [outcome.id] and held[0].guarantee is G
    assert links and links[0].declared == record
    assert held[0].facts.rome == ("M1805",) and Framework.ROME  # the job, guaranteed now
