"""The three outcomes of a check, shared by the proof engine and the verifier."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Outcome"]


class Outcome(StrEnum):
    """What happened to one check: passed, failed, or could not be done."""

    PASSED = "passed"
    FAILED = "failed"
    UNCHECKED = "unchecked"  # e.g. a DID document unobtainable offline
