"""passeport sign --suite vc-jwt|sd-jwt, passeport derive on an SD-JWT, passeport verify."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from typer.testing import CliRunner

from passeport.cli import app
from passeport.did import KeyPair, PrivateKey, write_key_file
from passeport.errors import InputError
from tests.cli.test_cli import one_line_error, run
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


def test_bad_input_is_one_line_and_exit_2_a_refused_token_exit_1(tmp_path: Path) -> None:
    cred, issuer, _ = _files(tmp_path)
    signed = run("sign", cred, "--key", issuer, "--suite", "sd-jwt", "-o", "c.sdjwt", cwd=tmp_path)
    assert signed.returncode == 0, signed.stderr
    (tmp_path / "garbage.jwt").write_text("abc.def.ghi\n")
    line = one_line_error(run("verify", "garbage.jwt", "--offline", cwd=tmp_path))
    assert line == (
        "passeport: garbage.jwt: not a readable JWT or SD-JWT: JWT header is not UTF-8 JSON"
    )
    line = one_line_error(run("derive", "c.sdjwt", "--reveal", "credentialSubject", cwd=tmp_path))
    assert line.startswith("passeport: c.sdjwt: ") and "'credentialSubject'" in line
    line = one_line_error(run("derive", "garbage.jwt", "--reveal", "/name", cwd=tmp_path))
    assert line.startswith("passeport: garbage.jwt: ")
    # alg "none" reads, and is refused with its reason: a verdict, not bad input.
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"vc+jwt"}').rstrip(b"=").decode()
    payload = base64.urlsafe_b64encode(cred.read_bytes()).rstrip(b"=").decode()
    (tmp_path / "none.jwt").write_text(f"{header}.{payload}.")
    refused = run("verify", "none.jwt", "--offline", "--json", cwd=tmp_path)
    assert refused.returncode == 1, refused.stderr
    reasons = {c["code"]: c["message"] for c in json.loads(refused.stdout)["checks"]}
    assert reasons["proof.alg"] == 'alg "none" is refused: the token is not signed'


def test_derive_refuses_binding_options_that_would_be_ignored(tmp_path: Path) -> None:
    cred, issuer, holder = _files(tmp_path)
    sd_jwt, base = tmp_path / "c.sdjwt", tmp_path / "c.json"
    for suite, out in (("sd-jwt", sd_jwt), ("ecdsa-sd-2023", base)):
        signed = RUNNER.invoke(
            app, ["sign", str(cred), "--key", str(issuer), "--suite", suite, "-o", str(out)]
        )
        assert signed.exit_code == 0, signed.output
    reveal = ["--reveal", "/credentialSubject/name"]
    unkeyed = RUNNER.invoke(app, ["derive", str(sd_jwt), *reveal, "--challenge", "c1"])
    assert isinstance(unkeyed.exception, InputError)
    assert "give --key" in str(unkeyed.exception)
    for option in (["--challenge", "c1"], ["--domain", "rh.example"], ["--key", str(holder)]):
        refused = RUNNER.invoke(app, ["derive", str(base), *reveal, *option])
        assert isinstance(refused.exception, InputError), option
        assert str(refused.exception).startswith(f"{base}: --key, --challenge and --domain bind")
    assert RUNNER.invoke(app, ["derive", str(base), *reveal]).exit_code == 0


def test_sign_refuses_options_of_another_suite(tmp_path: Path) -> None:
    cred, issuer, holder = _files(tmp_path)
    base = ["sign", str(cred), "--key", str(issuer)]
    for suite, option, message in (
        ("vc-jwt", ["--mandatory", "/issuer"], "--mandatory applies to ecdsa-sd-2023 and sd-jwt"),
        ("ecdsa-rdfc-2019", ["--vct", "https://x.example/vct"], "--holder and --vct apply to"),
        ("ecdsa-sd-2023", ["--holder", "did:key:z6Mk"], "--holder and --vct apply to sd-jwt"),
    ):
        refused = RUNNER.invoke(app, [*base, "--suite", suite, *option])
        assert isinstance(refused.exception, InputError), (suite, refused.output)
        assert str(refused.exception).startswith(f"{cred}: {message}")
    clear = ["--mandatory", "/credentialSubject/achievement/name"]
    accepted = RUNNER.invoke(app, [*base, "--suite", "sd-jwt", *clear])
    assert accepted.exit_code == 0, accepted.output
    holder_did = json.loads(holder.read_text())["controller"]
    bound = RUNNER.invoke(app, [*base, "--suite", "sd-jwt", "--holder", holder_did])
    assert bound.exit_code == 0, bound.output
