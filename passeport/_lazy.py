"""Packages that import their public names on first use, so that a command starts fast.

A role's ``__init__.py`` lists where each public name lives and calls
:func:`lazy_package`: ``import passeport.issuer`` then costs nothing until
``passeport.issuer.issue_batch`` is read (PEP 562). ``__all__`` stays the
public API, and type checkers read the names from the package's
``if TYPE_CHECKING:`` imports. A leaf module: it imports nothing of the
project.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Mapping

__all__ = ["lazy_package"]


def lazy_package(
    name: str, sources: Mapping[str, str], *, shadowed: frozenset[str] = frozenset()
) -> None:
    """Make the package ``name`` import each public name from its module when first read.

    Args:
        name: the package (its ``__name__``).
        sources: the submodule defining each public name; ``"jcs:"`` (a
            trailing colon) names a submodule exported itself.
        shadowed: names exported from a submodule of the same name: the
            package keeps meaning the function once the submodule is
            imported, as it did with eager imports.
    """
    package = sys.modules[name]
    namespace = package.__dict__

    def load(attribute: str) -> object:
        source = sources.get(attribute)
        if source is None:
            raise AttributeError(f"module {name!r} has no attribute {attribute!r}")
        found = importlib.import_module(f"{name}.{source.rstrip(':')}")
        value = found if source.endswith(":") else getattr(found, attribute)
        namespace[attribute] = value
        return value

    def listing() -> list[str]:
        return sorted({*namespace, *namespace.get("__all__", ())})

    getter: Callable[[str], object] = load
    namespace["__getattr__"] = getter
    namespace["__dir__"] = listing
    if shadowed:
        package.__class__ = _keeping(shadowed)


def _keeping(shadowed: frozenset[str]) -> type[types.ModuleType]:
    """Return a module class that keeps the ``shadowed`` functions over their submodules."""

    class Package(types.ModuleType):
        def __setattr__(self, attribute: str, value: object) -> None:
            # The import system binds each submodule on its package once it has run.
            if attribute in shadowed and isinstance(value, types.ModuleType):
                value = getattr(value, attribute)
            super().__setattr__(attribute, value)

    return Package
