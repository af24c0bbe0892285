"""``passeport wallet cv`` then ``passeport verify cv.html``, through the real shell."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from passeport.cli import app
from tests.wallet._helpers import (
    PASSPHRASE,
    SOMEONE_ELSE,
    diploma_document,
    new_wallet,
    selective,
    signed,
)

TITLE = "Développeur web et web mobile"


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


def test_a_cv_is_written_then_verified_and_pdf_is_refused(tmp_path: Path) -> None:
    new_wallet(tmp_path)
    source = tmp_path / "diploma.json"
    source.write_text(json.dumps(selective(diploma_document())), "utf-8")
    added = run(tmp_path, "wallet", "add", source, "--offline", "--json")
    assert added.exit_code == 0, added.output
    (identifier,) = [row["id"] for row in json.loads(added.stdout)]
    output = tmp_path / "cv.html"
    pointer = "/credentialSubject/achievement/name"
    common = ("--reveal", pointer, "--challenge", "c-42", "--domain", "rh.example")
    made = run(tmp_path, "wallet", "cv", identifier, *common, "-o", output)
    assert made.exit_code == 0, made.output
    page = output.read_text("utf-8")
    assert TITLE in page and "1999-04-02" not in page
    assert output.stat().st_mode & 0o777 == 0o600
    verify = ("verify", output, "--domain", "rh.example", "--offline")
    checked = run(tmp_path, *verify, "--challenge", "c-42")
    assert checked.exit_code == 0, checked.output
    assert run(tmp_path, *verify, "--challenge", "c-43").exit_code == 1

    pdf = tmp_path / "cv.pdf"
    refused = run(tmp_path, "wallet", "cv", identifier, *common, "-o", pdf)
    assert refused.exit_code == 2
    assert refused.output.strip() == "PDF is not supported; write CV.html"
    assert not pdf.exists()


def _embedded(page: str) -> dict[str, Any]:
    start = page.index('id="passeport-presentation">') + len('id="passeport-presentation">')
    presentation: dict[str, Any] = json.loads(page[start : page.index("</script>", start)])
    return presentation


def test_a_cv_holds_ninety_days_unless_told_otherwise(tmp_path: Path) -> None:
    new_wallet(tmp_path)
    source = tmp_path / "diploma.json"
    source.write_text(json.dumps(signed(diploma_document())), "utf-8")
    added = run(tmp_path, "wallet", "add", source, "--offline", "--json")
    (identifier,) = [row["id"] for row in json.loads(added.stdout)]
    output = tmp_path / "cv.html"
    common = ("wallet", "cv", identifier, "--challenge", "c-1", "--domain", "rh.example")
    assert run(tmp_path, *common, "-o", output).exit_code == 0
    proof = _embedded(output.read_text("utf-8"))["proof"]
    held = datetime.fromisoformat(proof["expires"]) - datetime.fromisoformat(proof["created"])
    assert held == timedelta(days=90)
    refused = run(tmp_path, *common, "-o", output, "--valid-for", "2w")
    assert refused.exit_code != 0 and "give --force" in str(refused.exception)
    kept = _embedded(output.read_text("utf-8"))["proof"]
    assert kept == proof  # the first CV is still there
    forced = run(tmp_path, *common, "-o", output, "--valid-for", "2w", "--force")
    assert forced.exit_code == 0
    proof = _embedded(output.read_text("utf-8"))["proof"]
    held = datetime.fromisoformat(proof["expires"]) - datetime.fromisoformat(proof["created"])
    assert held == timedelta(weeks=2)
    bad = run(tmp_path, *common, "-o", tmp_path / "bad.html", "--valid-for", "soon")
    assert bad.exit_code == 2 and "'soon' is not a duration" in bad.output
    assert not (tmp_path / "bad.html").exists()


def test_a_cv_refuses_someone_elses_credential_and_says_so_when_allowed(tmp_path: Path) -> None:
    new_wallet(tmp_path)
    source = tmp_path / "theirs.json"
    source.write_text(json.dumps(signed(diploma_document(subject=SOMEONE_ELSE.controller))))
    added = run(tmp_path, "wallet", "add", source, "--offline", "--json")
    (identifier,) = [row["id"] for row in json.loads(added.stdout)]
    output = tmp_path / "cv.html"
    common = ("wallet", "cv", identifier, "--challenge", "c-1", "--domain", "rh.example")
    refused = run(tmp_path, *common, "-o", output)
    assert refused.exit_code == 1
    assert refused.stderr.startswith("passeport: refused: ")
    assert "not presented without --allow-other-subject" in refused.stderr
    assert not output.exists()
    allowed = run(tmp_path, *common, "-o", output, "--allow-other-subject")
    assert allowed.exit_code == 0, allowed.output
    assert "note: " in allowed.stderr and "presented as asked" in allowed.stderr
    assert "<dt>Avertissement / Warning</dt><dd>other-holder</dd>" in output.read_text("utf-8")
    verdict = run(
        tmp_path, "verify", output, "--challenge", "c-1", "--domain", "rh.example", "--offline"
    )
    assert verdict.exit_code == 1
