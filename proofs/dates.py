"""Dates in proofs and credentials: XML Schema dateTime, always timezone-aware."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from passeport.errors import InputError

__all__ = ["format_datetime", "parse_datetime", "utc_now"]


def utc_now() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


def format_datetime(moment: datetime) -> str:
    """Format ``moment`` as an XML Schema dateTime in UTC, to the second."""
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(value: Any, *, where: str | None = None, pointer: str | None = None) -> datetime:
    """Parse an XML Schema dateTime; one without a time zone is read as UTC.

    Raises:
        InputError: not a dateTime string.
    """
    if not isinstance(value, str):
        raise InputError("expected a dateTime string", where=where, pointer=pointer)
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            f'"{value}" is not an XML Schema dateTime', where=where, pointer=pointer
        ) from None
    if "T" not in text:
        raise InputError(f'"{value}" is a date, not a dateTime', where=where, pointer=pointer)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
