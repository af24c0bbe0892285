"""The public API of each package, the direction of imports, and a light verifier."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

ROLES = ["contexts", "did", "proofs", "verifier", "issuer", "wallet"]
PACKAGES = [*(f"passeport.{role}" for role in ROLES), "passeport"]
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


def _layer_of(module: str) -> str | None:
    """Return the layer a module name belongs to: a role, the shell, or None (third party)."""
    parts = module.split(".")
    if parts[0] != "passeport":
        return None
    if len(parts) > 1 and parts[1] in ROLES:
        return parts[1]
    return "passeport"


@pytest.mark.parametrize("package", [*ROLES, "passeport"])
def test_imports_point_downwards(package: str) -> None:
    for path in sorted((ROOT / package).glob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            assert top not in ROLES, f"{package}/{path.name} imports {name}, not passeport.{name}"
            layer = _layer_of(name)
            if layer is not None and name not in LEAVES and layer != package:
                assert LAYER[layer] < LAYER[package], f"{path.name} imports {name}"
            if top in SHELL_ONLY and package != "passeport":
                # A cli.py past ~400 lines (STYLE.md section 2) is split into private
                # modules named _cli*.py: they are part of the CLI, so they may too.
                shell = path.name in {"cli.py", "api.py"} or path.name.startswith("_cli")
                assert shell, f"{package}/{path.name} imports {top}"


def test_no_module_imports_a_role_outside_the_namespace() -> None:
    """Tests, benchmarks and examples import passeport.verifier, never a bare verifier."""
    for folder in ("tests", "benchmarks", "examples"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for name in _imports(path):
                assert name.split(".")[0] not in ROLES, f"{path} imports {name}"


def test_importing_the_verifier_stays_light() -> None:
    code = (
        "import sys, time; t = time.perf_counter(); import passeport.verifier; "
        "print(time.perf_counter() - t); "
        "heavy = ('typer', 'fastapi', 'uvicorn', 'rich', 'click'); "
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, heavy = out.stdout.splitlines()
    assert heavy == ""
    assert float(seconds) < 3.0


def test_the_distribution_installs_one_top_level_package() -> None:
    """Installing passeport adds ``passeport`` only (not ``did``, ``wallet``, ...)."""
    distribution = importlib.metadata.distribution("passeport")
    assert (distribution.read_text("top_level.txt") or "").split() == ["passeport"]
    for role in ROLES:
        assert importlib.util.find_spec(f"passeport.{role}") is not None
