"""``passeport wallet`` as the console script runs it: exit codes and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from passeport.did.keyfile import write_key_file
from tests.cli.test_cli import one_line_error
from tests.wallet._helpers import (
    HOLDER,
    SOMEONE_ELSE,
    diploma_document,
    first_aid_document,
    signed,
)


def _wallet(*args: str, cwd: Path, passphrase: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PASSEPORT_PASSPHRASE": passphrase, "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("PASSEPORT_WALLET", None)
    return subprocess.run(
        [sys.executable, "-m", "passeport", "wallet", *args, "--wallet", "w.sqlite"],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


def test_init_then_a_wrong_passphrase_is_one_line_and_exit_2(tmp_path: Path) -> None:
    created = _wallet("init", cwd=tmp_path, passphrase="le bon secret")
    assert created.returncode == 0, created.stderr
    assert (tmp_path / "w.sqlite").stat().st_mode & 0o777 == 0o600
    did = _wallet("did", cwd=tmp_path, passphrase="le bon secret")
    assert did.returncode == 0 and did.stdout.startswith("did:key:")
    line = one_line_error(_wallet("list", cwd=tmp_path, passphrase="un autre"))
    assert "wrong passphrase" in line
    again = one_line_error(_wallet("init", cwd=tmp_path, passphrase="le bon secret"))
    assert "w.sqlite" in again


def test_refusals_exit_1_with_one_line_each_and_bad_input_exits_2(tmp_path: Path) -> None:
    secret = "le bon secret"
    key = tmp_path / "me.json"
    write_key_file(key, HOLDER)
    assert _wallet("init", "--key", str(key), cwd=tmp_path, passphrase=secret).returncode == 0
    (tmp_path / "expired.json").write_text(
        json.dumps(signed(first_aid_document(valid_until="2025-12-31T23:59:59Z")))
    )
    (tmp_path / "theirs.json").write_text(
        json.dumps(signed(diploma_document(subject=SOMEONE_ELSE.controller)))
    )
    refused = _wallet("add", "expired.json", "--offline", cwd=tmp_path, passphrase=secret)
    assert refused.returncode == 1, refused.stderr
    (line,) = refused.stdout.splitlines()
    assert line.startswith("expired.json: refused, validity.expired: expired on 2025-12-31")
    assert "Traceback" not in refused.stderr
    added = _wallet("add", "theirs.json", "--offline", "--json", cwd=tmp_path, passphrase=secret)
    assert added.returncode == 0, added.stderr
    (row,) = json.loads(added.stdout)
    assert row["flags"] == ["other-holder"]
    present = ("present", row["id"], "--challenge", "c", "--domain", "d.example")
    not_theirs = _wallet(*present, cwd=tmp_path, passphrase=secret)
    assert not_theirs.returncode == 1, not_theirs.stderr
    (line,) = not_theirs.stderr.splitlines()
    assert line.startswith("passeport: refused: ") and "--allow-other-subject" in line
    assert not (tmp_path / "presentation.json").exists()
    bad = _wallet(*present, "--valid-for", "1 month", cwd=tmp_path, passphrase=secret)
    assert bad.returncode == 2 and "--valid-for" in bad.stderr and "Traceback" not in bad.stderr
