"""``passeport wallet``: the holder's commands, mounted as the shell mounts them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

from passeport.did.keyfile import write_key_file
from passeport.errors import WalletError
from passeport.verifier import Policy, verify_presentation
from passeport.verifier import cli as verifier_cli
from passeport.wallet import UnmetRequest, Wallet
from passeport.wallet import cli as wallet_cli
from passeport.wallet.cli import default_wallet_path
from tests.conftest import ROOT
from tests.verifier.status_helpers import encode_bits, entry, list_credential, publish
from tests.wallet._helpers import (
    HOLDER,
    PASSPHRASE,
    SOMEONE_ELSE,
    UNIVERSITY,
    diploma_document,
    first_aid_document,
    new_wallet,
    selective,
    signed,
)

app = typer.Typer()
app.add_typer(wallet_cli.app, name="wallet")
recruiter = typer.Typer()
recruiter.command()(verifier_cli.verify)
recruiter.command("noop")(lambda: None)  # two commands: "verify" stays a subcommand
REQUESTS = ROOT / "examples" / "requests"
FAR = "2999-12-31T23:59:59Z"


def run(tmp_path: Path, *args: str | Path, **env: str) -> Result:
    """Run ``passeport wallet ARGS`` against tmp_path/wallet.sqlite with the passphrase set."""
    variables = {
        "PASSEPORT_WALLET": str(tmp_path / "wallet.sqlite"),
        "PASSEPORT_PASSPHRASE": PASSPHRASE,
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
        "COLUMNS": "250",
        "NO_COLOR": "1",
        **env,
    }
    return CliRunner().invoke(app, ["wallet", *map(str, args)], env=variables)


def write(folder: Path, name: str, document: Any) -> Path:
    path = folder / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def listed(tmp_path: Path, *args: str) -> list[dict[str, Any]]:
    result = run(tmp_path, "list", "--json", *args)
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


@pytest.fixture
def wallet(tmp_path: Path) -> Wallet:
    """The holder's wallet at tmp_path/wallet.sqlite (cheap scrypt)."""
    return new_wallet(tmp_path)


def test_init_creates_a_private_wallet_and_did_prints_it(tmp_path: Path) -> None:
    result = run(tmp_path, "init")
    assert result.exit_code == 0, result.output
    path = tmp_path / "wallet.sqlite"
    assert path.stat().st_mode & 0o777 == 0o600
    did = run(tmp_path, "did")
    assert did.exit_code == 0 and did.stdout.strip().startswith("did:key:z6Mk")
    assert did.stdout.strip() in result.stdout
    as_json = json.loads(run(tmp_path, "did", "--json").stdout)
    assert as_json["did"] == did.stdout.strip()
    assert as_json["verificationMethod"].startswith(as_json["did"] + "#")
    again = run(tmp_path, "init")
    assert isinstance(again.exception, WalletError)
    wrong = run(tmp_path, "did", PASSEPORT_PASSPHRASE="nope")
    assert isinstance(wrong.exception, WalletError) and "wrong passphrase" in str(wrong.exception)


def test_init_with_a_key_file_and_a_prompted_passphrase(tmp_path: Path) -> None:
    key = tmp_path / "me.json"
    write_key_file(key, HOLDER)
    path = tmp_path / "elsewhere" / "mine.sqlite"
    result = CliRunner().invoke(
        app,
        ["wallet", "init", "--wallet", str(path), "--key", str(key)],
        input="s3cret phrase\ns3cret phrase\n",
        env={"PASSEPORT_PASSPHRASE": ""},
    )
    assert result.exit_code == 0, result.output
    assert "s3cret" not in result.output
    assert Wallet.open(path, "s3cret phrase").did == HOLDER.controller


def test_default_path_follows_xdg(tmp_path: Path) -> None:
    assert default_wallet_path({"XDG_DATA_HOME": "/data"}, tmp_path) == Path(
        "/data/passeport/wallet.sqlite"
    )
    assert default_wallet_path({}, tmp_path) == tmp_path / ".local/share/passeport/wallet.sqlite"
    result = run(tmp_path, "did", PASSEPORT_WALLET="")
    assert isinstance(result.exception, WalletError)
    assert str(tmp_path / "xdg" / "passeport" / "wallet.sqlite") in str(result.exception)


def test_add_reports_each_credential(tmp_path: Path, wallet: Wallet) -> None:
    good = write(tmp_path, "diploma.json", signed(diploma_document()))
    tampered_doc = signed(diploma_document(number=2))
    tampered_doc["name"] = "Doctorat"
    tampered = write(tmp_path, "tampered.json", tampered_doc)
    theirs = write(
        tmp_path, "theirs.json", signed(diploma_document(number=3, subject=SOMEONE_ELSE.controller))
    )
    result = run(tmp_path, "add", good, tampered, theirs, "--offline")
    assert result.exit_code == 1, result.output
    assert (
        "diploma.json: Titre professionnel Développeur web et web mobile ajoutée sous"
        in result.stdout
    )
    assert "tampered.json: refused, proof.signature" in result.stdout
    assert "concerne quelqu'un d'autre" in result.stdout
    assert "Demandez à son émetteur de la délivrer à votre DID" in result.stdout
    again = run(tmp_path, "add", good, "--offline", "--json")
    assert again.exit_code == 0
    (row,) = json.loads(again.stdout)
    assert row["status"] == "duplicate" and row["verification"]["verified"] is True


def test_add_refuses_what_fails_and_keeps_it_only_when_asked(
    tmp_path: Path, wallet: Wallet
) -> None:
    cache = tmp_path / "cache"
    publish(cache, list_credential(encode_bits([4]), signer=UNIVERSITY))
    revoked = write(tmp_path, "r.json", signed(diploma_document(status=entry(4), valid_until=FAR)))
    fine = write(tmp_path, "f.json", signed(diploma_document(number=2, status=entry(5))))
    expired = write(
        tmp_path, "e.json", signed(first_aid_document(valid_until="2024-12-31T23:59:59Z"))
    )
    result = run(tmp_path, "add", revoked, fine, expired, "--offline", "--cache", cache)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 3  # one line per file, nothing more
    hint = "(keep it anyway, marked not verified, with --keep-unverified)"
    assert lines[0].startswith(f"{revoked}: refused, status.revoked: revoked by the issuer")
    assert lines[0].endswith(hint)
    assert lines[1].startswith(f"{fine}: Titre professionnel") and lines[1].endswith("(vérifiée)")
    assert (
        lines[2] == f"{expired}: refused, validity.expired: expired on 2024-12-31T23:59:59Z {hint}"
    )
    assert [row["credentialId"] for row in listed(tmp_path)] == [
        "urn:uuid:00000000-0000-4000-8000-000000000002"
    ]
    as_json = run(tmp_path, "add", revoked, "--offline", "--cache", cache, "--json")
    assert as_json.exit_code == 1
    assert [(r["status"], r["id"]) for r in json.loads(as_json.stdout)] == [("refused", None)]

    kept = run(
        tmp_path, "add", revoked, expired, "--offline", "--cache", cache, "--keep-unverified"
    )
    assert kept.exit_code == 0, kept.output
    assert "conservée sous" in kept.stdout and "(NON vérifiée; révoqué)" in kept.stdout
    assert "(NON vérifiée; expiré)" in kept.stdout
    assert "    status.revoked: revoked by the issuer" in kept.stdout
    flags = {row["credentialId"]: row["flags"] for row in listed(tmp_path)}
    assert flags == {
        "urn:uuid:00000000-0000-4000-8000-000000000001": ["revoked"],
        "urn:uuid:00000000-0000-4000-8000-000000000002": [],
        "urn:uuid:00000000-0000-4000-8000-000000000100": ["expired"],
    }
    verified = {row["credentialId"]: row["verification"]["verified"] for row in listed(tmp_path)}
    assert list(verified.values()) == [True, False, False]
    table = run(tmp_path, "list")
    assert table.exit_code == 0
    assert "révoqué" in table.stdout and "expiré" in table.stdout
    assert table.stdout.count("NON vérifiée") == 2 and "validité" in table.stdout
    assert "Sauveteur Secouriste du Travail" in table.stdout
    # At 80 columns a title reads as words on whole lines, its issuer under it.
    narrow = run(tmp_path, "list", COLUMNS="80").stdout
    assert all(len(line) <= 80 for line in narrow.splitlines())
    assert "Sauveteur Secouriste du" in narrow and "…" not in narrow
    assert "3 attestation(s)" in table.stdout
    english = run(tmp_path, "list", "--lang", "en")
    assert english.exit_code == 0
    assert "revoked" in english.stdout and "expired" in english.stdout
    assert english.stdout.count("NOT verified") == 2 and "credential " in english.stdout
    assert "3 credential(s)" in english.stdout
    from_locale = run(tmp_path, "list", LANG="en_GB.UTF-8")
    assert "3 credential(s)" in from_locale.stdout and "NOT verified" in from_locale.stdout


def test_list_shows_what_issuers_wrote_as_text_not_markup(tmp_path: Path, wallet: Wallet) -> None:
    title = "Diplôme [/bold] [red]rouge[/red] [link=https://evil.example]ici[/link]"
    path = write(tmp_path, "d.json", signed(diploma_document(title=title)))
    assert run(tmp_path, "add", path, "--offline").exit_code == 0
    table = run(tmp_path, "list")
    assert table.exit_code == 0, table.output
    assert title in table.stdout


def test_list_refresh_from_a_cache(tmp_path: Path, wallet: Wallet) -> None:
    cache = tmp_path / "cache"
    publish(cache, list_credential(encode_bits([]), signer=UNIVERSITY))
    path = write(tmp_path, "d.json", signed(diploma_document(status=entry(9))))
    assert run(tmp_path, "add", path, "--offline", "--cache", cache).exit_code == 0
    assert [row["flags"] for row in listed(tmp_path)] == [[]]
    publish(cache, list_credential(encode_bits([9]), signer=UNIVERSITY))
    assert [row["flags"] for row in listed(tmp_path)] == [[]]  # stored verdict: no network
    assert [row["flags"] for row in listed(tmp_path, "--cache", str(cache))] == [["revoked"]]
    assert [row["flags"] for row in listed(tmp_path)] == [["revoked"]]  # kept


def test_search_filters(tmp_path: Path, wallet: Wallet) -> None:
    soon = (datetime.now(UTC) + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    files = [
        write(tmp_path, "d.json", signed(diploma_document())),
        write(tmp_path, "s.json", selective(first_aid_document(valid_until=soon))),
        write(
            tmp_path,
            "p.json",
            signed(
                first_aid_document(
                    number=101, name="Prévention et secours civiques de niveau 1", valid_until=FAR
                )
            ),
        ),
    ]
    assert run(tmp_path, "add", *files, "--offline").exit_code == 0

    def titles(*args: str) -> list[str]:
        return sorted(row["title"] for row in listed(tmp_path, *args))

    assert titles("--expiring", "30") == ["Sauveteur Secouriste du Travail"]
    assert titles("--text", "secours niveau") == ["Prévention et secours civiques de niveau 1"]
    assert len(titles("--type", "openbadge")) == 3
    assert titles("--issuer", "z6Mk") == sorted(
        [
            "Titre professionnel Développeur web et web mobile",
            "Prévention et secours civiques de niveau 1",
        ]
    )
    found = run(tmp_path, "search", "développeur", "--json")
    assert [row["title"] for row in json.loads(found.stdout)] == [
        "Titre professionnel Développeur web et web mobile"
    ]


def test_show_and_remove(tmp_path: Path, wallet: Wallet) -> None:
    document = signed(diploma_document())
    added = run(tmp_path, "add", write(tmp_path, "d.json", document), "--offline", "--json")
    record = json.loads(added.stdout)[0]["id"]
    shown = run(tmp_path, "show", record[:5])
    assert shown.exit_code == 0
    body = json.loads(shown.stdout)
    assert body["id"] == record and body["credential"] == document
    assert body["info"]["issuer"] == UNIVERSITY.controller
    removed = run(tmp_path, "remove", record, "--json")
    assert json.loads(removed.stdout) == {"removed": record}
    missing = run(tmp_path, "show", record)
    assert isinstance(missing.exception, WalletError)


def test_export_then_import_elsewhere(tmp_path: Path, wallet: Wallet) -> None:
    path = write(tmp_path, "d.json", signed(diploma_document()))
    assert run(tmp_path, "add", path, "--offline").exit_code == 0
    backup = tmp_path / "backup.json"
    secret = {"PASSEPORT_BACKUP_PASSPHRASE": "backup phrase"}
    exported = run(tmp_path, "export", "-o", backup, **secret)
    assert exported.exit_code == 0, exported.output
    assert backup.stat().st_mode & 0o777 == 0o600
    new = tmp_path / "new.sqlite"
    restored = run(tmp_path, "import", backup, "--json", PASSEPORT_WALLET=str(new), **secret)
    assert restored.exit_code == 0, restored.output
    assert json.loads(restored.stdout)["added"] == 1
    assert Wallet.open(new, PASSPHRASE).did == wallet.did
    merged = run(tmp_path, "import", backup, "--json", **secret)
    assert json.loads(merged.stdout) == {
        "wallet": str(tmp_path / "wallet.sqlite"),
        "added": 0,
        "duplicates": 1,
    }


def test_present_answers_the_recruiters_requests(tmp_path: Path, wallet: Wallet) -> None:
    files = [
        write(tmp_path, "d.json", selective(diploma_document())),
        write(tmp_path, "f.json", selective(first_aid_document(valid_until=FAR))),
    ]
    assert run(tmp_path, "add", *files, "--offline").exit_code == 0
    for request in ("job-application.dcql.json", "job-application.pe.json"):
        output = tmp_path / f"{request}.vp.json"
        result = run(
            tmp_path,
            "present",
            "--request",
            REQUESTS / request,
            "--challenge",
            "c-1",
            "--domain",
            "hr.example",
            "-o",
            output,
            "--json",
        )
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout)
        assert [c["disclosure"] for c in summary["credentials"]] == ["derived", "derived"]
        vp = json.loads(output.read_text("utf-8"))
        verdict = verify_presentation(vp, policy=Policy(challenge="c-1", domain="hr.example"))
        assert verdict.verified, verdict.failures()
        checked = CliRunner().invoke(
            recruiter,
            ["verify", str(output), "--challenge", "c-1", "--domain", "hr.example", "--offline"],
        )
        assert checked.exit_code == 0, checked.output
        replayed = CliRunner().invoke(
            recruiter,
            ["verify", str(output), "--challenge", "c-2", "--domain", "hr.example", "--offline"],
        )
        assert replayed.exit_code == 1
        assert "1999-04-02" not in output.read_text("utf-8")
        if request.endswith(".pe.json"):
            submission = json.loads(Path(summary["submission"]).read_text("utf-8"))
            assert submission["definition_id"] == "job-application-web-developer"
        else:
            assert summary["submission"] is None


def test_from_the_issuers_command_to_the_recruiters_verdict(tmp_path: Path, wallet: Wallet) -> None:
    """The issuer's real output (ecdsa-sd-2023, SD-JWT), held, presented on the example request."""
    from passeport.issuer import cli as issuer_cli

    certifier = typer.Typer()
    certifier.add_typer(issuer_cli.app, name="issuer")
    certifier.add_typer(issuer_cli.status_app, name="status")
    certifier.command()(issuer_cli.issue)
    examples = ROOT / "examples" / "issuer"
    profile, public = tmp_path / "univ", tmp_path / "public"
    sd_key = ["--type", "p256", "--suite", "ecdsa-sd-2023"]
    steps: list[list[str | Path]] = [
        ["issuer", "init", profile, "--name", "Université", "--did", "web:univ.example", *sd_key]
    ]
    for template in ("diploma", "prevention"):
        data = json.loads((examples / f"{template}.json").read_text("utf-8"))
        data["holder"]["id"] = wallet.did
        source = write(tmp_path, f"{template}.data.json", data)
        steps.append(["issue", template, "--issuer", profile, "--data", source, "-o"])
        steps[-1].append(tmp_path / f"{template}.json")
    job = json.loads((examples / "experience.json").read_text("utf-8"))
    job["holder"]["id"] = wallet.did
    source = write(tmp_path, "experience.data.json", job)
    sd_jwt: list[str | Path] = ["--suite", "sd-jwt", "-o", tmp_path / "experience.sd-jwt"]
    steps.append(["issue", "experience", "--issuer", profile, "--data", source, *sd_jwt])
    steps.append(["status", "publish", "--issuer", profile, "-o", public])
    for step in steps:
        done = CliRunner().invoke(certifier, list(map(str, step)))
        assert done.exit_code == 0, (step, done.output)
    held = [tmp_path / "diploma.json", tmp_path / "prevention.json", tmp_path / "experience.sd-jwt"]
    added = run(tmp_path, "add", *held, "--offline", "--cache", public)
    assert added.exit_code == 0, added.output
    rows = listed(tmp_path)
    assert [row["flags"] for row in rows] == [[], [], []]  # the SD-JWT is bound to this holder
    assert [row["format"] for row in rows] == ["ldp_vc", "ldp_vc", "dc+sd-jwt"]
    output = tmp_path / "vp.json"
    presented = run(
        tmp_path,
        "present",
        "--request",
        REQUESTS / "job-application.dcql.json",
        "--challenge",
        "c-77",
        "--domain",
        "rh.example",
        "-o",
        output,
    )
    assert presented.exit_code == 0, presented.output
    offline = ["--offline", "--cache", str(public)]
    checked = CliRunner().invoke(
        recruiter,
        ["verify", str(output), "--challenge", "c-77", "--domain", "rh.example", *offline],
    )
    assert checked.exit_code == 0, checked.output
    shown = output.read_text("utf-8")
    diploma = json.loads((examples / "diploma.json").read_text("utf-8"))
    assert diploma["achievement"]["name"] in shown  # the title...
    for hidden in (  # ...and nothing the request did not ask for
        diploma["holder"]["birthDate"],
        diploma["holder"]["email"],
        diploma["holder"]["name"],
        diploma["achievement"]["blocks"][0]["name"],
        diploma["achievement"]["specialization"],
    ):
        assert hidden not in shown, hidden


def test_present_by_id_and_errors(tmp_path: Path, wallet: Wallet) -> None:
    added = run(
        tmp_path,
        "add",
        write(tmp_path, "d.json", signed(diploma_document())),
        "--offline",
        "--json",
    )
    record = json.loads(added.stdout)[0]["id"]
    output = tmp_path / "vp.json"
    result = run(
        tmp_path,
        "present",
        record,
        "--reveal",
        "/credentialSubject/achievement/name",
        "--challenge",
        "c",
        "--domain",
        "d.example",
        "-o",
        output,
    )
    assert result.exit_code == 0, result.output
    assert "remarque :" in result.stdout and "presented whole" in result.stdout
    assert f"présentation écrite dans {output}" in result.stdout
    assert output.stat().st_mode & 0o777 == 0o600
    no_challenge = run(tmp_path, "present", record, "-o", output)
    assert no_challenge.exit_code == 2
    folder = tmp_path / "folder"
    folder.mkdir()
    for arguments in (
        ["present", record, "--challenge", "c", "--domain", "d.example", "-o", folder],
        ["export", "-o", folder, "--overwrite"],
    ):
        into_folder = run(tmp_path, *arguments, PASSEPORT_BACKUP_PASSPHRASE="a backup passphrase")
        assert into_folder.exit_code == 2 and "is a directory" in into_folder.output
    assert list(folder.iterdir()) == []
    negative = run(tmp_path, "list", "--expiring", "-1")
    assert negative.exit_code == 2
    unmet = run(
        tmp_path,
        "present",
        "--request",
        REQUESTS / "job-application.dcql.json",
        "--challenge",
        "c",
        "--domain",
        "d.example",
        "-o",
        tmp_path / "x.json",
    )
    assert isinstance(unmet.exception, UnmetRequest)
    assert "first_aid" in str(unmet.exception)
    assert not (tmp_path / "x.json").exists()


def test_present_refuses_a_failing_or_someone_elses_credential_unless_allowed(
    tmp_path: Path, wallet: Wallet
) -> None:
    cache = tmp_path / "cache"
    publish(cache, list_credential(encode_bits([4]), signer=UNIVERSITY))
    revoked = write(tmp_path, "r.json", signed(diploma_document(status=entry(4), valid_until=FAR)))
    theirs = write(
        tmp_path, "t.json", signed(diploma_document(number=2, subject=SOMEONE_ELSE.controller))
    )
    added = run(
        tmp_path,
        "add",
        revoked,
        theirs,
        "--offline",
        "--cache",
        cache,
        "--keep-unverified",
        "--json",
    )
    assert added.exit_code == 0, added.output
    revoked_id, theirs_id = (row["id"] for row in json.loads(added.stdout))
    output = tmp_path / "vp.json"
    common = ("--challenge", "c", "--domain", "d.example", "-o", output)
    refused = run(tmp_path, "present", revoked_id, theirs_id, *common)
    assert refused.exit_code == 1, refused.output
    assert refused.stdout == ""
    assert refused.stderr.splitlines() == [
        f"passeport: refused: Titre professionnel Développeur web et web mobile ({revoked_id}) "
        "is revoked: not presented without --allow-unverified",
        f"passeport: refused: Titre professionnel Développeur web et web mobile ({theirs_id}) "
        f"is about {SOMEONE_ELSE.controller}, not the holder {wallet.did}: "
        "not presented without --allow-other-subject",
    ]
    assert not output.exists()
    half = run(tmp_path, "present", revoked_id, theirs_id, *common, "--allow-unverified")
    assert half.exit_code == 1 and "--allow-other-subject" in half.stderr
    assert "--allow-unverified" not in half.stderr
    allowed = run(
        tmp_path,
        "present",
        revoked_id,
        theirs_id,
        *common,
        "--allow-unverified",
        "--allow-other-subject",
    )
    assert allowed.exit_code == 0, allowed.output
    assert f"{revoked_id} Titre professionnel" in allowed.stdout
    assert ": montrée en entier [révoqué]" in allowed.stdout
    assert ": montrée en entier [concerne quelqu'un d'autre]" in allowed.stdout
    assert allowed.stdout.count("presented as asked: a verifier will refuse it") == 2
    checked = CliRunner().invoke(
        recruiter,
        ["verify", str(output), "--challenge", "c", "--domain", "d.example", "--offline"],
        env={"COLUMNS": "250"},
    )
    assert checked.exit_code == 1, checked.output


def test_present_valid_for_dates_the_presentation(tmp_path: Path, wallet: Wallet) -> None:
    added = run(
        tmp_path,
        "add",
        write(tmp_path, "d.json", signed(diploma_document())),
        "--offline",
        "--json",
    )
    record = json.loads(added.stdout)[0]["id"]
    output = tmp_path / "vp.json"
    common = (record, "--challenge", "c", "--domain", "d.example", "-o", output, "--force")
    before = datetime.now(UTC).replace(microsecond=0)
    dated = run(tmp_path, "present", *common, "--valid-for", "30d")
    assert dated.exit_code == 0, dated.output
    proof = json.loads(output.read_text("utf-8"))["proof"]
    created = datetime.fromisoformat(proof["created"])
    assert before <= created <= datetime.now(UTC)
    assert datetime.fromisoformat(proof["expires"]) - created == timedelta(days=30)
    hours = run(tmp_path, "present", *common, "--valid-for", "12h")
    assert hours.exit_code == 0, hours.output
    proof = json.loads(output.read_text("utf-8"))["proof"]
    end = datetime.fromisoformat(proof["expires"]) - datetime.fromisoformat(proof["created"])
    assert end == timedelta(hours=12)
    plain = run(tmp_path, "present", *common)
    assert plain.exit_code == 0
    assert "expires" not in json.loads(output.read_text("utf-8"))["proof"]
    for bad in ("30", "d", "1.5d", "30 days", "0m", "-5m", "99999999d"):
        refused = run(tmp_path, "present", *common, "--valid-for", bad)
        assert refused.exit_code == 2, (bad, refused.output)
        assert "Invalid value for '--valid-for'" in refused.output
