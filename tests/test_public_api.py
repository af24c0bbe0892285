"""The public API of each package, the direction of imports, and a light verifier."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGES = ["contexts", "did", "proofs", "verifier", "issuer", "wallet", "passeport"]
# Lower layers never import higher ones (DESIGN.md, "Layers and folders").
LAYER = {
    "contexts": 1,
    "did": 2,
    "proofs": 3,
    "verifier": 4,
    "issuer": 5,
    "wallet": 5,
    "passeport": 6,
}
LEAVES = {"passeport.errors", "passeport._json", "passeport._io"}
SHELL_ONLY = {"typer", "fastapi", "uvicorn", "rich"}


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_and_importable(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    # Sorted as ruff's RUF022 sorts (constants, classes, then functions), checked by lint.
    assert len(set(exported)) == len(exported)
    for item in exported:
        assert hasattr(module, item), f"{name}.{item}"


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_point_downwards(package: str) -> None:
    for path in sorted((ROOT / package).glob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            if top in LAYER and name not in LEAVES and top != package:
                assert LAYER[top] < LAYER[package], f"{path.name} imports {name}"
            if top in SHELL_ONLY and package != "passeport":
                # A cli.py past ~400 lines (STYLE.md section 2) is split into private
                # modules named _cli*.py: they are part of the CLI, so they may too.
                shell = path.name in {"cli.py", "api.py"} or path.name.startswith("_cli")
                assert shell, f"{package}/{path.name} imports {top}"


def test_importing_the_verifier_stays_light() -> None:
    code = (
        "import sys, time; t = time.perf_counter(); import verifier; "
        "print(time.perf_counter() - t); "
        "heavy = ('typer', 'fastapi', 'uvicorn', 'rich', 'click'); "
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, heavy = out.stdout.splitlines()
    assert heavy == ""
    assert float(seconds) < 3.0
