"""The holder's and the issuer's commands for declarations, validations, gaps and inferences."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from passeport.cli import app
from passeport.errors import InputError
from passeport.issuer import publish_status
from tests.career._helpers import CATALOGUE, INTERNSHIP, JOB, example
from tests.cli.test_cli import one_line_error
from tests.cli.test_cli import run as run_process
from tests.issuer._helpers import make_profile
from tests.wallet._helpers import PASSPHRASE, new_wallet


def run(tmp_path: Path, *args: str | Path, stdin: str | None = None) -> Result:
    """Run ``passeport ARGS`` in-process, with tmp_path/wallet.sqlite and its passphrase."""
    variables = {
        "PASSEPORT_WALLET": str(tmp_path / "wallet.sqlite"),
        "PASSEPORT_PASSPHRASE": PASSPHRASE,
        "COLUMNS": "250",
        "NO_COLOR": "1",
    }
    return CliRunner().invoke(app, [str(a) for a in args], env=variables, input=stdin)


def write(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value), "utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    new_wallet(tmp_path)
    make_profile(tmp_path / "employeur", seed=33, did="web:employeur.example")
    write(tmp_path / "stage.json", INTERNSHIP)
    return tmp_path


def _declared_id(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.output.split("request-validation ", 1)[1].split()[0]


def test_declare_ask_validate_and_link(folder: Path) -> None:
    declared = run(folder, "wallet", "declare", "experience", "--data", folder / "stage.json")
    assert "une déclaration, signée par vous" in declared.output
    record = _declared_id(declared)
    asked = run(folder, "wallet", "request-validation", record, "-o", folder / "req.json")
    assert asked.exit_code == 0, asked.output
    assert "passeport issue experience --from-declared" in asked.output
    again = run(folder, "wallet", "request-validation", record, "-o", folder / "req.json")
    assert isinstance(again.exception, InputError)  # never written over by surprise
    request = json.loads((folder / "req.json").read_text("utf-8"))
    assert request["declaration"]["issuer"]["id"] == request["requestedBy"]["id"]
    # The issuer reviews the fields; without a terminal it signs only with --yes.
    write(folder / "fix.json", {"employment": {"endDate": "2024-08-23"}})
    issue = (
        "issue",
        "experience",
        "--issuer",
        folder / "employeur",
        "--from-declared",
        folder / "req.json",
        "--data",
        folder / "fix.json",
        "-o",
        folder / "validated.json",
    )
    unasked = run(folder, *issue)
    assert isinstance(unasked.exception, InputError) and "--yes" in str(unasked.exception)
    assert "employment.endDate: 2024-08-23   (déclaré : 2024-08-30)" in unasked.output
    assert not (folder / "validated.json").exists()
    signed = run(folder, *issue, "--yes")
    assert signed.exit_code == 0, signed.output
    validated = json.loads((folder / "validated.json").read_text("utf-8"))
    assert validated["evidence"][0]["id"] == request["declaration"]["id"]
    assert validated["credentialSubject"]["employment"]["endDate"] == "2024-08-23"
    assert validated["issuer"]["id"] != request["requestedBy"]["id"]
    from passeport.issuer import Profile

    publish_status(Profile.open(folder / "employeur"), folder / "public")
    added = run(
        folder,
        "wallet",
        "add",
        folder / "validated.json",
        "--cache",
        folder / "public",
        "--offline",
    )
    assert added.exit_code == 0, added.output
    assert f"valide {record}" in added.output
    listing = run(folder, "wallet", "list")
    assert "déclaratif" in listing.output and "validée par" in listing.output
    english = run(folder, "wallet", "declarations", "--lang", "en")
    assert f"{record}" in english.output and "validated by" in english.output
    document = json.loads(run(folder, "wallet", "declarations", "--json").output)
    assert document[0]["id"] == record and document[0]["links"][0]["kind"] == "validated"


def test_gap_and_infer_from_the_command_line(folder: Path) -> None:
    experience = {**example("issuer", "experience.json"), "holder": {"name": "Camille Martin"}}
    write(folder / "job.json", experience)
    assert (
        run(folder, "wallet", "declare", "experience", "--data", folder / "job.json").exit_code == 0
    )
    gap = run(folder, "wallet", "gap", "--job", JOB, "--catalogue", CATALOGUE)
    assert gap.exit_code == 0, gap.output
    assert "Écart au poste « Développeur / Développeuse web » (ROME M1805)" in gap.output
    assert (
        "~ Python (programmation informatique) — déduit : du poste « Développeuse web en "
        "alternance » (M1805) que vous avez déclaré" in gap.output
    )
    assert "1. RNCP37674 « Développeur web et web mobile » (niveau 5)" in gap.output
    english = run(folder, "wallet", "gap", "--job", JOB, "--lang", "en")
    assert "Give a catalogue (--catalogue)" in english.output
    as_json = json.loads(run(folder, "wallet", "gap", "--job", JOB, "--json").output)
    assert as_json["counts"]["inferred"] == 3 and as_json["counts"]["declared"] == 0
    proposed = run(folder, "wallet", "infer", "--job", JOB)
    assert "~ JavaScript — déduit : du poste" in proposed.output
    assert "Gardez-les comme vos déclarations avec --keep." in proposed.output
    kept = run(folder, "wallet", "infer", "--job", JOB, "--keep")
    assert kept.exit_code == 0, kept.output
    assert kept.output.count("gardée comme votre déclaration") == 3
    after = json.loads(run(folder, "wallet", "gap", "--job", JOB, "--json").output)
    assert after["counts"]["declared"] == 3 and after["counts"]["inferred"] == 0
    assert "ne suggèrent aucune" in run(folder, "wallet", "infer", "--job", JOB).output


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    missing = run_process("wallet", "gap", "--job", tmp_path / "absent.json", cwd=tmp_path)
    assert "absent.json" in one_line_error(missing)
    write(tmp_path / "req.json", {"type": "ValidationRequest", "format": "other"})
    make_profile(tmp_path / "of", seed=35, did="web:of.example")
    refused = run_process(
        "issue",
        "training",
        "--issuer",
        tmp_path / "of",
        "--from-declared",
        tmp_path / "req.json",
        "--yes",
        cwd=tmp_path,
    )
    assert "not a validation request" in one_line_error(refused)
