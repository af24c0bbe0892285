"""``passeport wallet`` as the console script runs it: exit codes and one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.cli.test_cli import one_line_error


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
