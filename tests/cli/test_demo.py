"""``passeport demo``: the whole story runs, and what it leaves behind is what it says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import one_line_error, run
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    result = run("demo", root / "story", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The story holds." in result.stdout
    (root / "demo.out").write_text(result.stdout, "utf-8")
    return root / "story"


def test_the_presentation_discloses_only_what_was_asked(story: Path) -> None:
    text = (story / "presentation.json").read_text("utf-8")
    assert "2003-04-12" not in text and "@etu.univ.example" not in text
    diploma, first_aid = json.loads(text)["verifiableCredential"]
    assert diploma["proof"]["cryptosuite"] == "ecdsa-sd-2023"
    assert "name" in diploma["credentialSubject"]["achievement"]
    # The recruiter's trust list accredits by code: the code is asked for and shown.
    assert diploma["credentialSubject"]["achievement"]["humanCode"] == "RNCP35288"
    assert "identifier" not in diploma["credentialSubject"]  # her name stays in the wallet
    assert "Camille Martin" not in json.dumps(diploma, ensure_ascii=False)
    # The first-aid certificate was signed whole (eddsa-rdfc-2022): it is shown whole.
    assert first_aid["proof"]["cryptosuite"] == "eddsa-rdfc-2022"


def test_the_recruiter_command_sees_the_revocation(story: Path) -> None:
    result = run(
        "verify",
        "presentation.json",
        *("--challenge", "offre-2026-042", "--domain", "recrutement.example"),
        *("--cache", "web", "--offline", "--json"),
        cwd=story,
    )
    assert result.returncode == 1, result.stdout
    failed = [c["code"] for c in json.loads(result.stdout)["checks"] if c["outcome"] == "failed"]
    assert failed == ["status.revoked"]


def test_the_recruiter_command_with_the_trust_list_sees_accredited_issuers(story: Path) -> None:
    result = run(
        "verify",
        "presentation.json",
        *("--challenge", "offre-2026-042", "--domain", "recrutement.example"),
        *("--cache", "web", "--offline", "--json"),
        *("--trust", ROOT / "examples" / "trust" / "trust-list.json"),
        cwd=story,
    )
    assert result.returncode == 1, result.stdout  # revoked at the end of the story
    verdict = json.loads(result.stdout)
    failed = [c["code"] for c in verdict["checks"] if c["outcome"] == "failed"]
    assert failed == ["status.revoked"]
    standings = [c["standing"] for c in verdict["summary"]["credentials"]]
    assert standings == ["accredited", "accredited"]
    codes = [c["message"] for c in verdict["checks"] if c["code"] == "trust.code"]
    assert any("RNCP35288" in message for message in codes)


def test_the_story_shows_a_hidden_code_is_not_accredited(story: Path) -> None:
    text = " ".join((story.parent / "demo.out").read_text("utf-8").split())
    assert "✔ the diploma shown without its certification code: not accredited" in text
    assert "✔ issuers' standing on the recruiter's trust list: accredited, accredited" in text


def test_the_class_was_issued_with_status_lists_published(story: Path) -> None:
    assert len(list((story / "promo").glob("*.json"))) == 12
    assert (story / "web" / "univ.example" / ".well-known" / "did.json").is_file()
    assert (story / "web" / "univ.example" / "status" / "revocation-1").is_file()
    assert (story / "camille.wallet").stat().st_mode & 0o777 == 0o600


def test_the_demo_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "story").mkdir()
    (tmp_path / "story" / "mine.txt").write_text("keep me")
    assert "empty folder" in one_line_error(run("demo", tmp_path / "story", cwd=tmp_path))
    assert (tmp_path / "story" / "mine.txt").read_text() == "keep me"


def test_everything_the_demo_and_the_readme_read_ships_in_the_package() -> None:
    """A non-editable install has no checkout beside it (.ci/run runs the demo there)."""
    import tomllib
    from fnmatch import fnmatch
    from importlib import resources

    from passeport import demo

    settings = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    shipped = settings["package-data"]["passeport"]
    assert (ROOT / "passeport" / "examples").resolve() == (ROOT / "examples").resolve()
    examples = [p for p in (ROOT / "examples").rglob("*") if p.is_file()]
    assert len(examples) >= 10
    for path in [*examples, ROOT / "passeport" / "samples" / "diploma.json"]:
        name = path.relative_to(ROOT / "examples" if path in examples else ROOT / "passeport")
        inside = f"examples/{name}" if path in examples else str(name)
        assert any(fnmatch(inside, pattern) for pattern in shipped), inside
    # Found through the package, not the working directory nor the checkout's layout.
    assert Path(str(resources.files("passeport"))) / "examples" == demo.EXAMPLES
    for parts in demo._READS:
        assert demo.EXAMPLES.joinpath(*parts).is_file()


def test_a_missing_example_is_refused_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from passeport import demo
    from passeport.errors import InputError

    monkeypatch.setattr(demo, "EXAMPLES", tmp_path / "site-packages" / "examples")
    with pytest.raises(InputError, match="example missing from this installation") as caught:
        demo.run_demo(tmp_path / "story")
    assert "class.csv" in str(caught.value)
    assert not (tmp_path / "story").exists()


@pytest.mark.parametrize(
    ("lang", "diploma", "first_aid"),
    [
        (
            "fr",
            "✘  Diplôme « Licence professionnelle Métiers de l'informatique : conception, "
            "développement et test de logiciels » (RNCP35288, niveau 6), délivré le 4 juillet "
            "2025 par Université Exemple, organisme accrédité pour cette certification : "
            "RÉVOQUÉ par son émetteur.",
            "✔  Formation sécurité « Sauveteur Secouriste du Travail (SST) » (RS5678), obtenue "
            "le {day} par Camille Martin, valable jusqu'au {until}, attestée par Organisme de "
            "formation Exemple, organisme accrédité pour cette certification : authentique, "
            "non révoqué.",
        ),
        (
            "en",
            "✘  Diploma “Licence professionnelle Métiers de l'informatique : conception, "
            "développement et test de logiciels” (RNCP35288, level 6), awarded on July 4, 2025 "
            "by Université Exemple, a body accredited for this certification: REVOKED by its "
            "issuer.",
            "✔  Safety training “Sauveteur Secouriste du Travail (SST)” (RS5678), passed on "
            "{day} by Camille Martin, valid until {until}, attested by Organisme de formation "
            "Exemple, a body accredited for this certification: authentic, not revoked.",
        ),
    ],
)
def test_the_recruiter_reads_what_is_proven_in_french_and_english(
    story: Path, lang: str, diploma: str, first_aid: str
) -> None:
    """The demo's presentation, as the recruiter reads it at the end of the story."""
    from passeport.i18n import format_date

    result = run(
        "verify",
        "presentation.json",
        *("--challenge", "offre-2026-042", "--domain", "recrutement.example"),
        *("--cache", "web", "--offline", "--lang", lang),
        *("--trust", ROOT / "examples" / "trust" / "trust-list.json"),
        cwd=story,
    )
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("NON VÉRIFIÉ" if lang == "fr" else "NOT VERIFIED")
    assert diploma in lines
    signed = json.loads((story / "presentation.json").read_text("utf-8"))
    training = signed["verifiableCredential"][1]
    day = format_date(training["awardedDate"], lang)
    until = format_date(training["validUntil"], lang)
    assert first_aid.format(day=day, until=until) in lines


def test_the_story_writes_her_cv_as_a_page_and_a_pdf(story: Path) -> None:
    page = (story / "cv.html").read_text("utf-8")
    assert "<h1>Camille Martin</h1>" in page and "Garanti par un organisme accrédité" in page
    assert "2003-04-12" not in page.split('<template id="passeport-presentation">')[0]
    assert (story / "cv.pdf").read_bytes().startswith(b"%PDF-")
    text = " ".join((story.parent / "demo.out").read_text("utf-8").split())
    assert "✔ cv.pdf: her CV verifies, and shows what was signed" in text
    assert "✔ a copy of cv.html whose diploma was edited to read Master: refused (cv.text)" in text
    # At the end of the story the diploma is revoked: the CV no longer verifies.
    trust = ROOT / "examples" / "trust" / "trust-list.json"
    result = run("verify", "cv.pdf", "--trust", trust, "--cache", "web", "--offline", cwd=story)
    assert result.returncode == 1, result.stdout
    assert "RÉVOQUÉ" in result.stdout


def test_the_story_shows_her_skills_passport(story: Path) -> None:
    """A training followed, a declared internship validated by her employer, a skills gap."""
    text = " ".join((story.parent / "demo.out").read_text("utf-8").split())
    for step in (
        "a training followed, certified by its training body (35 h, remote, CPF)",
        "she declares her internship herself: verified as declarative, never as guaranteed",
        "her employer reviews and validates it; her wallet links the two and prefers the "
        "validated one",
        "the gap to a sample job: guaranteed, declared, inferred and missing skills, and the "
        "certifications that would fill it",
    ):
        assert f"✔ {step}" in text
    assert "✔ Python (programmation informatique) — garanti" in text
    assert "○ JavaScript — déclaratif" in text
    assert "~ SQL — déduit" in text
    assert "1. RNCP37674 « Développeur web et web mobile » (niveau 5)" in text
    mine = story / "camille"
    declared = run("verify", mine / "internship.declared.json", "--offline", cwd=story)
    assert declared.returncode == 0 and "déclaratif, non garanti" in declared.stdout
    validated = run(
        "verify", mine / "internship.validated.json", "--cache", "web", "--offline", cwd=story
    )
    assert validated.returncode == 0 and "authentique, non révoqué" in validated.stdout
    request = json.loads((mine / "internship.request.json").read_text("utf-8"))
    [evidence] = json.loads((mine / "internship.validated.json").read_text("utf-8"))["evidence"]
    assert evidence["id"] == request["declaration"]["id"]
    training = run(
        "verify", mine / "training.json", "--cache", "web", "--offline", "--lang", "en", cwd=story
    )
    assert training.returncode == 0, training.stdout
    assert (
        "Training “Bases de données relationnelles et langage SQL” (35 h, remote, prepares "
        "RNCP37674)" in " ".join(training.stdout.split())
    )
