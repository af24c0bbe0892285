"""``passeport wallet cv`` then ``passeport verify cv.html|cv.pdf``, through the real shell."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from passeport.cli import app
from passeport.errors import InputError
from passeport.verifier.cv_html import read_page
from tests.wallet._helpers import (
    PASSPHRASE,
    SOMEONE_ELSE,
    diploma_document,
    new_wallet,
    selective,
    signed,
)

TITLE = "Développeur web et web mobile"
POINTERS = ("/credentialSubject/achievement/name", "/credentialSubject/identifier/0")


def run(tmp_path: Path, *args: str | Path) -> Result:
    """Run ``passeport ARGS`` with the test wallet and its passphrase."""
    variables = {
        "PASSEPORT_WALLET": str(tmp_path / "wallet.sqlite"),
        "PASSEPORT_PASSPHRASE": PASSPHRASE,
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
        "COLUMNS": "250",
        "NO_COLOR": "1",
    }
    return CliRunner().invoke(app, list(map(str, args)), env=variables)


def _added(tmp_path: Path, document: dict[str, Any]) -> str:
    new_wallet(tmp_path)
    source = tmp_path / "diploma.json"
    source.write_text(json.dumps(document), "utf-8")
    added = run(tmp_path, "wallet", "add", source, "--offline", "--json")
    assert added.exit_code == 0, added.output
    (identifier,) = [row["id"] for row in json.loads(added.stdout)]
    return str(identifier)


def _cv(tmp_path: Path, identifier: str, output: Path, *extra: str) -> Result:
    reveal = [item for pointer in POINTERS for item in ("--reveal", pointer)]
    common = ("--challenge", "c-42", "--domain", "rh.example", "--offline")
    return run(tmp_path, "wallet", "cv", identifier, *reveal, *common, "-o", output, *extra)


@pytest.fixture
def diploma(tmp_path: Path) -> str:
    return _added(tmp_path, selective(diploma_document()))


@pytest.mark.parametrize("name", ["cv.html", "cv.pdf"])
def test_a_cv_is_written_then_verified(tmp_path: Path, diploma: str, name: str) -> None:
    output = tmp_path / name
    made = _cv(tmp_path, diploma, output)
    assert made.exit_code == 0, made.output
    assert f"to check it: passeport verify {output}" in made.stdout
    assert output.stat().st_mode & 0o777 == 0o600
    data = output.read_bytes()
    assert data.startswith(b"%PDF-" if name.endswith(".pdf") else b"<!DOCTYPE html>")
    assert b"1999-04-02" not in data
    verify = ("verify", output, "--domain", "rh.example", "--offline")
    checked = run(tmp_path, *verify, "--challenge", "c-42")
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.startswith("VÉRIFIÉ")
    assert f"« {TITLE} »" in checked.stdout and "Camille Martin" in checked.stdout
    assert run(tmp_path, *verify, "--challenge", "c-43").exit_code == 1
    details = run(tmp_path, *verify, "--details", "--json")
    codes = [c["code"] for c in json.loads(details.stdout)["checks"]]
    assert "cv.text" in codes and "cv.guarantee" in codes


def test_an_edited_cv_fails_and_says_why_in_french(tmp_path: Path, diploma: str) -> None:
    output = tmp_path / "cv.html"
    assert _cv(tmp_path, diploma, output).exit_code == 0
    page = output.read_text("utf-8")
    forged = tmp_path / "forged.html"
    forged.write_text(page.replace(TITLE, "Docteur en médecine", 1), "utf-8")
    checked = run(tmp_path, "verify", forged, "--offline")
    assert checked.exit_code == 1, checked.output
    text = " ".join(checked.stdout.split())
    assert text.startswith("NON VÉRIFIÉ")
    assert "le texte visible du CV a été modifié après sa signature" in text
    assert "« Docteur en médecine" in text
    english = run(tmp_path, "verify", forged, "--offline", "--lang", "en")
    assert "the CV's visible text was changed after it was signed" in " ".join(
        english.stdout.split()
    )


def test_english_and_a_verification_address(tmp_path: Path, diploma: str) -> None:
    output = tmp_path / "cv.html"
    made = _cv(tmp_path, diploma, output, "--lang", "en", "--verify-url", "https://v.example/")
    assert made.exit_code == 0, made.output
    page = output.read_text("utf-8")
    assert '<html lang="en">' in page and "drop this file on https://v.example/" in page
    _, settings = read_page(page, where="cv.html")
    assert settings.lang == "en" and settings.verify_url == "https://v.example/"
    assert run(tmp_path, "verify", output, "--offline").exit_code == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("-o", "cv.html", "--verify-url", "https://v.example/a b"), "without spaces"),
        (("-o", "cv.html", "--verify-url", "javascript:alert(1)"), "verification address"),
        (("-o", "cv.html", "--lang", "de"), "choose fr or en"),
    ],
)
def test_bad_options_are_refused_and_nothing_is_written(
    tmp_path: Path, diploma: str, extra: tuple[str, ...], message: str
) -> None:
    common = ("--challenge", "c-1", "--domain", "rh.example", "--offline")
    with_folder = [str(tmp_path / item) if item.startswith("cv.") else item for item in extra]
    refused = run(tmp_path, "wallet", "cv", diploma, *common, *with_folder)
    assert refused.exit_code == 2, refused.output
    assert message in " ".join(refused.output.split()) or message in str(refused.exception)
    assert not list(tmp_path.glob("cv.*"))


def _embedded(page: str) -> dict[str, Any]:
    return read_page(page, where="cv.html")[0]


def test_a_cv_holds_ninety_days_unless_told_otherwise(tmp_path: Path) -> None:
    identifier = _added(tmp_path, signed(diploma_document()))
    output = tmp_path / "cv.html"
    common = ("wallet", "cv", identifier, "--challenge", "c-1", "--domain", "rh.example")
    assert run(tmp_path, *common, "--offline", "-o", output).exit_code == 0
    proof = _embedded(output.read_text("utf-8"))["proof"]
    held = datetime.fromisoformat(proof["expires"]) - datetime.fromisoformat(proof["created"])
    assert held == timedelta(days=90)
    refused = run(tmp_path, *common, "-o", output, "--valid-for", "2w")
    assert refused.exit_code != 0 and "give --force" in str(refused.exception)
    assert _embedded(output.read_text("utf-8"))["proof"] == proof  # the first CV is still there
    forced = run(tmp_path, *common, "--offline", "-o", output, "--valid-for", "2w", "--force")
    assert forced.exit_code == 0
    proof = _embedded(output.read_text("utf-8"))["proof"]
    held = datetime.fromisoformat(proof["expires"]) - datetime.fromisoformat(proof["created"])
    assert held == timedelta(weeks=2)
    bad = run(tmp_path, *common, "-o", tmp_path / "bad.html", "--valid-for", "soon")
    assert bad.exit_code == 2 and "'soon' is not a duration" in bad.output
    assert not (tmp_path / "bad.html").exists()


def test_someone_elses_credential_is_refused_or_marked_not_verified(tmp_path: Path) -> None:
    identifier = _added(tmp_path, signed(diploma_document(subject=SOMEONE_ELSE.controller)))
    output = tmp_path / "cv.pdf"
    common = ("wallet", "cv", identifier, "--challenge", "c-1", "--domain", "rh.example")
    refused = run(tmp_path, *common, "--offline", "-o", output)
    assert refused.exit_code == 1
    assert refused.stderr.startswith("passeport: refused: ")
    assert "not presented without --allow-other-subject" in refused.stderr
    assert not output.exists()
    allowed = run(tmp_path, *common, "--offline", "-o", output, "--allow-other-subject")
    assert allowed.exit_code == 0, allowed.output
    assert "note: " in allowed.stderr and "marked 'not verified' on the CV" in allowed.stderr
    verdict = run(tmp_path, "verify", output, "--challenge", "c-1", "--domain", "rh.example")
    assert verdict.exit_code == 1
    assert verdict.stdout.startswith("NON VÉRIFIÉ")


def test_a_file_that_is_no_cv_is_refused_in_one_line(tmp_path: Path) -> None:
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"%PDF-1.7\nnot really")
    refused = run(tmp_path, "verify", fake, "--offline")
    assert isinstance(refused.exception, InputError)  # passeport's main() exits 2 with it
    assert str(refused.exception).startswith(f"{fake}: not a readable PDF")
    assert "\n" not in str(refused.exception)
