"""Dates in proofs and credentials: XML Schema dateTime, always timezone-aware.

Also the one freshness rule every presentation format follows (Data Integrity
``created``/``expires``, an SD-JWT Key Binding JWT's ``iat``/``exp``, a
``vp+jwt``'s ``iat``/``nbf``/``exp``): the holder says until when the
presentation holds, the verifier bounds its age, and the verdict shows it
(:func:`presentation_age`, the ``presentation.age`` check).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from passeport.errors import InputError
from passeport.proofs.outcome import Outcome

__all__ = [
    "AGE_CHECK",
    "format_datetime",
    "format_duration",
    "parse_datetime",
    "parse_duration",
    "presentation_age",
    "utc_now",
]

AGE_CHECK: Final = "presentation.age"
_UNITS: Final = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION: Final = re.compile(r"(?:\d{1,9}[wdhms])+")
_PART: Final = re.compile(r"(\d+)([wdhms])")
_NAMES: Final = (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))


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


def parse_duration(text: str, *, where: str | None = None) -> timedelta:
    """Read a duration written as numbers with units: ``30d``, ``12h``, ``90m``, ``1d12h``.

    The units are ``w`` (weeks), ``d`` (days), ``h`` (hours), ``m``
    (minutes) and ``s`` (seconds); ``where`` names the option or field.

    >>> parse_duration("1d12h")
    datetime.timedelta(days=1, seconds=43200)

    Raises:
        InputError: not such a duration, or a zero one.
    """
    compact = text.strip().lower() if isinstance(text, str) else ""
    if not _DURATION.fullmatch(compact):
        raise InputError(
            f"{str(text)[:40]!r} is not a duration such as 30d, 12h or 90m", where=where
        )
    seconds = sum(int(number) * _UNITS[unit] for number, unit in _PART.findall(compact))
    if seconds == 0:
        raise InputError("a duration must be longer than zero", where=where)
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        raise InputError(f"{text[:40]!r} is too long a duration", where=where) from None


def format_duration(span: timedelta) -> str:
    """Say ``span`` exactly, in its largest whole unit: "30 days", "1 hour", "90 minutes".

    A span that is not a whole number of days is said in hours, and so on;
    under a second (or negative) is "no time".
    """
    seconds = int(span.total_seconds())
    for name, size in _NAMES:
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {name}{'s' if count != 1 else ''}"
    return "no time"


def _ago(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    for name, size in _NAMES[:3]:
        if seconds >= size:
            count = seconds // size
            return f"{count} {name}{'s' if count != 1 else ''} ago"
    return "just now"


def _shown(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def presentation_age(
    dated: datetime | None,
    *,
    now: datetime,
    max_age: timedelta | None,
    skew: timedelta,
    expires: datetime | None = None,
    challenged: bool,
) -> tuple[Outcome, str] | None:
    """Apply the freshness rule to a presentation signed at ``dated``; return its age check.

    The outcome and message are those of the ``presentation.age`` check:
    failed when the presentation is older than ``max_age`` (plus ``skew``),
    or undated while the verifier bounds the age; passed otherwise, saying
    how old it is ("presented 3 days ago (2026-12-03 10:00 UTC)"), until when
    the holder said it holds (``expires``), and, when no challenge was
    checked (``challenged`` false), that it could be a replayed copy. None
    when ``dated`` is in the future beyond ``skew``: each format reports
    that date under its own code (``proof.created``, ``key_binding.iat``).
    The holder's ``expires`` itself is enforced by each format's expiry check.
    """
    replay = (
        ""
        if challenged
        else "; no challenge was checked, so this could be a copy presented again (replay)"
    )
    if dated is None:
        if max_age is not None:
            message = (
                "the presentation is not dated, so it cannot be shown to be younger "
                f"than the {format_duration(max_age)} this verifier accepts"
            )
            return Outcome.FAILED, message
        return Outcome.PASSED, f"the presentation is not dated: its age is unknown{replay}"
    if dated > now + skew:
        return None
    age = max(now - dated, timedelta(0))
    presented = f"presented {_ago(age)} ({_shown(dated)})"
    if max_age is not None and age > max_age + skew:
        limit = format_duration(max_age)
        return Outcome.FAILED, f"{presented}: older than the {limit} this verifier accepts"
    until = f", valid until {_shown(expires)}" if expires is not None else ""
    return Outcome.PASSED, f"{presented}{until}{replay}"
