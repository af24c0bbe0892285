"""Shared test fixtures: paths to the test data (vectors, interop) and fixed clocks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Copies of the W3C vectors and of another implementation's outputs; see tests/data/README.md.
SHARED = ROOT / "tests" / "data"
VECTORS = SHARED / "vectors"
DBJS = SHARED / "interop" / "dbjs"
FIXED_NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def load_json(path: Path) -> Any:
    """Read a JSON file."""
    return json.loads(path.read_text("utf-8"))


@pytest.fixture
def fixed_now() -> datetime:
    """A fixed instant for tests that depend on time."""
    return FIXED_NOW


@pytest.fixture(autouse=True)
def _no_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clear the locale variables: every command speaks French unless told ``--lang en``.

    Whatever the machine's locale (a CI runner in English, say), the tests
    read the same words; commands started as child processes inherit it.
    """
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
