"""Dates in proofs and credentials: XML Schema dateTime, always timezone-aware.

Also the one freshness rule every presentation format follows (Data Integrity
``created``/``expires``, an SD-JWT Key Binding JWT's ``iat``/``exp``, a
``vp+jwt``'s ``iat``/``nbf``/``exp``): the holder says until when the
presentation holds, the verifier bounds its age, and the verdict shows it
(:func:`presentation_age`, the ``presentation.age`` check).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from passeport.errors import InputError
from passeport.proofs.outcome import Outcome

__all__ = [
    "AGE_CHECK",
    "PresentationAge",
    "format_datetime",
    "format_duration",
    "later",
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
_SHOWN: Final = "%Y-%m-%d %H:%M UTC"


def utc_now() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


_FIRST: Final = datetime.min.replace(tzinfo=UTC)
_LAST: Final = datetime.max.replace(tzinfo=UTC)


def later(moment: datetime, span: timedelta) -> datetime:
    """Return ``moment + span``, or the first or last instant a datetime holds when beyond.

    Dates come from documents (a proof ``expires`` on 9999-12-31T23:59:59Z) and
    spans from options: their sum must not raise where a comparison was meant.
    A comparison with a tolerance is written as a difference instead
    (``now - expires > skew``), which never overflows.

    >>> later(datetime(9999, 12, 31, 23, 59, tzinfo=UTC), timedelta(minutes=5)).year
    9999
    """
    try:
        return moment + span
    except OverflowError:
        return _LAST if span > timedelta(0) else _FIRST


def _sum(first: timedelta, second: timedelta) -> timedelta:
    try:
        return first + second
    except OverflowError:
        return timedelta.max


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


def _ago(span: timedelta) -> tuple[int, str]:
    seconds = int(span.total_seconds())
    for name, size in _NAMES[:3]:
        if seconds >= size:
            return seconds // size, name
    return 0, ""


def _shown(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_SHOWN)


def _span(text: str) -> timedelta:
    count, name = text.split()
    return timedelta(seconds=int(count) * dict(_NAMES)[name.removesuffix("s")])


def _minute(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class PresentationAge:
    """What the ``presentation.age`` check found, as parts a verdict can put in any language.

    ``dated`` is when the presentation was made (None: undated), to the
    minute; ``ago`` how long before the check, as a count of its largest
    whole unit (``(3, "day")``; ``(0, "")`` for just now); ``expires`` until
    when the holder said it holds; ``challenged`` whether a challenge was
    checked; ``limit`` the age the verifier accepts, set only when the
    presentation is too old or undated under it (the check then fails).
    :attr:`message` is the check's English sentence, and :meth:`read` finds
    these parts again in it.
    """

    dated: datetime | None
    ago: tuple[int, str]
    challenged: bool
    expires: datetime | None = None
    limit: timedelta | None = None

    @property
    def outcome(self) -> Outcome:
        """Failed when the verifier's limit was passed (or cannot be shown to hold)."""
        return Outcome.FAILED if self.limit is not None else Outcome.PASSED

    @property
    def message(self) -> str:
        """Return the check's sentence, in English."""
        replay = "" if self.challenged else _REPLAY
        if self.dated is None:
            if self.limit is not None:
                return f"{_UNDATED_LIMIT} than the {format_duration(self.limit)} {_ACCEPTS}"
            return f"{_UNDATED}{replay}"
        count, unit = self.ago
        ago = f"{count} {unit}{'s' if count != 1 else ''} ago" if unit else "just now"
        presented = f"presented {ago} ({_shown(self.dated)})"
        if self.limit is not None:
            return f"{presented}: older than the {format_duration(self.limit)} {_ACCEPTS}"
        until = f", valid until {_shown(self.expires)}" if self.expires is not None else ""
        return f"{presented}{until}{replay}"

    @classmethod
    def read(cls, message: str) -> PresentationAge | None:
        """Return the parts of a ``presentation.age`` message, or None if it is not one.

        >>> PresentationAge.read("presented 3 days ago (2026-01-12 12:00 UTC)").ago
        (3, 'day')
        """
        found = _AGE_MESSAGE.fullmatch(message)
        if found is None:
            return None
        parts = found.groupdict()

        def moment(name: str) -> datetime | None:
            text = parts[name]
            return datetime.strptime(text, _SHOWN).replace(tzinfo=UTC) if text else None

        limit = parts["limit"] or parts["undated_limit"]
        age = cls(
            dated=moment("dated"),
            ago=(int(parts["count"]), parts["unit"]) if parts["unit"] else (0, ""),
            challenged=parts["replay"] is None and parts["undated_replay"] is None,
            expires=moment("expires"),
            limit=_span(limit) if limit else None,
        )
        return age if age.message == message else None


_REPLAY: Final = "; no challenge was checked, so this could be a copy presented again (replay)"
_UNDATED: Final = "the presentation is not dated: its age is unknown"
_UNDATED_LIMIT: Final = "the presentation is not dated, so it cannot be shown to be younger"
_ACCEPTS: Final = "this verifier accepts"
_INSTANT: Final = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC"
_SPAN: Final = r"\d+ (?:day|hour|minute|second)s?"
_AGE_MESSAGE: Final = re.compile(
    rf"(?:presented (?:(?P<count>\d+) (?P<unit>day|hour|minute)s? ago|just now) "
    rf"\((?P<dated>{_INSTANT})\)"
    rf"(?:: older than the (?P<limit>{_SPAN}) {_ACCEPTS}"
    rf"|(?:, valid until (?P<expires>{_INSTANT}))?(?P<replay>{re.escape(_REPLAY)})?)"
    rf"|{re.escape(_UNDATED)}(?P<undated_replay>{re.escape(_REPLAY)})?"
    rf"|{re.escape(_UNDATED_LIMIT)} than the (?P<undated_limit>{_SPAN}) {_ACCEPTS})"
)


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
    The message's parts are found again by :meth:`PresentationAge.read`, so
    a verdict can say them in the reader's language.
    """
    if dated is None:
        age = PresentationAge(None, (0, ""), challenged, limit=max_age)
        return age.outcome, age.message
    if dated - now > skew:
        return None
    span = max(now - dated, timedelta(0))
    too_old = max_age is not None and span > _sum(max_age, skew)
    found = PresentationAge(
        _minute(dated),
        _ago(span),
        challenged,
        expires=None if too_old or expires is None else _minute(expires),
        limit=max_age if too_old else None,
    )
    return found.outcome, found.message
