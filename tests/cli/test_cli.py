"""The command line as a recruiter or a certifier uses it: exit codes and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import DBJS, ROOT

SAMPLE = ROOT / "passeport" / "samples" / "diploma.json"


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``passeport`` as the console script does, in a child process."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "passeport", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """Assert exit 2 with exactly one line on stderr, no traceback; return it."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("key_type", "suites"),
    [
        ("ed25519", ["eddsa-rdfc-2022", "eddsa-jcs-2022"]),
        ("p256", ["ecdsa-rdfc-2019", "ecdsa-jcs-2019"]),
        ("p384", ["ecdsa-rdfc-2019", "ecdsa-jcs-2019"]),
    ],
)
def test_key_new_sign_verify(key_type: str, suites: list[str], tmp_path: Path) -> None:
    assert run("key", "new", "--type", key_type, "-o", "k.json", cwd=tmp_path).returncode == 0
    assert (tmp_path / "k.json").stat().st_mode & 0o777 == 0o600
    shown = run("key", "show", "k.json", cwd=tmp_path)
    assert shown.returncode == 0 and "did:key:" in shown.stdout
    assert "secretKeyMultibase" not in shown.stdout
    secret = json.loads((tmp_path / "k.json").read_text())["secretKeyMultibase"]
    assert secret not in shown.stdout
    for suite in suites:
        signed = run(
            "sign", SAMPLE, "--key", "k.json", "--suite", suite, "-o", "s.json", cwd=tmp_path
        )
        assert signed.returncode == 0, signed.stderr
        verified = run("verify", "s.json", "--json", "--offline", cwd=tmp_path)
        assert verified.returncode == 0, verified.stdout
        report = json.loads(verified.stdout)
        assert report["verified"] is True
        assert {c["code"] for c in report["checks"]} >= {"proof.signature", "validity.period"}


def test_verify_fails_with_exit_1_on_a_forgery(tmp_path: Path) -> None:
    forged = DBJS / "outputs" / "diploma-eddsa-rdfc-2022-tampered.json"
    result = run("verify", forged, "--offline", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("NON VÉRIFIÉ")
    assert "FALSIFIÉ ou modifié" in result.stdout
    assert "proof.signature" not in result.stdout  # the table is behind --details
    detailed = run("verify", forged, "--offline", "--details", "--lang", "en", cwd=tmp_path)
    assert detailed.stdout.startswith("NOT VERIFIED") and "FORGED or altered" in detailed.stdout
    assert "proof.signature" in detailed.stdout
    assert "validity period" in detailed.stdout
    french = run("verify", forged, "--offline", "--details", cwd=tmp_path)
    # The table says what each check is about in French; the code stays for whoever debugs.
    assert "contrôle" in french.stdout and "détail (technique)" in french.stdout
    assert "période de validité" in french.stdout and "validity.period" in french.stdout
    assert "check" not in french.stdout.split()


def test_human_output_says_what_is_proven_in_french_then_english(tmp_path: Path) -> None:
    signed = DBJS / "outputs" / "diploma-eddsa-rdfc-2022.json"
    result = run("verify", signed, "--offline", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("VÉRIFIÉ")
    # No awardedDate in it: the date it was signed is never said to be the award date.
    # Without a trust list, the issuer's name is its own word: quoted, said unverified.
    assert "délivré à Camille Martin par « Université Exemple » (nom non vérifié)" in result.stdout
    assert ": authentique." in result.stdout
    english = run("verify", signed, "--offline", "--lang", "en", cwd=tmp_path)
    assert "awarded to Camille Martin by “Université Exemple” (name not verified)" in english.stdout
    refused = run("verify", signed, "--offline", "--lang", "de", cwd=tmp_path)
    assert refused.returncode == 2


def test_malformed_json_names_file_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"@context": [\n  "x",\n}')
    line = one_line_error(run("verify", "bad.json", cwd=tmp_path))
    assert line.startswith("passeport: bad.json: malformed JSON at line 3, column 1")


def test_missing_file(tmp_path: Path) -> None:
    line = one_line_error(run("verify", "nowhere.json", cwd=tmp_path))
    assert "nowhere.json: no such file" in line


def test_unknown_context_is_refused_when_signing(tmp_path: Path) -> None:
    run("key", "new", "-o", "k.json", cwd=tmp_path)
    document = json.loads(SAMPLE.read_text())
    document["@context"].append("https://evil.example/context.jsonld")
    (tmp_path / "c.json").write_text(json.dumps(document))
    line = one_line_error(run("sign", "c.json", "--key", "k.json", "-o", "s.json", cwd=tmp_path))
    assert "https://evil.example/context.jsonld" in line and "not bundled" in line
    assert not (tmp_path / "s.json").exists()


def test_undefined_term_is_refused_with_its_pointer(tmp_path: Path) -> None:
    run("key", "new", "-o", "k.json", cwd=tmp_path)
    document = json.loads(SAMPLE.read_text())
    document["credentialSubject"]["achievement"]["birthDate"] = "2001-02-03"
    (tmp_path / "c.json").write_text(json.dumps(document))
    line = one_line_error(run("sign", "c.json", "--key", "k.json", cwd=tmp_path))
    assert (
        'c.json: /credentialSubject/achievement/birthDate: term "birthDate" is not defined' in line
    )


def test_wrong_key_type_for_suite(tmp_path: Path) -> None:
    run("key", "new", "--type", "ed25519", "-o", "k.json", cwd=tmp_path)
    line = one_line_error(
        run("sign", SAMPLE, "--key", "k.json", "--suite", "ecdsa-rdfc-2019", cwd=tmp_path)
    )
    assert "ecdsa-rdfc-2019 cannot sign with a Ed25519 key" in line


def test_bad_multibase_in_key_file(tmp_path: Path) -> None:
    run("key", "new", "-o", "k.json", cwd=tmp_path)
    key = json.loads((tmp_path / "k.json").read_text())
    key["secretKeyMultibase"] = "z0OIl"  # not base58btc
    (tmp_path / "k.json").write_text(json.dumps(key))
    line = one_line_error(run("sign", SAMPLE, "--key", "k.json", cwd=tmp_path))
    assert "k.json" in line


def test_issuer_mismatch_is_refused(tmp_path: Path) -> None:
    run("key", "new", "-o", "k.json", cwd=tmp_path)
    document = json.loads(SAMPLE.read_text())
    document["issuer"] = "did:example:someone-else"
    (tmp_path / "c.json").write_text(json.dumps(document))
    line = one_line_error(run("sign", "c.json", "--key", "k.json", "-o", "s.json", cwd=tmp_path))
    assert "/issuer" in line and "did:example:someone-else" in line
    assert not (tmp_path / "s.json").exists()


def test_unknown_suite_is_a_usage_error(tmp_path: Path) -> None:
    run("key", "new", "-o", "k.json", cwd=tmp_path)
    result = run("sign", SAMPLE, "--key", "k.json", "--suite", "rot13-2024", cwd=tmp_path)
    assert result.returncode == 2 and "rot13-2024" in result.stderr


def test_presentation_signed_and_verified_with_challenge(tmp_path: Path) -> None:
    run("key", "new", "-o", "issuer.json", cwd=tmp_path)
    run("key", "new", "-o", "holder.json", cwd=tmp_path)
    assert (
        run("sign", SAMPLE, "--key", "issuer.json", "-o", "vc.json", cwd=tmp_path).returncode == 0
    )
    vp = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [json.loads((tmp_path / "vc.json").read_text())],
    }
    (tmp_path / "vp.json").write_text(json.dumps(vp))
    signed = run(
        "sign",
        "vp.json",
        "--key",
        "holder.json",
        "--challenge",
        "c-1",
        "--domain",
        "hr.example",
        "-o",
        "svp.json",
        cwd=tmp_path,
    )
    assert signed.returncode == 0, signed.stderr
    ok = run(
        "verify", "svp.json", "--challenge", "c-1", "--domain", "hr.example", "--json", cwd=tmp_path
    )
    assert ok.returncode == 0, ok.stdout
    replay = run(
        "verify", "svp.json", "--challenge", "c-2", "--domain", "hr.example", "--json", cwd=tmp_path
    )
    assert replay.returncode == 1
    codes = [c["code"] for c in json.loads(replay.stdout)["checks"] if c["outcome"] == "failed"]
    assert codes == ["proof.challenge"]


def test_demo_runs(tmp_path: Path) -> None:
    result = run("demo", tmp_path / "story", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "story" / "presentation.json").exists()


def _aged_presentations(tmp_path: Path, made_ago: timedelta) -> None:
    """Write a Data Integrity presentation and an SD-JWT+KB made ``made_ago`` before now."""
    from passeport.did import KeyAlgorithm, KeyPair, PrivateKey, public_to_jwk
    from passeport.proofs.sdjwt import issue_sd_jwt, present_sd_jwt
    from passeport.proofs.sign import sign_document

    issuer, holder = (
        KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([seed]) * 32))
        for seed in (95, 96)
    )
    made = datetime.now(UTC) - made_ago
    diploma = {k: v for k, v in json.loads(SAMPLE.read_text()).items() if k != "validFrom"}
    diploma["credentialSubject"]["id"] = holder.controller
    vp = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [sign_document(diploma, issuer)],
    }
    (tmp_path / "vp.json").write_text(json.dumps(sign_document(vp, holder, created=made)))
    token = issue_sd_jwt(
        diploma, issuer, vct="urn:x:diploma", holder_jwk=public_to_jwk(holder.public_key)
    )
    shown = present_sd_jwt(token, [], holder_key=holder, nonce="n", audience="a", issued_at=made)
    (tmp_path / "kb.sd-jwt").write_text(shown)


@pytest.mark.parametrize("name", ["vp.json", "kb.sd-jwt"])
def test_verify_max_age_bounds_a_presentation(name: str, tmp_path: Path) -> None:
    _aged_presentations(tmp_path, timedelta(hours=2))
    shown = run("verify", name, "--offline", cwd=tmp_path)
    assert shown.returncode == 0, shown.stdout  # no fixed five-minute window any more
    assert "présenté il y a 2 heures" in shown.stdout and "(rejeu)" in shown.stdout
    english = run("verify", name, "--offline", "--lang", "en", cwd=tmp_path)
    assert "presented 2 hours ago" in english.stdout and "(replay)" in english.stdout
    assert run("verify", name, "--offline", "--max-age", "3h", cwd=tmp_path).returncode == 0
    too_old = run("verify", name, "--offline", "--max-age", "90m", cwd=tmp_path)
    assert "plus ancien que la durée acceptée par ce vérificateur (90 minutes)" in too_old.stdout
    assert "older than" not in too_old.stdout
    refused = run("verify", name, "--offline", "--max-age", "90m", "--json", cwd=tmp_path)
    assert refused.returncode == 1, refused.stdout
    codes = {c["code"] for c in json.loads(refused.stdout)["checks"] if c["outcome"] == "failed"}
    assert codes == {"presentation.age"}


@pytest.mark.parametrize("value", ["soon", "0d", "30", "-1h", "3 days"])
def test_verify_max_age_refuses_a_bad_value(value: str, tmp_path: Path) -> None:
    (tmp_path / "vc.json").write_text("{}")
    result = run("verify", "vc.json", "--max-age", value, cwd=tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "--max-age" in result.stderr and "Traceback" not in result.stderr
