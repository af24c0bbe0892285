"""JSON type aliases shared by every package, and the one reader of an ``id`` member."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

__all__ = ["JsonArray", "JsonObject", "JsonPointer", "JsonScalar", "JsonValue", "id_of"]

JsonScalar: TypeAlias = str | int | float | bool | None
JsonValue: TypeAlias = "JsonScalar | JsonArray | JsonObject"
JsonArray: TypeAlias = list[JsonValue]
JsonObject: TypeAlias = dict[str, JsonValue]
JsonPointer: TypeAlias = str


def id_of(value: Any) -> str | None:
    """Return ``value`` if it is a string, else its ``id`` member if that is one.

    This is how ``issuer``, ``holder`` and ``credentialSubject`` name a party:
    a bare IRI, or an object with an ``id``.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None
