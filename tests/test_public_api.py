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
LEAVES = {
    "passeport.errors",
    "passeport._json",
    "passeport._io",
    "passeport.i18n",
    "passeport._lazy",
}
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
                # Only a role's command line and HTTP API may; modules are split by
                # concept, never into _cli*.py parts of a long cli.py (STYLE.md section 2).
                shell = path.name in {"cli.py", "api.py"}
                assert shell, f"{package}/{path.name} imports {top}"


def _runtime_imports(path: Path, module: str) -> list[tuple[str, tuple[str, ...]]]:
    """Return ``(module, names)`` for each import in ``path`` that can run.

    Imports inside functions count: deferring an import hides a loop from
    Python, not from the design. Only those under ``if TYPE_CHECKING:`` are
    left out, since they never run.
    """
    found: list[tuple[str, tuple[str, ...]]] = []
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import):
                found.extend((alias.name, ()) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                found.append((base, tuple(alias.name for alias in node.names)))
            elif isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
                visit(node.orelse)
            else:
                for child in ("body", "orelse", "finalbody", "handlers", "cases"):
                    nested = getattr(node, child, None)
                    if isinstance(nested, list):
                        visit(nested)

    visit(ast.parse(path.read_text("utf-8")).body)
    return found


def _import_graph(folder: Path, prefix: str) -> dict[str, set[str]]:
    """Return which modules of the package in ``folder`` (named ``prefix``) each module imports."""
    paths = {
        prefix if path.name == "__init__.py" else f"{prefix}.{path.stem}": path
        for path in sorted(folder.glob("*.py"))
    }
    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        edges: set[str] = set()
        for target, names in _runtime_imports(path, module):
            submodules = {f"{target}.{name}" for name in names} & paths.keys()
            edges |= submodules
            # "from package import name" runs the package's __init__ for a name it defines.
            if target in paths and (not names or len(submodules) < len(names)):
                edges.add(target)
        graph[module] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components that are loops (Tarjan), each sorted."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    loops: list[list[str]] = []

    def visit(module: str) -> None:
        order[module] = low[module] = len(order)
        stack.append(module)
        for target in sorted(graph[module]):
            if target not in order:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], order[target])
        if low[module] == order[module]:
            component = stack[stack.index(module) :]
            del stack[stack.index(module) :]
            if len(component) > 1 or module in graph[module]:
                loops.append(sorted(component))

    for module in sorted(graph):
        if module not in order:
            visit(module)
    return loops


@pytest.mark.parametrize("package", [*ROLES, "passeport"])
def test_no_import_cycles_inside_a_package(package: str) -> None:
    """No module of a package imports itself back, directly or through others (issue 13)."""
    prefix = "passeport" if package == "passeport" else f"passeport.{package}"
    loops = _cycles(_import_graph(ROOT / package, prefix))
    assert not loops, " ; ".join(" <-> ".join(loop) for loop in loops)


def test_the_cycle_finder_sees_loops(tmp_path: Path) -> None:
    """Loops through lazy imports or the package's __init__ are found; TYPE_CHECKING is not run."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}) == [
        ["a", "b", "c"],
        ["e"],
    ]
    modules = {
        "__init__": "from passeport.wallet.store import Wallet\n",
        # The loop issue 13 removed: query imported its matchers lazily, they imported query.
        "query": "def answer():\n    from passeport.wallet._dcql import answer_dcql\n",
        "_dcql": "from passeport.wallet.query import Answer\n",
        "store": "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from passeport.wallet import cli\n",
        "cli": "from . import store\ntry:\n    from passeport.wallet import Wallet\n"
        "except ImportError:\n    pass\n",
        "present": "class P:\n    from passeport.wallet import present\n",
    }
    for name, text in modules.items():
        (tmp_path / f"{name}.py").write_text(text)
    graph = _import_graph(tmp_path, "passeport.wallet")
    assert graph["passeport.wallet.store"] == set()
    assert graph["passeport.wallet.cli"] == {"passeport.wallet", "passeport.wallet.store"}
    assert _cycles(graph) == [
        ["passeport.wallet._dcql", "passeport.wallet.query"],
        ["passeport.wallet.present"],
    ]


def _docstrings(tree: ast.AST) -> set[int]:
    """Return the ids of the string constants that are docstrings (module, class, function)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


@pytest.mark.parametrize("package", [role for role in ROLES if role != "proofs"] + ["passeport"])
def test_suite_names_live_in_proofs_only(package: str) -> None:
    """Outside proofs/, no string literal is a securing mechanism's name: roles ask the registry.

    Docstrings may name suites (they document, they do not branch). The demo
    takes its story's suites from the registry too.
    """
    from passeport.proofs.mechanism import mechanisms

    names = {m.name for m in mechanisms()}
    for path in sorted((ROOT / package).glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
            ):
                assert node.value not in names, (
                    f"{package}/{path.name}:{node.lineno} names the suite {node.value!r}"
                )


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one import cycle of ``graph`` (module -> modules it imports), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        stack.append(module)
        for child in sorted(graph.get(module, ())):
            if state.get(child) == 1:
                return [*stack[stack.index(child) :], child]
            if child not in state and (found := visit(child)) is not None:
                return found
        stack.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (found := visit(module)) is not None:
            return found
    return None


def test_the_proof_engine_names_no_suite_and_proofs_import_without_loops() -> None:
    """The engine imports no particular suite; proofs/ modules import one another in one direction.

    Lazy imports (inside functions) count too: a loop resolved at call time is still a loop.
    """
    folder = ROOT / "proofs"
    modules = {f"passeport.proofs.{p.stem}": p for p in folder.glob("*.py") if p.stem != "__init__"}
    engine = _imports(folder / "engine.py")
    suites = {"ecdsa", "eddsa", "ecdsa_sd", "registry", "mechanism", "builtin", "jose", "sdjwt"}
    assert not [name for name in engine if name.rsplit(".", 1)[-1] in suites], engine
    graph = {
        module: {name for name in _imports(path) if name in modules and name != module}
        for module, path in modules.items()
    }
    assert _cycle(graph) is None, _cycle(graph)


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
