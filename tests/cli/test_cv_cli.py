"""``passeport wallet cv`` then ``passeport verify cv.html``, through the real shell."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner, Result

from passeport.cli import app
from tests.wallet._helpers import PASSPHRASE, diploma_document, new_wallet, selective

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
