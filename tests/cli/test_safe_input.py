"""A new user's bad input (issue 12): one JSON reader, exit codes, nothing overwritten.

Each command runs in a child process, as the console script does, so that a
traceback, "Aborted!" or exit 1 shows as it would in a terminal.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from passeport._io import MAX_JSON_DEPTH
from tests.cli.test_cli import SAMPLE, one_line_error
from tests.conftest import ROOT

PASSPHRASE = "a passphrase long enough for the tests"
DEEP_OBJECT = '{"a":' * 5000 + "1" + "}" * 5000
DEEP_ARRAY = "[" * 5000 + "]" * 5000


def run(
    *args: str | Path, cwd: Path, stdin: int | None = subprocess.DEVNULL, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run ``passeport ARGS`` in a child process, without a terminal on stdin."""
    variables = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    variables.pop("PASSEPORT_BACKUP_PASSPHRASE", None)
    variables.update({"PASSEPORT_PASSPHRASE": PASSPHRASE, **env})
    return subprocess.run(
        [sys.executable, "-m", "passeport", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=variables,
        stdin=stdin,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a key, an issuer profile, a wallet and the deep files."""
    root = tmp_path_factory.mktemp("desk")
    assert run("key", "new", "-o", "k.json", cwd=root).returncode == 0
    made = run("issuer", "init", "univ", "--name", "U", "--did", "web:univ.example", cwd=root)
    assert made.returncode == 0, made.stderr
    made = run("wallet", "init", "--wallet", "w.wallet", cwd=root)
    assert made.returncode == 0, made.stderr
    (root / "object.json").write_text(DEEP_OBJECT)
    (root / "array.json").write_text(DEEP_ARRAY)
    (root / "rows.jsonl").write_text(DEEP_ARRAY + "\n")
    return root


DEEP_COMMANDS = {
    "sign": ["sign", "object.json", "--key", "k.json"],
    "verify an object": ["verify", "object.json"],
    "verify an array": ["verify", "array.json"],
    "verify --trust": ["verify", SAMPLE, "--trust", "object.json"],
    "issue --data": ["issue", "diploma", "--issuer", "univ", "--data", "object.json"],
    "wallet add": ["wallet", "add", "object.json", "--wallet", "w.wallet"],
    "wallet present --request": [
        *("wallet", "present", "--request", "object.json", "--wallet", "w.wallet"),
        *("--challenge", "c", "--domain", "d.example"),
    ],
}


@pytest.mark.parametrize("arguments", DEEP_COMMANDS.values(), ids=DEEP_COMMANDS.keys())
def test_deeply_nested_json_is_one_line_naming_the_file(desk: Path, arguments: list[str]) -> None:
    line = one_line_error(run(*arguments, cwd=desk))
    assert "RecursionError" not in line and "JWT" not in line
    assert line.endswith(f"nested more than {MAX_JSON_DEPTH} levels deep (refused)"), line
    assert ".json: " in line


def test_a_deep_backup_is_refused_in_one_line(desk: Path) -> None:
    line = one_line_error(
        run(
            *("wallet", "import", "object.json", "--wallet", "other.wallet"),
            cwd=desk,
            PASSEPORT_BACKUP_PASSPHRASE="backup phrase",
        )
    )
    assert "object.json: not a passeport wallet backup (JSON nested more" in line


def test_a_deep_json_line_fails_its_row_only(desk: Path) -> None:
    batch = ["issue", "diploma", "--issuer", "univ", "--jsonl", "rows.jsonl", "-o", "out"]
    result = run(*batch, cwd=desk)
    assert result.returncode == 1, result.stderr  # a failed row, reported as such
    assert "Traceback" not in result.stderr
    assert f"rows.jsonl row 1: JSON nested more than {MAX_JSON_DEPTH} levels" in result.stderr


def test_a_json_array_is_not_called_a_jwt(tmp_path: Path) -> None:
    (tmp_path / "list.json").write_text("[1, 2]")
    line = one_line_error(run("verify", "list.json", cwd=tmp_path))
    assert line == "passeport: list.json: expected a JSON object (a credential or a presentation)"


def test_a_duplicate_member_is_refused(tmp_path: Path) -> None:
    (tmp_path / "twice.json").write_text('{"type": ["VerifiableCredential"], "type": []}')
    line = one_line_error(run("verify", "twice.json", cwd=tmp_path))
    assert line == 'passeport: twice.json: member "type" appears twice in a JSON object'


# Exit codes keep their contract: 2 is bad input or usage, never 1.


@pytest.mark.parametrize(
    ("variables", "where"),
    [
        ({"PASSEPORT_PASSPHRASE": ""}, "wallet passphrase"),
        ({"PASSEPORT_BACKUP_PASSPHRASE": ""}, "backup passphrase"),
    ],
)
def test_no_passphrase_says_how_to_give_it(
    desk: Path, variables: dict[str, str], where: str
) -> None:
    command = ["wallet", "export", "-o", "b.enc", "--wallet", "w.wallet"]
    line = one_line_error(run(*command, cwd=desk, **variables))
    assert line.startswith(f"passeport: {where}: none given")
    assert "PASSEPORT_" in line and "terminal" in line
    assert not (desk / "b.enc").exists()


def test_a_passphrase_piped_in_is_read(desk: Path) -> None:
    piped = subprocess.run(
        [sys.executable, "-m", "passeport", "wallet", "list", "--wallet", "w.wallet", "--json"],
        input=PASSPHRASE + "\n",
        capture_output=True,
        text=True,
        cwd=desk,
        env={**os.environ, "PASSEPORT_PASSPHRASE": ""},
        timeout=120,
        check=False,
    )
    assert piped.returncode == 0, piped.stderr


def test_export_and_import_help_name_the_backup_variable(tmp_path: Path) -> None:
    for command in ("export", "import"):
        shown = run("wallet", command, "--help", cwd=tmp_path)
        assert "PASSEPORT_BACKUP_PASSPHRASE" in shown.stdout


@pytest.mark.parametrize("port", ["99999", "0", "-1"])
def test_serve_refuses_a_port_that_is_not_one(tmp_path: Path, port: str) -> None:
    line = one_line_error(run("serve", "--port", port, cwd=tmp_path))
    assert line == f"passeport: --port: {port} is not a port number (1 to 65535)"


@pytest.mark.parametrize(
    "arguments",
    [["verify", SAMPLE, "--offline"], ["serve", "--offline"], ["wallet", "list", "--refresh"]],
    ids=["verify", "serve", "wallet list"],
)
def test_a_cache_folder_that_is_not_there_is_refused(tmp_path: Path, arguments: list[str]) -> None:
    missing = tmp_path / "nowhere"
    line = one_line_error(run(*arguments, "--cache", missing, cwd=tmp_path))
    assert line == f"passeport: {missing}: no such folder (--cache)"
    (tmp_path / "file").write_text("")
    line = one_line_error(run(*arguments, "--cache", tmp_path / "file", cwd=tmp_path))
    assert line.endswith("file: not a folder (--cache)")


def test_version(tmp_path: Path) -> None:
    shown = run("--version", cwd=tmp_path)
    assert shown.returncode == 0 and shown.stdout.startswith("passeport 0.")


# Nothing overwritten by surprise.


def test_issue_refuses_to_replace_an_issued_credential(desk: Path) -> None:
    data = ROOT / "examples" / "issuer" / "diploma.json"
    first = run("issue", "diploma", "--issuer", "univ", "--data", data, "-o", "d.json", cwd=desk)
    assert first.returncode == 0, first.stderr
    kept = (desk / "d.json").read_text()
    again = run("issue", "diploma", "--issuer", "univ", "--data", data, "-o", "d.json", cwd=desk)
    assert one_line_error(again) == (
        "passeport: d.json: already exists; give --force to replace it"
    )
    assert (desk / "d.json").read_text() == kept
    forced = [*("issue", "diploma", "--issuer", "univ", "--data", data, "-o", "d.json", "--force")]
    assert run(*forced, cwd=desk).returncode == 0
    assert json.loads((desk / "d.json").read_text())["id"] != json.loads(kept)["id"]


@pytest.mark.parametrize("command", ["present", "cv"])
def test_the_wallet_refuses_to_replace_a_file(desk: Path, command: str) -> None:
    target = desk / f"mine.{command}"
    target.write_text("keep me")
    result = run(
        *("wallet", command, "--wallet", "w.wallet", "--challenge", "c", "--domain", "d.example"),
        *("--request", ROOT / "examples" / "requests" / "job-application.dcql.json"),
        *("-o", target),
        cwd=desk,
    )
    assert one_line_error(result) == (
        f"passeport: {target}: already exists; give --force to replace it"
    )
    assert target.read_text() == "keep me"


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (
            ["verify", "x.json", "--max-age", "zz"],
            "passeport verify: Invalid value for '--max-age': 'zz' is not a duration",
        ),
        (["verify"], "passeport verify: Missing argument 'file'"),
        (["wallet", "list", "--bogus"], "passeport wallet list: No such option: --bogus"),
        (["bogus"], "passeport: No such command 'bogus'"),
    ],
)
def test_a_misused_command_says_so_in_one_line_with_exit_2(
    tmp_path: Path, arguments: list[str], said: str
) -> None:
    ran = run(*arguments, cwd=tmp_path)
    assert ran.returncode == 2
    assert ran.stderr.count("\n") == 1 and ran.stdout == ""
    assert ran.stderr.startswith(said) and ran.stderr.rstrip().endswith("--help')")


@pytest.mark.parametrize(
    ("secret", "said"),
    [("court", "too short: at least 12 characters"), ("123412341234", "too easy to guess")],
)
def test_a_new_wallet_refuses_a_weak_passphrase(tmp_path: Path, secret: str, said: str) -> None:
    wallet = tmp_path / "w.sqlite"
    ran = run("wallet", "init", "--wallet", wallet, cwd=tmp_path, PASSEPORT_PASSPHRASE=secret)
    assert ran.returncode == 2 and not wallet.exists()
    assert ran.stderr == f"passeport: wallet passphrase: {said}" + ran.stderr.split(said)[1]
    assert "unrelated words" in ran.stderr and ran.stderr.count("\n") == 1
    good = run("wallet", "init", "--wallet", wallet, cwd=tmp_path)
    assert good.returncode == 0 and "Donnez ce DID" in good.stdout
