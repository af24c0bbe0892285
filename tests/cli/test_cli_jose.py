"""passeport sign --suite vc-jwt|sd-jwt, passeport derive on an SD-JWT, passeport verify."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from did import KeyPair, PrivateKey, write_key_file
from passeport.cli import app
from tests.conftest import ROOT

RUNNER = CliRunner()
SAMPLE = ROOT / "passeport" / "samples" / "diploma.json"


def _files(folder: Path) -> tuple[Path, Path, Path]:
    issuer = KeyPair.from_private_key(PrivateKey.from_raw("P-256", bytes([5]) * 32))
    holder = KeyPair.from_private_key(PrivateKey.from_raw("Ed25519", bytes([6]) * 32))
    write_key_file(folder / "issuer.json", issuer)
    write_key_file(folder / "holder.json", holder)
    credential = json.loads(SAMPLE.read_text())
    credential["credentialSubject"]["id"] = holder.controller
    (folder / "cred.json").write_text(json.dumps(credential))
    return folder / "cred.json", folder / "issuer.json", folder / "holder.json"


def test_sign_vc_jwt_then_verify(tmp_path: Path) -> None:
    cred, issuer, _ = _files(tmp_path)
    out = tmp_path / "c.jwt"
    signed = RUNNER.invoke(app, ["sign", str(cred), "--key", str(issuer), "--suite", "vc-jwt"])
    assert signed.exit_code == 0, signed.output
    out.write_text(signed.stdout)
    assert signed.stdout.strip().count(".") == 2
    verified = RUNNER.invoke(app, ["verify", str(out), "--offline", "--json"])
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.stdout)["summary"]["proofs"] == ["vc+jwt"]


def test_sign_sd_jwt_derive_with_key_binding_and_verify(tmp_path: Path) -> None:
    cred, issuer, holder = _files(tmp_path)
    issued, shown = tmp_path / "c.sdjwt", tmp_path / "p.sdjwt"
    mandatory = "/credentialSubject/achievement/name"
    signed = RUNNER.invoke(
        app,
        [
            *("sign", str(cred), "--key", str(issuer), "--suite", "sd-jwt"),
            *("--mandatory", mandatory, "-o", str(issued)),
        ],
    )
    assert signed.exit_code == 0, signed.output
    token = issued.read_text().strip()
    assert token.endswith("~") and token.count("~") > 5
    derived = RUNNER.invoke(
        app,
        [
            *("derive", str(issued), "--reveal", "/credentialSubject/name", "--key", str(holder)),
            *("--challenge", "c1", "--domain", "rh.example", "-o", str(shown)),
        ],
    )
    assert derived.exit_code == 0, derived.output
    assert not shown.read_text().strip().endswith("~")  # a key binding JWT closes it
    for challenge, code in (("c1", 0), ("c2", 1)):
        verified = RUNNER.invoke(
            app, ["verify", str(shown), "--challenge", challenge, "--domain", "rh.example"]
        )
        assert verified.exit_code == code, verified.output


def test_derive_names_a_pointer_that_is_not_there(tmp_path: Path) -> None:
    cred, issuer, _ = _files(tmp_path)
    issued = tmp_path / "c.sdjwt"
    RUNNER.invoke(
        app, ["sign", str(cred), "--key", str(issuer), "--suite", "sd-jwt", "-o", str(issued)]
    )
    result = RUNNER.invoke(app, ["derive", str(issued), "--reveal", "/nope"])
    assert result.exit_code != 0
    assert "/nope" in str(result.exception) or "/nope" in result.output


def test_a_challenge_on_a_credential_is_refused(tmp_path: Path) -> None:
    cred, issuer, _ = _files(tmp_path)
    result = RUNNER.invoke(
        app, ["sign", str(cred), "--key", str(issuer), "--suite", "vc-jwt", "--challenge", "x"]
    )
    assert result.exit_code != 0
