"""Typed fields of template data: checks with JSON pointers, and CSV cells read as fields.

A template declares its data as a :class:`Group` of named :class:`Field`\\ s
and nested groups. :func:`read` checks a data object against it: an unknown
member, a missing required one, a value of the wrong type or form is an
:class:`~passeport.errors.InputError` naming ``where`` and the JSON pointer
into the data. :func:`from_row` turns one CSV row, whose column names are data
paths joined by dots (``holder.name``), into the data object, reading each
cell as its field says (integers, lists split on ``|``...). The checks of
text, dates, numbers, DIDs and URIs are here; those of French and European
codes (RNCP, RS, ROME, ESCO), durations and achievement types in
:mod:`issuer._codes`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NoReturn

from passeport._json import JsonObject, JsonValue
from passeport.errors import InputError

__all__ = [
    "LIST_SEPARATOR",
    "Field",
    "Group",
    "Place",
    "from_row",
    "json_type",
    "paths",
    "pattern",
    "read",
]

LIST_SEPARATOR = "|"
"""Separates the items of a list in one CSV cell: ``Accueil | Facturation``."""


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True, slots=True)
class Place:
    """Where a value sits: the file or row (``where``) and a JSON pointer into the data."""

    where: str | None
    pointer: str = ""

    def child(self, key: str | int) -> Place:
        """Return the place of member or element ``key``."""
        return Place(self.where, f"{self.pointer}/{_escape(str(key))}")

    def fail(self, message: str) -> NoReturn:
        """Raise the InputError for this place."""
        raise InputError(message, where=self.where, pointer=self.pointer)


Check = Callable[[Any, Place], Any]
Cell = Callable[[str, Place], JsonValue]


def _cell_text(text: str, place: Place) -> JsonValue:
    return text


@dataclass(frozen=True, slots=True)
class Field:
    """One data member: how to check its JSON value and how to read it from a CSV cell."""

    check: Check
    required: bool = False
    cell: Cell = _cell_text


@dataclass(frozen=True, slots=True)
class Group:
    """A nested data object: its members by name."""

    fields: Mapping[str, Field | Group] = field(default_factory=dict)
    required: bool = False


def json_type(value: object) -> str:
    """Name the JSON type of ``value`` for an error message: "a text", "a list"..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def read(group: Group, value: object, place: Place) -> dict[str, Any]:
    """Check ``value`` against ``group``; return the checked, normalized members.

    A JSON ``null`` member counts as absent.

    Raises:
        InputError: not an object, an unknown member (all of them named), a
            required member missing, or a member its check refuses.
    """
    if not isinstance(value, Mapping):
        place.fail(f"expected an object, got {json_type(value)}")
    unknown = [key for key in value if key not in group.fields]
    if unknown:
        names = ", ".join(f'"{key}"' for key in unknown)
        allowed = ", ".join(sorted(group.fields))
        noun = "field" if len(unknown) == 1 else "fields"
        place.child(str(unknown[0])).fail(f"unknown {noun} {names} (expected: {allowed})")
    checked: dict[str, Any] = {}
    for name, spec in group.fields.items():
        member = value.get(name)
        at = place.child(name)
        if member is None:
            if spec.required:
                at.fail(f'missing required field "{name}"')
            continue
        if isinstance(spec, Group):
            checked[name] = read(spec, member, at)
        else:
            checked[name] = spec.check(member, at)
    return checked


def paths(group: Group, prefix: str = "") -> tuple[str, ...]:
    """Return the dotted paths of every field of ``group`` (the CSV column names), in order."""
    found: list[str] = []
    for name, spec in group.fields.items():
        path = f"{prefix}{name}"
        if isinstance(spec, Group):
            found.extend(paths(spec, f"{path}."))
        else:
            found.append(path)
    return tuple(found)


def _column(name: str) -> str:
    # A spreadsheet's CSV export may start with a byte order mark.
    return name.strip().lstrip("\ufeff").strip()


def from_row(group: Group, row: Mapping[str, str], *, where: str) -> JsonObject:
    """Turn one CSV row into a data object for ``group``; an empty cell is an absent member.

    A row from :class:`csv.DictReader` may hold None: as the key of cells past
    the header's columns, and as the value of columns the row lacks.

    Raises:
        InputError: an unknown column (all of them named), more cells than
            columns, or a cell its field cannot read.
    """
    known = set(paths(group))
    if None in row:
        raise InputError("the row has more cells than the header has columns", where=where)
    columns = [column for column in row if isinstance(column, str)]
    unknown = [column for column in columns if _column(column) not in known]
    if unknown:
        names = ", ".join(f'"{column}"' for column in unknown)
        noun = "column" if len(unknown) == 1 else "columns"
        pointer = "/" + "/".join(_escape(part) for part in _column(unknown[0]).split("."))
        raise InputError(
            f"unknown {noun} {names} (expected: {', '.join(sorted(known))})",
            where=where,
            pointer=pointer,
        )
    data: JsonObject = {}
    for column in columns:
        text = row[column]
        if not isinstance(text, str) or not text.strip():
            continue
        parts = _column(column).split(".")
        spec: Field | Group = group
        target = data
        place = Place(where)
        for part in parts[:-1]:
            assert isinstance(spec, Group)
            spec = spec.fields[part]
            place = place.child(part)
            inner = target.setdefault(part, {})
            assert isinstance(inner, dict)
            target = inner
        assert isinstance(spec, Group)
        leaf = spec.fields[parts[-1]]
        assert isinstance(leaf, Field)
        target[parts[-1]] = leaf.cell(text.strip(), place.child(parts[-1]))
    return data


# Checks -------------------------------------------------------------------------------------


def text(value: object, place: Place) -> str:
    """Check a non-empty text; return it stripped."""
    if not isinstance(value, str):
        place.fail(f"expected a text, got {json_type(value)}")
    stripped = value.strip()
    if not stripped:
        place.fail("must not be empty")
    return stripped


def texts(value: object, place: Place) -> list[str]:
    """Check a non-empty list of non-empty texts."""
    if not isinstance(value, list):
        place.fail(f"expected a list of texts, got {json_type(value)}")
    if not value:
        place.fail("must not be an empty list")
    return [text(item, place.child(index)) for index, item in enumerate(value)]


def cell_texts(cell: str, place: Place) -> JsonValue:
    """Read a CSV cell holding texts separated by ``|``."""
    return [item.strip() for item in cell.split(LIST_SEPARATOR) if item.strip()]


def items(group: Group) -> Check:
    """Return a check for a non-empty list of objects, each checked against ``group``."""

    def check(value: object, place: Place) -> list[dict[str, Any]]:
        if not isinstance(value, list):
            place.fail(f"expected a list of objects, got {json_type(value)}")
        if not value:
            place.fail("must not be an empty list")
        return [read(group, item, place.child(index)) for index, item in enumerate(value)]

    return check


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})", re.I)


def day(value: object, place: Place) -> date:
    """Check an ISO 8601 calendar date, ``YYYY-MM-DD``."""
    if not isinstance(value, str):
        place.fail(f"expected a date (YYYY-MM-DD), got {json_type(value)}")
    if not _DATE.fullmatch(value.strip()):
        place.fail(f'"{value}" is not a date (YYYY-MM-DD)')
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        place.fail(f'"{value}" is not a valid calendar date')


def moment(value: object, place: Place) -> date | datetime:
    """Check an ISO 8601 date, or a date-time with its time zone; a date-time comes back in UTC."""
    if not isinstance(value, str):
        place.fail(f"expected a date or date-time (ISO 8601), got {json_type(value)}")
    stripped = value.strip()
    if _DATE.fullmatch(stripped):
        return day(stripped, place)
    if not _DATETIME.fullmatch(stripped):
        hint = " (a date-time needs its time zone, e.g. Z)" if "T" in stripped else ""
        place.fail(f'"{value}" is not an ISO 8601 date or date-time{hint}')
    try:
        zoned = stripped[:-1] + "+00:00" if stripped[-1] in "Zz" else stripped
        return datetime.fromisoformat(zoned).astimezone(UTC)
    except (ValueError, OverflowError):
        place.fail(f'"{value}" is not a valid date-time')


def integer(low: int, high: int) -> Check:
    """Return a check for an integer between ``low`` and ``high`` inclusive."""

    def check(value: object, place: Place) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            place.fail(f"expected an integer from {low} to {high}, got {json_type(value)}")
        if not low <= value <= high:
            place.fail(f"{value} is not from {low} to {high}")
        return value

    return check


def cell_integer(cell: str, place: Place) -> JsonValue:
    """Read a CSV cell holding an integer."""
    try:
        return int(cell)
    except ValueError:
        place.fail(f'"{cell}" is not an integer')


def number(low: float, high: float) -> Check:
    """Return a check for a number between ``low`` and ``high`` inclusive."""

    def check(value: object, place: Place) -> float | int:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            place.fail(f"expected a number from {low:g} to {high:g}, got {json_type(value)}")
        if not low <= value <= high:
            place.fail(f"{value} is not from {low:g} to {high:g}")
        return value

    return check


def cell_number(cell: str, place: Place) -> JsonValue:
    """Read a CSV cell holding a number; a decimal comma (``7,5``) is accepted."""
    try:
        value = float(cell.replace(",", "."))
    except ValueError:
        place.fail(f'"{cell}" is not a number')
    return int(value) if value.is_integer() else value


def pattern(regex: str, what: str, *, fold: Callable[[str], str] = str) -> Check:
    """Return a check for a text that ``fold`` turns into a full match of ``regex``."""
    compiled = re.compile(regex)

    def check(value: object, place: Place) -> str:
        if not isinstance(value, str):
            place.fail(f"expected {what}, got {json_type(value)}")
        folded = fold(value.strip())
        if not compiled.fullmatch(folded):
            place.fail(f'"{value}" is not {what}')
        return folded

    return check


# did-core 3.1: did = "did:" method-name ":" method-specific-id (a DID, not a DID URL)
_DID = r"did:[a-z0-9]+:(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})*(?::(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})*)*"
did = pattern(_DID + r"(?<!:)", 'a DID ("did:method:identifier", no fragment or path)')
email = pattern(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>.]+", "an email address")
uri = pattern(
    r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+", "an absolute URI (e.g. https://… or urn:…)"
)
url = pattern(r"https?://[^\s/<>\"{}|\\^`]+(/[^\s<>\"{}|\\^`]*)?", "an http(s) URL")
