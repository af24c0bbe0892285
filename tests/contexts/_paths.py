"""Paths into JSON documents, for tests that change one value at a time."""

from __future__ import annotations

from typing import Any

Path = tuple[Any, ...]


def leaves(value: Any, path: Path = (), *, strings_only: bool = True) -> list[Path]:
    """Return the path of every string (every scalar) of ``value`` outside ``@context``."""
    found: list[Path] = []
    if isinstance(value, dict):
        for member, child in value.items():
            if member != "@context":
                found += leaves(child, (*path, member), strings_only=strings_only)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += leaves(child, (*path, index), strings_only=strings_only)
    elif isinstance(value, str) or not strings_only:
        found.append(path)
    return found


def set_at(document: Any, path: Path, value: Any) -> None:
    """Put ``value`` at ``path`` in ``document`` (in place)."""
    for step in path[:-1]:
        document = document[step]
    document[path[-1]] = value
