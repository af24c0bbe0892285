"""The issuer walk-through of examples/issuer/README.md, run command by command."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from passeport.errors import PasseportError
from passeport.issuer import cli as issuer_cli
from passeport.proofs import cli as proofs_cli
from passeport.verifier import cli as verifier_cli
from tests.issuer._helpers import EXAMPLES

README = EXAMPLES / "README.md"


def _commands() -> list[tuple[list[str], int, str | None]]:
    """Return each ``$ passeport ...`` line of the README's block, its exit code and why."""
    block = re.search(r"```console\n(.*?)```", README.read_text("utf-8"), re.DOTALL)
    assert block is not None, "the README has no console block"
    commands = []
    for line in block.group(1).splitlines():
        assert line.startswith("$ passeport "), line
        command, _, comment = line[2:].partition("  #")
        expected = re.match(r"\s*exit (\d)(?:: (\w+))?", comment)
        code, why = (int(expected.group(1)), expected.group(2)) if expected else (0, None)
        commands.append((shlex.split(command)[1:], code, why))
    return commands


def _shell() -> typer.Typer:
    """The commands as ``passeport/cli.py`` mounts them."""
    app = typer.Typer(pretty_exceptions_enable=False)
    app.add_typer(issuer_cli.app, name="issuer")
    app.add_typer(issuer_cli.status_app, name="status")
    app.command()(issuer_cli.issue)
    app.command()(proofs_cli.derive)
    app.command()(verifier_cli.verify)
    return app


def test_the_walkthrough_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("diploma.json", "prevention.json", "class.csv"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    app, runner = _shell(), CliRunner()
    commands = _commands()
    assert len(commands) >= 10
    for arguments, expected, why in commands:
        result = runner.invoke(app, arguments)
        if isinstance(result.exception, PasseportError):
            pytest.fail(f"{shlex.join(arguments)}: passeport: {result.exception}")
        assert result.exit_code == expected, (arguments, result.output)
        if arguments[0] == "verify":
            verdict = "NON VÉRIFIÉ" if expected else "VÉRIFIÉ"  # French unless --lang en
            assert result.stdout.startswith(verdict), result.stdout
            if why is not None:
                assert {"revoked": "RÉVOQUÉ", "suspended": "SUSPENDU"}[why] in result.stdout
    rows = len((tmp_path / "class.csv").read_text("utf-8").strip().splitlines()) - 1
    assert len(list((tmp_path / "class").glob("*.json"))) == rows
    assert (tmp_path / "public" / "univ.example" / ".well-known" / "did.json").is_file()
    revoked = json.loads((tmp_path / "camille.json").read_text("utf-8"))["id"]
    assert revoked.startswith("urn:uuid:")
    base = json.loads((tmp_path / "sst-sd.json").read_text("utf-8"))
    shown = json.loads((tmp_path / "sst-shown.json").read_text("utf-8"))
    assert base["proof"]["cryptosuite"] == shown["proof"]["cryptosuite"] == "ecdsa-sd-2023"
    assert "Léa Dubois" in json.dumps(base, ensure_ascii=False)
    assert "Léa Dubois" not in json.dumps(shown, ensure_ascii=False)


def test_the_expected_failures_are_the_ones_announced() -> None:
    failing = [(args[1], why) for args, code, why in _commands() if code == 1]
    assert failing == [("camille.json", "revoked"), ("sst.json", "suspended")]
