"""did.cli: ``passeport key new`` and ``passeport key show``, mounted as the shell mounts them."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import passeport.did.cli
from passeport.did import DidResolver, read_key_file
from passeport.errors import InputError

runner = CliRunner()


def _shell() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(passeport.did.cli.app, name="key")

    @app.command()
    def version() -> None:
        """A second command, so that "key" stays a sub-command."""

    return app


@pytest.mark.parametrize(
    ("key_type", "method", "prefix"),
    [
        ("ed25519", "key", "did:key:z6Mk"),
        ("p256", "jwk", "did:jwk:"),
        ("p384", "web:example.com:uni", "did:web:example.com:uni"),
    ],
)
def test_new_then_show(tmp_path: Path, key_type: str, method: str, prefix: str) -> None:
    path = tmp_path / "key.json"
    result = runner.invoke(
        _shell(), ["key", "new", "--type", key_type, "--did", method, "-o", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    pair = read_key_file(path)
    assert pair.controller.startswith(prefix)
    secret = json.loads(path.read_text())["secretKeyMultibase"]
    assert secret not in result.output

    shown = runner.invoke(_shell(), ["key", "show", str(path)])
    assert shown.exit_code == 0, shown.output
    assert pair.controller in shown.output
    assert pair.verification_method in shown.output
    assert secret not in shown.output

    as_json = runner.invoke(_shell(), ["key", "show", str(path), "--json"])
    assert as_json.exit_code == 0
    document = json.loads(as_json.output)
    assert document == pair.to_document(include_secret=False)
    if not method.startswith("web"):
        _, vm = DidResolver().resolve_verification_method(document["id"])
        assert vm.public_key == pair.public_key


def test_new_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "key.json"
    assert runner.invoke(_shell(), ["key", "new", "-o", str(path)]).exit_code == 0
    result = runner.invoke(_shell(), ["key", "new", "-o", str(path)])
    assert isinstance(result.exception, InputError)
    assert runner.invoke(_shell(), ["key", "new", "-o", str(path), "--overwrite"]).exit_code == 0


def test_bad_options_are_usage_errors(tmp_path: Path) -> None:
    path = tmp_path / "key.json"
    assert runner.invoke(_shell(), ["key", "new", "--type", "rsa", "-o", str(path)]).exit_code == 2
    assert runner.invoke(_shell(), ["key", "new", "--did", "ion", "-o", str(path)]).exit_code == 2
    assert not path.exists()


def test_show_missing_file_raises_our_error(tmp_path: Path) -> None:
    result = runner.invoke(_shell(), ["key", "show", str(tmp_path / "none.json")])
    assert isinstance(result.exception, InputError)
    assert "none.json: no such key file" in str(result.exception)


def test_help_texts() -> None:
    result = runner.invoke(_shell(), ["key", "--help"])
    assert result.exit_code == 0
    assert "Create a new signing key and its DID" in result.output
    assert "Show the DID and public key of a key file" in result.output


def test_did_package_does_not_import_typer() -> None:
    import subprocess
    import sys

    code = "import sys, did; assert 'typer' not in sys.modules, 'typer imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
