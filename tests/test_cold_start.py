"""A cold ``passeport verify`` imports what verifying needs, and nothing else (issue 17).

The packages' ``__init__`` import their public names on first use (PEP 562),
the command mounts only the subcommand it runs, and pyld comes without its
network document loaders (requests, aiohttp and asyncio); the options are
converted without pydantic, the catalogs read without Babel.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.targets import TARGETS, target_rows
from passeport.cli import _command_named
from tests.conftest import ROOT
from tests.wallet._helpers import diploma_document, signed

ROLES = ["contexts", "did", "proofs", "verifier", "issuer", "wallet"]
NEVER_FOR_VERIFY = (
    "requests",
    "urllib3",
    "aiohttp",
    "asyncio",
    "pyld.documentloader.requests",
    "multiformats",
    "concurrent.futures.process",
    "passeport.issuer.batch",
    "passeport.issuer.registry",
    "passeport.wallet.store",
    "passeport.wallet.present",
    "passeport.did.cli",
    "passeport.career_cli",
    "passeport.app",
    "pydantic",  # typer's option adapters: values converted by passeport._coercion
    "babel.messages",  # the French sentences of the JSON: catalogs read by passeport._po
    "rich",  # --json prints no table
    "http.client",  # --offline: HttpsFetcher (did.https) imported by who fetches only
    "ssl",
)


def _loaded_after(code: str) -> set[str]:
    """Return the modules a new interpreter holds after running ``code``."""
    script = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_a_cold_verify_imports_neither_the_issuer_nor_the_wallet_nor_requests(
    tmp_path: Path,
) -> None:
    path = tmp_path / "diploma.json"
    path.write_text(json.dumps(signed(diploma_document())), "utf-8")
    code = (
        "import sys\nfrom passeport.cli import main\n"
        f"sys.argv = ['passeport', 'verify', {str(path)!r}, '--offline', '--json']\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    print('exit', exit.code)\n"
    )
    loaded = _loaded_after(code)
    assert "passeport.verifier.pipeline" in loaded  # it did verify
    assert not loaded & set(NEVER_FOR_VERIFY), sorted(loaded & set(NEVER_FOR_VERIFY))


def test_importing_the_command_or_a_package_imports_no_role_module() -> None:
    loaded = _loaded_after("import passeport.cli, " + ", ".join(f"passeport.{r}" for r in ROLES))
    roles = sorted(m for m in loaded if m.split(".")[:2] in [["passeport", r] for r in ROLES])
    # the verifier's command line (options shared by the shell's commands), and the packages
    assert set(roles) <= {"passeport.verifier.cli", *(f"passeport.{r}" for r in ROLES)}, roles
    assert "pyld" not in loaded and "typer.main" in loaded


def test_pyld_imported_afterwards_is_whole_and_requests_still_imports() -> None:
    code = (
        "import passeport.contexts._pyld\nimport sys\n"
        "assert 'requests' not in sys.modules and 'pyld' not in sys.modules\n"
        "import pyld, requests\nfrom pyld import jsonld\n"
        "assert pyld.jsonld is jsonld and pyld.RequestsDocumentLoader\n"
        "assert jsonld is sys.modules['pyld.jsonld']\n"
    )
    assert {"requests", "pyld.documentloader.requests"} <= _loaded_after(code)


@pytest.mark.parametrize("role", ROLES)
def test_every_public_name_is_there_and_in_dir(role: str) -> None:
    module = importlib.import_module(f"passeport.{role}")
    assert set(module.__all__) <= set(dir(module))
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = module.no_such_name


def test_a_name_shared_with_its_module_stays_the_function() -> None:
    """``passeport.wallet.present`` is the function, before and after its module is imported."""
    code = (
        "import passeport.wallet.present, passeport.contexts.expand, passeport.issuer.issue\n"
        "import passeport.wallet as w, passeport.contexts as c, passeport.issuer as i\n"
        "from passeport.wallet import present\n"
        "assert callable(present) and present is w.present and callable(c.expand)\n"
        "assert callable(i.issue)\n"
        "assert w.present is sys.modules['passeport.wallet.present'].present\n"
    )
    _loaded_after("import sys\n" + code)


@pytest.mark.parametrize(
    ("arguments", "command"),
    [
        (["verify", "x.json"], "verify"),
        (["wallet", "list"], "wallet"),
        (["--help"], None),
        (["--version"], None),
        (["--help", "verify"], None),
        (["nope"], None),
        ([], None),
    ],
)
def test_the_command_run_is_found_and_help_mounts_everything(
    arguments: list[str], command: str | None
) -> None:
    assert _command_named(arguments) == command


def test_the_targets_table_is_oriented_so_that_one_means_met() -> None:
    results = {
        "suites": {"suites": [{"suite": "vc-jwt", "key": "Ed25519", "sign_per_s": 10_000.0}]},
        "cold": {"cold_verify_s": 0.8},
        "issuer": {"rows": 12, "seconds": 1.0},  # not the 10,000 rows: no figure
    }
    rows = {(r["work"], r["what"]): r["ratio"] for r in target_rows(results)}
    assert rows == {("vc+jwt EdDSA", "sign"): 0.5, ("cold passeport verify", "5 credentials"): 0.5}
    assert len({(work, what) for work, what, *_ in TARGETS}) == len(TARGETS)


def test_the_wallet_mounted_alone_and_whole_has_each_command_once() -> None:
    import typer.main

    from passeport.cli import _assemble, app

    alone = typer.main.get_command(_assemble("wallet"))
    whole = typer.main.get_command(app)
    assert isinstance(alone, typer.main.TyperGroup) and isinstance(whole, typer.main.TyperGroup)
    wallet = _assemble("wallet").registered_groups[0].typer_instance
    names = [
        c.name or (c.callback.__name__ if c.callback else "") for c in wallet.registered_commands
    ]
    assert len(names) == len(set(names)), names
    assert set(alone.commands) == {"wallet"} and {"verify", "wallet", "key"} <= set(whole.commands)


def test_both_checkouts_are_measured_from_their_compiled_bytecode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checkout never imported would otherwise be compiled at every measured start."""
    from benchmarks.cold import bench_cold_verify, compiled_env

    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    this, other = compiled_env(str(tmp_path)), compiled_env(str(tmp_path), "/tmp/elsewhere")
    assert "PYTHONDONTWRITEBYTECODE" not in this and other["PYTHONPATH"] == "/tmp/elsewhere"
    assert this["PYTHONPYCACHEPREFIX"] != other["PYTHONPYCACHEPREFIX"]
    assert Path(this["PYTHONPYCACHEPREFIX"]).parent == tmp_path
    result = bench_cold_verify(credentials=1, runs=2, against=str(ROOT))
    assert result["cold_verify_cpu_s"] > 0 and result["against_cold_verify_cpu_s"] > 0
    assert 0.2 < result["ratio_to_against"] < 5
