"""``passeport issuer``, ``issue`` and ``status``, mounted as the shell mounts them."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from passeport.errors import PasseportError
from passeport.issuer import cli as issuer_cli
from passeport.verifier import cli as verifier_cli
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples" / "issuer"
runner = CliRunner()


def _shell() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)
    app.add_typer(issuer_cli.app, name="issuer")
    app.add_typer(issuer_cli.status_app, name="status")
    app.command()(issuer_cli.issue)
    app.command()(verifier_cli.verify)
    return app


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str


def run(*args: str | Path) -> Ran:
    """Run a command as ``passeport.cli.main`` does: our errors become one line and exit 2."""
    result = runner.invoke(_shell(), [str(a) for a in args])
    if isinstance(result.exception, PasseportError):
        return Ran(2, result.stdout, f"passeport: {result.exception}\n")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def univ(tmp_path: Path) -> Path:
    folder = tmp_path / "univ"
    ran = run("issuer", "init", folder, "--name", "Université Exemple", "--did", "web:univ.example")
    assert ran.code == 0, ran.stdout + ran.stderr
    return folder


def test_init_creates_a_profile_and_prints_no_secret(tmp_path: Path) -> None:
    folder = tmp_path / "univ"
    ran = run("issuer", "init", folder, "--name", "Université Exemple", "--did", "web:univ.example")
    assert ran.code == 0, ran.stderr
    assert "did:web:univ.example" in ran.stdout
    assert "https://univ.example/status/" in ran.stdout
    assert "https://univ.example/.well-known/did.json" in ran.stdout
    key = json.loads((folder / "key.json").read_text())
    secret = (folder / "permutation.key").read_text().strip()
    assert key["secretKeyMultibase"] not in ran.stdout + ran.stderr
    assert secret not in ran.stdout + ran.stderr
    assert stat.S_IMODE(os.stat(folder / "key.json").st_mode) == 0o600
    again = run("issuer", "init", folder, "--name", "Other", "--did", "web:univ.example")
    assert again.code == 2 and "refusing to overwrite a profile" in again.stderr
    shown = run("issuer", "show", folder)
    assert shown.code == 0 and "attestations délivrées :   0 dans 0 liste(s)" in shown.stdout
    english = run("issuer", "show", folder, "--lang", "en")
    assert "credentials issued:   0 in 0 status list(s)" in english.stdout
    assert key["secretKeyMultibase"] not in shown.stdout


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--did", "key"], "p: a did:key issuer has no web host: give the status list base URL"),
        (["--did", "web:univ.example", "--list-size", "1000"], "p: a status list holds at least"),
        (["--did", "web:univ.example", "--suite", "rot13"], 'unknown suite "rot13" (expected'),
        (["--did", "jwk"], "p: DID method 'jwk': an issuer uses key or web:HOST[:PATH]"),
        (["--did", "web:univ.example", "--type", "p256", "--suite", "eddsa-rdfc-2022"], "cannot"),
    ],
)
def test_init_refuses_bad_settings_in_one_line(
    tmp_path: Path, options: list[str], message: str
) -> None:
    ran = run("issuer", "init", tmp_path / "p", "--name", "X", *options)
    assert ran.code == 2 and len(ran.stderr.splitlines()) == 1
    assert ran.stderr.startswith("passeport: ") and message in ran.stderr
    assert not (tmp_path / "p").exists()


def test_init_usage_errors(tmp_path: Path) -> None:
    result = runner.invoke(_shell(), ["issuer", "init", str(tmp_path / "p"), "--type", "rsa"])
    assert result.exit_code == 2 and "rsa" in result.output
    assert not (tmp_path / "p").exists()


def test_init_with_a_did_key_and_p256(tmp_path: Path) -> None:
    ran = run(
        "issuer",
        "init",
        tmp_path / "co",
        "--name",
        "Employeur",
        "--type",
        "p256",
        "--status-base",
        "https://jobs.example/status/",
    )
    assert ran.code == 0, ran.stderr
    assert "did:key:zDn" in ran.stdout and "ecdsa-rdfc-2019" in ran.stdout


def test_issue_one_to_stdout_and_to_a_file(univ: Path, tmp_path: Path) -> None:
    ran = run("issue", "skill", "--issuer", univ, "--data", EXAMPLES / "skill.json")
    assert ran.code == 0, ran.stderr
    credential = json.loads(ran.stdout)
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert f"émise : {credential['id']} (skill, eddsa-rdfc-2022)" in ran.stderr
    data = EXAMPLES / "skill.json"
    english = run("issue", "skill", "--issuer", univ, "--data", data, "--lang", "en")
    assert english.code == 0 and "issued urn:uuid:" in english.stderr
    out = tmp_path / "skill.signed.json"
    ran = run(
        "issue",
        "skill",
        "--issuer",
        univ,
        "--data",
        EXAMPLES / "skill.json",
        "--suite",
        "eddsa-jcs-2022",
        "-o",
        out,
    )
    assert ran.code == 0 and ran.stdout == ""
    assert json.loads(out.read_text())["proof"]["cryptosuite"] == "eddsa-jcs-2022"


def test_issue_with_ecdsa_sd_2023_lets_the_holder_disclose_a_part(
    univ: Path, tmp_path: Path
) -> None:
    from passeport.proofs.ecdsa_sd import derive
    from passeport.verifier import Environment, verify_credential

    folder = tmp_path / "sst"
    ran = run(
        "issuer",
        "init",
        folder,
        "--name",
        "Organisme SST",
        "--did",
        "web:sst.example",
        "--type",
        "p256",
        "--suite",
        "ecdsa-sd-2023",
    )
    assert ran.code == 0, ran.stderr
    out = tmp_path / "sd.json"
    ran = run(
        "issue", "diploma", "--issuer", folder, "--data", EXAMPLES / "diploma.json", "-o", out
    )
    assert ran.code == 0, ran.stderr
    base = json.loads(out.read_text("utf-8"))
    assert base["proof"]["cryptosuite"] == "ecdsa-sd-2023"
    public = tmp_path / "public"
    assert run("status", "publish", "--issuer", folder, "-o", public).code == 0
    shown = derive(base, ["/credentialSubject/achievement/name"])
    assert "2003-04-12" in out.read_text("utf-8") and "2003-04-12" not in json.dumps(shown)
    assert verify_credential(shown, env=Environment().with_cache(public)).verified
    # An Ed25519 issuer cannot sign ecdsa-sd-2023: one line, exit 2, nothing written.
    refused = run(
        "issue",
        "diploma",
        "--issuer",
        univ,
        "--data",
        EXAMPLES / "diploma.json",
        "--suite",
        "ecdsa-sd-2023",
        "-o",
        tmp_path / "no.json",
    )
    assert refused.code == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert "ecdsa-sd-2023" in refused.stderr and not (tmp_path / "no.json").exists()


def test_issue_as_vc_jwt_or_sd_jwt_writes_the_token(univ: Path, tmp_path: Path) -> None:
    data = EXAMPLES / "diploma.json"
    printed = run("issue", "diploma", "--issuer", univ, "--data", data, "--suite", "vc-jwt")
    assert printed.code == 0, printed.stderr
    assert printed.stdout.count(".") == 2 and printed.stdout.startswith("eyJ")
    assert "(diploma, vc-jwt)" in printed.stderr and "émise : urn:uuid:" in printed.stderr
    token = tmp_path / "diploma.sd-jwt"
    ran = run(
        "issue", "diploma", "--issuer", univ, "--data", data, "--suite", "sd-jwt", "-o", token
    )
    assert ran.code == 0 and ran.stdout == ""
    assert token.read_text("utf-8").rstrip().endswith("~")  # an SD-JWT without Key Binding
    public = tmp_path / "public"
    assert run("status", "publish", "--issuer", univ, "-o", public).code == 0
    assert run("verify", token, "--cache", public, "--offline").code == 0
    revoked = run("status", "revoke", token, "--issuer", univ, "--json")  # named by its file
    assert revoked.code == 0, revoked.stderr
    assert json.loads(revoked.stdout)["state"] == "revoked"
    assert run("status", "publish", "--issuer", univ, "-o", public).code == 0
    assert run("verify", token, "--cache", public, "--offline").code == 1


def test_issue_bad_data_is_one_line_exit_2(univ: Path, tmp_path: Path) -> None:
    data = json.loads((EXAMPLES / "diploma.json").read_text())
    data["awardedDate"] = "yesterday"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    ran = run("issue", "diploma", "--issuer", univ, "--data", bad, "-o", tmp_path / "x.json")
    assert ran.code == 2
    assert ran.stderr.startswith(f"passeport: {bad}: /awardedDate: ")
    assert len(ran.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.json").exists()
    missing = run("issue", "diploma", "--issuer", tmp_path / "nowhere", "--data", bad)
    assert missing.code == 2 and "not an issuer profile" in missing.stderr


@pytest.mark.parametrize(
    "arguments",
    [
        ["issue", "diploma"],
        ["issue", "diploma", "--data", "a.json", "--csv", "b.csv"],
        ["issue", "diploma", "--csv", "b.csv"],
        ["issue", "diploma", "--csv", "b.csv", "-o", "out", "--workers", "0"],
    ],
)
def test_issue_usage_errors(univ: Path, arguments: list[str]) -> None:
    result = runner.invoke(_shell(), [*arguments, "--issuer", str(univ)])
    assert result.exit_code == 2, result.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["passport", "--data", "x.json"],
            'unknown template "passport" (expected one of: diploma,',
        ),
        (["diploma", "--data", "x.json", "--suite", "rot13"], 'unknown suite "rot13"'),
    ],
)
def test_unknown_template_or_suite_in_one_line(
    univ: Path, arguments: list[str], message: str
) -> None:
    ran = run("issue", *arguments, "--issuer", univ)
    assert ran.code == 2 and ran.stderr.startswith(f"passeport: {message}")
    assert len(ran.stderr.splitlines()) == 1


def test_batch_prints_a_summary_and_exits_1_when_rows_failed(univ: Path, tmp_path: Path) -> None:
    out = tmp_path / "class"
    ran = run("issue", "diploma", "--issuer", univ, "--csv", EXAMPLES / "class.csv", "-o", out)
    rows = len((EXAMPLES / "class.csv").read_text().strip().splitlines()) - 1
    assert ran.code == 0, ran.stdout + ran.stderr
    assert "émises" in ran.stdout and f"│ {rows:>6} │" in ran.stdout
    assert "attestations écrites dans" in ran.stdout and "sautées (déjà émises)" in ran.stdout
    assert len(list(out.glob("*.json"))) == rows
    csv = EXAMPLES / "class.csv"
    english = run("issue", "diploma", "--issuer", univ, "--csv", csv, "-o", out, "--lang", "en")
    assert english.code == 0 and "skipped (already issued)" in english.stdout
    assert "credentials written to" in english.stdout
    refused = run("issue", "diploma", "--issuer", univ, "--csv", csv, "-o", out, "--lang", "de")
    assert refused.code == 2 and "choose fr or en" in refused.stderr

    again = run(
        "issue", "diploma", "--issuer", univ, "--csv", EXAMPLES / "class.csv", "-o", out, "--json"
    )
    assert again.code == 0
    summary = json.loads(again.stdout)
    assert (summary["issued"], summary["skipped"], summary["failed"]) == (0, rows, 0)

    text = (EXAMPLES / "class.csv").read_text().splitlines()
    text[3] = text[3].replace("RNCP35288", "RNCP-X", 1)
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join(text) + "\n")
    # Into the same folder: the other rows are already issued, the changed one is new and bad.
    failed = run("issue", "diploma", "--issuer", univ, "--csv", broken, "-o", out)
    assert failed.code == 1
    [line] = failed.stderr.splitlines()
    assert line.startswith("broken.csv row 4: /achievement/code: ")
    as_json = run("issue", "diploma", "--issuer", univ, "--csv", broken, "-o", out, "--json")
    assert as_json.code == 1
    assert json.loads(as_json.stdout)["failures"][0]["row"] == 4


def test_batch_summary_names_the_file_as_it_is(
    univ: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("[b]promo").mkdir()
    rows = Path("[b]promo") / "[red]class.csv"
    rows.write_bytes((EXAMPLES / "class.csv").read_bytes())
    ran = run("issue", "diploma", "--issuer", univ, "--csv", rows, "-o", "out")
    assert ran.code == 0, ran.stderr
    assert "[b]promo/[red]class.csv" in ran.stdout  # a name, not rich markup


def test_batch_from_json_lines(univ: Path, tmp_path: Path) -> None:
    lines = tmp_path / "skills.jsonl"
    skill = json.loads((EXAMPLES / "skill.json").read_text())
    lines.write_text(json.dumps(skill) + "\n")
    ran = run("issue", "skill", "--issuer", univ, "--jsonl", lines, "-o", tmp_path / "o", "--json")
    assert ran.code == 0 and json.loads(ran.stdout)["issued"] == 1


def test_status_changes_reach_the_verifier(univ: Path, tmp_path: Path) -> None:
    signed = tmp_path / "diploma.signed.json"
    assert (
        run(
            "issue", "diploma", "--issuer", univ, "--data", EXAMPLES / "diploma.json", "-o", signed
        ).code
        == 0
    )
    credential_id = json.loads(signed.read_text())["id"]
    public = tmp_path / "public"

    def verify() -> int:
        published = run("status", "publish", "--issuer", univ, "-o", public)
        assert published.code == 0, published.stderr
        return run("verify", signed, "--cache", public, "--offline").code

    assert verify() == 0
    assert (public / "univ.example" / ".well-known" / "did.json").is_file()
    suspended = run("status", "suspend", credential_id, "--issuer", univ, "--reason", "inquiry")
    assert suspended.code == 0 and "est désormais suspendu (inquiry)" in suspended.stdout
    assert verify() == 1
    assert run("status", "reinstate", signed, "--issuer", univ).code == 0
    assert verify() == 0
    revoked = run("status", "revoke", signed, "--issuer", univ, "--reason", "fraud", "--lang", "en")
    assert revoked.code == 0 and f"{credential_id} is now revoked (fraud)" in revoked.stdout
    assert verify() == 1
    final = run("status", "reinstate", credential_id, "--issuer", univ)
    assert final.code == 2 and "revocation is final" in final.stderr
    unknown = run("status", "revoke", "urn:uuid:nope", "--issuer", univ)
    assert unknown.code == 2 and "no such credential" in unknown.stderr


def test_publish_options(univ: Path, tmp_path: Path) -> None:
    assert run("issue", "skill", "--issuer", univ, "--data", EXAMPLES / "skill.json").code == 0
    ran = run(
        "status",
        "publish",
        "--issuer",
        univ,
        "-o",
        tmp_path / "p",
        "--valid-days",
        "2",
        "--ttl-minutes",
        "30",
    )
    assert ran.code == 0
    listed = json.loads((tmp_path / "p" / "univ.example" / "status" / "revocation-1").read_text())
    assert "validUntil" in listed and listed["credentialSubject"]["ttl"] == 1_800_000


def test_every_command_speaks_json(tmp_path: Path) -> None:
    folder = tmp_path / "univ"
    init = run(
        "issuer", "init", folder, "--name", "Université Exemple", "--did", "web:univ.example"
    )
    made = run(
        "issuer", "init", tmp_path / "u2", "--name", "U2", "--did", "web:u2.example", "--json"
    )
    assert made.code == 0, made.stderr
    profile = json.loads(made.stdout)
    assert profile["did"] == "did:web:u2.example" and profile["directory"] == str(tmp_path / "u2")
    assert profile["didDocumentUrl"] == "https://u2.example/.well-known/did.json"
    assert profile["statusBase"] == "https://u2.example/status/" and init.code == 0
    out = tmp_path / "skill.json"
    issued = run("issue", "skill", "--issuer", folder, "--data", EXAMPLES / "skill.json")
    assert json.loads(issued.stdout)["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    issued = run(
        "issue", "skill", "--issuer", folder, "--data", EXAMPLES / "skill.json", "-o", out, "--json"
    )
    assert issued.code == 0, issued.stderr
    credential_id = json.loads(out.read_text("utf-8"))["id"]
    assert json.loads(issued.stdout) == {
        "id": credential_id,
        "template": "skill",
        "suite": "eddsa-rdfc-2022",
        "output": str(out),
    }
    shown = json.loads(run("issuer", "show", folder, "--json").stdout)
    assert (shown["name"], shown["credentials"], shown["statusLists"]) == (
        "Université Exemple",
        2,
        1,
    )
    assert "secret" not in json.dumps(shown).lower()
    for action, state in (("suspend", "suspended"), ("reinstate", "active"), ("revoke", "revoked")):
        changed = run(
            "status", action, credential_id, "--issuer", folder, "--reason", "r", "--json"
        )
        assert changed.code == 0, changed.stderr
        record = json.loads(changed.stdout)
        assert (record["id"], record["state"], record["reason"]) == (credential_id, state, "r")
        assert record["changed"].endswith("Z")
    published = run("status", "publish", "--issuer", folder, "-o", tmp_path / "p", "--json")
    files = json.loads(published.stdout)["files"]
    assert sorted(Path(f).name for f in files) == ["did.json", "revocation-1", "suspension-1"]
    assert all(Path(f).is_file() for f in files)


def test_a_single_credential_is_not_written_over_a_folder(univ: Path, tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    ran = run("issue", "skill", "--issuer", univ, "--data", EXAMPLES / "skill.json", "-o", folder)
    assert ran.code == 2 and ran.stderr.startswith(f"passeport: {folder}: is a folder")
    assert list(folder.iterdir()) == []
    shown = json.loads(run("issuer", "show", univ, "--json").stdout)
    assert shown["credentials"] == 0  # refused before anything was issued


def test_help_texts_speak_to_certifiers() -> None:
    result = runner.invoke(_shell(), ["status", "--help"])
    assert result.exit_code == 0
    assert "Revoke a credential for good" in result.output
    assert "Lift a suspension" in result.output
    result = runner.invoke(_shell(), ["issue", "--help"])
    assert "Issue signed credentials from a template" in result.output


def test_an_interrupted_batch_says_how_to_resume(
    univ: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    import passeport.issuer.batch

    monkeypatch.setattr(passeport.issuer.batch, "issue_batch", interrupted)
    ran = run("issue", "diploma", "--issuer", univ, "--csv", EXAMPLES / "class.csv", "-o", tmp_path)
    assert ran.code == 130
    assert "relancez la même commande pour reprendre" in ran.stderr
    english = run(
        "issue",
        "diploma",
        "--issuer",
        univ,
        "--csv",
        EXAMPLES / "class.csv",
        "-o",
        tmp_path,
        "--lang",
        "en",
    )
    assert "run the same command again to resume" in english.stderr


def test_init_offers_p384_like_key_new(tmp_path: Path) -> None:
    folder = tmp_path / "p384"
    ran = run(
        "issuer",
        "init",
        folder,
        "--name",
        "Ministère",
        "--did",
        "web:min.example",
        "--type",
        "p384",
    )
    assert ran.code == 0, ran.stdout + ran.stderr
    key = json.loads((folder / "key.json").read_text("utf-8"))
    assert key["publicKeyMultibase"].startswith("z82")  # a P-384 Multikey
