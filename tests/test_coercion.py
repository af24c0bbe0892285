"""Option values converted without pydantic: the very values and errors of typer (issue 17).

Every parameter of every ``passeport`` command is given values of each kind,
good and bad; the conversion :mod:`passeport._coercion` installs and the one
typer builds must return equal values of the same type, or raise the same
error with the same words.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from passeport import _coercion
from passeport.cli import _assemble, _command_named, _subcommand_named, main

pytestmark = pytest.mark.skipif(
    not _coercion._AVAILABLE, reason="a typer that converts without pydantic"
)


def _commands(command: Any) -> Iterator[Any]:
    yield command
    for sub in getattr(command, "commands", {}).values():
        yield from _commands(sub)


def _values(tmp_path: Path) -> list[Any]:
    folder, file = tmp_path / "folder", tmp_path / "file.json"
    folder.mkdir(exist_ok=True)
    file.write_text("{}")
    texts = ["", "a", " 3 ", "3", "007", "-1", "+2", "1_000", "3.0", "1e3", "٣", "99999999999999"]
    texts += ["-", "~/x", "é", "\udcff", "a\x00b", "ed25519", "P256", "diploma", "skill", "true"]
    texts += [str(folder), str(file), str(tmp_path / "missing.json")]
    return [
        *texts,
        *[Path(t) for t in texts[-3:]],
        0,
        5,
        -1,
        True,
        2.5,
        b"bytes",
        ["a", "b"],
        ("x", str(file)),
        [str(folder)],
        [],
        object(),
    ]


def _outcome(convert: Any, value: Any, param: Any, ctx: Any) -> tuple[Any, ...]:
    try:
        result = convert._coerce_value(value, param=param, ctx=ctx)
    except Exception as exc:  # the very error is what is compared
        return ("error", type(exc), str(exc))
    return ("value", type(result), result)


def test_every_parameter_converts_every_value_as_typer_does(tmp_path: Path) -> None:
    from typer._coercion import build_runtime_param

    whole = typer.main.get_command(_assemble())
    compared = 0
    for command in _commands(whole):
        ctx = typer.main._click.Context(command, info_name=command.name)
        for param in command.params:
            quick = _coercion._quick(param)
            if quick is None:
                continue
            real = build_runtime_param(param.type_descriptor)
            for value in _values(tmp_path):
                expected = _outcome(real, value, param, ctx)
                assert _outcome(quick, value, param, ctx) == expected, (command.name, param.name)
                compared += 1
    assert compared > 3000


def test_a_refused_value_hands_over_to_typer_once(tmp_path: Path) -> None:
    whole = typer.main.get_command(_assemble("wallet", "list"))
    _coercion.quicken(whole)
    limit = next(p for p in whole.commands["wallet"].commands["list"].params if p.name == "limit")
    quick = limit._runtime_param
    assert isinstance(quick, _coercion._Quick)
    assert limit.process_value(typer.main._click.Context(whole), "7") == 7
    assert limit._runtime_param is quick  # converted quickly: no adapter built
    with pytest.raises(typer.BadParameter, match="greater than or equal to 0"):
        limit.process_value(typer.main._click.Context(whole), "-1")
    assert not isinstance(limit._runtime_param, _coercion._Quick)  # typer's, built then


def _loaded_after(arguments: list[str], tmp_path: Path) -> set[str]:
    import json
    import subprocess

    from tests.conftest import ROOT

    code = (
        "import sys, json\nfrom passeport.cli import main\n"
        f"sys.argv = ['passeport', *{arguments!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PASSEPORT_PASSPHRASE": "x" * 12, "PATH": "", "HOME": str(tmp_path)},
    )
    return set(json.loads(done.stderr.splitlines()[-1]))


@pytest.mark.parametrize(
    "arguments",
    [
        ["wallet", "list", "--limit", "3", "--wallet", "nowhere.sqlite"],
        ["key", "show", "nowhere.json"],
        ["verify", "nowhere.json", "--offline", "--max-age", "30d", "--challenge", "c"],
    ],
)
def test_no_command_imports_pydantic_for_its_options(arguments: list[str], tmp_path: Path) -> None:
    loaded = _loaded_after(arguments, tmp_path)
    assert "passeport.cli" in loaded and "pydantic" not in loaded


def test_the_subcommand_of_a_group_is_found() -> None:
    cases = {
        ("wallet", "list", "--json"): "list",
        ("wallet", "--help"): None,
        ("wallet",): None,
        ("verify", "x.json"): "x.json",  # not a group: mounted whole, as before
        ("--help",): None,
    }
    for arguments, expected in cases.items():
        assert _subcommand_named(arguments, _command_named(arguments)) == expected, arguments


def test_a_group_mounts_only_the_command_run_and_says_the_same(tmp_path: Path) -> None:
    def wallet_commands(*mounted: str) -> list[str]:
        group: Any = typer.main.get_command(_assemble(*mounted))
        return list(group.commands["wallet"].commands)

    assert wallet_commands("wallet", "list") == ["list"]
    assert wallet_commands("wallet", "lst") == wallet_commands("wallet") != ["list"]
    assert len(wallet_commands("wallet")) > 10
    runner = CliRunner()
    for arguments in (["list", "--help"], ["list", "--limit", "x"], ["lst"]):
        mounted = _assemble("wallet", arguments[0])
        one = runner.invoke(mounted, ["wallet", *arguments], prog_name="passeport")
        every = runner.invoke(_assemble(), ["wallet", *arguments], prog_name="passeport")
        assert (one.exit_code, one.output) == (every.exit_code, every.output), arguments


def test_main_says_a_bad_value_in_typer_s_words(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["passeport", "wallet", "list", "--limit", "-1"])
    with pytest.raises(SystemExit) as exit:
        main()
    assert exit.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith("passeport wallet list: Invalid value for '--limit'"), error
    assert "greater than or equal to 0" in error
