"""The commands speak French unless told otherwise, whatever the locale of the machine."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clear the locale variables, so the default language is French (``--lang en`` for English)."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
