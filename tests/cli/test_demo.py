"""``passeport demo``: the whole story runs, and what it leaves behind is what it says."""

from __future__ import annotations

import json
import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_cli import one_line_error, run
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The story as a French user runs it: no --lang, and a locale that names no language."""
    root = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        for variable in ("LC_ALL", "LC_MESSAGES"):
            patch.delenv(variable, raising=False)
        patch.setenv("LANG", "C.UTF-8")
        result = run("demo", root / "story", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "L'histoire tient : chaque étape donne le résultat attendu." in result.stdout
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
    assert "✔ le diplôme montré sans son code de certification : non accrédité" in text
    assert (
        "✔ statut des émetteurs sur la liste de confiance du recruteur : accrédité, accrédité"
        in text
    )


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
    assert "✔ cv.pdf : son CV est vérifié et montre ce qui a été signé" in text
    assert (
        "✔ une copie de cv.html où le diplôme a été changé en « Master » : refusée (cv.text)"
        in text
    )
    # At the end of the story the diploma is revoked: the CV no longer verifies.
    trust = ROOT / "examples" / "trust" / "trust-list.json"
    result = run("verify", "cv.pdf", "--trust", trust, "--cache", "web", "--offline", cwd=story)
    assert result.returncode == 1, result.stdout
    assert "RÉVOQUÉ" in result.stdout


def test_the_story_shows_her_skills_passport(story: Path) -> None:
    """A training followed, a declared internship validated by her employer, a skills gap."""
    text = " ".join((story.parent / "demo.out").read_text("utf-8").split())
    for step in (
        "une formation suivie, attestée par son organisme de formation (35 h, à distance, CPF)",
        "elle déclare elle-même son stage : vérifié comme déclaratif, jamais comme garanti",
        "son employeur l'examine et le valide ; son portefeuille relie les deux et retient la "
        "version validée",
        "l'écart à un poste d'exemple : compétences garanties, déclarées, déduites et "
        "manquantes, et les certifications qui le combleraient",
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


def _english_words(text: str) -> list[str]:
    """Return the demo's English message ids (their fixed words) found in ``text``."""
    from passeport.demo import DEMO_MESSAGES
    from passeport.i18n import catalog

    french = catalog("fr")
    found = []
    for message in DEMO_MESSAGES:
        if french[message] == message:
            continue  # "suite" is a French word too
        for chunk, *_ in string.Formatter().parse(message):
            if len(chunk.strip()) > 12 and chunk.strip() in text:
                found.append(chunk.strip())
    return found


def test_the_story_speaks_french_by_default_verdict_included(story: Path) -> None:
    out = (story.parent / "demo.out").read_text("utf-8")
    text = " ".join(out.split())
    assert _english_words(text) == []
    for line in (
        "0. Camille crée son portefeuille",
        "✔ diploma.json : vérifiée, ajoutée à son portefeuille",
        "Licence professionnelle Métiers de l'informatique : conception, développement et "
        "test de logiciels — divulgation sélective : seulement ce qui est demandé",
        "┃ suite ┃ clé ┃ signée : vérifiée ┃ falsifiée : refusée ┃",
        "Essayez :",
        "# son CV (son diplôme a été révoqué depuis)",
    ):
        assert line in text, line
    # The recruiter's verdict, printed by `passeport verify`'s renderer, in French too.
    assert "\nVÉRIFIÉ  presentation.json\n" in out
    assert "Le détail de chaque vérification : ajoutez --details." in out
    assert "The story holds." not in out and "--lang" not in out


def test_the_story_in_english_reads_at_80_columns_with_commands_to_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--lang wins over a French locale; each line fits 80 columns; the hint is copyable."""
    monkeypatch.setenv("LC_ALL", "fr_FR.UTF-8")
    monkeypatch.setenv("COLUMNS", "80")
    folder = tmp_path / "story"
    result = subprocess_run_at_80(folder)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert out.rstrip().endswith("The story holds.")
    assert "\nVERIFIED  presentation.json\n" in out
    assert "Every check, one by one: add --details." in out
    lines = out.splitlines()
    text = " ".join(out.split())
    for step in (
        "✔ the diploma shown without its certification code: not accredited (a withheld code "
        "is never assumed)",
        "✔ issuers' standing on the recruiter's trust list: accredited, accredited",
        "┃ suite ┃ key ┃ signed: verified ┃ forged: refused ┃",
        "✔ diploma.json: verified, added to her wallet",
    ):
        assert step in text, step
    french = [line for line in lines if " : " in line and "Licence" not in line]
    assert french == [], french  # no French punctuation outside the diploma's own title
    # The verdict's sentences are `passeport verify`'s (one line each when piped); every
    # other line fits 80 columns (a path is never cut), ends in no blank, and a wrapped
    # step hangs under its text.
    verdict = {line for line in lines if line.startswith(("✔  ", "✘  "))}
    assert len(verdict) == 2
    for line in lines:
        assert line == line.rstrip(), line
        if line not in verdict and str(folder) not in line and str(ROOT) not in line:
            assert len(line) <= 80, line
    wrapped = lines.index(
        "  ✔ the university signs its graduating class: 12 diplomas, 0 refused, every one"
    )
    assert lines[wrapped + 1] == "    verified before it was written"
    # The hint: the commands, joined at their backslashes, are whole; they ask for English.
    hint = re.sub(r" \\\n +", " ", "\n".join(lines[lines.index("Try:") + 1 : -1]))
    commands = [line.strip() for line in hint.splitlines() if not line.lstrip().startswith("#")]
    assert commands == [
        f"passeport verify {folder / 'presentation.json'} --lang en --challenge offre-2026-042 "
        f"--domain recrutement.example --cache {folder / 'web'} --offline",
        f"passeport verify {folder / 'cv.pdf'} --lang en --trust "
        f"{ROOT / 'passeport' / 'examples' / 'trust' / 'trust-list.json'} --cache "
        f"{folder / 'web'} --offline",
        f"passeport wallet gap --wallet {folder / 'camille.wallet'} --lang en --job "
        f"{ROOT / 'passeport' / 'examples' / 'jobs' / 'developpeur-web.json'} --catalogue "
        f"{ROOT / 'passeport' / 'examples' / 'catalogue' / 'certifications.json'}",
    ]


def subprocess_run_at_80(folder: Path) -> subprocess.CompletedProcess[str]:
    """``passeport demo --lang en`` at 80 columns (``run`` asks for 200)."""
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "passeport", "demo", str(folder), "--lang", "en"],
        capture_output=True,
        text=True,
        cwd=folder.parent,
        env=env,
        timeout=120,
        check=False,
    )


def test_the_demo_refuses_a_language_it_does_not_speak(tmp_path: Path) -> None:
    assert "--lang" in one_line_error(run("demo", tmp_path / "story", "--lang", "de", cwd=tmp_path))
    assert not (tmp_path / "story").exists()


def test_every_demo_message_has_its_french_in_its_own_catalog() -> None:
    """demo.po holds every word of the demo, and only words no other catalog translates.

    The catalogs are merged, the first translation winning: an id of demo.po also
    in passeport.po would silently change what the other commands say.
    """
    from babel.messages.pofile import read_po

    from passeport.demo import DEMO_MESSAGES

    folder = ROOT / "passeport" / "locale" / "fr" / "LC_MESSAGES"

    def ids(path: Path) -> dict[str, str]:
        with path.open("rb") as handle:
            return {str(m.id): str(m.string) for m in read_po(handle, locale="fr") if m.id}

    demo = ids(folder / "demo.po")
    others = {
        message for path in folder.glob("*.po") if path.name != "demo.po" for message in ids(path)
    }
    assert len(set(DEMO_MESSAGES)) == len(DEMO_MESSAGES)
    assert sorted(set(DEMO_MESSAGES) ^ set(demo)) == []
    assert sorted(set(demo) & others) == []

    def fields(text: str) -> list[str]:
        return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name)

    for message, french in demo.items():
        assert french and fields(french) == fields(message), message
