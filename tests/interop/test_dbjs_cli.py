"""The dbjs cases through ``passeport verify --cache DIR --offline``, as a recruiter runs it.

The cache folder has the layout of DESIGN.md: the did:web document at
``DIR/university.example/.well-known/did.json`` and the status list at the path
of its URL. Exit code 0 must match dbjs's "verified", 1 its refusal.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from passeport.cli import app
from tests.conftest import DBJS, load_json
from tests.interop.test_dbjs import CASES, OUT, our_verdict

STATUS_CASES: list[object] = [
    ("diploma-status-7.json", {}, True),
    ("diploma-status-42.json", {}, True),
    ("vp-revoked.json", {"challenge": "8f3b2c1d", "domain": "recruiter.example"}, True),
]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cache")
    did = root / "university.example" / ".well-known" / "did.json"
    did.parent.mkdir(parents=True)
    shutil.copy(DBJS / "didweb" / "university.example.json", did)
    for url, name in load_json(DBJS / "status" / "index.json").items():
        target = root.joinpath(*url.removeprefix("https://").split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DBJS / "status" / name, target)
    return root


def _plain(case: object) -> tuple[str, dict[str, str]]:
    values = case.values if hasattr(case, "values") else case  # pytest.param or tuple
    name, policy, _ = values  # type: ignore[misc]
    return name, policy


def _cases() -> list[object]:
    cases: list[object] = []
    for case in [*CASES, *STATUS_CASES]:
        name, policy = _plain(case)
        marks = getattr(case, "marks", ())
        cases.append(pytest.param(name, policy, marks=marks, id=name.removesuffix(".json")))
    return cases


@pytest.mark.parametrize(("name", "policy"), _cases())
def test_cli_gives_the_dbjs_verdict(name: str, policy: dict[str, str], cache: Path) -> None:
    arguments = ["verify", str(OUT / name), "--cache", str(cache), "--offline", "--json"]
    for option, value in policy.items():
        arguments += [f"--{option}", value]
    result = CliRunner().invoke(app, arguments)
    expected = our_verdict(name)
    assert result.exit_code == (0 if expected else 1), result.output
    assert json.loads(result.output)["verified"] is expected
